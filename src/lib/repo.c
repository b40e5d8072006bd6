/*
 * The wheel repository; see repo.h.
 *
 * The state of each project (.tlcpack/state/<project>.json) is the truth
 * the pages are rendered from (index.c), so that regenerating them never
 * reads a wheel.  Every change is ordered so that a crash at any point
 * leaves pages whose every link resolves:
 *
 *   publish: the wheel, its .metadata, the state, the project's pages,
 *            its fragment, wheels.html, the project lists;
 *   delete:  .tlcpack/removed, the state, the pages as above, and only
 *            then the wheel and its .metadata.
 *
 * each written durably (fs.h).  tlc_repo_check() finds what a crash left
 * half done (pages older than the state, leftovers of a delete, temporary
 * files) and finishes it.
 *
 * The same page renderers serve writing and checking: a "sink" says
 * whether a page is written, or compared with what is on disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fs.h"
#include "sha256.h"
#include "tlcpack/coremeta.h"
#include "tlcpack/index.h"
#include "tlcpack/names.h"
#include "tlcpack/pep440.h"
#include "tlcpack/repo.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"
#include "tlcpack/zipstream.h"

#include "banned.h"

#define STATE_MAX ((size_t)256 << 20)	/* a project's state file */
#define REMOVED_MAX ((size_t)64 << 20)
#define PAGE_MAX ((size_t)1 << 30)	/* a page read back by check */
#define VARIANT_MAX 64

#define PRUNE_REASON "pruned: a newer nightly replaces it"

/* A sorted list of names (see names_*). */
struct names {
	char **v;
	size_t n, alloc;
};

struct repo {
	char *dir;
	int lock_fd;
	struct tlc_repo_opts opts;
	char *base_url;		/* from .tlcpack/config.json, or NULL */
	bool batch;		/* pages wait for tlc_repo_flush() */
	struct names dirty;	/* "project" and "project/variant" */
	/*
	 * Deferred writes (see commit_file()): "<path>\n<temporary file>",
	 * the repository's own files (wheels, states, fragments) in
	 * pending[0], the pages readers see in pending[1].
	 */
	enum { DEFER_NONE, DEFER_FSYNC, DEFER_SYNCFS } defer;
	struct names pending[2];
	struct syncer *syncer;	/* DEFER_FSYNC's, once started */
	bool syncer_tried;	/* in this DEFER_FSYNC window */
};

static void syncer_stop(struct syncer *s);

/* A project's files, as its state file holds them. */
struct project {
	char *name;			/* normalized */
	struct tlc_index_file *files;
	const char **variant;		/* per file, NULL for none */
	size_t n, alloc;
	json_t *json;			/* owns the strings of files[] */
};

/*
 * Where rendered pages go: NULL writes them; a checking sink compares
 * them with the files on disk, reports each difference, and writes the
 * page only when it repairs.
 */
struct sink {
	bool repair;
	tlc_repo_event_cb cb;
	void *data;
	size_t nerrors;
};

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

static void hex(char *out, const unsigned char *sha)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = digits[sha[i] >> 4];
		out[2 * i + 1] = digits[sha[i] & 15];
	}
	out[64] = '\0';
}

static int unhex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool unhex(unsigned char *out, const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex_digit(s[2 * i]), lo = unhex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static int path_of(struct tlc_buf *out, const struct repo *r,
		   const char *fmt, ...) TLC_PRINTF(3, 4);

static int path_of(struct tlc_buf *out, const struct repo *r,
		   const char *fmt, ...)
{
	va_list ap;
	int rc;

	tlc_buf_reset(out);
	if (tlc_buf_printf(out, "%s/", r->dir) < 0)
		return TLC_ENOMEM;
	va_start(ap, fmt);
	rc = tlc_buf_vprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

static void report(struct sink *s, const char *kind, const char *path,
		   const char *detail)
{
	struct tlc_repo_event e = { kind, path, detail ? detail : "" };

	if (s && s->cb)
		s->cb(&e, s->data);
}

/* "x.whl.tmp.AbC123": what tlc__fs_tmpfile() names a file in progress. */
static bool is_tmp_name(const char *name)
{
	size_t n = strlen(name);

	return n > 11 && !memcmp(name + n - 11, ".tmp.", 5);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A variant is one path segment that cannot be mistaken for the
 * repository's own names: [a-z0-9][a-z0-9._-]*, not "files" nor "simple". */
static int check_variant(const char *v, struct tlc_error *err)
{
	size_t n = strlen(v);

	if (!n || n > VARIANT_MAX || !((v[0] >= 'a' && v[0] <= 'z') ||
				       (v[0] >= '0' && v[0] <= '9')) ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n ||
	    !strcmp(v, "files") || !strcmp(v, "simple"))
		return tlc_error_set(err, TLC_EPOLICY, "variant '%s' is not "
				     "a lower-case name of letters, digits, "
				     "'.', '_' and '-' (at most %d bytes, not "
				     "'files' nor 'simple')", v, VARIANT_MAX);
	return 0;
}

/* ---- sorted name lists -------------------------------------------------- */

static void names_release(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int names_add(struct names *l, const char *s, size_t len)
{
	if (l->n + 1 >= l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 32;
		char **v = realloc(l->v, alloc * sizeof(*v));

		if (!v)
			return TLC_ENOMEM;
		l->v = v;
		l->alloc = alloc;
	}
	if (!(l->v[l->n] = strndup(s, len)))
		return TLC_ENOMEM;
	l->v[++l->n] = NULL;
	return 0;
}

static bool names_has(const struct names *l, const char *s)
{
	return l->n && bsearch(&s, l->v, l->n, sizeof(*l->v), cmp_strp);
}

static void names_sort(struct names *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_strp);
}

/*
 * The entries of directory @rel ending in @suffix (the suffix cut off),
 * sorted; with @dirs, the subdirectories instead.  A missing directory is
 * empty.  Temporary files are left out.
 */
static int list_dir(struct repo *r, const char *rel, const char *suffix,
		    bool dirs, struct names *out, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT;
	size_t slen = suffix ? strlen(suffix) : 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (path_of(&path, r, "%s", rel) < 0)
		return oom(err);
	if (!(d = opendir(path.ptr))) {
		if (errno != ENOENT)
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     path.ptr);
		goto out;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		bool isdir;

		if (e->d_name[0] == '.' || is_tmp_name(e->d_name))
			continue;
		isdir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;

			isdir = !fstatat(dirfd(d), e->d_name, &st,
					 AT_SYMLINK_NOFOLLOW) &&
				S_ISDIR(st.st_mode);
		}
		if (isdir != dirs || len <= slen ||
		    strcmp(e->d_name + len - slen, suffix ? suffix : ""))
			continue;
		if (names_add(out, e->d_name, len - slen) < 0) {
			rc = oom(err);
			break;
		}
	}
	closedir(d);
	names_sort(out);
out:
	tlc_buf_release(&path);
	if (rc < 0)
		names_release(out);
	return rc;
}

/* ---- opening, locking, configuration ------------------------------------ */

static int take_lock(struct repo *r, struct tlc_error *err)
{
	struct tlc_buf p = TLC_BUF_INIT;
	unsigned waited = 0;
	int rc = 0;

	if (path_of(&p, r, ".tlcpack/lock") < 0)
		return oom(err);
	r->lock_fd = open(p.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->lock_fd < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'", p.ptr);
		goto out;
	}
	/* flock: the kernel drops it when the holder dies, however it dies */
	while (flock(r->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot lock '%s'",
					     p.ptr);
			goto out;
		}
		if (waited++ >= r->opts.lock_wait * 10) {
			rc = tlc_error_set(err, TLC_EIO, "another writer holds "
					   "'%s' (waited %u s)", p.ptr,
					   r->opts.lock_wait);
			goto out;
		}
		nanosleep(&ts, NULL);
	}
out:
	tlc_buf_release(&p);
	return rc;
}

static int check_base_url(const char *url, struct tlc_error *err)
{
	size_t n = strlen(url);
	const char *colon = strstr(url, "://");

	if (!n || url[n - 1] != '/' || !colon || colon == url ||
	    strpbrk(url, " \"'<>&?#\\") ||
	    strspn(url, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-._~:/@!$()*+,;=%[]") != n)
		return tlc_error_set(err, TLC_EPOLICY, "base URL '%s' must be "
				     "'scheme://host/path/', ending in '/', "
				     "with nothing to escape in it", url);
	return 0;
}

static int load_config(struct repo *r, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, data = TLC_BUF_INIT_MAX(1 << 20);
	json_error_t jerr;
	json_t *o = NULL, *u;
	int rc = 0;

	if (path_of(&path, r, ".tlcpack/config.json") < 0) {
		rc = oom(err);
		goto out;
	}
	if (!tlc__fs_exists(path.ptr))
		goto out;
	if ((rc = tlc_buf_read_file(&data, path.ptr, err)) < 0)
		goto out;
	if (!(o = json_loadb(data.ptr, data.len, JSON_REJECT_DUPLICATES,
			     &jerr)) || !json_is_object(o)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: not a JSON object",
				   path.ptr);
		goto out;
	}
	u = json_object_get(o, "base-url");
	if (json_is_string(u)) {
		if ((rc = check_base_url(json_string_value(u), err)) < 0) {
			tlc_error_prefix(err, "%s", path.ptr);
			goto out;
		}
		if (!(r->base_url = strdup(json_string_value(u))))
			rc = oom(err);
	}
out:
	json_decref(o);
	tlc_buf_release(&path);
	tlc_buf_release(&data);
	return rc;
}

int tlc_repo_open(struct tlc_repo **out, const char *dir, bool create,
		  const struct tlc_repo_opts *opts, struct tlc_error *err)
{
	static const struct tlc_repo_opts defaults = TLC_REPO_OPTS_INIT;
	static const char *const subdirs[] = { "files", "simple",
					       ".tlcpack/state",
					       ".tlcpack/flat", NULL };
	struct tlc_buf p = TLC_BUF_INIT;
	struct repo *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r))) || !(r->dir = strdup(dir))) {
		free(r);
		return oom(err);
	}
	r->lock_fd = -1;
	r->opts = opts ? *opts : defaults;
	if (path_of(&p, r, ".tlcpack") < 0)
		goto nomem;
	if (!create && !tlc__fs_is_dir(p.ptr)) {
		rc = tlc_error_set(err, TLC_ENOTFOUND, "'%s' is not a tlcpack "
				   "repository (no .tlcpack/; publish creates "
				   "one)", dir);
		goto fail;
	}
	for (size_t i = 0; subdirs[i]; i++) {
		if (path_of(&p, r, "%s", subdirs[i]) < 0)
			goto nomem;
		if ((rc = tlc__fs_mkdir_p(p.ptr, 0755, err)) < 0)
			goto fail;
	}
	if ((rc = take_lock(r, err)) < 0 || (rc = load_config(r, err)) < 0)
		goto fail;
	tlc_buf_release(&p);
	*out = (struct tlc_repo *)r;
	return 0;
