/*
 * libFuzzer target for request heads (src/http/reqhead.c), the parser of
 * tlcpack serve's fast path.
 *
 * The input is what a client sent, as is.  Any result but a crash; and a
 * head that is taken must be one that libmicrohttpd would have read the
 * same way:
 * - it ends in the first CRLF CRLF of the input, and holds no NUL, no
 *   bare CR or LF;
 * - it starts "GET /" or "HEAD /" and its request line ends " HTTP/1.1";
 * - the target has no byte outside 0x21-0x7e, no '?', '#' or '\';
 * - every span lies inside the head, within one line, with no leading
 *   or trailing whitespace;
 * - exactly one Host line, no Content-Length, Transfer-Encoding or Range;
 * - the head alone parses the same, and one byte less does not parse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reqhead.h"

#include "fuzzutil.h"

static void check_span(const struct http_span *sp, const char *buf,
		       size_t len)
{
	if (!sp->ptr)
		return;
	if (sp->ptr < buf || sp->ptr + sp->len > buf + len)
		abort();
	for (size_t i = 0; i < sp->len; i++)
		if (sp->ptr[i] == '\r' || sp->ptr[i] == '\n' || !sp->ptr[i])
			abort();
	if (sp->len && (sp->ptr[0] == ' ' || sp->ptr[0] == '\t' ||
			sp->ptr[sp->len - 1] == ' ' ||
			sp->ptr[sp->len - 1] == '\t'))
		abort();
}

/* Lines of the head that start with @name followed by ':' (any case). */
static unsigned count_field(const char *buf, size_t len, const char *name)
{
	size_t n = strlen(name);
	unsigned count = 0;

	for (size_t i = 0; i + 2 + n < len; i++)
		if (buf[i] == '\n' && !strncasecmp(buf + i + 1, name, n) &&
		    buf[i + 1 + n] == ':')
			count++;
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_head h, again;
	const char *end;

	if (!http_head_parse(buf, size, &h))
		return 0;
	if (h.len < 4 || h.len > size || memcmp(buf + h.len - 4, "\r\n\r\n", 4))
		abort();
	end = memmem(buf, size, "\r\n\r\n", 4);
	if (!end || (size_t)(end + 4 - buf) != h.len)
		abort();
	for (size_t i = 0; i < h.len; i++) {
		if (!buf[i])
			abort();
		if (buf[i] == '\r' && buf[i + 1] != '\n')
			abort();
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			abort();
	}
	if (strncmp(buf, h.head ? "HEAD /" : "GET /", h.head ? 6 : 5))
		abort();
	end = memchr(buf, '\r', h.len);
	if (end - buf < 9 || memcmp(end - 9, " HTTP/1.1", 9))
		abort();
	check_span(&h.target, buf, h.len);
	if (!h.target.ptr || h.target.ptr[0] != '/' ||
	    h.target.len > HTTP_HEAD_TARGET_MAX)
		abort();
	for (size_t i = 0; i < h.target.len; i++) {
		unsigned char c = (unsigned char)h.target.ptr[i];

		if (c < 0x21 || c > 0x7e || c == '?' || c == '#' || c == '\\')
			abort();
	}
	check_span(&h.accept, buf, h.len);
	check_span(&h.if_none_match, buf, h.len);
	check_span(&h.if_modified_since, buf, h.len);
	check_span(&h.user_agent, buf, h.len);
	check_span(&h.referer, buf, h.len);
	if (count_field(buf, h.len, "host") != 1 ||
	    count_field(buf, h.len, "content-length") ||
	    count_field(buf, h.len, "transfer-encoding") ||
	    count_field(buf, h.len, "range"))
		abort();
	if (!http_head_parse(buf, h.len, &again) || again.len != h.len ||
	    again.target.ptr != h.target.ptr || again.close != h.close ||
	    again.head != h.head)
		abort();
	if (http_head_parse(buf, h.len - 1, &again))
		abort();
	return 0;
}
