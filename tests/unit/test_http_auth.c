/*
 * Credentials (src/http/auth.c) on real files: htpasswd lines written by
 * Apache's htpasswd (bcrypt -B, sha512-crypt -5; captured once, and made
 * afresh when htpasswd is installed) and by libxcrypt itself (bcrypt,
 * sha512-crypt, yescrypt, salted at test time); tokens made by
 * tlc_auth_new_token; Authorization headers of every shape.
 *
 * auth.c is included so that the tests can count the crypt_rn() calls
 * (an unknown user must cost one; a cached success none) and age the
 * cache.
 */
#include <crypt.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "../../src/http/auth.c"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Captured from htpasswd 2.4 (apache2-utils): -nbB -C 4, -nb5, -nb2. */
#define ALICE_BCRYPT_HTPASSWD \
	"alice:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC"
#define ALICE_PW "pw:with colon"
#define GINA_SHA512_HTPASSWD \
	"gina:$6$jYdlb5iISay1ebB/$8fD.l.0e0Ji/yJiSwB0NiNyGg/yn2j0iYpSGj7KG" \
	"y5f8Vi2KKG5An/LtUEkvD0Css3Ba200q7QwCr.g/.nTO8/"
#define GINA_PW "sha-pass"
/* From libxcrypt's crypt_gensalt_rn("$y$") and crypt_rn. */
#define YVES_YESCRYPT \
	"yves:$y$j9T$Zwj5XPBD3x8CBb0pXq5o90$Nf6YelEVNWKuhIWV1LpRt10MfzHZADIMw" \
	"J.yyejKZkA"
#define YVES_PW "yes pass"

struct scratch {
	char dir[PATH_MAX];
	char htpasswd[PATH_MAX + 16];
	char tokens[PATH_MAX + 16];
};

static int setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	if (!s || tu_mkdtemp(s->dir, "auth") < 0)
		return -1;
	snprintf(s->htpasswd, sizeof(s->htpasswd), "%s/htpasswd", s->dir);
	snprintf(s->tokens, sizeof(s->tokens), "%s/tokens", s->dir);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	int rc = tu_remove_tree(s->dir);

	free(s);
	return rc;
}

/* "user:hash" with a hash libxcrypt makes now for @prefix ("$2b$" ...). */
static void hash_line(char *out, size_t size, const char *user,
		      const char *pw, const char *prefix, unsigned long cost)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;

	assert_non_null(cd);
	assert_non_null(crypt_gensalt_rn(prefix, cost, NULL, 0, salt,
					 sizeof(salt)));
	h = crypt_rn(pw, salt, cd, sizeof(*cd));
	assert_non_null(h);
	assert_int_equal(strncmp(h, prefix, strlen(prefix)), 0);
	snprintf(out, size, "%s:%s", user, h);
	free(cd);
}

/* "Basic base64(@userpass)" in @out. */
static void basic(char *out, size_t size, const char *userpass)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	const unsigned char *p = (const unsigned char *)userpass;
	size_t n = strlen(userpass), o;

	o = (size_t)snprintf(out, size, "Basic ");
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		assert_true(o + 5 < size);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

static enum tlc_auth_result check_userpass(struct tlc_auth *a,
					   const char *userpass,
					   struct tlc_auth_identity *who)
{
	char h[TLC_AUTH_HEADER_MAX * 2];

	basic(h, sizeof(h), userpass);
	return tlc_auth_check(a, h, who);
}

static unsigned long crypt_calls(struct tlc_auth *a)
{
	return __atomic_load_n(&a->crypt_calls, __ATOMIC_RELAXED);
}

static void assert_who_empty(const struct tlc_auth_identity *who)
{
	assert_string_equal(who->name, "");
	assert_false(who->token);
	assert_string_equal(who->projects, "");
}

