/*
 * tlcpack publish: add wheels to a repository directory and regenerate
 * the pages they touch.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "tlcpack/repo.h"

static const struct option options[] = {
	{ "repo", required_argument, NULL, 'r' },
	{ "variant", required_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack publish [--repo DIR] [--variant NAME] "
	       "WHEEL...\n"
	       "   or: tlcpack publish --to URL [--user USER] [--password-file "
	       "F | --token-file F]\n"
	       "                       WHEEL...\n"
	       "\n"
	       "Validate each WHEEL (its zip structure, .dist-info, every "
	       "member against\n"
	       "RECORD, its name and version against METADATA) and add it "
	       "to the repository\n"
	       "in DIR, creating it if need be: the wheel and its PEP 658 "
	       ".metadata under\n"
	       "files/, then the pages that list it (wheels.html, simple/, "
	       "PEP 503 and\n"
	       "PEP 691).  Publishing the same bytes again does nothing; a "
	       "published file\n"
	       "name is never given other bytes, and a removed one is never "
	       "used again.\n"
	       "Prints \"added\" or \"unchanged\" and the file's path in "
	       "the repository.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --repo DIR           the repository (default: repo)\n"
	       "      --variant NAME       list the wheels in the sub-index "
	       "NAME/ too (cpu,\n"
	       "                           cu121 ...), for pip --index-url "
	       "DIR/NAME/simple/\n"
	       "      --to URL             upload to a tlcpack serve (or "
	       "any server of the\n"
	       "                           legacy upload API twine uses) "
	       "instead; see\n"
	       "                           'tlcpack publish --to URL --help'\n"
	       "  -h, --help               show this help\n");
}

int cmd_publish(int argc, char **argv)
{
	struct tlc_repo_opts opts = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	const char *dir = "repo", *variant = NULL;
	int c, rc = CLI_EXIT_OK;

	/* --to URL: an upload, done by tlcpack-http (src/http/cmd_upload.c) */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--to") || !strncmp(argv[i], "--to=", 5))
			return cli_exec_http("upload", argc, argv);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			dir = optarg;
			break;
		case 'v':
			variant = optarg;
			break;
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
	if (argc == optind)
		return cli_usage_error("publish", "no wheel to publish");
	if (tlc_repo_open(&repo, dir, true, &opts, &err) < 0)
		return cli_error_tlc(&err);
	/* many wheels: each page is rendered once, at the end */
	if (argc - optind > 1)
		tlc_repo_batch(repo);
	for (int i = optind; i < argc; i++) {
		enum tlc_repo_outcome outcome;
		const char *base = strrchr(argv[i], '/') ?
				   strrchr(argv[i], '/') + 1 : argv[i];

		err = (struct tlc_error)TLC_ERROR_INIT;
		if (tlc_repo_publish(repo, argv[i], variant, &outcome,
				     &err) < 0) {
			int r = cli_error_tlc(&err);

			rc = r > rc ? r : rc;
			continue;
		}
		printf("%s %s\n", outcome == TLC_REPO_ADDED ? "added" :
		       "unchanged", base);
		fflush(stdout);
	}
	err = (struct tlc_error)TLC_ERROR_INIT;
	if (tlc_repo_flush(repo, &err) < 0) {
		int r = cli_error_tlc(&err);

		rc = r > rc ? r : rc;
	}
	tlc_repo_close(repo);
	return rc;
}
