/*
 * CI build matrices; see matrix.h.
 *
 * Every string that reaches the output may come from outside (a recipe in
 * a pull request, a --python argument), so each is checked once here
 * (UTF-8, no control characters), quoted for sh where it goes into a
 * command line, then escaped for the output format: jansson for JSON,
 * yaml_quote() for YAML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tlcpack/matrix.h"
#include "tlcpack/policy.h"

#include "banned.h"

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

/*
 * The length of the UTF-8 sequence at @s and its code point in *@cp, or 0
 * when it is not one (RFC 3629 section 4: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
static size_t utf8_char(const unsigned char *s, unsigned long *cp)
{
	unsigned long c, min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Is @s UTF-8 without control characters (C0, DEL, C1)? */
static bool clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n;

	while (*p) {
		if (!(n = utf8_char(p, &cp)) || cp < 0x20 ||
		    (cp >= 0x7f && cp < 0xa0))
			return false;
		p += n;
	}
	return true;
}

static int check_text(const char *what, const char *s, struct tlc_error *err)
{
	if (s && !clean_text(s))
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s must be one line of UTF-8 without "
				     "control characters", what);
	return 0;
}

/* Characters a POSIX shell word may hold unquoted (XCU 2.2). */
static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_-.,/:=@%+", *s))
			return false;
	return true;
}

/* Append @s as one shell word: bare when safe, else in single quotes, in
 * which only ' itself needs care (XCU 2.2.2). */
static int shell_word(struct tlc_buf *b, const char *s)
{
	if (shell_safe(s))
		return tlc_buf_puts(b, s);
	if (tlc_buf_putc(b, '\'') < 0)
		return TLC_ENOMEM;
	for (; *s; s++) {
		if (*s == '\'' ? tlc_buf_puts(b, "'\\''") < 0 :
				 tlc_buf_putc(b, *s) < 0)
			return TLC_ENOMEM;
	}
	return tlc_buf_putc(b, '\'');
}

/* Append " @opt @val", @val as one shell word. */
static int shell_opt(struct tlc_buf *b, const char *opt, const char *val)
{
	if (tlc_buf_printf(b, " %s ", opt) < 0)
		return TLC_ENOMEM;
	return shell_word(b, val);
}

bool tlc_matrix_cuda_version(const char *name, unsigned *major,
			     unsigned *minor)
{
	size_t n;

	if (strncmp(name, "cu", 2))
		return false;
	n = strlen(name + 2);
	if (n < 3 || n > 5 || strspn(name + 2, "0123456789") != n ||
	    name[2] == '0')
		return false;
	*minor = (unsigned)(name[n + 1] - '0');
	*major = (unsigned)strtoul(name + 2, NULL, 10) / 10;
	return true;
}

int tlc_matrix_image(struct tlc_buf *out, bool *is_default,
		     const struct tlc_recipe_variant *v)
{
	const struct tlc_policy *p;
	unsigned major, minor;

	if (is_default)
		*is_default = !v->image;
	if (v->image)
		return tlc_buf_puts(out, v->image);
	if (tlc_matrix_cuda_version(v->name, &major, &minor))
		return tlc_buf_printf(out, "tlcpack/build-%s", v->name);
	p = v->policy ? tlc_policy_find(v->policy, NULL) : NULL;
	if (!p || !p->glibc_major)
		return tlc_buf_puts(out, TLC_MATRIX_DEFAULT_IMAGE);
	return tlc_buf_printf(out, "quay.io/pypa/%s_x86_64",
			      p->alias ? p->alias : p->name);
}

/* "3.11" from "python3.11" or "/usr/bin/python3.11", or from "3.11". */
static char *python_version(const char *python)
{
	const char *base = strrchr(python, '/'), *v;
	size_t major, minor;

	base = base ? base + 1 : python;
	v = !strncmp(base, "python", 6) ? base + 6 : base;
	major = strspn(v, "0123456789");
	if (!major || v[major] != '.')
		return NULL;
	minor = strspn(v + major + 1, "0123456789");
	if (!minor || v[major + 1 + minor])
		return NULL;
	return strdup(v);
}

static bool has_per_python(const struct tlc_recipe *r)
{
	for (size_t i = 0; i < r->ncmake; i++)
		if (r->cmake[i].per_python)
			return true;
	return false;
}

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

