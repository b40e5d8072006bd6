/*
 * TOML 1.0.0 parser: https://toml.io/en/v1.0.0, with the grammar of
 * toml.abnf at tag 1.0.0 of github.com/toml-lang/toml.  Rules quoted in
 * comments below come from that page.
 *
 * One pass of recursive descent.  Recursion is bounded: every container
 * (table, array, inline table) is at most TLC_TOML_MAX_DEPTH levels below
 * the root, and the check happens before descending.
 *
 * Memory: values, keys and strings live in an arena owned by the document,
 * so tlc_toml_free() is a walk over a chunk list, not over the tree.
 * Growing vectors (array elements, table entries, hash indexes) double in
 * the arena and leave the old block behind, which at most doubles their
 * cost.
 *
 * Tables keep entries in document order.  Past SMALL_TABLE keys a table
 * gets an open-addressing index keyed by SipHash-1-3 with a per-document
 * random key, so crafted keys cannot force collisions.
 */
#include <assert.h>
#include <locale.h>	/* newlocale, freelocale: floats read as in "C" */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>	/* getrandom: the hash key */
#include <time.h>

#include "tlcpack/buf.h"
#include "tlcpack/toml.h"

#include "banned.h"

#define SMALL_TABLE 8
#define CHUNK_SIZE (64u << 10)
#define KEYNAME_MAX 96

/* How a table came to be; decides whether it may be defined or extended
 * later (toml.io v1.0.0, "Table" and "Array of Tables"). */
enum {
	T_IMPLICIT,	/* made on the way to a [x.y] header: may be defined
			 * once more, by a header or by dotted keys */
	T_HEADER,	/* defined by [header] or [[header]]; also the root */
	T_DOTTED,	/* defined by dotted keys: no [header] may name it */
	T_INLINE,	/* { ... }: complete as written */
};

enum {
	A_STATIC,	/* [ ... ]: complete as written */
	A_TABLES,	/* made by [[header]]: each header appends a table */
};

struct entry {
	const char *key;	/* NUL-terminated arena copy */
	size_t len;
	uint64_t hash;		/* set once the table is indexed */
	struct tlc_toml_value *val;
};

struct tab {
	struct entry *e;
	size_t len, cap;
	uint32_t *idx;		/* entry number + 1, 0: empty slot */
	size_t icap;		/* a power of two, or 0 while unindexed */
	const uint64_t *seed;	/* the document's hash key */
};

struct arr {
	struct tlc_toml_value **v;
	size_t len, cap;
};

struct tlc_toml_value {
	unsigned char type;	/* enum tlc_toml_type */
	unsigned char kind;	/* T_* for tables, A_* for arrays */
	unsigned short depth;	/* containers above this value */
	unsigned line, column;
	union {
		struct {
			const char *ptr;
			size_t len;
		} s;
		int64_t i;
		double f;
		bool b;
		struct arr *a;
		struct tab *t;
	} u;
};

struct chunk {
	struct chunk *next;
	size_t size, used;
};

#define CHUNK_HDR ((sizeof(struct chunk) + 15) & ~(size_t)15)

struct tlc_toml {
	struct chunk *chunks;
	struct tlc_toml_value *root;
	uint64_t seed[2];
};

/* One simple key of a (dotted) key, as written. */
struct part {
	const char *key;	/* into the input, or an arena copy */
	size_t len;
	bool owned;		/* key is an arena copy, NUL-terminated */
	const char *at;		/* where it is written */
};

struct parser {
	const char *start, *p, *end;
	const char *line_start;	/* first byte of the line p is on */
	unsigned line;
	const char *filename;
	struct tlc_toml *doc;
	struct tlc_error *err;
	struct tlc_buf sbuf;	/* decoded string, cleaned number */
	locale_t cloc;		/* made on the first float */
	struct tlc_toml_value *cur;	/* the table key/values go into */
	struct part parts[TLC_TOML_MAX_DEPTH + 1];
	size_t nparts;
};

/* ---- arena ---- */

static void *arena_alloc(struct tlc_toml *doc, size_t n, size_t align)
{
	struct chunk *c = doc->chunks, *nc;
	size_t off, size;

	if (c) {
		off = (c->used + align - 1) & ~(align - 1);
		if (off <= c->size && n <= c->size - off) {
			c->used = off + n;
			return (char *)c + CHUNK_HDR + off;
		}
	}
	size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
	if (size > SIZE_MAX - CHUNK_HDR)
		return NULL;
	nc = malloc(CHUNK_HDR + size);
	if (!nc)
		return NULL;
	nc->size = size;
	nc->used = n;
	if (size == n && c) {
		/* a big block of its own: keep filling the current chunk */
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		doc->chunks = nc;
	}
	return (char *)nc + CHUNK_HDR;
}

