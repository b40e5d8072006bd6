/*
 * Repairing a wheel for a manylinux policy, as auditwheel repair does
 * (https://github.com/pypa/auditwheel), without its known failures:
 *
 *   - every external library that is neither allowed by the policy nor
 *     excluded is copied into "<package>.libs/" as "<stem>-<hash>.so.N"
 *     (the first 8 hex digits of its SHA-256), with the libraries it needs
 *     in turn;
 *   - GPU driver libraries (policy.h) are never grafted, matched by SONAME
 *     family, and neither are the patterns the caller excludes;
 *   - libraries provided by a declared dependency are left to it: the
 *     members that need them get a run path into that package's directory
 *     (as PyTorch does with nvidia-cublas-cu12);
 *   - ELF edits are made by patchelf, one edit per call (patchelf 0.14.3,
 *     Debian 12's, breaks files when edits are combined: NixOS/patchelf#359),
 *     and every edited file is read back and checked: its NEEDED list,
 *     SONAME, RUNPATH, version needs and PT_LOAD alignment.  A failed
 *     check names the invariant and stops the repair;
 *   - members that did not change are copied raw: their compressed bytes
 *     are never inflated, and memory stays bounded;
 *   - the new wheel gets the policy's platform tags, a new RECORD, the
 *     licence files of the grafted libraries that this machine documents
 *     (Debian's /usr/share/doc/<package>/copyright), and
 *     "<dist-info>/tlcpack-repair.json", which records what was grafted
 *     and what was excluded, and why;
 *   - the repaired wheel is audited again and must meet the policy.
 *
 * The input wheel is never modified; the new one appears only when all of
 * this succeeded.
 */
#ifndef TLC_REPAIR_H
#define TLC_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "progress.h"

/* Libraries left to a dependency: "libcublas.so.*" found at run time in
 * "nvidia/cublas/lib" (relative to site-packages) once "nvidia-cublas-cu13"
 * is installed. */
struct tlc_repair_provided {
	const char *pattern;	/* as for tlc_policy_exclude_match() */
	const char *dir;	/* site-packages relative; no "..", not absolute */
};

struct tlc_repair_opts {
	const char *policy;	/* a tlc_policy_find() name; NULL: the most
				 * compatible the wheel can reach */
	const char *const *exclude;	/* NULL-terminated; may be NULL */
	const struct tlc_repair_provided *provided;
	size_t nprovided;
	const char *const *lib_path;	/* as tlc_audit_opts.lib_path */
	const char *outdir;	/* where the repaired wheel goes */
	const char *patchelf;	/* NULL: "patchelf" from PATH */
	int64_t epoch;		/* member times; < 0: SOURCE_DATE_EPOCH, else
				 * 1980-01-01 */
	bool pure_ok;		/* a wheel without ELF files is copied as it
				 * is, not refused */
	int level;		/* deflate level for changed members (6) */
	unsigned threads;	/* 0: every online CPU */
	tlc_progress_cb progress;
	void *progress_data;
};

#define TLC_REPAIR_OPTS_INIT { NULL, NULL, NULL, 0, NULL, ".", NULL, -1, \
			       false, 6, 0, NULL, NULL }

struct tlc_repair_result {
	struct tlc_buf path;		/* the repaired wheel */
	const char *policy;		/* the policy it meets (static); NULL
					 * for a pure wheel copied as it is */
	size_t ngrafted;		/* libraries copied in */
	size_t nedited;			/* members whose ELF was edited */
	size_t nraw;			/* members copied raw */
	size_t nunlicensed;		/* grafted libraries whose licence
					 * file this machine does not have */
	bool unchanged;			/* nothing to graft or edit: only the
					 * tag changed */
};

/**
 * Repair the wheel at @path into opts->outdir.
 *
 * @param[out] res  free with tlc_repair_result_release()
 * @return 0; TLC_EPOLICY (the policy cannot be met, a library is missing,
 *         an edit failed its check: the message says which), TLC_ENOTFOUND,
 *         TLC_EIO, TLC_ENOMEM
 */
int tlc_repair_wheel(const char *path, const struct tlc_repair_opts *opts,
		     struct tlc_repair_result *res, struct tlc_error *err);

/** Release what @res holds. */
void tlc_repair_result_release(struct tlc_repair_result *res);

#endif
