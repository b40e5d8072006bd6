/*
 * The recipe loader: good recipes in both forms (tlcpack.toml, and
 * pyproject.toml with [project] + [tool.tlcpack]) with every field and
 * default checked, and tables of hostile recipes, each with its exact
 * one-line error (file:line:column and key) and *out left NULL.  Recipes
 * are real files in a scratch directory; the example project's recipe is
 * loaded from $TLC_SOURCE_DIR/examples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <cmocka.h>

#include "tlcpack/buf.h"
#include "tlcpack/recipe.h"
#include "fs.h"			/* tlc__fs_remove_tree, tlc__fs_mkdir_p */
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define PKG "[package]\nname = \"x\"\nversion = \"1\"\n"

static char scratch[PATH_MAX];	/* the project directory of the tests */
static char oldcwd[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	if (tu_mkdtemp(scratch, "recipe") < 0 ||
	    !getcwd(oldcwd, sizeof(oldcwd)))
		return -1;
	return chdir(scratch);
}

static int teardown(void **state)
{
	char outside[PATH_MAX + 32];

	(void)state;
	if (chdir(oldcwd) < 0)
		return -1;
	/* made by test_recipe__symlink_escape, even if it failed midway */
	snprintf(outside, sizeof(outside), "%s-outside", scratch);
	if (tu_remove_tree(outside) < 0)
		return -1;
	return tu_remove_tree(scratch);
}

/* Empty the project directory before each test. */
static int clean(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	DIR *d = opendir(".");
	struct dirent *e;

	(void)state;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			if (tlc__fs_remove_tree(e->d_name, &err) < 0) {
				closedir(d);
				return -1;
			}
	closedir(d);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	tu_write_file(path, text, 0644);
}

static struct tlc_recipe *load_ok(const char *path)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = NULL;
	int rc = tlc_recipe_load(&r, path, &err);

	if (rc != 0)
		fail_msg("loading '%s' failed: %s", path, err.msg);
	assert_non_null(r);
	return r;
}

static void check_one_line(const char *msg)
{
	assert_true(strlen(msg) > 0);
	for (const char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			fail_msg("message has a control byte: %s", msg);
}

/* Load @path, expecting @code and exactly @msg (or, with a '*' at its
 * end, a message starting with it). */
static void load_err(const char *path, int code, const char *msg)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = (struct tlc_recipe *)&err; /* not NULL */
	size_t n = strlen(msg);
	int rc = tlc_recipe_load(&r, path, &err);

	if (rc == 0)
		fail_msg("'%s' loaded; expected: %s", path, msg);
	assert_null(r);
	check_one_line(err.msg);
	if (n && msg[n - 1] == '*' ? strncmp(err.msg, msg, n - 1) :
				     strcmp(err.msg, msg))
		fail_msg("wrong message\n got: %s\nwant: %s", err.msg, msg);
	if (rc != code || err.code != code)
		fail_msg("'%s': code %d, want %d (%s)", path, rc, code,
			 err.msg);
}

static void assert_list(const struct tlc_recipe_strlist *l, size_t n, ...)
{
	va_list ap;

	assert_int_equal(l->n, n);
	assert_non_null(l->v);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], va_arg(ap, const char *));
	va_end(ap);
	assert_null(l->v[n]);
}

/* @n pairs of key, value */
static void assert_kv(const struct tlc_recipe_kv *t, size_t n, ...)
{
	va_list ap;

	assert_int_equal(t->n, n);
	assert_non_null(t->keys);
	assert_non_null(t->values);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(t->keys[i], va_arg(ap, const char *));
		assert_string_equal(t->values[i], va_arg(ap, const char *));
	}
	va_end(ap);
	assert_null(t->keys[n]);
	assert_null(t->values[n]);
}

/* The reference recipe of docs/recipe.md, every key set. */
static const char full_recipe[] =
	"[package]\n"
	"name = \"tlcpack\"\n"
	"version = { git-tag = \"v*\" }\n"
	"summary = \"Tensor learning compiler binary distribution\"\n"
	"readme = \"README.md\"\n"
	"license = \"Apache-2.0\"\n"
	"license-files = [\"LICENSE\", \"NOTICE\"]\n"
	"dependencies = [\"numpy\", \"psutil\", \"attrs[tests] >=21.1, <24; "
	"python_version >= '3.8'\", \"decorator (>=4)\"]\n"
	"requires-python = \">=3.8\"\n"
	"urls = { Homepage = \"https://tvm.apache.org\", \"Bug Tracker\" = "
	"\"https://github.com/apache/tvm/issues\" }\n"
	"authors = [{ name = \"Apache TVM contributors\", email = "
	"\"dev@tvm.apache.org\" }]\n"
	"classifiers = [\"License :: OSI Approved :: Apache Software "
	"License\"]\n"
	"disclaimer = \"Not an official Apache release.\"\n"
	"python-source = \"python\"\n"
	"packages = [\"tvm\"]\n"
	"default-variant = \"cpu\"\n"
	"\n"
	"[build]\n"
	"pythons = [\"python3.11\", \"/usr/bin/python3.12\"]\n"
	"build-type = \"RelWithDebInfo\"\n"
	"defines = { USE_LLVM = \"ON\", \"CMAKE_CXX_FLAGS:STRING\" = "
	"\"-O2 {{x}}\" }\n"
	"env = { CC = \"gcc\" }\n"
	"jobs = 8\n"
	"\n"
	"[[build.cmake]]\n"
	"name = \"core\"\n"
	"source = \".\"\n"
	"per-python = false\n"
	"install-dir = \"tvm\"\n"
	"defines = { TVM_VERSION = \"{version}\" }\n"
	"targets = [\"tvm\", \"tvm_runtime\"]\n"
	"\n"
	"[[build.cmake]]\n"
	"source = \"python/ext\"\n"
	"per-python = true\n"
	"build-type = \"Debug\"\n"
	"defines = { PY = \"{python}\", CORE = \"{build:core}\" }\n"
	"\n"
	"[[build.files]]\n"
	"from = \"{build:core}/lib*.so\"\n"
	"to = \"tvm/\"\n"
	"\n"
	"[[build.files]]\n"
	"from = \"3rdparty/dlpack/include/*.h\"\n"
	"to = \"tvm/include/dlpack/\"\n"
	"\n"
	"[[build.generate]]\n"
	"path = \"tvm/_version.py\"\n"
	"content = \"__version__ = \\\"{version}\\\"\\n\"\n"
	"\n"
	"[variants.cpu]\n"
	"[variants.cu121]\n"
	"suffix = \"-cu121\"\n"
	"description = \"CUDA 12.1\"\n"
	"defines = { USE_CUDA = \"ON\" }\n"
	"env = { CUDACXX = \"/usr/local/cuda-12.1/bin/nvcc\" }\n"
	"exclude-libs = [\"libcuda.so.1\"]\n"
	"policy = \"manylinux2014\"\n"
	"image = \"docker.io/nvidia/cuda:12.1.1-devel-rockylinux8\"\n"
	"[variants.rocm]\n"
	"\n"
	"[channels.nightly]\n"
	"name-suffix = \"-nightly\"\n"
	"version = \"dev\"\n"
	"local-version = false\n"
	"keep = 3\n"
	"[channels.stable]\n"
	"\n"
	"[test]\n"
	"command = \"python -c 'import tvm; print(tvm.__version__)'\"\n"
	"gpu-command = \"python -m tvm.testing.gpu_smoke\"\n";

