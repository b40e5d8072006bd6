/*
 * Index pages: PEP 503 (simple repository API, HTML), PEP 629
 * (pypi:repository-version), PEP 592 (data-yanked), PEP 658 / PEP 714
 * (data-dist-info-metadata, data-core-metadata), PEP 691 (JSON), PEP 700
 * (versions, size, upload-time).
 *
 * Every input is checked before a byte is written, so rendering itself
 * can fail only on memory; on any failure @out is cut back to its length
 * on entry.  Files and projects are rendered from sorted copies of the
 * caller's arrays, and duplicates that would make the order depend on the
 * input are refused, so the same set of inputs always gives the same
 * bytes.  wheels.html is rendered by the same code whether whole or as
 * head, per-project link fragments and tail (tlc_index_flat_*()), so
 * the two are the same bytes by construction.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tlcpack/index.h"
#include "tlcpack/names.h"	/* tlc_name_valid */
#include "tlcpack/pep440.h"	/* tlc_pep440_parse, tlc_pep440_cmp */
#include "text.h"		/* tlc__html_entity */

#include "banned.h"

/* PEP 629: 1.1 is the version that PEP 700's fields need. */
#define API_VERSION "1.1"

/* tlc_index_time's range: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
#define TIME_MAX INT64_C(253402300799)

#define QUOTE_MAX 60

/*
 * Rendering appends with a sticky error (curl dynbuf's habit): once an
 * append fails, later ones do nothing and the first code is kept.
 */
struct out {
	struct tlc_buf *b;
	int rc;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->rc == 0 && n)
		o->rc = tlc_buf_put(o->b, p, n);
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static const char hexdigits[] = "0123456789abcdef";

static void put_hex(struct out *o, const unsigned char *p, size_t n)
{
	char hex[64];
	size_t i;

	while (n) {
		size_t k = n < sizeof(hex) / 2 ? n : sizeof(hex) / 2;

		for (i = 0; i < k; i++) {
			hex[2 * i] = hexdigits[p[i] >> 4];
			hex[2 * i + 1] = hexdigits[p[i] & 15];
		}
		put(o, hex, 2 * k);
		p += k;
		n -= k;
	}
}

/* HTML text and attribute values: see tlc__html_entity(). */
static void put_html(struct out *o, const char *s)
{
	const char *start = s;
	const char *rep;

	for (; *s; s++) {
		if (!(rep = tlc__html_entity(*s)))
			continue;
		put(o, start, (size_t)(s - start));
		puts_(o, rep);
		start = s + 1;
	}
	put(o, start, (size_t)(s - start));
}

/*
 * RFC 3986 unreserved characters: everything else in a path segment is
 * percent-encoded, '+' of local versions ("1.0+g1a2b") and '!' of epochs
 * included.  This is the set Python's urllib.parse.quote() leaves alone,
 * so pip's _ensure_quoted_url() (unquote, then quote) keeps our URLs as
 * they are, and the server's unquoting gives back the filename.
 */
static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

static void put_segment(struct out *o, const char *s)
{
	const char *start = s;
	char esc[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_unreserved(c))
			continue;
		put(o, start, (size_t)(s - start));
		esc[0] = '%';
		esc[1] = "0123456789ABCDEF"[c >> 4];
		esc[2] = "0123456789ABCDEF"[c & 15];
		put(o, esc, 3);
		start = s + 1;
	}
	put(o, start, (size_t)(s - start));
}

/* Copy @s into @dst for an error message: one line, at most QUOTE_MAX. */
static const char *quote(char *dst, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < size && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (s[i]) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
	return dst;
}

/*
 * Length of the UTF-8 sequence at @s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 if it is not one.  @cp gets
 * the code point.
 */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Text that a page shows (a requires-python specifier, a yank reason, a
 * filename): UTF-8 (pip decodes a page without a charset as UTF-8, and
 * jansson refuses anything else), and no control characters but tab, LF
 * and CR, which HTML forbids in text and html.unescape() drops.
 */
