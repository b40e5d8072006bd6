/*
 * The zip follower (zipstream.h): archives of our writer and archives
 * made here byte by byte (data descriptors with and without their
 * signature, zip64 ones, and hostile shapes), fed whole and in slices.
 * Every member it vouches for is read again with the zip reader, which
 * must accept it and give the same SHA-256: the follower may vouch for
 * less than the reader accepts, never for more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "tlcpack/buf.h"
#include "tlcpack/zip.h"
#include "tlcpack/zipstream.h"

/* ---- archives made here ------------------------------------------------ */

struct member {
	const char *name;
	const void *data;
	size_t len;
	unsigned method;	/* TLC_ZIP_STORED or TLC_ZIP_DEFLATED */
	bool desc;		/* bit 3, sizes in a data descriptor */
	bool desc_sig;		/* the descriptor's optional signature */
	bool zip64;		/* zip64 extra fields, 8-byte descriptor */
};

static void put16(struct tlc_buf *b, unsigned v)
{
	unsigned char p[2] = { v & 0xff, v >> 8 & 0xff };

	assert_int_equal(tlc_buf_put(b, p, 2), 0);
}

static void put32(struct tlc_buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static void put64(struct tlc_buf *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

/* Raw deflate of @len bytes (RFC 1951), appended to @out. */
static void deflate_into(struct tlc_buf *out, const void *p, size_t len)
{
	z_stream z = { 0 };
	unsigned char buf[4096];
	int zr;

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		zr = deflate(&z, Z_FINISH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		assert_int_equal(tlc_buf_put(out, buf,
					     sizeof(buf) - z.avail_out), 0);
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
}

/*
 * An archive of @n members (APPNOTE 4.3.6): local headers (4.3.7), data,
 * descriptors (4.3.9), the central directory (4.3.12) and its end record
 * (4.3.16).  Offsets of the local headers go to @offs when not NULL.
 */
static void make_zip(struct tlc_buf *z, const struct member *m, size_t n,
		     uint64_t *offs)
{
	struct tlc_buf data = TLC_BUF_INIT, cd = TLC_BUF_INIT;
	uint64_t off[16];

	assert_true(n <= 16);
	tlc_buf_reset(z);
	for (size_t i = 0; i < n; i++) {
		uint32_t crc = (uint32_t)crc32(0, m[i].data, (uInt)m[i].len);
		size_t nlen = strlen(m[i].name);
		unsigned flags = m[i].desc ? 8 : 0;
		uint64_t csize;

		tlc_buf_reset(&data);
		if (m[i].method == TLC_ZIP_DEFLATED)
			deflate_into(&data, m[i].data, m[i].len);
		else
			assert_int_equal(tlc_buf_put(&data, m[i].data,
						     m[i].len), 0);
		csize = data.len;
		off[i] = z->len;
		put32(z, 0x04034b50);
		put16(z, m[i].zip64 ? 45 : 20);
		put16(z, flags);
		put16(z, m[i].method);
		put32(z, 0);			/* DOS time and date */
		put32(z, m[i].desc ? 0 : crc);
		put32(z, m[i].desc ? 0 : m[i].zip64 ? 0xffffffff :
		      (uint32_t)csize);
		put32(z, m[i].desc ? 0 : m[i].zip64 ? 0xffffffff :
		      (uint32_t)m[i].len);
		put16(z, (unsigned)nlen);
		put16(z, m[i].zip64 ? 20 : 0);
		assert_int_equal(tlc_buf_put(z, m[i].name, nlen), 0);
		if (m[i].zip64) {
			put16(z, 0x0001);
			put16(z, 16);
			put64(z, m[i].desc ? 0 : m[i].len);
			put64(z, m[i].desc ? 0 : csize);
		}
		assert_int_equal(tlc_buf_put(z, data.ptr, data.len), 0);
		if (m[i].desc) {
			if (m[i].desc_sig)
				put32(z, 0x08074b50);
			put32(z, crc);
			if (m[i].zip64) {
				put64(z, csize);
				put64(z, m[i].len);
			} else {
				put32(z, (uint32_t)csize);
				put32(z, (uint32_t)m[i].len);
			}
		}
		/* its central record */
		put32(&cd, 0x02014b50);
		put16(&cd, 0x0300 | 45);	/* made on UNIX */
		put16(&cd, m[i].zip64 ? 45 : 20);
		put16(&cd, flags);
		put16(&cd, m[i].method);
		put32(&cd, 0);
		put32(&cd, crc);
		put32(&cd, m[i].zip64 ? 0xffffffff : (uint32_t)csize);
		put32(&cd, m[i].zip64 ? 0xffffffff : (uint32_t)m[i].len);
		put16(&cd, (unsigned)nlen);
		put16(&cd, m[i].zip64 ? 20 : 0);
		put16(&cd, 0);			/* comment */
		put16(&cd, 0);			/* disk */
		put16(&cd, 0);			/* internal attributes */
		put32(&cd, (uint32_t)0100644 << 16);
		put32(&cd, (uint32_t)off[i]);
		assert_int_equal(tlc_buf_put(&cd, m[i].name, nlen), 0);
		if (m[i].zip64) {
			put16(&cd, 0x0001);
			put16(&cd, 16);
			put64(&cd, m[i].len);
			put64(&cd, csize);
		}
		if (offs)
			offs[i] = off[i];
	}
	{
		uint64_t cd_off = z->len;

		assert_int_equal(tlc_buf_put(z, cd.ptr, cd.len), 0);
		put32(z, 0x06054b50);
		put32(z, 0);
		put16(z, (unsigned)n);
		put16(z, (unsigned)n);
		put32(z, (uint32_t)cd.len);
		put32(z, (uint32_t)cd_off);
		put16(z, 0);
	}
	tlc_buf_release(&data);
	tlc_buf_release(&cd);
}

/* ---- following ---------------------------------------------------------- */

/* Follow @len bytes fed in slices of @slice bytes (0: whole); with
 * @rnd, slices of random sizes up to @slice. */
static struct tlc_zipstream *follow(const void *p, size_t len, size_t slice,
				    bool rnd)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zipstream *zs;
	const unsigned char *b = p;
	size_t off = 0;

	assert_int_equal(tlc_zipstream_new(&zs, &err), 0);
	srand(7);
	while (off < len) {
		size_t n = slice ? slice : len - off;

		if (rnd)
			n = 1 + (size_t)rand() % slice;
		if (n > len - off)
			n = len - off;
		tlc_zipstream_feed(zs, b + off, n);
		off += n;
	}
	tlc_zipstream_finish(zs);
	return zs;
}

static void sha256(const void *p, size_t len, unsigned char out[32])
{
	assert_true(EVP_Digest(p, len, out, NULL, EVP_sha256(), NULL));
}

struct opened {
	int fd;
	struct tlc_zip_reader *r;
};

static void open_zip(struct opened *o, const struct tlc_buf *z)
{
	struct tlc_error err = TLC_ERROR_INIT;

	o->fd = memfd_create("test-zipstream", MFD_CLOEXEC);
	assert_true(o->fd >= 0);
	assert_int_equal(write(o->fd, z->ptr, z->len), (ssize_t)z->len);
	if (tlc_zip_reader_open(&o->r, o->fd, "t.whl", &err) < 0)
		fail_msg("%s", err.msg);
}

static void close_zip(struct opened *o)
{
	tlc_zip_reader_free(o->r);
	close(o->fd);
}

/*
 * How many of @o's entries @zs vouches for; each one must read back
 * through the zip reader, to bytes of the SHA-256 vouched for.
 */
static size_t vouched(const struct tlc_zipstream *zs, const struct opened *o)
{
	size_t k = 0;

	for (size_t i = 0; i < tlc_zip_reader_count(o->r); i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(o->r, i);
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_buf out = TLC_BUF_INIT;
		unsigned char want[32], got[32];

		if (!tlc_zipstream_sha256(zs, e, want))
			continue;
		if (tlc_zip_read(o->r, e, &out, &err) < 0)
			fail_msg("vouched for '%s', which the reader refuses: "
				 "%s", e->name, err.msg);
		sha256(out.ptr, out.len, got);
		assert_memory_equal(want, got, 32);
		tlc_buf_release(&out);
		k++;
	}
	return k;
}

/* Fed whole, in slices of 1, 7 and random sizes: the same outcome. */
static void same_any_slicing(const struct tlc_buf *z)
{
	struct tlc_zipstream *whole = follow(z->ptr, z->len, 0, false);
	static const size_t slices[] = { 1, 7, 4096 };

	for (size_t s = 0; s < 4; s++) {
		struct tlc_zipstream *zs = s < 3 ?
			follow(z->ptr, z->len, slices[s], false) :
			follow(z->ptr, z->len, 70000, true);
		const char *a = tlc_zipstream_stopped(whole),
			   *b = tlc_zipstream_stopped(zs);

		if (s == 0 && z->len > (1u << 20))
			continue;
		assert_int_equal(tlc_zipstream_count(zs),
				 tlc_zipstream_count(whole));
		assert_true(!a == !b);
		if (a)
			assert_string_equal(a, b);
		for (size_t i = 0; i < tlc_zipstream_count(zs); i++) {
			const struct tlc_zipstream_member *x =
				tlc_zipstream_member(zs, i),
				*y = tlc_zipstream_member(whole, i);

			assert_string_equal(x->name, y->name);
			assert_true(x->offset == y->offset);
			assert_memory_equal(x->sha256, y->sha256, 32);
		}
		tlc_zipstream_free(zs);
	}
	tlc_zipstream_free(whole);
}

static unsigned char *noise(size_t len, uint32_t seed)
{
	unsigned char *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
	return p;
}

static unsigned char *text(size_t len)
{
	static const char words[] = "def follow(zs, data): return zs\n";
	unsigned char *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)words[(i * 7 + i / 97) %
					    (sizeof(words) - 1)];
	return p;
}

/* ---- the tests ---------------------------------------------------------- */

static void test_zipstream__follows_our_writer(void **state)
{
	struct tlc_zip_writer_opts wo = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_writer *w = NULL;
	struct tlc_buf z = TLC_BUF_INIT;
	struct tlc_zipstream *zs;
	struct opened o;
	size_t big = (3u << 20) + 12345;	/* deflated in chunks */
	unsigned char *t = text(big), *r = noise(300000, 1);
	uint64_t size;
	int fd = memfd_create("w", MFD_CLOEXEC);

	(void)state;
	wo.threads = 2;
	assert_int_equal(tlc_zip_writer_new(&w, fd, &wo, &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "pkg/__init__.py", "", 0, 0644,
					  &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "pkg/big.py", t, big, 0644,
					  &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "pkg/lib.so", r, 300000, 0755,
					  &err), 0);
	assert_int_equal(tlc_zip_add_data(w, "pkg-1.0.dist-info/RECORD",
					  "x\n", 2, 0644, &err), 0);
	assert_int_equal(tlc_zip_writer_finish(w, &size, &err), 0);
	tlc_zip_writer_free(w);
	assert_int_equal(tlc_buf_grow(&z, size), 0);
	assert_int_equal(pread(fd, z.ptr, size, 0), (ssize_t)size);
	z.len = size;
	close(fd);

	open_zip(&o, &z);
	zs = follow(z.ptr, z.len, 0, false);
	assert_null(tlc_zipstream_stopped(zs));
	assert_int_equal(tlc_zipstream_count(zs), 4);
	assert_int_equal(vouched(zs, &o), 4);
	{
		const struct tlc_zip_entry *e =
			tlc_zip_reader_find(o.r, "pkg/big.py");
		unsigned char a[32], b[32];

		assert_int_equal(e->method, TLC_ZIP_DEFLATED);
		assert_true(tlc_zipstream_sha256(zs, e, a));
		sha256(t, big, b);
		assert_memory_equal(a, b, 32);
		e = tlc_zip_reader_find(o.r, "pkg/lib.so");
		assert_int_equal(e->method, TLC_ZIP_STORED);
		assert_true(tlc_zipstream_sha256(zs, e, a));
		sha256(r, 300000, b);
		assert_memory_equal(a, b, 32);
	}
	tlc_zipstream_free(zs);
	same_any_slicing(&z);
	close_zip(&o);
	tlc_buf_release(&z);
	free(t);
	free(r);
}

static void test_zipstream__data_descriptors(void **state)
{
	unsigned char *t = text(200000), *r = noise(5000, 2);
	const struct member m[] = {
		{ "a.py", t, 200000, TLC_ZIP_DEFLATED, true, true, false },
		{ "b.py", t, 1000, TLC_ZIP_DEFLATED, true, false, false },
		{ "c.bin", r, 5000, TLC_ZIP_DEFLATED, true, true, true },
		{ "d.bin", r, 5000, TLC_ZIP_STORED, false, false, true },
		{ "e.py", t, 0, TLC_ZIP_DEFLATED, true, false, true },
	};
	struct tlc_buf z = TLC_BUF_INIT;
	struct tlc_zipstream *zs;
	struct opened o;

	(void)state;
	make_zip(&z, m, 5, NULL);
	open_zip(&o, &z);
	zs = follow(z.ptr, z.len, 0, false);
	if (tlc_zipstream_stopped(zs))
		fail_msg("stopped: %s", tlc_zipstream_stopped(zs));
	assert_int_equal(vouched(zs, &o), 5);
	tlc_zipstream_free(zs);
	same_any_slicing(&z);
	close_zip(&o);
	tlc_buf_release(&z);
	free(t);
	free(r);
}

/* A stored member's end cannot be found without its size: stop there. */
static void test_zipstream__stored_with_descriptor_stops(void **state)
{
	const struct member m[] = {
		{ "a.py", "abc", 3, TLC_ZIP_STORED, false, false, false },
		{ "b.py", "PK\x07\x08", 4, TLC_ZIP_STORED, true, true, false },
		{ "c.py", "xyz", 3, TLC_ZIP_STORED, false, false, false },
	};
	struct tlc_buf z = TLC_BUF_INIT;
	struct tlc_zipstream *zs;
	struct opened o;

	(void)state;
	make_zip(&z, m, 3, NULL);
	open_zip(&o, &z);
	zs = follow(z.ptr, z.len, 0, false);
	assert_non_null(strstr(tlc_zipstream_stopped(zs),
			       "stored member with a data descriptor"));
	assert_int_equal(vouched(zs, &o), 1);
	assert_true(tlc_zipstream_sha256(zs, tlc_zip_reader_find(o.r, "a.py"),
					 (unsigned char[32]){ 0 }));
	tlc_zipstream_free(zs);
	same_any_slicing(&z);
	close_zip(&o);
	tlc_buf_release(&z);
}

/* Expect the follower to stop on @z with @why, vouching for @n. */
static void expect_stop(const struct tlc_buf *z, const char *why, size_t n)
{
	struct tlc_zipstream *zs = follow(z->ptr, z->len, 0, false);
	struct tlc_error err = TLC_ERROR_INIT;
	struct opened o = { -1, NULL };

	if (!tlc_zipstream_stopped(zs))
		fail_msg("did not stop, expected '%s'", why);
	if (!strstr(tlc_zipstream_stopped(zs), why))
		fail_msg("stopped with '%s', expected '%s'",
			 tlc_zipstream_stopped(zs), why);
	assert_int_equal(tlc_zipstream_count(zs), n);
	o.fd = memfd_create("t", MFD_CLOEXEC);
	assert_int_equal(write(o.fd, z->ptr, z->len), (ssize_t)z->len);
	if (tlc_zip_reader_open(&o.r, o.fd, "t.whl", &err) == 0)
		assert_true(vouched(zs, &o) <= n);
	close_zip(&o);
	tlc_zipstream_free(zs);
	same_any_slicing(z);
}

static void test_zipstream__hostile_shapes(void **state)
{
	unsigned char *t = text(100000);
	const struct member m[] = {
		{ "ok.py", "ok", 2, TLC_ZIP_STORED, false, false, false },
		{ "big.py", t, 100000, TLC_ZIP_DEFLATED, false, false, false },
	};
	struct tlc_buf z = TLC_BUF_INIT, y = TLC_BUF_INIT;
	uint64_t off[2];
	size_t lh;		/* the second local header */

	(void)state;
	make_zip(&z, m, 2, off);
	lh = (size_t)off[1];

	/* a byte before the first local header (prepended data) */
	assert_int_equal(tlc_buf_put(&y, "X", 1), 0);
	assert_int_equal(tlc_buf_put(&y, z.ptr, z.len), 0);
	expect_stop(&y, "no local header at offset 0", 0);

#define EDIT(at, byte) do { \
		tlc_buf_reset(&y); \
		assert_int_equal(tlc_buf_put(&y, z.ptr, z.len), 0); \
		y.ptr[at] = (char)(byte); \
	} while (0)
	/* encrypted (4.4.4 bit 0) */
	EDIT(lh + 6, 1);
	expect_stop(&y, "encrypted member at offset", 1);
	/* another method */
	EDIT(lh + 8, 12);
	expect_stop(&y, "compression method 12", 1);
	/* a name that holds a NUL */
	EDIT(lh + 31, 0);
	expect_stop(&y, "holds a NUL", 1);
	/* a name of 0 bytes */
	EDIT(lh + 26, 0);
	y.ptr[lh + 27] = 0;
	expect_stop(&y, "member name of 0 bytes", 1);
	/* the declared size under what it inflates to: a bomb */
	EDIT(lh + 23, 0);		/* 100000 -> 100000 & 0xff */
	y.ptr[lh + 24] = 0;
	expect_stop(&y, "inflates to more than it may", 1);
	/* a size over what it inflates to */
	EDIT(lh + 24, 0x7f);
	expect_stop(&y, "not what its header says", 1);
	/* another CRC-32 */
	EDIT(lh + 14, z.ptr[lh + 14] ^ 1);
	expect_stop(&y, "not what its header says", 1);
	/* a damaged byte in the stored data: its CRC-32 fails */
	EDIT(30 + 5, 'x');
	expect_stop(&y, "not what its header says", 0);
	/* a compressed size shorter than the deflate stream */
	EDIT(lh + 18, z.ptr[lh + 18] - 1);
	expect_stop(&y, "does not end within its compressed size", 1);
	/* the 4th byte of the second signature damaged */
	EDIT(lh + 3, 0);
	expect_stop(&y, "no local header at offset", 1);
	/* a zip64 marker without the extra field (4.5.3) */
	EDIT(lh + 18, 0xff);
	y.ptr[lh + 19] = y.ptr[lh + 20] = y.ptr[lh + 21] = (char)0xff;
	expect_stop(&y, "no zip64 extra field", 1);
	/* an extra field whose length runs past its end (4.5.1) */
	EDIT(lh + 28, 3);
	expect_stop(&y, "malformed extra field", 1);
#undef EDIT

	/* the input ends inside the second member */
	tlc_buf_reset(&y);
	assert_int_equal(tlc_buf_put(&y, z.ptr, lh + 40), 0);
	expect_stop(&y, "the input ends inside the member at offset", 1);

	/* a compressed size longer than the deflate stream (bytes hidden
	 * after it): the stream ends before it */
	{
		const struct member m2[] = {
			{ "a.py", t, 1000, TLC_ZIP_DEFLATED, true, true,
			  false },
		};
		struct tlc_zipstream *zs;

		make_zip(&y, m2, 1, NULL);
		/* a descriptor that lies about the compressed size */
		zs = follow(y.ptr, y.len, 0, false);
		assert_null(tlc_zipstream_stopped(zs));
		tlc_zipstream_free(zs);
		for (size_t i = y.len; i-- > 4;)
			if (!memcmp(y.ptr + i, "PK\x07\x08", 4)) {
				y.ptr[i + 8]++;
				break;
			}
		expect_stop(&y, "not what its header says", 0);
	}
	tlc_buf_release(&z);
	tlc_buf_release(&y);
	free(t);
}

