/*
 * The request heads that tlcpack serve answers without libmicrohttpd
 * (serve_fast.c): a GET or HEAD in HTTP/1.1 with no body and only
 * fields whose meaning a read of a file or page knows.  Anything else,
 * however harmless, is not parsed here but left to libmicrohttpd, which
 * answers it or refuses it; so this parser only ever says "mine" or
 * "not mine", never "bad".
 */
#ifndef HTTP_REQHEAD_H
#define HTTP_REQHEAD_H

#include <stdbool.h>
#include <stddef.h>

/* A span of the parsed buffer; ptr NULL when the field is absent. */
struct http_span {
	const char *ptr;
	size_t len;
};

struct http_head {
	size_t len;		/* bytes of the head, its empty line included */
	bool head;		/* HEAD, else GET */
	bool close;		/* "Connection: close" */
	struct http_span target;	/* origin-form: starts with '/' */
	struct http_span accept;
	struct http_span if_none_match;
	struct http_span if_modified_since;
	struct http_span user_agent;
	struct http_span referer;
};

/* The longest target taken; a longer one goes to libmicrohttpd (414). */
#define HTTP_HEAD_TARGET_MAX 2048
/* At most this many fields; more go to libmicrohttpd. */
#define HTTP_HEAD_FIELDS_MAX 32

/**
 * Parse the request head at the start of @buf (@len bytes, not
 * terminated; bytes after the head are not looked at).
 *
 * @return true with @h filled (spans into @buf) when the head is
 *         complete, well formed by RFC 9112 and one that serve_fast.c
 *         may answer; false for everything else, including a head not
 *         yet complete.
 */
bool http_head_parse(const char *buf, size_t len, struct http_head *h);

#endif
