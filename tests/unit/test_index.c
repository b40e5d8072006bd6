/*
 * Index pages (index.h): the exact bytes of every page kind for a small
 * repository, the PEP 691 / PEP 700 JSON read back with jansson, the
 * incremental flat page, determinism, refusals, tlc_index_time() and
 * @out cut back on failure.
 *
 * The expected pages were written by hand from the specs (PEP 503, 592,
 * 629, 658, 691, 700, 714), not copied from the renderer's output.  Real
 * pip reading the pages is tests/index/pip.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "tlcpack/buf.h"
#include "tlcpack/error.h"
#include "tlcpack/index.h"
#include "tlcpack/pep440.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 32 bytes of one value, as lowercase hex */
#define X2(s) s s
#define X8(s) X2(X2(X2(s)))
#define X32(s) X2(X2(X8(s)))
#define H11 X32("11")
#define H22 X32("22")
#define H33 X32("33")
#define H44 X32("44")
#define H55 X32("55")
#define H66 X32("66")

#define HEAD(title) \
	"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n" \
	"<meta name=\"pypi:repository-version\" content=\"1.1\">\n" \
	"<title>" title "</title>\n</head>\n<body>\n<h1>" title "</h1>\n"
#define TAIL "</body>\n</html>\n"

/* The link line of each fixture file, with the link prefix P. */
#define L_A10(P) \
	"<a href=\"" P "files/alpha/alpha-1.0-py3-none-any.whl#sha256=" H11 \
	"\" data-requires-python=\"&gt;=3.8\" data-dist-info-metadata=\"" \
	"sha256=" H22 "\" data-core-metadata=\"sha256=" H22 "\">" \
	"alpha-1.0-py3-none-any.whl</a><br>\n"
#define L_A15(P) \
	"<a href=\"" P "files/alpha/alpha-1.5rc1-py3-none-any.whl#sha256=" \
	H44 "\" data-yanked=\"\">alpha-1.5rc1-py3-none-any.whl</a><br>\n"
#define L_A100(P) \
	"<a href=\"" P "files/alpha/alpha-10.0-py3-none-any.whl#sha256=" \
	H66 "\">alpha-10.0-py3-none-any.whl</a><br>\n"
#define L_A20(P) \
	"<a href=\"" P "files/alpha/alpha-2.0%2Blocal.1-py3-none-any.whl" \
	"#sha256=" H33 "\" data-yanked=\"bad &amp; &lt;wrong&gt; " \
	"&quot;build&quot; &#39;x&#39;\">alpha-2.0+local.1-py3-none-any.whl" \
	"</a><br>\n"
#define L_B(P) \
	"<a href=\"" P "files/beta-pkg/beta_pkg-0.1-py3-none-any.whl#sha256=" \
	H55 "\">beta_pkg-0.1-py3-none-any.whl</a><br>\n"

#define CDN "https://cdn.example.org/tlc/"

#define NFIX 5
#define ALPHA 1		/* fixture[ALPHA .. NFIX) are alpha's files */
#define YANK_REASON "bad & <wrong> \"build\" 'x'"

/*
 * Two projects; deliberately not in sorted order.  alpha-1.0 has
 * requires-python and a .metadata file, alpha-2.0+local.1 a yank reason
 * that needs escaping, alpha-1.5rc1 a yank without reason, alpha-10.0 an
 * empty requires-python (no attribute), and versions whose string order
 * is not their PEP 440 order.
 */
static void fixture(struct tlc_index_file f[NFIX])
{
	memset(f, 0, NFIX * sizeof(*f));
	f[0].filename = "beta_pkg-0.1-py3-none-any.whl";
	f[0].project = "beta-pkg";
	f[0].version = "0.1";
	memset(f[0].sha256, 0x55, 32);
	f[0].size = 42;
	f[0].upload_time = 1700000000;

	f[1].filename = "alpha-2.0+local.1-py3-none-any.whl";
	f[1].project = "alpha";
	f[1].version = "2.0+local.1";
	memset(f[1].sha256, 0x33, 32);
	f[1].size = 10;
	f[1].upload_time = 0;
	f[1].yanked = YANK_REASON;

	f[2].filename = "alpha-1.0-py3-none-any.whl";
	f[2].project = "alpha";
	f[2].version = "1.0";
	memset(f[2].sha256, 0x11, 32);
	f[2].size = 1234;
	f[2].upload_time = 1700000000;
	f[2].requires_python = ">=3.8";
	f[2].has_metadata = true;
	memset(f[2].metadata_sha256, 0x22, 32);

	f[3].filename = "alpha-10.0-py3-none-any.whl";
	f[3].project = "alpha";
	f[3].version = "10.0";
	memset(f[3].sha256, 0x66, 32);
	f[3].size = 7;
	f[3].upload_time = INT64_C(253402300799);
	f[3].requires_python = "";

	f[4].filename = "alpha-1.5rc1-py3-none-any.whl";
	f[4].project = "alpha";
	f[4].version = "1.5rc1";
	memset(f[4].sha256, 0x44, 32);
	f[4].size = 0;
	f[4].upload_time = 86399;
	f[4].yanked = "";
}

static const struct tlc_index_opts rel_opts = { "../../", NULL };
static const struct tlc_index_opts cdn_opts = { "../../", CDN };

