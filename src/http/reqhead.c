/*
 * Request heads for serve_fast.c (reqhead.h), by RFC 9112:
 *
 *   request-line = method SP request-target SP HTTP-version CRLF   (3)
 *   field-line   = field-name ":" OWS field-value OWS              (5)
 *   field-name   = token                  (RFC 9110 5.1, 5.6.2)
 *
 * Stricter than the RFCs on purpose: only "GET" and "HEAD", only
 * "HTTP/1.1", an origin-form target of RFC 3986 path characters with no
 * query, CRLF line ends (no bare LF, 2.2), no obs-fold (5.2), no
 * whitespace before a colon (5.1), and the fields of known[] only: a
 * body (Content-Length, Transfer-Encoding), a Range, credentials on a
 * private repository, an Expect or an Upgrade all go to libmicrohttpd,
 * as does a second Host (3.2) or a second of any field that a read uses.
 */
#include <string.h>
#include <strings.h>

#include "reqhead.h"

#include "banned.h"

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 3986 3.3: pchar and '/', no '?' (a query goes to libmicrohttpd) */
static bool is_path_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~%!$&'()*+,;=:@/",
						    c));
}

/* RFC 9110 5.5: field-vchar and the SP and HTAB between them */
static bool is_value_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

enum field {
	F_HOST, F_CONNECTION, F_ACCEPT, F_IF_NONE_MATCH, F_IF_MODIFIED_SINCE,
	F_USER_AGENT, F_REFERER, F_IGNORED, F_COUNT
};

static const struct {
	const char *name;
	enum field f;
} known[] = {
	{ "host", F_HOST },
	{ "connection", F_CONNECTION },
	{ "accept", F_ACCEPT },
	{ "if-none-match", F_IF_NONE_MATCH },
	{ "if-modified-since", F_IF_MODIFIED_SINCE },
	{ "user-agent", F_USER_AGENT },
	{ "referer", F_REFERER },
	/* what pip, uv, curl and browsers send that a read may ignore:
	 * content codings are never applied (wheels are compressed),
	 * Authorization matters only on a private repository, which
	 * serve_fast.c leaves to libmicrohttpd whole */
	{ "accept-encoding", F_IGNORED },
	{ "accept-language", F_IGNORED },
	{ "cache-control", F_IGNORED },
	{ "pragma", F_IGNORED },
	{ "authorization", F_IGNORED },
};

static int field_of(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n &&
		    !strncasecmp(known[i].name, name, n))
			return known[i].f;
	return -1;
}

/* RFC 9110 7.6.1: Connection = #connection-option; only "keep-alive" and
 * "close" are taken (an "upgrade" is not a read's business). */
static bool parse_connection(const char *p, size_t n, bool *close)
{
	size_t i = 0;

	while (i < n) {
		size_t start, len;

		while (i < n && (p[i] == ',' || p[i] == ' ' || p[i] == '\t'))
			i++;
		start = i;
		while (i < n && is_tchar((unsigned char)p[i]))
			i++;
		len = i - start;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < n && p[i] != ',')
			return false;
		if (len == 5 && !strncasecmp(p + start, "close", 5))
			*close = true;
		else if (len && !(len == 10 &&
				  !strncasecmp(p + start, "keep-alive", 10)))
			return false;
	}
	return true;
}

/* The line at @p ends with CRLF before @end: its length without it, or
 * -1 (no CRLF yet, or a CR or LF alone inside). */
static long line_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != '\r' && *q != '\n')
		q++;
	if (q + 1 >= end || q[0] != '\r' || q[1] != '\n')
		return -1;
	return q - p;
}

static bool parse_request_line(const char *p, size_t n, struct http_head *h)
{
	static const char version[] = " HTTP/1.1";
	size_t vlen = sizeof(version) - 1, m;

	if (n > 4 && !memcmp(p, "GET ", 4))
		m = 4;
	else if (n > 5 && !memcmp(p, "HEAD ", 5))
		m = 5;
	else
		return false;
	h->head = m == 5;
	if (n < m + 1 + vlen || memcmp(p + n - vlen, version, vlen))
		return false;
	h->target.ptr = p + m;
	h->target.len = n - m - vlen;
	if (h->target.len > HTTP_HEAD_TARGET_MAX || h->target.ptr[0] != '/')
		return false;
	for (size_t i = 0; i < h->target.len; i++)
		if (!is_path_char((unsigned char)h->target.ptr[i]))
			return false;
	return true;
}

bool http_head_parse(const char *buf, size_t len, struct http_head *h)
{
	const char *p = buf, *end = buf + len;
	unsigned seen[F_COUNT] = { 0 }, fields = 0;
	struct http_span *span;
	long n;

	memset(h, 0, sizeof(*h));
	if ((n = line_len(p, end)) < 0 ||
	    !parse_request_line(p, (size_t)n, h))
		return false;
	p += n + 2;
	for (;;) {
		const char *name = p, *colon, *v, *vend;
		int f;

		if ((n = line_len(p, end)) < 0)
			return false;
		p += n + 2;
		if (n == 0)
			break;
		if (++fields > HTTP_HEAD_FIELDS_MAX)
			return false;
		colon = memchr(name, ':', (size_t)n);
		if (!colon || colon == name)
			return false;
		for (const char *c = name; c < colon; c++)
			if (!is_tchar((unsigned char)*c))
				return false;
		if ((f = field_of(name, (size_t)(colon - name))) < 0)
			return false;
		v = colon + 1;
		vend = name + n;
		for (const char *c = v; c < vend; c++)
			if (!is_value_char((unsigned char)*c))
				return false;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		if (f != F_IGNORED && seen[f]++)
			return false;
		switch (f) {
		case F_CONNECTION:
			if (!parse_connection(v, (size_t)(vend - v),
					      &h->close))
				return false;
			continue;
		case F_ACCEPT: span = &h->accept; break;
		case F_IF_NONE_MATCH: span = &h->if_none_match; break;
		case F_IF_MODIFIED_SINCE: span = &h->if_modified_since; break;
		case F_USER_AGENT: span = &h->user_agent; break;
		case F_REFERER: span = &h->referer; break;
		default: continue;
		}
		span->ptr = v;
		span->len = (size_t)(vend - v);
	}
	if (seen[F_HOST] != 1)
		return false;
	h->len = (size_t)(p - buf);
	return true;
}
