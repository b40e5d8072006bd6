/*
 * PEP 440 versions.  https://peps.python.org/pep-0440/
 *
 * The parser accepts what the spec's permissive grammar (Appendix B,
 * packaging.version's VERSION_PATTERN) accepts and applies the
 * "Normalization" section while reading, so that tlc_pep440_format() gives
 * what packaging.version.Version's str() gives.  It is a hand-written
 * left-to-right scan: every optional separator of the grammar is taken
 * greedily, which never loses a match the regular expression would find
 * (a separator after a pre/post/dev word is simply allowed to dangle:
 * "1.0a." is "1.0a0", as in packaging).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tlcpack/pep440.h"

#include "banned.h"

/* Quoted input in messages is cut to this many bytes ("..." marks it). */
#define QUOTE_MAX 64
#define QUOTE_PART_MAX 24

struct scan {
	const char *in;		/* the whole input, for messages */
	const char *p;		/* next byte */
	const char *end;	/* end of the trimmed input */
};

/* PEP 440, "Leading and Trailing Whitespace": exactly these six. */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The separators the normalization rules allow between segments. */
static bool is_sep(char c)
{
	return c == '.' || c == '-' || c == '_';
}

/*
 * Copy at most @max bytes of [p, end) into @dst for a one-line message:
 * printable ASCII as is, anything else as \xNN, "..." when cut.
 */
static void quote(char *dst, size_t dstsz, const char *p, const char *end,
		  size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, used = 0;

	assert(dstsz > max * 4 + 4);
	for (; p < end && *p; p++, used++) {
		unsigned char c = (unsigned char)*p;

		if (used == max) {
			memcpy(dst + n, "...", 3);
			n += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[n++] = (char)c;
		} else {
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 0xf];
		}
	}
	dst[n] = '\0';
}

/* "invalid version '<input>': <what>" */
static int fail(const struct scan *sc, struct tlc_error *err, int code,
		const char *what)
{
	char q[QUOTE_MAX * 4 + 8];

	quote(q, sizeof(q), sc->in, sc->in + strlen(sc->in), QUOTE_MAX);
	return tlc_error_set(err, code, "invalid version '%s': %s", q, what);
}

/* "invalid version '<input>': <what> '<from p>'" */
static int fail_at(const struct scan *sc, struct tlc_error *err, int code,
		   const char *what, const char *p, const char *end)
{
	char q[QUOTE_MAX * 4 + 8], part[QUOTE_PART_MAX * 4 + 8];

	quote(q, sizeof(q), sc->in, sc->in + strlen(sc->in), QUOTE_MAX);
	quote(part, sizeof(part), p, end, QUOTE_PART_MAX);
	return tlc_error_set(err, code, "invalid version '%s': %s '%s'", q,
			     what, part);
}

/* Read [0-9]+ at sc->p into @out (PEP 440 "Integer Normalization"). */
static int scan_number(struct scan *sc, uint64_t *out, struct tlc_error *err)
{
	const char *start = sc->p;
	uint64_t v = 0;

	assert(sc->p < sc->end && is_digit(*sc->p));
	while (sc->p < sc->end && is_digit(*sc->p)) {
		unsigned d = (unsigned)(*sc->p - '0');

		if (v > (UINT64_MAX - d) / 10) {
			while (sc->p < sc->end && is_digit(*sc->p))
				sc->p++;
			return fail_at(sc, err, TLC_ETOOBIG,
				       "number over 2^64-1:", start, sc->p);
		}
		v = v * 10 + d;
		sc->p++;
	}
	*out = v;
	return 0;
}

/* Case-insensitive: does [p, end) start with @word? */
static bool starts_with(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower(p[i]) != word[i])
			return false;
	return true;
}

struct word {
	const char *text;
	int kind;
};

/*
 * The pre-release spellings, longest first where one is a prefix of
 * another ("preview" before "pre"); PEP 440 "Pre-release spelling".
 */
static const struct word pre_words[] = {
	{ "preview", TLC_PEP440_RC }, { "alpha", TLC_PEP440_A },
	{ "beta", TLC_PEP440_B }, { "pre", TLC_PEP440_RC },
	{ "rc", TLC_PEP440_RC }, { "a", TLC_PEP440_A },
	{ "b", TLC_PEP440_B }, { "c", TLC_PEP440_RC },
};

