/*
 * Parallel raw deflate: libdeflate compresses, a pool of threads runs it.
 *
 * WHY LIBDEFLATE (measurements in bench/pack/README.md).  On 1.09 GB of
 * CUDA libraries at level 6, one core: zlib makes 38 MB/s (ratio 0.7235)
 * whether it compresses one stream, as Python's zipfile does, or pigz's
 * way, 1 MiB chunks primed with the previous 32 KiB and ended with
 * Z_SYNC_FLUSH (38 MB/s, 0.7235); libdeflate makes 87 MB/s (0.7218) in
 * one call per member and 77 MB/s (0.7222) in 1 MiB chunks, the walk
 * below included.  With zlib two cores could never pack more than twice
 * as fast as Python; with libdeflate they pack 4.2 times as fast.  So
 * libdeflate compresses everything, members up to TLC__DEFLATE_CHUNK in
 * one call and bigger ones in chunks; zlib only combines CRCs.  Chunks
 * lose a little ratio (no dictionary: libdeflate 1.14 takes none), less
 * at 1 MiB than at 256 KiB (0.7231), and 4 MiB chunks gain nothing more.
 *
 * HOW A CHUNK IS MADE CONCATENABLE.  libdeflate only writes complete
 * streams: its last block has BFINAL set and the stream ends at an
 * arbitrary bit.  find_final() walks the blocks of the chunk's stream
 * (decoding the Huffman codes, writing nothing) to find the bit where the
 * final block's header starts and the bit where the stream ends.  Clearing
 * that BFINAL bit and appending an empty stored block (3 header bits, zero
 * padding to the byte, LEN 0000 and NLEN ffff: RFC 1951 3.2.4) gives
 * exactly the bytes a zlib Z_SYNC_FLUSH would end with, so the next
 * chunk's stream follows on.  The walk also checks that the stream ends
 * where libdeflate says it does.
 *
 * INCOMPRESSIBLE PIECES ARE STORED WITHOUT DEFLATING THEM.  57% of the
 * bytes of the CUDA 13 tree of bench/pack are in 1 MiB chunks that barely
 * compress (the libraries carry compressed fatbins), and libdeflate's
 * match finder spends as long on them as on code.  So before deflating a
 * piece of at least PROBE_MIN bytes, probe() compresses PROBE_SAMPLES
 * samples of PROBE_SAMPLE bytes spread evenly over it at level 1; when
 * they come to more than PROBE_RATIO of their size, the piece is written
 * as stored blocks (RFC 1951 3.2.4) by put_stored(), with neither
 * libdeflate nor the walk.  Measured on that tree (1,043 chunks of 1 MiB,
 * libdeflate 1.14, level 6 as the reference): the probe costs 2.5% of
 * deflating everything and flags 56.4% of the bytes, whose storing makes
 * the compressed total 0.36% bigger; 4 samples of 16 KiB flag as much but
 * cost 0.46% (they miss compressible stretches more often), and 16 of
 * 4 KiB 0.43%; a byte-entropy estimate (order 0) is ten times cheaper
 * than the level-1 probe but blind to repeats, and at any threshold that
 * flags as much it costs 0.9% or more.  A threshold of 0.97-0.99 flags
 * nearly the same chunks; 0.98 it is.  The decision depends on the
 * piece's bytes and the level only, never on the thread running it.
 * Level 9 asks for the smallest output, so it never probes: it deflates
 * everything as before.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>	/* crc32_combine */

#include "deflate.h"

#include "banned.h"

/* The probe: see INCOMPRESSIBLE PIECES above. */
#define PROBE_SAMPLES 8
#define PROBE_SAMPLE ((size_t)8 << 10)
#define PROBE_MIN (2 * PROBE_SAMPLES * PROBE_SAMPLE)
#define PROBE_RATIO_NUM 49	/* stored when samples > 49/50 (0.98) */
#define PROBE_RATIO_DEN 50