static int check_text(const char *s, const char *what, const char *file,
		      bool allow_space, struct tlc_error *err)
{
	const unsigned char *p = (const unsigned char *)s;
	char q[QUOTE_MAX + 4];
	uint32_t cp;
	size_t n;

	while (*p) {
		n = utf8_seq(p, &cp);
		if (!n)
			return tlc_error_set(err, TLC_EPOLICY,
					     "%s of '%s' is not valid UTF-8 "
					     "(byte %zu)", what,
					     quote(q, sizeof(q), file),
					     (size_t)(p - (const unsigned char *)s));
		if ((cp < 0x20 && !(allow_space && (cp == '\t' ||
						    cp == '\n' ||
						    cp == '\r'))) ||
		    (cp >= 0x7f && cp < 0xa0))
			return tlc_error_set(err, TLC_EPOLICY,
					     "%s of '%s' has the control "
					     "character U+%04X", what,
					     quote(q, sizeof(q), file),
					     (unsigned)cp);
		p += n;
	}
	return 0;
}

/* A PEP 503 normalized name: a valid name of [a-z0-9-], no "--". */
static bool is_normalized(const char *name)
{
	const char *p;

	if (!name || !tlc_name_valid(name))
		return false;
	for (p = name; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return false;
		if (*p == '-' && p[1] == '-')
			return false;
	}
	return true;
}

static int check_project(const char *name, struct tlc_error *err)
{
	char q[QUOTE_MAX + 4];

	if (!name)
		return tlc_error_set(err, TLC_EPOLICY, "a project has no name");
	if (!is_normalized(name))
		return tlc_error_set(err, TLC_EPOLICY,
				     "project name '%s' is not a normalized "
				     "name (PEP 503)", quote(q, sizeof(q), name));
	return 0;
}

/*
 * @what is "root" or "base URL".  Only characters that neither URLs nor
 * HTML attributes need to escape: RFC 3986 unreserved, the sub-delims
 * but '&' and '\'', ':', '/', '@' and a well-formed '%XX'; no query or
 * fragment, which would swallow the file path appended after it.
 */
static int check_prefix(const char *s, const char *what, struct tlc_error *err)
{
	char q[QUOTE_MAX + 4];
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (is_unreserved(c) || strchr("!$()*+,;=:/@", c))
			continue;
		if (c == '%' && is_hex(p[1]) && is_hex(p[2])) {
			p += 2;
			continue;
		}
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s '%s' has a character that needs "
				     "escaping in a URL or HTML (byte %zu)",
				     what, quote(q, sizeof(q), s),
				     (size_t)(p - s));
	}
	if (*s && p[-1] != '/')
		return tlc_error_set(err, TLC_EPOLICY, "%s '%s' does not end "
				     "in '/'", what, quote(q, sizeof(q), s));
	return 0;
}

/* Where file links start: the base URL, else the relative root. */
static int link_prefix(const char **prefix, const struct tlc_index_opts *o,
		       struct tlc_error *err)
{
	char q[QUOTE_MAX + 4];
	const char *s;
	size_t k;
	int rc;