/* PEP 440 "Post release spelling". */
static const struct word post_words[] = {
	{ "post", 1 }, { "rev", 1 }, { "r", 1 },
};

static const struct word dev_words[] = {
	{ "dev", 1 },
};

/*
 * Match an optional separator and one of @words at sc->p.  On a match,
 * move past it and an optional separator after it, and return the word;
 * otherwise leave sc->p alone and return NULL.
 */
static const struct word *scan_word(struct scan *sc, const struct word *words,
				    size_t nwords)
{
	const char *p = sc->p;

	if (p < sc->end && is_sep(*p))
		p++;
	for (size_t i = 0; i < nwords; i++) {
		if (starts_with(p, sc->end, words[i].text)) {
			sc->p = p + strlen(words[i].text);
			if (sc->p < sc->end && is_sep(*sc->p))
				sc->p++;
			return &words[i];
		}
	}
	return NULL;
}

/* The implicit number of "1.0a", "1.0.post", "1.0.dev" is 0. */
static int scan_opt_number(struct scan *sc, uint64_t *out,
			   struct tlc_error *err)
{
	*out = 0;
	if (sc->p < sc->end && is_digit(*sc->p))
		return scan_number(sc, out, err);
	return 0;
}

/*
 * The local label after '+': [a-z0-9]+ segments joined by one of "-_.",
 * written lower case, joined by '.', with purely numeric segments read as
 * integers ("+01" is "+1"), as packaging does (PEP 440 "Local version
 * segments", "Integer Normalization").
 */
static int scan_local(struct scan *sc, struct tlc_pep440 *v,
		      struct tlc_error *err)
{
	size_t n = 0;

	if (sc->p == sc->end)
		return fail(sc, err, TLC_EPOLICY,
			    "empty local version label after '+'");
	for (;;) {
		const char *seg = sc->p;
		bool numeric = true;
		size_t len;

		while (sc->p < sc->end &&
		       (is_digit(*sc->p) || is_alpha(*sc->p))) {
			if (!is_digit(*sc->p))
				numeric = false;
			sc->p++;
		}
		len = (size_t)(sc->p - seg);
		if (len == 0) {
			if (sc->p < sc->end && !is_sep(*sc->p))
				return fail_at(sc, err, TLC_EPOLICY,
					       "local version label allows "
					       "only letters, digits and "
					       "'-_.' separators, not",
					       sc->p, sc->end);
			if (n == 0)
				return fail_at(sc, err, TLC_EPOLICY,
					       "local version label must "
					       "start with a letter or "
					       "digit, not", sc->p, sc->end);
			return fail_at(sc, err, TLC_EPOLICY,
				       "two separators in a row in the local "
				       "version label at", sc->p - 1,
				       sc->end);
		}
		if (numeric) {
			while (len > 1 && *seg == '0') {
				seg++;
				len--;
			}
		}
		if (n + (n ? 1 : 0) + len >= sizeof(v->local))
			return fail(sc, err, TLC_ETOOBIG,
				    "local version label over 127 bytes");
		if (n)
			v->local[n++] = '.';
		for (size_t i = 0; i < len; i++)
			v->local[n++] = to_lower(seg[i]);
		v->local[n] = '\0';
		if (sc->p == sc->end)
			return 0;
		if (!is_sep(*sc->p))
			return fail_at(sc, err, TLC_EPOLICY,
				       "local version label allows only "
				       "letters, digits and '-_.' "
				       "separators, not", sc->p, sc->end);
		sc->p++;
		if (sc->p == sc->end)
			return fail(sc, err, TLC_EPOLICY,
				    "local version label must end with a "
				    "letter or digit");
	}
}

/*
 * Explain why parsing stopped at sc->p: a segment out of place, or
 * something that is no segment at all.
 */
static int fail_trailing(const struct scan *sc, const struct tlc_pep440 *v,
			 struct tlc_error *err)
{
	struct scan t = *sc;
	const char *at = sc->p;