nomem:
	rc = oom(err);
fail:
	tlc_buf_release(&p);
	tlc_repo_close((struct tlc_repo *)r);
	return rc;
}

void tlc_repo_close(struct tlc_repo *pub)
{
	struct repo *r = (struct repo *)pub;

	if (!r)
		return;
	syncer_stop(r->syncer);
	if (r->lock_fd >= 0)
		close(r->lock_fd);	/* releases the flock */
	names_release(&r->dirty);
	names_release(&r->pending[0]);
	names_release(&r->pending[1]);
	free(r->base_url);
	free(r->dir);
	free(r);
}

/* ---- durable writes ----------------------------------------------------- */

/*
 * The syncer: under DEFER_FSYNC (a publish) the files are fsynced by a
 * second thread as soon as they are written, so that the disk's flushes
 * (the first one takes milliseconds on a virtual disk) overlap with the
 * rendering of the pages instead of following it.  settle_group() waits
 * for its group's files, then renames them.  Without the thread (it
 * could not start), settle_group() fsyncs them itself.
 */
struct sync_item {
	int fd;
	int group;
	char *tmp;		/* for the error message */
};

struct syncer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* work queued, work done, or stop */
	struct sync_item *q;
	size_t n, alloc, next;	/* queued; q[next] is the next to sync */
	size_t queued[2], done[2];
	int rc[2];		/* the group's first failure */
	struct tlc_error err[2];
	bool stop;
};

static void *syncer_main(void *data)
{
	struct syncer *s = data;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct sync_item it;
		int rc = 0, e = 0;

		while (s->next == s->n && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->next == s->n)
			break;
		it = s->q[s->next++];
		pthread_mutex_unlock(&s->lock);
		tlc__fs_fault_point();
		if ((fsync(it.fd) < 0 && errno != EINVAL) ||
		    close(it.fd) < 0) {
			rc = TLC_EIO;
			e = errno;
		}
		pthread_mutex_lock(&s->lock);
		if (rc < 0 && s->rc[it.group] == 0) {
			errno = e;
			s->rc[it.group] = tlc_error_errno(&s->err[it.group],
							  TLC_EIO, "cannot "
							  "fsync '%s'",
							  it.tmp);
		}
		free(it.tmp);
		s->done[it.group]++;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static struct syncer *syncer_start(void)
{
	struct syncer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, syncer_main, s)) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

/* Hand @fd (of @tmp, in @group) to @s, which fsyncs and closes it. */
static int syncer_add(struct syncer *s, int fd, int group, const char *tmp)
{
	char *copy = strdup(tmp);
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (copy && s->n == s->alloc) {
		size_t alloc = s->alloc ? 2 * s->alloc : 16;
		struct sync_item *q = realloc(s->q, alloc * sizeof(*q));

		if (q) {
			s->q = q;
			s->alloc = alloc;
		}
	}
	if (!copy || s->n == s->alloc) {
		rc = TLC_ENOMEM;
		free(copy);
	} else {
		s->q[s->n++] = (struct sync_item){ fd, group, copy };
		s->queued[group]++;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Wait until every file of @group handed to @s is synced. */
static int syncer_wait(struct syncer *s, int group, struct tlc_error *err)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	while (s->done[group] < s->queued[group])
		pthread_cond_wait(&s->cond, &s->lock);
	if ((rc = s->rc[group]) < 0 && err)
		*err = s->err[group];
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void syncer_stop(struct syncer *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->q);
	free(s);
}

/*
 * Durable writes.  Without r->defer each file is written under a
 * temporary name, fsynced, renamed and its directory fsynced
 * (tlc__fs_commit).  With r->defer the temporary files are only written,
 * and settle() makes them durable in two groups, the repository's own
 * files (wheels, states, fragments) first, then the pages readers see, so
 * that a page never names a file whose name is not durable:
 *
 * - DEFER_FSYNC (publish): fsync each file of a group, rename them all,
 *   fsync each of their directories once;
 * - DEFER_SYNCFS (a full regeneration, hundreds of files): syncfs(),
 *   rename the first group, syncfs() (its names and the pages' bytes),
 *   rename the pages, syncfs(): three flushes in all.  A publish does not
 *   do this: syncfs() also flushes whatever else is being written on the
 *   file system (a build beside it), which can take seconds.
 *
 * A crash in between leaves temporary files, which check removes, and
 * pages of the old state, which check rewrites.
 */
static int commit_fd(struct repo *r, int fd, const char *tmp,
		     const char *path, struct tlc_error *err)
{
	struct tlc_buf entry = TLC_BUF_INIT;
	bool page = strncmp(path + strlen(r->dir), "/.tlcpack/", 10) &&
		    strncmp(path + strlen(r->dir), "/files/", 7);
	int rc = 0;

	if (!r->defer)
		return tlc__fs_commit(fd, tmp, path, err);
	/*
	 * Start writing it back now: the disk then works while the rest is
	 * rendered, and settle_group()'s fsync() mostly finds it done.  Only
	 * a hint (the fsync is what makes it durable), so its failure, on a
	 * file system without it, is ignored.
	 */
	if (r->defer == DEFER_FSYNC) {
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		if (!r->syncer_tried) {
			r->syncer_tried = true;
			r->syncer = syncer_start();
		}
	}
	if (tlc_buf_printf(&entry, "%s\n%s", path, tmp) < 0 ||
	    names_add(&r->pending[page], entry.ptr, entry.len) < 0) {
		rc = oom(err);
		close(fd);
	} else if (r->syncer) {
		if (syncer_add(r->syncer, fd, page, tmp) < 0) {
			rc = oom(err);
			close(fd);
		}
	} else if (close(fd) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot close '%s'", tmp);
	}
	if (rc < 0)
		unlink(tmp);
	tlc_buf_release(&entry);
	return rc;
}

/* Write @len bytes at @data to @path durably (see commit_fd()). */
static int write_file(struct repo *r, const char *path, const void *data,
		      size_t len, struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT;
	int fd, rc;

	if ((fd = tlc__fs_tmpfile(&tmp, path, 0644, err)) < 0) {
		tlc_buf_release(&tmp);
		return fd;
	}
	if ((rc = tlc__fs_write_all(fd, data, len, tmp.ptr, err)) < 0) {
		close(fd);
		unlink(tmp.ptr);
	} else {
		rc = commit_fd(r, fd, tmp.ptr, path, err);
	}
	tlc_buf_release(&tmp);
	return rc;
}

/* syncfs() the file system of @path. */
static int sync_fs_of(const char *path, struct tlc_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) < 0)
		rc = tlc_error_errno(err, TLC_EIO, "cannot sync '%s'", path);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Sync the repository's file system, and that of files/ when the wheels
 * live on another one (a mount for the big files). */
static int sync_repo(struct repo *r, struct tlc_error *err)
{
	struct tlc_buf files = TLC_BUF_INIT;
	struct stat a, b;
	int rc;

	tlc__fs_fault_point();
	if ((rc = sync_fs_of(r->dir, err)) < 0)
		return rc;
	if (path_of(&files, r, "files") < 0) {
		rc = oom(err);
	} else if (stat(r->dir, &a) == 0 && stat(files.ptr, &b) == 0 &&
		   a.st_dev != b.st_dev) {
		rc = sync_fs_of(files.ptr, err);
	}
	tlc_buf_release(&files);
	return rc;
}

/* fsync the file at @path (open for reading: Linux syncs it all the
 * same). */
static int fsync_path(const char *path, int flags, struct tlc_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc = 0;

	tlc__fs_fault_point();
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL))
		rc = tlc_error_errno(err, TLC_EIO, "cannot fsync '%s'", path);
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Make group @g durable and rename it into place: with DEFER_SYNCFS one
 * syncfs() before the renames (the next one makes the names durable);
 * with DEFER_FSYNC an fsync of each file, the renames, then an fsync of
 * each directory they are in, once.  After a failure (@rc < 0) the
 * group's temporary files are removed.
 */
static int settle_group(struct repo *r, int g, int rc, struct tlc_error *err)
{
	struct names *l = &r->pending[g], dirs = { 0 };

	for (size_t i = 0; i < l->n; i++)
		*strchr(l->v[i], '\n') = '\0';
	if (rc == 0 && l->n && r->defer == DEFER_SYNCFS)
		rc = sync_repo(r, err);
	if (r->syncer) {
		int src = syncer_wait(r->syncer, g, rc == 0 ? err : NULL);

		rc = rc < 0 ? rc : src;
	}
	for (size_t i = 0; i < l->n && rc == 0 && r->defer == DEFER_FSYNC &&
	     !r->syncer; i++)
		rc = fsync_path(l->v[i] + strlen(l->v[i]) + 1, 0, err);
	for (size_t i = 0; i < l->n; i++) {
		const char *tmp = l->v[i] + strlen(l->v[i]) + 1;
		const char *slash = strrchr(l->v[i], '/');
		size_t dlen = slash ? (size_t)(slash - l->v[i]) : 0;
		bool seen = false;

		if (rc == 0) {
			tlc__fs_fault_point();
			if (rename(tmp, l->v[i]) < 0)
				rc = tlc_error_errno(err, TLC_EIO, "cannot "
						     "rename '%s' to '%s'",
						     tmp, l->v[i]);
		}
		if (rc < 0) {
			unlink(tmp);
			continue;
		}
		for (size_t j = 0; j < dirs.n && !seen; j++)
			seen = strlen(dirs.v[j]) == dlen &&
			       !memcmp(dirs.v[j], l->v[i], dlen);
		if (!seen && names_add(&dirs, l->v[i], dlen) < 0)
			rc = oom(err);
	}
	for (size_t i = 0; i < dirs.n && rc == 0 && r->defer == DEFER_FSYNC;
	     i++)
		rc = fsync_path(dirs.v[i], O_DIRECTORY, err);
	names_release(&dirs);
	names_release(l);
	return rc;
}

static int settle(struct repo *r, int rc, struct tlc_error *err)
{
	bool any = r->pending[0].n || r->pending[1].n;

	rc = settle_group(r, 0, rc, err);
	rc = settle_group(r, 1, rc, err);
	if (rc == 0 && any && r->defer == DEFER_SYNCFS)
		rc = sync_repo(r, err);
	syncer_stop(r->syncer);
	r->syncer = NULL;
	r->syncer_tried = false;
	r->defer = DEFER_NONE;
	return rc;
}

