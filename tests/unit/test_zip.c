/*
 * The zip writer, read back by real tools: Python's zipfile (through
 * tests/wheel/zipcheck.py, which also parses the headers itself) and
 * Info-ZIP's `unzip -t` when it is installed.
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

static void check_with_tools(const struct scratch *s, const char *zipname,
			     const char *manifest, int64_t epoch)
{
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
	assert_int_equal(tu_run("rm -f %s/huge.zip", s->dir), 0);

	o.level = 0;
	m[1].method = 0;
	write_manifest(s, "huge0.txt", m, 3);
	assert_int_equal(write_zip(s, "huge0.zip", m, 3, &o, &err), 0);
	check_with_tools(s, "huge0.zip", "huge0.txt", o.epoch);
	free(fp);
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