	if (at < sc->end && is_sep(*at) && at + 1 < sc->end)
		at++;
	if (scan_word(&t, pre_words,
		      sizeof(pre_words) / sizeof(pre_words[0]))) {
		if (v->pre != TLC_PEP440_PRE_NONE)
			return fail_at(sc, err, TLC_EPOLICY,
				       "second pre-release segment", at,
				       sc->end);
		return fail_at(sc, err, TLC_EPOLICY,
			       "pre-release segment must come before post "
			       "and dev segments:", at, sc->end);
	}
	t = *sc;
	if (scan_word(&t, post_words,
		      sizeof(post_words) / sizeof(post_words[0])) ||
	    (at > sc->p && *sc->p == '-' && is_digit(*at))) {
		if (v->has_dev && !v->has_post)
			return fail_at(sc, err, TLC_EPOLICY,
				       "post-release segment must come "
				       "before the dev segment:", at, sc->end);
		return fail_at(sc, err, TLC_EPOLICY,
			       "second post-release segment", at, sc->end);
	}
	t = *sc;
	if (scan_word(&t, dev_words, 1))
		return fail_at(sc, err, TLC_EPOLICY, "second dev segment", at,
			       sc->end);
	if (*sc->p == '-' && at == sc->p)
		return fail(sc, err, TLC_EPOLICY,
			    "trailing '-' (an implicit post release needs a "
			    "number: '1.0-1')");
	return fail_at(sc, err, TLC_EPOLICY, "unexpected", at, sc->end);
}

int tlc_pep440_parse(struct tlc_pep440 *out, const char *s,
		     struct tlc_error *err)
{
	struct tlc_pep440 v;
	struct scan sc;
	const struct word *w;
	uint64_t n = 0;	/* for gcc -O3, which cannot tell that scan_number()
			 * sets it whenever it returns 0 */
	size_t len;
	int rc;

	assert(out && s);
	memset(&v, 0, sizeof(v));
	sc.in = s;
	len = strnlen(s, TLC_PEP440_MAX_INPUT + 1);
	if (len > TLC_PEP440_MAX_INPUT) {
		char q[QUOTE_PART_MAX * 4 + 8];

		quote(q, sizeof(q), s, s + len, QUOTE_PART_MAX);
		return tlc_error_set(err, TLC_ETOOBIG,
				     "version '%s' is over %d bytes", q,
				     TLC_PEP440_MAX_INPUT);
	}
	sc.p = s;
	sc.end = s + len;
	while (sc.p < sc.end && is_ws(*sc.p))
		sc.p++;
	while (sc.end > sc.p && is_ws(sc.end[-1]))
		sc.end--;
	if (sc.p == sc.end)
		return fail(&sc, err, TLC_EPOLICY, "empty");

	/* PEP 440 "Preceding v character" */
	if (*sc.p == 'v' || *sc.p == 'V')
		sc.p++;
	if (sc.p == sc.end)
		return fail(&sc, err, TLC_EPOLICY, "no release number");
	if (!is_digit(*sc.p))
		return fail_at(&sc, err, TLC_EPOLICY,
			       "expected a release number at", sc.p, sc.end);
	if ((rc = scan_number(&sc, &n, err)) < 0)
		return rc;
	if (sc.p < sc.end && *sc.p == '!') {
		v.epoch = n;
		sc.p++;
		if (sc.p == sc.end)
			return fail(&sc, err, TLC_EPOLICY,
				    "no release number after the epoch");
		if (!is_digit(*sc.p))
			return fail_at(&sc, err, TLC_EPOLICY,
				       "expected a release number after the "
				       "epoch at", sc.p, sc.end);
		if ((rc = scan_number(&sc, &n, err)) < 0)
			return rc;
	}
	v.release[v.nrelease++] = n;
	while (sc.end - sc.p >= 2 && sc.p[0] == '.' && is_digit(sc.p[1])) {
		sc.p++;
		if (v.nrelease == TLC_PEP440_MAX_RELEASE)
			return fail(&sc, err, TLC_ETOOBIG,
				    "more than 16 release components");
		if ((rc = scan_number(&sc, &n, err)) < 0)
			return rc;
		v.release[v.nrelease++] = n;
	}

	w = scan_word(&sc, pre_words, sizeof(pre_words) / sizeof(pre_words[0]));
	if (w) {
		v.pre = (enum tlc_pep440_pre)w->kind;
		if ((rc = scan_opt_number(&sc, &v.pre_n, err)) < 0)
			return rc;
	}

	/* PEP 440 "Implicit post releases": only '-' and a number */
	if (sc.end - sc.p >= 2 && sc.p[0] == '-' && is_digit(sc.p[1])) {
		sc.p++;
		v.has_post = true;
		if ((rc = scan_number(&sc, &v.post, err)) < 0)
			return rc;
	} else if (scan_word(&sc, post_words,
			     sizeof(post_words) / sizeof(post_words[0]))) {
		v.has_post = true;
		if ((rc = scan_opt_number(&sc, &v.post, err)) < 0)
			return rc;
	}