/* ---- project state ------------------------------------------------------ */

static void project_release(struct project *p)
{
	free(p->name);
	free(p->files);
	free(p->variant);
	json_decref(p->json);
	memset(p, 0, sizeof(*p));
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int project_grow(struct project *p, size_t n)
{
	struct tlc_index_file *f;
	const char **v;
	size_t alloc = p->alloc ? p->alloc : 8;

	if (n <= p->alloc)
		return 0;
	while (alloc < n)
		alloc *= 2;
	if (!(f = realloc(p->files, alloc * sizeof(*f))))
		return TLC_ENOMEM;
	p->files = f;
	if (!(v = realloc(p->variant, alloc * sizeof(*v))))
		return TLC_ENOMEM;
	p->variant = v;
	p->alloc = alloc;
	return 0;
}

/* Read .tlcpack/state/<name>.json; a missing file is an empty project. */
static int project_load(struct repo *r, const char *name, struct project *p,
			struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, data = TLC_BUF_INIT_MAX(STATE_MAX);
	json_error_t jerr;
	json_t *files;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	if (!(p->name = strdup(name)) ||
	    path_of(&path, r, ".tlcpack/state/%s.json", name) < 0) {
		rc = oom(err);
		goto out;
	}
	if (!tlc__fs_exists(path.ptr))
		goto out;
	if ((rc = tlc_buf_read_file(&data, path.ptr, err)) < 0)
		goto out;
	if (!(p->json = json_loadb(data.ptr, data.len, JSON_REJECT_DUPLICATES,
				   &jerr)) ||
	    !json_is_array(files = json_object_get(p->json, "files"))) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: %s", path.ptr,
				   p->json ? "no 'files' array" : jerr.text);
		goto out;
	}
	if (project_grow(p, json_array_size(files) + 1) < 0) {
		rc = oom(err);
		goto out;
	}
	p->n = json_array_size(files);
	for (size_t i = 0; i < p->n; i++) {
		json_t *f = json_array_get(files, i), *y, *t, *s;
		struct tlc_index_file *x = &p->files[i];

		memset(x, 0, sizeof(*x));
		x->filename = jstr(f, "filename");
		x->project = p->name;
		x->version = jstr(f, "version");
		x->requires_python = jstr(f, "requires-python");
		y = json_object_get(f, "yanked");
		x->yanked = json_is_string(y) ? json_string_value(y) : NULL;
		t = json_object_get(f, "upload-time");
		s = json_object_get(f, "size");
		x->has_metadata = unhex(x->metadata_sha256,
					jstr(f, "metadata-sha256"));
		p->variant[i] = jstr(f, "variant");
		if (!x->filename || !x->version || !json_is_integer(t) ||
		    !json_is_integer(s) || json_integer_value(s) < 0 ||
		    !unhex(x->sha256, jstr(f, "sha256")) ||
		    (p->variant[i] && check_variant(p->variant[i], NULL) < 0)) {
			rc = tlc_error_set(err, TLC_EPOLICY, "%s: files[%zu] "
					   "is not what tlcpack writes",
					   path.ptr, i);
			goto out;
		}
		x->upload_time = json_integer_value(t);
		x->size = (uint64_t)json_integer_value(s);
	}
out:
	tlc_buf_release(&path);
	tlc_buf_release(&data);
	if (rc < 0)
		project_release(p);
	return rc;
}

static json_t *file_json(const struct tlc_index_file *x, const char *variant)
{
	json_t *f = json_object();
	char h[65];

	json_object_set_new(f, "filename", json_string(x->filename));
	json_object_set_new(f, "version", json_string(x->version));
	hex(h, x->sha256);
	json_object_set_new(f, "sha256", json_string(h));
	json_object_set_new(f, "size", json_integer((json_int_t)x->size));
	json_object_set_new(f, "upload-time", json_integer(x->upload_time));
	json_object_set_new(f, "requires-python", x->requires_python ?
			    json_string(x->requires_python) : json_null());
	if (x->has_metadata) {
		hex(h, x->metadata_sha256);
		json_object_set_new(f, "metadata-sha256", json_string(h));
	}
	json_object_set_new(f, "yanked", x->yanked ? json_string(x->yanked) :
			    json_null());
	if (variant)
		json_object_set_new(f, "variant", json_string(variant));
	return f;
}

/* Write the state; a project without files has none. */
static int project_save(struct repo *r, const struct project *p,
			struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT;
	json_t *o = NULL, *files;
	char *s = NULL;
	int rc;

	if (path_of(&path, r, ".tlcpack/state/%s.json", p->name) < 0) {
		rc = oom(err);
		goto out;
	}
	if (!p->n) {
		if ((rc = tlc__fs_unlink(path.ptr, err)) == 0 &&
		    path_of(&path, r, ".tlcpack/state") == 0)
			rc = tlc__fs_fsync_dir(path.ptr, err);
		goto out;
	}
	o = json_object();
	files = json_array();
	for (size_t i = 0; o && files && i < p->n; i++)
		json_array_append_new(files, file_json(&p->files[i],
						       p->variant[i]));
	json_object_set_new(o, "files", files);
	if (!(s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER)))
		rc = oom(err);
	else
		rc = write_file(r, path.ptr, s, strlen(s), err);
out:
	free(s);
	json_decref(o);
	tlc_buf_release(&path);
	return rc;
}

/* ---- pages -------------------------------------------------------------- */

/* Write page @rel, or (through a checking sink) compare it and report
 * the difference. */
static int put_page(struct repo *r, struct sink *s, const char *rel,
		    const struct tlc_buf *b, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, old = TLC_BUF_INIT_MAX(PAGE_MAX);
	struct tlc_error ignored = TLC_ERROR_INIT;
	int rc = 0;

	if (path_of(&path, r, "%s", rel) < 0) {
		rc = oom(err);
		goto out;
	}
	/* a page that would not change is not written: a publish rewrites
	 * only the pages it changes */
	if (tlc_buf_read_file(&old, path.ptr, &ignored) == 0 &&
	    old.len == b->len && !memcmp(old.ptr, b->ptr, b->len))
		goto out;
	if (s) {
		if (!s->repair) {
			s->nerrors++;
			report(s, "stale", rel, old.len ? "not what the state "
			       "renders" : "missing");
			goto out;
		}
	}
	rc = write_file(r, path.ptr, b->ptr, b->len, err);
	if (rc == 0 && s)
		report(s, "repaired", rel, "rewritten from the state");
out:
	tlc_buf_release(&path);
	tlc_buf_release(&old);
	return rc;
}

/* Remove page @rel if it is there (or report it). */
static int drop_page(struct repo *r, struct sink *s, const char *rel,
		     struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT;
	int rc = 0;

	if (path_of(&path, r, "%s", rel) < 0)
		return oom(err);
	if (!tlc__fs_exists(path.ptr))
		goto out;
	if (s && !s->repair) {
		s->nerrors++;
		report(s, "stale", rel, "left of a project or variant that "
		       "is gone");
		goto out;
	}
	rc = tlc__fs_unlink(path.ptr, err);
	if (rc == 0 && s)
		report(s, "repaired", rel, "removed: nothing publishes it");
out:
	tlc_buf_release(&path);
	return rc;
}

/* mkdir @rel (and its parents), fsyncing the parent of each new one so
 * that what is renamed into it survives a crash. */
static int make_dir(struct repo *r, const char *rel, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT;
	int rc = 0;

	if (path_of(&path, r, "%s", rel) < 0)
		return oom(err);
	if (!tlc__fs_is_dir(path.ptr)) {
		char *slash;

		if ((rc = tlc__fs_mkdir_p(path.ptr, 0755, err)) < 0)
			goto out;
		while ((slash = strrchr(path.ptr, '/')) &&
		       (size_t)(slash - path.ptr) > strlen(r->dir)) {
			*slash = '\0';
			if ((rc = tlc__fs_fsync_dir(path.ptr, err)) < 0)
				break;
		}
		if (rc == 0)
			rc = tlc__fs_fsync_dir(r->dir, err);
	}
out:
	tlc_buf_release(&path);
	return rc;
}

/* rmdir @rel if it is empty; anything else is left. */
static void drop_dir(struct repo *r, const char *rel)
{
	struct tlc_buf path = TLC_BUF_INIT;

	if (path_of(&path, r, "%s", rel) == 0)
		rmdir(path.ptr);
	tlc_buf_release(&path);
}

/* The files of @p in @variant (all of them for NULL). */
static size_t select_files(const struct project *p, const char *variant,
			   struct tlc_index_file *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		if (!variant || (p->variant[i] &&
				 !strcmp(p->variant[i], variant)))
			out[n++] = p->files[i];
	return n;
}

static int fragment_rel(struct tlc_buf *rel, const char *variant,
			const char *project)
{
	tlc_buf_reset(rel);
	return variant ? tlc_buf_printf(rel, ".tlcpack/flat/%s/%s.html",
					variant, project) :
			 tlc_buf_printf(rel, ".tlcpack/flat/%s.html", project);
}

/*
 * Render @p's project pages and its wheels.html fragment, in the main
 * index (@variant NULL) or in @variant's sub-index; a project with no file
 * there loses them.
 */
static int render_project(struct repo *r, struct sink *s,
			  const struct project *p, const char *variant,
			  struct tlc_error *err)
{
	struct tlc_index_opts page = { variant ? "../../../" : "../../",
				       r->base_url };
	struct tlc_index_opts flat = { variant ? "../" : "", r->base_url };
	struct tlc_buf b = TLC_BUF_INIT, dir = TLC_BUF_INIT,
		       rel = TLC_BUF_INIT;
	struct tlc_index_file *sel = NULL;
	size_t n;
	int rc = 0;

