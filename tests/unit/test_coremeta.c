/*
 * Core metadata (https://packaging.python.org/en/latest/specifications/
 * core-metadata/): METADATA as wheels and PEP 658 index files hold it,
 * read as Python's email.parser (compat32) reads it, and hostile text
 * refused with a one-line message naming the line and the rule.
 *
 * Where a comment says what Python does, it was checked with
 * email.parser.Parser(policy=email.policy.compat32) of Python 3.11.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tlcpack/coremeta.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define HEAD "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"

static void check_one_line(const char *msg)
{
	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

/* Parse @len bytes that must be valid; err must stay untouched. */
static struct tlc_coremeta *parse_ok_n(const char *text, size_t len)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_coremeta *m = NULL;

	if (tlc_coremeta_parse(&m, text, len, "METADATA", &err) != 0)
		fail_msg("'%.60s': %s", text, err.msg);
	assert_non_null(m);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	/* the invariants every caller relies on */
	assert_non_null(m->metadata_version);
	assert_non_null(m->name);
	assert_non_null(m->version);
	assert_non_null(m->body);
	for (size_t i = 0; i < m->nfields; i++) {
		assert_true(m->fields[i].key[0] != '\0');
		assert_non_null(m->fields[i].value);
	}
	return m;
}

static struct tlc_coremeta *parse_ok(const char *text)
{
	return parse_ok_n(text, strlen(text));
}

static void test_coremeta__metadata_versions(void **state)
{
	/* every version of the spec, and a later minor one (the spec:
	 * "tools SHOULD warn" on a newer minor version, not fail) */
	static const char *const versions[] = {
		"1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5",
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < N(versions); i++) {
		struct tlc_coremeta *m;

		snprintf(text, sizeof(text), "Metadata-Version: %s\n"
			 "Name: demo\nVersion: 1.0\n", versions[i]);
		m = parse_ok(text);
		assert_string_equal(m->metadata_version, versions[i]);
		assert_string_equal(m->name, "demo");
		assert_string_equal(m->version, "1.0");
		assert_null(m->requires_python);
		assert_null(m->summary);
		assert_string_equal(m->body, "");
		assert_int_equal(m->nfields, 3);
		tlc_coremeta_free(m);
	}
}

static const char wheel_metadata[] =
	"Metadata-Version: 2.1\n"
	"Name: tlc-demo\n"
	"Version: 1.0.post1\n"
	"Summary: A demo: with a colon\n"
	"Requires-Python: >=3.8, !=3.9.*\n"
	"Requires-Dist: numpy>=1.20\n"
	"Requires-Dist: attrs ; extra == 'tests'\n"
	"Provides-Extra: tests\n"
	"X-Unknown-Key: kept\n"
	"Keywords:\n"
	"Classifier: Programming Language :: Python\n"
	"Description-Content-Type: text/markdown\n"
	"\n"
	"# Demo\n"
	"\n"
	"Name: not a field, the body\n";

