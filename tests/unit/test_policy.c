/*
 * manylinux policies: lookups, the symbol-version and library tables of
 * pypa/auditwheel's manylinux-policy.json (checked at boundaries, values
 * read from the JSON), platform tags, the host's glibc (against Python's
 * own reading of it), driver libraries and exclusion patterns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tlcpack/policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const all_arches[] = {
	"x86_64", "i686", "aarch64", "ppc64le", "ppc64", "s390x", "armv7l",
	"riscv64", "loongarch64",
};

static void check_one_line(const char *msg)
{
	assert_true(strlen(msg) > 0);
	assert_null(strchr(msg, '\n'));
	assert_null(strchr(msg, '\r'));
}

struct lookup {
	const char *name;
	const char *want;	/* the policy's PEP 600 name */
};

static const struct lookup lookups[] = {
	{ "manylinux_2_5", "manylinux_2_5" },
	{ "manylinux1", "manylinux_2_5" },
	{ "manylinux_2_12", "manylinux_2_12" },
	{ "manylinux2010", "manylinux_2_12" },
	{ "manylinux_2_17", "manylinux_2_17" },
	{ "manylinux2014", "manylinux_2_17" },
	{ "manylinux_2_24", "manylinux_2_24" },
	{ "manylinux_2_26", "manylinux_2_26" },
	{ "manylinux_2_27", "manylinux_2_27" },
	{ "manylinux_2_28", "manylinux_2_28" },
	{ "manylinux_2_31", "manylinux_2_31" },
	{ "manylinux_2_34", "manylinux_2_34" },
	{ "manylinux_2_35", "manylinux_2_35" },
	{ "manylinux_2_36", "manylinux_2_36" },
	{ "manylinux_2_37", "manylinux_2_37" },
	{ "manylinux_2_38", "manylinux_2_38" },
	{ "manylinux_2_39", "manylinux_2_39" },
	{ "linux", "linux" },
	/* with an architecture */
	{ "manylinux1_x86_64", "manylinux_2_5" },
	{ "manylinux1_i686", "manylinux_2_5" },
	{ "manylinux_2_5_x86_64", "manylinux_2_5" },
	{ "manylinux2010_x86_64", "manylinux_2_12" },
	{ "manylinux2014_x86_64", "manylinux_2_17" },
	{ "manylinux2014_aarch64", "manylinux_2_17" },
	{ "manylinux2014_ppc64", "manylinux_2_17" },
	{ "manylinux_2_17_ppc64le", "manylinux_2_17" },
	{ "manylinux_2_17_s390x", "manylinux_2_17" },
	{ "manylinux_2_17_armv7l", "manylinux_2_17" },
	{ "manylinux_2_28_aarch64", "manylinux_2_28" },
	{ "manylinux_2_31_riscv64", "manylinux_2_31" },
	{ "manylinux_2_36_loongarch64", "manylinux_2_36" },
	{ "linux_x86_64", "linux" },
	{ "linux_riscv64", "linux" },
};

static void test_policy__find(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(lookups); i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		const struct tlc_policy *p = tlc_policy_find(lookups[i].name,
							     &err);

		if (!p)
			fail_msg("'%s': %s", lookups[i].name, err.msg);
		assert_string_equal(p->name, lookups[i].want);
		assert_int_equal(err.code, 0);	/* untouched on success */
		assert_ptr_equal(tlc_policy_find(lookups[i].name, NULL), p);
	}
}

static void test_policy__aliases(void **state)
{
	const struct tlc_policy *p;

	(void)state;
	p = tlc_policy_find("manylinux1", NULL);
	assert_string_equal(p->alias, "manylinux1");
	assert_int_equal(p->glibc_major, 2);
	assert_int_equal(p->glibc_minor, 5);
	p = tlc_policy_find("manylinux2010", NULL);
	assert_string_equal(p->alias, "manylinux2010");
	assert_int_equal(p->glibc_minor, 12);
	p = tlc_policy_find("manylinux2014", NULL);
	assert_string_equal(p->alias, "manylinux2014");
	assert_int_equal(p->glibc_minor, 17);
	assert_null(tlc_policy_find("manylinux_2_28", NULL)->alias);
	p = tlc_policy_find("linux", NULL);
	assert_null(p->alias);
	assert_int_equal(p->glibc_major, 0);
	assert_int_equal(p->glibc_minor, 0);
}

