/*
 * libFuzzer target for the zip follower (zipstream.h).
 *
 * Input: byte 0 picks where the slicing sizes come from, the rest is the
 * archive.  It is followed fed whole, then in slices whose sizes come
 * from the input (and byte by byte when it is short): the members vouched
 * for, their digests and the reason for stopping must be the same.  Then
 * the soundness that the server relies on: the zip reader opens the same
 * bytes (a memfd), and for every entry the follower vouches for,
 * tlc_zip_stream_read() must read the entry without a refusal and to
 * bytes of the SHA-256 the follower gave.  The follower may vouch for
 * less than the reader accepts, never for more or for other bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tlcpack/zip.h"
#include "tlcpack/zipstream.h"

#include "fuzzutil.h"

static struct tlc_zipstream *follow(const uint8_t *p, size_t len,
				    const uint8_t *sizes, size_t nsizes)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zipstream *zs;
	size_t off = 0, k = 0;

	if (tlc_zipstream_new(&zs, &err) < 0)
		abort();
	while (off < len) {
		size_t n = len - off;

		if (nsizes) {
			size_t s = sizes[k++ % nsizes];

			n = s ? (s < n ? s : n) : 1;
		}
		tlc_zipstream_feed(zs, p + off, n);
		off += n;
	}
	tlc_zipstream_finish(zs);
	return zs;
}

static void same(const struct tlc_zipstream *a, const struct tlc_zipstream *b)
{
	const char *wa = tlc_zipstream_stopped(a);
	const char *wb = tlc_zipstream_stopped(b);

	if (tlc_zipstream_count(a) != tlc_zipstream_count(b) ||
	    !wa != !wb || (wa && strcmp(wa, wb)))
		abort();
	for (size_t i = 0; i < tlc_zipstream_count(a); i++) {
		const struct tlc_zipstream_member *x, *y;

		x = tlc_zipstream_member(a, i);
		y = tlc_zipstream_member(b, i);

		if (strcmp(x->name, y->name) || x->offset != y->offset ||
		    x->size != y->size || x->csize != y->csize ||
		    x->crc32 != y->crc32 || x->method != y->method ||
		    memcmp(x->sha256, y->sha256, 32))
			abort();
		if (i && x->offset <= tlc_zipstream_member(a, i - 1)->offset)
			abort();
	}
}

/* Every entry vouched for must read back, to bytes of that SHA-256. */
static void sound(const struct tlc_zipstream *zs, const uint8_t *p, size_t len)
{
	static unsigned char buf[65536];
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_reader *r = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int fd = memfd_create("fuzz-zipstream", MFD_CLOEXEC);

	if (!ctx || fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
		abort();
	if (tlc_zip_reader_open(&r, fd, "fuzz.zip", &err) < 0)
		goto out;
	for (size_t i = 0; i < tlc_zip_reader_count(r); i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(r, i);
		struct tlc_zip_stream *s = NULL;
		unsigned char want[32], got_sha[32];
		size_t got;
		int rc;

		if (!tlc_zipstream_sha256(zs, e, want))
			continue;
		if (tlc_zip_stream_open(&s, r, e, &err) < 0 ||
		    !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
			abort();
		while ((rc = tlc_zip_stream_read(s, buf, sizeof(buf), &got,
						 &err)) == 0 && got)
			EVP_DigestUpdate(ctx, buf, got);
		if (rc < 0)
			abort();	/* vouched for a member it refuses */
		EVP_DigestFinal_ex(ctx, got_sha, NULL);
		if (memcmp(want, got_sha, 32))
			abort();	/* vouched for other bytes */
		tlc_zip_stream_free(s);
	}
out:
	tlc_zip_reader_free(r);
	EVP_MD_CTX_free(ctx);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_zipstream *whole, *sliced;
	const uint8_t *p;
	size_t len;

	if (size < 1)
		return 0;
	p = data + 1;
	len = size - 1;
	whole = follow(p, len, NULL, 0);
	if (tlc_zipstream_stopped(whole) &&
	    strpbrk(tlc_zipstream_stopped(whole), "\r\n"))
		abort();
	if (len) {
		size_t from = data[0] % len;

		sliced = follow(p, len, p + from,
				len - from < 16 ? len - from : 16);
		same(whole, sliced);
		tlc_zipstream_free(sliced);
	}
	if (len <= 4096) {
		static const uint8_t one = 1;

		sliced = follow(p, len, &one, 1);
		same(whole, sliced);
		tlc_zipstream_free(sliced);
	}
	sound(whole, p, len);
	tlc_zipstream_free(whole);
	return 0;
}
