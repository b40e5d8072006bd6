/*
 * Wheels (PEP 427 and the binary distribution format spec,
 * https://packaging.python.org/en/latest/specifications/
 * binary-distribution-format/), their RECORD (PEP 376, and
 * https://packaging.python.org/en/latest/specifications/
 * recording-installed-packages/) and core metadata
 * (https://packaging.python.org/en/latest/specifications/core-metadata/).
 *
 * The writer collects members, then at finish sorts them (by name, the
 * .dist-info directory last), hands them to the zip writer, and adds
 * RECORD, built from the SHA-256 sums the zip writer computed while
 * compressing, as the very last member.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "text.h"		/* tlc__b64_value, tlc__b64url_put */
#include "tlcpack/names.h"
#include "tlcpack/pep440.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"

#include "banned.h"

#define WHEEL_FILE_MAX ((size_t)64 << 10)	/* WHEEL, when repacking */
#define METADATA_MAX ((size_t)16 << 20)	/* METADATA, when repacking */

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

/* Whether @len bytes at @s are all printable ASCII, which a one-line
 * message can quote; the fields checked with it must be ASCII anyway. */
static bool printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* ---- METADATA ----------------------------------------------------------- */

static int put_field(struct tlc_buf *out, const char *key, const char *val,
		     struct tlc_error *err)
{
	if (!val)
		return 0;
	if (strpbrk(val, "\r\n"))
		return tlc_error_set(err, TLC_EPOLICY,
				     "metadata field '%s' has a line break",
				     key);
	if (tlc_buf_printf(out, "%s: %s\n", key, val) < 0)
		return oom(err);
	return 0;
}

static int put_fields(struct tlc_buf *out, const char *key,
		      const char *const *vals, struct tlc_error *err)
{
	int rc;

	for (size_t i = 0; vals && vals[i]; i++)
		if ((rc = put_field(out, key, vals[i], err)) < 0)
			return rc;
	return 0;
}

/* A multi-line field: continuation lines indented by 8 spaces, as
 * setuptools' rfc822_escape() writes them. */
static int put_folded(struct tlc_buf *out, const char *key, const char *val,
		      struct tlc_error *err)
{
	if (!val)
		return 0;
	if (strchr(val, '\r'))
		return tlc_error_set(err, TLC_EPOLICY,
				     "metadata field '%s' has a carriage "
				     "return", key);
	if (tlc_buf_printf(out, "%s: ", key) < 0)
		return oom(err);
	for (const char *p = val; *p; p++)
		if (tlc_buf_putc(out, *p) < 0 ||
		    (*p == '\n' && tlc_buf_puts(out, "        ") < 0))
			return oom(err);
	if (tlc_buf_putc(out, '\n') < 0)
		return oom(err);
	return 0;
}

int tlc_metadata_format(struct tlc_buf *out, const struct tlc_metadata *m,
			struct tlc_error *err)
{
	struct tlc_pep440 v;
	size_t start = out->len;
	int rc;

	if (!m->name || !*m->name)
		return tlc_error_set(err, TLC_EPOLICY,
				     "metadata has no project name");
	if (!tlc_name_valid(m->name))
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a valid project name "
				     "(PEP 508)", m->name);
	if (!m->version || !*m->version)
		return tlc_error_set(err, TLC_EPOLICY,
				     "metadata has no version");
	if ((rc = tlc_pep440_parse(&v, m->version, err)) < 0)
		return rc;
	/* the order setuptools writes, Metadata-Version 2.1 (PEP 566) */
	if (tlc_buf_puts(out, "Metadata-Version: 2.1\n") < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = put_field(out, "Name", m->name, err)) < 0 ||
	    (rc = put_field(out, "Version", m->version, err)) < 0 ||
	    (rc = put_field(out, "Summary", m->summary, err)) < 0 ||
	    (rc = put_field(out, "Author", m->author, err)) < 0 ||
	    (rc = put_field(out, "Author-email", m->author_email, err)) < 0 ||
	    (rc = put_folded(out, "License", m->license, err)) < 0 ||
	    (rc = put_fields(out, "Project-URL", m->project_urls, err)) < 0 ||
	    (rc = put_fields(out, "Classifier", m->classifiers, err)) < 0 ||
	    (rc = put_field(out, "Requires-Python", m->requires_python,
			    err)) < 0 ||
	    (rc = put_field(out, "Description-Content-Type",
			    m->description_content_type, err)) < 0 ||
	    (rc = put_fields(out, "License-File", m->license_files, err)) < 0 ||
	    (rc = put_fields(out, "Requires-Dist", m->requires_dist, err)) < 0)
		goto out;
	/* Metadata 2.1: the description is the message body */
	if (m->description) {
		size_t n = strlen(m->description);

		if (tlc_buf_putc(out, '\n') < 0 ||
		    tlc_buf_put(out, m->description, n) < 0 ||
		    ((n == 0 || m->description[n - 1] != '\n') &&
		     tlc_buf_putc(out, '\n') < 0))
			rc = oom(err);
	}
out:
	if (rc < 0)
		tlc_buf_truncate(out, start);
	return rc;
}

/* ---- the writer --------------------------------------------------------- */

struct wmember {
	char *arcname;
	char *path;		/* NULL: data */
	unsigned char *data;
	size_t len;
	unsigned mode;
	bool dist_info;		/* in the .dist-info directory */
	const struct tlc_zip_reader *zr;	/* copied raw from this */
	const struct tlc_zip_entry *ze;
	unsigned char sha256[32];	/* of a raw member */
};

struct tlc_wheel_writer {
	int level;
	unsigned threads;
	int64_t epoch;
	tlc_progress_cb progress;
	void *progress_data;
	bool purelib;
	char *python, *abi, *platform, *build, *generator, *outdir;
	char *wheel_text;	/* verbatim WHEEL, when repacking */
	struct tlc_buf filename;	/* "{name}-{ver}-...whl" */
	struct tlc_buf dist_info;	/* "{name}-{ver}.dist-info" */
	struct tlc_buf path;		/* outdir/filename */
	struct tlc_buf tmp;		/* the temporary file, while open */
	int fd;
	struct wmember *m;
	size_t n, alloc;
	bool done;
};

static char *dup_or_null(const char *s, bool *bad)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*bad = true;
	return d;
}

int tlc_wheel_writer_new(struct tlc_wheel_writer **out,
			 const struct tlc_wheel_opts *opts,
			 struct tlc_error *err)
{
	struct tlc_wheel_writer *w;
	bool bad = false;
	char *dash;
	int rc;

