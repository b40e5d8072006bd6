/*
 * The build driver, through its public API only: versions from real git
 * repositories made here (git init, commits, tags), dry-run plans for
 * recipes with and without per-python projects (with the real python3),
 * and real builds (pure-Python recipes, and one CMake project that needs
 * no compiler) whose wheels python3's zipfile reads back.  Each test gets
 * a scratch directory; git runs with no global or system configuration,
 * as on CI; SOURCE_DATE_EPOCH is set, so wheels are reproducible.
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
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"
#include "proc.h"
#include "testutil.h"
#include "tlcpack/build.h"
#include "tlcpack/recipe.h"

/* What the real python3 says about itself, found once. */
static char probe_out[PATH_MAX + 256];
static const char *py_tag;	/* "cp311" */
static const char *py_platform;	/* "linux_x86_64" */
static const char *py_exe;	/* sys.executable */
static char machine[128];	/* "linux_x86_64", from uname */

struct scratch {
	char dir[PATH_MAX];	/* resolved */
	char proj[PATH_MAX + 8];
	char out[PATH_MAX + 8];
	char bdir[PATH_MAX + 8];
};

/* Run a command, capturing stdout (trimmed); fails the test unless it
 * exits 0. */
static void capture(char *out, size_t size, const char *cwd,
		    const char *const *argv)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(65536);
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc__proc p = { argv, cwd, NULL, NULL, &b };
	int status = -1;

	if (tlc__proc_run(&p, &status, &err) < 0)
		fail_msg("cannot run %s: %s", argv[0], err.msg);
	if (status != 0)
		fail_msg("%s %s exited with %d", argv[0], argv[1], status);
	while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == ' '))
		tlc_buf_truncate(&b, b.len - 1);
	assert_true(b.len < size);
	memcpy(out, b.ptr, b.len + 1);
	tlc_buf_release(&b);
}

static int group_setup(void **state)
{
	static const char probe[] =
		"import sys, sysconfig\n"
		"print('cp%d%d' % sys.version_info[:2])\n"
		"print(sysconfig.get_platform().replace('-', '_')"
		".replace('.', '_'))\n"
		"print(sys.executable)\n";
	const char *argv[] = { "python3", "-c", probe, NULL };
	char *nl1, *nl2;
	struct utsname u;

	(void)state;
	/* git as on a CI machine with no configuration at all */
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "tlcpack test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@example.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "tlcpack test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@example.invalid", 1);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);

	capture(probe_out, sizeof(probe_out), NULL, argv);
	if (!(nl1 = strchr(probe_out, '\n')) ||
	    !(nl2 = strchr(nl1 + 1, '\n')))
		return -1;
	*nl1 = *nl2 = '\0';
	py_tag = probe_out;
	py_platform = nl1 + 1;
	py_exe = nl2 + 1;
	if (uname(&u) < 0)
		return -1;
	snprintf(machine, sizeof(machine), "linux_%s", u.machine);
	for (char *p = machine; *p; p++)
		if (*p == '-' || *p == '.')
			*p = '_';
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return 0;
}

static int setup_one(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s || tu_mkdtemp(s->dir, "build") < 0)
		return -1;
	snprintf(s->proj, sizeof(s->proj), "%s/proj", s->dir);
	snprintf(s->out, sizeof(s->out), "%s/dist", s->dir);
	snprintf(s->bdir, sizeof(s->bdir), "%s/bt", s->dir);
	if (mkdir(s->proj, 0755) < 0)
		return -1;
	*state = s;
	return 0;
}

static int teardown_one(void **state)
{
	struct scratch *s = *state;
	int rc = tu_remove_tree(s->dir);

	free(s);
	return rc;
}

/* Write @text to <proj>/@rel, making the directories on the way. */
static void put(const struct scratch *s, const char *rel, const char *text)
{
	tu_put(s->proj, rel, text, 0644);
}

static struct tlc_recipe *load(const struct scratch *s, const char *toml)
{
	struct tlc_recipe *r = NULL;
	struct tlc_error err = TLC_ERROR_INIT;

	put(s, "tlcpack.toml", toml);
	if (tlc_recipe_load(&r, s->proj, &err) < 0)
		fail_msg("recipe: %s", err.msg);
	return r;
}