/* The buffer invariants of buf.h. */
static void assert_buf_ok(const struct tlc_buf *b)
{
	assert_non_null(b->ptr);
	assert_int_equal(b->ptr[b->len], '\0');
	if (b->alloc)
		assert_true(b->len < b->alloc);
}

/* @b must hold exactly @want. */
static void assert_buf_is(const struct tlc_buf *b, const char *want)
{
	assert_buf_ok(b);
	if (b->len != strlen(want) || memcmp(b->ptr, want, b->len) != 0) {
		size_t i = 0;

		while (i < b->len && want[i] && b->ptr[i] == want[i])
			i++;
		fail_msg("page differs at byte %zu:\n got: '%.60s'\nwant: "
			 "'%.60s'", i, b->ptr + i, want + i);
	}
}

/*
 * The page kinds over one signature: @files/@n for the file pages,
 * their projects for the root pages.
 */
enum page { FLAT, FLAT_LINKS, PROJECT_HTML, PROJECT_JSON, ROOT_HTML,
	    ROOT_JSON, NPAGES };

static int render(enum page kind, struct tlc_buf *out,
		  const struct tlc_index_file *files, size_t n,
		  const struct tlc_index_opts *o, struct tlc_error *err)
{
	const char *projects[64];
	const char *project = n ? files[0].project : "alpha";
	size_t i;

	switch (kind) {
	case FLAT:
		return tlc_index_flat_html(out, files, n, o, err);
	case FLAT_LINKS:
		return tlc_index_flat_links(out, files, n, o, err);
	case PROJECT_HTML:
		return tlc_index_project_html(out, project, files, n, o, err);
	case PROJECT_JSON:
		return tlc_index_project_json(out, project, files, n, o, err);
	default:
		assert_true(n <= N(projects));
		for (i = 0; i < n; i++)
			projects[i] = files[i].project;
		if (kind == ROOT_HTML)
			return tlc_index_root_html(out, projects, n, err);
		return tlc_index_root_json(out, projects, n, err);
	}
}

static void test_index__flat_page_exact(void **state)
{
	struct tlc_index_file f[NFIX];
	struct tlc_index_opts root = { "", NULL }, cdn = { "", CDN };
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	fixture(f);
	/* files by project, then filename: alpha's, then beta-pkg's */
	assert_int_equal(tlc_index_flat_html(&b, f, NFIX, NULL, &err), 0);
	assert_buf_is(&b, HEAD("Links for all projects")
		      L_A10("") L_A15("") L_A100("") L_A20("") L_B("")
		      TAIL);
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_flat_html(&b, f, NFIX, &root, &err), 0);
	assert_buf_is(&b, HEAD("Links for all projects")
		      L_A10("") L_A15("") L_A100("") L_A20("") L_B("")
		      TAIL);
	/* a base URL makes every link absolute, whatever the root */
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_flat_html(&b, f, NFIX, &cdn, &err), 0);
	assert_buf_is(&b, HEAD("Links for all projects")
		      L_A10(CDN) L_A15(CDN) L_A100(CDN) L_A20(CDN) L_B(CDN)
		      TAIL);
	/* an empty repository is a valid page */
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_flat_html(&b, NULL, 0, NULL, &err), 0);
	assert_buf_is(&b, HEAD("Links for all projects") TAIL);
	assert_int_equal(err.code, 0);
	tlc_buf_release(&b);
}

static void test_index__project_html_exact(void **state)
{
	struct tlc_index_file f[NFIX];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	fixture(f);
	assert_int_equal(tlc_index_project_html(&b, "alpha", f + ALPHA,
						NFIX - ALPHA, &rel_opts,
						&err), 0);
	assert_buf_is(&b, HEAD("Links for alpha")
		      L_A10("../../") L_A15("../../") L_A100("../../")
		      L_A20("../../") TAIL);
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_project_html(&b, "beta-pkg", f, 1,
						&cdn_opts, &err), 0);
	assert_buf_is(&b, HEAD("Links for beta-pkg") L_B(CDN) TAIL);
	/* a variant's sub-index: one more level up */
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_project_html(&b, "beta-pkg", f, 1,
						&(struct tlc_index_opts){
							"../../../", NULL },
						&err), 0);
	assert_buf_is(&b, HEAD("Links for beta-pkg") L_B("../../../") TAIL);
	tlc_buf_release(&b);
}

#define J_META "{\"meta\":{\"api-version\":\"1.1\"},"
#define J_A10(P) \
	"{\"filename\":\"alpha-1.0-py3-none-any.whl\",\"url\":\"" P \
	"files/alpha/alpha-1.0-py3-none-any.whl\",\"hashes\":{\"sha256\":\"" \
	H11 "\"},\"requires-python\":\">=3.8\",\"core-metadata\":" \
	"{\"sha256\":\"" H22 "\"},\"dist-info-metadata\":{\"sha256\":\"" H22 \
	"\"},\"size\":1234,\"upload-time\":\"2023-11-14T22:13:20Z\"," \
	"\"yanked\":false}"
#define J_A15(P) \
	"{\"filename\":\"alpha-1.5rc1-py3-none-any.whl\",\"url\":\"" P \
	"files/alpha/alpha-1.5rc1-py3-none-any.whl\",\"hashes\":" \
	"{\"sha256\":\"" H44 "\"},\"size\":0,\"upload-time\":" \
	"\"1970-01-01T23:59:59Z\",\"yanked\":true}"