static void test_recipe__full(void **state)
{
	struct tlc_recipe *r;
	const struct tlc_recipe_variant *v;
	const struct tlc_recipe_channel *c;
	char path[PATH_MAX + 32];

	(void)state;
	write_file("tlcpack.toml", full_recipe);
	r = load_ok("tlcpack.toml");
	snprintf(path, sizeof(path), "%s/tlcpack.toml", scratch);
	assert_string_equal(r->path, path);
	assert_string_equal(r->root, scratch);
	assert_string_equal(r->name, "tlcpack");
	assert_int_equal(r->version_source, TLC_VERSION_GIT_TAG);
	assert_string_equal(r->version, "v*");
	assert_string_equal(r->summary,
			    "Tensor learning compiler binary distribution");
	assert_string_equal(r->description_file, "README.md");
	assert_string_equal(r->description_content_type, "text/markdown");
	assert_string_equal(r->license, "Apache-2.0");
	assert_list(&r->license_files, 2, "LICENSE", "NOTICE");
	assert_list(&r->dependencies, 4, "numpy", "psutil",
		    "attrs[tests] >=21.1, <24; python_version >= '3.8'",
		    "decorator (>=4)");
	assert_string_equal(r->requires_python, ">=3.8");
	assert_kv(&r->urls, 2, "Homepage", "https://tvm.apache.org",
		  "Bug Tracker", "https://github.com/apache/tvm/issues");
	assert_null(r->author);
	assert_string_equal(r->author_email,
			    "Apache TVM contributors <dev@tvm.apache.org>");
	assert_list(&r->classifiers, 1,
		    "License :: OSI Approved :: Apache Software License");
	assert_string_equal(r->disclaimer, "Not an official Apache release.");
	assert_string_equal(r->python_source, "python");
	assert_list(&r->packages, 1, "tvm");
	assert_string_equal(r->default_variant, "cpu");

	assert_list(&r->pythons, 2, "python3.11", "/usr/bin/python3.12");
	assert_string_equal(r->build_type, "RelWithDebInfo");
	assert_kv(&r->defines, 2, "USE_LLVM", "ON", "CMAKE_CXX_FLAGS:STRING",
		  "-O2 {{x}}");
	assert_kv(&r->env, 1, "CC", "gcc");
	assert_int_equal(r->jobs, 8);

	assert_int_equal(r->ncmake, 2);
	assert_string_equal(r->cmake[0].name, "core");
	assert_string_equal(r->cmake[0].source, ".");
	assert_false(r->cmake[0].per_python);
	assert_string_equal(r->cmake[0].install_dir, "tvm");
	assert_string_equal(r->cmake[0].build_type, "RelWithDebInfo");
	assert_kv(&r->cmake[0].defines, 1, "TVM_VERSION", "{version}");
	assert_list(&r->cmake[0].targets, 2, "tvm", "tvm_runtime");
	assert_string_equal(r->cmake[1].name, "cmake1");
	assert_string_equal(r->cmake[1].source, "python/ext");
	assert_true(r->cmake[1].per_python);
	assert_null(r->cmake[1].install_dir);
	assert_string_equal(r->cmake[1].build_type, "Debug");
	assert_kv(&r->cmake[1].defines, 2, "PY", "{python}", "CORE",
		  "{build:core}");
	assert_list(&r->cmake[1].targets, 0);

	assert_int_equal(r->nfiles, 2);
	assert_string_equal(r->files[0].from, "{build:core}/lib*.so");
	assert_string_equal(r->files[0].to, "tvm/");
	assert_string_equal(r->files[1].from, "3rdparty/dlpack/include/*.h");
	assert_string_equal(r->files[1].to, "tvm/include/dlpack/");
	assert_int_equal(r->ngenerate, 1);
	assert_string_equal(r->generate[0].path, "tvm/_version.py");
	assert_string_equal(r->generate[0].content,
			    "__version__ = \"{version}\"\n");

	assert_int_equal(r->nvariants, 3);
	v = &r->variants[0];
	assert_string_equal(v->name, "cpu");
	assert_string_equal(v->suffix, "");
	assert_kv(&v->defines, 0);
	assert_kv(&v->env, 0);
	assert_list(&v->exclude_libs, 0);
	assert_null(v->policy);
	assert_null(v->description);
	assert_null(v->image);	/* absent: tlcpack's default */
	v = &r->variants[1];
	assert_string_equal(v->name, "cu121");
	assert_string_equal(v->suffix, "-cu121");
	assert_string_equal(v->description, "CUDA 12.1");
	assert_kv(&v->defines, 1, "USE_CUDA", "ON");
	assert_kv(&v->env, 1, "CUDACXX", "/usr/local/cuda-12.1/bin/nvcc");
	assert_list(&v->exclude_libs, 1, "libcuda.so.1");
	assert_string_equal(v->policy, "manylinux2014");
	assert_string_equal(v->image,
			    "docker.io/nvidia/cuda:12.1.1-devel-rockylinux8");
	assert_string_equal(r->variants[2].name, "rocm");
	assert_string_equal(r->variants[2].suffix, "-rocm");

	assert_int_equal(r->nchannels, 2);
	c = &r->channels[0];
	assert_string_equal(c->name, "nightly");
	assert_string_equal(c->name_suffix, "-nightly");
	assert_true(c->dev_version);
	assert_false(c->local_version);
	assert_int_equal(c->keep, 3);
	c = &r->channels[1];
	assert_string_equal(c->name, "stable");
	assert_string_equal(c->name_suffix, "-stable");
	assert_false(c->dev_version);
	assert_true(c->local_version);
	assert_int_equal(c->keep, 0);

	assert_string_equal(r->test_command,
			    "python -c 'import tvm; print(tvm.__version__)'");
	assert_string_equal(r->gpu_test_command,
			    "python -m tvm.testing.gpu_smoke");

	assert_ptr_equal(tlc_recipe_variant(r, "cu121"), &r->variants[1]);
	assert_ptr_equal(tlc_recipe_variant(r, "rocm"), &r->variants[2]);
	assert_null(tlc_recipe_variant(r, "cu12"));
	assert_null(tlc_recipe_variant(r, NULL));
	assert_ptr_equal(tlc_recipe_channel(r, "stable"), &r->channels[1]);
	assert_null(tlc_recipe_channel(r, "Nightly"));
	assert_null(tlc_recipe_channel(r, NULL));
	tlc_recipe_free(r);
}

static void test_recipe__defaults(void **state)
{
	struct tlc_recipe *r;

	(void)state;
	write_file("tlcpack.toml", "[package]\nname = \"Foo.Bar\"\n"
				   "version = \"v1.0-RC1\"\n");
	r = load_ok("tlcpack.toml");
	assert_string_equal(r->name, "Foo.Bar");
	assert_int_equal(r->version_source, TLC_VERSION_LITERAL);
	assert_string_equal(r->version, "1.0rc1");	/* PEP 440 normalized */
	assert_null(r->summary);
	assert_null(r->description_file);
	assert_null(r->description_content_type);
	assert_null(r->license);
	assert_list(&r->license_files, 0);
	assert_list(&r->dependencies, 0);
	assert_null(r->requires_python);
	assert_kv(&r->urls, 0);
	assert_null(r->author);
	assert_null(r->author_email);
	assert_list(&r->classifiers, 0);
	assert_null(r->disclaimer);
	assert_string_equal(r->python_source, ".");
	assert_list(&r->packages, 0);
	assert_list(&r->pythons, 1, "python3");
	assert_string_equal(r->build_type, "Release");
	assert_kv(&r->defines, 0);
	assert_kv(&r->env, 0);
	assert_int_equal(r->jobs, 0);
	assert_int_equal(r->ncmake, 0);		/* a pure-Python recipe */
	assert_int_equal(r->nfiles, 0);
	assert_int_equal(r->ngenerate, 0);
	assert_int_equal(r->nvariants, 1);	/* the implicit "cpu" */
	assert_string_equal(r->variants[0].name, "cpu");
	assert_string_equal(r->variants[0].suffix, "");
	assert_kv(&r->variants[0].defines, 0);
	assert_kv(&r->variants[0].env, 0);
	assert_list(&r->variants[0].exclude_libs, 0);
	assert_string_equal(r->default_variant, "cpu");
	assert_int_equal(r->nchannels, 0);
	assert_null(tlc_recipe_channel(r, "nightly"));
	assert_null(r->test_command);
	assert_null(r->gpu_test_command);
	tlc_recipe_free(r);

	/* cmake defaults: name, source, build-type inherited */
	write_file("tlcpack.toml",
		   "[package]\nname = \"x\"\nversion = \"1\"\n"
		   "[build]\nbuild-type = \"MinSizeRel\"\n"
		   "[[build.cmake]]\n[[build.cmake]]\n");
	r = load_ok("tlcpack.toml");
	assert_int_equal(r->ncmake, 2);
	assert_string_equal(r->cmake[0].name, "cmake0");
	assert_string_equal(r->cmake[1].name, "cmake1");
	assert_string_equal(r->cmake[0].source, ".");
	assert_string_equal(r->cmake[1].build_type, "MinSizeRel");
	assert_false(r->cmake[1].per_python);
	assert_null(r->cmake[1].install_dir);
	assert_kv(&r->cmake[1].defines, 0);
	assert_list(&r->cmake[1].targets, 0);
	tlc_recipe_free(r);
}

static void test_recipe__default_variant(void **state)
{
	static const struct {
		const char *text;
		const char *def;	/* the default variant ... */
		size_t i;		/* ... which is variants[i] */
		const char *suffix[2];
	} cases[] = {
		/* no "cpu": the first is the default, and has no suffix */
		{ PKG "[variants.cu118]\n[variants.cu121]\n", "cu118", 0,
		  { "", "-cu121" } },
		/* "cpu" wins over the first */
		{ PKG "[variants.cu121]\n[variants.cpu]\n", "cpu", 1,
		  { "-cu121", "" } },
		/* named, with an explicit empty suffix */
		{ PKG "default-variant = \"cu121\"\n"
		      "[variants.cpu]\n[variants.cu121]\nsuffix = \"\"\n",
		  "cu121", 1, { "-cpu", "" } },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct tlc_recipe *r;

		write_file("tlcpack.toml", cases[i].text);
		r = load_ok("tlcpack.toml");
		assert_int_equal(r->nvariants, 2);
		assert_string_equal(r->default_variant, cases[i].def);
		assert_ptr_equal(tlc_recipe_variant(r, r->default_variant),
				 &r->variants[cases[i].i]);
		assert_string_equal(r->variants[0].suffix, cases[i].suffix[0]);
		assert_string_equal(r->variants[1].suffix, cases[i].suffix[1]);
		tlc_recipe_free(r);
	}
}

