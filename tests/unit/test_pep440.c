/*
 * PEP 440 versions: the spec's normalization rules and ordering list,
 * hostile input, limits and the nightly dev-version rule.
 * https://peps.python.org/pep-0440/
 *
 * The expected canonical forms were checked against Python's
 * packaging.version.Version (python3-packaging 23.0) when this table was
 * written; the test itself needs nothing but the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>

#include "tlcpack/pep440.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct norm_case {
	const char *in;
	const char *out;
};

static const struct norm_case norm_cases[] = {
	/* PEP 440 "Case sensitivity" */
	{ "1.1RC1", "1.1rc1" },
	/* "Integer Normalization" */
	{ "00", "0" },
	{ "09000", "9000" },
	/* ... but not inside an alphanumeric local segment */
	{ "1.0+foo0100", "1.0+foo0100" },
	/* "Pre-release separators" */
	{ "1.1.a1", "1.1a1" },
	{ "1.1-a1", "1.1a1" },
	{ "1.1_a1", "1.1a1" },
	{ "1.0a.1", "1.0a1" },
	/* "Pre-release spelling" */
	{ "1.1alpha1", "1.1a1" },
	{ "1.1beta2", "1.1b2" },
	{ "1.1c3", "1.1rc3" },
	{ "1.0pre4", "1.0rc4" },
	{ "1.0preview5", "1.0rc5" },
	{ "1.0-preview.3", "1.0rc3" },
	/* "Implicit pre-release number" */
	{ "1.2a", "1.2a0" },
	/* "Post release separators" */
	{ "1.2-post2", "1.2.post2" },
	{ "1.2post2", "1.2.post2" },
	{ "1.2_post2", "1.2.post2" },
	{ "1.2.post-2", "1.2.post2" },
	/* "Post release spelling" */
	{ "1.0-r4", "1.0.post4" },
	{ "1.0rev4", "1.0.post4" },
	{ "1.0.REV", "1.0.post0" },
	/* "Implicit post release number" */
	{ "1.2.post", "1.2.post0" },
	/* "Implicit post releases" */
	{ "1.0-1", "1.0.post1" },
	/* "Development release separators" */
	{ "1.2-dev2", "1.2.dev2" },
	{ "1.2dev2", "1.2.dev2" },
	{ "1.2_dev_2", "1.2.dev2" },
	/* "Implicit development release number" */
	{ "1.2.dev", "1.2.dev0" },
	/* "Local version segments" */
	{ "1.0+ubuntu-1", "1.0+ubuntu.1" },
	{ "1.0+Ubuntu_1.A", "1.0+ubuntu.1.a" },
	/* "Preceding v character" */
	{ "v1.0", "1.0" },
	{ "V1.0", "1.0" },
	/* "Leading and Trailing Whitespace" */
	{ "1.0\n", "1.0" },
	{ " \t\r\f\v1.0 \n", "1.0" },
	/* canonical forms stay as they are */
	{ "1!2.0rc1.post2.dev3+ubuntu.1", "1!2.0rc1.post2.dev3+ubuntu.1" },
	{ "0.9.dev0", "0.9.dev0" },
	{ "2012.10", "2012.10" },
	{ "1.0.15", "1.0.15" },
	{ "1.0.0", "1.0.0" },
	/* docs/recipe.md */
	{ "v1.0-RC1", "1.0rc1" },
	/* epochs: 0 is dropped, numbers normalized */
	{ "0!1.0", "1.0" },
	{ "01!02.003", "1!2.3" },
	/* a separator before the pre word, after the release */
	{ "1.a1", "1a1" },
	{ "1.0.rc1", "1.0rc1" },
	{ "1.0.c1", "1.0rc1" },
	/* a separator after a word may dangle, as in packaging */
	{ "1.0a.dev1", "1.0a0.dev1" },
	{ "1.0a.", "1.0a0" },
	{ "1.0.post.", "1.0.post0" },
	{ "1.0.dev.+x", "1.0.dev0+x" },
	{ "1.0a_-1", "1.0a0.post1" },
	/* a pre number, then an implicit post release */
	{ "1.0a-1-2", "1.0a1.post2" },
	{ "1.0a1-1", "1.0a1.post1" },
	{ "1.0-1-dev", "1.0.post1.dev0" },
	{ "1.0rdev", "1.0.post0.dev0" },
	{ "1.0post-1dev-2", "1.0.post1.dev2" },
	{ "1.0a01", "1.0a1" },
	{ "1.0.dev-1", "1.0.dev1" },
	/* semver-looking input that PEP 440 happens to accept */
	{ "1.0.0-rc.1", "1.0.0rc1" },
	{ "1.0.0-beta+exp.sha.5114f85", "1.0.0b0+exp.sha.5114f85" },
	/* numeric local segments are read as integers (packaging) */
	{ "1.0+01.ABC-x_y", "1.0+1.abc.x.y" },
	{ "1.0+00", "1.0+0" },
	{ "1.0+1.0", "1.0+1.0" },
	{ "1.0+0a.00", "1.0+0a.0" },
	/* limits: 16 release components, UINT64_MAX everywhere */
	{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.16",
	  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.16" },
	{ "18446744073709551615", "18446744073709551615" },
	{ "18446744073709551615!18446744073709551615a18446744073709551615"
	  ".post18446744073709551615.dev18446744073709551615",
	  "18446744073709551615!18446744073709551615a18446744073709551615"
	  ".post18446744073709551615.dev18446744073709551615" },
	{ "000000000000000000000000000001", "1" },
	{ "1.0+99999999999999999999999999", "1.0+99999999999999999999999999" },
};

