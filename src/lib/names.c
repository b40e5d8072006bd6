/*
 * Project names and wheel filenames.
 *
 * Names: PEP 508 "Names" (the regular expression), PEP 503 "Normalized
 * Names".  Wheel filenames: PEP 427 "File name convention" as kept by
 * packaging.python.org/en/latest/specifications/binary-distribution-format/
 * ("Escaping and Unicode").
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "tlcpack/names.h"
#include "tlcpack/pep440.h"	/* tlc_pep440_parse, tlc_pep440_normalize */

#include "text.h"

#include "banned.h"

#define QUOTE_MAX 80
#define QUOTE_PART_MAX 40

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/*
 * Why @p (length @n) is not a PEP 508 name, or NULL if it is one:
 * ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, case-insensitive, ASCII.
 */
static const char *name_problem(const char *p, size_t n)
{
	if (n == 0)
		return "is empty";
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(p[i]) && !is_name_sep(p[i]))
			return "may hold only ASCII letters, digits, '-', '_' "
			       "and '.' (PEP 508)";
	if (!is_alnum(p[0]))
		return "must start with a letter or digit (PEP 508)";
	if (!is_alnum(p[n - 1]))
		return "must end with a letter or digit (PEP 508)";
	return NULL;
}

bool tlc_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, TLC_NAME_MAX + 1);
	return n <= TLC_NAME_MAX && !name_problem(name, n);
}