static void test_recipe__pyproject(void **state)
{
	struct tlc_recipe *r;

	(void)state;
	write_file("pyproject.toml",
		   "[build-system]\nrequires = [\"setuptools\"]\n"
		   "[project]\n"
		   "name = \"tvm\"\n"
		   "version = \"0.12.0\"\n"
		   "description = \"Upstream summary\"\n"
		   "readme = { file = \"docs/README\", content-type = "
		   "\"text/markdown; variant=GFM\" }\n"
		   "license = { file = \"LICENSE\" }\n"
		   "requires-python = \"~=3.8\"\n"
		   "dependencies = [\"numpy\"]\n"
		   "urls = { Homepage = \"https://tvm.apache.org\" }\n"
		   "authors = [{ name = \"A\" }, { name = \"B\", email = "
		   "\"b@x.org\" }, { email = \"c@x.org\" }, { name = \"D\" }]\n"
		   "classifiers = [\"Programming Language :: C++\"]\n"
		   "keywords = [\"ignored\"]\n"
		   "optional-dependencies = { test = [\"pytest\"] }\n"
		   "[tool.black]\nline-length = 100\n"
		   "[tool.tlcpack.package]\n"
		   "name = \"tlcpack\"\n"
		   "python-source = \"python\"\n"
		   "packages = [\"tvm\"]\n"
		   "[tool.tlcpack.build]\n"
		   "jobs = 2\n"
		   "[tool.tlcpack.variants.cu121]\n");
	r = load_ok("pyproject.toml");
	assert_string_equal(r->name, "tlcpack");	/* package wins */
	assert_int_equal(r->version_source, TLC_VERSION_LITERAL);
	assert_string_equal(r->version, "0.12.0");
	assert_string_equal(r->summary, "Upstream summary");
	assert_string_equal(r->description_file, "docs/README");
	assert_string_equal(r->description_content_type,
			    "text/markdown; variant=GFM");
	assert_null(r->license);
	assert_list(&r->license_files, 1, "LICENSE");
	assert_string_equal(r->requires_python, "~=3.8");
	assert_list(&r->dependencies, 1, "numpy");
	assert_kv(&r->urls, 1, "Homepage", "https://tvm.apache.org");
	assert_string_equal(r->author, "A, D");
	assert_string_equal(r->author_email, "B <b@x.org>, c@x.org");
	assert_list(&r->classifiers, 1, "Programming Language :: C++");
	assert_string_equal(r->python_source, "python");
	assert_list(&r->packages, 1, "tvm");
	assert_int_equal(r->jobs, 2);
	assert_int_equal(r->nvariants, 1);
	assert_string_equal(r->variants[0].name, "cu121");
	assert_string_equal(r->default_variant, "cu121");
	tlc_recipe_free(r);

	/* [tool.tlcpack.package] overrides each field; license-files and a
	 * license file from [project] merge */
	write_file("pyproject.toml",
		   "[project]\n"
		   "name = \"tvm\"\n"
		   "dynamic = [\"version\", \"readme\"]\n"
		   "license = { text = \"Apache License\\n2.0\" }\n"
		   "license-files = [\"NOTICE\"]\n"
		   "description = \"a\"\n"
		   "[tool.tlcpack.package]\n"
		   "version = { git-tag = \"v[0-9]*\" }\n"
		   "summary = \"b\"\n"
		   "readme = \"README.rst\"\n"
		   "authors = [{ email = \"x@y.z\" }]\n"
		   "[tool.tlcpack]\n");
	r = load_ok("pyproject.toml");
	assert_string_equal(r->name, "tvm");
	assert_int_equal(r->version_source, TLC_VERSION_GIT_TAG);
	assert_string_equal(r->version, "v[0-9]*");
	assert_string_equal(r->summary, "b");
	assert_string_equal(r->description_file, "README.rst");
	assert_string_equal(r->description_content_type, "text/x-rst");
	assert_string_equal(r->license, "Apache License\n2.0");
	assert_list(&r->license_files, 1, "NOTICE");
	assert_null(r->author);
	assert_string_equal(r->author_email, "x@y.z");
	tlc_recipe_free(r);

	/* [tool.tlcpack] alone, everything from [project] */
	write_file("pyproject.toml",
		   "[project]\nname = \"p\"\nversion = \"2.0.post1\"\n"
		   "license = \"MIT\"\n"
		   "[tool.tlcpack]\n");
	r = load_ok("pyproject.toml");
	assert_string_equal(r->name, "p");
	assert_string_equal(r->version, "2.0.post1");
	assert_string_equal(r->license, "MIT");
	assert_list(&r->license_files, 0);
	assert_string_equal(r->default_variant, "cpu");
	tlc_recipe_free(r);

	/* a license file in [project], overridden by a string in [package] */
	write_file("pyproject.toml",
		   "[project]\nname = \"p\"\nversion = \"1\"\n"
		   "license = { file = \"COPYING\" }\n"
		   "[tool.tlcpack.package]\nlicense = \"MIT\"\n");
	r = load_ok("pyproject.toml");
	assert_string_equal(r->license, "MIT");
	assert_list(&r->license_files, 0);
	tlc_recipe_free(r);
}

static void test_recipe__directory(void **state)
{
	struct tlc_recipe *r;
	char path[PATH_MAX + 32];

	(void)state;
	assert_int_equal(mkdir("proj", 0755), 0);
	load_err("proj", TLC_ENOTFOUND,
		 "no tlcpack.toml or pyproject.toml in 'proj'");
	write_file("proj/pyproject.toml",
		   "[project]\nname = \"a\"\nversion = \"1\"\n");
	load_err("proj", TLC_ENOTFOUND,
		 "proj/pyproject.toml:1:1: missing table [tool.tlcpack]: "
		 "this pyproject.toml has no tlcpack recipe");
	write_file("proj/pyproject.toml",
		   "[project]\nname = \"a\"\nversion = \"1\"\n"
		   "[tool.tlcpack]\n");
	r = load_ok("proj");
	snprintf(path, sizeof(path), "%s/proj/pyproject.toml", scratch);
	assert_string_equal(r->path, path);
	snprintf(path, sizeof(path), "%s/proj", scratch);
	assert_string_equal(r->root, path);
	assert_string_equal(r->name, "a");
	tlc_recipe_free(r);

	/* tlcpack.toml comes first */
	write_file("proj/tlcpack.toml",
		   "[package]\nname = \"b\"\nversion = \"1\"\n");
	r = load_ok("proj");
	assert_string_equal(r->name, "b");
	tlc_recipe_free(r);
	r = load_ok("proj/");
	assert_string_equal(r->name, "b");
	tlc_recipe_free(r);

	/* "." and an absolute path */
	assert_int_equal(chdir("proj"), 0);
	r = load_ok(".");
	assert_string_equal(r->root, path);
	tlc_recipe_free(r);
	write_file("tlcpack.toml", "[package]\nname = 1\n");
	load_err(".", TLC_EPOLICY,
		 "tlcpack.toml:2:1: 'package.name' must be a string, not an "
		 "integer");
	assert_int_equal(chdir(scratch), 0);
	snprintf(path, sizeof(path), "%s/proj/tlcpack.toml", scratch);
	r = NULL;
	{
		struct tlc_error err = TLC_ERROR_INIT;

		assert_int_equal(tlc_recipe_load(&r, path, &err),
				 TLC_EPOLICY);
		assert_null(r);
		assert_non_null(strstr(err.msg, "/proj/tlcpack.toml:2:1: "));
	}

	/* any other name is read as a tlcpack.toml */
	write_file("tvm.toml", "[package]\nname = \"tvm\"\nversion = \"1\"\n");
	r = load_ok("tvm.toml");
	assert_string_equal(r->name, "tvm");
	tlc_recipe_free(r);

	load_err("missing.toml", TLC_ENOTFOUND,
		 "cannot open 'missing.toml': No such file or directory");
	assert_int_equal(mkfifo("fifo.toml", 0644), 0);
	load_err("fifo.toml", TLC_EPOLICY,
		 "cannot read 'fifo.toml': not a regular file");
}

struct bad {
	const char *text;
	int code;
	const char *msg;	/* after "tlcpack.toml:" */
};

