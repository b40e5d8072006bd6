/*
 * PEP 440 versions: parse (with the spec's normalizations), format in
 * canonical form, compare.  https://peps.python.org/pep-0440/
 * Parsing never allocates: release segments and the local label have
 * fixed caps, and longer input is refused with TLC_ETOOBIG.
 */
#ifndef TLC_PEP440_H
#define TLC_PEP440_H

#include <stdbool.h>
#include <stddef.h>
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
 * Whitespace means the six characters PEP 440 lists (" \t\n\r\f\v");
 * only ASCII is accepted.
 *
 * @return 0, TLC_EPOLICY for a string that is not a version (the message
 *         names the part that is wrong), TLC_ETOOBIG for input over
 *         TLC_PEP440_MAX_INPUT bytes, more than TLC_PEP440_MAX_RELEASE
 *         release components, a normalized local label that does not fit
 *         @out->local, or a number (epoch, release, pre, post, dev) over
 *         UINT64_MAX: valid PEP 440, but past what tlcpack holds
 */
int tlc_pep440_parse(struct tlc_pep440 *out, const char *s,
		     struct tlc_error *err);

/**
 * Append the canonical form of @v ("1!2.0rc1.post2.dev3+ubuntu.1"), as
 * Python's packaging.version.Version str() writes it.
 *
 * @return 0, TLC_ENOMEM or TLC_ETOOBIG (from @out's cap)
 */
TLC_WARN_UNUSED int tlc_pep440_format(struct tlc_buf *out,
				      const struct tlc_pep440 *v);

/** PEP 440 ordering, local labels included: < 0, 0 or > 0. */
int tlc_pep440_cmp(const struct tlc_pep440 *a, const struct tlc_pep440 *b);

/**
 * Append the canonical form of the string @s to @out in one step.
 *
 * @return as tlc_pep440_parse(), or TLC_ENOMEM / TLC_ETOOBIG from @out;
 *         @out is unchanged on failure
 */
int tlc_pep440_normalize(struct tlc_buf *out, const char *s,
			 struct tlc_error *err);

/**
 * The version of a nightly build made @ncommits commits after a tag
 * (docs/recipe.md, "Versions"), appended to @out in canonical form:
 *
 * - @ncommits == 0: the tag's version itself, normalized;
 * - a dev tag ("0.9.dev0") keeps its release and takes @ncommits as its
 *   dev number: "0.9.dev123";
 * - a post release ("1.0.post1") bumps the post number: "1.0.post2.dev123";
 * - a pre-release ("1.0rc1") bumps the pre number: "1.0rc2.dev123";
 * - a final release ("0.12.0") bumps the last release component:
 *   "0.12.1.dev123";
 * - @local adds "+g<hash>" ("0.9.dev123+g1a2b3c4d").
 *
 * A dev tag must be ".dev0" (as setuptools-scm demands): a later dev
 * number would make the nightly sort before its own tag.  A tag with a
 * local label is refused when @ncommits > 0.
 *
 * @param tag_version  the tag without its prefix ("v0.9.dev0" -> "0.9.dev0")
 * @param hash         the abbreviated commit id without the 'g', letters
 *                     and digits; may be NULL when !@local or @ncommits == 0
 * @return 0, TLC_EPOLICY (bad tag or hash), TLC_ETOOBIG (a number would
 *         pass UINT64_MAX), TLC_ENOMEM; @out is unchanged on failure
 */
int tlc_pep440_dev_version(struct tlc_buf *out, const char *tag_version,
			   unsigned long ncommits, const char *hash,
			   bool local, struct tlc_error *err);

/**
 * Check @len bytes at @s as a PEP 440 "Version specifiers" set
 * (https://peps.python.org/pep-0440/#version-specifiers), the form of
 * Requires-Python: clauses joined by ',', each an operator (~= == != <=
 * >= < > ===) and a version, with whitespace (PEP 440's six characters)
 * around clauses and after the operator.  The rules, as Python's
 * packaging.specifiers.Specifier applies them:
 *
 * - no empty set and no empty clause (",>=3.8", ">=3.8,,<4", ">=3.8,");
 * - the version parses as tlc_pep440_parse() reads it, with no
 *   whitespace inside;
 * - a '.*' suffix only with '==' and '!=', and only after a plain release
 *   (with an optional epoch): "==3.*", not ">=3.*" nor "==1.0a1.*";
 * - a local label ("+abc") only with '==' and '!=' (no wildcard);
 * - '~=' needs at least two release numbers ("~=3.8", not "~=3");
 * - '===' takes any printable ASCII string without ';' or ')'.
 *
 * Only printable ASCII and whitespace are accepted; @s need not be
 * NUL-terminated.  Nothing is allocated.
 *
 * @return 0, or TLC_EPOLICY with a one-line message naming the clause
 *         and the rule (a version past what tlc_pep440_parse() holds, a
 *         number over 2^64-1 or more than TLC_PEP440_MAX_RELEASE release
 *         numbers, valid PEP 440 all the same, is refused the same way)
 */
int tlc_pep440_specifiers_check(const char *s, size_t len,
				struct tlc_error *err);

#endif
