/*
 * Combined Log Format:
 *
 *   host ident user [day/Mon/year:HH:MM:SS +zone] "request" status bytes
 *   "referer" "user-agent"
 *
 * Text that comes from the client is escaped as Apache httpd has done
 * since 2.0.46 (mod_log_config, "Security Considerations"): '"' and '\'
 * get a backslash, other bytes outside printable ASCII become \xHH, so a
 * request can neither forge a log line nor hide in one.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accesslog.h"
#include "banned.h"

struct http_log {
	int fd;
	bool own;
};

int http_log_open(struct http_log **out, const char *path,
		  struct tlc_error *err)
{
	struct http_log *l;

	*out = NULL;
	if (!(l = calloc(1, sizeof(*l))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (!strcmp(path, "-")) {
		l->fd = STDOUT_FILENO;
	} else {
		l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			     0644);
		if (l->fd < 0) {
			free(l);
			return tlc_error_errno(err, TLC_EIO, "cannot open the "
					       "access log '%s'", path);
		}
		l->own = true;
	}
	*out = l;
	return 0;
}

struct out {
	char *p, *end;	/* end leaves room for the terminating NUL */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > (size_t)(o->end - o->p))
		n = (size_t)(o->end - o->p);
	memcpy(o->p, s, n);
	o->p += n;
}

/* @s, escaped, or "-" when it is NULL or empty. */
static void put_text(struct out *o, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const char *start = o->p;

	if (!s || !*s) {
		put(o, "-", 1);
		return;
	}
	for (; *s && (size_t)(o->p - start) < max; s++) {
		unsigned char c = (unsigned char)*s;
		char e[4] = { '\\', (char)c };

		if (c == '"' || c == '\\') {
			put(o, e, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			put(o, e, 4);
		} else {
			put(o, (const char *)&c, 1);
		}
	}
}

size_t http_log_format(char *buf, size_t size,
		       const struct http_log_entry *e)
{
	struct out o = { buf, buf + size - 2 };
	char stamp[64], num[48];
	struct tm tm;
	int n;

	put_text(&o, e->addr, 64);
	put(&o, " - ", 3);
	put_text(&o, e->user, 128);
	localtime_r(&e->when, &tm);
	n = (int)strftime(stamp, sizeof(stamp), " [%d/%b/%Y:%H:%M:%S %z] \"",
			  &tm);
	put(&o, stamp, (size_t)n);
	put_text(&o, e->method, 32);
	put(&o, " ", 1);
	put_text(&o, e->uri, 2048);
	put(&o, " ", 1);
	put_text(&o, e->version, 16);
	/* a body of 0 bytes is "-" in the common format */
	if (e->bytes)
		n = snprintf(num, sizeof(num), "\" %03u %llu \"", e->status,
			     (unsigned long long)e->bytes);
	else
		n = snprintf(num, sizeof(num), "\" %03u - \"", e->status);
	put(&o, num, (size_t)n);
	put_text(&o, e->referer, 512);
	put(&o, "\" \"", 3);
	put_text(&o, e->agent, 512);
	put(&o, "\"", 1);
	/* the room kept at the end: the newline always fits */
	*o.p++ = '\n';
	*o.p = '\0';
	return (size_t)(o.p - buf);
}

void http_log_write(struct http_log *l, const struct http_log_entry *e)
{
	char line[4096];
	size_t n = http_log_format(line, sizeof(line), e);
	ssize_t w;

	/* one write per line; a failed log write must not fail the request */
	do {
		w = write(l->fd, line, n);
	} while (w < 0 && errno == EINTR);
}

void http_log_close(struct http_log *l)
{
	if (!l)
		return;
	if (l->own)
		close(l->fd);
	free(l);
}
