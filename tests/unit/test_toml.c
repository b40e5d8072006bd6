/*
 * TOML 1.0.0 (https://toml.io/en/v1.0.0): values and their types, key
 * order, line/column reporting, the lookup API, the error message of each
 * hostile input (the rule broken and where), and the limits on depth,
 * size and time.  Conformance as a whole is the toml/toml-test CTest
 * entry; these are the cases tlcpack itself relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tlcpack/buf.h"
#include "tlcpack/toml.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct tlc_toml *parse_ok(const char *text, size_t len)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	int rc = tlc_toml_parse(&doc, text, len, "t.toml", &err);

	if (rc != 0)
		print_error("unexpected error for <<%s>>: %s\n", text, err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(doc);
	assert_int_equal(err.code, 0);
	return doc;
}

/* "a.b.2.c": table keys and array indexes, simple keys only. */
static const struct tlc_toml_value *lookup(const struct tlc_toml *doc,
					   const char *path)
{
	const struct tlc_toml_value *v = tlc_toml_root(doc);
	char part[64];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		assert_true(n < sizeof(part));
		memcpy(part, path, n);
		part[n] = '\0';
		if (tlc_toml_type(v) == TLC_TOML_ARRAY)
			v = tlc_toml_at(v, (size_t)strtoul(part, NULL, 10));
		else
			v = tlc_toml_get(v, part);
		path += n + (path[n] == '.');
	}
	return v;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- values and types ---- */

struct value_case {
	const char *toml;
	const char *path;
	enum tlc_toml_type type;
	const char *text;	/* strings and date/times */
	size_t text_len;	/* when it holds NUL */
	int64_t i;		/* integers, booleans, container lengths */
	double f;
};

#define S(toml, path, text) { toml, path, TLC_TOML_STRING, text, 0, 0, 0 }
#define I(toml, val) { toml, "x", TLC_TOML_INTEGER, NULL, 0, val, 0 }
#define F(toml, val) { toml, "x", TLC_TOML_FLOAT, NULL, 0, 0, val }
#define D(toml, type, text) { toml, "x", type, text, 0, 0, 0 }

static const struct value_case value_cases[] = {
	/* strings: escapes, "any Unicode scalar value" */
	S("x = \"a\\tb\\n\\\"\\\\\\b\\f\\r\"", "x", "a\tb\n\"\\\b\f\r"),
	S("x = \"\\u00e9\\U0001F600\"", "x", "\xc3\xa9\xf0\x9f\x98\x80"),
	S("x = \"\\uE000\\U0010FFFF\"", "x", "\xee\x80\x80\xf4\x8f\xbf\xbf"),
	S("x = \"caf\xc3\xa9 \xf0\x9f\x8d\xb5\"", "x",
	  "caf\xc3\xa9 \xf0\x9f\x8d\xb5"),
	S("x = 'C:\\Users\\nodejs\\templates'", "x",
	  "C:\\Users\\nodejs\\templates"),
	S("x = ''", "x", ""),
	S("x = \"\"", "x", ""),
	S("x = 'tab\there'", "x", "tab\there"),
	/* multi-line: first newline trimmed, line-ending backslash */
	S("x = \"\"\"\nRoses\nViolets\"\"\"", "x", "Roses\nViolets"),
	S("x = \"\"\"\r\none\r\ntwo\"\"\"", "x", "one\ntwo"),
	S("x = \"\"\"The quick \\\n\n   brown \\\r\n  fox.\"\"\"", "x",
	  "The quick brown fox."),
	S("x = \"\"\"a \\   \n b\"\"\"", "x", "a b"),
	S("x = \"\"\"\"a\"\"\"\"\"", "x", "\"a\"\""),
	S("x = \"\"\"\"\"\"", "x", ""),
	S("x = '''\nfirst\n  second\\n'''", "x", "first\n  second\\n"),
	S("x = ''''quoted'''''", "x", "'quoted''"),
	S("x = '''a\r\nb'''", "x", "a\nb"),
	{ "x = \"a\\u0000b\"", "x", TLC_TOML_STRING, "a\0b", 3, 0, 0 },
	/* integers */
	I("x = 0", 0),
	I("x = +99", 99),
	I("x = -17", -17),
	I("x = -0", 0),
	I("x = 1_000_000", 1000000),
	I("x = 0xDEADBEEF", 0xdeadbeef),
	I("x = 0xdead_beef", 0xdeadbeef),
	I("x = 0x00ff", 255),
	I("x = 0o755", 0755),
	I("x = 0b1101_0110", 0xd6),
	I("x = 9223372036854775807", INT64_MAX),
	I("x = -9223372036854775808", INT64_MIN),
	I("x = 0x7FFFFFFFFFFFFFFF", INT64_MAX),
	I("x = 0b0", 0),
	/* not a date: "31\n\"-" has a '-' four bytes on (a fuzzer find) */
	I("x = 31\n\"-k\" = 1", 31),
	I("x = 1\n\n\n-k = 2", 1),
	I("x = 1\r\n\r\n-k = 2", 1),
	/* floats */
	F("x = 3.1415", 3.1415),
	F("x = -0.01", -0.01),
	F("x = 5e+22", 5e22),
	F("x = 1e06", 1e6),
	F("x = -2E-2", -2e-2),
	F("x = 6.626e-34", 6.626e-34),
	F("x = 224_617.445_991_228", 224617.445991228),
	F("x = 1e1_0", 1e10),
	F("x = 0.0", 0.0),
	F("x = +0.0", 0.0),
	F("x = 1e-400", 0.0),
	F("x = 1.7976931348623157e308", 1.7976931348623157e308),
	F("x = inf", INFINITY),
	F("x = +inf", INFINITY),
	F("x = -inf", -INFINITY),
	/* booleans, as integers 1 and 0 */
	{ "x = true", "x", TLC_TOML_BOOL, NULL, 0, 1, 0 },
	{ "x = false", "x", TLC_TOML_BOOL, NULL, 0, 0, 0 },
	/* date/times, in the toml-test form */
	D("x = 1979-05-27T07:32:00Z", TLC_TOML_DATETIME,
	  "1979-05-27T07:32:00Z"),
	D("x = 1979-05-27 07:32:00.999999-07:00", TLC_TOML_DATETIME,
	  "1979-05-27T07:32:00.999999-07:00"),
	D("x = 1979-05-27t07:32:00z", TLC_TOML_DATETIME,
	  "1979-05-27T07:32:00Z"),
	D("x = 1979-05-27T00:32:00+00:00", TLC_TOML_DATETIME,
	  "1979-05-27T00:32:00+00:00"),
	D("x = 1979-05-27T07:32:00", TLC_TOML_DATETIME_LOCAL,
	  "1979-05-27T07:32:00"),
	D("x = 1979-05-27 07:32:00.5", TLC_TOML_DATETIME_LOCAL,
	  "1979-05-27T07:32:00.5"),
	D("x = 1979-05-27", TLC_TOML_DATE_LOCAL, "1979-05-27"),
	D("x = 1979-05-27 # a date", TLC_TOML_DATE_LOCAL, "1979-05-27"),
	D("x = 00:32:00.999999", TLC_TOML_TIME_LOCAL, "00:32:00.999999"),
	D("x = 2000-02-29", TLC_TOML_DATE_LOCAL, "2000-02-29"),
	D("x = 2024-02-29", TLC_TOML_DATE_LOCAL, "2024-02-29"),
	D("x = 0000-01-01", TLC_TOML_DATE_LOCAL, "0000-01-01"),
	D("x = 1998-12-31T23:59:60Z", TLC_TOML_DATETIME,
	  "1998-12-31T23:59:60Z"),
	D("x = 23:59:59", TLC_TOML_TIME_LOCAL, "23:59:59"),
	/* containers: i is the length; mixed arrays are fine in 1.0 */
	{ "x = []", "x", TLC_TOML_ARRAY, NULL, 0, 0, 0 },
	{ "x = [ 1, 'two', 3.0, [4], {five = 5}, ]", "x", TLC_TOML_ARRAY,
	  NULL, 0, 5, 0 },
	{ "x = [\n  1, # one\n  2,\n\n]", "x", TLC_TOML_ARRAY, NULL, 0, 2,
	  0 },
	{ "x = {}", "x", TLC_TOML_TABLE, NULL, 0, 0, 0 },
	{ "x = { a = 1, b.c = 2 }", "x", TLC_TOML_TABLE, NULL, 0, 2, 0 },
	{ "[[x]]\n[[x]]\n[[x]]", "x", TLC_TOML_ARRAY, NULL, 0, 3, 0 },
	/* keys: quoted, dotted, with blanks, number-like */
	S("\"key with space\" = 'v'", "key with space", "v"),
	S("a . b . c = 'v'", "a.b.c", "v"),
	S("site.\"google.com\" = 'v'", "site", NULL),
	S("3.14159 = 'pi'", "3.14159", "pi"),
	S("1234 = 'v'", "1234", "v"),
	S("'' = 'empty'", "", NULL),
	S("[a.b]\nc = 'v'", "a.b.c", "v"),
	S("[ a . \"b\" ]\nc = 'v'", "a.b.c", "v"),
	S("[[a]]\nb = 'first'\n[[a]]\nb = 'v'", "a.1.b", "v"),
	S("[[a]]\n[a.b]\nc = 'v'", "a.0.b.c", "v"),
	S("[x.y.z]\n[x]\nk = 'v'", "x.k", "v"),
	S("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = 'v'",
	  "fruit.apple.texture.smooth", "v"),
	S("[a.b.c]\n[a]\nb.d = 'v'", "a.b.d", "v"),
	S("\xEF\xBB\xBFx = 'bom'", "x", "bom"),
	S("x = 'crlf'\r\n\r\ny = 'v'\r\n", "y", "v"),
	S("x = 'no newline at end'", "x", "no newline at end"),
};

