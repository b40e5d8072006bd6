/*
 * Credentials: htpasswd and tokens files, the Authorization header.
 *
 * Basic: RFC 7617 (section 2: user-id and password, the first colon,
 * no control characters).  Bearer: RFC 6750 section 2.1 (b64token).
 * Schemes and their case: RFC 9110 section 11.  base64: RFC 4648.
 * htpasswd file syntax: Apache httpd's mod_authn_file and htpasswd(1).
 * Password hashes: libxcrypt's crypt(5).
 */
#include <assert.h>
#include <crypt.h>		/* crypt_rn, crypt_checksalt */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>		/* strncasecmp */
#include <time.h>

#include <openssl/crypto.h>	/* CRYPTO_memcmp, OPENSSL_hexchar2int */
#include <openssl/evp.h>	/* EVP_Digest, EVP_sha256 */
#include <openssl/rand.h>	/* RAND_bytes */

#include "auth.h"
#include "tlcpack/names.h"	/* tlc_name_valid, tlc_name_normalize */

#include "text.h"		/* tlc__quote, tlc__b64_value */

#include "banned.h"

#define TOKEN_USER "__token__"
#define TOKEN_PREFIX "tlc_"
#define TOKEN_BYTES 32
#define TOKEN_TEXT_MAX 256	/* bytes of a token we hash */
#define QUOTE_MAX 40
#define SHA256_LEN 32

struct user {
	char name[TLC_AUTH_NAME_MAX + 1];
	char *hash;
};

struct token {
	char name[TLC_AUTH_NAME_MAX + 1];
	unsigned char sha[SHA256_LEN];
	char projects[TLC_AUTH_PROJECTS_MAX + 1];
};

struct cache_entry {
	unsigned char key[SHA256_LEN];	/* SHA-256 of the header value */
	uint64_t expires;		/* CLOCK_MONOTONIC ns; 0: empty */
	struct tlc_auth_identity who;
};

struct tlc_auth {
	struct user *users;
	size_t nusers;
	struct token *tokens;
	size_t ntokens;
	char **uploaders;	/* NULL: anyone who authenticates */
	size_t nuploaders;

	pthread_mutex_t lock;	/* guards cache */
	struct cache_entry cache[TLC_AUTH_CACHE_SIZE];
	uint64_t cache_ns;	/* lifetime of an entry */
	unsigned long crypt_calls;	/* atomic; for the tests */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sha256(unsigned char *md, const void *p, size_t n)
{
	unsigned int len = SHA256_LEN;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL))
		memset(md, 0, SHA256_LEN);	/* never matches a token */
}

/* ---- names ---- */

/* Why [p, p + n) is not a user or token name, or NULL. */
static const char *name_problem(const char *p, size_t n)
{
	if (n == 0)
		return "is empty";
	if (n > TLC_AUTH_NAME_MAX)
		return "is longer than 127 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == ':' || c == ',')
			return "may hold only printable ASCII without space, "
			       "':' and ','";
	}
	if (n == strlen(TOKEN_USER) && !memcmp(p, TOKEN_USER, n))
		return "is reserved for tokens";
	return NULL;
}

/*
 * Normalize the comma-separated project list [p, p + n) into @out.
 * @return NULL, or why it is refused.
 */
static const char *projects_parse(struct tlc_buf *out, const char *p,
				  size_t n)
{
	struct tlc_error e = TLC_ERROR_INIT;
	const char *end = p + n;

	if (n == 0)
		return "has an empty project list";
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t len = comma ? (size_t)(comma - p) : (size_t)(end - p);
		char name[TLC_NAME_MAX + 1];

		if (len == 0 || len > TLC_NAME_MAX)
			return "has an empty or too long project name";
		memcpy(name, p, len);
		name[len] = '\0';
		if (!tlc_name_valid(name))
			return "has a project name that is not valid (PEP 508)";
		if ((out->len && tlc_buf_putc(out, ',') < 0) ||
		    tlc_name_normalize(out, name, &e) < 0)
			return "has too many projects";
		if (out->len > TLC_AUTH_PROJECTS_MAX)
			return "has a project list over 511 bytes";
		if (!comma)
			break;
		p = comma + 1;
	}
	return NULL;
}

