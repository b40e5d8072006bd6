/*
 * The multipart/form-data parser: bodies as python requests (what twine
 * sends, through requests-toolbelt, byte for byte the same shape) and
 * curl -F produce them, fed whole, byte by byte, and cut at every point;
 * hostile shapes, each refused with a one-line message naming the rule,
 * the same way wherever the body is cut; callback errors; the boundary
 * parameter of a Content-Type.
 *
 * The requests and curl bodies were captured when the test was written:
 * requests 2.28.1 (requests.Request(...).prepare().body) and curl 7.88.1
 * (-F, the body read by a socket on 127.0.0.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tlcpack/buf.h"
#include "tlcpack/multipart.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(lit) lit, sizeof(lit) - 1

static void check_one_line(const char *msg)
{
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

/* ---- a recorder: "[name=.. file=.. type=..]" data... "[end]" ---- */

struct rec {
	struct tlc_buf log;
	int fail_begin;		/* fail the n-th part_begin (1-based) */
	int fail_data;		/* fail the n-th part_data */
	int fail_end;		/* fail the n-th part_end */
	int nbegin, ndata, nend;
	bool in_part;
};

static int rec_begin(void *data, const struct tlc_multipart_part *part,
		     struct tlc_error *err)
{
	struct rec *r = data;

	assert_false(r->in_part);
	assert_non_null(part->name);
	if (++r->nbegin == r->fail_begin)
		return tlc_error_set(err, TLC_EEXISTS, "begin refused");
	assert_int_equal(tlc_buf_printf(&r->log, "[name=%s", part->name), 0);
	if (part->filename)
		assert_int_equal(tlc_buf_printf(&r->log, " file=%s",
						part->filename), 0);
	if (part->content_type)
		assert_int_equal(tlc_buf_printf(&r->log, " type=%s",
						part->content_type), 0);
	assert_int_equal(tlc_buf_putc(&r->log, ']'), 0);
	r->in_part = true;
	return 0;
}

static int rec_data(void *data, const void *buf, size_t len,
		    struct tlc_error *err)
{
	struct rec *r = data;

	assert_true(r->in_part);
	assert_true(len > 0);
	if (++r->ndata == r->fail_data)
		return tlc_error_set(err, TLC_EIO, "data refused");
	assert_int_equal(tlc_buf_put(&r->log, buf, len), 0);
	return 0;
}

static int rec_end(void *data, struct tlc_error *err)
{
	struct rec *r = data;

	assert_true(r->in_part);
	r->in_part = false;
	if (++r->nend == r->fail_end)
		return TLC_ETOOBIG;	/* err left alone */
	assert_int_equal(tlc_buf_puts(&r->log, "[end]"), 0);
	return 0;
}

static const struct tlc_multipart_callbacks rec_cb = {
	rec_begin, rec_data, rec_end,
};

/* ---- feeding ---- */

enum split { WHOLE, BYTES, CUT, CUT3 };

struct result {
	int rc;
	struct tlc_error err;
	struct tlc_buf log;
};

/*
 * Parse @body with @boundary, fed as @how says (CUT: two slices at @a;
 * CUT3: three at @a and @b), and finish.
 */
static void parse(struct result *res, const char *body, size_t len,
		  const char *boundary, const struct tlc_multipart_limits *lim,
		  enum split how, size_t a, size_t b)
{
	struct tlc_multipart *mp;
	struct rec r = { TLC_BUF_INIT, 0, 0, 0, 0, 0, 0, false };
	size_t cuts[4] = { 0, len, len, len };
	int rc = 0;

	memset(&res->err, 0, sizeof(res->err));
	assert_int_equal(tlc_multipart_new(&mp, boundary, lim, &rec_cb, &r,
					   &res->err), 0);
	if (how == BYTES) {
		for (size_t i = 0; i < len && rc == 0; i++)
			rc = tlc_multipart_feed(mp, body + i, 1, &res->err);
	} else {
		if (how == CUT || how == CUT3)
			cuts[1] = a;
		if (how == CUT3)
			cuts[2] = b;
		for (int i = 0; i < 3 && rc == 0; i++)
			rc = tlc_multipart_feed(mp, body + cuts[i],
						cuts[i + 1] - cuts[i],
						&res->err);
	}
	if (rc == 0)
		rc = tlc_multipart_finish(mp, &res->err);
	res->rc = rc;
	res->log = r.log;
	tlc_multipart_free(mp);
}

