/*
 * The wheel writer: METADATA text, then wheels read back by Python
 * (tests/wheel/wheelcheck.py recomputes every RECORD hash with hashlib),
 * hostile names, determinism, repacking.  The reader: RECORD parsing
 * against Python's csv module, wheels written by Python
 * (tests/wheel/pywheel.py, hostile variants included), by `wheel pack`
 * and by us, and raw copies that pip installs.
 */
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
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "fs.h"
#include "tlcpack/wheel.h"

#include "testutil.h"

struct scratch {
	char dir[64];
	char out[96];
};

static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	snprintf(s->dir, sizeof(s->dir), "/tmp/tlc-test-wheel.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->out, sizeof(s->out), "%s/dist", s->dir);
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

static void put(const struct scratch *s, const char *name, const char *text,
		mode_t mode)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char p[512], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", s->dir, name);
	slash = strrchr(p, '/');
	*slash = '\0';
	assert_int_equal(tlc__fs_mkdir_p(p, 0755, &err), 0);
	*slash = '/';
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(tlc__fs_write_all(fd, text, strlen(text), p, &err),
			 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static const char *source_dir(void)
{
	const char *d = getenv("TLC_SOURCE_DIR");

	return d ? d : ".";
}

/* Entries of @dir, other than "." and "..". */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* ---- METADATA ----------------------------------------------------------- */

static void test_wheel__metadata_is_rendered_as_2_1(void **state)
{
	static const char *const reqs[] = { "numpy>=1.20",
					    "psutil; sys_platform == \"linux\"",
					    NULL };
	static const char *const urls[] = { "Source, https://example.org/src",
					    NULL };
	static const char *const cls[] = { "Programming Language :: Python :: 3",
					   NULL };
	static const char *const lics[] = { "LICENSE", "NOTICE", NULL };
	struct tlc_metadata m = {
		.name = "tlcpack-cu121",
		.version = "0.12.0",
		.summary = "Tensor compiler",
		.description = "# Title\n\nBody text.",
		.description_content_type = "text/markdown",
		.license = "Apache-2.0\nsee NOTICE",
		.requires_python = ">=3.8",
		.author = "The Authors",
		.author_email = "dev@example.org",
		.requires_dist = reqs,
		.project_urls = urls,
		.classifiers = cls,
		.license_files = lics,
	};
	static const char want[] =
		"Metadata-Version: 2.1\n"
		"Name: tlcpack-cu121\n"
		"Version: 0.12.0\n"
		"Summary: Tensor compiler\n"
		"Author: The Authors\n"
		"Author-email: dev@example.org\n"
		"License: Apache-2.0\n"
		"        see NOTICE\n"
		"Project-URL: Source, https://example.org/src\n"
		"Classifier: Programming Language :: Python :: 3\n"
		"Requires-Python: >=3.8\n"
		"Description-Content-Type: text/markdown\n"
		"License-File: LICENSE\n"
		"License-File: NOTICE\n"
		"Requires-Dist: numpy>=1.20\n"
		"Requires-Dist: psutil; sys_platform == \"linux\"\n"
		"\n"
		"# Title\n\nBody text.\n";
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_metadata min = { .name = "a", .version = "1" };

	(void)state;
	assert_int_equal(tlc_metadata_format(&out, &m, &err), 0);
	assert_string_equal(out.ptr, want);
	tlc_buf_reset(&out);
	assert_int_equal(tlc_metadata_format(&out, &min, &err), 0);
	assert_string_equal(out.ptr,
			    "Metadata-Version: 2.1\nName: a\nVersion: 1\n");
	tlc_buf_release(&out);
}

static const char *const bad_reqs[] = { "ok", "b\nc", NULL };

static void test_wheel__bad_metadata_is_refused(void **state)
{
	static const struct {
		struct tlc_metadata m;
		const char *rule;
	} bad[] = {
		{ { .version = "1" }, "no project name" },
		{ { .name = "", .version = "1" }, "no project name" },
		{ { .name = "a" }, "no version" },
		{ { .name = "-a", .version = "1" }, "not a valid project name" },
		{ { .name = "a b", .version = "1" },
		  "not a valid project name" },
		{ { .name = "a", .version = "one" }, "" },
		{ { .name = "a", .version = "1", .summary = "x\ny" },
		  "'Summary' has a line break" },
		{ { .name = "a", .version = "1", .author = "x\r" },
		  "'Author' has a line break" },
		{ { .name = "a", .version = "1",
		    .requires_dist = bad_reqs },
		  "'Requires-Dist' has a line break" },
		{ { .name = "a", .version = "1", .license = "a\r\nb" },
		  "'License' has a carriage return" },
	};
	struct tlc_buf out = TLC_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tlc_metadata_format(&out, &bad[i].m, &err),
				 TLC_EPOLICY);
		if (!strstr(err.msg, bad[i].rule) || !err.msg[0])
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].rule);
		assert_int_equal(out.len, 0);
	}
	tlc_buf_release(&out);
}

/* ---- writing ------------------------------------------------------------ */

/* A package tree, a licence, and a metadata text. */
static void make_tree(const struct scratch *s)
{
	char a[512], b[512];

	put(s, "tree/demo/__init__.py", "__version__ = '1.0'\n", 0644);
	put(s, "tree/demo/sub/mod.py", "X = 1\n", 0600);
	put(s, "tree/demo/bin/tool", "#!/bin/sh\n", 0755);
	put(s, "tree/demo/data,with \"quotes\".txt", "csv\n", 0644);
	put(s, "tree/demo/caf\xc3\xa9.txt", "utf-8\n", 0644);
	put(s, "LICENSE", "MIT\n", 0644);
	snprintf(a, sizeof(a), "%s/tree/demo/__init__.py", s->dir);
	snprintf(b, sizeof(b), "%s/tree/demo/link.py", s->dir);
	assert_int_equal(symlink(a, b), 0);
}

static char *metadata_text(const char *name, const char *version)
{
	static const char *const lics[] = { "LICENSE", NULL };
	struct tlc_metadata m = { .name = name, .version = version,
				  .summary = "demo", .license_files = lics };
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc_metadata_format(&out, &m, &err), 0);
	return tlc_buf_detach(&out, NULL);
}

struct progress_log {
	unsigned calls, finished;
	uint64_t done, total;
	char item[128];
};

