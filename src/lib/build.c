/*
 * The build driver: recipe -> for each variant, CMake configure, build
 * and install into a staging tree -> one wheel per interpreter (when it
 * holds CPython extension modules) or one py3-none wheel.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tlcpack/build.h"
#include "tlcpack/names.h"
#include "tlcpack/pep440.h"
#include "tlcpack/policy.h"
#include "tlcpack/repair.h"
#include "tlcpack/wheel.h"

#include "fs.h"
#include "proc.h"

#include "banned.h"

/* Caps on what we read back from the tools we run. */
#define PROBE_OUTPUT_MAX 4096
#define GIT_OUTPUT_MAX 4096
#define README_MAX (4u << 20)

/* The Python probe: one line per fact. */
static const char python_probe[] =
	"import sys, sysconfig\n"
	"print(sys.implementation.name)\n"
	"print('%d%d' % sys.version_info[:2])\n"
	"print(sysconfig.get_platform())\n"
	"print(sysconfig.get_config_var('EXT_SUFFIX') or '')\n"
	"print(sys.executable)\n";

struct python {
	char *listed;		/* as the recipe or --python gave it */
	char *exe;		/* sys.executable */
	char *tag;		/* "cp311" */
	char *platform;		/* "linux_x86_64" */
};

/* Everything one build needs, shared by its steps. */
struct ctx {
	const struct tlc_recipe *r;
	const struct tlc_build_opts *o;
	struct tlc_build_result *res;
	char *build_dir;	/* absolute */
	char *out_dir;		/* absolute */
	char *version;
	const char *channel;	/* "" for stable */
	const char *name_suffix; /* the channel's */
	int64_t epoch;
	unsigned jobs;
	size_t npy;
	struct python *py;
};

/* What a placeholder expands to, in the current step. */
struct scope {
	const struct tlc_recipe_variant *variant;
	const char *name;		/* distribution name */
	const struct python *python;	/* NULL outside per-python work */
};

static void python_release(struct python *p)
{
	free(p->listed);
	free(p->exe);
	free(p->tag);
	free(p->platform);
}

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

static void progress(const struct ctx *c, const char *step, const char *item,
		     int finished)
{
	struct tlc_progress p = { step, item, 0, 0, finished };

	if (c->o->progress)
		c->o->progress(&p, c->o->progress_data);
}

static int cmake_build_dir(struct tlc_buf *out, const struct ctx *c,
			   const struct tlc_recipe_variant *v,
			   const struct tlc_recipe_cmake *cm,
			   const struct python *py)
{
	tlc_buf_reset(out);
	if (cm->per_python && py)
		return tlc_buf_printf(out, "%s/%s/%s-%s", c->build_dir,
				      v->name, cm->name, py->tag);
	return tlc_buf_printf(out, "%s/%s/%s", c->build_dir, v->name,
			      cm->name);
}

static const struct tlc_recipe_cmake *find_cmake(const struct tlc_recipe *r,
						 const char *name, size_t len)
{
	for (size_t i = 0; i < r->ncmake; i++)
		if (strlen(r->cmake[i].name) == len &&
		    !memcmp(r->cmake[i].name, name, len))
			return &r->cmake[i];
	return NULL;
}

/* Expand the placeholders of docs/recipe.md in @tmpl, appending to @out. */
static int expand(struct tlc_buf *out, const struct ctx *c,
		  const struct scope *s, const char *tmpl,
		  struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT;
	const char *p = tmpl;
	int rc = 0;

	while (*p) {
		const char *close;
		const char *val = NULL;
		size_t klen;

		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			if (tlc_buf_putc(out, p[0]) < 0)
				goto nomem;
			p += 2;
			continue;
		}
		if (*p != '{') {
			if (tlc_buf_putc(out, *p++) < 0)
				goto nomem;
			continue;
		}
		if (!(close = strchr(p, '}'))) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "unclosed '{' in '%s'", tmpl);
			goto out;
		}
		klen = (size_t)(close - p - 1);
#define IS(k) (klen == sizeof(k) - 1 && !memcmp(p + 1, k, klen))
		if (IS("version")) {
			val = c->version;
		} else if (IS("name")) {
			val = s->name;
		} else if (IS("variant")) {
			val = s->variant ? s->variant->name : NULL;
		} else if (IS("channel")) {
			val = c->channel;
		} else if (IS("project")) {
			val = c->r->root;
		} else if (IS("python")) {
			val = s->python ? s->python->exe : NULL;
		} else if (IS("python-tag")) {
			val = s->python ? s->python->tag : NULL;
		} else if (IS("build") || (klen > 6 && !memcmp(p + 1, "build:", 6))) {
			const struct tlc_recipe_cmake *cm =
				IS("build") ? (c->r->ncmake ? &c->r->cmake[0] :
							      NULL) :
					      find_cmake(c->r, p + 7, klen - 6);

			if (cm && s->variant &&
			    (!cm->per_python || s->python)) {
				if (cmake_build_dir(&tmp, c, s->variant, cm,
						    s->python) < 0)
					goto nomem;
				val = tmp.ptr;
			}
		}
#undef IS
		if (!val) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "placeholder '%.*s' has no value "
					   "in '%s'", (int)klen + 2, p, tmpl);
			goto out;
		}
		if (tlc_buf_puts(out, val) < 0)
			goto nomem;
		p = close + 1;
	}
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&tmp);
	return rc;
}

/* Run a tool and capture its trimmed stdout; a non-zero exit is an error. */
static int capture(struct tlc_buf *out, const char *const *argv,
		   const char *cwd, size_t max, struct tlc_error *err)
{
	struct tlc__proc p = { argv, cwd, NULL, NULL, out };
	int status, rc;

	out->max = max;
	if ((rc = tlc__proc_run(&p, &status, err)) < 0)
		return rc;
	if (status != 0)
		return tlc_error_set(err, TLC_ERROR, "'%s %s' failed with "
				     "exit status %d", argv[0], argv[1], status);
	while (out->len && (out->ptr[out->len - 1] == '\n' ||
			    out->ptr[out->len - 1] == '\r' ||
			    out->ptr[out->len - 1] == ' '))
		tlc_buf_truncate(out, out->len - 1);
	return 0;
}

