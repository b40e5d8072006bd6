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
 * page, serve_upload.c the uploads and yanks, and serve_fast.c the fast
 * path: it accepts every connection, answers the reads of files and
 * pages that need nothing more (the routing is serve.c's) with one
 * sendfile(2), and hands the rest to libmicrohttpd.
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
#include <sys/stat.h>
#include <time.h>

#include "tlcpack/buf.h"

struct MHD_Daemon;
struct MHD_Connection;
struct serve_upload;
struct serve_fast;
struct sockaddr;

struct serve {
	struct MHD_Daemon *d;
	struct serve_fast *fast;	/* owns the listening socket */
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

/* What serve__resolve() finds a read target to be. */
enum serve_read_kind {
	READ_FILE,		/* a file to send: fd, st, type, cache, vary */
	READ_LANDING,		/* "/" */
	READ_REDIRECT,		/* 301 to loc */
	READ_NOT_FOUND,
	READ_NOT_ACCEPTABLE,	/* a page in no format that Accept takes */
	READ_BAD,		/* a target that may not be: err (TLC_ETOOBIG:
				 * 414, else 400) */
	READ_NOMEM,
};

struct serve_read {
	int fd;			/* READ_FILE: the open regular file (owned) */
	struct stat st;
	const char *type;	/* Content-Type */
	char cache[64];		/* Cache-Control */
	bool vary;		/* negotiated: "Vary: Accept" */
	struct tlc_buf loc;	/* READ_REDIRECT: Location; always released
				 * by the caller */
	struct tlc_error err;	/* READ_BAD */
};

/* Route the raw request target @uri of a GET or HEAD (serve.c). */
enum serve_read_kind serve__resolve(struct serve *s, const char *uri,
				    const char *accept,
				    struct serve_read *rd);

/* A file's strong ETag and its Last-Modified (an IMF-fixdate). */
void serve__validators(const struct stat *st, char *etag, size_t esize,
		       char *lastmod, size_t lsize);

/* RFC 9110 13.2.2: whether If-None-Match (else If-Modified-Since; either
 * NULL when absent) makes a read of a file with @etag and @mtime a 304. */
bool serve__not_modified(const char *inm, const char *ims, const char *etag,
			 time_t mtime);

/* @t as an IMF-fixdate (RFC 9110 5.6.7). */
void serve__http_date(char *out, size_t size, time_t t);

/* The numeric address of @sa, "-" when there is none. */
void serve__format_addr(const struct sockaddr *sa, size_t salen, char *out,
			size_t size);

/*
 * The fast path (serve_fast.c): it accepts on @lfd (owned from now on)
 * in @nworkers threads, answers what it can and hands the rest to s->d.
 * On a failure *@out may be set all the same: free it after s->d stops.
 */
int serve__fast_start(struct serve_fast **out, struct serve *s, int lfd,
		      unsigned nworkers, struct tlc_error *err);
/* Stop accepting (close the listening socket) and close idle
 * connections; responses in progress end, and their connections then. */
void serve__fast_quiesce(struct serve_fast *f);
/* Close every connection it holds; NULL is a no-op.  It still counts
 * MHD's connections until serve__fast_free(). */
void serve__fast_stop(struct serve_fast *f);
void serve__fast_free(struct serve_fast *f);
/* MHD closed a connection it was handed from @sa (per-address count). */
void serve__fast_closed(struct serve_fast *f, const struct sockaddr *sa);

/*
 * Whole files up to this size (pages) are read and sent from memory with
 * their header, by MHD (send_file()) and by the fast path (take_small()):
 * one writev(2) or send(2), one TCP segment, one wake-up of the client,
 * where a header and then sendfile(2) make two.  bench/serve (2 KB page,
 * wrk -c32), through MHD: 0.88x nginx's requests/s and p99 5.6 ms from
 * the file, 1.03x and 4.3 ms from memory.  Larger files (wheels) keep
 * sendfile's zero copy.
 */
#define SERVE_SMALL_FILE_MAX (64 * 1024)

/* Read the @size bytes of @fd into @buf (@size + 1 bytes of room); false
 * when it fails or the file is not @size bytes long now. */
bool serve__read_whole(int fd, char *buf, size_t size);

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
