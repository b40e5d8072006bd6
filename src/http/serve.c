/*
 * tlcpack serve: the daemon and the reads (see serve.h).
 *
 * libmicrohttpd 0.9.75 runs a pool of epoll threads
 * (MHD_USE_EPOLL_INTERNAL_THREAD, MHD_OPTION_THREAD_POOL_SIZE), each with
 * the connections serve_fast.c hands it: all but those whose reads the
 * fast path answers itself.  What it does on its own, and what is done
 * here:
 *
 * - MHD percent-decodes the path before the access handler sees it.  An
 *   unescape callback that changes nothing turns that off, and the raw
 *   target (kept from MHD_OPTION_URI_LOG_CALLBACK, query included) goes
 *   through tlc_urlpath_decode() exactly once: no double decoding, no
 *   NUL, no backslash, no dot segment (urlpath.h).
 * - Every file is opened with tlc_urlpath_open() beneath an O_PATH
 *   descriptor of the repository (RESOLVE_BENEATH, no symlinks) and sent
 *   from that descriptor with sendfile(2)
 *   (MHD_create_response_from_fd_at_offset64()), or for a small whole
 *   file read from it with pread(2) (read_small()), so what is checked is
 *   what is sent, even if the file is renamed over meanwhile.
 * - A response queued on the access handler's first call (headers only)
 *   makes MHD 0.9.75 close the connection after it, as it cannot tell
 *   whether a body was left unread: reads answer on the second call, so
 *   keep-alive works; refusals that should close answer on the first.
 * - MHD answers a request line or header block that does not fit the
 *   connection's memory (MHD_OPTION_CONNECTION_MEMORY_LIMIT) with 414 or
 *   431 itself (connection.c: 414 while the URI is not yet parsed, 431
 *   after).  It does not refuse Content-Length with Transfer-Encoding, nor
 *   a repeated Content-Length, so request_smuggling() does (RFC 9112
 *   6.3: a server ought to refuse such a message, 400, and close).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "accesslog.h"
#include "auth.h"
#include "fs.h"
#include "serve.h"
#include "tlcpack/names.h"
#include "tlcpack/urlpath.h"

#include "banned.h"

/* What pages (not files) may be cached for: pip and uv revalidate with
 * If-None-Match after that.  Files under files/ never change: a published
 * name is never given other bytes, nor reused after removal (repo.h). */
#define PAGE_CACHE "max-age=60"
#define FILE_CACHE "max-age=31536000, immutable"

#define TYPE_TEXT_HTML "text/html; charset=utf-8"
#define TYPE_V1_HTML "application/vnd.pypi.simple.v1+html"
#define TYPE_V1_JSON "application/vnd.pypi.simple.v1+json"

/* ---------------------------------------------------------------- */
/* replies */

static void set_status(struct serve_req *r, unsigned status,
		       struct MHD_Response *resp, uint64_t bytes)
{
	r->status = status;
	r->bytes = r->head || !resp ? 0 : bytes;
}

