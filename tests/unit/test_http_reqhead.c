/*
 * The request heads serve_fast.c answers itself (src/http/reqhead.c):
 * what pip, uv, curl and wrk send is taken, with its fields; everything
 * else, hostile or only unusual, is left to libmicrohttpd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reqhead.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool parse(const char *s, struct http_head *h)
{
	return http_head_parse(s, strlen(s), h);
}

static void assert_span(const struct http_span *sp, const char *want)
{
	if (!want) {
		assert_null(sp->ptr);
		return;
	}
	assert_non_null(sp->ptr);
	assert_int_equal(sp->len, strlen(want));
	assert_memory_equal(sp->ptr, want, sp->len);
}

static void test_http_reqhead__clients(void **state)
{
	/* wrk's request as it sends it; pip 23.2.1's index request as a
	 * socket server captured it (its User-Agent cut short) */
	static const char wrk[] =
		"GET /files/p/p-1.0-py3-none-any.whl HTTP/1.1\r\n"
		"Host: 127.0.0.1:8000\r\n\r\n";
	static const char pip[] =
		"GET /simple/demo-pkg/ HTTP/1.1\r\n"
		"Host: 127.0.0.1:8397\r\n"
		"User-Agent: pip/23.2.1 {\"ci\":null,\"cpu\":\"x86_64\"}\r\n"
		"Accept-Encoding: gzip, deflate\r\n"
		"Accept: application/vnd.pypi.simple.v1+json, "
		"application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01\r\n"
		"Connection: keep-alive\r\n"
		"Cache-Control: max-age=0\r\n\r\n";
	static const char curl[] =
		"HEAD /simple/p/ HTTP/1.1\r\n"
		"Host: localhost\r\n"
		"User-Agent: curl/7.88.1\r\n"
		"Accept: application/vnd.pypi.simple.v1+json\r\n"
		"If-None-Match: \"1-2-3\"\r\n"
		"If-Modified-Since: Sat, 05 Dec 2026 03:27:20 GMT\r\n"
		"Referer: http://x/\r\n"
		"Connection: close\r\n\r\n";
	struct http_head h;

	(void)state;
	assert_true(parse(wrk, &h));
	assert_int_equal(h.len, strlen(wrk));
	assert_false(h.head);
	assert_false(h.close);
	assert_span(&h.target, "/files/p/p-1.0-py3-none-any.whl");
	assert_span(&h.accept, NULL);
	assert_span(&h.user_agent, NULL);

	assert_true(parse(pip, &h));
	assert_int_equal(h.len, strlen(pip));
	assert_span(&h.target, "/simple/demo-pkg/");
	assert_span(&h.accept, "application/vnd.pypi.simple.v1+json, "
		    "application/vnd.pypi.simple.v1+html; q=0.1, "
		    "text/html; q=0.01");
	assert_span(&h.user_agent,
		    "pip/23.2.1 {\"ci\":null,\"cpu\":\"x86_64\"}");
	assert_false(h.close);

	assert_true(parse(curl, &h));
	assert_true(h.head);
	assert_true(h.close);
	assert_span(&h.target, "/simple/p/");
	assert_span(&h.accept, "application/vnd.pypi.simple.v1+json");
	assert_span(&h.if_none_match, "\"1-2-3\"");
	assert_span(&h.if_modified_since, "Sat, 05 Dec 2026 03:27:20 GMT");
	assert_span(&h.referer, "http://x/");
}

static void test_http_reqhead__only_the_head(void **state)
{
	/* a pipelined request after it is not looked at, nor counted */
	static const char two[] =
		"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
	struct http_head h;

	(void)state;
	assert_true(parse(two, &h));
	assert_int_equal(h.len, strlen("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"));
	assert_span(&h.target, "/a");
}

static void test_http_reqhead__fields(void **state)
{
	struct http_head h;

	(void)state;
	/* names in any case, OWS around values, empty values */
	assert_true(parse("GET /a HTTP/1.1\r\nhOsT:h\r\n"
			  "ACCEPT: \t text/html \t\r\n"
			  "Cache-Control:\r\nPragma: no-cache\r\n"
			  "Accept-Language: en\r\nAuthorization: Basic eA==\r\n"
			  "Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n",
			  &h));
	assert_span(&h.accept, "text/html");
	/* connection options */
	assert_true(parse("GET /a HTTP/1.1\r\nHost: h\r\n"
			  "Connection: Keep-Alive, CLOSE\r\n\r\n", &h));
	assert_true(h.close);
	assert_true(parse("GET /a HTTP/1.1\r\nHost: h\r\n"
			  "Connection: ,keep-alive ,\r\n\r\n", &h));
	assert_false(h.close);
	/* obs-text in a value is a value */
	assert_true(parse("GET /a HTTP/1.1\r\nHost: h\r\n"
			  "User-Agent: caf\xc3\xa9\r\n\r\n", &h));
	/* every path character of RFC 3986 */
	assert_true(parse("GET /aZ09-._~%41!$&'()*+,;=:@/ HTTP/1.1\r\n"
			  "Host: h\r\n\r\n", &h));
}

