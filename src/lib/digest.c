/*
 * Streaming digests: SHA-256 and MD5 through OpenSSL's EVP, BLAKE2b-256
 * written here from RFC 7693 (OpenSSL 3.0's EVP_blake2b512 cannot be set
 * to a 32-byte digest, and the digest length is part of the parameter
 * block, so truncating BLAKE2b-512 gives another value).
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>	/* OPENSSL_hexchar2int */
#include <openssl/evp.h>

#include "tlcpack/digest.h"

#include "banned.h"

/* ---- BLAKE2b, RFC 7693 ---- */

#define B2_BLOCK 128

struct blake2b {
	uint64_t h[8];
	uint64_t t[2];		/* bytes compressed so far, 128 bits */
	unsigned char buf[B2_BLOCK];
	size_t len;		/* bytes in buf, 0..128 */
	size_t outlen;
};

/* RFC 7693 2.6: the SHA-512 initial values */
static const uint64_t b2_iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
	0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/* RFC 7693 2.7: the message word schedule; rounds 10 and 11 reuse rows 0
 * and 1 */
static const uint8_t b2_sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

static inline uint64_t rotr64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

/* little-endian, RFC 7693 2.4 */
static inline uint64_t load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* RFC 7693 3.1, the mixing function G, with R1..R4 = 32, 24, 16, 63 */
#define B2_G(a, b, c, d, x, y)						\
	do {								\
		v[a] = v[a] + v[b] + (x);				\
		v[d] = rotr64(v[d] ^ v[a], 32);				\
		v[c] = v[c] + v[d];					\
		v[b] = rotr64(v[b] ^ v[c], 24);				\
		v[a] = v[a] + v[b] + (y);				\
		v[d] = rotr64(v[d] ^ v[a], 16);				\
		v[c] = v[c] + v[d];					\
		v[b] = rotr64(v[b] ^ v[c], 63);				\
	} while (0)

/* RFC 7693 3.2, the compression function F */
static void b2_compress(struct blake2b *s, const unsigned char *block,
			bool last)
{
	uint64_t v[16], m[16];

	for (int i = 0; i < 16; i++)
		m[i] = load64(block + 8 * i);
	memcpy(v, s->h, sizeof(s->h));
	memcpy(v + 8, b2_iv, sizeof(b2_iv));
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	/* fully unrolled, so that the schedule's indices are constants */
#define B2_ROUND(r)							\
	do {								\
		B2_G(0, 4, 8, 12, m[b2_sigma[r][0]], m[b2_sigma[r][1]]); \
		B2_G(1, 5, 9, 13, m[b2_sigma[r][2]], m[b2_sigma[r][3]]); \
		B2_G(2, 6, 10, 14, m[b2_sigma[r][4]], m[b2_sigma[r][5]]); \
		B2_G(3, 7, 11, 15, m[b2_sigma[r][6]], m[b2_sigma[r][7]]); \
		B2_G(0, 5, 10, 15, m[b2_sigma[r][8]], m[b2_sigma[r][9]]); \
		B2_G(1, 6, 11, 12, m[b2_sigma[r][10]], m[b2_sigma[r][11]]); \
		B2_G(2, 7, 8, 13, m[b2_sigma[r][12]], m[b2_sigma[r][13]]); \
		B2_G(3, 4, 9, 14, m[b2_sigma[r][14]], m[b2_sigma[r][15]]); \
	} while (0)
	B2_ROUND(0);
	B2_ROUND(1);
	B2_ROUND(2);
	B2_ROUND(3);
	B2_ROUND(4);
	B2_ROUND(5);
	B2_ROUND(6);
	B2_ROUND(7);
	B2_ROUND(8);
	B2_ROUND(9);
	B2_ROUND(10);
	B2_ROUND(11);
#undef B2_ROUND
	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void b2_count(struct blake2b *s, size_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

/* RFC 7693 3.3, unkeyed: parameter block word 0 is 0x0101kknn, kk = 0 */
static void b2_init(struct blake2b *s, size_t outlen)
{
	assert(outlen >= 1 && outlen <= 64);
	memset(s, 0, sizeof(*s));
	memcpy(s->h, b2_iv, sizeof(b2_iv));
	s->h[0] ^= 0x01010000ULL ^ outlen;
	s->outlen = outlen;
}

/* The last block is compressed with the final flag, so a full buffer
 * waits for more input before it is compressed. */
static void b2_update(struct blake2b *s, const unsigned char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->len + n <= B2_BLOCK) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		return;
	}
	if (s->len) {
		size_t fill = B2_BLOCK - s->len;

		memcpy(s->buf + s->len, p, fill);
		p += fill;
		n -= fill;
		b2_count(s, B2_BLOCK);
		b2_compress(s, s->buf, false);
		s->len = 0;
	}
	while (n > B2_BLOCK) {
		b2_count(s, B2_BLOCK);
		b2_compress(s, p, false);
		p += B2_BLOCK;
		n -= B2_BLOCK;
	}
	memcpy(s->buf, p, n);
	s->len = n;
}

