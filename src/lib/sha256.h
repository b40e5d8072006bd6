/*
 * SHA-256 for libtlcpack (internal).
 *
 * Through libcrypto's low-level SHA256_* functions: the same assembly as
 * EVP (SHA-NI, AVX2), without EVP's first fetch of the digest from the
 * default provider, which costs 1.3 to 1.7 ms of a process's start-up on
 * the benchmark machine (bench/index/README.md) and matters for a
 * command as short as an incremental publish.  Where libcrypto is built
 * without its deprecated interfaces, EVP is used instead.
 */
#ifndef TLC_SHA256_H
#define TLC_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/opensslconf.h>
#include <openssl/sha.h>

#define TLC_SHA256_LEN 32

#ifdef OPENSSL_NO_DEPRECATED_3_0
struct tlc__sha256 {
	void *evp;		/* EVP_MD_CTX */
};
#else
struct tlc__sha256 {
	SHA256_CTX c;
};
#endif

/* Start @h; false only when out of memory (the EVP build). */
bool tlc__sha256_init(struct tlc__sha256 *h);
void tlc__sha256_update(struct tlc__sha256 *h, const void *data,
			size_t len);
/* Write the digest to @out and release @h. */
void tlc__sha256_final(struct tlc__sha256 *h,
		       unsigned char out[TLC_SHA256_LEN]);
/* One call: false only when out of memory. */
bool tlc__sha256(const void *data, size_t len,
		 unsigned char out[TLC_SHA256_LEN]);

#endif
