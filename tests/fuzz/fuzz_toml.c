/*
 * libFuzzer target for the TOML parser.
 *
 * Every input either fails with one "fuzz.toml:<line>:<column>: <what>"
 * line, or parses into a tree that is then walked through every accessor
 * and checked: lookups agree with positions, strings are NUL-terminated,
 * depth stays within TLC_TOML_MAX_DEPTH.  The tree is then written back
 * as TOML (inline tables and arrays only), parsed again and compared: the
 * parser must read its own output to the same values.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/buf.h"
#include "tlcpack/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_toml: check failed: %s\n", what);
		abort();
	}
}

static void walk(const struct tlc_toml_value *v, unsigned depth)
{
	enum tlc_toml_type t = tlc_toml_type(v);
	size_t i, n, len;
	const char *s;

	check(depth <= TLC_TOML_MAX_DEPTH + 1, "depth within the limit");
	check(tlc_toml_line(v) >= 1 && tlc_toml_column(v) >= 1,
	      "line and column are 1-based");
	check(strcmp(tlc_toml_type_name(t), "unknown") != 0, "known type");
	n = tlc_toml_len(v);
	s = tlc_toml_string(v, &len);
	switch (t) {
	case TLC_TOML_TABLE:
		check(!s && !len, "no string for a table");
		for (i = 0; i < n; i++) {
			const char *k = tlc_toml_key_at(v, i);
			size_t kl = tlc_toml_key_len(v, i);
			const struct tlc_toml_value *e = tlc_toml_at(v, i);

			check(k && e && k[kl] == '\0', "key is terminated");
			check(tlc_toml_getn(v, k, kl) == e, "getn finds key");
			if (strlen(k) == kl)
				check(tlc_toml_get(v, k) == e, "get finds key");
			walk(e, depth + 1);
		}
		check(!tlc_toml_at(v, n) && !tlc_toml_key_at(v, n),
		      "nothing past the end");
		break;
	case TLC_TOML_ARRAY:
		check(!s && !len, "no string for an array");
		check(!tlc_toml_get(v, "a"), "no keys in an array");
		for (i = 0; i < n; i++) {
			check(!tlc_toml_key_at(v, i), "no key in an array");
			walk(tlc_toml_at(v, i), depth + 1);
		}
		check(!tlc_toml_at(v, n), "nothing past the end");
		break;
	case TLC_TOML_STRING:
	case TLC_TOML_DATETIME:
	case TLC_TOML_DATETIME_LOCAL:
	case TLC_TOML_DATE_LOCAL:
	case TLC_TOML_TIME_LOCAL:
		check(s && s[len] == '\0' && n == 0, "string is terminated");
		check(t == TLC_TOML_STRING || strlen(s) == len,
		      "date/time has no NUL");
		check(tlc_toml_integer(v) == 0 && tlc_toml_float(v) == 0.0 &&
		      !tlc_toml_bool(v), "scalar accessors of other types");
		break;
	case TLC_TOML_INTEGER:
		check(!s && n == 0 && tlc_toml_float(v) == 0.0, "integer");
		(void)tlc_toml_integer(v);
		break;
	case TLC_TOML_FLOAT:
		check(!s && n == 0 && tlc_toml_integer(v) == 0, "float");
		(void)tlc_toml_float(v);
		break;
	case TLC_TOML_BOOL:
		check(!s && n == 0 && tlc_toml_integer(v) == 0, "boolean");
		(void)tlc_toml_bool(v);
		break;
	}
}

static void emit_string(struct tlc_buf *b, const char *s, size_t len)
{
	size_t i;
	int rc = tlc_buf_putc(b, '"');

	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			rc = tlc_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			rc = tlc_buf_printf(b, "\\u%04X", c);
		else
			rc = tlc_buf_putc(b, (char)c);
	}
	if (rc == 0)
		rc = tlc_buf_putc(b, '"');
	check(rc == 0, "emit string");
}

static void emit(struct tlc_buf *b, const struct tlc_toml_value *v)
{
	char num[64];
	size_t i, len;
	const char *s;
	double d;
	int rc = 0;

	switch (tlc_toml_type(v)) {
	case TLC_TOML_TABLE:
		rc = tlc_buf_puts(b, "{");
		for (i = 0; i < tlc_toml_len(v) && rc == 0; i++) {
			if (i)
				rc = tlc_buf_puts(b, ", ");
			emit_string(b, tlc_toml_key_at(v, i),
				    tlc_toml_key_len(v, i));
			if (rc == 0)
				rc = tlc_buf_puts(b, " = ");
			emit(b, tlc_toml_at(v, i));
		}
		if (rc == 0)
			rc = tlc_buf_puts(b, "}");
		break;
	case TLC_TOML_ARRAY:
		rc = tlc_buf_puts(b, "[");
		for (i = 0; i < tlc_toml_len(v) && rc == 0; i++) {
			if (i)
				rc = tlc_buf_puts(b, ",\n");
			emit(b, tlc_toml_at(v, i));
		}
		if (rc == 0)
			rc = tlc_buf_puts(b, "]");
		break;
	case TLC_TOML_STRING:
		s = tlc_toml_string(v, &len);
		emit_string(b, s, len);
		break;
	case TLC_TOML_INTEGER:
		rc = tlc_buf_printf(b, "%" PRId64, tlc_toml_integer(v));
		break;
	case TLC_TOML_FLOAT:
		d = tlc_toml_float(v);
		if (isnan(d))
			snprintf(num, sizeof(num), "nan");
		else if (isinf(d))
			snprintf(num, sizeof(num), "%sinf", d < 0 ? "-" : "");
		else
			snprintf(num, sizeof(num), "%.17g", d);
		if (!strpbrk(num, ".en")) {
			len = strlen(num);
			snprintf(num + len, sizeof(num) - len, ".0");
		}
		rc = tlc_buf_puts(b, num);
		break;
	case TLC_TOML_BOOL:
		rc = tlc_buf_puts(b, tlc_toml_bool(v) ? "true" : "false");
		break;
	default:
		rc = tlc_buf_puts(b, tlc_toml_string(v, NULL));
		break;
	}
	check(rc == 0, "emit value");
}

static void same(const struct tlc_toml_value *a, const struct tlc_toml_value *b)
{
	enum tlc_toml_type t = tlc_toml_type(a);
	size_t i, la, lb;
	const char *sa, *sb;
	double fa, fb;

	check(t == tlc_toml_type(b), "same type after a round trip");
	check(tlc_toml_len(a) == tlc_toml_len(b), "same length");
	switch (t) {
	case TLC_TOML_TABLE:
		for (i = 0; i < tlc_toml_len(a); i++) {
			la = tlc_toml_key_len(a, i);
			lb = tlc_toml_key_len(b, i);
			check(la == lb && !memcmp(tlc_toml_key_at(a, i),
						  tlc_toml_key_at(b, i), la),
			      "same key in the same place");
			same(tlc_toml_at(a, i), tlc_toml_at(b, i));
		}
		break;
	case TLC_TOML_ARRAY:
		for (i = 0; i < tlc_toml_len(a); i++)
			same(tlc_toml_at(a, i), tlc_toml_at(b, i));
		break;
	case TLC_TOML_INTEGER:
		check(tlc_toml_integer(a) == tlc_toml_integer(b), "integer");
		break;
	case TLC_TOML_FLOAT:
		fa = tlc_toml_float(a);
		fb = tlc_toml_float(b);
		check((isnan(fa) && isnan(fb)) ||
		      (fa == fb && signbit(fa) == signbit(fb)), "float");
		break;
	case TLC_TOML_BOOL:
		check(tlc_toml_bool(a) == tlc_toml_bool(b), "boolean");
		break;
	default:
		sa = tlc_toml_string(a, &la);
		sb = tlc_toml_string(b, &lb);
		check(la == lb && !memcmp(sa, sb, la), "same text");
		break;
	}
}

static void round_trip(const struct tlc_toml *doc)
{
	const struct tlc_toml_value *root = tlc_toml_root(doc);
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_toml *again = NULL;
	size_t i;

	for (i = 0; i < tlc_toml_len(root); i++) {
		emit_string(&b, tlc_toml_key_at(root, i),
			    tlc_toml_key_len(root, i));
		check(tlc_buf_puts(&b, " = ") == 0, "emit");
		emit(&b, tlc_toml_at(root, i));
		check(tlc_buf_puts(&b, "\n") == 0, "emit");
	}
	if (b.len <= TLC_TOML_MAX_INPUT) {
		if (tlc_toml_parse(&again, b.ptr, b.len, "again.toml", &err)) {
			fprintf(stderr, "fuzz_toml: own output refused: %s\n"
				"%s\n", err.msg, b.ptr);
			abort();
		}
		same(root, tlc_toml_root(again));
		tlc_toml_free(again);
	}
	tlc_buf_release(&b);
}

static void check_message(const char *msg)
{
	const char *p = msg + strlen("fuzz.toml:");

	check(!strncmp(msg, "fuzz.toml:", strlen("fuzz.toml:")),
	      "message names the file");
	check(*p >= '1' && *p <= '9', "message has a line");
	p += strspn(p, "0123456789");
	check(*p++ == ':', "line:column");
	check(*p >= '1' && *p <= '9', "message has a column");
	p += strspn(p, "0123456789");
	check(p[0] == ':' && p[1] == ' ' && p[2] && p[2] != ' ',
	      "message says what is wrong");
	check(!strchr(msg, '\n'), "message is one line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	int rc;

	rc = tlc_toml_parse(&doc, (const char *)data, size, "fuzz.toml", &err);
	if (rc < 0) {
		check(rc == TLC_EPOLICY || rc == TLC_ETOOBIG, "error code");
		check(err.code == rc && !doc, "error filled, no document");
		check_message(err.msg);
		return 0;
	}
	check(doc != NULL && err.code == 0, "document, error untouched");
	walk(tlc_toml_root(doc), 0);
	round_trip(doc);
	tlc_toml_free(doc);
	return 0;
}