	*out = NULL;
	if (!opts->name || !opts->version || !opts->python_tag ||
	    !opts->abi_tag || !opts->platform_tag)
		return tlc_error_set(err, TLC_EPOLICY,
				     "a wheel needs a name, a version and "
				     "three tags");
	if (opts->level < 0 || opts->level > 9)
		return tlc_error_set(err, TLC_EPOLICY,
				     "deflate level %d is not 0 to 9",
				     opts->level);
	if (!(w = calloc(1, sizeof(*w))))
		return oom(err);
	w->fd = -1;
	tlc_buf_init(&w->filename, 0);
	tlc_buf_init(&w->dist_info, 0);
	tlc_buf_init(&w->path, 0);
	tlc_buf_init(&w->tmp, 0);
	w->level = opts->level;
	w->threads = opts->threads;
	w->epoch = opts->epoch;
	w->progress = opts->progress;
	w->progress_data = opts->progress_data;
	w->purelib = opts->purelib;
	w->python = dup_or_null(opts->python_tag, &bad);
	w->abi = dup_or_null(opts->abi_tag, &bad);
	w->platform = dup_or_null(opts->platform_tag, &bad);
	w->build = dup_or_null(opts->build_tag, &bad);
	w->generator = dup_or_null(opts->generator, &bad);
	w->outdir = dup_or_null(opts->outdir ? opts->outdir : ".", &bad);
	if (bad) {
		rc = oom(err);
		goto fail;
	}
	if ((rc = tlc_wheel_filename_format(&w->filename, opts->name,
					    opts->version, opts->build_tag,
					    opts->python_tag, opts->abi_tag,
					    opts->platform_tag, err)) < 0)
		goto fail;
	/* "{escaped name}-{normalized version}", neither holding a '-' */
	dash = strchr(strchr(w->filename.ptr, '-') + 1, '-');
	if (tlc_buf_put(&w->dist_info, w->filename.ptr,
			(size_t)(dash - w->filename.ptr)) < 0 ||
	    tlc_buf_puts(&w->dist_info, ".dist-info") < 0 ||
	    tlc__fs_join(&w->path, w->outdir, w->filename.ptr) < 0) {
		rc = oom(err);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	tlc_wheel_writer_free(w);
	return rc;
}

static int check_open(const struct tlc_wheel_writer *w, const char *what,
		      struct tlc_error *err)
{
	if (w->done)
		return tlc_error_set(err, TLC_ERROR,
				     "cannot add '%s': wheel '%s' is finished",
				     what, w->filename.ptr);
	return 0;
}

/* Names the user adds: safe, and outside every .dist-info directory. */
static int check_name(const struct tlc_wheel_writer *w, const char *arcname,
		      struct tlc_error *err)
{
	const char *slash;
	size_t first;
	int rc;

	if ((rc = check_open(w, arcname, err)) < 0 ||
	    (rc = tlc_zip_name_check(arcname, err)) < 0)
		return rc;
	slash = strchr(arcname, '/');
	first = slash ? (size_t)(slash - arcname) : strlen(arcname);
	if (first == w->dist_info.len &&
	    !memcmp(arcname, w->dist_info.ptr, first))
		return tlc_error_set(err, TLC_EPOLICY,
				     "member '%s' lies in the .dist-info "
				     "directory, which tlcpack writes",
				     arcname);
	if (first >= 10 && !strncasecmp(arcname + first - 10, ".dist-info", 10))
		return tlc_error_set(err, TLC_EPOLICY,
				     "member '%s' makes a second .dist-info "
				     "directory", arcname);
	return 0;
}

static int push(struct tlc_wheel_writer *w, const char *arcname,
		const char *path, const void *data, size_t len, unsigned mode,
		bool dist_info, struct tlc_error *err)
{
	struct wmember *m;

	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		struct wmember *nm = realloc(w->m, na * sizeof(*nm));

		if (!nm)
			return oom(err);
		w->m = nm;
		w->alloc = na;
	}
	m = &w->m[w->n];
	memset(m, 0, sizeof(*m));
	m->mode = (mode & 0111) ? 0755 : 0644;
	m->dist_info = dist_info;
	m->len = len;
	if (dist_info) {
		struct tlc_buf b = TLC_BUF_INIT;

		if (tlc_buf_printf(&b, "%s/%s", w->dist_info.ptr, arcname) < 0)
			return oom(err);
		m->arcname = tlc_buf_detach(&b, NULL);
	} else {
		m->arcname = strdup(arcname);
	}
	if (!m->arcname)
		return oom(err);
	if (path && !(m->path = strdup(path))) {
		free(m->arcname);
		return oom(err);
	}
	if (!path && !data) {
		w->n++;		/* a raw member: push_raw() fills it */
		return 0;
	}
	if (!path && !(m->data = malloc(len ? len : 1))) {
		free(m->arcname);
		return oom(err);
	}
	if (!path && len)
		memcpy(m->data, data, len);
	w->n++;
	return 0;
}

/* Add the file at @path, after following symlinks: a regular file. */
static int push_file(struct tlc_wheel_writer *w, const char *arcname,
		     const char *path, bool dist_info, struct tlc_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot stat '%s'", path);
	if (!S_ISREG(st.st_mode))
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a regular file", path);
	return push(w, arcname, path, NULL, 0, st.st_mode, dist_info, err);
}

int tlc_wheel_add_file(struct tlc_wheel_writer *w, const char *arcname,
		       const char *path, struct tlc_error *err)
{
	int rc;

	if ((rc = check_name(w, arcname, err)) < 0)
		return rc;
	return push_file(w, arcname, path, false, err);
}

int tlc_wheel_add_data(struct tlc_wheel_writer *w, const char *arcname,
		       const void *data, size_t len, unsigned mode,
		       struct tlc_error *err)
{
	int rc;

	if ((rc = check_name(w, arcname, err)) < 0)
		return rc;
	return push(w, arcname, NULL, data ? data : "", len, mode, false, err);
}

int tlc_wheel_add_license(struct tlc_wheel_writer *w, const char *name,
			  const char *path, struct tlc_error *err)
{
	struct tlc_buf rel = TLC_BUF_INIT;
	int rc;

	/* PEP 639: licence files go under .dist-info/licenses/ */
	if ((rc = check_open(w, name, err)) < 0)
		return rc;
	if (tlc_buf_printf(&rel, "licenses/%s", name) < 0)
		return oom(err);
	if ((rc = tlc_zip_name_check(rel.ptr, err)) == 0)
		rc = push_file(w, rel.ptr, path, true, err);
	tlc_buf_release(&rel);
	return rc;
}

/* Add member @e of @zr, to be copied raw, with its RECORD digest. */
static int push_raw(struct tlc_wheel_writer *w, const char *arcname,
		    const struct tlc_zip_reader *zr,
		    const struct tlc_zip_entry *e, const unsigned char *sha256,
		    bool dist_info, struct tlc_error *err)
{
	struct wmember *m;
	int rc;

	assert(sha256);
	if ((rc = push(w, arcname, NULL, NULL, 0, e->mode, dist_info,
		       err)) < 0)
		return rc;
	m = &w->m[w->n - 1];
	m->zr = zr;
	m->ze = e;
	m->len = 0;
	memcpy(m->sha256, sha256, sizeof(m->sha256));
	return 0;
}

int tlc_wheel_add_raw(struct tlc_wheel_writer *w, const char *arcname,
		      const struct tlc_zip_reader *zr,
		      const struct tlc_zip_entry *e,
		      const unsigned char *sha256, struct tlc_error *err)
{
	int rc;

	if ((rc = check_name(w, arcname, err)) < 0)
		return rc;
	return push_raw(w, arcname, zr, e, sha256, false, err);
}

/* A name for the .dist-info directory that the writer does not write
 * itself (binary distribution format, "The .dist-info directory"). */
static int check_dist_info_name(const struct tlc_wheel_writer *w,
				const char *relname, struct tlc_error *err)
{
	static const char *const own[] = { "METADATA", "WHEEL", "RECORD",
					   "RECORD.jws", "RECORD.p7s", NULL };
	int rc;

	if ((rc = check_open(w, relname, err)) < 0 ||
	    (rc = tlc_zip_name_check(relname, err)) < 0)
		return rc;
	for (size_t i = 0; own[i]; i++)
		if (!strcmp(relname, own[i]))
			return tlc_error_set(err, TLC_EPOLICY,
					     "'%s' in the .dist-info directory "
					     "is written by tlcpack", relname);
	return 0;
}

int tlc_wheel_add_dist_info_raw(struct tlc_wheel_writer *w,
				const char *relname,
				const struct tlc_zip_reader *zr,
				const struct tlc_zip_entry *e,
				const unsigned char *sha256,
				struct tlc_error *err)
{
	int rc;

