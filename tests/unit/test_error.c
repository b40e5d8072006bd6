/*
 * Errors: set returns its code, a NULL err is allowed everywhere, errno
 * messages, prefixes that keep the code and truncate safely at
 * TLC_ERROR_MSG_SIZE, and the name of every code.  Overflows are checked
 * with guard bytes right after the struct (ASan cannot see inside one
 * object).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tlcpack/error.h"

#define GUARD 0x5a

struct guarded {
	struct tlc_error err;
	unsigned char guard[64];
};

static int setup(void **state)
{
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return 0;
}

static void guard_init(struct guarded *g)
{
	memset(g, GUARD, sizeof(*g));
	g->err.code = 0;
	g->err.msg[0] = '\0';
}

/* The message is NUL-terminated inside its array, nothing past it moved. */
static void guard_check(const struct guarded *g)
{
	assert_non_null(memchr(g->err.msg, '\0', sizeof(g->err.msg)));
	for (size_t i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], GUARD);
}

/* A string of @n copies of @c. */
static const char *rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void test_error__init(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(err.code, TLC_OK);
	assert_string_equal(err.msg, "");
	assert_int_equal(sizeof(err.msg), TLC_ERROR_MSG_SIZE);
	assert_int_equal(TLC_ERROR_MSG_SIZE, 256);
}

static void test_error__set_returns_code(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(tlc_error_set(&err, TLC_EPOLICY, "bad '%s' at %d",
				       "key", 3), TLC_EPOLICY);
	assert_int_equal(err.code, TLC_EPOLICY);
	assert_string_equal(err.msg, "bad 'key' at 3");
	/* setting again replaces code and message */
	assert_int_equal(tlc_error_set(&err, TLC_EIO, "%s", "short"), TLC_EIO);
	assert_int_equal(err.code, TLC_EIO);
	assert_string_equal(err.msg, "short");
	/* a message with a '%' that is data, not format */
	assert_int_equal(tlc_error_set(&err, TLC_ERROR, "%s", "100%d"),
			 TLC_ERROR);
	assert_string_equal(err.msg, "100%d");
}

static void test_error__null_err_allowed(void **state)
{
	(void)state;
	assert_int_equal(tlc_error_set(NULL, TLC_ENOTFOUND, "x %s", "y"),
			 TLC_ENOTFOUND);
	errno = EACCES;
	assert_int_equal(tlc_error_errno(NULL, TLC_EIO, "x"), TLC_EIO);
	assert_int_equal(tlc_error_prefix(NULL, "p %d", 1), TLC_ERROR);
}

static int call_vset(struct tlc_error *err, int code, const char *fmt, ...)
	TLC_PRINTF(3, 4);

static int call_vset(struct tlc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tlc_error_vset(err, code, fmt, ap);
	va_end(ap);
	return rc;
}

static void test_error__vset(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(call_vset(&err, TLC_ETOOBIG, "'%s' is over %zu bytes",
				   "f", (size_t)10), TLC_ETOOBIG);
	assert_int_equal(err.code, TLC_ETOOBIG);
	assert_string_equal(err.msg, "'f' is over 10 bytes");
	assert_int_equal(call_vset(NULL, TLC_ENOMEM, "%s", "x"), TLC_ENOMEM);
}

static void test_error__set_truncates_long_message(void **state)
{
	struct guarded g;
	char big[1024];

	(void)state;
	guard_init(&g);
	assert_int_equal(tlc_error_set(&g.err, TLC_ERROR, "%s",
				       rep(big, 'm', 1000)), TLC_ERROR);
	guard_check(&g);
	assert_int_equal(strlen(g.err.msg), TLC_ERROR_MSG_SIZE - 1);
	assert_memory_equal(g.err.msg, big, TLC_ERROR_MSG_SIZE - 1);
}

static void test_error__errno_appends_strerror(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char want[TLC_ERROR_MSG_SIZE];

	(void)state;
	errno = ENOENT;
	assert_int_equal(tlc_error_errno(&err, TLC_ENOTFOUND,
					 "cannot open '%s'", "a.txt"),
			 TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	snprintf(want, sizeof(want), "cannot open 'a.txt': %s",
		 strerror(ENOENT));
	assert_string_equal(err.msg, want);

	errno = EACCES;
	assert_int_equal(tlc_error_errno(&err, TLC_EIO, "cannot write"),
			 TLC_EIO);
	snprintf(want, sizeof(want), "cannot write: %s", strerror(EACCES));
	assert_string_equal(err.msg, want);
}

static void test_error__errno_long_message(void **state)
{
	static const size_t lens[] = { 240, 250, 252, 253, 254, 255, 256, 400 };
	char big[512];

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct guarded g;
		char want[1024];

		guard_init(&g);
		rep(big, 'e', lens[i]);
		errno = ENOSPC;
		assert_int_equal(tlc_error_errno(&g.err, TLC_EIO, "%s", big),
				 TLC_EIO);
		guard_check(&g);
		snprintf(want, sizeof(want), "%s: %s", big, strerror(ENOSPC));
		want[TLC_ERROR_MSG_SIZE - 1] = '\0';
		assert_string_equal(g.err.msg, want);
	}
}