/* Run git in the project; fails the test unless it succeeds. */
static void git(const struct scratch *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void git(const struct scratch *s, const char *fmt, ...)
{
	char args[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (tu_run("git -C '%s' %s >/dev/null 2>&1", s->proj, args) != 0)
		fail_msg("'git -C '%s' %s' failed", s->proj, args);
}

static void git_init(const struct scratch *s)
{
	git(s, "-c init.defaultBranch=main init -q");
}

static void commits(const struct scratch *s, int n)
{
	static int seq;

	for (int i = 0; i < n; i++)
		git(s, "commit -q --allow-empty -m 'commit %d'", ++seq);
}

/* A new repository whose one commit `git @tag` tags ("tag v1", or
 * "tag -a -m msg v1" for an annotated tag). */
static void tagged_repo(const struct scratch *s, const char *tag)
{
	git_init(s);
	commits(s, 1);
	git(s, "%s", tag);
}

static void head_hash(const struct scratch *s, char *out, size_t size)
{
	const char *argv[] = { "git", "rev-parse", "--short=8", "HEAD", NULL };

	capture(out, size, s->proj, argv);
	assert_int_equal(strlen(out), 8);
}

static const char tag_recipe[] =
	"[package]\n"
	"name = \"demo\"\n"
	"version = { git-tag = \"v*\" }\n"
	"[channels.nightly]\n"
	"version = \"dev\"\n"
	"[channels.nightly-plain]\n"
	"version = \"dev\"\n"
	"local-version = false\n"
	"[channels.beta]\n";

/* tlc_build_version() must give @want. */
static void version_is(const struct tlc_recipe *r, const char *channel,
		       bool no_local, const char *want)
{
	struct tlc_buf v = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	if (tlc_build_version(&v, r, channel, no_local, &err) < 0)
		fail_msg("version on channel %s: %s", channel ? channel :
			 "(stable)", err.msg);
	assert_string_equal(v.ptr, want);
	tlc_buf_release(&v);
}

/* tlc_build_version() on @channel must give @base, then "+g" and HEAD's
 * short hash (the local version of a dev channel). */
static void version_at_head_is(const struct scratch *s,
			       const struct tlc_recipe *r,
			       const char *channel, const char *base)
{
	char hash[64], want[128];

	head_hash(s, hash, sizeof(hash));
	snprintf(want, sizeof(want), "%s+g%s", base, hash);
	version_is(r, channel, false, want);
}

/* tlc_build_version() must fail with @code, the message holding @sub. */
static void version_fails(const struct tlc_recipe *r, const char *channel,
			  int code, const char *sub)
{
	struct tlc_buf v = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc_build_version(&v, r, channel, false, &err), code);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, sub))
		fail_msg("'%s' not in '%s'", sub, err.msg);
	assert_int_equal(v.len, 0);
	tlc_buf_release(&v);
}

static void test_build__version_literal_normalized(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s,
		"[package]\n"
		"name = \"demo\"\n"
		"version = \"v1.0-RC1\"\n"
		"[channels.beta]\n");
	struct tlc_buf v = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	version_is(r, NULL, false, "1.0rc1");
	/* a release channel keeps the version */
	version_is(r, "beta", false, "1.0rc1");
	/* appended after what the buffer held */
	assert_int_equal(tlc_buf_puts(&v, "v="), 0);
	assert_int_equal(tlc_build_version(&v, r, NULL, false, &err), 0);
	assert_string_equal(v.ptr, "v=1.0rc1");
	tlc_buf_release(&v);
	tlc_recipe_free(r);
}

static void test_build__version_unknown_channel(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s,
		"[package]\n"
		"name = \"demo\"\n"
		"version = \"1.0\"\n");

	version_fails(r, "nightly", TLC_ENOTFOUND, "'nightly'");
	tlc_recipe_free(r);
}

static void test_build__version_on_tag(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	git_init(s);
	commits(s, 2);
	git(s, "tag v1.2.0");
	r = load(s, tag_recipe);
	version_is(r, NULL, false, "1.2.0");
	version_is(r, "beta", false, "1.2.0");
	/* a dev channel on the tag itself: the tag's version */
	version_is(r, "nightly", false, "1.2.0");
	tlc_recipe_free(r);
}

