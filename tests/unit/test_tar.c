/*
 * The tar reader and writer (tar.h), on real files: round trips through
 * plain and gzip archives, pax for long names, reproducibility, every
 * refusal with its message, and archives made by Python's tarfile and
 * GNU tar read back (and ours read by them).
 */
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

#include "testutil.h"
#include "tlcpack/tar.h"

struct ent {
	const char *name;
	int type;
	const char *link;
	const char *data;
};

static char dir[PATH_MAX];

static int setup(void **state)
{
	return tu_mkdtemp(dir, "tar");
}

static int teardown(void **state)
{
	return tu_remove_tree(dir);
}

static const char *at(const char *rel)
{
	return tu_at(dir, rel);
}

/* Write the entries to @path; @sums may be NULL. */
static void make_tar(const char *path, int level, const struct ent *es,
		     size_t n, struct tlc_tar_sums *sums)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_tar_writer *w;
	struct tlc_tar_sums s;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(tlc_tar_writer_new(&w, fd, level, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct tlc_tar_entry e = { es[i].name, es[i].link ? es[i].link : "",
					   es[i].type, es[i].type == TLC_TAR_DIR ?
					   0755 : 0644, 0, 1000, 0, 0, 0, 0 };

		if (es[i].data)
			e.size = strlen(es[i].data);
		if (tlc_tar_writer_add(w, &e, &err) < 0)
			fail_msg("%s", err.msg);
		if (e.size)
			assert_int_equal(tlc_tar_writer_write(w, es[i].data,
							      e.size, &err), 0);
	}
	assert_int_equal(tlc_tar_writer_finish(w, sums ? sums : &s, &err), 0);
	tlc_tar_writer_free(w);
	assert_int_equal(close(fd), 0);
}

/* Read @path through; the number of entries, or the error code (message
 * in @err). */
static int read_all(const char *path, struct tlc_error *err,
		    unsigned char *diff_id)
{
	struct tlc_tar_reader *r;
	const struct tlc_tar_entry *e;
	char buf[4096];
	size_t got;
	int fd = open(path, O_RDONLY), rc, n = 0;

	assert_true(fd >= 0);
	if ((rc = tlc_tar_reader_new(&r, fd, 0, UINT64_MAX, "t.tar", err)) < 0)
		goto out;
	while ((rc = tlc_tar_reader_next(r, &e, err)) == 1) {
		n++;
		while ((rc = tlc_tar_reader_read(r, buf, sizeof(buf), &got,
						 err)) == 0 && got)
			;
		if (rc < 0)
			break;
	}
	if (!rc && diff_id)
		assert_true(tlc_tar_reader_diff_id(r, diff_id));
	tlc_tar_reader_free(r);
out:
	close(fd);
	return rc < 0 ? rc : n;
}

static char long_name[300];
static char long_link[300];

static void test_tar__round_trip(int level)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_tar_reader *r;
	const struct tlc_tar_entry *e;
	struct tlc_tar_sums sums;
	unsigned char did[32];
	char buf[64];
	size_t got;
	int fd;

	memset(long_name, 'n', 250);
	long_name[100] = '/';	/* no prefix/name split fits: pax */
	long_name[250] = '\0';
	memset(long_link, 'l', 200);
	long_link[200] = '\0';
	{
		const struct ent es[] = {
			{ "d", TLC_TAR_DIR, NULL, NULL },
			{ "d/f.txt", TLC_TAR_FILE, NULL, "hello" },
			{ "d/link", TLC_TAR_SYMLINK, "f.txt", NULL },
			{ "d/hard", TLC_TAR_HARDLINK, "d/f.txt", NULL },
			{ long_name, TLC_TAR_FILE, NULL, "x" },
			{ "d/long", TLC_TAR_SYMLINK, long_link, NULL },
			{ "./d/./dot//x", TLC_TAR_FILE, NULL, "" },
		};

		make_tar(at("a.tar"), level, es, 7, &sums);
	}
	fd = open(at("a.tar"), O_RDONLY);
	assert_int_equal(tlc_tar_reader_new(&r, fd, 0, UINT64_MAX, "a.tar",
					    &err), 0);
	assert_int_equal(tlc_tar_reader_gzip(r), level >= 0);
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_string_equal(e->name, "d");
	assert_int_equal(e->type, TLC_TAR_DIR);
	assert_int_equal(e->mode, 0755);
	assert_int_equal(e->mtime, 1000);
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_string_equal(e->name, "d/f.txt");
	assert_int_equal(e->size, 5);
	assert_int_equal(tlc_tar_reader_read(r, buf, sizeof(buf), &got, &err), 0);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_int_equal(e->type, TLC_TAR_SYMLINK);
	assert_string_equal(e->linkname, "f.txt");
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_int_equal(e->type, TLC_TAR_HARDLINK);
	assert_string_equal(e->linkname, "d/f.txt");
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_string_equal(e->name, long_name);
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_string_equal(e->linkname, long_link);
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 1);
	assert_string_equal(e->name, "d/dot/x");
	assert_int_equal(tlc_tar_reader_next(r, &e, &err), 0);
	assert_true(tlc_tar_reader_diff_id(r, did));
	assert_memory_equal(did, sums.diff_id, 32);
	if (level < 0)
		assert_memory_equal(sums.diff_id, sums.digest, 32);
	tlc_tar_reader_free(r);
	close(fd);
	/* Python's tarfile reads it to the same names */
	assert_int_equal(tu_run("cd '%s' && python3 -c \"import tarfile,sys; "
				"t=tarfile.open('a.tar'); n=t.getnames(); "
				"sys.exit(0 if n[4]=='%s' and t.getmember('d/long')"
				".linkname=='%s' else 1)\"", dir, long_name,
				long_link), 0);
}