/* The central directory is the truth: an entry that differs from what
 * streamed at its offset in any field is not vouched for. */
static void test_zipstream__central_entry_must_match(void **state)
{
	const struct member m[] = {
		{ "a.py", "print(1)\n", 9, TLC_ZIP_STORED, false, false,
		  false },
		{ "b.py", "print(2)\n", 9, TLC_ZIP_DEFLATED, false, false,
		  false },
	};
	struct tlc_buf z = TLC_BUF_INIT;
	struct tlc_zipstream *zs;
	struct tlc_zip_entry e;
	unsigned char sha[32];
	struct opened o;

	(void)state;
	make_zip(&z, m, 2, NULL);
	open_zip(&o, &z);
	zs = follow(z.ptr, z.len, 0, false);
	assert_int_equal(vouched(zs, &o), 2);

	e = *tlc_zip_reader_find(o.r, "b.py");
	assert_true(tlc_zipstream_sha256(zs, &e, sha));
	e.offset++;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.name = "a.py";
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.size++;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.csize--;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.crc32 ^= 1;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.method = TLC_ZIP_STORED;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	e = *tlc_zip_reader_find(o.r, "b.py");
	e.offset = 1u << 30;
	assert_false(tlc_zipstream_sha256(zs, &e, sha));
	tlc_zipstream_free(zs);

	/* followed only half-way: the rest is not vouched for */
	zs = follow(z.ptr, 50, 0, false);	/* the first is 43 */
	assert_int_equal(vouched(zs, &o), 1);
	tlc_zipstream_free(zs);
	close_zip(&o);
	tlc_buf_release(&z);
}

