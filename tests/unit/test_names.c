/*
 * Project names (PEP 508, PEP 503) and wheel filenames (binary
 * distribution format spec): valid and hostile tables, round trips.
 * Expected normalizations were checked against Python's
 * packaging.utils.canonicalize_name when the tables were written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tlcpack/names.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void check_one_line(const char *msg)
{
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

static const char *const valid_names[] = {
	"A", "a", "9", "tlcpack", "tlcpack-cu121", "Foo.Bar_baz-9", "a-b",
	"a..b", "a-_.b", "TVM", "0x", "x0",
};

struct bad_name {
	const char *name;
	int code;
	const char *msg;
};

static const struct bad_name bad_names[] = {
	{ "", TLC_EPOLICY, "project name '' is empty" },
	{ "-a", TLC_EPOLICY, "project name '-a' must start with a letter" },
	{ ".a", TLC_EPOLICY, "must start with a letter or digit (PEP 508)" },
	{ "a-", TLC_EPOLICY, "project name 'a-' must end with a letter" },
	{ "a_", TLC_EPOLICY, "must end with a letter or digit" },
	{ "-", TLC_EPOLICY, "must start with a letter or digit" },
	{ "a b", TLC_EPOLICY, "may hold only ASCII letters, digits" },
	{ "a/b", TLC_EPOLICY, "may hold only ASCII letters" },
	{ "a+b", TLC_EPOLICY, "may hold only ASCII letters" },
	{ "a\nb", TLC_EPOLICY, "project name 'a\\x0ab' may hold only" },
	{ "caf\xc3\xa9", TLC_EPOLICY, "'caf\\xc3\\xa9' may hold only" },
	{ "a\\b", TLC_EPOLICY, "'a\\x5cb'" },
};

static void test_names__valid(void **state)
{
	char big[TLC_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < N(valid_names); i++)
		if (!tlc_name_valid(valid_names[i]))
			fail_msg("'%s' should be valid", valid_names[i]);
	for (size_t i = 0; i < N(bad_names); i++)
		if (tlc_name_valid(bad_names[i].name))
			fail_msg("'%s' should be invalid", bad_names[i].name);
	assert_false(tlc_name_valid(NULL));

	memset(big, 'a', sizeof(big));
	big[TLC_NAME_MAX] = '\0';
	assert_true(tlc_name_valid(big));
	big[TLC_NAME_MAX] = 'a';
	big[TLC_NAME_MAX + 1] = '\0';
	assert_false(tlc_name_valid(big));
}

static const char *const normalize_cases[][3] = {
	/* name, PEP 503 form, wheel escape */
	{ "Foo.Bar", "foo-bar", "foo_bar" },
	{ "foo__bar", "foo-bar", "foo_bar" },
	{ "FOO-_-.bar", "foo-bar", "foo_bar" },
	{ "a.-_b.c", "a-b-c", "a_b_c" },
	{ "A", "a", "a" },
	{ "a..b", "a-b", "a_b" },
	{ "tlcpack", "tlcpack", "tlcpack" },
	{ "tlcpack-cu121", "tlcpack-cu121", "tlcpack_cu121" },
	{ "TVM_CU121", "tvm-cu121", "tvm_cu121" },
};

static void test_names__normalize_and_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(normalize_cases); i++) {
		struct tlc_buf b = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tlc_buf_puts(&b, "<"), 0);
		assert_int_equal(tlc_name_normalize(&b, normalize_cases[i][0],
						    &err), 0);
		assert_string_equal(b.ptr + 1, normalize_cases[i][1]);
		tlc_buf_truncate(&b, 1);
		assert_int_equal(tlc_name_wheel_escape(&b,
						       normalize_cases[i][0],
						       &err), 0);
		assert_string_equal(b.ptr + 1, normalize_cases[i][2]);
		assert_int_equal(err.code, 0);
		assert_true(tlc_name_equal(normalize_cases[i][0],
					   normalize_cases[i][1]));
		assert_true(tlc_name_equal(normalize_cases[i][2],
					   normalize_cases[i][0]));
		tlc_buf_release(&b);
	}
	assert_false(tlc_name_equal("foo", "foo-bar"));
	assert_false(tlc_name_equal("foo-bar", "foo"));
	assert_false(tlc_name_equal("foobar", "foo-bar"));
	assert_false(tlc_name_equal("foo", "fop"));
	assert_false(tlc_name_equal("-foo", "-foo"));
	assert_false(tlc_name_equal(NULL, "foo"));
}

