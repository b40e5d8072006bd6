/*
 * SHA-256 through libcrypto (see sha256.h for why not EVP).
 */
#include <stdbool.h>

/* SHA256_Init() and friends are deprecated in OpenSSL 3.0 (in favour of
 * EVP) but kept; this file is their only user. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/evp.h>

#include "sha256.h"

#include "banned.h"

#ifdef OPENSSL_NO_DEPRECATED_3_0

bool tlc__sha256_init(struct tlc__sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c && !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		c = NULL;
	}
	h->evp = c;
	return c != NULL;
}

void tlc__sha256_update(struct tlc__sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->evp, data, len);
}

void tlc__sha256_final(struct tlc__sha256 *h,
		       unsigned char out[TLC_SHA256_LEN])
{
	EVP_DigestFinal_ex(h->evp, out, NULL);
	EVP_MD_CTX_free(h->evp);
	h->evp = NULL;
}

#else

bool tlc__sha256_init(struct tlc__sha256 *h)
{
	return SHA256_Init(&h->c) == 1;
}

void tlc__sha256_update(struct tlc__sha256 *h, const void *data, size_t len)
{
	SHA256_Update(&h->c, data, len);
}

void tlc__sha256_final(struct tlc__sha256 *h,
		       unsigned char out[TLC_SHA256_LEN])
{
	SHA256_Final(out, &h->c);
}

#endif

bool tlc__sha256(const void *data, size_t len,
		 unsigned char out[TLC_SHA256_LEN])
{
	struct tlc__sha256 h;

	if (!tlc__sha256_init(&h))
		return false;
	tlc__sha256_update(&h, data, len);
	tlc__sha256_final(&h, out);
	return true;
}