static int queue(struct serve_req *r, unsigned status,
		 struct MHD_Response *resp, uint64_t bytes)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	set_status(r, status, resp, bytes);
	ret = MHD_queue_response(r->c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct MHD_Response *text_response(const char *msg, size_t *len)
{
	struct MHD_Response *resp;
	size_t n = strlen(msg);
	char *body = malloc(n + 2);

	if (!body)
		return NULL;
	memcpy(body, msg, n);
	body[n] = '\n';
	body[n + 1] = '\0';
	resp = MHD_create_response_from_buffer(n + 1, body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-store");
	*len = n + 1;
	return resp;
}

int serve__reply_text(struct serve_req *r, unsigned status, const char *msg)
{
	size_t len = 0;
	struct MHD_Response *resp = text_response(msg, &len);

	if (resp && status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"tlcpack\"");
	if (resp && status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					"GET, HEAD, POST");
	return queue(r, status, resp, len);
}

static int reply_redirect(struct serve_req *r, const char *location)
{
	size_t len = 0;
	struct MHD_Response *resp = text_response(location, &len);

	if (resp)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
					location);
	return queue(r, MHD_HTTP_MOVED_PERMANENTLY, resp, len);
}

/* ---------------------------------------------------------------- */
/* HTTP fields */

static const char *header(struct serve_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}

/* RFC 9110 5.6.6 parameters and 12.4.2 qvalue: "0", "0.5", "1.000".
 * Returns the weight in thousandths, or -1 when malformed. */
static int parse_qvalue(const char *p, size_t n)
{
	int q = 0, digits = 0;

	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	q = (p[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (p[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		digits++;
		q += (p[i] - '0') * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
	}
	return q > 1000 ? -1 : q;
}

enum fmt { FMT_TEXT_HTML, FMT_V1_HTML, FMT_V1_JSON, FMT_COUNT };

static const char *const fmt_media[FMT_COUNT] = {
	"text/html", TYPE_V1_HTML, TYPE_V1_JSON,
};
static const char *const fmt_type[FMT_COUNT] = {
	TYPE_TEXT_HTML, TYPE_V1_HTML, TYPE_V1_JSON,
};

static bool span_eq(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && !strncasecmp(p, s, n);
}

/*
 * PEP 691 content negotiation on Accept (RFC 9110 12.5.1): each of our
 * types takes the weight of the most specific media range that matches it
 * (type/subtype, then type/, then star/star); q=0 means "not acceptable".
 * The highest weight wins; on a tie the more specific match, then the
 * order text/html, v1+html, v1+json, so that "*" + "/" + "*" (curl, a
 * browser) gets HTML, as PEP 691 recommends for a missing Accept.
 * Returns the format, or -1 when none is acceptable (406).
 */
static int negotiate(const char *accept)
{
	int q[FMT_COUNT], spec[FMT_COUNT], best = -1;
	const char *p = accept;

	if (!accept || !*accept)
		return FMT_TEXT_HTML;
	for (int i = 0; i < FMT_COUNT; i++) {
		q[i] = 0;
		spec[i] = -1;
	}
	while (*p) {
		const char *end = p + strcspn(p, ","), *mt, *slash, *params;
		size_t mlen;
		int w = 1000;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		mt = p;
		params = mt + strcspn(mt, ";,");
		if (params > end)
			params = end;
		mlen = (size_t)(params - mt);
		while (mlen && (mt[mlen - 1] == ' ' || mt[mlen - 1] == '\t'))
			mlen--;
		/* the q parameter, if any */
		for (const char *a = params; a < end && *a == ';';) {
			const char *an = a + 1, *ae;

			while (an < end && (*an == ' ' || *an == '\t'))
				an++;
			ae = an + strcspn(an, ";,");
			if (ae > end)
				ae = end;
			if (ae - an >= 2 && (an[0] == 'q' || an[0] == 'Q') &&
			    an[1] == '=') {
				size_t vl = (size_t)(ae - an - 2);

				while (vl && (an[2 + vl - 1] == ' ' ||
					      an[2 + vl - 1] == '\t'))
					vl--;
				w = parse_qvalue(an + 2, vl);
			}
			a = ae;
		}
		slash = memchr(mt, '/', mlen);
		if (w >= 0 && slash) {
			for (int i = 0; i < FMT_COUNT; i++) {
				const char *t = fmt_media[i];
				size_t tl = (size_t)(strchr(t, '/') - t);
				int s = -1;

				if (span_eq(mt, mlen, t))
					s = 2;
				else if (span_eq(slash, (size_t)(mt + mlen -
							slash), "/*") &&
					 (size_t)(slash - mt) == tl &&
					 !strncasecmp(mt, t, tl))
					s = 1;
				else if (span_eq(mt, mlen, "*/*"))
					s = 0;
				if (s > spec[i]) {
					spec[i] = s;
					q[i] = w;
				}
			}
		}
		p = *end ? end + 1 : end;
	}
	for (int i = 0; i < FMT_COUNT; i++) {
		if (spec[i] < 0 || q[i] == 0)
			continue;
		if (best < 0 || q[i] > q[best] ||
		    (q[i] == q[best] && spec[i] > spec[best]))
			best = i;
	}
	return best;
}

/* ?format=<type>, as PyPI takes it: overrides Accept.  -1: absent;
 * -2: not one of ours. */
static int query_format(const char *query)
{
	const char *p = query;

	while (p && *p) {
		size_t n = strcspn(p, "&");

		if (n > 7 && !strncmp(p, "format=", 7)) {
			for (int i = 0; i < FMT_COUNT; i++) {
				const char *t = fmt_media[i];

				if (strlen(t) == n - 7 &&
				    !strncmp(p + 7, t, n - 7))
					return i;
			}
			return -2;
		}
		p += n;
		if (*p)
			p++;
	}
	return -1;
}

/* Does If-None-Match (RFC 9110 13.1.2, weak comparison) match @etag? */
static bool etag_listed(const char *list, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p == '"') {
			const char *q = strchr(p + 1, '"');

			if (!q)
				return false;
			if ((size_t)(q + 1 - p) == elen &&
			    !memcmp(p, etag, elen))
				return true;
			p = q + 1;
		} else if (*p) {
			p += strcspn(p, ",");
		}
	}
	return false;
}

void serve__http_date(char *out, size_t size, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm))
		out[0] = '\0';
}

