/*
 * A growable, binary-safe byte buffer (git strbuf, curl dynbuf).
 *
 * Invariants: ptr is never NULL and ptr[len] == '\0'.  TLC_BUF_INIT needs
 * no allocation.  A non-zero max caps len: an append that would pass it
 * fails with TLC_ETOOBIG and leaves the buffer unchanged.  Every buffer
 * filled from the network, an archive or a subprocess gets a named cap.
 */
#ifndef TLC_BUF_H
#define TLC_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "common.h"
#include "error.h"

struct tlc_buf {
	char *ptr;
	size_t len;
	size_t alloc;	/* 0 while ptr points at the shared empty string */
	size_t max;	/* 0: no cap */
};

extern char tlc_buf__empty[];

#define TLC_BUF_INIT { tlc_buf__empty, 0, 0, 0 }
#define TLC_BUF_INIT_MAX(m) { tlc_buf__empty, 0, 0, (m) }

/** Set up @b as empty with the cap @max (0 for none). */
void tlc_buf_init(struct tlc_buf *b, size_t max);

/** Free @b's memory and leave it as after tlc_buf_init(b, b->max). */
void tlc_buf_release(struct tlc_buf *b);

/** Empty @b, keeping its memory. */
void tlc_buf_reset(struct tlc_buf *b);

/** Cut @b to @len bytes (len <= b->len). */
void tlc_buf_truncate(struct tlc_buf *b, size_t len);

/**
 * Hand @b's memory to the caller, who frees it with free(); @b is left
 * empty.  The result is never NULL and is NUL-terminated.
 *
 * @param[out] len  the length, may be NULL
 * @return the bytes, or NULL if a copy of the empty string failed
 */
char *tlc_buf_detach(struct tlc_buf *b, size_t *len);

/** Make room for @extra more bytes.  @return 0, TLC_ENOMEM or TLC_ETOOBIG */
TLC_WARN_UNUSED int tlc_buf_grow(struct tlc_buf *b, size_t extra);

TLC_WARN_UNUSED int tlc_buf_put(struct tlc_buf *b, const void *p, size_t n);
TLC_WARN_UNUSED int tlc_buf_puts(struct tlc_buf *b, const char *s);
TLC_WARN_UNUSED int tlc_buf_putc(struct tlc_buf *b, char c);
TLC_WARN_UNUSED int tlc_buf_printf(struct tlc_buf *b, const char *fmt, ...)
	TLC_PRINTF(2, 3);
TLC_WARN_UNUSED int tlc_buf_vprintf(struct tlc_buf *b, const char *fmt,
				    va_list ap) TLC_PRINTF(2, 0);

/** Replace @b's contents with @s.  @return as tlc_buf_put() */
TLC_WARN_UNUSED int tlc_buf_sets(struct tlc_buf *b, const char *s);

/**
 * Append the whole of the file at @path.  The buffer's cap applies.
 *
 * @return 0 or a negative TLC_E* code, with @err filled
 */
int tlc_buf_read_file(struct tlc_buf *b, const char *path,
		      struct tlc_error *err);

#endif
