/*
 * Installing wheels into an image's tree (install.h).  The layout rules
 * are the binary distribution format spec's (PEP 427 "Details", PEP 491)
 * and pip's (pip/_internal/operations/install/wheel.py), which the spec
 * leaves to installers: where RECORD paths point, what a launcher says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>		/* strcasecmp */
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "proc.h"
#include "sha256.h"
#include "text.h"		/* tlc__b64url_put */
#include "tlcpack/buf.h"
#include "tlcpack/coremeta.h"
#include "tlcpack/install.h"
#include "tlcpack/repo.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"

#include "banned.h"

#define SCHEME_OUT_MAX ((size_t)64 << 10)	/* the interpreter's answer */
#define ENTRY_POINTS_MAX ((size_t)1 << 20)	/* entry_points.txt */
#define SCRIPT_MAX ((size_t)64 << 20)		/* a script, rewritten */
#define SYMLINK_HOPS 40

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

void tlc_install_scheme_release(struct tlc_install_scheme *s)
{
	char **f[] = { &s->purelib, &s->platlib, &s->scripts, &s->data,
		       &s->headers, &s->python, &s->version, &s->platform };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

/* ---- paths -------------------------------------------------------------- */

/* An absolute path with no empty, "." or ".." component and no control
 * character: what every scheme path must be, since a hostile base's
 * interpreter answers with them. */
static bool abs_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!strcmp(p, "/"))
		return true;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	for (const char *c = p + 1;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!e)
			return true;
		c = e + 1;
	}
}

/* @to relative to the directory @from, both absolute and normalized, as
 * os.path.relpath() gives it (pip's _fs_to_record_path). */
static int relpath(struct tlc_buf *out, const char *from, const char *to)
{
	size_t i = 0, last = 0;

	if (!strcmp(from, "/"))
		return tlc_buf_puts(out, to + 1);
	/* the longest common prefix ending at a component boundary */
	while (from[i] && from[i] == to[i]) {
		i++;
		if (from[i] == '/' || !from[i]) {
			if (to[i] == '/' || !to[i])
				last = i;
		}
	}
	if (from[last] == '/' || !from[last]) {
		for (const char *c = from + last; *c; c++)
			if (*c == '/' && tlc_buf_puts(out, "../") < 0)
				return TLC_ENOMEM;
	}
	return tlc_buf_puts(out, to[last] == '/' ? to + last + 1 : to + last);
}

/* ---- scheme detection --------------------------------------------------- */

static const char *const python_candidates[] = {
	"/usr/local/bin/python3", "/usr/bin/python3", "/bin/python3", NULL
};

/*
 * Resolve @path (absolute, in the image) inside @root, following symlinks
 * the way the image would, with @root as "/": the result, in @out, is the
 * path in the image.  TLC_ENOTFOUND when a component is missing.
 */
static int resolve_in_root(struct tlc_buf *out, const char *root,
			   const char *path, struct tlc_error *err)
{
	struct tlc_buf rest = TLC_BUF_INIT, host = TLC_BUF_INIT,
		       next = TLC_BUF_INIT;
	char link[4096];
	unsigned hops = 0;
	int rc = 0;

	tlc_buf_reset(out);
	if (tlc_buf_puts(&rest, path) < 0)
		goto nomem;
	while (rest.len) {
		char *p = rest.ptr, *slash;
		size_t n;
		struct stat st;
		ssize_t ln;

		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(out->ptr, '/');

			tlc_buf_truncate(out, s ? (size_t)(s - out->ptr) : 0);
		} else {
			size_t keep = out->len;

			if (tlc_buf_putc(out, '/') < 0 ||
			    tlc_buf_put(out, p, n) < 0 ||
			    tlc_buf_sets(&host, root) < 0 ||
			    tlc_buf_puts(&host, out->ptr) < 0)
				goto nomem;
			if (lstat(host.ptr, &st) < 0) {
				rc = tlc_error_errno(err, TLC_ENOTFOUND,
						     "cannot find '%s' in '%s'",
						     path, root);
				goto out;
			}
			if (S_ISLNK(st.st_mode)) {
				if (++hops > SYMLINK_HOPS) {
					rc = tlc_error_set(err, TLC_ENOTFOUND,
							   "too many symlinks "
							   "in '%s' in '%s'",
							   path, root);
					goto out;
				}
				ln = readlink(host.ptr, link, sizeof(link) - 1);
				if (ln <= 0) {
					rc = tlc_error_errno(err, TLC_ENOTFOUND,
							     "cannot read "
							     "symlink '%s'",
							     host.ptr);
					goto out;
				}
				link[ln] = '\0';
				tlc_buf_truncate(out, link[0] == '/' ? 0 :
						 keep);
				tlc_buf_reset(&next);
				if (tlc_buf_puts(&next, link) < 0 ||
				    tlc_buf_putc(&next, '/') < 0 ||
				    tlc_buf_puts(&next, p + n) < 0 ||
				    tlc_buf_sets(&rest, next.ptr) < 0)
					goto nomem;
				continue;
			}
		}
		if (!slash)
			break;
		memmove(rest.ptr, slash, strlen(slash) + 1);
		rest.len = strlen(rest.ptr);
	}
	if (!out->len && tlc_buf_putc(out, '/') < 0)
		goto nomem;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&rest);
	tlc_buf_release(&host);
	tlc_buf_release(&next);
	return rc;
}

/*
 * What the interpreter prints: NUL-terminated fields, in this order.  The
 * scheme is pip's for a system-wide install: sysconfig's preferred
 * "prefix" scheme on 3.10 and later (pip/_internal/locations/
 * _sysconfig.py, _infer_prefix()), distutils' install command before
 * (pip/_internal/locations/_distutils.py, which pip uses there).
 */
