/*
 * The internal file-system helpers, on real files: each test gets its own
 * mkdtemp scratch directory (setup/teardown).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"
#include "testutil.h"

struct scratch {
	char dir[PATH_MAX];	/* resolved */
	char outside[PATH_MAX];	/* a second directory, for symlink targets */
};

static int setup_one(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s || tu_mkdtemp(s->dir, "fs") < 0 ||
	    tu_mkdtemp(s->outside, "fs-out") < 0)
		return -1;
	*state = s;
	return 0;
}

static int teardown_one(void **state)
{
	struct scratch *s = *state;
	int rc = tu_remove_tree(s->dir);

	if (tu_remove_tree(s->outside) < 0)
		rc = -1;
	free(s);
	return rc;
}

/* "<dir>/<rel>" in a static buffer (one of 16, rotating: copy what is
 * held across more calls). */
static const char *at(const char *dir, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *at(const char *dir, const char *fmt, ...)
{
	static char bufs[16][PATH_MAX * 2];
	static unsigned next;
	char *p = bufs[next++ % 16];
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(p, PATH_MAX * 2, "%s/%s", dir, rel);
	return p;
}

static mode_t lstat_mode(const char *path);

static mode_t mode_of(const char *path)
{
	return lstat_mode(path) & 07777;
}

static mode_t lstat_mode(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

/* Names in @dir other than "." and "..", counted; @list gets them joined. */
static int entries(const char *dir, char *list, size_t size)
{
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	if (list)
		list[0] = '\0';
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		if (list) {
			strncat(list, e->d_name, size - strlen(list) - 1);
			strncat(list, " ", size - strlen(list) - 1);
		}
	}
	closedir(d);
	return n;
}

static void test_fs__mkdir_p_nested(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "a/b/c/d"), 0755, &err), 0);
	assert_true(tlc__fs_is_dir(at(s->dir, "a")));
	assert_true(tlc__fs_is_dir(at(s->dir, "a/b/c")));
	assert_true(tlc__fs_is_dir(at(s->dir, "a/b/c/d")));
	assert_int_equal(mode_of(at(s->dir, "a/b")) & 0700, 0700);
	/* a trailing slash and doubled slashes */
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "x//y/"), 0700, &err), 0);
	assert_true(tlc__fs_is_dir(at(s->dir, "x/y")));
	assert_int_equal(err.code, 0);
}

static void test_fs__mkdir_p_existing(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_mkdir_p(s->dir, 0755, &err), 0);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "e/f"), 0755, &err), 0);
	tu_write_file(at(s->dir, "e/f/keep"), "k", 0644);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "e/f"), 0755, &err), 0);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "e"), 0755, &err), 0);
	tu_assert_file_is(at(s->dir, "e/f/keep"), "k", 1);
	assert_int_equal(tlc__fs_mkdir_p("/", 0755, &err), 0);
	/* a symlink to a directory counts as a directory */
	assert_int_equal(symlink(s->outside, at(s->dir, "ln")), 0);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "ln/sub"), 0755, &err), 0);
	assert_true(tlc__fs_is_dir(at(s->outside, "sub")));
	assert_int_equal(err.code, 0);
}

static void test_fs__mkdir_p_file_in_the_way(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *f = at(s->dir, "file");

	tu_write_file(f, "x", 0644);
	assert_int_equal(tlc__fs_mkdir_p(f, 0755, &err), TLC_EEXISTS);
	assert_int_equal(err.code, TLC_EEXISTS);
	assert_non_null(strstr(err.msg, f));
	/* below a file: the system refuses with ENOTDIR */
	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_true(tlc__fs_mkdir_p(at(s->dir, "file/sub/x"), 0755, &err) < 0);
	assert_true(err.code < 0);
	assert_non_null(strstr(err.msg, "file/sub"));
	tu_assert_file_is(f, "x", 1);
}

