/*
 * PEP 440 versions: parse (with the spec's normalizations), format in
 * canonical form, compare.  https://peps.python.org/pep-0440/
 * Parsing never allocates: release segments and the local label have
 * fixed caps, and longer input is refused with TLC_ETOOBIG.
 */
#ifndef TLC_PEP440_H
#define TLC_PEP440_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define TLC_PEP440_MAX_RELEASE 16	/* components in 1.2.3... */
#define TLC_PEP440_MAX_LOCAL 128	/* bytes of the normalized local label */
#define TLC_PEP440_MAX_INPUT 256	/* bytes of input */

enum tlc_pep440_pre { TLC_PEP440_PRE_NONE, TLC_PEP440_A, TLC_PEP440_B,
		      TLC_PEP440_RC };

struct tlc_pep440 {
	uint64_t epoch;
	uint64_t release[TLC_PEP440_MAX_RELEASE];
	unsigned nrelease;		/* >= 1 */
	enum tlc_pep440_pre pre;	/* kind of pre-release, or NONE */
	uint64_t pre_n;
	bool has_post;
	uint64_t post;
	bool has_dev;
	uint64_t dev;
	char local[TLC_PEP440_MAX_LOCAL];	/* normalized, "" if none */
};

/**
 * Parse @s (surrounding whitespace allowed, a leading 'v' allowed, case
 * insensitive, alternate spellings such as "1.0-alpha_1" or "1.0.post"
 * normalized as PEP 440 "Normalization" says).
 *
 * @return 0, TLC_EPOLICY for a string that is not a version (the message
 *         names the part that is wrong), TLC_ETOOBIG
 */
int tlc_pep440_parse(struct tlc_pep440 *out, const char *s,
		     struct tlc_error *err);

/** Append the canonical form of @v ("1!2.0rc1.post2.dev3+ubuntu.1"). */
TLC_WARN_UNUSED int tlc_pep440_format(struct tlc_buf *out,
				      const struct tlc_pep440 *v);

/** PEP 440 ordering, local labels included: < 0, 0 or > 0. */
int tlc_pep440_cmp(const struct tlc_pep440 *a, const struct tlc_pep440 *b);

/** Normalize the string @s into @out in one step.  @return as parse */
int tlc_pep440_normalize(struct tlc_buf *out, const char *s,
			 struct tlc_error *err);

#endif
