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
#include "creds.h"
#include "http_cmd.h"
#include "upload.h"

#define PROGRESS_MIN ((uint64_t)1 << 20)	/* smaller files: no bar */

enum {
	OPT_TO = 256,
	OPT_CACERT,
	OPT_RETRIES,
	OPT_VARIANT,
};

static const struct option options[] = {
	{ "to", required_argument, NULL, OPT_TO },
	HTTP_CREDS_OPTIONS,
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
	       HTTP_CREDS_HELP
	       "      --cacert FILE        trust the CA certificates in "
	       "FILE (default: the\n"
	       "                           system's)\n"
	       "      --retries N          tries after the first on a 5xx "
	       "or a network\n"
	       "                           failure (default: 2)\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       HTTP_CREDS_HELP_ENV);
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
	struct http_creds creds = HTTP_CREDS_INIT;
	long long retries = 2;
	unsigned tries;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		if ((rc = http_creds_option(&creds, c, optarg,
					    "publish")) == 1)
			continue;
		if (rc)
			return rc;
		switch (c) {
		case OPT_TO:
			opts.url = optarg;
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
	tries = (unsigned)retries + 1;
	opts.tries = tries;
	opts.progress = progress;
	opts.retry = retry;
	opts.retry_data = &tries;
	if ((rc = http_creds_connect(&creds, &opts, "publish", &u)))
		goto out;

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
	http_creds_release(&creds);
	return rc;
}
