/*
 * The growable buffer: the strbuf invariants after every operation (git
 * u-strbuf.c), binary safety, printf growth, the size cap, and
 * tlc_buf_read_file() on real files in a scratch directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"			/* tlc__fs_remove_tree, tlc__fs_write_all */
#include "tlcpack/buf.h"

static char scratch[PATH_MAX];

/*
 * What must hold after any operation: ptr is never NULL and NUL-terminated;
 * an unallocated buffer points at the shared empty string, which nobody
 * has written to; an allocated one has room for len + 1 bytes; the cap
 * bounds len.
 */
static void check(const struct tlc_buf *b)
{
	assert_non_null(b->ptr);
	assert_int_equal(tlc_buf__empty[0], '\0');
	if (b->alloc == 0) {
		assert_ptr_equal(b->ptr, tlc_buf__empty);
		assert_int_equal(b->len, 0);
	} else {
		assert_ptr_not_equal(b->ptr, tlc_buf__empty);
		assert_true(b->len < b->alloc);
	}
	assert_int_equal(b->ptr[b->len], '\0');
	if (b->max)
		assert_true(b->len <= b->max);
}

/* @b holds exactly the @n bytes at @p. */
static void check_is(const struct tlc_buf *b, const void *p, size_t n)
{
	check(b);
	assert_int_equal(b->len, n);
	assert_memory_equal(b->ptr, p, n);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/tlc-test-buf-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(scratch, sizeof(scratch), "%s", tmpl);
	return 0;
}

static int teardown(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	return tlc__fs_remove_tree(scratch, &err);
}

/* Write @n bytes of @data to the scratch file @name; its path into @path. */
static void put_file(char *path, size_t size, const char *name,
		     const void *data, size_t n)
{
	struct tlc_error err = TLC_ERROR_INIT;
	int fd;

	snprintf(path, size, "%s/%s", scratch, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, data, n, path, &err), 0);
	assert_int_equal(close(fd), 0);
}

/* A file of @n bytes, byte i being (i * 7 + 3) % 256 (NULs included). */
static char *pattern(size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)((i * 7 + 3) % 256);
	return p;
}

static void test_buf__init_needs_no_allocation(void **state)
{
	struct tlc_buf a = TLC_BUF_INIT;
	struct tlc_buf b = TLC_BUF_INIT_MAX(10);
	struct tlc_buf c;

	(void)state;
	check_is(&a, "", 0);
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.max, 0);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.max, 10);

	memset(&c, 0xa5, sizeof(c));
	tlc_buf_init(&c, 42);
	check_is(&c, "", 0);
	assert_int_equal(c.alloc, 0);
	assert_int_equal(c.max, 42);

	/* releasing, resetting and truncating what was never allocated */
	tlc_buf_reset(&a);
	check_is(&a, "", 0);
	tlc_buf_truncate(&a, 0);
	check_is(&a, "", 0);
	tlc_buf_release(&a);
	check_is(&a, "", 0);
	tlc_buf_release(&a);
	check_is(&a, "", 0);
	tlc_buf_release(&b);
	assert_int_equal(b.max, 10);
	tlc_buf_release(&c);
}

static void test_buf__put_puts_putc_sets(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "hello"), 0);
	check_is(&b, "hello", 5);
	assert_int_equal(tlc_buf_putc(&b, ','), 0);
	check_is(&b, "hello,", 6);
	assert_int_equal(tlc_buf_put(&b, " world!!", 6), 0);
	check_is(&b, "hello, world", 12);
	assert_int_equal(tlc_buf_put(&b, "ignored", 0), 0);
	check_is(&b, "hello, world", 12);
	assert_int_equal(tlc_buf_puts(&b, ""), 0);
	check_is(&b, "hello, world", 12);
	assert_int_equal(tlc_buf_sets(&b, "x"), 0);
	check_is(&b, "x", 1);
	assert_int_equal(tlc_buf_sets(&b, ""), 0);
	check_is(&b, "", 0);
	tlc_buf_release(&b);
	check_is(&b, "", 0);
}

static void test_buf__put_nothing_allocates_nothing(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_put(&b, NULL, 0), 0);
	assert_int_equal(tlc_buf_puts(&b, ""), 0);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
}

static void test_buf__grows_over_many_appends(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	char *want = pattern(100000);

	(void)state;
	for (size_t i = 0; i < 100000; i++) {
		assert_int_equal(tlc_buf_putc(&b, want[i]), 0);
		if (i % 997 == 0)
			check(&b);
	}
	check_is(&b, want, 100000);
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(tlc_buf_put(&b, want, 100), 0);
	check(&b);
	assert_int_equal(b.len, 200000);
	assert_memory_equal(b.ptr + 100000 + 500 * 100, want, 100);
	tlc_buf_release(&b);
	free(want);
}

