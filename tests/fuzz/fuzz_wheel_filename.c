/*
 * libFuzzer target for wheel filenames: parse; if that works, format a
 * filename from the parts and parse it again; the parts must survive
 * (name escaped, version normalized) and formatting must then be a fixed
 * point.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/names.h"
#include "tlcpack/pep440.h"

#include "fuzzutil.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_buf f1 = TLC_BUF_INIT, f2 = TLC_BUF_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_wheel_filename w, w2;
	char *s;
	int rc;

	if (!(s = fuzz_string(data, size)))
		return 0;

	rc = tlc_wheel_filename_parse(&w, s, &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		goto out;
	}
	if (!tlc_name_valid(w.name))
		abort();
	rc = tlc_wheel_filename_format(&f1, w.name, w.version, w.build,
				       w.python, w.abi, w.platform, &err);
	if (rc == TLC_ETOOBIG) {
		/* only normalization can make a field grow */
		fuzz_check_refusal(rc, &err);
		goto out;
	}
	if (rc != 0)
		abort();
	if (tlc_wheel_filename_parse(&w2, f1.ptr, &err) != 0)
		abort();
	if (tlc_name_wheel_escape(&b, w.name, &err) != 0 ||
	    strcmp(b.ptr, w2.name) != 0)
		abort();
	tlc_buf_reset(&b);
	if (tlc_pep440_normalize(&b, w.version, &err) != 0 ||
	    strcmp(b.ptr, w2.version) != 0)
		abort();
	if (strcmp(w.build, w2.build) || strcmp(w.python, w2.python) ||
	    strcmp(w.abi, w2.abi) || strcmp(w.platform, w2.platform))
		abort();
	if (tlc_wheel_filename_format(&f2, w2.name, w2.version, w2.build,
				      w2.python, w2.abi, w2.platform,
				      &err) != 0)
		abort();
	if (strcmp(f1.ptr, f2.ptr) != 0)
		abort();
out:
	tlc_buf_release(&f1);
	tlc_buf_release(&f2);
	tlc_buf_release(&b);
	free(s);
	return 0;
}
