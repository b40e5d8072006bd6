/*
 * The recipe loader: tlcpack.toml, or [tool.tlcpack] in pyproject.toml
 * with the PEP 621 [project] table (https://peps.python.org/pep-0621/,
 * now https://packaging.python.org/en/latest/specifications/pyproject-toml/).
 * docs/recipe.md is the reference for every key.
 *
 * Everything the recipe owns lives in one arena, freed at once by
 * tlc_recipe_free().  Loading only reads: the recipe file, and lstat /
 * realpath on the paths it names, to refuse those that leave the project.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/buf.h"
#include "tlcpack/names.h"	/* tlc_name_valid */
#include "tlcpack/pep440.h"	/* tlc_pep440_parse, tlc_pep440_format */
#include "tlcpack/policy.h"	/* tlc_policy_find */
#include "tlcpack/recipe.h"
#include "tlcpack/toml.h"

#include "fs.h"		/* tlc__fs_join, tlc__fs_exists */

#include "banned.h"

#define KP 256			/* a key path as shown in messages */
#define SHOW_MAX 60		/* bytes of a value quoted in a message */
#define CHUNK_MIN 16384

/* ---- arena ---------------------------------------------------------- */

struct chunk {
	struct chunk *next;
	size_t used, size;
};

#define ALIGN_UP(n) (((n) + alignof(max_align_t) - 1) & \
		     ~(alignof(max_align_t) - 1))
#define CHUNK_HDR ALIGN_UP(sizeof(struct chunk))

struct recipe_impl {
	struct tlc_recipe pub;	/* first: tlc_recipe_free() converts back */
	struct chunk *chunks;
};

/* Zeroed memory from @ri's arena, or NULL. */
static void *arena_alloc(struct recipe_impl *ri, size_t n)
{
	struct chunk *c = ri->chunks;
	char *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = ALIGN_UP(n ? n : 1);
	if (!c || c->size - c->used < n) {
		size_t sz = n > CHUNK_MIN ? n : CHUNK_MIN;

		if (!(c = malloc(CHUNK_HDR + sz)))
			return NULL;
		c->next = ri->chunks;
		c->used = 0;
		c->size = sz;
		ri->chunks = c;
	}
	p = (char *)c + CHUNK_HDR + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

static char *arena_strndup(struct recipe_impl *ri, const char *s, size_t n)
{
	char *p = arena_alloc(ri, n + 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

static char *arena_strdup(struct recipe_impl *ri, const char *s)
{
	return arena_strndup(ri, s, strlen(s));
}

/* ---- the loader's state and its messages ------------------------------ */

struct ld {
	struct recipe_impl *ri;
	struct tlc_recipe *r;
	struct tlc_error *err;
	char file[192];		/* the recipe as named in messages */
	bool pyproject;
	const char *top;	/* key path of the recipe table */
	const struct tlc_toml_value *top_v;
	const struct tlc_toml_value *project_v;	/* [project], or NULL */
	const struct tlc_toml_value *package_v;	/* [package], or NULL */
	const struct tlc_toml_value *default_variant_v;
	bool dynamic_version;
	const char *license_file;	/* license = { file = ... } */
	/* where each [[build.cmake]] name came from, for messages */
	const struct tlc_toml_value **cmake_v;
};

/* Append to a fixed buffer, dropping what does not fit. */
struct sb {
	char *p;
	size_t n, len;
};

static void sb_putc(struct sb *b, char c)
{
	if (b->len + 1 < b->n) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
	}
}

static void sb_puts(struct sb *b, const char *s)
{
	while (*s)
		sb_putc(b, *s++);
}

/* @s for a one-line message: control bytes as \xNN, cut after @max. */
static void sb_show(struct sb *b, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			sb_puts(b, "...");
			return;
		}
		if (c < 0x20 || c == 0x7f || c == '\\') {
			sb_putc(b, '\\');
			if (c == '\\') {
				sb_putc(b, '\\');
				continue;
			}
			sb_putc(b, 'x');
			sb_putc(b, hex[c >> 4]);
			sb_putc(b, hex[c & 15]);
		} else {
			sb_putc(b, (char)c);
		}
	}
}

/* A value quoted for a message, in @buf (at least SHOW_MAX * 4 + 8). */
static const char *show(char *buf, size_t n, const char *s)
{
	struct sb b = { buf, n, 0 };

	buf[0] = '\0';
	sb_show(&b, s, SHOW_MAX);
	return buf;
}

#define SHOWBUF (SHOW_MAX * 4 + 8)

static bool is_bare_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
		      (*k >= '0' && *k <= '9') || *k == '-' || *k == '_'))
			return false;
	return true;
}

/* @out = @parent "." @key, the key quoted as TOML would need it. */
static void kp_key(char *out, const char *parent, const char *key)
{
	struct sb b = { out, KP, 0 };

	out[0] = '\0';
	sb_puts(&b, parent);
	if (*parent)
		sb_putc(&b, '.');
	if (is_bare_key(key)) {
		sb_show(&b, key, SHOW_MAX);
	} else {
		sb_putc(&b, '"');
		sb_show(&b, key, SHOW_MAX);
		sb_putc(&b, '"');
	}
}

static void kp_idx(char *out, const char *parent, size_t i)
{
	struct sb b = { out, KP, 0 };
	char idx[32];

	out[0] = '\0';
	snprintf(idx, sizeof(idx), "[%zu]", i);
	sb_puts(&b, parent);
	sb_puts(&b, idx);
}

static int fail(struct ld *ld, int code, const struct tlc_toml_value *at,
		const char *fmt, ...) TLC_PRINTF(4, 5);

/* "file:line:column: message"; the position is @at's, or 1:1. */
static int fail(struct ld *ld, int code, const struct tlc_toml_value *at,
		const char *fmt, ...)
{
	char msg[TLC_ERROR_MSG_SIZE];
	unsigned line = at ? tlc_toml_line(at) : 0;
	unsigned col = at ? tlc_toml_column(at) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!line) {
		line = 1;
		col = 1;
	}
	return tlc_error_set(ld->err, code, "%s:%u:%u: %s", ld->file, line,
			     col ? col : 1, msg);
}

static int oom(struct ld *ld)
{
	return tlc_error_set(ld->err, TLC_ENOMEM, "out of memory loading '%s'",
			     ld->file);
}

static const char *a_type(const struct tlc_toml_value *v)
{
	switch (tlc_toml_type(v)) {
	case TLC_TOML_STRING:
		return "a string";
	case TLC_TOML_INTEGER:
		return "an integer";
	case TLC_TOML_FLOAT:
		return "a float";
	case TLC_TOML_BOOL:
		return "a boolean";
	case TLC_TOML_DATETIME:
	case TLC_TOML_DATETIME_LOCAL:
		return "a date-time";
	case TLC_TOML_DATE_LOCAL:
		return "a date";
	case TLC_TOML_TIME_LOCAL:
		return "a time";
	case TLC_TOML_ARRAY:
		return "an array";
	case TLC_TOML_TABLE:
		return "a table";
	}
	return "a value";
}

static int bad_type(struct ld *ld, const struct tlc_toml_value *v,
		    const char *kp, const char *want)
{
	return fail(ld, TLC_EPOLICY, v, "'%s' must be %s, not %s", kp, want,
		    a_type(v));
}

static int need_table(struct ld *ld, const struct tlc_toml_value *v,
		      const char *kp)
{
	if (tlc_toml_type(v) != TLC_TOML_TABLE)
		return bad_type(ld, v, kp, "a table");
	if (tlc_toml_len(v) > TLC_RECIPE_MAX_ITEMS)
		return fail(ld, TLC_ETOOBIG, v, "'%s' has over %d entries", kp,
			    TLC_RECIPE_MAX_ITEMS);
	return 0;
}

static int missing(struct ld *ld, const struct tlc_toml_value *table,
		   const char *kp, const char *key)
{
	char k[KP];

	kp_key(k, kp, key);
	return fail(ld, TLC_EPOLICY, table, "missing key '%s'", k);
}

/* Key @i of table @t into @key, its key path into @k; a key holding a
 * NUL byte is refused. */
static int key_at(struct ld *ld, const struct tlc_toml_value *t,
		  const char *kp, size_t i, char *k, const char **key)
{
	*key = tlc_toml_key_at(t, i);
	kp_key(k, kp, *key);
	if (tlc_toml_key_len(t, i) != strlen(*key))
		return fail(ld, TLC_EPOLICY, tlc_toml_at(t, i),
			    "key '%s' contains a NUL byte", k);
	return 0;
}

/* ---- did you mean ----------------------------------------------------- */

static unsigned char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A' + 'a');
	return c == '_' ? '-' : (unsigned char)c;
}

#define DL_MAX 40

/*
 * Optimal string alignment distance (Damerau-Levenshtein without
 * repeated edits of one substring), case and '_'/'-' folded.  @b is one
 * of our own names, at most DL_MAX bytes.
 */
