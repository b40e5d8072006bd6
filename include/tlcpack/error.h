/*
 * Errors: every fallible libtlcpack call returns 0 or a negative TLC_E*
 * code and, on failure, fills the caller's struct tlc_error.  The message
 * lives in a fixed array, so reporting never allocates (curl's error
 * buffer); the library never prints.
 */
#ifndef TLC_ERROR_H
#define TLC_ERROR_H

#include <stdarg.h>

#include "common.h"

enum {
	TLC_OK = 0,
	TLC_ERROR = -1,		/* anything not listed below */
	TLC_ENOMEM = -2,	/* an allocation failed */
	TLC_ENOTFOUND = -3,	/* a file, key, tool or interpreter is missing */
	TLC_EEXISTS = -4,	/* the thing to create is already there */
	TLC_EPOLICY = -5,	/* input breaks a rule: spec, recipe, policy */
	TLC_ETOOBIG = -6,	/* a size cap was hit */
	TLC_EIO = -7,		/* the system refused a read, write or spawn */
};

#define TLC_ERROR_MSG_SIZE 256

struct tlc_error {
	int code;
	char msg[TLC_ERROR_MSG_SIZE];
};

#define TLC_ERROR_INIT { 0, "" }

/**
 * Fill @err (which may be NULL) with @code and a printf-style message.
 * Messages follow git: lowercase, no full stop, the failure first, the
 * subject quoted.
 *
 * @return @code, so that `return tlc_error_set(err, ...)` propagates.
 */
int tlc_error_set(struct tlc_error *err, int code, const char *fmt, ...)
	TLC_PRINTF(3, 4);

int tlc_error_vset(struct tlc_error *err, int code, const char *fmt,
		   va_list ap) TLC_PRINTF(3, 0);

/**
 * Like tlc_error_set(), with ": <strerror(errno)>" appended.  errno is
 * read before anything else happens.
 */
int tlc_error_errno(struct tlc_error *err, int code, const char *fmt, ...)
	TLC_PRINTF(3, 4);

/**
 * Put "<prefix>: " in front of the message already in @err, to add context
 * the callee could not know (a file name, a wheel).  The code is kept.
 *
 * @return err->code
 */
int tlc_error_prefix(struct tlc_error *err, const char *fmt, ...)
	TLC_PRINTF(2, 3);

/** A short English name for @code ("out of memory", "not found", ...). */
const char *tlc_error_name(int code);

#endif
