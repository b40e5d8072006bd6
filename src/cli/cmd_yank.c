/*
 * tlcpack yank, tlcpack unyank: mark files of a repository yanked (PEP
 * 592), or not.  A yanked file stays, and pip installs it only when a
 * requirement pins it with == (or ===).
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
	{ "reason", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(bool yank)
{
	if (yank)
		printf("usage: tlcpack yank [--repo DIR] [--reason TEXT] "
		       "FILE...\n"
		       "\n"
		       "Yank each FILE (a wheel's file name) of the "
		       "repository in DIR: its pages\n"
		       "mark it data-yanked (PEP 592), with TEXT as the "
		       "reason pip shows, so\n"
		       "that pip skips it unless a requirement pins it "
		       "with ==.\n");
	else
		printf("usage: tlcpack unyank [--repo DIR] FILE...\n"
		       "\n"
		       "Undo 'tlcpack yank' for each FILE of the repository "
		       "in DIR.\n");
	printf("\n"
	       "Options:\n"
	       "  -r, --repo DIR           the repository (default: repo)\n"
	       "%s"
	       "  -h, --help               show this help\n",
	       yank ? "  -m, --reason TEXT        why (one line; default: "
		      "none)\n" : "");
}

static int yank_main(int argc, char **argv, bool yank)
{
	struct tlc_repo_opts opts = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	const char *dir = "repo", *reason = "";
	const char *cmd = yank ? "yank" : "unyank";
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, yank ? ":r:m:h" : ":r:h", options,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			dir = optarg;
			break;
		case 'm':
			if (!yank)
				return cli_usage_error(cmd, "unknown option "
						       "'%s'",
						       argv[optind - 1]);
			reason = optarg;
			break;
		case 'h':
			print_help(yank);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error(cmd, "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error(cmd, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc == optind)
		return cli_usage_error(cmd, "no file to %s", cmd);
	if (tlc_repo_open(&repo, dir, false, &opts, &err) < 0)
		return cli_error_tlc(&err);
	for (int i = optind; i < argc; i++) {
		const char *base = strrchr(argv[i], '/') ?
				   strrchr(argv[i], '/') + 1 : argv[i];

		err = (struct tlc_error)TLC_ERROR_INIT;
		if ((yank ? tlc_repo_yank(repo, base, reason, &err) :
			    tlc_repo_unyank(repo, base, &err)) < 0) {
			int r = cli_error_tlc(&err);

			rc = r > rc ? r : rc;
			continue;
		}
		printf("%s %s\n", yank ? "yanked" : "unyanked", base);
	}
	tlc_repo_close(repo);
	return rc;
}

int cmd_yank(int argc, char **argv)
{
	return yank_main(argc, argv, true);
}

int cmd_unyank(int argc, char **argv)
{
	return yank_main(argc, argv, false);
}