/* Each of these is libmicrohttpd's to answer (or refuse). */
static void test_http_reqhead__left_to_mhd(void **state)
{
	static const char *const heads[] = {
		/* not complete yet */
		"",
		"GET /a HTTP/1.1\r\nHost: h\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n\r",
		"GET /a HTTP/1.1",
		/* methods, versions, targets */
		"POST / HTTP/1.1\r\nHost: h\r\n\r\n",
		"get /a HTTP/1.1\r\nHost: h\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.0\r\nHost: h\r\n\r\n",
		"GET /a HTTP/2.0\r\nHost: h\r\n\r\n",
		"GET /a http/1.1\r\nHost: h\r\n\r\n",
		"GET http://h/a HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET a HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET  /a HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a  HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1 \r\nHost: h\r\n\r\n",
		"GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a#f HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a\\b HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a\"b HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n",
		/* line ends */
		"GET /a HTTP/1.1\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n\n",
		"GET /a HTTP/1.1\r\nHost: h\rx\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
		"GET /a HTTP/1.1\r\n\tHost: h\r\n\r\n",
		/* Host: none, two, or a malformed line */
		"GET /a HTTP/1.1\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost : h\r\n\r\n",
		"GET /a HTTP/1.1\r\n: h\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHo\"st: h\r\n\r\n",
		/* controls in values */
		"GET /a HTTP/1.1\r\nHost: h\x01\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\x7f\r\n\r\n",
		/* a body, smuggling shapes, and what a read does not know */
		"GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nIf-Range: \"x\"\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n"
		"Connection: Upgrade\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep alive\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nX-Anything: 1\r\n\r\n",
		/* a field a read uses, twice */
		"GET /a HTTP/1.1\r\nHost: h\r\nAccept: a/b\r\nAccept: c/d\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"a\"\r\n"
		"If-None-Match: \"b\"\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
		"Connection: close\r\n\r\n",
	};
	struct http_head h;

	(void)state;
	for (size_t i = 0; i < N(heads); i++) {
		if (parse(heads[i], &h))
			fail_msg("taken: %s", heads[i]);
	}
}

static void test_http_reqhead__nul_and_limits(void **state)
{
	static const char nul[] = "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char nulv[] = "GET /a HTTP/1.1\r\nHost: h\0\r\n\r\n";
	char buf[HTTP_HEAD_TARGET_MAX + 256];
	struct http_head h;
	size_t n;

	(void)state;
	assert_false(http_head_parse(nul, sizeof(nul) - 1, &h));
	assert_false(http_head_parse(nulv, sizeof(nulv) - 1, &h));

	/* the longest target is taken, one more byte is not */
	for (size_t extra = 0; extra <= 1; extra++) {
		n = (size_t)snprintf(buf, sizeof(buf), "GET /");
		memset(buf + n, 'a', HTTP_HEAD_TARGET_MAX - 1 + extra);
		n += HTTP_HEAD_TARGET_MAX - 1 + extra;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      " HTTP/1.1\r\nHost: h\r\n\r\n");
		assert_int_equal(http_head_parse(buf, n, &h), extra == 0);
	}

	/* HTTP_HEAD_FIELDS_MAX fields are taken, one more is not */
	for (size_t extra = 0; extra <= 1; extra++) {
		n = (size_t)snprintf(buf, sizeof(buf),
				     "GET /a HTTP/1.1\r\nHost: h\r\n");
		for (size_t i = 1; i < HTTP_HEAD_FIELDS_MAX + extra; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "Pragma: x\r\n");
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
		assert_int_equal(http_head_parse(buf, n, &h), extra == 0);
	}
}

/* Every prefix of a good head is incomplete, so left alone. */
static void test_http_reqhead__every_prefix(void **state)
{
	static const char good[] =
		"GET /files/a.whl HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n";
	struct http_head h;

	(void)state;
	for (size_t n = 0; n < sizeof(good) - 1; n++)
		assert_false(http_head_parse(good, n, &h));
	assert_true(http_head_parse(good, sizeof(good) - 1, &h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_reqhead__clients),
		cmocka_unit_test(test_http_reqhead__only_the_head),
		cmocka_unit_test(test_http_reqhead__fields),
		cmocka_unit_test(test_http_reqhead__left_to_mhd),
		cmocka_unit_test(test_http_reqhead__nul_and_limits),
		cmocka_unit_test(test_http_reqhead__every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
