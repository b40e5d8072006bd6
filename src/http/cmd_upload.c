/*
 * tlcpack publish --to URL: upload wheels to a server that speaks the
 * legacy upload API (tlcpack serve, pypiserver, devpi, warehouse's
 * /legacy/), as twine does.  tlcpack(1) execs `tlcpack-http upload` with
 * publish's arguments.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_cmd.h"
#include "tlcpack/buf.h"
#include "upload.h"

#define SECRET_MAX 4096		/* bytes of a password or token file */
#define PROGRESS_MIN ((uint64_t)1 << 20)	/* smaller files: no bar */

enum {
	OPT_TO = 256,
	OPT_USER,
	OPT_PASSWORD,
	OPT_PASSWORD_FILE,
	OPT_TOKEN_FILE,
	OPT_CACERT,
	OPT_RETRIES,
	OPT_VARIANT,
};

static const struct option options[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "user", required_argument, NULL, OPT_USER },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "repo", required_argument, NULL, 'r' },
	{ "variant", required_argument, NULL, OPT_VARIANT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack publish --to URL [--user USER "
	       "[--password-file FILE]]\n"
	       "                        [--token-file FILE] [--cacert FILE] "
	       "WHEEL...\n"
	       "\n"
	       "Upload each WHEEL to the server at URL, which speaks the "
	       "legacy upload API\n"
	       "of twine (tlcpack serve, pypiserver, devpi, "
	       "https://upload.pypi.org/legacy/).\n"
	       "Each wheel is first checked as 'tlcpack publish --repo' "
	       "checks it, and a bad\n"
	       "one is refused before anything is sent.  Prints \"uploaded\" "
	       "and the file name\n"
	       "for each wheel the server has; a server that has the same "
	       "bytes already\n"
	       "counts as uploaded.  A 5xx reply or a network failure is "
	       "tried again, waiting\n"
	       "1, 2, 4 ... seconds.  Redirects are not followed.\n"
	       "\n"
	       "Options:\n"
	       "      --to URL             the upload URL (http:// or "
	       "https://)\n"
	       "      --user USER          log in as USER; the password "
	       "comes from the\n"
	       "                           environment variable "
	       "TLCPACK_PASSWORD or from\n"
	       "                           --password-file, never from "
	       "the command line\n"
	       "      --password-file FILE the password is FILE's first "
	       "line\n"
	       "      --token-file FILE    log in with the API token in "
	       "FILE's first line\n"
	       "                           (sent as user __token__, as "
	       "twine does)\n"
	       "      --cacert FILE        trust the CA certificates in "
	       "FILE (default: the\n"
	       "                           system's)\n"
	       "      --retries N          tries after the first on a 5xx "
	       "or a network\n"
	       "                           failure (default: 2)\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       "Without --user and --token-file, TWINE_USERNAME and "
	       "TWINE_PASSWORD are used\n"
	       "when set; TLCPACK_PASSWORD goes before TWINE_PASSWORD.\n");
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

static void wipe(struct tlc_buf *b)
{
	explicit_bzero(b->ptr, b->len);
	tlc_buf_release(b);
}

/* cli_progress, for the files worth a bar */
static void progress(const struct tlc_progress *p, void *data)
{
	if (p->total >= PROGRESS_MIN)
		cli_progress(p, data);
}

static void retry(const struct http_upload_retry *r, void *data)
{
	unsigned *tries = data;

	cli_error("%s: %s; trying again in %gs (%u of %u)", r->filename, r->why,
		  r->delay_ms / 1000.0, r->attempt + 1, *tries);
}

int cmd_upload(int argc, char **argv)
{
	struct http_upload_opts opts = HTTP_UPLOAD_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct http_upload *u = NULL;
	struct tlc_buf secret = TLC_BUF_INIT;
	const char *password_file = NULL, *token_file = NULL;
	long long retries = 2;
	unsigned tries;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		switch (c) {
		case OPT_TO:
			opts.url = optarg;
			break;
		case OPT_USER:
			opts.user = optarg;
			break;
		case OPT_PASSWORD:
			return cli_usage_error("publish", "a password on the "
					       "command line is visible to "
					       "other users; set "
					       "TLCPACK_PASSWORD or give "
					       "--password-file");
		case OPT_PASSWORD_FILE:
			password_file = optarg;
			break;
		case OPT_TOKEN_FILE:
			token_file = optarg;
			break;
		case OPT_CACERT:
			opts.cacert = optarg;
			break;
		case OPT_RETRIES:
			if (!cli_parse_num(optarg, 0, 10, &retries))
				return cli_usage_error("publish", "--retries "
						       "wants a number from 0 "
						       "to 10, not '%s'",
						       optarg);
			break;
		case 'r':
			return cli_usage_error("publish", "--repo and --to do "
					       "not go together: --repo "
					       "publishes to a directory, "
					       "--to to a server");
		case OPT_VARIANT:
			return cli_usage_error("publish", "--variant does not "
					       "go with --to: the upload API "
					       "has no variants");
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("publish", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("publish", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (!opts.url)
		return cli_usage_error("publish", "no --to URL to upload to");
	if (argc == optind)
		return cli_usage_error("publish", "no wheel to upload");
	if (token_file && (opts.user || password_file))
		return cli_usage_error("publish", "--token-file goes without "
				       "--user and --password-file");
	if (password_file && !opts.user)
		return cli_usage_error("publish", "--password-file needs "
				       "--user");

	/* credentials: a token; --user with a password from a file or the
	 * environment; else twine's variables */
	if (token_file) {
		if ((rc = read_secret(&secret, token_file, "token")))
			goto out;
		opts.user = "__token__";
		opts.password = secret.ptr;
	} else {
		if (!opts.user && getenv("TWINE_USERNAME") &&
		    *getenv("TWINE_USERNAME"))
			opts.user = getenv("TWINE_USERNAME");
		if (password_file) {
			if ((rc = read_secret(&secret, password_file,
					      "password")))
				goto out;
			opts.password = secret.ptr;
		} else if (getenv("TLCPACK_PASSWORD")) {
			opts.password = getenv("TLCPACK_PASSWORD");
		} else if (getenv("TWINE_PASSWORD")) {
			opts.password = getenv("TWINE_PASSWORD");
		}
		if (opts.user && (!opts.password || !*opts.password)) {
			rc = cli_usage_error("publish", "no password for "
					     "'%s': set TLCPACK_PASSWORD or "
					     "give --password-file",
					     opts.user);
			goto out;
		}
		if (!opts.user)
			opts.password = NULL;
	}
	tries = (unsigned)retries + 1;
	opts.tries = tries;
	opts.progress = progress;
	opts.retry = retry;
	opts.retry_data = &tries;
	if (http_upload_new(&u, &opts, &err) < 0) {
		rc = cli_error_tlc(&err) == CLI_EXIT_FAILED ?
		     CLI_EXIT_USAGE : CLI_EXIT_FATAL;
		goto out;
	}
	if (opts.user && http_upload_cleartext(u))
		cli_error("warning: the password goes to '%s' in clear text; "
			  "use https://", opts.url);

	for (int i = optind; i < argc; i++) {
		struct http_upload_wheel *w = NULL;
		int r;

		err = (struct tlc_error)TLC_ERROR_INIT;
		if (http_upload_wheel_open(&w, argv[i], &err) < 0 ||
		    http_upload_send(u, w, NULL, &err) < 0) {
			r = cli_error_tlc(&err);
			rc = r > rc ? r : rc;
		} else {
			printf("uploaded %s\n", http_upload_wheel_filename(w));
			fflush(stdout);
		}
		http_upload_wheel_free(w);
	}
out:
	http_upload_free(u);
	wipe(&secret);
	return rc;
}