static void test_fs__mkdir_p_empty_path(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	/* no directory to make: an error, not a read past the string */
	assert_true(tlc__fs_mkdir_p("", 0755, &err) < 0);
	assert_true(err.code < 0);
	assert_int_equal(tlc_buf__empty[0], '\0');
}

static void test_fs__remove_tree_nested(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	char top[PATH_MAX * 2];

	snprintf(top, sizeof(top), "%s/t", s->dir);

	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "t/a/b/c"), 0755, &err), 0);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "t/empty"), 0755, &err), 0);
	tu_write_file(at(s->dir, "t/f"), "1", 0644);
	tu_write_file(at(s->dir, "t/a/b/g"), "2", 0444);
	tu_write_file(at(s->dir, "t/a/b/c/.hidden"), "3", 0600);
	assert_int_equal(mkfifo(at(s->dir, "t/a/fifo"), 0600), 0);
	assert_int_equal(tlc__fs_remove_tree(top, &err), 0);
	assert_false(tlc__fs_exists(top));
	assert_int_equal(entries(s->dir, NULL, 0), 0);
	assert_int_equal(err.code, 0);
}

static void test_fs__remove_tree_single_file(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *f = at(s->dir, "lone");

	tu_write_file(f, "x", 0644);
	assert_int_equal(tlc__fs_remove_tree(f, &err), 0);
	assert_false(tlc__fs_exists(f));
}

static void test_fs__remove_tree_missing_ok(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_remove_tree(at(s->dir, "nope"), &err), 0);
	assert_int_equal(tlc__fs_remove_tree(at(s->dir, "nope/deeper"), &err),
			 0);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
}

static void test_fs__remove_tree_does_not_follow_symlinks(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	char precious[PATH_MAX * 2];

	snprintf(precious, sizeof(precious), "%s/precious/file", s->outside);

	assert_int_equal(tlc__fs_mkdir_p(at(s->outside, "precious"), 0755,
					 &err), 0);
	tu_write_file(precious, "keep me", 0644);
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "t/sub"), 0755, &err), 0);
	/* a link to the outside directory, one to the file, a dangling one */
	assert_int_equal(symlink(at(s->outside, "precious"),
				 at(s->dir, "t/sub/dirlink")), 0);
	assert_int_equal(symlink(precious, at(s->dir, "t/filelink")), 0);
	assert_int_equal(symlink(at(s->dir, "missing"),
				 at(s->dir, "t/dangling")), 0);

	assert_int_equal(tlc__fs_remove_tree(at(s->dir, "t"), &err), 0);
	assert_false(tlc__fs_exists(at(s->dir, "t")));
	assert_true(tlc__fs_is_dir(at(s->outside, "precious")));
	tu_assert_file_is(precious, "keep me", 7);

	/* the root itself a symlink: the link goes, not the target */
	assert_int_equal(symlink(at(s->outside, "precious"),
				 at(s->dir, "rootlink")), 0);
	assert_int_equal(tlc__fs_remove_tree(at(s->dir, "rootlink"), &err), 0);
	assert_false(tlc__fs_exists(at(s->dir, "rootlink")));
	tu_assert_file_is(precious, "keep me", 7);
}

static void test_fs__write_atomic(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *f = at(s->dir, "out.bin");
	char names[1024];

	assert_int_equal(tlc__fs_write_atomic(f, "a\0b", 3, 0640, &err), 0);
	tu_assert_file_is(f, "a\0b", 3);
	assert_int_equal(mode_of(f), 0640);
	/* replacing: new content and mode, no temporary file left */
	assert_int_equal(tlc__fs_write_atomic(f, "new", 3, 0755, &err), 0);
	tu_assert_file_is(f, "new", 3);
	assert_int_equal(mode_of(f), 0755);
	assert_int_equal(entries(s->dir, names, sizeof(names)), 1);
	assert_string_equal(names, "out.bin ");
	/* empty content */
	assert_int_equal(tlc__fs_write_atomic(f, "", 0, 0644, &err), 0);
	tu_assert_file_is(f, "", 0);
	assert_int_equal(entries(s->dir, NULL, 0), 1);
	assert_int_equal(err.code, 0);
}

