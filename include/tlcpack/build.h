/*
 * Building wheels from a recipe: for each selected variant, configure,
 * build and install its CMake projects in the variant's own build
 * directories, stage the files, and write one wheel per Python
 * interpreter (when the wheel holds CPython extension modules) or one
 * py3-none wheel.
 */
#ifndef TLC_BUILD_H
#define TLC_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "progress.h"
#include "recipe.h"

struct tlc_build_opts {
	const char *const *variants;	/* NULL-terminated; NULL: all */
	const char *const *pythons;	/* NULL-terminated; NULL: the recipe's */
	const char *channel;		/* NULL: a stable build */
	bool skip_missing_python;	/* report, don't fail */
	bool no_local_version;		/* drop +gHASH from dev versions */
	bool dry_run;			/* plan only: write and run nothing */
	bool no_repair;			/* keep linux_* wheels (recipe's
					 * build.repair = false does too) */
	const char *const *lib_path;	/* for repair: more directories to
					 * find external libraries in */
	const char *out_dir;		/* "dist" */
	const char *build_dir;		/* NULL: <project>/build-tlcpack */
	unsigned jobs;			/* 0: the recipe's, else every core */
	int level;			/* deflate level */
	tlc_progress_cb progress;
	void *progress_data;
};

#define TLC_BUILD_OPTS_INIT { NULL, NULL, NULL, false, false, false, \
			      false, NULL, "dist", NULL, 0, 6, NULL, NULL }

struct tlc_build_wheel {
	char *path;		/* the .whl written (or planned) */
	char *name;		/* distribution name: "tlcpack-example-cu130" */
	char *version;
	char *variant;
	char *tag;		/* "cp311-cp311-manylinux_2_34_x86_64" */
	char *policy;		/* the policy repair met; NULL: not repaired */
	char *python;		/* interpreter used, NULL for py3-none */
	uint64_t size;		/* bytes; 0 in a dry run */
};

struct tlc_build_skip {
	char *python;		/* as listed */
	char *reason;
};

struct tlc_build_result {
	char *version;			/* the version every wheel carries */
	size_t nwheels;
	struct tlc_build_wheel *wheels;
	size_t nskipped;
	struct tlc_build_skip *skipped;	/* interpreters left out */
	char *failed_log;		/* on failure: the failing step's log */
};

/**
 * Build @recipe as @opts says.  Every step's output goes to a log file
 * under the build directory; on failure @err names the step and
 * @result->failed_log its log, whose tail the caller shows.
 *
 * @param[out] result  filled even on failure; release with
 *                     tlc_build_result_release()
 * @return 0, TLC_ENOTFOUND (a tool or interpreter is missing),
 *         TLC_EPOLICY, TLC_ERROR (a build step failed), TLC_EIO
 */
int tlc_build(struct tlc_build_result *result, const struct tlc_recipe *recipe,
	      const struct tlc_build_opts *opts, struct tlc_error *err);

void tlc_build_result_release(struct tlc_build_result *result);

/**
 * The version a build of @recipe makes on @channel (NULL for stable):
 * the literal, or one derived from git as docs/recipe.md says.
 *
 * @param[out] out  appended
 */
int tlc_build_version(struct tlc_buf *out, const struct tlc_recipe *recipe,
		      const char *channel, bool no_local_version,
		      struct tlc_error *err);

#endif
