/*
 * Raw deflate (RFC 1951) for the zip writer, on every core (internal).
 *
 * A member is compressed whole, or, when it is bigger than
 * TLC__DEFLATE_CHUNK, cut into chunks of exactly that size that are
 * compressed independently and concatenated, as pigz does.  Each non-final
 * chunk ends byte-aligned with an empty stored block (what zlib's
 * Z_SYNC_FLUSH writes), so the concatenation is one valid deflate stream,
 * and the CRC-32s of the chunks combine into the member's.  The cut points
 * depend on the member's size alone, so the output never depends on the
 * number of threads.  A piece that a quick probe finds incompressible is
 * written as stored blocks instead, without deflating it (levels 1-8; see
 * deflate.c for the probe and its measurements).  deflate.c says why
 * libdeflate compresses the chunks.
 */
#ifndef TLC_DEFLATE_H
#define TLC_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlcpack/error.h"

/* Bytes per chunk of a big member; a member of at most this many bytes is
 * compressed in one piece. */
#define TLC__DEFLATE_CHUNK ((size_t)1 << 20)

/* One compressor, used by one thread at a time. */
struct tlc__deflater;

/**
 * Allocate a compressor for @level (1-9).
 *
 * @param[out] out  free with tlc__deflater_free()
 * @return 0 or TLC_ENOMEM
 */
int tlc__deflater_new(struct tlc__deflater **out, int level,
		      struct tlc_error *err);

/** Free @d; NULL is a no-op. */
void tlc__deflater_free(struct tlc__deflater *d);

/** The most bytes tlc__deflate_piece() writes for @len bytes of input. */
size_t tlc__deflate_bound(size_t len);

/**
 * Compress @len bytes at @in into @out.  With @final the stream ends there
 * (the last block is marked final); without it the output ends on a byte
 * boundary, ready to be followed by the next piece of the same stream:
 * after an empty stored block (as zlib's Z_SYNC_FLUSH ends) when it was
 * deflated, or after its last stored block.  Below level 9, a piece of at
 * least 128 KiB whose samples do not compress at level 1 is written as
 * stored blocks (RFC 1951 3.2.4), then bigger than @len by 5 bytes per
 * 65535; whether it is depends on its bytes and the level alone.
 *
 * @param cap       bytes at @out, at least tlc__deflate_bound(@len)
 * @param[out] out_len  bytes written
 * @return 0, or TLC_ERROR if the compressor's output cannot be followed
 *         (an internal error, never expected)
 */
int tlc__deflate_piece(struct tlc__deflater *d, const void *in, size_t len,
		       bool final, void *out, size_t cap, size_t *out_len,
		       struct tlc_error *err);

/** Update the CRC-32 (ISO 3309, as zip uses) @crc with @len bytes. */
uint32_t tlc__crc32(uint32_t crc, const void *p, size_t len);

/** The CRC-32 of A followed by B, from crc(A), crc(B) and B's length. */
uint32_t tlc__crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

/*
 * A pool of worker threads, each with its own compressor.  Tasks run in
 * the order they are submitted, concurrently; the caller waits for each
 * one it needs.  With one thread the pool starts no thread and runs each
 * task inside tlc__deflate_pool_submit().
 */
struct tlc__deflate_pool;

/* A unit of work.  Embed it as the first member of the caller's task. */
struct tlc__deflate_task {
	void (*run)(struct tlc__deflate_task *t, struct tlc__deflater *d);
	struct tlc__deflate_task *next;	/* the pool's */
	bool done;			/* the pool's; read it with _wait() */
};

/**
 * Start @threads workers (1 or more) with compressors for @level (0-9; 0
 * makes no compressor, for tasks that only store).
 *
 * @param[out] out  free with tlc__deflate_pool_free()
 * @return 0, TLC_ENOMEM, TLC_EIO (a thread could not be started)
 */
int tlc__deflate_pool_new(struct tlc__deflate_pool **out, unsigned threads,
			  int level, struct tlc_error *err);

/** Queue @t, whose run must be set; @t must stay alive until waited for. */
void tlc__deflate_pool_submit(struct tlc__deflate_pool *p,
			      struct tlc__deflate_task *t);

/** Block until @t has run. */
void tlc__deflate_pool_wait(struct tlc__deflate_pool *p,
			    struct tlc__deflate_task *t);

/** Run what is queued, stop the workers and free @p; NULL is a no-op. */
void tlc__deflate_pool_free(struct tlc__deflate_pool *p);

#endif