/* Every way of feeding @body gives @want's result (rc, message, log). */
static void parse_all_ways(struct result *want, const char *body, size_t len,
			   const char *boundary,
			   const struct tlc_multipart_limits *lim)
{
	struct result got;

	parse(want, body, len, boundary, lim, WHOLE, 0, 0);
	for (int how = BYTES; how <= CUT3; how++) {
		size_t na = how == BYTES ? 1 : len + 1;

		for (size_t a = 0; a < na; a++) {
			size_t nb = how == CUT3 ? len + 1 : a + 1;
			size_t step = how == CUT3 && len > 200 ? 7 : 1;

			for (size_t b = a; b < nb; b += step) {
				parse(&got, body, len, boundary, lim,
				      (enum split)how, a, b);
				if (got.rc != want->rc ||
				    strcmp(got.err.msg, want->err.msg) ||
				    got.log.len != want->log.len ||
				    memcmp(got.log.ptr, want->log.ptr,
					   got.log.len))
					fail_msg("feeding %d cut at %zu, %zu: "
						 "rc %d '%s', not %d '%s'",
						 how, a, b, got.rc,
						 got.err.msg, want->rc,
						 want->err.msg);
				tlc_buf_release(&got.log);
			}
		}
	}
}

/* ---- well-formed bodies ---- */

struct good {
	const char *what;
	const char *boundary;
	const char *body;
	size_t len;
	const char *log;
	size_t loglen;
};

static const struct good goods[] = {
	{ "python requests (twine)", "fe0b36105c92eab669e52c19eeeb88a5",
	  S("--fe0b36105c92eab669e52c19eeeb88a5\r\nContent-Disposition: "
	    "form-data; name=\":action\"\r\n\r\nfile_upload\r\n"
	    "--fe0b36105c92eab669e52c19eeeb88a5\r\nContent-Disposition: "
	    "form-data; name=\"protocol_version\"\r\n\r\n1\r\n"
	    "--fe0b36105c92eab669e52c19eeeb88a5\r\nContent-Disposition: "
	    "form-data; name=\"sha256_digest\"\r\n\r\nabababababababababab"
	    "abababababababababababababababababababababab\r\n"
	    "--fe0b36105c92eab669e52c19eeeb88a5\r\nContent-Disposition: "
	    "form-data; name=\"content\"; filename=\"demo-1.0-py3-none-any"
	    ".whl\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	    "PK\x03\x04zipdata\r\n--not\r\nmore\r\n"
	    "--fe0b36105c92eab669e52c19eeeb88a5--\r\n"),
	  S("[name=:action]file_upload[end][name=protocol_version]1[end]"
	    "[name=sha256_digest]abababababababababababababababababababab"
	    "abababababababababababab[end][name=content file=demo-1.0-py3-"
	    "none-any.whl type=application/octet-stream]PK\x03\x04zipdata"
	    "\r\n--not\r\nmore[end]") },
	{ "curl -F", "------------------------fbfbf8800f0ac5be",
	  S("--------------------------fbfbf8800f0ac5be\r\nContent-Dispositi"
	    "on: form-data; name=\":action\"\r\n\r\nfile_upload\r\n"
	    "--------------------------fbfbf8800f0ac5be\r\nContent-Dispositi"
	    "on: form-data; name=\"protocol_version\"\r\n\r\n1\r\n"
	    "--------------------------fbfbf8800f0ac5be\r\nContent-Dispositi"
	    "on: form-data; name=\"content\"; filename=\"demo-1.0-py3-none-"
	    "any.whl\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	    "PK\x03\x04zip\r\n--data\r\n\x00\xff" "end\r\n"
	    "--------------------------fbfbf8800f0ac5be\r\nContent-Dispositi"
	    "on: form-data; name=\"md5_digest\"\r\n\r\n0123\r\n"
	    "--------------------------fbfbf8800f0ac5be--\r\n"),
	  S("[name=:action]file_upload[end][name=protocol_version]1[end]"
	    "[name=content file=demo-1.0-py3-none-any.whl type=application/"
	    "octet-stream]PK\x03\x04zip\r\n--data\r\n\x00\xff" "end[end]"
	    "[name=md5_digest]0123[end]") },
	{ "preamble, padding, epilogue, empty part", "b",
	  S("this is the preamble\r\n--b \t \r\nContent-Disposition: form-"
	    "data; name=e\r\n\r\n\r\n--b\t\r\ncontent-disposition: FORM-DATA;"
	    " NAME=\"x\" ; Filename=\"a\\\"b\\\\c\";\r\nX-Other: ignored\r\n"
	    "Content-Transfer-Encoding: binary\r\n\r\nv\r\n--b--  \r\n"
	    "epilogue --b\r\n--b\r\nnot parsed"),
	  S("[name=e][end][name=x file=a\"b\\c]v[end]") },
	{ "the boundary in data, not after CRLF", "bound",
	  S("--bound\r\nContent-Disposition: form-data; name=a\r\n\r\n"
	    "x--bound y\n--bound\r--bound\r\n-bound\r\n--boun\r\n--bounc"
	    "\r\r\n--boun\n\r\n--bound--"),
	  S("[name=a]x--bound y\n--bound\r--bound\r\n-bound\r\n--boun\r\n"
	    "--bounc\r\r\n--boun\n[end]") },
	{ "data that is all delimiter prefixes", "ab",
	  S("\r\n\r\n--a\r\n--ab\r\nContent-Disposition: form-data; name=p; "
	    "filename=\"\"\r\nContent-Type:  text/plain; charset=utf-8  \r\n"
	    "\r\n\r\r\n\r\n-\r\n--\r\n--a\r\r\n--ab--"),
	  S("[name=p file= type=text/plain; charset=utf-8]\r\r\n\r\n-\r\n--"
	    "\r\n--a\r[end]") },
	{ "a first delimiter at the very start, parts without data", "x",
	  S("--x\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n\r\n--x"
	    "\r\nContent-Disposition: form-data;name=\"c\"\r\n\r\n\r\n--x--"),
	  S("[name=][end][name=c][end]") },
};

