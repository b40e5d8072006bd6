/*
 * The zip writer, read back by real tools: Python's zipfile (through
 * tests/wheel/zipcheck.py, which also parses the headers itself),
 * Info-ZIP's `unzip -t` when it is installed, and our own reader.  The
 * reader reads what Python's zipfile writes (tests/wheel/pyzips.py),
 * refuses a table of hostile archives with the rule broken named, and
 * copies members raw into new archives.  The strict check, for archives
 * a repository accepts, refuses a second table of archives the reader
 * opens, and passes zipfile's archives (but for comments and data
 * descriptors) and every archive of ours.
 *
 * The zip64 test writes a member of 4 GiB and a bit; it runs only when
 * TLC_TEST_SLOW is set (CTest entry zip/over_4gib, label "slow").
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <zlib.h>

#include "deflate.h"
#include "fs.h"
#include "tlcpack/zip.h"

#include "testutil.h"

struct member {
	const char *arcname;
	const char *file;	/* under the scratch dir; NULL: data */
	const void *data;
	size_t len;
	unsigned mode;
	int method;		/* expected, or -1 */
};

struct scratch {
	char dir[64];
};

static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	snprintf(s->dir, sizeof(s->dir), "/tmp/tlc-test-zip.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc__fs_remove_tree(s->dir, &err), 0);
	free(s);
	return 0;
}

static char *path_in(const struct scratch *s, const char *name)
{
	size_t n = strlen(s->dir) + strlen(name) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", s->dir, name);
	return p;
}

static void write_file(const struct scratch *s, const char *name,
		       const void *data, size_t len, mode_t mode)
{
	char *p = path_in(s, name);
	char *slash = strrchr(p, '/');
	struct tlc_error err = TLC_ERROR_INIT;
	int fd;

	*slash = '\0';
	assert_int_equal(tlc__fs_mkdir_p(p, 0755, &err), 0);
	*slash = '/';
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, data, len, p, &err), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(p);
}

/* Deterministic filler: xorshift noise, or a compressible text pattern. */
static unsigned char *noise(size_t len, uint64_t seed)
{
	unsigned char *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		p[i] = (unsigned char)seed;
	}
	return p;
}

static unsigned char *text(size_t len, unsigned salt)
{
	unsigned char *p = malloc(len ? len : 1);
	size_t i = 0;

	assert_non_null(p);
	while (i < len) {
		char line[96];
		int n = snprintf(line, sizeof(line),
				 "line %zu of the test text, salt %u: %s\n",
				 i / 61, salt, i % 3 ? "lorem ipsum" : "dolor");

		for (int k = 0; k < n && i < len; k++)
			p[i++] = (unsigned char)line[k];
	}
	return p;
}

static bool have_unzip(void)
{
	return tu_run("command -v unzip >/dev/null 2>&1") == 0;
}

static const char *source_dir(void)
{
	const char *d = getenv("TLC_SOURCE_DIR");

	return d ? d : ".";
}

/* Write @n members to <dir>/@zipname; return the writer's status. */
static int write_zip(const struct scratch *s, const char *zipname,
		     const struct member *m, size_t n,
		     const struct tlc_zip_writer_opts *opts,
		     struct tlc_error *err)
{
	struct tlc_zip_writer *w = NULL;
	char *zp = path_in(s, zipname);
	int fd, rc;

	fd = open(zp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	if ((rc = tlc_zip_writer_new(&w, fd, opts, err)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (m[i].file) {
			char *fp = path_in(s, m[i].file);

			rc = tlc_zip_add_file(w, m[i].arcname, fp, m[i].mode,
					      err);
			free(fp);
		} else {
			rc = tlc_zip_add_data(w, m[i].arcname, m[i].data,
					      m[i].len, m[i].mode, err);
		}
		if (rc < 0)
			goto out;
	}
	rc = tlc_zip_writer_finish(w, NULL, err);
	if (rc == 0) {
		/* the entries are there, with sizes and CRCs */
		assert_int_equal(tlc_zip_writer_count(w), n);
		for (size_t i = 0; i < n; i++) {
			const struct tlc_zip_entry *e =
				tlc_zip_writer_entry(w, i);

			assert_string_equal(e->name, m[i].arcname);
			assert_int_equal(e->mode,
					 m[i].mode & 0111 ? 0755 : 0644);
			assert_int_equal(e->has_sha256, opts->sha256);
			if (m[i].method >= 0)
				assert_int_equal(e->method, m[i].method);
			assert_true(e->csize <= e->size);
		}
	}
out:
	tlc_zip_writer_free(w);
	close(fd);
	free(zp);
	return rc;
}

/* Write the manifest zipcheck.py reads; data members are saved to files
 * first, so every member is compared with bytes on disk. */
static void write_manifest(const struct scratch *s, const char *name,
			   const struct member *m, size_t n)
{
	char *mp = path_in(s, name);
	FILE *f = fopen(mp, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		char *fp;

		if (m[i].file) {
			fp = path_in(s, m[i].file);
		} else {
			char sub[64];

			snprintf(sub, sizeof(sub), "data/%zu", i);
			write_file(s, sub, m[i].data, m[i].len, 0644);
			fp = path_in(s, sub);
		}
		fprintf(f, "%s\t%s\t%o", m[i].arcname, fp,
			m[i].mode & 0111 ? 0755 : 0644);
		if (m[i].method >= 0)
			fprintf(f, "\t%d", m[i].method);
		fputc('\n', f);
		free(fp);
	}
	fclose(f);
	free(mp);
}

static void check_with_reader(const struct scratch *s, const char *zipname,
			      const char *manifest);

/* zipcheck.py, `unzip -t` when installed, and our own reader. */
static void check_with_tools(const struct scratch *s, const char *zipname,
			     const char *manifest, int64_t epoch)
{
	check_with_reader(s, zipname, manifest);
	assert_int_equal(tu_run("python3 %s/tests/wheel/zipcheck.py %s/%s %s/%s "
			     "%lld", source_dir(), s->dir, zipname, s->dir,
			     manifest, (long long)epoch), 0);
	if (have_unzip())
		assert_int_equal(tu_run("unzip -tqq %s/%s", s->dir, zipname), 0);
	else
		print_message("unzip is not installed: skipped unzip -t\n");
}

/* A mix that takes every path of the writer: empty, small, stored
 * because incompressible, chunked and deflated, chunked but stored in
 * the end, from files and from memory, executable, non-ASCII names. */
struct mix {
	unsigned char *small, *rnd, *zeros, *bigrnd, *bigtext, *mid;
	struct member m[11];
	size_t n;
};

static void make_mix(const struct scratch *s, struct mix *x)
{
	const size_t chunk = (size_t)1 << 20;

	x->small = text(5000, 1);
	x->rnd = noise(100000, 7);
	x->zeros = calloc(1, 3 * chunk + 17);
	x->bigrnd = noise(2 * chunk + 5, 11);
	x->bigtext = text(5 * chunk / 2, 2);
	x->mid = noise(150000, 13);
	assert_non_null(x->zeros);
	write_file(s, "in/hello.txt", x->small, 5000, 0644);
	write_file(s, "in/run.sh", "#!/bin/sh\necho hi\n", 18, 0755);
	write_file(s, "in/empty", "", 0, 0644);
	write_file(s, "in/random.bin", x->rnd, 100000, 0600);
	write_file(s, "in/zeros.bin", x->zeros, 3 * chunk + 17, 0644);
	write_file(s, "in/bigrandom.bin", x->bigrnd, 2 * chunk + 5, 0700);
	write_file(s, "in/chunk.bin", x->zeros, chunk, 0644);
	/* over half the write buffer, after buffered bytes */
	write_file(s, "in/mid.bin", x->mid, 150000, 0644);
	{
		struct member m[] = {
			{ "a/hello.txt", "in/hello.txt", NULL, 0, 0644, 8 },
			{ "a/run.sh", "in/run.sh", NULL, 0, 0755, -1 },
			{ "a/mid.bin", "in/mid.bin", NULL, 0, 0644, 0 },
			{ "empty", "in/empty", NULL, 0, 0644, 0 },
			{ "random.bin", "in/random.bin", NULL, 0, 0600, 0 },
			{ "big/zeros.bin", "in/zeros.bin", NULL, 0, 0644, 8 },
			{ "big/random.bin", "in/bigrandom.bin", NULL, 0, 0700,
			  0 },
			{ "big/exactly-a-chunk", "in/chunk.bin", NULL, 0, 0644,
			  8 },
			{ "gen/data.txt", NULL, "generated\n", 10, 0644, 0 },
			{ "gen/big.txt", NULL, x->bigtext, 5 * chunk / 2, 0644,
			  8 },
			{ "unicod\xc3\xa9/\xc3\xb1.txt", NULL, "olé\n", 5, 0644,
			  -1 },
		};

		memcpy(x->m, m, sizeof(m));
		x->n = sizeof(m) / sizeof(m[0]);
	}
}

static void free_mix(struct mix *x)
{
	free(x->small);
	free(x->rnd);
	free(x->zeros);
	free(x->bigrnd);
	free(x->bigtext);
	free(x->mid);
}

struct progress_log {
	unsigned calls, finished;
	uint64_t last_done, total;
	bool monotonic;
};

static void log_progress(const struct tlc_progress *p, void *data)
{
	struct progress_log *l = data;

	if (p->done < l->last_done)
		l->monotonic = false;
	l->calls++;
	l->last_done = p->done;
	l->total = p->total;
	l->finished += p->finished;
	assert_string_equal(p->step, "zip");
	assert_string_equal(p->item, "mix.zip");
}

static void test_zip__python_and_unzip_read_every_member(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct progress_log log = { .monotonic = true };
	struct mix x;

	make_mix(s, &x);
	o.threads = 2;
	o.epoch = 1700000001;
	o.sha256 = true;
	o.name = "mix.zip";
	o.progress = log_progress;
	o.progress_data = &log;
	assert_int_equal(write_zip(s, "mix.zip", x.m, x.n, &o, &err), 0);
	write_manifest(s, "mix.txt", x.m, x.n);
	check_with_tools(s, "mix.zip", "mix.txt", o.epoch);
	assert_true(log.monotonic);
	assert_int_equal(log.finished, 1);
	assert_true(log.calls >= 2);
	assert_int_equal(log.last_done, log.total);
	free_mix(&x);
}

static void test_zip__entries_hold_crc_and_sha256(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_writer *w = NULL;
	unsigned char *big = text(3u << 20, 9);
	char *zp = path_in(s, "crc.zip");
	int fd = open(zp, O_RDWR | O_CREAT | O_TRUNC, 0644);

	o.sha256 = true;
	o.threads = 3;
	assert_int_equal(tlc_zip_writer_new(&w, fd, &o, &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "abc", "abc", 3, 0644, &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "big", big, 3u << 20, 0644,
					  &err), 0);
	assert_int_equal(tlc_zip_writer_flush(w, &err), 0);
	{
		const struct tlc_zip_entry *e = tlc_zip_writer_entry(w, 0);
		/* sha256("abc"), FIPS 180-2 appendix B.1 */
		static const unsigned char abc[32] = {
			0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
			0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
			0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
			0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
		};

		assert_memory_equal(e->sha256, abc, 32);
		assert_int_equal(e->crc32, 0x352441c2);
		assert_int_equal(e->method, TLC_ZIP_STORED);
		e = tlc_zip_writer_entry(w, 1);
		assert_int_equal(e->crc32, crc32(0, big, 3u << 20));
		assert_int_equal(e->method, TLC_ZIP_DEFLATED);
		assert_true(e->csize < e->size / 4);
	}
	assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), 0);
	tlc_zip_writer_free(w);
	close(fd);
	free(zp);
	free(big);
}

