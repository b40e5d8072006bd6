/*
 * Reading core metadata: a wheel's METADATA, and the PEP 658 ".metadata"
 * files of an index (https://packaging.python.org/en/latest/
 * specifications/core-metadata/).  The format is email headers (RFC 822,
 * as Python's email.parser reads it with the compat32 policy): "Key:
 * value" lines, continuation lines that start with a space or a tab, then
 * an empty line and the body (the description).
 *
 * The parser is strict where an index depends on it and lenient where
 * installers are: Metadata-Version, Name and Version are required and
 * checked (a 1.x or 2.x version; a PEP 508 name; a PEP 440 version);
 * Requires-Python, when present, must be a PEP 440 specifier set; keys
 * are matched case-insensitively; unknown keys are kept.  The text must be
 * UTF-8 without NUL bytes; a line without a colon in the header block is
 * refused.  Every refusal is TLC_EPOLICY with a one-line message naming
 * the line and the rule: "METADATA line 3: 'Name' is not a valid project
 * name (PEP 508): 'a b'".
 */
#ifndef TLC_COREMETA_H
#define TLC_COREMETA_H

#include <stddef.h>

#include "error.h"

/* Refused as hostile beyond these. */
#define TLC_COREMETA_MAX ((size_t)16 << 20)	/* bytes */
#define TLC_COREMETA_MAX_FIELDS 65536

struct tlc_coremeta_field {
	const char *key;	/* as written ("Requires-Dist") */
	const char *value;	/* continuation lines joined with '\n', the
				 * leading whitespace of each removed */
};

struct tlc_coremeta {
	size_t nfields;
	struct tlc_coremeta_field *fields;	/* in file order */
	const char *body;	/* after the empty line; "" if none */
	/* the checked fields (point into fields[]) */
	const char *metadata_version;
	const char *name;
	const char *version;
	const char *requires_python;	/* NULL if absent */
	const char *summary;		/* NULL if absent */
};

/**
 * Parse @len bytes of core metadata.  @what names it in messages
 * ("METADATA", "x-1.0.dist-info/METADATA").
 *
 * @param[out] out  free with tlc_coremeta_free()
 * @return 0, TLC_EPOLICY, TLC_ETOOBIG (over TLC_COREMETA_MAX or
 *         TLC_COREMETA_MAX_FIELDS), TLC_ENOMEM
 */
int tlc_coremeta_parse(struct tlc_coremeta **out, const char *data,
		       size_t len, const char *what, struct tlc_error *err);

/** The first value of @key (case-insensitive), or NULL. */
const char *tlc_coremeta_get(const struct tlc_coremeta *m, const char *key);

/** Free @m; NULL is a no-op. */
void tlc_coremeta_free(struct tlc_coremeta *m);

#endif