static void test_multipart__well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(goods); i++) {
		const struct good *g = &goods[i];
		struct result res;

		parse_all_ways(&res, g->body, g->len, g->boundary, NULL);
		if (res.rc != 0)
			fail_msg("%s: %s", g->what, res.err.msg);
		if (res.log.len != g->loglen ||
		    memcmp(res.log.ptr, g->log, g->loglen))
			fail_msg("%s: got '%s'", g->what, res.log.ptr);
		tlc_buf_release(&res.log);
	}
}

/* ---- hostile shapes ---- */

struct bad {
	const char *what;
	const char *body;
	size_t len;
	int rc;
	const char *msg;	/* a substring of the message */
};

#define CD "Content-Disposition: form-data; name=\"f\"\r\n"

static const struct bad bads[] = {
	{ "missing close delimiter", S("--b\r\n" CD "\r\nxx\r\n"),
	  TLC_EPOLICY, "ends before its close delimiter '--b--' "
	  "(RFC 2046 5.1.1)" },
	{ "a delimiter prefix at the end", S("--b\r\n" CD "\r\nxx\r\n--"),
	  TLC_EPOLICY, "ends before its close delimiter" },
	{ "no delimiter at all", S("just a preamble\r\n-"),
	  TLC_EPOLICY, "ends before its close delimiter" },
	{ "empty body", S(""), TLC_EPOLICY, "ends before its close" },
	{ "close delimiter first", S("--b--\r\n"), TLC_EPOLICY,
	  "multipart body has no parts (RFC 2046 5.1.1)" },
	{ "delimiter then junk", S("--b\r\n" CD "\r\nxx\r\n--bc\r\n"),
	  TLC_EPOLICY, "delimiter '--b' is followed by 'c', not CRLF or '--' "
	  "(RFC 2046 5.1.1)" },
	{ "a single dash", S("--b-\r\n"), TLC_EPOLICY, "followed by '\\x0d'" },
	{ "CR without LF after a delimiter", S("--b\rx"), TLC_EPOLICY,
	  "followed by 'x'" },
	{ "LF alone after a delimiter", S("--b\n"), TLC_EPOLICY,
	  "followed by '\\x0a'" },
	{ "obs-fold", S("--b\r\nContent-Disposition: form-data;\r\n name=f"
			"\r\n\r\n\r\n--b--"),
	  TLC_EPOLICY, "obsolete line folding in a part header (RFC 9112 5.2)" },
	{ "obs-fold by a tab", S("--b\r\n" CD "\tx\r\n\r\n\r\n--b--"),
	  TLC_EPOLICY, "obsolete line folding" },
	{ "no Content-Disposition",
	  S("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--"),
	  TLC_EPOLICY, "form part has no Content-Disposition header "
	  "(RFC 7578 4.2)" },
	{ "no headers", S("--b\r\n\r\nx\r\n--b--"), TLC_EPOLICY,
	  "no Content-Disposition" },
	{ "unterminated quoted string",
	  S("--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\n--b--"),
	  TLC_EPOLICY, "Content-Disposition: unterminated quoted string "
	  "(RFC 9110 5.6.4)" },
	{ "quoted string ending in a backslash",
	  S("--b\r\nContent-Disposition: form-data; name=\"f\\\"\r\n\r\n--b--"),
	  TLC_EPOLICY, "unterminated quoted string" },
	{ "NUL in a header", S("--b\r\n" CD "X: a\0b\r\n\r\n\r\n--b--"),
	  TLC_EPOLICY, "NUL in a part header (RFC 9110 5.5)" },
	{ "NUL in a quoted name",
	  S("--b\r\nContent-Disposition: form-data; name=\"a\0\"\r\n\r\n"),
	  TLC_EPOLICY, "NUL in a part header" },
	{ "CR without LF in a header", S("--b\r\n" CD "X: a\rb\r\n\r\n--b--"),
	  TLC_EPOLICY, "CR without LF in a part header (RFC 5322 2.2)" },
	{ "LF without CR in a header", S("--b\r\nX: a\n" CD "\r\n--b--"),
	  TLC_EPOLICY, "LF without CR in a part header (RFC 5322 2.2)" },
	{ "control character", S("--b\r\n" CD "X: \x1b[31m\r\n\r\n--b--"),
	  TLC_EPOLICY, "control character 0x1b in a part header" },
	{ "not form-data",
	  S("--b\r\nContent-Disposition: attachment; name=f\r\n\r\n--b--"),
	  TLC_EPOLICY, "Content-Disposition of a form part must be "
	  "'form-data' (RFC 7578 4.2)" },
	{ "no name", S("--b\r\nContent-Disposition: form-data; filename=x"
		       "\r\n\r\n--b--"),
	  TLC_EPOLICY, "has no name parameter (RFC 7578 4.2)" },
	{ "two names", S("--b\r\nContent-Disposition: form-data; name=a; "
			 "NAME=b\r\n\r\n--b--"),
	  TLC_EPOLICY, "Content-Disposition has two 'NAME' parameters" },
	{ "filename*", S("--b\r\nContent-Disposition: form-data; name=f; "
			 "filename*=UTF-8''%c3%a9.whl\r\n\r\n--b--"),
	  TLC_EPOLICY, "parameter 'filename*' (RFC 5987 encoding) is not "
	  "supported" },
	{ "name*", S("--b\r\nContent-Disposition: form-data; "
		     "name*=UTF-8''f\r\n\r\n--b--"),
	  TLC_EPOLICY, "'name*' (RFC 5987 encoding)" },
	{ "space around '='",
	  S("--b\r\nContent-Disposition: form-data; name = f\r\n\r\n--b--"),
	  TLC_EPOLICY, "parameter 'name' needs '=' right after its name "
	  "(RFC 9110 5.6.6)" },
	{ "no value", S("--b\r\nContent-Disposition: form-data; name=\r\n"
			"\r\n--b--"),
	  TLC_EPOLICY, "needs a token or quoted-string value" },
	{ "junk after a value", S("--b\r\nContent-Disposition: form-data; "
				  "name=\"a\"b\r\n\r\n--b--"),
	  TLC_EPOLICY, "expected ';' before a parameter (RFC 9110 5.6.6)" },
	{ "two Content-Dispositions",
	  S("--b\r\n" CD "content-disposition:form-data;name=g\r\n\r\n"),
	  TLC_EPOLICY, "two Content-Disposition headers" },
	{ "two Content-Types",
	  S("--b\r\n" CD "Content-Type: a\r\ncontent-type: a\r\n\r\n"),
	  TLC_EPOLICY, "two Content-Type headers" },
	{ "empty Content-Type", S("--b\r\n" CD "Content-Type: \r\n\r\n"),
	  TLC_EPOLICY, "empty Content-Type" },
	{ "space before ':'",
	  S("--b\r\nContent-Disposition : form-data; name=f\r\n\r\n--b--"),
	  TLC_EPOLICY, "whitespace before ':' in a part header (RFC 9112 5.1)" },
	{ "no ':'", S("--b\r\n" CD "nocolon\r\n\r\n--b--"),
	  TLC_EPOLICY, "part header line is not 'name: value' (RFC 9110 5.1)" },
	{ "base64", S("--b\r\n" CD "Content-Transfer-Encoding: base64\r\n"
		      "\r\nQUJD\r\n--b--"),
	  TLC_EPOLICY, "Content-Transfer-Encoding 'base64' is not supported "
	  "(RFC 7578 4.7)" },
	{ "header block too long",
	  S("--b\r\n" CD "X-Long: 0123456789012345678901234567890123456789"
	    "\r\n\r\n--b--"),
	  TLC_ETOOBIG, "part header block is longer than 90 bytes" },
	{ "header block never ends",
	  S("--b\r\n" CD "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
	    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"),
	  TLC_ETOOBIG, "part header block is longer than 90 bytes" },
	{ "too many parts", S("--b\r\n" CD "\r\n\r\n--b\r\n" CD "\r\n\r\n"
			      "--b\r\n" CD "\r\n\r\n--b--"),
	  TLC_ETOOBIG, "form has more than 2 parts" },
};

static void test_multipart__hostile(void **state)
{
	static const struct tlc_multipart_limits lim = { 2, 90 };

	(void)state;
	for (size_t i = 0; i < N(bads); i++) {
		const struct bad *b = &bads[i];
		struct result res;

		parse_all_ways(&res, b->body, b->len, "b", &lim);
		if (res.rc != b->rc || !strstr(res.err.msg, b->msg))
			fail_msg("%s: rc %d '%s'", b->what, res.rc,
				 res.err.msg);
		assert_int_equal(res.err.code, b->rc);
		check_one_line(res.err.msg);
		tlc_buf_release(&res.log);
	}
}

/* The limits are inclusive: exactly max_parts parts, a header block of
 * exactly max_header_bytes. */
static void test_multipart__limits_exact(void **state)
{
	static const char body[] = "--b\r\n" CD "\r\n\r\n--b\r\n" CD
				   "X: 12345678901234567890\r\n\r\nz\r\n--b--";
	struct tlc_multipart_limits lim = { 2, sizeof(CD) - 1 + 25 + 2 };
	struct result res;

	(void)state;
	parse_all_ways(&res, body, sizeof(body) - 1, "b", &lim);
	assert_int_equal(res.rc, 0);
	assert_string_equal(res.log.ptr, "[name=f][end][name=f]z[end]");
	tlc_buf_release(&res.log);
	lim.max_header_bytes--;
	parse(&res, body, sizeof(body) - 1, "b", &lim, WHOLE, 0, 0);
	assert_int_equal(res.rc, TLC_ETOOBIG);
	tlc_buf_release(&res.log);
	lim.max_header_bytes++;
	lim.max_parts = 1;
	parse(&res, body, sizeof(body) - 1, "b", &lim, WHOLE, 0, 0);
	assert_int_equal(res.rc, TLC_ETOOBIG);
	assert_string_equal(res.err.msg, "form has more than 1 parts");
	tlc_buf_release(&res.log);
}

/* A slice that ends in a delimiter prefix holds it back: part_data has
 * not seen it, and gets it when the next slice shows it was data. */
static void test_multipart__prefix_held_back(void **state)
{
	static const char head[] = "--bound\r\n" CD "\r\ndata\r\n--bou";
	struct tlc_error err = TLC_ERROR_INIT;
	struct rec r = { TLC_BUF_INIT, 0, 0, 0, 0, 0, 0, false };
	struct tlc_multipart *mp;

	(void)state;
	assert_int_equal(tlc_multipart_new(&mp, "bound", NULL, &rec_cb, &r,
					   &err), 0);
	assert_int_equal(tlc_multipart_feed(mp, S(head), &err), 0);
	assert_string_equal(r.log.ptr, "[name=f]data");
	assert_int_equal(tlc_multipart_feed(mp, S("x"), &err), 0);
	assert_string_equal(r.log.ptr, "[name=f]data\r\n--boux");
	assert_int_equal(tlc_multipart_feed(mp, S("\r\n--bound"), &err), 0);
	assert_string_equal(r.log.ptr, "[name=f]data\r\n--boux");
	assert_false(tlc_multipart_done(mp));
	assert_int_equal(tlc_multipart_feed(mp, S("--"), &err), 0);
	assert_true(tlc_multipart_done(mp));
	assert_string_equal(r.log.ptr, "[name=f]data\r\n--boux[end]");
	assert_int_equal(tlc_multipart_feed(mp, S("\r\nanything \0"), &err),
			 0);
	assert_int_equal(tlc_multipart_finish(mp, &err), 0);
	assert_int_equal(err.code, 0);
	tlc_multipart_free(mp);
	tlc_buf_release(&r.log);
}

/* A callback's code comes back as is, and sticks. */
static void test_multipart__callback_errors(void **state)
{
	static const char body[] = "--b\r\n" CD "\r\nabc\r\n--b\r\n" CD
				   "\r\ndef\r\n--b--\r\n";
	static const struct {
		int begin, data, end, rc;
		const char *msg, *log;
	} cases[] = {
		{ 1, 0, 0, TLC_EEXISTS, "begin refused", "" },
		{ 2, 0, 0, TLC_EEXISTS, "begin refused", "[name=f]abc[end]" },
		{ 0, 1, 0, TLC_EIO, "data refused", "[name=f]" },
		{ 0, 0, 1, TLC_ETOOBIG, "", "[name=f]abc" },
		{ 0, 0, 2, TLC_ETOOBIG, "", "[name=f]abc[end][name=f]def" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct rec r = { TLC_BUF_INIT, cases[i].begin, cases[i].data,
				 cases[i].end, 0, 0, 0, false };
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_multipart *mp;

		assert_int_equal(tlc_multipart_new(&mp, "b", NULL, &rec_cb, &r,
						   &err), 0);
		assert_int_equal(tlc_multipart_feed(mp, S(body), &err),
				 cases[i].rc);
		assert_string_equal(err.msg, cases[i].msg);
		assert_string_equal(r.log.ptr, cases[i].log);
		/* later calls fail the same way and call nothing */
		memset(&err, 0, sizeof(err));
		assert_int_equal(tlc_multipart_feed(mp, S("--b--"), &err),
				 cases[i].rc);
		assert_string_equal(err.msg, cases[i].msg);
		assert_int_equal(tlc_multipart_finish(mp, &err), cases[i].rc);
		assert_int_equal(tlc_multipart_finish(mp, NULL), cases[i].rc);
		assert_string_equal(r.log.ptr, cases[i].log);
		tlc_multipart_free(mp);
		tlc_buf_release(&r.log);
	}
}

/* A big part of random bytes thick with CRs, LFs and delimiter prefixes,
 * fed in slices of many sizes: the data comes out whole. */
static void test_multipart__big_part(void **state)
{
	static const char bnd[] = "9051914041544213";
	static const char *const bits[] = {
		"\r", "\n", "\r\n", "\r\n-", "\r\n--", "\r\n--9051",
		"\r\n--905191404154421", "-", "--9051914041544213",
	};
	const size_t nbits = N(bits), size = 1 << 20;
	struct tlc_buf body = TLC_BUF_INIT, want = TLC_BUF_INIT;
	static const size_t slices[] = { 1 << 16, 4096, 17, 1000003, 7, 70 };
	uint64_t x = 88172645463325252ULL;

	(void)state;
	assert_int_equal(tlc_buf_printf(&body, "--%s\r\n" CD "\r\n", bnd), 0);
	assert_int_equal(tlc_buf_puts(&want, "[name=f]"), 0);
	while (want.len < size) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 5 == 0) {
			const char *s = bits[(x >> 8) % nbits];

			assert_int_equal(tlc_buf_puts(&want, s), 0);
		} else {
			assert_int_equal(tlc_buf_putc(&want, (char)(x >> 24)),
					 0);
		}
	}
	/* the delimiter itself is no data */
	for (char *hit; (hit = memmem(want.ptr, want.len, "\r\n--9051914041544213",
				      20));)
		hit[2] = 'X';
	assert_int_equal(tlc_buf_put(&body, want.ptr + 8, want.len - 8), 0);
	assert_int_equal(tlc_buf_printf(&body, "\r\n--%s--\r\n", bnd), 0);
	assert_int_equal(tlc_buf_puts(&want, "[end]"), 0);

	for (size_t s = 0; s < N(slices); s++) {
		struct rec r = { TLC_BUF_INIT, 0, 0, 0, 0, 0, 0, false };
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_multipart *mp;

		assert_int_equal(tlc_multipart_new(&mp, bnd, NULL, &rec_cb, &r,
						   &err), 0);
		for (size_t off = 0; off < body.len; off += slices[s]) {
			size_t n = body.len - off < slices[s] ?
				   body.len - off : slices[s];

			assert_int_equal(tlc_multipart_feed(mp, body.ptr + off,
							    n, &err), 0);
		}
		assert_int_equal(tlc_multipart_finish(mp, &err), 0);
		assert_int_equal(r.log.len, want.len);
		assert_memory_equal(r.log.ptr, want.ptr, want.len);
		tlc_multipart_free(mp);
		tlc_buf_release(&r.log);
	}
	tlc_buf_release(&body);
	tlc_buf_release(&want);
}