static void log_progress(const struct tlc_progress *p, void *data)
{
	struct progress_log *l = data;

	assert_string_equal(p->step, "pack");
	assert_int_equal(l->finished, 0);	/* finished comes last */
	snprintf(l->item, sizeof(l->item), "%s", p->item);
	l->calls++;
	l->done = p->done;
	l->total = p->total;
	l->finished += p->finished;
}

/* Write the demo wheel with @threads; return its path (malloc'd). */
static char *write_demo(const struct scratch *s, const char *outdir,
			unsigned threads, bool reverse,
			struct progress_log *log)
{
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf path = TLC_BUF_INIT, p = TLC_BUF_INIT;
	char *md = metadata_text("Demo.Pkg", "1.0");

	o.name = "Demo.Pkg";
	o.version = "1.0";
	o.build_tag = "7";
	o.python_tag = "py2.py3";
	o.abi_tag = "none";
	o.platform_tag = "linux_x86_64.linux_aarch64";
	o.generator = "tlcpack-test 1";
	o.outdir = outdir;
	o.epoch = 1600000000;
	o.threads = threads;
	if (log) {
		o.progress = log_progress;
		o.progress_data = log;
	}
	assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
	assert_int_equal(tlc__fs_join(&p, s->dir, "LICENSE"), 0);
	if (!reverse) {
		assert_int_equal(tlc_wheel_add_license(w, "LICENSE", p.ptr,
						       &err), 0);
		assert_int_equal(tlc_wheel_add_data(w, "demo/gen.py",
						    "G = 2\n", 6, 0644, &err),
				 0);
	}
	assert_int_equal(tlc__fs_join(&p, s->dir, "tree"), 0);
	assert_int_equal(tlc_wheel_add_tree(w, p.ptr, "", &err), 0);
	assert_int_equal(tlc__fs_join(&p, s->dir, "LICENSE"), 0);
	assert_int_equal(tlc_wheel_add_file(w, "demo/LICENSE.copy", p.ptr,
					    &err), 0);
	if (reverse) {
		assert_int_equal(tlc_wheel_add_data(w, "demo/gen.py",
						    "G = 2\n", 6, 0644, &err),
				 0);
		assert_int_equal(tlc_wheel_add_license(w, "LICENSE", p.ptr,
						       &err), 0);
	}
	if (tlc_wheel_writer_finish(w, md, &path, &err) < 0)
		fail_msg("%s", err.msg);
	tlc_wheel_writer_free(w);
	tlc_buf_release(&p);
	free(md);
	return tlc_buf_detach(&path, NULL);
}

static void test_wheel__python_verifies_record_wheel_metadata(void **state)
{
	struct scratch *s = *state;
	struct progress_log log = { 0 };
	char *path;

	make_tree(s);
	path = write_demo(s, s->out, 2, false, &log);
	assert_non_null(strstr(path, "/dist/demo_pkg-1.0-7-py2.py3-none-"
			       "linux_x86_64.linux_aarch64.whl"));
	assert_int_equal(tu_run("python3 %s/tests/wheel/wheelcheck.py '%s' "
			     "demo/__init__.py demo/sub/mod.py demo/bin/tool "
			     "'demo/data,with \"quotes\".txt' "
			     "'demo/caf\xc3\xa9.txt' demo/link.py demo/gen.py "
			     "demo/LICENSE.copy", source_dir(), path), 0);
	/* the members' modes and bytes, read by zipfile too */
	assert_int_equal(tu_run("python3 -c 'import zipfile, sys; "
			     "z = zipfile.ZipFile(sys.argv[1]); "
			     "m = lambda n: z.getinfo(n).external_attr >> 16; "
			     "assert m(\"demo/bin/tool\") == 0o100755; "
			     "assert m(\"demo/sub/mod.py\") == 0o100644; "
			     "assert z.read(\"demo/link.py\") == "
			     "b\"__version__ = \\x271.0\\x27\\n\"; "
			     "assert z.read(\"demo_pkg-1.0.dist-info/"
			     "licenses/LICENSE\") == b\"MIT\\n\"' '%s'", path),
			 0);
	/* only the wheel is left in the output directory */
	assert_int_equal(count_entries(s->out), 1);
	assert_int_equal(log.finished, 1);
	assert_true(log.calls >= 1);
	assert_int_equal(log.done, log.total);
	assert_true(log.total > 100);
	assert_string_equal(log.item, strrchr(path, '/') + 1);
	free(path);
}

static void test_wheel__same_bytes_whatever_threads_and_order(void **state)
{
	struct scratch *s = *state;
	char d1[128], d2[128], d3[128];
	char *a, *b, *c;

	make_tree(s);
	snprintf(d1, sizeof(d1), "%s/o1", s->dir);
	snprintf(d2, sizeof(d2), "%s/o2", s->dir);
	snprintf(d3, sizeof(d3), "%s/o3", s->dir);
	a = write_demo(s, d1, 1, false, NULL);
	b = write_demo(s, d2, 2, true, NULL);
	c = write_demo(s, d3, 5, false, NULL);
	assert_true(tu_same_file(a, b));
	assert_true(tu_same_file(a, c));
	free(a);
	free(b);
	free(c);
}

/* Each bad member makes the wheel fail, naming the rule, and leaves
 * nothing behind in the output directory. */