static size_t dl_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][DL_MAX + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
			size_t d = prev[j] + 1;

			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 &&
			    fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* The closest of @names (NULL-terminated) to @key, if close enough. */
static const char *suggest(const char *key, const char *const *names)
{
	size_t lk = strlen(key), best_d = SIZE_MAX;
	const char *best = NULL;

	for (size_t i = 0; names[i]; i++) {
		size_t ln = strlen(names[i]), limit = ln / 3, d;

		if (limit < 1)
			limit = 1;
		if (limit > 3)
			limit = 3;
		if (ln > DL_MAX || (lk > ln ? lk - ln : ln - lk) > limit)
			continue;
		d = dl_distance(key, lk, names[i], ln);
		if (d <= limit && d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

/*
 * Refuse keys of table @t that are not in @known.  @aliases holds pairs
 * of a likely mistake and the key meant, for hints no distance finds.
 */
static int check_keys(struct ld *ld, const struct tlc_toml_value *t,
		      const char *kp, const char *const *known,
		      const char *const *aliases)
{
	size_t n = tlc_toml_len(t);

	for (size_t i = 0; i < n; i++) {
		const struct tlc_toml_value *v = tlc_toml_at(t, i);
		const char *key, *hint = NULL;
		bool ok = false;
		char k[KP];
		int rc;

		if ((rc = key_at(ld, t, kp, i, k, &key)) < 0)
			return rc;
		for (size_t j = 0; known[j] && !ok; j++)
			ok = !strcmp(key, known[j]);
		if (ok)
			continue;
		hint = suggest(key, known);
		for (size_t j = 0; !hint && aliases && aliases[j]; j += 2)
			if (!strcmp(key, aliases[j]))
				hint = aliases[j + 1];
		if (hint)
			return fail(ld, TLC_EPOLICY, v,
				    "unknown key '%s' (did you mean '%s'?)", k,
				    hint);
		return fail(ld, TLC_EPOLICY, v, "unknown key '%s'", k);
	}
	return 0;
}

/* ---- scalars and lists ------------------------------------------------ */

enum {
	S_ANY = 0,
	S_LINE = 1,		/* no control characters */
	S_NONEMPTY = 2,
	S_REQUIRED = 4,		/* member_str(): the key must be there */
};

static int check_text(struct ld *ld, const struct tlc_toml_value *v,
		      const char *kp, const char *s, size_t len, unsigned flags)
{
	if (len > TLC_RECIPE_MAX_STRING)
		return fail(ld, TLC_ETOOBIG, v, "'%s' is over %d bytes", kp,
			    TLC_RECIPE_MAX_STRING);
	if (memchr(s, '\0', len))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must not contain a NUL byte", kp);
	if ((flags & S_NONEMPTY) && len == 0)
		return fail(ld, TLC_EPOLICY, v, "'%s' must not be empty", kp);
	if (flags & S_LINE)
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				return fail(ld, TLC_EPOLICY, v,
					    "'%s' must be one line without "
					    "control characters", kp);
	return 0;
}

static int get_str(struct ld *ld, const struct tlc_toml_value *v,
		   const char *kp, unsigned flags, const char **out)
{
	const char *s;
	size_t len;
	int rc;

	if (tlc_toml_type(v) != TLC_TOML_STRING)
		return bad_type(ld, v, kp, "a string");
	s = tlc_toml_string(v, &len);
	if ((rc = check_text(ld, v, kp, s, len, flags)) < 0)
		return rc;
	if (!(*out = arena_strndup(ld->ri, s, len)))
		return oom(ld);
	return 0;
}

typedef int (*item_check)(struct ld *ld, const struct tlc_toml_value *v,
			  const char *kp, const char *s);

/* The value of @key in table @t (key path @kp), or NULL; @k gets its key
 * path. */
static const struct tlc_toml_value *member(const struct tlc_toml_value *t,
					   const char *kp, const char *key,
					   char *k)
{
	kp_key(k, kp, key);
	return tlc_toml_get(t, key);
}

/*
 * The string @key of table @t into @out, then @check on it when not NULL.
 * A missing key is refused with S_REQUIRED, else leaves @out as it was.
 */
static int member_str(struct ld *ld, const struct tlc_toml_value *t,
		      const char *kp, const char *key, unsigned flags,
		      item_check check, const char **out)
{
	const struct tlc_toml_value *v;
	char k[KP];
	int rc;

	if (!(v = member(t, kp, key, k)))
		return (flags & S_REQUIRED) ? missing(ld, t, kp, key) : 0;
	if ((rc = get_str(ld, v, k, flags, out)) < 0)
		return rc;
	return check ? check(ld, v, k, *out) : 0;
}

/* An array ("an array of ..." is @what) of at most TLC_RECIPE_MAX_ITEMS. */
static int get_array(struct ld *ld, const struct tlc_toml_value *v,
		     const char *kp, const char *what, size_t *n)
{
	if (tlc_toml_type(v) != TLC_TOML_ARRAY)
		return bad_type(ld, v, kp, what);
	*n = tlc_toml_len(v);
	if (*n > TLC_RECIPE_MAX_ITEMS)
		return fail(ld, TLC_ETOOBIG, v, "'%s' has over %d entries", kp,
			    TLC_RECIPE_MAX_ITEMS);
	return 0;
}

/* An array of tables: [[kp]], or kp = [{...}]. */
static int table_array(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp, size_t *n)
{
	return get_array(ld, v, kp, "an array of tables ([[...]])", n);
}

/* Element @i of the array of tables @arr (key path @akp) into @t, its key
 * path into @kp: a table with no keys but @keys. */
static int table_at(struct ld *ld, const struct tlc_toml_value *arr,
		    const char *akp, size_t i, const char *const *keys,
		    char *kp, const struct tlc_toml_value **t)
{
	*t = tlc_toml_at(arr, i);
	kp_idx(kp, akp, i);
	if (tlc_toml_type(*t) != TLC_TOML_TABLE)
		return bad_type(ld, *t, kp, "a table");
	return check_keys(ld, *t, kp, keys, NULL);
}

static int empty_strlist(struct ld *ld, struct tlc_recipe_strlist *l)
{
	l->n = 0;
	if (!(l->v = arena_alloc(ld->ri, sizeof(*l->v))))
		return oom(ld);
	return 0;
}

static int empty_kv(struct ld *ld, struct tlc_recipe_kv *kv)
{
	kv->n = 0;
	kv->keys = arena_alloc(ld->ri, sizeof(*kv->keys));
	kv->values = arena_alloc(ld->ri, sizeof(*kv->values));
	if (!kv->keys || !kv->values)
		return oom(ld);
	return 0;
}

static int get_strlist(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp, unsigned flags, item_check check,
		       struct tlc_recipe_strlist *out)
{
	size_t n = 0;
	int rc;

	if ((rc = get_array(ld, v, kp, "an array of strings", &n)) < 0)
		return rc;
	if (!(out->v = arena_alloc(ld->ri, (n + 1) * sizeof(*out->v))))
		return oom(ld);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct tlc_toml_value *e = tlc_toml_at(v, i);
		char k[KP];

		kp_idx(k, kp, i);
		if ((rc = get_str(ld, e, k, flags, &out->v[i])) < 0)
			return rc;
		if (check && (rc = check(ld, e, k, out->v[i])) < 0)
			return rc;
	}
	return 0;
}

static int get_bool(struct ld *ld, const struct tlc_toml_value *v,
		    const char *kp, bool *out)
{
	if (tlc_toml_type(v) != TLC_TOML_BOOL)
		return bad_type(ld, v, kp, "a boolean");
	*out = tlc_toml_bool(v);
	return 0;
}

static int get_count(struct ld *ld, const struct tlc_toml_value *v,
		     const char *kp, int64_t max, unsigned *out)
{
	int64_t n;

	if (tlc_toml_type(v) != TLC_TOML_INTEGER)
		return bad_type(ld, v, kp, "an integer");
	n = tlc_toml_integer(v);
	if (n < 0)
		return fail(ld, TLC_EPOLICY, v, "'%s' must not be negative",
			    kp);
	if (n > max)
		return fail(ld, TLC_ETOOBIG, v, "'%s' is over %lld", kp,
			    (long long)max);
	*out = (unsigned)n;
	return 0;
}

/* ---- placeholders (docs/recipe.md, "Placeholders") --------------------- */

enum ph_ctx {
	PH_DEFINE,		/* defines, env: {python} allowed */
	PH_DEFINE_NOPY,		/* defines of a project not per-python */
	PH_FROM,		/* build.files.from */
	PH_CONTENT,		/* build.generate.content */
};

static const char *const placeholders[] = {
	"version", "name", "variant", "channel", "python", "python-tag",
	"project", "build", NULL
};

static const char *const pyfree_placeholders[] = {
	"version", "name", "variant", "channel", "python-tag", "project",
	"build", NULL
};

static bool cmake_named(const struct tlc_recipe *r, const char *name,
			size_t len)
{
	for (size_t i = 0; i < r->ncmake; i++)
		if (strlen(r->cmake[i].name) == len &&
		    !memcmp(r->cmake[i].name, name, len))
			return true;
	return false;
}

/* The placeholder "{@p}" (@len bytes; @name is its copy for messages). */
static int check_placeholder(struct ld *ld, const struct tlc_toml_value *v,
			     const char *kp, const char *p, size_t len,
			     const char *name, enum ph_ctx ctx)
{
	char sh[SHOWBUF];
	const char *hint;
	bool known = false;

	if (len > 6 && !memcmp(p, "build:", 6)) {
		if (!cmake_named(ld->r, p + 6, len - 6))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' uses '{%s}', but no [[build.cmake]] "
				    "has that name", kp,
				    show(sh, sizeof(sh), name));
		return 0;
	}
	for (size_t j = 0; placeholders[j] && !known; j++)
		known = strlen(placeholders[j]) == len &&
			!memcmp(placeholders[j], p, len);
	if (!known) {
		hint = len <= DL_MAX ? suggest(name, pyfree_placeholders) :
				       NULL;
		return fail(ld, TLC_EPOLICY, v,
			    "unknown placeholder '{%s}' in '%s'%s%s%s",
			    show(sh, sizeof(sh), name), kp,
			    hint ? " (did you mean '{" : "", hint ? hint : "",
			    hint ? "}'?)" : "");
	}
	if (!strcmp(name, "build") && !ld->r->ncmake)
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' uses '{build}', but there is no "
			    "[[build.cmake]]", kp);
	if (!strcmp(name, "python") && ctx != PH_DEFINE)
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' uses '{python}', which only per-python "
			    "CMake projects and environments have", kp);
	return 0;
}

/*
 * Check every "{NAME}" in @s names a placeholder usable in @ctx, and that
 * braces pair up ("{{" and "}}" are literal braces).
 */
static int check_placeholders(struct ld *ld, const struct tlc_toml_value *v,
			      const char *kp, const char *s, enum ph_ctx ctx)
{
	char sh[SHOWBUF], name[DL_MAX + 1];
	int rc;

	for (size_t i = 0; s[i]; i++) {
		const char *close;
		size_t len;

		if ((s[i] == '{' && s[i + 1] == '{') ||
		    (s[i] == '}' && s[i + 1] == '}')) {
			i++;
			continue;
		}
		if (s[i] == '}')
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' has a single '}' (write '}}' for "
				    "a literal brace)", kp);
		if (s[i] != '{')
			continue;
		if (!(close = strchr(s + i + 1, '}')))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' has an unclosed '{' (write '{{' "
				    "for a literal brace)", kp);
		len = (size_t)(close - (s + i + 1));
		memcpy(name, s + i + 1, len > DL_MAX ? DL_MAX : len);
		name[len > DL_MAX ? DL_MAX : len] = '\0';
		if ((rc = check_placeholder(ld, v, kp, s + i + 1, len, name,
					    ctx)) < 0)
			return rc;
		if (ctx == PH_FROM && i > 0 &&
		    (!strcmp(name, "project") || !strcmp(name, "build") ||
		     !strncmp(name, "build:", 6)))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' may only start with '{%s}'", kp,
				    show(sh, sizeof(sh), name));
		i += len + 1;
	}
	return 0;
}

/* ---- paths ------------------------------------------------------------ */

static bool has_dotdot(const char *s)
{
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}

static bool inside(const char *root, const char *real)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return true;
	return !strncmp(real, root, n) && (real[n] == '\0' || real[n] == '/');
}

/*
 * The existing part of root/@rel must resolve inside the root: walk back
 * from the whole path to the longest prefix that exists and realpath it.
 */
static int check_resolves_inside(struct ld *ld, const struct tlc_toml_value *v,
				 const char *kp, const char *rel, size_t len)
{
	struct tlc_buf p = TLC_BUF_INIT;
	size_t rootlen = strlen(ld->r->root);
	char sh[SHOWBUF];
	int rc = 0;

	if (tlc_buf_puts(&p, ld->r->root) < 0 || tlc_buf_putc(&p, '/') < 0 ||
	    tlc_buf_put(&p, rel, len) < 0) {
		rc = oom(ld);
		goto out;
	}
	while (p.len > rootlen) {
		struct stat st;
		char *real;
		char *slash;

		if (lstat(p.ptr, &st) == 0) {
			if (!(real = realpath(p.ptr, NULL))) {
				if (errno == ENOMEM) {
					rc = oom(ld);
					goto out;
				}
				rc = fail(ld, TLC_EPOLICY, v,
					  "'%s' cannot be resolved: '%s' "
					  "(%s)", kp,
					  show(sh, sizeof(sh),
					       p.ptr + rootlen + 1),
					  strerror(errno));
				goto out;
			}
			if (!inside(ld->r->root, real)) {
				char sr[SHOWBUF];

				rc = fail(ld, TLC_EPOLICY, v,
					  "'%s' leaves the project directory: "
					  "'%s' resolves to '%s'", kp,
					  show(sh, sizeof(sh),
					       p.ptr + rootlen + 1),
					  show(sr, sizeof(sr), real));
			}
			free(real);
			goto out;
		}
		slash = strrchr(p.ptr + rootlen, '/');
		tlc_buf_truncate(&p, (size_t)(slash - p.ptr));
	}
out:
	tlc_buf_release(&p);
	return rc;
}

