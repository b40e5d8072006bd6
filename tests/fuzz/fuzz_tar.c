/*
 * libFuzzer target for the tar reader (tar.h).
 *
 * The input is read as an archive (a memfd), plain or, when it starts
 * with the gzip magic, inflated; then the same bytes are gzip-compressed
 * by the writer's zlib and read again: both readings must give the same
 * entries, the same refusal, and a refusal is one line (TLC_EPOLICY or
 * TLC_ETOOBIG).  Every name returned must be normalised: not absolute,
 * no "..", "." or empty component.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "tlcpack/tar.h"

#include "fuzzutil.h"

static void check_name(const char *n)
{
	const char *p = n;

	if (!*n || n[0] == '/')
		abort();
	if (!strcmp(n, "."))
		return;
	while (*p) {
		const char *s = strchr(p, '/');
		size_t k = s ? (size_t)(s - p) : strlen(p);

		if (!k || (k == 1 && p[0] == '.') ||
		    (k == 2 && p[0] == '.' && p[1] == '.'))
			abort();
		p += k + (s ? 1 : 0);
		if (s && !*p)
			abort();	/* trailing slash */
	}
}

/* Read it through; a hash of the entries seen, in @sig. */
static int run(int fd, uint64_t *sig, struct tlc_error *err)
{
	static char buf[4096];
	struct tlc_tar_reader *r;
	const struct tlc_tar_entry *e;
	size_t got;
	int rc, n = 0;

	*sig = 1469598103934665603ull;
	if ((rc = tlc_tar_reader_new(&r, fd, 0, UINT64_MAX, "fuzz", err)) < 0)
		return rc;
	while ((rc = tlc_tar_reader_next(r, &e, err)) == 1 && n++ < 100000) {
		check_name(e->name);
		if (e->type == TLC_TAR_HARDLINK)
			check_name(e->linkname);
		for (const char *c = e->name; *c; c++)
			*sig = (*sig ^ (unsigned char)*c) * 1099511628211ull;
		*sig = (*sig ^ (uint64_t)e->type ^ e->size) * 1099511628211ull;
		while ((rc = tlc_tar_reader_read(r, buf, sizeof(buf), &got,
						 err)) == 0 && got)
			for (size_t i = 0; i < got; i++)
				*sig = (*sig ^ (unsigned char)buf[i]) *
				       1099511628211ull;
		if (rc < 0)
			break;
	}
	tlc_tar_reader_free(r);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_error e1 = TLC_ERROR_INIT, e2 = TLC_ERROR_INIT;
	uint64_t s1, s2;
	int fd = memfd_create("fuzz-tar", MFD_CLOEXEC), gz, rc1, rc2;
	uLongf zlen;
	unsigned char *z;
	z_stream zs;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	rc1 = run(fd, &s1, &e1);
	if (rc1 < 0) {
		fuzz_check_refusal(rc1, &e1);
		fuzz_check_utf8(&e1);
	}
	close(fd);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0;	/* already gzip */
	/* the same bytes through gzip must read the same */
	zlen = compressBound(size) + 64;
	if (!(z = malloc(zlen)))
		abort();
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)size;
	zs.next_out = z;
	zs.avail_out = (uInt)zlen;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	zlen = zs.total_out;
	deflateEnd(&zs);
	gz = memfd_create("fuzz-tar-gz", MFD_CLOEXEC);
	if (gz < 0 || write(gz, z, zlen) != (ssize_t)zlen)
		abort();
	rc2 = run(gz, &s2, &e2);
	close(gz);
	free(z);
	if (rc1 != rc2 || (rc1 >= 0 && s1 != s2))
		abort();
	if (rc2 < 0)
		fuzz_check_refusal(rc2, &e2);
	return 0;
}
