/*
 * Auditing wheels against the manylinux policies; see audit.h.
 *
 * The work is in three parts: read every ELF member straight out of the
 * zip (struct msrc), resolve each needed library as the dynamic loader
 * would (resolve()), then judge every policy from the most compatible to
 * "linux" (judge()), once as the wheel is and once as repair would leave
 * it.  Policies are judged the way PEP 600 and auditwheel do: every
 * library taken from the host must be on the policy's allow-list, and
 * every symbol version required from those libraries must be one the
 * policy's reference distribution provides.
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "auditint.h"
#include "tlcpack/buf.h"
#include "tlcpack/zip.h"

#include "banned.h"

/* Bytes of a member kept in memory as read, so that the ELF reader's
 * jumps back to the string and version tables do not re-inflate it. */
#define HEAD_MAX ((size_t)8 << 20)
#define SCRATCH ((size_t)64 << 10)
#define CONF_MAX ((size_t)1 << 20)	/* an ld.so.conf file */
#define CONF_DEPTH 8			/* nested includes */
#define REPAIR_JSON "tlcpack-repair.json"

struct excl {
	const char *pattern;
	const char *why;
};

struct audit {
	struct tlc_audit pub;		/* first: tlc_audit_free() casts */
	struct tlc_wheel_reader *wr;
	const struct tlc_audit_opts *opts;
	char **pool;			/* every string the result holds */
	size_t npool, apool;
	const char **dirs;		/* host search directories, in order */
	size_t ndirs, adirs;
	struct excl *excl;
	size_t nexcl, aexcl;
	size_t amembers, alibs, ablocks, arecorded;
	const char **why;		/* reasons being collected */
	size_t nwhy, awhy;
	uint64_t total;			/* bytes of the members */
	bool *borrowed;			/* [amembers]: elf from opts->reuse */
};

/* ---- small things ------------------------------------------------------- */

static int grow(void *pp, size_t *alloc, size_t n, size_t size)
{
	void **p = pp;
	size_t want = *alloc ? *alloc * 2 : 8;
	void *q;

	if (n < *alloc)
		return 0;
	if (want > SIZE_MAX / size)
		return TLC_ENOMEM;
	if (!(q = realloc(*p, want * size)))
		return TLC_ENOMEM;
	*p = q;
	*alloc = want;
	return 0;
}

static const char *keepn(struct audit *a, const char *s, size_t len)
{
	char *c;

	if (grow(&a->pool, &a->apool, a->npool, sizeof(*a->pool)) < 0 ||
	    !(c = malloc(len + 1)))
		return NULL;
	memcpy(c, s, len);
	c[len] = '\0';
	a->pool[a->npool++] = c;
	return c;
}

static const char *keep(struct audit *a, const char *s)
{
	return keepn(a, s, strlen(s));
}

static const char *keepf(struct audit *a, const char *fmt, ...)
	TLC_PRINTF(2, 3);

static const char *keepf(struct audit *a, const char *fmt, ...)
{
	struct tlc_buf b = TLC_BUF_INIT;
	const char *s = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tlc_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0)
		s = keepn(a, b.ptr, b.len);
	tlc_buf_release(&b);
	return s;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool tlc__audit_is_loader(const char *name)
{
	/* the ELF interpreters of glibc's ports: ld-linux-x86-64.so.2,
	 * ld-linux-aarch64.so.1, ld-linux.so.2, ld64.so.1, ld64.so.2 ... */
	return !fnmatch("ld-linux*.so.[0-9]*", name, 0) ||
	       !fnmatch("ld64.so.[0-9]*", name, 0) ||
	       !strcmp(name, "ld.so.1");
}

bool tlc_audit_policy_better(const struct tlc_policy *a,
			     const struct tlc_policy *b)
{
	if (!a || !b || a == b)
		return false;
	if (!b->glibc_major)		/* "linux" */
		return a->glibc_major != 0;
	if (!a->glibc_major)
		return false;
	if (a->glibc_major != b->glibc_major)
		return a->glibc_major < b->glibc_major;
	return a->glibc_minor < b->glibc_minor;
}

const char *tlc_audit_where_name(enum tlc_audit_where where)
{
	switch (where) {
	case TLC_AUDIT_WHEEL:
		return "wheel";
	case TLC_AUDIT_WHEEL_NOPATH:
		return "wheel-not-on-run-path";
	case TLC_AUDIT_EXCLUDED:
		return "excluded";
	case TLC_AUDIT_SYSTEM:
		return "system";
	case TLC_AUDIT_EXTERNAL:
		return "external";
	case TLC_AUDIT_MISSING:
		break;
	}
	return "missing";
}

/* ---- reading members without extracting them ---------------------------- */

struct msrc {
	const struct tlc_zip_reader *zr;
	const struct tlc_zip_entry *e;
	struct tlc_zip_stream *s;
	uint64_t pos;			/* of the stream */
	unsigned char *head;		/* the first head_cap bytes, as read */
	size_t head_len, head_cap;
	unsigned char *scratch;
};

/* Read @n bytes at the stream's position into @dst (NULL: skip them),
 * keeping a copy of those that fall in the head. */
static int msrc_pull(struct msrc *m, unsigned char *dst, uint64_t n,
		     struct tlc_error *err)
{
	while (n) {
		size_t want = n < SCRATCH ? (size_t)n : SCRATCH, got;
		unsigned char *to = dst ? dst : m->scratch;
		int rc;

		if (dst && n <= SIZE_MAX)
			want = (size_t)n;
		if ((rc = tlc_zip_stream_read(m->s, to, want, &got, err)) < 0)
			return rc;
		if (!got)
			return tlc_error_set(err, TLC_EPOLICY,
					     "%s: member ends before its "
					     "declared size", m->e->name);
		if (m->pos < m->head_cap) {
			size_t k = m->head_cap - (size_t)m->pos;

			if (k > got)
				k = got;
			memcpy(m->head + m->pos, to, k);
			if (m->pos + k > m->head_len)
				m->head_len = (size_t)m->pos + k;
		}
		m->pos += got;
		n -= got;
		if (dst)
			dst += got;
	}
	return 0;
}

