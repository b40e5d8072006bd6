/*
 * Streaming digests: SHA-256, MD5 and BLAKE2b-256 against known values,
 * fed whole and in every split; the RFC 7693 Appendix A vector for
 * BLAKE2b-512 through the same compression code; the hex check's
 * messages.
 *
 * The expected values were computed with Python's hashlib when the table
 * was written: hashlib.blake2b(m, digest_size=32), hashlib.sha256(m),
 * hashlib.md5(m), for m = bytes((i * 7 + 3) & 0xff for i in range(n)).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* the static BLAKE2b functions, for the 64-byte vector */
#include "../../src/lib/digest.c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct vector {
	size_t n;
	const char *blake2b_256;
	const char *sha256;
	const char *md5;
};

static const struct vector vectors[] = {
	{ 0, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	  "d41d8cd98f00b204e9800998ecf8427e" },
	{ 1, "e88bd757ad5b9bedf372d8d3f0cf6c962a469db61a265f6418e1ffed86da29ec",
	  "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5",
	  "8666683506aacd900bbd5a74ac4edf68" },
	{ 3, "9facd640130c81e7f318a8d5c660bc1b0f5d03861ffbd4cc1358e0e904593c28",
	  "6ab0dba1f4f1dfbb37b4f9eeb092c09fca4900ad32bdcd147d8dde35d6c87c35",
	  "c9aee4810523ef8658121b8d492c6b41" },
	{ 127, "c9ae3859964b35f04c54b36d33cf299d7290ee621005d28e51598a943560aaaa",
	  "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07",
	  "acce2474d6cc8302120d09c818d17ef7" },
	{ 128, "f0501d06597880592bc49234eef100ec1ff349058d0e9d9b753504e24af86dd6",
	  "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6",
	  "10b2da1a82f16d99a81a7203fe9f02cb" },
	{ 129, "a34a4e1e03c541dfbf3099c4b6c143c022ced65c28bd7e8a10e0a098461aecf0",
	  "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4",
	  "03fefbbcebe2959cf2270241aafe0250" },
	{ 255, "f2d64a40e9412a3414161ff6250075225418fd7c271c1123e162e1bca0de9f93",
	  "3c8af6e36699077166f180b277f93992e354c66a63a3541ef18d61524eac85e9",
	  "63bada79fee9101a5abc3841d5de0b11" },
	{ 256, "d93ebb9c802f5630ab22516fd82b6c21bc8bd551d531349b715f046ed11ed871",
	  "d9c76fa34978cb9620dab8c3f46bbe075fddc145eb282b39009141f98d0cfe82",
	  "d436d767fed83db89eacc70ed6cbd839" },
	{ 257, "4ce481b24d387422d2bc2baa03d1afd55a1327939ff537c71eb9b38709268649",
	  "b65c390e4482123ae81c3462cd2ce5bac55cd9dfde2fcf9295c7d320ee453fc5",
	  "8e2134d5d1b01a551538448c7f25e37e" },
	{ 1000, "d62b6c768ce1afc8367e0498ab2f8e3f7c178c35b1429f14c4604b545d200f52",
	  "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371",
	  "10046f077f2082ac19676b8079f1cb1a" },
	{ 65541,
	  "96080baf7a9df6f5a0379f2d9e7545f714dc4f85d463e9078298b52896350097",
	  "df8a3b2f2bd9eae54b2e6fc549577e7c3216cb53c1c4925ca437a3e0da192a64",
	  "b3484b9a86c963bc909e444c7a5641af" },
};

static unsigned char *message(size_t n)
{
	unsigned char *m = malloc(n + 1);

	assert_non_null(m);
	for (size_t i = 0; i < n; i++)
		m[i] = (unsigned char)((i * 7 + 3) & 0xff);
	return m;
}

static void to_hex(char *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void assert_digest(const struct tlc_digests *d, unsigned kind,
			  const char *want)
{
	const unsigned char *got = tlc_digests_get(d, kind);
	char hex[2 * TLC_DIGEST_MAX + 1];

	assert_non_null(got);
	to_hex(hex, got, tlc_digest_size(kind));
	assert_string_equal(hex, want);
}

static struct tlc_digests *all_kinds(void)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_digests *d;

	assert_int_equal(tlc_digests_new(&d, TLC_DIGEST_SHA256 |
					 TLC_DIGEST_BLAKE2B_256 |
					 TLC_DIGEST_MD5, &err), 0);
	return d;
}

static void test_digest__vectors_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(vectors); i++) {
		const struct vector *v = &vectors[i];
		unsigned char *m = message(v->n);
		struct tlc_digests *d = all_kinds();

		tlc_digests_update(d, m, v->n);
		assert_null(tlc_digests_get(d, TLC_DIGEST_SHA256));
		tlc_digests_final(d);
		tlc_digests_final(d);	/* a second final does nothing */
		assert_digest(d, TLC_DIGEST_BLAKE2B_256, v->blake2b_256);
		assert_digest(d, TLC_DIGEST_SHA256, v->sha256);
		assert_digest(d, TLC_DIGEST_MD5, v->md5);
		tlc_digests_free(d);
		free(m);
	}
}

