/*
 * tlcpack prune --to URL: prune a tlcpack serve's repository over HTTP
 * (POST /-/prune, src/http/serve_upload.c), project by project, with the
 * uploader's credentials.  tlcpack(1) execs `tlcpack-http prune` with
 * prune's arguments when they hold --to.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "creds.h"
#include "http_cmd.h"
#include "upload.h"

enum {
	OPT_TO = 256,
	OPT_CACERT,
	OPT_DELETE,
};

static const struct option options[] = {
	{ "to", required_argument, NULL, OPT_TO },
	HTTP_CREDS_OPTIONS,
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "keep", required_argument, NULL, 'k' },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "repo", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack prune --to URL --keep N [--delete] "
	       "[--dry-run] [--user USER]\n"
	       "                      [--token-file FILE] PROJECT...\n"
	       "\n"
	       "Prune each PROJECT's nightlies in the repository that "
	       "'tlcpack serve' serves\n"
	       "at URL (its upload URL: POST /-/prune at its root), as "
	       "'tlcpack prune --repo'\n"
	       "does it there, and print the server's decisions: \"keep\", "
	       "\"yank\" or\n"
	       "\"delete\", the file and its group.  The server lets a user "
	       "prune the projects\n"
	       "that user may upload.\n"
	       "\n"
	       "Options:\n"
	       "      --to URL             the server's upload URL (http:// "
	       "or https://)\n"
	       "  -k, --keep N             wheels kept per group, at least 1\n"
	       "      --delete             delete instead of yanking\n"
	       "  -n, --dry-run            print what would be done, do "
	       "nothing\n"
	       HTTP_CREDS_HELP
	       "      --cacert FILE        trust the CA certificates in "
	       "FILE (default: the\n"
	       "                           system's)\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       HTTP_CREDS_HELP_ENV);
}

int cmd_prune_remote(int argc, char **argv)
{
	struct http_upload_opts opts = HTTP_UPLOAD_OPTS_INIT;
	struct http_creds creds = HTTP_CREDS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct http_upload *u = NULL;
	bool delete = false, dry_run = false;
	long long keep = 0;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:nr:h", options, NULL)) != -1) {
		if ((rc = http_creds_option(&creds, c, optarg,
					    "prune")) == 1)
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
		case 'k':
			if (!cli_parse_num(optarg, 1, 1000000, &keep))
				return cli_usage_error("prune", "--keep '%s' is "
						       "not a number from 1",
						       optarg);
			break;
		case OPT_DELETE:
			delete = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'r':
			return cli_usage_error("prune", "--repo and --to do "
					       "not go together: --repo "
					       "prunes a directory, --to a "
					       "server's");
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("prune", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("prune", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (!opts.url)
		return cli_usage_error("prune", "no --to URL");
	if (!keep)
		return cli_usage_error("prune", "--keep N is required");
	if (argc == optind)
		return cli_usage_error("prune", "--to needs the PROJECTs to "
				       "prune: a server prunes one project at "
				       "a time, for a user who may upload it");
	if ((rc = http_creds_connect(&creds, &opts, "prune", &u)))
		goto out;
	for (int i = optind; i < argc; i++) {
		struct tlc_buf report = TLC_BUF_INIT;
		int r;

		err = (struct tlc_error)TLC_ERROR_INIT;
		if (http_upload_prune(u, argv[i], (unsigned)keep, delete,
				      dry_run, &report, &err) < 0) {
			r = cli_error_tlc(&err);
			rc = r > rc ? r : rc;
		} else {
			fwrite(report.ptr, 1, report.len, stdout);
			fflush(stdout);
		}
		tlc_buf_release(&report);
	}
out:
	http_upload_free(u);
	http_creds_release(&creds);
	return rc;
}
