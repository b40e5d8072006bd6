/*
 * A streaming multipart/form-data parser.
 *
 * Specs: RFC 2046 5.1.1 (the body: preamble, "--boundary" delimiters that
 * follow a CRLF, transport padding, the close delimiter "--boundary--",
 * the epilogue), RFC 7578 (form-data: Content-Disposition with name= and
 * filename=), RFC 9110 5.1, 5.5, 5.6 (field names, values, tokens,
 * quoted-strings, parameters), RFC 9112 5.1 and 5.2 (no whitespace before
 * ':', no obsolete line folding), RFC 5322 2.2 (header lines end in CRLF).
 *
 * The delimiter is searched as "\r\n--boundary" with memmem() over each
 * slice; a slice that ends inside a possible delimiter holds those bytes
 * back until the next one.  The delimiter holds a CR only in its first
 * byte, so bytes held back are always a prefix of it, and a mismatch
 * never has to look back (no partial self-overlap, in KMP's terms).  The
 * body starts as if after a CRLF, so that a first delimiter at its very
 * start is seen (RFC 2046: "[preamble CRLF] dash-boundary").
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlcpack/multipart.h"

#include "text.h"

#include "banned.h"

#define DEFAULT_MAX_PARTS 64
#define DEFAULT_MAX_HEADER_BYTES 8192
#define QUOTE_MAX 40
#define DELIM_MAX (4 + TLC_MULTIPART_BOUNDARY_MAX)

enum state {
	S_PREAMBLE,	/* before the first delimiter: ignored */
	S_DELIM_LINE,	/* after a delimiter: "--", or padding and CRLF */
	S_HEADERS,	/* a part's header block */
	S_BODY,		/* a part's data */
	S_EPILOGUE,	/* after the close delimiter: ignored */
	S_FAILED,
};

enum line {
	L_START,	/* right after "--boundary" */
	L_DASH,		/* one '-' of "--" */
	L_PAD,		/* transport padding */
	L_CR,		/* the CR of the line's CRLF */
};

struct tlc_multipart {
	struct tlc_multipart_callbacks cb;
	void *data;
	size_t max_parts;
	size_t max_header;
	enum state state;
	enum line line;
	bool in_part;
	size_t nparts;

	char delim[DELIM_MAX + 1];	/* "\r\n--" boundary */
	size_t dlen;
	size_t nhold;	/* delim[0, nhold) ended the last slice */

	char *hdr;	/* "\r\n" then the header block, max_header bytes */
	size_t hdr_len;
	char *vals;	/* the part's strings, unquoted */
	struct tlc_multipart_part part;

	int failed_rc;
	struct tlc_error failed;
};

/* RFC 2046 5.1.1 bcharsnospace, and " " (which cannot end a boundary) */
static bool is_bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("'()+_,-./:=? ", c));
}

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool ieq(const char *p, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncasecmp(p, lit, n);
}

/* Why @b (@n bytes) is not an RFC 2046 5.1.1 boundary, or NULL. */
static const char *boundary_problem(const char *b, size_t n)
{
	if (n == 0)
		return "is empty";
	if (n > TLC_MULTIPART_BOUNDARY_MAX)
		return "is longer than 70 characters";
	for (size_t i = 0; i < n; i++)
		if (!is_bchar(b[i]))
			return "holds a character outside the bchars set";
	if (b[n - 1] == ' ')
		return "ends in a space";
	return NULL;
}

static int boundary_check(const char *b, size_t n, struct tlc_error *err)
{
	const char *why = boundary_problem(b, n);
	char q[QUOTE_MAX * 4 + 8];

	if (!why)
		return 0;
	tlc__quote(q, sizeof(q), b, n, QUOTE_MAX);
	return tlc_error_set(err, TLC_EPOLICY,
			     "multipart boundary '%s' %s (RFC 2046 5.1.1)", q,
			     why);
}

/* ---- parameters: RFC 9110 5.6.6 ---- */

struct cursor {
	const char *p;
	const char *end;
};

static void skip_ows(struct cursor *c)
{
	while (c->p < c->end && is_ows(*c->p))
		c->p++;
}

static size_t token_len(const struct cursor *c)
{
	size_t n = 0;

	while (c->p + n < c->end && is_tchar(c->p[n]))
		n++;
	return n;
}