/* ---- files ---- */

struct reader {
	const char *path;
	const char *p, *end;	/* the rest of the file */
	unsigned lineno;
	const char *line;	/* the current line, trimmed */
	size_t len;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next line that is not blank or a comment; false at the end. */
static bool next_line(struct reader *r)
{
	while (r->p < r->end) {
		const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
		const char *s = r->p, *e = nl ? nl : r->end;

		r->p = nl ? nl + 1 : r->end;
		r->lineno++;
		while (s < e && is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		r->line = s;
		r->len = (size_t)(e - s);
		return true;
	}
	return false;
}

static bool all_of(const char *p, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!p[i] || !strchr(set, p[i]))
			return false;
	return true;
}

#define B64CRYPT "./0123456789" \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/*
 * The accepted schemes, checked by shape (crypt_checksalt() looks at the
 * prefix only: it takes "$2b$05$abc" for a bcrypt hash).
 * @return the scheme's name, or NULL with *refused set when the hash is
 * of a scheme we refuse, or NULL alone when it is malformed.
 */
static const char *hash_scheme(const char *h, size_t n, const char **refused,
			       const char **malformed)
{
	*refused = *malformed = NULL;
	if (n >= 4 && h[0] == '$' && h[1] == '2' && strchr("aby", h[2]) &&
	    h[3] == '$') {
		/* $2b$NN$ + 22 salt + 31 hash characters; cost 04 to 31 */
		int cost = n > 6 ? (h[4] - '0') * 10 + (h[5] - '0') : 0;

		if (n != 60 || h[6] != '$' || !all_of(h + 4, 2, "0123456789") ||
		    cost < 4 || cost > 31 || !all_of(h + 7, 53, B64CRYPT))
			*malformed = "bcrypt";
		return "bcrypt";
	}
	if (n >= 3 && !memcmp(h, "$6$", 3)) {
		/* $6$[rounds=N$]salt$ + 86 characters; salt 1 to 16 */
		const char *s = h + 3, *end = h + n, *d;

		if (end - s > 7 && !memcmp(s, "rounds=", 7)) {
			d = memchr(s + 7, '$', (size_t)(end - s - 7));
			if (!d || d == s + 7 ||
			    !all_of(s + 7, (size_t)(d - s - 7), "0123456789")) {
				*malformed = "sha512-crypt";
				return "sha512-crypt";
			}
			s = d + 1;
		}
		d = memchr(s, '$', (size_t)(end - s));
		if (!d || d == s || d - s > 16 ||
		    memchr(s, ':', (size_t)(d - s)) ||
		    end - d - 1 != 86 || !all_of(d + 1, 86, B64CRYPT))
			*malformed = "sha512-crypt";
		return "sha512-crypt";
	}
	if (n >= 3 && !memcmp(h, "$y$", 3)) {
		/* $y$params$salt$ + 43 characters */
		const char *s = h + 3, *end = h + n;
		const char *d1 = memchr(s, '$', (size_t)(end - s));
		const char *d2 = d1 ? memchr(d1 + 1, '$',
					     (size_t)(end - d1 - 1)) : NULL;

		if (!d2 || d1 == s || d2 == d1 + 1 ||
		    !all_of(s, (size_t)(d1 - s), B64CRYPT) ||
		    !all_of(d1 + 1, (size_t)(d2 - d1 - 1), B64CRYPT) ||
		    end - d2 - 1 != 43 || !all_of(d2 + 1, 43, B64CRYPT))
			*malformed = "yescrypt";
		return "yescrypt";
	}
	if (n >= 6 && !memcmp(h, "$apr1$", 6))
		*refused = "Apache MD5 ($apr1$)";
	else if (n >= 3 && !memcmp(h, "$1$", 3))
		*refused = "MD5-crypt ($1$)";
	else if (n >= 5 && !memcmp(h, "{SHA}", 5))
		*refused = "unsalted SHA-1 ({SHA})";
	else if (n == 13 && all_of(h, n, B64CRYPT))
		*refused = "DES crypt";
	else if (n >= 3 && !memcmp(h, "$5$", 3))
		*refused = "sha256-crypt ($5$), which is not accepted";
	else if (n >= 4 && !memcmp(h, "$2x$", 4))
		*refused = "the buggy bcrypt variant $2x$";
	else if (h[0] == '$' || h[0] == '{' || h[0] == '_')
		*refused = "an unknown scheme";
	else
		*refused = "a plaintext password";
	return NULL;
}

static int add_user(struct tlc_auth *a, const struct reader *r,
		    struct tlc_error *err)
{
	const char *colon = memchr(r->line, ':', r->len), *h, *hend, *why;
	const char *refused, *malformed, *scheme;
	size_t namelen;
	struct user *u;
	char q[QUOTE_MAX * 4 + 5];