/*
 * A path inside the project: relative, no "..", and what exists of it
 * resolves inside the root.  With @glob, only the part before the first
 * wildcard is resolved (and "{" starts a placeholder when @placeholders).
 */
static int check_project_path(struct ld *ld, const struct tlc_toml_value *v,
			      const char *kp, const char *s, bool glob,
			      bool placeholders_ok)
{
	char sh[SHOWBUF];
	size_t lit;

	if (!*s)
		return fail(ld, TLC_EPOLICY, v, "'%s' must not be empty", kp);
	if (s[0] == '/')
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be a path relative to the project "
			    "directory, not '%s'", kp, show(sh, sizeof(sh), s));
	if (has_dotdot(s))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must not contain '..': '%s'", kp,
			    show(sh, sizeof(sh), s));
	if (!glob)
		return check_resolves_inside(ld, v, kp, s, strlen(s));
	lit = strcspn(s, placeholders_ok ? "*?[{" : "*?[");
	if (s[lit] == '\0')
		return check_resolves_inside(ld, v, kp, s, lit);
	/* only the directories before the first wildcard are literal */
	while (lit > 0 && s[lit - 1] != '/')
		lit--;
	if (lit == 0)
		return 0;
	return check_resolves_inside(ld, v, kp, s, lit - 1);
}

static int check_project_glob(struct ld *ld, const struct tlc_toml_value *v,
			      const char *kp, const char *s)
{
	return check_project_path(ld, v, kp, s, true, false);
}

static int check_project_file(struct ld *ld, const struct tlc_toml_value *v,
			      const char *kp, const char *s)
{
	return check_project_path(ld, v, kp, s, false, false);
}

static int check_content(struct ld *ld, const struct tlc_toml_value *v,
			 const char *kp, const char *s)
{
	return check_placeholders(ld, v, kp, s, PH_CONTENT);
}

/*
 * build.files.from: a glob relative to the project, or one that starts
 * with {project} (the same) or {build}/{build:NAME} (a build directory).
 */
static int check_from(struct ld *ld, const struct tlc_toml_value *v,
		      const char *kp, const char *s)
{
	char sh[SHOWBUF];
	const char *rest = s;
	int rc;

	if ((rc = check_placeholders(ld, v, kp, s, PH_FROM)) < 0)
		return rc;
	if (s[0] == '{' && s[1] != '{') {
		const char *close = strchr(s, '}');
		size_t len = (size_t)(close - s - 1);
		bool build = (len == 5 && !memcmp(s + 1, "build", 5)) ||
			     (len > 6 && !memcmp(s + 1, "build:", 6));
		bool project = len == 7 && !memcmp(s + 1, "project", 7);

		if (build || project) {
			rest = close + 1;
			if (*rest && *rest != '/')
				return fail(ld, TLC_EPOLICY, v,
					    "'%s' must have a '/' after "
					    "'%.*s'", kp, (int)len + 2, s);
			while (*rest == '/')
				rest++;
			if (has_dotdot(rest))
				return fail(ld, TLC_EPOLICY, v,
					    "'%s' must not contain '..': '%s'",
					    kp, show(sh, sizeof(sh), s));
			if (build || !*rest)
				return 0;
		}
	}
	return check_project_path(ld, v, kp, rest, true, true);
}

/*
 * A path inside the wheel: relative, '/'-separated, no empty, "." or ".."
 * parts, no backslash, not into a .dist-info directory (the installer
 * writes that from what tlcpack generates).  With @dir, a trailing '/'
 * is allowed.
 */
static int check_wheel_path(struct ld *ld, const struct tlc_toml_value *v,
			    const char *kp, const char *s, bool dir)
{
	char sh[SHOWBUF];
	const char *p = s;

	if (!*s)
		return fail(ld, TLC_EPOLICY, v, "'%s' must not be empty", kp);
	if (s[0] == '/')
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be a relative path inside the wheel, "
			    "not '%s'", kp, show(sh, sizeof(sh), s));
	if (strchr(s, '\\'))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must use '/', not '\\': '%s'", kp,
			    show(sh, sizeof(sh), s));
	while (*p) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0' || (p[n] == '/' && p[n + 1] == '\0');

		if (n == 0 || (n == 1 && p[0] == '.'))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must not have empty or '.' parts: "
				    "'%s'", kp, show(sh, sizeof(sh), s));
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must not contain '..': '%s'", kp,
				    show(sh, sizeof(sh), s));
		if (n >= 10 && !strncmp(p + n - 10, ".dist-info", 10))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must not write into a .dist-info "
				    "directory: '%s'", kp,
				    show(sh, sizeof(sh), s));
		if (p[n] == '/' && p[n + 1] == '\0' && !dir)
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must name a file, not a directory: "
				    "'%s'", kp, show(sh, sizeof(sh), s));
		p += n;
		if (last)
			break;
		p++;
	}
	return 0;
}

static int check_wheel_file(struct ld *ld, const struct tlc_toml_value *v,
			    const char *kp, const char *s)
{
	return check_wheel_path(ld, v, kp, s, false);
}

static int check_wheel_dir(struct ld *ld, const struct tlc_toml_value *v,
			   const char *kp, const char *s)
{
	return check_wheel_path(ld, v, kp, s, true);
}

/* ---- names and versions ----------------------------------------------- */

/* [A-Za-z0-9._-]: variant, channel and CMake project names, suffixes. */
static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool all_name_chars(const char *s)
{
	for (; *s; s++)
		if (!is_name_char(*s))
			return false;
	return true;
}

static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

static int check_label(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp, const char *what, const char *s)
{
	char sh[SHOWBUF];

	if (!*s || !all_name_chars(s))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' is not a valid %s (use [A-Za-z0-9._-]): "
			    "'%s'", kp, what, show(sh, sizeof(sh), s));
	return 0;
}

/* A name suffix: [A-Za-z0-9._-]*, ending with a letter or digit so that
 * the name stays valid (PEP 508 "Names"). */
static bool suffix_ok(const char *s)
{
	return all_name_chars(s) && (!*s || is_alnum(s[strlen(s) - 1]));
}

static int check_suffix(struct ld *ld, const struct tlc_toml_value *v,
			const char *kp, const char *s)
{
	char sh[SHOWBUF];

	if (!all_name_chars(s))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be made of [A-Za-z0-9._-]: '%s'", kp,
			    show(sh, sizeof(sh), s));
	if (*s && !is_alnum(s[strlen(s) - 1]))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must end with a letter or digit (PEP 508 "
			    "names do): '%s'", kp, show(sh, sizeof(sh), s));
	return 0;
}

static int check_name(struct ld *ld, const struct tlc_toml_value *v,
		      const char *kp, const char *s)
{
	char sh[SHOWBUF];

	if (strlen(s) > TLC_NAME_MAX)
		return fail(ld, TLC_ETOOBIG, v, "'%s' is over %d bytes", kp,
			    TLC_NAME_MAX);
	if (!tlc_name_valid(s))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' is not a valid project name (PEP 508): "
			    "'%s'", kp, show(sh, sizeof(sh), s));
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/*
 * One PEP 440 "Version specifiers" set ("~=3.8", ">=1.0, !=1.3.*") of
 * length @len; on failure @why (of @size bytes) gets the rule broken, in
 * tlc_pep440_specifiers_check()'s words.
 */
static bool specifiers_valid(const char *s, size_t len, char *why,
			     size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT;

	if (tlc_pep440_specifiers_check(s, len, &err) == 0)
		return true;
	snprintf(why, size, "%s", err.msg);
	return false;
}

static int check_requires_python(struct ld *ld,
				 const struct tlc_toml_value *v,
				 const char *kp, const char *s)
{
	char why[TLC_ERROR_MSG_SIZE];

	if (!specifiers_valid(s, strlen(s), why, sizeof(why)))
		return fail(ld, TLC_EPOLICY, v, "'%s': %s", kp, why);
	return 0;
}

static bool is_ident_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* Copy the name-like run at @p (at most TLC_NAME_MAX bytes) to @buf. */
static const char *take_name(const char *p, char *buf, size_t n)
{
	size_t len = 0;

	while (is_ident_char(p[len]))
		len++;
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return p + len;
}

/*
 * A PEP 508 requirement: a valid name, optional [extras] (names too, PEP
 * 685), then a version specifier (bare or in parentheses), a URL after
 * '@', and/or markers after ';'.  Markers and URLs are not parsed here.
 */
static int check_requirement(struct ld *ld, const struct tlc_toml_value *v,
			     const char *kp, const char *s)
{
	char name[TLC_NAME_MAX + 2], sh[SHOWBUF], spec[TLC_ERROR_MSG_SIZE];
	const char *p = skip_space(s), *why = "an invalid name";
	size_t speclen;

	p = take_name(p, name, sizeof(name));
	if (!tlc_name_valid(name))
		goto bad;
	p = skip_space(p);
	if (*p == '[') {
		why = "an invalid extra";
		for (;;) {
			p = skip_space(p + 1);
			p = take_name(p, name, sizeof(name));
			if (!tlc_name_valid(name))
				goto bad;
			p = skip_space(p);
			if (*p == ']')
				break;
			if (*p != ',')
				goto bad;
		}
		p = skip_space(p + 1);
	}
	if (*p == '\0' || *p == ';' || *p == '@') {
		if (*p && !p[1 + strspn(p + 1, " \t")]) {
			why = *p == ';' ? "an empty marker" : "an empty URL";
			goto bad;
		}
		return 0;
	}
	if (*p == '(') {
		const char *close = strchr(p, ')');

		why = "an unclosed '('";
		if (!close)
			goto bad;
		if (!specifiers_valid(p + 1, (size_t)(close - p - 1), spec,
				      sizeof(spec)))
			goto bad_spec;
		p = skip_space(close + 1);
	} else {
		speclen = strcspn(p, ";");
		while (speclen && is_space(p[speclen - 1]))
			speclen--;
		if (!specifiers_valid(p, speclen, spec, sizeof(spec)))
			goto bad_spec;
		p = skip_space(p + speclen);
	}
	why = "text after the version specifier";
	if (*p && *p != ';')
		goto bad;
	if (*p == ';' && !p[1 + strspn(p + 1, " \t")]) {
		why = "an empty marker";
		goto bad;
	}
	return 0;
bad:
	return fail(ld, TLC_EPOLICY, v,
		    "'%s' is not a valid requirement (PEP 508): '%s' has %s",
		    kp, show(sh, sizeof(sh), s), why);
bad_spec:
	return fail(ld, TLC_EPOLICY, v,
		    "'%s' is not a valid requirement (PEP 508): '%s': %s",
		    kp, show(sh, sizeof(sh), s), spec);
}

static int check_classifier(struct ld *ld, const struct tlc_toml_value *v,
			    const char *kp, const char *s)
{
	char sh[SHOWBUF];

	if (!strstr(s, " :: "))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' is not a trove classifier ('Topic :: "
			    "Sub-topic'): '%s'", kp, show(sh, sizeof(sh), s));
	return 0;
}