/* Load an htpasswd of the three accepted schemes, from both sources. */
static struct tlc_auth *load_users(struct scratch *s)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	char bob[256], sam[256], yan[256], text[2048];

	hash_line(bob, sizeof(bob), "bob", "bob pw", "$2b$", 4);
	hash_line(sam, sizeof(sam), "sam", "sam pw", "$6$", 0);
	hash_line(yan, sizeof(yan), "yan", "yan pw", "$y$", 0);
	snprintf(text, sizeof(text), "%s\n%s\n%s\n%s\n%s\n%s\n",
		 ALICE_BCRYPT_HTPASSWD, GINA_SHA512_HTPASSWD, YVES_YESCRYPT,
		 bob, sam, yan);
	tu_write_file(s->htpasswd, text, 0600);
	if (tlc_auth_load(&a, s->htpasswd, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return a;
}

static void test_http_auth__passwords(void **state)
{
	static const char *const good[][2] = {
		{ "alice:" ALICE_PW, "alice" },	/* htpasswd -B, $2y$ */
		{ "gina:" GINA_PW, "gina" },	/* htpasswd -5, $6$ */
		{ "yves:" YVES_PW, "yves" },	/* yescrypt */
		{ "bob:bob pw", "bob" },	/* $2b$ */
		{ "sam:sam pw", "sam" },	/* $6$ */
		{ "yan:yan pw", "yan" },	/* $y$ */
	};
	static const char *const bad[] = {
		"alice:pw", "alice:pw:with colo", "alice:" ALICE_PW " ",
		"alice:", "Alice:" ALICE_PW, "gina:SHA-PASS", "yves:yes",
		"bob:sam pw", "sam:bob pw", "yan:", "alice" ALICE_PW,
	};
	struct scratch *s = *state;
	struct tlc_auth *a = load_users(s);
	struct tlc_auth_identity who;

	for (size_t i = 0; i < N(good); i++) {
		if (check_userpass(a, good[i][0], &who) != TLC_AUTH_OK)
			fail_msg("'%s' should pass", good[i][0]);
		assert_string_equal(who.name, good[i][1]);
		assert_false(who.token);
		assert_string_equal(who.projects, "");
	}
	for (size_t i = 0; i < N(bad); i++) {
		memset(&who, 'x', sizeof(who));
		if (check_userpass(a, bad[i], &who) != TLC_AUTH_BAD)
			fail_msg("'%s' should fail", bad[i]);
		assert_who_empty(&who);
	}
	tlc_auth_free(a);
}

/* An unknown user costs one crypt_rn, as a known one does. */
static void test_http_auth__unknown_user_costs_a_hash(void **state)
{
	struct scratch *s = *state;
	struct tlc_auth *a = load_users(s);
	struct tlc_auth_identity who;
	unsigned long before = crypt_calls(a);

	assert_int_equal(check_userpass(a, "mallory:x", &who), TLC_AUTH_BAD);
	assert_int_equal(crypt_calls(a), before + 1);
	assert_int_equal(check_userpass(a, ":x", &who), TLC_AUTH_BAD);
	assert_int_equal(crypt_calls(a), before + 2);
	assert_int_equal(check_userpass(a, "alice:wrong", &who), TLC_AUTH_BAD);
	assert_int_equal(crypt_calls(a), before + 3);
	tlc_auth_free(a);
}

/* Header shapes: each malformed one gives a clear result, not a crash. */
static void test_http_auth__header_shapes(void **state)
{
	struct scratch *s = *state;
	struct tlc_auth *a = load_users(s);
	struct tlc_auth_identity who;
	char good[256], h[TLC_AUTH_HEADER_MAX * 2];
	const char *cred;
	struct {
		const char *header;
		enum tlc_auth_result want;
	} cases[] = {
		{ NULL, TLC_AUTH_MISSING },
		{ "", TLC_AUTH_MISSING },
		{ "   ", TLC_AUTH_MISSING },
		{ "Digest username=\"alice\"", TLC_AUTH_MISSING },
		{ "Negotiate abc", TLC_AUTH_MISSING },
		{ "Basic", TLC_AUTH_BAD },
		{ "Basic ", TLC_AUTH_BAD },
		{ "Bearer", TLC_AUTH_BAD },
		{ "Bearer   ", TLC_AUTH_BAD },
		/* base64 broken every way (RFC 4648 section 4, 3.5) */
		{ "Basic YWxpY2U6eA", TLC_AUTH_BAD },	/* no padding */
		{ "Basic YWxpY2U6eA=", TLC_AUTH_BAD },	/* short padding */
		{ "Basic YWxpY2U6eA===", TLC_AUTH_BAD },
		{ "Basic =YWxpY2U6eA=", TLC_AUTH_BAD },
		{ "Basic YW=pY2U6eA==", TLC_AUTH_BAD },	/* '=' inside */
		{ "Basic YWxpY2U6eB==", TLC_AUTH_BAD },	/* pad bits set */
		{ "Basic YWxpY2U6eA!=", TLC_AUTH_BAD },
		{ "Basic YWxp-2U6eA==", TLC_AUTH_BAD },	/* base64url */
		{ "Basic YWxp_2U6eA==", TLC_AUTH_BAD },
		{ "Basic YWxp\xc3\xa9U6eA==", TLC_AUTH_BAD },
		{ "Basic ====", TLC_AUTH_BAD },
		{ "Basic YWxpY2U=", TLC_AUTH_BAD },	/* "alice", no ':' */
		{ "Basic YWxpY2U6eA== extra", TLC_AUTH_BAD },
		{ "Basic YWxp\tY2U6eA==", TLC_AUTH_BAD },
		{ "Basic YWxpY2U6AA==", TLC_AUTH_BAD },	/* "alice:\0" */
		{ "Basic YWxpY2U6Cg==", TLC_AUTH_BAD },	/* "alice:\n" */
		{ "Basic AGFsaWNlOng=", TLC_AUTH_BAD },	/* "\0alice:x" */
		{ "Basic f2FsaWNlOng=", TLC_AUTH_BAD },	/* "\x7f" first */
		{ "Bearer tok en", TLC_AUTH_BAD },
		{ "Bearer tok!en", TLC_AUTH_BAD },
		{ "Bearer =abc", TLC_AUTH_BAD },
		{ "Bearer abc=d", TLC_AUTH_BAD },
		{ "Bearer tlc_nosuchtoken", TLC_AUTH_BAD },
		{ "Bearer abc==", TLC_AUTH_BAD },	/* well formed */
	};

	basic(good, sizeof(good), "alice:" ALICE_PW);
	cred = good + 6;
	for (size_t i = 0; i < N(cases); i++) {
		enum tlc_auth_result r = tlc_auth_check(a, cases[i].header,
							&who);

		if (r != cases[i].want)
			fail_msg("'%s' gave %d, not %d",
				 cases[i].header ? cases[i].header : "(null)",
				 r, cases[i].want);
		assert_who_empty(&who);
	}

	/* the scheme in any case, more spaces, OWS around the value */
	static const char *const around[][2] = {
		{ "Basic ", "" }, { "basic ", "" }, { "BASIC ", "" },
		{ "bAsIc ", "" }, { "Basic   ", "" }, { "  Basic ", "" },
		{ "Basic ", "  " }, { "\tBasic ", "\t" },
	};
	for (size_t i = 0; i < N(around); i++) {
		snprintf(h, sizeof(h), "%s%s%s", around[i][0], cred,
			 around[i][1]);
		if (tlc_auth_check(a, h, &who) != TLC_AUTH_OK)
			fail_msg("'%s' should pass", h);
		assert_string_equal(who.name, "alice");
	}
	/* no space after the scheme: another scheme */
	snprintf(h, sizeof(h), "Basic%s", cred);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_MISSING);
	/* a tab is not the 1*SP of RFC 9110 section 11.4 */
	snprintf(h, sizeof(h), "Basic\t%s", cred);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_MISSING);

	/* huge: refused before any decoding, even when it would decode */
	memset(h, 'A', sizeof(h) - 1);
	memcpy(h, "Basic ", 6);
	h[sizeof(h) - 1] = '\0';
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_BAD);
	h[TLC_AUTH_HEADER_MAX + 1] = '\0';
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_BAD);
	/* the largest that is read: decodes, to NUL bytes */
	h[TLC_AUTH_HEADER_MAX - 2] = '\0';	/* 6 + 4088, 4088 = 4 * 1022 */
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_BAD);
	/* a long user name is refused after the decoding */
	{
		char up[2000];

		memset(up, 'u', sizeof(up));
		memcpy(up + 1500, ":x", 3);
		assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_BAD);
	}
	tlc_auth_free(a);
}