	if (!colon)
		return tlc_error_set(err, TLC_EPOLICY,
				     "%s:%u: not a 'user:hash' line", r->path,
				     r->lineno);
	namelen = (size_t)(colon - r->line);
	tlc__quote(q, sizeof(q), r->line, namelen, QUOTE_MAX);
	if ((why = name_problem(r->line, namelen)))
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user name '%s' "
				     "%s", r->path, r->lineno, q, why);
	for (size_t i = 0; i < a->nusers; i++)
		if (strlen(a->users[i].name) == namelen &&
		    !memcmp(a->users[i].name, r->line, namelen))
			return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user "
					     "'%s' appears twice", r->path,
					     r->lineno, q);
	/* fields after the hash are ignored, as mod_authn_file does */
	h = colon + 1;
	hend = memchr(h, ':', (size_t)(r->line + r->len - h));
	if (!hend)
		hend = r->line + r->len;
	if (h == hend)
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user '%s' has "
				     "no password hash", r->path, r->lineno, q);
	scheme = hash_scheme(h, (size_t)(hend - h), &refused, &malformed);
	if (refused)
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user '%s' uses "
				     "%s; use bcrypt (htpasswd -B) or "
				     "sha512-crypt", r->path, r->lineno, q,
				     refused);
	if (malformed)
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user '%s' has a "
				     "malformed %s hash", r->path, r->lineno,
				     q, malformed);
	u = realloc(a->users, (a->nusers + 1) * sizeof(*u));
	if (!u)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	a->users = u;
	u += a->nusers;
	memcpy(u->name, r->line, namelen);
	u->name[namelen] = '\0';
	if (!(u->hash = strndup(h, (size_t)(hend - h))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	a->nusers++;
	/* the system's policy may mark a scheme legacy or disabled */
	if (crypt_checksalt(u->hash) != CRYPT_SALT_OK)
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: user '%s' uses "
				     "%s, which this system's libcrypt "
				     "refuses", r->path, r->lineno, q,
				     scheme);
	return 0;
}

static int add_token(struct tlc_auth *a, const struct reader *r,
		     struct tlc_error *err)
{
	const char *end = r->line + r->len, *c1, *hex, *c2, *why;
	struct tlc_buf projects = TLC_BUF_INIT;
	struct token t, *nt;
	char q[QUOTE_MAX * 4 + 5];
	size_t namelen;

	memset(&t, 0, sizeof(t));
	if (!(c1 = memchr(r->line, ':', r->len)))
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: not a "
				     "'name:sha256hex[:projects]' line",
				     r->path, r->lineno);
	namelen = (size_t)(c1 - r->line);
	tlc__quote(q, sizeof(q), r->line, namelen, QUOTE_MAX);
	if ((why = name_problem(r->line, namelen)))
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: token name '%s' "
				     "%s", r->path, r->lineno, q, why);
	hex = c1 + 1;
	c2 = memchr(hex, ':', (size_t)(end - hex));
	if ((c2 ? c2 : end) - hex != 2 * SHA256_LEN)
		goto bad_hex;
	for (size_t i = 0; i < SHA256_LEN; i++) {
		int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
		int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad_hex;
		t.sha[i] = (unsigned char)(hi << 4 | lo);
	}
	if (c2 && (why = projects_parse(&projects, c2 + 1,
					(size_t)(end - c2 - 1)))) {
		tlc_buf_release(&projects);
		return tlc_error_set(err, TLC_EPOLICY, "%s:%u: token '%s' %s",
				     r->path, r->lineno, q, why);
	}
	memcpy(t.projects, projects.ptr, projects.len + 1);
	tlc_buf_release(&projects);
	memcpy(t.name, r->line, namelen);
	for (size_t i = 0; i < a->ntokens; i++)
		if (!memcmp(a->tokens[i].sha, t.sha, SHA256_LEN))
			return tlc_error_set(err, TLC_EPOLICY, "%s:%u: the "
					     "digest of token '%s' appears "
					     "twice", r->path, r->lineno, q);
	nt = realloc(a->tokens, (a->ntokens + 1) * sizeof(*nt));
	if (!nt)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	a->tokens = nt;
	nt[a->ntokens++] = t;
	return 0;