	if ((rc = check_dist_info_name(w, relname, err)) < 0)
		return rc;
	return push_raw(w, relname, zr, e, sha256, true, err);
}

int tlc_wheel_add_dist_info_data(struct tlc_wheel_writer *w,
				 const char *relname, const void *data,
				 size_t len, struct tlc_error *err)
{
	int rc;

	if ((rc = check_dist_info_name(w, relname, err)) < 0)
		return rc;
	return push(w, relname, NULL, data ? data : "", len, 0644, true, err);
}

/*
 * Walk @dir (whose resolved form is @root) and add what it holds under
 * @prefix.  Symlinks must resolve to regular files inside @root.  At the
 * top level, @skip is left out.  Members land in the .dist-info directory
 * when @dist_info, where names in @reserved are left out.
 */
struct walk {
	struct tlc_wheel_writer *w;
	const char *root;
	bool dist_info;
};

static const char *const reserved[] = { "METADATA", "WHEEL", "RECORD",
					NULL };

static bool is_reserved(const char *rel)
{
	for (size_t i = 0; reserved[i]; i++)
		if (!strcmp(rel, reserved[i]))
			return true;
	return false;
}

static int walk_dir(struct walk *k, const char *dir, const char *prefix,
		    const char *skip, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, rel = TLC_BUF_INIT;
	struct tlc_buf real = TLC_BUF_INIT;
	DIR *d;
	int rc = 0;

	if (!(d = opendir(dir)))
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot open directory "
					    "'%s'", dir);
	for (;;) {
		struct dirent *e;
		struct stat st;

		errno = 0;
		if (!(e = readdir(d))) {
			if (errno)
				rc = tlc_error_errno(err, TLC_EIO,
						     "cannot read directory "
						     "'%s'", dir);
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (skip && !strcmp(e->d_name, skip)))
			continue;
		if (tlc__fs_join(&path, dir, e->d_name) < 0 ||
		    tlc__fs_join(&rel, prefix, e->d_name) < 0) {
			rc = oom(err);
			break;
		}
		if (lstat(path.ptr, &st) < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'",
					     path.ptr);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			size_t rl = strlen(k->root);

			tlc_buf_reset(&real);
			if ((rc = tlc__fs_realpath(&real, path.ptr, err)) < 0)
				break;
			if (strncmp(real.ptr, k->root, rl) ||
			    (rl > 1 && real.ptr[rl] != '/' &&
			     real.ptr[rl] != '\0')) {
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "symlink '%s' points outside "
						   "'%s'", path.ptr, k->root);
				break;
			}
			if (stat(real.ptr, &st) < 0) {
				rc = tlc_error_errno(err, TLC_EIO,
						     "cannot stat '%s'",
						     real.ptr);
				break;
			}
			if (!S_ISREG(st.st_mode)) {
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "symlink '%s' does not point "
						   "to a regular file",
						   path.ptr);
				break;
			}
		} else if (S_ISDIR(st.st_mode)) {
			if ((rc = walk_dir(k, path.ptr, rel.ptr, NULL, err)) <
			    0)
				break;
			continue;
		} else if (!S_ISREG(st.st_mode)) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "'%s' is not a regular file or a "
					   "directory", path.ptr);
			break;
		}
		if (k->dist_info) {
			if (is_reserved(rel.ptr))
				continue;
			if ((rc = tlc_zip_name_check(rel.ptr, err)) < 0 ||
			    (rc = push(k->w, rel.ptr, path.ptr, NULL, 0,
				       st.st_mode, true, err)) < 0)
				break;
		} else {
			if ((rc = check_name(k->w, rel.ptr, err)) < 0 ||
			    (rc = push(k->w, rel.ptr, path.ptr, NULL, 0,
				       st.st_mode, false, err)) < 0)
				break;
		}
	}
	closedir(d);
	tlc_buf_release(&path);
	tlc_buf_release(&rel);
	tlc_buf_release(&real);
	return rc;
}

static int walk_tree(struct tlc_wheel_writer *w, const char *dir,
		     const char *prefix, const char *skip, bool dist_info,
		     struct tlc_error *err)
{
	struct tlc_buf root = TLC_BUF_INIT;
	struct walk k;
	int rc;

	if ((rc = tlc__fs_realpath(&root, dir, err)) < 0)
		return rc;
	k.w = w;
	k.root = root.ptr;
	k.dist_info = dist_info;
	rc = walk_dir(&k, dir, prefix, skip, err);
	tlc_buf_release(&root);
	return rc;
}

int tlc_wheel_add_tree(struct tlc_wheel_writer *w, const char *dir,
		       const char *prefix, struct tlc_error *err)
{
	int rc;

	if ((rc = check_open(w, dir, err)) < 0)
		return rc;
	return walk_tree(w, dir, prefix ? prefix : "", NULL, false, err);
}

/* ---- finishing ---------------------------------------------------------- */

static int member_cmp(const void *a, const void *b)
{
	const struct wmember *x = a, *y = b;

	if (x->dist_info != y->dist_info)
		return x->dist_info ? 1 : -1;
	return strcmp(x->arcname, y->arcname);
}

/* After sorting: no name twice, and no name that is both a file and a
 * directory ("a/b" and "a/b/c"), which no installer could lay out.  The
 * names under "a/b/" sort together, right at or after the first name not
 * below "a/b/". */
static int check_unique(const struct tlc_wheel_writer *w,
			struct tlc_error *err)
{
	struct tlc_buf key = TLC_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < w->n && rc == 0; i++) {
		const struct wmember *a = &w->m[i];
		size_t lo = i + 1, hi = w->n;

		if (i + 1 < w->n && !strcmp(a->arcname, w->m[i + 1].arcname)) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "member '%s' is added twice",
					   a->arcname);
			break;
		}
		if (tlc_buf_sets(&key, a->arcname) < 0 ||
		    tlc_buf_putc(&key, '/') < 0) {
			rc = oom(err);
			break;
		}
		while (hi > lo && w->m[hi - 1].dist_info != a->dist_info)
			hi--;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(w->m[mid].arcname, key.ptr) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < w->n && w->m[lo].dist_info == a->dist_info &&
		    !strncmp(w->m[lo].arcname, key.ptr, key.len))
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "member '%s' is both a file and a "
					   "directory", a->arcname);
	}
	tlc_buf_release(&key);
	return rc;
}

/* WHEEL (binary distribution format, "The .dist-info directory"): one
 * Tag line for each combination of the compressed tag sets. */
static int make_wheel_file(struct tlc_buf *out, const struct tlc_wheel_writer *w)
{
	const char *py, *abi, *plat;
	size_t lp, la, ll;

	if (tlc_buf_printf(out, "Wheel-Version: 1.0\nGenerator: %s\n"
			   "Root-Is-Purelib: %s\n",
			   w->generator ? w->generator : "tlcpack " TLC_VERSION,
			   w->purelib ? "true" : "false") < 0)
		return TLC_ENOMEM;
	for (py = w->python; *py; py += lp + (py[lp] == '.')) {
		lp = strcspn(py, ".");
		for (abi = w->abi; *abi; abi += la + (abi[la] == '.')) {
			la = strcspn(abi, ".");
			for (plat = w->platform; *plat;
			     plat += ll + (plat[ll] == '.')) {
				ll = strcspn(plat, ".");
				if (tlc_buf_printf(out, "Tag: %.*s-%.*s-%.*s\n",
						   (int)lp, py, (int)la, abi,
						   (int)ll, plat) < 0)
					return TLC_ENOMEM;
			}
		}
	}
	if (w->build && *w->build &&
	    tlc_buf_printf(out, "Build: %s\n", w->build) < 0)
		return TLC_ENOMEM;
	return tlc_buf_putc(out, '\n');
}