static void test_coremeta__reads_a_wheel_metadata(void **state)
{
	static const char *const want[][2] = {
		{ "Metadata-Version", "2.1" },
		{ "Name", "tlc-demo" },
		{ "Version", "1.0.post1" },
		{ "Summary", "A demo: with a colon" },
		{ "Requires-Python", ">=3.8, !=3.9.*" },
		{ "Requires-Dist", "numpy>=1.20" },
		{ "Requires-Dist", "attrs ; extra == 'tests'" },
		{ "Provides-Extra", "tests" },
		{ "X-Unknown-Key", "kept" },
		{ "Keywords", "" },
		{ "Classifier", "Programming Language :: Python" },
		{ "Description-Content-Type", "text/markdown" },
	};
	struct tlc_coremeta *m;

	(void)state;
	m = parse_ok(wheel_metadata);
	assert_int_equal(m->nfields, N(want));
	for (size_t i = 0; i < N(want); i++) {
		assert_string_equal(m->fields[i].key, want[i][0]);
		assert_string_equal(m->fields[i].value, want[i][1]);
	}
	assert_string_equal(m->metadata_version, "2.1");
	assert_string_equal(m->name, "tlc-demo");
	assert_string_equal(m->version, "1.0.post1");
	assert_string_equal(m->summary, "A demo: with a colon");
	assert_string_equal(m->requires_python, ">=3.8, !=3.9.*");
	assert_string_equal(m->body,
			    "# Demo\n\nName: not a field, the body\n");
	/* the checked fields point into fields[] */
	assert_ptr_equal(m->name, m->fields[1].value);
	assert_ptr_equal(m->requires_python, m->fields[4].value);

	/* get: case-insensitive, the first of repeated keys, NULL if none */
	assert_string_equal(tlc_coremeta_get(m, "requires-dist"),
			    "numpy>=1.20");
	assert_string_equal(tlc_coremeta_get(m, "X-UNKNOWN-KEY"), "kept");
	assert_string_equal(tlc_coremeta_get(m, "keywords"), "");
	assert_null(tlc_coremeta_get(m, "License"));
	assert_null(tlc_coremeta_get(m, "Name2"));
	assert_null(tlc_coremeta_get(m, "Nam"));
	tlc_coremeta_free(m);
}

static void test_coremeta__continuation_lines(void **state)
{
	struct tlc_coremeta *m;

	(void)state;
	/* RFC 822 section 3.1.1 folding; Python keeps "first\n        second
	 * line..." as read, the header documents the joined form */
	m = parse_ok(HEAD
		     "Description: first\n"
		     "        second line\n"
		     "\tthird\n"
		     " \n"
		     "License: MIT\n"
		     "Requires-Python: >=3.8,\n"
		     "  <4\n"
		     "Summary:\n"
		     " folded\n");
	assert_string_equal(tlc_coremeta_get(m, "Description"),
			    "first\nsecond line\nthird\n");
	assert_string_equal(tlc_coremeta_get(m, "License"), "MIT");
	assert_string_equal(m->requires_python, ">=3.8,\n<4");
	assert_string_equal(m->summary, "\nfolded");
	assert_int_equal(m->nfields, 7);
	assert_string_equal(m->body, "");
	tlc_coremeta_free(m);
}

static void test_coremeta__keys_are_case_insensitive(void **state)
{
	struct tlc_coremeta *m;

	(void)state;
	m = parse_ok("metadata-version: 1.2\n"
		     "NAME: Foo.Bar\n"
		     "vErSiOn: 2.0rc1\n"
		     "requires-python: ~=3.10\n"
		     "SUMMARY: s\n");
	assert_string_equal(m->metadata_version, "1.2");
	assert_string_equal(m->name, "Foo.Bar");
	assert_string_equal(m->version, "2.0rc1");
	assert_string_equal(m->requires_python, "~=3.10");
	assert_string_equal(m->summary, "s");
	/* keys as written */
	assert_string_equal(m->fields[1].key, "NAME");
	assert_string_equal(tlc_coremeta_get(m, "Name"), "Foo.Bar");
	tlc_coremeta_free(m);
}

static void test_coremeta__crlf_line_endings(void **state)
{
	struct tlc_coremeta *m;

	(void)state;
	/* Python: Name 'x', body 'body\r\nmore\r\n' */
	m = parse_ok("Metadata-Version: 2.1\r\n"
		     "Name: x\r\n"
		     "Version: 1.0\n"	/* mixed with LF */
		     "Description: a\r\n"
		     "  b\r\n"
		     "\r\n"
		     "body\r\nmore\r\n");
	assert_string_equal(m->name, "x");
	assert_string_equal(m->version, "1.0");
	assert_string_equal(tlc_coremeta_get(m, "Description"), "a\nb");
	assert_string_equal(m->body, "body\r\nmore\r\n");
	tlc_coremeta_free(m);

	/* a last line without its line break, CR or not */
	m = parse_ok("Metadata-Version: 2.1\r\nName: x\r\nVersion: 1.0\r");
	assert_string_equal(m->version, "1.0");
	assert_string_equal(m->body, "");
	tlc_coremeta_free(m);
	m = parse_ok("Metadata-Version: 2.1\nName: x\nVersion: 1.0");
	assert_string_equal(m->version, "1.0");
	tlc_coremeta_free(m);
}