/* ---- boundaries ---- */

static void test_multipart__boundary_param(void **state)
{
	static const struct {
		const char *ct, *want;
	} good[] = {
		{ "multipart/form-data; boundary=fe0b36105c92eab669e52c19eeeb88a5",
		  "fe0b36105c92eab669e52c19eeeb88a5" },
		{ "multipart/form-data; boundary=------------------------fbfbf8"
		  "800f0ac5be", "------------------------fbfbf8800f0ac5be" },
		{ "Multipart/Form-Data;BOUNDARY=\"a b:c\"", "a b:c" },
		{ "  multipart/form-data ; charset=utf-8; boundary=\"x\\yz\" ",
		  "xyz" },
		{ "multipart/form-data; boundary=\"'()+_,-./:=?\"",
		  "'()+_,-./:=?" },
		{ "multipart/form-data; boundary=1234567890123456789012345678901"
		  "234567890123456789012345678901234567890",
		  "1234567890123456789012345678901234567890123456789012345678901"
		  "234567890" },
	};
	static const struct {
		const char *ct, *msg;
	} bad[] = {
		{ "multipart/mixed; boundary=x",
		  "Content-Type 'multipart/mixed; boundary=x' is not "
		  "multipart/form-data (RFC 7578 4)" },
		{ "text/plain", "is not multipart/form-data" },
		{ "", "Content-Type '' is not multipart/form-data" },
		{ "multipart/form-data", "Content-Type multipart/form-data has "
		  "no boundary parameter (RFC 7578 4.1)" },
		{ "multipart/form-data; charset=utf-8", "no boundary parameter" },
		{ "multipart/form-data; boundary=a; boundary=b",
		  "Content-Type has two boundary parameters" },
		{ "multipart/form-data; boundary=", "needs a token or "
		  "quoted-string value" },
		{ "multipart/form-data; boundary=\"\"",
		  "multipart boundary '' is empty (RFC 2046 5.1.1)" },
		{ "multipart/form-data; boundary=\"a \"",
		  "multipart boundary 'a ' ends in a space" },
		{ "multipart/form-data; boundary=\"a;b\"",
		  "'a;b' holds a character outside the bchars set" },
		{ "multipart/form-data; boundary=a{b",
		  "expected ';' before a parameter" },
		{ "multipart/form-data; boundary=\"abc",
		  "Content-Type: unterminated quoted string" },
		{ "multipart/form-data; boundary=\"abc\\",
		  "Content-Type: unterminated quoted string" },
		{ "multipart/form-data; boundary=\"a\\\"",
		  "Content-Type: unterminated quoted string" },
		{ "multipart/form-data; boundary=\"a\x01\"",
		  "Content-Type: control character in quoted string" },
		{ "multipart/form-data; boundary=1234567890123456789012345678901"
		  "2345678901234567890123456789012345678901",
		  "is longer than 70 characters (RFC 2046 5.1.1)" },
		{ "multipart/form-data; boundary=\"1234567890123456789012345678901"
		  "234567890123456789012345678901234567890123456789012345678901"
		  "234567890123456789012345678901234567890123456789012345678901"
		  "234567890123456789012345678901234567890123456789012345678901"
		  "234567890123456789012345678901234567890123456789012345678901"
		  "234567890123456789012345678901234567890123456789012345678901"
		  "2345678901234567890\"",
		  "multipart boundary is longer than 70 characters" },
	};
	struct tlc_error err = TLC_ERROR_INIT;
	char out[TLC_MULTIPART_BOUNDARY_MAX + 1];

	(void)state;
	for (size_t i = 0; i < N(good); i++) {
		if (tlc_multipart_boundary(good[i].ct, out, sizeof(out),
					   &err) < 0)
			fail_msg("'%s': %s", good[i].ct, err.msg);
		assert_string_equal(out, good[i].want);
	}
	for (size_t i = 0; i < N(bad); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(tlc_multipart_boundary(bad[i].ct, out,
							sizeof(out), &err),
				 TLC_EPOLICY);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("'%s': '%s'", bad[i].ct, err.msg);
		check_one_line(err.msg);
	}
	assert_int_equal(tlc_multipart_boundary(
		"multipart/form-data; boundary=abcd", out, 4, &err),
		TLC_ETOOBIG);
	assert_int_equal(tlc_multipart_boundary(
		"multipart/form-data; boundary=abc", out, 4, &err), 0);
	assert_string_equal(out, "abc");
}

