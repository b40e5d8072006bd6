/*
 * Install tests: a wheel, installed by real pip into a fresh venv through
 * the index of the repository it is published in, then run as a user
 * would run it, outside the source tree.
 *
 * The steps, each appending its output to opts->log_path:
 *
 *   1. the wheel is read (tlc_audit_wheel(): its ELF members and the
 *      libraries they need) and its SHA-256 computed;
 *   2. the repository's project page (PEP 503 simple/<project>/) must list
 *      the wheel's file name with that SHA-256, else TLC_ENOTFOUND ("not in
 *      the repository") or TLC_EPOLICY (listed with other bytes);
 *   3. `python -m venv` with opts->python makes a fresh venv;
 *   4. its pip installs "<name>==<version>" with --index-url the
 *      repository's simple/ (nothing else, pip runs --isolated from the
 *      user's configuration), dependencies included unless opts->no_deps;
 *      the files installed must be the wheel's, by their RECORD hashes;
 *   5. every ELF shared library of the wheel and every file of its
 *      "<name>.libs/" directory (what repair grafted) is loaded with
 *      dlopen(RTLD_NOW | RTLD_GLOBAL) from the venv's Python, until a
 *      fixed point (so that no load order has to be known), then the
 *      packages are imported;
 *   6. the recipe's [test] command runs with /bin/sh, the venv's bin/
 *      first on PATH, in "<work_dir>/run";
 *   7. for a CUDA wheel on a machine with a GPU, the [test] gpu-command
 *      too.
 *
 * A CUDA wheel (one whose ELF files need libcuda.so.1, or whose variant
 * is named cu<digits>...) on a machine without a usable GPU runs steps 5
 * and 6 with the CUDA toolkit's stub libcuda.so (stubs/libcuda.so,
 * exposed as libcuda.so.1 in "<work_dir>/cuda-stub" on LD_LIBRARY_PATH):
 * every library then loads, and every driver call fails, so no kernel can
 * run and the result says so (TLC_ITEST_PASS_NO_GPU).
 *
 * "A usable GPU" is decided by asking the driver, not the file system:
 * libcuda.so.1 must load, cuInit(0) succeed and cuDeviceGetCount() give
 * at least one device (run in a child Python, so a broken driver cannot
 * take the caller down).  /dev/nvidia0 can exist with no usable device (a
 * container without the driver's libraries, a GPU taken by MIG), and a
 * device can be there without /dev/nvidia0 (other device nodes).
 */
#ifndef TLC_ITEST_H
#define TLC_ITEST_H

#include <stdbool.h>

#include "error.h"
#include "progress.h"
#include "recipe.h"

enum tlc_itest_result {
	TLC_ITEST_PASS,		/* every step passed */
	TLC_ITEST_FAIL,		/* the wheel failed a step: install, load,
				 * import, test command */
	TLC_ITEST_PASS_NO_GPU,	/* a CUDA wheel, loaded (with the stub
				 * libcuda) and its test command passed; no
				 * GPU to run the gpu-command on */
	TLC_ITEST_ERROR,	/* the test could not run: no such python,
				 * the wheel is not in the repository, no
				 * stub libcuda, ... */
};

struct tlc_itest_opts {
	const char *wheel;	/* path of the wheel (already published) */
	const char *index;	/* repository directory or http(s) URL of
				 * its root (or of its simple/): pip
				 * installs through it */
	const struct tlc_recipe *recipe; /* test.command, test.gpu-command,
				 * packages; NULL: only load and import the
				 * wheel's top-level packages */
	const char *variant;	/* the wheel's variant name; may be NULL */
	const char *python;	/* interpreter that makes the venv */
	const char *work_dir;	/* scratch (venv, cwd of the test); made
				 * if missing; must lie outside the
				 * recipe's project directory */
	const char *log_path;	/* pip and test output go here (appended);
				 * NULL: "<work_dir>/itest.log" */
	int gpu;		/* -1 detect, 0 no, 1 yes */

	/* extensions of the contract, all optional */
	bool no_deps;		/* pip --no-deps: for dependencies that no
				 * index given can provide */
	const char *const *extra_index; /* --extra-index-url for
				 * dependencies; NULL-terminated or NULL */
	const char *const *find_links; /* --find-links, likewise */
	const char *cuda_stub;	/* the stub libcuda.so; NULL: found from
				 * CUDA_HOME, nvcc on PATH, /usr/local/cuda */
	tlc_progress_cb progress; /* a report per step; may be NULL */
	void *progress_data;
};

#define TLC_ITEST_OPTS_INIT { NULL, NULL, NULL, NULL, "python3", NULL, \
			      NULL, -1, false, NULL, NULL, NULL, NULL, NULL }

/**
 * Install-test the wheel at o->wheel (steps above).
 *
 * @param[out] res  the verdict, set on every return
 * @return 0 for TLC_ITEST_PASS and TLC_ITEST_PASS_NO_GPU; TLC_ERROR for
 *         TLC_ITEST_FAIL, with @err naming the step that failed
 *         ("test command 'X' failed with exit status 3"), whose output
 *         ends the log; for TLC_ITEST_ERROR, TLC_ENOTFOUND (no such
 *         python, wheel not in the repository, no stub libcuda),
 *         TLC_EPOLICY (listed with other bytes, work_dir inside the
 *         project, a wheel the audit refuses), TLC_EIO, TLC_ENOMEM
 */
int tlc_itest_run(const struct tlc_itest_opts *o,
		  enum tlc_itest_result *res, struct tlc_error *err);

/** "pass", "FAIL", "pass (no GPU)", "error". */
const char *tlc_itest_result_name(enum tlc_itest_result r);

#endif