struct bad_lookup {
	const char *name;
	const char *msg;	/* the whole message, or a part of it */
	bool whole;
};

#define KNOWN "known: manylinux_2_5 (manylinux1), manylinux_2_12 " \
	"(manylinux2010), manylinux_2_17 (manylinux2014), " \
	"manylinux_2_{24,26,27,28,31,34,35,36,37,38,39}, linux"

static const struct bad_lookup bad_lookups[] = {
	{ "manylinux_2_99", "unknown policy 'manylinux_2_99'; " KNOWN, true },
	{ "", "unknown policy ''; " KNOWN, true },
	{ "manylinux", "unknown policy 'manylinux'; ", false },
	{ "manylinux_2_1", "unknown policy 'manylinux_2_1'", false },
	{ "manylinux_2_17_", "unknown policy 'manylinux_2_17_'", false },
	{ "Manylinux1", "unknown policy 'Manylinux1'", false },
	{ "manylinux2014_x86_64_x86_64", "unknown policy", false },
	{ "manylinux2014_sparc", "unknown policy 'manylinux2014_sparc'", false },
	{ "_x86_64", "unknown policy '_x86_64'", false },
	{ "x86_64", "unknown policy 'x86_64'", false },
	{ "musllinux_1_2", "unknown policy 'musllinux_1_2'", false },
	{ "manylinux1_aarch64", "policy 'manylinux1_aarch64' does not exist: "
	  "manylinux_2_5 has no 'aarch64' variant", true },
	{ "manylinux_2_24_ppc64", "manylinux_2_24 has no 'ppc64' variant",
	  false },
	{ "manylinux_2_28_riscv64", "has no 'riscv64' variant", false },
	{ "manylinux1\n", "unknown policy 'manylinux1\\x0a'", false },
	{ "a\\b\x01", "unknown policy 'a\\x5cb\\x01'", false },
};

static void test_policy__find_unknown(void **state)
{
	char big[2000];

	(void)state;
	for (size_t i = 0; i < N(bad_lookups); i++) {
		struct tlc_error err = TLC_ERROR_INIT;

		if (tlc_policy_find(bad_lookups[i].name, &err))
			fail_msg("'%s' should be unknown", bad_lookups[i].name);
		assert_int_equal(err.code, TLC_ENOTFOUND);
		check_one_line(err.msg);
		if (bad_lookups[i].whole)
			assert_string_equal(err.msg, bad_lookups[i].msg);
		else if (!strstr(err.msg, bad_lookups[i].msg))
			fail_msg("'%s' gave '%s'", bad_lookups[i].name,
				 err.msg);
		assert_null(tlc_policy_find(bad_lookups[i].name, NULL));
	}
	/* a long name is cut, and the list of known ones still shows */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		struct tlc_error err = TLC_ERROR_INIT;

		assert_null(tlc_policy_find(big, &err));
		check_one_line(err.msg);
		assert_non_null(strstr(err.msg, "...'; known: manylinux_2_5"));
		assert_non_null(strstr(err.msg, ", linux"));
	}
}

static void test_policy__order(void **state)
{
	size_t n = tlc_policy_count();
	const struct tlc_policy *last;

	(void)state;
	assert_int_equal(n, 15);
	assert_null(tlc_policy_at(n));
	last = tlc_policy_at(n - 1);
	assert_string_equal(last->name, "linux");
	assert_string_equal(tlc_policy_at(0)->name, "manylinux_2_5");
	for (size_t i = 0; i + 1 < n; i++) {
		const struct tlc_policy *p = tlc_policy_at(i);
		char name[32];

		assert_int_equal(p->glibc_major, 2);
		snprintf(name, sizeof(name), "manylinux_%u_%u", p->glibc_major,
			 p->glibc_minor);
		assert_string_equal(p->name, name);
		assert_ptr_equal(tlc_policy_find(p->name, NULL), p);
		if (i + 2 < n) {
			const struct tlc_policy *q = tlc_policy_at(i + 1);

			assert_true(p->glibc_major == q->glibc_major &&
				    p->glibc_minor < q->glibc_minor);
		}
		/* non-empty allow-list; libc everywhere */
		assert_true(tlc_policy_lib_allowed(p, "libc.so.6"));
		assert_true(tlc_policy_lib_allowed(p, "libm.so.6"));
		assert_true(tlc_policy_lib_allowed(p, "libstdc++.so.6"));
		/* every policy covers x86_64 and i686 */
		assert_true(tlc_policy_has_arch(p, "x86_64"));
		assert_true(tlc_policy_has_arch(p, "i686"));
	}
}