static void test_build__version_annotated_tag(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag -a -m 'release 2' v2.0.0");
	r = load(s, tag_recipe);
	version_is(r, NULL, false, "2.0.0");
	tlc_recipe_free(r);
}

static void test_build__version_past_tag_refused_on_stable(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag v1.2.0");
	commits(s, 3);
	r = load(s, tag_recipe);
	version_fails(r, NULL, TLC_EPOLICY, "3 commits past");
	version_fails(r, NULL, TLC_EPOLICY, "'v1.2.0'");
	version_fails(r, "beta", TLC_EPOLICY, "3 commits past");
	tlc_recipe_free(r);
}

static void test_build__version_nightly(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag v1.2.0");
	commits(s, 3);
	r = load(s, tag_recipe);
	version_at_head_is(s, r, "nightly", "1.2.1.dev3");
	version_is(r, "nightly", true, "1.2.1.dev3");
	version_is(r, "nightly-plain", false, "1.2.1.dev3");
	tlc_recipe_free(r);
}

static void test_build__version_tvm_dev_tag(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag -a -m 'start 0.9' v0.9.dev0");
	commits(s, 5);
	r = load(s, tag_recipe);
	version_at_head_is(s, r, "nightly", "0.9.dev5");
	version_is(r, "nightly", true, "0.9.dev5");
	tlc_recipe_free(r);
}

static void test_build__version_newest_matching_tag(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag v1.0.0");
	commits(s, 2);
	git(s, "tag v1.1.0");
	commits(s, 1);
	/* newer, but not matching the glob */
	git(s, "tag other-9.0");
	commits(s, 1);
	r = load(s, tag_recipe);
	version_at_head_is(s, r, "nightly", "1.1.1.dev2");
	version_fails(r, NULL, TLC_EPOLICY, "'v1.1.0'");
	tlc_recipe_free(r);
}

static void test_build__version_tag_with_dashes(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag v2.0-rc1");
	r = load(s, tag_recipe);
	version_is(r, NULL, false, "2.0rc1");
	tlc_recipe_free(r);
	commits(s, 1);
	r = load(s, tag_recipe);
	version_at_head_is(s, r, "nightly", "2.0rc2.dev1");
	tlc_recipe_free(r);
}

static void test_build__version_glob_prefix_stripped(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag release-3.1");
	r = load(s,
		"[package]\n"
		"name = \"demo\"\n"
		"version = { git-tag = \"release-*\" }\n");
	version_is(r, NULL, false, "3.1");
	tlc_recipe_free(r);
}

static void test_build__version_no_matching_tag(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	/* not a git repository at all */
	r = load(s, tag_recipe);
	version_fails(r, NULL, TLC_ENOTFOUND, "'v*'");
	version_fails(r, "nightly", TLC_ENOTFOUND, "'v*'");
	tlc_recipe_free(r);

	/* commits, but no tag */
	git_init(s);
	commits(s, 2);
	r = load(s, tag_recipe);
	version_fails(r, NULL, TLC_ENOTFOUND, "'v*'");
	tlc_recipe_free(r);

	/* tags, none matching */
	git(s, "tag release-1.0");
	git(s, "tag 1.0");
	r = load(s, tag_recipe);
	version_fails(r, NULL, TLC_ENOTFOUND, "no git tag matching 'v*'");
	version_fails(r, "nightly", TLC_ENOTFOUND, "'v*'");
	version_fails(r, "no-such-channel", TLC_ENOTFOUND,
		      "'no-such-channel'");
	tlc_recipe_free(r);
}

static void test_build__version_tag_not_a_version(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;

	tagged_repo(s, "tag vlatest");
	r = load(s, tag_recipe);
	version_fails(r, NULL, TLC_EPOLICY, "'vlatest'");
	tlc_recipe_free(r);
}

/* ---- dry runs ----------------------------------------------------------- */

static const char pure_recipe[] =
	"[package]\n"
	"name = \"demo\"\n"
	"version = \"1.0\"\n"
	"packages = [\"demo\"]\n"
	"[variants.cpu]\n"
	"[variants.cu1]\n"
	"description = \"CUDA 1\"\n"
	"[channels.nightly]\n";

