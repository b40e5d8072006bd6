/*
 * CI matrices: the jobs of real recipes (the example's, and small ones
 * loaded from text), default images, refusals, and escaping: a recipe
 * and interpreter names full of quotes, shell syntax, GitHub expressions
 * and non-ASCII line breaks come out of every format as the same strings
 * (JSON read back with jansson, YAML compared byte for byte), and each
 * job's command line, run by /bin/sh, gives back the exact argv.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tlcpack/buf.h"
#include "tlcpack/matrix.h"
#include "tlcpack/recipe.h"
#include "testutil.h"

#define PKG "[package]\nname = \"demo\"\nversion = \"1.0\"\n"
/* a recipe whose wheels hold extension modules: one job per interpreter */
#define PER_PY "[[build.cmake]]\nper-python = true\n"

static char scratch[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	return tu_mkdtemp(scratch, "matrix");
}

static int teardown(void **state)
{
	(void)state;
	return tu_remove_tree(scratch);
}

static struct tlc_recipe *load(const char *text)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = NULL;

	if (tlc_recipe_load_buffer(&r, text, strlen(text), "tlcpack.toml",
				   scratch, &err) < 0)
		fail_msg("recipe refused: %s", err.msg);
	return r;
}

static void plan(struct tlc_matrix *m, const struct tlc_recipe *r,
		 const struct tlc_matrix_opts *o)
{
	struct tlc_error err = TLC_ERROR_INIT;

	if (tlc_matrix_plan(m, r, o, &err) < 0)
		fail_msg("plan failed: %s", err.msg);
}

/* tlc_matrix_plan() fails with @code and exactly @msg. */
static void plan_fails(const struct tlc_recipe *r,
		       const struct tlc_matrix_opts *o, int code,
		       const char *msg)
{
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	assert_int_equal(tlc_matrix_plan(&m, r, o, &err), code);
	assert_string_equal(err.msg, msg);
	tlc_matrix_release(&m);
}

/*
 * Run @cmd with its first word replaced by a printf that prints each
 * argument on a line of its own, through /bin/sh; compare the lines with
 * @want (NULL-terminated).
 */
static void assert_argv(const char *cmd, const char *const *want)
{
	struct tlc_buf sh = TLC_BUF_INIT;
	const char *rest = strchr(cmd, ' ');
	char line[1024];
	size_t i = 0;
	FILE *p;

	assert_non_null(rest);
	assert_int_equal(tlc_buf_printf(&sh, "printf '%%s\\n' %s", rest), 0);
	assert_non_null(p = popen(sh.ptr, "r"));
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!want[i])
			fail_msg("extra argument '%s' from: %s", line, cmd);
		if (strcmp(line, want[i]))
			fail_msg("argument %zu is '%s', not '%s', from: %s",
				 i, line, want[i], cmd);
		i++;
	}
	assert_int_equal(pclose(p), 0);
	if (want[i])
		fail_msg("argument '%s' missing from: %s", want[i], cmd);
	tlc_buf_release(&sh);
}