static void test_toml__values_and_types(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < N(value_cases); i++) {
		const struct value_case *c = &value_cases[i];
		struct tlc_toml *doc = parse_ok(c->toml, strlen(c->toml));
		const struct tlc_toml_value *v = lookup(doc, c->path);
		const char *s;

		if (!v)
			print_error("case %zu: no '%s' in <<%s>>\n", i, c->path,
				    c->toml);
		assert_non_null(v);
		if (c->path[0] == '\0' || !strcmp(c->path, "site")) {
			/* '' and dotted-with-quotes: the value is below */
			if (c->path[0] == '\0')
				v = tlc_toml_get(tlc_toml_root(doc), "");
			else
				v = tlc_toml_get(v, "google.com");
			assert_non_null(v);
		}
		if (tlc_toml_type(v) != c->type)
			print_error("case %zu: type %s, want %s\n", i,
				    tlc_toml_type_name(tlc_toml_type(v)),
				    tlc_toml_type_name(c->type));
		assert_int_equal(tlc_toml_type(v), c->type);
		switch (c->type) {
		case TLC_TOML_STRING:
		case TLC_TOML_DATETIME:
		case TLC_TOML_DATETIME_LOCAL:
		case TLC_TOML_DATE_LOCAL:
		case TLC_TOML_TIME_LOCAL:
			s = tlc_toml_string(v, &len);
			assert_non_null(s);
			assert_int_equal(s[len], '\0');
			if (!c->text)
				break;
			assert_int_equal(len, c->text_len ? c->text_len :
					 strlen(c->text));
			assert_memory_equal(s, c->text, len);
			break;
		case TLC_TOML_INTEGER:
			assert_true(tlc_toml_integer(v) == c->i);
			break;
		case TLC_TOML_FLOAT:
			assert_true(tlc_toml_float(v) == c->f);
			break;
		case TLC_TOML_BOOL:
			assert_int_equal(tlc_toml_bool(v), c->i);
			break;
		default:
			assert_int_equal(tlc_toml_len(v), c->i);
			break;
		}
		tlc_toml_free(doc);
	}
}