	if (scan_word(&sc, dev_words, 1)) {
		v.has_dev = true;
		if ((rc = scan_opt_number(&sc, &v.dev, err)) < 0)
			return rc;
	}

	if (sc.p < sc.end && *sc.p == '+') {
		sc.p++;
		if ((rc = scan_local(&sc, &v, err)) < 0)
			return rc;
	}
	if (sc.p != sc.end)
		return fail_trailing(&sc, &v, err);
	*out = v;
	return 0;
}

int tlc_pep440_format(struct tlc_buf *out, const struct tlc_pep440 *v)
{
	static const char *const pre[] = { "", "a", "b", "rc" };
	size_t start = out->len;
	int rc = 0;

	assert(v->nrelease >= 1 && v->nrelease <= TLC_PEP440_MAX_RELEASE);
	assert((unsigned)v->pre <= TLC_PEP440_RC);
	if (v->epoch)
		rc = tlc_buf_printf(out, "%" PRIu64 "!", v->epoch);
	for (unsigned i = 0; rc == 0 && i < v->nrelease; i++)
		rc = tlc_buf_printf(out, i ? ".%" PRIu64 : "%" PRIu64,
				    v->release[i]);
	if (rc == 0 && v->pre != TLC_PEP440_PRE_NONE)
		rc = tlc_buf_printf(out, "%s%" PRIu64, pre[v->pre], v->pre_n);
	if (rc == 0 && v->has_post)
		rc = tlc_buf_printf(out, ".post%" PRIu64, v->post);
	if (rc == 0 && v->has_dev)
		rc = tlc_buf_printf(out, ".dev%" PRIu64, v->dev);
	if (rc == 0 && v->local[0])
		rc = tlc_buf_printf(out, "+%s", v->local);
	if (rc < 0)
		tlc_buf_truncate(out, start);
	return rc;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/*
 * Where the pre-release part sorts (packaging's _cmpkey): a dev release
 * of a final release before every pre-release, then a, b, rc, then no
 * pre-release at all.
 */
static int pre_rank(const struct tlc_pep440 *v)
{
	if (v->pre == TLC_PEP440_PRE_NONE && !v->has_post && v->has_dev)
		return 0;
	if (v->pre == TLC_PEP440_PRE_NONE)
		return 4;
	return (int)v->pre;
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return false;
	return true;
}

/* Two local label segments, PEP 440 "Local version identifiers". */
static int cmp_local_seg(const char *a, size_t na, const char *b, size_t nb)
{
	bool da = all_digits(a, na), db = all_digits(b, nb);
	int c;

	if (da != db)
		return da ? 1 : -1;	/* numeric sorts after alpha */
	if (da) {
		while (na > 1 && *a == '0') {
			a++;
			na--;
		}
		while (nb > 1 && *b == '0') {
			b++;
			nb--;
		}
		if (na != nb)
			return na < nb ? -1 : 1;
		c = memcmp(a, b, na);
		return (c > 0) - (c < 0);
	}
	c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return (c > 0) - (c < 0);
	return (na > nb) - (na < nb);
}

static int cmp_local(const char *a, const char *b)
{
	/* no label sorts before any label */
	if (!*a || !*b)
		return (*a != '\0') - (*b != '\0');
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int c = cmp_local_seg(a, na, b, nb);

		if (c)
			return c;
		a += na;
		b += nb;
		if (!*a || !*b)
			return (*a != '\0') - (*b != '\0');
		a++;
		b++;
	}
}

int tlc_pep440_cmp(const struct tlc_pep440 *a, const struct tlc_pep440 *b)
{
	unsigned n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease;
	int c;

	if ((c = cmp_u64(a->epoch, b->epoch)))
		return c;
	/* the shorter release is padded with zeros */
	for (unsigned i = 0; i < n; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;

		if ((c = cmp_u64(x, y)))
			return c;
	}
	if ((c = pre_rank(a) - pre_rank(b)))
		return c > 0 ? 1 : -1;
	if (a->pre != TLC_PEP440_PRE_NONE && (c = cmp_u64(a->pre_n, b->pre_n)))
		return c;
	/* no post release sorts before any post release */
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (c = cmp_u64(a->post, b->post)))
		return c;
	/* no dev release sorts after any dev release */
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (c = cmp_u64(a->dev, b->dev)))
		return c;
	return cmp_local(a->local, b->local);
}