static const char scheme_script[] =
	"import os, sys, sysconfig\n"
	"f = getattr(sysconfig, 'get_preferred_scheme', None)\n"
	"if f:\n"
	"    n = f('prefix')\n"
	"else:\n"
	"    n = 'posix_prefix'\n"
	"    for c in (sys.implementation.name + '_' + os.name,\n"
	"              sys.implementation.name):\n"
	"        if c in sysconfig.get_scheme_names():\n"
	"            n = c\n"
	"            break\n"
	"p = sysconfig.get_paths(scheme=n)\n"
	"if sys.version_info < (3, 10):\n"
	"    try:\n"
	"        import warnings\n"
	"        warnings.simplefilter('ignore')\n"
	"        from distutils.dist import Distribution\n"
	"        from distutils.command.install import install\n"
	"        i = install(Distribution({'name': 'x'}))\n"
	"        i.finalize_options()\n"
	"        p = dict(purelib=i.install_purelib,\n"
	"                 platlib=i.install_platlib,\n"
	"                 scripts=i.install_scripts, data=i.install_data,\n"
	"                 include=os.path.dirname(i.install_headers))\n"
	"    except Exception:\n"
	"        pass\n"
	"v = [p['purelib'], p['platlib'], p['scripts'], p['data'],\n"
	"     p['include'], sys.executable, '%d.%d' % sys.version_info[:2],\n"
	"     sysconfig.get_platform()]\n"
	"sys.stdout.buffer.write(b''.join(os.fsencode(os.path.normpath(x)\n"
	"    if x.startswith('/') else x) + b'\\0' for x in v))\n";

static bool version_ok(const char *v)
{
	const char *dot = strchr(v, '.');

	if (!dot || dot == v || !dot[1] || strlen(v) > 9)
		return false;
	for (const char *c = v; *c; c++)
		if (c != dot && (*c < '0' || *c > '9'))
			return false;
	return true;
}

static bool platform_ok(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return false;
	return true;
}

static int parse_scheme(struct tlc_install_scheme *s, const struct tlc_buf *b,
			const char *py, struct tlc_error *err)
{
	static const char *const what[] = { "purelib", "platlib", "scripts",
					    "data", "include", "executable",
					    "version", "platform" };
	char **f[] = { &s->purelib, &s->platlib, &s->scripts, &s->data,
		       &s->headers, &s->python, &s->version, &s->platform };
	const char *p = b->ptr, *end = b->ptr + b->len;

	for (size_t i = 0; i < 8; i++) {
		const char *z = p < end ? memchr(p, '\0', (size_t)(end - p)) :
				NULL;
		bool ok;

		if (!z)
			return tlc_error_set(err, TLC_EPOLICY, "'%s' answered "
					     "no %s: not a scheme", py,
					     what[i]);
		if (i < 6)
			ok = abs_path_ok(p);
		else if (i == 6)
			ok = version_ok(p);
		else
			ok = platform_ok(p);
		if (!ok)
			return tlc_error_set(err, TLC_EPOLICY, "'%s' answered "
					     "a bad %s (not an absolute, "
					     "normalized path or a plain "
					     "word): '%.60s'", py, what[i], p);
		if (!(*f[i] = strdup(p)))
			return oom(err);
		p = z + 1;
	}
	if (p != end)
		return tlc_error_set(err, TLC_EPOLICY, "'%s' answered more "
				     "than a scheme", py);
	return 0;
}

/* *@dst = @a @v @b, all three strings */
static int set_str(char **dst, struct tlc_error *err, const char *a,
		   const char *v, const char *b)
{
	struct tlc_buf s = TLC_BUF_INIT;

	if (tlc_buf_puts(&s, a) < 0 || tlc_buf_puts(&s, v) < 0 ||
	    tlc_buf_puts(&s, b) < 0) {
		tlc_buf_release(&s);
		return oom(err);
	}
	*dst = tlc_buf_detach(&s, NULL);
	return *dst ? 0 : oom(err);
}

static bool dir_in_root(const char *root, const char *a, const char *v)
{
	char p[8192];

	snprintf(p, sizeof(p), "%s%s%s", root, a, v);
	return tlc__fs_is_dir(p);
}

static const char layout_note[] =
	"the base's python could not run here (no chroot or user namespace, "
	"or another architecture): the scheme is derived from the layout";

/*
 * The scheme guessed from the layout, as the usual images have it: the
 * official python images' /usr/local (posix_prefix there), Debian's and
 * Ubuntu's posix_local (dist-packages under /usr/local), or posix_prefix
 * under /usr (Alpine; lib64 for platlib on Fedora).
 */
static int scheme_from_layout(struct tlc_install_scheme *s, const char *root,
			      const char *py, const char *resolved,
			      struct tlc_error *err)
{
	const char *base = strrchr(resolved, '/') + 1;
	const char *pure, *site, *scripts, *data, *inc, *plat = NULL;
	char v[16];
	int rc;