/* 66 bytes of a name */
#define A66 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct bad bad_recipes[] = {
	/* TOML errors, from the parser */
	{ "[package\n", TLC_EPOLICY, "1:9: *" },
	{ PKG "name = \"y\"\n", TLC_EPOLICY, "4:1: duplicate key 'name'*" },
	{ "a = \"\\q\"\n", TLC_EPOLICY, "1:*" },
	{ "\xff = 1\n", TLC_EPOLICY, "1:1: *" },

	/* unknown keys, with and without a suggestion */
	{ PKG "[build]\ndefins = {}\n", TLC_EPOLICY,
	  "5:1: unknown key 'build.defins' (did you mean 'defines'?)" },
	{ PKG "[build]\nbuild_type = \"Debug\"\n", TLC_EPOLICY,
	  "5:1: unknown key 'build.build_type' (did you mean 'build-type'?)" },
	{ PKG "[build]\nzzz = 1\n", TLC_EPOLICY,
	  "5:1: unknown key 'build.zzz'" },
	{ PKG "[bulid]\n", TLC_EPOLICY,
	  "4:1: unknown key 'bulid' (did you mean 'build'?)" },
	{ PKG "description = \"d\"\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.description' (did you mean 'summary'?)" },
	{ PKG "dependecies = []\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.dependecies' (did you mean "
	  "'dependencies'?)" },
	{ PKG "[project]\nname = \"y\"\n", TLC_EPOLICY,
	  "4:1: unknown key 'project' (did you mean 'package'?)" },
	{ PKG "\"we ird\" = 1\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.\"we ird\"'" },
	{ PKG "\"a\\nb\" = 1\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.\"a\\x0ab\"'" },
	{ PKG "[[build.cmake]]\nnmae = \"a\"\n", TLC_EPOLICY,
	  "5:1: unknown key 'build.cmake[0].nmae' (did you mean 'name'?)" },
	{ PKG "[variants.cpu]\nsufix = \"\"\n", TLC_EPOLICY,
	  "5:1: unknown key 'variants.cpu.sufix' (did you mean 'suffix'?)" },
	{ PKG "[channels.n]\nkeeep = 1\n", TLC_EPOLICY,
	  "5:1: unknown key 'channels.n.keeep' (did you mean 'keep'?)" },
	{ PKG "[test]\ncmd = \"x\"\n", TLC_EPOLICY,
	  "5:1: unknown key 'test.cmd'" },
	{ PKG "version2 = 1\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.version2' (did you mean 'version'?)" },

	/* types */
	{ "[package]\nname = 42\n", TLC_EPOLICY,
	  "2:1: 'package.name' must be a string, not an integer" },
	{ "package = 1\n", TLC_EPOLICY,
	  "1:1: 'package' must be a table, not an integer" },
	{ "[package]\nname = \"x\"\nversion = 1.0\n", TLC_EPOLICY,
	  "3:1: 'package.version' must be a string or a table, not a float" },
	{ PKG "dependencies = \"numpy\"\n", TLC_EPOLICY,
	  "4:1: 'package.dependencies' must be an array of strings, not a "
	  "string" },
	{ PKG "dependencies = [\"a\", 2]\n", TLC_EPOLICY,
	  "4:22: 'package.dependencies[1]' must be a string, not an integer" },
	{ PKG "urls = [\"x\"]\n", TLC_EPOLICY,
	  "4:1: 'package.urls' must be a table of strings, not an array" },
	{ PKG "urls = { a = 1 }\n", TLC_EPOLICY,
	  "4:10: 'package.urls.a' must be a string, not an integer" },
	{ PKG "authors = [\"me\"]\n", TLC_EPOLICY,
	  "4:12: 'package.authors[0]' must be a table, not a string" },
	{ PKG "readme = 1\n", TLC_EPOLICY,
	  "4:1: 'package.readme' must be a string or a table, not an integer" },
	{ PKG "[build]\njobs = \"4\"\n", TLC_EPOLICY,
	  "5:1: 'build.jobs' must be an integer, not a string" },
	{ PKG "[build]\ndefines = { USE_CUDA = true }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.USE_CUDA' must be a string, not a boolean" },
	{ PKG "[build]\npythons = []\n", TLC_EPOLICY,
	  "5:1: 'build.pythons' must name at least one interpreter" },
	{ PKG "[build.cmake]\nname = \"a\"\n", TLC_EPOLICY,
	  "4:1: 'build.cmake' must be an array of tables ([[...]]), not a "
	  "table" },
	{ PKG "[build]\ncmake = [1]\n", TLC_EPOLICY,
	  "5:10: 'build.cmake[0]' must be a table, not an integer" },
	{ PKG "[[build.cmake]]\nper-python = \"yes\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].per-python' must be a boolean, not a string" },
	{ PKG "[variants]\ncpu = 1\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu' must be a table, not an integer" },
	{ PKG "variants = 1\n", TLC_EPOLICY,
	  "4:1: unknown key 'package.variants'" },
	{ PKG "[channels.n]\nlocal-version = 1\n", TLC_EPOLICY,
	  "5:1: 'channels.n.local-version' must be a boolean, not an integer" },
	{ PKG "[test]\ncommand = 2020-01-01\n", TLC_EPOLICY,
	  "5:1: 'test.command' must be a string, not a date" },

	/* missing keys */
	{ "[package]\nversion = \"1\"\n", TLC_EPOLICY,
	  "1:1: missing key 'package.name'" },
	{ "[package]\nname = \"x\"\n", TLC_EPOLICY,
	  "1:1: missing key 'package.version'" },
	{ "[build]\n", TLC_EPOLICY, "1:1: missing key 'package.name'" },
	{ "[package]\nname = \"x\"\nversion = { tag = \"v*\" }\n", TLC_EPOLICY,
	  "3:13: unknown key 'package.version.tag'" },
	{ "[package]\nname = \"x\"\nversion = {}\n", TLC_EPOLICY,
	  "3:1: missing key 'package.version.git-tag'" },
	{ PKG "[[build.files]]\nto = \"a/\"\n", TLC_EPOLICY,
	  "4:1: missing key 'build.files[0].from'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\n", TLC_EPOLICY,
	  "4:1: missing key 'build.files[0].to'" },
	{ PKG "[[build.generate]]\npath = \"a\"\n", TLC_EPOLICY,
	  "4:1: missing key 'build.generate[0].content'" },
	{ PKG "license = {}\n", TLC_EPOLICY,
	  "4:1: 'package.license' must have 'text' or 'file'" },
	{ PKG "license = { text = \"a\", file = \"b\" }\n", TLC_EPOLICY,
	  "4:1: 'package.license' must have 'text' or 'file', not both" },
	{ PKG "readme = { content-type = \"text/plain\" }\n", TLC_EPOLICY,
	  "4:1: missing key 'package.readme.file'" },
	{ PKG "authors = [{}]\n", TLC_EPOLICY,
	  "4:12: 'package.authors[0]' must have 'name' or 'email'" },

	/* values */
	{ "[package]\nname = \"x-\"\nversion = \"1\"\n", TLC_EPOLICY,
	  "2:1: 'package.name' is not a valid project name (PEP 508): 'x-'" },
	{ "[package]\nname = \"\"\nversion = \"1\"\n", TLC_EPOLICY,
	  "2:1: 'package.name' is not a valid project name (PEP 508): ''" },
	{ "[package]\nname = \"x\"\nversion = \"1.x\"\n", TLC_EPOLICY,
	  "3:1: 'package.version' is not a valid version (PEP 440): '1.x' *" },
	{ "[package]\nname = \"x\"\nversion = \"\"\n", TLC_EPOLICY,
	  "3:1: 'package.version' must not be empty" },
	{ "[package]\nname = \"x\"\nversion = { git-tag = \"\" }\n",
	  TLC_EPOLICY, "3:13: 'package.version.git-tag' must not be empty" },
	{ "[package]\nname = \"x\\u0000y\"\nversion = \"1\"\n", TLC_EPOLICY,
	  "2:1: 'package.name' must not contain a NUL byte" },
	{ PKG "summary = \"two\\nlines\"\n", TLC_EPOLICY,
	  "4:1: 'package.summary' must be one line without control "
	  "characters" },
	{ PKG "dependencies = [\"numpy>>1\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy>>1': invalid version specifier '>>1': invalid "
	  "version '>1': expected a release number at '>1'" },
	{ PKG "dependencies = [\"-numpy\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): '-numpy' has an invalid name" },
	{ PKG "dependencies = [\"numpy[te st]\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy[te st]' has an invalid extra" },
	{ PKG "dependencies = [\"numpy ~= 1\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy ~= 1': invalid version specifier '~= 1': '~= 1': "
	  "'~=' needs at least two release numbers" },
	{ PKG "dependencies = [\"numpy;\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy;' has an empty marker" },
	{ PKG "dependencies = [\"numpy (>=1\"]\n", TLC_EPOLICY,
	  "4:17: 'package.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy (>=1' has an unclosed '('" },
	{ PKG "requires-python = \"3.8\"\n", TLC_EPOLICY,
	  "4:1: 'package.requires-python': invalid version specifier '3.8': "
	  "'3.8' has no operator (one of ~= == != <= >= < > ===)" },
	{ PKG "requires-python = \">=3.8,\"\n", TLC_EPOLICY,
	  "4:1: 'package.requires-python': invalid version specifier "
	  "'>=3.8,': empty clause after ','" },
	{ PKG "requires-python = \">=3.8+local\"\n", TLC_EPOLICY,
	  "4:1: 'package.requires-python': invalid version specifier "
	  "'>=3.8+local': '>=3.8+local': a local version label is only "
	  "allowed with '==' and '!='" },
	{ PKG "classifiers = [\"Nonsense\"]\n", TLC_EPOLICY,
	  "4:16: 'package.classifiers[0]' is not a trove classifier ('Topic "
	  ":: Sub-topic'): 'Nonsense'" },
	{ PKG "authors = [{ name = \"A, B\" }]\n", TLC_EPOLICY,
	  "4:14: 'package.authors[0].name' must not contain ',', '<', '>' "
	  "or '@' (PEP 621): 'A, B'" },
	{ PKG "authors = [{ email = \"nobody\" }]\n", TLC_EPOLICY,
	  "4:14: 'package.authors[0].email' is not an email address: "
	  "'nobody'" },
	{ PKG "readme = \"README\"\n", TLC_EPOLICY,
	  "4:1: cannot tell the content type of 'package.readme' from its "
	  "name 'README' (use .md, .rst or .txt, or a table with "
	  "'content-type')" },
	{ PKG "readme = { file = \"R.md\", content-type = \"text/html\" }\n",
	  TLC_EPOLICY,
	  "4:27: 'package.readme.content-type' must be text/markdown, "
	  "text/x-rst or text/plain: 'text/html'" },
	{ PKG "readme = { text = \"hello\" }\n", TLC_EPOLICY,
	  "4:12: 'package.readme.text' is not supported: put the description "
	  "in a file and name it in 'file'" },
	{ PKG "packages = [\"tvm.relay\"]\n", TLC_EPOLICY,
	  "4:13: 'package.packages[0]' must be an import package name (a "
	  "Python identifier, no dots): 'tvm.relay'" },
	{ PKG "packages = [\"9lives\"]\n", TLC_EPOLICY,
	  "4:13: 'package.packages[0]' must be an import package name (a "
	  "Python identifier, no dots): '9lives'" },
	{ PKG "default-variant = \"gpu\"\n", TLC_EPOLICY,
	  "4:1: 'package.default-variant' names no variant: 'gpu' (did you "
	  "mean 'cpu'?)" },
	{ PKG "default-variant = \"cuda\"\n[variants.cpu]\n[variants.cu121]\n",
	  TLC_EPOLICY, "4:1: 'package.default-variant' names no variant: "
		       "'cuda'" },
	{ PKG "[build]\njobs = 4097\n", TLC_ETOOBIG,
	  "5:1: 'build.jobs' is over 4096" },
	{ PKG "[build]\njobs = -1\n", TLC_EPOLICY,
	  "5:1: 'build.jobs' must not be negative" },
	{ PKG "[build]\njobs = 9223372036854775807\n", TLC_ETOOBIG,
	  "5:1: 'build.jobs' is over 4096" },
	{ PKG "[channels.n]\nkeep = -3\n", TLC_EPOLICY,
	  "5:1: 'channels.n.keep' must not be negative" },
	{ PKG "[channels.n]\nkeep = 10000000\n", TLC_ETOOBIG,
	  "5:1: 'channels.n.keep' is over 1000000" },
	{ PKG "[channels.nightly]\nversion = \"Dev\"\n", TLC_EPOLICY,
	  "5:1: 'channels.nightly.version' must be \"dev\" or \"release\", not "
	  "'Dev'" },
	{ PKG "[channels.nightly]\nname-suffix = \"+n\"\n", TLC_EPOLICY,
	  "5:1: 'channels.nightly.name-suffix' must be made of "
	  "[A-Za-z0-9._-]: '+n'" },
	{ PKG "[channels.nightly]\nname-suffix = \"-n-\"\n", TLC_EPOLICY,
	  "5:1: 'channels.nightly.name-suffix' must end with a letter or "
	  "digit (PEP 508 names do): '-n-'" },
	{ PKG "[channels.\"night ly\"]\n", TLC_EPOLICY,
	  "4:1: 'channels.\"night ly\"' is not a valid channel name (use "
	  "[A-Za-z0-9._-]): 'night ly'" },
	{ PKG "[channels.n_]\n", TLC_EPOLICY,
	  "4:1: 'channels.n_' needs a 'name-suffix': the default, '-n_', is "
	  "not a valid name suffix" },
	{ PKG "[variants.cpu]\n[variants.cu121]\nsuffix = \"-cu 121\"\n",
	  TLC_EPOLICY, "6:1: 'variants.cu121.suffix' must be made of "
		       "[A-Za-z0-9._-]: '-cu 121'" },
	{ PKG "[variants.\"cu/121\"]\n", TLC_EPOLICY,
	  "4:1: 'variants.\"cu/121\"' is not a valid variant name (use "
	  "[A-Za-z0-9._-]): 'cu/121'" },
	{ PKG "[variants]\n\"\" = {}\n", TLC_EPOLICY,
	  "5:1: 'variants.\"\"' is not a valid variant name (use "
	  "[A-Za-z0-9._-]): ''" },
	{ PKG "[variants]\n", TLC_EPOLICY,
	  "4:1: 'variants' has no variant (leave it out for one variant, "
	  "\"cpu\")" },
	{ PKG "[variants.cpu]\nsuffix = \"-cpu\"\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu.suffix' must be empty: 'cpu' is the default "
	  "variant, whose wheels carry no suffix" },
	{ PKG "[variants.cpu]\n[variants.a]\nsuffix = \"-x\"\n"
	      "[variants.b]\nsuffix = \"-x\"\n", TLC_EPOLICY,
	  "8:1: 'variants.b' has the same name suffix '-x' as variant 'a'" },
	{ PKG "[variants.cpu]\n[variants.x]\nsuffix = \"\"\n", TLC_EPOLICY,
	  "6:1: 'variants.x' has the same name suffix '' as variant 'cpu'" },
	{ PKG "[variants.cpu]\n[variants.cuda_]\n", TLC_EPOLICY,
	  "5:1: 'variants.cuda_' needs a 'suffix': the default, '-cuda_', is "
	  "not a valid name suffix" },
	{ PKG "[variants.cpu]\npolicy = \"many linux\"\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu.policy': unknown policy 'many linux'; known: "
	  "manylinux_2_5 (manylinux1), manylinux_2_12 (manylinux2010), "
	  "manylinux_2_17 (manylinux2014), manylinux_2_{24,26,27,28,31,34,"
	  "35,36,37,38,39}, linux" },
	{ PKG "[variants.cpu]\nexclude-libs = [\"/usr/lib/libcuda.so\"]\n",
	  TLC_EPOLICY,
	  "5:17: 'variants.cpu.exclude-libs[0]' must be a library file name, "
	  "not a path: '/usr/lib/libcuda.so'" },
	{ PKG "[variants.cpu]\nimage = \"\"\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu.image' must not be empty" },
	{ PKG "[variants.cpu]\nimage = \"a\\nb\"\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu.image' must be one line without control "
	  "characters" },
	{ PKG "[variants.cpu]\ndescription = \"a\\tb\"\n", TLC_EPOLICY,
	  "5:1: 'variants.cpu.description' must be one line without control "
	  "characters" },
	{ PKG "[build]\npythons = [\"bin/python\"]\n", TLC_EPOLICY,
	  "5:12: 'build.pythons[0]' must be a command name or an absolute "
	  "path: 'bin/python'" },
	{ PKG "[build]\nenv = { \"A-B\" = \"x\" }\n", TLC_EPOLICY,
	  "5:9: 'build.env.A-B' is not an environment variable name "
	  "([A-Za-z_][A-Za-z0-9_]*)" },
	{ PKG "[build]\nenv = { 9A = \"x\" }\n", TLC_EPOLICY,
	  "5:9: 'build.env.9A' is not an environment variable name "
	  "([A-Za-z_][A-Za-z0-9_]*)" },
	{ PKG "[build]\ndefines = { \"A=B\" = \"x\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.\"A=B\"' is not a CMake variable name (empty, "
	  "or holds '=' or control characters)" },
	{ PKG "[build]\ndefines = { \"\" = \"x\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.\"\"' is not a CMake variable name (empty, "
	  "or holds '=' or control characters)" },
	{ PKG "[build]\ndefines = { \"A\\u0000B\" = \"x\", A = \"y\" }\n",
	  TLC_EPOLICY, "5:13: key 'build.defines.A' contains a NUL byte" },
	{ PKG "[build]\ndefines = { A = \"x\\u0000\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.A' must not contain a NUL byte" },
	{ PKG "[[build.cmake]]\nname = \"core\"\n[[build.cmake]]\n"
	      "name = \"core\"\n", TLC_EPOLICY,
	  "7:1: 'build.cmake[1].name' repeats the name 'core' of "
	  "'build.cmake[0]'" },
	{ PKG "[[build.cmake]]\n[[build.cmake]]\nname = \"cmake0\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.cmake[1].name' repeats the name 'cmake0' of "
	  "'build.cmake[0]'" },
	{ PKG "[[build.cmake]]\nname = \"co re\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].name' is not a valid CMake project name (use "
	  "[A-Za-z0-9._-]): 'co re'" },
	{ PKG "[[build.cmake]]\nbuild-type = \"\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].build-type' must not be empty" },
	{ PKG "[[build.generate]]\npath = \"a.py\"\ncontent = \"\"\n"
	      "[[build.generate]]\npath = \"a.py\"\ncontent = \"\"\n",
	  TLC_EPOLICY,
	  "8:1: 'build.generate[1].path' repeats the path of "
	  "'build.generate[0]'" },

	/* placeholders */
	{ PKG "[build]\ndefines = { V = \"{verison}\" }\n", TLC_EPOLICY,
	  "5:13: unknown placeholder '{verison}' in 'build.defines.V' (did "
	  "you mean '{version}'?)" },
	{ PKG "[build]\nenv = { V = \"{HOME}\" }\n", TLC_EPOLICY,
	  "5:9: unknown placeholder '{HOME}' in 'build.env.V'" },
	{ PKG "[build]\ndefines = { V = \"{version\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.V' has an unclosed '{' (write '{{' for a "
	  "literal brace)" },
	{ PKG "[build]\ndefines = { V = \"a}b\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.V' has a single '}' (write '}}' for a "
	  "literal brace)" },
	{ PKG "[build]\ndefines = { V = \"{}\" }\n", TLC_EPOLICY,
	  "5:13: unknown placeholder '{}' in 'build.defines.V'" },
	{ PKG "[build]\ndefines = { V = \"{build}\" }\n", TLC_EPOLICY,
	  "5:13: 'build.defines.V' uses '{build}', but there is no "
	  "[[build.cmake]]" },
	{ PKG "[[build.cmake]]\nname = \"core\"\n"
	      "defines = { V = \"{build:cor}\" }\n", TLC_EPOLICY,
	  "6:13: 'build.cmake[0].defines.V' uses '{build:cor}', but no "
	  "[[build.cmake]] has that name" },
	{ PKG "[[build.cmake]]\ndefines = { V = \"{python}\" }\n", TLC_EPOLICY,
	  "5:13: 'build.cmake[0].defines.V' uses '{python}', which only "
	  "per-python CMake projects and environments have" },
	{ PKG "[variants.cpu]\ndefines = { V = \"{variant}-{vriant}\" }\n",
	  TLC_EPOLICY,
	  "5:13: unknown placeholder '{vriant}' in 'variants.cpu.defines.V' "
	  "(did you mean '{variant}'?)" },
	{ PKG "[variants.cpu]\nenv = { V = \"{build:x}\" }\n", TLC_EPOLICY,
	  "5:9: 'variants.cpu.env.V' uses '{build:x}', but no "
	  "[[build.cmake]] has that name" },
	{ PKG "[[build.generate]]\npath = \"v.py\"\ncontent = \"{nmae}\"\n",
	  TLC_EPOLICY,
	  "6:1: unknown placeholder '{nmae}' in 'build.generate[0].content' "
	  "(did you mean '{name}'?)" },
	{ PKG "[[build.generate]]\npath = \"v.py\"\ncontent = \"{python}\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.generate[0].content' uses '{python}', which only "
	  "per-python CMake projects and environments have" },
	{ PKG "[[build.files]]\nfrom = \"{python}\"\nto = \"a/\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.files[0].from' uses '{python}', which only per-python "
	  "CMake projects and environments have" },
	{ PKG "[[build.cmake]]\n[[build.files]]\nfrom = \"x/{build}/a\"\n"
	      "to = \"a/\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].from' may only start with '{build}'" },
	{ PKG "[[build.cmake]]\n[[build.files]]\nfrom = \"{build}x\"\n"
	      "to = \"a/\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].from' must have a '/' after '{build}'" },
	{ PKG "[[build.files]]\nfrom = \"{verison}/a\"\nto = \"a/\"\n",
	  TLC_EPOLICY,
	  "5:1: unknown placeholder '{verison}' in 'build.files[0].from' (did "
	  "you mean '{version}'?)" },

	/* paths of the project */
	{ PKG "readme = \"/etc/motd.txt\"\n", TLC_EPOLICY,
	  "4:1: 'package.readme' must be a path relative to the project "
	  "directory, not '/etc/motd.txt'" },
	{ PKG "readme = \"../README.md\"\n", TLC_EPOLICY,
	  "4:1: 'package.readme' must not contain '..': '../README.md'" },
	{ PKG "readme = { file = \"docs/../../R.md\" }\n", TLC_EPOLICY,
	  "4:12: 'package.readme.file' must not contain '..': "
	  "'docs/../../R.md'" },
	{ PKG "license = { file = \"/LICENSE\" }\n", TLC_EPOLICY,
	  "4:13: 'package.license.file' must be a path relative to the "
	  "project directory, not '/LICENSE'" },
	{ PKG "license-files = [\"../*\"]\n", TLC_EPOLICY,
	  "4:18: 'package.license-files[0]' must not contain '..': '../*'" },
	{ PKG "license-files = [\"\"]\n", TLC_EPOLICY,
	  "4:18: 'package.license-files[0]' must not be empty" },
	{ PKG "python-source = \"/usr/lib/python3\"\n", TLC_EPOLICY,
	  "4:1: 'package.python-source' must be a path relative to the "
	  "project directory, not '/usr/lib/python3'" },
	{ PKG "python-source = \"a/..\"\n", TLC_EPOLICY,
	  "4:1: 'package.python-source' must not contain '..': 'a/..'" },
	{ PKG "[[build.cmake]]\nsource = \"..\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].source' must not contain '..': '..'" },
	{ PKG "[[build.cmake]]\nsource = \"/src\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].source' must be a path relative to the "
	  "project directory, not '/src'" },
	{ PKG "[[build.files]]\nfrom = \"/etc/*\"\nto = \"a/\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.files[0].from' must be a path relative to the project "
	  "directory, not '/etc/*'" },
	{ PKG "[[build.files]]\nfrom = \"lib/../../*\"\nto = \"a/\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.files[0].from' must not contain '..': 'lib/../../*'" },
	{ PKG "[[build.files]]\nfrom = \"{project}/../x\"\nto = \"a/\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.files[0].from' must not contain '..': "
	  "'{project}/../x'" },
	{ PKG "[[build.cmake]]\n[[build.files]]\nfrom = \"{build}/../../x\"\n"
	      "to = \"a/\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].from' must not contain '..': "
	  "'{build}/../../x'" },

	/* paths in the wheel */
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"/usr/lib/\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must be a relative path inside the wheel, "
	  "not '/usr/lib/'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"tvm/../../x\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must not contain '..': 'tvm/../../x'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"tvm\\\\x\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must use '/', not '\\': 'tvm\\\\x'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"x-1.dist-info/RECORD\"\n",
	  TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must not write into a .dist-info "
	  "directory: 'x-1.dist-info/RECORD'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"a//b\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must not have empty or '.' parts: "
	  "'a//b'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"./b\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must not have empty or '.' parts: './b'" },
	{ PKG "[[build.files]]\nfrom = \"a\"\nto = \"\"\n", TLC_EPOLICY,
	  "6:1: 'build.files[0].to' must not be empty" },
	{ PKG "[[build.generate]]\npath = \"tvm/\"\ncontent = \"\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.generate[0].path' must name a file, not a directory: "
	  "'tvm/'" },
	{ PKG "[[build.generate]]\npath = \"../x.py\"\ncontent = \"\"\n",
	  TLC_EPOLICY,
	  "5:1: 'build.generate[0].path' must not contain '..': '../x.py'" },
	{ PKG "[[build.generate]]\npath = \"a.dist-info/METADATA\"\n"
	      "content = \"\"\n", TLC_EPOLICY,
	  "5:1: 'build.generate[0].path' must not write into a .dist-info "
	  "directory: 'a.dist-info/METADATA'" },
	{ PKG "[[build.cmake]]\ninstall-dir = \"/opt\"\n", TLC_EPOLICY,
	  "5:1: 'build.cmake[0].install-dir' must be a relative path inside "
	  "the wheel, not '/opt'" },

	/* names too long */
	{ "[package]\nname = \""
	  A66 A66 A66 "\"\n"
	  "version = \"1\"\n[variants.cpu]\n[variants.cu121]\n", TLC_ETOOBIG,
	  "1:1: 'package.name' with the suffixes of variant 'cu121' is over "
	  "200 bytes (204)" },
	{ "[package]\nname = \""
	  A66 A66 A66 "\"\n"
	  "version = \"1\"\n[variants.cpu]\n[variants.cu121]\nsuffix = \"-1\"\n"
	  "[channels.nightly]\n", TLC_ETOOBIG,
	  "1:1: 'package.name' with the suffixes of channel 'nightly' and "
	  "variant 'cu121' is over 200 bytes (208)" },
	{ "[package]\nname = \""
	  A66 A66 A66 "aaa\"\n"
	  "version = \"1\"\n", TLC_ETOOBIG, "2:1: 'package.name' is over 200 "
					  "bytes" },
};