/* An import package name: a Python identifier (ASCII). */
static int check_package(struct ld *ld, const struct tlc_toml_value *v,
			 const char *kp, const char *s)
{
	char sh[SHOWBUF];
	struct tlc_buf p = TLC_BUF_INIT;
	bool ok = (*s < '0' || *s > '9') && *s;
	int rc;

	for (const char *q = s; *q && ok; q++)
		ok = is_alnum(*q) || *q == '_';
	if (!ok)
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be an import package name (a Python "
			    "identifier, no dots): '%s'", kp,
			    show(sh, sizeof(sh), s));
	if (tlc_buf_printf(&p, "%s/%s", ld->r->python_source, s) < 0)
		return oom(ld);
	rc = check_resolves_inside(ld, v, kp, p.ptr, p.len);
	tlc_buf_release(&p);
	return rc;
}

static int check_python(struct ld *ld, const struct tlc_toml_value *v,
			const char *kp, const char *s)
{
	char sh[SHOWBUF];

	if (s[0] != '/' && strchr(s, '/'))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be a command name or an absolute path: "
			    "'%s'", kp, show(sh, sizeof(sh), s));
	return 0;
}

static int check_soname(struct ld *ld, const struct tlc_toml_value *v,
			const char *kp, const char *s)
{
	char sh[SHOWBUF];

	if (strchr(s, '/'))
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' must be a library file name, not a path: "
			    "'%s'", kp, show(sh, sizeof(sh), s));
	return 0;
}

/* ---- string tables ---------------------------------------------------- */

enum key_kind {
	KEY_DEFINE,		/* a CMake cache variable: no '=' */
	KEY_ENV,		/* [A-Za-z_][A-Za-z0-9_]* */
	KEY_LABEL,		/* a URL label */
};

static int check_kv_key(struct ld *ld, const struct tlc_toml_value *v,
			const char *kp, const char *key, enum key_kind kind)
{
	size_t len = strlen(key);
	bool ok = len > 0;

	for (size_t i = 0; i < len && ok; i++) {
		unsigned char c = (unsigned char)key[i];

		switch (kind) {
		case KEY_DEFINE:
			ok = c >= 0x20 && c != 0x7f && c != '=';
			break;
		case KEY_ENV:
			ok = c == '_' || (c >= 'A' && c <= 'Z') ||
			     (c >= 'a' && c <= 'z') ||
			     (i > 0 && c >= '0' && c <= '9');
			break;
		case KEY_LABEL:
			ok = c >= 0x20 && c != 0x7f;
			break;
		}
	}
	if (len > TLC_RECIPE_MAX_STRING)
		return fail(ld, TLC_ETOOBIG, v, "key '%s' is over %d bytes", kp,
			    TLC_RECIPE_MAX_STRING);
	if (ok)
		return 0;
	switch (kind) {
	case KEY_DEFINE:
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' is not a CMake variable name (empty, or "
			    "holds '=' or control characters)", kp);
	case KEY_ENV:
		return fail(ld, TLC_EPOLICY, v,
			    "'%s' is not an environment variable name "
			    "([A-Za-z_][A-Za-z0-9_]*)", kp);
	case KEY_LABEL:
		break;
	}
	return fail(ld, TLC_EPOLICY, v,
		    "'%s' must be a one-line, non-empty label", kp);
}

static int get_kv(struct ld *ld, const struct tlc_toml_value *t,
		  const char *kp, enum key_kind kind, unsigned flags,
		  bool placeholders_ok, enum ph_ctx ctx,
		  struct tlc_recipe_kv *out)
{
	size_t n;
	int rc;

	if (tlc_toml_type(t) != TLC_TOML_TABLE)
		return bad_type(ld, t, kp, "a table of strings");
	if ((rc = need_table(ld, t, kp)) < 0)
		return rc;
	n = tlc_toml_len(t);
	out->keys = arena_alloc(ld->ri, (n + 1) * sizeof(*out->keys));
	out->values = arena_alloc(ld->ri, (n + 1) * sizeof(*out->values));
	if (!out->keys || !out->values)
		return oom(ld);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct tlc_toml_value *v = tlc_toml_at(t, i);
		const char *key;
		char k[KP];

		if ((rc = key_at(ld, t, kp, i, k, &key)) < 0 ||
		    (rc = check_kv_key(ld, v, k, key, kind)) < 0 ||
		    (rc = get_str(ld, v, k, flags, &out->values[i])) < 0)
			return rc;
		if (placeholders_ok &&
		    (rc = check_placeholders(ld, v, k, out->values[i], ctx)) <
			    0)
			return rc;
		if (!(out->keys[i] = arena_strdup(ld->ri, key)))
			return oom(ld);
	}
	return 0;
}

/* ---- [package] and [project] ------------------------------------------- */

static int get_version(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp, bool table_ok)
{
	static const char *const keys[] = { "git-tag", NULL };
	struct tlc_error perr = TLC_ERROR_INIT;
	struct tlc_buf norm = TLC_BUF_INIT;
	struct tlc_pep440 pv;
	const char *s;
	char sh[SHOWBUF];
	int rc;

	if (table_ok && tlc_toml_type(v) == TLC_TOML_TABLE) {
		if ((rc = check_keys(ld, v, kp, keys, NULL)) < 0 ||
		    (rc = member_str(ld, v, kp, "git-tag",
				     S_LINE | S_NONEMPTY | S_REQUIRED, NULL,
				     &s)) < 0)
			return rc;
		ld->r->version_source = TLC_VERSION_GIT_TAG;
		ld->r->version = s;
		return 0;
	}
	if (tlc_toml_type(v) != TLC_TOML_STRING)
		return bad_type(ld, v, kp,
				table_ok ? "a string or a table" : "a string");
	if ((rc = get_str(ld, v, kp, S_LINE | S_NONEMPTY, &s)) < 0)
		return rc;
	if ((rc = tlc_pep440_parse(&pv, s, &perr)) < 0)
		return fail(ld, rc, v,
			    "'%s' is not a valid version (PEP 440): '%s' (%s)",
			    kp, show(sh, sizeof(sh), s), perr.msg);
	if (tlc_pep440_format(&norm, &pv) < 0) {
		tlc_buf_release(&norm);
		return oom(ld);
	}
	s = arena_strdup(ld->ri, norm.ptr);
	tlc_buf_release(&norm);
	if (!s)
		return oom(ld);
	ld->r->version_source = TLC_VERSION_LITERAL;
	ld->r->version = s;
	return 0;
}

/* PEP 621 "readme": .md and .rst are known; we also take .txt. */
static const char *readme_type(const char *file)
{
	static const char *const types[][2] = {
		{ ".md", "text/markdown" },
		{ ".rst", "text/x-rst" },
		{ ".txt", "text/plain" },
	};
	size_t n = strlen(file);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i][0]);

		if (n > e && !strcasecmp(file + n - e, types[i][0]))
			return types[i][1];
	}
	return NULL;
}

/* Core metadata Description-Content-Type: one of three types, with
 * optional parameters. */
static int check_content_type(struct ld *ld, const struct tlc_toml_value *v,
			      const char *kp, const char *s)
{
	static const char *const types[] = { "text/plain", "text/x-rst",
					     "text/markdown", NULL };
	char sh[SHOWBUF];
	size_t n = strcspn(s, ";");

	while (n && is_space(s[n - 1]))
		n--;
	for (size_t i = 0; types[i]; i++)
		if (strlen(types[i]) == n && !strncasecmp(s, types[i], n))
			return 0;
	return fail(ld, TLC_EPOLICY, v,
		    "'%s' must be text/markdown, text/x-rst or text/plain: "
		    "'%s'", kp, show(sh, sizeof(sh), s));
}

static int get_readme(struct ld *ld, const struct tlc_toml_value *v,
		      const char *kp)
{
	static const char *const keys[] = { "file", "content-type", "text",
					    NULL };
	const struct tlc_toml_value *fv = v, *tv;
	const char *file, *ct = NULL;
	char k[KP], sh[SHOWBUF];
	int rc;

	if (tlc_toml_type(v) == TLC_TOML_TABLE) {
		if ((rc = check_keys(ld, v, kp, keys, NULL)) < 0)
			return rc;
		if ((tv = member(v, kp, "text", k)))
			return fail(ld, TLC_EPOLICY, tv,
				    "'%s' is not supported: put the "
				    "description in a file and name it in "
				    "'file'", k);
		if ((rc = member_str(ld, v, kp, "file",
				     S_LINE | S_NONEMPTY | S_REQUIRED, NULL,
				     &file)) < 0 ||
		    (rc = member_str(ld, v, kp, "content-type",
				     S_LINE | S_NONEMPTY, check_content_type,
				     &ct)) < 0)
			return rc;
		fv = member(v, kp, "file", k);
	} else if (tlc_toml_type(v) == TLC_TOML_STRING) {
		if ((rc = get_str(ld, v, kp, S_LINE | S_NONEMPTY, &file)) < 0)
			return rc;
		memcpy(k, kp, strlen(kp) + 1);
	} else {
		return bad_type(ld, v, kp, "a string or a table");
	}
	if ((rc = check_project_path(ld, fv, k, file, false, false)) < 0)
		return rc;
	if (!ct && !(ct = readme_type(file)))
		return fail(ld, TLC_EPOLICY, fv,
			    "cannot tell the content type of '%s' from its "
			    "name '%s' (use .md, .rst or .txt, or a table "
			    "with 'content-type')", k,
			    show(sh, sizeof(sh), file));
	ld->r->description_file = file;
	ld->r->description_content_type = ct;
	return 0;
}

/* A string (an SPDX expression, PEP 639), or { text } / { file } (PEP 621). */
static int get_license(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp)
{
	static const char *const keys[] = { "text", "file", NULL };
	const struct tlc_toml_value *tv, *fv;
	const char *text = NULL, *file = NULL;
	int rc;

	if (tlc_toml_type(v) == TLC_TOML_STRING) {
		if ((rc = get_str(ld, v, kp, S_LINE | S_NONEMPTY, &text)) < 0)
			return rc;
	} else {
		if (tlc_toml_type(v) != TLC_TOML_TABLE)
			return bad_type(ld, v, kp, "a string or a table");
		if ((rc = check_keys(ld, v, kp, keys, NULL)) < 0)
			return rc;
		tv = tlc_toml_get(v, "text");
		fv = tlc_toml_get(v, "file");
		if (tv && fv)
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must have 'text' or 'file', not "
				    "both", kp);
		if (!tv && !fv)
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must have 'text' or 'file'", kp);
		if ((rc = member_str(ld, v, kp, "text", S_NONEMPTY, NULL,
				     &text)) < 0 ||
		    (rc = member_str(ld, v, kp, "file", S_LINE | S_NONEMPTY,
				     check_project_file, &file)) < 0)
			return rc;
	}
	ld->r->license = text;
	ld->license_file = file;
	return 0;
}

/*
 * PEP 621 "authors": an array of { name, email } tables, written into
 * core metadata as the specification says: names alone go to Author,
 * emails (with their names, "Name <email>") to Author-email, each joined
 * with ", ".
 */