static void test_wheel__hostile_members_are_refused(void **state)
{
	static const struct {
		const char *a, *b;	/* added as data, in order */
		bool at_finish;		/* refused by finish, not the add */
		const char *rule;
	} bad[] = {
		{ "/abs.py", NULL, false, "is absolute" },
		{ "../up.py", NULL, false, "'..' component" },
		{ "a/../../up.py", NULL, false, "'..' component" },
		{ "a\\b.py", NULL, false, "backslash" },
		{ "a\nb.py", NULL, false, "control character" },
		{ "a\x01.py", NULL, false, "control character" },
		{ "a//b", NULL, false, "empty path component" },
		{ "bad\xff.py", NULL, false, "not valid UTF-8" },
		{ "x-1.dist-info/METADATA", NULL, false,
		  "lies in the .dist-info directory" },
		{ "x-1.dist-info", NULL, false,
		  "lies in the .dist-info directory" },
		{ "other-2.0.dist-info/RECORD", NULL, false,
		  "second .dist-info" },
		{ "Other-2.0.DIST-INFO/x", NULL, false, "second .dist-info" },
		{ "a/b.py", "a/b.py", true, "'a/b.py' is added twice" },
		{ "a/b", "a/b/c.py", true, "'a/b' is both a file and a dir" },
		{ "a/b/c.py", "a/b", true, "'a/b' is both a file and a dir" },
	};
	struct scratch *s = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_wheel_writer *w = NULL;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf path = TLC_BUF_INIT;
		int rc;

		o.name = "x";
		o.version = "1";
		o.outdir = s->out;
		assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
		assert_int_equal(tlc_wheel_add_data(w, "a/b.py.ok", "", 0,
						    0644, &err), 0);
		rc = tlc_wheel_add_data(w, bad[i].a, "1", 1, 0644, &err);
		if (rc == 0 && bad[i].b)
			rc = tlc_wheel_add_data(w, bad[i].b, "2", 1, 0644,
						&err);
		if (bad[i].at_finish) {
			assert_int_equal(rc, 0);
			rc = tlc_wheel_writer_finish(w, "Name: x\n", &path,
						     &err);
		}
		assert_int_equal(rc, TLC_EPOLICY);
		if (!strstr(err.msg, bad[i].rule))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].rule);
		tlc_wheel_writer_free(w);
		assert_int_equal(path.len, 0);
		assert_int_equal(count_entries(s->out), 0);
		tlc_buf_release(&path);
	}
}

static void test_wheel__bad_trees_are_refused(void **state)
{
	struct scratch *s = *state;
	char p[512], q[512];
	static const struct {
		const char *setup;	/* shell, run in the scratch dir */
		const char *rule;
	} bad[] = {
		{ "mkdir t && ln -s /etc/hostname t/out", "points outside" },
		{ "mkdir t && ln -s ../t2/f t/out && mkdir t2 && touch t2/f",
		  "points outside" },
		{ "mkdir -p t/d && ln -s d t/dl",
		  "does not point to a regular" },
		{ "mkdir t && mkfifo t/fifo", "not a regular file or a dir" },
		{ "mkdir t && ln -s nowhere t/dangling", "cannot resolve" },
		{ "mkdir -p t/x-1.dist-info && touch t/x-1.dist-info/A",
		  "lies in the .dist-info" },
		{ "mkdir -p 't/a\\b' && touch 't/a\\b/c'", "backslash" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_wheel_writer *w = NULL;
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tu_run("cd %s && rm -rf t t2 && %s", s->dir,
				     bad[i].setup), 0);
		o.name = "x";
		o.version = "1";
		o.outdir = s->out;
		snprintf(p, sizeof(p), "%s/t", s->dir);
		assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
		assert_true(tlc_wheel_add_tree(w, p, "", &err) < 0);
		if (!strstr(err.msg, bad[i].rule))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].rule);
		tlc_wheel_writer_free(w);
	}
	/* a symlink inside the tree is fine, and a relative prefix works */
	assert_int_equal(tu_run("cd %s && rm -rf t t2 && mkdir -p t/d && "
			     "echo x > t/d/f && ln -s d/f t/l", s->dir), 0);
	{
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_wheel_writer *w = NULL;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf path = TLC_BUF_INIT;

		o.name = "x";
		o.version = "1";
		o.outdir = s->out;
		snprintf(p, sizeof(p), "%s/t", s->dir);
		assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
		assert_int_equal(tlc_wheel_add_tree(w, p, "pkg", &err), 0);
		assert_int_equal(tlc_wheel_writer_finish(
					 w, "Metadata-Version: 2.1\nName: x\n"
					    "Version: 1\n", &path, &err), 0);
		snprintf(q, sizeof(q), "python3 %s/tests/wheel/wheelcheck.py "
			 "'%s' pkg/d/f pkg/l", source_dir(), path.ptr);
		assert_int_equal(tu_run("%s", q), 0);
		/* finished: no more adds, no second finish */
		assert_int_equal(tlc_wheel_add_data(w, "late", "", 0, 0644,
						    &err), TLC_ERROR);
		assert_int_equal(tlc_wheel_writer_finish(w, "", &path, &err),
				 TLC_ERROR);
		tlc_wheel_writer_free(w);
		tlc_buf_release(&path);
	}
}

static void test_wheel__bad_opts_are_refused(void **state)
{
	static const struct {
		const char *name, *version, *build, *py, *abi, *plat;
	} bad[] = {
		{ NULL, "1", NULL, "py3", "none", "any" },
		{ "a", NULL, NULL, "py3", "none", "any" },
		{ "a b", "1", NULL, "py3", "none", "any" },
		{ "a", "x.y", NULL, "py3", "none", "any" },
		{ "a", "1", "x1", "py3", "none", "any" },
		{ "a", "1", NULL, "py-3", "none", "any" },
		{ "a", "1", NULL, "py3", "", "any" },
		{ "a", "1", NULL, "py3", "none", "linux/x86" },
		{ "a", "1", NULL, "py3", "none", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_wheel_writer *w = NULL;
		struct tlc_error err = TLC_ERROR_INIT;

		o.name = bad[i].name;
		o.version = bad[i].version;
		o.build_tag = bad[i].build;
		o.python_tag = bad[i].py;
		o.abi_tag = bad[i].abi;
		o.platform_tag = bad[i].plat;
		assert_true(tlc_wheel_writer_new(&w, &o, &err) < 0);
		assert_null(w);
		assert_true(err.msg[0] != '\0');
	}
	{
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_wheel_writer *w = NULL;
		struct tlc_error err = TLC_ERROR_INIT;

		o.name = "a";
		o.version = "1";
		o.level = 10;
		assert_int_equal(tlc_wheel_writer_new(&w, &o, &err),
				 TLC_EPOLICY);
		assert_non_null(strstr(err.msg, "level 10"));
	}
}

/* ---- repacking ---------------------------------------------------------- */

static void make_unpacked(const struct scratch *s, const char *root,
			  const char *dist_info, const char *wheel,
			  const char *metadata)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/pkg/__init__.py", root);
	put(s, p, "V = 1\n", 0644);
	snprintf(p, sizeof(p), "%s/top.py", root);
	put(s, p, "T = 1\n", 0755);
	if (!dist_info)
		return;
	snprintf(p, sizeof(p), "%s/%s/entry_points.txt", root, dist_info);
	put(s, p, "[console_scripts]\n", 0644);
	snprintf(p, sizeof(p), "%s/%s/licenses/COPYING", root, dist_info);
	put(s, p, "GPL\n", 0644);
	snprintf(p, sizeof(p), "%s/%s/RECORD", root, dist_info);
	put(s, p, "stale,,\n", 0644);
	if (wheel) {
		snprintf(p, sizeof(p), "%s/%s/WHEEL", root, dist_info);
		put(s, p, wheel, 0644);
	}
	if (metadata) {
		snprintf(p, sizeof(p), "%s/%s/METADATA", root, dist_info);
		put(s, p, metadata, 0644);
	}
}