	if ((variant ? tlc_buf_printf(&dir, "%s/simple/%s", variant,
				      p->name) :
		       tlc_buf_printf(&dir, "simple/%s", p->name)) < 0 ||
	    (p->n && !(sel = calloc(p->n, sizeof(*sel)))))
		goto nomem;
	n = select_files(p, variant, sel);
	if (!n) {
		const char *pages[] = { "index.json", "index.html" };

		for (size_t i = 0; i < 2 && rc == 0; i++) {
			tlc_buf_reset(&rel);
			if (tlc_buf_printf(&rel, "%s/%s", dir.ptr,
					   pages[i]) < 0)
				goto nomem;
			rc = drop_page(r, s, rel.ptr, err);
		}
		if (rc == 0 && (!s || s->repair))
			drop_dir(r, dir.ptr);
		if (rc == 0 && fragment_rel(&rel, variant, p->name) < 0)
			goto nomem;
		if (rc == 0)
			rc = drop_page(r, s, rel.ptr, err);
		goto out;
	}
	if ((!s || s->repair) && (rc = make_dir(r, dir.ptr, err)) < 0)
		goto out;
	if ((rc = tlc_index_project_json(&b, p->name, sel, n, &page,
					 err)) < 0 ||
	    tlc_buf_printf(&rel, "%s/index.json", dir.ptr) < 0 ||
	    (rc = put_page(r, s, rel.ptr, &b, err)) < 0)
		goto out;
	tlc_buf_reset(&b);
	tlc_buf_reset(&rel);
	if ((rc = tlc_index_project_html(&b, p->name, sel, n, &page,
					 err)) < 0 ||
	    tlc_buf_printf(&rel, "%s/index.html", dir.ptr) < 0 ||
	    (rc = put_page(r, s, rel.ptr, &b, err)) < 0)
		goto out;
	tlc_buf_reset(&b);
	if (variant) {
		tlc_buf_reset(&rel);
		if (tlc_buf_printf(&rel, ".tlcpack/flat/%s", variant) < 0)
			goto nomem;
		if ((!s || s->repair) &&
		    (rc = make_dir(r, rel.ptr, err)) < 0)
			goto out;
	}
	if ((rc = tlc_index_flat_links(&b, sel, n, &flat, err)) < 0 ||
	    fragment_rel(&rel, variant, p->name) < 0 ||
	    (rc = put_page(r, s, rel.ptr, &b, err)) < 0)
		goto out;
	goto out;
nomem:
	rc = oom(err);
out:
	free(sel);
	tlc_buf_release(&b);
	tlc_buf_release(&dir);
	tlc_buf_release(&rel);
	return rc;
}

/* Copy all of @in (from its start) to the end of @out, in the kernel
 * where it can. */