static void test_tar__round_trip_plain(void **state)
{
	test_tar__round_trip(-1);
}

static void test_tar__round_trip_gzip(void **state)
{
	test_tar__round_trip(6);
}

static void test_tar__tree_reproducible(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_tar_sums s1, s2;
	struct tlc_tar_writer *w;
	int fd;

	tu_put(dir, "tree/b/z.py", "print(1)\n", 0644);
	tu_put(dir, "tree/a.txt", "a\n", 0600);
	tu_put(dir, "tree/b/run", "#!/bin/sh\n", 0755);
	assert_int_equal(symlink("z.py", at("tree/b/l")), 0);
	for (int i = 0; i < 2; i++) {
		fd = open(at(i ? "t2.tgz" : "t1.tgz"), O_WRONLY | O_CREAT, 0644);
		assert_int_equal(tlc_tar_writer_new(&w, fd, 6, &err), 0);
		assert_int_equal(tlc_tar_writer_add_tree(w, at("tree"), 1234,
							 &err), 0);
		assert_int_equal(tlc_tar_writer_finish(w, i ? &s2 : &s1, &err), 0);
		tlc_tar_writer_free(w);
		close(fd);
		/* a later mtime on disk changes nothing */
		assert_int_equal(tu_run("touch '%s/tree/a.txt'", dir), 0);
	}
	assert_true(tu_same_file(at("t1.tgz"), at("t2.tgz")));
	assert_memory_equal(s1.digest, s2.digest, 32);
	assert_memory_equal(s1.diff_id, s2.diff_id, 32);
	/* sorted, modes kept, gzip header without mtime: GNU tar agrees */
	assert_int_equal(tu_run("cd '%s' && tar -tvzf t1.tgz | awk '{print $1, $2, $4, $5, $6}' > list && "
				"printf '%%s\\n' '-rw------- root/root 1970-01-01 00:20 a.txt' "
				"'drwxr-xr-x root/root 1970-01-01 00:20 b/' "
				"'lrwxrwxrwx root/root 1970-01-01 00:20 b/l' "
				"'-rwxr-xr-x root/root 1970-01-01 00:20 b/run' "
				"'-rw-r--r-- root/root 1970-01-01 00:20 b/z.py' | diff - list",
				dir), 0);
	assert_int_equal(tu_run("cd '%s' && test \"$(head -c 10 t1.tgz | od -An -tx1 | tr -d ' \\n')\" = 1f8b0800000000000003",
				dir), 0);
}

static void expect_refusal(const char *file, const char *msg)
{
	struct tlc_error err = TLC_ERROR_INIT;
	int rc = read_all(file, &err, NULL);

	if (rc != TLC_EPOLICY || !strstr(err.msg, msg))
		fail_msg("'%s': got %d '%s', wanted '%s'", file, rc, err.msg,
			 msg);
}

static void test_tar__bad_checksum(void **state)
{
	const struct ent es[] = { { "f", TLC_TAR_FILE, NULL, "data" } };
	int fd;

	make_tar(at("c.tar"), -1, es, 1, NULL);
	fd = open(at("c.tar"), O_WRONLY);
	assert_int_equal(pwrite(fd, "g", 1, 0), 1);
	close(fd);
	expect_refusal(at("c.tar"), "bad header checksum at offset 0 in 't.tar'");
}