/* Derive a dev version from git: @base is the last release's version. */
static int git_dev_version(struct tlc_buf *out, const char *root,
			   const char *base, const char *count_from,
			   bool local, struct tlc_error *err)
{
	struct tlc_buf count = TLC_BUF_INIT, hash = TLC_BUF_INIT;
	struct tlc_buf range = TLC_BUF_INIT;
	unsigned long n;
	char *end;
	int rc;

	if (count_from) {
		if (tlc_buf_printf(&range, "%s..HEAD", count_from) < 0) {
			rc = oom(err);
			goto out;
		}
	} else if (tlc_buf_puts(&range, "HEAD") < 0) {
		rc = oom(err);
		goto out;
	}
	{
		const char *argv[] = { "git", "rev-list", "--count", range.ptr,
				       NULL };
		if ((rc = capture(&count, argv, root, GIT_OUTPUT_MAX, err)) < 0)
			goto git_failed;
	}
	{
		const char *argv[] = { "git", "rev-parse", "--short=8", "HEAD",
				       NULL };
		if ((rc = capture(&hash, argv, root, GIT_OUTPUT_MAX, err)) < 0)
			goto git_failed;
	}
	errno = 0;
	n = strtoul(count.ptr, &end, 10);
	if (errno || *end || end == count.ptr) {
		rc = tlc_error_set(err, TLC_ERROR,
				   "unexpected output from git rev-list: '%s'",
				   count.ptr);
		goto out;
	}
	rc = tlc_pep440_dev_version(out, base, n, hash.ptr, local, err);
	goto out;
git_failed:
	tlc_error_prefix(err, "cannot derive a dev version in '%s'", root);
out:
	tlc_buf_release(&count);
	tlc_buf_release(&hash);
	tlc_buf_release(&range);
	return rc;
}

int tlc_build_version(struct tlc_buf *out, const struct tlc_recipe *r,
		      const char *channel, bool no_local_version,
		      struct tlc_error *err)
{
	const struct tlc_recipe_channel *ch = NULL;
	struct tlc_buf desc = TLC_BUF_INIT;
	bool dev, local;
	int rc;

	if (channel && !(ch = tlc_recipe_channel(r, channel)))
		return tlc_error_set(err, TLC_ENOTFOUND,
				     "no channel '%s' in '%s'", channel,
				     r->path);
	dev = ch && ch->dev_version;
	local = !no_local_version && (!ch || ch->local_version);

	if (r->version_source == TLC_VERSION_LITERAL) {
		if (!dev)
			return tlc_pep440_normalize(out, r->version, err);
		return git_dev_version(out, r->root, r->version, NULL, local,
				       err);
	}

	/* { git-tag = GLOB }: git describe names the newest matching tag. */
	{
		const char *argv[] = { "git", "describe", "--tags", "--long",
				       "--abbrev=8", "--match", r->version,
				       NULL };
		const char *tag_end, *tag;
		size_t prefix;
		unsigned long n;
		char *dash;

		if ((rc = capture(&desc, argv, r->root, GIT_OUTPUT_MAX, err)) <
		    0) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "no git tag matching '%s' in '%s'",
					   r->version, r->root);
			goto out;
		}
		/* TAG-N-gHASH; the tag itself may contain dashes */
		if (!(dash = strrchr(desc.ptr, '-')) || dash == desc.ptr)
			goto bad;
		*dash = '\0';
		if (!(dash = strrchr(desc.ptr, '-')))
			goto bad;
		tag_end = dash;
		n = strtoul(dash + 1, NULL, 10);
		*dash = '\0';
		tag = desc.ptr;
		/* the glob's literal prefix ("v" of "v*") is not version */
		prefix = strcspn(r->version, "*?[");
		if (strncmp(tag, r->version, prefix) == 0)
			tag += prefix;
		(void)tag_end;
		if (!dev) {
			if (n != 0) {
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "HEAD is %lu commit%s past "
						   "tag '%s': a stable version "
						   "needs a tagged commit (build "
						   "a dev channel instead)", n,
						   n == 1 ? "" : "s", desc.ptr);
				goto out;
			}
			rc = tlc_pep440_normalize(out, tag, err);
			if (rc < 0)
				tlc_error_prefix(err, "tag '%s'", desc.ptr);
			goto out;
		}
		rc = git_dev_version(out, r->root, tag, desc.ptr, local, err);
		goto out;
	}
bad:
	rc = tlc_error_set(err, TLC_ERROR,
			   "unexpected output from git describe: '%s'",
			   desc.ptr);
out:
	tlc_buf_release(&desc);
	return rc;
}

/* SOURCE_DATE_EPOCH, else the time of the last commit, else 1980. */
static int64_t build_epoch(const char *root)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct tlc_buf out = TLC_BUF_INIT;
	int64_t t = 315532800;
	char *end;

	if (sde && *sde) {
		long long v = strtoll(sde, &end, 10);
		if (!*end && v >= 0)
			return v;
	}
	{
		const char *argv[] = { "git", "log", "-1", "--format=%ct",
				       NULL };
		struct tlc_error ignored = TLC_ERROR_INIT;

		if (capture(&out, argv, root, GIT_OUTPUT_MAX, &ignored) == 0) {
			long long v = strtoll(out.ptr, &end, 10);
			if (!*end && v > 0)
				t = v;
		}
	}
	tlc_buf_release(&out);
	return t;
}

static int probe_python(struct python *py, const char *listed,
			struct tlc_error *err)
{
	struct tlc_buf exe = TLC_BUF_INIT, out = TLC_BUF_INIT;
	char *lines[5] = { 0 };
	char *p;
	int rc;

	if ((rc = tlc__proc_which(&exe, listed, err)) < 0)
		goto out;
	{
		const char *argv[] = { exe.ptr, "-c", python_probe, NULL };
		if ((rc = capture(&out, argv, NULL, PROBE_OUTPUT_MAX, err)) <
		    0) {
			tlc_error_prefix(err, "cannot run python '%s'", listed);
			goto out;
		}
	}
	p = out.ptr;
	for (int i = 0; i < 5; i++) {
		lines[i] = p;
		p = strchr(p, '\n');
		if (!p && i < 4) {
			rc = tlc_error_set(err, TLC_ERROR,
					   "python '%s' answered the probe "
					   "with %d lines", listed, i + 1);
			goto out;
		}
		if (p)
			*p++ = '\0';
	}
	if (strcmp(lines[0], "cpython")) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "python '%s' is %s: only CPython is "
				   "supported", listed, lines[0]);
		goto out;
	}
	py->listed = strdup(listed);
	py->exe = strdup(lines[4]);
	if (tlc_buf_sets(&exe, "") < 0 ||
	    tlc_buf_printf(&exe, "cp%s", lines[1]) < 0)
		goto nomem;
	py->tag = tlc_buf_detach(&exe, NULL);
	for (p = lines[2]; *p; p++)
		if (*p == '-' || *p == '.')
			*p = '_';
	py->platform = strdup(lines[2]);
	if (!py->listed || !py->exe || !py->tag || !py->platform)
		goto nomem;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&exe);
	tlc_buf_release(&out);
	return rc;
}