static int copy_all(int in, int out, const char *what, struct tlc_error *err)
{
	char buf[1 << 16];
	loff_t off = 0;
	ssize_t n;
	int rc = 0;

	while ((n = copy_file_range(in, &off, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
		      errno == EOPNOTSUPP)) {
		while ((n = pread(in, buf, sizeof(buf), off)) > 0) {
			if ((rc = tlc__fs_write_all(out, buf, (size_t)n, what,
						    err)) < 0)
				return rc;
			off += n;
		}
	}
	if (n < 0)
		rc = tlc_error_errno(err, TLC_EIO, "cannot copy into '%s'",
				     what);
	return rc;
}

/*
 * Copy the file @src to the end of @fd.  A file written in this call and
 * not yet renamed into place (pending, see commit_fd()) is read from its
 * temporary name: pages are rendered while the files they list are still
 * being flushed, and only renamed after them.
 */
static int append_file(struct repo *r, int fd, const char *src,
		       const char *what, struct tlc_error *err)
{
	size_t len = strlen(src);
	int in, rc;

	for (size_t i = 0; i < r->pending[0].n; i++) {
		const char *e = r->pending[0].v[i];

		if (!strncmp(e, src, len) && e[len] == '\n') {
			src = e + len + 1;
			break;
		}
	}
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", src);

	if (in < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", src);
	rc = copy_all(in, fd, what, err);
	close(in);
	return rc;
}

/*
 * Write wheels.html (@rel) of @variant as the fragments of @projects
 * between the page's head and tail, streamed from file to file: a
 * publish into a big repository never holds the page in memory.
 */
static int stream_flat(struct repo *r, const char *variant,
		       const struct names *projects, const char *rel,
		       struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, tmp = TLC_BUF_INIT,
		       b = TLC_BUF_INIT, frel = TLC_BUF_INIT;
	int fd, rc = 0;

	if (path_of(&path, r, "%s", rel) < 0 ||
	    tlc_index_flat_begin(&b, err) < 0) {
		rc = oom(err);
		goto out;
	}
	if ((fd = tlc__fs_tmpfile(&tmp, path.ptr, 0644, err)) < 0) {
		rc = fd;
		goto out;
	}
	rc = tlc__fs_write_all(fd, b.ptr, b.len, tmp.ptr, err);
	for (size_t i = 0; i < projects->n && rc == 0; i++) {
		struct tlc_buf fpath = TLC_BUF_INIT;

		if (fragment_rel(&frel, variant, projects->v[i]) < 0 ||
		    path_of(&fpath, r, "%s", frel.ptr) < 0)
			rc = oom(err);
		else
			rc = append_file(r, fd, fpath.ptr, tmp.ptr, err);
		tlc_buf_release(&fpath);
	}
	tlc_buf_reset(&b);
	if (rc == 0 && tlc_index_flat_end(&b, err) < 0)
		rc = oom(err);
	if (rc == 0)
		rc = tlc__fs_write_all(fd, b.ptr, b.len, tmp.ptr, err);
	if (rc < 0) {
		close(fd);
		unlink(tmp.ptr);
	} else {
		rc = commit_fd(r, fd, tmp.ptr, path.ptr, err);
	}
out:
	tlc_buf_release(&path);
	tlc_buf_release(&tmp);
	tlc_buf_release(&b);
	tlc_buf_release(&frel);
	return rc;
}

/*
 * The shared pages of the main index or of @variant: wheels.html, the
 * fragments of @projects concatenated (@frags[i], or read from disk when
 * @frags is NULL), and the project lists.  A variant with no project left
 * loses its pages.
 */
static int render_shared(struct repo *r, struct sink *s, const char *variant,
			 const struct names *projects,
			 const struct tlc_buf *frags, struct tlc_error *err)
{
	struct tlc_buf b = TLC_BUF_INIT, rel = TLC_BUF_INIT;
	const char *const *v = (const char *const *)projects->v;
	const char *pre = variant ? variant : "", *sl = variant ? "/" : "";
	int rc = 0;

	if (variant && !projects->n) {
		static const char *const pages[] = { "wheels.html",
			"simple/index.html", "simple/index.json", NULL };

		for (size_t i = 0; pages[i] && rc == 0; i++) {
			tlc_buf_reset(&rel);
			if (tlc_buf_printf(&rel, "%s/%s", variant,
					   pages[i]) < 0)
				goto nomem;
			rc = drop_page(r, s, rel.ptr, err);
		}
		if (rc == 0 && (!s || s->repair)) {
			tlc_buf_reset(&rel);
			if (tlc_buf_printf(&rel, "%s/simple", variant) < 0)
				goto nomem;
			drop_dir(r, rel.ptr);
			drop_dir(r, variant);
			tlc_buf_reset(&rel);
			if (tlc_buf_printf(&rel, ".tlcpack/flat/%s",
					   variant) < 0)
				goto nomem;
			drop_dir(r, rel.ptr);
		}
		goto out;
	}
	if (variant) {
		tlc_buf_reset(&rel);
		if (tlc_buf_printf(&rel, "%s/simple", variant) < 0)
			goto nomem;
		if ((!s || s->repair) && (rc = make_dir(r, rel.ptr, err)) < 0)
			goto out;
	}
	tlc_buf_reset(&rel);
	if (tlc_buf_printf(&rel, "%s%swheels.html", pre, sl) < 0)
		goto nomem;
	if (!frags) {
		if ((rc = stream_flat(r, variant, projects, rel.ptr, err)) < 0)
			goto out;
	} else {
		if ((rc = tlc_index_flat_begin(&b, err)) < 0)
			goto out;
		for (size_t i = 0; i < projects->n; i++)
			if (tlc_buf_put(&b, frags[i].ptr, frags[i].len) < 0)
				goto nomem;
		if ((rc = tlc_index_flat_end(&b, err)) < 0 ||
		    (rc = put_page(r, s, rel.ptr, &b, err)) < 0)
			goto out;
	}
	tlc_buf_reset(&b);
	tlc_buf_reset(&rel);
	if ((rc = tlc_index_root_html(&b, v, projects->n, err)) < 0 ||
	    tlc_buf_printf(&rel, "%s%ssimple/index.html", pre, sl) < 0 ||
	    (rc = put_page(r, s, rel.ptr, &b, err)) < 0)
		goto out;
	tlc_buf_reset(&b);
	tlc_buf_reset(&rel);
	if ((rc = tlc_index_root_json(&b, v, projects->n, err)) < 0 ||
	    tlc_buf_printf(&rel, "%s%ssimple/index.json", pre, sl) < 0)
		goto out;
	rc = put_page(r, s, rel.ptr, &b, err);
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&b);
	tlc_buf_release(&rel);
	return rc;
}

/*
 * The projects whose fragment in @rel (".tlcpack/flat[/variant]") is
 * written but still pending (a project's first file), added to the sorted
 * @projects that list_dir() found.
 */
static int add_pending_fragments(struct repo *r, const char *rel,
				 struct names *projects, struct tlc_error *err)
{
	size_t dlen = strlen(r->dir), rlen = strlen(rel);
	bool added = false;

	for (size_t i = 0; i < r->pending[0].n; i++) {
		const char *e = r->pending[0].v[i], *name;
		const char *nl = strchr(e, '\n');
		char key[TLC_NAME_MAX + 1];
		size_t len;

		if (strncmp(e, r->dir, dlen) || e[dlen] != '/' ||
		    strncmp(e + dlen + 1, rel, rlen) || e[dlen + 1 + rlen] != '/')
			continue;
		name = e + dlen + rlen + 2;
		len = (size_t)(nl - name);
		if (memchr(name, '/', len) || len <= 5 ||
		    memcmp(nl - 5, ".html", 5))
			continue;
		if ((len -= 5) > TLC_NAME_MAX)
			continue;
		memcpy(key, name, len);
		key[len] = '\0';
		if (names_has(projects, key))
			continue;
		if (names_add(projects, name, len) < 0)
			return oom(err);
		added = true;
	}
	if (added)
		names_sort(projects);
	return 0;
}

/* Render the shared pages of @variant from the fragments on disk. */
static int render_shared_from_disk(struct repo *r, const char *variant,
				   struct tlc_error *err)
{
	struct tlc_buf rel = TLC_BUF_INIT;
	struct names projects;
	int rc;

	if ((variant ? tlc_buf_printf(&rel, ".tlcpack/flat/%s", variant) :
		       tlc_buf_puts(&rel, ".tlcpack/flat")) < 0)
		return oom(err);
	rc = list_dir(r, rel.ptr, ".html", false, &projects, err);
	if (rc == 0)
		rc = add_pending_fragments(r, rel.ptr, &projects, err);
	tlc_buf_release(&rel);
	if (rc < 0)
		return rc;
	rc = render_shared(r, NULL, variant, &projects, NULL, err);
	names_release(&projects);
	return rc;
}

/* The distinct variants of @p's files, added to @out (unsorted). */
static int add_variants(const struct project *p, struct names *out)
{
	for (size_t i = 0; i < p->n; i++) {
		bool seen = false;

		if (!p->variant[i])
			continue;
		for (size_t j = 0; j < out->n && !seen; j++)
			seen = !strcmp(out->v[j], p->variant[i]);
		if (!seen && names_add(out, p->variant[i],
				       strlen(p->variant[i])) < 0)
			return TLC_ENOMEM;
	}
	return 0;
}

/*
 * After @p's state changed: its pages in the main index and in each of
 * @variants (those it has, or had, files in), then the shared pages.
 */
static int render_change(struct repo *r, const struct project *p,
			 const struct names *variants, struct tlc_error *err)
{
	int rc;

	if ((rc = render_project(r, NULL, p, NULL, err)) < 0)
		return rc;
	for (size_t i = 0; i < variants->n; i++)
		if ((rc = render_project(r, NULL, p, variants->v[i], err)) < 0)
			return rc;
	/* wheels.html from the fragments, the new one still pending */
	if ((rc = render_shared_from_disk(r, NULL, err)) < 0)
		return rc;
	for (size_t i = 0; i < variants->n; i++)
		if ((rc = render_shared_from_disk(r, variants->v[i], err)) < 0)
			return rc;
	return 0;
}

/* Remember that @project's pages (in @variant) wait for a flush. */
static int mark_dirty(struct repo *r, const char *project,
		      const char *variant)
{
	char key[TLC_NAME_MAX + VARIANT_MAX + 2];

	snprintf(key, sizeof(key), "%s%s%s", project, variant ? "/" : "",
		 variant ? variant : "");
	for (size_t i = 0; i < r->dirty.n; i++)
		if (!strcmp(r->dirty.v[i], key))
			return 0;
	return names_add(&r->dirty, key, strlen(key));
}

void tlc_repo_batch(struct tlc_repo *pub)
{
	((struct repo *)pub)->batch = true;
}

int tlc_repo_flush(struct tlc_repo *pub, struct tlc_error *err)
{
	struct repo *r = (struct repo *)pub;
	struct names variants = { 0 };
	int rc = 0;

	r->defer = DEFER_FSYNC;
	for (size_t i = 0; i < r->dirty.n && rc == 0; i++) {
		char *slash = strchr(r->dirty.v[i], '/');
		struct project p;

		if (slash)
			*slash = '\0';
		if ((rc = project_load(r, r->dirty.v[i], &p, err)) < 0)
			break;
		rc = render_project(r, NULL, &p, slash ? slash + 1 : NULL,
				    err);
		project_release(&p);
		if (rc == 0 && slash) {
			bool seen = false;

			for (size_t j = 0; j < variants.n && !seen; j++)
				seen = !strcmp(variants.v[j], slash + 1);
			if (!seen && names_add(&variants, slash + 1,
					       strlen(slash + 1)) < 0)
				rc = oom(err);
		}
		if (slash)
			*slash = '/';
	}
	if (rc == 0)
		rc = settle_group(r, 0, rc, err);	/* the fragments */
	if (rc == 0 && r->dirty.n)
		rc = render_shared_from_disk(r, NULL, err);
	for (size_t i = 0; i < variants.n && rc == 0; i++)
		rc = render_shared_from_disk(r, variants.v[i], err);
	rc = settle(r, rc, err);
	names_release(&variants);
	if (rc == 0)
		names_release(&r->dirty);
	return rc;
}

/* Save @p's state and render what it changes; @old_variants are the
 * variants it had files in before the change. */
static int commit_project(struct repo *r, const struct project *p,
			  const struct names *old_variants,
			  struct tlc_error *err)
{
	struct names variants = { 0 };
	int rc;

	for (size_t i = 0; i < old_variants->n; i++)
		if (names_add(&variants, old_variants->v[i],
			      strlen(old_variants->v[i])) < 0)
			goto nomem;
	if (add_variants(p, &variants) < 0)
		goto nomem;
	names_sort(&variants);
	if ((rc = project_save(r, p, err)) < 0)
		goto out;
	if (!r->batch) {
		rc = render_change(r, p, &variants, err);
		goto out;
	}
	if (mark_dirty(r, p->name, NULL) < 0)
		goto nomem;
	for (size_t i = 0; i < variants.n; i++)
		if (mark_dirty(r, p->name, variants.v[i]) < 0)
			goto nomem;
out:
	names_release(&variants);
	return rc;
nomem:
	names_release(&variants);
	return oom(err);
}

static int reindex(struct repo *r, struct sink *s, struct tlc_error *err);

int tlc_repo_reindex(struct tlc_repo *pub, struct tlc_error *err)
{
	return reindex((struct repo *)pub, NULL, err);
}

int tlc_repo_set_base_url(struct tlc_repo *pub, const char *url,
			  struct tlc_error *err)
{
	struct repo *r = (struct repo *)pub;
	struct tlc_buf path = TLC_BUF_INIT;
	json_t *o;
	char *s = NULL, *copy = NULL;
	int rc;

	if (url && (rc = check_base_url(url, err)) < 0)
		return rc;
	if ((url && !(copy = strdup(url))) ||
	    !(o = json_pack("{s:o}", "base-url", url ? json_string(url) :
			    json_null()))) {
		free(copy);
		return oom(err);
	}
	if (!(s = json_dumps(o, JSON_INDENT(1))) ||
	    path_of(&path, r, ".tlcpack/config.json") < 0)
		rc = oom(err);
	else
		rc = tlc__fs_write_atomic(path.ptr, s, strlen(s), 0644, err);
	free(s);
	json_decref(o);
	tlc_buf_release(&path);
	if (rc < 0) {
		free(copy);
		return rc;
	}
	free(r->base_url);
	r->base_url = copy;
	return reindex(r, NULL, err);
}

/* ---- removed names ------------------------------------------------------ */

static int load_removed(struct repo *r, struct names *out,
			struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, data = TLC_BUF_INIT_MAX(REMOVED_MAX);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (path_of(&path, r, ".tlcpack/removed") < 0) {
		rc = oom(err);
		goto out;
	}
	if (!tlc__fs_exists(path.ptr))
		goto out;
	if ((rc = tlc_buf_read_file(&data, path.ptr, err)) < 0)
		goto out;
	for (const char *l = data.ptr; *l;) {
		const char *e = strchr(l, '\n');
		size_t k = e ? (size_t)(e - l) : strlen(l);

		if (k && names_add(out, l, k) < 0) {
			rc = oom(err);
			break;
		}
		l += k + (e ? 1 : 0);
	}
	names_sort(out);
out:
	tlc_buf_release(&path);
	tlc_buf_release(&data);
	if (rc < 0)
		names_release(out);
	return rc;
}

/* Append @add to .tlcpack/removed, durably. */
static int append_removed(struct repo *r, const struct names *add,
			  struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, data = TLC_BUF_INIT_MAX(REMOVED_MAX);
	int rc = 0;

	if (path_of(&path, r, ".tlcpack/removed") < 0) {
		rc = oom(err);
		goto out;
	}
	if (tlc__fs_exists(path.ptr) &&
	    (rc = tlc_buf_read_file(&data, path.ptr, err)) < 0)
		goto out;
	for (size_t i = 0; i < add->n; i++)
		if (tlc_buf_printf(&data, "%s\n", add->v[i]) < 0) {
			rc = tlc_error_set(err, TLC_ETOOBIG, "%s would pass "
					   "%zu bytes", path.ptr, REMOVED_MAX);
			goto out;
		}
	rc = tlc__fs_write_atomic(path.ptr, data.ptr, data.len, 0644, err);
out:
	tlc_buf_release(&path);
	tlc_buf_release(&data);
	return rc;
}

/* ---- publishing --------------------------------------------------------- */

/*
 * Inflate every member of @wr and check it against RECORD (hash and
 * size).  The zip reader refuses members whose header claims a ratio
 * deflate cannot reach, and stops a stream that gives more bytes than its
 * header says, so a bomb costs no more than its honest size.  A member
 * that @streamed (NULL: none) vouches for, having inflated it to the
 * entry's size and CRC-32 as the file was written, is not read again:
 * its SHA-256 is the streamed one.
 */
static int verify_members(const struct tlc_wheel_reader *wr, const char *name,
			  const struct tlc_zipstream *streamed,
			  struct tlc_error *err)
{
	const struct tlc_zip_reader *zr = tlc_wheel_reader_zip(wr);
	const char *di = tlc_wheel_reader_dist_info(wr);
	size_t dilen = strlen(di);
	unsigned char *buf = malloc(1 << 16);
	int rc = 0;

	if (!buf)
		return oom(err);
	for (size_t i = 0; i < tlc_zip_reader_count(zr) && rc == 0; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(zr, i);
		const struct tlc_wheel_record *rec =
			tlc_wheel_reader_record(wr, e->name);
		struct tlc_zip_stream *s = NULL;
		struct tlc__sha256 h;
		unsigned char sha[32];
		uint64_t total = 0;
		size_t got;

		if (!rec || !rec->has_sha256) {
			/* RECORD itself, or its signature (PEP 376: their
			 * lines have no hash); the reader checked that only
			 * they may lack one */
			if (strncmp(e->name, di, dilen) ||
			    e->name[dilen] != '/')
				rc = tlc_error_set(err, TLC_EPOLICY, "%s: '%s' "
						   "is not in RECORD", name,
						   e->name);
			continue;
		}
		if (streamed && tlc_zipstream_sha256(streamed, e, sha)) {
			total = e->size;
			goto compare;
		}
		if ((rc = tlc_zip_stream_open(&s, zr, e, err)) < 0)
			break;
		if (!tlc__sha256_init(&h)) {
			tlc_zip_stream_free(s);
			rc = oom(err);
			break;
		}
		while ((rc = tlc_zip_stream_read(s, buf, 1 << 16, &got,
						 err)) == 0 && got) {
			tlc__sha256_update(&h, buf, got);
			total += got;
		}
		tlc_zip_stream_free(s);
		tlc__sha256_final(&h, sha);
		if (rc < 0)
			break;	/* the message names the wheel already */
compare:
		if (!rec->has_sha256 || memcmp(sha, rec->sha256, 32))
			rc = tlc_error_set(err, TLC_EPOLICY, "%s: '%s' does "
					   "not match its RECORD hash", name,
					   e->name);
		else if (rec->has_size && rec->size != total)
			rc = tlc_error_set(err, TLC_EPOLICY, "%s: '%s' is "
					   "%llu bytes, RECORD says %llu",
					   name, e->name,
					   (unsigned long long)total,
					   (unsigned long long)rec->size);
	}
	free(buf);
	return rc;
}

/* Copy @fd (the wheel) durably to @dst. */
/*
 * Move @src in as @dst's temporary file: renamed onto a name that does
 * not exist, since a rename over an existing file makes ext4
 * (auto_da_alloc) write the whole file back inside rename().  Returns
 * the temporary file open, or < 0 when it cannot be moved (another file
 * system): the caller copies it then.
 */
static int adopt_in(struct tlc_buf *tmp, const char *src, const char *dst)
{
	int fd;

	if ((fd = tlc__fs_tmpfile(tmp, dst, 0644, NULL)) < 0)
		return fd;
	close(fd);
	unlink(tmp->ptr);
	if (renameat2(AT_FDCWD, src, AT_FDCWD, tmp->ptr, RENAME_NOREPLACE) < 0)
		return TLC_EIO;
	if ((fd = open(tmp->ptr, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fchmod(fd, 0644) < 0) {
		if (fd >= 0)
			close(fd);
		unlink(tmp->ptr);
		return TLC_EIO;
	}
	return fd;
}

static int copy_in(struct repo *r, int fd, const char *src, const char *dst,
		   bool adopt, struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT;
	int out, rc = 0;

	if (adopt && (out = adopt_in(&tmp, src, dst)) >= 0)
		goto commit;
	tlc_buf_reset(&tmp);
	if ((out = tlc__fs_tmpfile(&tmp, dst, 0644, err)) < 0) {
		tlc_buf_release(&tmp);
		return out;
	}
	if ((rc = copy_all(fd, out, tmp.ptr, err)) < 0) {
		close(out);
		unlink(tmp.ptr);
		tlc_buf_release(&tmp);
		return rc;
	}
commit:
	rc = commit_fd(r, out, tmp.ptr, dst, err);
	tlc_buf_release(&tmp);
	return rc;
}

static int validate(const char *path, const struct tlc_zipstream *streamed,
		    struct tlc_wheel_reader **wr_out,
		    struct tlc_coremeta **meta_out, struct tlc_error *err)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct tlc_wheel_reader *wr = NULL;
	struct tlc_coremeta *meta = NULL;
	const struct tlc_buf *md;
	int rc;

	if ((rc = tlc_wheel_reader_open(&wr, path, err)) < 0 ||
	    (rc = tlc_zip_reader_check_strict(tlc_wheel_reader_zip(wr),
					      err)) < 0)
		goto fail;
	md = tlc_wheel_reader_metadata(wr);
	if ((rc = tlc_coremeta_parse(&meta, md->ptr, md->len, "METADATA",
				     err)) < 0) {
		tlc_error_prefix(err, "%s", base);
		goto fail;
	}
	if (!tlc_name_equal(meta->name, tlc_wheel_reader_name(wr))) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s: METADATA names '%s', "
				   "the file name '%s'", base, meta->name,
				   tlc_wheel_reader_name(wr));
		goto fail;
	}
	if ((rc = verify_members(wr, base, streamed, err)) < 0)
		goto fail;
	*wr_out = wr;
	*meta_out = meta;
	return 0;
fail:
	tlc_coremeta_free(meta);
	tlc_wheel_reader_free(wr);
	return rc;
}

