/*
 * tlcpack matrix: a recipe's build jobs as a CI matrix.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/matrix.h"
#include "tlcpack/recipe.h"

#include "cli.h"
#include "cmd.h"

static const struct option options[] = {
	{ "recipe", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ "variant", required_argument, NULL, 'v' },
	{ "python", required_argument, NULL, 'p' },
	{ "channel", required_argument, NULL, 'c' },
	{ "to", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack matrix [options] [RECIPE]\n"
	       "\n"
	       "Print the build jobs of a recipe as a CI matrix: one job per "
	       "variant and\n"
	       "Python interpreter (and channel, with --channel), each with "
	       "the container\n"
	       "image it builds in and the two command lines it runs in a "
	       "checkout:\n"
	       "\n"
	       "  tlcpack build [--recipe R] --variant V --python P "
	       "[--channel C] -o dist\n"
	       "  tlcpack publish --to URL dist/*.whl\n"
	       "\n"
	       "A recipe without per-python CMake projects builds one "
	       "py3-none wheel per\n"
	       "variant, so it gets one job per variant, with the first "
	       "interpreter.\n"
	       "\n"
	       "  -r, --recipe PATH         the recipe file or its directory "
	       "(default: .);\n"
	       "                            the jobs get it as given\n"
	       "  -f, --format FORMAT       json (default): an array of "
	       "jobs; github: the\n"
	       "                            {\"include\": [...]} object of "
	       "strategy.matrix, on\n"
	       "                            one line; gitlab: a child "
	       "pipeline\n"
	       "  -v, --variant NAME        only this variant (repeat; "
	       "default: all)\n"
	       "  -p, --python PYTHON       this interpreter (repeat; "
	       "default: the recipe's)\n"
	       "  -c, --channel NAME        build for this channel (repeat: "
	       "one job each)\n"
	       "      --to URL              the upload URL of the jobs' "
	       "publish (default:\n"
	       "                            \"$TLCPACK_UPLOAD_URL\", which "
	       "the runner's shell\n"
	       "                            expands)\n"
	       "  -h, --help                show this help\n"
	       "\n"
	       "Each job object has id, variant, description, python, "
	       "python-version,\n"
	       "channel, project, image, image-default, build, publish and "
	       "dist (keys\n"
	       "without a value are left out).  A variant's image is its "
	       "recipe 'image';\n"
	       "else tlcpack/build-cuXYZ for a CUDA variant cuXYZ, else the "
	       "PyPA manylinux\n"
	       "image of its policy (default %s).\n"
	       "See docs/ci/README.md for GitHub Actions and GitLab "
	       "pipelines.\n",
	       TLC_MATRIX_DEFAULT_IMAGE);
}

int cmd_matrix(int argc, char **argv)
{
	struct tlc_matrix_opts opts = TLC_MATRIX_OPTS_INIT;
	struct tlc_matrix m = TLC_MATRIX_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_recipe *recipe = NULL;
	const char **variants = NULL, **pythons = NULL, **channels = NULL;
	size_t nvariants = 0, npythons = 0, nchannels = 0;
	enum tlc_matrix_format format = TLC_MATRIX_JSON;
	const char *recipe_path = NULL;
	int ret = CLI_EXIT_OK, c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:f:v:p:c:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'r':
			recipe_path = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json")) {
				format = TLC_MATRIX_JSON;
			} else if (!strcmp(optarg, "github")) {
				format = TLC_MATRIX_GITHUB;
			} else if (!strcmp(optarg, "gitlab")) {
				format = TLC_MATRIX_GITLAB;
			} else {
				ret = cli_usage_error("matrix", "--format "
						      "wants github, gitlab "
						      "or json, not '%s'",
						      optarg);
				goto out;
			}
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
			if (cli_strv_push(&channels, &nchannels, optarg) < 0)
				goto oom;
			break;
		case 't':
			opts.upload_url = optarg;
			break;
		case 'h':
			print_help();
			goto out;
		case ':':
			ret = cli_usage_error("matrix", "'%s' needs a value",
					      argv[optind - 1]);
			goto out;
		default:
			ret = cli_usage_error("matrix", "unknown option '%s'",
					      argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		if (recipe_path || optind + 1 < argc) {
			ret = cli_usage_error("matrix", "give one recipe");
			goto out;
		}
		recipe_path = argv[optind];
	}
	opts.variants = variants;
	opts.pythons = pythons;
	opts.channels = channels;
	opts.recipe_arg = recipe_path;

	if (tlc_recipe_load(&recipe, recipe_path ? recipe_path : ".",
			    &err) < 0 ||
	    tlc_matrix_plan(&m, recipe, &opts, &err) < 0 ||
	    tlc_matrix_format(&out, &m, format, &err) < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	goto out;
oom:
	cli_error("out of memory");
	ret = CLI_EXIT_FATAL;
out:
	tlc_buf_release(&out);
	tlc_matrix_release(&m);
	tlc_recipe_free(recipe);
	free(variants);
	free(pythons);
	free(channels);
	return ret;
}