#define J_A100(P) \
	"{\"filename\":\"alpha-10.0-py3-none-any.whl\",\"url\":\"" P \
	"files/alpha/alpha-10.0-py3-none-any.whl\",\"hashes\":{\"sha256\":\"" \
	H66 "\"},\"size\":7,\"upload-time\":\"9999-12-31T23:59:59Z\"," \
	"\"yanked\":false}"
#define J_A20(P) \
	"{\"filename\":\"alpha-2.0+local.1-py3-none-any.whl\",\"url\":\"" P \
	"files/alpha/alpha-2.0%2Blocal.1-py3-none-any.whl\",\"hashes\":" \
	"{\"sha256\":\"" H33 "\"},\"size\":10,\"upload-time\":" \
	"\"1970-01-01T00:00:00Z\",\"yanked\":\"bad & <wrong> \\\"build\\\" " \
	"'x'\"}"

static void test_index__json_pages_exact(void **state)
{
	struct tlc_index_file f[NFIX];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *projects[] = { "beta-pkg", "alpha", "beta-pkg" };

	(void)state;
	fixture(f);
	assert_int_equal(tlc_index_project_json(&b, "alpha", f + ALPHA,
						NFIX - ALPHA, &rel_opts,
						&err), 0);
	assert_buf_is(&b, J_META "\"name\":\"alpha\",\"files\":["
		      J_A10("../../") "," J_A15("../../") ","
		      J_A100("../../") "," J_A20("../../") "],"
		      "\"versions\":[\"1.0\",\"1.5rc1\",\"2.0+local.1\","
		      "\"10.0\"]}\n");
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_project_json(&b, "beta-pkg", f, 1,
						&cdn_opts, &err), 0);
	assert_buf_is(&b, J_META "\"name\":\"beta-pkg\",\"files\":["
		      "{\"filename\":\"beta_pkg-0.1-py3-none-any.whl\","
		      "\"url\":\"" CDN "files/beta-pkg/beta_pkg-0.1-py3-none-"
		      "any.whl\",\"hashes\":{\"sha256\":\"" H55 "\"},"
		      "\"size\":42,\"upload-time\":\"2023-11-14T22:13:20Z\","
		      "\"yanked\":false}],\"versions\":[\"0.1\"]}\n");
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_project_json(&b, "alpha", NULL, 0, NULL,
						&err), 0);
	assert_buf_is(&b, J_META "\"name\":\"alpha\",\"files\":[],"
		      "\"versions\":[]}\n");
	/* the project list: sorted, each once */
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_root_json(&b, projects, N(projects), &err),
			 0);
	assert_buf_is(&b, J_META "\"projects\":[{\"name\":\"alpha\"},"
		      "{\"name\":\"beta-pkg\"}]}\n");
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_root_html(&b, projects, N(projects), &err),
			 0);
	assert_buf_is(&b, HEAD("Simple index")
		      "<a href=\"alpha/\">alpha</a><br>\n"
		      "<a href=\"beta-pkg/\">beta-pkg</a><br>\n" TAIL);
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_root_json(&b, NULL, 0, &err), 0);
	assert_buf_is(&b, J_META "\"projects\":[]}\n");
	tlc_buf_reset(&b);
	assert_int_equal(tlc_index_root_html(&b, NULL, 0, &err), 0);
	assert_buf_is(&b, HEAD("Simple index") TAIL);
	tlc_buf_release(&b);
}

static json_t *parse(const struct tlc_buf *b)
{
	json_error_t jerr;
	json_t *j = json_loadb(b->ptr, b->len, JSON_REJECT_DUPLICATES, &jerr);

	if (!j)
		fail_msg("page is not JSON: %s (line %d)", jerr.text,
			 jerr.line);
	return j;
}

/* "YYYY-MM-DDTHH:MM:SSZ" */
static bool is_upload_time(const char *s)
{
	const char *pat = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != pat[i])
			return false;
	}
	return s[i] == '\0';
}

