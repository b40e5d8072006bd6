/*
 * Following a zip archive front to back (zipstream.h).
 *
 * Spec: PKWARE APPNOTE.TXT 6.3.x: the local file header (4.3.7), the
 * data descriptor (4.3.9: an optional signature, then the CRC-32 and the
 * sizes, 8 bytes each when the local header has a zip64 extra field,
 * 4.3.9.2), the general purpose flags (4.4.4: bit 0 encryption, bit 3 a
 * data descriptor), the extra field (4.5.1) and its zip64 record (4.5.3:
 * in a local header it holds both sizes, the uncompressed first).
 *
 * Each step of the state machine takes what it can of the bytes given and
 * says how many it took, so that slices of any size give the same result.
 * Whatever the follower cannot follow makes it stop, never fail: the
 * caller then checks those members itself (see verify_members() in
 * repo.c).  What is vouched for must be exactly what tlc_zip_stream_read()
 * accepts for the same entry (zip.c: stream_stored(), stream_inflate(),
 * stream_end()), so the checks below mirror those.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"	/* tlc__crc32 */
#include "sha256.h"
#include "tlcpack/zipstream.h"

#include "banned.h"

#define LOCAL_LEN 30		/* the fixed part of a local header */
#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_DESC 0x08074b50u
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u
#define MAX32 0xffffffffu
#define HDR_MAX (LOCAL_LEN + 65535 + 65535)
#define OUT_SIZE ((size_t)64 << 10)

enum state {
	S_HEADER,	/* a local header, or the central directory */
	S_NAME,		/* its name and extra field */
	S_DATA,		/* the member's data */
	S_DESC,		/* its data descriptor */
	S_END,		/* the central directory: nothing to follow */
	S_STOPPED,
};

struct tlc_zipstream {
	enum state st;
	uint64_t pos;		/* bytes fed so far */
	char why[160];		/* why it stopped */

	unsigned char *hdr;	/* HDR_MAX: a local header, name, extra */
	size_t hlen, hneed;

	/* the member streaming */
	struct tlc_zipstream_member cur;
	bool desc;		/* bit 3: sizes in a data descriptor */
	bool z64;		/* the local header has a zip64 extra field */
	uint64_t in, out;	/* bytes consumed, bytes produced */
	uint32_t crc;
	struct tlc__sha256 sha;
	bool hashing;		/* sha is started */
	z_stream z;
	bool z_ready;
	unsigned char *obuf;	/* OUT_SIZE */
	unsigned char dbuf[24];	/* a data descriptor */
	size_t dlen, dneed;

	struct tlc_zipstream_member *m;
	size_t n, alloc;
	size_t name_bytes;
};

static uint32_t rd16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void stop(struct tlc_zipstream *zs, const char *fmt, ...)
	TLC_PRINTF(2, 3);

static void stop(struct tlc_zipstream *zs, const char *fmt, ...)
{
	va_list ap;

	zs->st = S_STOPPED;
	va_start(ap, fmt);
	vsnprintf(zs->why, sizeof(zs->why), fmt, ap);
	va_end(ap);
}

int tlc_zipstream_new(struct tlc_zipstream **out, struct tlc_error *err)
{
	struct tlc_zipstream *zs = calloc(1, sizeof(*zs));

	*out = NULL;
	if (!zs || !(zs->hdr = malloc(HDR_MAX)) ||
	    !(zs->obuf = malloc(OUT_SIZE))) {
		tlc_zipstream_free(zs);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	zs->st = S_HEADER;
	*out = zs;
	return 0;
}

void tlc_zipstream_free(struct tlc_zipstream *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->n; i++)
		free((char *)zs->m[i].name);
	free(zs->m);
	if (zs->z_ready)
		inflateEnd(&zs->z);
	if (zs->hashing)
		tlc__sha256_final(&zs->sha, zs->cur.sha256);
	free(zs->obuf);
	free(zs->hdr);
	free(zs);
}