static int get_authors(struct ld *ld, const struct tlc_toml_value *v,
		       const char *kp)
{
	static const char *const keys[] = { "name", "email", NULL };
	struct tlc_buf author = TLC_BUF_INIT, email = TLC_BUF_INIT;
	size_t n = 0;
	int rc = 0;

	if ((rc = get_array(ld, v, kp, "an array of tables", &n)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct tlc_toml_value *a, *nv, *ev;
		const char *name = NULL, *mail = NULL;
		char k[KP], kk[KP], sh[SHOWBUF];
		struct tlc_buf *to;

		if ((rc = table_at(ld, v, kp, i, keys, k, &a)) < 0)
			break;
		nv = tlc_toml_get(a, "name");
		ev = tlc_toml_get(a, "email");
		if (!nv && !ev) {
			rc = fail(ld, TLC_EPOLICY, a,
				  "'%s' must have 'name' or 'email'", k);
			break;
		}
		kp_key(kk, k, "name");
		if (nv && (rc = get_str(ld, nv, kk, S_LINE | S_NONEMPTY,
					&name)) < 0)
			break;
		if (name && strpbrk(name, ",<>@")) {
			rc = fail(ld, TLC_EPOLICY, nv,
				  "'%s' must not contain ',', '<', '>' or '@' "
				  "(PEP 621): '%s'", kk,
				  show(sh, sizeof(sh), name));
			break;
		}
		kp_key(kk, k, "email");
		if (ev && (rc = get_str(ld, ev, kk, S_LINE | S_NONEMPTY,
					&mail)) < 0)
			break;
		if (mail && (!strchr(mail, '@') || strpbrk(mail, " <>,"))) {
			rc = fail(ld, TLC_EPOLICY, ev,
				  "'%s' is not an email address: '%s'", kk,
				  show(sh, sizeof(sh), mail));
			break;
		}
		to = mail ? &email : &author;
		if ((to->len && tlc_buf_puts(to, ", ") < 0) ||
		    (mail && name &&
		     tlc_buf_printf(to, "%s <%s>", name, mail) < 0) ||
		    (mail && !name && tlc_buf_puts(to, mail) < 0) ||
		    (!mail && tlc_buf_puts(to, name) < 0)) {
			rc = oom(ld);
			break;
		}
	}
	if (rc == 0) {
		ld->r->author = author.len ? arena_strdup(ld->ri, author.ptr) :
					     NULL;
		ld->r->author_email =
			email.len ? arena_strdup(ld->ri, email.ptr) : NULL;
		if ((author.len && !ld->r->author) ||
		    (email.len && !ld->r->author_email))
			rc = oom(ld);
	}
	tlc_buf_release(&author);
	tlc_buf_release(&email);
	return rc;
}

/* The metadata keys [package] and [project] share. */
static int get_meta(struct ld *ld, const struct tlc_toml_value *t,
		    const char *kp, const char *key)
{
	const struct tlc_toml_value *v = tlc_toml_get(t, key);
	struct tlc_recipe *r = ld->r;
	bool project = t == ld->project_v;
	char k[KP];
	int rc;

	if (!v)
		return 0;
	kp_key(k, kp, key);
	if (!strcmp(key, "name")) {
		if ((rc = get_str(ld, v, k, S_LINE, &r->name)) < 0)
			return rc;
		return check_name(ld, v, k, r->name);
	}
	if (!strcmp(key, "version"))
		return get_version(ld, v, k, !project);
	if (!strcmp(key, "summary") || !strcmp(key, "description"))
		return get_str(ld, v, k, S_LINE, &r->summary);
	if (!strcmp(key, "readme"))
		return get_readme(ld, v, k);
	if (!strcmp(key, "license"))
		return get_license(ld, v, k);
	if (!strcmp(key, "license-files"))
		return get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
				   check_project_glob, &r->license_files);
	if (!strcmp(key, "dependencies"))
		return get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
				   check_requirement, &r->dependencies);
	if (!strcmp(key, "requires-python")) {
		if ((rc = get_str(ld, v, k, S_LINE | S_NONEMPTY,
				  &r->requires_python)) < 0)
			return rc;
		return check_requires_python(ld, v, k, r->requires_python);
	}
	if (!strcmp(key, "urls"))
		return get_kv(ld, v, k, KEY_LABEL, S_LINE | S_NONEMPTY, false,
			      PH_CONTENT, &r->urls);
	if (!strcmp(key, "authors"))
		return get_authors(ld, v, k);
	if (!strcmp(key, "classifiers"))
		return get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
				   check_classifier, &r->classifiers);
	return 0;
}

static const char *const meta_keys[] = {
	"name", "version", "summary", "readme", "license", "license-files",
	"dependencies", "requires-python", "urls", "authors", "classifiers",
	NULL
};

/* Every [project] key of the pyproject.toml specification. */
static const char *const project_keys[] = {
	"name", "version", "description", "readme", "requires-python",
	"license", "license-files", "authors", "maintainers", "keywords",
	"classifiers", "urls", "scripts", "gui-scripts", "entry-points",
	"dependencies", "optional-dependencies", "import-names",
	"import-namespaces", "dynamic", NULL
};

/* PEP 621 "dynamic": known keys, never "name", never also set. */
static int check_dynamic(struct ld *ld, const struct tlc_toml_value *t,
			 const struct tlc_toml_value *dyn)
{
	struct tlc_recipe_strlist d = { 0 };	/* for gcc -O3 */
	int rc;

	if ((rc = get_strlist(ld, dyn, "project.dynamic", S_LINE, NULL, &d)) <
	    0)
		return rc;
	for (size_t i = 0; i < d.n; i++) {
		const struct tlc_toml_value *e = tlc_toml_at(dyn, i);
		const char *hint;
		char k[KP], sh[SHOWBUF];
		bool known = false;

		kp_idx(k, "project.dynamic", i);
		for (size_t j = 0; project_keys[j] && !known; j++)
			known = !strcmp(d.v[i], project_keys[j]) &&
				strcmp(d.v[i], "dynamic");
		if (!known) {
			hint = suggest(d.v[i], project_keys);
			return fail(ld, TLC_EPOLICY, e,
				    "'%s' names no [project] key: '%s'%s%s%s",
				    k, show(sh, sizeof(sh), d.v[i]),
				    hint ? " (did you mean '" : "",
				    hint ? hint : "", hint ? "'?)" : "");
		}
		if (!strcmp(d.v[i], "name"))
			return fail(ld, TLC_EPOLICY, e,
				    "'project.name' cannot be dynamic (PEP "
				    "621)");
		if (tlc_toml_get(t, d.v[i])) {
			kp_key(k, "project", d.v[i]);
			return fail(ld, TLC_EPOLICY, tlc_toml_get(t, d.v[i]),
				    "'%s' is set, but also listed in "
				    "'project.dynamic' (PEP 621)", k);
		}
		if (!strcmp(d.v[i], "version"))
			ld->dynamic_version = true;
	}
	return 0;
}

static int parse_project(struct ld *ld)
{
	const struct tlc_toml_value *t = ld->project_v, *dyn;
	int rc;

	if ((rc = need_table(ld, t, "project")) < 0 ||
	    (rc = check_keys(ld, t, "project", project_keys, NULL)) < 0)
		return rc;
	if ((dyn = tlc_toml_get(t, "dynamic")) &&
	    (rc = check_dynamic(ld, t, dyn)) < 0)
		return rc;
	for (size_t i = 0; meta_keys[i]; i++) {
		const char *key = meta_keys[i];

		if (!strcmp(key, "summary"))
			key = "description";
		if ((rc = get_meta(ld, t, "project", key)) < 0)
			return rc;
	}
	return 0;
}

static int parse_package(struct ld *ld, const char *kp)
{
	static const char *const keys[] = {
		"name", "version", "summary", "readme", "license",
		"license-files", "dependencies", "requires-python", "urls",
		"authors", "classifiers", "disclaimer", "python-source",
		"packages", "default-variant", NULL
	};
	static const char *const aliases[] = {
		"description", "summary", "long-description", "readme",
		"package-dir", "python-source", NULL
	};
	const struct tlc_toml_value *t = ld->package_v, *v;
	struct tlc_recipe *r = ld->r;
	char k[KP];
	int rc;

	if ((rc = need_table(ld, t, kp)) < 0 ||
	    (rc = check_keys(ld, t, kp, keys, aliases)) < 0)
		return rc;
	for (size_t i = 0; meta_keys[i]; i++)
		if ((rc = get_meta(ld, t, kp, meta_keys[i])) < 0)
			return rc;
	if ((rc = member_str(ld, t, kp, "disclaimer", S_NONEMPTY, NULL,
			     &r->disclaimer)) < 0 ||
	    (rc = member_str(ld, t, kp, "python-source", S_LINE | S_NONEMPTY,
			     check_project_file, &r->python_source)) < 0)
		return rc;
	if ((v = member(t, kp, "packages", k)) &&
	    (rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY, check_package,
			      &r->packages)) < 0)
		return rc;
	if ((rc = member_str(ld, t, kp, "default-variant", S_LINE | S_NONEMPTY,
			     NULL, &r->default_variant)) < 0)
		return rc;
	ld->default_variant_v = tlc_toml_get(t, "default-variant");
	return 0;
}

/* Add the file of license = { file = ... } to license-files, once. */
static int add_license_file(struct ld *ld)
{
	struct tlc_recipe_strlist *l = &ld->r->license_files;
	const char **v;

	if (!ld->license_file)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], ld->license_file))
			return 0;
	if (!(v = arena_alloc(ld->ri, (l->n + 2) * sizeof(*v))))
		return oom(ld);
	memcpy(v, l->v, l->n * sizeof(*v));
	v[l->n] = ld->license_file;
	l->v = v;
	l->n++;
	return 0;
}

static int check_required(struct ld *ld)
{
	const struct tlc_toml_value *at = ld->package_v ? ld->package_v :
					  ld->project_v ? ld->project_v :
							  ld->top_v;
	char k[KP];

	kp_key(k, ld->top, "package");
	if (!ld->r->name)
		return fail(ld, TLC_EPOLICY, at, "missing key '%s.name'%s", k,
			    ld->pyproject ? " (or 'project.name')" : "");
	if (!ld->r->version && ld->dynamic_version)
		return fail(ld, TLC_EPOLICY, at,
			    "'project.version' is dynamic, but '%s.version' "
			    "is not set", k);
	if (!ld->r->version)
		return fail(ld, TLC_EPOLICY, at, "missing key '%s.version'%s",
			    k, ld->pyproject ? " (or 'project.version')" : "");
	return 0;
}

/* ---- [build] ---------------------------------------------------------- */

/* The "defines" and "env" tables of [build] and of each variant. */
static int get_defines_env(struct ld *ld, const struct tlc_toml_value *t,
			   const char *kp, struct tlc_recipe_kv *defines,
			   struct tlc_recipe_kv *env)
{
	const struct tlc_toml_value *v;
	char k[KP];
	int rc;

	if ((v = member(t, kp, "defines", k)) &&
	    (rc = get_kv(ld, v, k, KEY_DEFINE, S_ANY, true, PH_DEFINE,
			 defines)) < 0)
		return rc;
	if ((v = member(t, kp, "env", k)) &&
	    (rc = get_kv(ld, v, k, KEY_ENV, S_ANY, true, PH_DEFINE, env)) < 0)
		return rc;
	return 0;
}