static void test_buf__binary_safe(void **state)
{
	static const char bin[] = { 'a', '\0', 'b', '\0', '\0', 'c' };
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_put(&b, bin, sizeof(bin)), 0);
	check_is(&b, bin, sizeof(bin));
	assert_int_equal(tlc_buf_puts(&b, "de"), 0);
	check_is(&b, "a\0b\0\0cde", 8);
	assert_int_equal(tlc_buf_putc(&b, '\0'), 0);
	check_is(&b, "a\0b\0\0cde\0", 9);
	assert_int_equal(tlc_buf_printf(&b, "%c%s", '\0', "z"), 0);
	check_is(&b, "a\0b\0\0cde\0\0z", 11);
	tlc_buf_truncate(&b, 2);
	check_is(&b, "a\0", 2);
	tlc_buf_release(&b);
}

static void test_buf__printf_grows_for_long_output(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	char *big = malloc(300001);
	char want[64];

	(void)state;
	assert_non_null(big);
	memset(big, 'q', 300000);
	big[300000] = '\0';

	assert_int_equal(tlc_buf_printf(&b, "%d-%s", 42, "x"), 0);
	check_is(&b, "42-x", 4);
	assert_int_equal(tlc_buf_printf(&b, "[%s]", big), 0);
	check(&b);
	assert_int_equal(b.len, 4 + 300002);
	assert_memory_equal(b.ptr, "42-x[qqq", 8);
	assert_int_equal(b.ptr[b.len - 1], ']');
	assert_int_equal(b.ptr[b.len - 2], 'q');
	/* exactly one growth step past the current allocation */
	tlc_buf_reset(&b);
	for (int i = 0; i < 200; i++) {
		size_t before = b.len;

		snprintf(want, sizeof(want), "%05d%.*s", i, i % 50, big);
		assert_int_equal(tlc_buf_printf(&b, "%05d%.*s", i, i % 50,
						big), 0);
		check(&b);
		assert_int_equal(b.len, before + strlen(want));
		assert_memory_equal(b.ptr + before, want, strlen(want));
	}
	/* an empty format on an unallocated buffer */
	tlc_buf_release(&b);
	assert_int_equal(tlc_buf_printf(&b, "%s", ""), 0);
	check_is(&b, "", 0);
	tlc_buf_release(&b);
	free(big);
}

static int call_vprintf(struct tlc_buf *b, const char *fmt, ...)
	TLC_PRINTF(2, 3);

static int call_vprintf(struct tlc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tlc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

static void test_buf__vprintf(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, ">"), 0);
	assert_int_equal(call_vprintf(&b, "%s=%u;%zu", "k", 7u,
				      (size_t)123456789), 0);
	check_is(&b, ">k=7;123456789", 14);
	tlc_buf_release(&b);
}

static void test_buf__reset_and_truncate_keep_memory(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	char *ptr;
	size_t alloc;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "0123456789"), 0);
	ptr = b.ptr;
	alloc = b.alloc;
	tlc_buf_truncate(&b, 10);
	check_is(&b, "0123456789", 10);
	tlc_buf_truncate(&b, 4);
	check_is(&b, "0123", 4);
	assert_ptr_equal(b.ptr, ptr);
	assert_int_equal(b.alloc, alloc);
	tlc_buf_reset(&b);
	check_is(&b, "", 0);
	assert_ptr_equal(b.ptr, ptr);
	assert_int_equal(b.alloc, alloc);
	assert_int_equal(tlc_buf_puts(&b, "again"), 0);
	check_is(&b, "again", 5);
	tlc_buf_release(&b);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
}

static void test_buf__release_keeps_cap(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(16);

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "abc"), 0);
	tlc_buf_release(&b);
	check_is(&b, "", 0);
	assert_int_equal(b.max, 16);
	assert_int_equal(tlc_buf_puts(&b, "0123456789abcdefg"), TLC_ETOOBIG);
	check_is(&b, "", 0);
}

static void test_buf__detach(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(100);
	size_t len = 12345;
	char *p;

	(void)state;
	assert_int_equal(tlc_buf_put(&b, "ab\0cd", 5), 0);
	p = tlc_buf_detach(&b, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "ab\0cd", 6);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.max, 100);
	free(p);

	/* the buffer is usable again */
	assert_int_equal(tlc_buf_puts(&b, "next"), 0);
	check_is(&b, "next", 4);
	p = tlc_buf_detach(&b, NULL);
	assert_string_equal(p, "next");
	free(p);

	/* an empty buffer gives a fresh "" the caller may free */
	len = 99;
	p = tlc_buf_detach(&b, &len);
	assert_non_null(p);
	assert_ptr_not_equal(p, tlc_buf__empty);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	check_is(&b, "", 0);

	/* allocated, then emptied */
	assert_int_equal(tlc_buf_puts(&b, "gone"), 0);
	tlc_buf_reset(&b);
	p = tlc_buf_detach(&b, &len);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	free(p);
	check_is(&b, "", 0);
}

