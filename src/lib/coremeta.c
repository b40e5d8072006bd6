/*
 * Core metadata reading (https://packaging.python.org/en/latest/
 * specifications/core-metadata/), in the email-header form that Python's
 * email.parser reads with the compat32 policy (RFC 822 section 3.1).
 *
 * The input is copied once into the allocation that holds the result,
 * and parsed in place: each ':' after a key becomes the key's NUL, and a
 * value with continuation lines is compacted towards its start (joining
 * "\n" is never longer than the line break and the whitespace it
 * replaces), so every write lands on bytes already read.  The only other
 * allocation is the field array, which grows with the fields found.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/coremeta.h"
#include "tlcpack/names.h"	/* tlc_name_valid */
#include "tlcpack/pep440.h"	/* tlc_pep440_parse, _specifiers_check */

#include "text.h"

#include "banned.h"

/* Quoted input in messages is cut to this many bytes ("..." marks it). */
#define QUOTE_WHAT_MAX 48
#define QUOTE_MAX 40

/* The result and the copy of the text its pointers point into. */
struct coremeta {
	struct tlc_coremeta pub;	/* first: tlc_coremeta_free casts */
	char text[];
};

/* The fields the parser checks, each allowed once. */
enum known { K_METADATA_VERSION, K_NAME, K_VERSION, K_REQUIRES_PYTHON,
	     K_SUMMARY, K_COUNT, K_OTHER = K_COUNT };

static const char *const known_keys[K_COUNT] = {
	"Metadata-Version", "Name", "Version", "Requires-Python", "Summary",
};

struct parse {
	struct coremeta *cm;
	const char *what;	/* quoted, for messages */
	size_t alloc;		/* room in cm->pub.fields */
	size_t first_line[K_COUNT];	/* 0 while not seen */
	/* the field being read */
	size_t line;		/* its first line */
	enum known kind;
	char *w;		/* where its value ends so far */
};

/* "<what> line <line>: <rule>" */
static int fail(const struct parse *ps, int code, size_t line,
		struct tlc_error *err, const char *fmt, ...) TLC_PRINTF(5, 6);

static int fail(const struct parse *ps, int code, size_t line,
		struct tlc_error *err, const char *fmt, ...)
{
	char why[TLC_ERROR_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (line)
		return tlc_error_set(err, code, "%s line %zu: %s", ps->what,
				     line, why);
	return tlc_error_set(err, code, "%s: %s", ps->what, why);
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_lower(*a) != ascii_lower(*b))
			return false;
	return *a == *b;
}

static enum known known_kind(const char *key)
{
	for (int k = 0; k < K_COUNT; k++)
		if (ascii_caseeq(key, known_keys[k]))
			return (enum known)k;
	return K_OTHER;
}

/*
 * Where the UTF-8 sequence at @p (of @n bytes left) ends: its length, or
 * 0 if it is not valid (RFC 3629 section 4: no overlong forms, no
 * surrogates, nothing past U+10FFFF).
 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k;

	if (p[0] < 0x80)
		return 1;
	if (p[0] < 0xc2)
		return 0;
	if (p[0] < 0xe0) {
		k = 2;
	} else if (p[0] < 0xf0) {
		k = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] < 0xf5) {
		k = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

/* The whole text: UTF-8, without NUL bytes. */
static int check_text(const struct parse *ps, const char *data, size_t len,
		      struct tlc_error *err)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t line = 1;

	for (size_t i = 0; i < len;) {
		size_t k;

		if (p[i] == '\0')
			return fail(ps, TLC_EPOLICY, line, err,
				    "NUL byte (core metadata is text)");
		if (p[i] == '\n')
			line++;
		if (!(k = utf8_len(p + i, len - i)))
			return fail(ps, TLC_EPOLICY, line, err,
				    "invalid UTF-8 at byte 0x%02x (RFC 3629)",
				    p[i]);
		i += k;
	}
	return 0;
}

/*
 * "<digits>.<digits>"; @major is the first number, or -1 when it has
 * more than four digits (an unknown major version all the same).
 */
static bool metadata_version_ok(const char *v, int *major)
{
	size_t n1 = strspn(v, "0123456789"), n2;

	if (n1 == 0 || v[n1] != '.')
		return false;
	n2 = strspn(v + n1 + 1, "0123456789");
	if (n2 == 0 || v[n1 + 1 + n2] != '\0')
		return false;
	*major = n1 > 4 ? -1 : atoi(v);
	return true;
}

/* Check the value of the field just read (@f), now that it is whole. */
static int check_value(struct parse *ps, const struct tlc_coremeta_field *f,
		       struct tlc_error *err)
{
	struct tlc_coremeta *m = &ps->cm->pub;
	struct tlc_error perr = TLC_ERROR_INIT;
	char q[QUOTE_MAX * 4 + 8];
	const char *v = f->value;
	size_t vlen = strlen(v);
	int major, rc;

