/*
 * tlcpack serve: uploads (the legacy API that twine and uv publish speak,
 * warehouse's forklift/legacy.py) and yanks over HTTP.
 *
 *   POST / or /legacy/   multipart/form-data: ":action" = "file_upload",
 *                        "protocol_version" = "1", "content" (the wheel,
 *                        with its filename), "sha256_digest",
 *                        "blake2_256_digest", "md5_digest" (hex),
 *                        "name", "version", "filetype", ...; and
 *                        "variant" (ours: the sub-index to list it in)
 *   POST /-/yank         "filename", "reason" (urlencoded or multipart)
 *   POST /-/unyank       "filename"
 *   POST /-/prune        "name" (the project), "keep" (N >= 1), "delete"
 *                        and "dry_run" ("1" or "0", default "0"): the
 *                        project's nightlies pruned as `tlcpack prune`
 *                        does it; the reply lists what was kept, yanked
 *                        or deleted, one line each, as that prints it
 *
 * The body is streamed through the multipart parser in the slices MHD
 * hands over; small fields go to small capped buffers, the wheel straight
 * to a file in ".tlcpack/upload.tmp.XXXXXX/<filename>" (tlc_repo_publish()
 * takes the file name from the path) while its digests are computed, so
 * memory stays bounded whatever the size.  A digest is checked when its
 * field came before the content part (twine and uv send them first); the
 * SHA-256 is always computed, so sha256_digest is checked wherever it is,
 * and md5_digest only counts when no sha256_digest came before the file.
 *
 * Each temporary directory holds an flock(2) while in use, so that the
 * sweep at start (serve_sweep()) skips those of another server running on
 * the same repository and removes only what a dead one left.
 *
 * While the wheel streams in, a follower thread reads the temporary file
 * as it grows, FOLLOW_STEP bytes at a time, and hashes each member as its
 * bytes arrive (zipstream.h): the publisher's validation then checks the
 * central directory against what was streamed and reads again only what
 * the follower could not vouch for, instead of inflating and hashing the
 * whole wheel a second time after the upload.  The follower runs on its
 * own core while the worker receives, writes and hashes the file.
 *
 * When the body is in, the connection is suspended and the job goes to
 * the one publisher thread, which takes the repository's lock
 * (tlc_repo_open() waits for it), publishes and resumes the connection:
 * MHD's workers never block on the lock.
 *
 * Errors found while the body streams (bad credentials, a bad file name, a
 * malformed part) are answered once the body is read, because clients
 * such as twine (requests) send the whole body before they read the
 * answer and would see a reset connection, not the reason.  A client that
 * sent "Expect: 100-continue" gets a refusal at once instead, and a
 * Content-Length over --max-upload is refused before any byte is read
 * (413).  A chunked body that passes the cap is cut: the connection is
 * closed.
 *
 * libmicrohttpd 0.9.75 sends the standard reason phrase for a status
 * ("Bad Request") and has no way to set another, so the reason for a
 * refusal is in the body only; `twine upload --verbose` prints it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>

#include <microhttpd.h>
#include <openssl/crypto.h>	/* OPENSSL_hexchar2int */

#include "auth.h"
#include "fs.h"
#include "serve.h"
#include "tlcpack/digest.h"
#include "tlcpack/multipart.h"
#include "tlcpack/names.h"
#include "tlcpack/repo.h"
#include "tlcpack/zipstream.h"

#include "banned.h"

#define FIELD_MAX 8192		/* bytes in one form field's value */
#define URLENCODED_MAX 65536	/* bytes in an urlencoded body */
#define REPORT_MAX ((size_t)1 << 20)	/* bytes of a prune's reply */
#define KEEP_MAX 1000000	/* as `tlcpack prune --keep` */
#define TMP_PREFIX "upload.tmp."

enum post_kind { POST_UPLOAD, POST_YANK, POST_UNYANK, POST_PRUNE };
enum part_kind { PART_SKIP, PART_FIELD, PART_CONTENT };

#define WRITEBACK_STEP ((uint64_t)8 << 20)
#define FOLLOW_STEP ((uint64_t)256 << 10)	/* bytes the follower reads */
#define FLUSH_STEP ((uint64_t)64 << 20)	/* bytes between its fdatasyncs */

