/*
 * CI build matrices: the jobs that build a recipe's wheels on many runners
 * at once, each in its own container image, each publishing to one
 * repository (a `tlcpack serve` by upload), as `tlcpack matrix` prints
 * them for GitHub Actions, GitLab CI and other tools.  docs/ci/README.md
 * shows the pipelines that use them.
 *
 * A job is one variant, one Python interpreter and, when asked, one
 * channel.  It runs two command lines, in a checkout of the project:
 *
 *   tlcpack build [--recipe R] --variant V --python P [--channel C] -o dist
 *   tlcpack publish --to URL dist/<each wheel, a shell glob>
 *
 * A recipe without per-python CMake projects makes one py3-none wheel per
 * variant whatever the interpreter, so it gets one job per variant (and
 * channel), with the first interpreter: two jobs uploading the same file
 * name would conflict.
 *
 * Nothing is probed: the interpreters and images are names, resolved on
 * the runners.
 */
#ifndef TLC_MATRIX_H
#define TLC_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "recipe.h"

/** GitHub Actions refuses a matrix of more jobs than this (per workflow
 * run; docs.github.com, "Using a matrix for your jobs"). */
#define TLC_MATRIX_GITHUB_MAX_JOBS 256

/** The image of a cpu variant that names no image and no policy. */
#define TLC_MATRIX_DEFAULT_IMAGE "quay.io/pypa/manylinux_2_28_x86_64"

struct tlc_matrix_opts {
	const char *const *variants;	/* NULL-terminated; NULL: all */
	const char *const *pythons;	/* NULL-terminated; NULL: the recipe's */
	const char *const *channels;	/* NULL-terminated; NULL: stable only */
	const char *recipe_arg;		/* passed to the jobs' build as
					 * --recipe, verbatim (relative to
					 * the checkout); NULL: none */
	const char *upload_url;		/* NULL: "$TLCPACK_UPLOAD_URL", which
					 * the runner's shell expands */
	const char *out_dir;		/* where the job's wheels go: "dist" */
};

#define TLC_MATRIX_OPTS_INIT { NULL, NULL, NULL, NULL, NULL, "dist" }

struct tlc_matrix_job {
	char *id;		/* unique, [A-Za-z0-9._-]: "cu130-python3.11" */
	char *variant;
	char *description;	/* the variant's; NULL when none */
	char *python;		/* as listed in the recipe or opts */
	char *python_version;	/* "3.11" read off "python3.11"; NULL when
				 * the name does not say */
	char *channel;		/* NULL: a stable build */
	unsigned keep;		/* the channel's keep count: the final job
				 * prunes the project to it; 0: no prune */
	char *project;		/* the distribution: "tlcpack-example-cu130" */
	char *image;		/* the container image to build in */
	bool default_image;	/* the image is tlcpack's default */
	char *build;		/* the build command line, for sh */
	char *publish;		/* the publish command line, for sh */
	char *dist;		/* the directory its wheels go to */
};

struct tlc_matrix {
	size_t njobs;
	struct tlc_matrix_job *jobs;
};

#define TLC_MATRIX_INIT { 0, NULL }

enum tlc_matrix_format {
	TLC_MATRIX_JSON,	/* a JSON array of job objects, indented */
	TLC_MATRIX_GITHUB,	/* {"include":[...]} on one line, ASCII */
	TLC_MATRIX_GITLAB,	/* a child-pipeline YAML document */
};

/**
 * The jobs that build @recipe as @opts says: variants in recipe order
 * (or the order of @opts->variants), then interpreters, then channels.
 *
 * @param[out] out  filled (it must be TLC_MATRIX_INIT); release with
 *                  tlc_matrix_release(), also after a failure
 * @return 0; TLC_ENOTFOUND (a variant or channel the recipe lacks);
 *         TLC_EPOLICY (an empty interpreter name, a string that is not
 *         UTF-8 or holds control characters); TLC_ENOMEM
 */
int tlc_matrix_plan(struct tlc_matrix *out, const struct tlc_recipe *recipe,
		    const struct tlc_matrix_opts *opts, struct tlc_error *err);

void tlc_matrix_release(struct tlc_matrix *m);

/**
 * Append @m to @out in @format.  Every string is escaped for the format
 * (JSON: RFC 8259; YAML: double-quoted scalars of YAML 1.2, chapter 5.7,
 * with everything outside printable ASCII escaped); the commands are
 * quoted for a POSIX shell.
 *
 * @return 0; TLC_EPOLICY (TLC_MATRIX_GITHUB with more than
 *         TLC_MATRIX_GITHUB_MAX_JOBS jobs, or no job at all); TLC_ENOMEM
 */
int tlc_matrix_format(struct tlc_buf *out, const struct tlc_matrix *m,
		      enum tlc_matrix_format format, struct tlc_error *err);

/**
 * Append the image @variant builds in: its `image` if the recipe sets one,
 * else tlcpack's default:
 *   - "cuXYZ" (CUDA X.Y, the minor version being the last digit):
 *     "tlcpack/build-cuXYZ", the image built from `tlcpack image
 *     dockerfile --variant cuXYZ`: manylinux, the CUDA toolkit X.Y, the
 *     Pythons and tlcpack;
 *   - otherwise the PyPA manylinux image of the variant's policy
 *     ("quay.io/pypa/<policy>_x86_64", the legacy aliases manylinux_2_5,
 *     _2_12 and _2_17 spelt manylinux1, 2010 and 2014, as PyPA names
 *     those images), or TLC_MATRIX_DEFAULT_IMAGE without a policy.
 *
 * @param[out] is_default  true when the default was used; may be NULL
 * @return 0 or TLC_ENOMEM/TLC_ETOOBIG from @out
 */
int tlc_matrix_image(struct tlc_buf *out, bool *is_default,
		     const struct tlc_recipe_variant *variant);

/**
 * Is @variant_name a CUDA variant, "cu" and three or more digits?  Then
 * @major and @minor are its CUDA version ("cu130": 13, 0; "cu118": 11, 8).
 */
bool tlc_matrix_cuda_version(const char *variant_name, unsigned *major,
			     unsigned *minor);

#endif