/* Files with comments, blank lines, CRLF, spaces, trailing fields. */
static void test_http_auth__file_syntax(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity who;

	tu_write_file(s->htpasswd,
		      "# users of the test repository\r\n"
		      "\r\n"
		      "   \n"
		      "  " ALICE_BCRYPT_HTPASSWD "  \r\n"
		      "\t# indented comment\n"
		      GINA_SHA512_HTPASSWD ":extra:fields\n"
		      "\n", 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err), 0);
	assert_int_equal(a->nusers, 2);
	assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &who),
			 TLC_AUTH_OK);
	assert_int_equal(check_userpass(a, "gina:" GINA_PW, &who),
			 TLC_AUTH_OK);
	tlc_auth_free(a);

	/* no newline at the end */
	tu_write_file(s->htpasswd, GINA_SHA512_HTPASSWD, 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err), 0);
	assert_int_equal(check_userpass(a, "gina:" GINA_PW, &who),
			 TLC_AUTH_OK);
	tlc_auth_free(a);

	/* both NULL: loads, nothing authenticates */
	assert_int_equal(tlc_auth_load(&a, NULL, NULL, &err), 0);
	assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &who),
			 TLC_AUTH_BAD);
	assert_int_equal(tlc_auth_check(a, NULL, &who), TLC_AUTH_MISSING);
	tlc_auth_free(a);
}

struct load_case {
	const char *text;
	const char *msg;	/* the message, after "<path>:" */
};

