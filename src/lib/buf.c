#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlcpack/buf.h"

#include "banned.h"

char tlc_buf__empty[1];

void tlc_buf_init(struct tlc_buf *b, size_t max)
{
	b->ptr = tlc_buf__empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void tlc_buf_release(struct tlc_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	tlc_buf_init(b, b->max);
}

void tlc_buf_reset(struct tlc_buf *b)
{
	tlc_buf_truncate(b, 0);
}

void tlc_buf_truncate(struct tlc_buf *b, size_t len)
{
	assert(len <= b->len);
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

char *tlc_buf_detach(struct tlc_buf *b, size_t *len)
{
	char *p;

	if (len)
		*len = b->len;
	if (!b->alloc) {
		p = calloc(1, 1);
	} else {
		p = b->ptr;
	}
	tlc_buf_init(b, b->max);
	return p;
}

int tlc_buf_grow(struct tlc_buf *b, size_t extra)
{
	size_t want, n;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return TLC_ETOOBIG;
	want = b->len + extra;
	if (b->max && want > b->max)
		return TLC_ETOOBIG;
	if (want + 1 <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < want + 1)
		n = n > SIZE_MAX / 2 ? want + 1 : n * 2;
	if (b->max && n > b->max + 1)
		n = b->max + 1;
	p = realloc(b->alloc ? b->ptr : NULL, n);
	if (!p)
		return TLC_ENOMEM;
	if (!b->alloc)
		p[0] = '\0';
	b->ptr = p;
	b->alloc = n;
	return 0;
}

int tlc_buf_put(struct tlc_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if ((rc = tlc_buf_grow(b, n)) < 0)
		return rc;
	memmove(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int tlc_buf_puts(struct tlc_buf *b, const char *s)
{
	return tlc_buf_put(b, s, strlen(s));
}

int tlc_buf_putc(struct tlc_buf *b, char c)
{
	return tlc_buf_put(b, &c, 1);
}

int tlc_buf_sets(struct tlc_buf *b, const char *s)
{
	tlc_buf_reset(b);
	return tlc_buf_puts(b, s);
}

int tlc_buf_vprintf(struct tlc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return TLC_ERROR;
	if ((rc = tlc_buf_grow(b, (size_t)n)) < 0)
		return rc;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int tlc_buf_printf(struct tlc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tlc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int tlc_buf_read_file(struct tlc_buf *b, const char *path,
		      struct tlc_error *err)
{
	size_t start = b->len;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tlc_error_errno(err,
				       errno == ENOENT ? TLC_ENOTFOUND : TLC_EIO,
				       "cannot open '%s'", path);
	for (;;) {
		if ((rc = tlc_buf_grow(b, 65536)) < 0) {
			/* near the cap: try for exactly what is left */
			if (rc == TLC_ETOOBIG && b->max && b->len < b->max)
				rc = tlc_buf_grow(b, b->max - b->len);
			if (rc < 0) {
				char probe;
				if (rc == TLC_ETOOBIG &&
				    read(fd, &probe, 1) == 0)
					break;
				if (rc == TLC_ETOOBIG)
					tlc_error_set(err, rc,
						      "'%s' is over %zu bytes",
						      path, b->max);
				else
					tlc_error_set(err, rc,
						      "out of memory reading '%s'",
						      path);
				goto fail;
			}
		}
		n = read(fd, b->ptr + b->len, b->alloc - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     path);
			goto fail;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	}
	close(fd);
	return 0;
fail:
	close(fd);
	tlc_buf_truncate(b, start);
	return rc;
}
