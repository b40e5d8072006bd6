/*
 * tlcpack test: install wheels with real pip through a repository's index
 * into fresh venvs and run the recipe's test commands (itest.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/buf.h"
#include "tlcpack/itest.h"
#include "tlcpack/names.h"
#include "tlcpack/recipe.h"
#include "tlcpack/repo.h"

#include "cli.h"
#include "cmd.h"

#define LOG_TAIL_LINES 25

static const struct option options[] = {
	{ "repo", required_argument, NULL, 'R' },
	{ "index", required_argument, NULL, 'i' },
	{ "recipe", required_argument, NULL, 'r' },
	{ "no-recipe", no_argument, NULL, 'N' },
	{ "variant", required_argument, NULL, 'V' },
	{ "python", required_argument, NULL, 'p' },
	{ "gpu", no_argument, NULL, 'G' },
	{ "no-gpu", no_argument, NULL, 'g' },
	{ "cuda-stub", required_argument, NULL, 'S' },
	{ "no-deps", no_argument, NULL, 'D' },
	{ "extra-index-url", required_argument, NULL, 'E' },
	{ "find-links", required_argument, NULL, 'F' },
	{ "work-dir", required_argument, NULL, 'w' },
	{ "keep", no_argument, NULL, 'k' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack test [options] WHEEL...\n"
	       "\n"
	       "Install each wheel with pip, through the index of the "
	       "repository it is\n"
	       "published in, into a fresh venv; load every shared library "
	       "of it and\n"
	       "import its packages; then run the recipe's [test] command "
	       "outside the\n"
	       "source tree (and its gpu-command, for a CUDA wheel on a "
	       "machine with a GPU).\n"
	       "A CUDA wheel on a machine without a GPU is loaded with the "
	       "CUDA toolkit's\n"
	       "stub libcuda, and reported as such: its GPU test is not "
	       "run.\n"
	       "\n"
	       "      --repo DIR            the repository directory the "
	       "wheels are in\n"
	       "      --index URL           or its URL (http(s)://.../, "
	       "its simple/ below)\n"
	       "                            neither: publish the wheels "
	       "into a temporary one\n"
	       "  -r, --recipe PATH         the recipe file or its "
	       "directory (default: .)\n"
	       "      --no-recipe           no recipe: load and import "
	       "only\n"
	       "      --variant NAME        the wheels' variant (default: "
	       "from the recipe)\n"
	       "  -p, --python PYTHON       the interpreter of the venv "
	       "(default: python3.X\n"
	       "                            for a cp3X wheel if on PATH, "
	       "else python3)\n"
	       "      --gpu, --no-gpu       say whether a GPU is here "
	       "(default: ask the driver)\n"
	       "      --cuda-stub FILE      the stub libcuda.so (default: "
	       "CUDA_HOME's, nvcc's)\n"
	       "      --no-deps             pip --no-deps (dependencies "
	       "must then be met)\n"
	       "      --extra-index-url URL more indexes for dependencies "
	       "(repeat)\n"
	       "      --find-links DIR      more wheels for dependencies "
	       "(repeat)\n"
	       "      --work-dir DIR        the scratch directory (kept; "
	       "default: a temporary one)\n"
	       "      --keep                keep the temporary scratch "
	       "directory\n"
	       "  -v, --verbose             show each step, and the whole "
	       "log of each wheel\n"
	       "  -h, --help                show this help\n"
	       "\n"
	       "Exit status: 0 when every wheel passed (with or without a "
	       "GPU), 1 when one\n"
	       "failed (the tail of its log is shown) or could not be "
	       "tested.\n");
}

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	struct tlc_buf cand = TLC_BUF_INIT;
	bool found = false;

	while (path && *path && !found) {
		size_t n = strcspn(path, ":");

		tlc_buf_reset(&cand);
		if (tlc_buf_put(&cand, path, n) == 0 &&
		    tlc_buf_printf(&cand, "/%s", prog) == 0)
			found = n && access(cand.ptr, X_OK) == 0;
		path += n;
		if (*path == ':')
			path++;
	}
	tlc_buf_release(&cand);
	return found;
}

/* python3.X for a wheel tagged cp3X (the first tag), when on PATH. */
static const char *default_python(const struct tlc_wheel_filename *f,
				  char *buf, size_t n)
{
	const char *py = f->python;

	if (!strncmp(py, "cp3", 3) && py[3] >= '0' && py[3] <= '9') {
		size_t k = strspn(py + 3, "0123456789");

		snprintf(buf, n, "python3.%.*s", (int)k, py + 3);
		if (on_path(buf))
			return buf;
	}
	return "python3";
}

/* The recipe variant whose distribution name (with or without a channel
 * suffix) is the wheel's, or NULL. */