static const char per_python_recipe[] =
	"[package]\n"
	"name = \"demo\"\n"
	"version = \"1.0\"\n"
	"[build]\n"
	"pythons = [\"python3\"]\n"
	"[[build.cmake]]\n"
	"name = \"ext\"\n"
	"per-python = true\n"
	"[variants.cpu]\n"
	"[variants.cu1]\n"
	"[channels.nightly]\n";

/* tlc_build() must succeed. */
static void build_ok(struct tlc_build_result *res, const struct tlc_recipe *r,
		     const struct tlc_build_opts *o)
{
	struct tlc_error err = TLC_ERROR_INIT;

	if (tlc_build(res, r, o, &err) < 0)
		fail_msg("%s", err.msg);
}

static struct tlc_build_opts dry_opts(const struct scratch *s)
{
	struct tlc_build_opts o = TLC_BUILD_OPTS_INIT;

	o.dry_run = true;
	o.out_dir = s->out;
	return o;
}

/* The planned wheel @i: name, tag, file name in out_dir, variant. */
static void planned(const struct tlc_build_result *res, size_t i,
		    const struct scratch *s, const char *name,
		    const char *file, const char *tag, const char *variant)
{
	char path[PATH_MAX * 2];

	assert_true(i < res->nwheels);
	snprintf(path, sizeof(path), "%s/%s", s->out, file);
	assert_string_equal(res->wheels[i].name, name);
	assert_string_equal(res->wheels[i].path, path);
	assert_string_equal(res->wheels[i].tag, tag);
	assert_string_equal(res->wheels[i].variant, variant);
	assert_string_equal(res->wheels[i].version, res->version);
	assert_int_equal(res->wheels[i].size, 0);
}

static void nothing_written(const struct scratch *s)
{
	char p[PATH_MAX * 2];

	assert_false(tlc__fs_exists(s->out));
	snprintf(p, sizeof(p), "%s/build-tlcpack", s->proj);
	assert_false(tlc__fs_exists(p));
}

static void test_build__dry_run_pure(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, pure_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	char tag[256], file[512];

	put(s, "demo/__init__.py", "");
	build_ok(&res, r, &o);
	assert_string_equal(res.version, "1.0");
	/* one py3-none wheel per variant, whatever the interpreters */
	assert_int_equal(res.nwheels, 2);
	assert_int_equal(res.nskipped, 0);
	assert_null(res.failed_log);
	snprintf(tag, sizeof(tag), "py3-none-%s", machine);
	snprintf(file, sizeof(file), "demo-1.0-%s.whl", tag);
	planned(&res, 0, s, "demo", file, tag, "cpu");
	assert_null(res.wheels[0].python);
	snprintf(file, sizeof(file), "demo_cu1-1.0-%s.whl", tag);
	planned(&res, 1, s, "demo-cu1", file, tag, "cu1");
	nothing_written(s);
	tlc_build_result_release(&res);
	assert_int_equal(res.nwheels, 0);
	assert_null(res.wheels);
	tlc_recipe_free(r);
}

