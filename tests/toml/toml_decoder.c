/*
 * The toml-test decoder interface (github.com/toml-lang/toml-test,
 * "Implementing a decoder"): TOML on stdin; on success the tagged JSON on
 * stdout and exit 0; on invalid TOML the one-line error on stderr and
 * exit 1.  Exit 2 for a usage or I/O failure.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlcpack/buf.h"
#include "tlcpack/toml.h"

static void put_json_string(const char *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_scalar(const char *type, const char *text, size_t len)
{
	printf("{\"type\":\"%s\",\"value\":", type);
	put_json_string(text, len);
	putchar('}');
}

static void put_value(const struct tlc_toml_value *v)
{
	enum tlc_toml_type t = tlc_toml_type(v);
	char num[64];
	const char *s;
	size_t i, n;
	double d;

	switch (t) {
	case TLC_TOML_TABLE:
		putchar('{');
		for (i = 0; i < tlc_toml_len(v); i++) {
			if (i)
				putchar(',');
			put_json_string(tlc_toml_key_at(v, i),
					tlc_toml_key_len(v, i));
			putchar(':');
			put_value(tlc_toml_at(v, i));
		}
		putchar('}');
		break;
	case TLC_TOML_ARRAY:
		putchar('[');
		for (i = 0; i < tlc_toml_len(v); i++) {
			if (i)
				putchar(',');
			put_value(tlc_toml_at(v, i));
		}
		putchar(']');
		break;
	case TLC_TOML_INTEGER:
		snprintf(num, sizeof(num), "%" PRId64, tlc_toml_integer(v));
		put_scalar("integer", num, strlen(num));
		break;
	case TLC_TOML_FLOAT:
		d = tlc_toml_float(v);
		if (isnan(d))
			snprintf(num, sizeof(num), "nan");
		else if (isinf(d))
			snprintf(num, sizeof(num), "%sinf", d < 0 ? "-" : "");
		else
			snprintf(num, sizeof(num), "%.17g", d);
		put_scalar("float", num, strlen(num));
		break;
	case TLC_TOML_BOOL:
		s = tlc_toml_bool(v) ? "true" : "false";
		put_scalar("bool", s, strlen(s));
		break;
	case TLC_TOML_STRING:
		s = tlc_toml_string(v, &n);
		put_scalar("string", s, n);
		break;
	default:
		s = tlc_toml_string(v, &n);
		put_scalar(tlc_toml_type_name(t), s, n);
		break;
	}
}

int main(int argc, char **argv)
{
	struct tlc_buf in = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_toml *doc = NULL;
	char chunk[65536];
	ssize_t n;
	int rc;

	(void)argc;
	(void)argv;
	while ((n = read(0, chunk, sizeof(chunk))) > 0) {
		if (tlc_buf_put(&in, chunk, (size_t)n) < 0) {
			fprintf(stderr, "toml_decoder: out of memory\n");
			return 2;
		}
	}
	if (n < 0) {
		perror("toml_decoder: read");
		return 2;
	}
	rc = tlc_toml_parse(&doc, in.ptr, in.len, "stdin", &err);
	tlc_buf_release(&in);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	put_value(tlc_toml_root(doc));
	putchar('\n');
	tlc_toml_free(doc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("toml_decoder: write");
		return 2;
	}
	return 0;
}