static void test_fs__write_atomic_large(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const size_t n = 3 << 20;
	char *data = malloc(n);

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31 + (i >> 9));
	assert_int_equal(tlc__fs_write_atomic(at(s->dir, "big"), data, n,
					      0644, &err), 0);
	tu_assert_file_is(at(s->dir, "big"), data, n);
	free(data);
}

static void test_fs__write_atomic_replaces_symlink_not_target(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *target = at(s->outside, "target");
	const char *link = at(s->dir, "link");

	tu_write_file(target, "old", 0644);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(tlc__fs_write_atomic(link, "new", 3, 0644, &err), 0);
	tu_assert_file_is(target, "old", 3);
	tu_assert_file_is(link, "new", 3);
	assert_true(S_ISREG(lstat_mode(link)));
}

static void test_fs__write_atomic_missing_dir(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *f = at(s->dir, "no/such/dir/file");

	assert_true(tlc__fs_write_atomic(f, "x", 1, 0644, &err) < 0);
	assert_int_equal(err.code, TLC_EIO);
	assert_non_null(strstr(err.msg, f));
	assert_int_equal(entries(s->dir, NULL, 0), 0);
}

static void test_fs__write_atomic_onto_directory(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *d = at(s->dir, "adir");

	assert_int_equal(mkdir(d, 0755), 0);
	tu_write_file(at(s->dir, "adir/inside"), "i", 0644);
	assert_int_equal(tlc__fs_write_atomic(d, "x", 1, 0644, &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "adir"));
	/* the directory is intact and the temporary file is gone */
	assert_true(tlc__fs_is_dir(d));
	tu_assert_file_is(at(s->dir, "adir/inside"), "i", 1);
	assert_int_equal(entries(s->dir, NULL, 0), 1);
}

static void test_fs__tmpfile_and_commit(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf tmp = TLC_BUF_INIT;
	const char *f = at(s->dir, "index.json");
	char names[1024], want[PATH_MAX * 2];
	int fd;

	tu_write_file(f, "previous", 0644);
	assert_int_equal(tlc_buf_puts(&tmp, "pre:"), 0);
	fd = tlc__fs_tmpfile(&tmp, f, 0600, &err);
	assert_true(fd >= 0);
	/* appended after what the buffer held: "<path>.tmp.XXXXXX" */
	assert_memory_equal(tmp.ptr, "pre:", 4);
	snprintf(want, sizeof(want), "%s.tmp.", f);
	assert_int_equal(tmp.len, 4 + strlen(want) + 6);
	assert_memory_equal(tmp.ptr + 4, want, strlen(want));
	assert_true(tlc__fs_exists(tmp.ptr + 4));
	assert_int_equal(mode_of(tmp.ptr + 4), 0600);
	/* the target is untouched until the commit */
	assert_int_equal(tlc__fs_write_all(fd, "{}\n", 3, tmp.ptr + 4, &err),
			 0);
	tu_assert_file_is(f, "previous", 8);
	assert_int_equal(entries(s->dir, NULL, 0), 2);
	assert_int_equal(tlc__fs_commit(fd, tmp.ptr + 4, f, &err), 0);
	tu_assert_file_is(f, "{}\n", 3);
	assert_int_equal(mode_of(f), 0600);
	assert_false(tlc__fs_exists(tmp.ptr + 4));
	assert_int_equal(entries(s->dir, names, sizeof(names)), 1);
	assert_string_equal(names, "index.json ");
	assert_int_equal(err.code, 0);
	tlc_buf_release(&tmp);
}

