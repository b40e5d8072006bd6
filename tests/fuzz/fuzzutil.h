/*
 * Checks every libFuzzer target shares.
 */
#ifndef TLC_FUZZUTIL_H
#define TLC_FUZZUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (free it), or NULL. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* A refusal is a rule broken or a size cap, with a one-line message. */
static inline void fuzz_check_refusal(int rc, const struct tlc_error *err)
{
	if (rc != TLC_EPOLICY && rc != TLC_ETOOBIG)
		abort();
	if (!err->msg[0] || strchr(err->msg, '\n') || strchr(err->msg, '\r'))
		abort();
}

#endif