static void test_zip__same_bytes_for_any_thread_count(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	static const unsigned threads[] = { 1, 2, 3, 8, 2 };
	char *first = path_in(s, "t0.zip");
	struct mix x;

	make_mix(s, &x);
	o.epoch = 1234567890;
	for (size_t i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		char name[32];
		char *p;

		snprintf(name, sizeof(name), "t%zu.zip", i);
		o.threads = threads[i];
		o.sha256 = i % 2;
		assert_int_equal(write_zip(s, name, x.m, x.n, &o, &err), 0);
		p = path_in(s, name);
		assert_true(tu_same_file(first, p));
		free(p);
	}
	free(first);
	free_mix(&x);
}

static void test_zip__level_0_stores_everything(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct mix x;

	make_mix(s, &x);
	for (size_t i = 0; i < x.n; i++)
		x.m[i].method = 0;
	o.level = 0;
	o.threads = 2;
	assert_int_equal(write_zip(s, "stored.zip", x.m, x.n, &o, &err), 0);
	write_manifest(s, "stored.txt", x.m, x.n);
	check_with_tools(s, "stored.zip", "stored.txt", o.epoch);
	free_mix(&x);
}

static void test_zip__times_are_clamped_to_dos_range(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	static const int64_t epochs[] = { 0, -5, 315532801, 4102444799,
					  INT64_C(99999999999) };
	struct member m[] = { { "t", NULL, "x", 1, 0644, 0 } };

	for (size_t i = 0; i < sizeof(epochs) / sizeof(epochs[0]); i++) {
		o.epoch = epochs[i];
		assert_int_equal(write_zip(s, "time.zip", m, 1, &o, &err), 0);
		write_manifest(s, "time.txt", m, 1);
		check_with_tools(s, "time.zip", "time.txt", epochs[i]);
	}
}

static void test_zip__hostile_names_are_refused(void **state)
{
	static const struct {
		const char *name, *rule;
	} bad[] = {
		{ "", "is empty" },
		{ "/etc/passwd", "is absolute" },
		{ "../evil", "'..' component" },
		{ "a/../../evil", "'..' component" },
		{ "a/..", "'..' component" },
		{ "./a", "'.' component" },
		{ "a/./b", "'.' component" },
		{ "a//b", "empty path component" },
		{ "a/", "empty path component" },
		{ "a\\b", "backslash" },
		{ "..\\evil", "backslash" },
		{ "a\nb", "control character" },
		{ "a\tb", "control character" },
		{ "a\x7f", "control character" },
		{ "\x1b[31m", "control character" },
		{ "caf\xe9", "not valid UTF-8" },
		{ "\xc0\xaf", "not valid UTF-8" },
		{ "\xed\xa0\x80", "not valid UTF-8" },
		{ "\xf4\x90\x80\x80", "not valid UTF-8" },
		{ "a\xe2\x82", "not valid UTF-8" },
	};
	static const char *good[] = {
		"a", "a/b/c.py", "..a", "a..", "a/.hidden", "caf\xc3\xa9",
		"\xf0\x9f\x90\x8d.py", "a b/c,d\"e",
	};
	struct tlc_error err = TLC_ERROR_INIT;
	char *longname = malloc(TLC_ZIP_NAME_MAX + 2);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(tlc_zip_name_check(bad[i].name, &err),
				 TLC_EPOLICY);
		if (!strstr(err.msg, bad[i].rule))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].name,
				 err.msg, bad[i].rule);
		assert_null(strchr(err.msg, '\n'));
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(tlc_zip_name_check(good[i], &err), 0);
	assert_non_null(longname);
	memset(longname, 'a', TLC_ZIP_NAME_MAX + 1);
	longname[TLC_ZIP_NAME_MAX + 1] = '\0';
	assert_int_equal(tlc_zip_name_check(longname, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "is over"));
	longname[TLC_ZIP_NAME_MAX] = '\0';
	assert_int_equal(tlc_zip_name_check(longname, &err), 0);
	free(longname);
}

static void test_zip__bad_adds_are_refused(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_writer *w = NULL;
	char *zp = path_in(s, "bad.zip"), *missing = path_in(s, "nope");
	int fd = open(zp, O_RDWR | O_CREAT | O_TRUNC, 0644);

	o.level = 12;
	assert_int_equal(tlc_zip_writer_new(&w, fd, &o, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "level 12"));
	o.level = 6;
	assert_int_equal(tlc_zip_writer_new(&w, fd, &o, &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "a/b", "1", 1, 0644, &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "a/b", "2", 1, 0644, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "'a/b' is added twice"));
	assert_int_equal(tlc_zip_add_data(w, "../x", "2", 1, 0644, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_zip_add_file(w, "m", missing, 0644, &err),
			 TLC_ENOTFOUND);
	assert_int_equal(tlc_zip_add_file(w, "d", s->dir, 0644, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* a failed add leaves no trace: the names are free again */
	assert_int_equal(tlc_zip_add_data(w, "m", "3", 1, 0644, &err), 0);
	assert_int_equal(tlc_zip_writer_count(w), 2);
	assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), 0);
	tlc_zip_writer_free(w);
	close(fd);
	free(zp);
	free(missing);
}

static void test_zip__file_that_changes_is_an_error(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	unsigned char *big = text(3u << 20, 3);
	static const size_t sizes[] = { 1000, 3u << 20 };

	for (size_t i = 0; i < 2; i++) {
		struct tlc_zip_writer *w = NULL;
		char *zp = path_in(s, "changed.zip");
		char *fp = path_in(s, "in/changes");
		int fd = open(zp, O_RDWR | O_CREAT | O_TRUNC, 0644);

		write_file(s, "in/changes", big, sizes[i], 0644);
		o.threads = 2;
		assert_int_equal(tlc_zip_writer_new(&w, fd, &o, &err), 0);
		assert_int_equal(tlc_zip_add_file(w, "c", fp, 0644, &err), 0);
		assert_int_equal(truncate(fp, 10), 0);
		assert_int_equal(tlc_zip_writer_finish(w, NULL, &err),
				 TLC_EIO);
		assert_non_null(strstr(err.msg, "changed while"));
		/* the writer stays failed */
		assert_int_equal(tlc_zip_writer_flush(w, &err), TLC_ERROR);
		tlc_zip_writer_free(w);
		close(fd);
		free(zp);
		free(fp);
	}
	free(big);
}

/* 65535 members and more need the zip64 end records (4.4.21, 4.4.22). */
static void test_zip__many_members_use_zip64_end_records(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	static const size_t counts[] = { 65534, 65535 };

	write_file(s, "one", "1", 1, 0644);
	for (size_t c = 0; c < 2; c++) {
		struct tlc_zip_writer *w = NULL;
		char *zp = path_in(s, "many.zip"), *mp = path_in(s, "many.txt");
		char *one = path_in(s, "one");
		int fd = open(zp, O_RDWR | O_CREAT | O_TRUNC, 0644);
		FILE *f = fopen(mp, "w");

		assert_non_null(f);
		o.threads = 2;
		assert_int_equal(tlc_zip_writer_new(&w, fd, &o, &err), 0);
		for (size_t i = 0; i < counts[c]; i++) {
			char name[64];

			snprintf(name, sizeof(name), "d%zu/f%zu", i / 1000, i);
			assert_int_equal(tlc_zip_add_data(w, name, "1", 1,
							  0644, &err), 0);
			fprintf(f, "%s\t%s\t644\t0\n", name, one);
		}
		fclose(f);
		assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), 0);
		tlc_zip_writer_free(w);
		close(fd);
		check_with_tools(s, "many.zip", "many.txt", o.epoch);
		free(zp);
		free(mp);
		free(one);
	}
}

/* Inflate the raw deflate stream @z into exactly @len bytes equal to @want. */
static void assert_inflates_to(const unsigned char *z, size_t zlen,
			       const unsigned char *want, size_t len)
{
	unsigned char *back = malloc(len + 1);
	z_stream st;

	assert_non_null(back);
	memset(&st, 0, sizeof(st));
	assert_int_equal(inflateInit2(&st, -15), Z_OK);
	st.next_in = (unsigned char *)z;
	st.avail_in = (unsigned)zlen;
	st.next_out = back;
	st.avail_out = (unsigned)len + 1;
	assert_int_equal(inflate(&st, Z_FINISH), Z_STREAM_END);
	assert_int_equal(st.avail_in, 0);	/* nothing after the end */
	assert_int_equal(st.total_out, len);
	assert_memory_equal(back, want, len);
	inflateEnd(&st);
	free(back);
}

/*
 * Pieces made concatenable by find_final() join into one stream, for
 * every kind of block libdeflate writes: stored (noise), fixed Huffman
 * (short inputs), dynamic (text), and long matches (zeros).
 */