static void test_pep440__normalizes_like_packaging(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(norm_cases); i++) {
		struct tlc_buf b = TLC_BUF_INIT, again = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_pep440 v, w;

		if (tlc_pep440_normalize(&b, norm_cases[i].in, &err) != 0)
			fail_msg("'%s': %s", norm_cases[i].in, err.msg);
		if (strcmp(b.ptr, norm_cases[i].out) != 0)
			fail_msg("'%s' gave '%s', want '%s'", norm_cases[i].in,
				 b.ptr, norm_cases[i].out);
		/* err untouched on success */
		assert_int_equal(err.code, 0);
		assert_string_equal(err.msg, "");

		/* the canonical form is a fixed point and the same version */
		assert_int_equal(tlc_pep440_parse(&v, norm_cases[i].in, &err),
				 0);
		assert_int_equal(tlc_pep440_parse(&w, b.ptr, &err), 0);
		assert_int_equal(tlc_pep440_cmp(&v, &w), 0);
		assert_int_equal(tlc_pep440_format(&again, &w), 0);
		assert_string_equal(again.ptr, b.ptr);
		tlc_buf_release(&b);
		tlc_buf_release(&again);
	}
}

static void test_pep440__parses_fields(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v;

	(void)state;
	assert_int_equal(tlc_pep440_parse(&v, " V2!1.02.3-Preview_4.rev-5"
					  "DEV6+Ab-01 ", &err), 0);
	assert_true(v.epoch == 2);
	assert_int_equal(v.nrelease, 3);
	assert_true(v.release[0] == 1 && v.release[1] == 2 &&
		    v.release[2] == 3);
	assert_int_equal(v.pre, TLC_PEP440_RC);
	assert_true(v.pre_n == 4);
	assert_true(v.has_post && v.post == 5);
	assert_true(v.has_dev && v.dev == 6);
	assert_string_equal(v.local, "ab.1");

	assert_int_equal(tlc_pep440_parse(&v, "1", &err), 0);
	assert_int_equal(v.nrelease, 1);
	assert_int_equal(v.pre, TLC_PEP440_PRE_NONE);
	assert_false(v.has_post);
	assert_false(v.has_dev);
	assert_string_equal(v.local, "");
}

struct bad_case {
	const char *in;
	int code;
	const char *msg;	/* a part of the message */
};