/* RFC 9110 5.6.4 qdtext and quoted-pair's second byte, less the quote and
 * backslash for qdtext; obs-text (0x80-0xff) allowed */
static bool is_qchar(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

/*
 * Read one parameter: ";" OWS name "=" value, the value a token or a
 * quoted-string (kept raw, quotes and all).  @what names the header for
 * messages.
 *
 * @return 1 with a parameter, 0 at the end, or TLC_EPOLICY
 */
static int next_param(struct cursor *c, const char **name, size_t *nlen,
		      const char **val, size_t *vlen, const char *what,
		      struct tlc_error *err)
{
	size_t n;

	skip_ows(c);
	if (c->p == c->end)
		return 0;
	if (*c->p != ';')
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: expected ';' before a parameter "
				     "(RFC 9110 5.6.6)", what);
	c->p++;
	skip_ows(c);
	if (c->p == c->end)
		return 0;	/* a trailing ';' is harmless */
	if (!(n = token_len(c)))
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: a parameter name must be a token "
				     "(RFC 9110 5.6.6)", what);
	*name = c->p;
	*nlen = n;
	c->p += n;
	if (c->p == c->end || *c->p != '=')
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: parameter '%.*s' needs '=' right "
				     "after its name (RFC 9110 5.6.6)", what,
				     (int)n, *name);
	c->p++;
	*val = c->p;
	if (c->p < c->end && *c->p == '"') {
		for (c->p++;; c->p++) {
			/* a backslash escapes the next byte, if any */
			if (c->p < c->end && *c->p == '\\')
				c->p++;
			else if (c->p < c->end && *c->p == '"')
				break;
			if (c->p == c->end)
				return tlc_error_set(err, TLC_EPOLICY,
						     "%s: unterminated quoted "
						     "string (RFC 9110 5.6.4)",
						     what);
			if (!is_qchar(*c->p))
				return tlc_error_set(err, TLC_EPOLICY,
						     "%s: control character "
						     "in quoted string "
						     "(RFC 9110 5.6.4)", what);
		}
		c->p++;
	} else if (!(n = token_len(c))) {
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: parameter '%.*s' needs a token or "
				     "quoted-string value (RFC 9110 5.6.6)",
				     what, (int)*nlen, *name);
	} else {
		c->p += n;
	}
	*vlen = (size_t)(c->p - *val);
	return 1;
}

/* Write the value @v (@n bytes, as next_param gave it) unquoted to @out,
 * NUL-terminated; @out has room for @n + 1 bytes.  @return its length */
static size_t unquote(char *out, const char *v, size_t n)
{
	size_t o = 0;

	if (n && v[0] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (v[i] == '\\')
				i++;
			out[o++] = v[i];
		}
	} else {
		memcpy(out, v, n);
		o = n;
	}
	out[o] = '\0';
	return o;
}

int tlc_multipart_boundary(const char *content_type, char *out, size_t size,
			   struct tlc_error *err)
{
	static const char what[] = "Content-Type";
	struct cursor c = { content_type, content_type + strlen(content_type) };
	char b[DELIM_MAX * 4], q[QUOTE_MAX * 4 + 8];
	const char *name, *val, *type;
	size_t nlen, vlen, blen = 0;
	bool found = false;
	int rc;

	skip_ows(&c);
	type = c.p;
	c.p += token_len(&c);
	if (c.p < c.end && *c.p == '/') {
		c.p++;
		c.p += token_len(&c);
	}
	if (!ieq(type, (size_t)(c.p - type), "multipart/form-data")) {
		tlc__quote(q, sizeof(q), type, strlen(type), QUOTE_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "Content-Type '%s' is not "
				     "multipart/form-data (RFC 7578 4)", q);
	}
	while ((rc = next_param(&c, &name, &nlen, &val, &vlen, what,
				err)) == 1) {
		if (!ieq(name, nlen, "boundary"))
			continue;
		if (found)
			return tlc_error_set(err, TLC_EPOLICY,
					     "Content-Type has two boundary "
					     "parameters (RFC 2046 5.1.1)");
		found = true;
		if (vlen >= sizeof(b))
			return tlc_error_set(err, TLC_EPOLICY,
					     "multipart boundary is longer "
					     "than 70 characters "
					     "(RFC 2046 5.1.1)");
		blen = unquote(b, val, vlen);
	}
	if (rc < 0)
		return rc;
	if (!found)
		return tlc_error_set(err, TLC_EPOLICY,
				     "Content-Type multipart/form-data has no "
				     "boundary parameter (RFC 7578 4.1)");
	if ((rc = boundary_check(b, blen, err)) < 0)
		return rc;
	if (blen >= size)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "multipart boundary does not fit in %zu "
				     "bytes", size);
	memcpy(out, b, blen + 1);
	return 0;
}

