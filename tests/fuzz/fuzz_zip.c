/*
 * libFuzzer target for the zip reader: the input is an archive in a
 * memfd.  Open it, look up and stream every member to the end; a refusal
 * must be TLC_EPOLICY or TLC_ETOOBIG with a one-line message.  Then copy
 * every member raw into a new archive, which must open, and whose
 * members must read back exactly as the originals did (same bytes, or
 * the same refusal).  The strict check may refuse the input, cleanly;
 * it must pass the copy, which is ours.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tlcpack/zip.h"

#include "fuzzutil.h"

/* Stream @e whole: its length and CRC-32 (ours), or a refusal. */
static int drain(const struct tlc_zip_reader *r, const struct tlc_zip_entry *e,
		 uint64_t *len, uint64_t *sum)
{
	static unsigned char buf[65536];
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_stream *s = NULL;
	size_t got, want = 1;
	int rc;

	*len = 0;
	*sum = 0;
	if ((rc = tlc_zip_stream_open(&s, r, e, &err)) < 0)
		abort();	/* the entry was checked when opened */
	do {
		want = want * 7 % sizeof(buf) + 1;
		rc = tlc_zip_stream_read(s, buf, want, &got, &err);
		if (rc < 0) {
			fuzz_check_refusal(rc, &err);
			fuzz_check_utf8(&err);
			break;
		}
		if (got > want)
			abort();
		for (size_t i = 0; i < got; i++)
			*sum = *sum * 31 + buf[i];
		*len += got;
	} while (got);
	if (rc == 0 && *len != e->size)
		abort();
	tlc_zip_stream_free(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_zip_writer_opts o = TLC_ZIP_WRITER_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_zip_reader *r = NULL, *back = NULL;
	struct tlc_zip_writer *w = NULL;
	struct tlc_buf b = TLC_BUF_INIT_MAX(4096);
	uint64_t *lens = NULL, *sums = NULL;
	int *rcs = NULL;
	int fd, ofd = -1, rc;
	size_t n;

	fd = memfd_create("fuzz-zip", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	rc = tlc_zip_reader_open(&r, fd, "fuzz.zip", &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		fuzz_check_utf8(&err);
		goto out;
	}
	rc = tlc_zip_reader_check_strict(r, &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		fuzz_check_utf8(&err);
	}
	n = tlc_zip_reader_count(r);
	lens = calloc(n + 1, sizeof(*lens));
	sums = calloc(n + 1, sizeof(*sums));
	rcs = calloc(n + 1, sizeof(*rcs));
	if (!lens || !sums || !rcs)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(r, i);
		uint64_t off;

		if (tlc_zip_reader_find(r, e->name) != e)
			abort();
		if (tlc_zip_name_check(e->name, &err) != 0)
			abort();
		if (e->mode != 0644 && e->mode != 0755)
			abort();
		if (tlc_zip_reader_data_offset(r, e, &off, &err) != 0 ||
		    off + e->csize > size)
			abort();
		rcs[i] = drain(r, e, &lens[i], &sums[i]);
		tlc_buf_reset(&b);
		rc = tlc_zip_read(r, e, &b, &err);
		if (rc < 0)
			fuzz_check_refusal(rc, &err);
		else if (rcs[i] < 0 || b.len != lens[i])
			abort();
	}

	/* the raw copy */
	ofd = memfd_create("fuzz-zip-out", MFD_CLOEXEC);
	o.threads = 1;
	if (ofd < 0 || tlc_zip_writer_new(&w, ofd, &o, &err) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(r, i);

		if (tlc_zip_add_raw(w, e->name, r, e, NULL, e->mode, &err) != 0)
			abort();
	}
	if (tlc_zip_writer_finish(w, NULL, &err) != 0)
		abort();
	if (tlc_zip_reader_open(&back, ofd, "copy.zip", &err) != 0 ||
	    tlc_zip_reader_count(back) != n ||
	    tlc_zip_reader_check_strict(back, &err) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(back, i);
		uint64_t len, sum;

		if (strcmp(e->name, tlc_zip_reader_entry(r, i)->name))
			abort();
		rc = drain(back, e, &len, &sum);
		if ((rc < 0) != (rcs[i] < 0) ||
		    (rc == 0 && (len != lens[i] || sum != sums[i])))
			abort();
	}
out:
	tlc_zip_reader_free(back);
	tlc_zip_writer_free(w);
	tlc_zip_reader_free(r);
	tlc_buf_release(&b);
	free(lens);
	free(sums);
	free(rcs);
	if (ofd >= 0)
		close(ofd);
	close(fd);
	return 0;
}