/* A CSV field as Python's csv module writes it (QUOTE_MINIMAL). */
static int put_csv(struct tlc_buf *out, const char *s)
{
	int rc;

	if (!strpbrk(s, ",\"\r\n"))
		return tlc_buf_puts(out, s);
	if ((rc = tlc_buf_putc(out, '"')) < 0)
		return rc;
	for (; *s; s++)
		if ((*s == '"' && (rc = tlc_buf_putc(out, '"')) < 0) ||
		    (rc = tlc_buf_putc(out, *s)) < 0)
			return rc;
	return tlc_buf_putc(out, '"');
}

/* RECORD: "path,sha256=<urlsafe b64, no padding>,size" per member, then
 * RECORD's own line with empty hash and size. */
static int make_record(struct tlc_buf *out, const struct tlc_zip_writer *z,
		       const char *record_name)
{
	size_t n = tlc_zip_writer_count(z);

	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_writer_entry(z, i);

		assert(e->has_sha256);
		if (put_csv(out, e->name) < 0 ||
		    tlc_buf_puts(out, ",sha256=") < 0 ||
		    tlc__b64url_put(out, e->sha256, sizeof(e->sha256)) < 0 ||
		    tlc_buf_printf(out, ",%llu\n",
				   (unsigned long long)e->size) < 0)
			return TLC_ENOMEM;
	}
	if (put_csv(out, record_name) < 0 || tlc_buf_puts(out, ",,\n") < 0)
		return TLC_ENOMEM;
	return 0;
}

int tlc_wheel_writer_finish(struct tlc_wheel_writer *w, const char *metadata,
			    struct tlc_buf *path, struct tlc_error *err)
{
	struct tlc_zip_writer_opts zo = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_zip_writer *z = NULL;
	struct tlc_buf wheel = TLC_BUF_INIT, record = TLC_BUF_INIT;
	struct tlc_buf rname = TLC_BUF_INIT;
	int rc;

	if (w->done)
		return tlc_error_set(err, TLC_ERROR,
				     "wheel '%s' is already finished",
				     w->filename.ptr);
	w->done = true;
	if (!metadata)
		return tlc_error_set(err, TLC_EPOLICY,
				     "wheel '%s' has no METADATA",
				     w->filename.ptr);
	if (!w->wheel_text && make_wheel_file(&wheel, w) < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = push(w, "METADATA", NULL, metadata, strlen(metadata), 0644,
		       true, err)) < 0 ||
	    (rc = push(w, "WHEEL", NULL,
		       w->wheel_text ? w->wheel_text : wheel.ptr,
		       w->wheel_text ? strlen(w->wheel_text) : wheel.len,
		       0644, true, err)) < 0)
		goto out;
	qsort(w->m, w->n, sizeof(*w->m), member_cmp);
	if ((rc = check_unique(w, err)) < 0)
		goto out;

	if ((rc = tlc__fs_mkdir_p(w->outdir, 0755, err)) < 0)
		goto out;
	if ((w->fd = tlc__fs_tmpfile(&w->tmp, w->path.ptr, 0644, err)) < 0) {
		rc = w->fd;
		w->fd = -1;
		goto out;
	}
	zo.level = w->level;
	zo.threads = w->threads;
	zo.epoch = w->epoch;
	zo.sha256 = true;
	zo.name = w->filename.ptr;
	zo.progress = w->progress;
	zo.progress_data = w->progress_data;
	zo.progress_step = "pack";
	if ((rc = tlc_zip_writer_new(&z, w->fd, &zo, err)) < 0)
		goto out;
	for (size_t i = 0; i < w->n; i++) {
		const struct wmember *m = &w->m[i];

		if (m->zr)
			rc = tlc_zip_add_raw(z, m->arcname, m->zr, m->ze,
					     m->sha256, m->mode, err);
		else if (m->path)
			rc = tlc_zip_add_file(z, m->arcname, m->path, m->mode,
					      err);
		else
			rc = tlc_zip_add_data(z, m->arcname, m->data, m->len,
					      m->mode, err);
		if (rc < 0)
			goto out;
	}
	if ((rc = tlc_zip_writer_flush(z, err)) < 0)
		goto out;
	if (tlc_buf_printf(&rname, "%s/RECORD", w->dist_info.ptr) < 0 ||
	    make_record(&record, z, rname.ptr) < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = tlc_zip_add_data(z, rname.ptr, record.ptr, record.len, 0644,
				   err)) < 0 ||
	    (rc = tlc_zip_writer_finish(z, NULL, err)) < 0)
		goto out;
	rc = tlc__fs_commit(w->fd, w->tmp.ptr, w->path.ptr, err);
	w->fd = -1;
	tlc_buf_reset(&w->tmp);
	if (rc == 0 && tlc_buf_puts(path, w->path.ptr) < 0)
		rc = oom(err);
out:
	tlc_zip_writer_free(z);
	tlc_buf_release(&wheel);
	tlc_buf_release(&record);
	tlc_buf_release(&rname);
	return rc;
}

void tlc_wheel_writer_free(struct tlc_wheel_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp.len)
		unlink(w->tmp.ptr);
	for (size_t i = 0; i < w->n; i++) {
		free(w->m[i].arcname);
		free(w->m[i].path);
		free(w->m[i].data);
	}
	free(w->m);
	free(w->python);
	free(w->abi);
	free(w->platform);
	free(w->build);
	free(w->generator);
	free(w->outdir);
	free(w->wheel_text);
	tlc_buf_release(&w->filename);
	tlc_buf_release(&w->dist_info);
	tlc_buf_release(&w->path);
	tlc_buf_release(&w->tmp);
	free(w);
}

/* ---- repacking ---------------------------------------------------------- */

/* A sorted set of strings, joined with '.' for a compressed tag set. */
struct strset {
	char **v;
	size_t n;
};

static int strset_add(struct strset *s, const char *p, size_t len)
{
	size_t i = 0;
	char **nv;
	int c = 1;

	while (i < s->n && (c = strncmp(s->v[i], p, len)) < 0)
		i++;
	if (i < s->n && c == 0 && s->v[i][len] == '\0')
		return 0;
	/* strncmp said "equal prefix" for a longer entry: it sorts after */
	if (!(nv = realloc(s->v, (s->n + 1) * sizeof(*nv))))
		return TLC_ENOMEM;
	s->v = nv;
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*nv));
	if (!(s->v[i] = strndup(p, len))) {
		memmove(s->v + i, s->v + i + 1, (s->n - i) * sizeof(*nv));
		return TLC_ENOMEM;
	}
	s->n++;
	return 0;
}

static int strset_join(struct tlc_buf *out, const struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		if ((i && tlc_buf_putc(out, '.') < 0) ||
		    tlc_buf_puts(out, s->v[i]) < 0)
			return TLC_ENOMEM;
	return 0;
}

static void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* The value of header line @line if its key is @key ("Tag"), else NULL.
 * @line ends at @end (the newline or end of text, CR stripped). */
static const char *header_value(const char *line, const char *end,
				const char *key, size_t *len)
{
	size_t kl = strlen(key);

	if ((size_t)(end - line) <= kl || strncasecmp(line, key, kl) ||
	    line[kl] != ':')
		return NULL;
	line += kl + 1;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
			      end[-1] == '\r'))
		end--;
	*len = (size_t)(end - line);
	return line;
}

