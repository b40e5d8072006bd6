/*
 * Throughput of the upload data path, in memory: tlc_multipart_feed() on
 * a body of one twine-shaped file part of SIZE_MB random bytes (so a CR
 * every 256 bytes on average), fed in 64 KiB slices; each digest kind
 * alone and all three (what twine sends) over the same bytes; and the
 * parser feeding all three digests.  Best of RUNS; MB/s is 10^6 bytes
 * a second of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so that
 * a busy machine does not halve the figures; wall time is printed beside.
 *
 * usage: bench [SIZE_MB [RUNS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlcpack/digest.h"
#include "tlcpack/multipart.h"

#define SLICE (64 * 1024)
#define BOUNDARY "fe0b36105c92eab669e52c19eeeb88a5"

struct sink {
	struct tlc_digests *d;
	size_t bytes;
};

static int on_begin(void *data, const struct tlc_multipart_part *part,
		    struct tlc_error *err)
{
	(void)data, (void)part, (void)err;
	return 0;
}

static int on_data(void *data, const void *buf, size_t len,
		   struct tlc_error *err)
{
	struct sink *s = data;

	(void)err;
	s->bytes += len;
	if (s->d)
		tlc_digests_update(s->d, buf, len);
	return 0;
}

static int on_end(void *data, struct tlc_error *err)
{
	(void)data, (void)err;
	return 0;
}

static double wall_best;

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall0, cpu0;

static void start(void)
{
	wall0 = clock_s(CLOCK_MONOTONIC);
	cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU seconds since start(); the wall seconds go to wall_best */
static double stop(void)
{
	double w = clock_s(CLOCK_MONOTONIC) - wall0;

	if (w < wall_best)
		wall_best = w;
	return clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
}

/* Seconds to parse @body (feeding digests of @kinds when non-zero). */
static double run_parse(const char *body, size_t len, size_t want,
			unsigned kinds)
{
	static const struct tlc_multipart_callbacks cb = {
		on_begin, on_data, on_end,
	};
	struct tlc_error err = TLC_ERROR_INIT;
	struct sink s = { NULL, 0 };
	struct tlc_multipart *mp;

	start();
	if (kinds && tlc_digests_new(&s.d, kinds, &err) < 0)
		goto fail;
	if (tlc_multipart_new(&mp, BOUNDARY, NULL, &cb, &s, &err) < 0)
		goto fail;
	for (size_t off = 0; off < len; off += SLICE)
		if (tlc_multipart_feed(mp, body + off, len - off < SLICE ?
				       len - off : SLICE, &err) < 0)
			goto fail;
	if (tlc_multipart_finish(mp, &err) < 0)
		goto fail;
	if (s.d)
		tlc_digests_final(s.d);
	tlc_multipart_free(mp);
	tlc_digests_free(s.d);
	if (s.bytes != want) {
		fprintf(stderr, "got %zu bytes of data, not %zu\n", s.bytes,
			want);
		exit(1);
	}
	return stop();
fail:
	fprintf(stderr, "bench: %s\n", err.msg);
	exit(1);
}

static double run_digest(const char *p, size_t len, unsigned kinds)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_digests *d;

	start();
	if (tlc_digests_new(&d, kinds, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	for (size_t off = 0; off < len; off += SLICE)
		tlc_digests_update(d, p + off, len - off < SLICE ?
				   len - off : SLICE);
	tlc_digests_final(d);
	tlc_digests_free(d);
	return stop();
}

static void report(const char *what, size_t bytes, double cpu)
{
	printf("%-34s %8.0f MB/s %7.0f MB/s\n", what, (double)bytes / cpu / 1e6,
	       (double)bytes / wall_best / 1e6);
}

int main(int argc, char **argv)
{
	static const char head[] =
		"--" BOUNDARY "\r\nContent-Disposition: form-data; "
		"name=\":action\"\r\n\r\nfile_upload\r\n--" BOUNDARY "\r\n"
		"Content-Disposition: form-data; name=\"content\"; "
		"filename=\"big-1.0-py3-none-any.whl\"\r\nContent-Type: "
		"application/octet-stream\r\n\r\n";
	static const char tail[] = "\r\n--" BOUNDARY "--\r\n";
	static const struct {
		const char *name;
		unsigned kinds;
	} kinds[] = {
		{ "sha256", TLC_DIGEST_SHA256 },
		{ "blake2b-256", TLC_DIGEST_BLAKE2B_256 },
		{ "md5", TLC_DIGEST_MD5 },
		{ "sha256+blake2b-256", 3 },
		{ "sha256+blake2b-256+md5", 7 },
	};
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	size_t data = mb * 1000 * 1000, hlen = sizeof(head) - 1;
	size_t len = hlen + data + sizeof(tail) - 1;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char *body = malloc(len);
	double best;

	if (!body)
		return 1;
	memcpy(body, head, hlen);
	for (size_t i = 0; i + 8 <= data; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(body + hlen + i, &x, 8);
	}
	memset(body + hlen + (data & ~(size_t)7), 'x', data & 7);
	memcpy(body + hlen + data, tail, sizeof(tail) - 1);
	/* twine's body shape: the ":action" part, then the file part */
	data += strlen("file_upload");

	printf("%-34s %8s %12s\n", "", "CPU", "wall");
	best = wall_best = 1e9;
	for (int r = 0; r < runs; r++) {
		double t = run_parse(body, len, data, 0);

		best = t < best ? t : best;
	}
	report("multipart feed, 64 KiB slices", len, best);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char what[64];

		best = wall_best = 1e9;
		for (int r = 0; r < runs; r++) {
			double t = run_digest(body + hlen, data, kinds[k].kinds);

			best = t < best ? t : best;
		}
		snprintf(what, sizeof(what), "digest %s", kinds[k].name);
		report(what, data, best);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char what[64];

		best = wall_best = 1e9;
		for (int r = 0; r < runs; r++) {
			double t = run_parse(body, len, data, kinds[k].kinds);

			best = t < best ? t : best;
		}
		snprintf(what, sizeof(what), "feed + %s", kinds[k].name);
		report(what, len, best);
	}
	free(body);
	return 0;
}