	if (o && o->base_url) {
		/* RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
		s = o->base_url;
		for (k = 0; is_alpha(s[k]) || (k > 0 && (is_digit(s[k]) ||
							 s[k] == '+' ||
							 s[k] == '-' ||
							 s[k] == '.')); k++)
			;
		if (k == 0 || strncmp(s + k, "://", 3) != 0)
			return tlc_error_set(err, TLC_EPOLICY,
					     "base URL '%s' is not an absolute "
					     "URL (scheme://...)",
					     quote(q, sizeof(q), s));
		rc = check_prefix(s, "base URL", err);
	} else {
		s = o && o->root ? o->root : "";
		rc = check_prefix(s, "root", err);
	}
	*prefix = s;
	return rc;
}

static int check_file(const struct tlc_index_file *f, size_t i,
		      struct tlc_error *err)
{
	struct tlc_error sub = TLC_ERROR_INIT;
	struct tlc_buf canon = TLC_BUF_INIT;
	struct tlc_pep440 v;
	char q[QUOTE_MAX + 4], qv[QUOTE_MAX + 4];
	bool same;
	int rc;

	if (!f->filename || !*f->filename)
		return tlc_error_set(err, TLC_EPOLICY, "file %zu has no name",
				     i);
	if ((rc = check_text(f->filename, "name", f->filename, false,
			     err)) < 0)
		return rc;
	quote(q, sizeof(q), f->filename);
	if (strchr(f->filename, '/') || !strcmp(f->filename, ".") ||
	    !strcmp(f->filename, ".."))
		return tlc_error_set(err, TLC_EPOLICY, "file name '%s' is not "
				     "a single path component", q);
	if ((rc = check_project(f->project, err)) < 0) {
		tlc_error_prefix(err, "'%s'", q);
		return rc;
	}
	if (!f->version)
		return tlc_error_set(err, TLC_EPOLICY, "'%s' has no version",
				     q);
	/* a version past what tlcpack holds (TLC_ETOOBIG) is refused too */
	if (tlc_pep440_parse(&v, f->version, &sub) < 0)
		return tlc_error_set(err, TLC_EPOLICY, "version of '%s': %s",
				     q, sub.msg);
	/*
	 * The canonical form only, as packaging's str(Version) writes it:
	 * PEP 700's "versions" lists the strings, and "v1.0" next to "1.0"
	 * would be one version twice.
	 */
	if ((rc = tlc_pep440_format(&canon, &v)) < 0)
		return tlc_error_set(err, rc, "cannot check the version of "
				     "'%s'", q);
	same = !strcmp(canon.ptr, f->version);
	if (!same)
		rc = tlc_error_set(err, TLC_EPOLICY, "version '%s' of '%s' is "
				   "not in normalized form '%s' (PEP 440)",
				   quote(qv, sizeof(qv), f->version), q,
				   canon.ptr);
	tlc_buf_release(&canon);
	if (!same)
		return rc;
	if (f->size > INT64_MAX)
		return tlc_error_set(err, TLC_EPOLICY, "size of '%s' is out "
				     "of range", q);
	if (f->upload_time < 0 || f->upload_time > TIME_MAX)
		return tlc_error_set(err, TLC_EPOLICY, "upload time %lld of "
				     "'%s' is out of range (1970 to 9999)",
				     (long long)f->upload_time, q);
	if (f->requires_python &&
	    (rc = check_text(f->requires_python, "requires-python",
			     f->filename, true, err)) < 0)
		return rc;
	if (f->yanked && (rc = check_text(f->yanked, "yank reason",
					  f->filename, true, err)) < 0)
		return rc;
	return 0;
}

/*
 * Files sort by project, then filename (strcmp: bytes), so that the
 * links of the whole flat page are the links of each project in turn
 * (tlc_index_flat_links()).
 */
static int cmp_file(const void *a, const void *b)
{
	const struct tlc_index_file *x = *(const struct tlc_index_file *const *)a;
	const struct tlc_index_file *y = *(const struct tlc_index_file *const *)b;
	int c = strcmp(x->project, y->project);

	return c ? c : strcmp(x->filename, y->filename);
}

/*
 * Check @files and return them sorted by project, then filename, in
 * *@out, which the caller frees.  With @project, every file must belong
 * to it.  The same file twice is refused: which of two differing entries
 * came first would decide the page.
 */
static int sorted_files(const struct tlc_index_file ***out,
			const struct tlc_index_file *files, size_t n,
			const char *project, struct tlc_error *err)
{
	const struct tlc_index_file **v;
	char q[QUOTE_MAX + 4];
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if ((rc = check_file(&files[i], i, err)) < 0)
			return rc;
		if (project && strcmp(files[i].project, project) != 0)
			return tlc_error_set(err, TLC_EPOLICY, "'%s' belongs "
					     "to project '%s', not '%s'",
					     quote(q, sizeof(q),
						   files[i].filename),
					     files[i].project, project);
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return tlc_error_set(err, TLC_ENOMEM, "cannot sort %zu files",
				     n);
	for (i = 0; i < n; i++)
		v[i] = &files[i];
	qsort(v, n, sizeof(*v), cmp_file);
	for (i = 1; i < n; i++) {
		if (cmp_file(&v[i - 1], &v[i]) == 0) {
			rc = tlc_error_set(err, TLC_EPOLICY, "'%s' is listed "
					   "twice in project '%s'",
					   quote(q, sizeof(q), v[i]->filename),
					   v[i]->project);
			free(v);
			return rc;
		}
	}
	*out = v;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check @projects and return a sorted copy without duplicates. */
static int sorted_projects(const char ***out, size_t *nout,
			   const char *const *projects, size_t n,
			   struct tlc_error *err)
{
	const char **v;
	size_t i, k;
	int rc;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++) {
		if ((rc = check_project(projects[i], err)) < 0)
			return rc;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return tlc_error_set(err, TLC_ENOMEM, "cannot sort %zu "
				     "projects", n);
	if (n)
		memcpy(v, projects, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = k = 0; i < n; i++) {
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	}
	*out = v;
	*nout = k;
	return 0;
}

static void put_head(struct out *o, const char *title)
{
	puts_(o, "<!DOCTYPE html>\n<html>\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"pypi:repository-version\" content=\""
	      API_VERSION "\">\n<title>");
	put_html(o, title);
	puts_(o, "</title>\n</head>\n<body>\n<h1>");
	put_html(o, title);
	puts_(o, "</h1>\n");
}

static void put_tail(struct out *o)
{
	puts_(o, "</body>\n</html>\n");
}

/* The file's URL, without fragment: prefix + "files/<project>/<name>". */
static void put_file_url(struct out *o, const char *prefix,
			 const struct tlc_index_file *f)
{
	puts_(o, prefix);
	puts_(o, "files/");
	put_segment(o, f->project);
	put(o, "/", 1);
	put_segment(o, f->filename);
}

/* One anchor line of a project page or of wheels.html. */
static void put_anchor(struct out *o, const char *prefix,
		       const struct tlc_index_file *f)
{
	puts_(o, "<a href=\"");
	put_file_url(o, prefix, f);
	puts_(o, "#sha256=");
	put_hex(o, f->sha256, sizeof(f->sha256));
	put(o, "\"", 1);
	if (f->requires_python && *f->requires_python) {
		/* PEP 503: "<" and ">" HTML-encoded, as all of put_html's */
		puts_(o, " data-requires-python=\"");
		put_html(o, f->requires_python);
		put(o, "\"", 1);
	}
	if (f->has_metadata) {
		/* PEP 714: the PEP 658 name too, for older installers */
		puts_(o, " data-dist-info-metadata=\"sha256=");
		put_hex(o, f->metadata_sha256, sizeof(f->metadata_sha256));
		puts_(o, "\" data-core-metadata=\"sha256=");
		put_hex(o, f->metadata_sha256, sizeof(f->metadata_sha256));
		put(o, "\"", 1);
	}
	if (f->yanked) {
		/* PEP 592: present = yanked; the value is the reason */
		puts_(o, " data-yanked=\"");
		put_html(o, f->yanked);
		put(o, "\"", 1);
	}
	put(o, ">", 1);
	put_html(o, f->filename);
	puts_(o, "</a><br>\n");
}

/* On failure, cut @b back and name the page in @err. */
static int finish(struct out *o, size_t len0, const char *page,
		  struct tlc_error *err)
{
	if (o->rc < 0) {
		tlc_buf_truncate(o->b, len0);
		return tlc_error_set(err, o->rc, "cannot render %s: %s", page,
				     tlc_error_name(o->rc));
	}
	return 0;
}

#define FLAT_TITLE "Links for all projects"

/*
 * wheels.html or a run of its link lines: one function for both, so that
 * the page is its head, its links and its tail byte for byte.
 */
static int flat(struct tlc_buf *out, const struct tlc_index_file *files,
		size_t n, const struct tlc_index_opts *o, bool page,
		struct tlc_error *err)
{
	const struct tlc_index_file **v = NULL;
	struct out w = { out, 0 };
	size_t len0 = out->len, i;
	const char *prefix;
	int rc;

	if ((rc = link_prefix(&prefix, o, err)) < 0 ||
	    (rc = sorted_files(&v, files, n, NULL, err)) < 0)
		goto out;
	if (page)
		put_head(&w, FLAT_TITLE);
	for (i = 0; i < n; i++)
		put_anchor(&w, prefix, v[i]);
	if (page)
		put_tail(&w);
	rc = finish(&w, len0, "wheels.html", err);
out:
	free(v);
	return rc;
}

int tlc_index_flat_html(struct tlc_buf *out, const struct tlc_index_file *files,
			size_t n, const struct tlc_index_opts *o,
			struct tlc_error *err)
{
	return flat(out, files, n, o, true, err);
}

int tlc_index_flat_links(struct tlc_buf *out,
			 const struct tlc_index_file *files, size_t n,
			 const struct tlc_index_opts *o, struct tlc_error *err)
{
	return flat(out, files, n, o, false, err);
}

int tlc_index_flat_begin(struct tlc_buf *out, struct tlc_error *err)
{
	struct out w = { out, 0 };
	size_t len0 = out->len;

	put_head(&w, FLAT_TITLE);
	return finish(&w, len0, "wheels.html", err);
}

int tlc_index_flat_end(struct tlc_buf *out, struct tlc_error *err)
{
	struct out w = { out, 0 };
	size_t len0 = out->len;

	put_tail(&w);
	return finish(&w, len0, "wheels.html", err);
}

int tlc_index_root_html(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err)
{
	struct out w = { out, 0 };
	size_t len0 = out->len, i, k;
	const char **v = NULL;
	int rc;

	if ((rc = sorted_projects(&v, &k, projects, n, err)) < 0)
		goto out;
	put_head(&w, "Simple index");
	for (i = 0; i < k; i++) {
		/* PEP 503: the URL is the normalized name with a '/' */
		puts_(&w, "<a href=\"");
		put_segment(&w, v[i]);
		puts_(&w, "/\">");
		put_html(&w, v[i]);
		puts_(&w, "</a><br>\n");
	}
	put_tail(&w);
	rc = finish(&w, len0, "the project list", err);
out:
	free(v);
	return rc;
}

int tlc_index_project_html(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err)
{
	const struct tlc_index_file **v = NULL;
	struct out w = { out, 0 };
	size_t len0 = out->len, i;
	const char *prefix;
	struct tlc_buf title = TLC_BUF_INIT;
	int rc;

	if ((rc = check_project(project, err)) < 0 ||
	    (rc = link_prefix(&prefix, o, err)) < 0 ||
	    (rc = sorted_files(&v, files, n, project, err)) < 0)
		goto out;
	if ((rc = tlc_buf_printf(&title, "Links for %s", project)) < 0) {
		rc = tlc_error_set(err, rc, "cannot render the page of '%s'",
				   project);
		goto out;
	}
	put_head(&w, title.ptr);
	for (i = 0; i < n; i++)
		put_anchor(&w, prefix, v[i]);
	put_tail(&w);
	rc = finish(&w, len0, "a project page", err);
out:
	tlc_buf_release(&title);
	free(v);
	return rc;
}

/* json_dump_callback's sink. */
static int dump_to_buf(const char *p, size_t n, void *data)
{
	put(data, p, n);
	return ((struct out *)data)->rc < 0 ? -1 : 0;
}

/*
 * Dump @root compactly, keys in insertion order, UTF-8 as is (every
 * string was checked), then a newline.  A NULL @root means a jansson
 * allocation failed while building it.
 */
static int put_json(struct out *w, size_t len0, json_t *root, const char *page,
		    struct tlc_error *err)
{
	if (!root && w->rc == 0)
		w->rc = TLC_ENOMEM;
	if (w->rc == 0 && json_dump_callback(root, dump_to_buf, w,
					     JSON_COMPACT |
					     JSON_PRESERVE_ORDER) < 0 &&
	    w->rc == 0)
		w->rc = TLC_ENOMEM;
	put(w, "\n", 1);
	return finish(w, len0, page, err);
}

/* Set @key of @obj to @val, taking it; false if either failed. */
static bool jset(json_t *obj, const char *key, json_t *val)
{
	if (!obj || !val) {
		json_decref(val);
		return false;
	}
	return json_object_set_new(obj, key, val) == 0;
}

/* Append @val to @arr, taking it; false if either failed. */
static bool jappend(json_t *arr, json_t *val)
{
	if (!arr || !val) {
		json_decref(val);
		return false;
	}
	return json_array_append_new(arr, val) == 0;
}

static json_t *meta_object(void)
{
	json_t *meta = json_object();

	if (!jset(meta, "api-version", json_string(API_VERSION))) {
		json_decref(meta);
		return NULL;
	}
	return meta;
}

int tlc_index_root_json(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err)
{
	struct out w = { out, 0 };
	size_t len0 = out->len, i, k;
	json_t *root = NULL, *list, *p;
	const char **v = NULL;
	int rc;

	if ((rc = sorted_projects(&v, &k, projects, n, err)) < 0)
		goto out;
	root = json_object();
	if (!jset(root, "meta", meta_object()) ||
	    !jset(root, "projects", json_array())) {
		json_decref(root);
		root = NULL;
	}
	list = json_object_get(root, "projects");
	for (i = 0; root && i < k; i++) {
		p = json_object();
		if (!jset(p, "name", json_string(v[i]))) {
			json_decref(p);
			p = NULL;
		}
		if (!jappend(list, p)) {
			json_decref(root);
			root = NULL;
		}
	}
	rc = put_json(&w, len0, root, "the project list", err);
out:
	json_decref(root);
	free(v);
	return rc;
}

struct version {
	const char *s;
	struct tlc_pep440 v;
};

static int cmp_version(const void *a, const void *b)
{
	const struct version *x = a, *y = b;
	int c = tlc_pep440_cmp(&x->v, &y->v);

	/* "1.0" and "1.0.0" are equal to PEP 440 but not as strings */
	return c ? c : strcmp(x->s, y->s);
}

/* PEP 700 "versions": every version of the files, PEP 440 order, unique. */
static json_t *versions_array(const struct tlc_index_file *const *files,
			      size_t n)
{
	struct tlc_error ignored = TLC_ERROR_INIT;
	struct version *v;
	json_t *arr;
	size_t i;

	v = calloc(n ? n : 1, sizeof(*v));
	arr = json_array();
	if (!v || !arr)
		goto fail;
	for (i = 0; i < n; i++) {
		v[i].s = files[i]->version;
		/* checked by check_file() already */
		if (tlc_pep440_parse(&v[i].v, v[i].s, &ignored) < 0)
			goto fail;
	}
	qsort(v, n, sizeof(*v), cmp_version);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i - 1].s, v[i].s) == 0)
			continue;
		if (!jappend(arr, json_string(v[i].s)))
			goto fail;
	}
	free(v);
	return arr;