	tlc__quote(q, sizeof(q), v, vlen, QUOTE_MAX);
	switch (ps->kind) {
	case K_METADATA_VERSION:
		/* "1.0" .. "2.4"; a newer minor version reads the same, a
		 * newer major one must be refused (core metadata spec,
		 * "Metadata-Version") */
		if (!metadata_version_ok(v, &major))
			return fail(ps, TLC_EPOLICY, ps->line, err,
				    "'Metadata-Version' must be "
				    "<major>.<minor>: '%s'", q);
		if (major != 1 && major != 2)
			return fail(ps, TLC_EPOLICY, ps->line, err,
				    "unsupported 'Metadata-Version' '%s' (only "
				    "1.x and 2.x are known)", q);
		m->metadata_version = v;
		break;
	case K_NAME:
		if (!tlc_name_valid(v))
			return fail(ps, TLC_EPOLICY, ps->line, err,
				    "'Name' is not a valid project name "
				    "(PEP 508): '%s'", q);
		m->name = v;
		break;
	case K_VERSION: {
		struct tlc_pep440 pv;

		/* tlc_pep440_parse trims it, but callers take the value as
		 * written (file names, URLs) */
		if (strpbrk(v, " \t\n\r\f\v"))
			return fail(ps, TLC_EPOLICY, ps->line, err,
				    "'Version' must not contain whitespace: "
				    "'%s'", q);
		if ((rc = tlc_pep440_parse(&pv, v, &perr)) < 0)
			return fail(ps, rc, ps->line, err, "'Version' is not "
				    "a PEP 440 version: %s", perr.msg);
		m->version = v;
		break;
	}
	case K_REQUIRES_PYTHON:
		if ((rc = tlc_pep440_specifiers_check(v, vlen, &perr)) < 0)
			return fail(ps, rc, ps->line, err, "'Requires-Python' "
				    "is not a PEP 440 specifier set: %s",
				    perr.msg);
		m->requires_python = v;
		break;
	case K_SUMMARY:
		m->summary = v;
		break;
	case K_OTHER:
		break;
	}
	return 0;
}

/* End the field being read, if any: terminate and check its value. */
static int end_field(struct parse *ps, struct tlc_error *err)
{
	struct tlc_coremeta *m = &ps->cm->pub;

	if (!ps->w)
		return 0;
	*ps->w = '\0';
	ps->w = NULL;
	return check_value(ps, &m->fields[m->nfields - 1], err);
}

/* Start a field: @key is NUL-terminated, @value runs to @vend. */
static int start_field(struct parse *ps, char *key, char *value, char *vend,
		       size_t line, struct tlc_error *err)
{
	struct tlc_coremeta *m = &ps->cm->pub;
	char q[QUOTE_MAX * 4 + 8];

	if (m->nfields == ps->alloc) {
		struct tlc_coremeta_field *nf;
		size_t n = ps->alloc ? ps->alloc * 2 : 16;

		if (m->nfields == TLC_COREMETA_MAX_FIELDS)
			return fail(ps, TLC_ETOOBIG, line, err,
				    "more than %d fields",
				    TLC_COREMETA_MAX_FIELDS);
		if (n > TLC_COREMETA_MAX_FIELDS)
			n = TLC_COREMETA_MAX_FIELDS;
		nf = realloc(m->fields, n * sizeof(*nf));
		if (!nf)
			return tlc_error_set(err, TLC_ENOMEM,
					     "out of memory reading %s",
					     ps->what);
		m->fields = nf;
		ps->alloc = n;
	}
	ps->kind = known_kind(key);
	ps->line = line;
	if (ps->kind != K_OTHER) {
		size_t first = ps->first_line[ps->kind];

		if (first) {
			tlc__quote(q, sizeof(q), key, strlen(key), QUOTE_MAX);
			return fail(ps, TLC_EPOLICY, line, err,
				    "'%s' given twice (first on line %zu); "
				    "it is a single-use field", q, first);
		}
		ps->first_line[ps->kind] = line;
	}
	m->fields[m->nfields].key = key;
	m->fields[m->nfields].value = value;
	m->nfields++;
	ps->w = vend;
	return 0;
}

/* A "Key: value" line [p, end), the line break excluded. */
static int header_line(struct parse *ps, char *p, char *end, size_t line,
		       struct tlc_error *err)
{
	char q[QUOTE_MAX * 4 + 8];
	char *colon = memchr(p, ':', (size_t)(end - p)), *v;