static bool is_sha256_object(json_t *o)
{
	const char *h = json_string_value(json_object_get(o, "sha256"));
	size_t i;

	if (!json_is_object(o) || json_object_size(o) != 1 || !h ||
	    strlen(h) != 64)
		return false;
	for (i = 0; i < 64; i++) {
		if (!((h[i] >= '0' && h[i] <= '9') ||
		      (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	}
	return true;
}

/* The keys PEP 691 (api-version 1.0) and PEP 700 (1.1) define. */
static void test_index__json_has_pep691_pep700_keys(void **state)
{
	struct tlc_index_file f[NFIX + 2];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	json_t *j, *files, *file, *y, *versions;
	struct tlc_pep440 prev, cur;
	size_t i, nyanked = 0, nmeta = 0;

	(void)state;
	fixture(f);
	/* 1.0.0 equals 1.0 to PEP 440 but both are listed; two files of
	 * one version list it once */
	f[NFIX] = f[ALPHA + 1];
	f[NFIX].filename = "alpha-1.0.0-py3-none-any.whl";
	f[NFIX].version = "1.0.0";
	f[NFIX + 1] = f[ALPHA + 1];
	f[NFIX + 1].filename = "alpha-1.0-cp311-cp311-linux_x86_64.whl";

	assert_int_equal(tlc_index_project_json(&b, "alpha", f + ALPHA,
						NFIX + 2 - ALPHA, &rel_opts,
						&err), 0);
	j = parse(&b);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(j, "meta"), "api-version")), "1.1");
	assert_string_equal(json_string_value(json_object_get(j, "name")),
			    "alpha");
	files = json_object_get(j, "files");
	assert_true(json_is_array(files));
	assert_int_equal(json_array_size(files), NFIX + 2 - ALPHA);
	json_array_foreach(files, i, file) {
		assert_true(json_is_string(json_object_get(file,
							   "filename")));
		assert_true(json_is_string(json_object_get(file, "url")));
		assert_null(strchr(json_string_value(json_object_get(file,
				   "url")), '#'));
		assert_true(is_sha256_object(json_object_get(file,
							     "hashes")));
		assert_true(json_is_integer(json_object_get(file, "size")));
		assert_true(is_upload_time(json_string_value(
			json_object_get(file, "upload-time"))));
		/* PEP 714: both names or neither */
		if (json_object_get(file, "core-metadata")) {
			assert_true(is_sha256_object(json_object_get(file,
						     "core-metadata")));
			assert_true(json_equal(json_object_get(file,
							"core-metadata"),
					       json_object_get(file,
							"dist-info-metadata")));
			nmeta++;
		} else {
			assert_null(json_object_get(file,
						    "dist-info-metadata"));
		}
		/* PEP 691: a boolean, or a non-empty reason */
		y = json_object_get(file, "yanked");
		assert_true(json_is_boolean(y) || (json_is_string(y) &&
			    *json_string_value(y)));
		if (!json_is_false(y))
			nyanked++;
		if (json_is_string(y))
			assert_string_equal(json_string_value(y),
					    YANK_REASON);
	}
	assert_int_equal(nyanked, 2);
	assert_int_equal(nmeta, 3);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(files, 0), "requires-python")), ">=3.8");

	/* PEP 700: unique versions in PEP 440 order */
	versions = json_object_get(j, "versions");
	assert_int_equal(json_array_size(versions), 5);
	for (i = 0; i < json_array_size(versions); i++) {
		const char *s = json_string_value(json_array_get(versions, i));

		assert_non_null(s);
		assert_int_equal(tlc_pep440_parse(&cur, s, &err), 0);
		if (i > 0)
			assert_true(tlc_pep440_cmp(&prev, &cur) <= 0);
		prev = cur;
	}
	assert_string_equal(json_string_value(json_array_get(versions, 0)),
			    "1.0");
	assert_string_equal(json_string_value(json_array_get(versions, 1)),
			    "1.0.0");
	assert_string_equal(json_string_value(json_array_get(versions, 4)),
			    "10.0");
	json_decref(j);
	tlc_buf_release(&b);
}

/* The order of pip's packaging: checked with packaging.version. */
static void test_index__versions_in_pep440_order(void **state)
{
	static const char *const in[] = {
		"1!0.1", "1.0.post1", "1.0.0", "10.0", "1.0+a", "1.0",
		"0.9.dev0", "2.0+local.1", "1.0rc1", "1.5rc1", "1.0",
	};
	static const char *const want[] = {
		"0.9.dev0", "1.0rc1", "1.0", "1.0.0", "1.0+a", "1.0.post1",
		"1.5rc1", "2.0+local.1", "10.0", "1!0.1",
	};
	struct tlc_index_file f[N(in)];
	char names[N(in)][64];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	json_t *j, *v;
	size_t i;

	(void)state;
	memset(f, 0, sizeof(f));
	for (i = 0; i < N(in); i++) {
		snprintf(names[i], sizeof(names[i]),
			 "v-%s-%zu-py3-none-any.whl", in[i], i);
		f[i].filename = names[i];
		f[i].project = "v";
		f[i].version = in[i];
	}
	assert_int_equal(tlc_index_project_json(&b, "v", f, N(in), NULL,
						&err), 0);
	j = parse(&b);
	v = json_object_get(j, "versions");
	assert_int_equal(json_array_size(v), N(want));
	for (i = 0; i < N(want); i++)
		assert_string_equal(json_string_value(json_array_get(v, i)),
				    want[i]);
	json_decref(j);
	tlc_buf_release(&b);
}

/* A small deterministic generator (splitmix64) for the shuffles. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void shuffle(struct tlc_index_file *f, size_t n, uint64_t *seed)
{
	size_t i, k;
	struct tlc_index_file t;

	for (i = n; i > 1; i--) {
		k = (size_t)(rnd(seed) % i);
		t = f[i - 1];
		f[i - 1] = f[k];
		f[k] = t;
	}
}

static void test_index__same_bytes_in_any_order(void **state)
{
	struct tlc_index_file f[NFIX], copy[NFIX];
	struct tlc_buf want[NPAGES], got = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	uint64_t seed = 42;
	int k, round;

	(void)state;
	for (k = 0; k < NPAGES; k++) {
		tlc_buf_init(&want[k], 0);
		fixture(f);
		/* the project pages get alpha's files only */
		if (k == PROJECT_HTML || k == PROJECT_JSON)
			assert_int_equal(render(k, &want[k], f + ALPHA,
						NFIX - ALPHA, &rel_opts, &err),
					 0);
		else
			assert_int_equal(render(k, &want[k], f, NFIX, &rel_opts,
						&err), 0);
	}
	for (round = 0; round < 50; round++) {
		for (k = 0; k < NPAGES; k++) {
			bool alpha_only = k == PROJECT_HTML ||
					  k == PROJECT_JSON;
			struct tlc_index_file *v = alpha_only ? f + ALPHA : f;
			size_t n = alpha_only ? NFIX - ALPHA : NFIX;

			fixture(f);
			shuffle(v, n, &seed);
			memcpy(copy, f, sizeof(f));
			tlc_buf_reset(&got);
			assert_int_equal(render(k, &got, v, n, &rel_opts,
						&err), 0);
			assert_buf_is(&got, want[k].ptr);
			/* the caller's array is not touched */
			assert_memory_equal(copy, f, sizeof(f));
		}
	}
	for (k = 0; k < NPAGES; k++)
		tlc_buf_release(&want[k]);
	tlc_buf_release(&got);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The incremental flat page: begin, each project's links in project
 * order, end is the whole page.  "foo-bar" sorts before "foo2" but its
 * filename "foo_bar-..." after "foo2-...", so ordering by filename
 * first would interleave differently.
 */