/* The member streamed whole: keep it, when it is what it said. */
static void end_member(struct tlc_zipstream *zs)
{
	struct tlc_zipstream_member *m;
	char *name;

	if (zs->in != zs->cur.csize || zs->out != zs->cur.size ||
	    zs->crc != zs->cur.crc32) {
		stop(zs, "member at offset %llu is not what its header says "
		     "(sizes or CRC-32)", (unsigned long long)zs->cur.offset);
		return;
	}
	if (zs->n == zs->alloc) {
		size_t a = zs->alloc ? zs->alloc * 2 : 64;

		if (!(m = realloc(zs->m, a * sizeof(*m)))) {
			stop(zs, "out of memory");
			return;
		}
		zs->m = m;
		zs->alloc = a;
	}
	tlc__sha256_final(&zs->sha, zs->cur.sha256);
	zs->hashing = false;
	if (!(name = malloc(zs->hneed - LOCAL_LEN + 1))) {
		stop(zs, "out of memory");
		return;
	}
	memcpy(name, zs->hdr + LOCAL_LEN, rd16(zs->hdr + 26));
	name[rd16(zs->hdr + 26)] = '\0';
	zs->cur.name = name;
	zs->m[zs->n++] = zs->cur;
	zs->st = S_HEADER;
	zs->hlen = 0;
}

/*
 * The zip64 record of the extra field (4.5.1: id, length, data; the
 * first one counts, as in zip.c's local_zip64()), into *@z64 (NULL when
 * none).  @return false when the field is malformed.
 */
static bool extra_zip64(const unsigned char *x, const unsigned char *end,
			const unsigned char **z64)
{
	*z64 = NULL;
	while (end - x >= 4) {
		size_t id = rd16(x), len = rd16(x + 2);

		if (len > (size_t)(end - x - 4))
			break;
		if (id == 0x0001 && !*z64) {
			if (len < 16)
				return false;	/* 4.5.3: both sizes */
			*z64 = x + 4;
		}
		x += 4 + len;
	}
	return x == end;
}

/* The local header is in (4.3.7), name and extra field too. */
static void begin_member(struct tlc_zipstream *zs)
{
	const unsigned char *h = zs->hdr, *z64;
	size_t nlen = rd16(h + 26);
	unsigned long long off = zs->cur.offset;

	if (memchr(h + LOCAL_LEN, '\0', nlen)) {
		stop(zs, "member name at offset %llu holds a NUL", off);
		return;
	}
	if (!extra_zip64(h + LOCAL_LEN + nlen, h + zs->hneed, &z64)) {
		stop(zs, "malformed extra field at offset %llu", off);
		return;
	}
	zs->z64 = z64 != NULL;
	if (!zs->desc && (zs->cur.size == MAX32 || zs->cur.csize == MAX32)) {
		if (!z64) {
			stop(zs, "no zip64 extra field for the sizes at "
			     "offset %llu", off);
			return;
		}
		if (zs->cur.size == MAX32)
			zs->cur.size = rd64(z64);
		if (zs->cur.csize == MAX32)
			zs->cur.csize = rd64(z64 + 8);
	}
	if (zs->cur.method == TLC_ZIP_DEFLATED && !zs->z_ready &&
	    inflateInit2(&zs->z, -15) == Z_OK) {
		zs->z_ready = true;
	} else if (zs->cur.method == TLC_ZIP_DEFLATED &&
		   (!zs->z_ready || inflateReset(&zs->z) != Z_OK)) {
		stop(zs, "cannot start inflating");
		return;
	}
	if (!tlc__sha256_init(&zs->sha)) {
		stop(zs, "out of memory");
		return;
	}
	zs->hashing = true;
	zs->in = zs->out = 0;
	zs->crc = 0;
	zs->st = S_DATA;
	if (zs->cur.method == TLC_ZIP_STORED && !zs->cur.csize)
		end_member(zs);		/* no data to wait for */
}

/* Collect @need bytes of header into zs->hdr. */
static size_t collect(struct tlc_zipstream *zs, const unsigned char *p,
		      size_t len, size_t need)
{
	size_t n = need - zs->hlen < len ? need - zs->hlen : len;

	memcpy(zs->hdr + zs->hlen, p, n);
	zs->hlen += n;
	return n;
}

