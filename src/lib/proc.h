/*
 * Running other programs (cmake, git, python) inside libtlcpack
 * (internal).  posix_spawn, no shell: arguments are never re-parsed.
 */
#ifndef TLC_PROC_H
#define TLC_PROC_H

#include "tlcpack/buf.h"
#include "tlcpack/error.h"

struct tlc__proc {
	const char *const *argv;	/* argv[0] looked up on PATH */
	const char *cwd;		/* NULL: inherit */
	const char *const *env;		/* "K=V" overrides, NULL-terminated;
					 * "K" alone unsets K; may be NULL */
	const char *log_path;		/* stdout+stderr appended here */
	struct tlc_buf *out;		/* or: stdout captured here (its cap
					 * applies), stderr to log or
					 * /dev/null */
};

/**
 * Run @p to completion.
 *
 * @param[out] status  the exit status (0-255), or 128+signal
 * @return 0 when the program ran (whatever its status), TLC_ENOTFOUND if
 *         it does not exist, TLC_ETOOBIG if its output passed the cap,
 *         TLC_EIO otherwise
 */
int tlc__proc_run(const struct tlc__proc *p, int *status,
		  struct tlc_error *err);

/**
 * Find @prog on PATH (or take it as a path when it contains '/') and
 * append the absolute path of the executable to @out.
 *
 * @return 0 or TLC_ENOTFOUND
 */
int tlc__proc_which(struct tlc_buf *out, const char *prog,
		    struct tlc_error *err);

#endif
