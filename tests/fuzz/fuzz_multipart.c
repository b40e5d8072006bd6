/*
 * libFuzzer target for the multipart/form-data parser.
 *
 * Input: byte 0 picks the boundary and the limits, byte 1 seeds the
 * slicing, the rest is the body.  The body is parsed fed whole, then fed
 * in slices whose sizes come from the input (and byte by byte when it is
 * short): both must give the same result, the same message and the same
 * callback sequence (hashed; how part_data splits a part's data does not
 * count).  Then again with a callback that fails at a point chosen by
 * the input (the n-th of begin, first data of a part, end, which do not
 * depend on the slicing): its code must come back as is, and stick.  Every refusal is
 * TLC_EPOLICY or TLC_ETOOBIG with a one-line message; callbacks come in
 * order (begin, data..., end), never with empty data, never more parts
 * than the limit.  The input as a Content-Type goes to
 * tlc_multipart_boundary, whose result must be a boundary
 * tlc_multipart_new takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/multipart.h"

#include "fuzzutil.h"

static const char *const boundaries[] = {
	"b", "xyz", "------------------------fbfbf8800f0ac5be",
	"fe0b36105c92eab669e52c19eeeb88a5", "a b", "'()+_,-./:=?",
	"--", "\r",	/* the last is refused */
};

struct trace {
	uint64_t hash;
	size_t parts;
	size_t data;
	size_t max_parts;
	size_t calls;		/* begin, a part's first data, end */
	size_t fail_at;		/* fail the n-th of those; 0: never */
	bool in_part;
	bool in_data;
};

static void mix(struct trace *t, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		t->hash ^= b[i];
		t->hash *= 0x100000001b3ULL;	/* FNV-1a */
	}
}

static void mix_str(struct trace *t, const char *s)
{
	if (s)
		mix(t, s, strlen(s) + 1);
	else
		mix(t, "\xff", 1);
}

static int maybe_fail(struct trace *t, struct tlc_error *err)
{
	if (++t->calls == t->fail_at)
		return tlc_error_set(err, TLC_EEXISTS, "callback %zu failed",
				     t->calls);
	return 0;
}

static int on_begin(void *data, const struct tlc_multipart_part *part,
		    struct tlc_error *err)
{
	struct trace *t = data;

	if (t->in_part || !part->name || ++t->parts > t->max_parts)
		abort();
	t->in_part = true;
	t->in_data = false;
	mix(t, "B", 1);
	mix_str(t, part->name);
	mix_str(t, part->filename);
	mix_str(t, part->content_type);
	return maybe_fail(t, err);
}

static int on_data(void *data, const void *buf, size_t len,
		   struct tlc_error *err)
{
	struct trace *t = data;

	bool first = !t->in_data;

	if (!t->in_part || len == 0)
		abort();
	if (first)
		mix(t, "D", 1);
	t->in_data = true;
	t->data += len;
	mix(t, buf, len);
	return first ? maybe_fail(t, err) : 0;
}

static int on_end(void *data, struct tlc_error *err)
{
	struct trace *t = data;

	if (!t->in_part)
		abort();
	t->in_part = false;
	mix(t, "E", 1);
	return maybe_fail(t, err);
}

static const struct tlc_multipart_callbacks cb = {
	on_begin, on_data, on_end,
};

struct outcome {
	int rc;
	struct tlc_error err;
	struct trace t;
};

/* Parse @body in slices of the sizes @sizes gives in turn (0: whole;
 * sizes of 0 mean 1), and finish. */