static void test_index__flat_page_from_fragments(void **state)
{
	static const char *const projects[] = {
		"foo2", "alpha", "gamma-2", "foo-bar", "gamma", "beta-pkg",
	};
	static const char *const filenames[] = {
		"foo2-1.0-py3-none-any.whl", NULL,
		"gamma_2-3.0-py3-none-any.whl", "foo_bar-1.0-py3-none-any.whl",
		"gamma-1.0-py3-none-any.whl", NULL,
	};
	struct tlc_index_file all[NFIX + 12], one[NFIX + 12], extra;
	const struct tlc_index_opts *opts[] = {
		NULL, &(struct tlc_index_opts){ "", NULL },
		&(struct tlc_index_opts){ "", CDN },
	};
	struct tlc_buf whole = TLC_BUF_INIT, parts = TLC_BUF_INIT,
		       frag[N(projects)];
	struct tlc_error err = TLC_ERROR_INIT;
	const char *sorted[N(projects)];
	size_t n = NFIX, i, k, m, o;
	char names[12][64];
	uint64_t seed = 7;

	(void)state;
	fixture(all);
	for (i = 0; i < N(projects); i++) {
		if (!filenames[i])
			continue;
		for (k = 0; k < 2; k++) {
			snprintf(names[n - NFIX], sizeof(names[0]), "%s%s",
				 k ? "z" : "", filenames[i]);
			memset(&all[n], 0, sizeof(all[n]));
			all[n].filename = names[n - NFIX];
			all[n].project = projects[i];
			all[n].version = "1.0";
			all[n].sha256[0] = (unsigned char)n;
			n++;
		}
	}
	memcpy(sorted, projects, sizeof(projects));
	qsort(sorted, N(sorted), sizeof(sorted[0]), cmp_name);

	for (o = 0; o < N(opts); o++) {
		shuffle(all, n, &seed);
		tlc_buf_reset(&whole);
		assert_int_equal(tlc_index_flat_html(&whole, all, n, opts[o],
						     &err), 0);
		/* begin + links(all) + end */
		tlc_buf_reset(&parts);
		assert_int_equal(tlc_index_flat_begin(&parts, &err), 0);
		assert_int_equal(tlc_index_flat_links(&parts, all, n, opts[o],
						      &err), 0);
		assert_int_equal(tlc_index_flat_end(&parts, &err), 0);
		assert_buf_is(&parts, whole.ptr);

		/* one fragment per project, concatenated in name order */
		for (i = 0; i < N(sorted); i++) {
			tlc_buf_init(&frag[i], 0);
			for (k = m = 0; k < n; k++) {
				if (!strcmp(all[k].project, sorted[i]))
					one[m++] = all[k];
			}
			assert_true(m > 0);
			assert_int_equal(tlc_index_flat_links(&frag[i], one, m,
							      opts[o], &err),
					 0);
		}
		tlc_buf_reset(&parts);
		assert_int_equal(tlc_index_flat_begin(&parts, &err), 0);
		for (i = 0; i < N(sorted); i++)
			assert_int_equal(tlc_buf_put(&parts, frag[i].ptr,
						     frag[i].len), 0);
		assert_int_equal(tlc_index_flat_end(&parts, &err), 0);
		assert_buf_is(&parts, whole.ptr);

		/* a new wheel in "gamma": only its fragment is rendered */
		extra = all[0];
		extra.project = "gamma";
		extra.filename = "gamma-1.1-py3-none-any.whl";
		extra.version = "1.1";
		extra.yanked = NULL;
		all[n] = extra;
		tlc_buf_reset(&whole);
		assert_int_equal(tlc_index_flat_html(&whole, all, n + 1,
						     opts[o], &err), 0);
		for (i = 0; i < N(sorted); i++) {
			if (strcmp(sorted[i], "gamma"))
				continue;
			tlc_buf_reset(&frag[i]);
			for (k = m = 0; k < n + 1; k++) {
				if (!strcmp(all[k].project, "gamma"))
					one[m++] = all[k];
			}
			assert_int_equal(tlc_index_flat_links(&frag[i], one, m,
							      opts[o], &err),
					 0);
		}
		tlc_buf_reset(&parts);
		assert_int_equal(tlc_index_flat_begin(&parts, &err), 0);
		for (i = 0; i < N(sorted); i++)
			assert_int_equal(tlc_buf_put(&parts, frag[i].ptr,
						     frag[i].len), 0);
		assert_int_equal(tlc_index_flat_end(&parts, &err), 0);
		assert_buf_is(&parts, whole.ptr);
		for (i = 0; i < N(sorted); i++)
			tlc_buf_release(&frag[i]);
	}

	/* an empty repository: begin + end */
	tlc_buf_reset(&whole);
	tlc_buf_reset(&parts);
	assert_int_equal(tlc_index_flat_html(&whole, NULL, 0, NULL, &err), 0);
	assert_int_equal(tlc_index_flat_begin(&parts, &err), 0);
	assert_int_equal(tlc_index_flat_links(&parts, NULL, 0, NULL, &err), 0);
	assert_int_equal(tlc_index_flat_end(&parts, &err), 0);
	assert_buf_is(&parts, whole.ptr);
	assert_buf_is(&parts, HEAD("Links for all projects") TAIL);
	tlc_buf_release(&whole);
	tlc_buf_release(&parts);
}

