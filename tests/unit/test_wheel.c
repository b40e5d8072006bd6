/*
 * The wheel writer: METADATA text, then wheels read back by Python
 * (tests/wheel/wheelcheck.py recomputes every RECORD hash with hashlib),
 * hostile names, determinism, repacking.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