static int msrc_read(void *ctx, uint64_t off, void *buf, size_t len,
		     struct tlc_error *err)
{
	struct msrc *m = ctx;
	int rc;

	if (off > m->e->size || len > m->e->size - off)
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: read past the end of the member",
				     m->e->name);
	if (off + len <= m->head_len) {
		memcpy(buf, m->head + off, len);
		return 0;
	}
	if (off < m->pos) {		/* back: start the stream again */
		tlc_zip_stream_free(m->s);
		m->s = NULL;
		m->pos = 0;
		if ((rc = tlc_zip_stream_open(&m->s, m->zr, m->e, err)) < 0)
			return rc;
	}
	if ((rc = msrc_pull(m, NULL, off - m->pos, err)) < 0)
		return rc;
	return msrc_pull(m, buf, len, err);
}

static void msrc_release(struct msrc *m)
{
	tlc_zip_stream_free(m->s);
	free(m->head);
	free(m->scratch);
}

/*
 * Read member @e if it is an ELF file.
 * @return 1 and *out set, 0 if it is not ELF, or an error
 */
static int read_member_elf(struct tlc_elf **out, const struct tlc_zip_reader *zr,
			   const struct tlc_zip_entry *e, struct tlc_error *err)
{
	struct msrc m = { zr, e, NULL, 0, NULL, 0, 0, NULL };
	unsigned char magic[4];
	struct tlc_elf_src src;
	int rc;

	*out = NULL;
	if (e->size < 52)		/* smaller than any ELF header */
		return 0;
	m.head_cap = e->size < HEAD_MAX ? (size_t)e->size : HEAD_MAX;
	if (!(m.head = malloc(m.head_cap)) || !(m.scratch = malloc(SCRATCH))) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = tlc_zip_stream_open(&m.s, zr, e, err)) < 0 ||
	    (rc = msrc_read(&m, 0, magic, sizeof(magic), err)) < 0)
		goto out;
	if (!tlc_elf_is_elf(magic, sizeof(magic))) {
		rc = 0;
		goto out;
	}
	src.read = msrc_read;
	src.ctx = &m;
	src.size = e->size;
	src.name = e->name;
	rc = tlc_elf_read(out, &src, err);
	if (rc == 0)
		rc = 1;
out:
	msrc_release(&m);
	return rc;
}

/* ---- where the host's libraries are ------------------------------------- */

static int add_dir(struct audit *a, const char *dir, size_t len)
{
	const char *d;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len || dir[0] != '/')
		return 0;		/* relative entries are never searched */
	for (size_t i = 0; i < a->ndirs; i++)
		if (strlen(a->dirs[i]) == len && !memcmp(a->dirs[i], dir, len))
			return 0;
	if (grow(&a->dirs, &a->adirs, a->ndirs, sizeof(*a->dirs)) < 0 ||
	    !(d = keepn(a, dir, len)))
		return TLC_ENOMEM;
	a->dirs[a->ndirs++] = d;
	return 0;
}

static int add_path_list(struct audit *a, const char *list)
{
	int rc;

	while (list && *list) {
		size_t n = strcspn(list, ":");

		if ((rc = add_dir(a, list, n)) < 0)
			return rc;
		list += n + (list[n] == ':');
	}
	return 0;
}

/* ld.so.conf(5): directories, one per line or separated by blanks or
 * commas, '#' comments, "include GLOB" (relative to the file's directory)
 * and "hwcap" lines, which are obsolete and ignored. */
