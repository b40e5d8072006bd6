#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tlcpack/error.h"

#include "banned.h"

int tlc_error_vset(struct tlc_error *err, int code, const char *fmt,
		   va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return code;
}

int tlc_error_set(struct tlc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlc_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int tlc_error_errno(struct tlc_error *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (!err)
		return code;
	va_start(ap, fmt);
	tlc_error_vset(err, code, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(saved));
	return code;
}

int tlc_error_prefix(struct tlc_error *err, const char *fmt, ...)
{
	char old[TLC_ERROR_MSG_SIZE];
	va_list ap;
	int n;

	if (!err)
		return TLC_ERROR;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* append ": <old>", truncated to fit (by hand: the truncation is
	 * wanted, and snprintf would draw -Wformat-truncation) */
	if (n >= 0 && (size_t)n < sizeof(err->msg) - 1) {
		size_t at = (size_t)n, room = sizeof(err->msg) - 1 - at;
		size_t olen = strlen(old);
		char sep[] = ": ";

		for (size_t i = 0; i < 2 && room; i++, room--)
			err->msg[at++] = sep[i];
		if (olen > room)
			olen = room;
		memcpy(err->msg + at, old, olen);
		err->msg[at + olen] = '\0';
	}
	return err->code;
}

const char *tlc_error_name(int code)
{
	switch (code) {
	case TLC_OK:
		return "ok";
	case TLC_ENOMEM:
		return "out of memory";
	case TLC_ENOTFOUND:
		return "not found";
	case TLC_EEXISTS:
		return "already exists";
	case TLC_EPOLICY:
		return "rule broken";
	case TLC_ETOOBIG:
		return "too big";
	case TLC_EIO:
		return "input/output error";
	default:
		return "error";
	}
}