static void test_multipart__new_checks_boundary(void **state)
{
	static const char *const bad[] = {
		"", " ", "a ", "a\r\nb", "a\"b", "\xc3\xa9",
		/* 71 characters */
		("12345678901234567890123456789012345678901234567890123456789012"
		 "345678901"),
	};
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_multipart *mp = (void *)&err;
	struct rec r = { TLC_BUF_INIT, 0, 0, 0, 0, 0, 0, false };

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		assert_int_equal(tlc_multipart_new(&mp, bad[i], NULL, &rec_cb,
						   &r, &err), TLC_EPOLICY);
		assert_null(mp);
		assert_non_null(strstr(err.msg, "(RFC 2046 5.1.1)"));
		check_one_line(err.msg);
	}
	assert_string_equal(err.msg, "multipart boundary '12345678901234567890"
			    "12345678901234567890...' is longer than 70 "
			    "characters (RFC 2046 5.1.1)");
	assert_int_equal(tlc_multipart_new(&mp, " a", NULL, &rec_cb, &r,
					   &err), 0);
	tlc_multipart_free(mp);
	tlc_multipart_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipart__well_formed),
		cmocka_unit_test(test_multipart__hostile),
		cmocka_unit_test(test_multipart__limits_exact),
		cmocka_unit_test(test_multipart__prefix_held_back),
		cmocka_unit_test(test_multipart__callback_errors),
		cmocka_unit_test(test_multipart__big_part),
		cmocka_unit_test(test_multipart__boundary_param),
		cmocka_unit_test(test_multipart__new_checks_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