static char *arena_strdup(struct tlc_toml *doc, const char *s, size_t len)
{
	char *p = arena_alloc(doc, len + 1, 1);

	if (p) {
		if (len)
			memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* Grow *vec (elements of @size bytes) to hold one more than @len. */
static int arena_grow(struct tlc_toml *doc, void **vec, size_t *cap,
		      size_t len, size_t size)
{
	size_t ncap;
	void *nv;

	if (len < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / size)
		return TLC_ENOMEM;
	nv = arena_alloc(doc, ncap * size, _Alignof(max_align_t));
	if (!nv)
		return TLC_ENOMEM;
	if (len)
		memcpy(nv, *vec, len * size);
	*vec = nv;
	*cap = ncap;
	return 0;
}

/* ---- SipHash-1-3 (Aumasson and Bernstein), for the table index ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND							\
	do {								\
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0;			\
		v0 = ROTL(v0, 32);					\
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;			\
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;			\
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2;			\
		v2 = ROTL(v2, 32);					\
	} while (0)

static uint64_t siphash(const uint64_t k[2], const char *key, size_t len)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0];
	uint64_t v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len;

	for (; left >= 8; left -= 8, p += 8) {
		m = 0;
		for (i = 0; i < 8; i++)
			m |= (uint64_t)p[i] << (8 * i);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < left; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void make_seed(struct tlc_toml *doc)
{
	struct timespec ts;

	if (getrandom(doc->seed, sizeof(doc->seed), GRND_NONBLOCK) ==
	    (ssize_t)sizeof(doc->seed))
		return;
	/* no entropy yet (early boot): still unpredictable enough to be
	 * worth having, and correctness never depends on it */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	doc->seed[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		       (uint64_t)(uintptr_t)doc;
	doc->seed[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
}

/* ---- tables ---- */

static struct entry *tab_find(const struct tab *t, const char *key,
			      size_t len)
{
	size_t i, mask;
	uint64_t h;

	if (!t->icap) {
		for (i = 0; i < t->len; i++)
			if (t->e[i].len == len &&
			    (len == 0 || !memcmp(t->e[i].key, key, len)))
				return &t->e[i];
		return NULL;
	}
	h = siphash(t->seed, key, len);
	mask = t->icap - 1;
	for (i = h & mask; t->idx[i]; i = (i + 1) & mask) {
		struct entry *e = &t->e[t->idx[i] - 1];

		if (e->hash == h && e->len == len &&
		    (len == 0 || !memcmp(e->key, key, len)))
			return e;
	}
	return NULL;
}

static void tab_index_one(struct tab *t, size_t n)
{
	size_t i, mask = t->icap - 1;

	for (i = t->e[n].hash & mask; t->idx[i]; i = (i + 1) & mask)
		;
	t->idx[i] = (uint32_t)(n + 1);
}

static int tab_reindex(struct tlc_toml *doc, struct tab *t)
{
	size_t n, icap = 64;
	bool fresh = !t->icap;

	while (icap < t->len * 4)
		icap *= 2;
	if (icap > SIZE_MAX / sizeof(*t->idx))
		return TLC_ENOMEM;
	t->idx = arena_alloc(doc, icap * sizeof(*t->idx), sizeof(*t->idx));
	if (!t->idx)
		return TLC_ENOMEM;
	memset(t->idx, 0, icap * sizeof(*t->idx));
	t->icap = icap;
	for (n = 0; n < t->len; n++) {
		if (fresh)
			t->e[n].hash = siphash(t->seed, t->e[n].key,
					       t->e[n].len);
		tab_index_one(t, n);
	}
	return 0;
}

/* Append @key (absent from @t) with @val. */
static int tab_add(struct tlc_toml *doc, struct tab *t, const struct part *k,
		   struct tlc_toml_value *val)
{
	struct entry *e;
	const char *key = k->key;
	int rc;

	if (t->len >= UINT32_MAX - 1)
		return TLC_ETOOBIG;
	if (!k->owned && !(key = arena_strdup(doc, k->key, k->len)))
		return TLC_ENOMEM;
	if ((rc = arena_grow(doc, (void **)&t->e, &t->cap, t->len,
			     sizeof(*t->e))) < 0)
		return rc;
	e = &t->e[t->len++];
	e->key = key;
	e->len = k->len;
	e->val = val;
	e->hash = 0;
	if (t->icap && t->len * 2 <= t->icap) {
		e->hash = siphash(t->seed, key, k->len);
		tab_index_one(t, t->len - 1);
	} else if (t->icap || t->len > SMALL_TABLE) {
		if (t->icap)
			e->hash = siphash(t->seed, key, k->len);
		return tab_reindex(doc, t);
	}
	return 0;
}

/* ---- messages ---- */

static void position(const struct parser *ps, const char *at,
		     unsigned *line, unsigned *col)
{
	const char *p, *ls = ps->start;
	unsigned n = 1;

	if (at >= ps->line_start) {
		*line = ps->line;
		*col = (unsigned)(at - ps->line_start) + 1;
		return;
	}
	/* only on the way out with an error, so a scan is fine */
	for (p = ps->start; p < at; p++) {
		if (*p == '\n') {
			n++;
			ls = p + 1;
		}
	}
	/* columns on the first line count from after a byte order mark */
	if (ls == ps->start && at - ps->start >= 3 &&
	    !memcmp(ps->start, "\xEF\xBB\xBF", 3))
		ls += 3;
	*line = n;
	*col = (unsigned)(at - ls) + 1;
}

static int fail_code(struct parser *ps, int code, const char *at,
		     const char *fmt, ...) TLC_PRINTF(4, 5);
static int fail_code(struct parser *ps, int code, const char *at,
		     const char *fmt, ...)
{
	char what[TLC_ERROR_MSG_SIZE];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	position(ps, at, &line, &col);
	return tlc_error_set(ps->err, code, "%s:%u:%u: %s", ps->filename,
			     line, col, what);
}

#define fail(ps, at, ...) fail_code(ps, TLC_EPOLICY, at, __VA_ARGS__)

static int oom(struct parser *ps)
{
	return fail_code(ps, TLC_ENOMEM, ps->p, "out of memory");
}

static int utf8_len(const unsigned char *p, const unsigned char *end);

/* "'x'", "newline", "U+00E9", "byte 0xFF", "end of input". */
static const char *describe(const struct parser *ps, const char *at,
			    char buf[32])
{
	const unsigned char *u = (const unsigned char *)at;
	unsigned cp;
	int n;

	if (at >= ps->end)
		return "end of input";
	switch (*u) {
	case '\n':
		return "newline";
	case '\r':
		return "carriage return";
	case '\t':
		return "tab";
	case ' ':
		return "space";
	case '\'':
		return "\"'\"";
	}
	if (*u > 0x20 && *u < 0x7f) {
		snprintf(buf, 32, "'%c'", *u);
	} else if (*u < 0x80) {
		snprintf(buf, 32, "control character U+%04X", *u);
	} else if ((n = utf8_len(u, (const unsigned char *)ps->end)) > 0) {
		cp = *u & (0xff >> (n + 1));
		while (--n > 0)
			cp = (cp << 6) | (*++u & 0x3f);
		snprintf(buf, 32, cp == 0xfeff ? "byte order mark U+%04X" :
			 "U+%04X", cp);
	} else {
		snprintf(buf, 32, "byte 0x%02X", *u);
	}
	return buf;
}

static bool is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Append @n bytes unless that would pass KEYNAME_MAX. */
static bool key_put(char *buf, size_t *o, const char *s, size_t n)
{
	if (*o + n > KEYNAME_MAX)
		return false;
	memcpy(buf + *o, s, n);
	*o += n;
	return true;
}

/* The first @n parts of the current key, quoted for a message:
 * 'a.b', 'a."x y"'.  Long keys are cut with "...". */
static const char *keyname(const struct parser *ps, size_t n,
			   char buf[KEYNAME_MAX + 8])
{
	size_t i, j, k, o = 0;
	bool cut = false;
	char esc[8];

	buf[o++] = '\'';
	for (i = 0; i < n && !cut; i++) {
		const struct part *pt = &ps->parts[i];
		bool bare = pt->len > 0;

		for (j = 0; j < pt->len; j++)
			bare = bare && is_bare((unsigned char)pt->key[j]);
		if ((i && !key_put(buf, &o, ".", 1)) ||
		    (!bare && !key_put(buf, &o, "\"", 1))) {
			cut = true;
			break;
		}
		for (j = 0; j < pt->len && !cut; j++) {
			unsigned char c = (unsigned char)pt->key[j];

			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
				snprintf(esc, sizeof(esc), "\\u%04X", c);
				cut = !key_put(buf, &o, esc, 6);
			} else {
				cut = !key_put(buf, &o, pt->key + j, 1);
			}
		}
		if (!cut && !bare)
			cut = !key_put(buf, &o, "\"", 1);
	}
	if (cut) {
		/* drop a UTF-8 sequence the cut left incomplete */
		for (k = o; k > 1 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80;
		     k--)
			;
		if (k > 1 && (unsigned char)buf[k - 1] >= 0xc0) {
			unsigned char lead = (unsigned char)buf[k - 1];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (o - (k - 1) < need)
				o = k - 1;
		}
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* ---- values ---- */

static const char *const type_names[] = {
	[TLC_TOML_STRING] = "string",
	[TLC_TOML_INTEGER] = "integer",
	[TLC_TOML_FLOAT] = "float",
	[TLC_TOML_BOOL] = "boolean",
	[TLC_TOML_DATETIME] = "datetime",
	[TLC_TOML_DATETIME_LOCAL] = "datetime-local",
	[TLC_TOML_DATE_LOCAL] = "date-local",
	[TLC_TOML_TIME_LOCAL] = "time-local",
	[TLC_TOML_ARRAY] = "array",
	[TLC_TOML_TABLE] = "table",
};

/* "an integer", "an inline table", "an array of tables"... */
static const char *a_kind(const struct tlc_toml_value *v)
{
	static const char *const names[] = {
		[TLC_TOML_STRING] = "a string",
		[TLC_TOML_INTEGER] = "an integer",
		[TLC_TOML_FLOAT] = "a float",
		[TLC_TOML_BOOL] = "a boolean",
		[TLC_TOML_DATETIME] = "an offset date-time",
		[TLC_TOML_DATETIME_LOCAL] = "a local date-time",
		[TLC_TOML_DATE_LOCAL] = "a local date",
		[TLC_TOML_TIME_LOCAL] = "a local time",
		[TLC_TOML_ARRAY] = "an array",
		[TLC_TOML_TABLE] = "a table",
	};

	if (v->type == TLC_TOML_TABLE && v->kind == T_INLINE)
		return "an inline table";
	if (v->type == TLC_TOML_ARRAY && v->kind == A_TABLES)
		return "an array of tables";
	return names[v->type];
}

static int new_value(struct parser *ps, struct tlc_toml_value **out,
		     enum tlc_toml_type type, const char *at)
{
	struct tlc_toml_value *v;
	unsigned line, col;

	*out = NULL;
	v = arena_alloc(ps->doc, sizeof(*v), _Alignof(struct tlc_toml_value));
	if (!v)
		return oom(ps);
	memset(v, 0, sizeof(*v));
	v->type = (unsigned char)type;
	position(ps, at, &line, &col);
	v->line = line;
	v->column = col;
	*out = v;
	return 0;
}

/* A container @depth levels below the root, refused past the limit. */
static int new_container(struct parser *ps, struct tlc_toml_value **out,
			 enum tlc_toml_type type, int kind, unsigned depth,
			 const char *at, const char *blame)
{
	struct tlc_toml_value *v;
	int rc;

	*out = NULL;
	if (depth > TLC_TOML_MAX_DEPTH)
		return fail(ps, blame, "nesting deeper than %d levels",
			    TLC_TOML_MAX_DEPTH);
	if ((rc = new_value(ps, &v, type, at)) < 0)
		return rc;
	v->kind = (unsigned char)kind;
	v->depth = (unsigned short)depth;
	if (type == TLC_TOML_TABLE) {
		v->u.t = arena_alloc(ps->doc, sizeof(*v->u.t),
				     _Alignof(struct tab));
		if (!v->u.t)
			return oom(ps);
		memset(v->u.t, 0, sizeof(*v->u.t));
		v->u.t->seed = ps->doc->seed;
	} else {
		v->u.a = arena_alloc(ps->doc, sizeof(*v->u.a),
				     _Alignof(struct arr));
		if (!v->u.a)
			return oom(ps);
		memset(v->u.a, 0, sizeof(*v->u.a));
	}
	*out = v;
	return 0;
}

static int add_entry(struct parser *ps, struct tlc_toml_value *t,
		     const struct part *k, struct tlc_toml_value *val)
{
	int rc = tab_add(ps->doc, t->u.t, k, val);

	if (rc == TLC_ETOOBIG)
		return fail_code(ps, rc, k->at, "table has too many keys");
	if (rc < 0)
		return oom(ps);
	return 0;
}

static int push(struct parser *ps, struct tlc_toml_value *a,
		struct tlc_toml_value *v)
{
	struct arr *ar = a->u.a;

	if (arena_grow(ps->doc, (void **)&ar->v, &ar->cap, ar->len,
		       sizeof(*ar->v)) < 0)
		return oom(ps);
	ar->v[ar->len++] = v;
	return 0;
}

/* ---- lexing ---- */

/*
 * The length of the UTF-8 sequence at @p, or 0 if it is not well formed
 * (overlong, a surrogate, past U+10FFFF, cut short): RFC 3629 section 4.
 */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (end - p < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static bool at_newline(const struct parser *ps)
{
	return ps->p < ps->end && (*ps->p == '\n' || *ps->p == '\r');
}

/* At '\n' or '\r': take one newline, which is LF or CRLF. */
static int eat_newline(struct parser *ps)
{
	if (*ps->p == '\r') {
		if (ps->end - ps->p < 2 || ps->p[1] != '\n')
			return fail(ps, ps->p, "carriage return not "
				    "followed by line feed");
		ps->p++;
	}
	ps->p++;
	ps->line++;
	ps->line_start = ps->p;
	return 0;
}

/* At '#': skip to the end of the line.  "Control characters other than
 * tab (U+0000 to U+0008, U+000A to U+001F, U+007F) are not permitted in
 * comments." */
static int skip_comment(struct parser *ps)
{
	const unsigned char *p = (const unsigned char *)ps->p + 1;
	const unsigned char *end = (const unsigned char *)ps->end;
	char buf[32];
	int n;

	while (p < end) {
		if (*p >= 0x20 && *p < 0x7f) {
			p++;
			continue;
		}
		if (*p == '\t') {
			p++;
			continue;
		}
		if (*p == '\n' || (*p == '\r' && end - p > 1 && p[1] == '\n'))
			break;
		if (*p >= 0x80) {
			if (!(n = utf8_len(p, end)))
				return fail(ps, (const char *)p,
					    "invalid UTF-8 in comment");
			p += n;
			continue;
		}
		if (*p == '\r')
			return fail(ps, (const char *)p, "carriage return "
				    "not followed by line feed");
		return fail(ps, (const char *)p, "%s not allowed in comment",
			    describe(ps, (const char *)p, buf));
	}
	ps->p = (const char *)p;
	return 0;
}

/* Blank space, comments and newlines between array elements. */
static int skip_ws_comment_newline(struct parser *ps)
{
	int rc;

	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end)
			return 0;
		if (*ps->p == '#') {
			if ((rc = skip_comment(ps)) < 0)
				return rc;
		} else if (at_newline(ps)) {
			if ((rc = eat_newline(ps)) < 0)
				return rc;
		} else {
			return 0;
		}
	}
}

/* After an expression: blank space, a comment, then a newline or the end. */
static int end_of_line(struct parser *ps, const char *after)
{
	char buf[32];
	int rc;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '#' && (rc = skip_comment(ps)) < 0)
		return rc;
	if (ps->p >= ps->end)
		return 0;
	if (at_newline(ps))
		return eat_newline(ps);
	return fail(ps, ps->p, "expected end of line after %s, found %s",
		    after, describe(ps, ps->p, buf));
}

/* ---- strings ---- */

static int put_utf8(struct tlc_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return tlc_buf_put(b, u, n);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * At a backslash in a basic string: decode one escape ("\b \t \n \f \r
 * \" \\ \uXXXX \UXXXXXXXX"; "any Unicode scalar value"), or in a
 * multi-line string a line-ending backslash, which eats all whitespace
 * and newlines up to the next other character.
 */
static int scan_escape(struct parser *ps, bool ml)
{
	const char *bs = ps->p;
	const char *p = bs + 1;
	uint32_t cp = 0;
	char c, buf[32];
	int i, n, h, rc = 0;

	if (p >= ps->end)
		return fail(ps, bs, "unterminated string");
	c = *p;
	switch (c) {
	case 'b': rc = tlc_buf_putc(&ps->sbuf, '\b'); break;
	case 't': rc = tlc_buf_putc(&ps->sbuf, '\t'); break;
	case 'n': rc = tlc_buf_putc(&ps->sbuf, '\n'); break;
	case 'f': rc = tlc_buf_putc(&ps->sbuf, '\f'); break;
	case 'r': rc = tlc_buf_putc(&ps->sbuf, '\r'); break;
	case '"': rc = tlc_buf_putc(&ps->sbuf, '"'); break;
	case '\\': rc = tlc_buf_putc(&ps->sbuf, '\\'); break;
	case 'u':
	case 'U':
		n = c == 'u' ? 4 : 8;
		for (i = 1; i <= n; i++) {
			if (p + i >= ps->end ||
			    (h = hexval((unsigned char)p[i])) < 0)
				return fail(ps, bs, "escape '\\%c' needs %d "
					    "hex digits", c, n);
			cp = (cp << 4) | (uint32_t)h;
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			return fail(ps, bs, "escape '\\%c' names U+%04X, a "
				    "surrogate, not a Unicode scalar value",
				    c, (unsigned)cp);
		if (cp > 0x10ffff)
			return fail(ps, bs, "escape '\\%c' names a code point "
				    "past U+10FFFF", c);
		rc = put_utf8(&ps->sbuf, cp);
		p += n;
		break;
	default:
		if (ml && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			/* "a \ at the end of a line ... will be trimmed
			 * along with all whitespace (including newlines)
			 * up to the next non-whitespace character" */
			ps->p = p;
			skip_ws(ps);
			if (!at_newline(ps))
				return fail(ps, bs, "backslash followed by "
					    "whitespace must end the line");
			while (ps->p < ps->end) {
				skip_ws(ps);
				if (!at_newline(ps))
					break;
				if ((rc = eat_newline(ps)) < 0)
					return rc;
			}
			return 0;
		}
		if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
			return fail(ps, bs, "invalid escape sequence '\\%c'",
				    c);
		return fail(ps, bs, "invalid escape sequence: backslash "
			    "followed by %s", describe(ps, p, buf));
	}
	if (rc < 0)
		return oom(ps);
	ps->p = p + 1;
	return 0;
}

/*
 * At an opening quote: decode a basic or literal string, one-line or
 * multi-line, into ps->sbuf.  Newlines in multi-line strings come out as
 * "\n" whatever the file uses ("TOML parsers should feel free to
 * normalize newline to whatever makes sense for their platform").
 */
static int scan_string(struct parser *ps, bool allow_ml)
{
	const char *open = ps->p;
	char q = *open, buf[32];
	bool ml = false, literal = q == '\'';
	const unsigned char *p;
	int rc, n;
	size_t k;

	tlc_buf_reset(&ps->sbuf);
	if (ps->end - open >= 3 && open[1] == q && open[2] == q) {
		if (!allow_ml)
			return fail(ps, open, "a multi-line string cannot "
				    "be a key");
		ml = true;
		ps->p = open + 3;
		/* "A newline immediately following the opening delimiter
		 * will be trimmed." */
		if (at_newline(ps) && (rc = eat_newline(ps)) < 0)
			return rc;
	} else {
		ps->p = open + 1;
	}
	for (;;) {
		const char *run;

		p = (const unsigned char *)ps->p;
		run = ps->p;
		while (p < (const unsigned char *)ps->end &&
		       ((*p >= 0x20 && *p < 0x7f && *p != (unsigned char)q &&
			 (literal || *p != '\\')) || *p == '\t'))
			p++;
		if (tlc_buf_put(&ps->sbuf, run, (size_t)((const char *)p -
							  run)) < 0)
			return oom(ps);
		ps->p = (const char *)p;
		if (ps->p >= ps->end)
			return fail(ps, open, "unterminated string");
		if (*p == (unsigned char)q) {
			if (!ml) {
				ps->p++;
				return 0;
			}
			for (k = 0; ps->p + k < ps->end && ps->p[k] == q; k++)
				;
			if (k < 3) {
				if (tlc_buf_put(&ps->sbuf, ps->p, k) < 0)
					return oom(ps);
				ps->p += k;
				continue;
			}
			if (k > 5)
				return fail(ps, ps->p, "too many quotes at the "
					    "end of a multi-line string");
			if (tlc_buf_put(&ps->sbuf, ps->p, k - 3) < 0)
				return oom(ps);
			ps->p += k;
			return 0;
		}
		if (*p == '\\') {
			if ((rc = scan_escape(ps, ml)) < 0)
				return rc;
			continue;
		}
		if (*p == '\n' || *p == '\r') {
			if (!ml)
				return fail(ps, ps->p, "newline in a one-line "
					    "string; use \"\"\" or '''");
			if ((rc = eat_newline(ps)) < 0)
				return rc;
			if (tlc_buf_putc(&ps->sbuf, '\n') < 0)
				return oom(ps);
			continue;
		}
		if (*p >= 0x80) {
			if (!(n = utf8_len(p, (const unsigned char *)ps->end)))
				return fail(ps, ps->p,
					    "invalid UTF-8 in string");
			if (tlc_buf_put(&ps->sbuf, p, (size_t)n) < 0)
				return oom(ps);
			ps->p += n;
			continue;
		}
		return fail(ps, ps->p, "%s not allowed in string; write it "
			    "as an escape", describe(ps, ps->p, buf));
	}
}

/* ---- keys ---- */

/* "key = simple-key / dotted-key"; the parts go to ps->parts. */
static int parse_key(struct parser *ps)
{
	char buf[32];
	int rc;

	ps->nparts = 0;
	for (;;) {
		struct part *pt;
		const char *s = ps->p;

		if (ps->nparts == TLC_TOML_MAX_DEPTH + 1)
			return fail(ps, s, "nesting deeper than %d levels",
				    TLC_TOML_MAX_DEPTH);
		pt = &ps->parts[ps->nparts];
		pt->at = s;
		if (s < ps->end && is_bare((unsigned char)*s)) {
			while (ps->p < ps->end &&
			       is_bare((unsigned char)*ps->p))
				ps->p++;
			pt->key = s;
			pt->len = (size_t)(ps->p - s);
			pt->owned = false;
		} else if (s < ps->end && (*s == '"' || *s == '\'')) {
			if ((rc = scan_string(ps, false)) < 0)
				return rc;
			pt->key = arena_strdup(ps->doc, ps->sbuf.ptr,
					       ps->sbuf.len);
			if (!pt->key)
				return oom(ps);
			pt->len = ps->sbuf.len;
			pt->owned = true;
		} else if (ps->nparts) {
			return fail(ps, s, "expected a key after '.', found %s",
				    describe(ps, s, buf));
		} else {
			return fail(ps, s, "expected a key, found %s",
				    describe(ps, s, buf));
		}
		ps->nparts++;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '.')
			return 0;
		ps->p++;
		skip_ws(ps);
	}
}

/* ---- scalars ---- */

static bool is_digit(unsigned char c, int base)
{
	switch (base) {
	case 2:
		return c == '0' || c == '1';
	case 8:
		return c >= '0' && c <= '7';
	case 16:
		return hexval(c) >= 0;
	default:
		return c >= '0' && c <= '9';
	}
}

/* Where a number, date, boolean, inf or nan may end. */
static bool at_value_end(const struct parser *ps, const char *p)
{
	if (p >= ps->end)
		return true;
	switch (*p) {
	case ' ': case '\t': case '\n': case '\r': case '#':
	case ',': case ']': case '}':
		return true;
	}
	return false;
}

/* "1*DIGIT *( DIGIT / underscore DIGIT )": underscores between digits. */
static int scan_digits(struct parser *ps, int base, const char *what)
{
	char buf[32];

	if (ps->p >= ps->end || !is_digit((unsigned char)*ps->p, base))
		return fail(ps, ps->p, "expected a digit in %s, found %s",
			    what, describe(ps, ps->p, buf));
	for (;;) {
		while (ps->p < ps->end && is_digit((unsigned char)*ps->p, base))
			ps->p++;
		if (ps->p >= ps->end || *ps->p != '_')
			return 0;
		if (ps->p + 1 >= ps->end ||
		    !is_digit((unsigned char)ps->p[1], base))
			return fail(ps, ps->p, "underscore in %s must be "
				    "between digits", what);
		ps->p++;
	}
}

/* Fold digits (underscores skipped) into an int64, refusing overflow:
 * "If an integer cannot be represented losslessly, an error must be
 * thrown." */
static int fold_integer(struct parser *ps, const char *s, const char *e,
			int base, bool neg, const char *at, int64_t *out)
{
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

	for (; s < e; s++) {
		unsigned d;

		if (*s == '_')
			continue;
		d = (unsigned)hexval((unsigned char)*s);
		if (v > (limit - d) / (unsigned)base)
			return fail(ps, at, "integer does not fit in 64 bits");
		v = v * (unsigned)base + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return 0;
}

static int make_float(struct parser *ps, const char *s, const char *e,
		      double *out)
{
	const char *p;
	char *stop;
	double d;

	tlc_buf_reset(&ps->sbuf);
	for (p = s; p < e; p++)
		if (*p != '_' && tlc_buf_putc(&ps->sbuf, *p) < 0)
			return oom(ps);
	if (!ps->cloc) {
		ps->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
		if (!ps->cloc)
			return oom(ps);
	}
	d = strtod_l(ps->sbuf.ptr, &stop, ps->cloc);
	assert(stop == ps->sbuf.ptr + ps->sbuf.len);
	if (isinf(d))
		return fail(ps, s, "float is out of range for 64 bits");
	*out = d;
	return 0;
}

static int parse_number(struct parser *ps, const char *at,
			struct tlc_toml_value **out)
{
	const char *s = ps->p, *digits;
	bool neg = false, is_float = false;
	int base = 10, rc;
	char buf[32];

	if (*ps->p == '+' || *ps->p == '-') {
		neg = *ps->p == '-';
		ps->p++;
	}
	digits = ps->p;
	/* "special-float = [ minus / plus ] ( inf / nan )" */
	if (ps->end - ps->p >= 3 && (!memcmp(ps->p, "inf", 3) ||
				     !memcmp(ps->p, "nan", 3))) {
		bool nan = *ps->p == 'n';

		ps->p += 3;
		if (!at_value_end(ps, ps->p))
			return fail(ps, ps->p, "invalid float: unexpected %s",
				    describe(ps, ps->p, buf));
		if ((rc = new_value(ps, out, TLC_TOML_FLOAT, at)) < 0)
			return rc;
		(*out)->u.f = nan ? (neg ? -NAN : NAN) :
				    (neg ? -INFINITY : INFINITY);
		return 0;
	}
	if (ps->end - ps->p >= 2 && ps->p[0] == '0' &&
	    (ps->p[1] == 'x' || ps->p[1] == 'o' || ps->p[1] == 'b')) {
		const char *what = ps->p[1] == 'x' ? "hexadecimal integer" :
				   ps->p[1] == 'o' ? "octal integer" :
						     "binary integer";

		base = ps->p[1] == 'x' ? 16 : ps->p[1] == 'o' ? 8 : 2;
		if (digits != s)
			return fail(ps, s, "a sign is not allowed on a "
				    "hexadecimal, octal or binary integer");
		ps->p += 2;
		digits = ps->p;
		if ((rc = scan_digits(ps, base, what)) < 0)
			return rc;
		if (!at_value_end(ps, ps->p))
			return fail(ps, ps->p, "invalid %s: unexpected %s",
				    what, describe(ps, ps->p, buf));
		if ((rc = new_value(ps, out, TLC_TOML_INTEGER, at)) < 0)
			return rc;
		return fold_integer(ps, digits, ps->p, base, false, s,
				    &(*out)->u.i);
	}
	if ((rc = scan_digits(ps, 10, "number")) < 0)
		return rc;
	/* "leading zeros are not allowed" (integers and float int parts) */
	if (*digits == '0' && ps->p - digits > 1)
		return fail(ps, digits, "leading zero in number");
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		is_float = true;
		if ((rc = scan_digits(ps, 10, "fraction")) < 0)
			return rc;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		is_float = true;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if ((rc = scan_digits(ps, 10, "exponent")) < 0)
			return rc;
	}
	if (!at_value_end(ps, ps->p))
		return fail(ps, ps->p, "invalid %s: unexpected %s",
			    is_float ? "float" : "integer",
			    describe(ps, ps->p, buf));
	if ((rc = new_value(ps, out, is_float ? TLC_TOML_FLOAT :
			    TLC_TOML_INTEGER, at)) < 0)
		return rc;
	if (is_float)
		return make_float(ps, s, ps->p, &(*out)->u.f);
	return fold_integer(ps, digits, ps->p, 10, neg, s, &(*out)->u.i);
}

/* Exactly @n decimal digits at @p. */
static bool get_digits(const struct parser *ps, const char *p, int n, int *v)
{
	int i;

	if (ps->end - p < n)
		return false;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (p[i] - '0');
	}
	return true;
}

/* "partial-time = time-hour ":" time-minute ":" time-second
 * [ time-secfrac ]" (RFC 3339 section 5.6): hour 00-23, minute 00-59,
 * second 00-60 (60 for a leap second). */
static int scan_time(struct parser *ps, const char *p, const char **endp)
{
	int h, m, s;

	if (!get_digits(ps, p, 2, &h) || p + 2 >= ps->end || p[2] != ':' ||
	    !get_digits(ps, p + 3, 2, &m) || p + 5 >= ps->end ||
	    p[5] != ':' || !get_digits(ps, p + 6, 2, &s))
		return fail(ps, p, "invalid time: expected HH:MM:SS");
	if (h > 23)
		return fail(ps, p, "invalid time: hour %02d is past 23", h);
	if (m > 59)
		return fail(ps, p + 3, "invalid time: minute %02d is past 59",
			    m);
	if (s > 60)
		return fail(ps, p + 6, "invalid time: second %02d is past 60",
			    s);
	p += 8;
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return fail(ps, p, "invalid time: expected digits "
				    "after '.'");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	*endp = p;
	return 0;
}

static bool leap_year(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* The four date/time kinds of RFC 3339 as TOML uses them. */
static int parse_datetime(struct parser *ps, const char *at,
			  struct tlc_toml_value **out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	const char *s = ps->p, *p = s;
	enum tlc_toml_type type = TLC_TOML_TIME_LOCAL;
	int y, mo, d, oh, om, rc;
	char buf[32], *text;
	size_t i, n;

	if (p + 4 < ps->end && p[4] == '-') {
		if (!get_digits(ps, p, 4, &y) ||
		    !get_digits(ps, p + 5, 2, &mo) || p + 7 >= ps->end ||
		    p[7] != '-' || !get_digits(ps, p + 8, 2, &d))
			return fail(ps, s, "invalid date: expected "
				    "YYYY-MM-DD");
		if (mo < 1 || mo > 12)
			return fail(ps, p + 5, "invalid date: month %02d is "
				    "not 01 to 12", mo);
		if (d < 1 || d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
			return fail(ps, p + 8, "invalid date: %04d-%02d has no "
				    "day %02d", y, mo, d);
		p += 10;
		type = TLC_TOML_DATE_LOCAL;
		/* "time-delim = "T" / %x20" (and "t": ABNF is
		 * case-insensitive) */
		if (p < ps->end && (*p == 'T' || *p == 't' ||
				    (*p == ' ' && p + 1 < ps->end &&
				     p[1] >= '0' && p[1] <= '9'))) {
			if ((rc = scan_time(ps, p + 1, &p)) < 0)
				return rc;
			type = TLC_TOML_DATETIME_LOCAL;
			if (p < ps->end && (*p == 'Z' || *p == 'z')) {
				p++;
				type = TLC_TOML_DATETIME;
			} else if (p < ps->end && (*p == '+' || *p == '-')) {
				if (!get_digits(ps, p + 1, 2, &oh) ||
				    p + 3 >= ps->end || p[3] != ':' ||
				    !get_digits(ps, p + 4, 2, &om))
					return fail(ps, p, "invalid time "
						    "offset: expected +HH:MM");
				if (oh > 23 || om > 59)
					return fail(ps, p, "invalid time "
						    "offset: %.6s is out of "
						    "range", p);
				p += 6;
				type = TLC_TOML_DATETIME;
			}
		}
	} else if ((rc = scan_time(ps, p, &p)) < 0) {
		return rc;
	}
	if (!at_value_end(ps, p))
		return fail(ps, p, "invalid %s: unexpected %s",
			    type == TLC_TOML_DATETIME ? "offset date-time" :
			    type == TLC_TOML_DATETIME_LOCAL ?
			    "local date-time" :
			    type == TLC_TOML_DATE_LOCAL ? "local date" :
			    "local time", describe(ps, p, buf));
	ps->p = p;
	if ((rc = new_value(ps, out, type, at)) < 0)
		return rc;
	n = (size_t)(p - s);
	if (!(text = arena_strdup(ps->doc, s, n)))
		return oom(ps);
	/* the toml-test form: 'T' between date and time, upper-case 'Z' */
	if (type == TLC_TOML_DATETIME || type == TLC_TOML_DATETIME_LOCAL)
		text[10] = 'T';
	for (i = 0; i < n; i++)
		if (text[i] == 'z')
			text[i] = 'Z';
	(*out)->u.s.ptr = text;
	(*out)->u.s.len = n;
	return 0;
}

/* ---- values ---- */

static int parse_value(struct parser *ps, const char *at, unsigned depth,
		       struct tlc_toml_value **out);
static int parse_keyval(struct parser *ps, struct tlc_toml_value *base);

/* true, false, or a bare word that is neither: strings need quotes. */
static int parse_word(struct parser *ps, const char *at,
		      struct tlc_toml_value **out)
{
	const char *s = ps->p, *e = s;
	int rc;

	while (e < ps->end && is_bare((unsigned char)*e))
		e++;
	if ((e - s == 4 && !memcmp(s, "true", 4)) ||
	    (e - s == 5 && !memcmp(s, "false", 5))) {
		if ((rc = new_value(ps, out, TLC_TOML_BOOL, at)) < 0)
			return rc;
		(*out)->u.b = *s == 't';
		ps->p = e;
		return 0;
	}
	return fail(ps, s, "invalid value '%.*s' (strings need quotes; "
		    "booleans are lower-case)",
		    (int)(e - s > 40 ? 40 : e - s), s);
}

static int parse_array(struct parser *ps, const char *at, unsigned depth,
		       struct tlc_toml_value **out)
{
	const char *open = ps->p;
	struct tlc_toml_value *a, *v;
	char buf[32];
	int rc;

	if ((rc = new_container(ps, &a, TLC_TOML_ARRAY, A_STATIC, depth, at,
				open)) < 0)
		return rc;
	ps->p++;
	for (;;) {
		if ((rc = skip_ws_comment_newline(ps)) < 0)
			return rc;
		if (ps->p >= ps->end)
			return fail(ps, open, "unterminated array");
		if (*ps->p == ']')
			break;
		if ((rc = parse_value(ps, ps->p, depth + 1, &v)) < 0)
			return rc;
		if ((rc = push(ps, a, v)) < 0)
			return rc;
		if ((rc = skip_ws_comment_newline(ps)) < 0)
			return rc;
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']')
			break;
		if (ps->p >= ps->end)
			return fail(ps, open, "unterminated array");
		return fail(ps, ps->p, "expected ',' or ']' in array, found %s",
			    describe(ps, ps->p, buf));
	}
	ps->p++;
	*out = a;
	return 0;
}

/* "No newlines are allowed between the curly braces unless they are
 * valid within a value", "No additional key/value pairs may be added to
 * an inline table besides the ones defined within the braces", no
 * trailing comma. */
static int parse_inline_table(struct parser *ps, const char *at,
			      unsigned depth, struct tlc_toml_value **out)
{
	const char *open = ps->p;
	struct tlc_toml_value *t;
	char buf[32];
	int rc;

	if ((rc = new_container(ps, &t, TLC_TOML_TABLE, T_INLINE, depth, at,
				open)) < 0)
		return rc;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		*out = t;
		return 0;
	}
	for (;;) {
		if (ps->p >= ps->end)
			return fail(ps, open, "unterminated inline table");
		if (at_newline(ps) || *ps->p == '#')
			return fail(ps, ps->p, "%s not allowed in an inline "
				    "table", *ps->p == '#' ? "comment" :
				    "newline");
		if ((rc = parse_keyval(ps, t)) < 0)
			return rc;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == '}')
				return fail(ps, ps->p, "trailing comma not "
					    "allowed in an inline table");
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}')
			break;
		if (ps->p >= ps->end)
			return fail(ps, open, "unterminated inline table");
		if (at_newline(ps) || *ps->p == '#')
			return fail(ps, ps->p, "%s not allowed in an inline "
				    "table", *ps->p == '#' ? "comment" :
				    "newline");
		return fail(ps, ps->p, "expected ',' or '}' in inline table, "
			    "found %s", describe(ps, ps->p, buf));
	}
	ps->p++;
	*out = t;
	return 0;
}