/* One refusal: a change to the fixture, or bad options. */
struct refusal {
	const char *what;	/* the test's name for it */
	void (*mutate)(struct tlc_index_file *f);	/* f[ALPHA + 1] */
	struct tlc_index_opts opts;
	const char *msg;	/* a part of the message: the rule */
	const char *subject;	/* another part: what it is about */
};

static void m_project_upper(struct tlc_index_file *f) { f->project = "Alpha"; }
static void m_project_underscore(struct tlc_index_file *f)
{
	f->project = "al_pha";
}
static void m_project_dashes(struct tlc_index_file *f)
{
	f->project = "al--pha";
}
static void m_project_null(struct tlc_index_file *f) { f->project = NULL; }
static void m_slash(struct tlc_index_file *f)
{
	f->filename = "../alpha-1.0-py3-none-any.whl";
}
static void m_dotdot(struct tlc_index_file *f) { f->filename = ".."; }
static void m_noname(struct tlc_index_file *f) { f->filename = ""; }
static void m_name_lf(struct tlc_index_file *f)
{
	f->filename = "alpha-1.0-py3-none-any.whl\n";
}
static void m_name_utf8(struct tlc_index_file *f)
{
	f->filename = "alpha-1.0-py3-none-\xc3-any.whl";
}
static void m_dup(struct tlc_index_file *f) { f[0] = f[1]; }
static void m_bad_version(struct tlc_index_file *f)
{
	f->version = "1.0-bogus";
}
static void m_huge_version(struct tlc_index_file *f)
{
	f->version = "1.0.99999999999999999999999";
}
static void m_unnormalized_version(struct tlc_index_file *f)
{
	f->version = "v1.0";
}
static void m_no_version(struct tlc_index_file *f) { f->version = NULL; }
static void m_reason_ctl(struct tlc_index_file *f) { f->yanked = "bad\x01"; }
static void m_reason_del(struct tlc_index_file *f) { f->yanked = "bad\x7f"; }
static void m_reason_c1(struct tlc_index_file *f) { f->yanked = "bad\xc2\x85"; }
static void m_reason_utf8(struct tlc_index_file *f) { f->yanked = "bad\xff"; }
static void m_reason_surrogate(struct tlc_index_file *f)
{
	f->yanked = "bad\xed\xa0\x80";
}
static void m_rp_esc(struct tlc_index_file *f)
{
	f->requires_python = "\x1b[31m>=3.8";
}
static void m_time_neg(struct tlc_index_file *f) { f->upload_time = -1; }
static void m_time_big(struct tlc_index_file *f)
{
	f->upload_time = INT64_C(253402300800);
}
static void m_size(struct tlc_index_file *f) { f->size = UINT64_MAX; }
static void m_none(struct tlc_index_file *f) { (void)f; }

#define OK_OPTS { "../../", NULL }