static void test_matrix__example(void **state)
{
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = NULL;
	const char *src = getenv("TLC_SOURCE_DIR");
	char path[PATH_MAX];

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/examples", src);
	assert_int_equal(tlc_recipe_load(&r, path, &err), 0);
	o.recipe_arg = "examples";
	plan(&m, r, &o);
	assert_int_equal(m.njobs, 2);

	assert_string_equal(m.jobs[0].id, "cpu-python3");
	assert_string_equal(m.jobs[0].variant, "cpu");
	assert_string_equal(m.jobs[0].description, "CPU only (OpenMP)");
	assert_string_equal(m.jobs[0].python, "python3");
	assert_null(m.jobs[0].python_version);
	assert_null(m.jobs[0].channel);
	assert_string_equal(m.jobs[0].project, "tlcpack-example");
	assert_string_equal(m.jobs[0].image,
			    "quay.io/pypa/manylinux_2_28_x86_64");
	assert_true(m.jobs[0].default_image);
	assert_string_equal(m.jobs[0].build,
			    "tlcpack build --recipe examples --variant cpu "
			    "--python python3 -o dist");
	assert_string_equal(m.jobs[0].publish,
			    "tlcpack publish --to \"$TLCPACK_UPLOAD_URL\" "
			    "dist/*.whl");
	assert_string_equal(m.jobs[0].dist, "dist");

	assert_string_equal(m.jobs[1].id, "cu130-python3");
	assert_string_equal(m.jobs[1].project, "tlcpack-example-cu130");
	assert_string_equal(m.jobs[1].image, "tlcpack/build-cu130");
	assert_true(m.jobs[1].default_image);
	tlc_matrix_release(&m);
	assert_int_equal(m.njobs, 0);
	assert_null(m.jobs);

	/* one variant, two interpreters, the nightly channel */
	{
		const char *v[] = { "cu130", NULL };
		const char *p[] = { "python3.11", "/opt/py/bin/python3.12",
				    NULL };
		const char *c[] = { "nightly", NULL };

		o = (struct tlc_matrix_opts)TLC_MATRIX_OPTS_INIT;
		o.variants = v;
		o.pythons = p;
		o.channels = c;
		o.upload_url = "https://pkgs.example/upload/";
		plan(&m, r, &o);
	}
	assert_int_equal(m.njobs, 2);
	assert_string_equal(m.jobs[0].id, "cu130-python3.11-nightly");
	assert_string_equal(m.jobs[0].python_version, "3.11");
	assert_string_equal(m.jobs[0].channel, "nightly");
	assert_string_equal(m.jobs[0].project,
			    "tlcpack-example-nightly-cu130");
	assert_string_equal(m.jobs[0].build,
			    "tlcpack build --variant cu130 --python "
			    "python3.11 --channel nightly -o dist");
	assert_string_equal(m.jobs[0].publish,
			    "tlcpack publish --to "
			    "https://pkgs.example/upload/ dist/*.whl");
	assert_string_equal(m.jobs[1].id, "cu130-python3.12-nightly");
	assert_string_equal(m.jobs[1].python, "/opt/py/bin/python3.12");
	assert_string_equal(m.jobs[1].python_version, "3.12");
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

/* Variants, then interpreters, then channels; ids stay unique. */
static void test_matrix__order_and_ids(void **state)
{
	struct tlc_recipe *r = load(PKG PER_PY
				    "[variants.cpu]\n[variants.rocm]\n"
				    "[channels.nightly]\n[channels.rc]\n");
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	struct tlc_matrix m = TLC_MATRIX_INIT;
	const char *p[] = { "/a/python3", "/b/python3", "py thon", NULL };
	const char *c[] = { "rc", "nightly", NULL };
	static const char *const ids[] = {
		"cpu-python3-rc",	"cpu-python3-nightly",
		"cpu-python3-rc-2",	"cpu-python3-nightly-2",
		"cpu-py_thon-rc",	"cpu-py_thon-nightly",
		"rocm-python3-rc",	"rocm-python3-nightly",
		"rocm-python3-rc-2",	"rocm-python3-nightly-2",
		"rocm-py_thon-rc",	"rocm-py_thon-nightly",
	};

	(void)state;
	o.pythons = p;
	o.channels = c;
	plan(&m, r, &o);
	assert_int_equal(m.njobs, 12);
	for (size_t i = 0; i < m.njobs; i++)
		assert_string_equal(m.jobs[i].id, ids[i]);
	assert_string_equal(m.jobs[3].python, "/b/python3");
	assert_string_equal(m.jobs[3].channel, "nightly");
	assert_string_equal(m.jobs[3].project, "demo-nightly");
	assert_string_equal(m.jobs[7].project, "demo-nightly-rocm");
	/* "rocm" is no CUDA variant and has no policy */
	assert_string_equal(m.jobs[7].image, TLC_MATRIX_DEFAULT_IMAGE);
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

/* Without per-python CMake projects: one py3-none job per variant. */
static void test_matrix__one_job_per_variant_without_extensions(void **state)
{
	struct tlc_recipe *r = load(PKG "[build]\npythons = [\"python3.11\", "
				    "\"python3.12\"]\n[[build.cmake]]\n"
				    "[variants.cpu]\n[variants.cu121]\n");
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	struct tlc_matrix m = TLC_MATRIX_INIT;

	(void)state;
	plan(&m, r, &o);
	assert_int_equal(m.njobs, 2);
	assert_string_equal(m.jobs[0].id, "cpu");
	assert_string_equal(m.jobs[0].python, "python3.11");
	assert_string_equal(m.jobs[1].id, "cu121");
	assert_string_equal(m.jobs[1].build,
			    "tlcpack build --variant cu121 --python "
			    "python3.11 -o dist");
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

static void test_matrix__default_images(void **state)
{
	static const struct {
		const char *name, *policy, *image, *want;
		bool is_default;
	} cases[] = {
		{ "cpu", NULL, NULL, "quay.io/pypa/manylinux_2_28_x86_64",
		  true },
		{ "cpu", "manylinux2014", NULL,
		  "quay.io/pypa/manylinux2014_x86_64", true },
		{ "cpu", "manylinux_2_17", NULL,
		  "quay.io/pypa/manylinux2014_x86_64", true },
		{ "cpu", "manylinux_2_17_x86_64", NULL,
		  "quay.io/pypa/manylinux2014_x86_64", true },
		{ "cpu", "manylinux_2_34", NULL,
		  "quay.io/pypa/manylinux_2_34_x86_64", true },
		{ "cpu", "linux", NULL, TLC_MATRIX_DEFAULT_IMAGE, true },
		{ "cu130", "manylinux_2_34", NULL, "tlcpack/build-cu130",
		  true },
		{ "cu118", NULL, NULL, "tlcpack/build-cu118", true },
		{ "cu1", NULL, NULL, TLC_MATRIX_DEFAULT_IMAGE, true },
		{ "cuda", NULL, NULL, TLC_MATRIX_DEFAULT_IMAGE, true },
		{ "cu130", NULL, "ghcr.io/o/b:1", "ghcr.io/o/b:1", false },
	};
	static const struct {
		const char *name;
		bool cuda;
		unsigned major, minor;
	} cuda[] = {
		{ "cu130", true, 13, 0 },	{ "cu118", true, 11, 8 },
		{ "cu92", false, 0, 0 },	{ "cu1000", true, 100, 0 },
		{ "cu012", false, 0, 0 },	{ "cu12a", false, 0, 0 },
		{ "cpu", false, 0, 0 },		{ "cu", false, 0, 0 },
		{ "xcu130", false, 0, 0 },	{ "cu1234567", false, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlc_recipe_variant v = { 0 };
		struct tlc_buf b = TLC_BUF_INIT;
		bool def = !cases[i].is_default;

		v.name = cases[i].name;
		v.policy = cases[i].policy;
		v.image = cases[i].image;
		assert_int_equal(tlc_matrix_image(&b, &def, &v), 0);
		assert_string_equal(b.ptr, cases[i].want);
		assert_int_equal(def, cases[i].is_default);
		tlc_buf_release(&b);
	}
	for (size_t i = 0; i < sizeof(cuda) / sizeof(cuda[0]); i++) {
		unsigned major = 99, minor = 99;
		bool is = tlc_matrix_cuda_version(cuda[i].name, &major, &minor);

		if (is != cuda[i].cuda)
			fail_msg("'%s' %s a CUDA variant", cuda[i].name,
				 is ? "taken for" : "not taken for");
		if (is) {
			assert_int_equal(major, cuda[i].major);
			assert_int_equal(minor, cuda[i].minor);
		}
	}
}

static void test_matrix__refusals(void **state)
{
	struct tlc_recipe *r = load(PKG PER_PY "[variants.cpu]\n"
				    "[variants.cu130]\n[channels.nightly]\n");
	struct tlc_recipe *nochan = load(PKG);
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	const char *bad_v[] = { "cu12", NULL };
	const char *twice_v[] = { "cpu", "cu130", "cpu", NULL };
	const char *bad_c[] = { "weekly", NULL };
	const char *none[] = { NULL };
	const char *nl[] = { "python3\nrm -rf /", NULL };
	const char *c1[] = { "python3\xc2\x85", NULL };
	const char *not_utf8[] = { "python\xff", NULL };
	const char *overlong[] = { "python\xc0\xaf", NULL };
	const char *empty[] = { "", NULL };
	const char *twice_p[] = { "python3", "python3", NULL };

	(void)state;
	o.variants = bad_v;
	plan_fails(r, &o, TLC_ENOTFOUND,
		   "no variant 'cu12' in the recipe (it has: cpu, cu130)");
	o.variants = twice_v;
	plan_fails(r, &o, TLC_EPOLICY, "variant 'cpu' is given twice");
	o.variants = none;
	plan_fails(r, &o, TLC_EPOLICY, "no variant is given");
	o.variants = NULL;

	o.channels = bad_c;
	plan_fails(r, &o, TLC_ENOTFOUND,
		   "no channel 'weekly' in the recipe (it has: nightly)");
	plan_fails(nochan, &o, TLC_ENOTFOUND,
		   "no channel 'weekly' in the recipe (it has: none)");
	o.channels = NULL;

	o.pythons = none;
	plan_fails(r, &o, TLC_EPOLICY, "no python is given");
	o.pythons = empty;
	plan_fails(r, &o, TLC_EPOLICY, "a python name is empty");
	o.pythons = twice_p;
	plan_fails(r, &o, TLC_EPOLICY, "python 'python3' is given twice");
	o.pythons = nl;
	plan_fails(r, &o, TLC_EPOLICY,
		   "a python name must be one line of UTF-8 without control "
		   "characters");
	o.pythons = c1;
	plan_fails(r, &o, TLC_EPOLICY,
		   "a python name must be one line of UTF-8 without control "
		   "characters");
	o.pythons = not_utf8;
	plan_fails(r, &o, TLC_EPOLICY,
		   "a python name must be one line of UTF-8 without control "
		   "characters");
	o.pythons = overlong;
	plan_fails(r, &o, TLC_EPOLICY,
		   "a python name must be one line of UTF-8 without control "
		   "characters");
	o.pythons = NULL;

	o.upload_url = "http://x/\r\n";
	plan_fails(r, &o, TLC_EPOLICY,
		   "the upload URL must be one line of UTF-8 without control "
		   "characters");
	o.upload_url = NULL;
	o.out_dir = "";
	plan_fails(r, &o, TLC_EPOLICY, "the output directory is empty");
	o.out_dir = "dist";

	/* the loader takes C1 controls, NEL among them; the matrix not */
	{
		struct tlc_recipe *nel = load(PKG "[variants.cpu]\n"
					      "description = \"a\\u0085b\"\n");
		struct tlc_recipe *img = load(PKG "[variants.cpu]\n"
					      "image = \"a\\u009bb\"\n");

		plan_fails(nel, &o, TLC_EPOLICY,
			   "the description of variant 'cpu' must be one "
			   "line of UTF-8 without control characters");
		plan_fails(img, &o, TLC_EPOLICY,
			   "the image of variant 'cpu' must be one line of "
			   "UTF-8 without control characters");
		tlc_recipe_free(nel);
		tlc_recipe_free(img);
	}

	/* an empty matrix is refused by every format */
	{
		struct tlc_matrix m = TLC_MATRIX_INIT;
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf b = TLC_BUF_INIT;

		assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_GITLAB,
						   &err),
				 TLC_EPOLICY);
		assert_string_equal(err.msg, "the matrix has no job");
		assert_int_equal(b.len, 0);
	}
	tlc_recipe_free(r);
	tlc_recipe_free(nochan);
}

/* GitHub runs at most 256 jobs of one matrix: 257 are refused. */
static void test_matrix__github_job_limit(void **state)
{
	struct tlc_recipe *r = load(PKG PER_PY);
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	char names[257][16];
	const char *p[258];

	(void)state;
	for (size_t i = 0; i < 257; i++) {
		snprintf(names[i], sizeof(names[i]), "py%zu", i);
		p[i] = names[i];
	}
	p[256] = NULL;
	o.pythons = p;
	plan(&m, r, &o);
	assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_GITHUB, &err),
			 0);
	tlc_matrix_release(&m);
	tlc_buf_reset(&b);

	p[256] = names[256];
	p[257] = NULL;
	plan(&m, r, &o);
	assert_int_equal(m.njobs, 257);
	assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_GITHUB, &err),
			 TLC_EPOLICY);
	assert_string_equal(err.msg, "the matrix has 257 jobs: GitHub Actions "
				     "allows at most 256 in one");
	/* the other formats have no such limit */
	assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_JSON, &err), 0);
	tlc_matrix_release(&m);
	tlc_buf_release(&b);
	tlc_recipe_free(r);
}