fail:
	free(v);
	json_decref(arr);
	return NULL;
}

/* {"sha256": "<hex>"} */
static json_t *hashes_object(const unsigned char *sha256)
{
	struct tlc_buf hex = TLC_BUF_INIT;
	struct out w = { &hex, 0 };
	json_t *o = NULL;

	put_hex(&w, sha256, 32);
	if (w.rc == 0) {
		o = json_object();
		if (!jset(o, "sha256", json_stringn(hex.ptr, hex.len))) {
			json_decref(o);
			o = NULL;
		}
	}
	tlc_buf_release(&hex);
	return o;
}

static json_t *file_object(const struct tlc_index_file *f, const char *prefix)
{
	struct tlc_buf url = TLC_BUF_INIT;
	struct out w = { &url, 0 };
	char when[TLC_INDEX_TIME_SIZE];
	json_t *o = json_object(), *yanked;

	put_file_url(&w, prefix, f);
	if (w.rc < 0 || tlc_index_time(when, sizeof(when),
				       f->upload_time) < 0)
		goto fail;
	if (!f->yanked)
		yanked = json_false();
	else if (!*f->yanked)
		yanked = json_true();	/* PEP 691: a reason is non-empty */
	else
		yanked = json_string(f->yanked);
	if (!jset(o, "filename", json_string(f->filename)) ||
	    !jset(o, "url", json_stringn(url.ptr, url.len)) ||
	    !jset(o, "hashes", hashes_object(f->sha256)))
		goto fail_yanked;
	if (f->requires_python && *f->requires_python &&
	    !jset(o, "requires-python", json_string(f->requires_python)))
		goto fail_yanked;
	/* PEP 714: "core-metadata", and PEP 691's old name for pip < 23.2 */
	if (f->has_metadata &&
	    (!jset(o, "core-metadata", hashes_object(f->metadata_sha256)) ||
	     !jset(o, "dist-info-metadata",
		   hashes_object(f->metadata_sha256))))
		goto fail_yanked;
	if (!jset(o, "size", json_integer((json_int_t)f->size)) ||
	    !jset(o, "upload-time", json_string(when)) ||
	    !jset(o, "yanked", yanked))
		goto fail;
	tlc_buf_release(&url);
	return o;
fail_yanked:
	json_decref(yanked);
fail:
	tlc_buf_release(&url);
	json_decref(o);
	return NULL;
}