static size_t take_header(struct tlc_zipstream *zs, const unsigned char *p,
			  size_t len)
{
	const unsigned char *h = zs->hdr;
	size_t used, nlen;
	uint32_t sig;

	if (!zs->hlen)
		zs->cur.offset = zs->pos;
	used = collect(zs, p, len, zs->hlen < 4 ? 4 : LOCAL_LEN);
	if (zs->hlen < 4)
		return used;
	sig = rd32(h);
	if (sig == SIG_CENTRAL || sig == SIG_END || sig == SIG_END64) {
		zs->st = S_END;		/* the members are over */
		return used;
	}
	if (sig != SIG_LOCAL) {
		stop(zs, "no local header at offset %llu (4.3.7)",
		     (unsigned long long)zs->cur.offset);
		return used;
	}
	if (zs->hlen < LOCAL_LEN)
		return used;
	zs->cur.flags = rd16(h + 6);
	zs->cur.method = rd16(h + 8);
	zs->cur.crc32 = rd32(h + 14);
	zs->cur.csize = rd32(h + 18);
	zs->cur.size = rd32(h + 22);
	zs->desc = zs->cur.flags & FLAG_DESCRIPTOR;
	nlen = rd16(h + 26);
	if (zs->cur.flags & FLAG_ENCRYPTED)
		stop(zs, "encrypted member at offset %llu",
		     (unsigned long long)zs->cur.offset);
	else if (zs->cur.method != TLC_ZIP_STORED &&
		 zs->cur.method != TLC_ZIP_DEFLATED)
		stop(zs, "compression method %u at offset %llu",
		     zs->cur.method, (unsigned long long)zs->cur.offset);
	else if (zs->desc && zs->cur.method == TLC_ZIP_STORED)
		/* its end can only be guessed (4.4.4 bit 3) */
		stop(zs, "stored member with a data descriptor at offset %llu",
		     (unsigned long long)zs->cur.offset);
	else if (!nlen || nlen > TLC_ZIP_NAME_MAX)
		stop(zs, "member name of %zu bytes at offset %llu", nlen,
		     (unsigned long long)zs->cur.offset);
	else if (zs->n >= TLC_ZIPSTREAM_MAX_MEMBERS ||
		 zs->name_bytes + nlen + 1 > TLC_ZIPSTREAM_NAME_BYTES)
		stop(zs, "more members than followed (%d, %zu bytes of "
		     "names)", TLC_ZIPSTREAM_MAX_MEMBERS,
		     TLC_ZIPSTREAM_NAME_BYTES);
	if (zs->st == S_STOPPED)
		return used;
	zs->name_bytes += nlen + 1;
	zs->hneed = LOCAL_LEN + nlen + rd16(h + 28);
	zs->st = S_NAME;
	if (zs->hlen == zs->hneed)
		begin_member(zs);
	return used;
}

static size_t take_name(struct tlc_zipstream *zs, const unsigned char *p,
			size_t len)
{
	size_t used = collect(zs, p, len, zs->hneed);

	if (zs->hlen == zs->hneed)
		begin_member(zs);
	return used;
}

static void produce(struct tlc_zipstream *zs, const void *p, size_t n)
{
	zs->crc = tlc__crc32(zs->crc, p, n);
	tlc__sha256_update(&zs->sha, p, n);
	zs->out += n;
}

static size_t take_stored(struct tlc_zipstream *zs, const unsigned char *p,
			  size_t len)
{
	size_t n = zs->cur.csize - zs->in < len ?
		   (size_t)(zs->cur.csize - zs->in) : len;

	produce(zs, p, n);
	zs->in += n;
	if (zs->in == zs->cur.csize)
		end_member(zs);
	return n;
}

static size_t take_deflated(struct tlc_zipstream *zs, const unsigned char *p,
			    size_t len)
{
	size_t avail = len, used;
	int zr;

	/* without a descriptor, exactly csize bytes are the member's */
	if (!zs->desc && zs->cur.csize - zs->in < avail)
		avail = (size_t)(zs->cur.csize - zs->in);
	if (avail > UINT32_MAX)
		avail = UINT32_MAX;
	zs->z.next_in = (unsigned char *)p;
	zs->z.avail_in = (uInt)avail;
	for (;;) {
		size_t made;

		zs->z.next_out = zs->obuf;
		zs->z.avail_out = (uInt)OUT_SIZE;
		zr = inflate(&zs->z, Z_NO_FLUSH);
		made = OUT_SIZE - zs->z.avail_out;
		produce(zs, zs->obuf, made);
		/* with a descriptor, deflate's own ratio bounds it */
		if (!zs->desc && zs->out > zs->cur.size) {
			stop(zs, "member at offset %llu inflates to more than "
			     "it may", (unsigned long long)zs->cur.offset);
			return avail - zs->z.avail_in;
		}
		if (zr == Z_STREAM_END || zr == Z_BUF_ERROR)
			break;
		if (zr != Z_OK) {
			stop(zs, "bad deflate data at offset %llu",
			     (unsigned long long)zs->cur.offset);
			return avail - zs->z.avail_in;
		}
		if (zs->z.avail_out)
			break;	/* the input is used up */
	}
	used = avail - zs->z.avail_in;
	zs->in += used;
	if (zr == Z_STREAM_END) {
		if (zs->desc) {
			zs->st = S_DESC;
			zs->dlen = 0;
			zs->dneed = 4;
		} else if (zs->in != zs->cur.csize) {
			stop(zs, "deflate data at offset %llu ends before its "
			     "compressed size", (unsigned long long)
			     zs->cur.offset);
		} else {
			end_member(zs);
		}
	} else if (!zs->desc && zs->in == zs->cur.csize) {
		stop(zs, "deflate data at offset %llu does not end within its "
		     "compressed size", (unsigned long long)zs->cur.offset);
	}
	return used;
}