static const struct bad_case bad_cases[] = {
	{ "", TLC_EPOLICY, "invalid version '': empty" },
	{ " \t\n", TLC_EPOLICY, "empty" },
	{ "foo", TLC_EPOLICY, "expected a release number at 'foo'" },
	{ "v", TLC_EPOLICY, "no release number" },
	{ "vv1", TLC_EPOLICY, "expected a release number at 'v1'" },
	{ "dev", TLC_EPOLICY, "expected a release number" },
	{ "post1", TLC_EPOLICY, "expected a release number" },
	{ "+1", TLC_EPOLICY, "expected a release number" },
	{ ".1", TLC_EPOLICY, "expected a release number" },
	{ "==1.0", TLC_EPOLICY, "expected a release number" },
	{ "\xef\xbc\x91.0", TLC_EPOLICY, "'\\xef\\xbc\\x91.0'" },
	{ "1.0.0-foo", TLC_EPOLICY,
	  "invalid version '1.0.0-foo': unexpected 'foo'" },
	{ "1.0-", TLC_EPOLICY, "trailing '-'" },
	{ "1.0-a1-", TLC_EPOLICY, "trailing '-'" },
	{ "1.0_1", TLC_EPOLICY, "unexpected '1'" },
	{ "1.0--1", TLC_EPOLICY, "unexpected" },
	{ "1..0", TLC_EPOLICY, "unexpected '.0'" },
	{ "1.0.", TLC_EPOLICY, "unexpected '.'" },
	{ "1.0.x", TLC_EPOLICY, "unexpected 'x'" },
	{ "1.0.*", TLC_EPOLICY, "unexpected '*'" },
	{ "1.0 1.1", TLC_EPOLICY, "unexpected ' 1.1'" },
	{ "1.0\n1.1", TLC_EPOLICY, "'1.0\\x0a1.1'" },
	{ "1.0\x01", TLC_EPOLICY, "unexpected '\\x01'" },
	/* Python's \s would take these; PEP 440 lists six characters */
	{ "1.0\x1c", TLC_EPOLICY, "unexpected '\\x1c'" },
	{ "1!", TLC_EPOLICY, "no release number after the epoch" },
	{ "1!a", TLC_EPOLICY, "expected a release number after the epoch" },
	{ "1!1!1", TLC_EPOLICY, "unexpected '!1'" },
	{ "1.0a1b2", TLC_EPOLICY, "second pre-release segment 'b2'" },
	{ "1.0.0-alpha.beta", TLC_EPOLICY, "second pre-release segment" },
	{ "1.0.post1.post2", TLC_EPOLICY, "second post-release segment" },
	{ "1.0.post1-1", TLC_EPOLICY, "second post-release segment '1'" },
	{ "1.0.dev1.dev2", TLC_EPOLICY, "second dev segment 'dev2'" },
	{ "1.0.dev1.post1", TLC_EPOLICY,
	  "post-release segment must come before the dev segment" },
	{ "1.0a1.dev1.post1", TLC_EPOLICY,
	  "post-release segment must come before the dev segment" },
	{ "1.0.dev1a1", TLC_EPOLICY,
	  "pre-release segment must come before post and dev" },
	{ "1.0.post1rc1", TLC_EPOLICY,
	  "pre-release segment must come before post and dev" },
	{ "1.0+", TLC_EPOLICY, "empty local version label" },
	{ "1.0+a..b", TLC_EPOLICY, "two separators in a row" },
	{ "1.0+-a", TLC_EPOLICY, "must start with a letter or digit" },
	{ "1.0+a-", TLC_EPOLICY, "must end with a letter or digit" },
	{ "1.0+a/b", TLC_EPOLICY, "allows only letters, digits" },
	{ "1.0+a+b", TLC_EPOLICY, "allows only letters, digits" },
	{ "1.0+a b", TLC_EPOLICY, "allows only letters, digits" },
	{ "1.0+\xc3\xa9", TLC_EPOLICY, "not '\\xc3\\xa9'" },
	/* valid PEP 440, past what tlcpack holds */
	{ "18446744073709551616", TLC_ETOOBIG,
	  "number over 2^64-1: '18446744073709551616'" },
	{ "18446744073709551616!1", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1.99999999999999999999", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1a18446744073709551616", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1.post18446744073709551616", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1-18446744073709551616", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1.dev18446744073709551616", TLC_ETOOBIG, "number over 2^64-1" },
	{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.17", TLC_ETOOBIG,
	  "more than 16 release components" },
};

static void check_one_line(const char *msg)
{
	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

static void test_pep440__refuses_hostile_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad_cases); i++) {
		struct tlc_buf b = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_pep440 v;
		int rc;

		memset(&v, 0x5a, sizeof(v));
		rc = tlc_pep440_parse(&v, bad_cases[i].in, &err);
		if (rc != bad_cases[i].code)
			fail_msg("'%s': rc %d (%s), want %d", bad_cases[i].in,
				 rc, err.msg, bad_cases[i].code);
		assert_int_equal(err.code, rc);
		check_one_line(err.msg);
		if (!strstr(err.msg, bad_cases[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'",
				 bad_cases[i].in, err.msg, bad_cases[i].msg);
		/* @out is left alone on failure */
		assert_int_equal(v.nrelease, 0x5a5a5a5aU);

		/* normalize fails the same way, leaving the buffer alone */
		assert_int_equal(tlc_buf_puts(&b, "keep"), 0);
		assert_int_equal(tlc_pep440_normalize(&b, bad_cases[i].in,
						      &err), rc);
		assert_string_equal(b.ptr, "keep");
		tlc_buf_release(&b);
	}
}

static void test_pep440__limits(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v;
	char s[TLC_PEP440_MAX_INPUT + 8];
	size_t n;

	(void)state;
	/* exactly TLC_PEP440_MAX_INPUT bytes, trailing whitespace included */
	memset(s, ' ', sizeof(s));
	memcpy(s, "1.0", 3);
	s[TLC_PEP440_MAX_INPUT] = '\0';
	assert_int_equal(tlc_pep440_parse(&v, s, &err), 0);
	s[TLC_PEP440_MAX_INPUT] = ' ';
	s[TLC_PEP440_MAX_INPUT + 1] = '\0';
	assert_int_equal(tlc_pep440_parse(&v, s, &err), TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "is over 256 bytes"));
	check_one_line(err.msg);
	/* the message quotes only the start of a long input */
	assert_true(strlen(err.msg) < 100);

	/* a local label of 127 bytes fits, 128 does not */
	memcpy(s, "1+", 2);
	memset(s + 2, 'x', 127);
	s[2 + 127] = '\0';
	assert_int_equal(tlc_pep440_parse(&v, s, &err), 0);
	assert_int_equal(strlen(v.local), 127);
	s[2 + 127] = 'x';
	s[2 + 128] = '\0';
	assert_int_equal(tlc_pep440_parse(&v, s, &err), TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "local version label over 127"));

	/* the cap is on the normalized label: zeros that go away are fine */
	memcpy(s, "1+", 2);
	n = 2;
	for (int i = 0; i < 60; i++) {
		memcpy(s + n, "001.", 4);
		n += 4;
	}
	s[n - 1] = '\0';
	assert_true(strlen(s) > 200);
	assert_int_equal(tlc_pep440_parse(&v, s, &err), 0);
	assert_int_equal(strlen(v.local), 119);
}

