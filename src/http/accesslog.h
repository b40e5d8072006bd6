/*
 * The access log of tlcpack serve, in the Combined Log Format of Apache
 * httpd and nginx, so that the usual tools read it.
 */
#ifndef HTTP_ACCESSLOG_H
#define HTTP_ACCESSLOG_H

#include <stdint.h>
#include <time.h>

#include "tlcpack/error.h"

struct http_log;

struct http_log_entry {
	const char *addr;	/* the client's address */
	const char *user;	/* authenticated identity, or NULL */
	time_t when;		/* when the request arrived */
	const char *method;
	const char *uri;	/* the request target, as sent */
	const char *version;	/* "HTTP/1.1" */
	unsigned status;
	uint64_t bytes;		/* body bytes sent */
	const char *referer;	/* or NULL */
	const char *agent;	/* or NULL */
};

/** Log to @path (appended; created 0644), or to standard output for "-". */
int http_log_open(struct http_log **out, const char *path,
		  struct tlc_error *err);

/** Write one line.  Safe from many threads: each line is one write(2) to
 * a descriptor opened O_APPEND, so lines never interleave. */
void http_log_write(struct http_log *l, const struct http_log_entry *e);

void http_log_close(struct http_log *l);

/** Format @e as one line (with its '\n') into @buf, which is always
 * terminated; returns the length.  Long fields are cut. */
size_t http_log_format(char *buf, size_t size,
		       const struct http_log_entry *e);

#endif