static const struct load_case bad_htpasswd[] = {
	/* the schemes refused, each with its line */
	{ "frank:x\n", "1: user 'frank' uses a plaintext password; use bcrypt "
	  "(htpasswd -B) or sha512-crypt" },
	{ "# c\n\ndave:{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=\n",
	  "3: user 'dave' uses unsalted SHA-1 ({SHA}); use bcrypt (htpasswd "
	  "-B) or sha512-crypt" },
	{ ALICE_BCRYPT_HTPASSWD "\n"
	  "carol:$apr1$R7jGPMVl$oU6rCW1Vl.Wlow5ZCa3j0.\n",
	  "2: user 'carol' uses Apache MD5 ($apr1$); use bcrypt" },
	{ "m:$1$abcdefgh$znAnv9M.XU2pRYfmSs46h/\n",
	  "1: user 'm' uses MD5-crypt ($1$); use bcrypt" },
	{ "erin:XqvhsXqYDvWpo\n", "1: user 'erin' uses DES crypt; use bcrypt" },
	{ "hank:$5$j5dEzxWJzi7ETaBK$EEIEw5fGC5nyOocBhHpVC0P64KEJBsGFEjvhRTDvm03"
	  "\n", "1: user 'hank' uses sha256-crypt ($5$), which is not accepted;"
	  " use bcrypt" },
	{ "x:$2x$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC\n",
	  "1: user 'x' uses the buggy bcrypt variant $2x$" },
	{ "x:$2$04$abc\n", "1: user 'x' uses an unknown scheme" },
	{ "x:{SSHA}abc\n", "1: user 'x' uses an unknown scheme" },
	{ "x:_J9..abcdefghijklmnop\n", "1: user 'x' uses an unknown scheme" },
	/* malformed hashes of accepted schemes */
	{ "x:$2y$04$short\n", "1: user 'x' has a malformed bcrypt hash" },
	{ "x:$2y$03$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC\n",
	  "1: user 'x' has a malformed bcrypt hash" },
	{ "x:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQX!\n",
	  "1: user 'x' has a malformed bcrypt hash" },
	{ "x:$6$salt$short\n",
	  "1: user 'x' has a malformed sha512-crypt hash" },
	{ "x:$6$rounds=$s$short\n",
	  "1: user 'x' has a malformed sha512-crypt hash" },
	{ "x:$6$$8fD.l.0e0Ji/yJiSwB0NiNyGg/yn2j0iYpSGj7KGy5f8Vi2KKG5An/LtUEkvD0"
	  "Css3Ba200q7QwCr.g/.nTO8/\n", "1: user 'x' has a malformed sha512" },
	{ "x:$y$j9T$$Nf6YelEVNWKuhIWV1LpRt10MfzHZADIMwJ.yyejKZkA\n",
	  "1: user 'x' has a malformed yescrypt hash" },
	{ "x:$y$\n", "1: user 'x' has a malformed yescrypt hash" },
	/* lines and names */
	{ "alice\n", "1: not a 'user:hash' line" },
	{ "x:\n", "1: user 'x' has no password hash" },
	{ ":$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC\n",
	  "1: user name '' is empty" },
	{ "a b:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC\n",
	  "1: user name 'a b' may hold only printable ASCII" },
	{ "a,b:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQXC\n",
	  "1: user name 'a,b' may hold only printable ASCII" },
	{ "\xc3\xa9:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAOQ"
	  "XC\n", "1: user name '\\xc3\\xa9' may hold only printable ASCII" },
	{ "__token__:$2y$04$/SfeZcyibaHtRBu3p2wJQO.xZiHgEYbFFItfwjAMnKPwdHIAAO"
	  "QXC\n", "1: user name '__token__' is reserved for tokens" },
	{ ALICE_BCRYPT_HTPASSWD "\n" ALICE_BCRYPT_HTPASSWD "\n",
	  "2: user 'alice' appears twice" },
};

static void test_http_auth__htpasswd_refused(void **state)
{
	struct scratch *s = *state;

	for (size_t i = 0; i < N(bad_htpasswd); i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_auth *a = (struct tlc_auth *)1;
		char want[PATH_MAX + 256];

		tu_write_file(s->htpasswd, bad_htpasswd[i].text, 0600);
		assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err),
				 TLC_EPOLICY);
		assert_null(a);
		snprintf(want, sizeof(want), "%s:%s", s->htpasswd,
			 bad_htpasswd[i].msg);
		if (strncmp(err.msg, want, strlen(want)))
			fail_msg("case %zu: '%s' is not '%s'", i, err.msg,
				 want);
		assert_null(strchr(err.msg, '\n'));
	}
}