static int parse_cmake_name(struct ld *ld, const struct tlc_toml_value *t,
			    const char *kp, size_t idx)
{
	struct tlc_recipe_cmake *cm = &ld->r->cmake[idx];
	const struct tlc_toml_value *v;
	char k[KP], name[32];
	int rc;

	if (tlc_toml_type(t) != TLC_TOML_TABLE)
		return bad_type(ld, t, kp, "a table");
	ld->cmake_v[idx] = t;
	if ((v = member(t, kp, "name", k))) {
		if ((rc = get_str(ld, v, k, S_LINE, &cm->name)) < 0 ||
		    (rc = check_label(ld, v, k, "CMake project name",
				      cm->name)) < 0)
			return rc;
		ld->cmake_v[idx] = v;
	} else {
		snprintf(name, sizeof(name), "cmake%zu", idx);
		if (!(cm->name = arena_strdup(ld->ri, name)))
			return oom(ld);
	}
	for (size_t j = 0; j < idx; j++)
		if (!strcmp(ld->r->cmake[j].name, cm->name)) {
			char first[KP], arr[KP];

			struct sb b = { arr, KP, 0 };

			arr[0] = '\0';
			sb_puts(&b, kp);
			*strrchr(arr, '[') = '\0';
			kp_idx(first, arr, j);
			return fail(ld, TLC_EPOLICY, ld->cmake_v[idx],
				    "'%s' repeats the name '%s' of '%s'", k,
				    cm->name, first);
		}
	return 0;
}

static int parse_cmake(struct ld *ld, const struct tlc_toml_value *t,
		       const char *kp, size_t idx)
{
	static const char *const keys[] = { "name", "source", "per-python",
					    "install-dir", "build-type",
					    "defines", "targets", NULL };
	struct tlc_recipe_cmake *cm = &ld->r->cmake[idx];
	const struct tlc_toml_value *v;
	char k[KP];
	int rc;

	if ((rc = check_keys(ld, t, kp, keys, NULL)) < 0 ||
	    (rc = empty_kv(ld, &cm->defines)) < 0 ||
	    (rc = empty_strlist(ld, &cm->targets)) < 0)
		return rc;
	cm->source = ".";
	cm->build_type = ld->r->build_type;
	if ((v = member(t, kp, "per-python", k)) &&
	    (rc = get_bool(ld, v, k, &cm->per_python)) < 0)
		return rc;
	if ((rc = member_str(ld, t, kp, "source", S_LINE | S_NONEMPTY,
			     check_project_file, &cm->source)) < 0 ||
	    (rc = member_str(ld, t, kp, "install-dir", S_LINE | S_NONEMPTY,
			     check_wheel_dir, &cm->install_dir)) < 0 ||
	    (rc = member_str(ld, t, kp, "build-type", S_LINE | S_NONEMPTY,
			     NULL, &cm->build_type)) < 0)
		return rc;
	if ((v = member(t, kp, "defines", k)) &&
	    (rc = get_kv(ld, v, k, KEY_DEFINE, S_ANY, true,
			 cm->per_python ? PH_DEFINE : PH_DEFINE_NOPY,
			 &cm->defines)) < 0)
		return rc;
	if ((v = member(t, kp, "targets", k)) &&
	    (rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY, NULL,
			      &cm->targets)) < 0)
		return rc;
	return 0;
}

static int parse_files(struct ld *ld, const struct tlc_toml_value *arr,
		       const char *akp)
{
	static const char *const keys[] = { "from", "to", NULL };
	struct tlc_recipe *r = ld->r;
	size_t n;
	int rc;

	if ((rc = table_array(ld, arr, akp, &n)) < 0)
		return rc;
	if (n && !(r->files = arena_alloc(ld->ri, n * sizeof(*r->files))))
		return oom(ld);
	r->nfiles = n;
	for (size_t i = 0; i < n; i++) {
		const struct tlc_toml_value *t;
		char kp[KP];

		if ((rc = table_at(ld, arr, akp, i, keys, kp, &t)) < 0 ||
		    (rc = member_str(ld, t, kp, "from",
				     S_LINE | S_NONEMPTY | S_REQUIRED,
				     check_from, &r->files[i].from)) < 0 ||
		    (rc = member_str(ld, t, kp, "to",
				     S_LINE | S_NONEMPTY | S_REQUIRED,
				     check_wheel_dir, &r->files[i].to)) < 0)
			return rc;
	}
	return 0;
}

static int parse_generate(struct ld *ld, const struct tlc_toml_value *arr,
			  const char *akp)
{
	static const char *const keys[] = { "path", "content", NULL };
	struct tlc_recipe *r = ld->r;
	size_t n;
	int rc;

	if ((rc = table_array(ld, arr, akp, &n)) < 0)
		return rc;
	if (n &&
	    !(r->generate = arena_alloc(ld->ri, n * sizeof(*r->generate))))
		return oom(ld);
	r->ngenerate = n;
	for (size_t i = 0; i < n; i++) {
		const struct tlc_toml_value *t, *v;
		struct tlc_recipe_generate *g = &r->generate[i];
		char kp[KP], k[KP];

		if ((rc = table_at(ld, arr, akp, i, keys, kp, &t)) < 0 ||
		    (rc = member_str(ld, t, kp, "path",
				     S_LINE | S_NONEMPTY | S_REQUIRED,
				     check_wheel_file, &g->path)) < 0)
			return rc;
		v = member(t, kp, "path", k);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->generate[j].path, g->path))
				return fail(ld, TLC_EPOLICY, v,
					    "'%s' repeats the path of "
					    "'%s[%zu]'", k, akp, j);
		if ((rc = member_str(ld, t, kp, "content", S_REQUIRED,
				     check_content, &g->content)) < 0)
			return rc;
	}
	return 0;
}

/* [build] with key path "build" (messages name it relative to the
 * recipe table, as the [[...]] headers do). */
static int parse_build(struct ld *ld, const struct tlc_toml_value *t)
{
	static const char *const keys[] = { "pythons", "build-type",
					    "defines", "env", "jobs", "repair",
					    "cmake", "files", "generate", NULL };
	static const char *const aliases[] = { "python", "pythons",
					       "cmake-build-type", "build-type",
					       NULL };
	struct tlc_recipe *r = ld->r;
	const struct tlc_toml_value *v, *cm;
	char k[KP], kp[KP];
	int rc;

	kp_key(kp, ld->top, "build");
	if ((rc = need_table(ld, t, kp)) < 0 ||
	    (rc = check_keys(ld, t, kp, keys, aliases)) < 0)
		return rc;
	if ((v = member(t, kp, "pythons", k))) {
		if ((rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
				      check_python, &r->pythons)) < 0)
			return rc;
		if (r->pythons.n == 0)
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must name at least one interpreter",
				    k);
	}
	if ((rc = member_str(ld, t, kp, "build-type", S_LINE | S_NONEMPTY,
			     NULL, &r->build_type)) < 0)
		return rc;
	if ((v = member(t, kp, "jobs", k)) &&
	    (rc = get_count(ld, v, k, 4096, &r->jobs)) < 0)
		return rc;
	if ((v = member(t, kp, "repair", k)) &&
	    (rc = get_bool(ld, v, k, &r->repair)) < 0)
		return rc;
	/* names first: any define may refer to any {build:NAME} */
	if ((cm = member(t, kp, "cmake", k))) {
		size_t n;

		if ((rc = table_array(ld, cm, k, &n)) < 0)
			return rc;
		r->cmake = n ? arena_alloc(ld->ri, n * sizeof(*r->cmake)) :
			       NULL;
		ld->cmake_v = n ? arena_alloc(ld->ri,
					      n * sizeof(*ld->cmake_v)) :
				  NULL;
		if (n && (!r->cmake || !ld->cmake_v))
			return oom(ld);
		for (size_t i = 0; i < n; i++) {
			char ki[KP];

			kp_idx(ki, k, i);
			if ((rc = parse_cmake_name(ld, tlc_toml_at(cm, i), ki,
						   i)) < 0)
				return rc;
			r->ncmake = i + 1;
		}
		for (size_t i = 0; i < n; i++) {
			char ki[KP];

			kp_idx(ki, k, i);
			if ((rc = parse_cmake(ld, tlc_toml_at(cm, i), ki, i)) <
			    0)
				return rc;
		}
	}
	if ((rc = get_defines_env(ld, t, kp, &r->defines, &r->env)) < 0)
		return rc;
	if ((v = member(t, kp, "files", k)) &&
	    (rc = parse_files(ld, v, k)) < 0)
		return rc;
	if ((v = member(t, kp, "generate", k)) &&
	    (rc = parse_generate(ld, v, k)) < 0)
		return rc;
	return 0;
}

/* ---- [variants], [channels], [test] ------------------------------------ */

/* Key @i of table @t as the name of a variant or channel (@what): checked
 * and copied into @name, its key path into @k. */
static int name_at(struct ld *ld, const struct tlc_toml_value *t,
		   const char *kp, size_t i, const char *what, char *k,
		   const char **name)
{
	const char *key;
	int rc;

	if ((rc = key_at(ld, t, kp, i, k, &key)) < 0 ||
	    (rc = check_label(ld, tlc_toml_at(t, i), k, what, key)) < 0)
		return rc;
	if (!(*name = arena_strdup(ld->ri, key)))
		return oom(ld);
	return 0;
}

/* "-NAME", the suffix of a variant or channel that sets none. */
static int default_suffix(struct ld *ld, const char *name, const char **out)
{
	char buf[KP];

	snprintf(buf, sizeof(buf), "-%s", name);
	if (!(*out = arena_strdup(ld->ri, buf)))
		return oom(ld);
	return 0;
}

/* What a variant has before its table sets anything. */
static int empty_variant(struct ld *ld, struct tlc_recipe_variant *var)
{
	int rc;

	if ((rc = empty_kv(ld, &var->defines)) < 0 ||
	    (rc = empty_kv(ld, &var->env)) < 0 ||
	    (rc = empty_strlist(ld, &var->dependencies)) < 0 ||
	    (rc = empty_strlist(ld, &var->exclude_libs)) < 0)
		return rc;
	return 0;
}

/* A site-packages directory for provided libraries: relative, no "..",
 * no ':' (it goes into a run path). */
static int check_site_dir(struct ld *ld, const struct tlc_toml_value *v,
			  const char *kp, const char *s)
{
	char sh[SHOWBUF];
	const char *why = NULL;

	if (!*s || s[0] == '/')
		why = "relative to site-packages";
	else if (strchr(s, ':') || strchr(s, '$'))
		why = "free of ':' and '$'";
	for (const char *p = s; !why && *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 1 && p[0] == '.'))
			why = "free of empty, '.' and '..' components";
		p += n + (p[n] == '/');
	}
	if (why)
		return fail(ld, TLC_EPOLICY, v, "'%s' must be %s: '%s'", kp,
			    why, show(sh, sizeof(sh), s));
	return 0;
}

/* Does a requirement of @l name the distribution @name (PEP 503)? */
static bool names_dependency(const struct tlc_recipe_strlist *l,
			     const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		char dep[TLC_NAME_MAX + 2];

		take_name(skip_space(l->v[i]), dep, sizeof(dep));
		if (tlc_name_equal(dep, name))
			return true;
	}
	return false;
}

