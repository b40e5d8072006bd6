/*
 * Unit tests for install.c: the helpers behind RECORD paths, scheme
 * answers and entry points (tables), scheme detection against this
 * machine's own root and a fake base, and installs of wheels written by
 * tlc_wheel_writer.  tests/cli/install/pip-compare.sh compares whole
 * installs with real pip.
 */
#include "../../src/lib/install.c"

#include "testutil.h"

#include <sys/stat.h>

/* ---- tables ------------------------------------------------------------- */

static void test_install__relpath(void **state)
{
	static const struct { const char *from, *to, *want; } t[] = {
		{ "/usr/local/lib/python3.11/dist-packages",
		  "/usr/local/lib/python3.11/dist-packages/a/b.py", "a/b.py" },
		{ "/usr/local/lib/python3.11/dist-packages",
		  "/usr/local/bin/demo", "../../../bin/demo" },
		{ "/usr/local/lib/python3.11/dist-packages",
		  "/usr/include/python3.11/x/y.h",
		  "../../../../include/python3.11/x/y.h" },
		{ "/a/bc", "/a/b/x", "../b/x" },
		{ "/a/b", "/a/bc/x", "../bc/x" },
		{ "/x", "/y/z", "../y/z" },
		{ "/", "/y/z", "y/z" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tlc_buf b = TLC_BUF_INIT;

		assert_int_equal(relpath(&b, t[i].from, t[i].to), 0);
		assert_string_equal(b.ptr, t[i].want);
		tlc_buf_release(&b);
	}
}

static void test_install__abs_path(void **state)
{
	(void)state;
	assert_true(abs_path_ok("/usr/local/lib/python3.11/dist-packages"));
	assert_true(abs_path_ok("/"));
	assert_false(abs_path_ok("usr/lib"));
	assert_false(abs_path_ok("/usr/../etc"));
	assert_false(abs_path_ok("/usr/./lib"));
	assert_false(abs_path_ok("/usr//lib"));
	assert_false(abs_path_ok("/usr/lib/"));
	assert_false(abs_path_ok("/usr/li\nb"));
	assert_false(abs_path_ok(""));
}

/* What a hostile base's interpreter could answer. */
static void test_install__scheme_answers(void **state)
{
	static const struct { const char *data; size_t len; int rc; } t[] = {
#define A(s) { s, sizeof(s) - 1, 0 }
#define B(s) { s, sizeof(s) - 1, TLC_EPOLICY }
		A("/p\0/p\0/b\0/d\0/i\0/usr/bin/python3\0" "3.11\0linux-x86_64\0"),
		B("/p\0/p\0/b\0/d\0/i\0/usr/bin/python3\0" "3.11\0"),
		B("/p\0/p\0/b\0/d\0/i\0/usr/bin/python3\0" "3.11\0x\0extra\0"),
		B("p\0/p\0/b\0/d\0/i\0/usr/bin/python3\0" "3.11\0x\0"),
		B("/p/../../etc\0/p\0/b\0/d\0/i\0/py\0" "3.11\0x\0"),
		B("/p\0/p\0/b\0/d\0/i\0/py\0" "three\0x\0"),
		B("/p\0/p\0/b\0/d\0/i\0/py\0" "3.11\0a b\0"),
		{ "", 0, TLC_EPOLICY },
#undef A
#undef B
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf b = TLC_BUF_INIT;

		assert_int_equal(tlc_buf_put(&b, t[i].data, t[i].len), 0);
		assert_int_equal(parse_scheme(&s, &b, "/py", &err), t[i].rc);
		if (!t[i].rc)
			assert_string_equal(s.python, "/usr/bin/python3");
		tlc_install_scheme_release(&s);
		tlc_buf_release(&b);
	}
}

static void test_install__entry_points(void **state)
{
	static const struct { const char *text; int rc; size_t n; } t[] = {
		{ "[console_scripts]\na = m:f\nb=m.n:o.p [x, y]\n"
		  "# c\n; d\n[gui_scripts]\nc = m:g\n[x]\nweird name = q\n",
		  0, 3 },
		{ "", 0, 0 },
		{ "[console_scripts]\n../x = m:f\n", TLC_EPOLICY, 0 },
		{ "[console_scripts]\na/b = m:f\n", TLC_EPOLICY, 0 },
		{ "[console_scripts]\n.hidden = m:f\n", TLC_EPOLICY, 0 },
		{ "[console_scripts]\na = m\n", TLC_EPOLICY, 0 },
		{ "[console_scripts]\na = m:f; rm -rf /\n", TLC_EPOLICY, 0 },
		{ "[console_scripts]\na = m:f\n[gui_scripts]\na = m:g\n",
		  TLC_EPOLICY, 0 },
		{ "[console_scripts]\nno equals sign\n", TLC_EPOLICY, 0 },
		{ "[console_scripts\na = m:f\n", TLC_EPOLICY, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct entries es = { 0 };
		struct tlc_error err = TLC_ERROR_INIT;
		char *text = strdup(t[i].text);

		assert_non_null(text);
		assert_int_equal(parse_entry_points(&es, text, "w.whl", &err),
				 t[i].rc);
		if (!t[i].rc) {
			assert_int_equal(es.n, t[i].n);
		} else {
			assert_null(strchr(err.msg, '\n'));
			assert_non_null(strstr(err.msg, "w.whl"));
		}
		if (t[i].n) {
			assert_string_equal(es.v[1].name, "b");
			assert_string_equal(es.v[1].module, "m.n");
			assert_string_equal(es.v[1].attr, "o.p");
		}
		entries_release(&es);
		free(text);
	}
}

static char g_dir[PATH_MAX];

/* ---- detection ---------------------------------------------------------- */

static char *run_out(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	static char buf[4096];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	assert_int_equal(pclose(f), 0);
	return buf;
}

/* chroot / with the machine's own python3 must agree with that python
 * asked directly (/usr/local/bin/python3 comes first when present). */
static void test_install__detect_host(void **state)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct stat st;
	const char *note = (const char *)1, *py;
	char cmd[8192], want[4096], script[PATH_MAX + 16];

	(void)state;
	if (stat("/usr/local/bin/python3", &st) == 0)
		py = "/usr/local/bin/python3";
	else if (stat("/usr/bin/python3", &st) == 0)
		py = "/usr/bin/python3";
	else
		fail_msg("no python3 (scripts/deps.sh installs it)");
	assert_int_equal(tlc_install_scheme_detect(&s, "/", &note, &err), 0);
	if (note) {
		/* no chroot here (not root, no user namespaces) */
		tlc_install_scheme_release(&s);
		skip();
	}
	snprintf(script, sizeof(script), "%s/q.py", g_dir);
	tu_write_file(script,
		      "import sysconfig, sys\n"
		      "p = sysconfig.get_paths("
		      "sysconfig.get_preferred_scheme('prefix'))\n"
		      "print(*[p[k] for k in ('purelib', 'platlib', 'scripts',"
		      " 'data', 'include')], sys.executable,\n"
		      "      '%d.%d' % sys.version_info[:2],"
		      " sysconfig.get_platform(), sep='\\n')\n", 0644);
	snprintf(cmd, sizeof(cmd), "%s -I %s", py, script);
	snprintf(want, sizeof(want), "%s", run_out(cmd));
	snprintf(cmd, sizeof(cmd), "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n",
		 s.purelib, s.platlib, s.scripts, s.data, s.headers, s.python,
		 s.version, s.platform);
	assert_string_equal(cmd, want);
	assert_string_equal(s.python, py);
	tlc_install_scheme_release(&s);
}

/* A base whose python3 cannot run here: the layout decides, and says so. */
static void test_install__detect_layout(void **state)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *note = NULL;
	char root[PATH_MAX], p[PATH_MAX + 64];

	(void)state;
	assert_int_equal(tu_mkdtemp(root, "install-layout"), 0);
	assert_int_equal(tlc_install_scheme_detect(&s, root, &note, &err),
			 TLC_ENOTFOUND);
	assert_null(s.purelib);
	tu_put(root, "usr/bin/python3.12", "\x7f" "ELF not for here", 0755);
	tu_put(root, "usr/lib/python3/dist-packages/x", "", 0644);
	snprintf(p, sizeof(p), "%s/usr/bin/python3", root);
	/* an absolute link, resolved inside the root */
	assert_int_equal(symlink("/usr/bin/python3.12", p), 0);
	assert_int_equal(tlc_install_scheme_detect(&s, root, &note, &err), 0);
	assert_non_null(note);
	assert_string_equal(s.purelib,
			    "/usr/local/lib/python3.12/dist-packages");
	assert_string_equal(s.scripts, "/usr/local/bin");
	assert_string_equal(s.headers, "/usr/include/python3.12");
	assert_string_equal(s.python, "/usr/bin/python3");
	assert_string_equal(s.version, "3.12");
	assert_null(s.platform);
	tlc_install_scheme_release(&s);
	assert_int_equal(tu_remove_tree(root), 0);
}