	if (strncmp(base, "python", 6) || !version_ok(base + 6) ||
	    strlen(base + 6) >= sizeof(v))
		return tlc_error_set(err, TLC_ENOTFOUND, "cannot tell the "
				     "version of '%s' in '%s' (it resolves "
				     "to '%s', not pythonX.Y)", py, root,
				     resolved);
	memcpy(v, base + 6, strlen(base + 6) + 1);
	if (!strcmp(py, "/usr/local/bin/python3")) {
		/* the official python images: posix_prefix in /usr/local */
		pure = "/usr/local/lib/python";
		site = "/site-packages";
		scripts = "/usr/local/bin";
		data = "/usr/local";
		inc = "/usr/local/include/python";
	} else if (dir_in_root(root, "/usr/lib/python3/dist-packages", "")) {
		/* Debian, Ubuntu: posix_local */
		pure = "/usr/local/lib/python";
		site = "/dist-packages";
		scripts = "/usr/local/bin";
		data = "/usr/local";
		inc = "/usr/include/python";
	} else {
		/* posix_prefix in /usr (Alpine; Fedora's lib64) */
		pure = "/usr/lib/python";
		site = "/site-packages";
		scripts = "/usr/bin";
		data = "/usr";
		inc = "/usr/include/python";
		if (dir_in_root(root, "/usr/lib64/python", v))
			plat = "/usr/lib64/python";
	}
	if ((rc = set_str(&s->purelib, err, pure, v, site)) < 0 ||
	    (rc = set_str(&s->platlib, err, plat ? plat : pure, v, site)) < 0 ||
	    (rc = set_str(&s->scripts, err, scripts, "", "")) < 0 ||
	    (rc = set_str(&s->data, err, data, "", "")) < 0 ||
	    (rc = set_str(&s->headers, err, inc, v, "")) < 0 ||
	    (rc = set_str(&s->python, err, py, "", "")) < 0 ||
	    (rc = set_str(&s->version, err, v, "", "")) < 0)
		return rc;
	return 0;
}

int tlc_install_scheme_detect(struct tlc_install_scheme *s, const char *rootfs,
			      const char **note, struct tlc_error *err)
{
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		"/sbin:/bin", NULL
	};
	struct tlc_buf root = TLC_BUF_INIT, resolved = TLC_BUF_INIT,
		       out = TLC_BUF_INIT_MAX(SCHEME_OUT_MAX);
	struct tlc_error perr = TLC_ERROR_INIT;
	const char *py = NULL;
	int rc, status = -1;

	*s = (struct tlc_install_scheme)TLC_INSTALL_SCHEME_INIT;
	*note = NULL;
	if ((rc = tlc__fs_realpath(&root, rootfs, err)) < 0)
		goto out;
	if (!tlc__fs_is_dir(root.ptr)) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "'%s' is not a "
				   "directory", rootfs);
		goto out;
	}
	if (!strcmp(root.ptr, "/"))
		tlc_buf_reset(&root);	/* "" + "/usr/bin/python3" */
	for (size_t i = 0; python_candidates[i]; i++) {
		struct stat st;
		char host[8192];

		rc = resolve_in_root(&resolved, root.ptr, python_candidates[i],
				     &perr);
		if (rc == TLC_ENOMEM)
			goto out_perr;
		if (rc < 0)
			continue;
		snprintf(host, sizeof(host), "%s%s", root.ptr, resolved.ptr);
		if (stat(host, &st) == 0 && S_ISREG(st.st_mode)) {
			py = python_candidates[i];
			break;
		}
	}
	if (!py) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "no python3 in '%s' "
				   "(looked for usr/local/bin/python3, "
				   "usr/bin/python3, bin/python3)", rootfs);
		goto out;
	}
	{
		const char *as_root[] = { "chroot", root.len ? root.ptr : "/",
					  py, "-I", "-c", scheme_script,
					  NULL };
		const char *userns[] = { "unshare", "-r", "chroot",
					 root.len ? root.ptr : "/", py, "-I",
					 "-c", scheme_script, NULL };
		struct tlc__proc p = { 0 };

		p.argv = geteuid() == 0 ? as_root : userns;
		p.env = env;
		p.out = &out;
		rc = tlc__proc_run(&p, &status, &perr);
		if (rc == TLC_ENOMEM || rc == TLC_ETOOBIG)
			goto out_perr;
	}
	if (rc == 0 && status == 0) {
		if ((rc = parse_scheme(s, &out, py, err)) < 0)
			goto out;
		goto out;
	}
	/* it cannot run here: chroot or unshare missing or refused, or an
	 * interpreter for another machine (exec format error) */
	*note = layout_note;
	rc = scheme_from_layout(s, root.len ? root.ptr : "", py,
				resolved.ptr, err);
	goto out;
out_perr:
	rc = tlc_error_set(err, rc, "%s", perr.msg);
out:
	if (rc < 0) {
		tlc_install_scheme_release(s);
		*note = NULL;
	}
	tlc_buf_release(&root);
	tlc_buf_release(&resolved);
	tlc_buf_release(&out);
	return rc;
}

/* ---- installing --------------------------------------------------------- */

enum kind {
	K_FILE,		/* a member, copied */
	K_SCRIPT,	/* a .data/scripts member: #!python rewritten */
	K_GEN,		/* generated bytes */
	K_RECORD,	/* RECORD itself, written last */
};

struct item {
	char *dest;			/* the path in the image */
	enum kind kind;
	unsigned mode;
	const struct tlc_zip_entry *e;	/* K_FILE, K_SCRIPT */
	struct tlc_buf data;		/* K_GEN */
	unsigned char sha256[32];	/* of the bytes written */
	uint64_t size;
};

struct plan {
	struct item *v;
	size_t n, alloc;
};

static struct item *plan_add(struct plan *pl)
{
	if (pl->n == pl->alloc) {
		size_t na = pl->alloc ? pl->alloc * 2 : 64;
		struct item *v = realloc(pl->v, na * sizeof(*v));

		if (!v)
			return NULL;
		pl->v = v;
		pl->alloc = na;
	}
	memset(&pl->v[pl->n], 0, sizeof(pl->v[0]));
	tlc_buf_init(&pl->v[pl->n].data, 0);
	return &pl->v[pl->n++];
}

static void plan_release(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->v[i].dest);
		tlc_buf_release(&pl->v[i].data);
	}
	free(pl->v);
}

/* An entry point of console_scripts or gui_scripts. */
struct entry {
	char *name, *module, *attr;
};

struct entries {
	struct entry *v;
	size_t n;
};

static void entries_release(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].name);
		free(es->v[i].module);
		free(es->v[i].attr);
	}
	free(es->v);
}