static int read_ld_conf(struct audit *a, const char *path, int depth)
{
	struct tlc_buf b = TLC_BUF_INIT_MAX(CONF_MAX), pat = TLC_BUF_INIT;
	struct tlc_error ignored;
	char *line, *next;
	int rc = 0;

	if (depth > CONF_DEPTH ||
	    tlc_buf_read_file(&b, path, &ignored) < 0)
		goto out;		/* unreadable: as ld.so, skip it */
	for (line = b.ptr; line && *line; line = next) {
		char *hash;

		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		line += strspn(line, " \t,");
		if (!strncmp(line, "include", 7) &&
		    (line[7] == ' ' || line[7] == '\t')) {
			glob_t g;
			char *p = line + 8;

			p += strspn(p, " \t");
			p[strcspn(p, " \t")] = '\0';
			tlc_buf_reset(&pat);
			if (p[0] != '/') {
				const char *slash = strrchr(path, '/');

				if (slash && tlc_buf_put(&pat, path,
					(size_t)(slash - path) + 1) < 0) {
					rc = TLC_ENOMEM;
					goto out;
				}
			}
			if (tlc_buf_puts(&pat, p) < 0) {
				rc = TLC_ENOMEM;
				goto out;
			}
			if (glob(pat.ptr, 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
				rc = read_ld_conf(a, g.gl_pathv[i], depth + 1);
			globfree(&g);
			if (rc < 0)
				goto out;
			continue;
		}
		if (!strncmp(line, "hwcap", 5))
			continue;
		while (*line) {
			size_t n = strcspn(line, " \t,");

			if ((rc = add_dir(a, line, n)) < 0)
				goto out;
			line += n;
			line += strspn(line, " \t,");
		}
	}
out:
	tlc_buf_release(&b);
	tlc_buf_release(&pat);
	return rc;
}

static int host_dirs(struct audit *a)
{
	static const char *const defaults[] = {
		"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
	};
	int rc;

	if ((rc = add_path_list(a, getenv("LD_LIBRARY_PATH"))) < 0)
		return rc;
	for (size_t i = 0; a->opts->lib_path && a->opts->lib_path[i]; i++)
		if ((rc = add_dir(a, a->opts->lib_path[i],
				  strlen(a->opts->lib_path[i]))) < 0)
			return rc;
	if ((rc = read_ld_conf(a, "/etc/ld.so.conf", 0)) < 0)
		return rc;
	for (size_t i = 0; defaults[i]; i++)
		if ((rc = add_dir(a, defaults[i], strlen(defaults[i]))) < 0)
			return rc;
	return 0;
}

/* ---- exclusions --------------------------------------------------------- */

static int add_excl(struct audit *a, const char *pattern, const char *why)
{
	if (grow(&a->excl, &a->aexcl, a->nexcl, sizeof(*a->excl)) < 0 ||
	    !(pattern = keep(a, pattern)) || !(why = keep(a, why)))
		return TLC_ENOMEM;
	a->excl[a->nexcl].pattern = pattern;
	a->excl[a->nexcl++].why = why;
	return 0;
}

static const char *excluded(const struct audit *a, const char *name)
{
	if (tlc_policy_is_driver_lib(name))
		return "GPU driver library: it comes from the host's driver";
	for (size_t i = 0; i < a->nexcl; i++)
		if (tlc_policy_exclude_match(a->excl[i].pattern, name))
			return a->excl[i].why;
	return NULL;
}

/* The exclusions an earlier repair recorded in the wheel, so that a
 * repaired wheel audits as it was repaired. */
static int recorded_exclusions(struct audit *a, struct tlc_error *err)
{
	const struct tlc_zip_reader *zr = tlc_wheel_reader_zip(a->wr);
	struct tlc_buf name = TLC_BUF_INIT, data = TLC_BUF_INIT_MAX(
		TLC_WHEEL_META_MAX);
	const struct tlc_zip_entry *e;
	json_t *root = NULL, *list;
	json_error_t jerr;
	size_t i;
	int rc;

	if ((rc = tlc_buf_printf(&name, "%s/%s",
				 tlc_wheel_reader_dist_info(a->wr),
				 REPAIR_JSON)) < 0)
		goto nomem;
	if (!(e = tlc_zip_reader_find(zr, name.ptr)))
		goto out;
	if ((rc = tlc_zip_read(zr, e, &data, err)) < 0)
		goto out;
	if (!(root = json_loadb(data.ptr, data.len, JSON_REJECT_DUPLICATES,
				&jerr)) || !json_is_object(root)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: line %d: %s",
				   name.ptr, root ? 1 : jerr.line,
				   root ? "not a JSON object" : jerr.text);
		goto out;
	}
	list = json_object_get(root, "excluded");
	if (list && !json_is_array(list)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "%s: 'excluded' is not an array", name.ptr);
		goto out;
	}
	for (i = 0; list && i < json_array_size(list); i++) {
		json_t *lib = json_object_get(json_array_get(list, i),
					      "library");
		json_t *why = json_object_get(json_array_get(list, i), "why");
		const char *w;

		if (!json_is_string(lib) || !json_is_string(why) ||
		    strchr(json_string_value(lib), '/')) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "%s: excluded[%zu] needs 'library' "
					   "(a file name) and 'why' strings",
					   name.ptr, i);
			goto out;
		}
		if (grow(&a->pub.excluded_recorded,
			 &a->arecorded, a->pub.nexcluded_recorded,
			 sizeof(char *)) < 0 ||
		    !(w = keepf(a, "recorded by repair: %s",
				json_string_value(why))) ||
		    add_excl(a, json_string_value(lib), w) < 0 ||
		    !(a->pub.excluded_recorded[a->pub.nexcluded_recorded++] =
			keep(a, json_string_value(lib))))
			goto nomem;
	}
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	json_decref(root);
	tlc_buf_release(&name);
	tlc_buf_release(&data);
	return rc;
}

/* ---- resolving needed libraries ----------------------------------------- */

/* The install path of a member: "x.data/platlib/p" and "x.data/purelib/p"
 * install as "p". */
static const char *install_path(const char *member)
{
	const char *slash = strchr(member, '/');
	size_t n;

	if (!slash || (n = (size_t)(slash - member)) < 5 ||
	    memcmp(slash - 5, ".data", 5))
		return member;
	if (!strncmp(slash, "/platlib/", 9) || !strncmp(slash, "/purelib/", 9))
		return slash + 9;
	return member;
}

static ssize_t member_at(const struct audit *a, const char *path)
{
	for (size_t i = 0; i < a->pub.nmembers; i++)
		if (!strcmp(install_path(a->pub.members[i].name), path))
			return (ssize_t)i;
	return -1;
}

/* Normalize "dir/../x/./y" into @out; refuse paths leaving the root. */
static int normalize(struct tlc_buf *out, const char *path)
{
	tlc_buf_reset(out);
	while (*path) {
		size_t n = strcspn(path, "/");

		if (n == 0 || (n == 1 && path[0] == '.')) {
			/* nothing */
		} else if (n == 2 && path[0] == '.' && path[1] == '.') {
			char *s;

			if (!out->len)
				return -1;
			s = memrchr(out->ptr, '/', out->len);
			tlc_buf_truncate(out, s ? (size_t)(s - out->ptr) : 0);
		} else {
			if ((out->len && tlc_buf_putc(out, '/') < 0) ||
			    tlc_buf_put(out, path, n) < 0)
				return TLC_ENOMEM;
		}
		path += n + (path[n] == '/');
	}
	return 0;
}

/* Expand $ORIGIN and ${ORIGIN} at the start of @entry with @origin. */
static int expand_origin(struct tlc_buf *out, const char *entry, size_t len,
			 const char *origin, bool *had)
{
	size_t skip = 0;

	*had = false;
	if (len >= 7 && !memcmp(entry, "$ORIGIN", 7))
		skip = 7;
	else if (len >= 9 && !memcmp(entry, "${ORIGIN}", 9))
		skip = 9;
	tlc_buf_reset(out);
	if (skip) {
		*had = true;
		if (tlc_buf_puts(out, origin) < 0)
			return TLC_ENOMEM;
	}
	return tlc_buf_put(out, entry + skip, len - skip);
}

/* The run path the loader uses for @e: DT_RUNPATH, else DT_RPATH. */
static const char *run_path(const struct tlc_elf *e)
{
	return e->runpath ? e->runpath : e->rpath;
}