static void test_toml__special_floats(void **state)
{
	const char *text = "a = nan\nb = +nan\nc = -nan\nd = -0.0\ne = -0e0";
	struct tlc_toml *doc = parse_ok(text, strlen(text));

	(void)state;
	assert_true(isnan(tlc_toml_float(lookup(doc, "a"))));
	assert_true(isnan(tlc_toml_float(lookup(doc, "b"))));
	assert_true(isnan(tlc_toml_float(lookup(doc, "c"))));
	assert_true(tlc_toml_float(lookup(doc, "d")) == 0.0);
	assert_true(signbit(tlc_toml_float(lookup(doc, "d"))));
	assert_true(signbit(tlc_toml_float(lookup(doc, "e"))));
	tlc_toml_free(doc);
}

/* ---- key order ---- */

static void test_toml__keeps_document_order(void **state)
{
	static const char text[] =
		"zeta = 1\nalpha = 2\nmid.b = 3\nmid.a = 4\n"
		"[tbl.z]\n[tbl.a]\n[tbl]\nq = 1\nc = 2\n"
		"[arr]\n";
	static const char *const root_keys[] = { "zeta", "alpha", "mid",
						 "tbl", "arr" };
	static const char *const tbl_keys[] = { "z", "a", "q", "c" };
	struct tlc_toml *doc = parse_ok(text, strlen(text));
	const struct tlc_toml_value *root = tlc_toml_root(doc), *t;
	struct tlc_buf many = TLC_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(tlc_toml_len(root), N(root_keys));
	for (i = 0; i < N(root_keys); i++) {
		assert_string_equal(tlc_toml_key_at(root, i), root_keys[i]);
		assert_ptr_equal(tlc_toml_at(root, i),
				 tlc_toml_get(root, root_keys[i]));
	}
	t = tlc_toml_get(root, "mid");
	assert_string_equal(tlc_toml_key_at(t, 0), "b");
	assert_string_equal(tlc_toml_key_at(t, 1), "a");
	t = tlc_toml_get(root, "tbl");
	assert_int_equal(tlc_toml_len(t), N(tbl_keys));
	for (i = 0; i < N(tbl_keys); i++)
		assert_string_equal(tlc_toml_key_at(t, i), tbl_keys[i]);
	tlc_toml_free(doc);

	/* order survives the switch to a hashed index */
	for (i = 0; i < 1000; i++)
		assert_int_equal(tlc_buf_printf(&many, "k%zu = %zu\n",
						(i * 7919) % 1000, i), 0);
	doc = parse_ok(many.ptr, many.len);
	root = tlc_toml_root(doc);
	assert_int_equal(tlc_toml_len(root), 1000);
	for (i = 0; i < 1000; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%zu", (i * 7919) % 1000);
		assert_string_equal(tlc_toml_key_at(root, i), key);
		assert_int_equal(tlc_toml_integer(tlc_toml_at(root, i)), i);
		assert_ptr_equal(tlc_toml_get(root, key), tlc_toml_at(root, i));
	}
	tlc_toml_free(doc);
	tlc_buf_release(&many);
}

/* ---- line and column ---- */

struct pos_case {
	const char *path;
	unsigned line, column;
};

static void test_toml__reports_line_and_column(void **state)
{
	static const char text[] =
		"\xEF\xBB\xBF" "top = 1\n"			/* 1 */
		"  name.first = \"\"\"\n"			/* 2 */
		"multi\n"					/* 3 */
		"line\"\"\"\n"					/* 4 */
		"after = [ 1,\n"				/* 5 */
		"\t'two', { k = 3 } ]\r\n"			/* 6 */
		"\n"						/* 7 */
		"  [server.http]   # comment\n"		/* 8 */
		"port = 80\n"					/* 9 */
		"[[job]]\n"					/* 10 */
		"[[job]]\n"					/* 11 */
		"   id = 'x'\n"					/* 12 */
		"[server]\n";					/* 13 */
	static const struct pos_case cases[] = {
		{ "", 1, 1 },
		{ "top", 1, 1 },		/* after the BOM */
		{ "name", 2, 3 },		/* made by a dotted key */
		{ "name.first", 2, 8 },		/* the last key part */
		{ "after", 5, 1 },
		{ "after.0", 5, 11 },
		{ "after.1", 6, 2 },		/* a tab is one column */
		{ "after.2", 6, 9 },
		{ "after.2.k", 6, 11 },
		{ "server.http", 8, 3 },	/* the header */
		{ "server.http.port", 9, 1 },
		{ "job", 10, 1 },
		{ "job.0", 10, 1 },
		{ "job.1", 11, 1 },
		{ "job.1.id", 12, 4 },
		{ "server", 13, 1 },		/* implicit, then defined */
	};
	struct tlc_toml *doc = parse_ok(text, sizeof(text) - 1);
	size_t i;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		const struct tlc_toml_value *v = lookup(doc, cases[i].path);

		assert_non_null(v);
		if (tlc_toml_line(v) != cases[i].line ||
		    tlc_toml_column(v) != cases[i].column)
			print_error("'%s' at %u:%u, want %u:%u\n",
				    cases[i].path, tlc_toml_line(v),
				    tlc_toml_column(v), cases[i].line,
				    cases[i].column);
		assert_int_equal(tlc_toml_line(v), cases[i].line);
		assert_int_equal(tlc_toml_column(v), cases[i].column);
	}
	tlc_toml_free(doc);
}

/* ---- lookup API ---- */