/* 4.3.9: [signature] crc-32, compressed size, uncompressed size. */
static size_t take_desc(struct tlc_zipstream *zs, const unsigned char *p,
			size_t len)
{
	size_t n = zs->dneed - zs->dlen < len ? zs->dneed - zs->dlen : len;
	size_t sizes = zs->z64 ? 16 : 8;
	const unsigned char *d;

	memcpy(zs->dbuf + zs->dlen, p, n);
	zs->dlen += n;
	if (zs->dlen < zs->dneed)
		return n;
	if (zs->dneed == 4) {
		uint32_t v = rd32(zs->dbuf);

		/* the signature is optional (4.3.9.3): a CRC-32 that
		 * equals it leaves the layout ambiguous */
		if (v == SIG_DESC && zs->crc != SIG_DESC)
			zs->dneed = 8 + sizes;
		else if (v == zs->crc && v != SIG_DESC)
			zs->dneed = 4 + sizes;
		else
			stop(zs, "no data descriptor for the member at "
			     "offset %llu", (unsigned long long)
			     zs->cur.offset);
		return n;
	}
	d = zs->dbuf + zs->dneed - sizes - 4;
	zs->cur.crc32 = rd32(d);
	zs->cur.csize = zs->z64 ? rd64(d + 4) : rd32(d + 4);
	zs->cur.size = zs->z64 ? rd64(d + 12) : rd32(d + 8);
	end_member(zs);
	return n;
}

void tlc_zipstream_feed(struct tlc_zipstream *zs, const void *buf,
			size_t len)
{
	const unsigned char *p = buf;

	while (len && zs->st != S_STOPPED && zs->st != S_END) {
		enum state st = zs->st;
		size_t used = 0;

		switch (st) {
		case S_HEADER:
			used = take_header(zs, p, len);
			break;
		case S_NAME:
			used = take_name(zs, p, len);
			break;
		case S_DATA:
			used = zs->cur.method == TLC_ZIP_STORED ?
			       take_stored(zs, p, len) :
			       take_deflated(zs, p, len);
			break;
		case S_DESC:
			used = take_desc(zs, p, len);
			break;
		default:
			break;
		}
		if (!used && zs->st == st)
			stop(zs, "no progress at offset %llu (internal)",
			     (unsigned long long)zs->pos);
		p += used;
		len -= used;
		zs->pos += used;
	}
}

void tlc_zipstream_finish(struct tlc_zipstream *zs)
{
	if (zs->st == S_HEADER && !zs->hlen)
		zs->st = S_END;
	else if (zs->st != S_END && zs->st != S_STOPPED)
		stop(zs, "the input ends inside the member at offset %llu",
		     (unsigned long long)zs->cur.offset);
}

const char *tlc_zipstream_stopped(const struct tlc_zipstream *zs)
{
	return zs->st == S_STOPPED ? zs->why : NULL;
}

size_t tlc_zipstream_count(const struct tlc_zipstream *zs)
{
	return zs->n;
}

const struct tlc_zipstream_member *tlc_zipstream_member(
	const struct tlc_zipstream *zs, size_t i)
{
	return i < zs->n ? &zs->m[i] : NULL;
}

bool tlc_zipstream_sha256(const struct tlc_zipstream *zs,
			  const struct tlc_zip_entry *e,
			  unsigned char sha256[32])
{
	const struct tlc_zipstream_member *m;
	size_t lo = 0, hi = zs->n;

	/* members are kept in the order of their offsets */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (zs->m[mid].offset < e->offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == zs->n)
		return false;
	m = &zs->m[lo];
	if (m->offset != e->offset || strcmp(m->name, e->name) ||
	    m->method != e->method || m->size != e->size ||
	    m->csize != e->csize || m->crc32 != e->crc32)
		return false;
	memcpy(sha256, m->sha256, 32);
	return true;
}