struct archcase {
	const char *policy, *arch;
	bool has;
};

static const struct archcase archcases[] = {
	{ "manylinux1", "aarch64", false },
	{ "manylinux2010", "aarch64", false },
	{ "manylinux2014", "aarch64", true },
	{ "manylinux2014", "ppc64", true },
	{ "manylinux2014", "ppc64le", true },
	{ "manylinux2014", "s390x", true },
	{ "manylinux2014", "armv7l", true },
	{ "manylinux2014", "riscv64", false },
	{ "manylinux_2_24", "ppc64", false },
	{ "manylinux_2_28", "aarch64", true },
	{ "manylinux_2_28", "riscv64", false },
	{ "manylinux_2_31", "riscv64", true },
	{ "manylinux_2_35", "loongarch64", false },
	{ "manylinux_2_36", "loongarch64", true },
	{ "manylinux_2_39", "ppc64", false },
	{ "manylinux_2_39", "X86_64", false },
	{ "manylinux_2_39", "", false },
	{ "linux", "sparc64", true },
};

static void test_policy__has_arch(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(archcases); i++) {
		const struct tlc_policy *p = tlc_policy_find(archcases[i].policy,
							     NULL);

		assert_non_null(p);
		if (tlc_policy_has_arch(p, archcases[i].arch) !=
		    archcases[i].has)
			fail_msg("%s %s", archcases[i].policy,
				 archcases[i].arch);
	}
}

struct vcase {
	const char *policy, *arch, *version;
	bool ok;
};