/* An IMF-fixdate (RFC 9110 5.6.7); -1 when it is not one. */
static time_t parse_http_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	return timegm(&tm);
}

/*
 * One range of a Range field (RFC 9110 14.1.2): "bytes=a-b", "bytes=a-",
 * "bytes=-n".  Returns 1 with [*off, *off + *len), 0 to send the whole
 * file (no range, a syntax we ignore as 14.2 allows, or several ranges:
 * 14.2 lets a server send 200 instead of multipart/byteranges), -1 when
 * unsatisfiable (416).
 */
static int parse_range(const char *h, uint64_t size, uint64_t *off,
		       uint64_t *len)
{
	uint64_t a = 0, b = 0;
	bool have_a = false, have_b = false;
	const char *p;

	if (!h || strncasecmp(h, "bytes=", 6))
		return 0;
	p = h + 6;
	while (*p == ' ')
		p++;
	if (strchr(p, ','))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (a > (UINT64_MAX - 9) / 10)
			return 0;
		a = a * 10 + (uint64_t)(*p - '0');
		have_a = true;
	}
	if (*p++ != '-')
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (b > (UINT64_MAX - 9) / 10)
			return 0;
		b = b * 10 + (uint64_t)(*p - '0');
		have_b = true;
	}
	while (*p == ' ')
		p++;
	if (*p || (!have_a && !have_b))
		return 0;
	if (!have_a) {		/* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return -1;
		*len = b < size ? b : size;
		*off = size - *len;
		return 1;
	}
	if (have_b && b < a)
		return 0;	/* invalid: ignored (14.1.1) */
	if (a >= size)
		return -1;
	if (!have_b || b >= size)
		b = size - 1;
	*off = a;
	*len = b - a + 1;
	return 1;
}

/* ---------------------------------------------------------------- */
/* reads */

static bool is_simple_dir(const char *rel, size_t nseg, const char **seg)
{
	(void)rel;
	/* simple, simple/<p>, <v>/simple, <v>/simple/<p> */
	if (nseg >= 1 && nseg <= 2 && !strcmp(seg[0], "simple"))
		return true;
	return nseg >= 2 && nseg <= 3 && !strcmp(seg[1], "simple");
}

static const char *file_type(const char *rel)
{
	const char *dot = strrchr(rel, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".html"))
		return TYPE_TEXT_HTML;
	if (!strcmp(dot, ".json"))
		/* the only JSON a repository holds is PEP 691 pages */
		return TYPE_V1_JSON;
	if (!strcmp(dot, ".metadata"))
		/* core metadata is UTF-8 text (PEP 658 says no type) */
		return "text/plain; charset=utf-8";
	/* wheels: PyPI's file host sends application/octet-stream too; pip
	 * and uv do not look at it */
	return "application/octet-stream";
}

/* Split @rel ("a/b/c", no leading or trailing '/') in place. */
static size_t split(char *rel, const char **seg, size_t max)
{
	size_t n = 0;
	char *p = rel;

	if (!*p)
		return 0;
	while (n < max) {
		char *sl = strchr(p, '/');

		seg[n++] = p;
		if (!sl)
			return n;
		*sl = '\0';
		p = sl + 1;
	}
	return max + 1;
}

/*
 * PEP 503: project URLs are the normalized name and end in '/'.  If the
 * project segment of [<v>/]simple/<name>[/...] is not normalized, the
 * normalized URL, else "".
 */
static int project_redirect(struct tlc_buf *loc, char *rel, bool dir,
			    const char *query)
{
	struct tlc_buf norm = TLC_BUF_INIT;
	const char *seg[8];
	char copy[1024];
	size_t n, pi;
	int rc = 0;

	if (strlen(rel) >= sizeof(copy))
		return 0;
	memcpy(copy, rel, strlen(rel) + 1);
	n = split(copy, seg, 6);
	if (n >= 2 && !strcmp(seg[0], "simple"))
		pi = 1;
	else if (n >= 3 && !strcmp(seg[1], "simple"))
		pi = 2;
	else
		return 0;
	if (n > pi + 2 || !tlc_name_valid(seg[pi]) ||
	    tlc_name_normalize(&norm, seg[pi], NULL) < 0)
		return 0;
	if (!strcmp(norm.ptr, seg[pi])) {
		tlc_buf_release(&norm);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (tlc_buf_putc(loc, '/') < 0 ||
		    tlc_buf_puts(loc, i == pi ? norm.ptr : seg[i]) < 0)
			rc = -1;
	}
	if ((n == pi + 1 || dir) && tlc_buf_putc(loc, '/') < 0)
		rc = -1;
	if (query && tlc_buf_printf(loc, "?%s", query) < 0)
		rc = -1;
	tlc_buf_release(&norm);
	return rc < 0 ? -1 : 1;
}