static void test_build__dry_run_channel_suffix(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, pure_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	char tag[256], file[512];

	o.channel = "nightly";
	build_ok(&res, r, &o);
	assert_int_equal(res.nwheels, 2);
	snprintf(tag, sizeof(tag), "py3-none-%s", machine);
	snprintf(file, sizeof(file), "demo_nightly-1.0-%s.whl", tag);
	planned(&res, 0, s, "demo-nightly", file, tag, "cpu");
	snprintf(file, sizeof(file), "demo_nightly_cu1-1.0-%s.whl", tag);
	planned(&res, 1, s, "demo-nightly-cu1", file, tag, "cu1");
	nothing_written(s);
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

static void test_build__dry_run_default_variant_unsuffixed(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s,
		"[package]\n"
		"name = \"demo\"\n"
		"version = \"2.0\"\n"
		"default-variant = \"cu1\"\n"
		"[variants.cpu]\n"
		"[variants.cu1]\n"
		"[variants.rocm]\n"
		"suffix = \"-amd\"\n");
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;

	build_ok(&res, r, &o);
	assert_int_equal(res.nwheels, 3);
	assert_string_equal(res.wheels[0].name, "demo-cpu");
	assert_string_equal(res.wheels[1].name, "demo");
	assert_string_equal(res.wheels[2].name, "demo-amd");
	assert_string_equal(res.wheels[2].variant, "rocm");
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

static void test_build__dry_run_per_python(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, per_python_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	char tag[256], file[512];

	build_ok(&res, r, &o);
	assert_int_equal(res.nwheels, 2);
	snprintf(tag, sizeof(tag), "%s-%s-%s", py_tag, py_tag, py_platform);
	snprintf(file, sizeof(file), "demo-1.0-%s.whl", tag);
	planned(&res, 0, s, "demo", file, tag, "cpu");
	assert_non_null(res.wheels[0].python);
	assert_string_equal(res.wheels[0].python, py_exe);
	snprintf(file, sizeof(file), "demo_cu1-1.0-%s.whl", tag);
	planned(&res, 1, s, "demo-cu1", file, tag, "cu1");
	nothing_written(s);
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

static void test_build__dry_run_variants_filter(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, pure_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *only_cu1[] = { "cu1", NULL };
	const char *unknown[] = { "cpu", "cu9", NULL };

	o.variants = only_cu1;
	build_ok(&res, r, &o);
	assert_int_equal(res.nwheels, 1);
	assert_string_equal(res.wheels[0].variant, "cu1");
	assert_string_equal(res.wheels[0].name, "demo-cu1");
	tlc_build_result_release(&res);

	o.variants = unknown;
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'cu9'"));
	assert_int_equal(res.nwheels, 0);
	tlc_build_result_release(&res);

	/* an unknown channel, before anything runs */
	o.variants = NULL;
	o.channel = "weekly";
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'weekly'"));
	tlc_build_result_release(&res);
	nothing_written(s);
	tlc_recipe_free(r);
}

static void test_build__dry_run_missing_python(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, per_python_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *pythons[] = { "python3", "python-tlc-missing3.99", NULL };
	const char *only_missing[] = { "/nonexistent/python3.99", NULL };

	o.pythons = pythons;
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "python-tlc-missing3.99"));
	assert_int_equal(res.nwheels, 0);
	tlc_build_result_release(&res);

	/* skipped and reported; the others still planned */
	o.skip_missing_python = true;
	build_ok(&res, r, &o);
	assert_int_equal(res.nskipped, 1);
	assert_string_equal(res.skipped[0].python, "python-tlc-missing3.99");
	assert_non_null(res.skipped[0].reason);
	assert_true(strlen(res.skipped[0].reason) > 0);
	assert_int_equal(res.nwheels, 2);
	assert_string_equal(res.wheels[0].python, py_exe);
	tlc_build_result_release(&res);

	/* every interpreter skipped: nothing to build per-python with */
	o.pythons = only_missing;
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_ENOTFOUND);
	assert_int_equal(res.nskipped, 1);
	assert_string_equal(res.skipped[0].python, "/nonexistent/python3.99");
	tlc_build_result_release(&res);
	nothing_written(s);
	tlc_recipe_free(r);
}

static void test_build__dry_run_same_python_twice(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r = load(s, per_python_recipe);
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *pythons[] = { "python3", py_exe, NULL };

	o.pythons = pythons;
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, py_tag));
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

static void test_build__dry_run_nightly_version(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;
	struct tlc_build_opts o = dry_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	char hash[64], file[256], path[PATH_MAX * 2];

	tagged_repo(s, "tag v3.0.0");
	commits(s, 2);
	head_hash(s, hash, sizeof(hash));
	r = load(s,
		"[package]\n"
		"name = \"demo\"\n"
		"version = { git-tag = \"v*\" }\n"
		"[channels.nightly]\n"
		"version = \"dev\"\n");
	o.channel = "nightly";
	build_ok(&res, r, &o);
	snprintf(file, sizeof(file), "3.0.1.dev2+g%s", hash);
	assert_string_equal(res.version, file);
	assert_int_equal(res.nwheels, 1);
	snprintf(path, sizeof(path), "%s/demo_nightly-3.0.1.dev2+g%s-py3-none-"
		 "%s.whl", s->out, hash, machine);
	assert_string_equal(res.wheels[0].path, path);
	tlc_build_result_release(&res);

	o.no_local_version = true;
	build_ok(&res, r, &o);
	assert_string_equal(res.version, "3.0.1.dev2");
	tlc_build_result_release(&res);

	/* the stable build is refused: HEAD is past the tag */
	o.channel = NULL;
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "2 commits past"));
	assert_int_equal(res.nwheels, 0);
	tlc_build_result_release(&res);
	nothing_written(s);
	tlc_recipe_free(r);
}