static const struct vcase vcases[] = {
	/* GLIBC at each policy's boundary */
	{ "manylinux1", "x86_64", "GLIBC_2.5", true },
	{ "manylinux1", "x86_64", "GLIBC_2.6", false },
	{ "manylinux1", "x86_64", "GLIBC_2.2.5", true },
	{ "manylinux1", "x86_64", "GLIBC_2.0", false },	/* i686 only */
	{ "manylinux1", "i686", "GLIBC_2.0", true },
	{ "manylinux1", "i686", "GLIBC_2.2.5", false },
	{ "manylinux_2_12", "x86_64", "GLIBC_2.12", true },
	{ "manylinux_2_12", "x86_64", "GLIBC_2.17", false },
	{ "manylinux_2_17", "x86_64", "GLIBC_2.17", true },
	{ "manylinux_2_17", "x86_64", "GLIBC_2.18", false },
	{ "manylinux_2_17", "aarch64", "GLIBC_2.17", true },
	{ "manylinux_2_17", "aarch64", "GLIBC_2.18", true },	/* as listed */
	{ "manylinux_2_17", "aarch64", "GLIBC_2.16", false },
	{ "manylinux_2_24", "x86_64", "GLIBC_2.24", true },
	{ "manylinux_2_24", "x86_64", "GLIBC_2.19", false },
	{ "manylinux_2_24", "x86_64", "GLIBC_2.25", false },
	{ "manylinux_2_24", "s390x", "GLIBC_2.19", true },
	{ "manylinux_2_27", "x86_64", "GLIBC_2.27", true },
	{ "manylinux_2_27", "x86_64", "GLIBC_2.28", false },
	{ "manylinux_2_28", "x86_64", "GLIBC_2.28", true },
	{ "manylinux_2_28", "aarch64", "GLIBC_2.28", true },
	{ "manylinux_2_28", "aarch64", "GLIBC_2.29", false },
	{ "manylinux_2_31", "x86_64", "GLIBC_2.31", true },
	{ "manylinux_2_31", "x86_64", "GLIBC_2.32", false },
	{ "manylinux_2_34", "x86_64", "GLIBC_2.34", true },
	{ "manylinux_2_34", "aarch64", "GLIBC_2.35", false },
	{ "manylinux_2_35", "x86_64", "GLIBC_2.35", true },
	{ "manylinux_2_35", "x86_64", "GLIBC_ABI_DT_RELR", false },
	{ "manylinux_2_36", "x86_64", "GLIBC_ABI_DT_RELR", true },
	{ "manylinux_2_36", "riscv64", "GLIBC_ABI_DT_RELR", false },
	{ "manylinux_2_37", "x86_64", "GLIBC_2.37", false },	/* as listed */
	{ "manylinux_2_37", "i686", "GLIBC_2.37", true },
	{ "manylinux_2_39", "x86_64", "GLIBC_2.39", true },
	{ "manylinux_2_39", "x86_64", "GLIBC_2.40", false },
	{ "manylinux_2_39", "aarch64", "GLIBC_2.39", true },
	/* GLIBCXX */
	{ "manylinux2014", "x86_64", "GLIBCXX_3.4.19", true },
	{ "manylinux2014", "x86_64", "GLIBCXX_3.4.20", false },
	{ "manylinux2014", "aarch64", "GLIBCXX_3.4.19", true },
	{ "manylinux2014", "aarch64", "GLIBCXX_3.4.20", false },
	{ "manylinux2010", "x86_64", "GLIBCXX_3.4.13", true },
	{ "manylinux2010", "x86_64", "GLIBCXX_3.4.14", false },
	{ "manylinux_2_24", "x86_64", "GLIBCXX_3.4.22", true },
	{ "manylinux_2_24", "x86_64", "GLIBCXX_3.4.23", false },
	{ "manylinux_2_26", "x86_64", "GLIBCXX_3.4.23", false }, /* as listed */
	{ "manylinux_2_26", "aarch64", "GLIBCXX_3.4.24", true },
	{ "manylinux_2_28", "x86_64", "GLIBCXX_3.4.24", true },
	{ "manylinux_2_28", "x86_64", "GLIBCXX_3.4.25", false },
	{ "manylinux_2_34", "aarch64", "GLIBCXX_3.4.29", true },
	{ "manylinux_2_34", "aarch64", "GLIBCXX_3.4.30", false },
	{ "manylinux_2_39", "x86_64", "GLIBCXX_3.4.33", true },
	{ "manylinux_2_39", "loongarch64", "GLIBCXX_3.4.33", false },
	{ "manylinux2014", "ppc64le", "GLIBCXX_LDBL_3.4.7", true },
	{ "manylinux2014", "x86_64", "GLIBCXX_LDBL_3.4.7", false },
	{ "manylinux_2_34", "ppc64le", "GLIBCXX_IEEE128_3.4.29", true },
	/* CXXABI */
	{ "manylinux1", "x86_64", "CXXABI_1.3.1", true },
	{ "manylinux1", "x86_64", "CXXABI_1.3.2", false },
	{ "manylinux2014", "x86_64", "CXXABI_1.3.7", true },
	{ "manylinux2014", "x86_64", "CXXABI_1.3.8", false },
	{ "manylinux2014", "aarch64", "CXXABI_1.3.8", false },
	{ "manylinux_2_24", "x86_64", "CXXABI_1.3.8", true },
	{ "manylinux_2_24", "aarch64", "CXXABI_1.3.8", true },
	{ "manylinux_2_24", "x86_64", "CXXABI_1.3.11", false },
	{ "manylinux2014", "x86_64", "CXXABI_TM_1", true },
	{ "manylinux2010", "x86_64", "CXXABI_TM_1", false },
	{ "manylinux_2_24", "x86_64", "CXXABI_FLOAT128", true },
	{ "manylinux_2_24", "aarch64", "CXXABI_FLOAT128", false },
	{ "manylinux2014", "armv7l", "CXXABI_ARM_1.3.3", true },
	{ "manylinux2014", "ppc64le", "CXXABI_LDBL_1.3", true },
	/* GCC */
	{ "manylinux2014", "x86_64", "GCC_4.8.0", true },
	{ "manylinux2014", "aarch64", "GCC_4.8.0", false },
	{ "manylinux_2_24", "x86_64", "GCC_7.0.0", false },
	{ "manylinux_2_27", "x86_64", "GCC_7.0.0", true },
	{ "manylinux_2_28", "aarch64", "GCC_7.0.0", true },
	{ "manylinux_2_34", "aarch64", "GCC_11.0", true },
	{ "manylinux_2_34", "x86_64", "GCC_11.0", false },
	{ "manylinux_2_35", "x86_64", "GCC_12.0.0", true },
	{ "manylinux1", "x86_64", "GCC_3.4.4", true },
	{ "manylinux1", "i686", "GCC_3.4.4", false },
	/* ZLIB and LIBATOMIC: an empty list allows nothing */
	{ "manylinux1", "x86_64", "ZLIB_1.2.0", false },
	{ "manylinux2010", "x86_64", "ZLIB_1.2.2.4", true },
	{ "manylinux2010", "x86_64", "ZLIB_1.2.3.3", false },
	{ "manylinux_2_28", "x86_64", "ZLIB_1.2.9", true },
	{ "manylinux_2_35", "x86_64", "ZLIB_1.2.12", false },
	{ "manylinux_2_37", "x86_64", "ZLIB_1.2.12", true },
	{ "manylinux2014", "x86_64", "LIBATOMIC_1.0", false },
	{ "manylinux2014", "aarch64", "LIBATOMIC_1.0", true },
	{ "manylinux_2_24", "x86_64", "LIBATOMIC_1.2", true },
	/* families no policy constrains */
	{ "manylinux1", "x86_64", "OPENSSL_3.0.0", true },
	{ "manylinux1", "x86_64", "OPENSSL_1_1_0", true },
	{ "manylinux1", "x86_64", "libfoo.so.1", true },
	{ "manylinux1", "x86_64", "GLIBCXXX_3.4", true },
	{ "manylinux1", "x86_64", "glibc_2.5", true },
	/* constrained families with odd versions */
	{ "manylinux_2_39", "x86_64", "GLIBC_PRIVATE", false },
	{ "manylinux_2_39", "aarch64", "GLIBC_PRIVATE", false },
	{ "manylinux_2_39", "x86_64", "GLIBC", false },
	{ "manylinux_2_39", "x86_64", "GLIBC_", false },
	{ "manylinux_2_39", "x86_64", "GLIBC_2.17 ", false },
	{ "manylinux_2_39", "x86_64", "GLIBC_2.17 2.18", false },
	{ "manylinux_2_39", "x86_64", "GLIBC_2", false },
	{ "manylinux_2_39", "x86_64", "GCC_", false },
	{ "manylinux_2_39", "x86_64", "", true },	/* family "" */
	/* an architecture the policy does not cover allows nothing */
	{ "manylinux1", "aarch64", "GLIBC_2.0", false },
	{ "manylinux1", "aarch64", "OPENSSL_3.0.0", false },
	/* linux allows everything */
	{ "linux", "x86_64", "GLIBC_2.99", true },
	{ "linux", "x86_64", "GLIBC_PRIVATE", true },
	{ "linux", "sparc64", "GLIBCXX_9.9", true },
};

