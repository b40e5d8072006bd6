/*
 * tlcpack index: regenerate a repository's pages, change its base URL,
 * or check (and repair) it.
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
	{ "base-url", required_argument, NULL, 'b' },
	{ "no-base-url", no_argument, NULL, 'B' },
	{ "check", no_argument, NULL, 'c' },
	{ "init", no_argument, NULL, 'i' },
	{ "no-repair", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack index [--repo DIR] [--init] [--base-url URL | "
	       "--no-base-url]\n"
	       "       tlcpack index [--repo DIR] --check [--no-repair]\n"
	       "\n"
	       "Regenerate every page of the repository in DIR from its "
	       "state: wheels.html,\n"
	       "simple/ (PEP 503 and PEP 691), and each variant's "
	       "sub-index.  With --init,\n"
	       "make DIR an empty repository first if it is not one (for "
	       "a 'tlcpack serve'\n"
	       "that takes the first uploads).\n"
	       "\n"
	       "With --check, verify it instead: every published file is "
	       "there with its\n"
	       "size and SHA-256, and so is its .metadata; every page is "
	       "what the state\n"
	       "renders, so every link resolves; no temporary file of an "
	       "interrupted write\n"
	       "is left.  What can be repaired is (stale pages rewritten, "
	       "leftovers\n"
	       "removed, a damaged file taken off the pages) and reported; "
	       "files that no\n"
	       "page links (orphans) are reported and kept.  Exits 1 when "
	       "something is\n"
	       "wrong that was not repaired.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --repo DIR           the repository (default: repo)\n"
	       "      --base-url URL       link files as URL + "
	       "files/<project>/<wheel>, for\n"
	       "                           wheels hosted elsewhere (a CDN); "
	       "kept for later\n"
	       "                           publishes\n"
	       "      --no-base-url        link files relatively again\n"
	       "      --init               create the repository (and DIR) "
	       "if it is not there\n"
	       "      --check              verify and repair\n"
	       "      --no-repair          with --check: report only\n"
	       "  -h, --help               show this help\n");
}

struct tally {
	size_t repaired, orphans;
};

static void show(const struct tlc_repo_event *e, void *data)
{
	struct tally *t = data;

	t->repaired += !strcmp(e->kind, "repaired");
	t->orphans += !strcmp(e->kind, "orphan");
	printf("%s: %s: %s\n", e->kind, e->path, e->detail);
}

int cmd_index(int argc, char **argv)
{
	struct tlc_repo_opts opts = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	struct tally t = { 0, 0 };
	const char *dir = "repo", *base_url = NULL;
	bool check = false, repair = true, set_url = false, init = false;
	size_t nerrors = 0;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			dir = optarg;
			break;
		case 'b':
			base_url = optarg;
			set_url = true;
			break;
		case 'B':
			base_url = NULL;
			set_url = true;
			break;
		case 'c':
			check = true;
			break;
		case 'i':
			init = true;
			break;
		case 'N':
			repair = false;
			break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("index", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("index", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("index", "unexpected argument '%s'",
				       argv[optind]);
	if (check && set_url)
		return cli_usage_error("index", "--check does not change the "
				       "base URL");
	if (!repair && !check)
		return cli_usage_error("index", "--no-repair needs --check");
	if (init && check)
		return cli_usage_error("index", "--init and --check do not go "
				       "together");
	if (tlc_repo_open(&repo, dir, init, &opts, &err) < 0)
		return cli_error_tlc(&err);
	if (check) {
		if (tlc_repo_check(repo, repair, show, &t, &nerrors,
				   &err) < 0) {
			rc = cli_error_tlc(&err);
		} else if (nerrors) {
			printf("check: %zu problem%s%s\n", nerrors,
			       nerrors == 1 ? "" : "s",
			       repair ? " not repaired" : "");
			rc = CLI_EXIT_FAILED;
		} else {
			printf("check: ok (%zu repaired, %zu orphan%s)\n",
			       t.repaired, t.orphans,
			       t.orphans == 1 ? "" : "s");
		}
	} else if ((set_url ? tlc_repo_set_base_url(repo, base_url, &err) :
			      tlc_repo_reindex(repo, &err)) < 0) {
		rc = cli_error_tlc(&err);
	}
	tlc_repo_close(repo);
	return rc;
}