int tlc_index_project_json(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err)
{
	const struct tlc_index_file **v = NULL;
	struct out w = { out, 0 };
	size_t len0 = out->len, i;
	json_t *root = NULL, *list;
	const char *prefix;
	int rc;

	if ((rc = check_project(project, err)) < 0 ||
	    (rc = link_prefix(&prefix, o, err)) < 0 ||
	    (rc = sorted_files(&v, files, n, project, err)) < 0)
		goto out;
	root = json_object();
	/* PEP 691 keys, then PEP 700's "versions" */
	if (!jset(root, "meta", meta_object()) ||
	    !jset(root, "name", json_string(project)) ||
	    !jset(root, "files", json_array())) {
		json_decref(root);
		root = NULL;
	}
	list = json_object_get(root, "files");
	for (i = 0; root && i < n; i++) {
		if (!jappend(list, file_object(v[i], prefix))) {
			json_decref(root);
			root = NULL;
		}
	}
	if (root && !jset(root, "versions", versions_array(v, n))) {
		json_decref(root);
		root = NULL;
	}
	rc = put_json(&w, len0, root, "a project page", err);
out:
	json_decref(root);
	free(v);
	return rc;
}

int tlc_index_time(char *out, size_t size, int64_t t)
{
	struct tm tm;
	time_t tt;
	int n;

	if (size)
		out[0] = '\0';
	if (t < 0 || t > TIME_MAX || (int64_t)(time_t)t != t)
		return TLC_EPOLICY;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		return TLC_EPOLICY;
	if (size < TLC_INDEX_TIME_SIZE)
		return TLC_ETOOBIG;
	n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec);
	if (n != TLC_INDEX_TIME_SIZE - 1) {
		out[0] = '\0';
		return TLC_EPOLICY;
	}
	return 0;
}