/* Refuse a name given twice: two jobs would upload the same files. */
static int check_unique(const char *const *list, const char *what,
			struct tlc_error *err)
{
	for (size_t i = 0; list && list[i]; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(list[i], list[j]))
				return tlc_error_set(err, TLC_EPOLICY,
						     "%s '%s' is given twice",
						     what, list[i]);
	return 0;
}

/* "(it has: a, b)" for a message, cut to fit. */
static void known_names(char *buf, size_t size, const char *const *names,
			size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? ", " : "", names[i]);
}

static int find_variants(const struct tlc_recipe_variant ***out, size_t *nout,
			 const struct tlc_recipe *r,
			 const struct tlc_matrix_opts *o,
			 struct tlc_error *err)
{
	size_t n = o->variants ? count(o->variants) : r->nvariants;
	const struct tlc_recipe_variant **v;
	int rc;

	if (o->variants && !n)
		return tlc_error_set(err, TLC_EPOLICY, "no variant is given");
	if ((rc = check_unique(o->variants, "variant", err)) < 0)
		return rc;
	if (!(v = calloc(n, sizeof(*v))))
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		const char *names[64] = { 0 };
		char have[160];
		size_t k;

		if (!o->variants) {
			v[i] = &r->variants[i];
			continue;
		}
		if ((v[i] = tlc_recipe_variant(r, o->variants[i])))
			continue;
		for (k = 0; k < r->nvariants && k < 64; k++)
			names[k] = r->variants[k].name;
		known_names(have, sizeof(have), names, k);
		free(v);
		if ((rc = check_text("a variant name", o->variants[i], err)) <
		    0)
			return rc;
		return tlc_error_set(err, TLC_ENOTFOUND,
				     "no variant '%s' in the recipe (it has: "
				     "%s)", o->variants[i], have);
	}
	*out = v;
	*nout = n;
	return 0;
}

static int check_channels(const struct tlc_recipe *r,
			  const struct tlc_matrix_opts *o,
			  struct tlc_error *err)
{
	int rc;

	if (o->channels && !o->channels[0])
		return tlc_error_set(err, TLC_EPOLICY, "no channel is given");
	if ((rc = check_unique(o->channels, "channel", err)) < 0)
		return rc;
	for (size_t i = 0; o->channels && o->channels[i]; i++) {
		const char *names[64] = { 0 };
		char have[160];
		size_t k;

		if (tlc_recipe_channel(r, o->channels[i]))
			continue;
		if ((rc = check_text("a channel name", o->channels[i], err)) <
		    0)
			return rc;
		for (k = 0; k < r->nchannels && k < 64; k++)
			names[k] = r->channels[k].name;
		known_names(have, sizeof(have), names, k);
		return tlc_error_set(err, TLC_ENOTFOUND,
				     "no channel '%s' in the recipe (it has: "
				     "%s)", o->channels[i],
				     k ? have : "none");
	}
	return 0;
}

/* Append @s to @b with every character outside [A-Za-z0-9._-] as '_'. */
static int id_part(struct tlc_buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			c = '_';
		if (tlc_buf_putc(b, c) < 0)
			return TLC_ENOMEM;
	}
	return 0;
}

static bool id_taken(const struct tlc_matrix *m, const char *id)
{
	for (size_t i = 0; i < m->njobs; i++)
		if (!strcmp(m->jobs[i].id, id))
			return true;
	return false;
}

/* "cu130-python3.11-nightly", made unique with "-2", "-3" ... */
static int make_id(struct tlc_buf *id, const struct tlc_matrix *m,
		   const char *variant, const char *python, const char *channel)
{
	const char *base = python ? strrchr(python, '/') : NULL;
	size_t len;

	base = base && base[1] ? base + 1 : python;
	if (id_part(id, variant) < 0 ||
	    (base && (tlc_buf_putc(id, '-') < 0 || id_part(id, base) < 0)) ||
	    (channel && (tlc_buf_putc(id, '-') < 0 ||
			 id_part(id, channel) < 0)))
		return TLC_ENOMEM;
	len = id->len;
	for (unsigned k = 2; id_taken(m, id->ptr); k++) {
		tlc_buf_truncate(id, len);
		if (tlc_buf_printf(id, "-%u", k) < 0)
			return TLC_ENOMEM;
	}
	return 0;
}