/* Two slices split at every point, and slices of every size 1..300. */
static void test_digest__vectors_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(vectors); i++) {
		const struct vector *v = &vectors[i];
		unsigned char *m = message(v->n);
		size_t step = v->n > 2000 ? 997 : 1;

		for (size_t cut = 0; cut <= v->n; cut += step) {
			struct tlc_digests *d = all_kinds();

			tlc_digests_update(d, m, cut);
			tlc_digests_update(d, m + cut, v->n - cut);
			tlc_digests_final(d);
			assert_digest(d, TLC_DIGEST_BLAKE2B_256,
				      v->blake2b_256);
			assert_digest(d, TLC_DIGEST_SHA256, v->sha256);
			tlc_digests_free(d);
		}
		for (size_t sz = 1; sz <= 300 && v->n < 2000; sz++) {
			struct tlc_digests *d = all_kinds();

			for (size_t off = 0; off < v->n; off += sz)
				tlc_digests_update(d, m + off,
						   v->n - off < sz ?
						   v->n - off : sz);
			tlc_digests_final(d);
			assert_digest(d, TLC_DIGEST_BLAKE2B_256,
				      v->blake2b_256);
			assert_digest(d, TLC_DIGEST_MD5, v->md5);
			tlc_digests_free(d);
		}
		free(m);
	}
}

/* "abc", and RFC 7693 Appendix A: BLAKE2b-512("abc"), whose first 32
 * bytes are not BLAKE2b-256("abc"): the length is in the parameter
 * block. */
static void test_digest__abc(void **state)
{
	static const char b512[] =
		"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
		"7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
	struct tlc_digests *d = all_kinds();
	struct blake2b s;
	unsigned char out[64];
	char hex[129];

	(void)state;
	tlc_digests_update(d, "abc", 3);
	tlc_digests_final(d);
	assert_digest(d, TLC_DIGEST_BLAKE2B_256,
		      "bddd813c634239723171ef3fee98579b"
		      "94964e3bb1cb3e427262c8c068d52319");
	assert_digest(d, TLC_DIGEST_SHA256,
		      "ba7816bf8f01cfea414140de5dae2223"
		      "b00361a396177a9cb410ff61f20015ad");
	assert_digest(d, TLC_DIGEST_MD5, "900150983cd24fb0d6963f7d28e17f72");

	b2_init(&s, 64);
	b2_update(&s, (const unsigned char *)"abc", 3);
	b2_final(&s, out);
	to_hex(hex, out, 64);
	assert_string_equal(hex, b512);
	assert_memory_not_equal(out, tlc_digests_get(d,
			TLC_DIGEST_BLAKE2B_256), 32);
	tlc_digests_free(d);
}

/* Only the kinds asked for are there. */
static void test_digest__only_kinds_asked(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_digests *d;

	(void)state;
	assert_int_equal(tlc_digests_new(&d, TLC_DIGEST_BLAKE2B_256, &err), 0);
	assert_null(d->sha256);
	assert_null(d->md5);
	tlc_digests_update(d, "abc", 3);
	tlc_digests_final(d);
	assert_non_null(tlc_digests_get(d, TLC_DIGEST_BLAKE2B_256));
	assert_null(tlc_digests_get(d, TLC_DIGEST_SHA256));
	assert_null(tlc_digests_get(d, TLC_DIGEST_MD5));
	tlc_digests_free(d);

	assert_int_equal(tlc_digests_new(&d, TLC_DIGEST_MD5, &err), 0);
	tlc_digests_final(d);
	assert_digest(d, TLC_DIGEST_MD5, "d41d8cd98f00b204e9800998ecf8427e");
	assert_null(tlc_digests_get(d, TLC_DIGEST_BLAKE2B_256));
	tlc_digests_free(d);
	tlc_digests_free(NULL);

	assert_int_equal(tlc_digest_size(TLC_DIGEST_SHA256), 32);
	assert_int_equal(tlc_digest_size(TLC_DIGEST_BLAKE2B_256), 32);
	assert_int_equal(tlc_digest_size(TLC_DIGEST_MD5), 16);
	assert_int_equal(tlc_digest_size(3), 0);
}

static void test_digest__check(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_digests *d = all_kinds();

	(void)state;
	tlc_digests_update(d, "abc", 3);
	tlc_digests_final(d);
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_SHA256,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256_digest", &err), 0);
	assert_int_equal(err.code, 0);	/* untouched */
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_SHA256,
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"sha256_digest", &err), 0);
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_MD5,
		"900150983cd24fb0d6963f7d28e17f72", "md5_digest", &err), 0);
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_BLAKE2B_256,
		"bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
		"blake2_256_digest", &err), 0);

	/* BLAKE2b-512 cut to 32 bytes is another value */
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_BLAKE2B_256,
		"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1",
		"blake2_256_digest", &err), TLC_EPOLICY);
	assert_string_equal(err.msg,
			    "blake2_256_digest does not match the uploaded file");
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_SHA256,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae",
		"sha256_digest", &err), TLC_EPOLICY);
	assert_string_equal(err.msg,
			    "sha256_digest does not match the uploaded file");
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_SHA256,
		"ba7816bf", "sha256_digest", &err), TLC_EPOLICY);
	assert_string_equal(err.msg, "sha256_digest is not 64 hex digits");
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_MD5,
		"900150983cd24fb0d6963f7d28e17f7g", "md5_digest", &err),
		TLC_EPOLICY);
	assert_string_equal(err.msg, "md5_digest is not 32 hex digits");
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_MD5,
		"900150983cd24fb0d6963f7d28e17f72 ", "md5_digest", &err),
		TLC_EPOLICY);
	assert_string_equal(err.msg, "md5_digest is not 32 hex digits");
	assert_int_equal(tlc_digests_check(d, TLC_DIGEST_MD5, "", "md5_digest",
					   &err), TLC_EPOLICY);
	tlc_digests_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest__vectors_whole),
		cmocka_unit_test(test_digest__vectors_split),
		cmocka_unit_test(test_digest__abc),
		cmocka_unit_test(test_digest__only_kinds_asked),
		cmocka_unit_test(test_digest__check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