/* ---- real builds -------------------------------------------------------- */

static const char real_recipe[] =
	"[package]\n"
	"name = \"Pure_Pkg\"\n"
	"version = \"0.3.0\"\n"
	"summary = \"a pure-Python test package\"\n"
	"license = \"MIT\"\n"
	"license-files = [\"LICENSE\"]\n"
	"packages = [\"purepkg\"]\n"
	"[[build.generate]]\n"
	"path = \"purepkg/_version.py\"\n"
	"content = \"__version__ = \\\"{version}\\\"  # {name} {{x}}\\n\"\n";

static void make_pure_project(const struct scratch *s)
{
	put(s, "purepkg/__init__.py", "from ._version import __version__\n");
	put(s, "purepkg/sub/mod.py", "X = 1\n");
	put(s, "purepkg/__pycache__/__init__.cpython-311.pyc", "\x0d\x0d");
	put(s, "purepkg/sub/__pycache__/mod.cpython-311.pyc", "junk");
	put(s, "purepkg/stray.pyc", "junk");
	put(s, "purepkg/old.pyo", "junk");
	put(s, "LICENSE", "MIT License\n");
}

/* python3 reads the wheel back: CRCs, members, contents. */
static const char check_wheel_py[] =
	"import sys, zipfile\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"assert z.testzip() is None\n"
	"names = sorted(z.namelist())\n"
	"want = sorted([\n"
	"  'purepkg/__init__.py', 'purepkg/sub/mod.py',\n"
	"  'purepkg/_version.py',\n"
	"  'pure_pkg-0.3.0.dist-info/METADATA',\n"
	"  'pure_pkg-0.3.0.dist-info/WHEEL',\n"
	"  'pure_pkg-0.3.0.dist-info/RECORD',\n"
	"  'pure_pkg-0.3.0.dist-info/licenses/LICENSE'])\n"
	"assert names == want, names\n"
	"assert not any(n.endswith(('.pyc', '.pyo')) or '__pycache__' in n\n"
	"               for n in names), names\n"
	"v = z.read('purepkg/_version.py').decode()\n"
	"assert v == '__version__ = \"0.3.0\"  # Pure_Pkg {x}\\n', repr(v)\n"
	"assert z.read('purepkg/sub/mod.py') == b'X = 1\\n'\n"
	"lic = z.read('pure_pkg-0.3.0.dist-info/licenses/LICENSE')\n"
	"assert lic == b'MIT License\\n', lic\n"
	"meta = z.read('pure_pkg-0.3.0.dist-info/METADATA').decode()\n"
	"assert '\\nName: Pure_Pkg\\n' in meta, meta\n"
	"assert '\\nVersion: 0.3.0\\n' in meta, meta\n"
	"assert '\\nLicense-File: LICENSE\\n' in meta, meta\n"
	"wheel = z.read('pure_pkg-0.3.0.dist-info/WHEEL').decode()\n"
	"assert '\\nTag: ' + sys.argv[2] + '\\n' in wheel, wheel\n"
	"record = z.read('pure_pkg-0.3.0.dist-info/RECORD').decode()\n"
	"rows = [l.split(',')[0] for l in record.splitlines() if l]\n"
	"assert sorted(rows) == want, rows\n";

/* `python3 -c @script @arg1 @arg2` (@arg2 may be NULL): its exit status,
 * or -1 if it could not be run.  Fails no test, so that callers can
 * release what they hold before asserting. */
static int python(const char *script, const char *arg1, const char *arg2)
{
	const char *argv[] = { "python3", "-c", script, arg1, arg2, NULL };
	struct tlc__proc p = { argv, NULL, NULL, NULL, NULL };
	struct tlc_error err = TLC_ERROR_INIT;
	int status = -1;

	if (tlc__proc_run(&p, &status, &err) < 0) {
		print_message("cannot run python3: %s\n", err.msg);
		return -1;
	}
	return status;
}