static int add_skip(struct tlc_build_result *res, const char *python,
		    const char *reason)
{
	struct tlc_build_skip *s;

	s = realloc(res->skipped, (res->nskipped + 1) * sizeof(*s));
	if (!s)
		return TLC_ENOMEM;
	res->skipped = s;
	s = &s[res->nskipped];
	s->python = strdup(python);
	s->reason = strdup(reason);
	if (!s->python || !s->reason) {
		free(s->python);
		free(s->reason);
		return TLC_ENOMEM;
	}
	res->nskipped++;
	return 0;
}

static int find_pythons(struct ctx *c, struct tlc_error *err)
{
	const char *const *list = c->o->pythons ? c->o->pythons :
						  c->r->pythons.v;
	size_t n = 0;
	int rc;

	while (list[n])
		n++;
	if (!(c->py = calloc(n ? n : 1, sizeof(*c->py))))
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		struct tlc_error perr = TLC_ERROR_INIT;
		struct python py = { 0 };
		bool dup = false;

		rc = probe_python(&py, list[i], &perr);
		if (rc == TLC_ENOMEM) {
			python_release(&py);
			return tlc_error_set(err, rc, "%s", perr.msg);
		}
		if (rc < 0) {
			python_release(&py);
			if (!c->o->skip_missing_python)
				return tlc_error_set(err, rc, "%s (pass "
						     "--skip-missing-python "
						     "to build without it)",
						     perr.msg);
			if (add_skip(c->res, list[i], perr.msg) < 0)
				return oom(err);
			continue;
		}
		for (size_t j = 0; j < c->npy; j++)
			dup |= !strcmp(c->py[j].tag, py.tag);
		if (dup) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "python '%s' is %s, like another "
					   "listed interpreter", list[i],
					   py.tag);
			python_release(&py);
			return rc;
		}
		c->py[c->npy++] = py;
	}
	return 0;
}

/* "K=V" strings for the environment of a variant's steps. */
static int make_env(struct tlc_buf *store, const char ***out,
		    const struct ctx *c, const struct scope *s,
		    struct tlc_error *err)
{
	const struct tlc_recipe_kv *kvs[] = { &c->r->env, &s->variant->env };
	size_t n = c->r->env.n + s->variant->env.n, k = 0;
	size_t *offs;
	const char **env;
	int rc = 0;

	tlc_buf_reset(store);
	if (!(offs = calloc(n + 1, sizeof(*offs))))
		return oom(err);
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < kvs[t]->n; i++) {
			offs[k++] = store->len;
			if (tlc_buf_printf(store, "%s=", kvs[t]->keys[i]) < 0) {
				rc = oom(err);
				goto out;
			}
			if ((rc = expand(store, c, s, kvs[t]->values[i], err)) <
			    0) {
				tlc_error_prefix(err, "env '%s'",
						 kvs[t]->keys[i]);
				goto out;
			}
			if (tlc_buf_putc(store, '\0') < 0) {
				rc = oom(err);
				goto out;
			}
		}
	}
	if (!(env = calloc(n + 1, sizeof(*env)))) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		env[i] = store->ptr + offs[i];
	*out = env;
out:
	free(offs);
	return rc;
}

static int set_failed_log(struct ctx *c, const char *log)
{
	free(c->res->failed_log);
	c->res->failed_log = strdup(log);
	return c->res->failed_log ? 0 : TLC_ENOMEM;
}

/* Run one build step, its output to @log; a non-zero exit is an error. */
static int run_step(struct ctx *c, const char *step, const char *item,
		    const char *const *argv, const char *const *env,
		    const char *log, struct tlc_error *err)
{
	struct tlc__proc p = { argv, c->r->root, env, log, NULL };
	int status, rc;

	progress(c, step, item, 0);
	if ((rc = tlc__proc_run(&p, &status, err)) < 0)
		return rc;
	if (status != 0) {
		if (set_failed_log(c, log) < 0)
			return oom(err);
		return tlc_error_set(err, TLC_ERROR,
				     "%s of '%s' failed with exit status %d; "
				     "log: %s", step, item, status, log);
	}
	progress(c, step, item, 1);
	return 0;
}

/* Merge "-DK=V" for a project: build.defines < cmake.defines <
 * variant.defines, later ones overriding. */
static int cmake_defines(struct tlc_buf *store, size_t **offs, size_t *n,
			 const struct ctx *c, const struct scope *s,
			 const struct tlc_recipe_cmake *cm,
			 struct tlc_error *err)
{
	const struct tlc_recipe_kv *kvs[] = { &c->r->defines, &cm->defines,
					      &s->variant->defines };
	size_t cap = c->r->defines.n + cm->defines.n + s->variant->defines.n;
	int rc = 0;

	*n = 0;
	if (!(*offs = calloc(cap + 1, sizeof(**offs))))
		return oom(err);
	for (size_t t = 0; t < 3; t++) {
		for (size_t i = 0; i < kvs[t]->n; i++) {
			const char *key = kvs[t]->keys[i];
			bool overridden = false;

			/* a later table sets the same key: skip this one */
			for (size_t u = t + 1; u < 3 && !overridden; u++)
				for (size_t j = 0; j < kvs[u]->n; j++)
					if (!strcmp(kvs[u]->keys[j], key))
						overridden = true;
			if (overridden)
				continue;
			(*offs)[(*n)++] = store->len;
			if (tlc_buf_printf(store, "-D%s=", key) < 0)
				return oom(err);
			if ((rc = expand(store, c, s, kvs[t]->values[i], err)) <
			    0)
				return tlc_error_prefix(err, "define '%s'",
							key);
			if (tlc_buf_putc(store, '\0') < 0)
				return oom(err);
		}
	}
	return rc;
}