/* ---- installing --------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	return tu_mkdtemp(g_dir, "install");
}

static int teardown(void **state)
{
	(void)state;
	return tu_remove_tree(g_dir);
}

static void scheme_init(struct tlc_install_scheme *s)
{
	s->purelib = strdup("/usr/local/lib/python3.11/dist-packages");
	s->platlib = strdup("/usr/local/lib64/python3.11/dist-packages");
	s->scripts = strdup("/usr/local/bin");
	s->data = strdup("/usr/local");
	s->headers = strdup("/usr/local/include/python3.11");
	s->python = strdup("/usr/bin/python3");
	s->version = strdup("3.11");
	s->platform = strdup("linux-x86_64");
	assert_non_null(s->platform);
}

struct member {
	const char *name, *data;
	unsigned mode;
};

/* A wheel "demo-1.0-<tags>.whl" with @m, and entry_points.txt @ep. */
static void make_wheel(struct tlc_buf *path, const char *tags[3], bool pure,
		       const struct member *m, const char *ep)
{
	struct tlc_wheel_opts o = TLC_WHEEL_OPTS_INIT;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_error err = TLC_ERROR_INIT;

	o.name = "demo";
	o.version = "1.0";
	o.python_tag = tags[0];
	o.abi_tag = tags[1];
	o.platform_tag = tags[2];
	o.purelib = pure;
	o.generator = "test";
	o.outdir = g_dir;
	o.threads = 1;
	assert_int_equal(tlc_wheel_writer_new(&w, &o, &err), 0);
	for (; m && m->name; m++)
		assert_int_equal(tlc_wheel_add_data(w, m->name, m->data,
						    strlen(m->data), m->mode,
						    &err), 0);
	if (ep)
		assert_int_equal(tlc_wheel_add_dist_info_data(
			w, "entry_points.txt", ep, strlen(ep), &err), 0);
	tlc_buf_reset(path);
	if (tlc_wheel_writer_finish(w, "Metadata-Version: 2.1\nName: Demo\n"
				    "Version: 1.0\n", path, &err) < 0)
		fail_msg("%s", err.msg);
	tlc_wheel_writer_free(w);
}