/* Past TLC_ZIPSTREAM_MAX_MEMBERS it stops, and says so. */
static void test_zipstream__member_limit(void **state)
{
	struct tlc_buf z = TLC_BUF_INIT;
	struct tlc_zipstream *zs;
	struct tlc_error err = TLC_ERROR_INIT;
	char name[16];

	(void)state;
	assert_int_equal(tlc_zipstream_new(&zs, &err), 0);
	for (unsigned i = 0; i <= TLC_ZIPSTREAM_MAX_MEMBERS; i++) {
		tlc_buf_reset(&z);
		snprintf(name, sizeof(name), "f%u", i);
		put32(&z, 0x04034b50);
		put16(&z, 20);
		put16(&z, 0);
		put16(&z, 0);
		put32(&z, 0);
		put32(&z, 0);		/* the CRC-32 of nothing */
		put32(&z, 0);
		put32(&z, 0);
		put16(&z, (unsigned)strlen(name));
		put16(&z, 0);
		assert_int_equal(tlc_buf_puts(&z, name), 0);
		tlc_zipstream_feed(zs, z.ptr, z.len);
	}
	assert_int_equal(tlc_zipstream_count(zs), TLC_ZIPSTREAM_MAX_MEMBERS);
	assert_non_null(strstr(tlc_zipstream_stopped(zs), "more members"));
	tlc_zipstream_free(zs);
	tlc_buf_release(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zipstream__follows_our_writer),
		cmocka_unit_test(test_zipstream__data_descriptors),
		cmocka_unit_test(test_zipstream__stored_with_descriptor_stops),
		cmocka_unit_test(test_zipstream__hostile_shapes),
		cmocka_unit_test(test_zipstream__central_entry_must_match),
		cmocka_unit_test(test_zipstream__member_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