int tlc_multipart_new(struct tlc_multipart **out, const char *boundary,
		      const struct tlc_multipart_limits *limits,
		      const struct tlc_multipart_callbacks *cb, void *data,
		      struct tlc_error *err)
{
	struct tlc_multipart *mp;
	size_t blen = strlen(boundary);
	int rc;

	assert(cb && cb->part_begin && cb->part_data && cb->part_end);
	*out = NULL;
	if ((rc = boundary_check(boundary, blen, err)) < 0)
		return rc;
	if (!(mp = calloc(1, sizeof(*mp))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	mp->cb = *cb;
	mp->data = data;
	mp->max_parts = limits && limits->max_parts ? limits->max_parts :
			DEFAULT_MAX_PARTS;
	mp->max_header = limits && limits->max_header_bytes ?
			 limits->max_header_bytes : DEFAULT_MAX_HEADER_BYTES;
	if (mp->max_header > SIZE_MAX / 2 - 16 ||
	    !(mp->hdr = malloc(mp->max_header + 2)) ||
	    !(mp->vals = malloc(mp->max_header + 8))) {
		tlc_multipart_free(mp);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, blen + 1);
	mp->dlen = 4 + blen;
	mp->state = S_PREAMBLE;
	mp->nhold = 2;		/* the body starts as if after a CRLF */
	*out = mp;
	return 0;
}

void tlc_multipart_free(struct tlc_multipart *mp)
{
	if (!mp)
		return;
	free(mp->hdr);
	free(mp->vals);
	free(mp);
}

bool tlc_multipart_done(const struct tlc_multipart *mp)
{
	return mp->state == S_EPILOGUE;
}

/* ---- the data path ---- */

static int emit(struct tlc_multipart *mp, const char *p, size_t n,
		struct tlc_error *err)
{
	if (mp->state != S_BODY || n == 0)
		return 0;
	return mp->cb.part_data(mp->data, p, n, err);
}

/* The length of the longest suffix of [p, p + n) that is a proper prefix
 * of the delimiter: it can only start at the last CR. */
static size_t held_tail(const struct tlc_multipart *mp, const char *p,
			size_t n)
{
	size_t w = n < mp->dlen - 1 ? n : mp->dlen - 1;
	const char *cr = memrchr(p + n - w, '\r', w);
	size_t k;

	if (!cr)
		return 0;
	k = (size_t)(p + n - cr);
	return memcmp(cr, mp->delim, k) ? 0 : k;
}

/*
 * Preamble or part data up to the next delimiter: @used set to the bytes
 * taken (the delimiter's included when one was found, and then the state
 * moves on to S_DELIM_LINE).
 */
static int scan(struct tlc_multipart *mp, const char *p, size_t n,
		size_t *used, struct tlc_error *err)
{
	const char *hit;
	size_t keep;
	int rc;

	if (mp->nhold) {
		size_t need = mp->dlen - mp->nhold, k = 0;

		while (k < need && k < n && p[k] == mp->delim[mp->nhold + k])
			k++;
		if (k == need) {
			mp->nhold = 0;
			mp->state = S_DELIM_LINE;
			mp->line = L_START;
			*used = k;
			return 0;
		}
		if (k == n) {
			mp->nhold += k;
			*used = n;
			return 0;
		}
		/* Not a delimiter: what was held is data, and p[0, k)
		 * holds no CR, so the search starts again at p. */
		keep = mp->nhold;
		mp->nhold = 0;
		if ((rc = emit(mp, mp->delim, keep, err)) < 0)
			return rc;
	}
	hit = memmem(p, n, mp->delim, mp->dlen);
	if (hit) {
		if ((rc = emit(mp, p, (size_t)(hit - p), err)) < 0)
			return rc;
		mp->state = S_DELIM_LINE;
		mp->line = L_START;
		*used = (size_t)(hit - p) + mp->dlen;
		return 0;
	}
	keep = held_tail(mp, p, n);
	if ((rc = emit(mp, p, n - keep, err)) < 0)
		return rc;
	mp->nhold = keep;
	*used = n;
	return 0;
}

static int start_headers(struct tlc_multipart *mp, struct tlc_error *err)
{
	if (mp->nparts == mp->max_parts)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "form has more than %zu parts",
				     mp->max_parts);
	mp->nparts++;
	memcpy(mp->hdr, "\r\n", 2);
	mp->hdr_len = 2;
	mp->state = S_HEADERS;
	return 0;
}

static int end_part(struct tlc_multipart *mp, struct tlc_error *err)
{
	if (!mp->in_part)
		return 0;
	mp->in_part = false;
	return mp->cb.part_end(mp->data, err);
}

/* One byte of the rest of a delimiter line (RFC 2046 5.1.1):
 * delimiter transport-padding CRLF, or close-delimiter. */
static int delim_line(struct tlc_multipart *mp, char c, struct tlc_error *err)
{
	char q[16];
	int rc;

	switch (mp->line) {
	case L_START:
		if (c == '-') {
			mp->line = L_DASH;
			return 0;
		}
		/* fall through */
	case L_PAD:
		if (is_ows(c)) {
			mp->line = L_PAD;
			return 0;
		}
		if (c == '\r') {
			mp->line = L_CR;
			return 0;
		}
		break;
	case L_DASH:
		if (c != '-')
			break;
		if (!mp->nparts)
			return tlc_error_set(err, TLC_EPOLICY,
					     "multipart body has no parts "
					     "(RFC 2046 5.1.1)");
		if ((rc = end_part(mp, err)) < 0)
			return rc;
		mp->state = S_EPILOGUE;
		return 0;
	case L_CR:
		if (c != '\n')
			break;
		if ((rc = end_part(mp, err)) < 0)
			return rc;
		return start_headers(mp, err);
	}
	tlc__quote(q, sizeof(q), &c, 1, 1);
	return tlc_error_set(err, TLC_EPOLICY,
			     "multipart delimiter '--%s' is followed by '%s', "
			     "not CRLF or '--' (RFC 2046 5.1.1)",
			     mp->delim + 4, q);
}

/* ---- part headers ---- */

struct hdr_state {
	char *o;	/* next free byte of mp->vals */
	bool disposition;
	bool type;
};

/* Content-Disposition: form-data; name="..."; filename="..." (RFC 7578
 * 4.2) */
static int parse_disposition(struct tlc_multipart *mp, struct hdr_state *hs,
			     const char *v, size_t n, struct tlc_error *err)
{
	static const char what[] = "Content-Disposition";
	struct cursor c = { v, v + n };
	const char *name, *val;
	size_t nlen, vlen, tlen = token_len(&c);
	int rc;

	if (!ieq(v, tlen, "form-data"))
		return tlc_error_set(err, TLC_EPOLICY,
				     "Content-Disposition of a form part must "
				     "be 'form-data' (RFC 7578 4.2)");
	c.p += tlen;
	while ((rc = next_param(&c, &name, &nlen, &val, &vlen, what,
				err)) == 1) {
		const char **slot;

		if (ieq(name, nlen, "name"))
			slot = &mp->part.name;
		else if (ieq(name, nlen, "filename"))
			slot = &mp->part.filename;
		else if (nlen && name[nlen - 1] == '*')
			return tlc_error_set(err, TLC_EPOLICY,
					     "Content-Disposition parameter "
					     "'%.*s' (RFC 5987 encoding) is "
					     "not supported: RFC 7578 4.2 "
					     "says not to use it",
					     (int)nlen, name);
		else
			continue;
		if (*slot)
			return tlc_error_set(err, TLC_EPOLICY,
					     "Content-Disposition has two "
					     "'%.*s' parameters (RFC 7578 4.2)",
					     (int)nlen, name);
		*slot = hs->o;
		hs->o += unquote(hs->o, val, vlen) + 1;
	}
	if (rc < 0)
		return rc;
	if (!mp->part.name)
		return tlc_error_set(err, TLC_EPOLICY,
				     "Content-Disposition of a form part has "
				     "no name parameter (RFC 7578 4.2)");
	return 0;
}

/* The bytes of one header line @l (@n bytes, no CRLF): RFC 9110 5.5
 * field-value characters, no obsolete folding. */
static int check_line(const char *l, size_t n, struct tlc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)l[i];