int tlc_repo_validate(const char *path, struct tlc_wheel_reader **wr_out,
		      struct tlc_coremeta **meta_out, struct tlc_error *err)
{
	return validate(path, NULL, wr_out, meta_out, err);
}

static int publish(struct tlc_repo *pub, const char *path,
		   const char *variant, const unsigned char *known_sha256,
		   uint64_t known_size, const struct tlc_zipstream *streamed,
		   enum tlc_repo_outcome *outcome,
		   struct tlc_error *err)
{
	struct repo *r = (struct repo *)pub;
	struct tlc_wheel_reader *wr = NULL;
	struct tlc_coremeta *meta = NULL;
	struct tlc_buf project = TLC_BUF_INIT, dst = TLC_BUF_INIT,
		       version = TLC_BUF_INIT, mpath = TLC_BUF_INIT;
	struct names removed = { 0 }, old_variants = { 0 };
	struct project p = { 0 };
	struct tlc_index_file f = { 0 };
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const struct tlc_buf *md;
	int fd = -1, rc;

	*outcome = TLC_REPO_ADDED;
	if (variant && (rc = check_variant(variant, err)) < 0)
		goto out;
	if ((rc = validate(path, streamed, &wr, &meta, err)) < 0)
		goto out;
	md = tlc_wheel_reader_metadata(wr);
	if (tlc_name_normalize(&project, meta->name, err) < 0 ||
	    tlc_pep440_normalize(&version, meta->version, err) < 0) {
		rc = err ? err->code : TLC_EPOLICY;
		goto out;
	}
	if ((rc = load_removed(r, &removed, err)) < 0)
		goto out;
	if (names_has(&removed, base)) {
		rc = tlc_error_set(err, TLC_EEXISTS, "%s was published and "
				   "removed: a removed file name is never "
				   "used again", base);
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
		goto out;
	}
	if (known_sha256) {
		memcpy(f.sha256, known_sha256, 32);
		f.size = known_size;
	} else if ((rc = tlc__fs_sha256(fd, f.sha256, &f.size, path,
					err)) < 0) {
		goto out;
	}
	if ((rc = project_load(r, project.ptr, &p, err)) < 0)
		goto out;
	for (size_t i = 0; i < p.n; i++) {
		if (strcmp(p.files[i].filename, base))
			continue;
		if (memcmp(p.files[i].sha256, f.sha256, 32)) {
			rc = tlc_error_set(err, TLC_EEXISTS, "%s is published "
					   "already with other bytes: a file "
					   "name is never rewritten", base);
		} else if (p.variant[i] && variant &&
			   strcmp(variant, p.variant[i])) {
			rc = tlc_error_set(err, TLC_EEXISTS, "%s is published "
					   "already, in variant '%s'", base,
					   p.variant[i]);
		} else if (variant && !p.variant[i]) {
			/* the same bytes, now in a sub-index too */
			if (add_variants(&p, &old_variants) < 0)
				goto nomem;
			p.variant[i] = variant;
			rc = commit_project(r, &p, &old_variants, err);
		} else {
			*outcome = TLC_REPO_SAME;
		}
		goto out;
	}
	if (add_variants(&p, &old_variants) < 0)
		goto nomem;
	/* 1. the wheel and its metadata, durable before any page names them */
	tlc_buf_reset(&dst);
	if (tlc_buf_printf(&dst, "files/%s", project.ptr) < 0)
		goto nomem;
	if ((rc = make_dir(r, dst.ptr, err)) < 0)
		goto out;
	if (path_of(&dst, r, "files/%s/%s", project.ptr, base) < 0 ||
	    path_of(&mpath, r, "files/%s/%s.metadata", project.ptr, base) < 0)
		goto nomem;
	r->defer = DEFER_FSYNC;
	if ((rc = copy_in(r, fd, path, dst.ptr, known_sha256 != NULL,
			   err)) < 0 ||
	    (rc = write_file(r, mpath.ptr, md->ptr, md->len, err)) < 0)
		goto out;
	if (!tlc__sha256(md->ptr, md->len, f.metadata_sha256))
		goto nomem;
	f.has_metadata = true;
	/* 2. the state, then the pages */
	f.filename = base;
	f.project = p.name;
	f.version = version.ptr;
	f.requires_python = meta->requires_python;
	f.upload_time = r->opts.now >= 0 ? r->opts.now : (int64_t)time(NULL);
	if (project_grow(&p, p.n + 1) < 0)
		goto nomem;
	p.variant[p.n] = variant;
	p.files[p.n++] = f;
	rc = commit_project(r, &p, &old_variants, err);
	goto out;
nomem:
	rc = oom(err);
out:
	if (r->defer)
		rc = settle(r, rc, err);
	if (fd >= 0)
		close(fd);
	names_release(&removed);
	names_release(&old_variants);
	project_release(&p);
	tlc_coremeta_free(meta);
	tlc_wheel_reader_free(wr);
	tlc_buf_release(&project);
	tlc_buf_release(&dst);
	tlc_buf_release(&version);
	tlc_buf_release(&mpath);
	return rc;
}

int tlc_repo_publish(struct tlc_repo *r, const char *path,
		     const char *variant, enum tlc_repo_outcome *outcome,
		     struct tlc_error *err)
{
	return publish(r, path, variant, NULL, 0, NULL, outcome, err);
}

int tlc_repo_publish_adopt(struct tlc_repo *r, const char *path,
			   const char *variant,
			   const unsigned char sha256[32], uint64_t size,
			   const struct tlc_zipstream *streamed,
			   enum tlc_repo_outcome *outcome,
			   struct tlc_error *err)
{
	struct stat st;

	/* cheap, and the one mismatch a caller's bug would make likely */
	if (stat(path, &st) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", path);
	if ((uint64_t)st.st_size != size)
		return tlc_error_set(err, TLC_ERROR, "'%s' is %llu bytes, not "
				     "the %llu given", path,
				     (unsigned long long)st.st_size,
				     (unsigned long long)size);
	return publish(r, path, variant, sha256, size, streamed, outcome,
		       err);
}

/* ---- yanking ------------------------------------------------------------ */

/* Load the project of @filename (its name parsed, normalized) and find
 * the file in it. */
static int find_file(struct repo *r, const char *filename, struct project *p,
		     size_t *idx, struct tlc_error *err)
{
	struct tlc_wheel_filename wf;
	struct tlc_buf name = TLC_BUF_INIT;
	int rc;

	if ((rc = tlc_wheel_filename_parse(&wf, filename, err)) < 0)
		return rc;
	if (tlc_name_normalize(&name, wf.name, err) < 0)
		return err ? err->code : TLC_EPOLICY;
	rc = project_load(r, name.ptr, p, err);
	tlc_buf_release(&name);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->files[i].filename, filename)) {
			*idx = i;
			return 0;
		}
	project_release(p);
	return tlc_error_set(err, TLC_ENOTFOUND, "%s is not in the "
			     "repository", filename);
}

static int set_yank(struct repo *r, const char *filename, const char *reason,
		    struct tlc_error *err)
{
	struct names variants = { 0 };
	struct project p;
	size_t i;
	int rc;