/*
 * PEP 440 "Summary of permitted suffixes and relative ordering": the
 * spec's example list, in order.
 */
static const char *const spec_order[] = {
	"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456",
	"1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
	"1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5",
	"1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15",
	"1.1.dev1",
};

/* The spec's other lists ("Final releases", "Version epochs", ...). */
static const char *const more_order[] = {
	"0.9", "0.9.1", "0.9.2", "0.9.10", "0.9.11", "1.0.dev1", "1.0.dev2",
	"1.0a1", "1.0a2", "1.0b1", "1.0c1", "1.0rc2", "1.0", "1.0.post1",
	"1.0.1", "1.1.dev1", "1.1", "2.0", "2.0.1", "2012.4", "2012.10",
	"2013.1", "1!1.0", "1!1.1", "1!2.0",
};

/* Local labels: alphanumeric < numeric, numbers by value, longer wins. */
static const char *const local_order[] = {
	"1.0", "1.0+0", "1.0+0.a", "1.0+0.0", "1.0+0.1", "1.0+1",
	"1.0+1.0", "1.0+9", "1.0+10", "1.0+99999999999999999999999",
	"1.0+100000000000000000000000",
};

static const char *const local_order_alpha[] = {
	"1.0+a", "1.0+a.b", "1.0+a.1", "1.0+a1", "1.0+aa", "1.0+ab",
	"1.0+b", "1.0+z", "1.0+0",
};

/* dev < pre < final < post, and the dev of each. */
static const char *const suffix_order[] = {
	"1.0.dev0", "1.0.dev1", "1.0a0.dev0", "1.0a0", "1.0a0.post0.dev0",
	"1.0a0.post0", "1.0a1", "1.0b0.dev5", "1.0b0", "1.0rc0",
	"1.0rc0.post0", "1.0", "1.0+local", "1.0.post0.dev0",
	"1.0.post0.dev0+local", "1.0.post0", "1.0.post1.dev0", "1.0.post1",
	"1.0.0.1.dev0",
};

static void check_order(const char *const *list, size_t n)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 a, b;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c, want = (i > j) - (i < j);

			if (tlc_pep440_parse(&a, list[i], &err) ||
			    tlc_pep440_parse(&b, list[j], &err))
				fail_msg("%s", err.msg);
			c = tlc_pep440_cmp(&a, &b);
			if ((c > 0) - (c < 0) != want)
				fail_msg("cmp('%s', '%s') = %d, want %d",
					 list[i], list[j], c, want);
		}
	}
}