static const char wheel_text[] =
	"Wheel-Version: 1.0\r\nGenerator: other (1)\r\n"
	"Root-Is-Purelib: false\r\n"
	"Tag: cp311-cp311-manylinux_2_17_x86_64\r\n"
	"Tag: cp311-cp311-manylinux2014_x86_64\r\n"
	"Build: 3\r\n\r\n";

static void test_wheel__pack_repacks_an_unpacked_wheel(void **state)
{
	struct scratch *s = *state;
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf path = TLC_BUF_INIT;
	char root[256];

	make_unpacked(s, "u", "My.Pkg-2.0.0.dist-info", wheel_text,
		      "Metadata-Version: 2.1\nName: my-pkg\nVersion: 2.0.0\n\n"
		      "Body\n");
	snprintf(root, sizeof(root), "%s/u", s->dir);
	o.outdir = s->out;
	if (tlc_wheel_pack(&path, root, &o, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(strstr(path.ptr, "/my_pkg-2.0.0-3-cp311-cp311-"
			       "manylinux2014_x86_64.manylinux_2_17_x86_64"
			       ".whl"));
	assert_int_equal(tu_run("python3 %s/tests/wheel/wheelcheck.py '%s' "
			     "pkg/__init__.py top.py", source_dir(), path.ptr),
			 0);
	/* WHEEL verbatim, the stale RECORD replaced, the rest kept */
	assert_int_equal(tu_run("python3 -c 'import zipfile, sys; "
			     "z = zipfile.ZipFile(sys.argv[1]); d = "
			     "\"my_pkg-2.0.0.dist-info/\"; "
			     "assert z.read(d + \"WHEEL\") == "
			     "open(sys.argv[2], \"rb\").read(); "
			     "assert b\"stale\" not in z.read(d + \"RECORD\"); "
			     "assert z.read(d + \"licenses/COPYING\") == "
			     "b\"GPL\\n\"; "
			     "assert z.read(d + \"entry_points.txt\")' "
			     "'%s' '%s/My.Pkg-2.0.0.dist-info/WHEEL'",
			     path.ptr, root), 0);
	tlc_buf_release(&path);
}

static void test_wheel__pack_refuses_bad_trees(void **state)
{
	static const char md[] = "Metadata-Version: 2.1\nName: a\nVersion: 1\n";
	static const char wh[] = "Wheel-Version: 1.0\nTag: py3-none-any\n";
	static const struct {
		const char *dist_info, *wheel, *metadata;
		const char *shell;	/* run in the tree afterwards */
		const char *rule;
	} bad[] = {
		{ NULL, NULL, NULL, NULL, "no .dist-info directory" },
		{ "a-1.dist-info", wh, md, "mkdir b-1.dist-info",
		  "two .dist-info directories" },
		{ "a.dist-info", wh, md, NULL, "not named {name}-{version}" },
		{ "a-x.dist-info", wh, md, NULL, "not named {name}-{version}" },
		{ "a-1.dist-info", NULL, md, NULL, "cannot open" },
		{ "a-1.dist-info", wh, NULL, NULL, "cannot open" },
		{ "a-1.dist-info", "Wheel-Version: 1.0\n", md, NULL,
		  "has no Tag lines" },
		{ "a-1.dist-info", "Tag: py3-none\n", md, NULL,
		  "is not {python}-{abi}-{platform}" },
		{ "a-1.dist-info", "Tag: py3-none-any-x\n", md, NULL,
		  "is not {python}-{abi}-{platform}" },
		{ "a-1.dist-info", "Tag: py3--any\n", md, NULL,
		  "is not {python}-{abi}-{platform}" },
		{ "a-1.dist-info", "Tag: py/3-none-any\n", md, NULL,
		  "python tag" },
		{ "a-1.dist-info", wh, "Name: b\nVersion: 1\n", NULL,
		  "names project 'b'" },
		{ "a-1.dist-info", wh, "Name: a\nVersion: 1.1\n", NULL,
		  "says version '1.1'" },
		{ "a-1.dist-info", wh, "Name: a\n\nVersion: 1\n", NULL,
		  "has no Version field" },
		{ "a-1.dist-info", wh, "Name: a\nVersion: bad\n", NULL,
		  "METADATA" },
		{ "a-1.dist-info", wh, md, "ln -s /etc/passwd a-1.dist-info/up",
		  "points outside" },
		{ "a-1.dist-info", wh, md, "ln -s /etc/passwd up",
		  "points outside" },
		{ "a-1.dist-info", wh, md, "mkdir c-2.dist-info.d && "
		  "touch x-1.dist-info", "second .dist-info" },
	};
	struct scratch *s = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf path = TLC_BUF_INIT;
		char root[256];

		assert_int_equal(tu_run("rm -rf %s/u", s->dir), 0);
		make_unpacked(s, "u", bad[i].dist_info, bad[i].wheel,
			      bad[i].metadata);
		snprintf(root, sizeof(root), "%s/u", s->dir);
		if (bad[i].shell)
			assert_int_equal(tu_run("cd %s && %s", root,
					     bad[i].shell), 0);
		o.outdir = s->out;
		assert_true(tlc_wheel_pack(&path, root, &o, &err) < 0);
		if (!strstr(err.msg, bad[i].rule))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].rule);
		assert_int_equal(count_entries(s->out), 0);
		tlc_buf_release(&path);
	}
}

/* ---- RECORD ------------------------------------------------------------- */

/* sha256 of "" and of "abc", in RECORD's form and as bytes */
#define H_EMPTY "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
#define H_ABC "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
static const unsigned char sha_empty[4] = { 0xe3, 0xb0, 0xc4, 0x42 };
static const unsigned char sha_abc[4] = { 0xba, 0x78, 0x16, 0xbf };

