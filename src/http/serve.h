/*
 * tlcpack serve: an HTTP server (libmicrohttpd) for a repository that
 * tlcpack publish writes (repo.h), answering what pip, uv and twine ask:
 *
 *   GET/HEAD /                          landing page (projects, versions,
 *                                       variants, pip lines, disclaimer)
 *   GET/HEAD [<variant>/]simple/[<p>/]  PEP 503 HTML or PEP 691 JSON,
 *                                       chosen by Accept (or ?format=)
 *   GET/HEAD wheels.html, files/...     the files as they lie, sent with
 *                                       sendfile(2); ETag, Range
 *   POST / and /legacy/                 the legacy upload API of twine and
 *                                       uv publish (multipart/form-data)
 *   POST /-/yank, /-/unyank             PEP 592 yank over HTTP
 *
 * Nothing under a path segment that starts with '.' (.tlcpack/, temporary
 * files) is ever served, nor anything reached through a symlink
 * (urlpath.h).
 *
 * serve.c holds the daemon and the reads, serve_landing.c the landing
 * page, serve_upload.c the uploads and yanks.
 */
#ifndef HTTP_SERVE_H
#define HTTP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlcpack/error.h"

struct tlc_auth;
struct http_log;

struct serve_opts {
	const char *repo;	/* the repository directory */
	const char *host;	/* numeric address or name to bind */
	unsigned port;		/* 0: any free port */
	struct tlc_auth *auth;	/* NULL: no credentials, uploads off */
	bool private;		/* reads need credentials too */
	struct http_log *log;	/* NULL: no access log */
	uint64_t max_upload;	/* request body cap, bytes */
	unsigned threads;	/* 0: one per CPU */
	unsigned timeout;	/* idle seconds before a connection closes */
	unsigned per_ip;	/* connections per client address, 0: any */
};

#define SERVE_MAX_UPLOAD_DEFAULT ((uint64_t)1 << 30)
#define SERVE_TIMEOUT_DEFAULT 30
#define SERVE_PER_IP_DEFAULT 64

struct serve;

/**
 * Open the repository, bind and start serving in threads of their own.
 *
 * @param[out] out   stop it with serve_stop()
 * @param[out] url   "http://HOST:PORT/" as bound (the real port)
 * @return 0, TLC_ENOTFOUND (no repository), TLC_EIO (bind, threads)
 */
int serve_start(struct serve **out, char *url, size_t urlsize,
		const struct serve_opts *o, struct tlc_error *err);

/** Stop accepting connections; requests in progress go on. */
void serve_quiesce(struct serve *s);

/** Requests begun and not yet completed. */
unsigned serve_inflight(struct serve *s);

/** Close every connection and free @s; NULL is a no-op. */
void serve_stop(struct serve *s);

/**
 * Remove what uploads cut short left: the directories
 * ".tlcpack/upload.tmp.*" of @repo.  @removed counts them.
 */
int serve_sweep(const char *repo, unsigned *removed, struct tlc_error *err);

/* ---- internal to serve*.c ---- */

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "tlcpack/buf.h"

struct MHD_Daemon;
struct MHD_Connection;
struct serve_upload;

struct serve {
	struct MHD_Daemon *d;
	struct serve_opts o;
	char *repo;		/* the path, for tlc_repo_open() */
	int rootfd;		/* O_PATH | O_DIRECTORY: reads open beneath it */
	atomic_uint inflight;

	/* the landing page, rendered again when wheels.html changes (every
	 * publish and yank rewrites it) */
	pthread_mutex_t landing_lock;
	struct tlc_buf landing;
	uint64_t landing_key[3];	/* dev, ino, mtime_ns of wheels.html */
	char landing_host[256];		/* the Host it was rendered for */

	/* one thread publishes, so MHD's workers never block on the
	 * repository's lock (tlc_repo_open() waits for it) */
	pthread_t publisher;
	bool publisher_started;
	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	struct serve_upload *queue_head, *queue_tail;
	bool stopping;
};

/* One request, from its first line to its completion (MHD's req_cls). */
struct serve_req {
	struct serve *s;
	struct MHD_Connection *c;
	char *uri;		/* the request target, raw */
	char method[16];
	char version[16];
	time_t when;
	unsigned status;
	uint64_t bytes;
	bool started;		/* the access handler has seen it */
	bool head;
	char user[128];		/* the identity, for the log */
	char *referer, *agent;	/* copies, for the log */
	struct serve_upload *up;
};

/* Queue a response with a one-line text/plain body "@msg\n". */
int serve__reply_text(struct serve_req *r, unsigned status,
		      const char *msg);

/* The landing page "/" (serve_landing.c). */
int serve__landing(struct serve_req *r, bool head);

/* POST: upload or yank (serve_upload.c).  Called for every slice of the
 * body as MHD's access handler is, with its return convention. */
int serve__post(struct serve_req *r, const char *path, const char *data,
		size_t *size);

/* Free what serve__post() left in @r (the upload's temporary directory
 * is removed). */
void serve__post_release(struct serve_req *r);

#endif