static void parse(struct outcome *o, const char *boundary,
		  const struct tlc_multipart_limits *lim, const uint8_t *body,
		  size_t len, const uint8_t *sizes, size_t nsizes,
		  size_t fail_at)
{
	struct tlc_multipart *mp;
	size_t off = 0, k = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	o->t.hash = 0xcbf29ce484222325ULL;
	o->t.max_parts = lim->max_parts;
	o->t.fail_at = fail_at;
	rc = tlc_multipart_new(&mp, boundary, lim, &cb, &o->t, &o->err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &o->err);
		o->rc = rc;
		return;
	}
	for (rc = 0; rc == 0 && off < len;) {
		size_t n = len - off;

		if (nsizes) {
			size_t s = sizes[k++ % nsizes];

			n = s ? (s < n ? s : n) : 1;
		}
		rc = tlc_multipart_feed(mp, body + off, n, &o->err);
		off += n;
	}
	if (rc == 0)
		rc = tlc_multipart_finish(mp, &o->err);
	if (rc == 0 && !tlc_multipart_done(mp))
		abort();
	if (rc < 0) {
		struct tlc_error again = TLC_ERROR_INIT;

		/* sticky */
		if (tlc_multipart_feed(mp, "x", 1, &again) != rc ||
		    strcmp(again.msg, o->err.msg) ||
		    tlc_multipart_finish(mp, &again) != rc)
			abort();
	}
	o->rc = rc;
	if (o->t.data > len)
		abort();
	tlc_multipart_free(mp);
}

static void same(const struct outcome *a, const struct outcome *b)
{
	if (a->rc != b->rc || strcmp(a->err.msg, b->err.msg) ||
	    a->t.hash != b->t.hash || a->t.parts != b->t.parts ||
	    a->t.data != b->t.data || a->t.calls != b->t.calls)
		abort();
}

static void check_boundary_param(const uint8_t *data, size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char out[TLC_MULTIPART_BOUNDARY_MAX + 1];
	struct tlc_multipart *mp;
	struct trace t = { 0 };
	char *s = fuzz_string(data, size);
	int rc;

	if (!s)
		return;
	rc = tlc_multipart_boundary(s, out, sizeof(out), &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		fuzz_check_utf8(&err);
		if (rc != TLC_EPOLICY)
			abort();	/* out is big enough */
	} else {
		if (err.code != 0)
			abort();
		if (tlc_multipart_new(&mp, out, NULL, &cb, &t, &err) < 0)
			abort();
		tlc_multipart_free(mp);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_multipart_limits lim;
	struct outcome whole, sliced;
	const char *boundary;
	const uint8_t *body;
	size_t len;

	check_boundary_param(data, size);
	if (size < 2)
		return 0;
	boundary = boundaries[data[0] % 8];
	lim.max_parts = 1 + (data[0] >> 3 & 3) * 3;	/* 1, 4, 7, 10 */
	lim.max_header_bytes = 16u << (data[0] >> 5);	/* 16 .. 2048 */
	body = data + 2;
	len = size - 2;

	parse(&whole, boundary, &lim, body, len, NULL, 0, 0);
	if (whole.rc < 0) {
		fuzz_check_refusal(whole.rc, &whole.err);
		fuzz_check_utf8(&whole.err);
	} else if (whole.t.in_part) {
		abort();	/* finished with a part open */
	}

	/* slices sized by the body's own bytes, from an offset byte 1
	 * picks: the cuts land everywhere */
	if (len) {
		size_t from = data[1] % len;

		parse(&sliced, boundary, &lim, body, len, body + from,
		      len - from < 16 ? len - from : 16, 0);
		same(&whole, &sliced);
	}
	if (len <= 4096) {
		static const uint8_t one = 1;

		parse(&sliced, boundary, &lim, body, len, &one, 1, 0);
		same(&whole, &sliced);
	}

	/* a callback that fails: its code, whatever the slicing */
	if (whole.t.calls) {
		size_t at = 1 + data[1] % whole.t.calls;
		struct outcome failed;

		parse(&failed, boundary, &lim, body, len, NULL, 0, at);
		if (failed.rc != TLC_EEXISTS || failed.t.calls != at)
			abort();
		if (len <= 4096) {
			static const uint8_t one = 1;

			parse(&sliced, boundary, &lim, body, len, &one, 1, at);
			if (sliced.rc != TLC_EEXISTS ||
			    strcmp(sliced.err.msg, failed.err.msg))
				abort();
		}
	}
	return 0;
}