		if (ch == '\0')
			return tlc_error_set(err, TLC_EPOLICY,
					     "NUL in a part header "
					     "(RFC 9110 5.5)");
		if (ch == '\r')
			return tlc_error_set(err, TLC_EPOLICY,
					     "CR without LF in a part header "
					     "(RFC 5322 2.2)");
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return tlc_error_set(err, TLC_EPOLICY,
					     "control character 0x%02x in a "
					     "part header (RFC 9110 5.5)", ch);
	}
	if (n && is_ows(l[0]))
		return tlc_error_set(err, TLC_EPOLICY,
				     "obsolete line folding in a part header "
				     "(RFC 9112 5.2)");
	return 0;
}

/* One header line @l (@n bytes, no CRLF, checked): RFC 9110 5.1
 * field-name ":" OWS field-value OWS. */
static int parse_field(struct tlc_multipart *mp, struct hdr_state *hs,
		       const char *l, size_t n, struct tlc_error *err)
{
	struct cursor c = { l, l + n };
	const char *v, *e;
	size_t nlen;

	nlen = token_len(&c);
	c.p += nlen;
	if (c.p < c.end && is_ows(*c.p))
		return tlc_error_set(err, TLC_EPOLICY,
				     "whitespace before ':' in a part header "
				     "(RFC 9112 5.1)");
	if (!nlen || c.p == c.end || *c.p != ':')
		return tlc_error_set(err, TLC_EPOLICY,
				     "part header line is not 'name: value' "
				     "(RFC 9110 5.1)");
	c.p++;
	skip_ows(&c);
	v = c.p;
	for (e = c.end; e > v && is_ows(e[-1]); e--)
		;
	if (ieq(l, nlen, "Content-Disposition")) {
		if (hs->disposition)
			return tlc_error_set(err, TLC_EPOLICY,
					     "form part has two "
					     "Content-Disposition headers "
					     "(RFC 7578 4.2)");
		hs->disposition = true;
		return parse_disposition(mp, hs, v, (size_t)(e - v), err);
	}
	if (ieq(l, nlen, "Content-Type")) {
		if (hs->type)
			return tlc_error_set(err, TLC_EPOLICY,
					     "form part has two Content-Type "
					     "headers (RFC 7578 4.4)");
		if (e == v)
			return tlc_error_set(err, TLC_EPOLICY,
					     "form part has an empty "
					     "Content-Type (RFC 7578 4.4)");
		hs->type = true;
		mp->part.content_type = hs->o;
		memcpy(hs->o, v, (size_t)(e - v));
		hs->o[e - v] = '\0';
		hs->o += (e - v) + 1;
		return 0;
	}
	if (ieq(l, nlen, "Content-Transfer-Encoding") &&
	    !ieq(v, (size_t)(e - v), "binary") &&
	    !ieq(v, (size_t)(e - v), "8bit") &&
	    !ieq(v, (size_t)(e - v), "7bit")) {
		char q[QUOTE_MAX * 4 + 8];

		tlc__quote(q, sizeof(q), v, (size_t)(e - v), QUOTE_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "Content-Transfer-Encoding '%s' is not "
				     "supported (RFC 7578 4.7)", q);
	}
	return 0;		/* other fields are ignored (RFC 7578 4.8) */
}