int tlc_pep440_normalize(struct tlc_buf *out, const char *s,
			 struct tlc_error *err)
{
	struct tlc_pep440 v;
	int rc;

	if ((rc = tlc_pep440_parse(&v, s, err)) < 0)
		return rc;
	if ((rc = tlc_pep440_format(out, &v)) < 0)
		return tlc_error_set(err, rc, "cannot format version: %s",
				     tlc_error_name(rc));
	return 0;
}

/* n + 1, refusing to wrap. */
static int bump(uint64_t *n, const char *tag, struct tlc_error *err)
{
	if (*n == UINT64_MAX)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "cannot derive a dev version from tag "
				     "'%s': its last number is 2^64-1", tag);
	(*n)++;
	return 0;
}

/* The commit id for "+g<hash>": letters and digits that fit the label. */
static int check_hash(const char *hash, size_t *len, struct tlc_error *err)
{
	char q[QUOTE_MAX * 4 + 8];
	size_t n;

	if (!hash || !*hash)
		return tlc_error_set(err, TLC_EPOLICY,
				     "missing commit hash for the local "
				     "version label");
	n = strlen(hash);
	for (size_t i = 0; i < n; i++) {
		if (is_digit(hash[i]) || is_alpha(hash[i]))
			continue;
		quote(q, sizeof(q), hash, hash + n, QUOTE_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "invalid commit hash '%s': letters and "
				     "digits only", q);
	}
	/* "g", the hash and the NUL */
	if (n + 2 > TLC_PEP440_MAX_LOCAL)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "commit hash is over %d bytes",
				     TLC_PEP440_MAX_LOCAL - 2);
	*len = n;
	return 0;
}

int tlc_pep440_dev_version(struct tlc_buf *out, const char *tag_version,
			   unsigned long ncommits, const char *hash,
			   bool local, struct tlc_error *err)
{
	struct tlc_pep440 v;
	size_t hlen = 0;
	char q[QUOTE_MAX * 4 + 8];
	int rc;

	if ((rc = tlc_pep440_parse(&v, tag_version, err)) < 0)
		return rc;
	quote(q, sizeof(q), tag_version, tag_version + strlen(tag_version),
	      QUOTE_MAX);
	if (ncommits == 0)
		goto format;
	if (v.local[0])
		return tlc_error_set(err, TLC_EPOLICY,
				     "cannot derive a dev version from tag "
				     "'%s': it has a local version label", q);
	if (local && (rc = check_hash(hash, &hlen, err)) < 0)
		return rc;

	if (v.has_dev) {
		if (v.dev != 0)
			return tlc_error_set(err, TLC_EPOLICY,
					     "cannot derive a dev version from "
					     "tag '%s': a dev tag must end in "
					     "'.dev0'", q);
	} else if (v.has_post) {
		rc = bump(&v.post, q, err);
	} else if (v.pre != TLC_PEP440_PRE_NONE) {
		rc = bump(&v.pre_n, q, err);
	} else {
		rc = bump(&v.release[v.nrelease - 1], q, err);
	}
	if (rc < 0)
		return rc;
	v.has_dev = true;
	v.dev = ncommits;
	if (local) {
		v.local[0] = 'g';
		for (size_t i = 0; i < hlen; i++)
			v.local[1 + i] = to_lower(hash[i]);
		v.local[1 + hlen] = '\0';
	}
format:
	/* tlc_pep440_format() leaves @out as it was on failure */
	if ((rc = tlc_pep440_format(out, &v)) < 0)
		return tlc_error_set(err, rc, "cannot format version: %s",
				     tlc_error_name(rc));
	return 0;
}

/* "invalid version specifier '<s>': <why>" */
static int spec_fail(struct tlc_error *err, const char *s, const char *end,
		     const char *fmt, ...) TLC_PRINTF(4, 5);

static int spec_fail(struct tlc_error *err, const char *s, const char *end,
		     const char *fmt, ...)
{
	char q[QUOTE_MAX * 4 + 8], why[TLC_ERROR_MSG_SIZE];
	va_list ap;

	quote(q, sizeof(q), s, end, QUOTE_MAX);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return tlc_error_set(err, TLC_EPOLICY,
			     "invalid version specifier '%s': %s", q, why);
}

