/*
 * libFuzzer target for the PEP 440 parser: parse; if that works, the
 * canonical form must parse again to the same version and format to
 * itself (a fixed point), and normalize must agree with parse + format.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/pep440.h"

#include "fuzzutil.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_buf canon = TLC_BUF_INIT, again = TLC_BUF_INIT;
	struct tlc_buf norm = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v, w;
	char *s;
	int rc;

	if (!(s = fuzz_string(data, size)))
		return 0;

	rc = tlc_pep440_parse(&v, s, &err);
	if (tlc_pep440_normalize(&norm, s, &err) != rc)
		abort();
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		if (norm.len != 0)
			abort();
		goto out;
	}
	if (err.code != 0)
		abort();	/* untouched on success */
	if (v.nrelease < 1 || v.nrelease > TLC_PEP440_MAX_RELEASE)
		abort();
	if (tlc_pep440_format(&canon, &v) != 0)
		abort();
	if (strcmp(canon.ptr, norm.ptr) != 0)
		abort();
	/* canonical output is short enough to be read back */
	rc = tlc_pep440_parse(&w, canon.ptr, &err);
	if (rc == TLC_ETOOBIG && canon.len > TLC_PEP440_MAX_INPUT)
		goto out;
	if (rc != 0)
		abort();
	if (tlc_pep440_cmp(&v, &w) != 0 || tlc_pep440_cmp(&w, &v) != 0)
		abort();
	if (tlc_pep440_cmp(&v, &v) != 0)
		abort();
	if (tlc_pep440_format(&again, &w) != 0)
		abort();
	if (strcmp(canon.ptr, again.ptr) != 0)
		abort();
	/* the nightly rule never fails on a version without local label */
	if (!v.local[0]) {
		struct tlc_pep440 d;

		tlc_buf_reset(&again);
		rc = tlc_pep440_dev_version(&again, canon.ptr, 7, "abc", true,
					    &err);
		if (rc == 0) {
			if (tlc_pep440_parse(&d, again.ptr, &err) != 0)
				abort();
			if (tlc_pep440_cmp(&d, &v) <= 0)
				abort();
		} else if (!(rc == TLC_ETOOBIG ||
			     (rc == TLC_EPOLICY && v.has_dev && v.dev))) {
			abort();
		}
	}
out:
	tlc_buf_release(&canon);
	tlc_buf_release(&again);
	tlc_buf_release(&norm);
	free(s);
	return 0;
}