/* Options for a real build into the scratch directory. */
static struct tlc_build_opts real_opts(const struct scratch *s)
{
	struct tlc_build_opts o = TLC_BUILD_OPTS_INIT;

	o.out_dir = s->out;
	o.build_dir = s->bdir;
	return o;
}

static void test_build__real_pure_python(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;
	struct tlc_build_opts o = real_opts(s);
	struct tlc_build_result res, again;
	struct tlc_error err = TLC_ERROR_INIT;
	char tag[256], want[PATH_MAX * 2], out2[PATH_MAX * 2];
	struct stat st;

	make_pure_project(s);
	r = load(s, real_recipe);
	o.jobs = 1;
	if (tlc_build(&res, r, &o, &err) < 0)
		fail_msg("%s (log: %s)", err.msg,
			 res.failed_log ? res.failed_log : "none");
	assert_int_equal(res.nwheels, 1);
	snprintf(tag, sizeof(tag), "py3-none-%s", machine);
	snprintf(want, sizeof(want), "%s/pure_pkg-0.3.0-%s.whl", s->out, tag);
	assert_string_equal(res.wheels[0].path, want);
	assert_string_equal(res.wheels[0].tag, tag);
	assert_string_equal(res.wheels[0].name, "Pure_Pkg");
	assert_string_equal(res.wheels[0].version, "0.3.0");
	assert_null(res.wheels[0].python);
	assert_int_equal(stat(want, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(res.wheels[0].size, (uint64_t)st.st_size);
	assert_int_equal(python(check_wheel_py, want, tag), 0);

	/* SOURCE_DATE_EPOCH is set: a second build is byte for byte the
	 * same */
	snprintf(out2, sizeof(out2), "%s/dist2", s->dir);
	o.out_dir = out2;
	build_ok(&again, r, &o);
	assert_int_equal(again.nwheels, 1);
	assert_true(tu_same_file(res.wheels[0].path, again.wheels[0].path));
	tlc_build_result_release(&again);
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

static void test_build__real_missing_license_file(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;
	struct tlc_build_opts o = real_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	char p[PATH_MAX * 2];

	make_pure_project(s);
	r = load(s, real_recipe);
	snprintf(p, sizeof(p), "%s/LICENSE", s->proj);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(tlc_build(&res, r, &o, &err), TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'LICENSE'"));
	assert_int_equal(res.nwheels, 0);
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
}

/*
 * License files keep their path from the project root, under
 * .dist-info/licenses/, and License-File names that same path: PEP 639,
 * and the binary distribution format spec ("the files listed in the
 * License-File fields ... at their respective paths relative to the
 * licenses directory").  Two files both named LICENSE must not collide.
 */
static const char licenses_py[] =
	"import sys, zipfile\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"d = 'lic-1.0.dist-info/'\n"
	"names = sorted(n[len(d + 'licenses/'):] for n in z.namelist()\n"
	"               if n.startswith(d + 'licenses/'))\n"
	"want = ['LICENSE', 'third_party/a/LICENSE', 'third_party/b/LICENSE']\n"
	"assert names == want, names\n"
	"meta = z.read(d + 'METADATA').decode()\n"
	"got = sorted(l[len('License-File: '):] for l in meta.splitlines()\n"
	"             if l.startswith('License-File: '))\n"
	"assert got == want, got\n"
	"assert z.read(d + 'licenses/third_party/b/LICENSE') == b'b\\n'\n";

static void test_build__real_license_files_keep_paths(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;
	struct tlc_build_opts o = real_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	int status = -1, rc;
	size_t n;

	put(s, "lic/__init__.py", "");
	put(s, "LICENSE", "top\n");
	put(s, "third_party/a/LICENSE", "a\n");
	put(s, "third_party/b/LICENSE", "b\n");
	r = load(s,
		"[package]\n"
		"name = \"lic\"\n"
		"version = \"1.0\"\n"
		"license-files = [\"LICENSE\", \"third_party/*/LICENSE\"]\n"
		"packages = [\"lic\"]\n");
	/* released before asserting, so that a failure leaks nothing */
	rc = tlc_build(&res, r, &o, &err);
	if (rc == 0 && res.nwheels == 1)
		status = python(licenses_py, res.wheels[0].path, NULL);
	n = res.nwheels;
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
	if (rc < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 1);
	assert_int_equal(status, 0);
}

/*
 * A variant's env overrides build.env (as its defines override
 * build.defines): CMake, a C program reading getenv(), must see the
 * variant's value.  The project needs no compiler (LANGUAGES NONE).
 */
static const char env_cmake[] =
	"cmake_minimum_required(VERSION 3.18)\n"
	"project(envprobe LANGUAGES NONE)\n"
	"file(WRITE ${CMAKE_BINARY_DIR}/env.txt \"$ENV{TLC_T_ENV}\")\n"
	"install(FILES ${CMAKE_BINARY_DIR}/env.txt DESTINATION .)\n";

static const char env_py[] =
	"import sys, zipfile\n"
	"z = zipfile.ZipFile(sys.argv[1])\n"
	"v = z.read('envp/env.txt').decode()\n"
	"assert v == sys.argv[2], (v, sys.argv[2])\n";

static void test_build__real_variant_env_overrides_build_env(void **state)
{
	struct scratch *s = *state;
	struct tlc_recipe *r;
	struct tlc_build_opts o = real_opts(s);
	struct tlc_build_result res;
	struct tlc_error err = TLC_ERROR_INIT;
	int status[2] = { -1, -1 }, rc;
	char log[PATH_MAX * 2];
	size_t n;

	put(s, "CMakeLists.txt", env_cmake);
	r = load(s,
		"[package]\n"
		"name = \"envp\"\n"
		"version = \"1.0\"\n"
		"[build]\n"
		"env = { TLC_T_ENV = \"from-build\" }\n"
		"[[build.cmake]]\n"
		"install-dir = \"envp\"\n"
		"[variants.cpu]\n"
		"[variants.alt]\n"
		"env = { TLC_T_ENV = \"from-variant\" }\n");
	o.jobs = 1;
	/* released before asserting, so that a failure leaks nothing */
	rc = tlc_build(&res, r, &o, &err);
	if (rc == 0 && res.nwheels == 2 &&
	    !strcmp(res.wheels[0].variant, "cpu") &&
	    !strcmp(res.wheels[1].variant, "alt")) {
		status[0] = python(env_py, res.wheels[0].path, "from-build");
		status[1] = python(env_py, res.wheels[1].path, "from-variant");
	}
	if (rc < 0)
		snprintf(log, sizeof(log), "%s", res.failed_log ?
			 res.failed_log : "none");
	n = res.nwheels;
	tlc_build_result_release(&res);
	tlc_recipe_free(r);
	if (rc < 0)
		fail_msg("%s (log: %s)", err.msg, log);
	assert_int_equal(n, 2);
	/* cpu: build.env alone; alt: its own value over build.env's */
	assert_int_equal(status[0], 0);
	assert_int_equal(status[1], 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_one, teardown_one)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_build__version_literal_normalized),
		T(test_build__version_unknown_channel),
		T(test_build__version_on_tag),
		T(test_build__version_annotated_tag),
		T(test_build__version_past_tag_refused_on_stable),
		T(test_build__version_nightly),
		T(test_build__version_tvm_dev_tag),
		T(test_build__version_newest_matching_tag),
		T(test_build__version_tag_with_dashes),
		T(test_build__version_glob_prefix_stripped),
		T(test_build__version_no_matching_tag),
		T(test_build__version_tag_not_a_version),
		T(test_build__dry_run_pure),
		T(test_build__dry_run_channel_suffix),
		T(test_build__dry_run_default_variant_unsuffixed),
		T(test_build__dry_run_per_python),
		T(test_build__dry_run_variants_filter),
		T(test_build__dry_run_missing_python),
		T(test_build__dry_run_same_python_twice),
		T(test_build__dry_run_nightly_version),
		T(test_build__real_pure_python),
		T(test_build__real_missing_license_file),
		T(test_build__real_license_files_keep_paths),
		T(test_build__real_variant_env_overrides_build_env),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