static void test_wheel__record_parses_what_csv_writes(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *paths[4];
		int hash[4];		/* 0 none, 1 "", 2 "abc" */
		long long size[4];	/* -1 none, -2 UINT64_MAX */
	} good[] = {
		{ "", 0, { NULL }, { 0 }, { 0 } },
		{ "a.py," H_EMPTY ",0\n", 1, { "a.py" }, { 1 }, { 0 } },
		/* no final line end; \r\n; a lone \r; blank lines */
		{ "a.py," H_ABC ",3", 1, { "a.py" }, { 2 }, { 3 } },
		{ "a," H_ABC ",3\r\nb,,\r\n", 2, { "a", "b" }, { 2, 0 },
		  { 3, -1 } },
		{ "a,,\rb,,\r", 2, { "a", "b" }, { 0, 0 }, { -1, -1 } },
		{ "\n\na,,\n\r\n\nb,,\n\n", 2, { "a", "b" }, { 0, 0 },
		  { -1, -1 } },
		/* quoting as csv.writer does it */
		{ "\"d/a,b.txt\"," H_EMPTY ",0\n", 1, { "d/a,b.txt" }, { 1 },
		  { 0 } },
		{ "\"d/say \"\"hi\"\".txt\",,\n\"x\",\"\",\"12\"\n", 2,
		  { "d/say \"hi\".txt", "x" }, { 0, 0 }, { -1, 12 } },
		{ "caf\xc3\xa9.txt,," H_ABC "\n", 0, { NULL }, { 0 }, { 0 } },
		{ "big,,18446744073709551615\nz,,007\n", 2, { "big", "z" },
		  { 0, 0 }, { -2, 7 } },
	};
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen */
		const char *msg;
	} bad[] = {
		{ "a,,\nb\n", 0, "RECORD line 2: 1 fields, not 3" },
		{ "a,,,\n", 0, "RECORD line 1: 4 fields, not 3" },
		{ "a,b\n", 0, "RECORD line 1: 2 fields, not 3" },
		{ "\"\",,\n", 0, "RECORD line 1: member name is empty" },
		{ ",,\n", 0, "RECORD line 1: member name is empty" },
		{ "x,,\n../a,,\n", 0, "RECORD line 2: member name '../a' has a "
		  "'..' component" },
		{ "/etc/passwd,,\n", 0, "RECORD line 1: member name "
		  "'/etc/passwd' is absolute" },
		{ "a\\b,,\n", 0, "RECORD line 1: member name 'a\\b' has a "
		  "backslash" },
		{ "\"a\nb\",,\n", 0, "RECORD line 1: member name 'a' has a "
		  "control character" },
		{ "\"a,,\n", 0, "RECORD line 1: quoted field does not end" },
		{ "\"a\"x,,\n", 0, "RECORD line 1: text after a closing quote" },
		{ "a\"b,,\n", 0, "RECORD line 1: quote inside an unquoted "
		  "field" },
		{ "a,,\nb\0c,,\n", 11, "RECORD line 2: NUL byte" },
		{ "\"b\0\",,\n", 7, "RECORD line 1: NUL byte" },
		{ "a,md5=abc,1\n", 0, "RECORD line 1: hash algorithm 'md5' is "
		  "not sha256" },
		{ "a,SHA256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,1\n",
		  0, "hash algorithm 'SHA256' is not sha256" },
		{ "a,sha256,1\n", 0, "RECORD line 1: hash 'sha256' is not "
		  "<algorithm>=<digest>" },
		{ "a," H_EMPTY "=,0\n", 0, "is not 43 characters of base64url "
		  "without padding" },
		{ "a,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuF,0\n",
		  0, "is not 43 characters" },
		{ "a,sha256=47DEQpj8HBSa+/TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n",
		  0, "RECORD line 1: sha256 digest has '+', which is not "
		  "base64url" },
		{ "a,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFV,0\n",
		  0, "RECORD line 1: sha256 digest is not in canonical "
		  "base64url" },
		{ "a,,-1\n", 0, "RECORD line 1: size '-1' is not a decimal "
		  "number" },
		{ "a,,+1\n", 0, "size '+1' is not a decimal number" },
		{ "a,, 1\n", 0, "size ' 1' is not a decimal number" },
		{ "a,,1.0\n", 0, "size '1.0' is not a decimal number" },
		{ "a,,18446744073709551616\n", 0, "RECORD line 1: size "
		  "'18446744073709551616' is too big" },
		/* the line a record starts on, after a quoted line break */
		{ "\"a\nb\"\n\"c,,\n", 0, "RECORD line 1: 1 fields" },
		{ "x,,\n\"c\n\nd\",,\n", 0, "RECORD line 2: member name 'c' "
		  "has a control character" },
		{ "x,,\n\"c\n\nd,,\n", 0, "RECORD line 2: quoted field does not "
		  "end" },
		{ "a,,\"1\n2\"\n", 0, "RECORD line 1: the size field is not "
		  "printable ASCII" },
		{ "a,\"sha256=\r\",\n", 0, "RECORD line 1: the hash field is not "
		  "printable ASCII" },
		{ "a,md\xc3\xa9=x,\n", 0, "RECORD line 1: the hash field is not "
		  "printable ASCII" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_wheel_record *r = NULL;
		size_t n = 99;
		int rc = tlc_wheel_record_parse(good[i].in, strlen(good[i].in),
						&r, &n, &err);

		if (good[i].n == 0 && good[i].in[0]) {
			/* 'caf...': a size field holding a hash */
			assert_int_equal(rc, TLC_EPOLICY);
			assert_non_null(strstr(err.msg, "is not a decimal"));
			continue;
		}
		if (rc < 0)
			fail_msg("good RECORD %zu: %s", i, err.msg);
		assert_int_equal(n, good[i].n);
		for (size_t k = 0; k < n; k++) {
			assert_string_equal(r[k].path, good[i].paths[k]);
			assert_int_equal(r[k].has_sha256, good[i].hash[k] != 0);
			if (good[i].hash[k])
				assert_memory_equal(r[k].sha256,
						    good[i].hash[k] == 1 ?
						    sha_empty : sha_abc, 4);
			assert_int_equal(r[k].has_size, good[i].size[k] != -1);
			if (good[i].size[k] != -1)
				assert_int_equal(r[k].size, good[i].size[k] == -2 ?
						 UINT64_MAX :
						 (uint64_t)good[i].size[k]);
		}
		tlc_wheel_records_free(r, n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_wheel_record *r = (void *)1;
		size_t n = 99;
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].in);

		assert_int_equal(tlc_wheel_record_parse(bad[i].in, len, &r, &n,
							&err), TLC_EPOLICY);
		assert_null(r);
		assert_int_equal(n, 0);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("bad RECORD %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].msg);
		assert_null(strchr(err.msg, '\n'));
	}
}