static void test_buf__grow_reserves_without_changing(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_grow(&b, 1000), 0);
	check_is(&b, "", 0);
	assert_true(b.alloc >= 1001);
	assert_int_equal(tlc_buf_puts(&b, "abc"), 0);
	assert_int_equal(tlc_buf_grow(&b, 0), 0);
	check_is(&b, "abc", 3);
	assert_int_equal(tlc_buf_grow(&b, SIZE_MAX), TLC_ETOOBIG);
	check_is(&b, "abc", 3);
	assert_int_equal(tlc_buf_grow(&b, SIZE_MAX - 3), TLC_ETOOBIG);
	check_is(&b, "abc", 3);
	tlc_buf_release(&b);

	/* on an unallocated buffer too */
	assert_int_equal(tlc_buf_grow(&b, SIZE_MAX), TLC_ETOOBIG);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
}

static void test_buf__cap_exactly_met_is_ok(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(8);
	struct tlc_buf c = TLC_BUF_INIT_MAX(8);
	struct tlc_buf d = TLC_BUF_INIT_MAX(8);

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "12345678"), 0);
	check_is(&b, "12345678", 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(tlc_buf_putc(&c, (char)('a' + i)), 0);
	check_is(&c, "abcdefgh", 8);
	assert_int_equal(tlc_buf_printf(&d, "%08d", 42), 0);
	check_is(&d, "00000042", 8);
	assert_int_equal(tlc_buf_grow(&d, 0), 0);
	tlc_buf_release(&b);
	tlc_buf_release(&c);
	tlc_buf_release(&d);
}

static void test_buf__over_cap_is_toobig_and_unchanged(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(8);

	(void)state;
	/* on an unallocated buffer: nothing is allocated */
	assert_int_equal(tlc_buf_puts(&b, "123456789"), TLC_ETOOBIG);
	check_is(&b, "", 0);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(tlc_buf_printf(&b, "%s", "123456789"), TLC_ETOOBIG);
	check_is(&b, "", 0);
	assert_int_equal(tlc_buf_grow(&b, 9), TLC_ETOOBIG);
	check_is(&b, "", 0);

	assert_int_equal(tlc_buf_puts(&b, "12345"), 0);
	assert_int_equal(tlc_buf_puts(&b, "6789"), TLC_ETOOBIG);
	check_is(&b, "12345", 5);
	assert_int_equal(tlc_buf_put(&b, "6\0""89", 4), TLC_ETOOBIG);
	check_is(&b, "12345", 5);
	assert_int_equal(tlc_buf_printf(&b, "%d", 6789), TLC_ETOOBIG);
	check_is(&b, "12345", 5);
	assert_int_equal(tlc_buf_grow(&b, 4), TLC_ETOOBIG);
	check_is(&b, "12345", 5);
	assert_int_equal(tlc_buf_puts(&b, "678"), 0);
	check_is(&b, "12345678", 8);
	assert_int_equal(tlc_buf_putc(&b, '9'), TLC_ETOOBIG);
	check_is(&b, "12345678", 8);
	assert_int_equal(tlc_buf_put(&b, "", 0), 0);
	check_is(&b, "12345678", 8);

	/* replacing within the cap is fine; over it is refused */
	assert_int_equal(tlc_buf_sets(&b, "abcdefgh"), 0);
	check_is(&b, "abcdefgh", 8);
	assert_int_equal(tlc_buf_sets(&b, "abcdefghi"), TLC_ETOOBIG);
	check(&b);
	tlc_buf_release(&b);
}

static void test_buf__cap_of_one(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(1);

	(void)state;
	assert_int_equal(tlc_buf_putc(&b, '\0'), 0);
	check_is(&b, "\0", 1);
	assert_int_equal(tlc_buf_putc(&b, 'x'), TLC_ETOOBIG);
	check_is(&b, "\0", 1);
	tlc_buf_release(&b);
}

static void test_buf__read_file_missing(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such-file", scratch);
	assert_int_equal(tlc_buf_puts(&b, "keep"), 0);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
	check_is(&b, "keep", 4);
	tlc_buf_release(&b);

	/* NULL err is allowed */
	assert_int_equal(tlc_buf_read_file(&b, path, NULL), TLC_ENOTFOUND);
	check_is(&b, "", 0);
}

static void test_buf__read_file_appends(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];

	(void)state;
	put_file(path, sizeof(path), "f", "b\0dy\n", 5);
	assert_int_equal(tlc_buf_puts(&b, "head:"), 0);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	check_is(&b, "head:b\0dy\n", 10);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	check_is(&b, "head:b\0dy\nb\0dy\n", 15);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	tlc_buf_release(&b);
}