/* Empty and comment-only files lock everyone out: refused. */
static void test_http_auth__empty_files(void **state)
{
	static const char *const empties[] = { "", "\n\n", "# only\n  \n" };
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	char want[PATH_MAX + 64];

	for (size_t i = 0; i < N(empties); i++) {
		tu_write_file(s->htpasswd, empties[i], 0600);
		assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err),
				 TLC_EPOLICY);
		snprintf(want, sizeof(want), "'%s' holds no users",
			 s->htpasswd);
		assert_string_equal(err.msg, want);
		tu_write_file(s->tokens, empties[i], 0600);
		assert_int_equal(tlc_auth_load(&a, NULL, s->tokens, &err),
				 TLC_EPOLICY);
		snprintf(want, sizeof(want), "'%s' holds no tokens", s->tokens);
		assert_string_equal(err.msg, want);
	}
	/* missing, a NUL byte */
	assert_int_equal(tlc_auth_load(&a, "/nonexistent/htpasswd", NULL,
				       &err), TLC_ENOTFOUND);
	tu_write_file(s->htpasswd, "", 0600);
	{
		FILE *f = fopen(s->htpasswd, "wb");

		assert_non_null(f);
		fwrite(ALICE_BCRYPT_HTPASSWD "\n\0x\n", 1,
		       sizeof(ALICE_BCRYPT_HTPASSWD) + 3, f);
		fclose(f);
	}
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "NUL byte"));
}

/* Tokens: made, written, accepted as Bearer and as __token__. */
static void test_http_auth__tokens(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf t1 = TLC_BUF_INIT, t2 = TLC_BUF_INIT, t3 = TLC_BUF_INIT;
	struct tlc_buf lines = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity who;
	char h[512], up[512];

	assert_int_equal(tlc_auth_new_token("ci", NULL, &t1, &lines, &err), 0);
	assert_int_equal(tlc_buf_puts(&lines, "\n# scoped\n"), 0);
	assert_int_equal(tlc_auth_new_token("ci-scoped", "Foo.Bar,tlcpack",
					    &t2, &lines, &err), 0);
	assert_int_equal(tlc_buf_putc(&lines, '\n'), 0);
	assert_int_equal(tlc_auth_new_token("ci", "", &t3, &lines, &err), 0);
	assert_int_equal(tlc_buf_putc(&lines, '\n'), 0);

	/* tlc_ + 43 base64url characters, all different */
	assert_int_equal(t1.len, 47);
	assert_int_equal(strncmp(t1.ptr, "tlc_", 4), 0);
	assert_int_equal(strspn(t1.ptr + 4, b64url), 43);
	assert_string_not_equal(t1.ptr, t2.ptr);
	assert_string_not_equal(t1.ptr, t3.ptr);
	/* the lines hold no token, only digests; projects normalized */
	assert_null(strstr(lines.ptr, t1.ptr + 4));
	assert_non_null(strstr(lines.ptr, ":foo-bar,tlcpack\n"));
	assert_int_equal(strncmp(lines.ptr, "ci:", 3), 0);
	assert_int_equal(strspn(lines.ptr + 3, "0123456789abcdef"), 64);
	assert_int_equal(lines.ptr[67], '\n');

	tu_write_file(s->tokens, lines.ptr, 0600);
	assert_int_equal(tlc_auth_load(&a, NULL, s->tokens, &err), 0);
	assert_int_equal(a->ntokens, 3);

	snprintf(h, sizeof(h), "Bearer %s", t1.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_OK);
	assert_string_equal(who.name, "ci");
	assert_true(who.token);
	assert_string_equal(who.projects, "");
	snprintf(h, sizeof(h), "bearer %s", t2.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_OK);
	assert_string_equal(who.name, "ci-scoped");
	assert_string_equal(who.projects, "foo-bar,tlcpack");
	/* twine: user __token__, the token as password */
	snprintf(up, sizeof(up), "__token__:%s", t3.ptr);
	assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_OK);
	assert_string_equal(who.name, "ci");
	assert_true(who.token);

	/* wrong tokens */
	snprintf(h, sizeof(h), "Bearer %.46s", t1.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_BAD);
	snprintf(h, sizeof(h), "Bearer %sA", t1.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_BAD);
	snprintf(up, sizeof(up), "__token__:%s ", t1.ptr);
	assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_BAD);
	snprintf(up, sizeof(up), "ci:%s", t1.ptr);	/* not as a user */
	assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_BAD);
	assert_int_equal(check_userpass(a, "__token__:", &who), TLC_AUTH_BAD);
	assert_int_equal(crypt_calls(a), 0);	/* no users: no hashing */

	/* scopes */
	snprintf(h, sizeof(h), "Bearer %s", t2.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_OK);
	assert_true(tlc_auth_may_upload(a, &who, "foo-bar"));
	assert_true(tlc_auth_may_upload(a, &who, "Foo_Bar"));
	assert_true(tlc_auth_may_upload(a, &who, "tlcpack"));
	assert_false(tlc_auth_may_upload(a, &who, "foo"));
	assert_false(tlc_auth_may_upload(a, &who, "tlcpack-cu121"));
	assert_false(tlc_auth_may_upload(a, &who, ""));
	snprintf(h, sizeof(h), "Bearer %s", t1.ptr);
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_OK);
	assert_true(tlc_auth_may_upload(a, &who, "anything"));
	assert_false(tlc_auth_may_upload(a, NULL, "anything"));
	memset(&who, 0, sizeof(who));
	assert_false(tlc_auth_may_upload(a, &who, "anything"));

	tlc_auth_free(a);
	tlc_buf_release(&t1);
	tlc_buf_release(&t2);
	tlc_buf_release(&t3);
	tlc_buf_release(&lines);
}