/* Configure, build and (if asked) install one CMake project. */
static int build_cmake(struct ctx *c, const struct scope *s,
		       const struct tlc_recipe_cmake *cm, const char *stage,
		       const char *const *env, struct tlc_error *err)
{
	struct tlc_buf bdir = TLC_BUF_INIT, src = TLC_BUF_INIT;
	struct tlc_buf defs = TLC_BUF_INIT, item = TLC_BUF_INIT;
	struct tlc_buf log = TLC_BUF_INIT, bt = TLC_BUF_INIT;
	struct tlc_buf jobs = TLC_BUF_INIT, prefix = TLC_BUF_INIT;
	const char **argv = NULL;
	size_t *offs = NULL, ndefs = 0, a = 0;
	int rc;

	if (cmake_build_dir(&bdir, c, s->variant, cm, s->python) < 0 ||
	    tlc__fs_join(&src, c->r->root, cm->source) < 0 ||
	    tlc_buf_printf(&item, "%s/%s%s%s", s->variant->name, cm->name,
			   s->python && cm->per_python ? "/" : "",
			   s->python && cm->per_python ? s->python->tag : "") <
		    0 ||
	    tlc_buf_printf(&bt, "-DCMAKE_BUILD_TYPE=%s", cm->build_type) < 0 ||
	    tlc_buf_printf(&jobs, "%u", c->jobs) < 0)
		goto nomem;
	if ((rc = tlc__fs_mkdir_p(bdir.ptr, 0755, err)) < 0)
		goto out;
	if ((rc = cmake_defines(&defs, &offs, &ndefs, c, s, cm, err)) < 0)
		goto out;
	if (!(argv = calloc(ndefs + cm->targets.n * 2 + 16, sizeof(*argv))))
		goto nomem;

	/* configure */
	argv[a++] = "cmake";
	argv[a++] = "-S";
	argv[a++] = src.ptr;
	argv[a++] = "-B";
	argv[a++] = bdir.ptr;
	argv[a++] = bt.ptr;
	for (size_t i = 0; i < ndefs; i++)
		argv[a++] = defs.ptr + offs[i];
	argv[a] = NULL;
	if (tlc_buf_printf(&log, "%s/logs/%s-configure.log", c->build_dir,
			   item.ptr) < 0)
		goto nomem;
	for (char *p = log.ptr + strlen(c->build_dir) + 6; *p; p++)
		if (*p == '/')
			*p = '-';
	unlink(log.ptr);
	if ((rc = run_step(c, "configure", item.ptr, argv, env, log.ptr,
			   err)) < 0)
		goto out;

	/* build */
	a = 0;
	argv[a++] = "cmake";
	argv[a++] = "--build";
	argv[a++] = bdir.ptr;
	argv[a++] = "--parallel";
	argv[a++] = jobs.ptr;
	for (size_t i = 0; i < cm->targets.n; i++) {
		argv[a++] = "--target";
		argv[a++] = cm->targets.v[i];
	}
	argv[a] = NULL;
	tlc_buf_truncate(&log, log.len - strlen("configure.log"));
	if (tlc_buf_puts(&log, "build.log") < 0)
		goto nomem;
	unlink(log.ptr);
	if ((rc = run_step(c, "build", item.ptr, argv, env, log.ptr, err)) < 0)
		goto out;

	if (!cm->install_dir)
		goto out;
	if (tlc__fs_join(&prefix, stage, cm->install_dir) < 0)
		goto nomem;
	a = 0;
	argv[a++] = "cmake";
	argv[a++] = "--install";
	argv[a++] = bdir.ptr;
	argv[a++] = "--prefix";
	argv[a++] = prefix.ptr;
	argv[a] = NULL;
	tlc_buf_truncate(&log, log.len - strlen("build.log"));
	if (tlc_buf_puts(&log, "install.log") < 0)
		goto nomem;
	unlink(log.ptr);
	rc = run_step(c, "install", item.ptr, argv, env, log.ptr, err);
	goto out;
nomem:
	rc = oom(err);
out:
	free(argv);
	free(offs);
	tlc_buf_release(&bdir);
	tlc_buf_release(&src);
	tlc_buf_release(&defs);
	tlc_buf_release(&item);
	tlc_buf_release(&log);
	tlc_buf_release(&bt);
	tlc_buf_release(&jobs);
	tlc_buf_release(&prefix);
	return rc;
}

/*
 * Walking staged trees.  @fn gets each regular file (symlinks followed)
 * with its path relative to the walk's root.  Python caches are left out.
 */
typedef int (*walk_fn)(const char *path, const char *rel, void *data,
		       struct tlc_error *err);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct tlc_buf *path, struct tlc_buf *rel, walk_fn fn,
		void *data, unsigned depth, struct tlc_error *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0, plen = path->len, rlen = rel->len;
	DIR *d;
	int rc = 0;

	if (depth > 64)
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is nested too deeply", path->ptr);
	if (!(d = opendir(path->ptr)))
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'",
				       path->ptr);
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "__pycache__") ||
		    !strcmp(e->d_name, ".git"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) *
							   sizeof(*names));
			if (!nn) {
				rc = oom(err);
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = oom(err);
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *nm = names[i];
		size_t l = strlen(nm);
		struct stat st;

		if (l > 4 && (!strcmp(nm + l - 4, ".pyc") ||
			      !strcmp(nm + l - 4, ".pyo")))
			continue;
		if (tlc_buf_putc(path, '/') < 0 || tlc_buf_puts(path, nm) < 0 ||
		    (rel->len && tlc_buf_putc(rel, '/') < 0) ||
		    tlc_buf_puts(rel, nm) < 0) {
			rc = oom(err);
			break;
		}
		if (stat(path->ptr, &st) < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'",
					     path->ptr);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(path, rel, fn, data, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			rc = fn(path->ptr, rel->ptr, data, err);
		} else {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "'%s' is not a regular file",
					   path->ptr);
		}
		tlc_buf_truncate(path, plen);
		tlc_buf_truncate(rel, rlen);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int walk_tree(const char *dir, const char *prefix, walk_fn fn,
		     void *data, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, rel = TLC_BUF_INIT;
	int rc;

	if (tlc_buf_puts(&path, dir) < 0 || tlc_buf_puts(&rel, prefix) < 0)
		rc = oom(err);
	else
		rc = walk(&path, &rel, fn, data, 0, err);
	tlc_buf_release(&path);
	tlc_buf_release(&rel);
	return rc;
}

/* CPython extension modules found in a staging tree (PEP 3149 names). */
struct ext_scan {
	const char *want;	/* ".cpython-311-" */
	char *abi3;		/* first abi3 module */
	char *other;		/* first module for another interpreter */
	size_t nmatch;
};

static int scan_ext(const char *path, const char *rel, void *data,
		    struct tlc_error *err)
{
	struct ext_scan *s = data;
	const char *base = strrchr(rel, '/');
	size_t l = strlen(rel);

	base = base ? base + 1 : rel;
	if (l < 3 || strcmp(rel + l - 3, ".so"))
		return 0;
	if (strstr(base, ".abi3.")) {
		if (!s->abi3 && !(s->abi3 = strdup(rel)))
			return oom(err);
	} else if (strstr(base, ".cpython-")) {
		if (s->want && strstr(base, s->want))
			s->nmatch++;
		else if (!s->other && !(s->other = strdup(rel)))
			return oom(err);
	}
	return 0;
}

static int add_member(const char *path, const char *rel, void *data,
		      struct tlc_error *err)
{
	return tlc_wheel_add_file(data, rel, path, err);
}