static void test_pep440__orders_as_the_spec_lists(void **state)
{
	(void)state;
	check_order(spec_order, N(spec_order));
	check_order(more_order, N(more_order));
	check_order(local_order, N(local_order));
	check_order(local_order_alpha, N(local_order_alpha));
	check_order(suffix_order, N(suffix_order));
}

/* Different spellings of one version compare equal. */
static const char *const equal_pairs[][2] = {
	{ "1.0", "1.0.0" },
	{ "1", "1.0.0.0.0" },
	{ "0!1.0", "1" },
	{ "v1.0", "1.0" },
	{ "1.0c1", "1.0rc1" },
	{ "1.0-1", "1.0.post1" },
	{ "1.0+01", "1.0+1" },
	{ "1.0+ABC", "1.0+abc" },
	{ "1.0+a-b_c", "1.0+a.b.c" },
	{ "1.0alpha", "1.0a0" },
	{ "1.0.0.dev1", "1.0.dev1" },
};

static void test_pep440__equal_spellings(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 a, b;

	(void)state;
	for (size_t i = 0; i < N(equal_pairs); i++) {
		assert_int_equal(tlc_pep440_parse(&a, equal_pairs[i][0], &err),
				 0);
		assert_int_equal(tlc_pep440_parse(&b, equal_pairs[i][1], &err),
				 0);
		if (tlc_pep440_cmp(&a, &b) != 0 || tlc_pep440_cmp(&b, &a) != 0)
			fail_msg("'%s' != '%s'", equal_pairs[i][0],
				 equal_pairs[i][1]);
	}
}

static void test_pep440__format_respects_buffer_cap(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(8);
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "x"), 0);
	assert_int_equal(tlc_pep440_parse(&v, "1.0.post12345", &err), 0);
	assert_int_equal(tlc_pep440_format(&b, &v), TLC_ETOOBIG);
	assert_string_equal(b.ptr, "x");
	assert_int_equal(tlc_pep440_normalize(&b, "1.0.post12345", &err),
			 TLC_ETOOBIG);
	check_one_line(err.msg);
	assert_string_equal(b.ptr, "x");
	assert_int_equal(tlc_pep440_normalize(&b, "1.0rc1", &err), 0);
	assert_string_equal(b.ptr, "x1.0rc1");
	tlc_buf_release(&b);
}

#define HASH42 "0123456789abcdef0123456789abcdef0123456789"
#define HASH126 HASH42 HASH42 HASH42

struct dev_case {
	const char *tag;
	unsigned long n;
	const char *hash;
	bool local;
	int code;
	const char *want;	/* the version, or a part of the message */
};

static const struct dev_case dev_cases[] = {
	/* docs/recipe.md, "Versions" */
	{ "0.9.dev0", 123, "1a2b3c4d", true, 0, "0.9.dev123+g1a2b3c4d" },
	{ "0.9.dev0", 123, "1a2b3c4d", false, 0, "0.9.dev123" },
	{ "0.9.dev0", 123, NULL, false, 0, "0.9.dev123" },
	{ "0.12.0", 123, "1a2b3c4d", true, 0, "0.12.1.dev123+g1a2b3c4d" },
	{ "0.12.0", 123, "1a2b3c4d", false, 0, "0.12.1.dev123" },
	{ "1.0rc1", 123, "1a2b3c4d", true, 0, "1.0rc2.dev123+g1a2b3c4d" },
	{ "1.0.post1", 123, "1a2b3c4d", false, 0, "1.0.post2.dev123" },
	{ "1.0.post1", 7, "abc", true, 0, "1.0.post2.dev7+gabc" },
	{ "1.0rc1.post1", 5, NULL, false, 0, "1.0rc1.post2.dev5" },
	{ "1.0rc1.dev0", 9, NULL, false, 0, "1.0rc1.dev9" },
	{ "1.0.post1.dev0", 9, NULL, false, 0, "1.0.post1.dev9" },
	{ "1", 1, NULL, false, 0, "2.dev1" },
	{ "1!2.0", 3, NULL, false, 0, "1!2.1.dev3" },
	{ "1.0a", 3, NULL, false, 0, "1.0a1.dev3" },
	/* the tag is normalized first */
	{ "1.0-RC1", 7, NULL, false, 0, "1.0rc2.dev7" },
	{ "v0.12", 2, "ABCDEF0", true, 0, "0.13.dev2+gabcdef0" },
	{ "0.12.0", ULONG_MAX, "1", true, 0,
	  "0.12.1.dev18446744073709551615+g1" },
	/* on the tag itself: the tag's own version, nothing added */
	{ "0.12.0", 0, "1a2b3c4d", true, 0, "0.12.0" },
	{ "0.9.dev0", 0, NULL, true, 0, "0.9.dev0" },
	{ "0.9.dev5", 0, NULL, false, 0, "0.9.dev5" },
	{ "v1.0-1", 0, NULL, false, 0, "1.0.post1" },
	{ "1.0+Local", 0, NULL, false, 0, "1.0+local" },
	/* refused */
	{ "0.9.dev5", 3, NULL, false, TLC_EPOLICY,
	  "a dev tag must end in '.dev0'" },
	{ "1.0+local", 1, NULL, false, TLC_EPOLICY,
	  "it has a local version label" },
	{ "release-1", 1, NULL, false, TLC_EPOLICY,
	  "invalid version 'release-1'" },
	{ "", 0, NULL, false, TLC_EPOLICY, "empty" },
	{ "1.0", 1, NULL, true, TLC_EPOLICY, "missing commit hash" },
	{ "1.0", 1, "", true, TLC_EPOLICY, "missing commit hash" },
	{ "1.0", 1, "12-34", true, TLC_EPOLICY,
	  "invalid commit hash '12-34': letters and digits only" },
	{ "1.0", 1, "ab\ncd", true, TLC_EPOLICY,
	  "invalid commit hash 'ab\\x0acd'" },
	{ "18446744073709551615", 1, NULL, false, TLC_ETOOBIG, "2^64-1" },
	{ "1.0rc18446744073709551615", 1, NULL, false, TLC_ETOOBIG,
	  "2^64-1" },
	{ "1.0.post18446744073709551615", 1, NULL, false, TLC_ETOOBIG,
	  "2^64-1" },
	/* "g" and 126 letters fill the 127 bytes of a local label */
	{ "1.0", 1, HASH126, true, 0, "1.1.dev1+g" HASH126 },
	{ "1.0", 1, HASH126 "f", true, TLC_ETOOBIG,
	  "commit hash is over 126 bytes" },
};