static bool entries_has(const struct entries *es, const char *name)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return true;
	return false;
}

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A script name is a file name in the scripts directory. */
static bool script_name_ok(const char *n)
{
	if (!*n || *n == '.' || *n == '-' || strlen(n) > 255)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || strchr("_.+-", *n)))
			return false;
	return true;
}

/* Python identifiers joined by '.' (ASCII only). */
static bool dotted_ok(const char *s, size_t n)
{
	bool start = true;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (start)
				return false;
			start = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   c == '_' || (!start && c >= '0' && c <= '9')) {
			start = false;
		} else {
			return false;
		}
	}
	return !start;
}

/*
 * entry_points.txt (https://packaging.python.org/en/latest/
 * specifications/entry-points/): INI sections; in console_scripts and
 * gui_scripts each "name = module:attr [extras]" becomes a script.  The
 * object reference must name an attribute (pip refuses one without ':',
 * "A callable suffix is required").
 */
static int parse_entry_points(struct entries *es, char *text,
			      const char *whl, struct tlc_error *err)
{
	const char *group = NULL;
	size_t line = 0;
	char *save = text;

	while (save && *save) {
		char *l = save, *nl = strchr(save, '\n'), *eq, *name, *val, *colon;
		bool scripts;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line++;
		l = strip(l);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			size_t n = strlen(l);

			if (l[n - 1] != ']')
				return tlc_error_set(err, TLC_EPOLICY, "%s: "
						     "entry_points.txt line "
						     "%zu: a section header "
						     "without ']'", whl, line);
			l[n - 1] = '\0';
			group = strip(l + 1);
			continue;
		}
		scripts = group && (!strcmp(group, "console_scripts") ||
				    !strcmp(group, "gui_scripts"));
		if (!(eq = strchr(l, '=')))
			return tlc_error_set(err, TLC_EPOLICY, "%s: "
					     "entry_points.txt line %zu: not "
					     "'name = object reference'", whl,
					     line);
		if (!scripts)
			continue;
		*eq = '\0';
		name = strip(l);
		val = strip(eq + 1);
		if (!script_name_ok(name))
			return tlc_error_set(err, TLC_EPOLICY, "%s: "
					     "entry_points.txt line %zu: "
					     "script name '%.80s' is not a file "
					     "name ([A-Za-z0-9_.+-], not "
					     "starting with '.' or '-')", whl,
					     line, name);
		if (entries_has(es, name))
			return tlc_error_set(err, TLC_EPOLICY, "%s: "
					     "entry_points.txt line %zu: "
					     "script '%s' is defined twice",
					     whl, line, name);
		{
			char *br = strchr(val, '[');

			if (br) {
				size_t n = strlen(val);

				if (val[n - 1] != ']')
					return tlc_error_set(err, TLC_EPOLICY,
						"%s: entry_points.txt line "
						"%zu: extras without ']'", whl,
						line);
				*br = '\0';
				val = strip(val);
			}
		}
		colon = strchr(val, ':');
		if (!colon || !dotted_ok(val, (size_t)(colon - val)) ||
		    !dotted_ok(colon + 1, strlen(colon + 1)))
			return tlc_error_set(err, TLC_EPOLICY, "%s: "
					     "entry_points.txt line %zu: "
					     "script '%s' names '%.80s', not "
					     "module:attribute", whl, line,
					     name, val);
		{
			struct entry *v = realloc(es->v,
						  (es->n + 1) * sizeof(*v));

			if (!v)
				return oom(err);
			es->v = v;
			v = &es->v[es->n];
			v->name = strdup(name);
			v->module = strndup(val, (size_t)(colon - val));
			v->attr = strdup(colon + 1);
			es->n++;
			if (!v->name || !v->module || !v->attr)
				return oom(err);
		}
	}
	return 0;
}

/* distlib's shebang (ScriptMaker._build_shebang), as pip writes it. */
static int put_shebang(struct tlc_buf *b, const char *python)
{
	bool space = strchr(python, ' ') != NULL;
	size_t len = strlen(python) + (space ? 2 : 0) + 3;

	if (!space && len <= 127)
		return tlc_buf_printf(b, "#!%s\n", python);
	return tlc_buf_printf(b, "#!/bin/sh\n'''exec' %s%s%s \"$0\" \"$@\"\n"
			      "' '''\n", space ? "\"" : "", python,
			      space ? "\"" : "");
}

/* The launcher of an entry point: distlib's SCRIPT_TEMPLATE. */
static int make_launcher(struct tlc_buf *b, const struct entry *e,
			 const char *python)
{
	size_t dot = strcspn(e->attr, ".");

	if (put_shebang(b, python) < 0 ||
	    tlc_buf_printf(b, "# -*- coding: utf-8 -*-\n"
			   "import re\n"
			   "import sys\n"
			   "from %s import %.*s\n"
			   "if __name__ == '__main__':\n"
			   "    sys.argv[0] = re.sub(r'(-script\\.pyw|"
			   "\\.exe)?$', '', sys.argv[0])\n"
			   "    sys.exit(%s())\n", e->module, (int)dot,
			   e->attr, e->attr) < 0)
		return TLC_ENOMEM;
	return 0;
}

/* pip's is_entrypoint_wrapper(): EP, EP.exe, EP-script.py, EP.pya */
static bool is_wrapper(const struct entries *es, const char *base)
{
	char m[512];
	size_t n = strlen(base);

	if (n >= sizeof(m))
		return false;
	memcpy(m, base, n + 1);
	if (n > 4 && !strcasecmp(m + n - 4, ".exe"))
		m[n - 4] = '\0';
	else if (n > 10 && !strcasecmp(m + n - 10, "-script.py"))
		m[n - 10] = '\0';
	else if (n > 4 && !strcasecmp(m + n - 4, ".pya"))
		m[n - 4] = '\0';
	return entries_has(es, m);
}