bad_hex:
	return tlc_error_set(err, TLC_EPOLICY, "%s:%u: token '%s' has no "
			     "SHA-256 of 64 hex digits", r->path, r->lineno,
			     q);
}

/*
 * Each line of the text file @path that is not blank or a comment, through
 * @add; a file with none (@count still 0) is refused, naming @what.
 */
static int load_lines(struct tlc_auth *a, const char *path,
		      int (*add)(struct tlc_auth *, const struct reader *,
				 struct tlc_error *),
		      const size_t *count, const char *what,
		      struct tlc_error *err)
{
	struct tlc_buf b;
	struct reader r;
	int rc;

	tlc_buf_init(&b, TLC_AUTH_FILE_MAX);
	if ((rc = tlc_buf_read_file(&b, path, err)) < 0)
		goto out;
	if (memchr(b.ptr, '\0', b.len)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' holds a NUL byte: "
				   "not a text file", path);
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.p = b.ptr;
	r.end = b.ptr + b.len;
	while (next_line(&r))
		if ((rc = add(a, &r, err)) < 0)
			goto out;
	if (*count == 0)
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' holds no %s", path,
				   what);
out:
	tlc_buf_release(&b);
	return rc;
}

int tlc_auth_load(struct tlc_auth **out, const char *htpasswd,
		  const char *tokens, struct tlc_error *err)
{
	struct tlc_auth *a = calloc(1, sizeof(*a));
	int rc = 0;

	*out = NULL;
	if (!a)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (pthread_mutex_init(&a->lock, NULL)) {
		free(a);
		return tlc_error_set(err, TLC_ERROR, "cannot make a mutex");
	}
	a->cache_ns = (uint64_t)TLC_AUTH_CACHE_SECONDS * 1000000000u;
	if (htpasswd && (rc = load_lines(a, htpasswd, add_user, &a->nusers,
					 "users", err)) < 0)
		goto fail;
	if (tokens && (rc = load_lines(a, tokens, add_token, &a->ntokens,
				       "tokens", err)) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	tlc_auth_free(a);
	return rc;
}

void tlc_auth_free(struct tlc_auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nusers; i++)
		free(a->users[i].hash);
	free(a->users);
	free(a->tokens);
	for (size_t i = 0; i < a->nuploaders; i++)
		free(a->uploaders[i]);
	free(a->uploaders);
	OPENSSL_cleanse(a->cache, sizeof(a->cache));
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/* ---- tokens ---- */

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int tlc_auth_new_token(const char *name, const char *projects,
		       struct tlc_buf *token, struct tlc_buf *line,
		       struct tlc_error *err)
{
	struct tlc_buf proj = TLC_BUF_INIT, text = TLC_BUF_INIT;
	unsigned char raw[TOKEN_BYTES], md[SHA256_LEN];
	size_t tstart = token->len, lstart = line->len;
	char q[QUOTE_MAX * 4 + 5];
	const char *why;
	uint32_t acc = 0;
	int bits = 0, rc = 0;

	assert(name && token && line);
	tlc__quote(q, sizeof(q), name, strlen(name), QUOTE_MAX);
	if ((why = name_problem(name, strlen(name))))
		return tlc_error_set(err, TLC_EPOLICY, "token name '%s' %s", q,
				     why);
	if (projects && *projects &&
	    (why = projects_parse(&proj, projects, strlen(projects)))) {
		tlc_buf_release(&proj);
		return tlc_error_set(err, TLC_EPOLICY, "token '%s' %s", q,
				     why);
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		rc = tlc_error_set(err, TLC_ERROR, "cannot make a token: no "
				   "random bytes");
		goto out;
	}
	/* base64url without padding: 32 bytes, 43 characters */
	if ((rc = tlc_buf_puts(&text, TOKEN_PREFIX)) < 0)
		goto oom;
	for (size_t i = 0; i < sizeof(raw); i++) {
		acc = acc << 8 | raw[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			if ((rc = tlc_buf_putc(&text, b64url[(acc >> bits) &
							     63])) < 0)
				goto oom;
		}
	}
	if (bits && (rc = tlc_buf_putc(&text,
				       b64url[(acc << (6 - bits)) & 63])) < 0)
		goto oom;
	sha256(md, text.ptr, text.len);
	if ((rc = tlc_buf_put(token, text.ptr, text.len)) < 0 ||
	    (rc = tlc_buf_printf(line, "%s:", name)) < 0)
		goto oom;
	for (size_t i = 0; i < sizeof(md); i++)
		if ((rc = tlc_buf_printf(line, "%02x", md[i])) < 0)
			goto oom;
	if (proj.len && (rc = tlc_buf_printf(line, ":%s", proj.ptr)) < 0)
		goto oom;
	goto out;
oom:
	tlc_buf_truncate(token, tstart);
	tlc_buf_truncate(line, lstart);
	rc = tlc_error_set(err, rc, "cannot make a token: %s",
			   tlc_error_name(rc));
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text.ptr, text.len);
	tlc_buf_release(&text);
	tlc_buf_release(&proj);
	return rc;
}