	tlc__quote(q, sizeof(q), p, (size_t)(end - p), QUOTE_MAX);
	if (!colon)
		return fail(ps, TLC_EPOLICY, line, err,
			    "no ':' in a header line (the headers are "
			    "'Key: value' lines up to an empty line): '%s'",
			    q);
	if (colon == p)
		return fail(ps, TLC_EPOLICY, line, err,
			    "empty field name: '%s'", q);
	/* RFC 822 section 3.2: field-name = 1*<any CHAR, excluding CTLs,
	 * SPACE, and ":"> */
	for (const char *k = p; k < colon; k++) {
		if (*k > ' ' && *k < 0x7f)
			continue;
		tlc__quote(q, sizeof(q), p, (size_t)(colon - p), QUOTE_MAX);
		return fail(ps, TLC_EPOLICY, line, err,
			    "field name must be printable ASCII without "
			    "spaces: '%s'", q);
	}
	*colon = '\0';
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	return start_field(ps, p, v, end, line, err);
}

/* A continuation line [p, end): "\n" and the text after the blanks. */
static int continuation(struct parse *ps, char *p, char *end, size_t line,
			struct tlc_error *err)
{
	size_t n;

	if (!ps->w)
		return fail(ps, TLC_EPOLICY, line, err,
			    "continuation line (starting with a space or a "
			    "tab) before the first field");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	n = (size_t)(end - p);
	assert(ps->w < p);
	*ps->w++ = '\n';
	memmove(ps->w, p, n);
	ps->w += n;
	return 0;
}

/* Read the header block of @t (@len bytes) and find the body. */
static int parse_headers(struct parse *ps, char *t, size_t len,
			 struct tlc_error *err)
{
	struct tlc_coremeta *m = &ps->cm->pub;
	size_t pos = 0, line = 1;
	int rc;

	m->body = t + len;	/* "" */
	while (pos < len) {
		char *p = t + pos, *nl = memchr(p, '\n', len - pos);
		char *end = nl ? nl : t + len;

		pos = nl ? (size_t)(nl - t) + 1 : len;
		if (end > p && end[-1] == '\r')
			end--;
		/* email.feedparser splits lines at a lone CR too: refuse
		 * what Python would read differently */
		if (memchr(p, '\r', (size_t)(end - p)))
			return fail(ps, TLC_EPOLICY, line, err,
				    "carriage return inside a header line "
				    "(lines end with LF or CRLF)");
		if (end == p) {
			m->body = t + pos;
			break;
		}
		if (*p == ' ' || *p == '\t')
			rc = continuation(ps, p, end, line, err);
		else if ((rc = end_field(ps, err)) == 0)
			rc = header_line(ps, p, end, line, err);
		if (rc < 0)
			return rc;
		line++;
	}
	return end_field(ps, err);
}

int tlc_coremeta_parse(struct tlc_coremeta **out, const char *data,
		       size_t len, const char *what, struct tlc_error *err)
{
	char qwhat[QUOTE_WHAT_MAX * 4 + 8];
	struct parse ps;
	struct coremeta *cm = NULL;
	int rc;

	assert(out && (data || !len) && what);
	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	tlc__quote(qwhat, sizeof(qwhat), what, strlen(what), QUOTE_WHAT_MAX);
	ps.what = qwhat;
	if (len > TLC_COREMETA_MAX)
		return fail(&ps, TLC_ETOOBIG, 0, err, "over %zu bytes",
			    TLC_COREMETA_MAX);
	if (len == 0)
		return fail(&ps, TLC_EPOLICY, 0, err, "empty");
	if ((rc = check_text(&ps, data, len, err)) < 0)
		return rc;

	cm = malloc(sizeof(*cm) + len + 1);
	if (!cm)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory reading "
				     "%s", qwhat);
	memset(&cm->pub, 0, sizeof(cm->pub));
	memcpy(cm->text, data, len);
	cm->text[len] = '\0';
	ps.cm = cm;
	if ((rc = parse_headers(&ps, cm->text, len, err)) < 0)
		goto out;

	for (int k = K_METADATA_VERSION; k <= K_VERSION; k++) {
		if (ps.first_line[k])
			continue;
		rc = fail(&ps, TLC_EPOLICY, 0, err, "missing the '%s' field "
			  "(core metadata requires it)", known_keys[k]);
		goto out;
	}
	*out = &cm->pub;
	cm = NULL;
out:
	tlc_coremeta_free(cm ? &cm->pub : NULL);
	return rc;
}

const char *tlc_coremeta_get(const struct tlc_coremeta *m, const char *key)
{
	for (size_t i = 0; i < m->nfields; i++)
		if (ascii_caseeq(m->fields[i].key, key))
			return m->fields[i].value;
	return NULL;
}

void tlc_coremeta_free(struct tlc_coremeta *m)
{
	if (!m)
		return;
	free(m->fields);
	/* m is the first member of its struct coremeta */
	free((struct coremeta *)m);
}