/* A value; @at is where it counts as defined, @depth is where a container
 * would sit. */
static int parse_value(struct parser *ps, const char *at, unsigned depth,
		       struct tlc_toml_value **out)
{
	const char *p = ps->p;
	char buf[32];
	int rc;

	*out = NULL;
	if (p >= ps->end)
		return fail(ps, p, "expected a value, found end of input");
	switch (*p) {
	case '"':
	case '\'':
		/* position first: the string may move to later lines */
		if ((rc = new_value(ps, out, TLC_TOML_STRING, at)) < 0)
			return rc;
		if ((rc = scan_string(ps, true)) < 0)
			return rc;
		(*out)->u.s.len = ps->sbuf.len;
		(*out)->u.s.ptr = arena_strdup(ps->doc, ps->sbuf.ptr,
					       ps->sbuf.len);
		if (!(*out)->u.s.ptr)
			return oom(ps);
		return 0;
	case '[':
		return parse_array(ps, at, depth, out);
	case '{':
		return parse_inline_table(ps, at, depth, out);
	case '+':
	case '-':
	case 'i':
	case 'n':
		break;
	default:
		if (*p >= '0' && *p <= '9')
			break;
		if (is_bare((unsigned char)*p))
			return parse_word(ps, at, out);
		return fail(ps, p, "expected a value, found %s",
			    describe(ps, p, buf));
	}
	/* "1979-" starts a date, "07:" a time; anything else a number */
	if (is_digit((unsigned char)p[0], 10) && ps->end - p > 2 &&
	    is_digit((unsigned char)p[1], 10) &&
	    (p[2] == ':' || (ps->end - p > 4 && p[4] == '-' &&
			     is_digit((unsigned char)p[2], 10) &&
			     is_digit((unsigned char)p[3], 10))))
		return parse_datetime(ps, at, out);
	if ((*p == 'i' || *p == 'n') &&
	    !(ps->end - p >= 3 && (!memcmp(p, "inf", 3) ||
				   !memcmp(p, "nan", 3))))
		return parse_word(ps, at, out);
	return parse_number(ps, at, out);
}

