/*
 * libFuzzer target for the PEP 440 parser: parse; if that works, the
 * canonical form must parse again to the same version and format to
 * itself (a fixed point), and normalize must agree with parse + format.
 *
 * The same input goes to tlc_pep440_specifiers_check as is (not
 * NUL-terminated, so that ASan sees a read past @len): a refusal is
 * TLC_EPOLICY with a one-line message; a set stays valid or invalid with
 * one more clause after it; and a version that parses makes the
 * specifiers PEP 440 says it may follow ("==" always, ">=" without a
 * local label, "~=" with two release numbers as well).
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/pep440.h"

#include "fuzzutil.h"

/* tlc_pep440_specifiers_check on @n bytes at @p, checking a refusal. */
static int spec_check(const char *p, size_t n)
{
	struct tlc_error err = TLC_ERROR_INIT;
	int rc = tlc_pep440_specifiers_check(p, n, &err);

	if (rc == 0) {
		if (err.code != 0 || err.msg[0])
			abort();	/* untouched on success */
		return 0;
	}
	if (rc != TLC_EPOLICY || err.code != rc)
		abort();
	fuzz_check_refusal(rc, &err);
	if (strncmp(err.msg, "invalid version specifier '", 27) != 0)
		abort();
	return rc;
}

static void check_specifiers(const uint8_t *data, size_t size)
{
	int rc = spec_check((const char *)data, size);
	char *more;

	/* only printable ASCII and whitespace get through */
	for (size_t i = 0; rc == 0 && i < size; i++)
		if ((data[i] < 0x20 || data[i] > 0x7e) &&
		    !memchr("\t\n\r\f\v", data[i], 5))
			abort();
	/* "<set>,>=0" is valid exactly when "<set>" is */
	if (!(more = malloc(size + 4)))
		return;
	memcpy(more, data, size);
	memcpy(more + size, ",>=0", 4);
	if ((spec_check(more, size + 4) == 0) != (rc == 0))
		abort();
	free(more);
}

/* The specifiers @v (canonical form @canon) may follow. */
static void check_version_in_specifiers(const struct tlc_pep440 *v,
					const struct tlc_buf *canon)
{
	char spec[2 + TLC_PEP440_MAX_INPUT];
	size_t n = canon->len;

	if (n > TLC_PEP440_MAX_INPUT)
		return;
	memcpy(spec + 2, canon->ptr, n);
	memcpy(spec, "==", 2);
	if (spec_check(spec, n + 2) != 0)
		abort();
	memcpy(spec, ">=", 2);
	if ((spec_check(spec, n + 2) == 0) != !v->local[0])
		abort();
	memcpy(spec, "~=", 2);
	if ((spec_check(spec, n + 2) == 0) !=
	    (!v->local[0] && v->nrelease >= 2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_buf canon = TLC_BUF_INIT, again = TLC_BUF_INIT;
	struct tlc_buf norm = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v, w;
	char *s;
	int rc;

	check_specifiers(data, size);
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
	check_version_in_specifiers(&v, &canon);
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