/* Strings a hostile recipe or command line may carry. */
#define H_DESC "say \"hi\" \\ ${{ secrets.TOKEN }} $(id) `id` 'q' " \
	       "\xe2\x80\xa8 \xc3\xa9 \xf0\x9f\x98\x80 # x: [y]"
#define H_IMAGE "evil\"img\\:$CI_JOB_TOKEN'x\xe2\x80\xa9\xef\xbb\xbf"
#define H_PYTHON "/opt/it's \"py\"/$(id)/python3.13"
#define H_RECIPE "my recipes/t'v m.toml"
#define H_URL "https://u.example/a b?x='1'&y=$HOME"

static struct tlc_recipe *hostile_recipe(void)
{
	/* TOML basic strings: '"' and '\' escaped, the rest as is */
	return load(PKG PER_PY
		    "[variants.cpu]\n"
		    "description = \"say \\\"hi\\\" \\\\ ${{ secrets.TOKEN }} "
		    "$(id) `id` 'q' \xe2\x80\xa8 \xc3\xa9 \xf0\x9f\x98\x80 "
		    "# x: [y]\"\n"
		    "image = \"evil\\\"img\\\\:$CI_JOB_TOKEN'x\xe2\x80\xa9"
		    "\xef\xbb\xbf\"\n");
}