static void test_buf__read_file_empty(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_buf c = TLC_BUF_INIT_MAX(3);
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];

	(void)state;
	put_file(path, sizeof(path), "empty", "", 0);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	check_is(&b, "", 0);
	/* a buffer already at its cap can still take an empty file */
	assert_int_equal(tlc_buf_puts(&c, "abc"), 0);
	assert_int_equal(tlc_buf_read_file(&c, path, &err), 0);
	check_is(&c, "abc", 3);
	tlc_buf_release(&b);
	tlc_buf_release(&c);
}

static void test_buf__read_file_large(void **state)
{
	/* several read chunks, not a multiple of any of them */
	const size_t n = 3 * 65536 + 12345;
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];
	char *want = pattern(n);

	(void)state;
	put_file(path, sizeof(path), "large", want, n);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	check_is(&b, want, n);
	tlc_buf_release(&b);
	free(want);
}

/* A cap of @max on a buffer holding @pre, reading a file of @n bytes. */
static void read_capped(const char *pre, size_t n, size_t max, int want_rc)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(max);
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];
	char *data = pattern(n);
	size_t plen = strlen(pre);

	put_file(path, sizeof(path), "capped", data, n);
	assert_int_equal(tlc_buf_puts(&b, pre), 0);
	assert_int_equal(tlc_buf_read_file(&b, path, &err), want_rc);
	check(&b);
	if (want_rc == 0) {
		assert_int_equal(b.len, plen + n);
		assert_memory_equal(b.ptr, pre, plen);
		assert_memory_equal(b.ptr + plen, data, n);
		assert_int_equal(err.code, 0);
	} else {
		check_is(&b, pre, plen);
		assert_int_equal(err.code, TLC_ETOOBIG);
		assert_non_null(strstr(err.msg, path));
	}
	tlc_buf_release(&b);
	free(data);
}

static void test_buf__read_file_cap(void **state)
{
	static const struct {
		const char *pre;
		size_t n, max;
		int rc;
	} cases[] = {
		{ "", 5, 5, 0 },
		{ "", 6, 5, TLC_ETOOBIG },
		{ "", 4, 5, 0 },
		{ "abc", 5, 8, 0 },
		{ "abc", 5, 7, TLC_ETOOBIG },
		{ "", 65536, 65536, 0 },
		{ "", 65537, 65536, TLC_ETOOBIG },
		{ "", 65535, 65536, 0 },
		{ "", 100000, 100000, 0 },
		{ "", 100001, 100000, TLC_ETOOBIG },
		{ "", 100000, 70000, TLC_ETOOBIG },
		{ "xy", 131070, 131072, 0 },
		{ "xy", 131071, 131072, TLC_ETOOBIG },
		{ "", 1, 1, 0 },
		{ "", 2, 1, TLC_ETOOBIG },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: '%s' + %zu bytes, cap %zu\n", i,
			      cases[i].pre, cases[i].n, cases[i].max);
		read_capped(cases[i].pre, cases[i].n, cases[i].max,
			    cases[i].rc);
	}
}

static void test_buf__read_file_directory(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&b, "x"), 0);
	assert_int_equal(tlc_buf_read_file(&b, scratch, &err), TLC_EIO);
	assert_int_equal(err.code, TLC_EIO);
	assert_non_null(strstr(err.msg, scratch));
	check_is(&b, "x", 1);
	tlc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__init_needs_no_allocation),
		cmocka_unit_test(test_buf__put_puts_putc_sets),
		cmocka_unit_test(test_buf__put_nothing_allocates_nothing),
		cmocka_unit_test(test_buf__grows_over_many_appends),
		cmocka_unit_test(test_buf__binary_safe),
		cmocka_unit_test(test_buf__printf_grows_for_long_output),
		cmocka_unit_test(test_buf__vprintf),
		cmocka_unit_test(test_buf__reset_and_truncate_keep_memory),
		cmocka_unit_test(test_buf__release_keeps_cap),
		cmocka_unit_test(test_buf__detach),
		cmocka_unit_test(test_buf__grow_reserves_without_changing),
		cmocka_unit_test(test_buf__cap_exactly_met_is_ok),
		cmocka_unit_test(test_buf__over_cap_is_toobig_and_unchanged),
		cmocka_unit_test(test_buf__cap_of_one),
		cmocka_unit_test(test_buf__read_file_missing),
		cmocka_unit_test(test_buf__read_file_appends),
		cmocka_unit_test(test_buf__read_file_empty),
		cmocka_unit_test(test_buf__read_file_large),
		cmocka_unit_test(test_buf__read_file_cap),
		cmocka_unit_test(test_buf__read_file_directory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
