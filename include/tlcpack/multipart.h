/*
 * A streaming multipart/form-data parser (RFC 7578 on RFC 2046 5.1.1), for
 * upload bodies: the body is fed in slices of any size, parts come out as
 * callbacks, and memory stays bounded whatever the input (a part's data is
 * never buffered, only its header block, up to a cap).
 *
 * Feeding a body in one slice or byte by byte gives the same callbacks,
 * but for how part_data splits each part's data.
 */
#ifndef TLC_MULTIPART_H
#define TLC_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. */
#define TLC_MULTIPART_BOUNDARY_MAX 70

struct tlc_multipart;

/*
 * One part, as its header block said.  The strings are the parser's,
 * NUL-terminated, and stay valid until part_end returns.  A quoted-string
 * value is given unquoted (RFC 9110 5.6.4 quoted-pairs undone); nothing
 * is percent-decoded.
 */
struct tlc_multipart_part {
	const char *name;		/* Content-Disposition's name= */
	const char *filename;		/* filename=, or NULL */
	const char *content_type;	/* the part's Content-Type, or NULL */
};

/*
 * Each callback returns 0 to go on; a negative TLC_E* code (with @err
 * filled) stops parsing, and tlc_multipart_feed() returns that code as
 * is.  part_data gets each part's data in one or more non-empty slices,
 * split anywhere.
 */
struct tlc_multipart_callbacks {
	int (*part_begin)(void *data, const struct tlc_multipart_part *part,
			  struct tlc_error *err);
	int (*part_data)(void *data, const void *buf, size_t len,
			 struct tlc_error *err);
	int (*part_end)(void *data, struct tlc_error *err);
};

struct tlc_multipart_limits {
	size_t max_parts;		/* 0: default 64 */
	size_t max_header_bytes;	/* per part; 0: default 8192 */
};

/**
 * The boundary parameter of a Content-Type "multipart/form-data;
 * boundary=..." (RFC 7578 4.1, RFC 9110 8.3.1 parameters, token or
 * quoted-string), checked against RFC 2046 5.1.1.
 *
 * @param[out] out	the boundary, NUL-terminated
 * @param size		the size of @out (TLC_MULTIPART_BOUNDARY_MAX + 1
 *			always fits)
 * @return 0, TLC_EPOLICY (not multipart/form-data, no boundary, a bad
 *	   one) or TLC_ETOOBIG (@out too small)
 */
int tlc_multipart_boundary(const char *content_type, char *out, size_t size,
			   struct tlc_error *err);

/**
 * A parser for a body delimited by @boundary (checked: RFC 2046 5.1.1).
 *
 * @param[out] out	the parser; free it with tlc_multipart_free()
 * @param limits	NULL for the defaults
 * @param cb		the callbacks, copied; none may be NULL
 * @param data		passed to each callback
 * @return 0, TLC_EPOLICY (a bad boundary) or TLC_ENOMEM
 */
int tlc_multipart_new(struct tlc_multipart **out, const char *boundary,
		      const struct tlc_multipart_limits *limits,
		      const struct tlc_multipart_callbacks *cb, void *data,
		      struct tlc_error *err);

/**
 * Feed the next @len bytes of the body; callbacks fire as parts are
 * recognized.  After a failure, every later call fails the same way.
 *
 * @return 0, TLC_EPOLICY (malformed: the message names the rule),
 *	   TLC_ETOOBIG (a limit) or a callback's code
 */
int tlc_multipart_feed(struct tlc_multipart *mp, const void *buf, size_t len,
		       struct tlc_error *err);

/**
 * The body ended.
 *
 * @return 0 when the close delimiter was seen, TLC_EPOLICY otherwise, or
 *	   the error that stopped an earlier feed
 */
int tlc_multipart_finish(struct tlc_multipart *mp, struct tlc_error *err);

/**
 * Whether the close delimiter has been seen: what follows it is the
 * epilogue, which is ignored, so a reader may stop there.
 */
bool tlc_multipart_done(const struct tlc_multipart *mp);

/** Free @mp; NULL is a no-op. */
void tlc_multipart_free(struct tlc_multipart *mp);

#endif
