/*
 * Helpers the unit tests share: scratch directories, files written and
 * read back, commands run through the shell.  Each tests/unit/test_*.c is
 * built alone (tests/CMakeLists.txt), so everything here is static
 * inline: a test pays only for what it calls, and unused helpers draw no
 * warning.  Helpers that check something fail the running cmocka test.
 */
#ifndef TLC_TESTUTIL_H
#define TLC_TESTUTIL_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "fs.h"		/* tlc__fs_mkdir_p, tlc__fs_remove_tree */
#include "tlcpack/buf.h"

/*
 * Make a new directory /tmp/tlc-test-@name-XXXXXX and put its resolved
 * path in @dir (PATH_MAX bytes).
 *
 * @return 0, or -1 (what a cmocka setup returns on failure)
 */
static inline int tu_mkdtemp(char *dir, const char *name)
{
	char tmpl[PATH_MAX];

	snprintf(tmpl, sizeof(tmpl), "/tmp/tlc-test-%s-XXXXXX", name);
	if (!mkdtemp(tmpl) || !realpath(tmpl, dir))
		return -1;
	return 0;
}

/* "@dir/@rel", in one of 8 static buffers used in turn: good for the
 * arguments of one call. */
static inline const char *tu_at(const char *dir, const char *rel)
{
	static char bufs[8][PATH_MAX * 2];
	static unsigned next;
	char *p = bufs[next++ % 8];

	snprintf(p, PATH_MAX * 2, "%s/%s", dir, rel);
	return p;
}

/* Remove @path and all below it.  @return 0, or -1 (for a teardown) */
static inline int tu_remove_tree(const char *path)
{
	struct tlc_error err = TLC_ERROR_INIT;

	return tlc__fs_remove_tree(path, &err) < 0 ? -1 : 0;
}

/* Write @text to the file @path (its directory must exist), mode @mode. */
static inline void tu_write_file(const char *path, const char *text,
				 mode_t mode)
{
	FILE *f = fopen(path, "wb");
	size_t n = strlen(text);

	if (!f)
		fail_msg("cannot create '%s'", path);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Write @text to @dir/@rel, making the directories on the way. */
static inline void tu_put(const char *dir, const char *rel, const char *text,
			  mode_t mode)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char p[PATH_MAX * 2], *slash;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	slash = strrchr(p, '/');
	*slash = '\0';
	if (tlc__fs_mkdir_p(p, 0755, &err) < 0)
		fail_msg("%s", err.msg);
	*slash = '/';
	tu_write_file(p, text, mode);
}

/* The file @path must hold exactly the @n bytes at @data. */
static inline void tu_assert_file_is(const char *path, const void *data,
				     size_t n)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char got[128] = "";
	size_t len;
	bool same;
	int rc;

	rc = tlc_buf_read_file(&b, path, &err);
	len = b.len;
	same = b.len == n && !memcmp(b.ptr, data, n);
	if (!same)
		snprintf(got, sizeof(got), "%.*s", (int)(len < 100 ? len : 100),
			 b.ptr);
	tlc_buf_release(&b);
	if (rc < 0)
		fail_msg("%s", err.msg);
	if (!same)
		fail_msg("'%s' holds %zu bytes ('%s'), not the %zu expected",
			 path, len, got, n);
}

/* Whether the files @a and @b (both must be readable) hold the same
 * bytes. */
static inline bool tu_same_file(const char *a, const char *b)
{
	struct tlc_buf x = TLC_BUF_INIT, y = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	bool same;

	assert_int_equal(tlc_buf_read_file(&x, a, &err), 0);
	assert_int_equal(tlc_buf_read_file(&y, b, &err), 0);
	same = x.len == y.len && !memcmp(x.ptr, y.ptr, x.len);
	tlc_buf_release(&x);
	tlc_buf_release(&y);
	return same;
}

static inline int tu_run(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Run the shell command @fmt (printf-style).  @return its exit status,
 * or 128 when it did not exit normally */
static inline int tu_run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#endif
