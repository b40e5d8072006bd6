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

/** A valid PEP 508 project name: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i */
bool tlc_name_valid(const char *name);

/**
 * PEP 503 normalization: lower case, runs of "-", "_", "." become "-".
 * @return 0, TLC_EPOLICY if @name is not valid, TLC_ENOMEM
 */
int tlc_name_normalize(struct tlc_buf *out, const char *name,
		       struct tlc_error *err);

/**
 * The name as it appears in a wheel filename and .dist-info directory:
 * normalized, then "-" replaced by "_" ("tlcpack-cu121" ->
 * "tlcpack_cu121").
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
 * Split and validate a wheel filename (no directory part).  The version
 * must be valid PEP 440, the build tag must start with a digit, tags must
 * be non-empty [A-Za-z0-9_.]+.
 *
 * @return 0, TLC_EPOLICY with the rule broken named, TLC_ETOOBIG
 */
int tlc_wheel_filename_parse(struct tlc_wheel_filename *out,
			     const char *filename, struct tlc_error *err);

/** Format "{escaped name}-{version}[-{build}]-{py}-{abi}-{plat}.whl";
 * @name is escaped, @version normalized, here. */
int tlc_wheel_filename_format(struct tlc_buf *out, const char *name,
			      const char *version, const char *build,
			      const char *python, const char *abi,
			      const char *platform, struct tlc_error *err);

#endif