static void test_zip__deflate_pieces_concatenate(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 17, 100, 1000, 5000, 70000,
					300001 };
	static const size_t pieces[] = { 1, 7, 4096, 65535, 65536, 100000 };
	static const int levels[] = { 1, 6, 9 };

	(void)state;
	for (size_t l = 0; l < 3; l++) {
		struct tlc__deflater *d = NULL;
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tlc__deflater_new(&d, levels[l], &err), 0);
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]);
		     si++) {
			size_t len = sizes[si];
			unsigned char *in[3] = { noise(len, si + 1),
						 text(len, (unsigned)si),
						 calloc(1, len) };

			for (size_t k = 0; k < 3; k++)
			for (size_t pi = 0; pi < sizeof(pieces) /
					    sizeof(pieces[0]); pi++) {
				size_t cap = 0, zlen = 0;
				unsigned char *z;
				uint32_t crc = 0;

				for (size_t off = 0; off < len;
				     off += pieces[pi])
					cap += tlc__deflate_bound(pieces[pi]);
				z = malloc(cap);
				assert_non_null(z);
				for (size_t off = 0; off < len;
				     off += pieces[pi]) {
					size_t n = len - off < pieces[pi] ?
						   len - off : pieces[pi];
					size_t got;

					assert_int_equal(tlc__deflate_piece(
						d, in[k] + off, n,
						off + n == len, z + zlen,
						tlc__deflate_bound(n), &got,
						&err), 0);
					zlen += got;
					crc = tlc__crc32_combine(
						crc, tlc__crc32(0, in[k] + off,
								n), n);
				}
				assert_inflates_to(z, zlen, in[k], len);
				assert_int_equal(crc, crc32(0, in[k], len));
				free(z);
			}
			for (size_t k = 0; k < 3; k++)
				free(in[k]);
		}
		tlc__deflater_free(d);
	}
}

/* 1 MiB chunks of text (compressible) and noise (not) after @pattern:
 * 't' or 'n' per chunk; the last one is @tail bytes long. */
static unsigned char *mixed(const char *pattern, size_t tail, size_t *len)
{
	const size_t chunk = TLC__DEFLATE_CHUNK;
	size_t n = strlen(pattern), off = 0;
	unsigned char *p;

	*len = (n - 1) * chunk + tail;
	p = malloc(*len);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		size_t k = i + 1 < n ? chunk : tail;
		unsigned char *c = pattern[i] == 'n' ? noise(k, 100 + i) :
				   text(k, (unsigned)i);

		memcpy(p + off, c, k);
		off += k;
		free(c);
	}
	return p;
}

/*
 * Below level 9 a chunk of noise is written as stored blocks of 65535
 * bytes (RFC 1951 3.2.4), not deflated: the exact layout, BFINAL on the
 * last block only when the piece is final.  Level 9 deflates it (and then
 * ends it with the 5-byte sync marker, so its length differs).  Pieces of
 * noise and text alternating join into one stream.
 */
static void test_zip__incompressible_pieces_are_stored_blocks(void **state)
{
	const size_t len = TLC__DEFLATE_CHUNK;
	const size_t want = len + 5 * (len / 65535 + 1);
	unsigned char *in = noise(len, 42), *z;
	struct tlc__deflater *d = NULL, *d9 = NULL;
	struct tlc_error err = TLC_ERROR_INIT;
	size_t cap = tlc__deflate_bound(len), got, mlen, zlen = 0;
	unsigned char *m = mixed("tnntnt", 200000, &mlen);

	(void)state;
	z = malloc(6 * cap);
	assert_non_null(z);
	assert_int_equal(tlc__deflater_new(&d, 6, &err), 0);
	assert_int_equal(tlc__deflater_new(&d9, 9, &err), 0);
	for (int final = 0; final < 2; final++) {
		assert_int_equal(tlc__deflate_piece(d, in, len, final, z, cap,
						    &got, &err), 0);
		assert_int_equal(got, want);
		for (size_t b = 0, off = 0; off < len; b++, off += 65535) {
			const unsigned char *h = z + b * 65540;
			unsigned n = len - off < 65535 ? (unsigned)(len - off) :
							 65535;
			bool last = off + n == len;

			assert_int_equal(h[0], final && last ? 1 : 0);
			assert_int_equal(h[1] | h[2] << 8, n);
			assert_int_equal(h[3] | h[4] << 8, n ^ 0xffff);
			assert_memory_equal(h + 5, in + off, n);
		}
		if (final)
			assert_inflates_to(z, got, in, len);
		assert_int_equal(tlc__deflate_piece(d9, in, len, final, z, cap,
						    &got, &err), 0);
		assert_true(got != want);
	}
	for (size_t off = 0; off < mlen; off += len) {
		size_t n = mlen - off < len ? mlen - off : len;

		assert_int_equal(tlc__deflate_piece(d, m + off, n,
						    off + n == mlen, z + zlen,
						    cap, &got, &err), 0);
		zlen += got;
	}
	assert_inflates_to(z, zlen, m, mlen);
	assert_true(zlen < mlen * 3 / 4);
	tlc__deflater_free(d);
	tlc__deflater_free(d9);
	free(in);
	free(m);
	free(z);
}

/*
 * Members whose 1 MiB chunks mix text with noise (stored blocks after,
 * before and between deflated chunks, a short stored last chunk, a short
 * deflated one) read back with zipfile and unzip, deflated, and come out
 * byte for byte the same with 1 and 2 threads; a member of noise alone is
 * stored (method 0) as before.
 */
static void test_zip__mixed_chunks_read_back(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	size_t la, lb, lc, ld;
	unsigned char *a = mixed("tnnt", 300000, &la);
	unsigned char *b = mixed("ntn", 500000, &lb);
	unsigned char *c = mixed("nnnnt", 300000, &lc);
	unsigned char *d = mixed("nnn", 5, &ld);
	char *p1, *p2;

	write_file(s, "in/a.bin", a, la, 0644);
	{
		struct member m[] = {
			{ "mixed/a.bin", "in/a.bin", NULL, 0, 0644, 8 },
			{ "mixed/b.bin", NULL, b, lb, 0755, 8 },
			{ "mixed/c.bin", NULL, c, lc, 0644, 8 },
			/* deflates to more than its size: stored */
			{ "mixed/d.bin", NULL, d, ld, 0644, 0 },
		};

		o.sha256 = true;
		o.epoch = 1700000000;
		o.threads = 1;
		assert_int_equal(write_zip(s, "mixed1.zip", m, 4, &o, &err),
				 0);
		o.threads = 2;
		assert_int_equal(write_zip(s, "mixed2.zip", m, 4, &o, &err),
				 0);
		write_manifest(s, "mixed.txt", m, 4);
	}
	check_with_tools(s, "mixed2.zip", "mixed.txt", o.epoch);
	p1 = path_in(s, "mixed1.zip");
	p2 = path_in(s, "mixed2.zip");
	assert_true(tu_same_file(p1, p2));
	free(p1);
	free(p2);
	free(a);
	free(b);
	free(c);
	free(d);
}

/* Copy every member of @from raw into a new archive @to, in order. */
static void raw_copy_all(const struct scratch *s, const char *from,
			 const char *to)
{
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_writer *w = NULL;
	struct tlc_zip_reader *r = NULL;
	char *fp = path_in(s, from), *tp = path_in(s, to);
	int fd = open(fp, O_RDONLY);
	int ofd = open(tp, O_RDWR | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0 && ofd >= 0);
	if (tlc_zip_reader_open(&r, fd, fp, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(tlc_zip_writer_new(&w, ofd, &o, &err), 0);
	for (size_t i = 0; i < tlc_zip_reader_count(r); i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(r, i);

		assert_int_equal(tlc_zip_add_raw(w, e->name, r, e, NULL,
						 e->mode, &err), 0);
	}
	if (tlc_zip_writer_finish(w, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	tlc_zip_writer_free(w);
	tlc_zip_reader_free(r);
	close(fd);
	close(ofd);
	free(fp);
	free(tp);
}

/*
 * A member of 4 GiB and a bit (sparse, so quick to make), deflated: zip64
 * sizes in its local and central headers.  Then the same stored, so that
 * the next member's offset and the central directory are past 4 GiB.
 */
static void test_zip__over_4gib(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const uint64_t size = (UINT64_C(4) << 30) + 12345;
	char *fp = path_in(s, "huge");
	int fd = open(fp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct member m[] = {
		{ "before", NULL, "x", 1, 0644, -1 },
		{ "huge", "huge", NULL, 0, 0644, 8 },
		{ "after", NULL, "after\n", 6, 0755, -1 },
	};

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "tail", 4, (off_t)size - 4), 4);
	assert_int_equal(pwrite(fd, "head", 4, 0), 4);
	close(fd);
	write_manifest(s, "huge.txt", m, 3);

	o.level = 1;
	o.threads = 0;
	o.sha256 = true;
	assert_int_equal(write_zip(s, "huge.zip", m, 3, &o, &err), 0);
	check_with_tools(s, "huge.zip", "huge.txt", o.epoch);

	/* copied raw: zip64 local header for the copy, same bytes back */
	raw_copy_all(s, "huge.zip", "huge-copy.zip");
	check_with_tools(s, "huge-copy.zip", "huge.txt", o.epoch);
	assert_int_equal(tu_run("rm -f %s/huge.zip %s/huge-copy.zip", s->dir,
				s->dir), 0);

	o.level = 0;
	m[1].method = 0;
	write_manifest(s, "huge0.txt", m, 3);
	assert_int_equal(write_zip(s, "huge0.zip", m, 3, &o, &err), 0);
	check_with_tools(s, "huge0.zip", "huge0.txt", o.epoch);
	/* a raw copy with a compressed size and offsets past 4 GiB */
	raw_copy_all(s, "huge0.zip", "huge0-copy.zip");
	assert_int_equal(tu_run("rm -f %s/huge0.zip", s->dir), 0);
	check_with_tools(s, "huge0-copy.zip", "huge0.txt", o.epoch);
	free(fp);
}

/* ---- the reader --------------------------------------------------------- */

/* Our reader must give back every member of @zipname as zipcheck.py's
 * @manifest lists it: same order, names, modes and bytes (streamed and
 * compared with the file through a bounded buffer). */
static void check_with_reader(const struct scratch *s, const char *zipname,
			      const char *manifest)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_reader *r = NULL;
	char *zp = path_in(s, zipname), *mp = path_in(s, manifest);
	char line[8192];
	FILE *f = fopen(mp, "r");
	size_t i = 0;
	int fd = open(zp, O_RDONLY);
	unsigned char *a = malloc(1 << 16), *b = malloc(1 << 16);

	assert_non_null(f);
	assert_true(fd >= 0 && a && b);
	if (tlc_zip_reader_open(&r, fd, zp, &err) < 0)
		fail_msg("%s", err.msg);
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok_r(line, "\t\n", &(char *){ NULL });
		char *rest = line + strlen(name) + 1;
		char *file = strtok_r(rest, "\t\n", &(char *){ NULL });
		char *mode = file + strlen(file) + 1;
		const struct tlc_zip_entry *e;
		struct tlc_zip_stream *st = NULL;
		uint64_t off = 0;
		size_t got;
		int ffd = open(file, O_RDONLY);

		assert_true(ffd >= 0);
		assert_true(i < tlc_zip_reader_count(r));
		e = tlc_zip_reader_entry(r, i++);
		assert_string_equal(e->name, name);
		assert_ptr_equal(tlc_zip_reader_find(r, name), e);
		assert_int_equal(e->mode, strtoul(mode, NULL, 8));
		assert_false(e->has_sha256);
		assert_int_equal(tlc_zip_stream_open(&st, r, e, &err), 0);
		do {
			if (tlc_zip_stream_read(st, a, 1 << 16, &got, &err) < 0)
				fail_msg("%s", err.msg);
			assert_int_equal(pread(ffd, b, got, (off_t)off),
					 (ssize_t)got);
			assert_memory_equal(a, b, got);
			off += got;
		} while (got);
		assert_int_equal(off, e->size);
		/* the end stays the end */
		assert_int_equal(tlc_zip_stream_read(st, a, 10, &got, &err), 0);
		assert_int_equal(got, 0);
		tlc_zip_stream_free(st);
		close(ffd);
	}
	assert_int_equal(i, tlc_zip_reader_count(r));
	assert_null(tlc_zip_reader_find(r, "no/such/member"));
	tlc_zip_reader_free(r);
	fclose(f);
	close(fd);
	free(zp);
	free(mp);
	free(a);
	free(b);
}

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char d[32];

	assert_int_equal(EVP_Digest(p, n, d, NULL, EVP_sha256(), NULL), 1);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* A member of a pyzips.py manifest: name, sha256 hex, size, mode. */
struct pyline {
	char name[512];
	char sha[65];
	uint64_t size;
	unsigned mode;
};

static size_t read_pymanifest(const char *path, struct pyline **out)
{
	FILE *f = fopen(path, "r");
	struct pyline *v = NULL;
	char line[1024];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct pyline *p;
		unsigned long long size;

		v = realloc(v, (n + 1) * sizeof(*v));
		assert_non_null(v);
		p = &v[n++];
		assert_int_equal(sscanf(line, "%511[^\t]\t%64s\t%llu\t%o",
					p->name, p->sha, &size, &p->mode), 4);
		p->size = size;
	}
	fclose(f);
	*out = v;
	return n;
}