static void test_coremeta__values_and_body(void **state)
{
	struct tlc_coremeta *m;

	(void)state;
	/* blanks after the colon go, the rest of the value stays */
	m = parse_ok("Metadata-Version:\t2.1\nName:    x\nVersion:1.0\n"
		     "Author: A  B  \n"
		     "Project-URL: Home, https://example.org/a:b\n"
		     "\n");
	assert_string_equal(m->metadata_version, "2.1");
	assert_string_equal(m->name, "x");
	assert_string_equal(m->version, "1.0");
	assert_string_equal(tlc_coremeta_get(m, "Author"), "A  B  ");
	assert_string_equal(tlc_coremeta_get(m, "Project-URL"),
			    "Home, https://example.org/a:b");
	assert_string_equal(m->body, "");
	tlc_coremeta_free(m);

	/* UTF-8 in values and body; the body is kept byte for byte */
	m = parse_ok(HEAD "Author: J\xc3\xa9r\xc3\xb4me \xf0\x9f\x90\x8d\n\n"
		     "\xe2\x80\xae body\n\n\n  indented: x\n");
	assert_string_equal(tlc_coremeta_get(m, "author"),
			    "J\xc3\xa9r\xc3\xb4me \xf0\x9f\x90\x8d");
	assert_string_equal(m->body, "\xe2\x80\xae body\n\n\n  indented: x\n");
	tlc_coremeta_free(m);

	/* the text need not be NUL-terminated: only @len bytes are read */
	m = parse_ok_n(HEAD "Summary: abcXYZ", strlen(HEAD) + 12);
	assert_string_equal(m->summary, "abc");
	tlc_coremeta_free(m);
}

struct bad_case {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int code;
	const char *msg;	/* the whole message */
};

