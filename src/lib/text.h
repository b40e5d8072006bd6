/*
 * Text helpers shared inside libtlcpack (internal).
 */
#ifndef TLC_TEXT_H
#define TLC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "tlcpack/buf.h"

/*
 * Copy at most @max bytes of [p, p + n) into @dst for a one-line message:
 * printable ASCII as is, every other byte (controls, and all of UTF-8, so
 * that no bidirectional or invisible character reaches a terminal) as
 * \xNN, a backslash as \x5c; "..." when cut.  @dstsz must exceed
 * @max * 4 + 4.
 */
void tlc__quote(char *dst, size_t dstsz, const char *p, size_t n, size_t max);

/*
 * The character reference for @c in HTML text and attribute values
 * ("&amp;" for '&' ...), or NULL when @c stands for itself: & < > " ',
 * and tab, LF and CR, so that a value never breaks a one-line-per-link
 * layout (html.parser, which pip uses, turns them back).
 */
const char *tlc__html_entity(char c);

/*
 * The value of the base64 digit @c (RFC 4648): section 4's alphabet
 * ('+', '/') or, when @url, section 5's ('-', '_'); -1 for anything else.
 */
int tlc__b64_value(unsigned char c, bool url);

/*
 * Append the base64 of @n bytes at @p to @out: RFC 4648 section 5's URL
 * alphabet without padding, as RECORD's hashes are written (PEP 376,
 * PEP 427).  0 or TLC_ENOMEM.
 */
int tlc__b64url_put(struct tlc_buf *out, const unsigned char *p, size_t n);

#endif