/* Stream @e whole, returning its SHA-256 in hex; reads in odd sizes. */
static int stream_sha(const struct tlc_zip_reader *r,
		      const struct tlc_zip_entry *e, char hex[65],
		      struct tlc_error *err)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	struct tlc_zip_stream *st = NULL;
	unsigned char buf[7919], d[32];
	size_t got, want = 1;
	int rc;

	assert_non_null(c);
	assert_int_equal(EVP_DigestInit_ex(c, EVP_sha256(), NULL), 1);
	if ((rc = tlc_zip_stream_open(&st, r, e, err)) == 0) {
		do {
			want = want * 3 % sizeof(buf) + 1;
			if ((rc = tlc_zip_stream_read(st, buf, want, &got,
						      err)) < 0)
				break;
			assert_true(got <= want);
			EVP_DigestUpdate(c, buf, got);
		} while (got);
	}
	tlc_zip_stream_free(st);
	EVP_DigestFinal_ex(c, d, NULL);
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return rc;
}

/* Every member of the archive at @zp, in order, as @m lists it; the
 * strict check passes, or fails with @strict_error. */
static void check_pyarchive(const char *zp, const struct pyline *m, size_t n,
			    const char *strict_error)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_reader *r = NULL;
	int fd = open(zp, O_RDONLY);

	assert_true(fd >= 0);
	if (tlc_zip_reader_open(&r, fd, zp, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(tlc_zip_reader_count(r), n);
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(r, i);
		/* a cap the member fits exactly */
		struct tlc_buf b = TLC_BUF_INIT_MAX(6 + (size_t)m[i].size);
		char hex[65];

		assert_string_equal(e->name, m[i].name);
		assert_int_equal(e->size, m[i].size);
		assert_int_equal(e->mode, m[i].mode);
		if (stream_sha(r, e, hex, &err) < 0)
			fail_msg("%s", err.msg);
		assert_string_equal(hex, m[i].sha);
		/* the whole member at once, after something already there */
		assert_int_equal(tlc_buf_puts(&b, "prefix"), 0);
		assert_int_equal(tlc_zip_read(r, e, &b, &err), 0);
		assert_int_equal(b.len, 6 + e->size);
		sha256_hex(b.ptr + 6, b.len - 6, hex);
		assert_string_equal(hex, m[i].sha);
		/* one byte short of the cap */
		b.max--;
		tlc_buf_truncate(&b, 6);
		assert_int_equal(tlc_zip_read(r, e, &b, &err), TLC_ETOOBIG);
		assert_int_equal(b.len, 6);
		tlc_buf_release(&b);
	}
	if (!strict_error && tlc_zip_reader_check_strict(r, &err) < 0)
		fail_msg("strict check of %s: %s", zp, err.msg);
	if (strict_error &&
	    (tlc_zip_reader_check_strict(r, &err) != TLC_EPOLICY ||
	     !strstr(err.msg, strict_error)))
		fail_msg("strict check of %s: '%s' lacks '%s'", zp, err.msg,
			 strict_error);
	tlc_zip_reader_free(r);
	close(fd);
}

/* What the strict check says of pyzips.py's archives: zipfile's own,
 * zip64 extras in local headers and directory entries included, pass,
 * but for comments and data descriptors. */
static const char *py_strict_error(const char *name)
{
	if (!strcmp(name, "basic") || !strcmp(name, "zip64"))
		return "has an archive comment of ";
	if (!strcmp(name, "descriptors"))
		return "has a data descriptor (4.4.4 bit 3)";
	return NULL;
}

/*
 * Archives Python's zipfile writes: deflated and stored, a 64 KiB
 * comment, zip64 extras in the local headers only (force_zip64) or
 * everywhere with the zip64 end records, data descriptors, directory
 * entries (skipped), MS-DOS attributes, no member at all.  Then each is
 * copied raw, backwards, with a fresh member in the middle, into an
 * archive of ours that zipfile and our reader read back.
 */
static void test_zip__reader_reads_python_archives(void **state)
{
	struct scratch *s = *state;
	char line[256], *list;
	FILE *f;
	unsigned ncases = 0;

	assert_int_equal(tu_run("python3 %s/tests/wheel/pyzips.py make %s/py",
				source_dir(), s->dir), 0);
	list = path_in(s, "py/list.txt");
	f = fopen(list, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_zip_writer *w = NULL;
		struct tlc_zip_reader *r = NULL;
		struct pyline *m = NULL, *back;
		char zp[PATH_MAX], mp[PATH_MAX], op[PATH_MAX], omp[PATH_MAX];
		size_t n, nb = 0;
		int fd, ofd;
		FILE *mf;

		line[strcspn(line, "\n")] = '\0';
		snprintf(zp, sizeof(zp), "%s/py/%s.zip", s->dir, line);
		snprintf(mp, sizeof(mp), "%s/py/%s.txt", s->dir, line);
		snprintf(op, sizeof(op), "%s/py/%s.copy.zip", s->dir, line);
		snprintf(omp, sizeof(omp), "%s/py/%s.copy.txt", s->dir, line);
		n = read_pymanifest(mp, &m);
		check_pyarchive(zp, m, n, py_strict_error(line));

		/* the raw copy */
		back = calloc(n + 1, sizeof(*back));
		assert_non_null(back);
		fd = open(zp, O_RDONLY);
		ofd = open(op, O_RDWR | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0 && ofd >= 0);
		assert_int_equal(tlc_zip_reader_open(&r, fd, zp, &err), 0);
		o.threads = 2;
		o.sha256 = true;
		assert_int_equal(tlc_zip_writer_new(&w, ofd, &o, &err), 0);
		for (size_t i = n; i-- > 0;) {
			const struct tlc_zip_entry *e =
				tlc_zip_reader_entry(r, i);
			static const unsigned char fake[32] = { 1, 2, 3 };

			if (i == n / 2) {
				static const char fresh[] = "fresh member\n";

				assert_int_equal(tlc_zip_add_data(w, "fresh.txt",
					fresh, sizeof(fresh) - 1, 0755, &err), 0);
				snprintf(back[nb].name, sizeof(back[nb].name),
					 "fresh.txt");
				sha256_hex(fresh, sizeof(fresh) - 1,
					   back[nb].sha);
				back[nb].size = sizeof(fresh) - 1;
				back[nb++].mode = 0755;
			}
			if (tlc_zip_add_raw(w, e->name, r, e, fake, e->mode,
					    &err) < 0)
				fail_msg("%s", err.msg);
			back[nb++] = m[i];
		}
		assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), 0);
		for (size_t i = 0; i < nb; i++) {
			const struct tlc_zip_entry *e =
				tlc_zip_writer_entry(w, i);

			assert_true(e->has_sha256);
			if (strcmp(e->name, "fresh.txt"))
				assert_int_equal(e->sha256[2], 3);
		}
		tlc_zip_writer_free(w);
		tlc_zip_reader_free(r);
		close(fd);
		close(ofd);
		mf = fopen(omp, "w");
		assert_non_null(mf);
		for (size_t i = 0; i < nb; i++)
			fprintf(mf, "%s\t%s\t%llu\t%o\n", back[i].name,
				back[i].sha, (unsigned long long)back[i].size,
				back[i].mode);
		fclose(mf);
		assert_int_equal(tu_run("python3 %s/tests/wheel/pyzips.py "
					"check %s %s", source_dir(), op, omp),
				 0);
		check_pyarchive(op, back, nb, NULL);
		free(back);
		free(m);
		ncases++;
	}
	fclose(f);
	free(list);
	assert_true(ncases >= 7);
}

/* ---- hostile archives --------------------------------------------------- */

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Where things are in an archive of ours (no comment, no zip64). */
struct layout {
	size_t eocd, cd;
	size_t n;
	size_t cent[8], loc[8], data[8];
	uint32_t csize[8];
};