/* [[variants.NAME.provided-libs]] */
static int parse_provided(struct ld *ld, const struct tlc_toml_value *arr,
			  const char *akp, struct tlc_recipe_variant *var)
{
	static const char *const keys[] = { "libs", "dir", "dependency", NULL };
	size_t n;
	int rc;

	if ((rc = table_array(ld, arr, akp, &n)) < 0)
		return rc;
	if (n && !(var->provided = arena_alloc(ld->ri,
					       n * sizeof(*var->provided))))
		return oom(ld);
	for (size_t i = 0; i < n; i++) {
		struct tlc_recipe_provided *p = &var->provided[i];
		const struct tlc_toml_value *t, *v;
		char kp[KP], k[KP], sh[SHOWBUF];

		if ((rc = table_at(ld, arr, akp, i, keys, kp, &t)) < 0)
			return rc;
		if (!(v = member(t, kp, "libs", k)))
			return missing(ld, t, kp, "libs");
		if ((rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
				      check_soname, &p->libs)) < 0)
			return rc;
		if (!p->libs.n)
			return fail(ld, TLC_EPOLICY, v, "'%s' must name at "
				    "least one library", k);
		if ((rc = member_str(ld, t, kp, "dir", S_LINE | S_REQUIRED,
				     check_site_dir, &p->dir)) < 0 ||
		    (rc = member_str(ld, t, kp, "dependency",
				     S_LINE | S_REQUIRED, NULL,
				     &p->dependency)) < 0)
			return rc;
		v = member(t, kp, "dependency", k);
		if (!tlc_name_valid(p->dependency))
			return fail(ld, TLC_EPOLICY, v, "'%s' is not a valid "
				    "distribution name: '%s'", k,
				    show(sh, sizeof(sh), p->dependency));
		if (!names_dependency(&ld->r->dependencies, p->dependency) &&
		    !names_dependency(&var->dependencies, p->dependency))
			return fail(ld, TLC_EPOLICY, v, "'%s' names '%s', which "
				    "is not among the package's or the "
				    "variant's dependencies", k,
				    show(sh, sizeof(sh), p->dependency));
		var->nprovided = i + 1;
	}
	return 0;
}

/* A policy name tlc_policy_find() knows. */
static int check_policy(struct ld *ld, const struct tlc_toml_value *v,
			const char *kp, const char *s)
{
	struct tlc_error e = TLC_ERROR_INIT;

	if (!tlc_policy_find(s, &e))
		return fail(ld, TLC_EPOLICY, v, "'%s': %s", kp, e.msg);
	return 0;
}

static int parse_variant(struct ld *ld, const struct tlc_toml_value *t,
			 const char *kp, struct tlc_recipe_variant *var,
			 const struct tlc_toml_value **suffix_v)
{
	static const char *const keys[] = { "suffix", "description",
					    "defines", "env", "dependencies",
					    "exclude-libs", "provided-libs",
					    "policy", "image", NULL };
	const struct tlc_toml_value *v;
	char k[KP];
	int rc;

	if ((rc = need_table(ld, t, kp)) < 0 ||
	    (rc = check_keys(ld, t, kp, keys, NULL)) < 0 ||
	    (rc = empty_variant(ld, var)) < 0)
		return rc;
	*suffix_v = tlc_toml_get(t, "suffix");
	if ((rc = member_str(ld, t, kp, "suffix", S_LINE, check_suffix,
			     &var->suffix)) < 0 ||
	    (rc = member_str(ld, t, kp, "description", S_LINE, NULL,
			     &var->description)) < 0 ||
	    (rc = get_defines_env(ld, t, kp, &var->defines, &var->env)) < 0)
		return rc;
	if ((v = member(t, kp, "dependencies", k)) &&
	    (rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY,
			      check_requirement, &var->dependencies)) < 0)
		return rc;
	if ((v = member(t, kp, "exclude-libs", k)) &&
	    (rc = get_strlist(ld, v, k, S_LINE | S_NONEMPTY, check_soname,
			      &var->exclude_libs)) < 0)
		return rc;
	if ((v = member(t, kp, "provided-libs", k)) &&
	    (rc = parse_provided(ld, v, k, var)) < 0)
		return rc;
	if ((rc = member_str(ld, t, kp, "policy", S_LINE, check_policy,
			     &var->policy)) < 0 ||
	    (rc = member_str(ld, t, kp, "image", S_LINE | S_NONEMPTY, NULL,
			     &var->image)) < 0)
		return rc;
	return 0;
}

static int parse_variants(struct ld *ld, const struct tlc_toml_value *t)
{
	struct tlc_recipe *r = ld->r;
	const struct tlc_toml_value **suffix_v = NULL;
	const char **names = NULL;
	size_t n = 0, def = 0;
	char kp[KP], k[KP], sh[SHOWBUF];
	int rc;

	kp_key(kp, ld->top, "variants");
	if (t) {
		if ((rc = need_table(ld, t, kp)) < 0)
			return rc;
		if (!(n = tlc_toml_len(t)))
			return fail(ld, TLC_EPOLICY, t,
				    "'%s' has no variant (leave it out for "
				    "one variant, \"cpu\")", kp);
	} else {
		n = 1;
	}
	r->variants = arena_alloc(ld->ri, n * sizeof(*r->variants));
	suffix_v = arena_alloc(ld->ri, n * sizeof(*suffix_v));
	names = arena_alloc(ld->ri, (n + 1) * sizeof(*names));
	if (!r->variants || !suffix_v || !names)
		return oom(ld);
	r->nvariants = n;
	if (!t) {
		struct tlc_recipe_variant *var = &r->variants[0];

		var->name = "cpu";
		if ((rc = empty_variant(ld, var)) < 0)
			return rc;
		names[0] = var->name;
	}
	for (size_t i = 0; t && i < n; i++) {
		if ((rc = name_at(ld, t, kp, i, "variant name", k,
				  &r->variants[i].name)) < 0)
			return rc;
		names[i] = r->variants[i].name;
		if ((rc = parse_variant(ld, tlc_toml_at(t, i), k,
					&r->variants[i], &suffix_v[i])) < 0)
			return rc;
	}
	/* the default variant: named, else "cpu", else the first */
	if (r->default_variant) {
		const char *hint;

		for (def = 0; def < n; def++)
			if (!strcmp(r->variants[def].name, r->default_variant))
				break;
		if (def == n) {
			kp_key(k, ld->top, "package");
			hint = suggest(r->default_variant, names);
			return fail(ld, TLC_EPOLICY, ld->default_variant_v,
				    "'%s.default-variant' names no variant: "
				    "'%s'%s%s%s", k,
				    show(sh, sizeof(sh), r->default_variant),
				    hint ? " (did you mean '" : "",
				    hint ? hint : "", hint ? "'?)" : "");
		}
	} else {
		for (def = 0; def < n; def++)
			if (!strcmp(r->variants[def].name, "cpu"))
				break;
		if (def == n)
			def = 0;
	}
	r->default_variant = r->variants[def].name;
	for (size_t i = 0; i < n; i++) {
		struct tlc_recipe_variant *var = &r->variants[i];
		char buf[KP];

		if (i == def) {
			if (var->suffix && *var->suffix) {
				kp_key(buf, kp, var->name);
				kp_key(k, buf, "suffix");
				return fail(ld, TLC_EPOLICY, suffix_v[i],
					    "'%s' must be empty: '%s' is the "
					    "default variant, whose wheels "
					    "carry no suffix", k,
					    show(sh, sizeof(sh), var->name));
			}
			var->suffix = "";
		} else if (!var->suffix) {
			if ((rc = default_suffix(ld, var->name,
						 &var->suffix)) < 0)
				return rc;
			if (!suffix_ok(var->suffix)) {
				kp_key(buf, kp, var->name);
				return fail(ld, TLC_EPOLICY, tlc_toml_at(t, i),
					    "'%s' needs a 'suffix': the "
					    "default, '-%s', is not a valid "
					    "name suffix", buf,
					    show(sh, sizeof(sh), var->name));
			}
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->variants[j].suffix, var->suffix)) {
				kp_key(buf, kp, var->name);
				return fail(ld, TLC_EPOLICY,
					    suffix_v[i] ? suffix_v[i] :
							  tlc_toml_at(t, i),
					    "'%s' has the same name suffix "
					    "'%s' as variant '%s'", buf,
					    show(sh, sizeof(sh), var->suffix),
					    r->variants[j].name);
			}
	}
	return 0;
}

static int parse_channel(struct ld *ld, const struct tlc_toml_value *t,
			 const char *kp, struct tlc_recipe_channel *ch)
{
	static const char *const keys[] = { "name-suffix", "version",
					    "local-version", "keep", NULL };
	const struct tlc_toml_value *v;
	const char *s;
	char k[KP], sh[SHOWBUF];
	int rc;

	if ((rc = need_table(ld, t, kp)) < 0 ||
	    (rc = check_keys(ld, t, kp, keys, NULL)) < 0)
		return rc;
	ch->local_version = true;
	if ((rc = member_str(ld, t, kp, "name-suffix", S_LINE, check_suffix,
			     &ch->name_suffix)) < 0)
		return rc;
	if (!ch->name_suffix) {
		if ((rc = default_suffix(ld, ch->name, &ch->name_suffix)) < 0)
			return rc;
		if (!suffix_ok(ch->name_suffix))
			return fail(ld, TLC_EPOLICY, t,
				    "'%s' needs a 'name-suffix': the default, "
				    "'-%s', is not a valid name suffix", kp,
				    show(sh, sizeof(sh), ch->name));
	}
	if ((v = member(t, kp, "version", k))) {
		if ((rc = get_str(ld, v, k, S_ANY, &s)) < 0)
			return rc;
		if (strcmp(s, "dev") && strcmp(s, "release"))
			return fail(ld, TLC_EPOLICY, v,
				    "'%s' must be \"dev\" or \"release\", not "
				    "'%s'", k, show(sh, sizeof(sh), s));
		ch->dev_version = !strcmp(s, "dev");
	}
	if ((v = member(t, kp, "local-version", k)) &&
	    (rc = get_bool(ld, v, k, &ch->local_version)) < 0)
		return rc;
	if ((v = member(t, kp, "keep", k)) &&
	    (rc = get_count(ld, v, k, 1000000, &ch->keep)) < 0)
		return rc;
	return 0;
}

static int parse_channels(struct ld *ld, const struct tlc_toml_value *t)
{
	struct tlc_recipe *r = ld->r;
	size_t n;
	char kp[KP], k[KP];
	int rc;

	kp_key(kp, ld->top, "channels");
	if ((rc = need_table(ld, t, kp)) < 0)
		return rc;
	n = tlc_toml_len(t);
	if (n && !(r->channels = arena_alloc(ld->ri, n * sizeof(*r->channels))))
		return oom(ld);
	r->nchannels = n;
	for (size_t i = 0; i < n; i++)
		if ((rc = name_at(ld, t, kp, i, "channel name", k,
				  &r->channels[i].name)) < 0 ||
		    (rc = parse_channel(ld, tlc_toml_at(t, i), k,
					&r->channels[i])) < 0)
			return rc;
	return 0;
}

static int parse_test(struct ld *ld, const struct tlc_toml_value *t)
{
	static const char *const keys[] = { "command", "gpu-command", NULL };
	char kp[KP];
	int rc;

	kp_key(kp, ld->top, "test");
	if ((rc = need_table(ld, t, kp)) < 0 ||
	    (rc = check_keys(ld, t, kp, keys, NULL)) < 0 ||
	    (rc = member_str(ld, t, kp, "command", S_NONEMPTY, NULL,
			     &ld->r->test_command)) < 0 ||
	    (rc = member_str(ld, t, kp, "gpu-command", S_NONEMPTY, NULL,
			     &ld->r->gpu_test_command)) < 0)
		return rc;
	return 0;
}