static void test_toml__lookup_api(void **state)
{
	static const char text[] =
		"s = 'str'\ni = 7\nf = 1.5\nb = true\nd = 2001-01-01\n"
		"a = [1, 2]\n\"nul\\u0000key\" = 1\n\"nul\" = 2\n"
		"[t]\nk = 'v'\n";
	struct tlc_toml *doc = parse_ok(text, sizeof(text) - 1);
	const struct tlc_toml_value *root = tlc_toml_root(doc), *v;
	const struct tlc_toml_value *s, *i, *f, *b, *a, *t;
	size_t len = 99, k;

	(void)state;
	s = tlc_toml_get(root, "s");
	i = tlc_toml_get(root, "i");
	f = tlc_toml_get(root, "f");
	b = tlc_toml_get(root, "b");
	a = tlc_toml_get(root, "a");
	t = tlc_toml_get(root, "t");
	assert_true(s && i && f && b && a && t);

	/* missing keys, NULL and the wrong type all give "nothing" */
	assert_null(tlc_toml_get(root, "missing"));
	assert_null(tlc_toml_get(NULL, "s"));
	assert_null(tlc_toml_get(s, "s"));
	assert_null(tlc_toml_get(a, "0"));
	assert_null(tlc_toml_at(a, 2));
	assert_null(tlc_toml_at(s, 0));
	assert_null(tlc_toml_at(NULL, 0));
	assert_null(tlc_toml_key_at(a, 0));
	assert_null(tlc_toml_key_at(root, 99));
	assert_int_equal(tlc_toml_key_len(root, 99), 0);
	assert_int_equal(tlc_toml_len(s), 0);
	assert_int_equal(tlc_toml_len(NULL), 0);
	assert_null(tlc_toml_string(i, &len));
	assert_int_equal(len, 0);
	assert_null(tlc_toml_string(NULL, NULL));
	assert_true(tlc_toml_integer(s) == 0);
	assert_true(tlc_toml_integer(f) == 0);
	assert_true(tlc_toml_float(i) == 0.0);
	assert_false(tlc_toml_bool(i));
	assert_null(tlc_toml_string(tlc_toml_get(tlc_toml_get(root, "no"),
						 "deeper"), NULL));

	/* chained lookups */
	assert_string_equal(tlc_toml_string(tlc_toml_get(t, "k"), NULL), "v");
	assert_true(tlc_toml_integer(tlc_toml_at(a, 1)) == 2);
	assert_string_equal(tlc_toml_string(tlc_toml_get(root, "d"), NULL),
			    "2001-01-01");

	/* a key holding NUL: listed with its length, found with getn */
	for (k = 0; k < tlc_toml_len(root); k++)
		if (tlc_toml_key_len(root, k) == 7)
			break;
	assert_true(k < tlc_toml_len(root));
	assert_memory_equal(tlc_toml_key_at(root, k), "nul\0key", 8);
	v = tlc_toml_getn(root, "nul\0key", 7);
	assert_ptr_equal(v, tlc_toml_at(root, k));
	assert_true(tlc_toml_integer(v) == 1);
	assert_true(tlc_toml_integer(tlc_toml_get(root, "nul")) == 2);

	/* type names */
	assert_string_equal(tlc_toml_type_name(TLC_TOML_STRING), "string");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_INTEGER), "integer");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_FLOAT), "float");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_BOOL), "boolean");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_DATETIME),
			    "datetime");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_DATETIME_LOCAL),
			    "datetime-local");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_DATE_LOCAL),
			    "date-local");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_TIME_LOCAL),
			    "time-local");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_ARRAY), "array");
	assert_string_equal(tlc_toml_type_name(TLC_TOML_TABLE), "table");
	tlc_toml_free(doc);
	tlc_toml_free(NULL);
}

/* The empty document, and NULL data of length 0. */
static void test_toml__empty_input(void **state)
{
	struct tlc_toml *doc = parse_ok(NULL, 0);

	(void)state;
	assert_int_equal(tlc_toml_type(tlc_toml_root(doc)), TLC_TOML_TABLE);
	assert_int_equal(tlc_toml_len(tlc_toml_root(doc)), 0);
	tlc_toml_free(doc);
	doc = parse_ok(" \t\n# only a comment\r\n\n", 22);
	assert_int_equal(tlc_toml_len(tlc_toml_root(doc)), 0);
	tlc_toml_free(doc);
}

/* ---- hostile input: one line naming the rule and the place ---- */

struct error_case {
	const char *toml;
	size_t len;		/* 0: strlen */
	const char *msg;
};

