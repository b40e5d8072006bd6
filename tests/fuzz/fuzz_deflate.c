/*
 * libFuzzer target for the chunked deflate of src/lib/deflate.c: any data,
 * cut into pieces of any size at any level, must come back from zlib's
 * inflate as one stream, byte for byte, and the combined CRC-32 must be
 * zlib's.  This drives find_final() over every kind of block libdeflate
 * writes.
 *
 * Input: byte 0 picks the level, bytes 1-2 the piece size, the rest is
 * the data.  When byte 0 is odd, the data is instead built from the rest,
 * one segment per byte: 2 KiB to 256 KiB of either noise (from a PRNG
 * seeded by the byte and its position) or the input cycled, up to 4 MiB,
 * and the piece size is scaled by 16; this drives the probe that writes
 * incompressible pieces as stored blocks, next to deflated ones, with
 * pieces of 128 KiB and more.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "../../src/lib/deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_deflate: check failed: %s\n", what);
		abort();
	}
}

#define BUILT_MAX ((size_t)4 << 20)

/* The data of an odd byte 0: segments of noise and of @in cycled. */
static unsigned char *build(const uint8_t *in, size_t n, size_t *len)
{
	unsigned char *p = malloc(BUILT_MAX);
	size_t off = 0;

	check(p != NULL, "malloc");
	for (size_t i = 0; i < n && off < BUILT_MAX; i++) {
		size_t k = ((size_t)(in[i] >> 1) + 1) << 11;
		uint64_t x = 0x9e3779b97f4a7c15u ^ (uint64_t)in[i] << 32 ^ i;

		if (k > BUILT_MAX - off)
			k = BUILT_MAX - off;
		for (size_t j = 0; j < k; j++) {
			if (in[i] & 1) {
				x ^= x << 13;	/* xorshift64 */
				x ^= x >> 7;
				x ^= x << 17;
				p[off + j] = (unsigned char)x;
			} else {
				p[off + j] = in[(off + j) % n];
			}
		}
		off += k;
	}
	*len = off;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *built = NULL;
	static struct tlc__deflater *d[10];
	struct tlc_error err = TLC_ERROR_INIT;
	unsigned char *z, *back;
	size_t piece, cap = 0, zlen = 0, len;
	uint32_t crc = 0;
	int level;
	z_stream st;

	if (size < 4)
		return 0;
	level = 1 + data[0] % 9;
	piece = 1 + ((size_t)data[1] << 8 | data[2]);
	data += 3;
	len = size - 3;
	if (data[-3] & 1) {
		built = build(data, len, &len);
		data = built;
		piece *= 16;
	}
	if (!d[level])
		check(tlc__deflater_new(&d[level], level, &err) == 0, "new");
	for (size_t off = 0; off < len; off += piece)
		cap += tlc__deflate_bound(piece);
	z = malloc(cap);
	back = malloc(len + 1);
	check(z && back, "malloc");
	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece, got = 0;

		check(tlc__deflate_piece(d[level], data + off, n, off + n == len,
					 z + zlen, tlc__deflate_bound(n), &got,
					 &err) == 0, err.msg);
		check(got <= tlc__deflate_bound(n), "bound");
		zlen += got;
		crc = tlc__crc32_combine(crc, tlc__crc32(0, data + off, n), n);
	}
	memset(&st, 0, sizeof(st));
	check(inflateInit2(&st, -15) == Z_OK, "inflateInit2");
	st.next_in = z;
	st.avail_in = (unsigned)zlen;
	st.next_out = back;
	st.avail_out = (unsigned)len + 1;
	check(inflate(&st, Z_FINISH) == Z_STREAM_END, "stream ends");
	check(st.avail_in == 0, "nothing after the end");
	check(st.total_out == len && !memcmp(back, data, len), "same bytes");
	check(crc == crc32(0, data, (uInt)len), "crc32_combine");
	inflateEnd(&st);
	free(z);
	free(back);
	free(built);
	return 0;
}