static void test_pep440__dev_version(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(dev_cases); i++) {
		const struct dev_case *c = &dev_cases[i];
		struct tlc_buf b = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_pep440 got, tag;
		int rc;

		assert_int_equal(tlc_buf_puts(&b, "<"), 0);
		rc = tlc_pep440_dev_version(&b, c->tag, c->n, c->hash,
					    c->local, &err);
		if (rc != c->code)
			fail_msg("'%s' %lu: rc %d (%s), want %d", c->tag, c->n,
				 rc, err.msg, c->code);
		if (rc < 0) {
			check_one_line(err.msg);
			if (!strstr(err.msg, c->want))
				fail_msg("'%s': message '%s' lacks '%s'",
					 c->tag, err.msg, c->want);
			assert_string_equal(b.ptr, "<");
			tlc_buf_release(&b);
			continue;
		}
		if (strcmp(b.ptr + 1, c->want) != 0)
			fail_msg("'%s' %lu gave '%s', want '%s'", c->tag, c->n,
				 b.ptr + 1, c->want);
		/* a valid version, and a nightly sorts after its tag */
		assert_int_equal(tlc_pep440_parse(&got, b.ptr + 1, &err), 0);
		assert_int_equal(tlc_pep440_parse(&tag, c->tag, &err), 0);
		if (c->n)
			assert_true(tlc_pep440_cmp(&got, &tag) > 0);
		else
			assert_int_equal(tlc_pep440_cmp(&got, &tag), 0);
		tlc_buf_release(&b);
	}
}

/*
 * PEP 440 "Version specifiers" sets, as Requires-Python holds them.
 *
 * The verdicts were obtained by running, for each input, python3's
 * packaging (pip's vendored copy, pip._vendor.packaging 21.3, the one on
 * this system) as Specifier(clause) on every ','-separated clause, an
 * empty clause counting as invalid (PEP 508: version_many = version_one
 * (',' version_one)*; SpecifierSet alone would skip it), and were
 * hard-coded here; the test needs nothing but the table.  Where tlcpack
 * differs on purpose, the row says so ("packaging: valid").
 */
struct spec_case {
	const char *in;
	const char *msg;	/* NULL: valid; else a part of the message */
};