static void test_fs__tmpfile_names_differ(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf a = TLC_BUF_INIT, b = TLC_BUF_INIT;
	const char *f = at(s->dir, "x");
	int fa, fb;

	fa = tlc__fs_tmpfile(&a, f, 0644, &err);
	fb = tlc__fs_tmpfile(&b, f, 0644, &err);
	assert_true(fa >= 0 && fb >= 0);
	assert_string_not_equal(a.ptr, b.ptr);
	/* close-on-exec, so children never inherit them */
	assert_true(fcntl(fa, F_GETFD) & FD_CLOEXEC);
	close(fa);
	close(fb);
	tlc_buf_release(&a);
	tlc_buf_release(&b);
}

static void test_fs__tmpfile_missing_dir(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf tmp = TLC_BUF_INIT;

	assert_int_equal(tlc_buf_puts(&tmp, "keep"), 0);
	assert_int_equal(tlc__fs_tmpfile(&tmp, at(s->dir, "nodir/f"), 0644,
					 &err), TLC_EIO);
	assert_int_equal(err.code, TLC_EIO);
	assert_non_null(strstr(err.msg, "nodir/f"));
	assert_string_equal(tmp.ptr, "keep");
	assert_int_equal(tmp.len, 4);
	tlc_buf_release(&tmp);
}

static void test_fs__commit_failure_removes_tmp(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf tmp = TLC_BUF_INIT;
	const char *d = at(s->dir, "dir-target");
	int fd;

	/* rename() of a file over a non-empty directory fails */
	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "dir-target/x"), 0755,
					 &err), 0);
	fd = tlc__fs_tmpfile(&tmp, d, 0644, &err);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_commit(fd, tmp.ptr, d, &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "dir-target"));
	assert_false(tlc__fs_exists(tmp.ptr));
	/* fd was closed */
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(entries(s->dir, NULL, 0), 1);
	tlc_buf_release(&tmp);
}

static void test_fs__commit_relative_path(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf tmp = TLC_BUF_INIT;
	char old[PATH_MAX];
	int fd;

	/* a bare file name: its directory is "." */
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(s->dir), 0);
	fd = tlc__fs_tmpfile(&tmp, "rel", 0644, &err);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, "r", 1, tmp.ptr, &err), 0);
	assert_int_equal(tlc__fs_commit(fd, tmp.ptr, "rel", &err), 0);
	assert_int_equal(chdir(old), 0);
	tu_assert_file_is(at(s->dir, "rel"), "r", 1);
	tlc_buf_release(&tmp);
}

static void test_fs__copy_file(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const size_t n = 200000;
	char *data = malloc(n + 1);

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	data[n] = '\0';
	tu_write_file(at(s->dir, "src"), data, 0600);
	assert_int_equal(tlc__fs_copy_file(at(s->dir, "src"),
					   at(s->dir, "dst"), &err), 0);
	tu_assert_file_is(at(s->dir, "dst"), data, n);
	assert_int_equal(mode_of(at(s->dir, "dst")) & 0111, 0);

	/* over an existing, longer file: truncated */
	tu_write_file(at(s->dir, "short"), "tiny", 0644);
	assert_int_equal(tlc__fs_copy_file(at(s->dir, "short"),
					   at(s->dir, "dst"), &err), 0);
	tu_assert_file_is(at(s->dir, "dst"), "tiny", 4);
	assert_int_equal(err.code, 0);
	free(data);
}

static void test_fs__copy_file_keeps_exec_bit(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	mode_t old = umask(022);

	tu_write_file(at(s->dir, "tool"), "#!/bin/sh\necho hi\n", 0750);
	assert_int_equal(tlc__fs_copy_file(at(s->dir, "tool"),
					   at(s->dir, "tool2"), &err), 0);
	umask(old);
	assert_int_equal(mode_of(at(s->dir, "tool2")), 0755);
	tu_assert_file_is(at(s->dir, "tool2"), "#!/bin/sh\necho hi\n", 18);
	/* through a symlink to an executable: the target's bits count */
	assert_int_equal(symlink(at(s->dir, "tool"), at(s->dir, "toolink")),
			 0);
	assert_int_equal(tlc__fs_copy_file(at(s->dir, "toolink"),
					   at(s->dir, "tool3"), &err), 0);
	assert_true(mode_of(at(s->dir, "tool3")) & 0100);
}