struct unpacked {
	struct tlc_buf dist_info;	/* the directory's name */
	struct tlc_buf name, version;
	struct tlc_buf wheel, metadata;
	struct tlc_buf python, abi, platform;
	char *build;
	bool purelib;
};

/* Find the one .dist-info directory of @dir; split its name at the first
 * '-' before a digit, as `wheel pack` does. */
static int find_dist_info(struct unpacked *u, const char *dir,
			  struct tlc_error *err)
{
	struct tlc_buf p = TLC_BUF_INIT;
	DIR *d;
	int rc = 0;

	if (!(d = opendir(dir)))
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot open directory "
					    "'%s'", dir);
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);

		if (l <= 10 || strcmp(e->d_name + l - 10, ".dist-info"))
			continue;
		if (tlc__fs_join(&p, dir, e->d_name) < 0) {
			rc = oom(err);
			goto out;
		}
		if (!tlc__fs_is_dir(p.ptr))
			continue;
		if (u->dist_info.len) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "'%s' has two .dist-info "
					   "directories: '%s' and '%s'", dir,
					   u->dist_info.ptr, e->d_name);
			goto out;
		}
		if (tlc_buf_put(&u->dist_info, e->d_name, l) < 0) {
			rc = oom(err);
			goto out;
		}
	}
	if (!u->dist_info.len) {
		rc = tlc_error_set(err, TLC_ENOTFOUND,
				   "no .dist-info directory in '%s'", dir);
		goto out;
	}
	for (const unsigned char *s = (const unsigned char *)u->dist_info.ptr;
	     *s; s++)
		if (*s < 0x20 || *s == 0x7f) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "the .dist-info directory in '%s' "
					   "has a control character in its "
					   "name", dir);
			goto out;
		}
	for (const char *s = u->dist_info.ptr; *s; s++) {
		if (*s != '-' || s[1] < '0' || s[1] > '9' ||
		    s == u->dist_info.ptr)
			continue;
		if (tlc_buf_put(&u->name, u->dist_info.ptr,
				(size_t)(s - u->dist_info.ptr)) < 0 ||
		    tlc_buf_put(&u->version, s + 1,
				u->dist_info.len - 10 -
					(size_t)(s + 1 - u->dist_info.ptr)) < 0)
			rc = oom(err);
		goto out;
	}
	rc = tlc_error_set(err, TLC_EPOLICY,
			   "'%s' is not named {name}-{version}.dist-info",
			   u->dist_info.ptr);
out:
	closedir(d);
	tlc_buf_release(&p);
	return rc;
}

/* WHEEL's Tag lines give the filename's compressed tag sets, sorted, as
 * `wheel pack` builds them; Build gives the build tag. */
static int read_wheel_file(struct unpacked *u, const char *what,
			   struct tlc_error *err)
{
	struct strset py = { 0 }, abi = { 0 }, plat = { 0 };
	const char *line = u->wheel.ptr, *end = line + u->wheel.len;
	size_t ntags = 0;
	int rc = 0;

	if (memchr(u->wheel.ptr, '\0', u->wheel.len))
		return tlc_error_set(err, TLC_EPOLICY, "'%s' has a NUL byte",
				     what);
	while (line < end && rc == 0) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v, *d1, *d2;
		size_t len;

		if (!eol)
			eol = end;
		if ((v = header_value(line, eol, "Tag", &len))) {
			d1 = memchr(v, '-', len);
			d2 = d1 ? memchr(d1 + 1, '-', len - (size_t)(d1 + 1 - v))
				: NULL;
			if (!d1 || !d2 || d1 == v || d2 == d1 + 1 ||
			    d2 + 1 == v + len ||
			    memchr(d2 + 1, '-', len - (size_t)(d2 + 1 - v))) {
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "'%s': Tag '%.*s' is not "
						   "{python}-{abi}-{platform}",
						   what, (int)len, v);
				break;
			}
			if (strset_add(&py, v, (size_t)(d1 - v)) < 0 ||
			    strset_add(&abi, d1 + 1,
				       (size_t)(d2 - d1 - 1)) < 0 ||
			    strset_add(&plat, d2 + 1,
				       (size_t)(v + len - d2 - 1)) < 0)
				rc = oom(err);
			ntags++;
		} else if ((v = header_value(line, eol, "Build", &len))) {
			free(u->build);
			if (!(u->build = strndup(v, len)))
				rc = oom(err);
		} else if ((v = header_value(line, eol, "Root-Is-Purelib",
					     &len))) {
			u->purelib = len == 4 && !strncasecmp(v, "true", 4);
		}
		line = eol + 1;
	}
	if (rc == 0 && !ntags)
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "'%s' has no Tag lines: cannot name the "
				   "wheel", what);
	if (rc == 0 && (strset_join(&u->python, &py) < 0 ||
			strset_join(&u->abi, &abi) < 0 ||
			strset_join(&u->platform, &plat) < 0))
		rc = oom(err);
	strset_release(&py);
	strset_release(&abi);
	strset_release(&plat);
	return rc;
}

/* METADATA (@md) must give the Name and Version of the .dist-info
 * directory @dir, split as @dname and @dver. */
static int check_metadata(const struct tlc_buf *md, const char *dname,
			  const char *dver, const char *dir, const char *what,
			  struct tlc_error *err)
{
	struct tlc_buf name = TLC_BUF_INIT, ver = TLC_BUF_INIT;
	struct tlc_pep440 va, vb;
	const char *line = md->ptr;
	const char *end = line + md->len;
	int rc = 0;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v;
		size_t len;

		if (!eol)
			eol = end;
		if (eol == line || (eol == line + 1 && *line == '\r'))
			break;	/* the body starts */
		if (!name.len && (v = header_value(line, eol, "Name", &len)) &&
		    tlc_buf_put(&name, v, len) < 0)
			goto nomem;
		if (!ver.len && (v = header_value(line, eol, "Version", &len)) &&
		    tlc_buf_put(&ver, v, len) < 0)
			goto nomem;
		line = eol + 1;
	}
	if (!name.len || !ver.len) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' has no %s field",
				   what, name.len ? "Version" : "Name");
		goto out;
	}
	if (!printable(name.ptr, name.len) || !printable(ver.ptr, ver.len)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' has a Name or "
				   "Version that is not printable ASCII", what);
		goto out;
	}
	if (!tlc_name_equal(name.ptr, dname)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "'%s' names project '%s', but the "
				   "directory is '%s'", what, name.ptr,
				   dir);
		goto out;
	}
	if ((rc = tlc_pep440_parse(&va, ver.ptr, err)) < 0 ||
	    (rc = tlc_pep440_parse(&vb, dver, err)) < 0) {
		tlc_error_prefix(err, "'%s'", what);
		goto out;
	}
	if (tlc_pep440_cmp(&va, &vb))
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "'%s' says version '%s', but the directory "
				   "is '%s'", what, ver.ptr, dir);
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&name);
	tlc_buf_release(&ver);
	return rc;
}

static void unpacked_release(struct unpacked *u)
{
	tlc_buf_release(&u->dist_info);
	tlc_buf_release(&u->name);
	tlc_buf_release(&u->version);
	tlc_buf_release(&u->wheel);
	tlc_buf_release(&u->metadata);
	tlc_buf_release(&u->python);
	tlc_buf_release(&u->abi);
	tlc_buf_release(&u->platform);
	free(u->build);
}