/* The token whose digest is SHA-256(@p, @n), or NULL; every digest is
 * compared, in constant time. */
static const struct token *find_token(const struct tlc_auth *a,
				      const char *p, size_t n)
{
	const struct token *found = NULL;
	unsigned char md[SHA256_LEN];

	if (n == 0 || n > TOKEN_TEXT_MAX)
		return NULL;
	sha256(md, p, n);
	for (size_t i = 0; i < a->ntokens; i++)
		if (!CRYPTO_memcmp(md, a->tokens[i].sha, SHA256_LEN) &&
		    !found)
			found = &a->tokens[i];
	return found;
}

static enum tlc_auth_result token_ok(const struct token *t,
				     struct tlc_auth_identity *who)
{
	if (!t)
		return TLC_AUTH_BAD;
	memcpy(who->name, t->name, sizeof(who->name));
	who->token = true;
	memcpy(who->projects, t->projects, sizeof(who->projects));
	return TLC_AUTH_OK;
}

/* ---- passwords ---- */

static bool crypt_matches(struct tlc_auth *a, const char *pw,
			  const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *got;
	bool ok = false;

	if (!cd)
		return false;
	__atomic_fetch_add(&a->crypt_calls, 1, __ATOMIC_RELAXED);
	got = crypt_rn(pw, hash, cd, (int)sizeof(*cd));
	if (got && strlen(got) == strlen(hash))
		ok = !CRYPTO_memcmp(got, hash, strlen(hash));
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static bool cache_get(struct tlc_auth *a, const unsigned char *key,
		      struct tlc_auth_identity *who)
{
	uint64_t now = now_ns();
	bool hit = false;

	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < TLC_AUTH_CACHE_SIZE; i++) {
		struct cache_entry *e = &a->cache[i];

		if (e->expires && e->expires <= now)
			e->expires = 0;
		if (e->expires && !CRYPTO_memcmp(e->key, key, SHA256_LEN)) {
			*who = e->who;
			hit = true;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return hit;
}

/* Remember a success, in an empty slot or over the one that expires
 * first. */
static void cache_put(struct tlc_auth *a, const unsigned char *key,
		      const struct tlc_auth_identity *who)
{
	uint64_t now = now_ns();
	struct cache_entry *victim;

	if (!a->cache_ns)
		return;
	pthread_mutex_lock(&a->lock);
	victim = &a->cache[0];
	for (size_t i = 0; i < TLC_AUTH_CACHE_SIZE; i++) {
		struct cache_entry *e = &a->cache[i];

		if (e->expires <= now) {
			victim = e;
			break;
		}
		if (e->expires < victim->expires)
			victim = e;
	}
	memcpy(victim->key, key, SHA256_LEN);
	victim->who = *who;
	victim->expires = now + a->cache_ns;
	pthread_mutex_unlock(&a->lock);
}

static enum tlc_auth_result password_ok(struct tlc_auth *a, const char *user,
					const char *pw,
					struct tlc_auth_identity *who)
{
	const struct user *u = NULL;

	for (size_t i = 0; i < a->nusers; i++)
		if (!strcmp(a->users[i].name, user))
			u = &a->users[i];
	if (!u) {
		/* as slow as a known user, so as not to tell them apart */
		if (a->nusers)
			(void)crypt_matches(a, pw, a->users[0].hash);
		return TLC_AUTH_BAD;
	}
	if (!crypt_matches(a, pw, u->hash))
		return TLC_AUTH_BAD;
	memcpy(who->name, u->name, sizeof(who->name));
	return TLC_AUTH_OK;
}

/* ---- the header ---- */

/*
 * Strict base64 (RFC 4648 section 4) of [p, p + n) into @out (room for
 * n / 4 * 3 + 1 bytes; NUL-terminated).  @return the length, or -1.
 */
static long b64_decode(unsigned char *out, const char *p, size_t n)
{
	size_t o = 0, pad = 0;

	if (n == 0 || n % 4)
		return -1;
	if (p[n - 1] == '=')
		pad = p[n - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			int d = tlc__b64_value((unsigned char)p[i + j],
					       false);

			if (d < 0 && !(i + 4 == n && j >= 4 - pad))
				return -1;	/* '=' only as padding */
			v = v << 6 | (uint32_t)(d < 0 ? 0 : d);
		}
		out[o++] = (unsigned char)(v >> 16);
		if (i + 4 < n || pad < 2)
			out[o++] = (unsigned char)(v >> 8);
		if (i + 4 < n || pad < 1)
			out[o++] = (unsigned char)v;
		/* section 3.5: the pad bits must be zero */
		if (i + 4 == n && ((pad == 1 && (v & 0xff)) ||
				   (pad == 2 && (v & 0xffff))))
			return -1;
	}
	out[o] = '\0';
	return (long)o;
}

static bool has_ctl(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return true;
	return false;
}

static enum tlc_auth_result check_basic(struct tlc_auth *a, const char *hdr,
					const char *cred, size_t n,
					struct tlc_auth_identity *who)
{
	unsigned char buf[TLC_AUTH_HEADER_MAX / 4 * 3 + 1];
	unsigned char key[SHA256_LEN];
	enum tlc_auth_result res;
	long len;
	char *colon;

	if ((len = b64_decode(buf, cred, n)) < 0 ||
	    has_ctl(buf, (size_t)len) ||
	    !(colon = memchr(buf, ':', (size_t)len)))
		return TLC_AUTH_BAD;
	*colon = '\0';	/* RFC 7617: split at the first colon */
	if (!strcmp((char *)buf, TOKEN_USER)) {
		res = token_ok(find_token(a, colon + 1, strlen(colon + 1)),
			       who);
		goto out;
	}
	if (strlen((char *)buf) > TLC_AUTH_NAME_MAX) {
		res = TLC_AUTH_BAD;
		goto out;
	}
	sha256(key, hdr, strlen(hdr));
	if (cache_get(a, key, who)) {
		res = TLC_AUTH_OK;
		goto out;
	}
	res = password_ok(a, (char *)buf, colon + 1, who);
	if (res == TLC_AUTH_OK)
		cache_put(a, key, who);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return res;
}

/* RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
 * "~" / "+" / "/" ) *"=" */
static bool is_b64token(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') ||
			 (p[i] >= 'a' && p[i] <= 'z') ||
			 (p[i] >= '0' && p[i] <= '9') ||
			 strchr("-._~+/", p[i])))
		i++;
	if (i == 0)
		return false;
	while (i < n && p[i] == '=')
		i++;
	return i == n;
}