static void test_policy__versions(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(vcases); i++) {
		const struct vcase *c = &vcases[i];
		const struct tlc_policy *p = tlc_policy_find(c->policy, NULL);

		assert_non_null(p);
		if (tlc_policy_version_allowed(p, c->arch, c->version) != c->ok)
			fail_msg("%s %s '%s' should be %s", c->policy, c->arch,
				 c->version, c->ok ? "allowed" : "refused");
	}
}

/* Each policy's own glibc: GLIBC_2.Y of manylinux_2_Y is allowed. */
static void test_policy__own_glibc(void **state)
{
	(void)state;
	for (size_t i = 0; i + 1 < tlc_policy_count(); i++) {
		const struct tlc_policy *p = tlc_policy_at(i);
		char v[32];

		snprintf(v, sizeof(v), "GLIBC_%u.%u", p->glibc_major,
			 p->glibc_minor);
		assert_true(tlc_policy_version_allowed(p, "i686", v));
		/* auditwheel's data has no GLIBC_2.37 on x86_64 */
		assert_true(tlc_policy_version_allowed(p, "x86_64", v) ==
			    (p->glibc_minor != 37));
		snprintf(v, sizeof(v), "GLIBC_%u.%u", p->glibc_major,
			 p->glibc_minor + 1);
		assert_false(tlc_policy_version_allowed(p, "x86_64", v));
	}
}

/*
 * What an older policy allows, a newer one allows too, per architecture
 * (auditwheel refuses a policy file where this fails).  Checked over a
 * universe of version names.
 */
