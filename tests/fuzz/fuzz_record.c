/*
 * libFuzzer target for RECORD (tlc_wheel_record_parse): a refusal must be
 * TLC_EPOLICY with a one-line "RECORD line N: ..." message.  What parses
 * is written back as CSV, every field quoted, and must parse again to the
 * same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/wheel.h"

#include "fuzzutil.h"

static void put_quoted(struct tlc_buf *b, const char *s)
{
	if (tlc_buf_putc(b, '"') < 0)
		abort();
	for (; *s; s++)
		if ((*s == '"' && tlc_buf_putc(b, '"') < 0) ||
		    tlc_buf_putc(b, *s) < 0)
			abort();
	if (tlc_buf_putc(b, '"') < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789-_";
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_record *r = NULL, *r2 = NULL;
	struct tlc_buf out = TLC_BUF_INIT;
	size_t n = 0, n2 = 0;
	int rc;

	rc = tlc_wheel_record_parse((const char *)data, size, &r, &n, &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		if (strncmp(err.msg, "RECORD line ", 12) || r || n)
			abort();
		fuzz_check_utf8(&err);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (tlc_zip_name_check(r[i].path, &err) != 0)
			abort();
		put_quoted(&out, r[i].path);
		if (tlc_buf_putc(&out, ',') < 0)
			abort();
		if (r[i].has_sha256) {
			/* 32 bytes: 43 characters, the last 2 bits zero */
			uint32_t acc = 0;
			int bits = 0;

			if (tlc_buf_puts(&out, "sha256=") < 0)
				abort();
			for (size_t k = 0; k < 32; k++) {
				acc = acc << 8 | r[i].sha256[k];
				bits += 8;
				while (bits >= 6) {
					bits -= 6;
					if (tlc_buf_putc(&out,
						b64[(acc >> bits) & 63]) < 0)
						abort();
				}
			}
			if (tlc_buf_putc(&out, b64[(acc << (6 - bits)) & 63]) <
			    0)
				abort();
		}
		if (tlc_buf_putc(&out, ',') < 0 ||
		    (r[i].has_size && tlc_buf_printf(&out, "%llu",
			(unsigned long long)r[i].size) < 0) ||
		    tlc_buf_puts(&out, i % 2 ? "\r\n" : "\n") < 0)
			abort();
	}
	if (tlc_wheel_record_parse(out.ptr, out.len, &r2, &n2, &err) != 0 ||
	    n2 != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].path, r2[i].path) ||
		    r[i].has_sha256 != r2[i].has_sha256 ||
		    memcmp(r[i].sha256, r2[i].sha256, 32) ||
		    r[i].has_size != r2[i].has_size ||
		    r[i].size != r2[i].size)
			abort();
	tlc_wheel_records_free(r, n);
	tlc_wheel_records_free(r2, n2);
	tlc_buf_release(&out);
	return 0;
}