/*
 * The header block [b, b + n), each line ended by CRLF: every line is
 * checked first, so that a folded or broken line is named as such rather
 * than by what it does to the field before it.
 */
static int parse_headers(struct tlc_multipart *mp, const char *b, size_t n,
			 struct tlc_error *err)
{
	struct hdr_state hs = { mp->vals, false, false };
	const char *end = b + n, *l, *lf;
	int rc;

	for (l = b; l < end; l = lf + 1) {
		lf = memchr(l, '\n', (size_t)(end - l));
		assert(lf);	/* the block ends in CRLF */
		if (lf == l || lf[-1] != '\r')
			return tlc_error_set(err, TLC_EPOLICY,
					     "LF without CR in a part header "
					     "(RFC 5322 2.2)");
		if ((rc = check_line(l, (size_t)(lf - 1 - l), err)) < 0)
			return rc;
	}
	memset(&mp->part, 0, sizeof(mp->part));
	for (l = b; l < end; l = lf + 1) {
		lf = memchr(l, '\n', (size_t)(end - l));
		if ((rc = parse_field(mp, &hs, l, (size_t)(lf - 1 - l),
				      err)) < 0)
			return rc;
	}
	if (!hs.disposition)
		return tlc_error_set(err, TLC_EPOLICY,
				     "form part has no Content-Disposition "
				     "header (RFC 7578 4.2)");
	assert(hs.o <= mp->vals + mp->max_header + 8);
	return 0;
}