/* Python's csv module reads back what our parser reads, for a RECORD
 * with every kind of awkward path. */
static void test_wheel__record_agrees_with_python_csv(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf rec = TLC_BUF_INIT, list = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_record *r = NULL;
	char p[256];
	size_t n;

	snprintf(p, sizeof(p), "%s/RECORD", s->dir);
	assert_int_equal(tu_run("python3 -c 'import csv, sys; "
				"w = csv.writer(open(sys.argv[1], \"w\", "
				"newline=\"\")); "
				"[w.writerow((n, \"\", str(len(n.encode())))) for n in "
				"(\"a,b\", \"q\\x22uote\", \"sp ace\", "
				"\"caf\\xe9\", \"x\\x22,\\x22y\", \"end,\", "
				"\"d/\\x22\\x22\")]' %s", p), 0);
	assert_int_equal(tlc_buf_read_file(&rec, p, &err), 0);
	assert_non_null(strstr(rec.ptr, "\r\n"));	/* the excel dialect */
	assert_int_equal(tlc_wheel_record_parse(rec.ptr, rec.len, &r, &n, &err),
			 0);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].size, strlen(r[i].path));
		assert_int_equal(tlc_buf_printf(&list, "%s|", r[i].path), 0);
	}
	assert_string_equal(list.ptr, "a,b|q\"uote|sp ace|caf\xc3\xa9|"
			    "x\",\"y|end,|d/\"\"|");
	tlc_wheel_records_free(r, n);
	tlc_buf_release(&rec);
	tlc_buf_release(&list);
}

/* ---- the reader --------------------------------------------------------- */

static char *py_wheel(const struct scratch *s, const char *kase)
{
	char *p = malloc(PATH_MAX);

	assert_non_null(p);
	assert_int_equal(tu_run("rm -rf %s/py && python3 "
				"%s/tests/wheel/pywheel.py %s/py %s >/dev/null",
				s->dir, source_dir(), s->dir, kase), 0);
	snprintf(p, PATH_MAX, "%s/py/demo_pkg-1.0-py3-none-any.whl", s->dir);
	return p;
}

/* Each member's bytes, streamed, must have RECORD's digest. */
static void assert_members_match_record(const struct tlc_wheel_reader *r)
{
	const struct tlc_zip_reader *z = tlc_wheel_reader_zip(r);
	struct tlc_error err = TLC_ERROR_INIT;

	for (size_t i = 0; i < tlc_zip_reader_count(z); i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(z, i);
		const struct tlc_wheel_record *rec =
			tlc_wheel_reader_record(r, e->name);
		struct tlc_buf b = TLC_BUF_INIT;
		unsigned char d[32];

		assert_non_null(rec);
		assert_int_equal(tlc_zip_read(z, e, &b, &err), 0);
		if (!rec->has_sha256) {
			assert_non_null(strstr(e->name, ".dist-info/RECORD"));
		} else {
			assert_int_equal(EVP_Digest(b.ptr, b.len, d, NULL,
						    EVP_sha256(), NULL), 1);
			assert_memory_equal(d, rec->sha256, 32);
		}
		tlc_buf_release(&b);
	}
}

