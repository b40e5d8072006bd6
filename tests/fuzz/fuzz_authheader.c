/*
 * libFuzzer target for the Authorization header (src/http/auth.c).
 *
 * One set of credentials is loaded once: user "alice" (sha512-crypt with
 * the fewest rounds, so that each try is cheap) and one token.  Then:
 *
 * - the input as the header value: any result but a crash; TLC_AUTH_OK
 *   only for a value that carries alice's password or the token (the
 *   fuzzer cannot guess those, so OK means a bug); the identity is zeroed
 *   on failure; the same value gives the same answer twice (the cache);
 * - "Basic " + base64(input): never MISSING, and OK exactly when the input
 *   is "alice:<password>" or "__token__:<token>" (an oracle for the
 *   strict base64 decoder and the first-colon split);
 * - "Bearer " + input: OK exactly when the input is the token.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"

#include "fuzzutil.h"

#define PASSWORD "s3cret:pw"
/* Python's crypt.crypt(PASSWORD, "$6$rounds=1000$fuzzsalt$") */
#define HASH "$6$rounds=1000$fuzzsalt$E7wwPvbYUyuyo1qAz9RK//s7/UNwkYHQ.N." \
	"f8K3tHUeo5NCOvv8M/v.prbbXANA7vJwizd2IX7BNU8zN1JCuh/"

static struct tlc_auth *auth;
static char token[64];
static char userpass[64], tokenpass[128];

static void setup(void)
{
	struct tlc_buf tok = TLC_BUF_INIT, line = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char dir[] = "/tmp/fuzz-auth-XXXXXX", hp[64], tp[64];
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(hp, sizeof(hp), "%s/htpasswd", dir);
	snprintf(tp, sizeof(tp), "%s/tokens", dir);
	if (tlc_auth_new_token("ci", "tlcpack", &tok, &line, &err) < 0 ||
	    tok.len >= sizeof(token))
		abort();
	memcpy(token, tok.ptr, tok.len + 1);
	if (!(f = fopen(tp, "w")) || fprintf(f, "%s\n", line.ptr) < 0 ||
	    fclose(f))
		abort();
	if (!(f = fopen(hp, "w")) ||
	    fprintf(f, "alice:%s\n", HASH) < 0 || fclose(f))
		abort();
	if (tlc_auth_load(&auth, hp, tp, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	unlink(hp);
	unlink(tp);
	rmdir(dir);
	snprintf(userpass, sizeof(userpass), "alice:%s", PASSWORD);
	snprintf(tokenpass, sizeof(tokenpass), "__token__:%s", token);
	tlc_buf_release(&tok);
	tlc_buf_release(&line);
}

static void check_who(enum tlc_auth_result r,
		      const struct tlc_auth_identity *who)
{
	if (r != TLC_AUTH_OK && r != TLC_AUTH_MISSING && r != TLC_AUTH_BAD)
		abort();
	if (r == TLC_AUTH_OK) {
		if (strcmp(who->name, who->token ? "ci" : "alice"))
			abort();
		return;
	}
	if (who->name[0] || who->token || who->projects[0])
		abort();
}

static bool equals(const uint8_t *data, size_t size, const char *s)
{
	return size == strlen(s) && !memcmp(data, s, size);
}

static void check_basic(const uint8_t *data, size_t size)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	struct tlc_auth_identity who;
	enum tlc_auth_result r;
	char *h = malloc(6 + (size + 2) / 3 * 4 + 1);
	size_t o = 6;
	bool want;

	if (!h)
		return;
	memcpy(h, "Basic ", 6);
	for (size_t i = 0; i < size; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;

		if (i + 1 < size)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < size)
			v |= data[i + 2];
		h[o++] = b64[v >> 18 & 63];
		h[o++] = b64[v >> 12 & 63];
		h[o++] = i + 1 < size ? b64[v >> 6 & 63] : '=';
		h[o++] = i + 2 < size ? b64[v & 63] : '=';
	}
	h[o] = '\0';
	r = tlc_auth_check(auth, h, &who);
	check_who(r, &who);
	want = equals(data, size, userpass) || equals(data, size, tokenpass);
	if (r == TLC_AUTH_MISSING || (r == TLC_AUTH_OK) != want)
		abort();
	free(h);
}

static void check_bearer(const uint8_t *data, size_t size)
{
	struct tlc_auth_identity who;
	enum tlc_auth_result r;
	char *h = malloc(size + 8);
	const char *p;
	size_t n;

	if (!h)
		return;
	memcpy(h, "Bearer ", 7);
	memcpy(h + 7, data, size);
	h[size + 7] = '\0';
	r = tlc_auth_check(auth, h, &who);
	check_who(r, &who);
	/* a NUL cuts the header short, as it would a C string; spaces
	 * after "Bearer " and around the value do not count */
	p = h + 7;
	n = strlen(p);
	while (*p == ' ')
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if ((r == TLC_AUTH_OK) !=
	    (n == strlen(token) && !memcmp(p, token, n)))
		abort();
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_auth_identity who, again;
	enum tlc_auth_result r;
	char *s;

	if (!auth) {
		setup();
		/* the oracles below pass on the real credentials */
		check_basic((const uint8_t *)userpass, strlen(userpass));
		check_basic((const uint8_t *)tokenpass, strlen(tokenpass));
		check_bearer((const uint8_t *)token, strlen(token));
	}
	if ((s = fuzz_string(data, size))) {
		r = tlc_auth_check(auth, s, &who);
		check_who(r, &who);
		/* what the fuzzer cannot know cannot pass: a success means
		 * the password or token were guessed, or a bug */
		if (r == TLC_AUTH_OK && !strcasestr(s, "basic") &&
		    !strstr(s, token))
			abort();
		if (tlc_auth_check(auth, s, &again) != r ||
		    memcmp(&who, &again, sizeof(who)))
			abort();
		free(s);
	}
	check_basic(data, size);
	check_bearer(data, size);
	return 0;
}