/* One set of a compressed tag ("py2.py3") holds @t. */
static bool tagset_has(const char *set, const char *t)
{
	size_t n = strlen(t);

	for (const char *p = set;;) {
		const char *d = strchr(p, '.');
		size_t k = d ? (size_t)(d - p) : strlen(p);

		if (k == n && !memcmp(p, t, n))
			return true;
		if (!d)
			return false;
		p = d + 1;
	}
}

/*
 * Whether one of the wheel's tag triples fits the interpreter (the
 * platform compatibility tags spec, https://packaging.python.org/en/
 * latest/specifications/platform-compatibility-tags/), for CPython
 * @version: the order of pip's sys_tags() without the priorities.
 */
static bool tags_fit(const struct tlc_wheel_reader *wr,
		     const struct tlc_install_scheme *s)
{
	const char *py = tlc_wheel_reader_python_tag(wr),
		   *abi = tlc_wheel_reader_abi_tag(wr),
		   *plat = tlc_wheel_reader_platform_tag(wr);
	unsigned major = 0, minor = 0;
	char t[32], cp[32];
	bool py_ok = false, plat_ok = false;

	if (sscanf(s->version, "%u.%u", &major, &minor) != 2)
		return false;
	snprintf(cp, sizeof(cp), "cp%u%u", major, minor);
	/* python and abi together */
	if (tagset_has(abi, "none")) {
		snprintf(t, sizeof(t), "py%u", major);
		py_ok = tagset_has(py, t) || tagset_has(py, cp);
		for (unsigned m = 0; m <= minor && !py_ok; m++) {
			snprintf(t, sizeof(t), "py%u%u", major, m);
			py_ok = tagset_has(py, t);
		}
	}
	if (!py_ok && tagset_has(abi, cp))
		py_ok = tagset_has(py, cp);
	if (!py_ok && tagset_has(abi, "abi3"))
		for (unsigned m = 2; m <= minor && !py_ok; m++) {
			snprintf(t, sizeof(t), "cp%u%u", major, m);
			py_ok = tagset_has(py, t);
		}
	if (!py_ok)
		return false;
	if (tagset_has(plat, "any") || !s->platform)
		return true;
	if (!strncmp(s->platform, "linux-", 6)) {
		char arch[64];
		size_t an;

		snprintf(arch, sizeof(arch), "_%s", s->platform + 6);
		for (char *c = arch; *c; c++)
			if (*c == '-' || *c == '.')
				*c = '_';
		an = strlen(arch);
		for (const char *p = plat; !plat_ok;) {
			const char *d = strchr(p, '.');
			size_t k = d ? (size_t)(d - p) : strlen(p);

			plat_ok = k > an && !memcmp(p + k - an, arch, an) &&
				  (!strncmp(p, "linux_", 6) ||
				   !strncmp(p, "manylinux", 9) ||
				   !strncmp(p, "musllinux_", 10));
			if (!d)
				break;
			p = d + 1;
		}
	}
	return plat_ok;
}

static int check_scheme(const struct tlc_install_scheme *s,
			struct tlc_error *err)
{
	const char *v[] = { s->purelib, s->platlib, s->scripts, s->data,
			    s->headers, s->python };
	static const char *const what[] = { "purelib", "platlib", "scripts",
					    "data", "headers", "python" };

	for (size_t i = 0; i < 6; i++)
		if (!v[i] || !abs_path_ok(v[i]))
			return tlc_error_set(err, TLC_EPOLICY, "install "
					     "scheme: %s is not an absolute, "
					     "normalized path", what[i]);
	if (!s->version || !version_ok(s->version))
		return tlc_error_set(err, TLC_EPOLICY, "install scheme: "
				     "version is not X.Y");
	return 0;
}

/* Order paths so that "a/..." follows "a" at once: '/' before any other
 * byte. */
static int path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca == '/')
			ca = 1;
		if (cb == '/')
			cb = 1;
		if (ca != cb || !ca)
			return (int)ca - (int)cb;
	}
}

static int item_cmp(const void *a, const void *b)
{
	return path_cmp(((const struct item *)a)->dest,
			((const struct item *)b)->dest);
}

static char *join2(const char *a, const char *b)
{
	struct tlc_buf p = TLC_BUF_INIT;

	if (tlc_buf_puts(&p, a) < 0 ||
	    (strcmp(a, "/") && tlc_buf_putc(&p, '/') < 0) ||
	    tlc_buf_puts(&p, b) < 0) {
		tlc_buf_release(&p);
		return NULL;
	}
	return tlc_buf_detach(&p, NULL);
}

/* mkdir -p of @path's parent under @root, 0755, refusing anything but
 * directories on the way (a symlink would lead out of the tree). */
static int make_parents(const char *host, size_t root_len,
			struct tlc_error *err)
{
	char *p = strdup(host);
	int rc = 0;

	if (!p)
		return oom(err);
	for (char *c = p + root_len + 1; (c = strchr(c, '/')); c++) {
		struct stat st;

		*c = '\0';
		if (mkdir(p, 0755) == 0) {
			if (chmod(p, 0755) < 0) {
				rc = tlc_error_errno(err, TLC_EIO, "cannot "
						     "chmod '%s'", p);
				break;
			}
		} else if (errno != EEXIST) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot create "
					     "'%s'", p);
			break;
		} else if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			rc = tlc_error_set(err, TLC_EIO, "'%s' is in the way: "
					   "not a directory", p);
			break;
		}
		*c = '/';
	}
	free(p);
	return rc;
}