static void test_names__refuses_bad_names(void **state)
{
	char big[TLC_NAME_MAX + 2];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "keep"), 0);
	for (size_t i = 0; i < N(bad_names); i++) {
		int rc;

		rc = tlc_name_normalize(&b, bad_names[i].name, &err);
		assert_int_equal(rc, bad_names[i].code);
		check_one_line(err.msg);
		if (!strstr(err.msg, bad_names[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'",
				 bad_names[i].name, err.msg, bad_names[i].msg);
		assert_int_equal(tlc_name_wheel_escape(&b, bad_names[i].name,
						       &err), rc);
		assert_string_equal(b.ptr, "keep");
	}
	memset(big, 'a', sizeof(big));
	big[TLC_NAME_MAX + 1] = '\0';
	assert_int_equal(tlc_name_normalize(&b, big, &err), TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "is over 200 bytes"));
	check_one_line(err.msg);
	assert_string_equal(b.ptr, "keep");
	tlc_buf_release(&b);

	/* the output buffer's cap is reported, not overrun */
	{
		struct tlc_buf small = TLC_BUF_INIT_MAX(4);

		assert_int_equal(tlc_name_normalize(&small, "abcdef", &err),
				 TLC_ETOOBIG);
		check_one_line(err.msg);
		assert_string_equal(small.ptr, "");
		tlc_buf_release(&small);
	}
}

struct good_wheel {
	const char *filename;
	const char *name, *version, *build, *python, *abi, *platform;
	const char *formatted;	/* formatted back from the parts */
};

static const struct good_wheel good_wheels[] = {
	{ "tlcpack-0.1.0-py3-none-any.whl", "tlcpack", "0.1.0", "", "py3",
	  "none", "any", "tlcpack-0.1.0-py3-none-any.whl" },
	{ "tlcpack_cu121-0.9.dev123+g1a2b3c4d-cp311-cp311-"
	  "manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
	  "tlcpack_cu121", "0.9.dev123+g1a2b3c4d", "", "cp311", "cp311",
	  "manylinux_2_17_x86_64.manylinux2014_x86_64",
	  "tlcpack_cu121-0.9.dev123+g1a2b3c4d-cp311-cp311-"
	  "manylinux_2_17_x86_64.manylinux2014_x86_64.whl" },
	/* older wheels: '.' and capitals in the name, a build tag */
	{ "Foo.Bar-1.0-1-py2.py3-none-any.whl", "Foo.Bar", "1.0", "1",
	  "py2.py3", "none", "any", "foo_bar-1.0-1-py2.py3-none-any.whl" },
	{ "pkg-1.0-123abc_x.y-cp39-abi3-linux_x86_64.whl", "pkg", "1.0",
	  "123abc_x.y", "cp39", "abi3", "linux_x86_64",
	  "pkg-1.0-123abc_x.y-cp39-abi3-linux_x86_64.whl" },
	/* a version as written, normalized when formatted */
	{ "foo-1.0RC1_post2-py3-none-any.whl", "foo", "1.0RC1_post2", "",
	  "py3", "none", "any", "foo-1.0rc1.post2-py3-none-any.whl" },
	{ "foo-v1!2.0+Ubuntu_1-py3-none-any.whl", "foo", "v1!2.0+Ubuntu_1",
	  "", "py3", "none", "any", "foo-1!2.0+ubuntu.1-py3-none-any.whl" },
	{ "a-0-0-A-B-C.whl", "a", "0", "0", "A", "B", "C",
	  "a-0-0-A-B-C.whl" },
};

static void check_parts(const struct tlc_wheel_filename *w,
			const struct good_wheel *g)
{
	assert_string_equal(w->name, g->name);
	assert_string_equal(w->version, g->version);
	assert_string_equal(w->build, g->build);
	assert_string_equal(w->python, g->python);
	assert_string_equal(w->abi, g->abi);
	assert_string_equal(w->platform, g->platform);
}