/* ---- tables ---- */

/* From @*t through the table named by key part @i of a dotted key
 * (toml.io: "Dotted keys create and define a table for each key part
 * before the last one, provided that such tables were not previously
 * created"). */
static int descend_dotted(struct parser *ps, struct tlc_toml_value **t,
			  size_t i)
{
	const struct part *pt = &ps->parts[i];
	struct entry *e = tab_find((*t)->u.t, pt->key, pt->len);
	struct tlc_toml_value *v;
	char kb[KEYNAME_MAX + 8];
	int rc;

	if (!e) {
		if ((rc = new_container(ps, &v, TLC_TOML_TABLE, T_DOTTED,
					(*t)->depth + 1u, pt->at, pt->at)) < 0)
			return rc;
		if ((rc = add_entry(ps, *t, pt, v)) < 0)
			return rc;
		*t = v;
		return 0;
	}
	v = e->val;
	if (v->type == TLC_TOML_TABLE) {
		switch (v->kind) {
		case T_IMPLICIT:
			v->kind = T_DOTTED;
			/* fall through */
		case T_DOTTED:
			*t = v;
			return 0;
		case T_HEADER:
			return fail(ps, pt->at, "dotted key cannot add to "
				    "table %s, defined by a [header] at %u:%u",
				    keyname(ps, i + 1, kb), v->line,
				    v->column);
		default:
			return fail(ps, pt->at, "inline table %s cannot be "
				    "extended", keyname(ps, i + 1, kb));
		}
	}
	return fail(ps, pt->at, "dotted key cannot add to %s, which is %s "
		    "defined at %u:%u", keyname(ps, i + 1, kb), a_kind(v),
		    v->line, v->column);
}

