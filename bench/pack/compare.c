/*
 * bench/pack/compare.c: zlib against libdeflate on real files, one core.
 *
 * For each engine, compresses every file given on the command line at
 * the given level and prints input MB/s and the compressed/input ratio:
 *
 *   zlib-whole      one zlib stream per file (what Python's zipfile does)
 *   zlib-chunks     pigz's way: chunks, each primed with the previous
 *                   32 KiB as dictionary, ended with Z_SYNC_FLUSH
 *   libdeflate-whole   one libdeflate call per file (no chunks: can only
 *                   use one core per member)
 *   libdeflate-chunks  what tlcpack does: tlc__deflate_piece() per chunk,
 *                   libdeflate plus the walk that makes chunks concatenate
 *
 * Built and run by `bench/pack/run.sh compare`.
 *
 * usage: compare LEVEL CHUNK_KIB ENGINES FILE...
 *        (ENGINES: "all" or a comma-separated list of the names above)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libdeflate.h>
#include <zlib.h>

#include "deflate.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0)
		exit(2);
	rewind(f);
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
		exit(2);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static size_t zlib_whole(const unsigned char *in, size_t n, int level,
			 size_t chunk, unsigned char *out, size_t cap)
{
	z_stream s;
	size_t got;

	(void)chunk;
	if (cap >= (1ul << 32))
		exit(2);	/* the files here are far below 4 GiB */
	memset(&s, 0, sizeof(s));
	deflateInit2(&s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	s.next_in = (unsigned char *)in;
	s.avail_in = (unsigned)n;
	s.next_out = out;
	s.avail_out = (unsigned)cap;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		exit(3);
	got = s.total_out;
	deflateEnd(&s);
	return got;
}

static size_t zlib_chunks(const unsigned char *in, size_t n, int level,
			  size_t chunk, unsigned char *out, size_t cap)
{
	z_stream s;
	size_t o = 0;

	memset(&s, 0, sizeof(s));
	deflateInit2(&s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	for (size_t off = 0; off < n; off += chunk) {
		size_t len = n - off < chunk ? n - off : chunk;
		size_t dict = off < 32768 ? off : 32768;

		deflateReset(&s);
		if (dict)
			deflateSetDictionary(&s, in + off - dict, (uInt)dict);
		s.next_in = (unsigned char *)in + off;
		s.avail_in = (unsigned)len;
		s.next_out = out + o;
		s.avail_out = (unsigned)(cap - o);
		deflate(&s, off + len == n ? Z_FINISH : Z_SYNC_FLUSH);
		o = (size_t)(s.next_out - out);
	}
	deflateEnd(&s);
	return o;
}

static struct libdeflate_compressor *ldc;
static struct tlc__deflater *tdc;

static size_t ld_whole(const unsigned char *in, size_t n, int level,
		       size_t chunk, unsigned char *out, size_t cap)
{
	(void)level;
	(void)chunk;
	return libdeflate_deflate_compress(ldc, in, n, out, cap);
}

static size_t ld_chunks(const unsigned char *in, size_t n, int level,
			size_t chunk, unsigned char *out, size_t cap)
{
	size_t o = 0;

	(void)level;
	(void)cap;
	for (size_t off = 0; off < n; off += chunk) {
		size_t len = n - off < chunk ? n - off : chunk, got;

		if (tlc__deflate_piece(tdc, in + off, len, off + len == n,
				       out + o, tlc__deflate_bound(len), &got,
				       NULL) < 0)
			exit(3);
		o += got;
	}
	return o;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t (*fn)(const unsigned char *, size_t, int, size_t,
			     unsigned char *, size_t);
	} engines[] = {
		{ "zlib-whole", zlib_whole },
		{ "zlib-chunks", zlib_chunks },
		{ "libdeflate-whole", ld_whole },
		{ "libdeflate-chunks", ld_chunks },
	};
	int level;
	size_t chunk;

	if (argc < 5) {
		fprintf(stderr, "usage: compare LEVEL CHUNK_KIB ENGINES "
			"FILE...\n");
		return 2;
	}
	level = atoi(argv[1]);
	chunk = (size_t)atol(argv[2]) << 10;
	ldc = libdeflate_alloc_compressor(level);
	if (!ldc || tlc__deflater_new(&tdc, level, NULL) < 0)
		return 2;
	printf("%-18s %10s %8s   (level %d, chunks of %zu KiB, one core)\n",
	       "engine", "MB/s", "ratio", level, chunk >> 10);
	for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		double secs = 0;
		size_t in_total = 0, out_total = 0;
		const char *p = strstr(argv[3], engines[e].name);
		size_t nl = strlen(engines[e].name);

		if (strcmp(argv[3], "all") &&
		    (!p || (p != argv[3] && p[-1] != ',') ||
		     (p[nl] != ',' && p[nl] != '\0')))
			continue;
		for (int i = 4; i < argc; i++) {
			size_t n, cap;
			unsigned char *in = slurp(argv[i], &n), *out;
			double t;

			cap = n + n / 8 + (n / chunk + 1) * 64 + 65536;
			out = malloc(cap);
			if (!out)
				return 2;
			t = now();
			out_total += engines[e].fn(in, n, level, chunk, out,
						   cap);
			secs += now() - t;
			in_total += n;
			free(in);
			free(out);
		}
		printf("%-18s %10.1f %8.4f\n", engines[e].name,
		       (double)in_total / secs / 1e6,
		       (double)out_total / (double)in_total);
		fflush(stdout);
	}
	libdeflate_free_compressor(ldc);
	tlc__deflater_free(tdc);
	return 0;
}