static int add_job(struct tlc_matrix *m, const struct tlc_recipe *r,
		   const struct tlc_matrix_opts *o,
		   const struct tlc_recipe_variant *v, const char *python,
		   bool per_python, const char *channel,
		   struct tlc_error *err)
{
	const struct tlc_recipe_channel *ch =
		channel ? tlc_recipe_channel(r, channel) : NULL;
	struct tlc_buf id = TLC_BUF_INIT, image = TLC_BUF_INIT;
	struct tlc_buf build = TLC_BUF_INIT, publish = TLC_BUF_INIT;
	struct tlc_buf project = TLC_BUF_INIT;
	struct tlc_matrix_job *j;
	int rc = TLC_ENOMEM;

	j = realloc(m->jobs, (m->njobs + 1) * sizeof(*j));
	if (!j)
		return oom(err);
	m->jobs = j;
	j = memset(&j[m->njobs], 0, sizeof(*j));

	if (make_id(&id, m, v->name, per_python ? python : NULL, channel) < 0 ||
	    tlc_matrix_image(&image, &j->default_image, v) < 0 ||
	    tlc_buf_printf(&project, "%s%s%s", r->name,
			   ch ? ch->name_suffix : "", v->suffix) < 0)
		goto out;
	{
		char what[96];

		snprintf(what, sizeof(what), "the image of variant '%s'",
			 v->name);
		if ((rc = check_text(what, image.ptr, err)) < 0)
			goto out;
		snprintf(what, sizeof(what), "the description of variant '%s'",
			 v->name);
		if ((rc = check_text(what, v->description, err)) < 0)
			goto out;
	}
	rc = TLC_ENOMEM;
	if (tlc_buf_puts(&build, "tlcpack build") < 0 ||
	    (o->recipe_arg && shell_opt(&build, "--recipe", o->recipe_arg) <
				      0) ||
	    shell_opt(&build, "--variant", v->name) < 0 ||
	    shell_opt(&build, "--python", python) < 0 ||
	    (channel && shell_opt(&build, "--channel", channel) < 0) ||
	    shell_opt(&build, "-o", o->out_dir) < 0)
		goto out;
	if (tlc_buf_puts(&publish, "tlcpack publish --to ") < 0 ||
	    (o->upload_url ? shell_word(&publish, o->upload_url) :
			     tlc_buf_puts(&publish,
					  "\"$TLCPACK_UPLOAD_URL\"")) < 0 ||
	    tlc_buf_putc(&publish, ' ') < 0 ||
	    shell_word(&publish, o->out_dir) < 0 ||
	    tlc_buf_puts(&publish, "/*.whl") < 0)
		goto out;
	m->njobs++;
	j->id = tlc_buf_detach(&id, NULL);
	j->variant = strdup(v->name);
	j->description = v->description ? strdup(v->description) : NULL;
	j->python = strdup(python);
	j->python_version = python_version(python);
	j->channel = channel ? strdup(channel) : NULL;
	j->keep = ch ? ch->keep : 0;
	j->project = tlc_buf_detach(&project, NULL);
	j->image = tlc_buf_detach(&image, NULL);
	j->build = tlc_buf_detach(&build, NULL);
	j->publish = tlc_buf_detach(&publish, NULL);
	j->dist = strdup(o->out_dir);
	if (!j->id || !j->variant || (v->description && !j->description) ||
	    !j->python || !j->project || !j->image || !j->build ||
	    !j->publish || !j->dist || (channel && !j->channel))
		goto out;
	rc = 0;
out:
	tlc_buf_release(&id);
	tlc_buf_release(&image);
	tlc_buf_release(&build);
	tlc_buf_release(&publish);
	tlc_buf_release(&project);
	if (rc == TLC_ENOMEM)
		return oom(err);
	return rc;
}