/* The thread that follows the wheel as it is written (zipstream.h). */
struct follower {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t avail;		/* bytes written to the file */
	uint64_t done;		/* of them, followed */
	bool eof;		/* the wheel is all written */
	bool quit;		/* give up: the upload is dropped */
	bool waiting;		/* it waits for FOLLOW_STEP more bytes */
	bool finished;		/* it followed the whole file */
	int fd;			/* the temporary file, read-only */
	struct tlc_zipstream *zs;
};

struct serve_upload {
	struct serve_upload *next;	/* the publisher's queue */
	struct serve_req *r;
	enum post_kind kind;

	struct tlc_auth_identity who;
	bool authed;
	uint64_t received;
	uint64_t content_size;		/* bytes of the wheel written */
	uint64_t flushed;		/* of them, handed to writeback */

	/* the answer, once decided (an error found while streaming) */
	unsigned status;
	char msg[2048];

	struct tlc_multipart *mp;
	struct tlc_buf urlencoded;

	/* the part being read */
	enum part_kind part;
	char field[64];
	struct tlc_buf value;

	/* the fields we use ("" when absent) */
	char action[32], protocol[16], name[TLC_NAME_MAX + 1];
	char filetype[32], variant[64], reason[1024];
	char sha256[80], blake2[80], md5[48];
	char filename[TLC_WHEEL_FILENAME_MAX + 1];	/* yank's */
	char keep[16], delete[8], dry_run[8];		/* prune's */
	struct tlc_repo_prune_opts prune;
	const char *prune_projects[2];
	struct tlc_buf report;		/* prune's reply, about REPORT_MAX */
	size_t unlisted;		/* decisions left out of it */

	/* the content part */
	bool have_content, content_done;
	unsigned kinds;
	struct tlc_digests *dg;
	char wheel[TLC_WHEEL_FILENAME_MAX + 1];
	char project[TLC_NAME_MAX + 1];
	char tmpdir[PATH_MAX];
	char path[PATH_MAX + TLC_WHEEL_FILENAME_MAX + 2];
	int fd;
	int dirfd;		/* holds an flock(2) on tmpdir: in use */
	bool following;		/* fl is started */
	struct follower fl;

	/* the publisher's result */
	bool queued, done;
	int rc;
	enum tlc_repo_outcome outcome;
	struct tlc_error err;
};

/* Decide the answer now; it is sent when the body has been read. */
static int decide(struct serve_upload *up, unsigned status, const char *msg)
{
	if (!up->status) {
		up->status = status;
		snprintf(up->msg, sizeof(up->msg), "%s", msg);
	}
	return TLC_ERROR;
}