bool tlc_name_equal(const char *a, const char *b)
{
	if (!tlc_name_valid(a) || !tlc_name_valid(b))
		return false;
	while (*a && *b) {
		if (is_name_sep(*a) && is_name_sep(*b)) {
			while (is_name_sep(*a))
				a++;
			while (is_name_sep(*b))
				b++;
			continue;
		}
		if (to_lower(*a) != to_lower(*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

static int check_name(const char *name, size_t n, struct tlc_error *err)
{
	char q[QUOTE_MAX * 4 + 8];
	const char *why;

	tlc__quote(q, sizeof(q), name, n, QUOTE_MAX);
	if (n > TLC_NAME_MAX)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "project name '%s' is over %d bytes", q,
				     TLC_NAME_MAX);
	if ((why = name_problem(name, n)))
		return tlc_error_set(err, TLC_EPOLICY, "project name '%s' %s",
				     q, why);
	return 0;
}

/* PEP 503: lower case, each run of "-_." becomes @sep. */
static int put_normalized(struct tlc_buf *out, const char *name, char sep,
			  struct tlc_error *err)
{
	size_t n = strnlen(name, TLC_NAME_MAX + 1);
	int rc;

	if ((rc = check_name(name, n, err)) < 0)
		return rc;
	if ((rc = tlc_buf_grow(out, n)) < 0)
		return tlc_error_set(err, rc,
				     "cannot normalize project name: %s",
				     tlc_error_name(rc));
	for (size_t i = 0; i < n; i++) {
		if (is_name_sep(name[i])) {
			while (i + 1 < n && is_name_sep(name[i + 1]))
				i++;
			out->ptr[out->len++] = sep;
		} else {
			out->ptr[out->len++] = to_lower(name[i]);
		}
	}
	out->ptr[out->len] = '\0';
	return 0;
}

int tlc_name_normalize(struct tlc_buf *out, const char *name,
		       struct tlc_error *err)
{
	return put_normalized(out, name, '-', err);
}

int tlc_name_wheel_escape(struct tlc_buf *out, const char *name,
			  struct tlc_error *err)
{
	return put_normalized(out, name, '_', err);
}

/*
 * A compressed tag set such as "py2.py3" or "manylinux_2_17_x86_64.
 * manylinux2014_x86_64": non-empty [A-Za-z0-9_]+ parts joined by '.'.
 */
static const char *tag_problem(const char *p, size_t n)
{
	if (n == 0)
		return "is empty";
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(p[i]) && p[i] != '_' && p[i] != '.')
			return "allows only letters, digits, '_' and '.'";
	if (p[0] == '.' || p[n - 1] == '.' || memmem(p, n, "..", 2))
		return "has an empty part between dots";
	return NULL;
}

/* Build tag: a digit, then [A-Za-z0-9_.]* (binary distribution format). */
static const char *build_problem(const char *p, size_t n)
{
	if (n == 0 || !is_digit(p[0]))
		return "must start with a digit";
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(p[i]) && p[i] != '_' && p[i] != '.')
			return "allows only letters, digits, '_' and '.'";
	return NULL;
}

struct field {
	const char *what;	/* for messages: "python tag" */
	char *dst;
	size_t size;		/* of dst, NUL included */
};

int tlc_wheel_filename_parse(struct tlc_wheel_filename *out,
			     const char *filename, struct tlc_error *err)
{
	struct tlc_wheel_filename w;
	struct tlc_pep440 v;
	char q[QUOTE_MAX * 4 + 8], part[QUOTE_PART_MAX * 4 + 8];
	const char *dash[6], *p, *stem_end;
	size_t len, ndash = 0;
	const char *why;
	int rc;

	assert(out && filename);
	memset(&w, 0, sizeof(w));
	len = strnlen(filename, TLC_WHEEL_FILENAME_MAX + 1);
	tlc__quote(q, sizeof(q), filename, len, QUOTE_MAX);
	if (len > TLC_WHEEL_FILENAME_MAX)
		return tlc_error_set(err, TLC_ETOOBIG,
				     "wheel filename '%s' is over %d bytes", q,
				     TLC_WHEEL_FILENAME_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)filename[i];

		if (c == '/' || c == '\\')
			return tlc_error_set(err, TLC_EPOLICY,
					     "invalid wheel filename '%s': "
					     "contains a directory separator",
					     q);
		if (c < 0x20 || c == 0x7f)
			return tlc_error_set(err, TLC_EPOLICY,
					     "invalid wheel filename '%s': "
					     "contains a control character", q);
	}
	if (len < 4 || memcmp(filename + len - 4, ".whl", 4) != 0)
		return tlc_error_set(err, TLC_EPOLICY,
				     "invalid wheel filename '%s': must end in "
				     "'.whl'", q);
	stem_end = filename + len - 4;
	for (p = filename; p < stem_end; p++) {
		if (*p != '-')
			continue;
		if (ndash < 5)
			dash[ndash] = p;
		ndash++;
	}
	if (ndash != 4 && ndash != 5)
		return tlc_error_set(err, TLC_EPOLICY,
				     "invalid wheel filename '%s': has %zu "
				     "dash-separated parts, expected 5 or 6 "
				     "({name}-{version}(-{build})?-{python}-"
				     "{abi}-{platform}.whl)", q, ndash + 1);

	{
		struct field fields[6] = {
			{ "project name", w.name, sizeof(w.name) },
			{ "version", w.version, sizeof(w.version) },
			{ "build tag", w.build, sizeof(w.build) },
			{ "python tag", w.python, sizeof(w.python) },
			{ "abi tag", w.abi, sizeof(w.abi) },
			{ "platform tag", w.platform, sizeof(w.platform) },
		};
		const char *start = filename;

		for (size_t i = 0, f = 0; i <= ndash; i++, f++) {
			const char *end = i < ndash ? dash[i] : stem_end;
			size_t n = (size_t)(end - start);

			if (i == 2 && ndash == 4)
				f++;	/* no build tag */
			if (n >= fields[f].size)
				return tlc_error_set(err, TLC_ETOOBIG,
						     "invalid wheel filename "
						     "'%s': %s is over %zu "
						     "bytes", q, fields[f].what,
						     fields[f].size - 1);
			memcpy(fields[f].dst, start, n);
			fields[f].dst[n] = '\0';
			start = end + 1;
		}
	}

	if ((why = name_problem(w.name, strlen(w.name)))) {
		tlc__quote(part, sizeof(part), w.name, strlen(w.name),
		      QUOTE_PART_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "invalid wheel filename '%s': project "
				     "name '%s' %s", q, part, why);
	}
	for (p = w.version; *p; p++) {
		if (*p == ' ') {
			tlc__quote(part, sizeof(part), w.version, strlen(w.version),
			      QUOTE_PART_MAX);
			return tlc_error_set(err, TLC_EPOLICY,
					     "invalid wheel filename '%s': "
					     "version '%s' contains a space",
					     q, part);
		}
	}
	if ((rc = tlc_pep440_parse(&v, w.version, err)) < 0) {
		tlc_error_prefix(err, "invalid wheel filename '%s'", q);
		return rc;
	}
	if (ndash == 5 && (why = build_problem(w.build, strlen(w.build)))) {
		tlc__quote(part, sizeof(part), w.build, strlen(w.build),
		      QUOTE_PART_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "invalid wheel filename '%s': build tag "
				     "'%s' %s", q, part, why);
	}
	{
		const struct {
			const char *what, *tag;
		} tags[3] = {
			{ "python tag", w.python },
			{ "abi tag", w.abi },
			{ "platform tag", w.platform },
		};

		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(tags[i].tag);

			if (!(why = tag_problem(tags[i].tag, n)))
				continue;
			tlc__quote(part, sizeof(part), tags[i].tag, n,
			      QUOTE_PART_MAX);
			return tlc_error_set(err, TLC_EPOLICY,
					     "invalid wheel filename '%s': %s "
					     "'%s' %s", q, tags[i].what, part,
					     why);
		}
	}
	*out = w;
	return 0;
}