/* Look for @name in a member's run path, inside the wheel. */
static ssize_t in_wheel(struct audit *a, const struct tlc_audit_elf *m,
			const char *name, struct tlc_buf *tmp,
			struct tlc_buf *path)
{
	const char *rp = run_path(m->elf), *ip = install_path(m->name);
	const char *slash = strrchr(ip, '/');

	while (rp && *rp) {
		size_t n = strcspn(rp, ":");
		bool had;

		if (expand_origin(tmp, rp, n, "", &had) == 0 && had) {
			/* member directory + the rest */
			struct tlc_buf joined = TLC_BUF_INIT;
			ssize_t hit = -1;

			if (tlc_buf_put(&joined, ip, slash ?
					(size_t)(slash - ip) : 0) == 0 &&
			    tlc_buf_printf(&joined, "/%s/%s", tmp->ptr,
					   name) == 0 &&
			    normalize(path, joined.ptr) == 0)
				hit = member_at(a, path->ptr);
			tlc_buf_release(&joined);
			if (hit >= 0)
				return hit;
		}
		rp += n + (rp[n] == ':');
	}
	return -1;
}

/* A member that the loader would find by name once it is loaded: its
 * file name or its SONAME is @name. */
static ssize_t in_wheel_by_name(const struct audit *a, const char *name)
{
	for (size_t i = 0; i < a->pub.nmembers; i++) {
		const struct tlc_audit_elf *m = &a->pub.members[i];

		if (!strcmp(basename_of(m->name), name) ||
		    (m->elf->soname && !strcmp(m->elf->soname, name)))
			return (ssize_t)i;
	}
	return -1;
}

static bool allowed_somewhere(const char *name);

static bool compatible(const struct tlc_elf *x, const struct tlc_elf *y)
{
	return x->cls == y->cls && x->machine == y->machine &&
	       x->big_endian == y->big_endian;
}

/* The host library @path, read once.  @return its index, or -1 if it is
 * not a usable ELF file for @req. */
static ssize_t host_lib(struct audit *a, const char *path,
			const struct tlc_elf *req, int *rc,
			struct tlc_error *err)
{
	struct tlc_audit_elf *l;
	struct tlc_elf *e;
	struct tlc_error ignored;
	struct stat st;
	char *real;

	*rc = 0;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(real = realpath(path, NULL)))
		return -1;
	/* one entry per file, however it was reached */
	path = keep(a, real);
	free(real);
	if (!path) {
		*rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < a->pub.nlibs; i++)
		if (!strcmp(a->pub.libs[i].name, path))
			return compatible(a->pub.libs[i].elf, req) ?
			       (ssize_t)i : -1;
	if (tlc_elf_read_file(&e, path, &ignored) < 0)
		return -1;		/* as the loader: not a candidate */
	if (!compatible(e, req)) {
		tlc_elf_free(e);
		return -1;
	}
	if (grow(&a->pub.libs, &a->alibs, a->pub.nlibs,
		 sizeof(*a->pub.libs)) < 0) {
		tlc_elf_free(e);
		*rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		return -1;
	}
	l = &a->pub.libs[a->pub.nlibs];
	memset(l, 0, sizeof(*l));
	l->elf = e;
	l->arch = tlc_elf_arch(e);
	l->name = path;
	l->system = allowed_somewhere(e->soname ? e->soname : basename_of(path));
	return (ssize_t)a->pub.nlibs++;
}

/* Search the host for @name needed by @req (whose own run path, with
 * $ORIGIN at @origin, comes first; NULL origin: a member, whose $ORIGIN
 * entries point into the wheel and are skipped). */
static ssize_t search_host(struct audit *a, const struct tlc_elf *req,
			   const char *origin, const char *name, int *rc,
			   struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT, path = TLC_BUF_INIT;
	const char *rp = run_path(req);
	ssize_t hit = -1;

	*rc = 0;
	if (strchr(name, '/'))
		return host_lib(a, name, req, rc, err);
	while (rp && *rp && hit < 0 && *rc == 0) {
		size_t n = strcspn(rp, ":");
		bool had;

		if (expand_origin(&tmp, rp, n, origin ? origin : "", &had) < 0)
			goto nomem;
		if ((!had || origin) && tmp.ptr[0] == '/') {
			tlc_buf_reset(&path);
			if (tlc_buf_printf(&path, "%s/%s", tmp.ptr, name) < 0)
				goto nomem;
			hit = host_lib(a, path.ptr, req, rc, err);
		}
		rp += n + (rp[n] == ':');
	}
	for (size_t i = 0; i < a->ndirs && hit < 0 && *rc == 0; i++) {
		tlc_buf_reset(&path);
		if (tlc_buf_printf(&path, "%s/%s", a->dirs[i], name) < 0)
			goto nomem;
		hit = host_lib(a, path.ptr, req, rc, err);
	}
	goto out;
nomem:
	*rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
	hit = -1;
out:
	tlc_buf_release(&tmp);
	tlc_buf_release(&path);
	return hit;
}

/* Is @name allowed from the host by some manylinux policy? */
static bool allowed_somewhere(const char *name)
{
	if (tlc__audit_is_loader(name))
		return true;
	for (size_t i = 0; i < tlc_policy_count(); i++) {
		const struct tlc_policy *p = tlc_policy_at(i);

		if (p->glibc_major && tlc_policy_lib_allowed(p, name))
			return true;
	}
	return false;
}

static bool allowed_by(const struct tlc_policy *p, const char *name)
{
	return !p->glibc_major || tlc__audit_is_loader(name) ||
	       tlc_policy_lib_allowed(p, name);
}

/*
 * Resolve the needs of @f: a member (@member true) or host library @f.
 * New external libraries are appended to a->pub.libs and resolved later
 * by the caller's loop.
 */