static int reply_not_modified(struct serve_req *r, const char *etag,
			      const char *lastmod, const char *cache,
			      bool vary)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(0, (void *)"",
						MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	if (vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
	return queue(r, MHD_HTTP_NOT_MODIFIED, resp, 0);
}

/* The headers of a file, the same whether it is sent from memory or @fd */
static void add_file_headers(struct MHD_Response *resp, const char *type,
			     const char *etag, const char *lastmod,
			     const char *cache, bool vary)
{
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (vary)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
}

/*
 * False on an error or when the file is not @size bytes now (rewritten in
 * place: a page is replaced by rename(2), so the open descriptor keeps the
 * old inode, but be safe); the caller then sends from @fd as before.  One
 * byte more than @size is asked for, so that a file that grew shows; a
 * read of a regular file that returns less than asked for stopped at its
 * end, so in the usual case this is one pread(2).
 */
bool serve__read_whole(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = pread(fd, buf + got, size + 1 - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got == size;
}

/* All of @fd in a new buffer (for MHD_RESPMEM_MUST_FREE), or NULL. */
static char *read_small(int fd, size_t size)
{
	char *buf = malloc(size + 1);

	if (buf && !serve__read_whole(fd, buf, size)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void serve__validators(const struct stat *st, char *etag, size_t esize,
		       char *lastmod, size_t lsize)
{
	/* strong: a rename puts a new inode in place, and the size and the
	 * nanoseconds of mtime tell an in-place rewrite (RFC 9110 8.8.3) */
	snprintf(etag, esize, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"",
		 (uint64_t)st->st_ino, (uint64_t)st->st_size,
		 (uint64_t)st->st_mtim.tv_sec * 1000000000u +
		 (uint64_t)st->st_mtim.tv_nsec);
	serve__http_date(lastmod, lsize, st->st_mtim.tv_sec);
}

bool serve__not_modified(const char *inm, const char *ims, const char *etag,
			 time_t mtime)
{
	/* RFC 9110 13.2.2: If-None-Match, else If-Modified-Since */
	if (inm)
		return etag_listed(inm, etag);
	return ims && parse_http_date(ims) >= 0 &&
	       mtime <= parse_http_date(ims);
}

/* Send the open regular file @fd (owned), with validators and Range. */
static int send_file(struct serve_req *r, int fd, const struct stat *st,
		     const char *type, const char *cache, bool vary)
{
	struct MHD_Response *resp;
	uint64_t size = (uint64_t)st->st_size, off = 0, len = size;
	char etag[80], lastmod[64], crange[96], *body;
	const char *range = header(r, MHD_HTTP_HEADER_RANGE);
	const char *ifrange = header(r, MHD_HTTP_HEADER_IF_RANGE);
	unsigned status = MHD_HTTP_OK;
	int rg;

	serve__validators(st, etag, sizeof(etag), lastmod, sizeof(lastmod));
	if (serve__not_modified(header(r, MHD_HTTP_HEADER_IF_NONE_MATCH),
				header(r, MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
				etag, st->st_mtim.tv_sec)) {
		close(fd);
		return reply_not_modified(r, etag, lastmod, cache, vary);
	}
	/* 13.1.5: a Range only applies if If-Range still matches */
	if (ifrange && strcmp(ifrange, etag) && strcmp(ifrange, lastmod))
		range = NULL;
	rg = parse_range(range, size, &off, &len);
	if (rg < 0) {
		size_t blen = 0;

		close(fd);
		resp = text_response("range not satisfiable", &blen);
		if (!resp)
			return MHD_NO;
		snprintf(crange, sizeof(crange), "bytes */%" PRIu64, size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
					crange);
		return queue(r, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp, blen);
	}
	/* a small whole file goes from memory (SERVE_SMALL_FILE_MAX); a
	 * HEAD or a honoured Range gains nothing from a read */
	if (!r->head && rg == 0 && size <= SERVE_SMALL_FILE_MAX &&
	    (body = read_small(fd, (size_t)size))) {
		resp = MHD_create_response_from_buffer((size_t)size, body,
						       MHD_RESPMEM_MUST_FREE);
		if (!resp) {
			free(body);
			close(fd);
			return MHD_NO;
		}
		close(fd);
		add_file_headers(resp, type, etag, lastmod, cache, vary);
		return queue(r, status, resp, size);
	}
	if (rg > 0) {
		status = MHD_HTTP_PARTIAL_CONTENT;
		snprintf(crange, sizeof(crange), "bytes %" PRIu64 "-%" PRIu64
			 "/%" PRIu64, off, off + len - 1, size);
	}
	/* MHD closes @fd when it is done with the response */
	resp = MHD_create_response_from_fd_at_offset64(len, fd, (int64_t)off);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	add_file_headers(resp, type, etag, lastmod, cache, vary);
	if (rg > 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
					crange);
	return queue(r, status, resp, len);
}

static int reply_not_acceptable(struct serve_req *r)
{
	size_t len = 0;
	struct MHD_Response *resp = text_response(
		"not acceptable: this page is available as "
		TYPE_V1_JSON ", " TYPE_V1_HTML ", text/html", &len);

	if (resp)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
	return queue(r, MHD_HTTP_NOT_ACCEPTABLE, resp, len);
}

/*
 * Where the target @uri (raw, query included) leads, for a reader whose
 * Accept is @accept (NULL: none).  One routing for both transports:
 * handle_read() below answers every outcome through libmicrohttpd;
 * serve_fast.c answers READ_FILE itself and leaves the rest to it.
 */
enum serve_read_kind serve__resolve(struct serve *s, const char *uri,
				    const char *accept, struct serve_read *rd)
{
	const char *query = strchr(uri, '?'), *seg[8];
	struct tlc_buf rel = TLC_BUF_INIT_MAX(4096);
	size_t plen = query ? (size_t)(query - uri) : strlen(uri), nseg;
	char segbuf[1024];
	bool dir = false;
	enum serve_read_kind k;
	int fmt;

	rd->fd = -1;
	rd->vary = false;
	tlc_buf_init(&rd->loc, 0);
	rd->err = (struct tlc_error)TLC_ERROR_INIT;
	if (query)
		query++;
	if (plen == 1 && uri[0] == '/')
		return READ_LANDING;
	if (tlc_urlpath_decode(&rel, &dir, uri, plen, &rd->err) < 0) {
		k = rd->err.code == TLC_ENOMEM ? READ_NOMEM : READ_BAD;
		goto out;
	}
	while (rel.len && rel.ptr[rel.len - 1] == '/')
		tlc_buf_truncate(&rel, rel.len - 1);
	switch (project_redirect(&rd->loc, rel.ptr, dir, query)) {
	case 1:
		k = READ_REDIRECT;
		goto out;
	case -1:
		k = READ_NOMEM;
		goto out;
	}
	snprintf(rd->cache, sizeof(rd->cache), "%s, %s",
		 s->o.private ? "private" : "public",
		 !strncmp(rel.ptr, "files/", 6) ? FILE_CACHE : PAGE_CACHE);

	k = READ_NOT_FOUND;
	if (rel.len >= sizeof(segbuf))
		goto out;
	memcpy(segbuf, rel.ptr, rel.len + 1);
	nseg = split(segbuf, seg, 6);
	if (dir) {
		/* only the index pages are directories one may ask for */
		if (!is_simple_dir(rel.ptr, nseg, seg))
			goto out;
		fmt = query_format(query);
		if (fmt == -1)
			fmt = negotiate(accept);
		if (fmt < 0) {
			k = READ_NOT_ACCEPTABLE;
			goto out;
		}
		if (tlc_buf_puts(&rel, fmt == FMT_V1_JSON ? "/index.json" :
				 "/index.html") < 0) {
			k = READ_NOMEM;
			goto out;
		}
		rd->type = fmt_type[fmt];
		rd->vary = true;
	} else {
		rd->type = file_type(rel.ptr);
	}
	rd->fd = tlc_urlpath_open(s->rootfd, rel.ptr, O_RDONLY | O_CLOEXEC,
				  &rd->err);
	if (rd->fd < 0 || fstat(rd->fd, &rd->st) < 0)
		goto out;
	if (S_ISDIR(rd->st.st_mode) && !dir &&
	    is_simple_dir(rel.ptr, nseg, seg)) {
		/* PEP 503: ".../simple/foo" -> ".../simple/foo/" */
		if (tlc_buf_put(&rd->loc, uri, plen) < 0 ||
		    tlc_buf_putc(&rd->loc, '/') < 0 ||
		    (query && tlc_buf_printf(&rd->loc, "?%s", query) < 0))
			k = READ_NOMEM;
		else
			k = READ_REDIRECT;
		goto out;
	}
	if (S_ISREG(rd->st.st_mode))
		k = READ_FILE;
out:
	if (k != READ_FILE && rd->fd >= 0) {
		close(rd->fd);
		rd->fd = -1;
	}
	tlc_buf_release(&rel);
	return k;
}

static int handle_read(struct serve_req *r)
{
	struct serve_read rd;
	int ret;

	switch (serve__resolve(r->s, r->uri,
			       header(r, MHD_HTTP_HEADER_ACCEPT), &rd)) {
	case READ_FILE:
		ret = send_file(r, rd.fd, &rd.st, rd.type, rd.cache, rd.vary);
		break;
	case READ_LANDING:
		ret = serve__landing(r, r->head);
		break;
	case READ_REDIRECT:
		ret = reply_redirect(r, rd.loc.ptr);
		break;
	case READ_NOT_FOUND:
		ret = serve__reply_text(r, MHD_HTTP_NOT_FOUND, "not found");
		break;
	case READ_NOT_ACCEPTABLE:
		ret = reply_not_acceptable(r);
		break;
	case READ_BAD:
		ret = serve__reply_text(r, rd.err.code == TLC_ETOOBIG ?
					MHD_HTTP_URI_TOO_LONG :
					MHD_HTTP_BAD_REQUEST, rd.err.msg);
		break;
	default:
		ret = MHD_NO;
		break;
	}
	tlc_buf_release(&rd.loc);
	return ret;
}

/* ---------------------------------------------------------------- */
/* the access handler */

struct field_count {
	unsigned content_length;
	unsigned transfer_encoding;
};

static enum MHD_Result count_fields(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *value)
{
	struct field_count *fc = cls;

	(void)kind;
	(void)value;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		fc->content_length++;
	else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		fc->transfer_encoding++;
	return MHD_YES;
}

/* RFC 9112 6.3 item 3 and 6.3 item 5: a message with both fields, or with
 * Content-Length twice, is how requests are smuggled past a proxy. */
static const char *request_smuggling(struct serve_req *r)
{
	struct field_count fc = { 0, 0 };

	MHD_get_connection_values(r->c, MHD_HEADER_KIND, count_fields, &fc);
	if (fc.content_length && fc.transfer_encoding)
		return "a request may not have both Content-Length and "
		       "Transfer-Encoding (RFC 9112 6.3)";
	if (fc.content_length > 1)
		return "a request may have one Content-Length (RFC 9112 6.3)";
	if (fc.transfer_encoding > 1)
		return "a request may have one Transfer-Encoding";
	return NULL;
}

static char *copy_field(struct serve_req *r, const char *name)
{
	const char *v = header(r, name);

	return v ? strndup(v, 512) : NULL;
}

/* Reads need credentials with --private. */
static bool read_allowed(struct serve_req *r)
{
	struct tlc_auth_identity who;

	if (!r->s->o.private)
		return true;
	if (tlc_auth_check(r->s->o.auth, header(r,
			   MHD_HTTP_HEADER_AUTHORIZATION), &who) !=
	    TLC_AUTH_OK)
		return false;
	snprintf(r->user, sizeof(r->user), "%s", who.name);
	return true;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *c,
				      const char *url, const char *method,
				      const char *version,
				      const char *upload_data,
				      size_t *upload_data_size, void **req_cls)
{
	struct serve_req *r = *req_cls;
	const char *bad;

	(void)cls;
	(void)url;
	if (!r)
		return MHD_NO;
	if (!r->started) {
		r->started = true;
		r->c = c;
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->version, sizeof(r->version), "%s", version);
		r->referer = copy_field(r, MHD_HTTP_HEADER_REFERER);
		r->agent = copy_field(r, MHD_HTTP_HEADER_USER_AGENT);
		r->head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
		/* answered on this first call, MHD 0.9.75 closes the
		 * connection (it cannot know the body was read), which is
		 * what a request that smuggles wants */
		if ((bad = request_smuggling(r)))
			return serve__reply_text(r, MHD_HTTP_BAD_REQUEST, bad);
		if (strcmp(method, MHD_HTTP_METHOD_POST))
			/* reads answer on the next call, which keeps the
			 * connection alive */
			return MHD_YES;
	}
	if (!strcmp(method, MHD_HTTP_METHOD_POST)) {
		const char *q = strchr(r->uri, '?');
		size_t n = q ? (size_t)(q - r->uri) : strlen(r->uri);
		char path[64];

		snprintf(path, sizeof(path), "%.*s", (int)(n < 63 ? n : 63),
			 r->uri);
		return serve__post(r, path, upload_data, upload_data_size);
	}
	if (*upload_data_size) {
		/* a body on a read: drop it */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!r->head && strcmp(method, MHD_HTTP_METHOD_GET))
		return serve__reply_text(r, MHD_HTTP_METHOD_NOT_ALLOWED,
					 "method not allowed");
	if (!read_allowed(r))
		return serve__reply_text(r, MHD_HTTP_UNAUTHORIZED,
					 "this repository needs credentials");
	return handle_read(r);
}

/* Every request starts here (MHD_OPTION_URI_LOG_CALLBACK): its state. */
static void *request_begin(void *cls, const char *uri,
			   struct MHD_Connection *c)
{
	struct serve *s = cls;
	struct serve_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (!(r->uri = strdup(uri))) {
		free(r);
		return NULL;
	}
	r->s = s;
	r->c = c;
	r->when = time(NULL);
	r->status = 500;
	atomic_fetch_add(&s->inflight, 1);
	return r;
}

void serve__format_addr(const struct sockaddr *sa, size_t salen, char *out,
			size_t size)
{
	snprintf(out, size, "-");
	if (sa && getnameinfo(sa, (socklen_t)salen, out, (socklen_t)size,
			      NULL, 0, NI_NUMERICHOST))
		snprintf(out, size, "-");
}

static const struct sockaddr *client_sockaddr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci ? ci->client_addr : NULL;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t size)
{
	const struct sockaddr *sa = client_sockaddr(c);

	serve__format_addr(sa, sa && sa->sa_family == AF_INET6 ?
			   sizeof(struct sockaddr_in6) :
			   sizeof(struct sockaddr_in), out, size);
}

/* Every connection MHD has was handed to it by serve_fast.c, which
 * counts it against --per-ip until it closes. */
static void connection_notify(void *cls, struct MHD_Connection *c,
			      void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct serve *s = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = s;
	else if (*socket_context)
		serve__fast_closed(s->fast, client_sockaddr(c));
}

static void request_end(void *cls, struct MHD_Connection *c, void **req_cls,
			enum MHD_RequestTerminationCode toe)
{
	struct serve *s = cls;
	struct serve_req *r = *req_cls;
	char addr[64];

	if (!r)
		return;
	*req_cls = NULL;
	if (s->o.log) {
		struct http_log_entry e = {
			.addr = addr,
			.user = r->user[0] ? r->user : NULL,
			.when = r->when,
			.method = r->method[0] ? r->method : "-",
			.uri = r->uri,
			.version = r->version[0] ? r->version : "-",
			/* not completed: 499 as nginx logs a client that
			 * went away; never handed to us: MHD refused it
			 * itself (400, 414 or 431; it does not say which) */
			.status = !r->started ? 400 :
				  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
				  r->status : 499,
			.bytes = r->bytes,
			.referer = r->referer,
			.agent = r->agent,
		};

		client_addr(c, addr, sizeof(addr));
		http_log_write(s->o.log, &e);
	}
	serve__post_release(r);
	free(r->referer);
	free(r->agent);
	free(r->uri);
	free(r);
	atomic_fetch_sub(&s->inflight, 1);
}

/* Take the target as sent: tlc_urlpath_decode() decodes it, once. */
static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("tlcpack: serve: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---------------------------------------------------------------- */
/* the daemon */

static int bind_socket(int *out, char *url, size_t urlsize,
		       const struct serve_opts *o, struct tlc_error *err)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char port[16], host[NI_MAXHOST], serv[NI_MAXSERV];
	int fd = -1, one = 1, rc, saved = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%u", o->port);
	if ((rc = getaddrinfo(o->host, port, &hints, &res)))
		return tlc_error_set(err, TLC_EIO, "cannot resolve '%s': %s",
				     o->host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
			    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) &&
		    !listen(fd, 1024))
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = saved;
		return tlc_error_errno(err, TLC_EIO, "cannot listen on "
				       "'%s:%u'", o->host, o->port);
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
			sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) {
		close(fd);
		return tlc_error_errno(err, TLC_EIO, "cannot read the bound "
				       "address");
	}
	snprintf(url, urlsize, "http://%s%s%s:%s/",
		 ss.ss_family == AF_INET6 ? "[" : "", host,
		 ss.ss_family == AF_INET6 ? "]" : "", serv);
	*out = fd;
	return 0;
}

void *serve__publisher(void *data);

int serve_start(struct serve **out, char *url, size_t urlsize,
		const struct serve_opts *o, struct tlc_error *err)
{
	struct serve *s;
	int lfd = -1, pair[2], rc;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = o->threads ? o->threads :
			   ncpu > 0 ? (unsigned)ncpu : 1;
	struct stat st;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	s->o = *o;
	s->rootfd = -1;
	pthread_mutex_init(&s->landing_lock, NULL);
	pthread_mutex_init(&s->queue_lock, NULL);
	pthread_cond_init(&s->queue_cond, NULL);
	tlc_buf_init(&s->landing, 0);
	if (!(s->repo = strdup(o->repo))) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto fail;
	}
	s->rootfd = open(o->repo, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0 && errno == ENOENT) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "no repository '%s' "
				   "('tlcpack index --init --repo %s' makes an "
				   "empty one)", o->repo, o->repo);
		goto fail;
	}
	if (s->rootfd < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open repository "
				     "'%s'", o->repo);
		goto fail;
	}
	if (fstatat(s->rootfd, ".tlcpack", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "'%s' is not a "
				   "repository (no .tlcpack/; 'tlcpack index "
				   "--init --repo %s' makes an empty one)",
				   o->repo, o->repo);
		goto fail;
	}
	if ((rc = pthread_create(&s->publisher, NULL, serve__publisher, s))) {
		errno = rc;
		rc = tlc_error_errno(err, TLC_EIO, "cannot start a thread");
		goto fail;
	}
	s->publisher_started = true;
	if ((rc = bind_socket(&lfd, url, urlsize, o, err)) < 0)
		goto fail;
	/*
	 * MHD makes its thread pool only around a listening socket; it
	 * gets one end of a socketpair, which no client can reach, and
	 * gives it back at once (MHD_quiesce_daemon()): serve_fast.c
	 * accepts every connection and hands MHD those it does not answer.
	 * Its per-address limit is off, as serve_fast.c counts them all.
	 *
	 * MHD_USE_TURBO: reads and writes are tried before epoll says the
	 * socket is ready, which saves an epoll round per 128 KiB that MHD
	 * sends of a file (its sendfile() chunk).  It also skips shutdown()
	 * before close(), which the hostile tests' early refusals (413
	 * before the body) do not need.
	 */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot make a socketpair");
		close(lfd);
		goto fail;
	}
	s->d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_TURBO,
		0, NULL, NULL, access_handler, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,	/* first */
		MHD_OPTION_LISTEN_SOCKET, pair[0],
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
		/* the request line and all header fields must fit here:
		 * longer ones get 414 or 431 */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, request_begin, s,
		MHD_OPTION_NOTIFY_COMPLETED, request_end, s,
		MHD_OPTION_NOTIFY_CONNECTION, connection_notify, s,
		MHD_OPTION_END);
	if (s->d)
		MHD_quiesce_daemon(s->d);
	close(pair[0]);
	close(pair[1]);
	if (!s->d) {
		close(lfd);
		rc = tlc_error_set(err, TLC_EIO, "cannot start the HTTP "
				   "server");
		goto fail;
	}
	if ((rc = serve__fast_start(&s->fast, s, lfd, threads, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	serve_stop(s);
	return rc;
}

void serve_quiesce(struct serve *s)
{
	serve__fast_quiesce(s->fast);
}

unsigned serve_inflight(struct serve *s)
{
	return atomic_load(&s->inflight);
}

void serve_stop(struct serve *s)
{
	if (!s)
		return;
	/* what it holds, and the hand-offs to MHD, end first; its count
	 * of connections per address lives on while MHD closes its own
	 * (connection_notify()) */
	serve__fast_stop(s->fast);
	/* the publisher next: it resumes the connection it works for, so
	 * that connection must still exist; MHD then closes the suspended
	 * ones still queued (request_end() frees their uploads) */
	if (s->publisher_started) {
		pthread_mutex_lock(&s->queue_lock);
		s->stopping = true;
		pthread_cond_broadcast(&s->queue_cond);
		pthread_mutex_unlock(&s->queue_lock);
		pthread_join(s->publisher, NULL);
	}
	if (s->d)
		MHD_stop_daemon(s->d);
	serve__fast_free(s->fast);
	if (s->rootfd >= 0)
		close(s->rootfd);
	tlc_buf_release(&s->landing);
	pthread_mutex_destroy(&s->landing_lock);
	pthread_mutex_destroy(&s->queue_lock);
	pthread_cond_destroy(&s->queue_cond);
	free(s->repo);
	free(s);
}