static bool scheme_is(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && !strncasecmp(p, name, n);
}

enum tlc_auth_result tlc_auth_check(struct tlc_auth *a, const char *header,
				    struct tlc_auth_identity *who)
{
	const char *p, *end, *sp, *cred;
	enum tlc_auth_result res;
	size_t n;

	assert(a && who);
	memset(who, 0, sizeof(*who));
	if (!header)
		return TLC_AUTH_MISSING;
	n = strnlen(header, TLC_AUTH_HEADER_MAX + 1);
	if (n > TLC_AUTH_HEADER_MAX)
		return TLC_AUTH_BAD;
	/* OWS around a field value is not part of it (RFC 9110 5.5) */
	p = header;
	end = header + n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end)
		return TLC_AUTH_MISSING;
	/* credentials = auth-scheme [ 1*SP ( token68 / ... ) ] */
	sp = memchr(p, ' ', (size_t)(end - p));
	n = sp ? (size_t)(sp - p) : (size_t)(end - p);
	if (!scheme_is(p, n, "Basic") && !scheme_is(p, n, "Bearer"))
		return TLC_AUTH_MISSING;
	if (!sp)
		return TLC_AUTH_BAD;
	cred = sp;
	while (cred < end && *cred == ' ')
		cred++;
	if (cred == end || memchr(cred, ' ', (size_t)(end - cred)) ||
	    memchr(cred, '\t', (size_t)(end - cred)))
		return TLC_AUTH_BAD;
	if (!scheme_is(p, n, "Bearer"))
		res = check_basic(a, header, cred, (size_t)(end - cred), who);
	else if (is_b64token(cred, (size_t)(end - cred)))
		res = token_ok(find_token(a, cred, (size_t)(end - cred)), who);
	else
		res = TLC_AUTH_BAD;
	if (res != TLC_AUTH_OK)
		memset(who, 0, sizeof(*who));
	return res;
}