/* Collect the header block up to its empty line; parse it, begin the
 * part. */
static int headers(struct tlc_multipart *mp, const char *p, size_t n,
		   size_t *used, struct tlc_error *err)
{
	size_t old = mp->hdr_len, room = mp->max_header + 2 - old;
	size_t take = n < room ? n : room, from = old >= 3 ? old - 3 : 0;
	const char *end;
	int rc;

	memcpy(mp->hdr + old, p, take);
	mp->hdr_len += take;
	end = memmem(mp->hdr + from, mp->hdr_len - from, "\r\n\r\n", 4);
	if (!end) {
		if (mp->hdr_len == mp->max_header + 2)
			return tlc_error_set(err, TLC_ETOOBIG,
					     "part header block is longer "
					     "than %zu bytes", mp->max_header);
		*used = take;
		return 0;
	}
	*used = (size_t)(end - mp->hdr) + 4 - old;
	/* the lines, each with its CRLF, after the "\r\n" put in front */
	if ((rc = parse_headers(mp, mp->hdr + 2,
				(size_t)(end - mp->hdr), err)) < 0)
		return rc;
	if ((rc = mp->cb.part_begin(mp->data, &mp->part, err)) < 0)
		return rc;
	mp->in_part = true;
	mp->state = S_BODY;
	return 0;
}

static int fail(struct tlc_multipart *mp, int rc, struct tlc_error *err)
{
	mp->state = S_FAILED;
	mp->failed_rc = rc;
	mp->failed = *err;
	return rc;
}

static int failed(const struct tlc_multipart *mp, struct tlc_error *err)
{
	if (err)
		*err = mp->failed;
	return mp->failed_rc;
}

int tlc_multipart_feed(struct tlc_multipart *mp, const void *buf, size_t len,
		       struct tlc_error *err)
{
	struct tlc_error local = TLC_ERROR_INIT;
	const char *p = buf;
	size_t off = 0, used;
	int rc = 0;

	if (mp->state == S_FAILED)
		return failed(mp, err);
	if (!err)
		err = &local;
	while (off < len) {
		used = 0;
		switch (mp->state) {
		case S_PREAMBLE:
		case S_BODY:
			rc = scan(mp, p + off, len - off, &used, err);
			break;
		case S_DELIM_LINE:
			rc = delim_line(mp, p[off], err);
			used = 1;
			break;
		case S_HEADERS:
			rc = headers(mp, p + off, len - off, &used, err);
			break;
		case S_EPILOGUE:
			return 0;	/* ignored (RFC 2046 5.1.1) */
		case S_FAILED:
			assert(!"unreachable");
			break;
		}
		if (rc < 0)
			return fail(mp, rc, err);
		off += used;
	}
	return 0;
}

int tlc_multipart_finish(struct tlc_multipart *mp, struct tlc_error *err)
{
	struct tlc_error local = TLC_ERROR_INIT;

	if (mp->state == S_FAILED)
		return failed(mp, err);
	if (mp->state == S_EPILOGUE)
		return 0;
	if (!err)
		err = &local;
	tlc_error_set(err, TLC_EPOLICY,
		      "multipart body ends before its close delimiter "
		      "'--%s--' (RFC 2046 5.1.1)", mp->delim + 4);
	return fail(mp, TLC_EPOLICY, err);
}