static void b2_final(struct blake2b *s, unsigned char *out)
{
	b2_count(s, s->len);
	memset(s->buf + s->len, 0, B2_BLOCK - s->len);
	b2_compress(s, s->buf, true);
	for (size_t i = 0; i < s->outlen; i++)
		out[i] = (unsigned char)(s->h[i / 8] >> (8 * (i % 8)));
}

/* ---- the set ---- */

struct tlc_digests {
	unsigned kinds;
	bool done;
	EVP_MD_CTX *sha256;
	EVP_MD_CTX *md5;
	struct blake2b b2;
	unsigned char out_sha256[32];
	unsigned char out_b2[32];
	unsigned char out_md5[16];
};

size_t tlc_digest_size(unsigned kind)
{
	switch (kind) {
	case TLC_DIGEST_SHA256:
	case TLC_DIGEST_BLAKE2B_256:
		return 32;
	case TLC_DIGEST_MD5:
		return 16;
	}
	return 0;
}

static int evp_start(EVP_MD_CTX **ctx, const EVP_MD *md,
		     struct tlc_error *err)
{
	if (!(*ctx = EVP_MD_CTX_new()))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (!EVP_DigestInit_ex(*ctx, md, NULL))
		return tlc_error_set(err, TLC_ERROR,
				     "cannot start a %s digest",
				     EVP_MD_get0_name(md));
	return 0;
}

int tlc_digests_new(struct tlc_digests **out, unsigned kinds,
		    struct tlc_error *err)
{
	struct tlc_digests *d;
	int rc = 0;

	assert(kinds && !(kinds & ~7u));
	*out = NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	d->kinds = kinds;
	if (kinds & TLC_DIGEST_SHA256)
		rc = evp_start(&d->sha256, EVP_sha256(), err);
	if (rc == 0 && (kinds & TLC_DIGEST_MD5))
		rc = evp_start(&d->md5, EVP_md5(), err);
	if (kinds & TLC_DIGEST_BLAKE2B_256)
		b2_init(&d->b2, 32);
	if (rc < 0) {
		tlc_digests_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void tlc_digests_update(struct tlc_digests *d, const void *buf, size_t len)
{
	assert(!d->done);
	/* EVP_DigestUpdate fails only on a context that failed to start */
	if (d->sha256)
		EVP_DigestUpdate(d->sha256, buf, len);
	if (d->md5)
		EVP_DigestUpdate(d->md5, buf, len);
	if (d->kinds & TLC_DIGEST_BLAKE2B_256)
		b2_update(&d->b2, buf, len);
}

void tlc_digests_final(struct tlc_digests *d)
{
	if (d->done)
		return;
	d->done = true;
	if (d->sha256)
		EVP_DigestFinal_ex(d->sha256, d->out_sha256, NULL);
	if (d->md5)
		EVP_DigestFinal_ex(d->md5, d->out_md5, NULL);
	if (d->kinds & TLC_DIGEST_BLAKE2B_256)
		b2_final(&d->b2, d->out_b2);
}

const unsigned char *tlc_digests_get(const struct tlc_digests *d,
				     unsigned kind)
{
	if (!d->done || !(d->kinds & kind))
		return NULL;
	switch (kind) {
	case TLC_DIGEST_SHA256:
		return d->out_sha256;
	case TLC_DIGEST_BLAKE2B_256:
		return d->out_b2;
	case TLC_DIGEST_MD5:
		return d->out_md5;
	}
	return NULL;
}

int tlc_digests_check(const struct tlc_digests *d, unsigned kind,
		      const char *hex, const char *field,
		      struct tlc_error *err)
{
	const unsigned char *want = tlc_digests_get(d, kind);
	size_t n = tlc_digest_size(kind);
	unsigned char got[TLC_DIGEST_MAX];

	assert(want);	/* a kind asked for, after final */
	if (!want)
		return tlc_error_set(err, TLC_ERROR,
				     "%s was not computed", field);
	if (strlen(hex) != 2 * n)
		goto bad_hex;
	for (size_t i = 0; i < n; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
		int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad_hex;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if (memcmp(got, want, n))
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s does not match the uploaded file",
				     field);
	return 0;
bad_hex:
	return tlc_error_set(err, TLC_EPOLICY, "%s is not %zu hex digits",
			     field, 2 * n);
}

void tlc_digests_free(struct tlc_digests *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->sha256);
	EVP_MD_CTX_free(d->md5);
	free(d);
}