int tlc_wheel_pack(struct tlc_buf *path, const char *dir,
		   const struct tlc_wheel_opts *opts, struct tlc_error *err)
{
	struct unpacked u = { .dist_info = TLC_BUF_INIT, .name = TLC_BUF_INIT,
			      .version = TLC_BUF_INIT,
			      .wheel = TLC_BUF_INIT_MAX(WHEEL_FILE_MAX),
			      .metadata = TLC_BUF_INIT_MAX(METADATA_MAX),
			      .python = TLC_BUF_INIT, .abi = TLC_BUF_INIT,
			      .platform = TLC_BUF_INIT };
	struct tlc_wheel_opts o = *opts;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_buf di = TLC_BUF_INIT, file = TLC_BUF_INIT;
	int rc;

	if ((rc = find_dist_info(&u, dir, err)) < 0)
		goto out;
	if (tlc__fs_join(&di, dir, u.dist_info.ptr) < 0) {
		rc = oom(err);
		goto out;
	}
	if (tlc__fs_join(&file, di.ptr, "WHEEL") < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = tlc_buf_read_file(&u.wheel, file.ptr, err)) < 0 ||
	    (rc = read_wheel_file(&u, file.ptr, err)) < 0)
		goto out;
	if (tlc__fs_join(&file, di.ptr, "METADATA") < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = tlc_buf_read_file(&u.metadata, file.ptr, err)) < 0)
		goto out;
	if (memchr(u.metadata.ptr, '\0', u.metadata.len)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' has a NUL byte",
				   file.ptr);
		goto out;
	}
	if ((rc = check_metadata(&u.metadata, u.name.ptr, u.version.ptr,
				  u.dist_info.ptr, file.ptr, err)) < 0)
		goto out;

	o.name = u.name.ptr;
	o.version = u.version.ptr;
	o.build_tag = u.build;
	o.python_tag = u.python.ptr;
	o.abi_tag = u.abi.ptr;
	o.platform_tag = u.platform.ptr;
	o.purelib = u.purelib;
	if ((rc = tlc_wheel_writer_new(&w, &o, err)) < 0)
		goto out;
	if (!(w->wheel_text = strdup(u.wheel.ptr))) {
		rc = oom(err);
		goto out;
	}
	if ((rc = walk_tree(w, dir, "", u.dist_info.ptr, false, err)) < 0 ||
	    (rc = walk_tree(w, di.ptr, "", NULL, true, err)) < 0 ||
	    (rc = tlc_wheel_writer_finish(w, u.metadata.ptr, path, err)) < 0)
		goto out;
out:
	tlc_wheel_writer_free(w);
	unpacked_release(&u);
	tlc_buf_release(&di);
	tlc_buf_release(&file);
	return rc;
}

/* ---- RECORD ------------------------------------------------------------- */

#define RECORD_FIELD_MAX ((size_t)TLC_ZIP_NAME_MAX + 64)

static int record_bad(struct tlc_error *err, size_t line, const char *fmt,
		      ...) TLC_PRINTF(3, 4);

/* TLC_EPOLICY "RECORD line N: ..." */
static int record_bad(struct tlc_error *err, size_t line, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlc_error_vset(err, TLC_EPOLICY, fmt, ap);
	va_end(ap);
	tlc_error_prefix(err, "RECORD line %zu", line);
	return TLC_EPOLICY;
}

/* "sha256=<43 characters of RFC 4648 section 5 base64, unpadded>"
 * (PEP 376 RECORD, as PEP 427 and the recording-installed-packages spec
 * require for wheels). */
static int parse_hash(struct tlc_wheel_record *rec, const char *h,
		      size_t line, struct tlc_error *err)
{
	const char *eq = strchr(h, '=');
	const char *d;
	uint32_t acc = 0;
	size_t nbits = 0, k = 0;

	if (!eq)
		return record_bad(err, line, "hash '%.60s' is not "
				  "<algorithm>=<digest>", h);
	if ((size_t)(eq - h) != 6 || strncmp(h, "sha256", 6))
		return record_bad(err, line, "hash algorithm '%.*s' is not "
				  "sha256", (int)((eq - h) > 40 ? 40 : eq - h),
				  h);
	d = eq + 1;
	if (strlen(d) != 43)
		return record_bad(err, line, "sha256 digest '%.60s' is not 43 "
				  "characters of base64url without padding",
				  d);
	for (size_t i = 0; i < 43; i++) {
		int v = tlc__b64_value((unsigned char)d[i], true);

		if (v < 0)
			return record_bad(err, line, "sha256 digest has '%c', "
					  "which is not base64url", d[i]);
		acc = acc << 6 | (uint32_t)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			rec->sha256[k++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	/* 43 characters carry 258 bits: the last 2 must be zero */
	if (acc)
		return record_bad(err, line, "sha256 digest is not in "
				  "canonical base64url");
	rec->has_sha256 = true;
	return 0;
}

static int parse_size(struct tlc_wheel_record *rec, const char *s,
		      size_t line, struct tlc_error *err)
{
	uint64_t v = 0;

	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return record_bad(err, line, "size '%.40s' is not a "
					  "decimal number", s);
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return record_bad(err, line, "size '%.40s' is too big",
					  s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	rec->size = v;
	rec->has_size = true;
	return 0;
}

/* Read one CSV record at *@pp (Python's csv module, excel dialect:
 * ',' between fields, '"' quotes a field and "" is a quote inside one,
 * lines end in "\r\n", "\n" or "\r").  Fields past the third are counted
 * but not kept.  @line counts physical lines. */
static int csv_record(const char **pp, const char *end, struct tlc_buf *f,
		      size_t *nf, bool *blank, size_t *line,
		      struct tlc_error *err)
{
	const char *p = *pp;
	size_t start = *line;
	bool quoted_any = false;

	*nf = 0;
	for (;;) {
		struct tlc_buf *b = *nf < 3 ? &f[*nf] : NULL;

		if (b)
			tlc_buf_reset(b);
		if (p < end && *p == '"') {
			quoted_any = true;
			for (p++;; p++) {
				if (p == end)
					return record_bad(err, start, "quoted "
							  "field does not "
							  "end");
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						p++;
						break;
					}
				} else if (*p == '\0') {
					return record_bad(err, *line,
							  "NUL byte");
				} else if (*p == '\n') {
					(*line)++;
				}
				if (b && tlc_buf_putc(b, *p) < 0)
					goto too_long;
			}
			if (p < end && *p != ',' && *p != '\r' && *p != '\n')
				return record_bad(err, *line, "text after a "
						  "closing quote");
		} else {
			for (; p < end && *p != ',' && *p != '\r' &&
			       *p != '\n'; p++) {
				if (*p == '"')
					return record_bad(err, *line, "quote "
							  "inside an unquoted "
							  "field");
				if (*p == '\0')
					return record_bad(err, *line,
							  "NUL byte");
				if (b && tlc_buf_putc(b, *p) < 0)
					goto too_long;
			}
		}
		(*nf)++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		break;
	}
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	(*line)++;
	*blank = *nf == 1 && !quoted_any && !f[0].len;
	*pp = p;
	return 0;
too_long:
	return record_bad(err, start, "field over %zu bytes",
			  (size_t)RECORD_FIELD_MAX);
}

int tlc_wheel_record_parse(const char *data, size_t len,
			   struct tlc_wheel_record **out, size_t *n,
			   struct tlc_error *err)
{
	struct tlc_buf f[3] = { TLC_BUF_INIT_MAX(RECORD_FIELD_MAX),
				TLC_BUF_INIT_MAX(RECORD_FIELD_MAX),
				TLC_BUF_INIT_MAX(RECORD_FIELD_MAX) };
	struct tlc_wheel_record *v = NULL;
	const char *p = data, *end = data + len;
	size_t nv = 0, alloc = 0, line = 1;
	int rc = 0;

	*out = NULL;
	*n = 0;
	while (p < end) {
		struct tlc_wheel_record *rec;
		size_t nf = 0, at = line;
		bool blank = false;

		if ((rc = csv_record(&p, end, f, &nf, &blank, &line, err)) < 0)
			goto fail;
		if (blank)
			continue;
		if (nf != 3) {
			rc = record_bad(err, at, "%zu fields, not 3 "
					"(path,hash,size)", nf);
			goto fail;
		}
		if (nv == TLC_ZIP_MAX_MEMBERS) {
			rc = record_bad(err, at, "more than %d lines",
					TLC_ZIP_MAX_MEMBERS);
			goto fail;
		}
		if (nv == alloc) {
			size_t na = alloc ? alloc * 2 : 64;
			struct tlc_wheel_record *nr = realloc(v,
							      na * sizeof(*nr));

			if (!nr) {
				rc = oom(err);
				goto fail;
			}
			v = nr;
			alloc = na;
		}
		rec = &v[nv];
		memset(rec, 0, sizeof(*rec));
		if ((rc = tlc_zip_name_check(f[0].ptr, err)) < 0) {
			tlc_error_prefix(err, "RECORD line %zu", at);
			goto fail;
		}
		for (size_t k = 1; k < 3; k++)
			if (!printable(f[k].ptr, f[k].len)) {
				rc = record_bad(err, at, "the %s field is not "
						"printable ASCII",
						k == 1 ? "hash" : "size");
				goto fail;
			}
		if ((f[1].len && (rc = parse_hash(rec, f[1].ptr, at,
						  err)) < 0) ||
		    (f[2].len && (rc = parse_size(rec, f[2].ptr, at,
						  err)) < 0))
			goto fail;
		if (!(rec->path = strdup(f[0].ptr))) {
			rc = oom(err);
			goto fail;
		}
		nv++;
	}
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
fail:
	tlc_wheel_records_free(v, nv);
	for (size_t i = 0; i < 3; i++)
		tlc_buf_release(&f[i]);
	return rc;
}

void tlc_wheel_records_free(struct tlc_wheel_record *records, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)records[i].path);
	free(records);
}

