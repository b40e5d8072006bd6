/*
 * TOML 1.0.0 (https://toml.io/en/v1.0.0) parsed into a read-only tree.
 *
 * Tables keep their keys in document order.  Every value remembers the
 * line and column (1-based; the column counts bytes) where it was defined,
 * so that a recipe error can name file:line:column.
 *
 * Choices the specification leaves open: integers are int64 and a literal
 * that does not fit is refused; floats are IEEE binary64 and a finite
 * literal too large for one (1e400) is refused rather than read as
 * infinity; newlines in multi-line strings come out as "\n" even when the
 * file has CRLF; a UTF-8 byte order mark may open the input.
 *
 * The accessors accept NULL and values of the wrong type: they then
 * return NULL, 0, 0.0 or false, so that lookups chain, e.g.
 * tlc_toml_string(tlc_toml_get(tlc_toml_get(root, "package"), "name"),
 * NULL).  tlc_toml_type(), tlc_toml_line() and tlc_toml_column() need a
 * value.
 */
#ifndef TLC_TOML_H
#define TLC_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tlc_toml_type {
	TLC_TOML_STRING,
	TLC_TOML_INTEGER,
	TLC_TOML_FLOAT,
	TLC_TOML_BOOL,
	TLC_TOML_DATETIME,	/* offset date-time */
	TLC_TOML_DATETIME_LOCAL,
	TLC_TOML_DATE_LOCAL,
	TLC_TOML_TIME_LOCAL,
	TLC_TOML_ARRAY,
	TLC_TOML_TABLE,
};

struct tlc_toml;	/* a parsed document, owns every value */
struct tlc_toml_value;	/* borrowed from its document */

/** Hard limits, so that hostile input cannot exhaust memory or stack. */
#define TLC_TOML_MAX_INPUT (16u << 20)	/* bytes of input */
#define TLC_TOML_MAX_DEPTH 64		/* nesting of containers */
/* The depth counts every container between a value and the root: arrays
 * and inline tables, and also tables made by [a.b.c] headers and dotted
 * keys and arrays of tables, so that any walk over a parsed tree recurses
 * at most TLC_TOML_MAX_DEPTH + 1 deep. */

/**
 * Parse @len bytes of @data.  @filename is used only in messages.
 *
 * On failure @err reads "<filename>:<line>:<column>: <what is wrong>",
 * e.g. "tlcpack.toml:3:7: duplicate key 'name'".
 *
 * @param[out] out  the document; free it with tlc_toml_free()
 * @return 0, TLC_EPOLICY for invalid TOML, TLC_ETOOBIG, TLC_ENOMEM
 */
int tlc_toml_parse(struct tlc_toml **out, const char *data, size_t len,
		   const char *filename, struct tlc_error *err);

/** Free @doc and every value in it.  NULL is a no-op. */
void tlc_toml_free(struct tlc_toml *doc);

/** The root table, borrowed from @doc. */
const struct tlc_toml_value *tlc_toml_root(const struct tlc_toml *doc);

enum tlc_toml_type tlc_toml_type(const struct tlc_toml_value *v);

/** "string", "integer", "float", "boolean", "datetime", "array", "table"... */
const char *tlc_toml_type_name(enum tlc_toml_type t);

/** Where @v was defined: for a key/value pair, the key; for a [table]
 * header, the header; for an array element, the element. */
unsigned tlc_toml_line(const struct tlc_toml_value *v);
unsigned tlc_toml_column(const struct tlc_toml_value *v);

/** Number of elements (array) or keys (table); 0 for scalars. */
size_t tlc_toml_len(const struct tlc_toml_value *v);

/** Element @i of an array, or the value of key @i of a table. */
const struct tlc_toml_value *tlc_toml_at(const struct tlc_toml_value *v,
					 size_t i);

/** Key @i of a table, NUL-terminated (keys with NUL bytes cannot be
 * looked up by name but are still listed). */
const char *tlc_toml_key_at(const struct tlc_toml_value *v, size_t i);

/** The length in bytes of key @i of a table (for keys with NUL bytes);
 * 0 if there is no such key. */
size_t tlc_toml_key_len(const struct tlc_toml_value *v, size_t i);

/** The value under @key in table @v, or NULL.  Hashed: constant time on
 * average, whatever the size of the table. */
const struct tlc_toml_value *tlc_toml_get(const struct tlc_toml_value *v,
					  const char *key);

/** Like tlc_toml_get(), for a key of @len bytes that may hold NUL. */
const struct tlc_toml_value *tlc_toml_getn(const struct tlc_toml_value *v,
					   const char *key, size_t len);

/**
 * A string's bytes (UTF-8, escapes decoded, NUL-terminated; may contain
 * NUL).  For the four date/time types, their text as written in RFC 3339
 * form with 'T' and upper-case 'Z' (the toml-test encoding); fractional
 * seconds keep the digits written.  NULL for other types.
 *
 * @param[out] len  may be NULL; set to 0 when the result is NULL
 */
const char *tlc_toml_string(const struct tlc_toml_value *v, size_t *len);

/** The value of an integer, float or boolean; 0, 0.0 or false for a
 * value of another type (an integer is not converted to a float). */
int64_t tlc_toml_integer(const struct tlc_toml_value *v);
double tlc_toml_float(const struct tlc_toml_value *v);
bool tlc_toml_bool(const struct tlc_toml_value *v);

#endif
