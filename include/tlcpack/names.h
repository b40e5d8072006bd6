/*
 * Project names (PEP 508 / PEP 503) and wheel filenames (PEP 427, as
 * amended by PEP 491 and the binary distribution format spec).
 */
#ifndef TLC_NAMES_H
#define TLC_NAMES_H

#include <stdbool.h>

#include "buf.h"
#include "error.h"

#define TLC_NAME_MAX 200	/* bytes in a project name we accept */
#define TLC_WHEEL_FILENAME_MAX 1024	/* bytes in a wheel filename */

/**
 * A valid PEP 508 project name: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i,
 * ASCII only, at most TLC_NAME_MAX bytes.  NULL is not valid.
 */
bool tlc_name_valid(const char *name);

/**
 * Whether @a and @b are valid names with the same PEP 503 normalized form
 * ("Foo.Bar" and "foo-bar"), without allocating.
 */
bool tlc_name_equal(const char *a, const char *b);

/**
 * Append the PEP 503 normalization of @name to @out: lower case, runs of
 * "-", "_", "." become "-".
 * @return 0, TLC_EPOLICY if @name is not valid, TLC_ETOOBIG if it is over
 *         TLC_NAME_MAX bytes (or @out's cap is hit), TLC_ENOMEM; @out is
 *         unchanged on failure
 */
int tlc_name_normalize(struct tlc_buf *out, const char *name,
		       struct tlc_error *err);

/**
 * Append the name as it appears in a wheel filename and .dist-info
 * directory: normalized, then "-" replaced by "_" ("tlcpack-cu121" ->
 * "tlcpack_cu121").  @return as tlc_name_normalize()
 */
int tlc_name_wheel_escape(struct tlc_buf *out, const char *name,
			  struct tlc_error *err);

/** The parts of {name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl */
struct tlc_wheel_filename {
	char name[TLC_NAME_MAX + 1];	/* as written (escaped) */
	char version[256];		/* as written */
	char build[64];			/* "" if none */
	char python[128];		/* may be compressed: "py2.py3" */
	char abi[128];
	char platform[256];		/* may be compressed: "a.b" */
};

/**
 * Split and validate a wheel filename (no directory part): exactly 5 or 6
 * dash-separated parts before ".whl", a valid PEP 508 name (escaped or
 * not, since older wheels keep '.' and capitals), a valid PEP 440
 * version, a build tag of a digit then [A-Za-z0-9_.]*, and tags of
 * non-empty [A-Za-z0-9_]+ parts joined by '.'.  Directory separators and
 * control characters are refused.  @out holds the parts as written.
 *
 * @return 0, TLC_EPOLICY with the rule broken named, TLC_ETOOBIG for a
 *         filename over TLC_WHEEL_FILENAME_MAX bytes or a part too long
 *         for its field in @out
 */
int tlc_wheel_filename_parse(struct tlc_wheel_filename *out,
			     const char *filename, struct tlc_error *err);

/**
 * Append "{escaped name}-{version}[-{build}]-{py}-{abi}-{plat}.whl" to
 * @out; @name is escaped and @version normalized here, and every part is
 * checked as tlc_wheel_filename_parse() checks it (with the same size
 * caps), so what this writes that function reads back.
 *
 * @param build  NULL or "" for none
 * @return 0, TLC_EPOLICY, TLC_ETOOBIG, TLC_ENOMEM; @out is unchanged on
 *         failure
 */
int tlc_wheel_filename_format(struct tlc_buf *out, const char *name,
			      const char *version, const char *build,
			      const char *python, const char *abi,
			      const char *platform, struct tlc_error *err);

#endif