static int open_dest(const char *host, struct tlc_error *err)
{
	struct stat st;
	int fd;

	if (lstat(host, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return tlc_error_set(err, TLC_EIO, "'%s' is in the "
					     "way: a directory", host);
		if (unlink(host) < 0)
			return tlc_error_errno(err, TLC_EIO, "cannot replace "
					       "'%s'", host);
	}
	fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot create '%s'",
				       host);
	return fd;
}

static int finish_fd(int fd, const char *host, unsigned mode,
		     struct tlc_error *err)
{
	if (fchmod(fd, mode) < 0) {
		int rc = tlc_error_errno(err, TLC_EIO, "cannot chmod '%s'",
					 host);

		close(fd);
		return rc;
	}
	if (close(fd) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot write '%s'", host);
	return 0;
}

static int write_bytes(struct item *it, const char *host, const void *data,
		       size_t len, struct tlc_error *err)
{
	int fd = open_dest(host, err), rc;

	if (fd < 0)
		return fd;
	if ((rc = tlc__fs_write_all(fd, data, len, host, err)) < 0) {
		close(fd);
		return rc;
	}
	if (!tlc__sha256(data, len, it->sha256)) {
		close(fd);
		return oom(err);
	}
	it->size = len;
	return finish_fd(fd, host, it->mode, err);
}

/* Stream a member to @host, hashing it; it must still match RECORD. */
static int write_member(struct item *it, const char *host,
			const struct tlc_zip_reader *zr,
			const struct tlc_wheel_record *rec, const char *whl,
			struct tlc_error *err)
{
	struct tlc_zip_stream *zs = NULL;
	struct tlc__sha256 h;
	char buf[65536];
	bool hashing = false;
	int fd = -1, rc;
	size_t got;

	if ((fd = open_dest(host, err)) < 0)
		return fd;
	if ((rc = tlc_zip_stream_open(&zs, zr, it->e, err)) < 0)
		goto out;
	if (!tlc__sha256_init(&h)) {
		rc = oom(err);
		goto out;
	}
	hashing = true;
	it->size = 0;
	for (;;) {
		if ((rc = tlc_zip_stream_read(zs, buf, sizeof(buf), &got,
					      err)) < 0)
			goto out;
		if (!got)
			break;
		tlc__sha256_update(&h, buf, got);
		it->size += got;
		if ((rc = tlc__fs_write_all(fd, buf, got, host, err)) < 0)
			goto out;
	}
	tlc__sha256_final(&h, it->sha256);
	hashing = false;
	if (!rec || !rec->has_sha256 || memcmp(rec->sha256, it->sha256, 32)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: '%s' changed while "
				   "being installed: it no longer matches "
				   "RECORD", whl, it->e->name);
		goto out;
	}
	rc = finish_fd(fd, host, it->mode, err);
	fd = -1;
out:
	if (hashing) {
		unsigned char junk[32];

		tlc__sha256_final(&h, junk);
	}
	if (fd >= 0)
		close(fd);
	tlc_zip_stream_free(zs);
	return rc;
}

/* pip's fix_script(): a first line starting "#!python" becomes
 * "#!<python>\n" (the rest of that line is dropped). */
static int fix_script(struct tlc_buf *out, const struct tlc_buf *in,
		      const char *python)
{
	const char *nl;

	if (in->len < 8 || memcmp(in->ptr, "#!python", 8))
		return tlc_buf_put(out, in->ptr, in->len);
	nl = memchr(in->ptr, '\n', in->len);
	if (tlc_buf_printf(out, "#!%s\n", python) < 0)
		return TLC_ENOMEM;
	if (nl)
		return tlc_buf_put(out, nl + 1,
				   in->len - (size_t)(nl + 1 - in->ptr));
	return 0;
}

/* A CSV field as Python's csv module writes it (QUOTE_MINIMAL, with
 * "\r\n" as the line terminator: '\r' and '\n' force quotes too). */
static int put_csv(struct tlc_buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n"))
		return tlc_buf_puts(out, s);
	if (tlc_buf_putc(out, '"') < 0)
		return TLC_ENOMEM;
	for (; *s; s++)
		if ((*s == '"' && tlc_buf_putc(out, '"') < 0) ||
		    tlc_buf_putc(out, *s) < 0)
			return TLC_ENOMEM;
	return tlc_buf_putc(out, '"');
}

struct row {
	char *path;
	const struct item *it;		/* NULL: RECORD's own line */
};

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->path,
		      ((const struct row *)b)->path);
}

/*
 * RECORD as pip writes it (_normalized_outrows() then csv.writer): one
 * row per installed file, its path relative to @lib_dir, sorted.
 */