static const struct error_case error_cases[] = {
	/* keys and tables */
	{ "name = 1\nname = 2\n", 0, "t.toml:2:1: duplicate key 'name'" },
	{ "k = 1 # c\n\"k\" = 2\n", 0, "t.toml:2:1: duplicate key 'k'" },
	{ "\"a.b\" = 1\n\"a.b\" = 2\n", 0,
	  "t.toml:2:1: duplicate key '\"a.b\"'" },
	{ "x = 1\n\n\n   [t]\n  y = \"\"\"\n\n\"\"\"\n  y = 2\n", 0,
	  "t.toml:8:3: duplicate key 'y'" },
	{ "[a]\nx = 1\n[a]\n", 0,
	  "t.toml:3:2: table 'a' defined twice, first at 1:1" },
	{ "[fruit]\napple.color = 'red'\n[fruit.apple]\n", 0,
	  "t.toml:3:8: table 'fruit.apple' already defined by dotted keys "
	  "at 2:1" },
	{ "a = {b = 1}\n[a]\n", 0,
	  "t.toml:2:2: cannot define table 'a': it is already an inline "
	  "table defined at 1:1" },
	{ "a = {b = 1}\na.c = 2\n", 0,
	  "t.toml:2:1: inline table 'a' cannot be extended" },
	{ "a = {b = {}}\n[a.b.c]\n", 0,
	  "t.toml:2:2: cannot add a table to 'a', which is an inline table "
	  "defined at 1:1" },
	{ "a = [1]\n[[a]]\n", 0,
	  "t.toml:2:3: cannot append a table to 'a', which is an array "
	  "defined at 1:1" },
	{ "[[a]]\n[a]\n", 0,
	  "t.toml:2:2: cannot define table 'a': it is already an array of "
	  "tables defined at 1:1" },
	{ "[a]\n[[a]]\n", 0,
	  "t.toml:2:3: cannot append a table to 'a', which is a table "
	  "defined at 1:1" },
	{ "a = 1\n[a.b]\n", 0,
	  "t.toml:2:2: cannot add a table to 'a', which is an integer "
	  "defined at 1:1" },
	{ "[a.b.c]\nz = 1\n[a]\nb.c.t = 1\n", 0,
	  "t.toml:4:3: dotted key cannot add to table 'b.c', defined by a "
	  "[header] at 1:1" },
	{ "a.b = 1\na.b.c = 2\n", 0,
	  "t.toml:2:3: dotted key cannot add to 'a.b', which is an integer "
	  "defined at 1:3" },
	{ "[[a.b]]\n[a]\nb.c = 1\n", 0,
	  "t.toml:3:1: dotted key cannot add to 'b', which is an array of "
	  "tables defined at 1:1" },
	{ "= 1\n", 0, "t.toml:1:1: expected a key, found '='" },
	{ "a. = 1\n", 0, "t.toml:1:4: expected a key after '.', found '='" },
	{ "a b = 1\n", 0, "t.toml:1:3: expected '=' after key 'a', found 'b'" },
	{ "a\n= 1\n", 0,
	  "t.toml:1:2: expected '=' after key 'a', found newline" },
	{ "\"\"\"k\"\"\" = 1\n", 0,
	  "t.toml:1:1: a multi-line string cannot be a key" },
	{ "[a]]\n", 0,
	  "t.toml:1:4: expected end of line after table header, found ']'" },
	{ "[[a]\n", 0,
	  "t.toml:1:4: expected ']]' after table name, found ']'" },
	{ "[]\n", 0, "t.toml:1:2: expected a key, found ']'" },
	{ "caf\xc3\xa9 = 1\n", 0,
	  "t.toml:1:4: expected '=' after key 'caf', found U+00E9" },
	{ "x = 1 y = 2\n", 0,
	  "t.toml:1:7: expected end of line after value, found 'y'" },
	/* strings */
	{ "x = \"abc", 0, "t.toml:1:5: unterminated string" },
	{ "x = \"\"\"\nabc", 0, "t.toml:1:5: unterminated string" },
	{ "x = 'line\nbreak'\n", 0,
	  "t.toml:1:10: newline in a one-line string; use \"\"\" or '''" },
	{ "x = \"a\\qb\"\n", 0, "t.toml:1:7: invalid escape sequence '\\q'" },
	{ "x = \"\\x41\"\n", 0, "t.toml:1:6: invalid escape sequence '\\x'" },
	{ "x = \"\\e\"\n", 0, "t.toml:1:6: invalid escape sequence '\\e'" },
	{ "x = \"\"\"\nline1\nline2 \\q\n\"\"\"\n", 0,
	  "t.toml:3:7: invalid escape sequence '\\q'" },
	{ "x = \"a\\ b\"\n", 0, "t.toml:1:7: invalid escape sequence: "
	  "backslash followed by space" },
	{ "x = \"\"\"a\\  b\"\"\"\n", 0, "t.toml:1:9: backslash followed by "
	  "whitespace must end the line" },
	{ "x = \"\\u12\"\n", 0, "t.toml:1:6: escape '\\u' needs 4 hex digits" },
	{ "x = \"\\uD800\"\n", 0, "t.toml:1:6: escape '\\u' names U+D800, a "
	  "surrogate, not a Unicode scalar value" },
	{ "x = \"\\U0000DFFF\"\n", 0, "t.toml:1:6: escape '\\U' names U+DFFF, "
	  "a surrogate, not a Unicode scalar value" },
	{ "x = \"\\U00110000\"\n", 0,
	  "t.toml:1:6: escape '\\U' names a code point past U+10FFFF" },
	{ "x = \"\xff\"\n", 0, "t.toml:1:6: invalid UTF-8 in string" },
	{ "x = \"\xed\xa0\x80\"\n", 0, "t.toml:1:6: invalid UTF-8 in string" },
	{ "x = 'a\xc0\xaf'\n", 0, "t.toml:1:7: invalid UTF-8 in string" },
	{ "x = '\xf4\x90\x80\x80'\n", 0,
	  "t.toml:1:6: invalid UTF-8 in string" },
	{ "x = \"\xe2\x82\"\n", 0, "t.toml:1:6: invalid UTF-8 in string" },
	{ "x = \"a\tb\x7f\"\n", 0, "t.toml:1:9: control character U+007F "
	  "not allowed in string; write it as an escape" },
	{ "x = \"a\0b\"\n", 10, "t.toml:1:7: control character U+0000 not "
	  "allowed in string; write it as an escape" },
	{ "x = '''\x1b'''\n", 0, "t.toml:1:8: control character U+001B not "
	  "allowed in string; write it as an escape" },
	{ "x = \"\"\"a\"\"\"\"\"\"\n", 0,
	  "t.toml:1:9: too many quotes at the end of a multi-line string" },
	{ "x = \"\"\"a\rb\"\"\"\n", 0,
	  "t.toml:1:9: carriage return not followed by line feed" },
	/* comments, newlines, stray bytes */
	{ "# ok\n# \x01\n", 0,
	  "t.toml:2:3: control character U+0001 not allowed in comment" },
	{ "# \x7f\n", 0,
	  "t.toml:1:3: control character U+007F not allowed in comment" },
	{ "# bad \xc3\x28\n", 0, "t.toml:1:7: invalid UTF-8 in comment" },
	{ "x = 1 # \r\n# \r", 0,
	  "t.toml:2:3: carriage return not followed by line feed" },
	{ "x = 1\r\ny = 2\r", 0,
	  "t.toml:2:6: carriage return not followed by line feed" },
	{ "x = 1\0", 6, "t.toml:1:6: invalid integer: unexpected control "
	  "character U+0000" },
	{ "x = 'a'\0", 8, "t.toml:1:8: expected end of line after value, "
	  "found control character U+0000" },
	{ "\xEF\xBB\xBFx = ?\n", 0, "t.toml:1:5: expected a value, found '?'" },
	{ "x = 1\n\xEF\xBB\xBF", 0,
	  "t.toml:2:1: expected a key, found byte order mark U+FEFF" },
	{ "\xfe\xff", 0, "t.toml:1:1: expected a key, found byte 0xFE" },
	/* integers */
	{ "x = 9223372036854775808\n", 0,
	  "t.toml:1:5: integer does not fit in 64 bits" },
	{ "x = -9223372036854775809\n", 0,
	  "t.toml:1:5: integer does not fit in 64 bits" },
	{ "x = 0x8000000000000000\n", 0,
	  "t.toml:1:5: integer does not fit in 64 bits" },
	{ "x = 0b1_0000000000000000000000000000000000000000000000000000000"
	  "000000000\n", 0, "t.toml:1:5: integer does not fit in 64 bits" },
	{ "x = 012\n", 0, "t.toml:1:5: leading zero in number" },
	{ "x = -0_1\n", 0, "t.toml:1:6: leading zero in number" },
	{ "x = 1__2\n", 0,
	  "t.toml:1:6: underscore in number must be between digits" },
	{ "x = 1_\n", 0,
	  "t.toml:1:6: underscore in number must be between digits" },
	{ "x = 0x_1\n", 0, "t.toml:1:7: expected a digit in hexadecimal "
	  "integer, found '_'" },
	{ "x = +0x1\n", 0, "t.toml:1:5: a sign is not allowed on a "
	  "hexadecimal, octal or binary integer" },
	{ "x = 0X1\n", 0, "t.toml:1:6: invalid integer: unexpected 'X'" },
	{ "x = 0o8\n", 0,
	  "t.toml:1:7: expected a digit in octal integer, found '8'" },
	{ "x = 1_000abc\n", 0, "t.toml:1:10: invalid integer: unexpected 'a'" },
	/* floats */
	{ "x = 1.\n", 0, "t.toml:1:7: expected a digit in fraction, found "
	  "newline" },
	{ "x = .5\n", 0, "t.toml:1:5: expected a value, found '.'" },
	{ "x = 1e\n", 0, "t.toml:1:7: expected a digit in exponent, found "
	  "newline" },
	{ "x = 1.e5\n", 0, "t.toml:1:7: expected a digit in fraction, found "
	  "'e'" },
	{ "x = 01.5\n", 0, "t.toml:1:5: leading zero in number" },
	{ "x = 1.5.2\n", 0, "t.toml:1:8: invalid float: unexpected '.'" },
	{ "x = 1e400\n", 0, "t.toml:1:5: float is out of range for 64 bits" },
	{ "x = -1e400\n", 0, "t.toml:1:5: float is out of range for 64 bits" },
	{ "x = infinity\n", 0, "t.toml:1:8: invalid float: unexpected 'i'" },
	{ "x = NaN\n", 0, "t.toml:1:5: invalid value 'NaN' (strings need "
	  "quotes; booleans are lower-case)" },
	/* booleans and bare words */
	{ "x = abc\n", 0, "t.toml:1:5: invalid value 'abc' (strings need "
	  "quotes; booleans are lower-case)" },
	{ "x = True\n", 0, "t.toml:1:5: invalid value 'True' (strings need "
	  "quotes; booleans are lower-case)" },
	{ "x = truex\n", 0, "t.toml:1:5: invalid value 'truex' (strings need "
	  "quotes; booleans are lower-case)" },
	/* date/times */
	{ "x = 2021-02-29\n", 0,
	  "t.toml:1:13: invalid date: 2021-02 has no day 29" },
	{ "x = 1900-02-29\n", 0,
	  "t.toml:1:13: invalid date: 1900-02 has no day 29" },
	{ "x = 2021-04-31\n", 0,
	  "t.toml:1:13: invalid date: 2021-04 has no day 31" },
	{ "x = 2021-01-00\n", 0,
	  "t.toml:1:13: invalid date: 2021-01 has no day 00" },
	{ "x = 2021-13-01\n", 0,
	  "t.toml:1:10: invalid date: month 13 is not 01 to 12" },
	{ "x = 2021-1-01\n", 0,
	  "t.toml:1:5: invalid date: expected YYYY-MM-DD" },
	{ "x = 24:00:00\n", 0, "t.toml:1:5: invalid time: hour 24 is past 23" },
	{ "x = 12:60:00\n", 0,
	  "t.toml:1:8: invalid time: minute 60 is past 59" },
	{ "x = 12:00:61\n", 0,
	  "t.toml:1:11: invalid time: second 61 is past 60" },
	{ "x = 07:32\n", 0, "t.toml:1:5: invalid time: expected HH:MM:SS" },
	{ "x = 07:32:00.\n", 0,
	  "t.toml:1:14: invalid time: expected digits after '.'" },
	{ "x = 1979-05-27T\n", 0,
	  "t.toml:1:16: invalid time: expected HH:MM:SS" },
	{ "x = 1979-05-27T07:32:00+24:00\n", 0,
	  "t.toml:1:24: invalid time offset: +24:00 is out of range" },
	{ "x = 1979-05-27T07:32:00+07\n", 0,
	  "t.toml:1:24: invalid time offset: expected +HH:MM" },
	{ "x = 1979-05-27T07:32:00Zjunk\n", 0,
	  "t.toml:1:25: invalid offset date-time: unexpected 'j'" },
	{ "x = 07:32:00Z\n", 0,
	  "t.toml:1:13: invalid local time: unexpected 'Z'" },
	/* arrays and inline tables */
	{ "x = [1,,2]\n", 0, "t.toml:1:8: expected a value, found ','" },
	{ "x = [,]\n", 0, "t.toml:1:6: expected a value, found ','" },
	{ "x = [1 2]\n", 0,
	  "t.toml:1:8: expected ',' or ']' in array, found '2'" },
	{ "x = [\n1,\n2\n", 0, "t.toml:1:5: unterminated array" },
	{ "x = {a = 1,}\n", 0,
	  "t.toml:1:12: trailing comma not allowed in an inline table" },
	{ "x = {a = 1\n}\n", 0,
	  "t.toml:1:11: newline not allowed in an inline table" },
	{ "x = {\na = 1}\n", 0,
	  "t.toml:1:6: newline not allowed in an inline table" },
	{ "x = {a = 1 # c\n}\n", 0,
	  "t.toml:1:12: comment not allowed in an inline table" },
	{ "x = {a = 1 b = 2}\n", 0,
	  "t.toml:1:12: expected ',' or '}' in inline table, found 'b'" },
	{ "x = {a = 1, a = 2}\n", 0, "t.toml:1:13: duplicate key 'a'" },
	{ "x = {a.b = 1, a = 2}\n", 0, "t.toml:1:15: duplicate key 'a'" },
	{ "x = {a = {}, a.b = 2}\n", 0,
	  "t.toml:1:14: inline table 'a' cannot be extended" },
	{ "x = {", 0, "t.toml:1:5: unterminated inline table" },
	{ "x =\n", 0, "t.toml:1:4: expected a value, found newline" },
	{ "x = ", 0, "t.toml:1:5: expected a value, found end of input" },
};