static void test_http_auth__new_token_refusals(void **state)
{
	static const char *const names[][2] = {
		{ "", "is empty" }, { "a:b", "printable ASCII" },
		{ "a b", "printable ASCII" }, { "a,b", "printable ASCII" },
		{ "__token__", "reserved" },
	};
	struct tlc_buf tok = TLC_BUF_INIT, line = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;

	(void)state;
	assert_int_equal(tlc_buf_puts(&tok, "keep"), 0);
	for (size_t i = 0; i < N(names); i++) {
		assert_int_equal(tlc_auth_new_token(names[i][0], NULL, &tok,
						    &line, &err), TLC_EPOLICY);
		assert_non_null(strstr(err.msg, names[i][1]));
	}
	assert_int_equal(tlc_auth_new_token("ci", "a,,b", &tok, &line, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "empty or too long project name"));
	assert_int_equal(tlc_auth_new_token("ci", "-bad", &tok, &line, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "not valid (PEP 508)"));
	assert_int_equal(tlc_auth_new_token("ci", "a,", &tok, &line, &err),
			 TLC_EPOLICY);
	assert_string_equal(tok.ptr, "keep");
	assert_int_equal(line.len, 0);
	tlc_buf_release(&tok);
	tlc_buf_release(&line);
}

static const struct load_case bad_tokens[] = {
	{ "ci\n", "1: not a 'name:sha256hex[:projects]' line" },
	{ "ci:abc\n", "1: token 'ci' has no SHA-256 of 64 hex digits" },
	{ "ci:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdeg\n",
	  "1: token 'ci' has no SHA-256" },
	{ "\n\nci:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0\n",
	  "3: token 'ci' has no SHA-256" },
	{ "ci:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef:\n",
	  "1: token 'ci' has an empty project list" },
	{ "ci:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef:a,-b\n",
	  "1: token 'ci' has a project name that is not valid (PEP 508)" },
	{ "c i:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef\n",
	  "1: token name 'c i' may hold" },
	{ "a:" "0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef\n"
	  "b:" "0123456789ABCDEF0123456789ABCDEF"
	  "0123456789ABCDEF0123456789ABCDEF\n",
	  "2: the digest of token 'b' appears twice" },
};

static void test_http_auth__tokens_refused(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	char want[PATH_MAX + 256], big[1200];

	for (size_t i = 0; i < N(bad_tokens); i++) {
		tu_write_file(s->tokens, bad_tokens[i].text, 0600);
		assert_int_equal(tlc_auth_load(&a, NULL, s->tokens, &err),
				 TLC_EPOLICY);
		snprintf(want, sizeof(want), "%s:%s", s->tokens,
			 bad_tokens[i].msg);
		if (strncmp(err.msg, want, strlen(want)))
			fail_msg("case %zu: '%s' is not '%s'", i, err.msg,
				 want);
	}
	/* a project list over 511 bytes */
	snprintf(big, sizeof(big), "ci:%064d:", 0);
	for (int i = 0; strlen(big) < sizeof(big) - 12; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
			 "%sproject%d", i ? "," : "", i);
	tu_write_file(s->tokens, big, 0600);
	assert_int_equal(tlc_auth_load(&a, NULL, s->tokens, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "over 511 bytes"));
	/* and one bad line after good ones names its file and line */
	tu_write_file(s->htpasswd, ALICE_BCRYPT_HTPASSWD "\n", 0600);
	tu_write_file(s->tokens, "# t\nci:abc\n", 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, s->tokens, &err),
			 TLC_EPOLICY);
	snprintf(want, sizeof(want), "%s:2: token 'ci'", s->tokens);
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
}

