/*
 * The credentials of the commands that send to a server (publish --to,
 * prune --to), read as twine reads them: --user with the password from
 * --password-file or the environment (TLCPACK_PASSWORD, then
 * TWINE_PASSWORD), or an API token from --token-file (sent as the user
 * __token__); without either, TWINE_USERNAME and TWINE_PASSWORD.  A
 * password is never taken from the command line.
 */
#ifndef HTTP_CREDS_H
#define HTTP_CREDS_H

#include "tlcpack/buf.h"
#include "upload.h"

enum {
	HTTP_CREDS_OPT_USER = 0x1000,
	HTTP_CREDS_OPT_PASSWORD,
	HTTP_CREDS_OPT_PASSWORD_FILE,
	HTTP_CREDS_OPT_TOKEN_FILE,
};

/* getopt_long() entries for the options above */
#define HTTP_CREDS_OPTIONS \
	{ "user", required_argument, NULL, HTTP_CREDS_OPT_USER }, \
	{ "password", required_argument, NULL, HTTP_CREDS_OPT_PASSWORD }, \
	{ "password-file", required_argument, NULL, \
	  HTTP_CREDS_OPT_PASSWORD_FILE }, \
	{ "token-file", required_argument, NULL, HTTP_CREDS_OPT_TOKEN_FILE }

/* their lines in a command's --help */
#define HTTP_CREDS_HELP \
	"      --user USER          log in as USER; the password comes " \
	"from the\n" \
	"                           environment variable TLCPACK_PASSWORD " \
	"or from\n" \
	"                           --password-file, never from the " \
	"command line\n" \
	"      --password-file FILE the password is FILE's first line\n" \
	"      --token-file FILE    log in with the API token in FILE's " \
	"first line\n" \
	"                           (sent as user __token__, as twine " \
	"does)\n"

#define HTTP_CREDS_HELP_ENV \
	"Without --user and --token-file, TWINE_USERNAME and TWINE_PASSWORD " \
	"are used\nwhen set; TLCPACK_PASSWORD goes before TWINE_PASSWORD.\n"

struct http_creds {
	const char *user;	/* after http_creds_resolve(): NULL, none */
	const char *password;	/* with user */
	const char *password_file, *token_file;
	struct tlc_buf secret;	/* a password or token read from a file */
};

#define HTTP_CREDS_INIT { NULL, NULL, NULL, NULL, TLC_BUF_INIT }

/**
 * Take one of the HTTP_CREDS_OPT_* options of @cmd ("publish").
 * @return 1 when @opt is one, 0 when it is not, or a CLI exit code
 *         (CLI_EXIT_USAGE, with the message printed)
 */
int http_creds_option(struct http_creds *c, int opt, const char *arg,
		      const char *cmd);

/**
 * Settle @c->user and @c->password from the options and the environment.
 * @return 0, or a CLI exit code with the message printed
 */
int http_creds_resolve(struct http_creds *c, const char *cmd);

/**
 * Resolve @c into @opts' user and password and open a client for
 * @opts->url, warning when a password would cross the network in clear.
 * @return 0, or a CLI exit code with the message printed
 */
int http_creds_connect(struct http_creds *c, struct http_upload_opts *opts,
		       const char *cmd, struct http_upload **out);

/** Wipe and free what @c read; it can be resolved again after. */
void http_creds_release(struct http_creds *c);

#endif