static void test_policy__monotonic(void **state)
{
	static const char *const extra[] = {
		"CXXABI_TM_1", "CXXABI_FLOAT128", "CXXABI_LDBL_1.3",
		"CXXABI_ARM_1.3.3", "CXXABI_IEEE128_1.3.13",
		"GLIBCXX_LDBL_3.4", "GLIBCXX_LDBL_3.4.7", "GLIBCXX_LDBL_3.4.10",
		"GLIBCXX_LDBL_3.4.21", "GLIBCXX_LDBL_3.4.29",
		"GLIBCXX_IEEE128_3.4.29", "GLIBC_ABI_DT_RELR", "GLIBC_2.2.5",
		"GLIBC_2.1.1", "GCC_3.3.1", "GCC_3.4.2", "GCC_3.4.4",
		"GCC_11.0", "GCC_14.0", "ZLIB_1.2.0.2", "ZLIB_1.2.5.2",
		"LIBATOMIC_1.0", "LIBATOMIC_1.2",
	};
	char v[64];
	size_t checked = 0;

	(void)state;
	for (size_t a = 0; a < N(all_arches); a++) {
		for (size_t i = 0; i + 2 < tlc_policy_count(); i++) {
			const struct tlc_policy *p = tlc_policy_at(i);
			const struct tlc_policy *q = tlc_policy_at(i + 1);
			const char *arch = all_arches[a];

			if (!tlc_policy_has_arch(p, arch) ||
			    !tlc_policy_has_arch(q, arch))
				continue;
			for (unsigned k = 0; k < 60 + N(extra); k++) {
				if (k < 50)
					snprintf(v, sizeof(v), "GLIBC_2.%u", k);
				else if (k < 60)
					snprintf(v, sizeof(v), "GCC_%u.0.0",
						 k - 50 + 3);
				else
					snprintf(v, sizeof(v), "%s",
						 extra[k - 60]);
				if (tlc_policy_version_allowed(p, arch, v) &&
				    !tlc_policy_version_allowed(q, arch, v))
					fail_msg("%s %s: %s allows '%s'",
						 q->name, arch, p->name, v);
				checked++;
			}
			for (unsigned k = 0; k < 40; k++) {
				snprintf(v, sizeof(v), "GLIBCXX_3.4.%u", k);
				assert_true(!tlc_policy_version_allowed(p, arch,
									v) ||
					    tlc_policy_version_allowed(q, arch,
									v));
				snprintf(v, sizeof(v), "CXXABI_1.3.%u", k);
				assert_true(!tlc_policy_version_allowed(p, arch,
									v) ||
					    tlc_policy_version_allowed(q, arch,
									v));
			}
		}
	}
	assert_true(checked > 1000);
}

struct libcase {
	const char *policy, *soname;
	bool ok;
};

static const struct libcase libcases[] = {
	{ "manylinux1", "libz.so.1", true },
	{ "manylinux1", "libc.so.6", true },
	{ "manylinux1", "libGL.so.1", true },
	{ "manylinux1", "libexpat.so.1", false },
	{ "manylinux2010", "libexpat.so.1", true },
	{ "manylinux2014", "libexpat.so.1", true },
	{ "manylinux2014", "libmvec.so.1", false },
	{ "manylinux_2_24", "libmvec.so.1", true },
	{ "manylinux_2_39", "libmvec.so.1", true },
	{ "manylinux1", "libgomp.so.1", false },
	{ "manylinux2014", "libgomp.so.1", false },
	{ "manylinux_2_39", "libgomp.so.1", false },
	{ "manylinux_2_39", "libz.so", false },
	{ "manylinux_2_39", "libz.so.1.2.13", false },
	{ "manylinux_2_39", "libcuda.so.1", false },
	{ "manylinux_2_39", "libpython3.11.so.1.0", false },
	{ "manylinux_2_39", "", false },
	{ "linux", "libgomp.so.1", true },
	{ "linux", "libcuda.so.1", true },
};

static void test_policy__libs(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(libcases); i++) {
		const struct tlc_policy *p = tlc_policy_find(libcases[i].policy,
							     NULL);

		if (tlc_policy_lib_allowed(p, libcases[i].soname) !=
		    libcases[i].ok)
			fail_msg("%s '%s'", libcases[i].policy,
				 libcases[i].soname);
	}
	/* a copy of a table entry works like the entry */
	{
		struct tlc_policy copy = *tlc_policy_find("manylinux1", NULL);

		assert_true(tlc_policy_lib_allowed(&copy, "libz.so.1"));
		assert_false(tlc_policy_lib_allowed(&copy, "libexpat.so.1"));
		assert_true(tlc_policy_version_allowed(&copy, "x86_64",
						       "GLIBC_2.5"));
	}
}

struct tagcase {
	const char *policy, *arch, *tag;
	int rc;
};