static void test_wheel__reader_reads_python_and_our_wheels(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_reader *r = NULL;
	const struct tlc_wheel_record *rec;
	char *path = py_wheel(s, "good");

	if (tlc_wheel_reader_open(&r, path, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(tlc_wheel_reader_dist_info(r),
			    "demo_pkg-1.0.dist-info");
	assert_string_equal(tlc_wheel_reader_name(r), "demo_pkg");
	assert_string_equal(tlc_wheel_reader_version(r), "1.0");
	assert_null(tlc_wheel_reader_build_tag(r));
	assert_string_equal(tlc_wheel_reader_python_tag(r), "py3");
	assert_string_equal(tlc_wheel_reader_abi_tag(r), "none");
	assert_string_equal(tlc_wheel_reader_platform_tag(r), "any");
	assert_true(tlc_wheel_reader_purelib(r));
	assert_non_null(strstr(tlc_wheel_reader_metadata(r)->ptr,
			       "Name: demo-pkg\nVersion: 1.0\n"));
	rec = tlc_wheel_reader_record(r, "demo_pkg/data, \"quoted\".txt");
	assert_non_null(rec);
	assert_true(rec->has_sha256 && rec->has_size);
	assert_int_equal(rec->size, 22 * 50);
	rec = tlc_wheel_reader_record(r, "demo_pkg-1.0.dist-info/RECORD");
	assert_non_null(rec);
	assert_false(rec->has_sha256 || rec->has_size);
	assert_null(tlc_wheel_reader_record(r, "demo_pkg/none.py"));
	assert_int_equal(tlc_zip_reader_count(tlc_wheel_reader_zip(r)), 9);
	assert_members_match_record(r);
	tlc_wheel_reader_free(r);
	free(path);

	/* ours: a build tag, compressed tags, a name that needed escaping */
	make_tree(s);
	path = write_demo(s, s->out, 2, false, NULL);
	assert_int_equal(tlc_wheel_reader_open(&r, path, &err), 0);
	assert_string_equal(tlc_wheel_reader_dist_info(r),
			    "demo_pkg-1.0.dist-info");
	assert_string_equal(tlc_wheel_reader_build_tag(r), "7");
	assert_string_equal(tlc_wheel_reader_python_tag(r), "py2.py3");
	assert_string_equal(tlc_wheel_reader_platform_tag(r),
			    "linux_x86_64.linux_aarch64");
	assert_false(tlc_wheel_reader_purelib(r));
	assert_non_null(tlc_wheel_reader_record(r, "demo/caf\xc3\xa9.txt"));
	assert_members_match_record(r);
	tlc_wheel_reader_free(r);
	free(path);

	/* `wheel pack` when a Python has the wheel package */
	tu_put(s->dir, "wtree/demo/__init__.py", "X = 1\n", 0644);
	tu_put(s->dir, "wtree/Demo.Pkg-1.0.dist-info/METADATA",
	       "Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0\n", 0644);
	tu_put(s->dir, "wtree/Demo.Pkg-1.0.dist-info/WHEEL",
	       "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
	       "Tag: py3-none-any\n", 0644);
	if (tu_run("for py in python3 /usr/bin/python3; do "
		   "$py -c 'import wheel' 2>/dev/null && "
		   "mkdir -p %s/wp && $py -m wheel pack -d %s/wp %s/wtree "
		   ">/dev/null && exit 0; "
		   "done; exit 1", s->dir, s->dir, s->dir) == 0) {
		char p[PATH_MAX];

		/* wheel 0.38 keeps the name as written; newer ones escape it */
		snprintf(p, sizeof(p), "%s/wp/Demo.Pkg-1.0-py3-none-any.whl",
			 s->dir);
		if (access(p, F_OK) != 0)
			snprintf(p, sizeof(p),
				 "%s/wp/demo_pkg-1.0-py3-none-any.whl", s->dir);
		if (tlc_wheel_reader_open(&r, p, &err) < 0)
			fail_msg("%s", err.msg);
		assert_true(tlc_wheel_reader_purelib(r));
		assert_members_match_record(r);
		tlc_wheel_reader_free(r);
	} else {
		print_message("no Python with the wheel package: skipped "
			      "`wheel pack`\n");
	}
}

static void test_wheel__reader_refuses_hostile_wheels(void **state)
{
	static const struct {
		const char *kase;
		const char *msg;
	} bad[] = {
		{ "no_dist_info", "has no .dist-info directory" },
		{ "two_dist_info", "has two .dist-info directories: "
		  "'demo_pkg-1.0.dist-info' and 'other-1.0.dist-info'" },
		{ "dist_info_name", "'other_pkg-1.0.dist-info' is not the "
		  ".dist-info directory of project 'demo_pkg'" },
		{ "dist_info_version", "'demo_pkg-2.0.dist-info' is not the "
		  ".dist-info directory of version '1.0'" },
		{ "dist_info_no_version", "'demo_pkg.dist-info' is not named "
		  "{name}-{version}.dist-info" },
		{ "no_wheel_file", "has no demo_pkg-1.0.dist-info/WHEEL" },
		{ "wheel_version_2", "WHEEL has Wheel-Version '2.0', not 1.x" },
		{ "wheel_no_version", "WHEEL has no Wheel-Version" },
		{ "wheel_no_tag", "WHEEL has no Tag line" },
		{ "no_metadata", "has no demo_pkg-1.0.dist-info/METADATA" },
		{ "metadata_name", "'METADATA' names project 'other'" },
		{ "metadata_version", "'METADATA' says version '1.1'" },
		{ "metadata_nul", "METADATA has a NUL byte" },
		{ "no_record", "has no demo_pkg-1.0.dist-info/RECORD" },
		{ "record_misses_member", "member 'demo_pkg/__init__.py' is "
		  "not in RECORD" },
		{ "record_extra_path", "RECORD lists 'demo_pkg/gone.py', which "
		  "is not in the wheel" },
		{ "record_twice", "RECORD lists 'demo_pkg/__init__.py' twice" },
		{ "record_md5", "RECORD line 1: hash algorithm 'md5' is not "
		  "sha256" },
		{ "record_no_hash", "RECORD has no sha256 for "
		  "'demo_pkg/__init__.py'" },
		{ "record_padding", "RECORD line 1: sha256 digest" },
		{ "record_size", "RECORD line 1: size '-1'" },
		{ "record_size_differs", "RECORD gives 'demo_pkg/__init__.py' "
		  "29 bytes, the archive 28" },
		{ "record_two_fields", "RECORD line 3: 2 fields, not 3" },
		{ "record_bad_path", "RECORD line 1: member name '../evil.py'" },
		{ "record_open_quote", "RECORD line 10: quoted field does not "
		  "end" },
		{ "not_a_zip", "no end of central directory record" },
	};
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_reader *r = NULL;
	char *path;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = py_wheel(s, bad[i].kase);
		assert_int_equal(tlc_wheel_reader_open(&r, path, &err),
				 TLC_EPOLICY);
		assert_null(r);
		if (!strstr(err.msg, bad[i].msg) ||
		    strncmp(err.msg, "'", 1) || strchr(err.msg, '\n'))
			fail_msg("%s: '%s' lacks '%s'", bad[i].kase, err.msg,
				 bad[i].msg);
		free(path);
	}
	/* the good ones, for contrast */
	path = py_wheel(s, "crlf_record");
	assert_int_equal(tlc_wheel_reader_open(&r, path, &err), 0);
	tlc_wheel_reader_free(r);
	free(path);

	/* a bad filename, a missing file */
	assert_int_equal(tlc_wheel_reader_open(&r, "/nonexistent/x.whl", &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_wheel_reader_open(&r,
		"/nonexistent/demo-1.0-py3-none-any.whl", &err), TLC_ENOTFOUND);
	tlc_wheel_reader_free(NULL);
}

/*
 * The lead's use: every member of a wheel copied raw into a new one with
 * another platform tag and one more .dist-info file.  pip installs it
 * into a fresh venv, RECORD holds the input's digests, wheelcheck.py
 * recomputes them, and the compressed bytes are the input's.
 */
static void test_wheel__raw_copy_round_trip_installs_with_pip(void **state)
{
	struct scratch *s = *state;
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_reader *r = NULL, *back = NULL;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_buf out = TLC_BUF_INIT;
	const struct tlc_zip_reader *z;
	char *path = py_wheel(s, "good");
	const char *di;
	size_t dl, n;

	assert_int_equal(tlc_wheel_reader_open(&r, path, &err), 0);
	z = tlc_wheel_reader_zip(r);
	di = tlc_wheel_reader_dist_info(r);
	dl = strlen(di);
	o.name = tlc_wheel_reader_name(r);
	o.version = tlc_wheel_reader_version(r);
	o.python_tag = tlc_wheel_reader_python_tag(r);
	o.abi_tag = tlc_wheel_reader_abi_tag(r);
	o.platform_tag = "manylinux_2_17_x86_64";
	o.purelib = tlc_wheel_reader_purelib(r);
	o.outdir = s->out;
	o.threads = 2;
	assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
	n = tlc_zip_reader_count(z);
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(z, i);
		const struct tlc_wheel_record *rec =
			tlc_wheel_reader_record(r, e->name);
		const char *rel = e->name + dl + 1;
		int rc;

		if (strncmp(e->name, di, dl) || e->name[dl] != '/') {
			rc = tlc_wheel_add_raw(w, e->name, z, e, rec->sha256,
					       &err);
		} else if (!strcmp(rel, "RECORD") || !strcmp(rel, "WHEEL") ||
			   !strcmp(rel, "METADATA")) {
			/* the writer's own: refused raw */
			assert_int_equal(tlc_wheel_add_dist_info_raw(w, rel, z,
				e, rec ? rec->sha256 : sha_abc, &err),
				TLC_EPOLICY);
			assert_non_null(strstr(err.msg, "written by tlcpack"));
			continue;
		} else {
			/* inside the input's .dist-info: only as such */
			assert_int_equal(tlc_wheel_add_raw(w, e->name, z, e,
							   rec->sha256, &err),
					 TLC_EPOLICY);
			rc = tlc_wheel_add_dist_info_raw(w, rel, z, e,
							 rec->sha256, &err);
		}
		if (rc < 0)
			fail_msg("%s", err.msg);
	}
	assert_int_equal(tlc_wheel_add_dist_info_data(w, "tlcpack.txt",
						      "repaired\n", 9, &err), 0);
	assert_int_equal(tlc_wheel_writer_finish(w,
		tlc_wheel_reader_metadata(r)->ptr, &out, &err), 0);
	tlc_wheel_writer_free(w);
	assert_non_null(strstr(out.ptr, "/dist/demo_pkg-1.0-py3-none-"
			       "manylinux_2_17_x86_64.whl"));

	assert_int_equal(tu_run("python3 %s/tests/wheel/wheelcheck.py '%s' "
				"demo_pkg/__init__.py "
				"'demo_pkg/data, \"quoted\".txt' "
				"demo_pkg/stored.bin demo_pkg/bin/tool.sh",
				source_dir(), out.ptr), 0);
	assert_int_equal(tu_run("python3 -c 'import zipfile, sys; "
				"z = zipfile.ZipFile(sys.argv[1]); "
				"assert z.testzip() is None; "
				"assert z.getinfo(\"demo_pkg/bin/tool.sh\")"
				".external_attr >> 16 == 0o100755; "
				"assert z.read(\"demo_pkg-1.0.dist-info/"
				"tlcpack.txt\") == b\"repaired\\n\"' '%s'",
				out.ptr), 0);

	/* our reader: same digests, same compressed bytes */
	assert_int_equal(tlc_wheel_reader_open(&back, out.ptr, &err), 0);
	assert_members_match_record(back);
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *a = tlc_zip_reader_entry(z, i);
		const struct tlc_zip_entry *b = tlc_zip_reader_find(
			tlc_wheel_reader_zip(back), a->name);

		if (strstr(a->name, "/RECORD") || strstr(a->name, "/WHEEL"))
			continue;
		assert_non_null(b);
		assert_int_equal(a->crc32, b->crc32);
		if (!strstr(a->name, "/METADATA")) {
			assert_int_equal(a->csize, b->csize);
			assert_int_equal(a->method, b->method);
		}
	}
	tlc_wheel_reader_free(back);
	tlc_wheel_reader_free(r);

	if (tu_run("python3 -m venv %s/venv >/dev/null 2>&1", s->dir) != 0) {
		print_message("cannot make a venv: skipped pip install\n");
	} else {
		assert_int_equal(tu_run("%s/venv/bin/python -m pip install -q "
					"--no-index --no-deps "
					"--disable-pip-version-check '%s' && "
					"%s/venv/bin/python -c 'import demo_pkg; "
					"assert demo_pkg.answer() == 42'; "
					"%s/venv/bin/demo-answer; "
					"test $? = 42", s->dir,
					out.ptr, s->dir, s->dir), 0);
	}
	tlc_buf_release(&out);
	free(path);
}