	if (reason && strpbrk(reason, "\r\n"))
		return tlc_error_set(err, TLC_EPOLICY, "a yank reason is one "
				     "line");
	if ((rc = find_file(r, filename, &p, &i, err)) < 0)
		return rc;
	p.files[i].yanked = reason;
	if (add_variants(&p, &variants) < 0)
		rc = oom(err);
	else
		rc = commit_project(r, &p, &variants, err);
	names_release(&variants);
	project_release(&p);
	return rc;
}

int tlc_repo_yank(struct tlc_repo *r, const char *filename,
		  const char *reason, struct tlc_error *err)
{
	return set_yank((struct repo *)r, filename, reason ? reason : "", err);
}

int tlc_repo_unyank(struct tlc_repo *r, const char *filename,
		    struct tlc_error *err)
{
	return set_yank((struct repo *)r, filename, NULL, err);
}

/* ---- pruning ------------------------------------------------------------ */

struct candidate {
	size_t idx;			/* in the project's files */
	char group[512];		/* "py-abi-plat" */
	struct tlc_pep440 v;
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	if (c)
		return c;
	c = tlc_pep440_cmp(&y->v, &x->v);	/* newest first */
	return c ? c : (x->idx < y->idx) - (x->idx > y->idx);
}

/* Delete @p's files marked in @drop: removed list, state and pages, then
 * the files. */
static int delete_files(struct repo *r, struct project *p, const bool *drop,
			struct tlc_error *err)
{
	struct names gone = { 0 }, variants = { 0 };
	struct tlc_buf path = TLC_BUF_INIT;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < p->n; i++)
		if (drop[i] && names_add(&gone, p->files[i].filename,
					 strlen(p->files[i].filename)) < 0)
			goto nomem;
	if (!gone.n || add_variants(p, &variants) < 0) {
		rc = gone.n ? oom(err) : 0;
		goto out;
	}
	if ((rc = append_removed(r, &gone, err)) < 0)
		goto out;
	for (size_t i = 0; i < p->n; i++)
		if (!drop[i]) {
			p->variant[k] = p->variant[i];
			p->files[k++] = p->files[i];
		}
	p->n = k;
	if ((rc = commit_project(r, p, &variants, err)) < 0)
		goto out;
	/* no page links them now */
	for (size_t i = 0; i < gone.n && rc == 0; i++) {
		if (path_of(&path, r, "files/%s/%s", p->name, gone.v[i]) < 0)
			goto nomem;
		rc = tlc__fs_unlink(path.ptr, err);
		if (rc == 0 && tlc_buf_puts(&path, ".metadata") < 0)
			goto nomem;
		if (rc == 0)
			rc = tlc__fs_unlink(path.ptr, err);
	}
	if (rc == 0 && path_of(&path, r, "files/%s", p->name) < 0)
		goto nomem;
	if (rc == 0)
		rc = tlc__fs_fsync_dir(path.ptr, err);
	goto out;
nomem:
	rc = oom(err);
out:
	names_release(&gone);
	names_release(&variants);
	tlc_buf_release(&path);
	return rc;
}

static int prune_project(struct repo *r, const char *name,
			 const struct tlc_repo_prune_opts *o,
			 tlc_repo_event_cb cb, void *data,
			 struct tlc_error *err)
{
	struct sink s = { false, cb, data, 0 };
	struct candidate *c = NULL;
	struct project p;
	bool *drop = NULL, changed = false;
	size_t nc = 0, rank = 0;
	int rc;

	if ((rc = project_load(r, name, &p, err)) < 0)
		return rc;
	if (p.n && (!(c = calloc(p.n, sizeof(*c))) ||
		    !(drop = calloc(p.n, sizeof(*drop))))) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < p.n; i++) {
		struct tlc_wheel_filename wf;
		struct candidate *x = &c[nc];

		if (tlc_wheel_filename_parse(&wf, p.files[i].filename,
					     NULL) < 0 ||
		    tlc_pep440_parse(&x->v, p.files[i].version, NULL) < 0)
			continue;	/* checked at publish */
		if (x->v.pre == TLC_PEP440_PRE_NONE && !x->v.has_dev)
			continue;	/* a release: never pruned */
		x->idx = i;
		snprintf(x->group, sizeof(x->group), "%s-%s-%s", wf.python,
			 wf.abi, wf.platform);
		nc++;
	}
	qsort(c, nc, sizeof(*c), cmp_candidate);
	for (size_t i = 0; i < nc; i++) {
		struct tlc_index_file *f = &p.files[c[i].idx];
		const char *kind = "keep";

		rank = i && !strcmp(c[i].group, c[i - 1].group) ? rank + 1 : 0;
		if (rank >= o->keep) {
			if (o->delete) {
				kind = "delete";
				drop[c[i].idx] = true;
				changed = true;
			} else if (!f->yanked) {
				kind = "yank";
				f->yanked = PRUNE_REASON;
				changed = true;
			} else {
				kind = "keep";	/* yanked already */
			}
		}
		report(&s, kind, f->filename, c[i].group);
	}
	if (!changed || o->dry_run)
		goto out;
	if (o->delete) {
		rc = delete_files(r, &p, drop, err);
	} else {
		struct names variants = { 0 };

		if (add_variants(&p, &variants) < 0)
			rc = oom(err);
		else
			rc = commit_project(r, &p, &variants, err);
		names_release(&variants);
	}
out:
	free(c);
	free(drop);
	project_release(&p);
	return rc;
}

int tlc_repo_prune(struct tlc_repo *pub, const struct tlc_repo_prune_opts *o,
		   tlc_repo_event_cb cb, void *data, struct tlc_error *err)
{
	struct repo *r = (struct repo *)pub;
	struct names projects = { 0 };
	int rc = 0;

	if (o->keep < 1)
		return tlc_error_set(err, TLC_EPOLICY, "prune must keep at "
				     "least 1 file per group");
	if (o->projects) {
		for (size_t i = 0; o->projects[i] && rc == 0; i++) {
			struct tlc_buf n = TLC_BUF_INIT;

			if (tlc_name_normalize(&n, o->projects[i], err) < 0)
				rc = err ? err->code : TLC_EPOLICY;
			else if (names_add(&projects, n.ptr, n.len) < 0)
				rc = oom(err);
			tlc_buf_release(&n);
		}
		names_sort(&projects);
		/* a name that is not there is a mistake, not nothing to do */
		for (size_t i = 0; i < projects.n && rc == 0; i++) {
			struct tlc_buf path = TLC_BUF_INIT;

			if (path_of(&path, r, ".tlcpack/state/%s.json",
				    projects.v[i]) < 0)
				rc = oom(err);
			else if (!tlc__fs_exists(path.ptr))
				rc = tlc_error_set(err, TLC_ENOTFOUND, "no "
						   "project '%s' in the "
						   "repository",
						   projects.v[i]);
			tlc_buf_release(&path);
		}
	} else {
		rc = list_dir(r, ".tlcpack/state", ".json", false, &projects,
			      err);
	}
	for (size_t i = 0; i < projects.n && rc == 0; i++)
		rc = prune_project(r, projects.v[i], o, cb, data, err);
	names_release(&projects);
	return rc;
}

/* ---- regenerating and checking ------------------------------------------ */

/* Remove temporary files under @rel, recursively. */
static int sweep_tmp(struct repo *r, struct sink *s, const char *rel,
		     struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, sub = TLC_BUF_INIT;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (path_of(&path, r, "%s", rel) < 0)
		return oom(err);
	if (!(d = opendir(path.ptr))) {
		tlc_buf_release(&path);
		return 0;
	}
	while ((e = readdir(d)) && rc == 0) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		tlc_buf_reset(&sub);
		if (tlc_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "",
				   e->d_name) < 0) {
			rc = oom(err);
			break;
		}
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = sweep_tmp(r, s, sub.ptr, err);
		} else if (is_tmp_name(e->d_name)) {
			if (!s->repair) {
				s->nerrors++;
				report(s, "stale", sub.ptr, "a temporary file "
				       "of an interrupted write");
			} else if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
				report(s, "repaired", sub.ptr, "removed: a "
				       "temporary file of an interrupted "
				       "write");
			}
		}
	}
	closedir(d);
	tlc_buf_release(&path);
	tlc_buf_release(&sub);
	return rc;
}

/* Does files/<project>/<filename> match @f (size and SHA-256), and its
 * .metadata? */
static int verify_file(struct repo *r, const struct tlc_index_file *f,
		       const char **why, struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT;
	unsigned char sha[32];
	uint64_t size;
	int fd, rc = 0;

	*why = NULL;
	for (int meta = 0; meta < 2 && !*why; meta++) {
		if (path_of(&path, r, "files/%s/%s%s", f->project, f->filename,
			    meta ? ".metadata" : "") < 0) {
			rc = oom(err);
			break;
		}
		if (meta && !f->has_metadata)
			break;
		if ((fd = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0) {
			*why = meta ? "its .metadata is missing" :
				      "the file is missing";
			break;
		}
		rc = tlc__fs_sha256(fd, sha, &size, path.ptr, err);
		close(fd);
		if (rc < 0)
			break;
		if (!meta && (size != f->size || memcmp(sha, f->sha256, 32)))
			*why = "the file's size or SHA-256 is not what was "
			       "published";
		else if (meta && memcmp(sha, f->metadata_sha256, 32))
			*why = "its .metadata's SHA-256 is not what was "
			       "published";
	}
	tlc_buf_release(&path);
	return rc;
}

/*
 * Check @p's files against the disk and the removed list: a file being
 * deleted when a writer died is dropped (the delete is finished); a
 * missing or damaged one is an error and, with repair, dropped too.
 */
static int check_files(struct repo *r, struct sink *s, struct project *p,
		       const struct names *removed, struct tlc_error *err)
{
	struct tlc_buf rel = TLC_BUF_INIT;
	bool changed = false;
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct tlc_index_file *f = &p->files[i];
		const char *why = NULL;
		bool keep = true;

		tlc_buf_reset(&rel);
		if (tlc_buf_printf(&rel, "files/%s/%s", p->name,
				   f->filename) < 0) {
			rc = oom(err);
			goto out;
		}
		if (names_has(removed, f->filename)) {
			keep = !s->repair;
			if (!s->repair)
				s->nerrors++;
			report(s, s->repair ? "repaired" : "stale", rel.ptr,
			       "was being deleted: the delete is finished");
		} else {
			if ((rc = verify_file(r, f, &why, err)) < 0)
				goto out;
			if (why) {
				s->nerrors++;
				keep = !s->repair;
				report(s, "error", rel.ptr, why);
			}
		}
		if (keep) {
			p->variant[k] = p->variant[i];
			p->files[k++] = *f;
		} else {
			changed = true;
		}
	}
	p->n = k;
	if (changed)
		rc = project_save(r, p, err);
out:
	tlc_buf_release(&rel);
	return rc;
}