static void check_error(const char *toml, size_t len, const char *want)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = (struct tlc_toml *)&err;
	int rc = tlc_toml_parse(&doc, toml, len, "t.toml", &err);

	if (rc != TLC_EPOLICY || strcmp(err.msg, want) != 0)
		print_error("for <<%s>>\n got (%d) %s\nwant %s\n", toml, rc,
			    err.msg, want);
	assert_int_equal(rc, TLC_EPOLICY);
	assert_int_equal(err.code, TLC_EPOLICY);
	assert_null(doc);
	assert_string_equal(err.msg, want);
	assert_null(strchr(err.msg, '\n'));
}

static void test_toml__hostile_input_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(error_cases); i++)
		check_error(error_cases[i].toml, error_cases[i].len ?
			    error_cases[i].len : strlen(error_cases[i].toml),
			    error_cases[i].msg);
}

/* A message past the end of a long key or file name is cut, not overrun. */
static void test_toml__long_names_in_errors(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	char name[600];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(tlc_buf_puts(&b, "\""), 0);
		for (size_t j = 0; j < 300; j++)
			assert_int_equal(tlc_buf_puts(&b, "\xc3\xa9"), 0);
		assert_int_equal(tlc_buf_puts(&b, "\" = 1\n"), 0);
	}
	assert_int_equal(tlc_toml_parse(&doc, b.ptr, b.len, "t.toml", &err),
			 TLC_EPOLICY);
	assert_true(strncmp(err.msg, "t.toml:2:1: duplicate key '\"", 28) ==
		    0);
	assert_non_null(strstr(err.msg, "...'"));
	/* escapes grow six-fold in the message (a fuzzer find) */
	for (i = 1; i < 40; i++) {
		const char *want = "t.toml:2:5: duplicate key 'a.b.\"\\u0001";

		tlc_buf_reset(&b);
		for (size_t k = 0; k < 2; k++) {
			assert_int_equal(tlc_buf_puts(&b, "a.b.\""), 0);
			for (size_t j = 0; j < i; j++)
				assert_int_equal(tlc_buf_puts(&b, "\\u0001"),
						 0);
			assert_int_equal(tlc_buf_puts(&b, "\\\"\" = 1\n"),
					 0);
		}
		assert_int_equal(tlc_toml_parse(&doc, b.ptr, b.len, "t.toml",
						 &err), TLC_EPOLICY);
		assert_true(strncmp(err.msg, want, strlen(want)) == 0);
		assert_true(err.msg[strlen(err.msg) - 1] == '\'');
		assert_true(strlen(err.msg) < 140);
	}
	memset(name, 'f', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(tlc_toml_parse(&doc, "=", 1, name, &err),
			 TLC_EPOLICY);
	assert_int_equal(strlen(err.msg), TLC_ERROR_MSG_SIZE - 1);
	tlc_buf_release(&b);
}