static const char *content_type(const char *file)
{
	const char *dot = file ? strrchr(file, '.') : NULL;

	if (!dot)
		return "text/plain";
	if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
		return "text/markdown";
	if (!strcasecmp(dot, ".rst"))
		return "text/x-rst";
	return "text/plain";
}

static int make_metadata(struct tlc_buf *out, const struct ctx *c,
			 const char *name, const struct tlc_recipe_variant *v,
			 const char *const *license_names,
			 struct tlc_error *err)
{
	const struct tlc_recipe *r = c->r;
	const char **deps = NULL;
	struct tlc_metadata m = { 0 };
	struct tlc_buf desc = TLC_BUF_INIT, readme = TLC_BUF_INIT;
	struct tlc_buf urls = TLC_BUF_INIT, path = TLC_BUF_INIT;
	const char **url_list = NULL;
	size_t *offs = NULL;
	int rc = 0;

	if (r->disclaimer && (tlc_buf_puts(&desc, r->disclaimer) < 0 ||
			      tlc_buf_puts(&desc, "\n") < 0))
		goto nomem;
	if (r->description_file) {
		readme.max = README_MAX;
		if (tlc__fs_join(&path, r->root, r->description_file) < 0)
			goto nomem;
		if ((rc = tlc_buf_read_file(&readme, path.ptr, err)) < 0)
			goto out;
		if ((desc.len && tlc_buf_puts(&desc, "\n") < 0) ||
		    tlc_buf_put(&desc, readme.ptr, readme.len) < 0)
			goto nomem;
	}
	if (!(offs = calloc(r->urls.n + 1, sizeof(*offs))) ||
	    !(url_list = calloc(r->urls.n + 1, sizeof(*url_list))))
		goto nomem;
	for (size_t i = 0; i < r->urls.n; i++) {
		offs[i] = urls.len;
		if (tlc_buf_printf(&urls, "%s, %s", r->urls.keys[i],
				   r->urls.values[i]) < 0 ||
		    tlc_buf_putc(&urls, '\0') < 0)
			goto nomem;
	}
	for (size_t i = 0; i < r->urls.n; i++)
		url_list[i] = urls.ptr + offs[i];

	m.name = name;
	m.version = c->version;
	m.summary = r->summary;
	m.description = desc.len ? desc.ptr : NULL;
	m.description_content_type =
		r->description_content_type ? r->description_content_type :
		r->description_file ? content_type(r->description_file) :
				      "text/plain";
	m.license = r->license;
	m.requires_python = r->requires_python;
	m.author = r->author;
	m.author_email = r->author_email;
	/* the package's requirements, then the variant's */
	if (!(deps = calloc(r->dependencies.n + v->dependencies.n + 1,
			    sizeof(*deps))))
		goto nomem;
	memcpy(deps, r->dependencies.v, r->dependencies.n * sizeof(*deps));
	memcpy(deps + r->dependencies.n, v->dependencies.v,
	       v->dependencies.n * sizeof(*deps));
	m.requires_dist = deps;
	m.project_urls = url_list;
	m.classifiers = r->classifiers.v;
	m.license_files = license_names;
	rc = tlc_metadata_format(out, &m, err);
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&desc);
	tlc_buf_release(&readme);
	tlc_buf_release(&urls);
	tlc_buf_release(&path);
	free(offs);
	free(url_list);
	free(deps);
	return rc;
}

/* Licence files: globs relative to the project, each must match. */
static int add_licenses(struct tlc_wheel_writer *w, const struct ctx *c,
			char ***names_out, struct tlc_error *err)
{
	struct tlc_buf pat = TLC_BUF_INIT;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	*names_out = NULL;
	for (size_t i = 0; i < c->r->license_files.n; i++) {
		glob_t g;
		int grc;

		if (tlc__fs_join(&pat, c->r->root, c->r->license_files.v[i]) <
		    0)
			goto nomem;
		grc = glob(pat.ptr, GLOB_ERR, NULL, &g);
		if (grc == GLOB_NOMATCH) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "license file '%s' matches nothing "
					   "in '%s'", c->r->license_files.v[i],
					   c->r->root);
			goto out;
		}
		if (grc != 0) {
			rc = tlc_error_set(err, TLC_EIO, "cannot expand '%s'",
					   pat.ptr);
			goto out;
		}
		for (size_t j = 0; j < g.gl_pathc && rc == 0; j++) {
			/* kept at its path relative to the project, as the
			 * binary distribution format spec (PEP 639) says */
			const char *base = g.gl_pathv[j] + strlen(c->r->root) + 1;
			char **nn = realloc(names, (n + 2) * sizeof(*names));

			if (!nn) {
				globfree(&g);
				goto nomem;
			}
			names = nn;
			names[n] = strdup(base);
			names[n + 1] = NULL;
			if (!names[n]) {
				globfree(&g);
				goto nomem;
			}
			n++;
			rc = tlc_wheel_add_license(w, base, g.gl_pathv[j], err);
		}
		globfree(&g);
		if (rc < 0)
			goto out;
	}
	*names_out = names;
	names = NULL;
	goto out;
nomem:
	rc = oom(err);
out:
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	tlc_buf_release(&pat);
	return rc;
}

/* [[build.files]]: glob -> wheel path; each mapping must match. */
static int add_files(struct tlc_wheel_writer *w, const struct ctx *c,
		     const struct scope *s, struct tlc_error *err)
{
	struct tlc_buf from = TLC_BUF_INIT, abs = TLC_BUF_INIT;
	struct tlc_buf dst = TLC_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < c->r->nfiles && rc == 0; i++) {
		const struct tlc_recipe_file *f = &c->r->files[i];
		size_t tlen = strlen(f->to);
		bool to_dir = tlen && f->to[tlen - 1] == '/';
		glob_t g;
		int grc;

		tlc_buf_reset(&from);
		if ((rc = expand(&from, c, s, f->from, err)) < 0)
			break;
		if (from.ptr[0] == '/') {
			if (tlc_buf_sets(&abs, from.ptr) < 0)
				goto nomem;
		} else if (tlc__fs_join(&abs, c->r->root, from.ptr) < 0) {
			goto nomem;
		}
		grc = glob(abs.ptr, GLOB_ERR, NULL, &g);
		if (grc == GLOB_NOMATCH) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "build.files 'from' pattern '%s' "
					   "matches nothing", f->from);
			break;
		}
		if (grc != 0) {
			rc = tlc_error_set(err, TLC_EIO, "cannot expand '%s'",
					   abs.ptr);
			break;
		}
		if (!to_dir && g.gl_pathc != 1) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "build.files pattern '%s' matches "
					   "%zu files but 'to' is a file name "
					   "(end it with '/' for a directory)",
					   f->from, g.gl_pathc);
			globfree(&g);
			break;
		}
		for (size_t j = 0; j < g.gl_pathc && rc == 0; j++) {
			const char *base = strrchr(g.gl_pathv[j], '/') + 1;

			tlc_buf_reset(&dst);
			if (tlc_buf_puts(&dst, f->to) < 0 ||
			    (to_dir && tlc_buf_puts(&dst, base) < 0)) {
				globfree(&g);
				goto nomem;
			}
			if (tlc__fs_is_dir(g.gl_pathv[j]))
				rc = walk_tree(g.gl_pathv[j], dst.ptr,
					       add_member, w, err);
			else
				rc = tlc_wheel_add_file(w, dst.ptr,
							g.gl_pathv[j], err);
		}
		globfree(&g);
	}
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&from);
	tlc_buf_release(&abs);
	tlc_buf_release(&dst);
	return rc;
}

