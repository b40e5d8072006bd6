/*
 * Auditing a wheel's native code against the manylinux policies
 * (policy.h): which libraries each ELF member needs, where each one
 * resolves, which symbol versions it requires, and so which platform tag
 * the wheel can carry, and why no better one.
 *
 * Members are read straight out of the wheel (only the ELF ones, and of
 * those only the bytes the dynamic loader's view needs); nothing is
 * extracted.  A needed library resolves, in this order:
 *
 *   - to a member of the wheel, through the member's RPATH or RUNPATH
 *     with $ORIGIN expanded inside the wheel ("wheel"), or, failing that,
 *     to a member whose name or SONAME is the needed name ("wheel, not on
 *     the run path": the loader finds it only if it is already loaded,
 *     and repair adds the run path);
 *   - to an exclusion: a GPU driver library (always), a pattern of
 *     opts->exclude, or one recorded by an earlier repair ("excluded");
 *   - to a library the policy allows from the host ("system");
 *   - to a file on this machine, searched as ld.so does: LD_LIBRARY_PATH,
 *     opts->lib_path, /etc/ld.so.conf (with its includes), then the
 *     default directories ("external": repair grafts it);
 *   - else "missing".
 */
#ifndef TLC_AUDIT_H
#define TLC_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "elf.h"
#include "error.h"
#include "policy.h"
#include "progress.h"

enum tlc_audit_where {
	TLC_AUDIT_WHEEL,	/* a member, through the run path */
	TLC_AUDIT_WHEEL_NOPATH,	/* a member, not on the run path */
	TLC_AUDIT_EXCLUDED,	/* never grafted */
	TLC_AUDIT_SYSTEM,	/* allow-listed by the most compatible policy
				 * that allows it */
	TLC_AUDIT_EXTERNAL,	/* on this machine; to be grafted */
	TLC_AUDIT_MISSING,	/* nowhere */
};

/* A DT_NEEDED entry and where it resolves. */
struct tlc_audit_dep {
	const char *name;		/* as in DT_NEEDED */
	enum tlc_audit_where where;
	const char *path;		/* member name (WHEEL*), host path
					 * (SYSTEM, EXTERNAL); else NULL */
	const char *why;		/* EXCLUDED: "GPU driver library",
					 * "--exclude 'libfoo*'", ... */
	size_t lib;			/* EXTERNAL: index in audit->libs */
};

/* An ELF file: a member of the wheel, or an external library. */
struct tlc_audit_elf {
	const char *name;		/* member name, or host path */
	struct tlc_elf *elf;
	const char *arch;		/* tlc_elf_arch(); may be NULL */
	size_t ndeps;
	struct tlc_audit_dep *deps;
	const struct tlc_policy *best;	/* the most compatible policy this
					 * file's version needs allow */
	bool system;			/* a host library that some policy
					 * allows (libc.so.6, libz.so.1 ...) */
};

/* Why the wheel misses a policy better than the one it meets. */
struct tlc_audit_block {
	const struct tlc_policy *policy;
	size_t nwhy;
	const char **why;		/* "tlcexample/libx.so needs
					 * GLIBC_2.34 (libc.so.6)", ... */
	bool repairable;		/* only grafting stands in the way */
};

struct tlc_audit {
	const char *wheel;		/* the path audited */
	const char *arch;		/* NULL: no ELF member */
	bool pure;			/* no ELF member */
	size_t nmembers;		/* ELF members */
	struct tlc_audit_elf *members;
	size_t nlibs;			/* external libraries, recursively */
	struct tlc_audit_elf *libs;
	const struct tlc_policy *best;	/* the tag it can carry as it is */
	const struct tlc_policy *repaired; /* the tag repair can reach;
					    * NULL if nothing can (missing
					    * libraries) */
	size_t nblocks;			/* policies better than best, up to
					 * the host's glibc, best first */
	struct tlc_audit_block *blocks;
	size_t nexcluded_recorded;	/* from an earlier repair */
	const char **excluded_recorded;
};

struct tlc_audit_opts {
	const char *const *exclude;	/* patterns; NULL-terminated; may be
					 * NULL */
	const char *const *provided;	/* patterns of libraries left to a
					 * dependency (excluded, with that
					 * reason); may be NULL */
	const char *const *lib_path;	/* extra directories searched after
					 * LD_LIBRARY_PATH; may be NULL */
	bool all_policies;		/* report policies above the host's
					 * glibc too */
	const struct tlc_audit *reuse;	/* an audit of a wheel this one was
					 * made from: members with the same
					 * name, CRC-32 and sizes are taken
					 * from it, not read again; free this
					 * audit first.  May be NULL */
	tlc_progress_cb progress;
	void *progress_data;
};

#define TLC_AUDIT_OPTS_INIT { NULL, NULL, NULL, false, NULL, NULL, NULL }

/**
 * Audit the wheel at @path.
 *
 * @param[out] out  free with tlc_audit_free()
 * @return 0 whatever the verdict; TLC_ENOTFOUND, TLC_EPOLICY (a malformed
 *         wheel or ELF member), TLC_EIO, TLC_ENOMEM
 */
int tlc_audit_wheel(struct tlc_audit **out, const char *path,
		    const struct tlc_audit_opts *opts, struct tlc_error *err);

/** "wheel", "excluded", "system", ... */
const char *tlc_audit_where_name(enum tlc_audit_where where);

/**
 * Is @a the more compatible policy of the two (manylinux_2_5 beats
 * manylinux_2_17 beats linux)?  Equal policies are not.
 */
bool tlc_audit_policy_better(const struct tlc_policy *a,
			     const struct tlc_policy *b);

/** Render @a as JSON (an object, pretty-printed, newline-terminated). */
int tlc_audit_json(const struct tlc_audit *a, struct tlc_buf *out,
		   struct tlc_error *err);

/** Free @a; NULL is a no-op. */
void tlc_audit_free(struct tlc_audit *a);

#endif