/* ---- reading ------------------------------------------------------------ */

struct tlc_wheel_reader {
	int fd;
	char *path;
	struct tlc_zip_reader *zip;
	struct tlc_wheel_filename fn;
	char *dist_info;
	bool purelib;
	struct tlc_buf metadata;
	struct tlc_wheel_record *rec;
	size_t nrec;
	size_t *set;		/* record index + 1, open addressing */
	size_t set_cap;		/* a power of two */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static size_t *record_slot(const struct tlc_wheel_reader *r, const char *path)
{
	size_t mask = r->set_cap - 1;

	for (size_t i = hash_str(path) & mask;; i = (i + 1) & mask)
		if (!r->set[i] || !strcmp(r->rec[r->set[i] - 1].path, path))
			return &r->set[i];
}

static int wr_bad(const struct tlc_wheel_reader *r, struct tlc_error *err,
		  const char *fmt, ...) TLC_PRINTF(3, 4);

/* TLC_EPOLICY with "'<wheel>': " in front. */
static int wr_bad(const struct tlc_wheel_reader *r, struct tlc_error *err,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlc_error_vset(err, TLC_EPOLICY, fmt, ap);
	va_end(ap);
	tlc_error_prefix(err, "'%s'", r->path);
	return TLC_EPOLICY;
}

/* The top-level directory of @name if it is a .dist-info one: its length,
 * else 0. */
static size_t dist_info_len(const char *name)
{
	const char *slash = strchr(name, '/');
	size_t l = slash ? (size_t)(slash - name) : 0;

	if (l > 10 && !strncasecmp(name + l - 10, ".dist-info", 10))
		return l;
	return 0;
}

/* The one .dist-info directory, named after the filename's project and
 * version (binary distribution format: "{distribution}-{version}
 * .dist-info", both escaped as in the filename). */
static int find_wheel_dist_info(struct tlc_wheel_reader *r,
				struct tlc_error *err)
{
	struct tlc_pep440 va, vb;
	size_t n = tlc_zip_reader_count(r->zip), dl = 0;
	const char *first = NULL, *dash;
	char name[TLC_NAME_MAX + 1];
	int rc;

	for (size_t i = 0; i < n; i++) {
		const char *m = tlc_zip_reader_entry(r->zip, i)->name;
		size_t l = dist_info_len(m);

		if (!l)
			continue;
		if (!first) {
			first = m;
			dl = l;
		} else if (l != dl || memcmp(m, first, l)) {
			return wr_bad(r, err, "has two .dist-info directories: "
				      "'%.*s' and '%.*s'", (int)dl, first,
				      (int)l, m);
		}
	}
	if (!first)
		return wr_bad(r, err, "has no .dist-info directory");
	if (!(r->dist_info = strndup(first, dl)))
		return oom(err);
	dash = memchr(first, '-', dl - 10);
	if (!dash || dash == first || (size_t)(dash - first) > TLC_NAME_MAX)
		return wr_bad(r, err, "'%s' is not named "
			      "{name}-{version}.dist-info", r->dist_info);
	memcpy(name, first, (size_t)(dash - first));
	name[dash - first] = '\0';
	if (!tlc_name_equal(name, r->fn.name))
		return wr_bad(r, err, "'%s' is not the .dist-info directory of "
			      "project '%s', which the filename names",
			      r->dist_info, r->fn.name);
	r->dist_info[dl - 10] = '\0';
	rc = tlc_pep440_parse(&va, r->dist_info + (dash - first) + 1, err);
	r->dist_info[dl - 10] = '.';
	if (rc < 0) {
		tlc_error_prefix(err, "'%s': .dist-info directory '%s'",
				 r->path, r->dist_info);
		return rc;
	}
	if ((rc = tlc_pep440_parse(&vb, r->fn.version, err)) < 0) {
		tlc_error_prefix(err, "'%s'", r->path);
		return rc;
	}
	if (tlc_pep440_cmp(&va, &vb))
		return wr_bad(r, err, "'%s' is not the .dist-info directory of "
			      "version '%s', which the filename names",
			      r->dist_info, r->fn.version);
	return 0;
}

/* Inflate <dist-info>/@file into @out; a missing one is TLC_EPOLICY. */
static int read_dist_info_file(struct tlc_wheel_reader *r, const char *file,
			       struct tlc_buf *out, struct tlc_error *err)
{
	struct tlc_buf name = TLC_BUF_INIT;
	const struct tlc_zip_entry *e;
	int rc;

	if (tlc_buf_printf(&name, "%s/%s", r->dist_info, file) < 0)
		return oom(err);
	if (!(e = tlc_zip_reader_find(r->zip, name.ptr)))
		rc = wr_bad(r, err, "has no %s", name.ptr);
	else if ((rc = tlc_zip_read(r->zip, e, out, err)) == 0 &&
		 memchr(out->ptr, '\0', out->len))
		rc = wr_bad(r, err, "%s has a NUL byte", name.ptr);
	tlc_buf_release(&name);
	return rc;
}

/* WHEEL (binary distribution format, "The .dist-info directory"):
 * Wheel-Version 1.x, at least one Tag, Root-Is-Purelib. */
static int parse_wheel_file(struct tlc_wheel_reader *r,
			    const struct tlc_buf *b, struct tlc_error *err)
{
	const char *line = b->ptr, *end = b->ptr + b->len;
	bool version = false;
	size_t ntags = 0;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v;
		size_t len;

		if (!eol)
			eol = end;
		if ((v = header_value(line, eol, "Wheel-Version", &len))) {
			size_t i = 2;

			if (!printable(v, len))
				return wr_bad(r, err, "WHEEL's Wheel-Version "
					      "is not printable ASCII");
			if (len < 3 || v[0] != '1' || v[1] != '.')
				return wr_bad(r, err, "WHEEL has Wheel-Version "
					      "'%.*s', not 1.x (PEP 427)",
					      (int)(len > 40 ? 40 : len), v);
			while (i < len && v[i] >= '0' && v[i] <= '9')
				i++;
			if (i != len)
				return wr_bad(r, err, "WHEEL has Wheel-Version "
					      "'%.*s', not 1.x (PEP 427)",
					      (int)(len > 40 ? 40 : len), v);
			version = true;
		} else if (header_value(line, eol, "Tag", &len)) {
			ntags++;
		} else if ((v = header_value(line, eol, "Root-Is-Purelib",
					     &len))) {
			r->purelib = len == 4 && !strncasecmp(v, "true", 4);
		}
		line = eol + 1;
	}
	if (!version)
		return wr_bad(r, err, "WHEEL has no Wheel-Version (PEP 427)");
	if (!ntags)
		return wr_bad(r, err, "WHEEL has no Tag line");
	return 0;
}