/* From @*t through the table named by part @i of a [header] before its
 * last: made implicitly if absent; the last table of an array of tables
 * ("[[...]]" sub-tables "belong to the most recently defined table
 * element above"). */
static int descend_header(struct parser *ps, struct tlc_toml_value **t,
			  size_t i, const char *open)
{
	const struct part *pt = &ps->parts[i];
	struct entry *e = tab_find((*t)->u.t, pt->key, pt->len);
	struct tlc_toml_value *v;
	char kb[KEYNAME_MAX + 8];
	int rc;

	if (!e) {
		if ((rc = new_container(ps, &v, TLC_TOML_TABLE, T_IMPLICIT,
					(*t)->depth + 1u, open, pt->at)) < 0)
			return rc;
		if ((rc = add_entry(ps, *t, pt, v)) < 0)
			return rc;
		*t = v;
		return 0;
	}
	v = e->val;
	if (v->type == TLC_TOML_TABLE && v->kind != T_INLINE) {
		*t = v;
		return 0;
	}
	if (v->type == TLC_TOML_ARRAY && v->kind == A_TABLES) {
		*t = v->u.a->v[v->u.a->len - 1];
		return 0;
	}
	return fail(ps, pt->at, "cannot add a table to %s, which is %s "
		    "defined at %u:%u", keyname(ps, i + 1, kb), a_kind(v),
		    v->line, v->column);
}