static void find_layout(const struct tlc_buf *z, struct layout *l)
{
	const unsigned char *p = (const unsigned char *)z->ptr;
	size_t at;

	l->eocd = z->len - 22;
	assert_int_equal(get32(p + l->eocd), 0x06054b50);
	l->cd = get32(p + l->eocd + 16);
	l->n = get16(p + l->eocd + 10);
	assert_true(l->n <= 8);
	at = l->cd;
	for (size_t i = 0; i < l->n; i++) {
		l->cent[i] = at;
		l->loc[i] = get32(p + at + 42);
		l->csize[i] = get32(p + at + 20);
		l->data[i] = l->loc[i] + 30 + get16(p + l->loc[i] + 26) +
			     get16(p + l->loc[i] + 28);
		at += 46 + get16(p + at + 28) + get16(p + at + 30) +
		      get16(p + at + 32);
	}
}

static unsigned char *at(struct tlc_buf *z, size_t off)
{
	assert_true(off < z->len);
	return (unsigned char *)z->ptr + off;
}

/* Insert @n bytes of @p at @off. */
static void insert(struct tlc_buf *z, size_t off, const void *p, size_t n)
{
	assert_int_equal(tlc_buf_grow(z, n), 0);
	memmove(z->ptr + off + n, z->ptr + off, z->len - off);
	memcpy(z->ptr + off, p, n);
	z->len += n;
	z->ptr[z->len] = '\0';
}

/* Put zip64 end records (4.3.14, 4.3.15) before the end record, and the
 * end record's fields at their maximum. */
static void add_end64(struct tlc_buf *z, const struct layout *l)
{
	unsigned char rec[56 + 20], *p = rec;
	uint64_t n = l->n, cdsize = l->eocd - l->cd, cd = l->cd;

	memset(rec, 0, sizeof(rec));
	put32(p, 0x06064b50);
	put32(p + 4, 44);
	put16(p + 12, 45);
	put16(p + 14, 45);
	put32(p + 24, (uint32_t)n);
	put32(p + 32, (uint32_t)n);
	put32(p + 40, (uint32_t)cdsize);
	put32(p + 48, (uint32_t)cd);
	p += 56;
	put32(p, 0x07064b50);
	put32(p + 8, (uint32_t)l->eocd);
	put32(p + 16, 1);
	insert(z, l->eocd, rec, sizeof(rec));
	p = at(z, z->len - 22);
	put16(p + 8, 0xffff);
	put16(p + 10, 0xffff);
	put32(p + 12, 0xffffffff);
	put32(p + 16, 0xffffffff);
}

typedef void mutate_fn(struct tlc_buf *z, const struct layout *l);

#define M(name, body) \
	static void name(struct tlc_buf *z, const struct layout *l) \
	{ (void)l; body; }

/* Members: 0 "a.txt" deflated, 1 "b.txt" stored, 2 "c.txt" deflated. */
M(m_none, )
M(m_cut_last_byte, z->len--)
M(m_tiny, z->len = 10)
M(m_garbage, memset(z->ptr, 0x5a, z->len))
M(m_comment_len_wrong, put16(at(z, l->eocd + 20), 1))
M(m_cd_off_past_end, put32(at(z, l->eocd + 16), (uint32_t)z->len))
M(m_cd_size_too_big, put32(at(z, l->eocd + 12), (uint32_t)z->len))
M(m_cd_not_at_end, put32(at(z, l->eocd + 12), (uint32_t)(l->eocd - l->cd - 1)))
M(m_disk, put16(at(z, l->eocd + 4), 1))
M(m_cd_disk, put16(at(z, l->eocd + 6), 1))
M(m_counts_disagree, put16(at(z, l->eocd + 8), 2))
M(m_count_too_big, put16(at(z, l->eocd + 8), 4);
  put16(at(z, l->eocd + 10), 4))
M(m_entry_past_cd, put16(at(z, l->cent[1] + 32),
			  (unsigned)(l->eocd - l->cent[2] + 5)))
M(m_count_too_small, put16(at(z, l->eocd + 8), 2);
  put16(at(z, l->eocd + 10), 2))
M(m_count_huge, put16(at(z, l->eocd + 8), 60000);
  put16(at(z, l->eocd + 10), 60000))
M(m_central_sig, put32(at(z, l->cent[1]), 0x12345678))
M(m_encrypted, *at(z, l->cent[1] + 8) |= 1)
M(m_strong_encryption, *at(z, l->cent[0] + 8) |= 0x40)
M(m_method_bzip2, put16(at(z, l->cent[0] + 10), 12);
  put16(at(z, l->loc[0] + 8), 12))
M(m_name_dotdot, memcpy(at(z, l->cent[2] + 46), "../cc", 5);
  memcpy(at(z, l->loc[2] + 30), "../cc", 5))
M(m_name_absolute, memcpy(at(z, l->cent[2] + 46), "/c.tx", 5))
M(m_name_backslash, memcpy(at(z, l->cent[2] + 46), "c\\txt", 5))
M(m_name_nul, memcpy(at(z, l->cent[2] + 46), "c\0txt", 5))
M(m_name_control, memcpy(at(z, l->cent[2] + 46), "c\ntxt", 5))
M(m_name_utf8, memcpy(at(z, l->cent[2] + 46), "c\xc0.tx", 5))
M(m_name_empty_component, memcpy(at(z, l->cent[2] + 46), "a//xt", 5))
M(m_duplicate, memcpy(at(z, l->cent[2] + 46), "a.txt", 5);
  memcpy(at(z, l->loc[2] + 30), "a.txt", 5))
M(m_dir_with_data, memcpy(at(z, l->cent[2] + 46), "cdir/", 5))
M(m_symlink, put16(at(z, l->cent[1] + 40), 0120777))
M(m_directory_mode, put16(at(z, l->cent[1] + 40), 040755))
M(m_symlink_dir, memcpy(at(z, l->cent[2] + 46), "c.tx/", 5);
  put32(at(z, l->cent[2] + 24), 0); put16(at(z, l->cent[2] + 40), 0120777))
M(m_ratio, put32(at(z, l->cent[0] + 24), 1032 * l->csize[0] + 1032))
M(m_ratio_edge, put32(at(z, l->cent[0] + 24), 1032 * l->csize[0] + 1031))
M(m_local_outside, put32(at(z, l->cent[2] + 42), (uint32_t)l->cd - 10))
M(m_local_far, put32(at(z, l->cent[2] + 42), 0x7fffffff))
M(m_local_sig, put32(at(z, l->loc[1]), 0x04034b51))
M(m_local_name, *at(z, l->loc[1] + 30) = 'x')
M(m_local_name_len, put16(at(z, l->loc[1] + 26), 4))
M(m_local_method, put16(at(z, l->loc[0] + 8), 0))
M(m_local_encrypted, *at(z, l->loc[0] + 6) |= 1)
M(m_data_past_cd, put32(at(z, l->cent[2] + 20), l->csize[2] + 1))
M(m_local_extra_past_cd, put16(at(z, l->loc[2] + 28), 0xffff))
M(m_overlap, put32(at(z, l->cent[0] + 20), l->csize[0] + 1))
M(m_same_offset, put32(at(z, l->cent[2] + 42), (uint32_t)l->loc[0]))
M(m_stored_sizes, put32(at(z, l->cent[1] + 20), l->csize[1] - 1))
M(m_needs_zip64, put32(at(z, l->cent[0] + 24), 0xffffffff))
M(m_bad_extra, put16(at(z, l->cent[2] + 30), 3);
  put32(at(z, l->eocd + 12), (uint32_t)(l->eocd - l->cd + 3));
  insert(z, l->eocd, "\x01\x00\x09", 3))
M(m_short_zip64_extra, put32(at(z, l->cent[2] + 24), 0xffffffff);
  put16(at(z, l->cent[2] + 30), 8);
  put32(at(z, l->eocd + 12), (uint32_t)(l->eocd - l->cd + 8));
  insert(z, l->eocd, "\x01\x00\x04\x00\x05\x00\x00\x00", 8))
M(m_zip64_ok, add_end64(z, l))
M(m_zip64_locator_disks, add_end64(z, l);
  put32(at(z, z->len - 22 - 20 + 16), 2))
M(m_zip64_locator_off, add_end64(z, l);
  put32(at(z, z->len - 22 - 20 + 8), (uint32_t)l->eocd - 8))
M(m_zip64_locator_past, add_end64(z, l);
  put32(at(z, z->len - 22 - 20 + 8), (uint32_t)l->eocd + 40))
M(m_zip64_record_sig, add_end64(z, l); put32(at(z, l->eocd), 0x06064b51))
M(m_zip64_record_size, add_end64(z, l); put32(at(z, l->eocd + 4), 9999))
M(m_zip64_disk, add_end64(z, l); put32(at(z, l->eocd + 16), 1))
M(m_zip64_disagree, add_end64(z, l); put16(at(z, z->len - 12), 2))
M(m_zip64_count_huge, add_end64(z, l);
  put32(at(z, l->eocd + 24), 2000000); put32(at(z, l->eocd + 32), 2000000))
/* members that open but do not read back */
M(m_crc, *at(z, l->cent[0] + 16) ^= 1)
M(m_stored_crc, *at(z, l->cent[1] + 16) ^= 1)
M(m_stored_data, *at(z, l->data[1]) ^= 1)
M(m_size_smaller, put32(at(z, l->cent[0] + 24), 100))
M(m_size_larger, put32(at(z, l->cent[0] + 24), 2001))
M(m_deflate_cut, put32(at(z, l->cent[0] + 20), l->csize[0] - 3))
M(m_deflate_garbage, memset(at(z, l->data[0]), 0xff, 8))
M(m_deflate_trailing, put32(at(z, l->cent[2] + 20), l->csize[2] + 4);
  put32(at(z, l->eocd + 16), (uint32_t)l->cd + 4);
  insert(z, l->cd, "JUNK", 4))
#undef M

struct hostile {
	const char *what;
	mutate_fn *mutate;
	const char *open_error;	/* NULL: opens */
	const char *read_error;	/* NULL: every member reads back */
};