static const struct bad_case bad_cases[] = {
	{ "", 0, TLC_EPOLICY, "METADATA: empty" },
	/* the required fields (core metadata spec, "Metadata-Version",
	 * "Name", "Version": "Required") */
	{ "Name: x\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA: missing the 'Metadata-Version' field (core metadata "
	  "requires it)" },
	{ "Metadata-Version: 2.1\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA: missing the 'Name' field (core metadata requires it)" },
	{ "Metadata-Version: 2.1\nName: x\n", 0, TLC_EPOLICY,
	  "METADATA: missing the 'Version' field (core metadata requires "
	  "it)" },
	/* after the empty line it is the body, not a field */
	{ "Metadata-Version: 2.1\nName: x\n\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA: missing the 'Version' field (core metadata requires "
	  "it)" },
	{ "\nMetadata-Version: 2.1\nName: x\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA: missing the 'Metadata-Version' field (core metadata "
	  "requires it)" },
	/* checked values */
	{ "Metadata-Version: 2.1\nName: a b\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'a b'" },
	{ "Metadata-Version: 2.1\nName: -x\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'-x'" },
	{ "Metadata-Version: 2.1\nName:\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "''" },
	{ "Metadata-Version: 2.1\nName: x\n y\nVersion: 1.0\n", 0,
	  TLC_EPOLICY,
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'x\\x0ay'" },
	{ "Metadata-Version: 2.1\nName: x\nVersion: 1.0-foo\n", 0,
	  TLC_EPOLICY,
	  "METADATA line 3: 'Version' is not a PEP 440 version: invalid "
	  "version '1.0-foo': unexpected 'foo'" },
	{ "Metadata-Version: 2.1\nName: x\nVersion:\n", 0, TLC_EPOLICY,
	  "METADATA line 3: 'Version' is not a PEP 440 version: invalid "
	  "version '': empty" },
	{ "Metadata-Version: 2.1\nName: x\nVersion: 1.0 \n", 0, TLC_EPOLICY,
	  "METADATA line 3: 'Version' must not contain whitespace: '1.0 '" },
	{ "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n \n", 0,
	  TLC_EPOLICY,
	  "METADATA line 3: 'Version' must not contain whitespace: "
	  "'1.0\\x0a'" },
	{ "Metadata-Version: 2.1\nName: x\nVersion: 1.99999999999999999999\n",
	  0, TLC_ETOOBIG,
	  "METADATA line 3: 'Version' is not a PEP 440 version: invalid "
	  "version '1.99999999999999999999': number over 2^64-1: "
	  "'99999999999999999999'" },
	{ HEAD "Requires-Python: 3.8\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'Requires-Python' is not a PEP 440 specifier "
	  "set: invalid version specifier '3.8': '3.8' has no operator (one "
	  "of ~= == != <= >= < > ===)" },
	{ HEAD "Requires-Python: >=3.8,\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'Requires-Python' is not a PEP 440 specifier "
	  "set: invalid version specifier '>=3.8,': empty clause after ','" },
	{ HEAD "Requires-Python:\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'Requires-Python' is not a PEP 440 specifier "
	  "set: invalid version specifier '': empty" },
	{ "Metadata-Version: 3.0\nName: x\nVersion: 1\n", 0, TLC_EPOLICY,
	  "METADATA line 1: unsupported 'Metadata-Version' '3.0' (only 1.x "
	  "and 2.x are known)" },
	{ "Metadata-Version: 123456.0\nName: x\nVersion: 1\n", 0, TLC_EPOLICY,
	  "METADATA line 1: unsupported 'Metadata-Version' '123456.0' (only "
	  "1.x and 2.x are known)" },
	{ "Metadata-Version: 2\nName: x\nVersion: 1\n", 0, TLC_EPOLICY,
	  "METADATA line 1: 'Metadata-Version' must be <major>.<minor>: "
	  "'2'" },
	{ "Metadata-Version: 2.1.0\nName: x\nVersion: 1\n", 0, TLC_EPOLICY,
	  "METADATA line 1: 'Metadata-Version' must be <major>.<minor>: "
	  "'2.1.0'" },
	/* text: UTF-8 (RFC 3629) without NUL */
	{ HEAD "Summary: a\0b\n", sizeof(HEAD) - 1 + 13, TLC_EPOLICY,
	  "METADATA line 4: NUL byte (core metadata is text)" },
	{ HEAD "\nbody\0\n", sizeof(HEAD) - 1 + 7, TLC_EPOLICY,
	  "METADATA line 5: NUL byte (core metadata is text)" },
	{ HEAD "Summary: caf\xe9\n", 0, TLC_EPOLICY,
	  "METADATA line 4: invalid UTF-8 at byte 0xe9 (RFC 3629)" },
	{ HEAD "Summary: \xc0\xaf\n", 0, TLC_EPOLICY,	/* overlong '/' */
	  "METADATA line 4: invalid UTF-8 at byte 0xc0 (RFC 3629)" },
	{ HEAD "Summary: \xed\xa0\x80\n", 0, TLC_EPOLICY,	/* surrogate */
	  "METADATA line 4: invalid UTF-8 at byte 0xed (RFC 3629)" },
	{ HEAD "Summary: \xf4\x90\x80\x80\n", 0, TLC_EPOLICY, /* > 10FFFF */
	  "METADATA line 4: invalid UTF-8 at byte 0xf4 (RFC 3629)" },
	{ HEAD "Summary: \xe2\x82", 0, TLC_EPOLICY,	/* cut short */
	  "METADATA line 4: invalid UTF-8 at byte 0xe2 (RFC 3629)" },
	{ HEAD "\n\n\xff\n", 0, TLC_EPOLICY,
	  "METADATA line 6: invalid UTF-8 at byte 0xff (RFC 3629)" },
	/* header lines: Python would end the headers at the first of these
	 * and read the rest as the body */
	{ HEAD "Summary x\n", 0, TLC_EPOLICY,
	  "METADATA line 4: no ':' in a header line (the headers are 'Key: "
	  "value' lines up to an empty line): 'Summary x'" },
	{ "Metadata-Version: 2.1\nName: x\n--\nVersion: 1.0\n", 0,
	  TLC_EPOLICY,
	  "METADATA line 3: no ':' in a header line (the headers are 'Key: "
	  "value' lines up to an empty line): '--'" },
	{ HEAD "Summary : x\n", 0, TLC_EPOLICY,
	  "METADATA line 4: field name must be printable ASCII without "
	  "spaces: 'Summary '" },
	{ HEAD "Sum\xc3\xa9: x\n", 0, TLC_EPOLICY,
	  "METADATA line 4: field name must be printable ASCII without "
	  "spaces: 'Sum\\xc3\\xa9'" },
	{ HEAD "Sum\x1b[31m: x\n", 0, TLC_EPOLICY,
	  "METADATA line 4: field name must be printable ASCII without "
	  "spaces: 'Sum\\x1b[31m'" },
	{ HEAD ": x\n", 0, TLC_EPOLICY,
	  "METADATA line 4: empty field name: ': x'" },
	{ HEAD "Summary: a\rb\n", 0, TLC_EPOLICY,
	  "METADATA line 4: carriage return inside a header line (lines end "
	  "with LF or CRLF)" },
	{ "Metadata-Version: 2.1\rName: x\nVersion: 1.0\n", 0, TLC_EPOLICY,
	  "METADATA line 1: carriage return inside a header line (lines end "
	  "with LF or CRLF)" },
	{ " Name: x\n" HEAD, 0, TLC_EPOLICY,
	  "METADATA line 1: continuation line (starting with a space or a "
	  "tab) before the first field" },
	{ "\tx\n" HEAD, 0, TLC_EPOLICY,
	  "METADATA line 1: continuation line (starting with a space or a "
	  "tab) before the first field" },
	/* single-use fields given twice: which one counts is ambiguous */
	{ HEAD "Name: y\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'Name' given twice (first on line 2); it is a "
	  "single-use field" },
	{ HEAD "version: 2.0\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'version' given twice (first on line 3); it is "
	  "a single-use field" },
	{ HEAD "Metadata-Version: 2.1\n", 0, TLC_EPOLICY,
	  "METADATA line 4: 'Metadata-Version' given twice (first on line "
	  "1); it is a single-use field" },
	{ HEAD "Requires-Python: >=3\nDescription: d\n x\n"
	  "Requires-Python: >=3\n", 0, TLC_EPOLICY,
	  "METADATA line 7: 'Requires-Python' given twice (first on line "
	  "4); it is a single-use field" },
	{ HEAD "Summary: a\nSUMMARY: b\n", 0, TLC_EPOLICY,
	  "METADATA line 5: 'SUMMARY' given twice (first on line 4); it is "
	  "a single-use field" },
	/* quoted input is cut and escaped */
	{ "Metadata-Version: 2.1\nName: "
	  "a-very-long-name-that-goes-on-and-on-an!\nVersion: 1\n", 0,
	  TLC_EPOLICY,	/* 40 bytes: quoted whole */
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'a-very-long-name-that-goes-on-and-on-an!'" },
	{ "Metadata-Version: 2.1\nName: "
	  "a-very-long-name-that-goes-on-and-on-and!\nVersion: 1\n", 0,
	  TLC_EPOLICY,	/* 41 bytes: cut */
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'a-very-long-name-that-goes-on-and-on-and...'" },
	{ "Metadata-Version: 2.1\nName: \xe2\x80\xae\x64\x63\\\nVersion: 1\n",
	  0, TLC_EPOLICY,
	  "METADATA line 2: 'Name' is not a valid project name (PEP 508): "
	  "'\\xe2\\x80\\xaedc\\x5c'" },
};

static void test_coremeta__refuses_hostile_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_coremeta *m = (struct tlc_coremeta *)&err;
		int rc;

		rc = tlc_coremeta_parse(&m, c->in, len, "METADATA", &err);
		if (rc != c->code)
			fail_msg("case %zu ('%.40s'): rc %d (%s), want %d", i,
				 c->in, rc, err.msg, c->code);
		assert_null(m);
		assert_int_equal(err.code, rc);
		check_one_line(err.msg);
		if (strcmp(err.msg, c->msg) != 0)
			fail_msg("case %zu: message\n  '%s', want\n  '%s'", i,
				 err.msg, c->msg);
	}
}

/* @what is quoted too: a name from an archive is input as well. */
static void test_coremeta__what_is_quoted(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_coremeta *m;

	(void)state;
	assert_int_equal(tlc_coremeta_parse(&m, "x", 1,
					    "a\nb-1.0.dist-info/METADATA",
					    &err), TLC_EPOLICY);
	assert_string_equal(err.msg, "a\\x0ab-1.0.dist-info/METADATA line 1: "
			    "no ':' in a header line (the headers are 'Key: "
			    "value' lines up to an empty line): 'x'");
	assert_null(m);
}

/* Append "X-<i>: v\n" lines to make @nfields fields in all. */
static char *many_fields(size_t nfields, size_t *len)
{
	size_t cap = strlen(HEAD) + nfields * 16 + 1, n;
	char *s = malloc(cap);

	assert_non_null(s);
	memcpy(s, HEAD, strlen(HEAD));
	n = strlen(HEAD);
	for (size_t i = 3; i < nfields; i++)
		n += (size_t)snprintf(s + n, cap - n, "X-%zu: v\n", i);
	s[n] = '\0';
	*len = n;
	return s;
}

static void test_coremeta__limits(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_coremeta *m;
	size_t len, hl = strlen(HEAD "\n");
	char *s;

	(void)state;
	/* TLC_COREMETA_MAX_FIELDS fields: fine; one more: too many */
	s = many_fields(TLC_COREMETA_MAX_FIELDS, &len);
	m = parse_ok_n(s, len);
	assert_int_equal(m->nfields, TLC_COREMETA_MAX_FIELDS);
	assert_string_equal(m->fields[TLC_COREMETA_MAX_FIELDS - 1].key,
			    "X-65535");
	tlc_coremeta_free(m);
	free(s);
	s = many_fields(TLC_COREMETA_MAX_FIELDS + 1, &len);
	assert_int_equal(tlc_coremeta_parse(&m, s, len, "METADATA", &err),
			 TLC_ETOOBIG);
	assert_null(m);
	assert_string_equal(err.msg, "METADATA line 65537: more than 65536 "
			    "fields");
	free(s);

	/* TLC_COREMETA_MAX bytes: fine (a long body); one more: too big */
	s = malloc(TLC_COREMETA_MAX + 1);
	assert_non_null(s);
	memcpy(s, HEAD "\n", hl);
	memset(s + hl, 'x', TLC_COREMETA_MAX + 1 - hl);
	m = parse_ok_n(s, TLC_COREMETA_MAX);
	assert_int_equal(strlen(m->body), TLC_COREMETA_MAX - hl);
	tlc_coremeta_free(m);
	assert_int_equal(tlc_coremeta_parse(&m, s, TLC_COREMETA_MAX + 1,
					    "METADATA", &err), TLC_ETOOBIG);
	assert_null(m);
	assert_string_equal(err.msg, "METADATA: over 16777216 bytes");
	free(s);

	tlc_coremeta_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coremeta__metadata_versions),
		cmocka_unit_test(test_coremeta__reads_a_wheel_metadata),
		cmocka_unit_test(test_coremeta__continuation_lines),
		cmocka_unit_test(test_coremeta__keys_are_case_insensitive),
		cmocka_unit_test(test_coremeta__crlf_line_endings),
		cmocka_unit_test(test_coremeta__values_and_body),
		cmocka_unit_test(test_coremeta__refuses_hostile_input),
		cmocka_unit_test(test_coremeta__what_is_quoted),
		cmocka_unit_test(test_coremeta__limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