static int resolve(struct audit *a, size_t idx, bool member,
		   struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT, path = TLC_BUF_INIT,
		       origin = TLC_BUF_INIT;
	struct tlc_audit_elf *f = member ? &a->pub.members[idx] :
					   &a->pub.libs[idx];
	size_t n = f->elf->nneeded;
	struct tlc_audit_dep *deps;
	int rc = 0;

	if (!n)
		return 0;
	if (!(deps = calloc(n, sizeof(*deps))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (!member) {
		const char *slash = strrchr(f->name, '/');

		if (tlc_buf_put(&origin, f->name, slash ?
				(size_t)(slash - f->name) : 0) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < n; i++) {
		struct tlc_audit_dep *d = &deps[i];
		const char *name = f->elf->needed[i];
		ssize_t hit;

		f = member ? &a->pub.members[idx] : &a->pub.libs[idx];
		d->name = name;
		if (member && (hit = in_wheel(a, f, name, &tmp, &path)) >= 0) {
			d->where = TLC_AUDIT_WHEEL;
			d->path = a->pub.members[hit].name;
			continue;
		}
		if ((d->why = excluded(a, name))) {
			d->where = TLC_AUDIT_EXCLUDED;
			continue;
		}
		if (member && (hit = in_wheel_by_name(a, name)) >= 0) {
			d->where = TLC_AUDIT_WHEEL_NOPATH;
			d->path = a->pub.members[hit].name;
			continue;
		}
		hit = search_host(a, f->elf, member ? NULL : origin.ptr,
				  name, &rc, err);
		if (rc < 0)
			goto out;
		/* libs may have moved */
		f = member ? &a->pub.members[idx] : &a->pub.libs[idx];
		if (hit >= 0) {
			d->path = a->pub.libs[hit].name;
			d->lib = (size_t)hit;
		}
		if (allowed_somewhere(name))
			d->where = TLC_AUDIT_SYSTEM;
		else
			d->where = hit >= 0 ? TLC_AUDIT_EXTERNAL :
					      TLC_AUDIT_MISSING;
		if (hit < 0)
			d->lib = (size_t)-1;
	}
	f->deps = deps;
	f->ndeps = n;
	deps = NULL;
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	free(deps);
	tlc_buf_release(&tmp);
	tlc_buf_release(&path);
	tlc_buf_release(&origin);
	return rc;
}

/* ---- judging policies --------------------------------------------------- */

static int add_why(struct audit *a, const char *why)
{
	if (!why)
		return TLC_ENOMEM;
	for (size_t i = 0; i < a->nwhy; i++)
		if (!strcmp(a->why[i], why))
			return 0;
	if (grow(&a->why, &a->awhy, a->nwhy, sizeof(*a->why)) < 0)
		return TLC_ENOMEM;
	a->why[a->nwhy++] = why;
	return 0;
}

/* The versions @f requires from host libraries that @p lets it take
 * from the host. */
static int judge_versions(struct audit *a, const struct tlc_audit_elf *f,
			  const struct tlc_policy *p, bool collect)
{
	const char *arch = a->pub.arch ? a->pub.arch : f->arch;
	int bad = 0;

	if (!p->glibc_major || !arch)
		return 0;
	for (size_t i = 0; i < f->elf->nverneed; i++) {
		const struct tlc_elf_verneed *vn = &f->elf->verneed[i];
		const struct tlc_audit_dep *d = NULL;

		for (size_t k = 0; k < f->ndeps; k++)
			if (!strcmp(f->deps[k].name, vn->file))
				d = &f->deps[k];
		if (d ? d->where != TLC_AUDIT_SYSTEM ||
			!allowed_by(p, d->name) :
		    !allowed_by(p, vn->file))
			continue;	/* not taken from the host under p */
		struct tlc_buf list = TLC_BUF_INIT;
		int rc = 0;

		for (size_t k = 0; k < vn->n; k++) {
			if (tlc_policy_version_allowed(p, arch,
						       vn->versions[k]))
				continue;
			bad = 1;
			if (!collect)
				break;
			if (tlc_buf_printf(&list, "%s%s", list.len ? ", " : "",
					   vn->versions[k]) < 0)
				rc = TLC_ENOMEM;
		}
		if (rc == 0 && list.len)
			rc = add_why(a, keepf(a, "%s needs %s from %s, newer "
					      "than %s allows", f->name,
					      list.ptr, vn->file, p->name));
		tlc_buf_release(&list);
		if (rc < 0)
			return rc;
	}
	return bad;
}

/*
 * Judge policy @p: as the wheel is (@plan NULL), or as a repair would
 * leave it (@plan set: fill in what to graft and edit).  The reasons it
 * fails go to a->why (reset first).
 */
static int judge(struct audit *a, const struct tlc_policy *p,
		 struct tlc__audit_plan *plan)
{
	const char *arch = a->pub.arch;
	size_t *queue = NULL, nq = 0;
	int rc = 0;

	a->nwhy = 0;
	if (a->pub.pure)
		return 0;
	if (plan && a->pub.nlibs &&
	    !(queue = malloc(a->pub.nlibs * sizeof(*queue))))
		return TLC_ENOMEM;
	if (p->glibc_major && (!arch || !tlc_policy_has_arch(p, arch)) &&
	    (rc = add_why(a, keepf(a, "%s does not cover %s", p->name,
				   arch ? arch : "this architecture"))) < 0)
		return rc;
	for (size_t i = 0; i < a->pub.nmembers; i++) {
		const struct tlc_audit_elf *m = &a->pub.members[i];
		const char *base = basename_of(m->name);

		if (p->glibc_major && (tlc_policy_is_driver_lib(base) ||
		    (m->elf->soname &&
		     tlc_policy_is_driver_lib(m->elf->soname))) &&
		    (rc = add_why(a, keepf(a, "%s is a GPU driver library: it "
					   "must come from the host, not the "
					   "wheel", m->name))) < 0)
			goto out;
		if (judge_versions(a, m, p, true) < 0)
			goto nomem;
		for (size_t k = 0; k < m->ndeps; k++) {
			const struct tlc_audit_dep *d = &m->deps[k];

			if (!p->glibc_major)
				break;
			switch (d->where) {
			case TLC_AUDIT_WHEEL:
			case TLC_AUDIT_EXCLUDED:
				continue;
			case TLC_AUDIT_WHEEL_NOPATH:
				if (plan) {
					plan->edit[i] = true;
					continue;
				}
				rc = add_why(a, keepf(a, "%s needs %s, which is "
					"in the wheel (%s) but not on its run "
					"path", m->name, d->name, d->path));
				break;
			case TLC_AUDIT_SYSTEM:
				if (allowed_by(p, d->name))
					continue;
				/* grafted under this policy */
				__attribute__((fallthrough));
			case TLC_AUDIT_EXTERNAL:
				if (d->lib == (size_t)-1) {
					rc = add_why(a, keepf(a, "%s needs %s, "
						"which %s does not allow and "
						"this machine does not have",
						m->name, d->name, p->name));
					break;
				}
				if (plan) {
					plan->edit[i] = true;
					if (!plan->graft[d->lib]) {
						plan->graft[d->lib] = true;
						queue[nq++] = d->lib;
					}
					continue;
				}
				rc = add_why(a, keepf(a, "%s needs %s (%s), which "
					"%s does not allow: repair grafts it",
					m->name, d->name, d->path, p->name));
				break;
			case TLC_AUDIT_MISSING:
				rc = add_why(a, keepf(a, "%s needs %s, which is "
					"not in the wheel nor on this machine",
					m->name, d->name));
				break;
			}
			if (rc < 0)
				goto out;
		}
	}
	for (size_t q = 0; plan && q < nq; q++) {
		const struct tlc_audit_elf *l = &a->pub.libs[queue[q]];

		if (judge_versions(a, l, p, true) < 0)
			goto nomem;
		for (size_t k = 0; k < l->ndeps; k++) {
			const struct tlc_audit_dep *d = &l->deps[k];

			if (d->where == TLC_AUDIT_EXCLUDED ||
			    (d->where == TLC_AUDIT_SYSTEM &&
			     allowed_by(p, d->name)))
				continue;
			if (d->lib == (size_t)-1) {
				if ((rc = add_why(a, keepf(a, "%s needs %s, "
						"which is not on this machine",
						l->name, d->name))) < 0)
					goto out;
				continue;
			}
			if (!plan->graft[d->lib]) {
				plan->graft[d->lib] = true;
				queue[nq++] = d->lib;
			}
		}
	}
	rc = 0;
	goto out;
nomem:
	rc = TLC_ENOMEM;
out:
	free(queue);
	return rc;
}

/* The policies judged: every one up to the host's glibc (or all). */
static bool in_scope(const struct audit *a, const struct tlc_policy *p)
{
	unsigned maj, min;

	if (a->opts->all_policies || !p->glibc_major)
		return true;
	tlc_policy_host_glibc(&maj, &min);
	if (!maj)
		return true;
	return p->glibc_major < maj ||
	       (p->glibc_major == maj && p->glibc_minor <= min);
}

int tlc__audit_plan(const struct tlc_audit *pub, const struct tlc_policy *p,
		    struct tlc__audit_plan *plan, struct tlc_error *err)
{
	struct audit *a = (struct audit *)pub;
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (!(plan->graft = calloc(a->pub.nlibs + 1, sizeof(bool))) ||
	    !(plan->edit = calloc(a->pub.nmembers + 1, sizeof(bool))))
		goto nomem;
	if ((rc = judge(a, p, plan)) < 0)
		goto nomem;
	plan->nwhy = a->nwhy;
	plan->why = a->why;
	return 0;
nomem:
	tlc__audit_plan_release(plan);
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

void tlc__audit_plan_release(struct tlc__audit_plan *plan)
{
	free(plan->graft);
	free(plan->edit);
	memset(plan, 0, sizeof(*plan));
}

const struct tlc_wheel_reader *tlc__audit_wheel(const struct tlc_audit *a)
{
	return ((const struct audit *)a)->wr;
}

/* Add what stops a repair to @p to the reasons the wheel misses it. */
static int merge_why(struct audit *a, const struct tlc_policy *p,
		     const char **why, size_t nwhy)
{
	struct tlc_audit_block *b = NULL;
	const char **v;

	for (size_t i = 0; i < a->pub.nblocks; i++)
		if (a->pub.blocks[i].policy == p)
			b = &a->pub.blocks[i];
	if (!b)
		return 0;
	if (!(v = realloc(b->why, (b->nwhy + nwhy + 1) * sizeof(char *))))
		return TLC_ENOMEM;
	b->why = v;
	for (size_t i = 0; i < nwhy; i++) {
		size_t k;

		for (k = 0; k < b->nwhy && strcmp(b->why[k], why[i]); k++)
			;
		if (k == b->nwhy)
			b->why[b->nwhy++] = why[i];
	}
	b->why[b->nwhy] = NULL;
	return 0;
}

static int verdicts(struct audit *a, struct tlc_error *err)
{
	struct tlc__audit_plan plan;
	int rc;

	/* each file's own best, from its version needs */
	for (size_t pass = 0; pass < 2; pass++) {
		size_t n = pass ? a->pub.nlibs : a->pub.nmembers;
		struct tlc_audit_elf *fs = pass ? a->pub.libs : a->pub.members;

		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < tlc_policy_count(); k++) {
				const struct tlc_policy *p = tlc_policy_at(k);

				if ((rc = judge_versions(a, &fs[i], p,
							 false)) < 0)
					goto nomem;
				if (!rc) {
					fs[i].best = p;
					break;
				}
			}
		}
	}
	for (size_t k = 0; k < tlc_policy_count(); k++) {
		const struct tlc_policy *p = tlc_policy_at(k);
		struct tlc_audit_block *b;

		if (!in_scope(a, p))
			continue;
		if ((rc = judge(a, p, NULL)) < 0)
			goto nomem;
		if (!a->nwhy) {
			if (!a->pub.best)
				a->pub.best = p;
		} else if (!a->pub.best) {
			if (grow(&a->pub.blocks, &a->ablocks, a->pub.nblocks,
				 sizeof(*a->pub.blocks)) < 0)
				goto nomem;
			b = &a->pub.blocks[a->pub.nblocks++];
			b->policy = p;
			b->nwhy = a->nwhy;
			if (!(b->why = malloc((a->nwhy + 1) * sizeof(char *))))
				goto nomem;
			memcpy(b->why, a->why, a->nwhy * sizeof(char *));
			b->why[a->nwhy] = NULL;
		}
		if (!a->pub.repaired) {
			if ((rc = tlc__audit_plan(&a->pub, p, &plan, err)) < 0)
				return rc;
			if (!plan.nwhy)
				a->pub.repaired = p;
			else if (merge_why(a, p, plan.why, plan.nwhy) < 0)
				rc = TLC_ENOMEM;
			tlc__audit_plan_release(&plan);
			if (rc < 0)
				goto nomem;
		}
	}
	for (size_t i = 0; i < a->pub.nblocks; i++) {
		/* only grafting stands in the way when repair reaches it */
		a->pub.blocks[i].repairable = a->pub.repaired &&
			!tlc_audit_policy_better(a->pub.blocks[i].policy,
						 a->pub.repaired);
	}
	return 0;
nomem:
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

/* ---- the audit ---------------------------------------------------------- */

static void report(const struct audit *a, uint64_t done, uint64_t total,
		   int finished)
{
	struct tlc_progress pr;

	if (!a->opts->progress)
		return;
	pr.step = "audit";
	pr.item = basename_of(a->pub.wheel);
	pr.done = done;
	pr.total = total;
	pr.finished = finished;
	a->opts->progress(&pr, a->opts->progress_data);
}

/* Keep a->borrowed as long as a->pub.members (@old: its length before). */
static int grow_borrowed(struct audit *a, size_t old)
{
	bool *b = realloc(a->borrowed, a->amembers * sizeof(*b));

	if (!b)
		return TLC_ENOMEM;
	memset(b + old, 0, (a->amembers - old) * sizeof(*b));
	a->borrowed = b;
	return 0;
}

/*
 * Is member @e the same as one of opts->reuse's wheel (name, CRC-32,
 * sizes)?  Then its ELF view is that one's: *@elf, or NULL when it is no
 * ELF file.  @return 1 if so, else 0
 */
static int reused(const struct audit *a, const struct tlc_zip_entry *e,
		  struct tlc_elf **elf)
{
	const struct tlc_audit *prev = a->opts->reuse;
	const struct tlc_zip_entry *pe;

	*elf = NULL;
	if (!prev || !(pe = tlc_zip_reader_find(tlc_wheel_reader_zip(
			((const struct audit *)prev)->wr), e->name)) ||
	    pe->crc32 != e->crc32 || pe->size != e->size)
		return 0;
	for (size_t i = 0; i < prev->nmembers; i++)
		if (!strcmp(prev->members[i].name, e->name))
			*elf = prev->members[i].elf;
	return 1;
}

static int read_members(struct audit *a, struct tlc_error *err)
{
	const struct tlc_zip_reader *zr = tlc_wheel_reader_zip(a->wr);
	size_t n = tlc_zip_reader_count(zr);
	uint64_t total = 0, done = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		total += tlc_zip_reader_entry(zr, i)->size;
	a->total = total;
	report(a, 0, total, 0);
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(zr, i);
		struct tlc_audit_elf *m;
		struct tlc_elf *elf;

		bool borrowed = false;
		size_t cap;

		rc = reused(a, e, &elf);
		if (rc == 1) {
			borrowed = elf != NULL;
			rc = elf != NULL;
		} else if ((rc = read_member_elf(&elf, zr, e, err)) < 0) {
			tlc_error_prefix(err, "%s", basename_of(a->pub.wheel));
			return rc;
		}
		done += e->size;
		if (rc == 0)
			continue;
		cap = a->amembers;
		if (grow(&a->pub.members, &a->amembers, a->pub.nmembers,
			 sizeof(*a->pub.members)) < 0 ||
		    (cap != a->amembers &&
		     grow_borrowed(a, cap) < 0)) {
			if (!borrowed)
				tlc_elf_free(elf);
			return tlc_error_set(err, TLC_ENOMEM, "out of memory");
		}
		a->borrowed[a->pub.nmembers] = borrowed;
		m = &a->pub.members[a->pub.nmembers++];
		memset(m, 0, sizeof(*m));
		m->name = e->name;
		m->elf = elf;
		m->arch = tlc_elf_arch(elf);
		if (!a->pub.arch) {
			a->pub.arch = m->arch;
		} else if (!m->arch || strcmp(m->arch, a->pub.arch)) {
			return tlc_error_set(err, TLC_EPOLICY,
					     "%s: %s is for %s, but %s is for "
					     "%s: a wheel has one architecture",
					     basename_of(a->pub.wheel), m->name,
					     m->arch ? m->arch : "an unknown "
					     "machine", a->pub.members[0].name,
					     a->pub.arch);
		}
		report(a, done, total, 0);
	}
	a->pub.pure = a->pub.nmembers == 0;
	if (a->pub.nmembers && !a->pub.arch)
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s: %s is for a machine manylinux does "
				     "not know (e_machine %u)",
				     basename_of(a->pub.wheel),
				     a->pub.members[0].name,
				     a->pub.members[0].elf->machine);
	return 0;
}

int tlc_audit_wheel(struct tlc_audit **out, const char *path,
		    const struct tlc_audit_opts *opts, struct tlc_error *err)
{
	static const struct tlc_audit_opts defaults = TLC_AUDIT_OPTS_INIT;
	struct audit *a;
	int rc;

	*out = NULL;
	if (!(a = calloc(1, sizeof(*a))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	a->opts = opts ? opts : &defaults;
	if (!(a->pub.wheel = keep(a, path)))
		goto nomem;
	for (size_t i = 0; a->opts->exclude && a->opts->exclude[i]; i++) {
		const char *why = keepf(a, "excluded by '%s'",
					a->opts->exclude[i]);

		if (!why || add_excl(a, a->opts->exclude[i], why) < 0)
			goto nomem;
	}
	for (size_t i = 0; a->opts->provided && a->opts->provided[i]; i++)
		if (add_excl(a, a->opts->provided[i],
			     "provided by a dependency") < 0)
			goto nomem;
	if ((rc = tlc_wheel_reader_open(&a->wr, path, err)) < 0)
		goto fail;
	if ((rc = recorded_exclusions(a, err)) < 0) {
		tlc_error_prefix(err, "%s", basename_of(path));
		goto fail;
	}
	if ((rc = read_members(a, err)) < 0)
		goto fail;
	if ((rc = host_dirs(a)) < 0)
		goto nomem;
	for (size_t i = 0; i < a->pub.nmembers; i++)
		if ((rc = resolve(a, i, true, err)) < 0)
			goto fail;
	for (size_t i = 0; i < a->pub.nlibs; i++)	/* grows as it goes */
		if ((rc = resolve(a, i, false, err)) < 0)
			goto fail;
	if ((rc = verdicts(a, err)) < 0)
		goto fail;
	report(a, a->total, a->total, 1);
	*out = &a->pub;
	return 0;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
fail:
	tlc_audit_free(&a->pub);
	return rc;
}

void tlc_audit_free(struct tlc_audit *pub)
{
	struct audit *a = (struct audit *)pub;

	if (!a)
		return;
	for (size_t i = 0; i < a->pub.nmembers; i++) {
		if (!a->borrowed[i])
			tlc_elf_free(a->pub.members[i].elf);
		free(a->pub.members[i].deps);
	}
	for (size_t i = 0; i < a->pub.nlibs; i++) {
		tlc_elf_free(a->pub.libs[i].elf);
		free(a->pub.libs[i].deps);
	}
	for (size_t i = 0; i < a->pub.nblocks; i++)
		free(a->pub.blocks[i].why);
	free(a->pub.members);
	free(a->pub.libs);
	free(a->pub.blocks);
	free(a->pub.excluded_recorded);
	for (size_t i = 0; i < a->npool; i++)
		free(a->pool[i]);
	free(a->pool);
	free(a->dirs);
	free(a->excl);
	free(a->why);
	free(a->borrowed);
	tlc_wheel_reader_free(a->wr);
	free(a);
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_file(const struct tlc_audit_elf *f)
{
	json_t *o = json_object(), *deps = json_array(), *vers = json_object(),
	       *needed = json_array();
	const struct tlc_elf *e = f->elf;

	json_object_set_new(o, "file", jstr(f->name));
	json_object_set_new(o, "class", json_integer(e->cls));
	json_object_set_new(o, "machine", jstr(f->arch));
	json_object_set_new(o, "e_machine", json_integer(e->machine));
	json_object_set_new(o, "soname", jstr(e->soname));
	json_object_set_new(o, "rpath", jstr(e->rpath));
	json_object_set_new(o, "runpath", jstr(e->runpath));
	for (size_t i = 0; i < e->nneeded; i++)
		json_array_append_new(needed, json_string(e->needed[i]));
	json_object_set_new(o, "needed", needed);
	for (size_t i = 0; i < e->nverneed; i++) {
		json_t *v = json_array();

		for (size_t k = 0; k < e->verneed[i].n; k++)
			json_array_append_new(v, json_string(
				e->verneed[i].versions[k]));
		json_object_set_new(vers, e->verneed[i].file, v);
	}
	json_object_set_new(o, "versions", vers);
	for (size_t i = 0; i < f->ndeps; i++) {
		const struct tlc_audit_dep *d = &f->deps[i];
		json_t *j = json_object();

		json_object_set_new(j, "name", jstr(d->name));
		json_object_set_new(j, "where",
				    json_string(tlc_audit_where_name(d->where)));
		json_object_set_new(j, "path", jstr(d->path));
		if (d->why)
			json_object_set_new(j, "why", jstr(d->why));
		json_array_append_new(deps, j);
	}
	json_object_set_new(o, "libraries", deps);
	json_object_set_new(o, "best", jstr(f->best ? f->best->name : NULL));
	json_object_set_new(o, "system", json_boolean(f->system));
	return o;
}

int tlc_audit_json(const struct tlc_audit *a, struct tlc_buf *out,
		   struct tlc_error *err)
{
	json_t *o = json_object(), *members = json_array(), *libs = json_array(),
	       *blocks = json_array();
	char tag[256];
	char *s = NULL;
	int rc = 0;

	if (!o || !members || !libs || !blocks)
		goto nomem;
	json_object_set_new(o, "wheel", jstr(a->wheel));
	json_object_set_new(o, "pure", json_boolean(a->pure));
	json_object_set_new(o, "arch", jstr(a->arch));
	json_object_set_new(o, "policy", jstr(a->best ? a->best->name : NULL));
	if (a->best && a->arch &&
	    tlc_policy_platform_tag(a->best, a->arch, tag, sizeof(tag)) >= 0)
		json_object_set_new(o, "platform_tag", json_string(tag));
	json_object_set_new(o, "repair_policy",
			    jstr(a->repaired ? a->repaired->name : NULL));
	for (size_t i = 0; i < a->nmembers; i++)
		json_array_append_new(members, json_file(&a->members[i]));
	for (size_t i = 0; i < a->nlibs; i++)
		json_array_append_new(libs, json_file(&a->libs[i]));
	for (size_t i = 0; i < a->nblocks; i++) {
		json_t *b = json_object(), *why = json_array();

		json_object_set_new(b, "policy",
				    json_string(a->blocks[i].policy->name));
		json_object_set_new(b, "repairable",
				    json_boolean(a->blocks[i].repairable));
		for (size_t k = 0; k < a->blocks[i].nwhy; k++)
			json_array_append_new(why,
					      json_string(a->blocks[i].why[k]));
		json_object_set_new(b, "why", why);
		json_array_append_new(blocks, b);
	}
	json_object_set_new(o, "files", members);
	json_object_set_new(o, "external", libs);
	json_object_set_new(o, "missed", blocks);
	members = libs = blocks = NULL;
	if (!(s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
		goto nomem;
	if (tlc_buf_puts(out, s) < 0 || tlc_buf_putc(out, '\n') < 0)
		goto nomem;
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	free(s);
	json_decref(members);
	json_decref(libs);
	json_decref(blocks);
	json_decref(o);
	return rc;
}