static const struct refusal refusals[] = {
	{ "project upper", m_project_upper, OK_OPTS,
	  "is not a normalized name (PEP 503)", "'Alpha'" },
	{ "project _", m_project_underscore, OK_OPTS,
	  "is not a normalized name", "'al_pha'" },
	{ "project --", m_project_dashes, OK_OPTS,
	  "is not a normalized name", "'al--pha'" },
	{ "project NULL", m_project_null, OK_OPTS, "has no name",
	  "alpha-1.0-py3" },
	{ "slash", m_slash, OK_OPTS, "is not a single path component",
	  "'../alpha-1.0" },
	{ "dotdot", m_dotdot, OK_OPTS, "is not a single path component",
	  "'..'" },
	{ "no name", m_noname, OK_OPTS, "has no name", "file" },
	{ "name LF", m_name_lf, OK_OPTS, "control character U+000A",
	  "alpha-1.0" },
	{ "name UTF-8", m_name_utf8, OK_OPTS, "is not valid UTF-8",
	  "alpha-1.0" },
	{ "duplicate", m_dup, OK_OPTS, "is listed twice",
	  "'alpha-10.0-py3-none-any.whl'" },
	{ "bad version", m_bad_version, OK_OPTS, "version of",
	  "alpha-1.0-py3" },
	{ "huge version", m_huge_version, OK_OPTS, "version of",
	  "alpha-1.0-py3" },
	{ "v1.0", m_unnormalized_version, OK_OPTS,
	  "is not in normalized form '1.0' (PEP 440)", "'v1.0'" },
	{ "no version", m_no_version, OK_OPTS, "has no version",
	  "alpha-1.0-py3" },
	{ "reason U+0001", m_reason_ctl, OK_OPTS, "control character U+0001",
	  "yank reason of 'alpha-1.0-py3-none-any.whl'" },
	{ "reason DEL", m_reason_del, OK_OPTS, "control character U+007F",
	  "yank reason" },
	{ "reason C1", m_reason_c1, OK_OPTS, "control character U+0085",
	  "yank reason" },
	{ "reason not UTF-8", m_reason_utf8, OK_OPTS, "not valid UTF-8",
	  "yank reason" },
	{ "reason surrogate", m_reason_surrogate, OK_OPTS, "not valid UTF-8",
	  "yank reason" },
	{ "requires-python ESC", m_rp_esc, OK_OPTS,
	  "control character U+001B", "requires-python of" },
	{ "time -1", m_time_neg, OK_OPTS, "out of range", "upload time -1" },
	{ "time 10000", m_time_big, OK_OPTS, "out of range", "alpha-1.0" },
	{ "size", m_size, OK_OPTS, "out of range", "size of" },
	{ "root no slash", m_none, { "../..", NULL }, "does not end in '/'",
	  "root '../..'" },
	{ "root space", m_none, { "my files/", NULL },
	  "needs escaping in a URL or HTML", "root 'my files/'" },
	{ "root quote", m_none, { "a\"b/", NULL }, "needs escaping", "root" },
	{ "base no slash", m_none, { "", "https://cdn.example.org/tlc" },
	  "does not end in '/'", "base URL 'https://cdn.example.org/tlc'" },
	{ "base &", m_none, { "", "https://cdn.example.org/a&b/" },
	  "needs escaping", "base URL" },
	{ "base '", m_none, { "", "https://cdn.example.org/a'b/" },
	  "needs escaping", "base URL" },
	{ "base ?", m_none, { "", "https://cdn.example.org/?x=/" },
	  "needs escaping", "base URL" },
	{ "base #", m_none, { "", "https://cdn.example.org/#/" },
	  "needs escaping", "base URL" },
	{ "base bad %", m_none, { "", "https://cdn.example.org/%zz/" },
	  "needs escaping", "base URL" },
	{ "base no scheme", m_none, { "", "cdn.example.org/tlc/" },
	  "is not an absolute URL (scheme://...)", "base URL" },
	{ "base //", m_none, { "", "//cdn.example.org/tlc/" },
	  "is not an absolute URL", "base URL" },
	{ "base empty", m_none, { "", "" }, "is not an absolute URL",
	  "base URL" },
	{ "base 1http", m_none, { "", "1http://x/" }, "is not an absolute URL",
	  "base URL" },
};

/* @out holds exactly "keep:", and @err one line with @msg and @subject. */
static void assert_refused(int rc, const struct tlc_buf *out,
			   const struct tlc_error *err, const char *msg,
			   const char *subject, const char *what)
{
	if (rc != TLC_EPOLICY || err->code != TLC_EPOLICY)
		fail_msg("%s: got %d (%s), not TLC_EPOLICY", what, rc,
			 err->msg);
	if (!strstr(err->msg, msg) || !strstr(err->msg, subject))
		fail_msg("%s: message '%s' lacks '%s' or '%s'", what, err->msg,
			 msg, subject);
	assert_null(strchr(err->msg, '\n'));
	assert_buf_is(out, "keep:");
}

static void test_index__refusals(void **state)
{
	struct tlc_index_file f[NFIX];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err;
	size_t i;
	int k, rc;

	(void)state;
	for (i = 0; i < N(refusals); i++) {
		const struct refusal *r = &refusals[i];

		for (k = FLAT; k <= PROJECT_JSON; k++) {
			fixture(f);
			r->mutate(&f[ALPHA + 1]);
			assert_int_equal(tlc_buf_sets(&b, "keep:"), 0);
			err = (struct tlc_error)TLC_ERROR_INIT;
			rc = render(k, &b, f + ALPHA, NFIX - ALPHA, &r->opts,
				    &err);
			assert_refused(rc, &b, &err, r->msg, r->subject,
				       r->what);
			/* the code does not depend on there being a message */
			assert_int_equal(render(k, &b, f + ALPHA, NFIX - ALPHA,
						&r->opts, NULL), TLC_EPOLICY);
			assert_buf_is(&b, "keep:");
		}
	}
	tlc_buf_release(&b);
}

static void test_index__refusals_of_project_pages(void **state)
{
	static const char *const bad[] = { "Alpha", "alpha.x", "-alpha", "",
					   "alpha-", "al pha" };
	const char *projects[] = { "alpha", "beta-pkg", NULL };
	struct tlc_index_file f[NFIX];
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	size_t i;

	(void)state;
	fixture(f);
	assert_int_equal(tlc_buf_sets(&b, "keep:"), 0);
	/* a file of another project */
	assert_refused(tlc_index_project_html(&b, "alpha", f, NFIX, NULL,
					      &err), &b, &err,
		       "belongs to project 'beta-pkg', not 'alpha'",
		       "'beta_pkg-0.1-py3-none-any.whl'", "other project");
	assert_refused(tlc_index_project_json(&b, "alpha", f, NFIX, NULL,
					      &err), &b, &err,
		       "belongs to project", "beta_pkg", "other project");
	for (i = 0; i < N(bad); i++) {
		assert_refused(tlc_index_project_html(&b, bad[i], NULL, 0,
						      NULL, &err), &b, &err,
			       "is not a normalized name", "project name",
			       bad[i]);
		assert_refused(tlc_index_project_json(&b, bad[i], NULL, 0,
						      NULL, &err), &b, &err,
			       "is not a normalized name", "project name",
			       bad[i]);
		projects[2] = bad[i];
		assert_refused(tlc_index_root_html(&b, projects, 3, &err), &b,
			       &err, "is not a normalized name", bad[i],
			       bad[i]);
		assert_refused(tlc_index_root_json(&b, projects, 3, &err), &b,
			       &err, "is not a normalized name", bad[i],
			       bad[i]);
	}
	projects[2] = NULL;
	assert_refused(tlc_index_root_html(&b, projects, 3, &err), &b, &err,
		       "has no name", "project", "NULL project");
	assert_refused(tlc_index_project_html(&b, NULL, NULL, 0, NULL, &err),
		       &b, &err, "has no name", "project", "NULL project");
	tlc_buf_release(&b);
}