static void hostile_plan(struct tlc_matrix *m, const struct tlc_recipe *r)
{
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	const char *p[] = { H_PYTHON, NULL };

	o.pythons = p;
	o.recipe_arg = H_RECIPE;
	o.upload_url = H_URL;
	o.out_dir = "out dir";
	plan(m, r, &o);
}

static void test_matrix__hostile_json(void **state)
{
	struct tlc_recipe *r = hostile_recipe();
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	const struct tlc_matrix_job *j;
	static const char *const build[] = {
		"build", "--recipe", H_RECIPE, "--variant", "cpu",
		"--python", H_PYTHON, "-o", "out dir", NULL
	};
	static const char *const publish[] = {
		"publish", "--to", H_URL, "out dir/*.whl", NULL
	};

	(void)state;
	hostile_plan(&m, r);
	assert_int_equal(m.njobs, 1);
	j = &m.jobs[0];
	assert_string_equal(j->description, H_DESC);
	assert_string_equal(j->image, H_IMAGE);
	assert_false(j->default_image);
	assert_string_equal(j->id, "cpu-python3.13");
	assert_string_equal(j->python_version, "3.13");
	/* the shell gives back each argument as it was (the glob in a
	 * directory that does not exist stays as written) */
	assert_argv(j->build, build);
	assert_argv(j->publish, publish);

	for (int gh = 0; gh < 2; gh++) {
		json_t *root, *arr, *o;
		json_error_t jerr;

		tlc_buf_reset(&b);
		assert_int_equal(tlc_matrix_format(&b, &m,
						   gh ? TLC_MATRIX_GITHUB :
							TLC_MATRIX_JSON, &err),
				 0);
		if (gh) {
			/* one line of ASCII: `echo "matrix=$(...)"` */
			assert_null(memchr(b.ptr, '\n', b.len - 1));
			assert_int_equal(b.ptr[b.len - 1], '\n');
			for (size_t i = 0; i < b.len; i++)
				assert_true((unsigned char)b.ptr[i] < 0x80);
		}
		root = json_loadb(b.ptr, b.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!root)
			fail_msg("not JSON: %s: %s", jerr.text, b.ptr);
		arr = gh ? json_object_get(root, "include") : root;
		assert_true(json_is_array(arr));
		if (gh)
			assert_int_equal(json_object_size(root), 1);
		assert_int_equal(json_array_size(arr), 1);
		o = json_array_get(arr, 0);
		assert_string_equal(json_string_value(json_object_get(
					    o, "description")), H_DESC);
		assert_string_equal(json_string_value(json_object_get(
					    o, "image")), H_IMAGE);
		assert_string_equal(json_string_value(json_object_get(
					    o, "python")), H_PYTHON);
		assert_string_equal(json_string_value(json_object_get(
					    o, "build")), j->build);
		assert_string_equal(json_string_value(json_object_get(
					    o, "publish")), j->publish);
		assert_string_equal(json_string_value(json_object_get(
					    o, "dist")), "out dir");
		assert_true(json_is_false(json_object_get(o,
							  "image-default")));
		assert_null(json_object_get(o, "channel"));
		json_decref(root);
	}
	tlc_buf_release(&b);
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

static void test_matrix__hostile_gitlab(void **state)
{
	struct tlc_recipe *r = hostile_recipe();
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	const char *job;
	/* YAML 1.2 double-quoted scalars, everything past ASCII escaped */
	static const char want[] =
		"\"cpu-python3.13\":\n"
		"  stage: \"build\"\n"
		"  image: \"evil\\\"img\\\\:$CI_JOB_TOKEN'x\\u2029\\uFEFF\"\n"
		"  script:\n"
		"    - \"tlcpack build --recipe 'my recipes/t'\\\\''v m.toml' "
		"--variant cpu --python '/opt/it'\\\\''s \\\"py\\\"/$(id)/"
		"python3.13' -o 'out dir'\"\n"
		"    - \"tlcpack publish --to 'https://u.example/a b?x='\\\\''1"
		"'\\\\''&y=$HOME' 'out dir'/*.whl\"\n"
		"  artifacts:\n"
		"    paths:\n"
		"      - \"out dir\"\n";

	(void)state;
	hostile_plan(&m, r);
	assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_GITLAB, &err),
			 0);
	assert_non_null(job = strstr(b.ptr, "\n\"cpu-"));
	assert_string_equal(job + 1, want);
	for (size_t i = 0; i < b.len; i++)
		assert_true((unsigned char)b.ptr[i] < 0x80);
	tlc_buf_release(&b);
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