/* Files under files/ that no state publishes: leftovers of a delete are
 * removed (with repair), others are orphans. */
static int check_orphans(struct repo *r, struct sink *s,
			 const struct names *published,
			 const struct names *removed, struct tlc_error *err)
{
	struct names dirs = { 0 }, files = { 0 };
	struct tlc_buf rel = TLC_BUF_INIT, path = TLC_BUF_INIT;
	int rc;

	if ((rc = list_dir(r, "files", NULL, true, &dirs, err)) < 0)
		return rc;
	for (size_t i = 0; i < dirs.n && rc == 0; i++) {
		tlc_buf_reset(&rel);
		if (tlc_buf_printf(&rel, "files/%s", dirs.v[i]) < 0 ||
		    (rc = list_dir(r, rel.ptr, NULL, false, &files, err)) < 0) {
			rc = rc < 0 ? rc : oom(err);
			break;
		}
		for (size_t j = 0; j < files.n && rc == 0; j++) {
			const char *name = files.v[j];
			size_t len = strlen(name);
			char *base = strndup(name, len > 9 &&
					     !strcmp(name + len - 9,
						     ".metadata") ?
					     len - 9 : len);

			if (!base) {
				rc = oom(err);
				break;
			}
			tlc_buf_reset(&rel);
			if (tlc_buf_printf(&rel, "files/%s/%s", dirs.v[i],
					   name) < 0) {
				free(base);
				rc = oom(err);
				break;
			}
			if (names_has(published, rel.ptr)) {
				free(base);
				continue;
			}
			if (names_has(removed, base)) {
				if (!s->repair) {
					s->nerrors++;
					report(s, "stale", rel.ptr, "was "
					       "deleted from the pages, not "
					       "yet from the disk");
				} else if (path_of(&path, r, "%s",
						   rel.ptr) < 0) {
					rc = oom(err);
				} else if ((rc = tlc__fs_unlink(path.ptr,
								err)) == 0) {
					report(s, "repaired", rel.ptr,
					       "removed: it was being "
					       "deleted");
				}
			} else {
				report(s, "orphan", rel.ptr, "no page links "
				       "it: publish it, or delete it");
			}
			free(base);
		}
		names_release(&files);
	}
	names_release(&dirs);
	tlc_buf_release(&rel);
	tlc_buf_release(&path);
	return rc;
}

/* Drop the pages and fragments of projects (and variants) that no state
 * names any more. */
static int check_leftovers(struct repo *r, struct sink *s,
			   const struct names *projects,
			   const struct names *variants, struct tlc_error *err)
{
	struct names found = { 0 }, vdirs = { 0 };
	struct tlc_buf rel = TLC_BUF_INIT;
	struct project empty = { 0 };
	int rc;

	/* the main index */
	if ((rc = list_dir(r, "simple", NULL, true, &found, err)) < 0)
		goto out;
	for (size_t i = 0; i < found.n && rc == 0; i++)
		if (!names_has(projects, found.v[i])) {
			empty.name = found.v[i];
			rc = render_project(r, s, &empty, NULL, err);
		}
	names_release(&found);
	if (rc < 0 ||
	    (rc = list_dir(r, ".tlcpack/flat", ".html", false, &found,
			   err)) < 0)
		goto out;
	for (size_t i = 0; i < found.n && rc == 0; i++)
		if (!names_has(projects, found.v[i])) {
			empty.name = found.v[i];
			rc = render_project(r, s, &empty, NULL, err);
		}
	names_release(&found);
	/* the variants, as .tlcpack/flat/ knows them */
	if (rc < 0 ||
	    (rc = list_dir(r, ".tlcpack/flat", NULL, true, &vdirs, err)) < 0)
		goto out;
	for (size_t v = 0; v < vdirs.n && rc == 0; v++) {
		const char *var = vdirs.v[v];
		struct names none = { 0 };

		for (int pass = 0; pass < 2 && rc == 0; pass++) {
			tlc_buf_reset(&rel);
			if ((pass ? tlc_buf_printf(&rel, ".tlcpack/flat/%s",
						   var) :
				    tlc_buf_printf(&rel, "%s/simple",
						   var)) < 0) {
				rc = oom(err);
				break;
			}
			if ((rc = list_dir(r, rel.ptr, pass ? ".html" : NULL,
					   !pass, &found, err)) < 0)
				break;
			for (size_t i = 0; i < found.n && rc == 0; i++) {
				struct project pr;

				/* a project with no file in @var renders
				 * nothing there */
				if (names_has(projects, found.v[i])) {
					if ((rc = project_load(r, found.v[i],
							       &pr, err)) < 0)
						break;
					rc = render_project(r, s, &pr, var,
							    err);
					project_release(&pr);
				} else {
					empty.name = found.v[i];
					rc = render_project(r, s, &empty, var,
							    err);
				}
			}
			names_release(&found);
		}
		if (rc == 0 && !names_has(variants, var))
			rc = render_shared(r, s, var, &none, NULL, err);
	}
out:
	names_release(&found);
	names_release(&vdirs);
	tlc_buf_release(&rel);
	return rc;
}

/*
 * Render every page from the states through @s: with a NULL sink, a full
 * regeneration; with a checking sink, the comparison.
 */
static int render_all(struct repo *r, struct sink *s,
		      const struct names *projects, struct project *ps,
		      const struct names *variants, struct tlc_error *err)
{
	struct tlc_index_opts flat = { "", r->base_url };
	struct tlc_buf *frags = NULL;
	struct tlc_index_file *sel = NULL;
	struct names listed = { 0 };
	size_t maxn = 0;
	int rc = 0;

	for (size_t i = 0; i < projects->n; i++)
		maxn = ps[i].n > maxn ? ps[i].n : maxn;
	if ((maxn && !(sel = calloc(maxn, sizeof(*sel)))) ||
	    (projects->n && !(frags = calloc(projects->n, sizeof(*frags)))))
		goto nomem;
	for (size_t v = 0; v <= variants->n && rc == 0; v++) {
		const char *var = v < variants->n ? variants->v[v] : NULL;

		flat.root = var ? "../" : "";
		names_release(&listed);
		for (size_t i = 0; i < projects->n && rc == 0; i++) {
			size_t n = select_files(&ps[i], var, sel);

			if ((rc = render_project(r, s, &ps[i], var, err)) < 0)
				break;
			if (!n)
				continue;
			tlc_buf_init(&frags[listed.n], 0);
			if (names_add(&listed, projects->v[i],
				      strlen(projects->v[i])) < 0)
				goto nomem;
			rc = tlc_index_flat_links(&frags[listed.n - 1], sel, n,
						  &flat, err);
		}
		if (rc == 0)
			rc = render_shared(r, s, var, &listed, frags, err);
		for (size_t i = 0; i < listed.n; i++)
			tlc_buf_release(&frags[i]);
	}
	goto out;
nomem:
	rc = oom(err);
out:
	names_release(&listed);
	free(frags);
	free(sel);
	return rc;
}

/* Load every state; @projects and @ps in name order. */
static int load_all(struct repo *r, struct names *projects,
		    struct project **ps, struct tlc_error *err)
{
	int rc;

	*ps = NULL;
	if ((rc = list_dir(r, ".tlcpack/state", ".json", false, projects,
			   err)) < 0)
		return rc;
	if (projects->n && !(*ps = calloc(projects->n, sizeof(**ps)))) {
		names_release(projects);
		return oom(err);
	}
	for (size_t i = 0; i < projects->n && rc == 0; i++)
		rc = project_load(r, projects->v[i], &(*ps)[i], err);
	return rc;
}

static void free_all(struct names *projects, struct project *ps)
{
	for (size_t i = 0; ps && i < projects->n; i++)
		project_release(&ps[i]);
	free(ps);
	names_release(projects);
}

static int reindex_with(struct repo *r, struct sink *s,
			const struct names *projects, struct project *ps,
			struct tlc_error *err)
{
	struct names variants = { 0 };
	int rc = 0;

	for (size_t i = 0; i < projects->n && rc == 0; i++)
		if (add_variants(&ps[i], &variants) < 0)
			rc = oom(err);
	names_sort(&variants);
	if (rc == 0)
		rc = render_all(r, s, projects, ps, &variants, err);
	if (rc == 0 && s)
		rc = check_leftovers(r, s, projects, &variants, err);
	names_release(&variants);
	return rc;
}

static int reindex(struct repo *r, struct sink *s, struct tlc_error *err)
{
	struct names projects = { 0 };
	struct project *ps = NULL;
	int rc;

	r->defer = s ? DEFER_NONE : DEFER_SYNCFS;
	if ((rc = load_all(r, &projects, &ps, err)) == 0)
		rc = reindex_with(r, s, &projects, ps, err);
	free_all(&projects, ps);
	if (!s)
		rc = settle(r, rc, err);
	return rc;
}

int tlc_repo_check(struct tlc_repo *pub, bool repair, tlc_repo_event_cb cb,
		   void *data, size_t *nerrors, struct tlc_error *err)
{
	struct repo *r = (struct repo *)pub;
	struct sink s = { repair, cb, data, 0 };
	struct names projects = { 0 }, removed = { 0 }, published = { 0 };
	struct tlc_buf rel = TLC_BUF_INIT;
	struct project *ps = NULL;
	int rc;

	*nerrors = 0;
	if ((rc = sweep_tmp(r, &s, "", err)) < 0 ||
	    (rc = load_removed(r, &removed, err)) < 0 ||
	    (rc = load_all(r, &projects, &ps, err)) < 0)
		goto out;
	for (size_t i = 0; i < projects.n && rc == 0; i++)
		rc = check_files(r, &s, &ps[i], &removed, err);
	for (size_t i = 0; i < projects.n && rc == 0; i++)
		for (size_t j = 0; j < ps[i].n && rc == 0; j++) {
			const char *fn = ps[i].files[j].filename;

			for (int meta = 0; meta < 2 && rc == 0; meta++) {
				tlc_buf_reset(&rel);
				if (tlc_buf_printf(&rel, "files/%s/%s%s",
						   ps[i].name, fn, meta ?
						   ".metadata" : "") < 0 ||
				    names_add(&published, rel.ptr,
					      rel.len) < 0)
					rc = oom(err);
			}
		}
	names_sort(&published);
	if (rc == 0)
		rc = reindex_with(r, &s, &projects, ps, err);
	if (rc == 0)
		rc = check_orphans(r, &s, &published, &removed, err);
	*nerrors = s.nerrors;
out:
	free_all(&projects, ps);
	names_release(&removed);
	names_release(&published);
	tlc_buf_release(&rel);
	return rc;
}