static unsigned status_of(int code)
{
	switch (code) {
	case TLC_EPOLICY: return MHD_HTTP_BAD_REQUEST;
	case TLC_ETOOBIG: return MHD_HTTP_CONTENT_TOO_LARGE;
	case TLC_EEXISTS: return MHD_HTTP_CONFLICT;
	case TLC_ENOTFOUND: return MHD_HTTP_NOT_FOUND;
	default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* May this identity change @project? */
static int check_project(struct serve_upload *up, const char *name)
{
	struct tlc_buf norm = TLC_BUF_INIT;
	char msg[TLC_NAME_MAX * 2 + 64];
	bool ok;

	if (tlc_name_normalize(&norm, name, NULL) < 0)
		return decide(up, MHD_HTTP_BAD_REQUEST,
			      "invalid project name");
	ok = tlc_auth_may_upload(up->r->s->o.auth, &up->who, norm.ptr);
	snprintf(up->project, sizeof(up->project), "%s", norm.ptr);
	tlc_buf_release(&norm);
	if (!ok) {
		snprintf(msg, sizeof(msg), "'%s' may not upload to '%s'",
			 up->who.name, up->project);
		return decide(up, MHD_HTTP_FORBIDDEN, msg);
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* the follower */

static void *follow(void *data)
{
	struct follower *f = data;
	unsigned char *buf = malloc(FOLLOW_STEP);
	uint64_t done = 0, flushed = 0;

	pthread_setname_np(pthread_self(), "tlc-follow");
	for (;;) {
		uint64_t avail;
		bool eof;
		ssize_t got;

		pthread_mutex_lock(&f->lock);
		f->done = done;
		while (f->avail - done < FOLLOW_STEP && !f->eof && !f->quit) {
			f->waiting = true;
			pthread_cond_wait(&f->cond, &f->lock);
		}
		f->waiting = false;
		avail = f->avail;
		eof = f->eof;
		if (f->quit || !buf) {
			pthread_mutex_unlock(&f->lock);
			break;
		}
		pthread_mutex_unlock(&f->lock);
		if (eof && done == avail) {
			tlc_zipstream_finish(f->zs);
			f->finished = true;	/* read after the join */
			break;
		}
		got = pread(f->fd, buf, avail - done < FOLLOW_STEP ?
			    (size_t)(avail - done) : FOLLOW_STEP, (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;	/* unfinished: the publisher reads all */
		tlc_zipstream_feed(f->zs, buf, (size_t)got);
		done += (uint64_t)got;
		/*
		 * Make what is written durable as it comes, so that the
		 * publisher's fsync finds little left to flush.  The
		 * worker's sync_file_range() only starts the writes: the
		 * flush of the disk's cache still waited for all of them at
		 * the end (300 ms of a 1.4 s upload of 500 MB, on a virtio
		 * disk; 20 ms with these).  Blocking here costs the worker
		 * nothing, and the follower has time to spare.
		 */
		if (done - flushed >= FLUSH_STEP && !eof) {
			(void)fdatasync(f->fd);
			flushed = done;
		}
	}
	free(buf);
	return NULL;
}

/* Start following up->path; without a follower the publisher reads the
 * whole wheel again, so a failure here only costs time. */
static void follow_start(struct serve_upload *up)
{
	struct follower *f = &up->fl;
	struct tlc_error err = TLC_ERROR_INIT;

	f->fd = open(up->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return;
	if (tlc_zipstream_new(&f->zs, &err) < 0)
		goto fail;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, follow, f)) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->cond);
		goto fail;
	}
	up->following = true;
	return;
fail:
	tlc_zipstream_free(f->zs);
	f->zs = NULL;
	close(f->fd);
	f->fd = -1;
}

/* Tell the follower how far the file is written, and whether that is all. */
static void follow_more(struct serve_upload *up, bool eof)
{
	struct follower *f = &up->fl;

	if (!up->following)
		return;
	pthread_mutex_lock(&f->lock);
	f->avail = up->content_size;
	f->eof = eof;
	if (f->waiting && (eof || f->avail - f->done >= FOLLOW_STEP))
		pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/*
 * Wait for the follower (@quit: stop it first).  @return what it
 * vouches for when it followed the whole file, else NULL.
 */
static const struct tlc_zipstream *follow_end(struct serve_upload *up,
					      bool quit)
{
	struct follower *f = &up->fl;

	if (!up->following)
		return NULL;
	pthread_mutex_lock(&f->lock);
	f->quit |= quit;
	f->eof = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	close(f->fd);
	f->fd = -1;
	up->following = false;
	return f->finished ? f->zs : NULL;
}

/* ---------------------------------------------------------------- */
/* the content part: to a temporary file inside the repository */

static int content_begin(struct serve_upload *up, const char *filename)
{
	struct serve *s = up->r->s;
	struct tlc_wheel_filename wf;
	struct tlc_error err = TLC_ERROR_INIT;
	char msg[TLC_ERROR_MSG_SIZE + 32];

	if (up->have_content)
		return decide(up, MHD_HTTP_BAD_REQUEST, "more than one "
			      "'content' part");
	up->have_content = true;
	if (!filename || !*filename)
		return decide(up, MHD_HTTP_BAD_REQUEST, "the 'content' part "
			      "has no filename");
	if (tlc_wheel_filename_parse(&wf, filename, &err) < 0) {
		snprintf(msg, sizeof(msg), "invalid wheel filename: %s",
			 err.msg);
		return decide(up, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (check_project(up, wf.name) < 0)
		return TLC_ERROR;
	snprintf(up->wheel, sizeof(up->wheel), "%s", filename);
	/*
	 * The digests whose fields came first (twine and uv send them before
	 * the content): SHA-256 always, BLAKE2b-256 when sent, and MD5 only
	 * when no SHA-256 came.  MD5 is broken for collisions, so a match
	 * proves nothing that the SHA-256 does not, and it alone would halve
	 * the intake (about 690 MB/s here, against 1,600 for SHA-256; see
	 * bench/multipart).
	 */
	up->kinds = TLC_DIGEST_SHA256 |
		    (*up->blake2 ? TLC_DIGEST_BLAKE2B_256 : 0) |
		    (*up->md5 && !*up->sha256 ? TLC_DIGEST_MD5 : 0);
	if (tlc_digests_new(&up->dg, up->kinds, &err) < 0)
		return decide(up, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
	if ((size_t)snprintf(up->tmpdir, sizeof(up->tmpdir),
			     "%s/.tlcpack/" TMP_PREFIX "XXXXXX", s->repo) >=
	    sizeof(up->tmpdir) || !mkdtemp(up->tmpdir)) {
		up->tmpdir[0] = '\0';
		tlc_error_errno(&err, TLC_EIO, "cannot create a temporary "
				"directory in the repository");
		return decide(up, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
	}
	/* the lock tells serve_sweep() in another server on the same
	 * repository that this directory is in use; the kernel drops it
	 * if we die */
	up->dirfd = open(up->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (up->dirfd >= 0)
		flock(up->dirfd, LOCK_EX);
	snprintf(up->path, sizeof(up->path), "%s/%s", up->tmpdir, filename);
	up->fd = open(up->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		      0644);
	if (up->fd < 0) {
		tlc_error_errno(&err, TLC_EIO, "cannot create the uploaded "
				"file");
		return decide(up, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
	}
	follow_start(up);
	return 0;
}

static int content_data(struct serve_upload *up, const void *buf, size_t len)
{
	struct tlc_error err = TLC_ERROR_INIT;

	tlc_digests_update(up->dg, buf, len);
	if (tlc__fs_write_all(up->fd, buf, len, "the uploaded file",
			      &err) < 0)
		return decide(up, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg);
	up->content_size += len;
	follow_more(up, false);
	/*
	 * Start the writeback of each 8 MiB written, so that publish's fsync
	 * finds a big upload mostly on disk already instead of writing it
	 * all then.  A hint: its failure changes nothing.
	 */
	if (up->content_size - up->flushed >= WRITEBACK_STEP) {
		(void)sync_file_range(up->fd, (off_t)up->flushed,
				      (off_t)(up->content_size - up->flushed),
				      SYNC_FILE_RANGE_WRITE);
		up->flushed = up->content_size;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* form fields */

static int store_field(struct serve_upload *up, const char *name,
		       const char *value, size_t len)
{
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
#define F(n, m) { n, offsetof(struct serve_upload, m), \
		  sizeof(((struct serve_upload *)0)->m) }
		F(":action", action),
		F("protocol_version", protocol),
		F("name", name),
		F("filetype", filetype),
		F("variant", variant),
		F("reason", reason),
		F("sha256_digest", sha256),
		F("blake2_256_digest", blake2),
		F("md5_digest", md5),
		F("filename", filename),
		F("keep", keep),
		F("delete", delete),
		F("dry_run", dry_run),
#undef F
	};
	char msg[128];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *dst = (char *)up + fields[i].off;

		if (strcmp(name, fields[i].name))
			continue;
		if (len >= fields[i].size || memchr(value, '\0', len)) {
			snprintf(msg, sizeof(msg), "form field '%s' is too "
				 "long or holds a NUL", name);
			return decide(up, MHD_HTTP_BAD_REQUEST, msg);
		}
		memcpy(dst, value, len);
		dst[len] = '\0';
		return 0;
	}
	return 0;	/* metadata fields we do not use */
}

static int part_begin(void *data, const struct tlc_multipart_part *part,
		      struct tlc_error *err)
{
	struct serve_upload *up = data;

	(void)err;
	up->part = PART_SKIP;
	tlc_buf_reset(&up->value);
	if (!part->name)
		return 0;
	if (up->kind == POST_UPLOAD && !strcmp(part->name, "content")) {
		if (content_begin(up, part->filename) < 0)
			return TLC_ERROR;
		up->part = PART_CONTENT;
		return 0;
	}
	if (strlen(part->name) < sizeof(up->field)) {
		memcpy(up->field, part->name, strlen(part->name) + 1);
		up->part = PART_FIELD;
	}
	return 0;
}

static int part_data(void *data, const void *buf, size_t len,
		     struct tlc_error *err)
{
	struct serve_upload *up = data;
	char msg[128];

	(void)err;
	switch (up->part) {
	case PART_CONTENT:
		return content_data(up, buf, len);
	case PART_FIELD:
		if (tlc_buf_put(&up->value, buf, len) < 0) {
			snprintf(msg, sizeof(msg), "form field '%s' is over "
				 "%d bytes", up->field, FIELD_MAX);
			return decide(up, MHD_HTTP_BAD_REQUEST, msg);
		}
		return 0;
	default:
		return 0;
	}
}

static int part_end(void *data, struct tlc_error *err)
{
	struct serve_upload *up = data;

	(void)err;
	if (up->part == PART_CONTENT) {
		tlc_digests_final(up->dg);
		up->content_done = true;
		follow_more(up, true);
	} else if (up->part == PART_FIELD) {
		if (store_field(up, up->field, up->value.ptr,
				up->value.len) < 0)
			return TLC_ERROR;
	}
	up->part = PART_SKIP;
	return 0;
}

/* application/x-www-form-urlencoded (the WHATWG URL standard, 5.1), in
 * place: '+' is a space, %XX a byte. */
static int parse_urlencoded(struct serve_upload *up)
{
	char *p = up->urlencoded.ptr;

	while (*p) {
		char *end = p + strcspn(p, "&"), *eq, *o, *i;
		bool last = !*end;

		*end = '\0';
		for (i = o = p; *i; i++) {
			int hi = -1, lo = -1;

			if (*i == '%')
				hi = OPENSSL_hexchar2int((unsigned char)i[1]);
			if (hi >= 0)	/* i[1] was not the NUL */
				lo = OPENSSL_hexchar2int((unsigned char)i[2]);
			if (*i == '+') {
				*o++ = ' ';
			} else if (lo >= 0) {
				*o++ = (char)(hi << 4 | lo);
				i += 2;
			} else {
				*o++ = *i;
			}
		}
		*o = '\0';
		/* a %00 ends the value early: store_field() sees less */
		if ((eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			if (store_field(up, p, eq + 1, strlen(eq + 1)) < 0)
				return TLC_ERROR;
		}
		if (last)
			break;
		p = end + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* the publisher thread */

/* A prune's decision, as `tlcpack prune` prints it (src/cli/cmd_prune.c). */
static void report_event(const struct tlc_repo_event *e, void *data)
{
	struct serve_upload *up = data;

	if (up->unlisted || up->report.len >= REPORT_MAX ||
	    tlc_buf_printf(&up->report, "%-6s %s (%s)\n", e->kind, e->path,
			   e->detail) < 0)
		up->unlisted++;
}

void *serve__publisher(void *data);

void *serve__publisher(void *data)
{
	struct serve *s = data;
	struct tlc_repo_opts opts = TLC_REPO_OPTS_INIT;

	for (;;) {
		struct serve_upload *up;
		struct tlc_repo *repo = NULL;

		pthread_mutex_lock(&s->queue_lock);
		while (!s->queue_head && !s->stopping)
			pthread_cond_wait(&s->queue_cond, &s->queue_lock);
		if (!s->queue_head) {
			pthread_mutex_unlock(&s->queue_lock);
			return NULL;
		}
		up = s->queue_head;
		s->queue_head = up->next;
		if (!s->queue_head)
			s->queue_tail = NULL;
		pthread_mutex_unlock(&s->queue_lock);

		up->rc = tlc_repo_open(&repo, s->repo, false, &opts,
				       &up->err);
		if (up->rc == 0) {
			switch (up->kind) {
			case POST_UPLOAD:
				/* the file is ours: moved in, not copied,
				 * with the SHA-256 computed as it came and
				 * the members hashed as they came */
				up->rc = tlc_repo_publish_adopt(repo, up->path,
					*up->variant ? up->variant : NULL,
					tlc_digests_get(up->dg,
							TLC_DIGEST_SHA256),
					up->content_size,
					follow_end(up, false), &up->outcome,
					&up->err);
				break;
			case POST_YANK:
				up->rc = tlc_repo_yank(repo, up->filename,
						       up->reason, &up->err);
				break;
			case POST_UNYANK:
				up->rc = tlc_repo_unyank(repo, up->filename,
							 &up->err);
				break;
			case POST_PRUNE:
				up->rc = tlc_repo_prune(repo, &up->prune,
							report_event, up,
							&up->err);
				break;
			}
		}
		tlc_repo_close(repo);
		up->done = true;
		MHD_resume_connection(up->r->c);
	}
}

static void enqueue(struct serve *s, struct serve_upload *up)
{
	up->queued = true;
	MHD_suspend_connection(up->r->c);
	pthread_mutex_lock(&s->queue_lock);
	up->next = NULL;
	if (s->queue_tail)
		s->queue_tail->next = up;
	else
		s->queue_head = up;
	s->queue_tail = up;
	pthread_cond_signal(&s->queue_cond);
	pthread_mutex_unlock(&s->queue_lock);
}

/* ---------------------------------------------------------------- */
/* the request */

static int respond_done(struct serve_upload *up)
{
	char msg[TLC_WHEEL_FILENAME_MAX + TLC_NAME_MAX + 64];

	if (up->rc < 0)
		return serve__reply_text(up->r, status_of(up->rc),
					 up->err.msg);
	switch (up->kind) {
	case POST_UPLOAD:
		snprintf(msg, sizeof(msg), "%s files/%s/%s",
			 up->outcome == TLC_REPO_SAME ? "unchanged" : "added",
			 up->project, up->wheel);
		break;
	case POST_YANK:
		snprintf(msg, sizeof(msg), "yanked %s", up->filename);
		break;
	case POST_PRUNE:
		if (up->unlisted &&
		    tlc_buf_printf(&up->report, "... and %zu more\n",
				   up->unlisted) < 0)
			return MHD_NO;
		/* serve__reply_text() adds the last newline */
		if (up->report.len)
			tlc_buf_truncate(&up->report, up->report.len - 1);
		return serve__reply_text(up->r, MHD_HTTP_OK, up->report.ptr);
	default:
		snprintf(msg, sizeof(msg), "unyanked %s", up->filename);
		break;
	}
	return serve__reply_text(up->r, MHD_HTTP_OK, msg);
}

/* "0", "1" or absent (false). */
static int flag_field(struct serve_upload *up, const char *name,
		      const char *value, bool *out)
{
	char msg[96];

	if (!*value || !strcmp(value, "0") || !strcmp(value, "1")) {
		*out = *value == '1';
		return 0;
	}
	snprintf(msg, sizeof(msg), "'%s' must be 0 or 1", name);
	return decide(up, MHD_HTTP_BAD_REQUEST, msg);
}

/* A prune's form: check it, then hand it to the publisher. */
static void prune_check(struct serve_upload *up)
{
	char *end;
	unsigned long keep;

	if (!*up->name) {
		decide(up, MHD_HTTP_BAD_REQUEST, "no 'name' field: the "
		       "project to prune");
		return;
	}
	errno = 0;
	keep = strtoul(up->keep, &end, 10);
	if (!*up->keep || *end || errno || up->keep[0] < '0' ||
	    up->keep[0] > '9' || keep < 1 || keep > KEEP_MAX) {
		decide(up, MHD_HTTP_BAD_REQUEST, "'keep' must be a number "
		       "from 1 to 1000000");
		return;
	}
	if (flag_field(up, "delete", up->delete, &up->prune.delete) < 0 ||
	    flag_field(up, "dry_run", up->dry_run, &up->prune.dry_run) < 0 ||
	    check_project(up, up->name) < 0)
		return;
	up->prune.keep = (unsigned)keep;
	up->prune_projects[0] = up->project;
	up->prune_projects[1] = NULL;
	up->prune.projects = up->prune_projects;
	enqueue(up->r->s, up);
}

/* The body is in: check what it said, then hand it to the publisher. */
static int body_done(struct serve_upload *up)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_filename wf;
	char msg[TLC_ERROR_MSG_SIZE + TLC_NAME_MAX + 64];

	if (up->mp && !up->status && tlc_multipart_finish(up->mp, &err) < 0)
		decide(up, status_of(err.code), err.msg);
	if (!up->mp && !up->status && parse_urlencoded(up) < 0)
		return MHD_YES;
	if (up->status)
		return MHD_YES;
	if (up->kind == POST_PRUNE)
		return prune_check(up), MHD_YES;
	if (up->kind != POST_UPLOAD) {
		if (!*up->filename)
			return decide(up, MHD_HTTP_BAD_REQUEST, "no 'filename' "
				      "field"), MHD_YES;
		if (tlc_wheel_filename_parse(&wf, up->filename, &err) < 0)
			return decide(up, MHD_HTTP_BAD_REQUEST, err.msg),
			       MHD_YES;
		if (strchr(up->reason, '\n') || strchr(up->reason, '\r'))
			return decide(up, MHD_HTTP_BAD_REQUEST, "the reason "
				      "must be one line"), MHD_YES;
		if (check_project(up, wf.name) < 0)
			return MHD_YES;
		enqueue(up->r->s, up);
		return MHD_YES;
	}
	if (strcmp(up->action, "file_upload")) {
		snprintf(msg, sizeof(msg), *up->action ? ":action '%s' is not "
			 "supported (only file_upload)" : "no ':action' field",
			 up->action);
		return decide(up, MHD_HTTP_BAD_REQUEST, msg), MHD_YES;
	}
	if (strcmp(up->protocol, "1"))
		return decide(up, MHD_HTTP_BAD_REQUEST, "protocol_version "
			      "must be 1"), MHD_YES;
	if (!up->content_done)
		return decide(up, MHD_HTTP_BAD_REQUEST, "no 'content' part "
			      "with the file"), MHD_YES;
	if (*up->filetype && strcmp(up->filetype, "bdist_wheel"))
		return decide(up, MHD_HTTP_BAD_REQUEST, "only wheels "
			      "(filetype bdist_wheel) are accepted"), MHD_YES;
	if (*up->name && !tlc_name_equal(up->name, up->project)) {
		snprintf(msg, sizeof(msg), "name '%.200s' does not match the "
			 "file's project '%s'", up->name, up->project);
		return decide(up, MHD_HTTP_BAD_REQUEST, msg), MHD_YES;
	}
	/* digests: the fields that came before the content were computed */
	if ((*up->sha256 && tlc_digests_check(up->dg, TLC_DIGEST_SHA256,
			up->sha256, "sha256_digest", &err) < 0) ||
	    ((up->kinds & TLC_DIGEST_BLAKE2B_256) &&
	     tlc_digests_check(up->dg, TLC_DIGEST_BLAKE2B_256, up->blake2,
			       "blake2_256_digest", &err) < 0) ||
	    ((up->kinds & TLC_DIGEST_MD5) &&
	     tlc_digests_check(up->dg, TLC_DIGEST_MD5, up->md5, "md5_digest",
			       &err) < 0))
		return decide(up, status_of(err.code), err.msg), MHD_YES;
	if (up->fd >= 0 && close(up->fd) < 0) {
		up->fd = -1;
		tlc_error_errno(&err, TLC_EIO, "cannot write the uploaded "
				"file");
		return decide(up, MHD_HTTP_INTERNAL_SERVER_ERROR, err.msg),
		       MHD_YES;
	}
	up->fd = -1;
	enqueue(up->r->s, up);
	return MHD_YES;
}

/* Refuse now when the client waits for "100 Continue" before it sends the
 * body; else read (and drop) the body first. */
static bool answer_early(struct serve_req *r)
{
	const char *e = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_EXPECT);

	return e && !strcasecmp(e, "100-continue");
}

static int post_begin(struct serve_req *r, const char *path)
{
	struct serve *s = r->s;
	struct serve_upload *up;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *ctype, *clen;
	char boundary[TLC_MULTIPART_BOUNDARY_MAX + 1];
	enum post_kind kind;
	static const struct tlc_multipart_callbacks cb = {
		part_begin, part_data, part_end,
	};

	if (!strcmp(path, "/") || !strcmp(path, "/legacy/"))
		kind = POST_UPLOAD;
	else if (!strcmp(path, "/-/yank"))
		kind = POST_YANK;
	else if (!strcmp(path, "/-/unyank"))
		kind = POST_UNYANK;
	else if (!strcmp(path, "/-/prune"))
		kind = POST_PRUNE;
	else
		return serve__reply_text(r, MHD_HTTP_NOT_FOUND, "no upload "
					 "here: POST to / or /legacy/");
	if (!s->o.auth)
		return serve__reply_text(r, MHD_HTTP_FORBIDDEN, "uploads are "
					 "disabled: start serve with "
					 "--htpasswd or --tokens");
	clen = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > s->o.max_upload) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the body is over %llu bytes "
			 "(--max-upload)", (unsigned long long)s->o.max_upload);
		return serve__reply_text(r, MHD_HTTP_CONTENT_TOO_LARGE, msg);
	}
	if (!(up = calloc(1, sizeof(*up))))
		return MHD_NO;
	up->r = r;
	up->kind = kind;
	up->fd = -1;
	up->dirfd = -1;
	up->fl.fd = -1;
	tlc_buf_init(&up->value, FIELD_MAX);
	tlc_buf_init(&up->urlencoded, URLENCODED_MAX);
	tlc_buf_init(&up->report, 0);
	r->up = up;

	switch (tlc_auth_check(s->o.auth, MHD_lookup_connection_value(r->c,
			       MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
			       &up->who)) {
	case TLC_AUTH_OK:
		up->authed = true;
		snprintf(r->user, sizeof(r->user), "%s", up->who.name);
		break;
	case TLC_AUTH_MISSING:
		decide(up, MHD_HTTP_UNAUTHORIZED, "uploads need credentials");
		break;
	default:
		decide(up, MHD_HTTP_UNAUTHORIZED, "bad credentials");
		break;
	}
	ctype = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
					    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (kind != POST_UPLOAD && ctype && !strncasecmp(ctype,
			"application/x-www-form-urlencoded", 33)) {
		/* the fields are read into up->urlencoded */
	} else if (tlc_multipart_boundary(ctype ? ctype : "", boundary,
					  sizeof(boundary), &err) < 0 ||
		   tlc_multipart_new(&up->mp, boundary, NULL, &cb, up,
				     &err) < 0) {
		decide(up, status_of(err.code), err.msg);
	}
	if (up->status && answer_early(r))
		return serve__reply_text(r, up->status, up->msg);
	return MHD_YES;
}

int serve__post(struct serve_req *r, const char *path, const char *data,
		size_t *size)
{
	struct serve_upload *up = r->up;
	struct tlc_error err = TLC_ERROR_INIT;

	if (!up)
		return post_begin(r, path);
	if (*size) {
		size_t n = *size;

		*size = 0;
		up->received += n;
		if (up->received > r->s->o.max_upload)
			/* a chunked body over the cap: MHD 0.9.75 cannot
			 * answer in the middle of a body, so close */
			return MHD_NO;
		if (up->status)
			return MHD_YES;		/* dropped */
		if (up->mp) {
			if (tlc_multipart_feed(up->mp, data, n, &err) < 0)
				decide(up, status_of(err.code), err.msg);
		} else if (tlc_buf_put(&up->urlencoded, data, n) < 0) {
			decide(up, MHD_HTTP_CONTENT_TOO_LARGE, "the form is "
			       "too long");
		}
		return MHD_YES;
	}
	if (up->done)
		return respond_done(up);
	if (!up->status && !up->queued) {
		int ret = body_done(up);

		if (up->queued)
			return ret;
	}
	return serve__reply_text(r, up->status ? up->status :
				 MHD_HTTP_INTERNAL_SERVER_ERROR, up->msg);
}

void serve__post_release(struct serve_req *r)
{
	struct serve_upload *up = r->up;
	struct tlc_error err = TLC_ERROR_INIT;

	if (!up)
		return;
	r->up = NULL;
	follow_end(up, true);
	tlc_zipstream_free(up->fl.zs);
	tlc_multipart_free(up->mp);
	tlc_digests_free(up->dg);
	if (up->fd >= 0)
		close(up->fd);
	if (up->tmpdir[0])
		tlc__fs_remove_tree(up->tmpdir, &err);
	if (up->dirfd >= 0)
		close(up->dirfd);
	tlc_buf_release(&up->value);
	tlc_buf_release(&up->urlencoded);
	tlc_buf_release(&up->report);
	free(up);
}

int serve_sweep(const char *repo, unsigned *removed, struct tlc_error *err)
{
	char path[PATH_MAX], sub[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;
	int rc = 0, fd;

	*removed = 0;
	snprintf(path, sizeof(path), "%s/.tlcpack", repo);
	if (!(d = opendir(path)))
		return tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
				       path);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		/* one that another server still uploads into is locked */
		fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		rc = tlc__fs_remove_tree(sub, err);
		close(fd);
		if (rc < 0)
			break;
		(*removed)++;
	}
	closedir(d);
	return rc;
}
