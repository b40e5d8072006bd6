/*
 * libFuzzer target for the core-metadata parser.  The input is handed
 * over as is, not NUL-terminated, so that ASan sees any read past @len.
 * A failure must leave *out NULL and give a one-line message naming the
 * file; a success must give what the header promises: the required fields
 * set and valid, every key a non-empty RFC 822 field name, values and
 * body without NUL (their strlen stays within the input) and without a
 * CR in a value, and tlc_coremeta_get() agreeing with the checked fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/coremeta.h"
#include "tlcpack/names.h"	/* tlc_name_valid */
#include "tlcpack/pep440.h"	/* tlc_pep440_parse, _specifiers_check */

#include "fuzzutil.h"

static void check_field(const struct tlc_coremeta_field *f, size_t size)
{
	size_t klen = strlen(f->key);

	/* RFC 822 section 3.2: field-name = 1*<CHAR except CTLs, SPACE
	 * and ':'> */
	if (klen == 0 || klen > size)
		abort();
	for (const char *k = f->key; *k; k++)
		if (*k <= ' ' || *k >= 0x7f || *k == ':')
			abort();
	if (strlen(f->value) > size || strchr(f->value, '\r'))
		abort();
}

static void check_meta(const struct tlc_coremeta *m, size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_pep440 v;

	if (!m->metadata_version || !m->name || !m->version || !m->body)
		abort();
	if (m->nfields < 3 || m->nfields > TLC_COREMETA_MAX_FIELDS ||
	    !m->fields)
		abort();
	for (size_t i = 0; i < m->nfields; i++)
		check_field(&m->fields[i], size);
	if (strlen(m->body) > size)
		abort();

	/* the checked fields are valid, and the first (only) of their key */
	if (!tlc_name_valid(m->name))
		abort();
	if (tlc_pep440_parse(&v, m->version, &err) != 0 ||
	    strpbrk(m->version, " \t\n\r\f\v"))
		abort();
	if (m->requires_python &&
	    tlc_pep440_specifiers_check(m->requires_python,
					strlen(m->requires_python), &err) != 0)
		abort();
	if (tlc_coremeta_get(m, "metadata-version") != m->metadata_version ||
	    tlc_coremeta_get(m, "NAME") != m->name ||
	    tlc_coremeta_get(m, "Version") != m->version ||
	    tlc_coremeta_get(m, "requires-python") != m->requires_python ||
	    tlc_coremeta_get(m, "summary") != m->summary)
		abort();
	if (err.code != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_coremeta *m = (struct tlc_coremeta *)&err;
	int rc;

	rc = tlc_coremeta_parse(&m, (const char *)data, size, "METADATA",
				&err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		if (m || err.code != rc || strncmp(err.msg, "METADATA", 8))
			abort();
		return 0;
	}
	if (rc != 0 || !m || err.code != 0 || err.msg[0])
		abort();
	check_meta(m, size);
	tlc_coremeta_free(m);
	return 0;
}