int tlc_matrix_plan(struct tlc_matrix *out, const struct tlc_recipe *r,
		    const struct tlc_matrix_opts *o, struct tlc_error *err)
{
	static const char *const stable[] = { NULL, NULL };
	const struct tlc_recipe_variant **variants = NULL;
	const char *const *pythons = o->pythons ? o->pythons : r->pythons.v;
	const char *const *channels = o->channels ? o->channels : stable;
	size_t nvariants = 0, npythons = count(pythons);
	size_t nchannels = o->channels ? count(o->channels) : 1;
	bool per_python = has_per_python(r);
	int rc;

	if (out->njobs || out->jobs)
		return tlc_error_set(err, TLC_ERROR,
				     "the matrix to fill is not empty");
	if (!npythons)
		return tlc_error_set(err, TLC_EPOLICY, "no python is given");
	if (!o->out_dir || !*o->out_dir)
		return tlc_error_set(err, TLC_EPOLICY,
				     "the output directory is empty");
	for (size_t i = 0; i < npythons; i++) {
		if (!*pythons[i])
			return tlc_error_set(err, TLC_EPOLICY,
					     "a python name is empty");
		if ((rc = check_text("a python name", pythons[i], err)) < 0)
			return rc;
	}
	if ((rc = check_unique(pythons, "python", err)) < 0 ||
	    (rc = check_text("the recipe path", o->recipe_arg, err)) < 0 ||
	    (rc = check_text("the upload URL", o->upload_url, err)) < 0 ||
	    (rc = check_text("the output directory", o->out_dir, err)) < 0 ||
	    (rc = check_channels(r, o, err)) < 0 ||
	    (rc = find_variants(&variants, &nvariants, r, o, err)) < 0)
		return rc;
	/* one py3-none wheel per variant, whatever the interpreter */
	if (!per_python)
		npythons = 1;
	for (size_t v = 0; v < nvariants; v++)
		for (size_t p = 0; p < npythons; p++)
			for (size_t c = 0; c < nchannels; c++)
				if ((rc = add_job(out, r, o, variants[v],
						  pythons[p], per_python,
						  channels[c], err)) < 0)
					goto out;
out:
	free(variants);
	return rc;
}

void tlc_matrix_release(struct tlc_matrix *m)
{
	for (size_t i = 0; i < m->njobs; i++) {
		struct tlc_matrix_job *j = &m->jobs[i];

		free(j->id);
		free(j->variant);
		free(j->description);
		free(j->python);
		free(j->python_version);
		free(j->channel);
		free(j->project);
		free(j->image);
		free(j->build);
		free(j->publish);
		free(j->dist);
	}
	free(m->jobs);
	m->jobs = NULL;
	m->njobs = 0;
}

/* Set @key of @o to the string @s, if @s is not NULL. */
static int json_put(json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (!s)
		return 0;
	if (!(v = json_string(s)))
		return -1;
	return json_object_set_new(o, key, v);
}