/* The operators, "===" before "==" so that the longest wins. */
static const char *const spec_ops[] = {
	"===", "~=", "==", "!=", "<=", ">=", "<", ">",
};

/*
 * One clause [p, end), whitespace trimmed and not empty; @s and @send are
 * the whole set, for messages.
 */
static int spec_clause(const char *s, const char *send, const char *p,
		       const char *end, struct tlc_error *err)
{
	char c[QUOTE_PART_MAX * 4 + 8], ver[TLC_PEP440_MAX_INPUT + 1];
	struct tlc_error perr = TLC_ERROR_INIT;
	const char *op = NULL, *v;
	struct tlc_pep440 pv;
	bool eq, wild = false;
	size_t vlen;

	quote(c, sizeof(c), p, end, QUOTE_PART_MAX);
	for (size_t i = 0; i < sizeof(spec_ops) / sizeof(spec_ops[0]); i++) {
		size_t n = strlen(spec_ops[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, spec_ops[i], n)) {
			op = spec_ops[i];
			break;
		}
	}
	if (!op)
		return spec_fail(err, s, send, "'%s' has no operator (one of "
				 "~= == != <= >= < > ===)", c);
	v = p + strlen(op);
	while (v < end && is_ws(*v))
		v++;
	if (v == end)
		return spec_fail(err, s, send, "'%s' has no version", c);
	for (const char *q = v; q < end; q++)
		if (is_ws(*q))
			return spec_fail(err, s, send, "'%s' has whitespace "
					 "inside the version", c);
	vlen = (size_t)(end - v);
	if (!strcmp(op, "===")) {
		/* PEP 440 "Arbitrary equality"; packaging stops at these */
		if (memchr(v, ';', vlen) || memchr(v, ')', vlen))
			return spec_fail(err, s, send, "'%s': '===' takes a "
					 "string without ';' or ')'", c);
		return 0;
	}
	eq = !strcmp(op, "==") || !strcmp(op, "!=");
	if (vlen >= 2 && v[vlen - 2] == '.' && v[vlen - 1] == '*') {
		/* PEP 440 "Version matching", prefix matching */
		if (!eq)
			return spec_fail(err, s, send, "'%s': '.*' is only "
					 "allowed with '==' and '!='", c);
		wild = true;
		vlen -= 2;
	}
	if (vlen > TLC_PEP440_MAX_INPUT)
		return spec_fail(err, s, send, "'%s': version over %d bytes",
				 c, TLC_PEP440_MAX_INPUT);
	memcpy(ver, v, vlen);
	ver[vlen] = '\0';
	if (tlc_pep440_parse(&pv, ver, &perr) < 0)
		return spec_fail(err, s, send, "%s", perr.msg);
	if (wild && (pv.pre != TLC_PEP440_PRE_NONE || pv.has_post ||
		     pv.has_dev || pv.local[0]))
		return spec_fail(err, s, send, "'%s': '.*' may only follow a "
				 "release number, without pre, post, dev or "
				 "local parts", c);
	if (pv.local[0] && !eq)
		return spec_fail(err, s, send, "'%s': a local version label "
				 "is only allowed with '==' and '!='", c);
	/* PEP 440 "Compatible release" */
	if (!strcmp(op, "~=") && pv.nrelease < 2)
		return spec_fail(err, s, send, "'%s': '~=' needs at least two "
				 "release numbers", c);
	return 0;
}

int tlc_pep440_specifiers_check(const char *s, size_t len,
				struct tlc_error *err)
{
	const char *p, *end;

	assert(s || !len);
	if (!len)	/* s may be NULL: no arithmetic on it */
		return spec_fail(err, "", "", "empty");
	p = s;
	end = s + len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_ws((char)c) && (c < 0x21 || c > 0x7e))
			return spec_fail(err, s, end, "byte 0x%02x at offset "
					 "%zu is not printable ASCII", c, i);
	}
	/* PEP 508 grammar: version_many = version_one (',' version_one)* */
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *ce = comma ? comma : end, *cs = p;
		int rc;

		while (cs < ce && is_ws(*cs))
			cs++;
		while (ce > cs && is_ws(ce[-1]))
			ce--;
		if (cs == ce) {
			if (!comma && p == s)
				return spec_fail(err, s, end, "empty");
			return spec_fail(err, s, end, "empty clause %s ','",
					 comma ? "before" : "after");
		}
		if ((rc = spec_clause(s, end, cs, ce, err)) < 0)
			return rc;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}