static int add_result(struct ctx *c, const struct scope *s,
		      const char *path, const char *tag, const char *policy,
		      uint64_t size)
{
	struct tlc_build_result *res = c->res;
	struct tlc_build_wheel *w;

	w = realloc(res->wheels, (res->nwheels + 1) * sizeof(*w));
	if (!w)
		return TLC_ENOMEM;
	res->wheels = w;
	w = &w[res->nwheels];
	memset(w, 0, sizeof(*w));
	res->nwheels++;
	w->path = strdup(path);
	w->name = strdup(s->name);
	w->version = strdup(c->version);
	w->variant = strdup(s->variant->name);
	w->tag = strdup(tag);
	w->python = s->python ? strdup(s->python->exe) : NULL;
	w->policy = policy ? strdup(policy) : NULL;
	w->size = size;
	if (!w->path || !w->name || !w->version || !w->variant || !w->tag ||
	    (s->python && !w->python) || (policy && !w->policy))
		return TLC_ENOMEM;
	return 0;
}

static const char *machine_platform(struct tlc_buf *out)
{
	struct utsname u;

	if (uname(&u) < 0 || tlc_buf_printf(out, "linux_%s", u.machine) < 0)
		return NULL;
	for (char *p = out->ptr; *p; p++)
		if (*p == '-' || *p == '.')
			*p = '_';
	return out->ptr;
}

/* Does this build repair its wheels? */
static bool repairing(const struct ctx *c)
{
	return c->r->repair && !c->o->no_repair;
}

/*
 * Repair the wheel at @path (in the variant's staging directory) into the
 * output directory, as the variant says: its policy, its exclusions and
 * the libraries its dependencies provide.  The unrepaired wheel is
 * removed; @path and @tag become the repaired wheel's.
 */
static int repair(struct ctx *c, const struct scope *s, struct tlc_buf *path,
		  struct tlc_buf *tag, const char **policy,
		  struct tlc_error *err)
{
	const struct tlc_recipe_variant *v = s->variant;
	struct tlc_repair_opts ro = TLC_REPAIR_OPTS_INIT;
	struct tlc_repair_provided *pv = NULL;
	struct tlc_repair_result res;
	struct tlc_wheel_filename fn;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < v->nprovided; i++)
		n += v->provided[i].libs.n;
	if (n && !(pv = calloc(n, sizeof(*pv))))
		return oom(err);
	n = 0;
	for (size_t i = 0; i < v->nprovided; i++)
		for (size_t k = 0; k < v->provided[i].libs.n; k++) {
			pv[n].pattern = v->provided[i].libs.v[k];
			pv[n++].dir = v->provided[i].dir;
		}
	ro.policy = v->policy;
	ro.exclude = v->exclude_libs.v;
	ro.provided = pv;
	ro.nprovided = n;
	ro.lib_path = c->o->lib_path;
	ro.outdir = c->out_dir;
	ro.pure_ok = true;
	ro.epoch = c->epoch;
	ro.level = c->o->level;
	ro.progress = c->o->progress;
	ro.progress_data = c->o->progress_data;
	rc = tlc_repair_wheel(path->ptr, &ro, &res, err);
	free(pv);
	if (rc < 0)
		return rc;
	unlink(path->ptr);
	*policy = res.policy;
	tlc_buf_reset(path);
	tlc_buf_reset(tag);
	if (tlc_buf_puts(path, res.path.ptr) < 0 ||
	    (rc = tlc_wheel_filename_parse(&fn, strrchr(res.path.ptr, '/') ?
					   strrchr(res.path.ptr, '/') + 1 :
					   res.path.ptr, err)) < 0 ||
	    tlc_buf_printf(tag, "%s-%s-%s", fn.python, fn.abi,
			   fn.platform) < 0)
		rc = rc < 0 ? rc : oom(err);
	tlc_repair_result_release(&res);
	return rc;
}

/*
 * Assemble one wheel from the staging trees: the Python packages, the
 * common stage, the interpreter's stage, the file mappings, the
 * generated files, the licences.
 */
static int pack_wheel(struct ctx *c, const struct scope *s,
		      const char *common_stage, const char *py_stage,
		      struct tlc_error *err)
{
	struct tlc_wheel_opts wo = TLC_WHEEL_OPTS_INIT;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_buf path = TLC_BUF_INIT, abi = TLC_BUF_INIT;
	struct tlc_buf plat = TLC_BUF_INIT, tag = TLC_BUF_INIT;
	struct tlc_buf md = TLC_BUF_INIT, content = TLC_BUF_INIT;
	struct tlc_buf gen = TLC_BUF_INIT, out = TLC_BUF_INIT;
	struct ext_scan scan = { 0 };
	char **license_names = NULL;
	const char *policy = NULL;
	struct stat st;
	int rc = 0;

