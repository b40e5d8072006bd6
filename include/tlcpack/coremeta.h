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
 * Requires-Python, when present, must be a PEP 440 specifier set
 * (tlc_pep440_specifiers_check()); keys are matched case-insensitively;
 * unknown keys are kept, in file order, repeats included (Requires-Dist,
 * Classifier).  The text must be UTF-8 without NUL bytes.
 *
 * Where Python would read the text differently or not at all, it is
 * refused rather than guessed at:
 * - a line without a colon in the header block (Python would end the
 *   headers there and read the rest as the body), a field name with
 *   spaces or control characters (RFC 822 section 3.2), an empty one;
 * - a continuation line before the first field;
 * - a carriage return other than in a CRLF line ending (Python splits
 *   lines at a lone CR);
 * - Metadata-Version, Name, Version, Requires-Python or Summary given
 *   twice, in any case ("Name" and "name"): they are single-use fields of
 *   the spec, and a second Name or Version makes the file ambiguous
 *   (Python's msg["Name"] returns the first, other readers the last);
 * - a Version value with whitespace in it (PEP 440 would trim it, but
 *   m->version is handed on as written, into file names and URLs).
 *
 * Every refusal is TLC_EPOLICY with a one-line message naming the line
 * and the rule: "METADATA line 3: 'Name' is not a valid project name
 * (PEP 508): 'a b'"; a missing field has no line: "METADATA: missing the
 * 'Name' field (core metadata requires it)".
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
	const char *value;	/* after the colon and the blanks that follow
				 * it; continuation lines joined with '\n',
				 * the leading blanks of each removed (Python
				 * keeps the line breaks and blanks as read) */
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
 * @param[out] out  free with tlc_coremeta_free(); NULL on failure
 * @return 0, TLC_EPOLICY, TLC_ETOOBIG (over TLC_COREMETA_MAX bytes or
 *         TLC_COREMETA_MAX_FIELDS fields, or a Version with a number over
 *         2^64-1, as tlc_pep440_parse() refuses it), TLC_ENOMEM
 */
int tlc_coremeta_parse(struct tlc_coremeta **out, const char *data,
		       size_t len, const char *what, struct tlc_error *err);

/** The first value of @key (case-insensitive), or NULL. */
const char *tlc_coremeta_get(const struct tlc_coremeta *m, const char *key);

/** Free @m; NULL is a no-op. */
void tlc_coremeta_free(struct tlc_coremeta *m);

#endif