/* "[" key "]" or "[[" key "]]": sets ps->cur. */
static int parse_header(struct parser *ps)
{
	const char *open = ps->p;
	bool aot = ps->end - open > 1 && open[1] == '[';
	struct tlc_toml_value *t = ps->doc->root, *v, *a;
	char buf[32], kb[KEYNAME_MAX + 8];
	const struct part *last;
	struct entry *e;
	size_t i, n;
	int rc;

	ps->p += aot ? 2 : 1;
	skip_ws(ps);
	if ((rc = parse_key(ps)) < 0)
		return rc;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ']' ||
	    (aot && (ps->end - ps->p < 2 || ps->p[1] != ']')))
		return fail(ps, ps->p, "expected '%s' after table name, "
			    "found %s", aot ? "]]" : "]",
			    describe(ps, ps->p, buf));
	ps->p += aot ? 2 : 1;
	n = ps->nparts;
	for (i = 0; i + 1 < n; i++)
		if ((rc = descend_header(ps, &t, i, open)) < 0)
			return rc;
	last = &ps->parts[n - 1];
	e = tab_find(t->u.t, last->key, last->len);
	v = e ? e->val : NULL;
	if (aot) {
		if (!v) {
			if ((rc = new_container(ps, &a, TLC_TOML_ARRAY,
						A_TABLES, t->depth + 1u, open,
						last->at)) < 0)
				return rc;
			if ((rc = add_entry(ps, t, last, a)) < 0)
				return rc;
		} else if (v->type == TLC_TOML_ARRAY && v->kind == A_TABLES) {
			a = v;
		} else {
			return fail(ps, last->at, "cannot append a table to "
				    "%s, which is %s defined at %u:%u",
				    keyname(ps, n, kb), a_kind(v), v->line,
				    v->column);
		}
		if ((rc = new_container(ps, &v, TLC_TOML_TABLE, T_HEADER,
					a->depth + 1u, open, last->at)) < 0)
			return rc;
		if ((rc = push(ps, a, v)) < 0)
			return rc;
		ps->cur = v;
		return 0;
	}
	if (!v) {
		if ((rc = new_container(ps, &v, TLC_TOML_TABLE, T_HEADER,
					t->depth + 1u, open, last->at)) < 0)
			return rc;
		if ((rc = add_entry(ps, t, last, v)) < 0)
			return rc;
	} else if (v->type == TLC_TOML_TABLE && v->kind == T_IMPLICIT) {
		unsigned line, col;

		/* "[x.y.z] ... [x]": defining a super-table after the
		 * fact is fine, once */
		v->kind = T_HEADER;
		position(ps, open, &line, &col);
		v->line = line;
		v->column = col;
	} else if (v->type == TLC_TOML_TABLE && v->kind == T_HEADER) {
		return fail(ps, last->at, "table %s defined twice, first at "
			    "%u:%u", keyname(ps, n, kb), v->line, v->column);
	} else if (v->type == TLC_TOML_TABLE && v->kind == T_DOTTED) {
		return fail(ps, last->at, "table %s already defined by dotted "
			    "keys at %u:%u", keyname(ps, n, kb), v->line,
			    v->column);
	} else {
		return fail(ps, last->at, "cannot define table %s: it is "
			    "already %s defined at %u:%u", keyname(ps, n, kb),
			    a_kind(v), v->line, v->column);
	}
	ps->cur = v;
	return 0;
}

