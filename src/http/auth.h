/*
 * Credentials for tlcpack serve: an htpasswd file of users with salted,
 * slow password hashes (libcrypt), and a tokens file of API tokens kept
 * only as SHA-256 digests.
 *
 * What a client sends, in the Authorization header:
 *   Basic base64(user ":" password)     RFC 7617; what pip and uv send
 *   Basic base64("__token__:" token)    what twine and uv publish send
 *                                       with an API token (PyPI's way)
 *   Bearer token                        RFC 6750 section 2.1
 *
 * htpasswd file: "user:hash" lines, as Apache's htpasswd writes them.
 * Blank lines and lines starting with '#' are skipped, and space around
 * a line is ignored, as Apache httpd's mod_authn_file does (it reads
 * with ap_cfg_getline and skips "#..." and empty lines); fields after a
 * second ':' are ignored, as there.  Accepted hashes: bcrypt ($2a$, $2b$,
 * $2y$; htpasswd -B), sha512-crypt ($6$; htpasswd -5) and yescrypt ($y$;
 * Debian's default for /etc/shadow).  Refused when loading, so that the
 * server never starts with them: plaintext (htpasswd -p), {SHA} (unsalted
 * SHA-1, htpasswd -s), DES crypt (htpasswd -d), $1$ and $apr1$ (MD5,
 * htpasswd -m, the old default), and every other scheme.  A user appears
 * once.  User names are 1 to 127 bytes of printable ASCII without space,
 * ':' (RFC 7617 section 2: a user-id holds no colon) or ',' (so that
 * --uploaders can list it); "__token__" is reserved.
 *
 * Tokens file: "name:sha256hex[:project,project]" lines, with blank lines
 * and '#' comments as above.  sha256hex is the SHA-256 of the whole token
 * text ("tlc_..."), so that the file is no secret; the projects, if
 * given, limit the uploads of that token to them.  Names follow the user
 * name rules and may repeat (one person, several tokens) or match a user
 * of the htpasswd file (the same identity).
 *
 * A file that is named but holds no entry is refused: it would lock
 * everyone out, which is never what was meant.
 *
 * Thread safety: after tlc_auth_load() and tlc_auth_set_uploaders(),
 * tlc_auth_check() and tlc_auth_may_upload() may be called from any
 * number of threads at once.
 */
#ifndef HTTP_AUTH_H
#define HTTP_AUTH_H

#include <stdbool.h>

#include "tlcpack/buf.h"
#include "tlcpack/error.h"

#define TLC_AUTH_NAME_MAX 127		/* bytes in a user or token name */
#define TLC_AUTH_PROJECTS_MAX 511	/* bytes in a token's project list */
#define TLC_AUTH_HEADER_MAX 4096	/* bytes of Authorization we read */
#define TLC_AUTH_FILE_MAX (16u << 20)	/* bytes in a credentials file */
#define TLC_AUTH_CACHE_SIZE 64		/* passwords checks remembered */
#define TLC_AUTH_CACHE_SECONDS 300	/* ... for this long */

struct tlc_auth;

/**
 * Load the credentials.  Either path may be NULL; with both NULL nothing
 * ever authenticates.
 *
 * @param[out] out  free with tlc_auth_free()
 * @return 0; TLC_EPOLICY for a line that breaks a rule, with the message
 *         "FILE:LINE: ..." (for a refused scheme: "FILE:LINE: user 'u'
 *         uses <scheme>; use bcrypt (htpasswd -B) or sha512-crypt"), or
 *         for a file with no entries; TLC_ENOTFOUND, TLC_EIO, TLC_ETOOBIG
 *         (over TLC_AUTH_FILE_MAX) from reading; TLC_ENOMEM
 */
int tlc_auth_load(struct tlc_auth **out, const char *htpasswd,
		  const char *tokens, struct tlc_error *err);

