/*
 * manylinux platform policies (PEP 600, https://peps.python.org/pep-0600/,
 * and the legacy PEP 513/571/599 tags) and which libraries a wheel may
 * take from the host.
 *
 * A policy manylinux_X_Y promises that the wheel runs on any distribution
 * with glibc >= X.Y: it may need only the allow-listed libraries from the
 * host, and from them only symbol versions that the policy's reference
 * distribution provides.  The table in policy.c is that data, for each
 * policy and architecture; its origin is documented there.
 *
 * Driver libraries (libcuda.so.1, libnvidia-ml.so.1 and their kind) must
 * come from the host's GPU driver and are never grafted; they are matched
 * by SONAME family: the name up to ".so", so "libcuda.so" and
 * "libcuda.so.1" are one family.
 */
#ifndef TLC_POLICY_H
#define TLC_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct tlc_policy {
	const char *name;	/* "manylinux_2_17"; "linux" for none */
	const char *alias;	/* "manylinux2014"; NULL if none */
	unsigned glibc_major;	/* 2; 0 for "linux" */
	unsigned glibc_minor;	/* 17 */
};

/** The number of policies, "linux" included. */
size_t tlc_policy_count(void);

/**
 * The @i-th policy, from the most compatible (manylinux_2_5) to the least
 * (the newest glibc), then "linux", which every wheel meets.
 */
const struct tlc_policy *tlc_policy_at(size_t i);

/**
 * The policy named @name: a PEP 600 name ("manylinux_2_17"), a legacy
 * alias ("manylinux1", "manylinux2010", "manylinux2014") or "linux";
 * an "_<arch>" suffix ("manylinux2014_x86_64") is accepted too, when the
 * policy covers that architecture.  Names are case-sensitive, as in tags.
 *
 * @return NULL if none; then @err (may be NULL) gets TLC_ENOTFOUND and a
 *         one-line message naming the known policies
 */
const struct tlc_policy *tlc_policy_find(const char *name,
					 struct tlc_error *err);

/**
 * Does @p cover @arch (a tlc_elf_arch() name, or "riscv64",
 * "loongarch64")?  "linux" covers all.
 */
bool tlc_policy_has_arch(const struct tlc_policy *p, const char *arch);

/**
 * May a wheel of policy @p need @soname from the host?  The SONAME must be
 * on the policy's allow-list exactly; "linux" allows every library.
 */
bool tlc_policy_lib_allowed(const struct tlc_policy *p, const char *soname);

/**
 * May a wheel of policy @p on @arch require the symbol version @version
 * ("GLIBC_2.17", "GLIBCXX_3.4.19", "CXXABI_1.3.7", "GCC_4.8.0", ...)?
 * Versions of a family the policy does not constrain are allowed.
 *
 * The family is the name up to its first '_' (auditwheel's rule); a
 * constrained family allows only the versions listed for it, so
 * "GLIBC_PRIVATE", a bare "GLIBC" and any version of a family with an
 * empty list are refused.  Nothing is allowed on an architecture @p does
 * not cover; "linux" allows everything.
 */
bool tlc_policy_version_allowed(const struct tlc_policy *p, const char *arch,
				const char *version);

/**
 * The platform tags of @p on @arch, best first: the PEP 600 tag, then the
 * legacy alias when there is one ("manylinux_2_17_x86_64",
 * "manylinux2014_x86_64"), written to @out as a '.'-joined compressed tag
 * set ("manylinux_2_17_x86_64.manylinux2014_x86_64").
 *
 * @return the length written, TLC_ETOOBIG if @size is too small (then
 *         @out is "" when @size > 0), or TLC_EPOLICY if @p does not cover
 *         @arch or @arch is not a tag's [a-z0-9_]+
 */
int tlc_policy_platform_tag(const struct tlc_policy *p, const char *arch,
			    char *out, size_t size);

/**
 * The glibc version of this machine (gnu_get_libc_version()); 0 and 0 if
 * it is not glibc or the version does not read as "<major>.<minor>".
 */
void tlc_policy_host_glibc(unsigned *major, unsigned *minor);

/**
 * The SONAME families excluded by default: the GPU driver's libraries, as
 * "libcuda.so", "libnvidia-ml.so", ...; NULL-terminated.  policy.c says
 * where the list comes from.
 */
extern const char *const tlc_policy_driver_libs[];

/** Is @soname one of tlc_policy_driver_libs (by family)? */
bool tlc_policy_is_driver_lib(const char *soname);

/**
 * Does the exclusion @pattern match @soname?  Both are reduced to their
 * SONAME family (the name up to ".so"); the pattern's family may hold
 * fnmatch(3) wildcards.  "libcuda.so" and "libcuda.so.1" both match
 * "libcuda.so.1"; "libnvidia-*" matches "libnvidia-ml.so.1"; "libcu"
 * matches neither.  The family is the text before the first ".so" (the
 * whole name if there is none).  A pattern or SONAME holding a '/', an
 * empty family or one longer than NAME_MAX never matches.
 */
bool tlc_policy_exclude_match(const char *pattern, const char *soname);

#endif