static void test_index__time(void **state)
{
	static const struct { int64_t t; const char *s; } ok[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1700000000, "2023-11-14T22:13:20Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ INT64_C(253402300799), "9999-12-31T23:59:59Z" },
	};
	static const int64_t bad[] = { -1, INT64_C(253402300800), INT64_MAX,
				       INT64_MIN };
	char out[TLC_INDEX_TIME_SIZE + 8];
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(tlc_index_time(out, sizeof(out), ok[i].t), 0);
		assert_string_equal(out, ok[i].s);
		assert_int_equal(strlen(out) + 1, TLC_INDEX_TIME_SIZE);
		/* exactly the size is enough */
		memset(out, 'x', sizeof(out));
		assert_int_equal(tlc_index_time(out, TLC_INDEX_TIME_SIZE,
						ok[i].t), 0);
		assert_string_equal(out, ok[i].s);
	}
	for (i = 0; i < N(bad); i++) {
		memset(out, 'x', sizeof(out));
		assert_int_equal(tlc_index_time(out, sizeof(out), bad[i]),
				 TLC_EPOLICY);
		assert_string_equal(out, "");
	}
	/* too small: nothing but the NUL, and not past @size */
	memset(out, 'x', sizeof(out));
	assert_int_equal(tlc_index_time(out, TLC_INDEX_TIME_SIZE - 1, 0),
			 TLC_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(out[1], 'x');
	memset(out, 'x', sizeof(out));
	assert_int_equal(tlc_index_time(out, 1, 0), TLC_ETOOBIG);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'x');
	assert_int_equal(tlc_index_time(NULL, 0, 0), TLC_ETOOBIG);
}

/*
 * Every cap short of the page fails with TLC_ETOOBIG and leaves @out as
 * it was; the cap that just fits succeeds.
 */
static void test_index__out_cut_back_on_failure(void **state)
{
	struct tlc_index_file f[NFIX];
	struct tlc_buf full = TLC_BUF_INIT, b;
	struct tlc_error err = TLC_ERROR_INIT;
	size_t cap;
	int k, rc;

	(void)state;
	fixture(f);
	for (k = 0; k < NPAGES + 2; k++) {
		tlc_buf_reset(&full);
		if (k == NPAGES)
			rc = tlc_index_flat_begin(&full, &err);
		else if (k == NPAGES + 1)
			rc = tlc_index_flat_end(&full, &err);
		else if (k == PROJECT_HTML || k == PROJECT_JSON)
			rc = render(k, &full, f + ALPHA, NFIX - ALPHA,
				    &cdn_opts, &err);
		else
			rc = render(k, &full, f, NFIX, &cdn_opts, &err);
		assert_int_equal(rc, 0);
		for (cap = 5; cap <= 5 + full.len; cap++) {
			tlc_buf_init(&b, cap);
			assert_int_equal(tlc_buf_puts(&b, "keep:"), 0);
			err = (struct tlc_error)TLC_ERROR_INIT;
			if (k == NPAGES)
				rc = tlc_index_flat_begin(&b, &err);
			else if (k == NPAGES + 1)
				rc = tlc_index_flat_end(&b, &err);
			else if (k == PROJECT_HTML || k == PROJECT_JSON)
				rc = render(k, &b, f + ALPHA, NFIX - ALPHA,
					    &cdn_opts, &err);
			else
				rc = render(k, &b, f, NFIX, &cdn_opts, &err);
			if (cap < 5 + full.len) {
				assert_int_equal(rc, TLC_ETOOBIG);
				assert_int_equal(err.code, TLC_ETOOBIG);
				assert_non_null(strstr(err.msg,
						       "cannot render"));
				assert_buf_is(&b, "keep:");
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(b.len, 5 + full.len);
				assert_memory_equal(b.ptr + 5, full.ptr,
						    full.len);
			}
			tlc_buf_release(&b);
		}
	}
	tlc_buf_release(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index__flat_page_exact),
		cmocka_unit_test(test_index__project_html_exact),
		cmocka_unit_test(test_index__json_pages_exact),
		cmocka_unit_test(test_index__json_has_pep691_pep700_keys),
		cmocka_unit_test(test_index__versions_in_pep440_order),
		cmocka_unit_test(test_index__same_bytes_in_any_order),
		cmocka_unit_test(test_index__flat_page_from_fragments),
		cmocka_unit_test(test_index__refusals),
		cmocka_unit_test(test_index__refusals_of_project_pages),
		cmocka_unit_test(test_index__time),
		cmocka_unit_test(test_index__out_cut_back_on_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
