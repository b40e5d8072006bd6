/*
 * Credentials for the commands that send to a server (creds.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "creds.h"

#include "banned.h"

#define SECRET_MAX 4096		/* bytes of a password or token file */

int http_creds_option(struct http_creds *c, int opt, const char *arg,
		      const char *cmd)
{
	switch (opt) {
	case HTTP_CREDS_OPT_USER:
		c->user = arg;
		return 1;
	case HTTP_CREDS_OPT_PASSWORD:
		return cli_usage_error(cmd, "a password on the command line "
				       "is visible to other users; set "
				       "TLCPACK_PASSWORD or give "
				       "--password-file");
	case HTTP_CREDS_OPT_PASSWORD_FILE:
		c->password_file = arg;
		return 1;
	case HTTP_CREDS_OPT_TOKEN_FILE:
		c->token_file = arg;
		return 1;
	default:
		return 0;
	}
}

/* The first line of @path, for a password or token: no trailing CR/LF,
 * not empty, at most SECRET_MAX bytes.  Never printed. */
static int read_secret(struct tlc_buf *out, const char *path,
		       const char *what)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char *nl;

	out->max = SECRET_MAX;
	if (tlc_buf_read_file(out, path, &err) < 0) {
		if (err.code == TLC_ETOOBIG)
			cli_error("%s file '%s' is over %d bytes", what, path,
				  SECRET_MAX);
		else
			cli_error_tlc(&err);
		return CLI_EXIT_FATAL;
	}
	if ((nl = memchr(out->ptr, '\n', out->len)))
		tlc_buf_truncate(out, (size_t)(nl - out->ptr));
	if (out->len && out->ptr[out->len - 1] == '\r')
		tlc_buf_truncate(out, out->len - 1);
	if (!out->len || memchr(out->ptr, '\0', out->len)) {
		cli_error("%s file '%s' has no %s on its first line", what,
			  path, what);
		return CLI_EXIT_FATAL;
	}
	return 0;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int http_creds_resolve(struct http_creds *c, const char *cmd)
{
	int rc;

	if (c->token_file && (c->user || c->password_file))
		return cli_usage_error(cmd, "--token-file goes without --user "
				       "and --password-file");
	if (c->password_file && !c->user)
		return cli_usage_error(cmd, "--password-file needs --user");
	if (c->token_file) {
		if ((rc = read_secret(&c->secret, c->token_file, "token")))
			return rc;
		c->user = "__token__";
		c->password = c->secret.ptr;
		return 0;
	}
	if (!c->user)
		c->user = env("TWINE_USERNAME");
	if (c->password_file) {
		if ((rc = read_secret(&c->secret, c->password_file,
				      "password")))
			return rc;
		c->password = c->secret.ptr;
	} else if (getenv("TLCPACK_PASSWORD")) {
		c->password = getenv("TLCPACK_PASSWORD");
	} else {
		c->password = getenv("TWINE_PASSWORD");
	}
	if (c->user && (!c->password || !*c->password))
		return cli_usage_error(cmd, "no password for '%s': set "
				       "TLCPACK_PASSWORD or give "
				       "--password-file", c->user);
	if (!c->user)
		c->password = NULL;
	return 0;
}

int http_creds_connect(struct http_creds *c, struct http_upload_opts *opts,
		       const char *cmd, struct http_upload **out)
{
	struct tlc_error err = TLC_ERROR_INIT;
	int rc;

	*out = NULL;
	if ((rc = http_creds_resolve(c, cmd)))
		return rc;
	opts->user = c->user;
	opts->password = c->password;
	if (http_upload_new(out, opts, &err) < 0)
		return cli_error_tlc(&err) == CLI_EXIT_FAILED ?
		       CLI_EXIT_USAGE : CLI_EXIT_FATAL;
	if (opts->user && http_upload_cleartext(*out))
		cli_error("warning: the password goes to '%s' in clear text; "
			  "use https://", opts->url);
	return 0;
}

void http_creds_release(struct http_creds *c)
{
	explicit_bzero(c->secret.ptr, c->secret.len);
	tlc_buf_release(&c->secret);
	c->password = NULL;
}