static const struct tagcase tagcases[] = {
	{ "manylinux2014", "x86_64",
	  "manylinux_2_17_x86_64.manylinux2014_x86_64", 0 },
	{ "manylinux_2_17", "aarch64",
	  "manylinux_2_17_aarch64.manylinux2014_aarch64", 0 },
	{ "manylinux1", "i686", "manylinux_2_5_i686.manylinux1_i686", 0 },
	{ "manylinux2010", "x86_64",
	  "manylinux_2_12_x86_64.manylinux2010_x86_64", 0 },
	{ "manylinux_2_28", "x86_64", "manylinux_2_28_x86_64", 0 },
	{ "manylinux_2_39", "riscv64", "manylinux_2_39_riscv64", 0 },
	{ "linux", "x86_64", "linux_x86_64", 0 },
	{ "linux", "sparc64", "linux_sparc64", 0 },
	{ "manylinux1", "aarch64", "", TLC_EPOLICY },
	{ "manylinux_2_28", "riscv64", "", TLC_EPOLICY },
	{ "linux", "x86-64", "", TLC_EPOLICY },
	{ "linux", "", "", TLC_EPOLICY },
	{ "linux", "a.b", "", TLC_EPOLICY },
};

static void test_policy__platform_tag(void **state)
{
	char out[128];
	const struct tlc_policy *p;

	(void)state;
	for (size_t i = 0; i < N(tagcases); i++) {
		const struct tagcase *c = &tagcases[i];
		int rc;

		p = tlc_policy_find(c->policy, NULL);
		rc = tlc_policy_platform_tag(p, c->arch, out, sizeof(out));
		if (c->rc) {
			assert_int_equal(rc, c->rc);
			continue;
		}
		assert_int_equal(rc, (int)strlen(c->tag));
		assert_string_equal(out, c->tag);
	}
	/* too small, by one and by a lot */
	p = tlc_policy_find("manylinux2014", NULL);
	assert_int_equal(tlc_policy_platform_tag(p, "x86_64", out, 42),
			 TLC_ETOOBIG);
	assert_int_equal(tlc_policy_platform_tag(p, "x86_64", out, 43), 42);
	assert_int_equal(tlc_policy_platform_tag(p, "x86_64", out, 1),
			 TLC_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(tlc_policy_platform_tag(p, "x86_64", NULL, 0),
			 TLC_ETOOBIG);
}

/* Python's own reading of the C library, the real thing to agree with. */
static void test_policy__host_glibc(void **state)
{
	unsigned major = 99, minor = 99, pmaj = 0, pmin = 0;
	char line[128] = "";
	FILE *f;
	int n;

	(void)state;
	tlc_policy_host_glibc(&major, &minor);
	f = popen("python3 -c 'import platform; l, v = platform.libc_ver(); "
		  "print(l, v)'", "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	assert_int_equal(pclose(f), 0);
	if (strncmp(line, "glibc ", 6)) {
		assert_int_equal(major, 0);
		assert_int_equal(minor, 0);
		return;
	}
	n = sscanf(line + 6, "%u.%u", &pmaj, &pmin);
	assert_int_equal(n, 2);
	assert_int_equal(major, pmaj);
	assert_int_equal(minor, pmin);
	assert_int_equal(major, 2);
	assert_true(minor >= 17);
}

struct excase {
	const char *pattern, *soname;
	bool match;
};

static const struct excase excases[] = {
	{ "libcuda.so", "libcuda.so.1", true },
	{ "libcuda.so.1", "libcuda.so.1", true },
	{ "libcuda.so.1", "libcuda.so", true },
	{ "libcuda.so.1", "libcuda.so.535.104.05", true },
	{ "libcuda", "libcuda.so.1", true },
	{ "libcu", "libcuda.so.1", false },
	{ "libcu", "libcuda.so", false },
	{ "libcuda.so", "libcudart.so.13", false },
	{ "libcuda.so", "libcudadebugger.so.1", false },
	{ "libcuda*", "libcudart.so.13", true },
	{ "libcuda.so*", "libcuda.so.1", true },
	{ "libnvidia-*", "libnvidia-ml.so.1", true },
	{ "libnvidia-*", "libnvidia-ptxjitcompiler.so.1", true },
	{ "libnvidia-*", "libnvrtc.so.12", false },
	{ "libnvidia-??", "libnvidia-ml.so.1", true },
	{ "libnvidia-[ab]*", "libnvidia-ml.so.1", false },
	{ "*", "libfoo.so.1", true },
	{ "/usr/lib/libcuda.so.1", "libcuda.so.1", false },
	{ "*/libcuda.so", "libcuda.so.1", false },
	{ "libcuda.so.1", "/usr/lib/libcuda.so.1", false },
	{ "", "libcuda.so.1", false },
	{ ".so", "libcuda.so.1", false },
	{ "libcuda.so", "", false },
	{ "libfoo.so.1", "libfoo-bar.so.1", false },
	{ "libstdc++.so", "libstdc++.so.6", true },
	{ "libgtk-x11-2.0.so", "libgtk-x11-2.0.so.0", true },
};

static void test_policy__exclude_match(void **state)
{
	char big[600];

	(void)state;
	for (size_t i = 0; i < N(excases); i++)
		if (tlc_policy_exclude_match(excases[i].pattern,
					     excases[i].soname) !=
		    excases[i].match)
			fail_msg("'%s' vs '%s' should %s", excases[i].pattern,
				 excases[i].soname,
				 excases[i].match ? "match" : "not match");
	/* a name longer than a file name matches nothing, even itself */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(tlc_policy_exclude_match(big, big));
	assert_false(tlc_policy_exclude_match("*", big));
}

struct drvcase {
	const char *soname;
	bool driver;
};

static const struct drvcase drvcases[] = {
	{ "libcuda.so", true },
	{ "libcuda.so.1", true },
	{ "libcuda.so.535.104.05", true },
	{ "libnvidia-ml.so.1", true },
	{ "libnvidia-ptxjitcompiler.so.1", true },
	{ "libnvidia-nvvm.so.4", true },
	{ "libcudadebugger.so.1", true },
	{ "libnvcuvid.so.1", true },
	{ "libnvidia-encode.so.1", true },
	{ "libnvidia-opencl.so.1", true },
	{ "libGLX_nvidia.so.0", true },
	{ "libEGL_nvidia.so.0", true },
	{ "libGLESv2_nvidia.so.2", true },
	{ "libvdpau_nvidia.so.1", true },
	{ "libdxcore.so", true },
	/* the CUDA toolkit's: grafted, never excluded by default */
	{ "libcudart.so.13", false },
	{ "libcudart.so.12", false },
	{ "libcublas.so.12", false },
	{ "libcublasLt.so.12", false },
	{ "libnvvm.so.4", false },
	{ "libnvrtc.so.12", false },
	{ "libcufft.so.11", false },
	{ "libcudnn.so.9", false },
	{ "libnccl.so.2", false },
	{ "libGL.so.1", false },
	{ "libEGL.so.1", false },
	{ "libc.so.6", false },
	{ "libcu", false },
	{ "", false },
};

static void test_policy__driver_libs(void **state)
{
	size_t n = 0;

	(void)state;
	for (const char *const *d = tlc_policy_driver_libs; *d; d++) {
		n++;
		/* each entry is its own family and a driver library */
		assert_non_null(strstr(*d, ".so"));
		assert_true(tlc_policy_is_driver_lib(*d));
	}
	assert_true(n >= 30);
	for (size_t i = 0; i < N(drvcases); i++)
		if (tlc_policy_is_driver_lib(drvcases[i].soname) !=
		    drvcases[i].driver)
			fail_msg("'%s' should %sbe a driver library",
				 drvcases[i].soname,
				 drvcases[i].driver ? "" : "not ");
	/* and no policy lets a wheel take them from the host but linux */
	for (size_t i = 0; i + 1 < tlc_policy_count(); i++)
		assert_false(tlc_policy_lib_allowed(tlc_policy_at(i),
						    "libcuda.so.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__find),
		cmocka_unit_test(test_policy__aliases),
		cmocka_unit_test(test_policy__find_unknown),
		cmocka_unit_test(test_policy__order),
		cmocka_unit_test(test_policy__has_arch),
		cmocka_unit_test(test_policy__versions),
		cmocka_unit_test(test_policy__own_glibc),
		cmocka_unit_test(test_policy__monotonic),
		cmocka_unit_test(test_policy__libs),
		cmocka_unit_test(test_policy__platform_tag),
		cmocka_unit_test(test_policy__host_glibc),
		cmocka_unit_test(test_policy__exclude_match),
		cmocka_unit_test(test_policy__driver_libs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