static const struct hostile hostile[] = {
	{ "untouched", m_none, NULL, NULL },
	{ "zip64 end records", m_zip64_ok, NULL, NULL },
	{ "truncated by one byte", m_cut_last_byte,
	  "no end of central directory record", NULL },
	{ "ten bytes", m_tiny, "too short for an end of central", NULL },
	{ "garbage", m_garbage, "no end of central directory record", NULL },
	{ "comment length wrong", m_comment_len_wrong,
	  "no end of central directory record", NULL },
	{ "directory offset past the end", m_cd_off_past_end,
	  "central directory lies outside the file", NULL },
	{ "directory size too big", m_cd_size_too_big,
	  "central directory lies outside the file", NULL },
	{ "directory not at the end record", m_cd_not_at_end,
	  "does not end where the end record starts", NULL },
	{ "disk number", m_disk, "multi-disk", NULL },
	{ "directory disk number", m_cd_disk, "multi-disk", NULL },
	{ "counts disagree", m_counts_disagree, "counts disagree", NULL },
	{ "count too big", m_count_too_big, "does not fit", NULL },
	{ "entry past the directory", m_entry_past_cd,
	  "ends inside an entry", NULL },
	{ "count too small", m_count_too_small,
	  "holds more than the 2 entries", NULL },
	{ "count does not fit", m_count_huge, "does not fit", NULL },
	{ "central signature", m_central_sig,
	  "entry 1 has no signature", NULL },
	{ "encrypted", m_encrypted, "'b.txt' is encrypted", NULL },
	{ "strong encryption", m_strong_encryption, "is encrypted", NULL },
	{ "bzip2", m_method_bzip2, "compression method 12", NULL },
	{ "name with ..", m_name_dotdot, "a '..' component", NULL },
	{ "absolute name", m_name_absolute, "is absolute", NULL },
	{ "backslash", m_name_backslash, "backslash", NULL },
	{ "NUL in a name", m_name_nul, "NUL byte in its name", NULL },
	{ "control character", m_name_control, "control character", NULL },
	{ "bad UTF-8", m_name_utf8, "not valid UTF-8", NULL },
	{ "empty component", m_name_empty_component, "empty path component",
	  NULL },
	{ "duplicate", m_duplicate, "'a.txt' appears twice", NULL },
	{ "directory with data", m_dir_with_data,
	  "directory entry 'cdir/' has data", NULL },
	{ "symlink", m_symlink, "'b.txt' is not a regular file", NULL },
	{ "symlink as a directory", m_symlink_dir,
	  "directory entry 'c.tx/' is not a directory (mode 120777)", NULL },
	{ "ratio over 1032", m_ratio, "'a.txt' claims to inflate", NULL },
	{ "ratio of 1032", m_ratio_edge, NULL, "'a.txt' inflates to 2000 " },
	{ "directory mode on a file", m_directory_mode,
	  "is not a regular file", NULL },
	{ "local header near the directory", m_local_outside,
	  "local header of 'c.txt' lies outside", NULL },
	{ "local header far away", m_local_far,
	  "local header of 'c.txt' lies outside", NULL },
	{ "local signature", m_local_sig, "no local header for 'b.txt'",
	  NULL },
	{ "local name", m_local_name, "names another member", NULL },
	{ "local name length", m_local_name_len, "names another member",
	  NULL },
	{ "local method", m_local_method, "another compression method",
	  NULL },
	{ "local encryption flag", m_local_encrypted, "is encrypted", NULL },
	{ "data past the directory", m_data_past_cd,
	  "data of 'c.txt' runs past", NULL },
	{ "local extra past the directory", m_local_extra_past_cd,
	  "data of 'c.txt' runs past", NULL },
	{ "overlapping members", m_overlap,
	  "members 'a.txt' and 'b.txt' overlap", NULL },
	/* aliasing one local header from two entries: its name gives it away */
	{ "two members at one offset", m_same_offset,
	  "local header of 'c.txt' names another member", NULL },
	{ "stored sizes differ", m_stored_sizes, "stored member 'b.txt'",
	  NULL },
	{ "zip64 extra missing", m_needs_zip64,
	  "'a.txt' needs a zip64 extra field", NULL },
	{ "malformed extra", m_bad_extra, "malformed extra field", NULL },
	{ "zip64 extra too short", m_short_zip64_extra,
	  "zip64 extra field too short", NULL },
	{ "zip64 locator disks", m_zip64_locator_disks, "multi-disk", NULL },
	{ "zip64 locator offset", m_zip64_locator_off,
	  "no zip64 end of central directory record where", NULL },
	{ "zip64 locator past", m_zip64_locator_past,
	  "zip64 end of central directory record lies outside", NULL },
	{ "zip64 record signature", m_zip64_record_sig,
	  "no zip64 end of central directory record where", NULL },
	{ "zip64 record size", m_zip64_record_size, "has a bad size", NULL },
	{ "zip64 disk", m_zip64_disk, "multi-disk", NULL },
	{ "zip64 and end record disagree", m_zip64_disagree,
	  "disagree on the central directory", NULL },
	{ "zip64 count over the limit", m_zip64_count_huge,
	  "more than the 1000000 accepted", NULL },
	{ "CRC", m_crc, NULL, "'a.txt' fails its CRC-32 check" },
	{ "stored CRC", m_stored_crc, NULL, "'b.txt' fails its CRC-32" },
	{ "stored data", m_stored_data, NULL, "'b.txt' fails its CRC-32" },
	{ "size smaller than the data", m_size_smaller, NULL,
	  "'a.txt' inflates to more than the 100 bytes" },
	{ "size larger than the data", m_size_larger, NULL,
	  "'a.txt' inflates to 2000 bytes, not the 2001" },
	{ "deflate data cut", m_deflate_cut, NULL,
	  "deflate data of 'a.txt' is truncated" },
	{ "deflate garbage", m_deflate_garbage, NULL,
	  "'a.txt' has bad deflate data" },
	{ "bytes after the deflate stream", m_deflate_trailing, NULL,
	  "deflate data of 'c.txt' ends before its compressed size" },
};

/* An fd holding @len bytes of @p (a memfd: a regular file in memory). */
static int mem_file(const void *p, size_t len)
{
	int fd = memfd_create("tlc-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	if (len)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
	return fd;
}

/* Open @z and stream every member.  @return the first failure's code */
static int open_and_read(const struct tlc_buf *z, struct tlc_error *err,
			 bool *opened)
{
	struct tlc_zip_reader *r = NULL;
	int fd = mem_file(z->ptr, z->len), rc;

	*opened = false;
	if ((rc = tlc_zip_reader_open(&r, fd, "t.zip", err)) == 0) {
		*opened = true;
		for (size_t i = 0; i < tlc_zip_reader_count(r) && rc == 0;
		     i++) {
			char hex[65];

			rc = stream_sha(r, tlc_zip_reader_entry(r, i), hex,
					err);
		}
	}
	tlc_zip_reader_free(r);
	close(fd);
	return rc;
}

static void assert_one_line(const struct tlc_error *err)
{
	assert_true(err->msg[0]);
	assert_null(strchr(err->msg, '\n'));
	assert_null(strchr(err->msg, '\r'));
}

/* A small archive of ours: a.txt deflated (2000 bytes of text), b.txt
 * stored (noise), c.txt deflated. */
static void base_archive(const struct scratch *s, struct tlc_buf *z)
{
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	unsigned char *a = text(2000, 9), *b = noise(300, 5), *c = text(3000, 8);
	struct member m[] = {
		{ "a.txt", NULL, a, 2000, 0644, 8 },
		{ "b.txt", NULL, b, 300, 0755, 0 },
		{ "c.txt", NULL, c, 3000, 0644, 8 },
	};
	char *zp = path_in(s, "base.zip");

	o.threads = 1;
	assert_int_equal(write_zip(s, "base.zip", m, 3, &o, &err), 0);
	tlc_buf_reset(z);
	assert_int_equal(tlc_buf_read_file(z, zp, &err), 0);
	free(zp);
	free(a);
	free(b);
	free(c);
}

static void test_zip__reader_refuses_hostile_archives(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf base = TLC_BUF_INIT, z = TLC_BUF_INIT;
	struct layout l;

	base_archive(s, &base);
	find_layout(&base, &l);
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		const struct hostile *h = &hostile[i];
		struct tlc_error err = TLC_ERROR_INIT;
		bool opened;
		int rc;

		tlc_buf_reset(&z);
		assert_int_equal(tlc_buf_put(&z, base.ptr, base.len), 0);
		h->mutate(&z, &l);
		rc = open_and_read(&z, &err, &opened);
		if (!h->open_error && !h->read_error) {
			if (rc != 0)
				fail_msg("%s: %s", h->what, err.msg);
			continue;
		}
		if (rc != TLC_EPOLICY)
			fail_msg("%s: got %d (%s), not TLC_EPOLICY", h->what,
				 rc, err.msg);
		assert_one_line(&err);
		if (opened != !h->open_error)
			fail_msg("%s: %s when %s", h->what, err.msg,
				 opened ? "reading" : "opening");
		if (!strstr(err.msg, h->open_error ? h->open_error :
			    h->read_error))
			fail_msg("%s: message '%s' lacks '%s'", h->what,
				 err.msg, h->open_error ? h->open_error :
				 h->read_error);
		/* every message names the archive */
		if (strncmp(err.msg, "'t.zip'", 7))
			fail_msg("%s: '%s' does not name the archive", h->what,
				 err.msg);
	}
	tlc_buf_release(&base);
	tlc_buf_release(&z);
}

/* ---- the strict check ----------------------------------------------- */

/* Insert @n bytes of junk at @off, before the central directory, and move
 * the offsets that point past it. */
static void shift(struct tlc_buf *z, const struct layout *l, size_t off,
		  size_t n)
{
	static const char junk[] = "JUNK JUNK JUNK JUNK";

	assert_true(n < sizeof(junk) && off <= l->cd);
	insert(z, off, junk, n);
	for (size_t i = 0; i < l->n; i++)
		if (l->loc[i] >= off)
			put32(at(z, l->cent[i] + n + 42),
			      (uint32_t)(l->loc[i] + n));
	put32(at(z, l->eocd + n + 16), (uint32_t)(l->cd + n));
}

/* The zip64 end record with 4 bytes after it; @in_record: counted in its
 * size (the extensible data sector, 4.3.14), else a gap before the
 * locator. */
static void end64_plus(struct tlc_buf *z, const struct layout *l,
		       bool in_record)
{
	add_end64(z, l);
	insert(z, l->eocd + 56, "XTRA", 4);
	if (in_record)
		put32(at(z, l->eocd + 4), 48);
}

#define M(name, body) \
	static void name(struct tlc_buf *z, const struct layout *l) \
	{ (void)l; body; }

