/*
 * tlcpack build: recipe -> wheels for every variant and Python.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/build.h"
#include "tlcpack/recipe.h"

#include "cli.h"
#include "cmd.h"

#define LOG_TAIL_LINES 25

static const struct option options[] = {
	{ "recipe", required_argument, NULL, 'r' },
	{ "project", required_argument, NULL, 'C' },
	{ "variant", required_argument, NULL, 'v' },
	{ "python", required_argument, NULL, 'p' },
	{ "channel", required_argument, NULL, 'c' },
	{ "out-dir", required_argument, NULL, 'o' },
	{ "build-dir", required_argument, NULL, 'b' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "level", required_argument, NULL, 'l' },
	{ "skip-missing-python", no_argument, NULL, 'S' },
	{ "no-local-version", no_argument, NULL, 'L' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "no-repair", no_argument, NULL, 'R' },
	{ "lib-path", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack build [options] [RECIPE]\n"
	       "\n"
	       "Build one wheel per variant and Python interpreter of a "
	       "recipe (tlcpack.toml,\n"
	       "or [tool.tlcpack] in pyproject.toml; default: the current "
	       "directory's).\n"
	       "The wheel paths are printed on standard output.\n"
	       "\n"
	       "  -r, --recipe PATH         the recipe file or its "
	       "directory\n"
	       "  -C, --project DIR         the project it builds (default: "
	       "the recipe's directory)\n"
	       "  -v, --variant NAME        build this variant (repeat; "
	       "default: all)\n"
	       "  -p, --python PYTHON       use this interpreter (repeat; "
	       "default: the recipe's)\n"
	       "  -c, --channel NAME        build for a channel such as "
	       "'nightly'\n"
	       "  -o, --out-dir DIR         where wheels go (default: "
	       "dist)\n"
	       "  -b, --build-dir DIR       CMake build trees and logs "
	       "(default: <project>/build-tlcpack)\n"
	       "  -j, --jobs N              parallel build jobs (default: "
	       "every core)\n"
	       "      --level N             deflate level 0-9 (default: "
	       "6)\n"
	       "      --skip-missing-python build without listed "
	       "interpreters that are missing\n"
	       "      --no-local-version    drop +gHASH from dev "
	       "versions\n"
	       "      --no-repair           keep the linux_* wheels: do not "
	       "run repair\n"
	       "      --lib-path DIR        for repair: find external "
	       "libraries in DIR too (repeat)\n"
	       "  -n, --dry-run             print the wheels that would be "
	       "built; run nothing\n"
	       "\n"
	       "Each wheel is repaired as 'tlcpack repair' does, for its "
	       "variant's policy\n"
	       "and exclusions, unless the recipe sets build.repair = false "
	       "or --no-repair\n"
	       "is given.\n"
	       "  -h, --help                show this help\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int cmd_build(int argc, char **argv)
{
	struct tlc_build_opts opts = TLC_BUILD_OPTS_INIT;
	struct tlc_build_result result = { 0 };
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *recipe = NULL;
	const char **variants = NULL, **pythons = NULL, **libs = NULL;
	size_t nvariants = 0, npythons = 0, nlibs = 0;
	const char *recipe_path = NULL, *project = NULL;
	unsigned level = 6;
	int ret = CLI_EXIT_OK, c;

	opts.progress = cli_progress;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:C:v:p:c:o:b:j:nh", options,
				NULL)) != -1) {
		switch (c) {
		case 'r':
			recipe_path = optarg;
			break;
		case 'C':
			project = optarg;
			break;
		case 'v':
			if (cli_strv_push(&variants, &nvariants, optarg) < 0)
				goto oom;
			break;
		case 'p':
			if (cli_strv_push(&pythons, &npythons, optarg) < 0)
				goto oom;
			break;
		case 'c':
			opts.channel = optarg;
			break;
		case 'o':
			opts.out_dir = optarg;
			break;
		case 'b':
			opts.build_dir = optarg;
			break;
		case 'j':
			if (parse_uint(optarg, 4096, &opts.jobs) < 0 ||
			    !opts.jobs) {
				ret = cli_usage_error("build", "--jobs wants a "
						      "number from 1 to 4096, "
						      "not '%s'", optarg);
				goto out;
			}
			break;
		case 'l':
			if (parse_uint(optarg, 9, &level) < 0) {
				ret = cli_usage_error("build", "--level wants "
						      "0-9, not '%s'", optarg);
				goto out;
			}
			opts.level = (int)level;
			break;
		case 'S':
			opts.skip_missing_python = true;
			break;
		case 'L':
			opts.no_local_version = true;
			break;
		case 'n':
			opts.dry_run = true;
			break;
		case 'R':
			opts.no_repair = true;
			break;
		case 'P':
			if (cli_strv_push(&libs, &nlibs, optarg) < 0)
				goto oom;
			break;
		case 'h':
			print_help();
			goto out;
		default:
			ret = cli_usage_error("build", "bad arguments");
			goto out;
		}
	}
	if (optind < argc) {
		if (recipe_path || optind + 1 < argc) {
			ret = cli_usage_error("build", "give one recipe");
			goto out;
		}
		recipe_path = argv[optind];
	}
	opts.variants = variants;
	opts.pythons = pythons;
	opts.lib_path = libs;

	if (tlc_recipe_load_in(&recipe, recipe_path ? recipe_path : ".",
			       project, &err) < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}
	if (tlc_build(&result, recipe, &opts, &err) < 0) {
		ret = cli_error_tlc(&err);
		if (result.failed_log)
			cli_show_tail(result.failed_log, LOG_TAIL_LINES);
	}
	for (size_t i = 0; i < result.nskipped; i++)
		cli_error("warning: skipped python '%s': %s",
			  result.skipped[i].python, result.skipped[i].reason);
	for (size_t i = 0; i < result.nwheels; i++)
		printf("%s\n", result.wheels[i].path);
	goto out;
oom:
	cli_error("out of memory");
	ret = CLI_EXIT_FATAL;
out:
	tlc_build_result_release(&result);
	tlc_recipe_free(recipe);
	free(variants);
	free(pythons);
	free(libs);
	return ret;
}