static json_t *job_json(const struct tlc_matrix_job *j)
{
	json_t *o = json_object();

	if (!o || json_put(o, "id", j->id) < 0 ||
	    json_put(o, "variant", j->variant) < 0 ||
	    json_put(o, "description", j->description) < 0 ||
	    json_put(o, "python", j->python) < 0 ||
	    json_put(o, "python-version", j->python_version) < 0 ||
	    json_put(o, "channel", j->channel) < 0 ||
	    (j->keep && json_object_set_new(o, "keep",
				json_integer((json_int_t)j->keep)) < 0) ||
	    json_put(o, "project", j->project) < 0 ||
	    json_put(o, "image", j->image) < 0 ||
	    json_object_set_new(o, "image-default",
				json_boolean(j->default_image)) < 0 ||
	    json_put(o, "build", j->build) < 0 ||
	    json_put(o, "publish", j->publish) < 0 ||
	    json_put(o, "dist", j->dist) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int format_json(struct tlc_buf *out, const struct tlc_matrix *m,
		       bool github)
{
	json_t *arr = json_array(), *root = arr;
	char *s = NULL;
	int rc = TLC_ENOMEM;

	if (!arr)
		return TLC_ENOMEM;
	for (size_t i = 0; i < m->njobs; i++)
		if (json_array_append_new(arr, job_json(&m->jobs[i])) < 0)
			goto out;
	/* GitHub's strategy.matrix: jobs listed under "include" alone */
	if (github && (!(root = json_object()) ||
		       json_object_set(root, "include", arr) < 0))
		goto out;
	s = json_dumps(root, github ? JSON_COMPACT | JSON_ENSURE_ASCII |
					      JSON_PRESERVE_ORDER :
				      JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!s || tlc_buf_puts(out, s) < 0 || tlc_buf_putc(out, '\n') < 0)
		goto out;
	rc = 0;
out:
	free(s);
	if (root && root != arr)
		json_decref(root);
	json_decref(arr);
	return rc;
}

/*
 * @s as a YAML double-quoted scalar (YAML 1.2.2, 5.7 "Escaped
 * Characters", 7.3.1): '"' and '\' escaped, and everything outside
 * printable ASCII as \xXX, \uXXXX or \UXXXXXXXX, so that no line break
 * (NEL, LS, PS count in YAML 1.1), BOM or C1 control reaches the parser.
 * @s is clean_text().
 */
static int yaml_quote(struct tlc_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n;
	int rc = 0;

	if (tlc_buf_putc(b, '"') < 0)
		return TLC_ENOMEM;
	while (*p && rc == 0) {
		n = utf8_char(p, &cp);
		if (!n) {	/* not UTF-8: cannot happen after checks */
			n = 1;
			cp = 0xfffd;
		}
		p += n;
		if (cp == '"' || cp == '\\')
			rc = tlc_buf_printf(b, "\\%c", (char)cp);
		else if (cp >= 0x20 && cp < 0x7f)
			rc = tlc_buf_putc(b, (char)cp);
		else if (cp < 0x100)
			rc = tlc_buf_printf(b, "\\x%02lX", cp);
		else if (cp < 0x10000)
			rc = tlc_buf_printf(b, "\\u%04lX", cp);
		else
			rc = tlc_buf_printf(b, "\\U%08lX", cp);
	}
	if (rc < 0 || tlc_buf_putc(b, '"') < 0)
		return TLC_ENOMEM;
	return 0;
}

/* "<indent><key>: <quoted value>\n" */
static int yaml_kv(struct tlc_buf *b, const char *indent, const char *key,
		   const char *value)
{
	if (tlc_buf_printf(b, "%s%s: ", indent, key) < 0 ||
	    yaml_quote(b, value) < 0 || tlc_buf_putc(b, '\n') < 0)
		return TLC_ENOMEM;
	return 0;
}

static int yaml_item(struct tlc_buf *b, const char *indent, const char *value)
{
	if (tlc_buf_printf(b, "%s- ", indent) < 0 ||
	    yaml_quote(b, value) < 0 || tlc_buf_putc(b, '\n') < 0)
		return TLC_ENOMEM;
	return 0;
}

/*
 * A GitLab child pipeline ("Dynamic child pipelines": the parent's job
 * writes this file as an artifact, a trigger job includes it): one job
 * per matrix entry, named by its id, in stage "build", in its image.
 * Job names are quoted keys; an id always holds a '-' after the variant,
 * or is a variant name, so it is never a GitLab keyword such as
 * "stages" or "variables".
 */
static int format_gitlab(struct tlc_buf *out, const struct tlc_matrix *m)
{
	if (tlc_buf_puts(out, "# Generated by `tlcpack matrix --format "
			 "gitlab`: a child pipeline, one job\n"
			 "# per variant and Python, each building in its "
			 "image and uploading to\n"
			 "# one repository (see docs/ci/README.md in tlcpack).\n"
			 "stages:\n  - \"build\"\n") < 0)
		return TLC_ENOMEM;
	for (size_t i = 0; i < m->njobs; i++) {
		const struct tlc_matrix_job *j = &m->jobs[i];

		if (tlc_buf_putc(out, '\n') < 0 || yaml_quote(out, j->id) < 0 ||
		    tlc_buf_puts(out, ":\n  stage: \"build\"\n") < 0 ||
		    yaml_kv(out, "  ", "image", j->image) < 0 ||
		    tlc_buf_puts(out, "  script:\n") < 0 ||
		    yaml_item(out, "    ", j->build) < 0 ||
		    yaml_item(out, "    ", j->publish) < 0)
			return TLC_ENOMEM;
		/* the wheels stay as artifacts, for a later job's checks */
		if (tlc_buf_puts(out, "  artifacts:\n    paths:\n") < 0 ||
		    yaml_item(out, "      ", j->dist) < 0)
			return TLC_ENOMEM;
	}
	return 0;
}

int tlc_matrix_format(struct tlc_buf *out, const struct tlc_matrix *m,
		      enum tlc_matrix_format format, struct tlc_error *err)
{
	int rc;

	if (!m->njobs)
		return tlc_error_set(err, TLC_EPOLICY, "the matrix has no job");
	if (format == TLC_MATRIX_GITHUB &&
	    m->njobs > TLC_MATRIX_GITHUB_MAX_JOBS)
		return tlc_error_set(err, TLC_EPOLICY,
				     "the matrix has %zu jobs: GitHub Actions "
				     "allows at most %d in one", m->njobs,
				     TLC_MATRIX_GITHUB_MAX_JOBS);
	if (format == TLC_MATRIX_GITLAB)
		rc = format_gitlab(out, m);
	else
		rc = format_json(out, m, format == TLC_MATRIX_GITHUB);
	if (rc < 0)
		return oom(err);
	return 0;
}