/* RECORD must list every member but the signature files and itself,
 * each once and with a sha256 (and its size, if given), and nothing
 * else (PEP 427, "The .dist-info directory"). */
static int check_record(struct tlc_wheel_reader *r, struct tlc_error *err)
{
	size_t n = tlc_zip_reader_count(r->zip), dl = strlen(r->dist_info);

	r->set_cap = 64;
	while (r->set_cap < 2 * r->nrec)
		r->set_cap *= 2;
	if (!(r->set = calloc(r->set_cap, sizeof(*r->set))))
		return oom(err);
	for (size_t i = 0; i < r->nrec; i++) {
		const struct tlc_wheel_record *rec = &r->rec[i];
		const struct tlc_zip_entry *e;
		size_t *slot = record_slot(r, rec->path);

		if (*slot)
			return wr_bad(r, err, "RECORD lists '%s' twice",
				      rec->path);
		*slot = i + 1;
		if (!(e = tlc_zip_reader_find(r->zip, rec->path)))
			return wr_bad(r, err, "RECORD lists '%s', which is not "
				      "in the wheel", rec->path);
		if (rec->has_size && rec->size != e->size)
			return wr_bad(r, err, "RECORD gives '%s' %llu bytes, "
				      "the archive %llu", rec->path,
				      (unsigned long long)rec->size,
				      (unsigned long long)e->size);
	}
	for (size_t i = 0; i < n; i++) {
		const char *m = tlc_zip_reader_entry(r->zip, i)->name;
		size_t v;

		if (!strncmp(m, r->dist_info, dl) && m[dl] == '/' &&
		    (!strcmp(m + dl + 1, "RECORD") ||
		     !strcmp(m + dl + 1, "RECORD.jws") ||
		     !strcmp(m + dl + 1, "RECORD.p7s")))
			continue;
		if (!(v = *record_slot(r, m)))
			return wr_bad(r, err, "member '%s' is not in RECORD",
				      m);
		if (!r->rec[v - 1].has_sha256)
			return wr_bad(r, err, "RECORD has no sha256 for '%s'",
				      m);
	}
	return 0;
}

int tlc_wheel_reader_open(struct tlc_wheel_reader **out, const char *path,
			  struct tlc_error *err)
{
	struct tlc_wheel_reader *r;
	struct tlc_buf wheel = TLC_BUF_INIT_MAX(TLC_WHEEL_META_MAX);
	struct tlc_buf record = TLC_BUF_INIT_MAX(TLC_WHEEL_RECORD_MAX);
	const char *base = strrchr(path, '/');
	char *dash, *dname = NULL;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return oom(err);
	r->fd = -1;
	tlc_buf_init(&r->metadata, TLC_WHEEL_META_MAX);
	if (!(r->path = strdup(path))) {
		rc = oom(err);
		goto fail;
	}
	if ((rc = tlc_wheel_filename_parse(&r->fn, base ? base + 1 : path,
					   err)) < 0)
		goto fail;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					  TLC_EIO, "cannot open '%s'", path);
		goto fail;
	}
	if ((rc = tlc_zip_reader_open(&r->zip, r->fd, path, err)) < 0 ||
	    (rc = find_wheel_dist_info(r, err)) < 0 ||
	    (rc = read_dist_info_file(r, "WHEEL", &wheel, err)) < 0 ||
	    (rc = parse_wheel_file(r, &wheel, err)) < 0 ||
	    (rc = read_dist_info_file(r, "METADATA", &r->metadata, err)) < 0)
		goto fail;
	/* split as find_wheel_dist_info() did */
	if (!(dname = strndup(r->dist_info, strlen(r->dist_info) - 10))) {
		rc = oom(err);
		goto fail;
	}
	dash = strchr(dname, '-');
	*dash = '\0';
	if ((rc = check_metadata(&r->metadata, dname, dash + 1, r->dist_info,
				 "METADATA", err)) < 0) {
		tlc_error_prefix(err, "'%s'", path);
		goto fail;
	}
	if ((rc = read_dist_info_file(r, "RECORD", &record, err)) < 0)
		goto fail;
	if ((rc = tlc_wheel_record_parse(record.ptr, record.len, &r->rec,
					 &r->nrec, err)) < 0) {
		tlc_error_prefix(err, "'%s'", path);
		goto fail;
	}
	if ((rc = check_record(r, err)) < 0)
		goto fail;
	*out = r;
	r = NULL;
fail:
	tlc_wheel_reader_free(r);
	tlc_buf_release(&wheel);
	tlc_buf_release(&record);
	free(dname);
	return rc;
}

const struct tlc_zip_reader *tlc_wheel_reader_zip(
	const struct tlc_wheel_reader *r)
{
	return r->zip;
}

const char *tlc_wheel_reader_dist_info(const struct tlc_wheel_reader *r)
{
	return r->dist_info;
}

const char *tlc_wheel_reader_name(const struct tlc_wheel_reader *r)
{
	return r->fn.name;
}

const char *tlc_wheel_reader_version(const struct tlc_wheel_reader *r)
{
	return r->fn.version;
}

const char *tlc_wheel_reader_build_tag(const struct tlc_wheel_reader *r)
{
	return r->fn.build[0] ? r->fn.build : NULL;
}

const char *tlc_wheel_reader_python_tag(const struct tlc_wheel_reader *r)
{
	return r->fn.python;
}

const char *tlc_wheel_reader_abi_tag(const struct tlc_wheel_reader *r)
{
	return r->fn.abi;
}

const char *tlc_wheel_reader_platform_tag(const struct tlc_wheel_reader *r)
{
	return r->fn.platform;
}

bool tlc_wheel_reader_purelib(const struct tlc_wheel_reader *r)
{
	return r->purelib;
}

const struct tlc_buf *tlc_wheel_reader_metadata(
	const struct tlc_wheel_reader *r)
{
	return &r->metadata;
}

const struct tlc_wheel_record *tlc_wheel_reader_record(
	const struct tlc_wheel_reader *r, const char *path)
{
	size_t v = *record_slot(r, path);

	return v ? &r->rec[v - 1] : NULL;
}

void tlc_wheel_reader_free(struct tlc_wheel_reader *r)
{
	if (!r)
		return;
	tlc_zip_reader_free(r->zip);
	if (r->fd >= 0)
		close(r->fd);
	tlc_wheel_records_free(r->rec, r->nrec);
	free(r->set);
	free(r->dist_info);
	free(r->path);
	tlc_buf_release(&r->metadata);
	free(r);
}