/**
 * Make a new token for @name: 32 bytes from RAND_bytes (a CSPRNG) as
 * "tlc_" and 43 base64url characters (RFC 4648 section 5, no padding),
 * and the tokens-file line that accepts it.
 *
 * @param projects  NULL or "" for every project, else a comma-separated
 *                  list of valid project names (written normalized)
 * @param[out] token  the token text is appended; show it once
 * @param[out] line   "name:sha256hex[:projects]" is appended, without a
 *                    newline
 * @return 0, TLC_EPOLICY (a bad name or project), TLC_ERROR (no
 *         randomness), TLC_ENOMEM; @token and @line unchanged on failure
 */
int tlc_auth_new_token(const char *name, const char *projects,
		       struct tlc_buf *token, struct tlc_buf *line,
		       struct tlc_error *err);

enum tlc_auth_result {
	TLC_AUTH_OK,		/* @who is filled */
	TLC_AUTH_MISSING,	/* no credentials, or a scheme we do not
				 * take (RFC 9110 section 11.6.2) */
	TLC_AUTH_BAD,		/* credentials that are wrong or malformed */
};

struct tlc_auth_identity {
	char name[TLC_AUTH_NAME_MAX + 1];	/* the user or token name */
	bool token;				/* came with a token */
	char projects[TLC_AUTH_PROJECTS_MAX + 1]; /* "": any project */
};

/**
 * Check the value of an Authorization header (NULL when absent).
 *
 * - "Basic" and "Bearer" are matched without regard to case (RFC 9110
 *   section 11.1), then one or more spaces, then the credentials; space
 *   and tabs around the whole value are ignored.  Another scheme gives
 *   TLC_AUTH_MISSING; "Basic" or "Bearer" with nothing or more than one
 *   word after it gives TLC_AUTH_BAD.
 * - Basic: base64 decoded strictly (RFC 4648 section 4: the standard
 *   alphabet, padding to a multiple of 4, zero pad bits as section 3.5
 *   allows a decoder to demand), split at the first ':' (RFC 7617
 *   section 2: the user-id cannot hold one, the password may), no
 *   control characters in either part (ibid.).  User "__token__" means
 *   the password is a token.
 * - Bearer: the token, in the b64token syntax of RFC 6750 section 2.1.
 * - A password goes through crypt_rn() and the result is compared in
 *   constant time (CRYPTO_memcmp); an unknown user still costs one
 *   crypt_rn() (against the first user's hash), so that timing does not
 *   tell users apart.  A token's SHA-256 is compared with every known
 *   digest, in constant time, without stopping at a match.
 * - A successful password check is remembered (TLC_AUTH_CACHE_SIZE
 *   entries, keyed by the SHA-256 of the header value, for
 *   TLC_AUTH_CACHE_SECONDS), so that a client sending the same header
 *   on every request pays for the slow hash once.  Failures are never
 *   remembered.
 *
 * Thread-safe.  Values over TLC_AUTH_HEADER_MAX bytes are TLC_AUTH_BAD.
 *
 * @param[out] who  filled on TLC_AUTH_OK, zeroed otherwise
 */
enum tlc_auth_result tlc_auth_check(struct tlc_auth *a, const char *header,
				    struct tlc_auth_identity *who);

/**
 * Restrict uploads to these identities (comma-separated names, each a
 * user of the htpasswd file or a token name); by default any identity
 * that authenticates may upload.  Not thread-safe: call before serving.
 *
 * @return 0, TLC_EPOLICY (an empty list or item, an unknown name),
 *         TLC_ENOMEM
 */
int tlc_auth_set_uploaders(struct tlc_auth *a, const char *list,
			   struct tlc_error *err);

/**
 * May @who upload to @project?  Yes when @who is in the uploaders list
 * (or there is none) and, for a token limited to projects, when
 * @project is one of them (compared as PEP 503 normalized names).
 * NULL @who may not.
 */
bool tlc_auth_may_upload(const struct tlc_auth *a,
			 const struct tlc_auth_identity *who,
			 const char *project);

/** Free @a; NULL is a no-op. */
void tlc_auth_free(struct tlc_auth *a);

#endif