static void test_error__prefix_keeps_code(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	tlc_error_set(&err, TLC_EPOLICY, "unknown key 'x'");
	assert_int_equal(tlc_error_prefix(&err, "recipe '%s'", "t.toml"),
			 TLC_EPOLICY);
	assert_int_equal(err.code, TLC_EPOLICY);
	assert_string_equal(err.msg, "recipe 't.toml': unknown key 'x'");
	assert_int_equal(tlc_error_prefix(&err, "variant %d", 2), TLC_EPOLICY);
	assert_string_equal(err.msg,
			    "variant 2: recipe 't.toml': unknown key 'x'");
}

static void test_error__prefix_of_empty_message(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	tlc_error_set(&err, TLC_EIO, "%s", "");
	assert_int_equal(tlc_error_prefix(&err, "ctx"), TLC_EIO);
	assert_string_equal(err.msg, "ctx: ");
}

/*
 * Combined messages longer than the array: the result is the first 255
 * bytes of "<prefix>: <old>", NUL-terminated, nothing written past it.
 */
static void test_error__prefix_truncates_safely(void **state)
{
	static const struct {
		size_t prefix, old;
	} cases[] = {
		{ 10, 240 }, { 10, 243 }, { 10, 244 }, { 10, 255 },
		{ 100, 200 }, { 200, 100 }, { 252, 10 }, { 253, 10 },
		{ 254, 10 }, { 255, 10 }, { 256, 10 }, { 300, 255 },
		{ 1000, 0 }, { 0, 255 },
	};
	char p[1024], o[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct guarded g;
		char want[2100];

		print_message("case %zu: prefix %zu, old %zu\n", i,
			      cases[i].prefix, cases[i].old);
		guard_init(&g);
		rep(p, 'P', cases[i].prefix);
		rep(o, 'o', cases[i].old);
		tlc_error_set(&g.err, TLC_ETOOBIG, "%s", o);
		guard_check(&g);
		assert_int_equal(tlc_error_prefix(&g.err, "%s", p),
				 TLC_ETOOBIG);
		guard_check(&g);
		assert_int_equal(g.err.code, TLC_ETOOBIG);
		/* the old message as it was stored: at most 255 bytes */
		o[TLC_ERROR_MSG_SIZE - 1] = '\0';
		snprintf(want, sizeof(want), "%s: %s", p, o);
		want[TLC_ERROR_MSG_SIZE - 1] = '\0';
		assert_string_equal(g.err.msg, want);
	}
}

static void test_error__names(void **state)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ TLC_OK, "ok" },
		{ TLC_ERROR, "error" },
		{ TLC_ENOMEM, "out of memory" },
		{ TLC_ENOTFOUND, "not found" },
		{ TLC_EEXISTS, "already exists" },
		{ TLC_EPOLICY, "rule broken" },
		{ TLC_ETOOBIG, "too big" },
		{ TLC_EIO, "input/output error" },
		{ -8, "error" },
		{ -1000, "error" },
		{ 1, "error" },
		{ INT32_MIN, "error" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = tlc_error_name(names[i].code);

		assert_non_null(n);
		assert_string_equal(n, names[i].name);
	}
	/* the expected codes all have names of their own */
	for (int a = TLC_EIO; a <= TLC_OK; a++)
		for (int b = a + 1; b <= TLC_OK; b++)
			assert_string_not_equal(tlc_error_name(a),
						tlc_error_name(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__init),
		cmocka_unit_test(test_error__set_returns_code),
		cmocka_unit_test(test_error__null_err_allowed),
		cmocka_unit_test(test_error__vset),
		cmocka_unit_test(test_error__set_truncates_long_message),
		cmocka_unit_test(test_error__errno_appends_strerror),
		cmocka_unit_test(test_error__errno_long_message),
		cmocka_unit_test(test_error__prefix_keeps_code),
		cmocka_unit_test(test_error__prefix_of_empty_message),
		cmocka_unit_test(test_error__prefix_truncates_safely),
		cmocka_unit_test(test_error__names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