/* RFC 1951 3.2.4: a stored block holds at most 65535 bytes */
#define STORED_MAX 65535u

struct tlc__deflater {
	struct libdeflate_compressor *c;
	struct libdeflate_compressor *probe;	/* level 1; NULL: no probe */
	unsigned char sample_out[PROBE_SAMPLE];
};

int tlc__deflater_new(struct tlc__deflater **out, int level,
		      struct tlc_error *err)
{
	struct tlc__deflater *d;

	*out = NULL;
	if (!(d = calloc(1, sizeof(*d))) ||
	    !(d->c = libdeflate_alloc_compressor(level)) ||
	    (level < 9 && !(d->probe = libdeflate_alloc_compressor(1)))) {
		if (d)
			libdeflate_free_compressor(d->c);
		free(d);
		return tlc_error_set(err, TLC_ENOMEM,
				     "out of memory for a compressor");
	}
	*out = d;
	return 0;
}

void tlc__deflater_free(struct tlc__deflater *d)
{
	if (!d)
		return;
	libdeflate_free_compressor(d->c);
	libdeflate_free_compressor(d->probe);
	free(d);
}

size_t tlc__deflate_bound(size_t len)
{
	/* NULL: a bound for every level; 5 for the sync marker */
	return libdeflate_deflate_compress_bound(NULL, len) + 5;
}

uint32_t tlc__crc32(uint32_t crc, const void *p, size_t len)
{
	return libdeflate_crc32(crc, p, len);
}

uint32_t tlc__crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	return (uint32_t)crc32_combine(crc_a, crc_b, (z_off_t)len_b);
}

/* ---- walking a deflate stream ---------------------------------------- */

/* A bit reader, LSB first (RFC 1951 3.1.1).  Bits past the end read as 0;
 * the caller checks the position. */
struct bits {
	const unsigned char *p;
	size_t n;
	size_t pos;	/* bytes moved into buf */
	uint64_t buf;
	unsigned cnt;	/* valid bits in buf */
};