static void test_fs__copy_file_refuses_non_regular(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_copy_file(s->outside, at(s->dir, "d"), &err),
			 TLC_EPOLICY);
	assert_int_equal(err.code, TLC_EPOLICY);
	assert_non_null(strstr(err.msg, s->outside));
	assert_false(tlc__fs_exists(at(s->dir, "d")));

	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_int_equal(tlc__fs_copy_file("/dev/null", at(s->dir, "n"), &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "/dev/null"));
	assert_false(tlc__fs_exists(at(s->dir, "n")));
}

static void test_fs__copy_file_missing_source(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_copy_file(at(s->dir, "none"),
					   at(s->dir, "d"), &err),
			 TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "none"));
	assert_false(tlc__fs_exists(at(s->dir, "d")));

	/* a destination that cannot be created */
	tu_write_file(at(s->dir, "src"), "x", 0644);
	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_int_equal(tlc__fs_copy_file(at(s->dir, "src"),
					   at(s->dir, "no/dir/d"), &err),
			 TLC_EIO);
	assert_non_null(strstr(err.msg, "no/dir/d"));
}

static void test_fs__copy_file_onto_itself(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	char f[PATH_MAX * 2], link[PATH_MAX * 2];

	/* refused or a no-op, but the file must survive (cp refuses: "are
	 * the same file") */
	snprintf(f, sizeof(f), "%s/same", s->dir);
	snprintf(link, sizeof(link), "%s/same-link", s->dir);
	tu_write_file(f, "precious", 0644);
	assert_int_equal(symlink(f, link), 0);
	(void)tlc__fs_copy_file(f, f, &err);
	tu_assert_file_is(f, "precious", 8);
	(void)tlc__fs_copy_file(link, f, &err);
	tu_assert_file_is(f, "precious", 8);
}

static void test_fs__exists_and_is_dir(void **state)
{
	struct scratch *s = *state;

	tu_write_file(at(s->dir, "f"), "", 0644);
	assert_int_equal(mkdir(at(s->dir, "d"), 0755), 0);
	assert_int_equal(symlink(at(s->dir, "d"), at(s->dir, "dl")), 0);
	assert_int_equal(symlink(at(s->dir, "gone"), at(s->dir, "dangling")),
			 0);

	assert_true(tlc__fs_exists(at(s->dir, "f")));
	assert_false(tlc__fs_is_dir(at(s->dir, "f")));
	assert_true(tlc__fs_exists(at(s->dir, "d")));
	assert_true(tlc__fs_is_dir(at(s->dir, "d")));
	assert_true(tlc__fs_exists(at(s->dir, "dl")));
	assert_true(tlc__fs_is_dir(at(s->dir, "dl")));
	/* exists: symlinks not followed; is_dir: followed */
	assert_true(tlc__fs_exists(at(s->dir, "dangling")));
	assert_false(tlc__fs_is_dir(at(s->dir, "dangling")));
	assert_false(tlc__fs_exists(at(s->dir, "gone")));
	assert_false(tlc__fs_is_dir(at(s->dir, "gone")));
	assert_false(tlc__fs_exists(""));
	assert_false(tlc__fs_is_dir(""));
}

