/*
 * tlcpack prune: keep the newest N nightlies of each group, yank or
 * delete the rest.
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
	{ "keep", required_argument, NULL, 'k' },
	{ "delete", no_argument, NULL, 'D' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack prune [--repo DIR] --keep N [--delete] "
	       "[--dry-run] [PROJECT...]\n"
	       "   or: tlcpack prune --to URL --keep N [...] PROJECT... "
	       "(see --to --help)\n"
	       "\n"
	       "Group the pre-release and development wheels (nightlies) "
	       "of each PROJECT\n"
	       "(default: all) by their tags (python, abi, platform), "
	       "order each group by\n"
	       "version (release, then rc and dev number), keep the newest "
	       "N, and yank the\n"
	       "rest, so that builds pinned with == still install.  "
	       "Releases are never\n"
	       "pruned.  With --delete the rest are removed: the pages stop "
	       "linking to them\n"
	       "first, then the files go, and their names are never used "
	       "again.  Prints\n"
	       "\"keep\", \"yank\" or \"delete\", the file and its group.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --repo DIR           the repository (default: repo)\n"
	       "  -k, --keep N             wheels kept per group, at least 1\n"
	       "      --delete             delete instead of yanking\n"
	       "  -n, --dry-run            print what would be done, do "
	       "nothing\n"
	       "      --to URL             prune a tlcpack serve's "
	       "repository instead\n"
	       "                           ('tlcpack prune --to URL --help')\n"
	       "  -h, --help               show this help\n");
}

static void show(const struct tlc_repo_event *e, void *data)
{
	(void)data;
	printf("%-6s %s (%s)\n", e->kind, e->path, e->detail);
}

int cmd_prune(int argc, char **argv)
{
	struct tlc_repo_prune_opts po = { 0 };
	struct tlc_repo_opts opts = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	const char *dir = "repo";
	long long v;
	bool keep = false;
	int c, rc = CLI_EXIT_OK;

	/* --to URL: a server's, done by tlcpack-http (src/http/cmd_prune.c) */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--to") || !strncmp(argv[i], "--to=", 5))
			return cli_exec_http("prune", argc, argv);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:k:nh", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			dir = optarg;
			break;
		case 'k':
			if (!cli_parse_num(optarg, 1, 1000000, &v))
				return cli_usage_error("prune", "--keep '%s' is "
						       "not a number from 1",
						       optarg);
			po.keep = (unsigned)v;
			keep = true;
			break;
		case 'D':
			po.delete = true;
			break;
		case 'n':
			po.dry_run = true;
			break;
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
	if (!keep)
		return cli_usage_error("prune", "--keep N is required");
	if (optind < argc)
		po.projects = (const char *const *)argv + optind;
	if (tlc_repo_open(&repo, dir, false, &opts, &err) < 0)
		return cli_error_tlc(&err);
	if (tlc_repo_prune(repo, &po, show, NULL, &err) < 0)
		rc = cli_error_tlc(&err);
	tlc_repo_close(repo);
	return rc;
}