	/* Tags: a wheel with extension modules is for one interpreter. */
	if (s->python) {
		if (tlc_buf_printf(&abi, ".cpython-%s-", s->python->tag + 2) <
		    0)
			goto nomem;
		scan.want = abi.ptr;
		if ((rc = walk_tree(py_stage, "", scan_ext, &scan, err)) < 0)
			goto out;
	}
	if (!scan.other)
		rc = walk_tree(common_stage, "", scan_ext, &scan, err);
	if (rc < 0)
		goto out;
	if (scan.other) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "extension module '%s' does not match "
				   "interpreter %s%s", scan.other,
				   s->python ? s->python->tag :
					       "(none: no per-python CMake "
					       "project)",
				   s->python ? "" : "");
		goto out;
	}
	if (s->python) {
		wo.python_tag = s->python->tag;
		wo.abi_tag = scan.nmatch ? s->python->tag :
			     scan.abi3 ? "abi3" : "none";
		wo.platform_tag = s->python->platform;
	} else {
		wo.python_tag = "py3";
		wo.abi_tag = scan.abi3 ? "abi3" : "none";
		if (scan.abi3)
			wo.python_tag = "cp32";
		if (!(wo.platform_tag = machine_platform(&plat)))
			goto nomem;
	}
	if (tlc_buf_printf(&tag, "%s-%s-%s", wo.python_tag, wo.abi_tag,
			   wo.platform_tag) < 0)
		goto nomem;

	wo.name = s->name;
	wo.version = c->version;
	wo.purelib = false;
	wo.generator = "tlcpack " TLC_VERSION;
	wo.outdir = c->out_dir;
	if (repairing(c)) {
		/* the linux_* wheel waits beside the build for repair */
		if (tlc_buf_printf(&path, "%s/%s/wheel", c->build_dir,
				   s->variant->name) < 0)
			goto nomem;
		if ((rc = tlc__fs_mkdir_p(path.ptr, 0755, err)) < 0)
			goto out;
		wo.outdir = path.ptr;
	}
	wo.epoch = c->epoch;
	wo.level = c->o->level;
	wo.progress = c->o->progress;
	wo.progress_data = c->o->progress_data;
	if ((rc = tlc_wheel_writer_new(&w, &wo, err)) < 0)
		goto out;

	for (size_t i = 0; i < c->r->packages.n; i++) {
		if (tlc__fs_join(&path, c->r->root, c->r->python_source) < 0 ||
		    tlc_buf_printf(&path, "/%s", c->r->packages.v[i]) < 0)
			goto nomem;
		if (!tlc__fs_is_dir(path.ptr)) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "package '%s' is not a directory "
					   "under '%s'", c->r->packages.v[i],
					   c->r->python_source);
			goto out;
		}
		if ((rc = walk_tree(path.ptr, c->r->packages.v[i], add_member,
				    w, err)) < 0)
			goto out;
	}
	if ((rc = walk_tree(common_stage, "", add_member, w, err)) < 0)
		goto out;
	if (py_stage && (rc = walk_tree(py_stage, "", add_member, w, err)) < 0)
		goto out;
	if ((rc = add_files(w, c, s, err)) < 0)
		goto out;
	for (size_t i = 0; i < c->r->ngenerate; i++) {
		tlc_buf_reset(&gen);
		if ((rc = expand(&gen, c, s, c->r->generate[i].content, err)) <
		    0)
			goto out;
		if ((rc = tlc_wheel_add_data(w, c->r->generate[i].path,
					     gen.ptr, gen.len, 0644, err)) < 0)
			goto out;
	}
	if ((rc = add_licenses(w, c, &license_names, err)) < 0)
		goto out;
	if ((rc = make_metadata(&md, c, s->name, s->variant,
				(const char *const *)license_names, err)) < 0)
		goto out;
	if ((rc = tlc_wheel_writer_finish(w, md.ptr, &out, err)) < 0)
		goto out;
	if (repairing(c) && (rc = repair(c, s, &out, &tag, &policy, err)) < 0)
		goto out;
	if (stat(out.ptr, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", out.ptr);
		goto out;
	}
	if (add_result(c, s, out.ptr, tag.ptr, policy,
		       (uint64_t)st.st_size) < 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_wheel_writer_free(w);
	for (size_t i = 0; license_names && license_names[i]; i++)
		free(license_names[i]);
	free(license_names);
	free(scan.abi3);
	free(scan.other);
	tlc_buf_release(&path);
	tlc_buf_release(&abi);
	tlc_buf_release(&plat);
	tlc_buf_release(&tag);
	tlc_buf_release(&md);
	tlc_buf_release(&content);
	tlc_buf_release(&gen);
	tlc_buf_release(&out);
	return rc;
}

static bool has_per_python(const struct tlc_recipe *r)
{
	for (size_t i = 0; i < r->ncmake; i++)
		if (r->cmake[i].per_python)
			return true;
	return false;
}

/* The plan of a dry run: the wheels a build would write. */
static int plan_wheel(struct ctx *c, const struct scope *s,
		      struct tlc_error *err)
{
	struct tlc_buf file = TLC_BUF_INIT, plat = TLC_BUF_INIT;
	struct tlc_buf tag = TLC_BUF_INIT, path = TLC_BUF_INIT;
	const char *py = s->python ? s->python->tag : "py3";
	const char *abi = s->python ? s->python->tag : "none";
	const char *pl = s->python ? s->python->platform :
				     machine_platform(&plat);
	const struct tlc_policy *pol = s->variant->policy ?
		tlc_policy_find(s->variant->policy, NULL) : NULL;
	char ptag[256];
	int rc;

	/* repair retags for the variant's policy, when it names one */
	if (pl && pol && repairing(c) && !strncmp(pl, "linux_", 6) &&
	    tlc_policy_platform_tag(pol, pl + 6, ptag, sizeof(ptag)) >= 0)
		pl = ptag;
	if (!pl || tlc_buf_printf(&tag, "%s-%s-%s", py, abi, pl) < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = tlc_wheel_filename_format(&file, s->name, c->version, NULL,
					    py, abi, pl, err)) < 0)
		goto out;
	if (tlc__fs_join(&path, c->out_dir, file.ptr) < 0 ||
	    add_result(c, s, path.ptr, tag.ptr, NULL, 0) < 0)
		rc = oom(err);
out:
	tlc_buf_release(&file);
	tlc_buf_release(&plat);
	tlc_buf_release(&tag);
	tlc_buf_release(&path);
	return rc;
}

static int build_variant(struct ctx *c, const struct tlc_recipe_variant *v,
			 struct tlc_error *err)
{
	struct scope s = { v, NULL, NULL };
	struct tlc_buf name = TLC_BUF_INIT, envstore = TLC_BUF_INIT;
	struct tlc_buf common = TLC_BUF_INIT, pystage = TLC_BUF_INIT;
	const char **env = NULL;
	bool per_python = has_per_python(c->r);
	int rc = 0;

	if (tlc_buf_printf(&name, "%s%s%s", c->r->name, c->name_suffix,
			   v->suffix) < 0)
		goto nomem;
	s.name = name.ptr;

	if (c->o->dry_run) {
		if (!per_python)
			rc = plan_wheel(c, &s, err);
		for (size_t i = 0; per_python && i < c->npy; i++) {
			s.python = &c->py[i];
			if ((rc = plan_wheel(c, &s, err)) < 0)
				break;
		}
		goto out;
	}