/* Each of the @n recipes of @bad, written to @file, must fail to load as
 * it says. */
static void load_bad(const char *file, const struct bad *bad, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char want[512];

		snprintf(want, sizeof(want), "%s:%s", file, bad[i].msg);
		write_file(file, bad[i].text);
		load_err(file, bad[i].code, want);
	}
}

static void test_recipe__hostile(void **state)
{
	(void)state;
	load_bad("tlcpack.toml", bad_recipes, N(bad_recipes));
}

#define PROJ "[project]\nname = \"x\"\nversion = \"1\"\n"

static const struct bad bad_pyprojects[] = {
	{ PROJ, TLC_ENOTFOUND,
	  "1:1: missing table [tool.tlcpack]: this pyproject.toml has no "
	  "tlcpack recipe" },
	{ PROJ "[tool]\ntlcpack = 1\n", TLC_EPOLICY,
	  "5:1: 'tool.tlcpack' must be a table, not an integer" },
	{ "tool = 1\n", TLC_EPOLICY, "1:1: 'tool' must be a table, not an "
				     "integer" },
	{ PROJ "[tool.tlcpack.build]\ndefins = {}\n", TLC_EPOLICY,
	  "5:1: unknown key 'tool.tlcpack.build.defins' (did you mean "
	  "'defines'?)" },
	{ PROJ "[tool.tlcpack.package]\nname = 1\n", TLC_EPOLICY,
	  "5:1: 'tool.tlcpack.package.name' must be a string, not an "
	  "integer" },
	{ PROJ "[tool.tlcpack.pakage]\n", TLC_EPOLICY,
	  "4:1: unknown key 'tool.tlcpack.pakage' (did you mean "
	  "'package'?)" },
	{ PROJ "[tool.tlcpack.variants.cpu]\nsuffix = \"x\"\n", TLC_EPOLICY,
	  "5:1: 'tool.tlcpack.variants.cpu.suffix' must be empty: 'cpu' is "
	  "the default variant, whose wheels carry no suffix" },
	{ PROJ "[[tool.tlcpack.build.files]]\nfrom = \"a\"\nto = \"/\"\n",
	  TLC_EPOLICY,
	  "6:1: 'tool.tlcpack.build.files[0].to' must be a relative path "
	  "inside the wheel, not '/'" },
	{ PROJ "[[tool.tlcpack.build.cmake]]\nname = \"a\"\n"
	       "[[tool.tlcpack.build.cmake]]\nname = \"a\"\n", TLC_EPOLICY,
	  "7:1: 'tool.tlcpack.build.cmake[1].name' repeats the name 'a' of "
	  "'tool.tlcpack.build.cmake[0]'" },
	{ PROJ "[tool.tlcpack.build]\n[[tool.tlcpack.build.generate]]\n"
	       "path = \"a\"\n", TLC_EPOLICY,
	  "5:1: missing key 'tool.tlcpack.build.generate[0].content'" },
	{ "[project]\nversion = \"1\"\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "1:1: missing key 'tool.tlcpack.package.name' (or "
	  "'project.name')" },
	{ "[project]\nname = \"x\"\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "1:1: missing key 'tool.tlcpack.package.version' (or "
	  "'project.version')" },
	{ "[project]\nname = \"x\"\n[tool.tlcpack.package]\nsummary = \"s\"\n",
	  TLC_EPOLICY,
	  "3:1: missing key 'tool.tlcpack.package.version' (or "
	  "'project.version')" },
	{ "[project]\nname = \"x\"\ndynamic = [\"version\"]\n[tool.tlcpack]\n",
	  TLC_EPOLICY,
	  "1:1: 'project.version' is dynamic, but "
	  "'tool.tlcpack.package.version' is not set" },
	{ PROJ "dynamic = [\"version\"]\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "3:1: 'project.version' is set, but also listed in "
	  "'project.dynamic' (PEP 621)" },
	{ "[project]\nname = \"x\"\ndynamic = [\"name\"]\n[tool.tlcpack]\n",
	  TLC_EPOLICY, "3:12: 'project.name' cannot be dynamic (PEP 621)" },
	{ PROJ "dynamic = [\"verison\"]\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:12: 'project.dynamic[0]' names no [project] key: 'verison' (did "
	  "you mean 'version'?)" },
	{ PROJ "dynamic = \"version\"\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:1: 'project.dynamic' must be an array of strings, not a string" },
	{ PROJ "summary = \"s\"\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:1: unknown key 'project.summary'" },
	{ PROJ "keyword = []\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:1: unknown key 'project.keyword' (did you mean 'keywords'?)" },
	{ "[project]\nname = \"x\"\nversion = { git-tag = \"v*\" }\n"
	  "[tool.tlcpack]\n", TLC_EPOLICY,
	  "3:1: 'project.version' must be a string, not a table" },
	{ "[project]\nname = \"x y\"\nversion = \"1\"\n[tool.tlcpack]\n",
	  TLC_EPOLICY,
	  "2:1: 'project.name' is not a valid project name (PEP 508): 'x y'" },
	{ PROJ "readme = \"README\"\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:1: cannot tell the content type of 'project.readme' from its "
	  "name 'README' (use .md, .rst or .txt, or a table with "
	  "'content-type')" },
	{ PROJ "license = { file = \"../LICENSE\" }\n[tool.tlcpack]\n",
	  TLC_EPOLICY,
	  "4:13: 'project.license.file' must not contain '..': '../LICENSE'" },
	{ PROJ "dependencies = [\"numpy==\"]\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "4:17: 'project.dependencies[0]' is not a valid requirement (PEP "
	  "508): 'numpy==': invalid version specifier '==': '==' has no "
	  "version" },
	{ "project = []\n[tool.tlcpack]\n", TLC_EPOLICY,
	  "1:1: 'project' must be a table, not an array" },
};

static void test_recipe__hostile_pyproject(void **state)
{
	(void)state;
	load_bad("pyproject.toml", bad_pyprojects, N(bad_pyprojects));
}

/* PEP 508 requirements and PEP 440 specifier sets: what must load, and
 * what must not, with the reason named. */
static const char *const good_requirements[] = {
	"numpy",
	"A.B-C_d9",
	"numpy>=1.20",
	"numpy >= 1.20 , < 2",
	"numpy==1.*",
	"numpy!=1.2.*",
	"numpy===1.0-foo",
	"numpy~=1.2",
	"numpy==1.0+local.7",
	"numpy (>=1.0, <2)",
	"numpy[extra1, extra_2]>=1; python_version < '3.11'",
	"numpy ; platform_system == 'Linux'",
	"pkg @ https://example.org/pkg-1.0-py3-none-any.whl",
	"pkg[e] @ file:///tmp/x.whl ; os_name == 'posix'",
	"  numpy  ",
};

static const char *const bad_requirements[][2] = {
	{ "numpy==1.*.0", ": invalid version specifier '==1.*.0': invalid "
			  "version '1.*.0': unexpected '*.0'" },
	{ "numpy>=1.*", ": invalid version specifier '>=1.*': '>=1.*': '.*' "
			"is only allowed with '==' and '!='" },
	{ "numpy==1.0rc1.*", ": invalid version specifier '==1.0rc1.*': "
			     "'==1.0rc1.*': '.*' may only follow a release "
			     "number, without pre, post, dev or local parts" },
	{ "numpy>=1.0+local", ": invalid version specifier '>=1.0+local': "
			      "'>=1.0+local': a local version label is only "
			      "allowed with '==' and '!='" },
	{ "numpy===", ": invalid version specifier '===': '===' has no "
		      "version" },
	{ "numpy=== a b", ": invalid version specifier '=== a b': '=== a b' "
			  "has whitespace inside the version" },
	{ "numpy >=1 foo", ": invalid version specifier '>=1 foo': '>=1 foo' "
			   "has whitespace inside the version" },
	{ "numpy[a", " has an invalid extra" },
	{ "numpy[]", " has an invalid extra" },
	{ "numpy @", " has an empty URL" },
	{ "numpy (>=1) x", " has text after the version specifier" },
	{ "numpy ()", ": invalid version specifier '': empty" },
	{ "numpy,", ": invalid version specifier ',': empty clause before "
		    "','" },
	{ "numpy-", " has an invalid name" },
	{ "", "" },
};

static void test_recipe__requirements(void **state)
{
	char text[512], want[512];
	struct tlc_recipe *r;

	(void)state;
	for (size_t i = 0; i < N(good_requirements); i++) {
		snprintf(text, sizeof(text),
			 PKG "dependencies = ['''%s''']\n"
			     "requires-python = '>=3.8, !=3.9.*, <4'\n",
			 good_requirements[i]);
		write_file("tlcpack.toml", text);
		r = load_ok("tlcpack.toml");
		assert_string_equal(r->dependencies.v[0], good_requirements[i]);
		tlc_recipe_free(r);
	}
	for (size_t i = 0; i < N(bad_requirements); i++) {
		snprintf(text, sizeof(text), PKG "dependencies = ['''%s''']\n",
			 bad_requirements[i][0]);
		write_file("tlcpack.toml", text);
		if (!bad_requirements[i][0][0])
			snprintf(want, sizeof(want),
				 "tlcpack.toml:4:17: 'package.dependencies[0]' "
				 "must not be empty");
		else
			snprintf(want, sizeof(want),
				 "tlcpack.toml:4:17: 'package.dependencies[0]' "
				 "is not a valid requirement (PEP 508): '%s'%s",
				 bad_requirements[i][0],
				 bad_requirements[i][1]);
		load_err("tlcpack.toml", TLC_EPOLICY, want);
	}
	for (size_t i = 0; i < 4; i++) {
		static const char *const bad_rp[] = { "", ">=", "=>3.8",
						      "~=3" };

		snprintf(text, sizeof(text), PKG "requires-python = '%s'\n",
			 bad_rp[i]);
		write_file("tlcpack.toml", text);
		snprintf(want, sizeof(want),
			 i ? "tlcpack.toml:4:1: 'package.requires-python': "
			     "invalid version specifier '%s': *" :
			     "tlcpack.toml:4:1: 'package.requires-python' must "
			     "not be empty%s",
			 bad_rp[i]);
		load_err("tlcpack.toml", TLC_EPOLICY, want);
	}
}

/* A project path in each place one goes, through links that stay inside
 * the project or to what is not there yet: all fine. */
#define INSIDE PKG "readme = \"src-link/README.md\"\n" \
	"python-source = \"py\"\npackages = [\"link\", \"absent\"]\n" \
	"license-files = [\"src-link/LICENSE*\", \"no/such/dir/*\"]\n" \
	"[[build.cmake]]\nsource = \"src-link\"\n" \
	"[[build.files]]\nfrom = \"src-link/*.h\"\nto = \"a/\"\n"

/* Symlinks that lead out of the project are refused wherever a project
 * path goes; links that stay inside are fine. */
static void test_recipe__symlink_escape(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r;
	char outside[PATH_MAX + 32], want[PATH_MAX + 256];
	static const char *const cases[][2] = {
		{ "readme = \"out/README.md\"\n", "4:1: 'package.readme'" },
		{ "readme = \"docs-link/x.md\"\n", "4:1: 'package.readme'" },
		{ "license = { file = \"out/LICENSE\" }\n",
		  "4:13: 'package.license.file'" },
		{ "license-files = [\"out/*\"]\n",
		  "4:18: 'package.license-files[0]'" },
		{ "license-files = [\"out/sub/dir/L*\"]\n",
		  "4:18: 'package.license-files[0]'" },
		{ "license-files = [\"out\"]\n",
		  "4:18: 'package.license-files[0]'" },
		{ "python-source = \"out\"\n", "4:1: 'package.python-source'" },
		{ "python-source = \"py\"\npackages = [\"evil\"]\n",
		  "5:13: 'package.packages[0]'" },
		{ "[[build.cmake]]\nsource = \"out/src\"\n",
		  "5:1: 'build.cmake[0].source'" },
		{ "[[build.files]]\nfrom = \"out/*.so\"\nto = \"a/\"\n",
		  "5:1: 'build.files[0].from'" },
		{ "[[build.files]]\nfrom = \"{project}/out/lib{version}.so\"\n"
		  "to = \"a/\"\n", "5:1: 'build.files[0].from'" },
		{ "[[build.files]]\nfrom = \"passwd\"\nto = \"a/\"\n",
		  "5:1: 'build.files[0].from'" },
	};

	(void)state;
	/* the outside world: a sibling of the project directory */
	snprintf(outside, sizeof(outside), "%s-outside", scratch);
	assert_int_equal(tlc__fs_mkdir_p(outside, 0755, &err), 0);
	assert_int_equal(symlink(outside, "out"), 0);
	assert_int_equal(mkdir("py", 0755), 0);
	assert_int_equal(symlink(outside, "py/evil"), 0);
	assert_int_equal(symlink("out", "docs-link"), 0);
	write_file("passwd", "");
	assert_int_equal(unlink("passwd"), 0);
	assert_int_equal(symlink("/etc/passwd", "passwd"), 0);
	for (size_t i = 0; i < N(cases); i++) {
		char text[512];

		snprintf(text, sizeof(text), PKG "%s", cases[i][0]);
		write_file("tlcpack.toml", text);
		snprintf(want, sizeof(want),
			 "tlcpack.toml:%s leaves the project directory: *",
			 cases[i][1]);
		load_err("tlcpack.toml", TLC_EPOLICY, want);
	}

	/* what the message says: the link, and where it leads */
	write_file("tlcpack.toml", PKG "readme = \"out/README.md\"\n");
	snprintf(want, sizeof(want),
		 "tlcpack.toml:4:1: 'package.readme' leaves the project "
		 "directory: 'out' resolves to '%s'", outside);
	if (strlen(outside) < 60)
		load_err("tlcpack.toml", TLC_EPOLICY, want);

	/* a dangling link cannot be checked, so it is refused */
	assert_int_equal(symlink("/nonexistent/x", "dangling"), 0);
	write_file("tlcpack.toml",
		   PKG "[[build.cmake]]\nsource = \"dangling\"\n");
	load_err("tlcpack.toml", TLC_EPOLICY,
		 "tlcpack.toml:5:1: 'build.cmake[0].source' cannot be "
		 "resolved: 'dangling' (No such file or directory)");

	/* links inside the project, and paths that do not exist yet */
	assert_int_equal(mkdir("src", 0755), 0);
	assert_int_equal(symlink("src", "src-link"), 0);
	assert_int_equal(symlink("../src", "py/link"), 0);
	write_file("tlcpack.toml",
		   INSIDE "[[build.files]]\nfrom = \"{build}/../x\"\n"
		   "to = \"a/\"\n");
	load_err("tlcpack.toml", TLC_EPOLICY,
		 "tlcpack.toml:14:1: 'build.files[1].from' must not contain "
		 "'..': '{build}/../x'");
	write_file("tlcpack.toml",
		   INSIDE "[[build.files]]\nfrom = \"{build}/lib*.so\"\n"
		   "to = \"a/\"\n");
	r = load_ok("tlcpack.toml");
	assert_string_equal(r->description_file, "src-link/README.md");
	tlc_recipe_free(r);
	assert_int_equal(tlc__fs_remove_tree(outside, &err), 0);
}

static void write_big(const char *head, const char *item, size_t n,
		      const char *tail)
{
	struct tlc_buf b = TLC_BUF_INIT;

	assert_int_equal(tlc_buf_puts(&b, head), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(tlc_buf_puts(&b, item), 0);
	assert_int_equal(tlc_buf_puts(&b, tail), 0);
	write_file("tlcpack.toml", b.ptr);
	tlc_buf_release(&b);
}

static void test_recipe__absurd_sizes(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r;
	char num[64];

	(void)state;
	/* a file over 1 MiB, even if it were valid TOML */
	write_big(PKG "# ", "x", TLC_RECIPE_MAX_FILE, "\n");
	load_err("tlcpack.toml", TLC_ETOOBIG,
		 "tlcpack.toml:1:1: the recipe is over 1048576 bytes (1 MiB)");
	/* exactly at the cap is fine */
	write_big(PKG "#", "x", TLC_RECIPE_MAX_FILE - sizeof(PKG) - 1, "\n");
	r = load_ok("tlcpack.toml");
	tlc_recipe_free(r);

	/* lists and tables over TLC_RECIPE_MAX_ITEMS */
	write_big(PKG "classifiers = [", "\"A :: B\",",
		  TLC_RECIPE_MAX_ITEMS + 1, "]\n");
	load_err("tlcpack.toml", TLC_ETOOBIG,
		 "tlcpack.toml:4:1: 'package.classifiers' has over 4096 "
		 "entries");
	write_big(PKG "classifiers = [", "\"A :: B\",", TLC_RECIPE_MAX_ITEMS,
		  "]\n");
	r = load_ok("tlcpack.toml");
	assert_int_equal(r->classifiers.n, TLC_RECIPE_MAX_ITEMS);
	tlc_recipe_free(r);
	write_big(PKG "[build]\n", "[[build.generate]]\npath=\"a\"\n",
		  TLC_RECIPE_MAX_ITEMS + 1, "");
	load_err("tlcpack.toml", TLC_ETOOBIG,
		 "tlcpack.toml:5:1: 'build.generate' has over 4096 entries");
	{
		struct tlc_buf b = TLC_BUF_INIT;

		assert_int_equal(tlc_buf_puts(&b, PKG "[build.defines]\n"), 0);
		for (size_t i = 0; i <= TLC_RECIPE_MAX_ITEMS; i++)
			assert_int_equal(tlc_buf_printf(&b, "D%zu = \"\"\n", i),
					 0);
		write_file("tlcpack.toml", b.ptr);
		tlc_buf_release(&b);
		load_err("tlcpack.toml", TLC_ETOOBIG,
			 "tlcpack.toml:4:1: 'build.defines' has over 4096 "
			 "entries");
	}

	/* strings over TLC_RECIPE_MAX_STRING */
	write_big(PKG "disclaimer = \"", "x", TLC_RECIPE_MAX_STRING + 1,
		  "\"\n");
	load_err("tlcpack.toml", TLC_ETOOBIG,
		 "tlcpack.toml:4:1: 'package.disclaimer' is over 65536 bytes");
	write_big(PKG "disclaimer = \"", "x", TLC_RECIPE_MAX_STRING, "\"\n");
	r = load_ok("tlcpack.toml");
	assert_int_equal(strlen(r->disclaimer), TLC_RECIPE_MAX_STRING);
	tlc_recipe_free(r);

	/* jobs */
	snprintf(num, sizeof(num), PKG "[build]\njobs = 4096\n");
	write_file("tlcpack.toml", num);
	r = load_ok("tlcpack.toml");
	assert_int_equal(r->jobs, 4096);
	tlc_recipe_free(r);

	/* the buffer form has the same cap */
	r = (struct tlc_recipe *)&err;
	assert_int_equal(tlc_recipe_load_buffer(&r, "", TLC_RECIPE_MAX_FILE + 1,
						"tlcpack.toml", scratch, &err),
			 TLC_ETOOBIG);
	assert_null(r);
}

static void test_recipe__load_buffer(void **state)
{
	static const char text[] = PKG "readme = \"R.md\"\n";
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = NULL;
	char path[PATH_MAX + 32];

	(void)state;
	/* an explicit root; the file name only names it */
	assert_int_equal(mkdir("elsewhere", 0755), 0);
	assert_int_equal(tlc_recipe_load_buffer(&r, text, strlen(text),
						"recipes/tvm.toml",
						"elsewhere", &err),
			 0);
	snprintf(path, sizeof(path), "%s/elsewhere", scratch);
	assert_string_equal(r->root, path);
	snprintf(path, sizeof(path), "%s/elsewhere/tvm.toml", scratch);
	assert_string_equal(r->path, path);
	assert_string_equal(r->name, "x");
	tlc_recipe_free(r);

	/* the basename decides the form */
	r = NULL;
	assert_int_equal(tlc_recipe_load_buffer(&r, text, strlen(text),
						"sub/pyproject.toml", scratch,
						&err),
			 TLC_ENOTFOUND);
	assert_null(r);
	assert_string_equal(err.msg,
			    "sub/pyproject.toml:1:1: missing table "
			    "[tool.tlcpack]: this pyproject.toml has no "
			    "tlcpack recipe");

	/* no root: the file's directory, which must exist */
	assert_int_equal(tlc_recipe_load_buffer(&r, text, strlen(text),
						"tlcpack.toml", NULL, &err),
			 0);
	assert_string_equal(r->root, scratch);
	tlc_recipe_free(r);
	r = NULL;
	assert_int_equal(tlc_recipe_load_buffer(&r, text, strlen(text),
						"nodir/tlcpack.toml", NULL,
						&err),
			 TLC_ENOTFOUND);
	assert_null(r);

	/* bytes after a NUL are not lost: the parser sees them */
	r = NULL;
	assert_int_equal(tlc_recipe_load_buffer(&r, "a = 1\n\0b", 8,
						"tlcpack.toml", scratch, &err),
			 TLC_EPOLICY);
	assert_null(r);
	check_one_line(err.msg);
	assert_true(strncmp(err.msg, "tlcpack.toml:", 13) == 0);

	/* control characters in the file name do not break the line */
	assert_int_equal(tlc_recipe_load_buffer(&r, "x = 1", 5,
						"a\nb.toml", scratch, &err),
			 TLC_EPOLICY);
	assert_null(r);
	assert_string_equal(err.msg, "a\\x0ab.toml:1:1: unknown key 'x'");

	/* a long file name is cut from the left, keeping its end */
	{
		char longname[400];

		memset(longname, 'd', sizeof(longname));
		memcpy(longname + sizeof(longname) - 14, "/tlcpack.toml", 14);
		assert_int_equal(tlc_recipe_load_buffer(&r, "x = 1", 5,
							longname, scratch,
							&err),
				 TLC_EPOLICY);
		assert_null(r);
		check_one_line(err.msg);
		assert_true(strncmp(err.msg, "...dddd", 7) == 0);
		assert_non_null(strstr(err.msg, "dd/tlcpack.toml:1:1: unknown "
						"key 'x'"));
	}
}

/* Loading reads only: the project directory is the same afterwards. */
static void snapshot(struct tlc_buf *out)
{
	DIR *d = opendir(".");
	struct dirent *e;

	assert_non_null(d);
	tlc_buf_reset(out);
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		assert_int_equal(lstat(e->d_name, &st), 0);
		assert_int_equal(tlc_buf_printf(out, "%s %o %lld %lld.%09ld\n",
						e->d_name, (unsigned)st.st_mode,
						(long long)st.st_size,
						(long long)st.st_mtim.tv_sec,
						st.st_mtim.tv_nsec),
				 0);
	}
	closedir(d);
}

static void test_recipe__writes_nothing(void **state)
{
	struct tlc_buf before = TLC_BUF_INIT, after = TLC_BUF_INIT;
	struct tlc_recipe *r;

	(void)state;
	write_file("tlcpack.toml", full_recipe);
	assert_int_equal(mkdir("python", 0755), 0);
	snapshot(&before);
	r = load_ok(".");
	tlc_recipe_free(r);
	for (size_t i = 0; i < N(bad_recipes); i += 7) {
		struct tlc_error err = TLC_ERROR_INIT;

		r = NULL;
		assert_true(tlc_recipe_load_buffer(&r, bad_recipes[i].text,
						   strlen(bad_recipes[i].text),
						   "tlcpack.toml", ".",
						   &err) < 0);
		assert_null(r);
	}
	snapshot(&after);
	assert_string_equal(before.ptr, after.ptr);
	tlc_buf_release(&before);
	tlc_buf_release(&after);
}

/* The example project's recipe (examples/tlcpack.toml), as shipped. */
static void test_recipe__example(void **state)
{
	const char *src = getenv("TLC_SOURCE_DIR");
	struct tlc_recipe *r;
	char path[PATH_MAX];
	struct stat st;

	(void)state;
	if (!src)
		fail_msg("TLC_SOURCE_DIR is not set: run this test from ctest");
	snprintf(path, sizeof(path), "%s/examples/tlcpack.toml", src);
	if (stat(path, &st) < 0)
		fail_msg("'%s' is missing: the example recipe must exist",
			 path);
	r = load_ok(path);
	assert_string_equal(r->name, "tlcpack-example");
	assert_int_equal(r->version_source, TLC_VERSION_LITERAL);
	assert_string_equal(r->python_source, "python");
	assert_true(r->packages.n >= 1);
	assert_true(r->ncmake >= 1);
	assert_non_null(tlc_recipe_variant(r, "cpu"));
	assert_string_equal(r->default_variant, "cpu");
	assert_string_equal(tlc_recipe_variant(r, "cpu")->suffix, "");
	assert_non_null(r->test_command);
	for (size_t i = 0; i < r->nvariants; i++)
		assert_non_null(r->variants[i].suffix);
	/* the project directory is examples/, resolved */
	snprintf(path, sizeof(path), "%s/examples", src);
	{
		char *real = realpath(path, NULL);

		assert_non_null(real);
		assert_string_equal(r->root, real);
		free(real);
	}
	/* the readme it names is really there */
	if (r->description_file) {
		snprintf(path, sizeof(path), "%s/%s", r->root,
			 r->description_file);
		assert_int_equal(stat(path, &st), 0);
	}
	tlc_recipe_free(r);
}

/* recipes/tvm.toml: TVM's own recipe, as docs/tvm.md describes it. */
static void test_recipe__tvm(void **state)
{
	const char *src = getenv("TLC_SOURCE_DIR");
	const char *const cuda[] = { "cu118", "cu121", "cu126", "cu130" };
	const struct tlc_recipe_variant *v;
	struct tlc_recipe *r;
	char path[PATH_MAX];

	(void)state;
	if (!src)
		fail_msg("TLC_SOURCE_DIR is not set: run this test from ctest");
	snprintf(path, sizeof(path), "%s/recipes/tvm.toml", src);
	r = load_ok(path);
	assert_string_equal(r->name, "tlcpack");
	assert_int_equal(r->version_source, TLC_VERSION_GIT_TAG);
	assert_non_null(r->disclaimer);
	assert_non_null(strstr(r->disclaimer, "NOT an official Apache release"));
	assert_list(&r->packages, 1, "tvm");
	/* tvm_ffi is bundled: it is no requirement */
	for (size_t i = 0; i < r->dependencies.n; i++)
		assert_null(strstr(r->dependencies.v[i], "tvm-ffi"));
	assert_int_equal(r->ncmake, 2);
	assert_false(r->cmake[0].per_python);
	assert_string_equal(r->cmake[1].source, "3rdparty/tvm-ffi");
	assert_true(r->cmake[1].per_python);
	assert_string_equal(r->cmake[1].install_dir, "tvm_ffi");
	assert_int_equal(r->ngenerate, 1);
	assert_string_equal(r->generate[0].path, "tvm/_version.py");
	assert_int_equal(r->nvariants, 5);
	v = tlc_recipe_variant(r, "cpu");
	assert_non_null(v);
	assert_string_equal(v->suffix, "");
	assert_non_null(v->image);
	for (size_t i = 0; i < N(cuda); i++) {
		bool cudart = false, driver = false;

		assert_non_null(v = tlc_recipe_variant(r, cuda[i]));
		assert_non_null(v->image);
		for (size_t k = 0; k < v->exclude_libs.n; k++) {
			cudart |= !strcmp(v->exclude_libs.v[k], "libcudart.so");
			driver |= !strcmp(v->exclude_libs.v[k], "libcuda.so.1");
		}
		assert_true(cudart && driver);
	}
	assert_non_null(tlc_recipe_channel(r, "nightly"));
	assert_true(tlc_recipe_channel(r, "nightly")->dev_version);
	tlc_recipe_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_recipe__full, clean),
		cmocka_unit_test_setup(test_recipe__defaults, clean),
		cmocka_unit_test_setup(test_recipe__default_variant, clean),
		cmocka_unit_test_setup(test_recipe__pyproject, clean),
		cmocka_unit_test_setup(test_recipe__directory, clean),
		cmocka_unit_test_setup(test_recipe__hostile, clean),
		cmocka_unit_test_setup(test_recipe__hostile_pyproject, clean),
		cmocka_unit_test_setup(test_recipe__requirements, clean),
		cmocka_unit_test_setup(test_recipe__symlink_escape, clean),
		cmocka_unit_test_setup(test_recipe__absurd_sizes, clean),
		cmocka_unit_test_setup(test_recipe__load_buffer, clean),
		cmocka_unit_test_setup(test_recipe__writes_nothing, clean),
		cmocka_unit_test_setup(test_recipe__example, clean),
		cmocka_unit_test_setup(test_recipe__tvm, clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