/* Append @s as the filename's @what field, checking it with @problem. */
static int put_field(struct tlc_buf *out, const char *what, const char *s,
		     size_t max, const char *(*problem)(const char *, size_t),
		     struct tlc_error *err)
{
	char part[QUOTE_PART_MAX * 4 + 8];
	size_t n = strnlen(s, max + 1);
	const char *why;
	int rc;

	tlc__quote(part, sizeof(part), s, n, QUOTE_PART_MAX);
	if (n > max)
		return tlc_error_set(err, TLC_ETOOBIG, "%s '%s' is over %zu "
				     "bytes", what, part, max);
	if ((why = problem(s, n)))
		return tlc_error_set(err, TLC_EPOLICY, "%s '%s' %s", what, part,
				     why);
	if ((rc = tlc_buf_putc(out, '-')) < 0 ||
	    (rc = tlc_buf_put(out, s, n)) < 0)
		return tlc_error_set(err, rc, "cannot format wheel filename: "
				     "%s", tlc_error_name(rc));
	return 0;
}

int tlc_wheel_filename_format(struct tlc_buf *out, const char *name,
			      const char *version, const char *build,
			      const char *python, const char *abi,
			      const char *platform, struct tlc_error *err)
{
	struct tlc_wheel_filename w;
	size_t start = out->len, mark;
	int rc;

	assert(name && version && python && abi && platform);
	if ((rc = tlc_name_wheel_escape(out, name, err)) < 0)
		goto out;
	if ((rc = tlc_buf_putc(out, '-')) < 0) {
		tlc_error_set(err, rc, "cannot format wheel filename: %s",
			      tlc_error_name(rc));
		goto out;
	}
	mark = out->len;
	if ((rc = tlc_pep440_normalize(out, version, err)) < 0)
		goto out;
	if (out->len - mark >= sizeof(w.version)) {
		rc = tlc_error_set(err, TLC_ETOOBIG,
				   "normalized version is over %zu bytes",
				   sizeof(w.version) - 1);
		goto out;
	}
	if (build && *build &&
	    (rc = put_field(out, "build tag", build, sizeof(w.build) - 1,
			    build_problem, err)) < 0)
		goto out;
	if ((rc = put_field(out, "python tag", python, sizeof(w.python) - 1,
			    tag_problem, err)) < 0 ||
	    (rc = put_field(out, "abi tag", abi, sizeof(w.abi) - 1,
			    tag_problem, err)) < 0 ||
	    (rc = put_field(out, "platform tag", platform,
			    sizeof(w.platform) - 1, tag_problem, err)) < 0)
		goto out;
	if ((rc = tlc_buf_puts(out, ".whl")) < 0) {
		tlc_error_set(err, rc, "cannot format wheel filename: %s",
			      tlc_error_name(rc));
		goto out;
	}
	if (out->len - start > TLC_WHEEL_FILENAME_MAX)
		rc = tlc_error_set(err, TLC_ETOOBIG,
				   "wheel filename is over %d bytes",
				   TLC_WHEEL_FILENAME_MAX);
out:
	if (rc < 0)
		tlc_buf_truncate(out, start);
	return rc;
}
