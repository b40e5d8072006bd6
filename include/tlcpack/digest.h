/*
 * Streaming digests of an upload, the kinds the legacy upload API names:
 * sha256_digest, blake2_256_digest, md5_digest.  Only the kinds asked for
 * are computed.
 *
 * BLAKE2b-256 is BLAKE2b with a 32-byte digest (RFC 7693; the length is
 * in the parameter block, so it is not a truncated BLAKE2b-512), what
 * warehouse and twine call blake2_256.
 */
#ifndef TLC_DIGEST_H
#define TLC_DIGEST_H

#include <stddef.h>

#include "error.h"

enum {
	TLC_DIGEST_SHA256 = 1,
	TLC_DIGEST_BLAKE2B_256 = 2,
	TLC_DIGEST_MD5 = 4,
};

/* The largest digest, in bytes. */
#define TLC_DIGEST_MAX 32

struct tlc_digests;

/**
 * Start the digests of @kinds (TLC_DIGEST_* or'ed, at least one).
 *
 * @param[out] out	free it with tlc_digests_free()
 * @return 0, TLC_ENOMEM or TLC_ERROR (OpenSSL refused)
 */
int tlc_digests_new(struct tlc_digests **out, unsigned kinds,
		    struct tlc_error *err);

/** Add @len bytes; not after tlc_digests_final(). */
void tlc_digests_update(struct tlc_digests *d, const void *buf, size_t len);

/** End the input; a second call does nothing. */
void tlc_digests_final(struct tlc_digests *d);

/**
 * The raw digest of one @kind that was asked for, after
 * tlc_digests_final(); borrowed from @d.  NULL otherwise.
 */
const unsigned char *tlc_digests_get(const struct tlc_digests *d,
				     unsigned kind);

/** The length in bytes of a digest of @kind (one TLC_DIGEST_*), or 0. */
size_t tlc_digest_size(unsigned kind);

/**
 * Compare the digest of @kind (asked for; after final) with a form
 * field's hex text @hex (either case).
 *
 * @param field	the form field's name, for the message
 * @return 0, or TLC_EPOLICY "<field> does not match the uploaded file" or
 *	   "<field> is not N hex digits"
 */
int tlc_digests_check(const struct tlc_digests *d, unsigned kind,
		      const char *hex, const char *field,
		      struct tlc_error *err);

/** Free @d; NULL is a no-op. */
void tlc_digests_free(struct tlc_digests *d);

#endif