/* Members: 0 "a.txt" deflated, 1 "b.txt" stored, 2 "c.txt" deflated. */
M(s_descriptor, *at(z, l->cent[1] + 8) |= 8; *at(z, l->loc[1] + 6) |= 8)
M(s_descriptor_central, *at(z, l->cent[1] + 8) |= 8)
M(s_descriptor_local, *at(z, l->loc[0] + 6) |= 8;
  memset(at(z, l->loc[0] + 14), 0, 12))
M(s_local_flags, *at(z, l->loc[2] + 7) |= 0x08)
M(s_local_crc, *at(z, l->loc[2] + 14) ^= 1)
M(s_local_size, put32(at(z, l->loc[0] + 22), 1))
M(s_local_csize, put32(at(z, l->loc[2] + 18), l->csize[2] + 1))
M(s_local_zip64, put32(at(z, l->loc[0] + 22), 0xffffffff))
M(s_prepended, shift(z, l, 0, 7))
M(s_hidden, shift(z, l, l->loc[1], 5))
M(s_trailing, shift(z, l, l->cd, 3))
M(s_comment, put16(at(z, l->eocd + 20), 5); insert(z, z->len, "hello", 5))
M(s_end64_data, end64_plus(z, l, true))
M(s_end64_gap, end64_plus(z, l, false))
/* c.txt made a directory entry with c.txt's data in it */
M(s_dir_data, memcpy(at(z, l->cent[2] + 46), "c.tx/", 5);
  memcpy(at(z, l->loc[2] + 30), "c.tx/", 5);
  put32(at(z, l->cent[2] + 24), 0); put32(at(z, l->loc[2] + 22), 0))
M(s_dir_no_local, memcpy(at(z, l->cent[2] + 46), "c.tx/", 5);
  put32(at(z, l->cent[2] + 24), 0))
M(s_dir_far, memcpy(at(z, l->cent[2] + 46), "c.tx/", 5);
  put32(at(z, l->cent[2] + 24), 0);
  put32(at(z, l->cent[2] + 42), 0x7fffffff))
#undef M

static const struct strict_case {
	const char *what;
	mutate_fn *mutate;
	const char *error;	/* NULL: passes */
} strict[] = {
	{ "untouched", m_none, NULL },
	{ "zip64 end records", m_zip64_ok, NULL },
	{ "data descriptor", s_descriptor,
	  "'b.txt' has a data descriptor (4.4.4 bit 3)" },
	{ "data descriptor in the central directory", s_descriptor_central,
	  "'b.txt' has a data descriptor" },
	{ "data descriptor, zeros in the local header", s_descriptor_local,
	  "'a.txt' has a data descriptor" },
	{ "local flags", s_local_flags,
	  "local header of 'c.txt' has other flags (0x0800)" },
	{ "local CRC-32", s_local_crc,
	  "local header of 'c.txt' gives another CRC-32" },
	{ "local size", s_local_size,
	  "local header of 'a.txt' gives other sizes (1, " },
	{ "local compressed size", s_local_csize,
	  "local header of 'c.txt' gives other sizes" },
	{ "local zip64 size without the extra", s_local_zip64,
	  "local header of 'a.txt' needs a zip64 extra field" },
	{ "prepended data", s_prepended,
	  "has 7 bytes of prepended data before its first member" },
	{ "hidden data", s_hidden, "has 5 bytes of hidden data between "
	  "members 'a.txt' and 'b.txt'" },
	{ "trailing data", s_trailing, "has 3 bytes of trailing data "
	  "between its last member and the central directory" },
	{ "archive comment", s_comment, "archive comment of 5 bytes" },
	{ "zip64 extensible data", s_end64_data,
	  "4 bytes of data in its zip64 end record's extensible data" },
	{ "gap before the zip64 locator", s_end64_gap,
	  "4 bytes of hidden data between its zip64 end record and its "
	  "locator" },
	{ "directory entry with data", s_dir_data,
	  "directory entry 'c.tx/' holds " },
	{ "directory entry without its local header", s_dir_no_local,
	  "local header of 'c.tx/' names another member" },
	{ "directory entry far away", s_dir_far,
	  "local header of 'c.tx/' lies outside" },
};

/* Archives the lenient reader opens and reads whole, which the strict
 * check refuses, each with the rule named. */
static void test_zip__strict_check_refuses_what_open_allows(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf base = TLC_BUF_INIT, z = TLC_BUF_INIT;
	struct layout l;

	base_archive(s, &base);
	find_layout(&base, &l);
	for (size_t i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
		const struct strict_case *c = &strict[i];
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_zip_reader *r = NULL;
		bool opened;
		int fd, rc;

		tlc_buf_reset(&z);
		assert_int_equal(tlc_buf_put(&z, base.ptr, base.len), 0);
		c->mutate(&z, &l);
		/* lenient: opens, and every member reads back */
		if ((rc = open_and_read(&z, &err, &opened)) != 0)
			fail_msg("%s: %s", c->what, err.msg);
		fd = mem_file(z.ptr, z.len);
		assert_int_equal(tlc_zip_reader_open(&r, fd, "t.zip", &err), 0);
		rc = tlc_zip_reader_check_strict(r, &err);
		tlc_zip_reader_free(r);
		close(fd);
		if (!c->error) {
			if (rc != 0)
				fail_msg("%s: %s", c->what, err.msg);
			continue;
		}
		if (rc != TLC_EPOLICY)
			fail_msg("%s: got %d, not TLC_EPOLICY", c->what, rc);
		assert_one_line(&err);
		if (strncmp(err.msg, "'t.zip': ", 9) ||
		    !strstr(err.msg, c->error))
			fail_msg("%s: message '%s' lacks '%s'", c->what,
				 err.msg, c->error);
	}
	tlc_buf_release(&base);
	tlc_buf_release(&z);
}

/* Cut at every length, and with every byte flipped: never a crash, only
 * clean refusals; a cut archive never opens. */
static void test_zip__truncated_or_flipped_at_every_offset(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf base = TLC_BUF_INIT, z = TLC_BUF_INIT;
	unsigned refused = 0;

	base_archive(s, &base);
	for (size_t len = 0; len < base.len; len++) {
		struct tlc_error err = TLC_ERROR_INIT;
		bool opened;

		tlc_buf_reset(&z);
		assert_int_equal(tlc_buf_put(&z, base.ptr, len), 0);
		assert_int_equal(open_and_read(&z, &err, &opened), TLC_EPOLICY);
		assert_false(opened);
		assert_one_line(&err);
	}
	for (size_t i = 0; i < base.len; i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		bool opened;
		int rc;

		tlc_buf_reset(&z);
		assert_int_equal(tlc_buf_put(&z, base.ptr, base.len), 0);
		z.ptr[i] ^= 0x55;
		rc = open_and_read(&z, &err, &opened);
		if (rc == 0)
			continue;
		if (rc != TLC_EPOLICY)
			fail_msg("byte %zu: %d %s", i, rc, err.msg);
		assert_one_line(&err);
		refused++;
	}
	/* headers, names and CRC-checked data: most flips are caught */
	assert_true(refused > base.len / 2);
	tlc_buf_release(&base);
	tlc_buf_release(&z);
}

/* A member that says 1000 bytes but inflates to 64 MiB of zeros: the
 * stream hands out at most the declared bytes, then fails; tlc_zip_read
 * with a cap refuses a declared size over the cap before inflating. */
static void test_zip__inflate_bombs_stop_at_the_declared_size(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const size_t big = (size_t)64 << 20;
	unsigned char *zeros = calloc(1, big), buf[4096];
	struct member m[] = { { "bomb", NULL, zeros, big, 0644, 8 } };
	struct tlc_buf z = TLC_BUF_INIT, out = TLC_BUF_INIT_MAX(1 << 20);
	struct tlc_zip_reader *r = NULL;
	struct tlc_zip_stream *st = NULL;
	struct layout l;
	uint64_t total = 0;
	size_t got;
	char *zp = path_in(s, "bomb.zip");
	int fd, rc;

	assert_non_null(zeros);
	o.threads = 2;
	assert_int_equal(write_zip(s, "bomb.zip", m, 1, &o, &err), 0);
	assert_int_equal(tlc_buf_read_file(&z, zp, &err), 0);
	assert_true(z.len < big / 500);

	/* the true size: capped reads refuse it up front */
	fd = mem_file(z.ptr, z.len);
	assert_int_equal(tlc_zip_reader_open(&r, fd, "bomb.zip", &err), 0);
	assert_int_equal(tlc_zip_read(r, tlc_zip_reader_entry(r, 0), &out,
				      &err), TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "'bomb' of 'bomb.zip' is over"));
	assert_int_equal(out.len, 0);
	tlc_zip_reader_free(r);
	close(fd);

	/* a lying size */
	find_layout(&z, &l);
	put32(at(&z, l.cent[0] + 24), 1000);
	fd = mem_file(z.ptr, z.len);
	assert_int_equal(tlc_zip_reader_open(&r, fd, "bomb.zip", &err), 0);
	assert_int_equal(tlc_zip_stream_open(&st, r, tlc_zip_reader_entry(r, 0),
					     &err), 0);
	while ((rc = tlc_zip_stream_read(st, buf, sizeof(buf), &got,
					 &err)) == 0 && got)
		total += got;
	assert_int_equal(rc, TLC_EPOLICY);
	assert_true(total <= 1000);
	assert_non_null(strstr(err.msg, "more than the 1000 bytes"));
	/* a failed stream stays failed */
	assert_int_equal(tlc_zip_stream_read(st, buf, sizeof(buf), &got, &err),
			 TLC_ERROR);
	tlc_zip_stream_free(st);
	/* tlc_zip_read leaves the buffer as it was */
	tlc_buf_init(&out, 0);
	assert_int_equal(tlc_buf_puts(&out, "kept"), 0);
	assert_int_equal(tlc_zip_read(r, tlc_zip_reader_entry(r, 0), &out,
				      &err), TLC_EPOLICY);
	assert_string_equal(out.ptr, "kept");
	tlc_zip_reader_free(r);
	close(fd);
	tlc_buf_release(&out);
	tlc_buf_release(&z);
	free(zeros);
	free(zp);
}