static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Make at least 56 bits valid.  The fast path also puts bits of the next
 * byte above cnt; the next refill ORs in the same bits again, which is
 * harmless (libdeflate's trick). */
static inline int refill(struct bits *b)
{
	if (b->pos + 8 <= b->n) {
		b->buf |= load_le64(b->p + b->pos) << b->cnt;
		b->pos += (63 - b->cnt) >> 3;
		b->cnt |= 56;
		return 0;
	}
	while (b->cnt <= 56) {
		if (b->pos > b->n + 8)
			return -1;	/* ran off the end */
		if (b->pos < b->n)
			b->buf |= (uint64_t)b->p[b->pos] << b->cnt;
		b->pos++;
		b->cnt += 8;
	}
	return 0;
}

static inline unsigned take(struct bits *b, unsigned n)
{
	unsigned v = (unsigned)(b->buf & ((UINT64_C(1) << n) - 1));

	b->buf >>= n;
	b->cnt -= n;
	return v;
}

static inline uint64_t bit_pos(const struct bits *b)
{
	return (uint64_t)b->pos * 8 - b->cnt;
}

/* Table entries and per-symbol info: symbol << 16 | code length plus extra
 * bits << 11 | FASTLIT | kind << 8 | extra bits << 4 | code length (0: not
 * in the table).  FASTLIT marks a literal, for the fast path of
 * skip_symbols(); the sum saves a shift per length and distance. */
enum { K_LIT, K_LEN, K_EOB, K_BAD };
#define FASTLIT (1u << 10)

#define LIT_BITS 10
#define DIST_BITS 8
#define CL_BITS 7

struct huff {
	uint16_t count[16];	/* codes of each length */
	uint16_t sym[288];	/* symbols in canonical order */
	uint32_t info[288];
	uint32_t *table;
	unsigned bits;
};

static uint32_t lit_info(unsigned s)
{
	unsigned l = s - 257;

	if (s < 256)
		return s << 16 | FASTLIT | K_LIT << 8;
	if (s == 256)
		return s << 16 | K_EOB << 8;
	if (s > 285)
		return s << 16 | K_BAD << 8;
	return s << 16 | K_LEN << 8 |
	       (l < 8 || l == 28 ? 0 : (l - 4) / 4) << 4;
}

static uint32_t dist_info(unsigned s)
{
	if (s >= 30)
		return s << 16 | K_BAD << 8;
	return s << 16 | K_LIT << 8 | (s < 4 ? 0 : (s - 2) / 2) << 4;
}

static uint32_t plain_info(unsigned s)
{
	return s << 16;
}

/* Build a canonical Huffman decoder (RFC 1951 3.2.2) for @n code lengths.
 * Incomplete codes are allowed (their holes decode as errors);
 * over-subscribed ones are refused. */
static int huff_build(struct huff *h, const unsigned char *lens, unsigned n,
		      uint32_t (*info)(unsigned))
{
	uint16_t offs[16];
	unsigned code, k;
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned i = 0; i < n; i++)
		h->count[lens[i]]++;
	for (unsigned l = 1; l < 16; l++) {
		left = left * 2 - h->count[l];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (unsigned l = 1; l < 15; l++)
		offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
	for (unsigned i = 0; i < n; i++) {
		h->info[i] = info(i);
		if (lens[i])
			h->sym[offs[lens[i]]++] = (uint16_t)i;
	}
	memset(h->table, 0, sizeof(*h->table) << h->bits);
	code = 0;
	k = 0;
	for (unsigned l = 1; l <= h->bits; l++) {
		for (unsigned c = 0; c < h->count[l]; c++, code++, k++) {
			unsigned rev = 0;

			for (unsigned i = 0; i < l; i++)
				rev |= ((code >> i) & 1) << (l - 1 - i);
			uint32_t e = h->info[h->sym[k]];

			e |= l | (l + ((e >> 4) & 15)) << 11;
			for (unsigned i = rev; i < (1u << h->bits); i += 1u << l)
				h->table[i] = e;
		}
		code <<= 1;
	}
	return 0;
}

/* Decode a code longer than the table, bit by bit (zlib's puff). */
static int huff_slow(const struct huff *h, uint64_t bits, uint32_t *e)
{
	int code = 0, first = 0, index = 0;

	for (unsigned l = 1; l < 16; l++) {
		int count = h->count[l];

		code |= (int)(bits & 1);
		bits >>= 1;
		if (code - count < first) {
			*e = h->info[h->sym[index + code - first]];
			*e |= l | (l + ((*e >> 4) & 15)) << 11;
			return 0;
		}
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/* @tbits is h->bits, passed as a constant so that the mask is one. */
static inline int decode(struct bits *b, const struct huff *h, unsigned tbits,
			 uint32_t *e)
{
	uint32_t v = h->table[b->buf & ((1u << tbits) - 1)];

	if (!(v & 15) && huff_slow(h, b->buf, &v) < 0)
		return -1;
	take(b, v & 15);
	*e = v;
	return 0;
}

static const unsigned char cl_order[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

/* Read a dynamic block's code lengths (RFC 1951 3.2.7). */
static int read_dynamic(struct bits *b, struct huff *lit, struct huff *dist,
			struct huff *cl)
{
	unsigned char lens[288 + 32], cll[19] = { 0 };
	unsigned hlit, hdist, hclen, i = 0;

	if (refill(b) < 0)
		return -1;
	hlit = take(b, 5) + 257;
	hdist = take(b, 5) + 1;
	hclen = take(b, 4) + 4;
	if (hlit > 286 || hdist > 30)
		return -1;
	for (unsigned k = 0; k < hclen; k++) {
		if (refill(b) < 0)
			return -1;
		cll[cl_order[k]] = (unsigned char)take(b, 3);
	}
	if (huff_build(cl, cll, 19, plain_info) < 0)
		return -1;
	while (i < hlit + hdist) {
		unsigned rep, val = 0;
		uint32_t e;

		if (refill(b) < 0 || decode(b, cl, CL_BITS, &e) < 0)
			return -1;
		switch (e >> 16) {
		case 16:
			if (i == 0)
				return -1;
			val = lens[i - 1];
			rep = 3 + take(b, 2);
			break;
		case 17:
			rep = 3 + take(b, 3);
			break;
		case 18:
			rep = 11 + take(b, 7);
			break;
		default:
			val = e >> 16;
			rep = 1;
			break;
		}
		if (i + rep > hlit + hdist)
			return -1;
		while (rep--)
			lens[i++] = (unsigned char)val;
	}
	if (!lens[256])
		return -1;	/* no end-of-block code */
	if (huff_build(lit, lens, hlit, lit_info) < 0 ||
	    huff_build(dist, lens + hlit, hdist, dist_info) < 0)
		return -1;
	return 0;
}

static void fixed_tables(struct huff *lit, struct huff *dist)
{
	unsigned char lens[288];
	unsigned i = 0;

	while (i < 144)
		lens[i++] = 8;
	while (i < 256)
		lens[i++] = 9;
	while (i < 280)
		lens[i++] = 7;
	while (i < 288)
		lens[i++] = 8;
	huff_build(lit, lens, 288, lit_info);
	memset(lens, 5, 30);
	huff_build(dist, lens, 30, dist_info);
}

/*
 * Decode one compressed block's symbols up to end-of-block.  The bit
 * reader is copied into a local so that it lives in registers.  After a
 * refill there are at least 56 bits, enough for three literals (15 bits
 * each at most), so runs of literals take one refill per three; anything
 * else refills again first (a length and distance take up to 48 bits).
 */
static int skip_symbols(struct bits *b, const struct huff *lit,
			const struct huff *dist)
{
	const uint32_t *lt = lit->table;
	const uint64_t mask = (1u << LIT_BITS) - 1;
	struct bits s = *b;
	int rc = -1;

	for (;;) {
		uint32_t e;

		if (refill(&s) < 0)
			break;
		e = lt[s.buf & mask];
		if (e & FASTLIT) {
			take(&s, e & 15);
			e = lt[s.buf & mask];
			if (e & FASTLIT) {
				take(&s, e & 15);
				e = lt[s.buf & mask];
				if (e & FASTLIT) {
					take(&s, e & 15);
					continue;
				}
			}
			if (refill(&s) < 0)	/* keeps the low bits: e holds */
				break;
		}
		if (!(e & 15) && huff_slow(lit, s.buf, &e) < 0)
			break;
		if (((e >> 8) & 3) == K_LIT) {
			take(&s, e & 15);
			continue;
		}
		if (((e >> 8) & 3) == K_EOB) {
			take(&s, e & 15);
			rc = 0;
			break;
		}
		if (((e >> 8) & 3) == K_BAD)
			break;
		/* the length code and its extra bits, then the distance */
		take(&s, (e >> 11) & 31);
		e = dist->table[s.buf & ((1u << DIST_BITS) - 1)];
		if (!(e & 15) && huff_slow(dist, s.buf, &e) < 0)
			break;
		if (((e >> 8) & 3) == K_BAD)
			break;
		take(&s, (e >> 11) & 31);
	}
	*b = s;
	return rc;
}

/*
 * Find where the final block of the deflate stream in @p[0..n) starts
 * (@hdr, a bit offset) and where the stream ends (@end).
 */
static int find_final(const unsigned char *p, size_t n, uint64_t *hdr,
		      uint64_t *end)
{
	uint32_t lt[1u << LIT_BITS], dt[1u << DIST_BITS], ct[1u << CL_BITS];
	struct huff lit = { .table = lt, .bits = LIT_BITS };
	struct huff dist = { .table = dt, .bits = DIST_BITS };
	struct huff cl = { .table = ct, .bits = CL_BITS };
	struct bits b = { p, n, 0, 0, 0 };

	for (;;) {
		uint64_t start = bit_pos(&b);
		unsigned final, type;

		if (start > (uint64_t)n * 8 || refill(&b) < 0)
			return -1;
		final = take(&b, 1);
		type = take(&b, 2);
		if (type == 0) {
			/* stored: align, LEN, NLEN, LEN bytes */
			size_t at = (size_t)((bit_pos(&b) + 7) / 8);
			unsigned len;

			if (at + 4 > n)
				return -1;
			len = p[at] | (unsigned)p[at + 1] << 8;
			if ((len ^ (p[at + 2] | (unsigned)p[at + 3] << 8)) !=
			    0xffff || at + 4 + len > n)
				return -1;
			b.pos = at + 4 + len;
			b.buf = 0;
			b.cnt = 0;
		} else if (type == 1) {
			fixed_tables(&lit, &dist);
			if (skip_symbols(&b, &lit, &dist) < 0)
				return -1;
		} else if (type == 2) {
			if (read_dynamic(&b, &lit, &dist, &cl) < 0 ||
			    skip_symbols(&b, &lit, &dist) < 0)
				return -1;
		} else {
			return -1;
		}
		if (final) {
			*hdr = start;
			*end = bit_pos(&b);
			return *end <= (uint64_t)n * 8 ? 0 : -1;
		}
	}
}

/* ---- incompressible pieces ------------------------------------------- */

/* Whether the @len bytes at @in look incompressible: their samples,
 * compressed at level 1, come to more than PROBE_RATIO of their size.  A
 * sample that does not fit in its own size counts as its size. */
static bool probe(struct tlc__deflater *d, const unsigned char *in,
		  size_t len)
{
	size_t sum = 0;

	if (!d->probe || len < PROBE_MIN)
		return false;
	for (size_t i = 0; i < PROBE_SAMPLES; i++) {
		size_t off = i * (len - PROBE_SAMPLE) / (PROBE_SAMPLES - 1);
		size_t n = libdeflate_deflate_compress(d->probe, in + off,
						       PROBE_SAMPLE,
						       d->sample_out,
						       PROBE_SAMPLE);

		sum += n ? n : PROBE_SAMPLE;
	}
	return sum * PROBE_RATIO_DEN >
	       PROBE_SAMPLES * PROBE_SAMPLE * PROBE_RATIO_NUM;
}

/* Bytes put_stored() writes for @len bytes. */
static size_t stored_len(size_t len)
{
	size_t blocks = (len + STORED_MAX - 1) / STORED_MAX;

	return len + 5 * (blocks ? blocks : 1);
}

/*
 * Write @len bytes as stored blocks (RFC 1951 3.2.4): a byte with BFINAL
 * and BTYPE 00 (the rest of it is the padding to the byte boundary), LEN
 * and NLEN little-endian, the bytes.  Only the last block of a @final
 * piece has BFINAL set.  The piece starts on a byte boundary (the stream's
 * start, or after the previous piece's byte-aligned end) and ends on one,
 * so the next piece follows with no marker.
 */
static size_t put_stored(const unsigned char *in, size_t len, bool final,
			 unsigned char *o)
{
	unsigned char *p = o;

	do {
		unsigned n = len < STORED_MAX ? (unsigned)len : STORED_MAX;

		*p++ = final && n == len;
		*p++ = (unsigned char)n;
		*p++ = (unsigned char)(n >> 8);
		*p++ = (unsigned char)~n;
		*p++ = (unsigned char)(~n >> 8);
		if (n)
			memcpy(p, in, n);
		p += n;
		in += n;
		len -= n;
	} while (len);
	return (size_t)(p - o);
}

int tlc__deflate_piece(struct tlc__deflater *d, const void *in, size_t len,
		       bool final, void *out, size_t cap, size_t *out_len,
		       struct tlc_error *err)
{
	unsigned char *o = out;
	uint64_t hdr, end;
	size_t n;

	if (probe(d, in, len)) {
		if (stored_len(len) > cap)
			return tlc_error_set(err, TLC_ERROR,
					     "internal error: stored blocks "
					     "over the deflate bound");
		*out_len = put_stored(in, len, final, o);
		return 0;
	}
	n = libdeflate_deflate_compress(d->c, in, len, out, cap);
	if (n == 0 || n + 5 > cap)
		return tlc_error_set(err, TLC_ERROR,
				     "internal error: deflate output over "
				     "its bound");
	if (final) {
		*out_len = n;
		return 0;
	}
	if (find_final(o, n, &hdr, &end) < 0 || (end + 7) / 8 != n)
		return tlc_error_set(err, TLC_ERROR,
				     "internal error: cannot find the end of "
				     "a deflate chunk");
	o[hdr / 8] &= (unsigned char)~(1u << (hdr % 8));
	if (end % 8)
		o[n - 1] &= (unsigned char)((1u << (end % 8)) - 1);
	/* the empty stored block's 3 header bits, then the byte boundary */
	if (end % 8 == 0 || end % 8 > 5)
		o[n++] = 0;
	o[n++] = 0;
	o[n++] = 0;
	o[n++] = 0xff;
	o[n++] = 0xff;
	*out_len = n;
	return 0;
}

/* ---- the pool -------------------------------------------------------- */

struct worker_arg {
	struct tlc__deflate_pool *p;
	struct tlc__deflater *d;
};

struct tlc__deflate_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a task was queued, or stop */
	pthread_cond_t done;	/* a task finished */
	struct tlc__deflate_task *head, *tail;
	bool stop;
	unsigned nthreads;	/* workers running; 0: run inline */
	unsigned nd;		/* compressors: one per worker, or one */
	pthread_t *threads;
	struct tlc__deflater **d;
	struct worker_arg *args;
};

static void *worker(void *arg)
{
	struct worker_arg *a = arg;
	struct tlc__deflate_pool *p = a->p;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct tlc__deflate_task *t;

		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head)
			break;
		t = p->head;
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		t->run(t, a->d);
		pthread_mutex_lock(&p->lock);
		t->done = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int tlc__deflate_pool_new(struct tlc__deflate_pool **out, unsigned threads,
			  int level, struct tlc_error *err)
{
	struct tlc__deflate_pool *p;
	unsigned nd = threads > 1 ? threads : 1;
	int rc = 0;

	*out = NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->nd = nd;
	if (!(p->d = calloc(nd, sizeof(*p->d))) ||
	    !(p->args = calloc(nd, sizeof(*p->args))) ||
	    !(p->threads = calloc(nd, sizeof(*p->threads)))) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < nd && level > 0; i++)
		if ((rc = tlc__deflater_new(&p->d[i], level, err)) < 0)
			goto fail;
	for (unsigned i = 0; threads > 1 && i < nd; i++) {
		p->args[i].p = p;
		p->args[i].d = p->d[i];
		if (pthread_create(&p->threads[i], NULL, worker,
				   &p->args[i]) != 0) {
			rc = tlc_error_set(err, TLC_EIO,
					   "cannot start a compression thread");
			goto fail;
		}
		p->nthreads++;
	}
	*out = p;
	return 0;
fail:
	tlc__deflate_pool_free(p);
	return rc;
}

void tlc__deflate_pool_submit(struct tlc__deflate_pool *p,
			      struct tlc__deflate_task *t)
{
	t->next = NULL;
	t->done = false;
	if (!p->nthreads) {
		t->run(t, p->d[0]);
		t->done = true;
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void tlc__deflate_pool_wait(struct tlc__deflate_pool *p,
			    struct tlc__deflate_task *t)
{
	if (!p->nthreads)
		return;
	pthread_mutex_lock(&p->lock);
	while (!t->done)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void tlc__deflate_pool_free(struct tlc__deflate_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (unsigned i = 0; p->d && i < p->nd; i++)
		tlc__deflater_free(p->d[i]);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->d);
	free(p->args);
	free(p->threads);
	free(p);
}