static void test_names__wheel_filename_parse_and_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(good_wheels); i++) {
		const struct good_wheel *g = &good_wheels[i];
		struct tlc_wheel_filename w, w2;
		struct tlc_buf b = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;

		if (tlc_wheel_filename_parse(&w, g->filename, &err) != 0)
			fail_msg("'%s': %s", g->filename, err.msg);
		check_parts(&w, g);
		assert_int_equal(err.code, 0);

		assert_int_equal(tlc_buf_puts(&b, "<"), 0);
		if (tlc_wheel_filename_format(&b, w.name, w.version, w.build,
					      w.python, w.abi, w.platform,
					      &err) != 0)
			fail_msg("format '%s': %s", g->filename, err.msg);
		assert_string_equal(b.ptr + 1, g->formatted);

		/* what format writes, parse reads back */
		assert_int_equal(tlc_wheel_filename_parse(&w2, b.ptr + 1,
							  &err), 0);
		assert_string_equal(w2.build, w.build);
		assert_string_equal(w2.python, w.python);
		tlc_buf_release(&b);
	}
}

struct bad_wheel {
	const char *filename;
	int code;
	const char *msg;
};

static const struct bad_wheel bad_wheels[] = {
	{ "foo-1.0-py3-none-any.zip", TLC_EPOLICY,
	  "invalid wheel filename 'foo-1.0-py3-none-any.zip': must end in "
	  "'.whl'" },
	{ "foo-1.0-py3-none-any.WHL", TLC_EPOLICY, "must end in '.whl'" },
	{ "", TLC_EPOLICY, "must end in '.whl'" },
	{ "whl", TLC_EPOLICY, "must end in '.whl'" },
	{ ".whl", TLC_EPOLICY, "has 1 dash-separated parts, expected 5 or 6" },
	{ "foo-1.0-py3-none.whl", TLC_EPOLICY,
	  "has 4 dash-separated parts, expected 5 or 6" },
	{ "foo-1.0-1-2-py3-none-any.whl", TLC_EPOLICY,
	  "has 7 dash-separated parts" },
	{ "----------.whl", TLC_EPOLICY, "has 11 dash-separated parts" },
	{ "foo-bar-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "invalid wheel filename 'foo-bar-1.0-py3-none-any.whl': invalid "
	  "version 'bar': expected a release number at 'bar'" },
	{ "dir/foo-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "contains a directory separator" },
	{ "../foo-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "contains a directory separator" },
	{ "..\\foo-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "'..\\x5cfoo-1.0-py3-none-any.whl': contains a directory separator" },
	{ "foo-1.0-py3-none-any.whl\n", TLC_EPOLICY,
	  "'foo-1.0-py3-none-any.whl\\x0a': contains a control character" },
	{ "foo\x01-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "contains a control character" },
	{ "foo-1.0-py3-none-any\x7f.whl", TLC_EPOLICY,
	  "contains a control character" },
	{ "-1.0-py3-none-any.whl", TLC_EPOLICY, "project name '' is empty" },
	{ "_foo-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "project name '_foo' must start with a letter or digit" },
	{ "foo_-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "project name 'foo_' must end with a letter or digit" },
	{ "fo o-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "project name 'fo o' may hold only ASCII letters" },
	{ "caf\xc3\xa9-1.0-py3-none-any.whl", TLC_EPOLICY,
	  "project name 'caf\\xc3\\xa9' may hold only" },
	{ "foo-1.0-abc-py3-none-any.whl", TLC_EPOLICY,
	  "build tag 'abc' must start with a digit" },
	{ "foo-1.0--py3-none-any.whl", TLC_EPOLICY,
	  "build tag '' must start with a digit" },
	{ "foo-1.0-1+x-py3-none-any.whl", TLC_EPOLICY,
	  "build tag '1+x' allows only letters, digits, '_' and '.'" },
	{ "foo-1.0--none-any.whl", TLC_EPOLICY, "python tag '' is empty" },
	{ "foo-1.0-py3--any.whl", TLC_EPOLICY, "abi tag '' is empty" },
	{ "foo-1.0-py3-none-.whl", TLC_EPOLICY, "platform tag '' is empty" },
	{ "foo-1.0-py2..py3-none-any.whl", TLC_EPOLICY,
	  "python tag 'py2..py3' has an empty part between dots" },
	{ "foo-1.0-.py3-none-any.whl", TLC_EPOLICY,
	  "has an empty part between dots" },
	{ "foo-1.0-py3-none-any..whl", TLC_EPOLICY,
	  "platform tag 'any.' has an empty part between dots" },
	{ "foo-1.0-py3-none-linux+x.whl", TLC_EPOLICY,
	  "platform tag 'linux+x' allows only letters, digits" },
	{ "foo-1.0-py3-no ne-any.whl", TLC_EPOLICY,
	  "abi tag 'no ne' allows only" },
	{ "foo-1.0 -py3-none-any.whl", TLC_EPOLICY,
	  "version '1.0 ' contains a space" },
	{ "foo- 1.0-py3-none-any.whl", TLC_EPOLICY, "contains a space" },
	{ "foo-1.0.x-py3-none-any.whl", TLC_EPOLICY,
	  "invalid version '1.0.x': unexpected 'x'" },
	{ "foo--py3-none-any.whl", TLC_EPOLICY, "invalid version '': empty" },
	{ "foo-99999999999999999999-py3-none-any.whl", TLC_ETOOBIG,
	  "number over 2^64-1" },
};

static void test_names__wheel_filename_refuses_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad_wheels); i++) {
		const struct bad_wheel *c = &bad_wheels[i];
		struct tlc_wheel_filename w;
		struct tlc_error err = TLC_ERROR_INIT;
		int rc;

		memset(&w, 'Z', sizeof(w));
		rc = tlc_wheel_filename_parse(&w, c->filename, &err);
		if (rc != c->code)
			fail_msg("'%s': rc %d (%s), want %d", c->filename, rc,
				 err.msg, c->code);
		assert_int_equal(err.code, rc);
		check_one_line(err.msg);
		if (!strstr(err.msg, c->msg))
			fail_msg("'%s': message '%s' lacks '%s'", c->filename,
				 err.msg, c->msg);
		/* @out is left alone on failure */
		assert_int_equal(w.name[0], 'Z');
	}
}

/* Build "{name}-{version}-{build}-{py}-{abi}-{plat}.whl" with one field
 * @len bytes of @c. */
static void make_long(char *dst, size_t size, int field, size_t len, char c)
{
	const char *parts[6] = { "foo", "1.0", "1", "py3", "none", "any" };
	size_t n = 0;

	for (int i = 0; i < 6; i++) {
		if (i)
			dst[n++] = '-';
		if (i == field) {
			assert_true(n + len < size);
			memset(dst + n, c, len);
			n += len;
		} else {
			memcpy(dst + n, parts[i], strlen(parts[i]));
			n += strlen(parts[i]);
		}
	}
	assert_true(n + 5 < size);
	memcpy(dst + n, ".whl", 5);
}

static void test_names__wheel_filename_limits(void **state)
{
	static const struct {
		int field;
		size_t max;
		char c;
		const char *what;
	} fields[] = {
		{ 0, TLC_NAME_MAX, 'a', "project name is over 200 bytes" },
		/* 255 zeros are a valid version, 0 */
		{ 1, 255, '0', "version is over 255 bytes" },
		{ 2, 63, '1', "build tag is over 63 bytes" },
		{ 3, 127, 'p', "python tag is over 127 bytes" },
		{ 4, 127, 'n', "abi tag is over 127 bytes" },
		{ 5, 255, 'x', "platform tag is over 255 bytes" },
	};
	char s[2048];
	struct tlc_wheel_filename w;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	for (size_t i = 0; i < N(fields); i++) {
		size_t max = fields[i].max;

		make_long(s, sizeof(s), fields[i].field, max, fields[i].c);
		if (tlc_wheel_filename_parse(&w, s, &err) != 0)
			fail_msg("field %d at %zu: %s", fields[i].field, max,
				 err.msg);
		make_long(s, sizeof(s), fields[i].field, max + 1, fields[i].c);
		assert_int_equal(tlc_wheel_filename_parse(&w, s, &err),
				 TLC_ETOOBIG);
		check_one_line(err.msg);
		if (!strstr(err.msg, fields[i].what))
			fail_msg("message '%s' lacks '%s'", err.msg,
				 fields[i].what);
		assert_true(strlen(err.msg) < 200);
	}
	memset(s, 'a', TLC_WHEEL_FILENAME_MAX + 1);
	memcpy(s + TLC_WHEEL_FILENAME_MAX + 1, "-1-p-n-a.whl", 13);
	assert_int_equal(tlc_wheel_filename_parse(&w, s, &err), TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "is over 1024 bytes"));
	check_one_line(err.msg);
}

struct format_case {
	const char *name, *version, *build, *python, *abi, *platform;
	int code;
	const char *want;	/* the filename, or a part of the message */
};

static const struct format_case format_cases[] = {
	{ "Foo.Bar", "v1.0-RC1", NULL, "py3", "none", "any", 0,
	  "foo_bar-1.0rc1-py3-none-any.whl" },
	{ "tlcpack-cu121", "0.9.dev123+g1a2b3c4d", "", "cp311", "cp311",
	  "linux_x86_64", 0,
	  "tlcpack_cu121-0.9.dev123+g1a2b3c4d-cp311-cp311-linux_x86_64.whl" },
	{ "tvm", "0.12.0", "2", "cp38", "abi3",
	  "manylinux_2_28_aarch64.manylinux2014_aarch64", 0,
	  "tvm-0.12.0-2-cp38-abi3-manylinux_2_28_aarch64.manylinux2014_"
	  "aarch64.whl" },
	{ "-foo", "1.0", NULL, "py3", "none", "any", TLC_EPOLICY,
	  "project name '-foo' must start" },
	{ "foo", "1.0-", NULL, "py3", "none", "any", TLC_EPOLICY,
	  "invalid version '1.0-'" },
	{ "foo", "1.0", "x1", "py3", "none", "any", TLC_EPOLICY,
	  "build tag 'x1' must start with a digit" },
	{ "foo", "1.0", "1-2", "py3", "none", "any", TLC_EPOLICY,
	  "build tag '1-2' allows only" },
	{ "foo", "1.0", NULL, "py-3", "none", "any", TLC_EPOLICY,
	  "python tag 'py-3' allows only" },
	{ "foo", "1.0", NULL, "py3", "", "any", TLC_EPOLICY,
	  "abi tag '' is empty" },
	{ "foo", "1.0", NULL, "py3", "none", "a/b", TLC_EPOLICY,
	  "platform tag 'a/b' allows only" },
	{ "foo", "1.0", NULL, "py3", "none", "any.", TLC_EPOLICY,
	  "platform tag 'any.' has an empty part" },
};

static void test_names__wheel_filename_format_checks(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		struct tlc_buf b = TLC_BUF_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_wheel_filename w;
		int rc;

		assert_int_equal(tlc_buf_puts(&b, "<"), 0);
		rc = tlc_wheel_filename_format(&b, c->name, c->version,
					       c->build, c->python, c->abi,
					       c->platform, &err);
		if (rc != c->code)
			fail_msg("%zu: rc %d (%s), want %d", i, rc, err.msg,
				 c->code);
		if (rc < 0) {
			check_one_line(err.msg);
			if (!strstr(err.msg, c->want))
				fail_msg("message '%s' lacks '%s'", err.msg,
					 c->want);
			assert_string_equal(b.ptr, "<");
		} else {
			assert_string_equal(b.ptr + 1, c->want);
			assert_int_equal(tlc_wheel_filename_parse(&w,
								  b.ptr + 1,
								  &err), 0);
		}
		tlc_buf_release(&b);
	}
}

/* A version that grows when normalized may no longer fit its field. */
static void test_names__wheel_filename_format_caps(void **state)
{
#define U64 "18446744073709551615"
#define U64x4 U64 "." U64 "." U64 "." U64
	/* 251 bytes that stay as they are, then "r", which is ".post0" */
	static const char v[] = U64x4 "." U64x4 "." U64x4 "r";
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_filename w;

	(void)state;
	assert_int_equal(strlen(v), 252);
	assert_int_equal(tlc_buf_puts(&b, "<"), 0);
	assert_int_equal(tlc_wheel_filename_format(&b, "foo", v, NULL, "py3",
						   "none", "any", &err),
			 TLC_ETOOBIG);
	check_one_line(err.msg);
	assert_non_null(strstr(err.msg, "normalized version is over 255"));
	assert_string_equal(b.ptr, "<");

	/* one release component less fits */
	assert_int_equal(tlc_wheel_filename_format(&b, "foo", v + 21, NULL,
						   "py3", "none", "any", &err),
			 0);
	assert_int_equal(tlc_wheel_filename_parse(&w, b.ptr + 1, &err), 0);
	tlc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names__valid),
		cmocka_unit_test(test_names__normalize_and_escape),
		cmocka_unit_test(test_names__refuses_bad_names),
		cmocka_unit_test(test_names__wheel_filename_parse_and_format),
		cmocka_unit_test(test_names__wheel_filename_refuses_bad),
		cmocka_unit_test(test_names__wheel_filename_limits),
		cmocka_unit_test(test_names__wheel_filename_format_checks),
		cmocka_unit_test(test_names__wheel_filename_format_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
