/*
 * Following a zip archive as its bytes arrive, front to back, as a server
 * receives an upload: each member is found by its local header (APPNOTE
 * 4.3.7), inflated (methods 0 and 8) and SHA-256'd while it streams by, so
 * that the validation after the upload need not read the archive again.
 *
 * The follower never decides anything about the archive.  It only vouches
 * for a member that it streamed whole and that came out consistent: the
 * data ended exactly where its compressed size says (a deflate stream
 * that ends early or late is not vouched for), inflated to exactly the
 * size given and to bytes of the CRC-32 given, in the local header or,
 * with bit 3, in a data descriptor that agrees with what was streamed
 * (4.3.9; zip64 sizes through the local header's extra field, 4.5.3).
 * tlc_zipstream_sha256() then answers for a central directory entry only
 * when a member streamed at its offset has its name, method, sizes and
 * CRC-32: the very bytes tlc_zip_stream_read() would read for it,
 * with the checks it would make already made.  Anything else (a member
 * it stopped at, a stored member with a data descriptor, whose end cannot
 * be found without its size, an encrypted one, a method other than 0 or
 * 8, a name over TLC_ZIP_NAME_MAX, prepended data, a member past the
 * limits below) makes it stop following, and the caller verifies those
 * members as if there were no follower.  So a follower can make checking
 * faster, never weaker.
 *
 * Memory is bounded: one local header (at most 30 + 65,535 + 65,535
 * bytes), a 32 KiB window, a 64 KiB buffer and a record of at most
 * TLC_ZIPSTREAM_MAX_MEMBERS members with TLC_ZIPSTREAM_NAME_BYTES bytes
 * of names in all.  Inflating is bounded too: a member never inflates
 * past its declared size by more than one buffer, and one with a data
 * descriptor no further than deflate's densest ratio (1032:1) allows, as
 * the zip reader.  Only the caller's thread is used; the result does not
 * depend on how the input is sliced.
 */
#ifndef TLC_ZIPSTREAM_H
#define TLC_ZIPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "zip.h"	/* struct tlc_zip_entry */

#define TLC_ZIPSTREAM_MAX_MEMBERS 65536
#define TLC_ZIPSTREAM_NAME_BYTES ((size_t)8 << 20)

struct tlc_zipstream;

/* One member streamed whole and consistent. */
struct tlc_zipstream_member {
	const char *name;	/* the follower's */
	uint64_t offset;	/* of its local header */
	uint64_t size;		/* uncompressed bytes */
	uint64_t csize;		/* compressed bytes */
	uint32_t crc32;
	unsigned method;	/* TLC_ZIP_STORED or TLC_ZIP_DEFLATED */
	unsigned flags;		/* the local header's general flags */
	unsigned char sha256[32];	/* of the uncompressed bytes */
};

/**
 * Start following an archive from its first byte.
 *
 * @param[out] out  free with tlc_zipstream_free()
 * @return 0 or TLC_ENOMEM
 */
int tlc_zipstream_new(struct tlc_zipstream **out, struct tlc_error *err);

/**
 * Feed the next @len bytes of the archive.  Never fails: on anything it
 * cannot follow, it stops (tlc_zipstream_stopped()) and ignores the rest.
 */
void tlc_zipstream_feed(struct tlc_zipstream *zs, const void *buf,
			size_t len);

/** The input is over: a member still streaming is not vouched for. */
void tlc_zipstream_finish(struct tlc_zipstream *zs);

/**
 * Why the follower stopped before the central directory (one line), or
 * NULL when it is still following, or reached the central directory
 * (or the end of the input, after tlc_zipstream_finish()) at a member
 * boundary.
 */
const char *tlc_zipstream_stopped(const struct tlc_zipstream *zs);

/** The members vouched for so far, in archive order. */
size_t tlc_zipstream_count(const struct tlc_zipstream *zs);

/** The @i-th of them; borrowed, valid until the next feed or free. */
const struct tlc_zipstream_member *tlc_zipstream_member(
	const struct tlc_zipstream *zs, size_t i);

/**
 * The SHA-256 of member @e (from a tlc_zip_reader of the very bytes fed,
 * from offset 0) into @sha256, when a member was streamed at e->offset
 * with e's name, method, sizes and CRC-32, consistently (see above).
 *
 * @return true when @sha256 is set; false: verify @e by reading it
 */
bool tlc_zipstream_sha256(const struct tlc_zipstream *zs,
			  const struct tlc_zip_entry *e,
			  unsigned char sha256[32]);

/** Free @zs; NULL is a no-op. */
void tlc_zipstream_free(struct tlc_zipstream *zs);

#endif