static const struct spec_case spec_cases[] = {
	/* valid */
	{ ">=3.8", NULL },
	{ ">=3.8, <4", NULL },
	{ "~=3.8", NULL },
	{ "==3.*", NULL },
	{ "!=3.9.*", NULL },
	{ "==1.0+local", NULL },
	{ "!=1.0+abc.1", NULL },
	{ "==1.0+foo_bar-1", NULL },
	{ "===foo", NULL },
	{ "=== foo", NULL },
	{ " >= 3.8 ", NULL },
	{ ">=3.8,!=3.9.1", NULL },
	{ ">=3.8\t,\t<4", NULL },
	{ "\n>=3.8\n", NULL },
	{ "== 3.8", NULL },
	{ "==1.0.*", NULL },
	{ "==1!3.*", NULL },
	{ "~=1!2.0", NULL },
	{ "==v3.8", NULL },
	{ ">=3.8rc1", NULL },
	{ "<4.0.dev0", NULL },
	{ ">3.8.post1", NULL },
	{ "<=3.8-1", NULL },
	{ ">=18446744073709551615", NULL },
	{ ">=3.6, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, <4", NULL },
	/* an empty set, an empty clause (packaging's SpecifierSet("") is
	 * valid: any version; Requires-Python with nothing is refused) */
	{ "", "invalid version specifier '': empty" },
	{ " \t", "empty" },
	{ ",>=3.8", "empty clause before ','" },
	{ ">=3.8,", "empty clause after ','" },
	{ ">=3.8,,<4", "empty clause before ','" },
	{ ">=3.8, ,<4", "empty clause before ','" },
	/* wildcards: '==' and '!=' only, after a plain release */
	{ ">=3.*", "'>=3.*': '.*' is only allowed with '==' and '!='" },
	{ "<3.*", "'.*' is only allowed with '==' and '!='" },
	{ "~=3.8.*", "'.*' is only allowed with '==' and '!='" },
	/* packaging 21.3: valid (its wildcard branch still took pre and
	 * post parts); PEP 440 "Version matching" prefixes a release */
	{ "==1.0a1.*", "'==1.0a1.*': '.*' may only follow a release number" },
	{ "==1.0.post1.*", "'.*' may only follow a release number" },
	/* packaging 21.3: invalid, as here */
	{ "==1.0.dev1.*", "'.*' may only follow a release number" },
	{ "==1.0+local.*", "'.*' may only follow a release number" },
	{ "!=1.*.0", "invalid version '1.*.0'" },
	{ "==*", "invalid version '*'" },
	{ "==.*", "invalid version '': empty" },
	/* compatible release: two release numbers (PEP 440) */
	{ "~=3", "'~=3': '~=' needs at least two release numbers" },
	{ "~=1!3", "'~=' needs at least two release numbers" },
	/* local labels: '==' and '!=' only */
	{ ">=1.0+local", "'>=1.0+local': a local version label is only "
	  "allowed with '==' and '!='" },
	{ "~=3.8+l", "a local version label is only allowed" },
	/* operators */
	{ "3.8", "'3.8' has no operator (one of ~= == != <= >= < > ===)" },
	{ "=>3.8", "'=>3.8' has no operator" },
	{ "=3.8", "'=3.8' has no operator" },
	{ "<>3", "invalid version '>3'" },
	{ ">=", "'>=' has no version" },
	{ "==", "'==' has no version" },
	{ ">=3.8, <", "'<' has no version" },
	/* packaging 21.3: valid ('===' matches [^\s;)]*, the empty string
	 * too), but PEP 508 "version" is one or more characters */
	{ "===", "'===' has no version" },
	/* the version */
	{ ">= 3 .8", "'>= 3 .8' has whitespace inside the version" },
	{ "===1.0 2", "has whitespace inside the version" },
	{ ">=1.0.", "invalid version '1.0.': unexpected '.'" },
	{ ">=3.8;", "invalid version '3.8;'" },
	/* packaging: valid ('===' takes [^\s;)]*); a requirement ends its
	 * specifier at these, so Requires-Python must not hold them */
	{ "===a;b", "'===' takes a string without ';' or ')'" },
	{ "===a)b", "'===' takes a string without ';' or ')'" },
	/* packaging: valid; tlcpack holds numbers up to 2^64-1 */
	{ ">=18446744073709551616", "number over 2^64-1" },
	{ "==1.0.*, >=99999999999999999999", "number over 2^64-1" },
	/* only ASCII, and PEP 440's six whitespace characters */
	{ ">=3.8\xc3\xa9", "byte 0xc3 at offset 5 is not printable ASCII" },
	/* packaging: valid for these two (Python's \s takes U+00A0 and
	 * U+001C); PEP 508 "wsp" is only ' ' and '\t' */
	{ "\xc2\xa0>=3.8", "byte 0xc2 at offset 0 is not printable ASCII" },
	{ ">=3.8\x1c", "byte 0x1c at offset 5 is not printable ASCII" },
	{ ">=3.8\x7f", "byte 0x7f at offset 5 is not printable ASCII" },
	/* a long set is quoted cut, the clause too */
	{ ">=1.0, <2.0, !=1.5.*, !=1.6.*, !=1.7.*, !=1.8.*, !=1.9.*, "
	  "!=1.10.*, >=x", "'>=1.0, <2.0, !=1.5.*, !=1.6.*, !=1.7.*, "
	  "!=1.8.*, !=1.9.*, !=1.10...': invalid version 'x'" },
	{ ">=1, abcdefghijklmnopqrstuvwxyz",
	  "'>=1, abcdefghijklmnopqrstuvwxyz': 'abcdefghijklmnopqrstuvwx...' "
	  "has no operator" },
	/* packaging: valid; past what tlcpack holds, like 2^64 */
	{ "~=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
	  "more than 16 release components" },
};