/* ---- limits ---- */

static char *repeat(const char *head, const char *unit, size_t n,
		    const char *tail)
{
	struct tlc_buf b = TLC_BUF_INIT;
	size_t i;

	assert_int_equal(tlc_buf_puts(&b, head), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(tlc_buf_puts(&b, unit), 0);
	assert_int_equal(tlc_buf_puts(&b, tail), 0);
	return tlc_buf_detach(&b, NULL);
}

/* head, then unit repeated n times, tail, then close repeated n times:
 * containers nest mul * n + add levels below the root. */
struct depth_case {
	const char *head, *unit, *tail, *close;
	unsigned mul, add;
};

static void test_toml__depth_limit(void **state)
{
	static const struct depth_case cases[] = {
		{ "x = ", "[", "", "]", 1, 0 },
		{ "x = ", "{a=", "1", "}", 1, 0 },
		{ "x = ", "[{a=", "1", "}]", 2, 0 },
		{ "[", "a.", "a]", "", 1, 1 },		/* n + 1 tables */
		{ "", "a.", "a = 1", "", 1, 0 },	/* n tables */
		{ "[[", "a.", "a]]", "", 1, 2 },	/* n, array, table */
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < N(cases); i++) {
		const struct depth_case *c = &cases[i];

		for (n = 20; n <= 70; n++) {
			unsigned depth = c->mul * (unsigned)n + c->add;
			struct tlc_error err = TLC_ERROR_INIT;
			struct tlc_toml *doc = NULL;
			char *open = repeat(c->head, c->unit, n, c->tail);
			char *text = repeat(open, c->close, n, "");
			int rc;

			rc = tlc_toml_parse(&doc, text, strlen(text), "d.toml",
					    &err);
			if ((rc == 0) != (depth <= TLC_TOML_MAX_DEPTH))
				print_error("depth %u: <<%s>>: %s\n", depth,
					    text, rc ? err.msg : "accepted");
			if (depth <= TLC_TOML_MAX_DEPTH) {
				assert_int_equal(rc, 0);
			} else {
				assert_int_equal(rc, TLC_EPOLICY);
				assert_non_null(strstr(err.msg,
						       ": nesting deeper than "
						       "64 levels"));
			}
			tlc_toml_free(doc);
			free(open);
			free(text);
		}
	}
}

/* Megabytes of openers: refused quickly, without deep recursion. */
static void test_toml__hostile_nesting(void **state)
{
	static const char *const units[] = { "[", "{a=", "[{a=", "a.", "[[" };
	static const char *const heads[] = { "x = ", "x = ", "x = ", "", "" };
	size_t i;

	(void)state;
	for (i = 0; i < N(units); i++) {
		char *text = repeat(heads[i], units[i], 1u << 20, "");
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_toml *doc = NULL;

		assert_int_equal(tlc_toml_parse(&doc, text, strlen(text),
						 "n.toml", &err), TLC_EPOLICY);
		assert_null(doc);
		assert_true(strncmp(err.msg, "n.toml:1:", 9) == 0);
		free(text);
	}
}

static void test_toml__size_limit(void **state)
{
	size_t max = TLC_TOML_MAX_INPUT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	char *big = malloc(max + 1), want[128];

	(void)state;
	assert_non_null(big);
	/* exactly at the limit: one long comment, accepted */
	memset(big, 'c', max + 1);
	big[0] = '#';
	assert_int_equal(tlc_toml_parse(&doc, big, max, "big.toml", &err), 0);
	tlc_toml_free(doc);
	/* one byte more: refused before reading */
	assert_int_equal(tlc_toml_parse(&doc, big, max + 1, "big.toml", &err),
			 TLC_ETOOBIG);
	assert_null(doc);
	snprintf(want, sizeof(want), "big.toml:1:1: TOML input of %zu bytes "
		 "is over the %zu byte limit", max + 1, max);
	assert_string_equal(err.msg, want);
	free(big);
}

/* ---- time: linear on long inputs ---- */

/* About 1 MiB shaped like a tlcpack.toml with many variants. */
static char *recipe_like(size_t target, size_t *len)
{
	struct tlc_buf b = TLC_BUF_INIT;
	size_t i;

	assert_int_equal(tlc_buf_puts(&b,
		"[package]\nname = \"tvm\"\nversion = { git-tag = \"v*\" }\n"
		"python = [\"3.9\", \"3.10\", \"3.11\", \"3.12\"]\n\n"), 0);
	for (i = 0; b.len < target; i++)
		assert_int_equal(tlc_buf_printf(&b,
			"[variants.cu%zu]\n"
			"suffix = \"-cu%zu\"   # CUDA build\n"
			"description = '''\nCUDA %zu build,\nwith cuDNN.'''\n"
			"defines = { USE_CUDA = \"ON\", USE_CUDNN = \"ON\", "
			"CUDA_ARCH = [70, 75, 80, 86, 90] }\n"
			"env.CUDA_HOME = \"/usr/local/cuda-%zu\"\n"
			"exclude-libs = [\n  \"libcuda.so.1\",\n"
			"  \"libcudart.so.%zu\",\n]\n"
			"policy = \"manylinux_2_28\"\nweight = %zu.5e-1\n"
			"built = 2024-05-%02zuT12:00:00Z\n\n"
			"[[variants.cu%zu.cmake]]\nsource = \"src\"\n"
			"targets = [\"tvm\", \"tvm_runtime\"]\n\n",
			i, i, i, i, i, i, i % 28 + 1, i), 0);
	return tlc_buf_detach(&b, len);
}

static void time_parse(const char *what, const char *text, size_t len,
		       double limit)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	struct timespec t0;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tlc_toml_parse(&doc, text, len, "big.toml", &err), 0);
	s = seconds_since(&t0);
	tlc_toml_free(doc);
	print_message("%s: %zu bytes in %.1f ms\n", what, len, s * 1e3);
	/* generous, for sanitizer and valgrind builds: quadratic behaviour
	 * on these inputs would take minutes */
	assert_true(s < limit);
}