/* tlc_zip_extract writes a member at the fd's offset. */
static void test_zip__extract_writes_members(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct mix x;
	struct tlc_zip_reader *r = NULL;
	char *zp = path_in(s, "mix.zip"), *op = path_in(s, "out.bin");
	int fd, ofd;

	make_mix(s, &x);
	o.threads = 2;
	assert_int_equal(write_zip(s, "mix.zip", x.m, x.n, &o, &err), 0);
	fd = open(zp, O_RDONLY);
	assert_int_equal(tlc_zip_reader_open(&r, fd, zp, &err), 0);
	for (size_t i = 0; i < x.n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_find(r,
							x.m[i].arcname);
		char *want;

		assert_non_null(e);
		ofd = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_int_equal(write(ofd, "head", 4), 4);
		assert_int_equal(tlc_zip_extract(r, e, ofd, &err), 0);
		close(ofd);
		want = path_in(s, "want.bin");
		ofd = open(want, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_int_equal(write(ofd, "head", 4), 4);
		if (x.m[i].file) {
			struct tlc_buf b = TLC_BUF_INIT;
			char *fp = path_in(s, x.m[i].file);

			assert_int_equal(tlc_buf_read_file(&b, fp, &err), 0);
			assert_int_equal(tlc__fs_write_all(ofd, b.ptr, b.len,
							   want, &err), 0);
			tlc_buf_release(&b);
			free(fp);
		} else {
			assert_int_equal(tlc__fs_write_all(ofd, x.m[i].data,
							   x.m[i].len, want,
							   &err), 0);
		}
		close(ofd);
		assert_true(tu_same_file(op, want));
		free(want);
	}
	/* a closed fd: a clean error */
	assert_int_equal(tlc_zip_extract(r, tlc_zip_reader_entry(r, 0), -1,
					 &err), TLC_EIO);
	tlc_zip_reader_free(r);
	close(fd);
	free(zp);
	free(op);
	free_mix(&x);
}

/* Not a regular file, or a file too short to hold anything. */
static void test_zip__reader_refuses_non_archives(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_reader *r = NULL;
	int p[2], fd;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(tlc_zip_reader_open(&r, p[0], "pipe", &err),
			 TLC_EPOLICY);
	assert_string_equal(err.msg, "'pipe' is not a regular file");
	close(p[0]);
	close(p[1]);
	assert_int_equal(tlc_zip_reader_open(&r, -1, "closed", &err),
			 TLC_EIO);
	fd = mem_file("", 0);
	assert_int_equal(tlc_zip_reader_open(&r, fd, NULL, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "'archive': not a zip archive: too "
				"short"));
	close(fd);
	assert_null(r);
	tlc_zip_reader_free(NULL);
	tlc_zip_stream_free(NULL);
}

/* Progress of raw copies: counted in uncompressed bytes. */
static void raw_progress(const struct tlc_progress *p, void *data)
{
	struct progress_log *l = data;

	if (p->done < l->last_done || p->done > p->total)
		l->monotonic = false;
	l->calls++;
	l->last_done = p->done;
	l->total = p->total;
	l->finished += p->finished;
}

static long vm_kib(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

/*
 * A raw copy of a 256 MiB member costs no memory of its own: the peak
 * resident size (VmHWM, reset through /proc/self/clear_refs) grows by
 * less than 8 MiB.  Copied within one file system (copy_file_range) and
 * from tmpfs to here (where the kernel refuses, so through the buffer).
 */
static void test_zip__raw_copy_memory_is_bounded(void **state)
{
	struct scratch *s = *state;
	const size_t size = (size_t)256 << 20;
	char shm[64] = "/dev/shm/tlc-test-zip.XXXXXX";
	const char *srcs[2];
	char *here = path_in(s, "big-src.zip"), *in = path_in(s, "big.bin");
	struct tlc_error err = TLC_ERROR_INIT;
	int fd;

	/* a stored member of 256 MiB: a sparse file, stored at level 0 */
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "tail", 4, (off_t)size - 4), 4);
	assert_int_equal(pwrite(fd, "head", 4, 0), 4);
	close(fd);
	{
		struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
		struct member m[] = {
			{ "small", NULL, "small\n", 6, 0644, -1 },
			{ "big.bin", "big.bin", NULL, 0, 0644, 0 },
		};

		o.level = 0;
		o.threads = 2;
		assert_int_equal(write_zip(s, "big-src.zip", m, 2, &o, &err),
				 0);
	}
	unlink(in);
	srcs[0] = here;
	srcs[1] = NULL;
	fd = mkstemp(shm);
	if (fd >= 0) {
		close(fd);
		if (tu_run("cp %s %s", here, shm) == 0)
			srcs[1] = shm;
	}
	for (size_t k = 0; k < 2; k++) {
		struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
		struct tlc_zip_writer *w = NULL;
		struct tlc_zip_reader *r = NULL, *back = NULL;
		struct tlc_buf small = TLC_BUF_INIT;
		struct progress_log log = { .monotonic = true };
		char *out = path_in(s, "big-copy.zip");
		long rss, hwm;
		int ifd, ofd;

		if (!srcs[k]) {
			print_message("no /dev/shm: skipped the copy from "
				      "tmpfs\n");
			continue;
		}
		ifd = open(srcs[k], O_RDONLY);
		ofd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
		assert_true(ifd >= 0 && ofd >= 0);
		rss = vm_kib("VmRSS:");
		if (tu_run("echo 5 > /proc/%ld/clear_refs 2>/dev/null",
			   (long)getpid()) != 0) {
			print_message("cannot reset VmHWM: skipped the memory "
				      "check\n");
			rss = -1;
		}
		assert_int_equal(tlc_zip_reader_open(&r, ifd, srcs[k], &err),
				 0);
		o.threads = 2;
		o.progress = raw_progress;
		o.progress_data = &log;
		assert_int_equal(tlc_zip_writer_new(&w, ofd, &o, &err), 0);
		for (size_t i = 2; i-- > 0;) {
			const struct tlc_zip_entry *e =
				tlc_zip_reader_entry(r, i);

			assert_int_equal(tlc_zip_add_raw(w, e->name, r, e,
							 NULL, 0644, &err), 0);
		}
		assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), 0);
		hwm = vm_kib("VmHWM:");
		if (rss >= 0 && hwm - rss > 8 * 1024)
			fail_msg("a raw copy of %zu MiB took %ld KiB more "
				 "memory", size >> 20, hwm - rss);
		assert_false(tlc_zip_writer_entry(w, 0)->has_sha256);
		assert_true(log.monotonic);
		assert_true(log.calls >= 2);
		assert_int_equal(log.finished, 1);
		assert_int_equal(log.total, size + 6);
		assert_int_equal(log.last_done, size + 6);
		tlc_zip_writer_free(w);
		tlc_zip_reader_free(r);
		close(ifd);

		/* the copy reads back, CRC-checked */
		assert_int_equal(tlc_zip_reader_open(&back, ofd, out, &err), 0);
		assert_int_equal(tlc_zip_reader_count(back), 2);
		assert_string_equal(tlc_zip_reader_entry(back, 0)->name,
				    "big.bin");
		assert_int_equal(tlc_zip_reader_entry(back, 0)->size, size);
		{
			char hex[65];

			assert_int_equal(stream_sha(back,
				tlc_zip_reader_entry(back, 0), hex, &err), 0);
		}
		assert_int_equal(tlc_zip_read(back,
					      tlc_zip_reader_find(back, "small"),
					      &small, &err), 0);
		assert_string_equal(small.ptr, "small\n");
		tlc_buf_release(&small);
		tlc_zip_reader_free(back);
		close(ofd);
		free(out);
	}
	if (srcs[1])
		unlink(shm);
	free(here);
	free(in);
}

/* A raw copy keeps the reader's entry intact, rejects bad names, and a
 * failing copy (the source shrank) fails the flush cleanly. */
static void test_zip__raw_copy_errors(void **state)
{
	struct scratch *s = *state;
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf base = TLC_BUF_INIT;
	struct tlc_zip_writer *w = NULL;
	struct tlc_zip_reader *r = NULL;
	const struct tlc_zip_entry *e;
	char *op = path_in(s, "copy.zip");
	int fd, ofd;

	base_archive(s, &base);
	fd = mem_file(base.ptr, base.len);
	assert_int_equal(tlc_zip_reader_open(&r, fd, "base.zip", &err), 0);
	e = tlc_zip_reader_entry(r, 2);
	ofd = open(op, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(tlc_zip_writer_new(&w, ofd, &o, &err), 0);
	assert_int_equal(tlc_zip_add_raw(w, "../up", r, e, NULL, 0644, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_zip_add_raw(w, "c", r, e, NULL, 0644, &err), 0);
	assert_int_equal(tlc_zip_add_raw(w, "c", r, e, NULL, 0644, &err),
			 TLC_EPOLICY);
	assert_string_equal(err.msg, "member 'c' is added twice");
	/* the source loses its tail before the flush */
	assert_int_equal(ftruncate(fd, (off_t)tlc_zip_reader_entry(r, 2)->offset
					   + 40), 0);
	assert_int_equal(tlc_zip_writer_finish(w, NULL, &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "truncated while it was copied"));
	tlc_zip_writer_free(w);
	tlc_zip_reader_free(r);
	close(fd);
	close(ofd);
	tlc_buf_release(&base);
	free(op);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_zip__python_and_unzip_read_every_member, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__entries_hold_crc_and_sha256, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__same_bytes_for_any_thread_count, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__level_0_stores_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__times_are_clamped_to_dos_range, setup,
			teardown),
		cmocka_unit_test(test_zip__hostile_names_are_refused),
		cmocka_unit_test(test_zip__deflate_pieces_concatenate),
		cmocka_unit_test(
			test_zip__incompressible_pieces_are_stored_blocks),
		cmocka_unit_test_setup_teardown(
			test_zip__mixed_chunks_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__bad_adds_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__file_that_changes_is_an_error, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__many_members_use_zip64_end_records, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__reader_reads_python_archives, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__reader_refuses_hostile_archives, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__strict_check_refuses_what_open_allows,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__truncated_or_flipped_at_every_offset, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__inflate_bombs_stop_at_the_declared_size,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__extract_writes_members, setup, teardown),
		cmocka_unit_test(test_zip__reader_refuses_non_archives),
		cmocka_unit_test_setup_teardown(
			test_zip__raw_copy_memory_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_zip__raw_copy_errors, setup, teardown),
	};
	const struct CMUnitTest slow[] = {
		cmocka_unit_test_setup_teardown(test_zip__over_4gib, setup,
						teardown),
	};

	if (getenv("TLC_TEST_SLOW"))
		return cmocka_run_group_tests_name("zip_slow", slow, NULL,
						   NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