static int make_record(struct tlc_buf *out, const struct plan *pl,
		       const char *lib_dir)
{
	struct row *rows = calloc(pl->n ? pl->n : 1, sizeof(*rows));
	struct tlc_buf p = TLC_BUF_INIT;
	int rc = TLC_ENOMEM;

	if (!rows)
		return TLC_ENOMEM;
	for (size_t i = 0; i < pl->n; i++) {
		tlc_buf_reset(&p);
		if (relpath(&p, lib_dir, pl->v[i].dest) < 0 ||
		    !(rows[i].path = strdup(p.ptr)))
			goto out;
		rows[i].it = pl->v[i].kind == K_RECORD ? NULL : &pl->v[i];
	}
	qsort(rows, pl->n, sizeof(*rows), row_cmp);
	for (size_t i = 0; i < pl->n; i++) {
		if (put_csv(out, rows[i].path) < 0)
			goto out;
		if (!rows[i].it) {
			if (tlc_buf_puts(out, ",,\r\n") < 0)
				goto out;
			continue;
		}
		if (tlc_buf_puts(out, ",sha256=") < 0 ||
		    tlc__b64url_put(out, rows[i].it->sha256, 32) < 0 ||
		    tlc_buf_printf(out, ",%llu\r\n",
				   (unsigned long long)rows[i].it->size) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < pl->n; i++)
		free(rows[i].path);
	free(rows);
	tlc_buf_release(&p);
	return rc;
}

/* Where member @name goes, or NULL (*skip) for members not installed. */
static int member_dest(struct item *it, const char *name,
		       const struct tlc_install_scheme *s, const char *lib_dir,
		       const char *dist_info, const char *data_dir,
		       const char *project, const struct entries *es,
		       const char *whl, bool *skip, struct tlc_error *err)
{
	size_t dl = strlen(data_dir), il = strlen(dist_info);
	const char *slash = strchr(name, '/');
	size_t first = slash ? (size_t)(slash - name) : strlen(name);

	*skip = false;
	it->mode = it->e->mode == 0755 ? 0755 : 0644;
	if (!strncmp(name, data_dir, dl) && name[dl] == '/') {
		/* PEP 427: "{distribution}-{version}.data/<key>/..." goes to
		 * the scheme path <key> */
		const char *key = name + dl + 1, *rest = strchr(key, '/');
		size_t kl = rest ? (size_t)(rest - key) : 0;
		const char *base = NULL;
		char hdr[1024];

		if (!rest || !rest[1])
			return tlc_error_set(err, TLC_EPOLICY, "%s: '%s' is "
					     "not in a scheme directory of "
					     "%s (<key>/<path>)", whl, name,
					     data_dir);
		rest++;
		if (kl == 7 && !memcmp(key, "purelib", 7)) {
			base = s->purelib;
		} else if (kl == 7 && !memcmp(key, "platlib", 7)) {
			base = s->platlib;
		} else if (kl == 4 && !memcmp(key, "data", 4)) {
			base = s->data;
		} else if (kl == 7 && !memcmp(key, "headers", 7)) {
			snprintf(hdr, sizeof(hdr), "%s/%s", s->headers,
				 project);
			base = hdr;
		} else if (kl == 7 && !memcmp(key, "scripts", 7)) {
			const char *b = strrchr(rest, '/');

			if (is_wrapper(es, b ? b + 1 : rest)) {
				*skip = true;	/* replaced by the launcher */
				return 0;
			}
			base = s->scripts;
			it->kind = K_SCRIPT;
			it->mode = 0755;
		} else {
			return tlc_error_set(err, TLC_EPOLICY, "%s: '%s': "
					     "unknown .data key '%.*s' (purelib, "
					     "platlib, scripts, headers, data)",
					     whl, name, (int)kl, key);
		}
		if (!(it->dest = join2(base, rest)))
			return oom(err);
		return 0;
	}
	if (first > 5 && !memcmp(name + first - 5, ".data", 5))
		return tlc_error_set(err, TLC_EPOLICY, "%s: '%s' is in a .data "
				     "directory that is not %s", whl, name,
				     data_dir);
	if (!strncmp(name, dist_info, il) && name[il] == '/') {
		const char *b = name + il + 1;

		/* written here, not copied */
		if (!strcmp(b, "RECORD") || !strcmp(b, "INSTALLER") ||
		    !strcmp(b, "REQUESTED")) {
			*skip = true;
			return 0;
		}
	}
	if (!(it->dest = join2(lib_dir, name)))
		return oom(err);
	return 0;
}

static int add_generated(struct plan *pl, const char *dir, const char *name,
			 unsigned mode, enum kind kind, struct tlc_error *err)
{
	struct item *it = plan_add(pl);

	if (!it)
		return oom(err);
	it->kind = kind;
	it->mode = mode;
	if (!(it->dest = join2(dir, name)))
		return oom(err);
	return 0;
}

int tlc_install_wheel(const char *wheel, const char *dest_root,
		      const struct tlc_install_scheme *s, struct tlc_error *err)
{
	const char *whl = strrchr(wheel, '/') ? strrchr(wheel, '/') + 1 : wheel;
	struct tlc_wheel_reader *wr = NULL;
	struct tlc_coremeta *meta = NULL;
	struct tlc_buf root = TLC_BUF_INIT, ep = TLC_BUF_INIT_MAX(ENTRY_POINTS_MAX),
		       data_dir = TLC_BUF_INIT, host = TLC_BUF_INIT,
		       script = TLC_BUF_INIT_MAX(SCRIPT_MAX),
		       fixed = TLC_BUF_INIT, dist_dir = TLC_BUF_INIT;
	struct entries es = { 0 };
	struct plan pl = { 0 };
	const struct tlc_zip_reader *zr;
	const char *dist_info, *lib_dir;
	size_t nmembers;
	int rc;

	if ((rc = check_scheme(s, err)) < 0)
		goto out;
	if ((rc = tlc__fs_realpath(&root, dest_root, err)) < 0)
		goto out;
	if (!tlc__fs_is_dir(root.ptr)) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "'%s' is not a "
				   "directory", dest_root);
		goto out;
	}
	if (!strcmp(root.ptr, "/"))
		tlc_buf_reset(&root);
	/* 1. the wheel itself: zip, .dist-info, every member vs RECORD */
	if ((rc = tlc_repo_validate(wheel, &wr, &meta, err)) < 0)
		goto out;
	if (!tags_fit(wr, s)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: no tag fits Python "
				   "%s on %s", whl, s->version,
				   s->platform ? s->platform : "this base");
		goto out;
	}
	zr = tlc_wheel_reader_zip(wr);
	dist_info = tlc_wheel_reader_dist_info(wr);
	lib_dir = tlc_wheel_reader_purelib(wr) ? s->purelib : s->platlib;
	if (tlc_buf_put(&data_dir, dist_info,
			strlen(dist_info) - strlen(".dist-info")) < 0 ||
	    tlc_buf_puts(&data_dir, ".data") < 0 ||
	    tlc_buf_printf(&dist_dir, "%s/entry_points.txt", dist_info) < 0)
		goto nomem;
	/* 2. entry points */
	{
		const struct tlc_zip_entry *e = tlc_zip_reader_find(zr,
								    dist_dir.ptr);

		if (e) {
			if ((rc = tlc_zip_read(zr, e, &ep, err)) < 0)
				goto out;
			if (memchr(ep.ptr, '\0', ep.len)) {
				rc = tlc_error_set(err, TLC_EPOLICY, "%s: "
						   "entry_points.txt holds a "
						   "NUL byte", whl);
				goto out;
			}
			if ((rc = parse_entry_points(&es, ep.ptr, whl,
						     err)) < 0)
				goto out;
		}
	}
	/* 3. where everything goes */
	nmembers = tlc_zip_reader_count(zr);
	for (size_t i = 0; i < nmembers; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(zr, i);
		struct item *it = plan_add(&pl);
		bool skip;

		if (!it)
			goto nomem;
		it->e = e;
		it->kind = K_FILE;
		if ((rc = member_dest(it, e->name, s, lib_dir, dist_info,
				      data_dir.ptr, meta->name, &es, whl,
				      &skip, err)) < 0)
			goto out;
		if (skip)
			pl.n--;
	}
	for (size_t i = 0; i < es.n; i++) {
		struct item *it;

		if ((rc = add_generated(&pl, s->scripts, es.v[i].name, 0755,
					K_GEN, err)) < 0)
			goto out;
		it = &pl.v[pl.n - 1];
		if (make_launcher(&it->data, &es.v[i], s->python) < 0)
			goto nomem;
	}
	tlc_buf_reset(&dist_dir);
	if (tlc_buf_printf(&dist_dir, "%s/%s", strcmp(lib_dir, "/") ?
			   lib_dir : "", dist_info) < 0)
		goto nomem;
	if ((rc = add_generated(&pl, dist_dir.ptr, "INSTALLER", 0644, K_GEN,
				err)) < 0)
		goto out;
	if (tlc_buf_puts(&pl.v[pl.n - 1].data, "tlcpack\n") < 0)
		goto nomem;
	if ((rc = add_generated(&pl, dist_dir.ptr, "REQUESTED", 0644, K_GEN,
				err)) < 0 ||
	    (rc = add_generated(&pl, dist_dir.ptr, "RECORD", 0644, K_RECORD,
				err)) < 0)
		goto out;
	/* 4. no two files on one path, no file on another's directory */
	qsort(pl.v, pl.n, sizeof(*pl.v), item_cmp);
	for (size_t i = 1; i < pl.n; i++) {
		const char *a = pl.v[i - 1].dest, *b = pl.v[i].dest;
		size_t al = strlen(a);

		if (!strcmp(a, b) || (!strncmp(a, b, al) && b[al] == '/')) {
			rc = tlc_error_set(err, TLC_EPOLICY, "%s: two files "
					   "would be installed at '%s'%s", whl,
					   a, strcmp(a, b) ? " (one of them "
					   "as a directory)" : "");
			goto out;
		}
	}
	/* 5. write: members and generated files, then RECORD */
	for (size_t i = 0; i < pl.n; i++) {
		struct item *it = &pl.v[i];

		if (it->kind == K_RECORD)
			continue;
		if (tlc_buf_sets(&host, root.ptr) < 0 ||
		    tlc_buf_puts(&host, it->dest) < 0)
			goto nomem;
		if ((rc = make_parents(host.ptr, root.len, err)) < 0)
			goto out;
		if (it->kind == K_FILE) {
			rc = write_member(it, host.ptr, zr,
					  tlc_wheel_reader_record(wr,
								  it->e->name),
					  whl, err);
		} else if (it->kind == K_SCRIPT) {
			const struct tlc_wheel_record *rec =
				tlc_wheel_reader_record(wr, it->e->name);
			unsigned char d[32];

			tlc_buf_reset(&script);
			tlc_buf_reset(&fixed);
			if ((rc = tlc_zip_read(zr, it->e, &script, err)) < 0)
				goto out;
			if (!tlc__sha256(script.ptr, script.len, d))
				goto nomem;
			if (!rec || !rec->has_sha256 ||
			    memcmp(d, rec->sha256, 32)) {
				rc = tlc_error_set(err, TLC_EPOLICY, "%s: '%s' "
						   "changed while being "
						   "installed: it no longer "
						   "matches RECORD", whl,
						   it->e->name);
				goto out;
			}
			if (fix_script(&fixed, &script, s->python) < 0)
				goto nomem;
			rc = write_bytes(it, host.ptr, fixed.ptr, fixed.len,
					 err);
		} else {
			rc = write_bytes(it, host.ptr, it->data.ptr,
					 it->data.len, err);
		}
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < pl.n; i++) {
		struct item *it = &pl.v[i];

		if (it->kind != K_RECORD)
			continue;
		if (make_record(&it->data, &pl, lib_dir) < 0 ||
		    tlc_buf_sets(&host, root.ptr) < 0 ||
		    tlc_buf_puts(&host, it->dest) < 0)
			goto nomem;
		if ((rc = make_parents(host.ptr, root.len, err)) < 0 ||
		    (rc = write_bytes(it, host.ptr, it->data.ptr, it->data.len,
				      err)) < 0)
			goto out;
	}
	rc = 0;
	goto out;
nomem:
	rc = oom(err);
out:
	plan_release(&pl);
	entries_release(&es);
	tlc_coremeta_free(meta);
	tlc_wheel_reader_free(wr);
	tlc_buf_release(&root);
	tlc_buf_release(&ep);
	tlc_buf_release(&data_dir);
	tlc_buf_release(&host);
	tlc_buf_release(&script);
	tlc_buf_release(&fixed);
	tlc_buf_release(&dist_dir);
	return rc;
}