static void test_tar__truncated(void **state)
{
	const struct ent es[] = { { "f", TLC_TAR_FILE, NULL, "data" },
				  { "g", TLC_TAR_FILE, NULL, "more" } };

	make_tar(at("t.tar"), -1, es, 2, NULL);
	assert_int_equal(truncate(at("t.tar"), 515), 0);
	expect_refusal(at("t.tar"), "truncated archive: 'f' is cut short");
	assert_int_equal(truncate(at("t.tar"), 1024 + 100), 0);
	expect_refusal(at("t.tar"), "truncated archive (a header is cut short)");
}

static void test_tar__bad_gzip(void **state)
{
	const struct ent es[] = { { "f", TLC_TAR_FILE, NULL, "data data data" } };
	int fd;

	make_tar(at("g.tgz"), 6, es, 1, NULL);
	fd = open(at("g.tgz"), O_WRONLY);
	assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, 12), 4);
	close(fd);
	expect_refusal(at("g.tgz"), "bad gzip data");
	make_tar(at("h.tgz"), 6, es, 1, NULL);
	assert_int_equal(truncate(at("h.tgz"), 30), 0);
	expect_refusal(at("h.tgz"), "truncated gzip stream");
}

static void test_tar__hostile_names(void **state)
{
	const struct ent abs[] = { { "/etc/passwd", TLC_TAR_FILE, NULL, "x" } };
	const struct ent dd[] = { { "a/../../x", TLC_TAR_FILE, NULL, "x" } };
	const struct ent hl[] = { { "h", TLC_TAR_HARDLINK, "../etc/passwd", NULL } };
	const struct ent hla[] = { { "h", TLC_TAR_HARDLINK, "/etc/passwd", NULL } };

	make_tar(at("1.tar"), -1, abs, 1, NULL);
	expect_refusal(at("1.tar"), "absolute path '/etc/passwd'");
	make_tar(at("2.tar"), -1, dd, 1, NULL);
	expect_refusal(at("2.tar"), "path 'a/../../x' has a '..' component");
	make_tar(at("3.tar"), -1, hl, 1, NULL);
	expect_refusal(at("3.tar"), "hard link 'h' in 't.tar': path '../etc/passwd' has a '..' component");
	make_tar(at("4.tar"), -1, hla, 1, NULL);
	expect_refusal(at("4.tar"), "absolute path '/etc/passwd'");
}

static void test_tar__unsupported_type_and_empty(void **state)
{
	const struct ent es[] = { { "s", 'S', NULL, NULL } };

	make_tar(at("s.tar"), -1, es, 1, NULL);
	expect_refusal(at("s.tar"), "unsupported entry type 'S' for 's'");
	tu_write_file(at("e.tar"), "", 0644);
	expect_refusal(at("e.tar"), "empty archive");
}

/* Archives other tools write: GNU tar's long names ('L') and Python's pax
 * with a big number of entries; the diff_id is sha256sum's. */
static void test_tar__reads_other_writers(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	unsigned char did[32];
	char hex[65], cmd[PATH_MAX * 3];
	FILE *p;

	tu_put(dir, "src/x/y", "y\n", 0644);
	memset(long_name, 'q', 180);
	long_name[180] = '\0';
	tu_put(dir, "src/x/z", "z\n", 0644);
	assert_int_equal(tu_run("cd '%s/src' && mkdir -p deep && touch deep/%s && "
				"tar --format=gnu -cf ../gnu.tar . && "
				"python3 -c \"import tarfile; t=tarfile.open('../py.tgz','w:gz',format=tarfile.PAX_FORMAT); t.add('.'); t.close()\"",
				dir, long_name), 0);
	assert_int_equal(read_all(at("gnu.tar"), &err, did), 6);
	snprintf(cmd, sizeof(cmd), "sha256sum '%s/gnu.tar'", dir);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(hex, sizeof(hex), p));
	pclose(p);
	for (int i = 0; i < 32; i++) {
		char b[3];

		snprintf(b, sizeof(b), "%02x", did[i]);
		assert_memory_equal(b, hex + 2 * i, 2);
	}
	assert_int_equal(read_all(at("py.tgz"), &err, NULL), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_tar__round_trip_plain),
		T(test_tar__round_trip_gzip),
		T(test_tar__tree_reproducible),
		T(test_tar__bad_checksum),
		T(test_tar__truncated),
		T(test_tar__bad_gzip),
		T(test_tar__hostile_names),
		T(test_tar__unsupported_type_and_empty),
		T(test_tar__reads_other_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
