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

/* Messages quote names from the input: they must stay valid UTF-8 (a
 * message cut at its size limit may end inside a character). */
static inline void fuzz_check_utf8(const struct tlc_error *err)
{
	const unsigned char *p = (const unsigned char *)err->msg;
	size_t len = strlen(err->msg);

	for (size_t i = 0; i < len;) {
		size_t k = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 :
			   p[i] >= 0xe0 ? 3 : p[i] >= 0xc2 ? 2 : 0;

		if (!k)
			abort();
		if (i + k > len)
			return;		/* cut at the end */
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				abort();
		i += k;
	}
}

#endif