/* --uploaders: names of users and tokens; anyone else gets no upload. */
static void test_http_auth__uploaders(void **state)
{
	struct scratch *s = *state;
	struct tlc_buf tok = TLC_BUF_INIT, line = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity alice, gina, ci;
	char h[256];

	tu_write_file(s->htpasswd, ALICE_BCRYPT_HTPASSWD "\n"
		      GINA_SHA512_HTPASSWD "\n", 0600);
	assert_int_equal(tlc_auth_new_token("ci", "tlcpack", &tok, &line,
					    &err), 0);
	tu_write_file(s->tokens, line.ptr, 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, s->tokens, &err), 0);
	assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &alice),
			 TLC_AUTH_OK);
	assert_int_equal(check_userpass(a, "gina:" GINA_PW, &gina),
			 TLC_AUTH_OK);
	snprintf(h, sizeof(h), "Bearer %s", tok.ptr);
	assert_int_equal(tlc_auth_check(a, h, &ci), TLC_AUTH_OK);

	/* by default, every identity */
	assert_true(tlc_auth_may_upload(a, &alice, "x"));
	assert_true(tlc_auth_may_upload(a, &gina, "x"));
	assert_true(tlc_auth_may_upload(a, &ci, "tlcpack"));
	assert_false(tlc_auth_may_upload(a, &ci, "x"));

	assert_int_equal(tlc_auth_set_uploaders(a, "alice,ci", &err), 0);
	assert_true(tlc_auth_may_upload(a, &alice, "x"));
	assert_false(tlc_auth_may_upload(a, &gina, "x"));
	assert_true(tlc_auth_may_upload(a, &ci, "tlcpack"));
	assert_false(tlc_auth_may_upload(a, &ci, "x"));

	/* refused lists leave the last one in force */
	assert_int_equal(tlc_auth_set_uploaders(a, "alice,mallory", &err),
			 TLC_EPOLICY);
	assert_string_equal(err.msg, "uploader 'mallory' is neither a user "
			    "nor a token name");
	assert_int_equal(tlc_auth_set_uploaders(a, "", &err), TLC_EPOLICY);
	assert_string_equal(err.msg, "uploader '' is empty");
	assert_int_equal(tlc_auth_set_uploaders(a, "alice,,gina", &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_auth_set_uploaders(a, "alice,", &err),
			 TLC_EPOLICY);
	assert_int_equal(tlc_auth_set_uploaders(a, "a b", &err), TLC_EPOLICY);
	assert_false(tlc_auth_may_upload(a, &gina, "x"));
	assert_true(tlc_auth_may_upload(a, &alice, "x"));

	assert_int_equal(tlc_auth_set_uploaders(a, "gina", &err), 0);
	assert_true(tlc_auth_may_upload(a, &gina, "x"));
	assert_false(tlc_auth_may_upload(a, &alice, "x"));
	assert_false(tlc_auth_may_upload(a, &ci, "tlcpack"));

	tlc_auth_free(a);
	tlc_buf_release(&tok);
	tlc_buf_release(&line);
}

/* A success is remembered: the same header costs no hash again, until
 * the entry expires; a wrong password always costs one. */
static void test_http_auth__cache(void **state)
{
	struct scratch *s = *state;
	struct tlc_auth *a = load_users(s);
	struct tlc_auth_identity who;
	unsigned long n;
	char h[256];

	n = crypt_calls(a);
	assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &who),
			 TLC_AUTH_OK);
	assert_int_equal(crypt_calls(a), n + 1);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &who),
				 TLC_AUTH_OK);
		assert_string_equal(who.name, "alice");
	}
	assert_int_equal(crypt_calls(a), n + 1);
	/* failures are not remembered */
	for (int i = 0; i < 3; i++)
		assert_int_equal(check_userpass(a, "alice:nope", &who),
				 TLC_AUTH_BAD);
	assert_int_equal(crypt_calls(a), n + 4);
	/* another spelling of the header is another key, same answer */
	basic(h, sizeof(h), "alice:" ALICE_PW);
	h[0] = 'b';
	assert_int_equal(tlc_auth_check(a, h, &who), TLC_AUTH_OK);
	assert_int_equal(crypt_calls(a), n + 5);
	/* expired entries are checked again */
	for (size_t i = 0; i < TLC_AUTH_CACHE_SIZE; i++)
		if (a->cache[i].expires)
			a->cache[i].expires = 1;
	assert_int_equal(check_userpass(a, "alice:" ALICE_PW, &who),
			 TLC_AUTH_OK);
	assert_int_equal(crypt_calls(a), n + 6);
	tlc_auth_free(a);
}

/* The cache holds TLC_AUTH_CACHE_SIZE entries: one more evicts the one
 * that expires first, the oldest. */
static void test_http_auth__cache_bounded(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf text = TLC_BUF_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity who;
	char line[256], up[64];
	unsigned long n;
	size_t used = 0;

	for (int i = 0; i <= TLC_AUTH_CACHE_SIZE; i++) {
		char user[16];

		snprintf(user, sizeof(user), "u%d", i);
		hash_line(line, sizeof(line), user, "pw", "$2b$", 4);
		assert_int_equal(tlc_buf_printf(&text, "%s\n", line), 0);
	}
	tu_write_file(s->htpasswd, text.ptr, 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err), 0);
	for (int i = 0; i <= TLC_AUTH_CACHE_SIZE; i++) {
		snprintf(up, sizeof(up), "u%d:pw", i);
		assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_OK);
	}
	for (size_t i = 0; i < TLC_AUTH_CACHE_SIZE; i++)
		used += a->cache[i].expires != 0;
	assert_int_equal(used, TLC_AUTH_CACHE_SIZE);
	n = crypt_calls(a);
	/* the newest is still there, the first was evicted */
	snprintf(up, sizeof(up), "u%d:pw", TLC_AUTH_CACHE_SIZE);
	assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_OK);
	assert_int_equal(crypt_calls(a), n);
	assert_int_equal(check_userpass(a, "u0:pw", &who), TLC_AUTH_OK);
	assert_string_equal(who.name, "u0");
	assert_int_equal(crypt_calls(a), n + 1);
	tlc_auth_free(a);
	tlc_buf_release(&text);
}