/* key = value, into @base (the current table or an inline table). */
static int parse_keyval(struct parser *ps, struct tlc_toml_value *base)
{
	struct tlc_toml_value *t = base, *v;
	char buf[32], kb[KEYNAME_MAX + 8];
	struct part last;
	size_t i, n;
	int rc;

	if ((rc = parse_key(ps)) < 0)
		return rc;
	n = ps->nparts;
	if (ps->p >= ps->end || *ps->p != '=')
		return fail(ps, ps->p, "expected '=' after key %s, found %s",
			    keyname(ps, n, kb), describe(ps, ps->p, buf));
	ps->p++;
	skip_ws(ps);
	for (i = 0; i + 1 < n; i++)
		if ((rc = descend_dotted(ps, &t, i)) < 0)
			return rc;
	last = ps->parts[n - 1];
	if (tab_find(t->u.t, last.key, last.len))
		return fail(ps, last.at, "duplicate key %s",
			    keyname(ps, n, kb));
	/* the value may nest, and reuses ps->parts: last is a copy */
	if ((rc = parse_value(ps, last.at, t->depth + 1u, &v)) < 0)
		return rc;
	return add_entry(ps, t, &last, v);
}

static int parse_document(struct parser *ps)
{
	int rc;
	bool header;

	/* a UTF-8 byte order mark may open the file (toml-test
	 * valid/utf8-bom-*) */
	if (ps->end - ps->p >= 3 && !memcmp(ps->p, "\xEF\xBB\xBF", 3)) {
		ps->p += 3;
		ps->line_start = ps->p;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end)
			return 0;
		if (at_newline(ps)) {
			if ((rc = eat_newline(ps)) < 0)
				return rc;
			continue;
		}
		if (*ps->p == '#') {
			if ((rc = skip_comment(ps)) < 0)
				return rc;
			continue;
		}
		header = *ps->p == '[';
		if (header)
			rc = parse_header(ps);
		else
			rc = parse_keyval(ps, ps->cur);
		if (rc < 0)
			return rc;
		if ((rc = end_of_line(ps, header ? "table header" :
				      "value")) < 0)
			return rc;
	}
}