static void test_pep440__specifiers_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(spec_cases); i++) {
		const struct spec_case *c = &spec_cases[i];
		struct tlc_error err = TLC_ERROR_INIT;
		int rc = tlc_pep440_specifiers_check(c->in, strlen(c->in),
						     &err);

		if (!c->msg) {
			if (rc != 0)
				fail_msg("'%s': %s", c->in, err.msg);
			/* err untouched on success */
			assert_int_equal(err.code, 0);
			assert_string_equal(err.msg, "");
			continue;
		}
		if (rc != TLC_EPOLICY)
			fail_msg("'%s': rc %d, want TLC_EPOLICY", c->in, rc);
		assert_int_equal(err.code, rc);
		check_one_line(err.msg);
		assert_true(strncmp(err.msg, "invalid version specifier '",
				    27) == 0);
		if (!strstr(err.msg, c->msg))
			fail_msg("'%s': message '%s' lacks '%s'", c->in,
				 err.msg, c->msg);
	}
}

/* Only @len bytes are read: the set need not be NUL-terminated, and a NUL
 * inside is a byte like any other. */
static void test_pep440__specifiers_check_length(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	static const char nul[] = ">=3.8\0,<4";

	(void)state;
	assert_int_equal(tlc_pep440_specifiers_check(">=3.8,<4", 5, &err), 0);
	assert_int_equal(tlc_pep440_specifiers_check(">=3.8,<4", 6, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "empty clause after ','"));
	assert_int_equal(tlc_pep440_specifiers_check("", 0, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_pep440_specifiers_check(NULL, 0, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_pep440_specifiers_check(nul, sizeof(nul) - 1,
						     &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "byte 0x00 at offset 5"));
	check_one_line(err.msg);
}

/* A version as long as tlc_pep440_parse takes fits; a longer one is
 * refused as a rule broken, not as a size cap, as documented. */
static void test_pep440__specifiers_check_limits(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char s[2 + TLC_PEP440_MAX_INPUT + 3];

	(void)state;
	memcpy(s, "==", 2);
	memset(s + 2, '0', TLC_PEP440_MAX_INPUT);
	assert_int_equal(tlc_pep440_specifiers_check(s, 2 +
			 TLC_PEP440_MAX_INPUT, &err), 0);
	/* ".*" does not count */
	memcpy(s + 2 + TLC_PEP440_MAX_INPUT, ".*", 2);
	assert_int_equal(tlc_pep440_specifiers_check(s, 2 +
			 TLC_PEP440_MAX_INPUT + 2, &err), 0);
	s[2 + TLC_PEP440_MAX_INPUT] = '0';
	assert_int_equal(tlc_pep440_specifiers_check(s, 2 +
			 TLC_PEP440_MAX_INPUT + 1, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "version over 256 bytes"));
	check_one_line(err.msg);
	assert_true(strlen(err.msg) < 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pep440__normalizes_like_packaging),
		cmocka_unit_test(test_pep440__parses_fields),
		cmocka_unit_test(test_pep440__refuses_hostile_input),
		cmocka_unit_test(test_pep440__limits),
		cmocka_unit_test(test_pep440__orders_as_the_spec_lists),
		cmocka_unit_test(test_pep440__equal_spellings),
		cmocka_unit_test(test_pep440__format_respects_buffer_cap),
		cmocka_unit_test(test_pep440__dev_version),
		cmocka_unit_test(test_pep440__specifiers_check),
		cmocka_unit_test(test_pep440__specifiers_check_length),
		cmocka_unit_test(test_pep440__specifiers_check_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