struct thread_arg {
	struct tlc_auth *a;
	int id;
	int failures;
};

static void *checker(void *p)
{
	struct thread_arg *t = p;
	struct tlc_auth_identity who;

	for (int i = 0; i < 20; i++) {
		bool good = (i + t->id) % 3 != 0;
		const char *up = !good ? "alice:wrong" :
				 i % 2 ? "bob:bob pw" : "alice:" ALICE_PW;
		char h[256];
		enum tlc_auth_result r;

		basic(h, sizeof(h), up);
		r = tlc_auth_check(t->a, h, &who);
		if (r != (good ? TLC_AUTH_OK : TLC_AUTH_BAD) ||
		    (good && strcmp(who.name, i % 2 ? "bob" : "alice")))
			t->failures++;
	}
	return NULL;
}

/* Many threads at once, as libmicrohttpd's do (run under ASan/TSan). */
static void test_http_auth__threads(void **state)
{
	struct scratch *s = *state;
	struct tlc_auth *a = load_users(s);
	struct thread_arg args[8];
	pthread_t th[8];

	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){ a, i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, checker,
						&args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	tlc_auth_free(a);
}

/* A line htpasswd (apache2-utils) makes now. */
static void test_http_auth__fresh_htpasswd(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity who;

	/* scripts/deps.sh --test installs it: a missing one is a failure,
	 * not a test that quietly checks nothing */
	if (tu_run("command -v htpasswd >/dev/null") != 0)
		fail_msg("htpasswd is not installed (Debian: apache2-utils; "
			 "scripts/deps.sh --test installs it)");
	assert_int_equal(tu_run("htpasswd -cbB -C 4 '%s' zoe 'z pw' "
				"2>/dev/null && htpasswd -b5 '%s' yul 'y:pw' "
				"2>/dev/null", s->htpasswd, s->htpasswd), 0);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err), 0);
	assert_int_equal(check_userpass(a, "zoe:z pw", &who), TLC_AUTH_OK);
	assert_int_equal(check_userpass(a, "yul:y:pw", &who), TLC_AUTH_OK);
	assert_int_equal(check_userpass(a, "yul:y", &who), TLC_AUTH_BAD);
	tlc_auth_free(a);
	/* and its refused schemes are refused */
	assert_int_equal(tu_run("htpasswd -cbm '%s' old pw 2>/dev/null",
				s->htpasswd), 0);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, ":1: user 'old' uses Apache MD5"));
}

/* Names up to 127 bytes. */
static void test_http_auth__long_names(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_auth *a;
	struct tlc_auth_identity who;
	char name[TLC_AUTH_NAME_MAX + 2], line[512], up[512];

	memset(name, 'n', sizeof(name));
	name[TLC_AUTH_NAME_MAX] = '\0';
	hash_line(line, sizeof(line), name, "pw", "$2b$", 4);
	tu_write_file(s->htpasswd, line, 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err), 0);
	snprintf(up, sizeof(up), "%s:pw", name);
	assert_int_equal(check_userpass(a, up, &who), TLC_AUTH_OK);
	assert_string_equal(who.name, name);
	tlc_auth_free(a);

	name[TLC_AUTH_NAME_MAX] = 'n';
	name[TLC_AUTH_NAME_MAX + 1] = '\0';
	hash_line(line, sizeof(line), name, "pw", "$2b$", 4);
	tu_write_file(s->htpasswd, line, 0600);
	assert_int_equal(tlc_auth_load(&a, s->htpasswd, NULL, &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "is longer than 127 bytes"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_http_auth__passwords),
		T(test_http_auth__unknown_user_costs_a_hash),
		T(test_http_auth__header_shapes),
		T(test_http_auth__file_syntax),
		T(test_http_auth__htpasswd_refused),
		T(test_http_auth__empty_files),
		T(test_http_auth__tokens),
		T(test_http_auth__new_token_refusals),
		T(test_http_auth__tokens_refused),
		T(test_http_auth__uploaders),
		T(test_http_auth__cache),
		T(test_http_auth__cache_bounded),
		T(test_http_auth__threads),
		T(test_http_auth__fresh_htpasswd),
		T(test_http_auth__long_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
