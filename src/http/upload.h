/*
 * The client side of the legacy upload API, the one twine, uv publish,
 * pypiserver, devpi, warehouse's /legacy/ and tlcpack serve speak
 * (https://docs.pypi.org/api/upload/): one multipart/form-data POST
 * (RFC 7578) per file, with ":action=file_upload", "protocol_version=1",
 * the core metadata as form fields, the file's digests and the file
 * itself as the part "content", last.
 *
 * A wheel is first checked here as `tlcpack publish` checks it (zip
 * structure, .dist-info, every member against RECORD, METADATA against
 * the file name), so a bad wheel is refused before any byte goes out.
 * The form holds the fields twine 4 sends, in its order and with its
 * values (twine/package.py metadata_dictionary(), as pkginfo reads
 * METADATA), and the file is streamed from the descriptor it was hashed
 * from, never held in memory.
 */
#ifndef HTTP_UPLOAD_H
#define HTTP_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlcpack/buf.h"
#include "tlcpack/error.h"
#include "tlcpack/progress.h"

/* ---- the form of one wheel --------------------------------------------- */

struct http_upload_field {
	const char *name;	/* the form field: "summary", "requires_dist" */
	const char *value;	/* UTF-8 text, NUL-terminated */
};

struct http_upload_wheel;

/**
 * Open and check the wheel at @path, hash it (SHA-256, BLAKE2b-256, MD5)
 * and make its form fields.  The file stays open: what is sent is what
 * was checked and hashed.
 *
 * @param[out] out  free with http_upload_wheel_free()
 * @return 0, TLC_ENOTFOUND, TLC_EPOLICY (the rule broken, named, after
 *         the file's name), TLC_EIO, TLC_ETOOBIG, TLC_ENOMEM
 */
int http_upload_wheel_open(struct http_upload_wheel **out, const char *path,
			   struct tlc_error *err);

/** The file's base name ("demo-1.0-py3-none-any.whl"); borrowed. */
const char *http_upload_wheel_filename(const struct http_upload_wheel *w);

/** The file's size in bytes. */
uint64_t http_upload_wheel_size(const struct http_upload_wheel *w);

/** The form fields but "content", in the order they are sent; borrowed. */
const struct http_upload_field *http_upload_wheel_fields(
	const struct http_upload_wheel *w, size_t *n);

/** Free @w and close its file; NULL is a no-op. */
void http_upload_wheel_free(struct http_upload_wheel *w);

/* ---- the client -------------------------------------------------------- */

/* A retry about to happen, for the caller to tell the user. */
struct http_upload_retry {
	const char *filename;	/* the wheel */
	const char *why;	/* "503 Service Unavailable", "cannot connect
				 * to ..." (one line) */
	unsigned attempt;	/* the one that failed, from 1 */
	unsigned delay_ms;	/* the wait before the next */
};

typedef void (*http_upload_retry_cb)(const struct http_upload_retry *r,
				     void *data);

struct http_upload_opts {
	const char *url;	/* the upload endpoint, http:// or https:// */
	const char *user;	/* NULL: no credentials */
	const char *password;	/* with @user; copied, never reported */
	const char *cacert;	/* CA bundle for https, NULL: the system's */
	unsigned tries;		/* attempts per file on a 5xx or a network
				 * failure; 0: 3 */
	unsigned retry_delay_ms; /* wait before the 2nd attempt, doubled
				  * for each next; 0: 1000 */
	tlc_progress_cb progress; /* step "upload", bytes of the request
				   * body; may be NULL */
	void *progress_data;
	http_upload_retry_cb retry; /* may be NULL */
	void *retry_data;
};

#define HTTP_UPLOAD_OPTS_INIT { NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, \
				NULL, NULL }

struct http_upload;

/**
 * Check @opts->url (an absolute http or https URL with a host, without
 * credentials or a fragment) and set up a client.  Nothing is sent yet.
 *
 * @param[out] out  free with http_upload_free()
 * @return 0, TLC_EPOLICY (a bad URL or user name), TLC_ENOMEM, TLC_ERROR
 */
int http_upload_new(struct http_upload **out,
		    const struct http_upload_opts *opts, struct tlc_error *err);

/** True when credentials would cross the network in clear text: an
 * http:// URL whose host is not a loopback address. */
bool http_upload_cleartext(const struct http_upload *u);

/**
 * POST @w.  Redirects are not followed (a POST body cannot be replayed
 * to wherever a redirect points, and twine refuses them too).  A 5xx
 * reply or a network failure is tried again, up to opts->tries times in
 * all, waiting longer each time: uploading the same bytes again is safe
 * (the server keeps the first copy, or says it has it).
 *
 * @param[out] status  the last HTTP status, 0 when none came; may be NULL
 * @return 0 (200: the server has the file); TLC_EEXISTS (409: the server
 *         has the file name with other bytes); TLC_EPOLICY (another 4xx
 *         or a redirect: the message gives the status and the server's
 *         reason, one line, control characters replaced); TLC_EIO (a 5xx
 *         or a network or TLS failure, after the tries); TLC_ENOMEM
 */
int http_upload_send(struct http_upload *u, struct http_upload_wheel *w,
		     long *status, struct tlc_error *err);

/**
 * Ask a tlcpack serve to prune @project's nightlies (POST /-/prune at the
 * URL's root; src/http/serve_upload.c): keep the newest @keep of each
 * group, yank the rest or, with @delete, delete them; with @dry_run only
 * say what it would do.  Tried again as http_upload_send() is: a prune
 * done twice is done once.
 *
 * @param report  gets the server's reply: a line per file, as `tlcpack
 *                prune` prints it ("yank   <file> (<group>)")
 * @return 0; TLC_EPOLICY (a 4xx: the message gives the status and the
 *         server's reason); TLC_EIO (a 5xx or a network failure, after
 *         the tries); TLC_ENOMEM
 */
int http_upload_prune(struct http_upload *u, const char *project,
		      unsigned keep, bool delete, bool dry_run,
		      struct tlc_buf *report, struct tlc_error *err);

/** Free @u, wiping the password; NULL is a no-op. */
void http_upload_free(struct http_upload *u);

#endif