/* The longest name, {name}{channel suffix}{variant suffix}, must fit. */
static int check_name_length(struct ld *ld)
{
	const struct tlc_recipe *r = ld->r;
	size_t cmax = 0, vmax = 0, ci = 0, vi = 0;

	for (size_t i = 0; i < r->nchannels; i++)
		if (strlen(r->channels[i].name_suffix) > cmax) {
			cmax = strlen(r->channels[i].name_suffix);
			ci = i;
		}
	for (size_t i = 0; i < r->nvariants; i++)
		if (strlen(r->variants[i].suffix) > vmax) {
			vmax = strlen(r->variants[i].suffix);
			vi = i;
		}
	if (strlen(r->name) + cmax + vmax > TLC_NAME_MAX) {
		char k[KP], what[KP + 64];

		kp_key(k, ld->top, "package");
		if (r->nchannels && cmax)
			snprintf(what, sizeof(what), "channel '%s' and variant "
				 "'%s'", r->channels[ci].name,
				 r->variants[vi].name);
		else
			snprintf(what, sizeof(what), "variant '%s'",
				 r->variants[vi].name);
		return fail(ld, TLC_ETOOBIG, ld->package_v,
			    "'%s.name' with the suffixes of %s is over %d "
			    "bytes (%zu)", k, what, TLC_NAME_MAX,
			    strlen(r->name) + cmax + vmax);
	}
	return 0;
}

/* ---- the whole recipe ------------------------------------------------- */

static int parse_recipe(struct ld *ld)
{
	static const char *const keys[] = { "package", "build", "variants",
					    "channels", "test", NULL };
	static const char *const aliases[] = { "variant", "variants",
					       "channel", "channels", "project",
					       "package", "tests", "test",
					       NULL };
	const struct tlc_toml_value *t = ld->top_v, *v;
	struct tlc_recipe *r = ld->r;
	char k[KP];
	int rc;

	if ((rc = check_keys(ld, t, ld->top, keys, aliases)) < 0)
		return rc;
	r->python_source = ".";
	r->build_type = "Release";
	r->repair = true;
	if ((rc = empty_strlist(ld, &r->license_files)) < 0 ||
	    (rc = empty_strlist(ld, &r->dependencies)) < 0 ||
	    (rc = empty_strlist(ld, &r->classifiers)) < 0 ||
	    (rc = empty_strlist(ld, &r->packages)) < 0 ||
	    (rc = empty_kv(ld, &r->urls)) < 0 ||
	    (rc = empty_kv(ld, &r->defines)) < 0 ||
	    (rc = empty_kv(ld, &r->env)) < 0)
		return rc;
	if (!(r->pythons.v = arena_alloc(ld->ri, 2 * sizeof(*r->pythons.v))))
		return oom(ld);
	r->pythons.v[0] = "python3";
	r->pythons.n = 1;

	if (ld->project_v && (rc = parse_project(ld)) < 0)
		return rc;
	if ((ld->package_v = tlc_toml_get(t, "package"))) {
		kp_key(k, ld->top, "package");
		if ((rc = parse_package(ld, k)) < 0)
			return rc;
	}
	if ((rc = check_required(ld)) < 0 || (rc = add_license_file(ld)) < 0)
		return rc;
	if ((v = tlc_toml_get(t, "build")) && (rc = parse_build(ld, v)) < 0)
		return rc;
	if ((rc = parse_variants(ld, tlc_toml_get(t, "variants"))) < 0)
		return rc;
	if ((v = tlc_toml_get(t, "channels")) &&
	    (rc = parse_channels(ld, v)) < 0)
		return rc;
	if ((v = tlc_toml_get(t, "test")) && (rc = parse_test(ld, v)) < 0)
		return rc;
	return check_name_length(ld);
}

static bool is_pyproject(const char *filename)
{
	const char *base = strrchr(filename, '/');

	return !strcmp(base ? base + 1 : filename, "pyproject.toml");
}

/* Replace control bytes in a finished message, so that it is one line
 * whatever a neighbour put in it. */
static void one_line(struct tlc_error *err)
{
	if (!err)
		return;
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int load(struct tlc_recipe **out, const char *data, size_t len,
		const char *filename, const char *root, struct tlc_error *err)
{
	struct recipe_impl *ri = NULL;
	struct tlc_toml *doc = NULL;
	struct tlc_buf path = TLC_BUF_INIT;
	struct ld ld;
	const char *base = strrchr(filename, '/');
	struct sb fb;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	fb = (struct sb){ ld.file, sizeof(ld.file), 0 };
	if (strlen(filename) > 150) {
		sb_puts(&fb, "...");
		sb_show(&fb, filename + strlen(filename) - 140, 140);
	} else {
		sb_show(&fb, filename, 150);
	}
	ld.pyproject = is_pyproject(filename);
	ld.top = ld.pyproject ? "tool.tlcpack" : "";

	if (len > TLC_RECIPE_MAX_FILE) {
		rc = fail(&ld, TLC_ETOOBIG, NULL,
			  "the recipe is over %u bytes (1 MiB)",
			  TLC_RECIPE_MAX_FILE);
		goto out;
	}
	if (!(ri = calloc(1, sizeof(*ri)))) {
		rc = oom(&ld);
		goto out;
	}
	ld.ri = ri;
	ld.r = &ri->pub;
	if (tlc_buf_printf(&path, "%s/%s", strcmp(root, "/") ? root : "",
			   base ? base + 1 : filename) < 0 ||
	    !(ld.r->root = arena_strdup(ri, root)) ||
	    !(ld.r->path = arena_strdup(ri, path.ptr))) {
		rc = oom(&ld);
		goto out;
	}
	if ((rc = tlc_toml_parse(&doc, data, len, ld.file, err)) < 0)
		goto out;
	ld.top_v = tlc_toml_root(doc);
	if (ld.pyproject) {
		const struct tlc_toml_value *tool = tlc_toml_get(ld.top_v,
								 "tool");

		if (tool && tlc_toml_type(tool) != TLC_TOML_TABLE) {
			rc = bad_type(&ld, tool, "tool", "a table");
			goto out;
		}
		ld.project_v = tlc_toml_get(ld.top_v, "project");
		ld.top_v = tool ? tlc_toml_get(tool, "tlcpack") : NULL;
		if (!ld.top_v) {
			rc = fail(&ld, TLC_ENOTFOUND, NULL,
				  "missing table [tool.tlcpack]: this "
				  "pyproject.toml has no tlcpack recipe");
			goto out;
		}
		if ((rc = need_table(&ld, ld.top_v, ld.top)) < 0)
			goto out;
	}
	if ((rc = parse_recipe(&ld)) < 0)
		goto out;
	*out = ld.r;
	ri = NULL;
out:
	if (rc < 0)
		one_line(err);
	tlc_toml_free(doc);
	tlc_buf_release(&path);
	tlc_recipe_free(ri ? &ri->pub : NULL);
	return rc;
}

/* @root, or the directory holding @filename, resolved into @out. */
static int resolve_root(struct tlc_buf *out, const char *filename,
			const char *root, struct tlc_error *err)
{
	struct tlc_buf dir = TLC_BUF_INIT;
	const char *slash = strrchr(filename, '/');
	char *real = NULL;
	int rc;

	if (root)
		rc = tlc_buf_puts(&dir, root);
	else if (!slash)
		rc = tlc_buf_puts(&dir, ".");
	else if (slash == filename)
		rc = tlc_buf_puts(&dir, "/");
	else
		rc = tlc_buf_put(&dir, filename, (size_t)(slash - filename));
	if (rc < 0) {
		rc = tlc_error_set(err, rc, "out of memory");
		goto out;
	}
	if (!(real = realpath(dir.ptr, NULL))) {
		rc = tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					  TLC_EIO,
				     "cannot resolve the project directory "
				     "'%s'", dir.ptr);
		goto out;
	}
	if (tlc_buf_puts(out, real) < 0)
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	free(real);
	tlc_buf_release(&dir);
	return rc;
}

int tlc_recipe_load_buffer(struct tlc_recipe **out, const void *data,
			   size_t len, const char *filename, const char *root,
			   struct tlc_error *err)
{
	struct tlc_buf abs = TLC_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = resolve_root(&abs, filename, root, err)) == 0)
		rc = load(out, data, len, filename, abs.ptr, err);
	if (rc < 0)
		one_line(err);
	tlc_buf_release(&abs);
	return rc;
}

/* Read at most TLC_RECIPE_MAX_FILE + 1 bytes of the regular file @path:
 * enough for load() to tell that it is too big. */
static int read_recipe(struct tlc_buf *b, const char *path,
		       struct tlc_error *err)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "cannot read '%s': not a regular file",
				   path);
		goto out;
	}
	while (b->len <= TLC_RECIPE_MAX_FILE) {
		size_t want = TLC_RECIPE_MAX_FILE + 1 - b->len;
		ssize_t n;

		if (want > 65536)
			want = 65536;
		if (tlc_buf_grow(b, want) < 0) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto out;
		}
		n = read(fd, b->ptr + b->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     path);
			goto out;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
out:
	close(fd);
	return rc;
}

int tlc_recipe_load(struct tlc_recipe **out, const char *path,
		    struct tlc_error *err)
{
	return tlc_recipe_load_in(out, path, NULL, err);
}

int tlc_recipe_load_in(struct tlc_recipe **out, const char *path,
		       const char *root, struct tlc_error *err)
{
	static const char *const names[] = { "tlcpack.toml", "pyproject.toml",
					     NULL };
	struct tlc_buf file = TLC_BUF_INIT, data = TLC_BUF_INIT;
	struct tlc_buf abs = TLC_BUF_INIT;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t i;

		for (i = 0; names[i]; i++) {
			if (!strcmp(path, "."))
				rc = tlc_buf_sets(&file, names[i]);
			else
				rc = tlc__fs_join(&file, path, names[i]);
			if (rc < 0) {
				rc = tlc_error_set(err, rc, "out of memory");
				goto out;
			}
			if (tlc__fs_exists(file.ptr))
				break;
		}
		if (!names[i]) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "no tlcpack.toml or pyproject.toml "
					   "in '%s'", path);
			goto out;
		}
	} else if ((rc = tlc_buf_sets(&file, path)) < 0) {
		rc = tlc_error_set(err, rc, "out of memory");
		goto out;
	}
	if ((rc = read_recipe(&data, file.ptr, err)) < 0 ||
	    (rc = resolve_root(&abs, file.ptr, root, err)) < 0)
		goto out;
	rc = load(out, data.ptr, data.len, file.ptr, abs.ptr, err);
out:
	if (rc < 0)
		one_line(err);
	tlc_buf_release(&file);
	tlc_buf_release(&data);
	tlc_buf_release(&abs);
	return rc;
}

void tlc_recipe_free(struct tlc_recipe *r)
{
	struct recipe_impl *ri = (struct recipe_impl *)r;
	struct chunk *c, *next;

	if (!r)
		return;
	for (c = ri->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(ri);
}

const struct tlc_recipe_variant *
tlc_recipe_variant(const struct tlc_recipe *r, const char *name)
{
	for (size_t i = 0; name && i < r->nvariants; i++)
		if (!strcmp(r->variants[i].name, name))
			return &r->variants[i];
	return NULL;
}

const struct tlc_recipe_channel *
tlc_recipe_channel(const struct tlc_recipe *r, const char *name)
{
	for (size_t i = 0; name && i < r->nchannels; i++)
		if (!strcmp(r->channels[i].name, name))
			return &r->channels[i];
	return NULL;
}