static const char *recipe_variant(const struct tlc_recipe *r,
				  const char *wheel_name)
{
	struct tlc_buf want = TLC_BUF_INIT, name = TLC_BUF_INIT;
	const char *found = NULL;

	if (tlc_name_normalize(&want, wheel_name, NULL) < 0)
		goto out;
	for (size_t v = 0; v < r->nvariants && !found; v++) {
		for (size_t c = 0; c <= r->nchannels && !found; c++) {
			const char *cs = c < r->nchannels ?
					 r->channels[c].name_suffix : "";

			tlc_buf_reset(&name);
			if (tlc_buf_printf(&name, "%s%s%s", r->name,
					   cs ? cs : "",
					   r->variants[v].suffix ?
					   r->variants[v].suffix : "") < 0)
				goto out;
			{
				struct tlc_buf norm = TLC_BUF_INIT;

				if (tlc_name_normalize(&norm, name.ptr,
						       NULL) == 0 &&
				    !strcmp(norm.ptr, want.ptr))
					found = r->variants[v].name;
				tlc_buf_release(&norm);
			}
		}
	}
out:
	tlc_buf_release(&want);
	tlc_buf_release(&name);
	return found;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Publish @wheels into a new repository at @dir. */
static int publish_temp(const char *dir, char **wheels, size_t n,
			const char *const *variants, struct tlc_error *err)
{
	struct tlc_repo_opts ropts = TLC_REPO_OPTS_INIT;
	struct tlc_repo *repo = NULL;
	int rc;

	if ((rc = tlc_repo_open(&repo, dir, true, &ropts, err)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		enum tlc_repo_outcome outcome;

		rc = tlc_repo_publish(repo, wheels[i], variants[i], &outcome,
				      err);
		if (rc < 0)
			tlc_error_prefix(err, "cannot publish '%s' into a "
					 "temporary repository",
					 base_name(wheels[i]));
	}
	tlc_repo_close(repo);
	return rc;
}

int cmd_test(int argc, char **argv)
{
	struct tlc_itest_opts opts = TLC_ITEST_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *recipe = NULL;
	struct tlc_buf scratch = TLC_BUF_INIT, dir = TLC_BUF_INIT;
	struct tlc_buf repo = TLC_BUF_INIT, log = TLC_BUF_INIT;
	const char **extra = NULL, **links = NULL, **variants = NULL;
	size_t nextra = 0, nlinks = 0, nwheels;
	const char *recipe_path = NULL, *repo_dir = NULL, *index = NULL;
	const char *python = NULL, *variant = NULL, *work_dir = NULL;
	bool no_recipe = false, keep = false, verbose = false;
	bool made_scratch = false;
	char **wheels;
	int gpu = -1, ret = CLI_EXIT_OK, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:p:vh", options, NULL)) != -1) {
		switch (c) {
		case 'R':
			repo_dir = optarg;
			break;
		case 'i':
			index = optarg;
			break;
		case 'r':
			recipe_path = optarg;
			break;
		case 'N':
			no_recipe = true;
			break;
		case 'V':
			variant = optarg;
			break;
		case 'p':
			python = optarg;
			break;
		case 'G':
			gpu = 1;
			break;
		case 'g':
			gpu = 0;
			break;
		case 'S':
			opts.cuda_stub = optarg;
			break;
		case 'D':
			opts.no_deps = true;
			break;
		case 'E':
			if (cli_strv_push(&extra, &nextra, optarg) < 0)
				goto oom;
			break;
		case 'F':
			if (cli_strv_push(&links, &nlinks, optarg) < 0)
				goto oom;
			break;
		case 'w':
			work_dir = optarg;
			break;
		case 'k':
			keep = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			print_help();
			goto out;
		default:
			ret = cli_usage_error("test", "bad arguments");
			goto out;
		}
	}
	wheels = argv + optind;
	nwheels = (size_t)(argc - optind);
	if (!nwheels) {
		ret = cli_usage_error("test", "give a wheel to test");
		goto out;
	}
	if (repo_dir && index) {
		ret = cli_usage_error("test", "give --repo or --index, not "
				      "both");
		goto out;
	}
	if (no_recipe && recipe_path) {
		ret = cli_usage_error("test", "give --recipe or --no-recipe, "
				      "not both");
		goto out;
	}
	for (size_t i = 0; i < nwheels; i++) {
		struct stat st;

		errno = 0;
		if (stat(wheels[i], &st) < 0 || !S_ISREG(st.st_mode)) {
			cli_error("cannot test '%s': %s", wheels[i],
				  errno ? strerror(errno) : "not a file");
			ret = CLI_EXIT_FAILED;
			goto out;
		}
	}
	if (!no_recipe &&
	    tlc_recipe_load(&recipe, recipe_path ? recipe_path : ".",
			    &err) < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}

	/* the variant of each wheel: given, or the recipe's that names it */
	if (!(variants = calloc(nwheels + 1, sizeof(*variants))))
		goto oom;
	for (size_t i = 0; i < nwheels; i++) {
		struct tlc_wheel_filename f;

		if (tlc_wheel_filename_parse(&f, base_name(wheels[i]),
					     &err) < 0) {
			ret = cli_error_tlc(&err);
			goto out;
		}
		variants[i] = variant ? variant :
			      recipe ? recipe_variant(recipe, f.name) : NULL;
	}

	/* the scratch directory: given, or a temporary one */
	if (work_dir) {
		if (tlc_buf_puts(&scratch, work_dir) < 0)
			goto oom;
		keep = true;
	} else {
		const char *tmp = getenv("TMPDIR");

		if (tlc_buf_printf(&scratch, "%s/tlcpack-test-XXXXXX",
				   tmp && *tmp ? tmp : "/tmp") < 0)
			goto oom;
		if (!mkdtemp(scratch.ptr)) {
			cli_error("cannot make a directory in '%s': %s",
				  tmp && *tmp ? tmp : "/tmp", strerror(errno));
			ret = CLI_EXIT_FATAL;
			goto out;
		}
		made_scratch = true;
	}

	/* no repository given: publish into a temporary one, so that pip
	 * still goes through an index */
	if (!repo_dir && !index) {
		if (tlc_buf_printf(&repo, "%s/repo", scratch.ptr) < 0)
			goto oom;
		if (publish_temp(repo.ptr, wheels, nwheels, variants,
				 &err) < 0) {
			ret = cli_error_tlc(&err);
			goto out;
		}
		repo_dir = repo.ptr;
	}

	opts.index = repo_dir ? repo_dir : index;
	opts.recipe = recipe;
	opts.gpu = gpu;
	opts.extra_index = extra;
	opts.find_links = links;
	if (verbose)
		opts.progress = cli_progress;
	for (size_t i = 0; i < nwheels; i++) {
		enum tlc_itest_result res;
		struct tlc_wheel_filename f;
		char pybuf[32];
		int rc;

		/* parsed above: cannot fail */
		tlc_wheel_filename_parse(&f, base_name(wheels[i]), NULL);
		tlc_buf_reset(&dir);
		tlc_buf_reset(&log);
		if (tlc_buf_printf(&dir, "%s/%zu", scratch.ptr, i + 1) < 0 ||
		    tlc_buf_printf(&log, "%s/%zu.log", scratch.ptr, i + 1) < 0)
			goto oom;
		unlink(log.ptr);
		opts.wheel = wheels[i];
		opts.variant = variants[i];
		opts.python = python ? python :
			      default_python(&f, pybuf, sizeof(pybuf));
		opts.work_dir = dir.ptr;
		opts.log_path = log.ptr;
		rc = tlc_itest_run(&opts, &res, &err);
		if (verbose)
			cli_show_tail(log.ptr, -1);
		switch (res) {
		case TLC_ITEST_PASS:
			printf("%s: pass\n", base_name(wheels[i]));
			break;
		case TLC_ITEST_PASS_NO_GPU:
			printf("%s: pass, no GPU: libraries loaded with the "
			       "CUDA stub; GPU test not run\n",
			       base_name(wheels[i]));
			break;
		case TLC_ITEST_FAIL:
			printf("%s: FAIL\n", base_name(wheels[i]));
			fflush(stdout);
			cli_error("%s: %s", base_name(wheels[i]), err.msg);
			if (!verbose)
				cli_show_tail(log.ptr, LOG_TAIL_LINES);
			ret = CLI_EXIT_FAILED;
			break;
		case TLC_ITEST_ERROR:
			rc = cli_error_tlc(&err);
			if (rc > ret)
				ret = rc;
			break;
		}
		err = (struct tlc_error)TLC_ERROR_INIT;
	}
	goto out;
oom:
	cli_error("out of memory");
	ret = CLI_EXIT_FATAL;
out:
	if (made_scratch && keep) {
		cli_error("kept the scratch directory '%s'", scratch.ptr);
	} else if (made_scratch) {
		if (cli_remove_tree(scratch.ptr) < 0)
			cli_error("warning: cannot remove '%s'", scratch.ptr);
	}
	tlc_recipe_free(recipe);
	tlc_buf_release(&scratch);
	tlc_buf_release(&dir);
	tlc_buf_release(&repo);
	tlc_buf_release(&log);
	free(extra);
	free(links);
	free(variants);
	return ret;
}