static const char *any[3] = { "py3", "none", "any" };

static const struct member demo_members[] = {
	{ "demo/__init__.py", "def main():\n    return 0\n", 0644 },
	{ "demo/_ext.so", "\177ELF", 0755 },
	{ "demo-1.0.data/scripts/run", "#!python -u\r\nprint(1)\n", 0644 },
	{ "demo-1.0.data/scripts/demo-cli", "# replaced\n", 0755 },
	{ "demo-1.0.data/headers/demo.h", "#define X\n", 0644 },
	{ "demo-1.0.data/data/share/demo/x", "x\n", 0644 },
	{ "demo-1.0.data/platlib/plat.py", "P = 1\n", 0644 },
	{ NULL, NULL, 0 }
};

static unsigned mode_of(const char *root, const char *rel)
{
	char p[PATH_MAX + 256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (lstat(p, &st) < 0)
		fail_msg("missing %s", rel);
	return st.st_mode & 07777;
}

static void test_install__wheel(void **state)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf whl = TLC_BUF_INIT;
	char a[PATH_MAX + 16], b[PATH_MAX + 16], p[PATH_MAX + 256],
	     q[PATH_MAX + 256];
	const char *site = "usr/local/lib/python3.11/dist-packages";
	static const char *const files[] = {
		"usr/local/lib/python3.11/dist-packages/demo/__init__.py",
		"usr/local/lib/python3.11/dist-packages/demo-1.0.dist-info/"
		"RECORD",
		"usr/local/lib64/python3.11/dist-packages/plat.py",
		"usr/local/bin/run", "usr/local/bin/demo-cli",
		"usr/local/include/python3.11/Demo/demo.h",
		"usr/local/share/demo/x", NULL
	};

	(void)state;
	scheme_init(&s);
	make_wheel(&whl, any, true, demo_members,
		   "[console_scripts]\ndemo-cli = demo:main\n");
	snprintf(a, sizeof(a), "%s/a", g_dir);
	snprintf(b, sizeof(b), "%s/b", g_dir);
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(mkdir(b, 0700), 0);
	if (tlc_install_wheel(whl.ptr, a, &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(tlc_install_wheel(whl.ptr, b, &s, &err), 0);

	snprintf(p, sizeof(p), "%s/usr/local/bin/run", a);
	tu_assert_file_is(p, "#!/usr/bin/python3\nprint(1)\n", 28);
	assert_int_equal(mode_of(a, "usr/local/bin/run"), 0755);
	assert_int_equal(mode_of(a, "usr/local/bin/demo-cli"), 0755);
	snprintf(p, sizeof(p), "%s/usr/local/bin/demo-cli", a);
	{
		struct tlc_buf t = TLC_BUF_INIT;

		assert_int_equal(tlc_buf_read_file(&t, p, &err), 0);
		assert_non_null(strstr(t.ptr, "from demo import main\n"));
		assert_null(strstr(t.ptr, "replaced"));
		tlc_buf_release(&t);
	}
	snprintf(p, sizeof(p), "usr/local/lib/python3.11/dist-packages/demo/"
		 "_ext.so");
	assert_int_equal(mode_of(a, p), 0755);
	assert_int_equal(mode_of(a, "usr/local/share/demo/x"), 0644);
	assert_int_equal(mode_of(a, "usr/local"), 0755);
	snprintf(p, sizeof(p), "%s/%s/demo-1.0.dist-info/INSTALLER", a, site);
	tu_assert_file_is(p, "tlcpack\n", 8);
	snprintf(p, sizeof(p), "%s/%s/demo-1.0.dist-info/RECORD", a, site);
	{
		struct tlc_buf t = TLC_BUF_INIT;

		assert_int_equal(tlc_buf_read_file(&t, p, &err), 0);
		assert_non_null(strstr(t.ptr, "demo-1.0.dist-info/RECORD,,\r\n"));
		assert_non_null(strstr(t.ptr, "\r\n../../../bin/run,sha256="));
		assert_non_null(strstr(t.ptr, "../../../include/python3.11/"
				       "Demo/demo.h,sha256="));
		assert_non_null(strstr(t.ptr, "../../../lib64/python3.11/"
				       "dist-packages/plat.py,"));
		assert_non_null(strstr(t.ptr, "demo-1.0.dist-info/REQUESTED,"
				       "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5"
				       "NMpJWZG3hSuFU,0\r\n"));
		/* the launcher's line, and nothing of the script it replaced
		 * under its .data name */
		assert_non_null(strstr(t.ptr, "../../../bin/demo-cli,sha256="));
		assert_null(strstr(t.ptr, ".data/"));
		tlc_buf_release(&t);
	}
	/* same inputs, same bytes */
	for (size_t i = 0; files[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", a, files[i]);
		snprintf(q, sizeof(q), "%s/%s", b, files[i]);
		assert_true(tu_same_file(p, q));
	}
	/* installing over an install replaces the files */
	assert_int_equal(tlc_install_wheel(whl.ptr, a, &s, &err), 0);
	tlc_buf_release(&whl);
	tlc_install_scheme_release(&s);
}

static void assert_refused(const char *whl, const struct tlc_install_scheme *s,
			   const char *what)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char d[PATH_MAX + 16];
	int n = 0;

	snprintf(d, sizeof(d), "%s/refused", g_dir);
	assert_int_equal(tu_remove_tree(d), 0);
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(tlc_install_wheel(whl, d, s, &err), TLC_EPOLICY);
	if (!strstr(err.msg, what))
		fail_msg("'%s' does not say '%s'", err.msg, what);
	assert_null(strchr(err.msg, '\n'));
	{
		char cmd[PATH_MAX + 64];
		FILE *f;

		snprintf(cmd, sizeof(cmd), "ls -A '%s'", d);
		f = popen(cmd, "r");
		assert_non_null(f);
		while (fgetc(f) != EOF)
			n++;
		pclose(f);
	}
	assert_int_equal(n, 0);	/* nothing written */
}

static void test_install__refused(void **state)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_buf whl = TLC_BUF_INIT;
	static const struct member twice[] = {
		{ "demo/x.py", "1\n", 0644 },
		{ "demo-1.0.data/purelib/demo/x.py", "2\n", 0644 },
		{ NULL, NULL, 0 }
	};
	static const struct member dir[] = {
		{ "demo/x.py", "1\n", 0644 },
		{ "demo-1.0.data/purelib/demo/x.py/y", "2\n", 0644 },
		{ NULL, NULL, 0 }
	};
	static const struct member other_data[] = {
		{ "other-1.0.data/purelib/x.py", "1\n", 0644 },
		{ NULL, NULL, 0 }
	};
	static const struct member nokey[] = {
		{ "demo-1.0.data/x.py", "1\n", 0644 },
		{ NULL, NULL, 0 }
	};
	const char *cp310[3] = { "cp310", "cp310", "linux_x86_64" };
	const char *arm[3] = { "py3", "none", "manylinux_2_17_aarch64" };

	(void)state;
	scheme_init(&s);
	make_wheel(&whl, any, true, twice, NULL);
	assert_refused(whl.ptr, &s, "two files would be installed");
	make_wheel(&whl, any, true, dir, NULL);
	assert_refused(whl.ptr, &s, "as a directory");
	make_wheel(&whl, any, true, other_data, NULL);
	assert_refused(whl.ptr, &s, "not demo-1.0.data");
	make_wheel(&whl, any, true, nokey, NULL);
	assert_refused(whl.ptr, &s, "not in a scheme directory");
	make_wheel(&whl, any, true, demo_members,
		   "[gui_scripts]\n-rf = demo:main\n");
	assert_refused(whl.ptr, &s, "not a file name");
	make_wheel(&whl, cp310, false, demo_members, NULL);
	assert_refused(whl.ptr, &s, "no tag fits Python 3.11");
	make_wheel(&whl, arm, false, demo_members, NULL);
	assert_refused(whl.ptr, &s, "on linux-x86_64");
	free(s.purelib);
	s.purelib = strdup("/usr/../../etc");
	assert_refused(whl.ptr, &s, "purelib is not an absolute");
	tlc_buf_release(&whl);
	tlc_install_scheme_release(&s);
}

static void test_install__tags(void **state)
{
	struct tlc_install_scheme s = TLC_INSTALL_SCHEME_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf whl = TLC_BUF_INIT;
	const char *ok[][3] = {
		{ "py2.py3", "none", "any" }, { "cp311", "cp311",
		"manylinux_2_17_x86_64.manylinux2014_x86_64" },
		{ "cp38", "abi3", "linux_x86_64" }, { "py310", "none", "any" },
	};
	char d[PATH_MAX + 16];

	(void)state;
	scheme_init(&s);
	snprintf(d, sizeof(d), "%s/tags", g_dir);
	assert_int_equal(mkdir(d, 0700), 0);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		make_wheel(&whl, ok[i], false, demo_members, NULL);
		if (tlc_install_wheel(whl.ptr, d, &s, &err) < 0)
			fail_msg("%s", err.msg);
	}
	tlc_buf_release(&whl);
	tlc_install_scheme_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install__relpath),
		cmocka_unit_test(test_install__abs_path),
		cmocka_unit_test(test_install__scheme_answers),
		cmocka_unit_test(test_install__entry_points),
		cmocka_unit_test(test_install__detect_host),
		cmocka_unit_test(test_install__detect_layout),
		cmocka_unit_test(test_install__wheel),
		cmocka_unit_test(test_install__refused),
		cmocka_unit_test(test_install__tags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