static void test_fs__realpath(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char want[PATH_MAX * 2], old[PATH_MAX];

	assert_int_equal(tlc__fs_mkdir_p(at(s->dir, "r/a"), 0755, &err), 0);
	assert_int_equal(symlink(at(s->dir, "r/a"), at(s->dir, "r/l")), 0);
	snprintf(want, sizeof(want), "%s/r/a", s->dir);

	assert_int_equal(tlc_buf_puts(&out, "=>"), 0);
	assert_int_equal(tlc__fs_realpath(&out, at(s->dir, "r/l/../a/./"),
					  &err), 0);
	assert_memory_equal(out.ptr, "=>", 2);
	assert_string_equal(out.ptr + 2, want);

	/* relative to the current directory */
	tlc_buf_reset(&out);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(at(s->dir, "r")), 0);
	assert_int_equal(tlc__fs_realpath(&out, "l", &err), 0);
	assert_int_equal(chdir(old), 0);
	assert_string_equal(out.ptr, want);

	tlc_buf_reset(&out);
	assert_int_equal(tlc__fs_realpath(&out, at(s->dir, "r/missing"), &err),
			 TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "r/missing"));
	assert_int_equal(out.len, 0);
	tlc_buf_release(&out);
}

static void test_fs__join(void **state)
{
	static const struct {
		const char *a, *b, *want;
	} cases[] = {
		{ "a", "b", "a/b" },
		{ "a/", "b", "a/b" },
		{ "/", "etc", "/etc" },
		{ "", "b", "b" },
		{ "a", "", "a" },
		{ "", "", "" },
		{ "/x/y", "z/w", "/x/y/z/w" },
		{ "a//", "b", "a//b" },
	};
	struct tlc_buf out = TLC_BUF_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&out, "replaced"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(tlc__fs_join(&out, cases[i].a, cases[i].b), 0);
		assert_string_equal(out.ptr, cases[i].want);
		assert_int_equal(out.len, strlen(cases[i].want));
	}
	tlc_buf_release(&out);

	/* the buffer's cap applies */
	{
		struct tlc_buf c = TLC_BUF_INIT_MAX(4);

		assert_int_equal(tlc__fs_join(&c, "ab", "cd"), TLC_ETOOBIG);
		assert_int_equal(tlc__fs_join(&c, "a", "cd"), 0);
		assert_string_equal(c.ptr, "a/cd");
		tlc_buf_release(&c);
	}
}

static void test_fs__write_all(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *f = at(s->dir, "w");
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, "abc", 3, f, &err), 0);
	assert_int_equal(tlc__fs_write_all(fd, "", 0, f, &err), 0);
	close(fd);
	tu_assert_file_is(f, "abc", 3);
	/* a read-only descriptor */
	fd = open(f, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, "x", 1, "what", &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "'what'"));
	close(fd);
}

static void test_fs__fsync_dir(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_fsync_dir(s->dir, &err), 0);
	assert_int_equal(tlc__fs_fsync_dir(at(s->dir, "none"), &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "none"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_one, teardown_one)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fs__mkdir_p_nested),
		T(test_fs__mkdir_p_existing),
		T(test_fs__mkdir_p_file_in_the_way),
		T(test_fs__mkdir_p_empty_path),
		T(test_fs__remove_tree_nested),
		T(test_fs__remove_tree_single_file),
		T(test_fs__remove_tree_missing_ok),
		T(test_fs__remove_tree_does_not_follow_symlinks),
		T(test_fs__write_atomic),
		T(test_fs__write_atomic_large),
		T(test_fs__write_atomic_replaces_symlink_not_target),
		T(test_fs__write_atomic_missing_dir),
		T(test_fs__write_atomic_onto_directory),
		T(test_fs__tmpfile_and_commit),
		T(test_fs__tmpfile_names_differ),
		T(test_fs__tmpfile_missing_dir),
		T(test_fs__commit_failure_removes_tmp),
		T(test_fs__commit_relative_path),
		T(test_fs__copy_file),
		T(test_fs__copy_file_keeps_exec_bit),
		T(test_fs__copy_file_refuses_non_regular),
		T(test_fs__copy_file_missing_source),
		T(test_fs__copy_file_onto_itself),
		T(test_fs__exists_and_is_dir),
		T(test_fs__realpath),
		T(test_fs__join),
		T(test_fs__write_all),
		T(test_fs__fsync_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