/* ---- public API ---- */

int tlc_toml_parse(struct tlc_toml **out, const char *data, size_t len,
		   const char *filename, struct tlc_error *err)
{
	struct parser ps = { 0 };
	struct tlc_toml *doc = NULL;
	struct tlc_toml_value *root;
	int rc;

	*out = NULL;
	if (!filename)
		filename = "<input>";
	if (len > TLC_TOML_MAX_INPUT)
		return tlc_error_set(err, TLC_ETOOBIG, "%s:1:1: TOML input of "
				     "%zu bytes is over the %u byte limit",
				     filename, len, TLC_TOML_MAX_INPUT);
	if (!data)
		data = "";
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return tlc_error_set(err, TLC_ENOMEM, "%s:1:1: out of memory",
				     filename);
	make_seed(doc);
	ps.start = ps.p = ps.line_start = data;
	ps.end = data + len;
	ps.line = 1;
	ps.filename = filename;
	ps.doc = doc;
	ps.err = err;
	tlc_buf_init(&ps.sbuf, 0);
	if ((rc = new_container(&ps, &root, TLC_TOML_TABLE, T_HEADER, 0,
				data, data)) < 0)
		goto out;
	doc->root = root;
	ps.cur = root;
	rc = parse_document(&ps);
out:
	tlc_buf_release(&ps.sbuf);
	if (ps.cloc)
		freelocale(ps.cloc);
	if (rc < 0)
		tlc_toml_free(doc);
	else
		*out = doc;
	return rc;
}

void tlc_toml_free(struct tlc_toml *doc)
{
	struct chunk *c, *next;

	if (!doc)
		return;
	for (c = doc->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

const struct tlc_toml_value *tlc_toml_root(const struct tlc_toml *doc)
{
	assert(doc);
	return doc->root;
}

enum tlc_toml_type tlc_toml_type(const struct tlc_toml_value *v)
{
	assert(v);
	return (enum tlc_toml_type)v->type;
}

const char *tlc_toml_type_name(enum tlc_toml_type t)
{
	if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "unknown";
	return type_names[t];
}

unsigned tlc_toml_line(const struct tlc_toml_value *v)
{
	assert(v);
	return v->line;
}

unsigned tlc_toml_column(const struct tlc_toml_value *v)
{
	assert(v);
	return v->column;
}

size_t tlc_toml_len(const struct tlc_toml_value *v)
{
	if (!v)
		return 0;
	if (v->type == TLC_TOML_ARRAY)
		return v->u.a->len;
	if (v->type == TLC_TOML_TABLE)
		return v->u.t->len;
	return 0;
}

const struct tlc_toml_value *tlc_toml_at(const struct tlc_toml_value *v,
					 size_t i)
{
	if (!v || i >= tlc_toml_len(v))
		return NULL;
	if (v->type == TLC_TOML_ARRAY)
		return v->u.a->v[i];
	return v->u.t->e[i].val;
}

const char *tlc_toml_key_at(const struct tlc_toml_value *v, size_t i)
{
	if (!v || v->type != TLC_TOML_TABLE || i >= v->u.t->len)
		return NULL;
	return v->u.t->e[i].key;
}

size_t tlc_toml_key_len(const struct tlc_toml_value *v, size_t i)
{
	if (!v || v->type != TLC_TOML_TABLE || i >= v->u.t->len)
		return 0;
	return v->u.t->e[i].len;
}

const struct tlc_toml_value *tlc_toml_getn(const struct tlc_toml_value *v,
					   const char *key, size_t len)
{
	const struct entry *e;

	if (!v || v->type != TLC_TOML_TABLE)
		return NULL;
	e = tab_find(v->u.t, key, len);
	return e ? e->val : NULL;
}

const struct tlc_toml_value *tlc_toml_get(const struct tlc_toml_value *v,
					  const char *key)
{
	return tlc_toml_getn(v, key, strlen(key));
}

const char *tlc_toml_string(const struct tlc_toml_value *v, size_t *len)
{
	if (len)
		*len = 0;
	if (!v || v->type == TLC_TOML_INTEGER || v->type == TLC_TOML_FLOAT ||
	    v->type == TLC_TOML_BOOL || v->type == TLC_TOML_ARRAY ||
	    v->type == TLC_TOML_TABLE)
		return NULL;
	if (len)
		*len = v->u.s.len;
	return v->u.s.ptr;
}

int64_t tlc_toml_integer(const struct tlc_toml_value *v)
{
	return v && v->type == TLC_TOML_INTEGER ? v->u.i : 0;
}

double tlc_toml_float(const struct tlc_toml_value *v)
{
	return v && v->type == TLC_TOML_FLOAT ? v->u.f : 0.0;
}

bool tlc_toml_bool(const struct tlc_toml_value *v)
{
	return v && v->type == TLC_TOML_BOOL ? v->u.b : false;
}