static void test_toml__linear_time(void **state)
{
	struct tlc_buf b = TLC_BUF_INIT;
	char *text;
	size_t len, i;

	(void)state;
	text = recipe_like(1u << 20, &len);
	time_parse("1 MiB recipe", text, len, 2.0);
	free(text);

	/* 200k keys in one table */
	for (i = 0; i < 200000; i++)
		assert_int_equal(tlc_buf_printf(&b, "key%zu = %zu\n", i, i), 0);
	time_parse("200k keys", b.ptr, b.len, 5.0);
	tlc_buf_reset(&b);

	/* 100k tables, each [header] naming a new one */
	for (i = 0; i < 100000; i++)
		assert_int_equal(tlc_buf_printf(&b, "[t.x%zu]\nv = 1\n", i), 0);
	time_parse("100k tables", b.ptr, b.len, 5.0);
	tlc_buf_reset(&b);

	/* 100k array-of-tables entries */
	for (i = 0; i < 100000; i++)
		assert_int_equal(tlc_buf_printf(&b, "[[a.b]]\nv = %zu\n", i),
				 0);
	time_parse("100k [[a.b]]", b.ptr, b.len, 5.0);
	tlc_buf_reset(&b);

	/* 100k multi-line strings, each moving the line count on */
	for (i = 0; i < 100000; i++)
		assert_int_equal(tlc_buf_printf(&b, "s%zu = \"\"\"\n"
						"a\nb\"\"\"\n", i), 0);
	time_parse("100k multi-line strings", b.ptr, b.len, 5.0);
	tlc_buf_release(&b);

	/* one 8 MiB string and a 1M element array */
	text = repeat("s = '", "abcdefgh", 1u << 20, "'\n");
	time_parse("8 MiB string", text, strlen(text), 5.0);
	free(text);
	text = repeat("a = [", "1,", 1u << 20, "]\n");
	time_parse("1M element array", text, strlen(text), 5.0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toml__values_and_types),
		cmocka_unit_test(test_toml__special_floats),
		cmocka_unit_test(test_toml__keeps_document_order),
		cmocka_unit_test(test_toml__reports_line_and_column),
		cmocka_unit_test(test_toml__lookup_api),
		cmocka_unit_test(test_toml__empty_input),
		cmocka_unit_test(test_toml__hostile_input_errors),
		cmocka_unit_test(test_toml__long_names_in_errors),
		cmocka_unit_test(test_toml__depth_limit),
		cmocka_unit_test(test_toml__hostile_nesting),
		cmocka_unit_test(test_toml__size_limit),
		cmocka_unit_test(test_toml__linear_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