static void test_wheel__dist_info_names_are_checked(void **state)
{
	static const char *const reserved[] = { "METADATA", "WHEEL", "RECORD",
						"RECORD.jws", "RECORD.p7s" };
	struct scratch *s = *state;
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_writer *w = NULL;

	o.name = "demo";
	o.version = "1.0";
	o.outdir = s->out;
	assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(tlc_wheel_add_dist_info_data(w, reserved[i],
							      "x", 1, &err),
				 TLC_EPOLICY);
		assert_non_null(strstr(err.msg, "written by tlcpack"));
	}
	assert_int_equal(tlc_wheel_add_dist_info_data(w, "../x", "x", 1, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_wheel_add_dist_info_data(w, "/x", "x", 1, &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_wheel_add_dist_info_data(w, "sub/RECORD", NULL,
						      0, &err), 0);
	assert_int_equal(tlc_wheel_add_dist_info_data(w, "sub/RECORD", "x", 1,
						      &err), 0);
	/* the duplicate shows when the members are sorted */
	assert_int_equal(tlc_wheel_writer_finish(w, "Metadata-Version: 2.1\n"
						 "Name: demo\nVersion: 1.0\n",
						 &(struct tlc_buf)TLC_BUF_INIT,
						 &err), TLC_EPOLICY);
	assert_string_equal(err.msg, "member 'demo-1.0.dist-info/sub/RECORD' "
			    "is added twice");
	tlc_wheel_writer_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wheel__metadata_is_rendered_as_2_1),
		cmocka_unit_test(test_wheel__bad_metadata_is_refused),
		cmocka_unit_test_setup_teardown(
			test_wheel__python_verifies_record_wheel_metadata,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__same_bytes_whatever_threads_and_order,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__hostile_members_are_refused, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__bad_trees_are_refused, setup, teardown),
		cmocka_unit_test(test_wheel__bad_opts_are_refused),
		cmocka_unit_test_setup_teardown(
			test_wheel__pack_repacks_an_unpacked_wheel, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__pack_refuses_bad_trees, setup, teardown),
		cmocka_unit_test(test_wheel__record_parses_what_csv_writes),
		cmocka_unit_test_setup_teardown(
			test_wheel__record_agrees_with_python_csv, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__reader_reads_python_and_our_wheels, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__reader_refuses_hostile_wheels, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__raw_copy_round_trip_installs_with_pip,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_wheel__dist_info_names_are_checked, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