	if ((rc = make_env(&envstore, &env, c, &s, err)) < 0)
		goto out;
	if (tlc_buf_printf(&common, "%s/%s/stage/common", c->build_dir,
			   v->name) < 0)
		goto nomem;
	if ((rc = tlc__fs_remove_tree(common.ptr, err)) < 0 ||
	    (rc = tlc__fs_mkdir_p(common.ptr, 0755, err)) < 0)
		goto out;
	for (size_t i = 0; i < c->r->ncmake; i++) {
		if (c->r->cmake[i].per_python)
			continue;
		if ((rc = build_cmake(c, &s, &c->r->cmake[i], common.ptr, env,
				      err)) < 0)
			goto out;
	}
	if (!per_python) {
		rc = pack_wheel(c, &s, common.ptr, NULL, err);
		goto out;
	}
	for (size_t p = 0; p < c->npy; p++) {
		s.python = &c->py[p];
		free(env);
		env = NULL;
		if ((rc = make_env(&envstore, &env, c, &s, err)) < 0)
			goto out;
		tlc_buf_reset(&pystage);
		if (tlc_buf_printf(&pystage, "%s/%s/stage/%s", c->build_dir,
				   v->name, s.python->tag) < 0)
			goto nomem;
		if ((rc = tlc__fs_remove_tree(pystage.ptr, err)) < 0 ||
		    (rc = tlc__fs_mkdir_p(pystage.ptr, 0755, err)) < 0)
			goto out;
		for (size_t i = 0; i < c->r->ncmake; i++) {
			if (!c->r->cmake[i].per_python)
				continue;
			if ((rc = build_cmake(c, &s, &c->r->cmake[i],
					      pystage.ptr, env, err)) < 0)
				goto out;
		}
		if ((rc = pack_wheel(c, &s, common.ptr, pystage.ptr, err)) < 0)
			goto out;
	}
	goto out;
nomem:
	rc = oom(err);
out:
	free(env);
	tlc_buf_release(&name);
	tlc_buf_release(&envstore);
	tlc_buf_release(&common);
	tlc_buf_release(&pystage);
	return rc;
}

static int resolve_dir(char **out, const char *dir, const char *base,
		       bool create, struct tlc_error *err)
{
	struct tlc_buf b = TLC_BUF_INIT;
	int rc = 0;

	if (dir[0] == '/') {
		if (tlc_buf_puts(&b, dir) < 0)
			goto nomem;
	} else {
		char *cwd = base ? NULL : getcwd(NULL, 0);

		if (!base && !cwd)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot get the current "
					       "directory");
		rc = tlc__fs_join(&b, base ? base : cwd, dir);
		free(cwd);
		if (rc < 0)
			goto nomem;
	}
	if (create && (rc = tlc__fs_mkdir_p(b.ptr, 0755, err)) < 0)
		goto out;
	*out = tlc_buf_detach(&b, NULL);
	if (!*out)
		goto nomem;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&b);
	return rc;
}

int tlc_build(struct tlc_build_result *res, const struct tlc_recipe *r,
	      const struct tlc_build_opts *o, struct tlc_error *err)
{
	struct ctx c = { r, o, res, NULL, NULL, NULL, "", "", 0, 0, 0, NULL };
	const struct tlc_recipe_channel *ch = NULL;
	struct tlc_buf version = TLC_BUF_INIT, logs = TLC_BUF_INIT;
	int rc;

	memset(res, 0, sizeof(*res));

	/* Every variant asked for must exist before anything runs. */
	for (size_t i = 0; o->variants && o->variants[i]; i++)
		if (!tlc_recipe_variant(r, o->variants[i]))
			return tlc_error_set(err, TLC_ENOTFOUND,
					     "no variant '%s' in '%s'",
					     o->variants[i], r->path);
	if (o->channel) {
		if (!(ch = tlc_recipe_channel(r, o->channel)))
			return tlc_error_set(err, TLC_ENOTFOUND,
					     "no channel '%s' in '%s'",
					     o->channel, r->path);
		c.channel = ch->name;
		c.name_suffix = ch->name_suffix;
	}
	if ((rc = tlc_build_version(&version, r, o->channel,
				    o->no_local_version, err)) < 0)
		goto out;
	c.version = version.ptr;
	if (!(res->version = strdup(version.ptr)))
		goto nomem;
	if ((rc = find_pythons(&c, err)) < 0)
		goto out;
	if (has_per_python(r) && c.npy == 0) {
		rc = tlc_error_set(err, TLC_ENOTFOUND,
				   "no Python interpreter left to build the "
				   "per-python CMake projects with");
		goto out;
	}
	c.jobs = o->jobs ? o->jobs : r->jobs;
	if (!c.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		c.jobs = n > 0 ? (unsigned)n : 1;
	}
	c.epoch = build_epoch(r->root);
	if ((rc = resolve_dir(&c.out_dir, o->out_dir ? o->out_dir : "dist",
			      NULL, !o->dry_run, err)) < 0 ||
	    (rc = resolve_dir(&c.build_dir,
			      o->build_dir ? o->build_dir : "build-tlcpack",
			      o->build_dir ? NULL : r->root, false, err)) < 0)
		goto out;
	if (!o->dry_run) {
		if (tlc_buf_printf(&logs, "%s/logs", c.build_dir) < 0)
			goto nomem;
		if ((rc = tlc__fs_mkdir_p(logs.ptr, 0755, err)) < 0)
			goto out;
	}

	for (size_t i = 0; i < r->nvariants; i++) {
		const struct tlc_recipe_variant *v = &r->variants[i];
		bool want = !o->variants;

		for (size_t j = 0; o->variants && o->variants[j]; j++)
			want |= !strcmp(o->variants[j], v->name);
		if (!want)
			continue;
		if ((rc = build_variant(&c, v, err)) < 0) {
			if (rc != TLC_ERROR || !res->failed_log)
				tlc_error_prefix(err, "variant '%s'", v->name);
			goto out;
		}
	}
	rc = 0;
	goto out;
nomem:
	rc = oom(err);
out:
	for (size_t i = 0; i < c.npy; i++)
		python_release(&c.py[i]);
	free(c.py);
	free(c.out_dir);
	free(c.build_dir);
	tlc_buf_release(&version);
	tlc_buf_release(&logs);
	return rc;
}

void tlc_build_result_release(struct tlc_build_result *res)
{
	for (size_t i = 0; i < res->nwheels; i++) {
		struct tlc_build_wheel *w = &res->wheels[i];

		free(w->path);
		free(w->name);
		free(w->version);
		free(w->variant);
		free(w->tag);
		free(w->policy);
		free(w->python);
	}
	for (size_t i = 0; i < res->nskipped; i++) {
		free(res->skipped[i].python);
		free(res->skipped[i].reason);
	}
	free(res->wheels);
	free(res->skipped);
	free(res->version);
	free(res->failed_log);
	memset(res, 0, sizeof(*res));
}