/* ---- uploads ---- */

static bool known_name(const struct tlc_auth *a, const char *name)
{
	for (size_t i = 0; i < a->nusers; i++)
		if (!strcmp(a->users[i].name, name))
			return true;
	for (size_t i = 0; i < a->ntokens; i++)
		if (!strcmp(a->tokens[i].name, name))
			return true;
	return false;
}

int tlc_auth_set_uploaders(struct tlc_auth *a, const char *list,
			   struct tlc_error *err)
{
	char **v = NULL, q[QUOTE_MAX * 4 + 5];
	size_t nv = 0;
	const char *p = list, *why;
	int rc = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char **nvv;

		tlc__quote(q, sizeof(q), p, n, QUOTE_MAX);
		if ((why = name_problem(p, n))) {
			rc = tlc_error_set(err, TLC_EPOLICY, "uploader '%s' %s",
					   q, why);
			goto fail;
		}
		if (!(nvv = realloc(v, (nv + 1) * sizeof(*v))) ||
		    !(nvv[nv] = strndup(p, n))) {
			if (nvv)
				v = nvv;
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto fail;
		}
		v = nvv;
		if (!known_name(a, v[nv++])) {
			rc = tlc_error_set(err, TLC_EPOLICY, "uploader '%s' is "
					   "neither a user nor a token name",
					   q);
			goto fail;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	for (size_t i = 0; i < a->nuploaders; i++)
		free(a->uploaders[i]);
	free(a->uploaders);
	a->uploaders = v;
	a->nuploaders = nv;
	return 0;
fail:
	for (size_t i = 0; i < nv; i++)
		free(v[i]);
	free(v);
	return rc;
}

bool tlc_auth_may_upload(const struct tlc_auth *a,
			 const struct tlc_auth_identity *who,
			 const char *project)
{
	bool listed = !a->uploaders;
	const char *p;

	if (!who || !who->name[0])
		return false;
	for (size_t i = 0; i < a->nuploaders; i++)
		if (!strcmp(a->uploaders[i], who->name))
			listed = true;
	if (!listed)
		return false;
	if (!who->token || !who->projects[0])
		return true;
	for (p = who->projects; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[TLC_NAME_MAX + 1];

		if (n <= TLC_NAME_MAX) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (project && tlc_name_equal(name, project))
				return true;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}