/* Astral characters and C0 controls in YAML (reachable from a recipe
 * loaded from text: the loader refuses controls, the matrix too). */
static void test_matrix__yaml_escapes(void **state)
{
	struct tlc_recipe *r = load(PKG PER_PY "[variants.cpu]\n"
				    "image = \"\xf0\x9f\x98\x80\xc2\xa0~\"\n");
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_matrix_opts o = TLC_MATRIX_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;

	(void)state;
	plan(&m, r, &o);
	assert_int_equal(tlc_matrix_format(&b, &m, TLC_MATRIX_GITLAB, &err),
			 0);
	assert_non_null(strstr(b.ptr, "  image: \"\\U0001F600\\xA0~\"\n"));
	tlc_buf_release(&b);
	tlc_matrix_release(&m);
	tlc_recipe_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix__example),
		cmocka_unit_test(test_matrix__order_and_ids),
		cmocka_unit_test(
			test_matrix__one_job_per_variant_without_extensions),
		cmocka_unit_test(test_matrix__default_images),
		cmocka_unit_test(test_matrix__refusals),
		cmocka_unit_test(test_matrix__github_job_limit),
		cmocka_unit_test(test_matrix__hostile_json),
		cmocka_unit_test(test_matrix__hostile_gitlab),
		cmocka_unit_test(test_matrix__yaml_escapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
