/*
 * The ELF reader on real files and on hostile ones.
 *
 * Real files: shared libraries and programs compiled here with the
 * system cc (soname, RUNPATH, RPATH, DT_NEEDED from -lm -lz, version
 * definitions from a version script, version needs from glibc and from
 * our own library), a static program, and system libraries (libc,
 * libstdc++, libcudart where present).  Each is checked against what
 * `readelf -d -V -l --wide` prints, parsed here, and read both from the
 * file and from memory.
 *
 * Hand-made files: no cross compiler exists, so 32-bit and big-endian
 * images are assembled byte by byte (one PT_LOAD, PT_DYNAMIC, PT_INTERP,
 * a string table, DT_NEEDED, DT_SONAME, DT_RUNPATH, version needs and
 * definitions), read back, also checked against readelf, and then broken
 * one rule at a time (the hostile table): each must give TLC_EPOLICY
 * naming the rule, never a crash.  Truncation at every length of a real
 * library and of each image must fail cleanly, exactly while a PT_LOAD
 * segment is cut.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "tlcpack/buf.h"
#include "tlcpack/elf.h"

static char scratch[PATH_MAX];
static bool built;	/* the cc step in setup worked */

/* ---- what readelf says ------------------------------------------------ */

#define RE_MAX 128

struct re_verneed {
	char file[256];
	char vers[RE_MAX][128];
	size_t n;
};

struct re_info {
	bool has_soname, has_rpath, has_runpath, has_interp, has_dynamic;
	char soname[512], rpath[1024], runpath[1024], interp[512];
	char needed[RE_MAX][256];
	size_t nneeded;
	struct re_verneed vn[RE_MAX];
	size_t nvn;
	bool has_versions;	/* readelf found version sections */
	char vd[RE_MAX][128];
	size_t nvd;
	struct tlc_elf_load loads[32];
	size_t nloads;
};

/* Copy the text between "[" and "]" after @key in @line into @out. */
static bool bracket(const char *line, const char *key, char *out, size_t n)
{
	const char *p = strstr(line, key), *end;

	if (!p || !(p = strchr(p, '[')) || !(end = strrchr(p, ']')))
		return false;
	p++;
	assert_true((size_t)(end - p) < n);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}

/* The word after @key in @line into @out. */
static bool word_after(const char *line, const char *key, char *out, size_t n)
{
	const char *p = strstr(line, key);
	size_t len;

	if (!p)
		return false;
	p += strlen(key);
	len = strcspn(p, " \t\n");
	assert_true(len < n);
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

static void parse_load(struct re_info *re, const char *line)
{
	unsigned long long off, va, pa, fs, ms;
	struct tlc_elf_load *l;
	const char *last;
	int pos = 0;

	assert_int_equal(sscanf(line, " LOAD %llx %llx %llx %llx %llx%n", &off,
				&va, &pa, &fs, &ms, &pos), 5);
	assert_true(re->nloads < 32);
	l = &re->loads[re->nloads++];
	l->offset = off;
	l->vaddr = va;
	l->filesz = fs;
	l->memsz = ms;
	last = strrchr(line, ' ');
	l->align = strtoull(last + 1, NULL, 16);
	l->flags = 0;
	for (const char *p = line + pos; p < last; p++) {
		if (*p == 'R')
			l->flags |= PF_R;
		else if (*p == 'W')
			l->flags |= PF_W;
		else if (*p == 'E')
			l->flags |= PF_X;
	}
}

/* Run readelf on @path and gather what it prints. */
static struct re_info *readelf(const char *path)
{
	struct re_info *re = calloc(1, sizeof(*re));
	enum { NONE, DEFS, NEEDS } sec = NONE;
	char cmd[PATH_MAX + 64], line[4096];
	FILE *p;

	assert_non_null(re);
	snprintf(cmd, sizeof(cmd), "LC_ALL=C readelf -d -V -l --wide '%s' "
		 "2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "Dynamic section at offset"))
			re->has_dynamic = true;
		if (strstr(line, "(NEEDED)")) {
			assert_true(re->nneeded < RE_MAX);
			assert_true(bracket(line, "Shared library:",
					    re->needed[re->nneeded++], 256));
		} else if (strstr(line, "(SONAME)")) {
			re->has_soname = bracket(line, "soname:", re->soname,
						 sizeof(re->soname));
		} else if (strstr(line, "(RPATH)")) {
			re->has_rpath = bracket(line, "rpath:", re->rpath,
						sizeof(re->rpath));
		} else if (strstr(line, "(RUNPATH)")) {
			re->has_runpath = bracket(line, "runpath:",
						  re->runpath,
						  sizeof(re->runpath));
		} else if (strstr(line, "Requesting program interpreter:")) {
			const char *s = strstr(line, ": ") + 2;

			re->has_interp = true;
			snprintf(re->interp, sizeof(re->interp), "%.*s",
				 (int)strcspn(s, "]"), s);
		} else if (!strncmp(line, "  LOAD ", 7)) {
			parse_load(re, line);
		} else if (strstr(line, "Version definition section")) {
			sec = DEFS;
			re->has_versions = true;
		} else if (strstr(line, "Version needs section")) {
			sec = NEEDS;
			re->has_versions = true;
		} else if (strstr(line, "section '")) {
			sec = NONE;
		} else if (sec == DEFS && strstr(line, "Rev: ")) {
			assert_true(re->nvd < RE_MAX);
			assert_true(word_after(line, "Name: ", re->vd[re->nvd++],
					       128));
		} else if (sec == NEEDS && strstr(line, "File: ")) {
			assert_true(re->nvn < RE_MAX);
			assert_true(word_after(line, "File: ",
					       re->vn[re->nvn++].file, 256));
		} else if (sec == NEEDS && strstr(line, "Name: ")) {
			struct re_verneed *v = &re->vn[re->nvn - 1];

			assert_true(re->nvn > 0 && v->n < RE_MAX);
			assert_true(word_after(line, "Name: ", v->vers[v->n++],
					       sizeof(v->vers[0])));
		}
	}
	assert_int_equal(pclose(p), 0);
	return re;
}

static void assert_str_opt(const char *got, bool has, const char *want,
			   const char *what, const char *path)
{
	if (!has && got)
		fail_msg("%s: %s is '%s', readelf shows none", path, what, got);
	if (has && (!got || strcmp(got, want)))
		fail_msg("%s: %s is '%s', readelf shows '%s'", path, what,
			 got ? got : "(none)", want);
}

/* @e must agree with what readelf prints for @path. */
static void assert_like_readelf(const struct tlc_elf *e, const char *path,
				bool versions)
{
	struct re_info *re = readelf(path);
	size_t i, j;

	assert_int_equal(e->dynamic, re->has_dynamic);
	assert_str_opt(e->soname, re->has_soname, re->soname, "soname", path);
	assert_str_opt(e->rpath, re->has_rpath, re->rpath, "rpath", path);
	assert_str_opt(e->runpath, re->has_runpath, re->runpath, "runpath",
		       path);
	assert_str_opt(e->interp, re->has_interp, re->interp, "interp", path);
	assert_int_equal(e->nneeded, re->nneeded);
	for (i = 0; i < e->nneeded; i++)
		assert_string_equal(e->needed[i], re->needed[i]);
	assert_null(e->needed[e->nneeded]);
	assert_int_equal(e->nloads, re->nloads);
	for (i = 0; i < e->nloads; i++) {
		assert_int_equal(e->loads[i].offset, re->loads[i].offset);
		assert_int_equal(e->loads[i].vaddr, re->loads[i].vaddr);
		assert_int_equal(e->loads[i].filesz, re->loads[i].filesz);
		assert_int_equal(e->loads[i].memsz, re->loads[i].memsz);
		assert_int_equal(e->loads[i].align, re->loads[i].align);
		assert_int_equal(e->loads[i].flags, re->loads[i].flags);
	}
	if (versions) {
		assert_int_equal(e->nverneed, re->nvn);
		for (i = 0; i < e->nverneed; i++) {
			const struct tlc_elf_verneed *v = &e->verneed[i];

			assert_string_equal(v->file, re->vn[i].file);
			assert_int_equal(v->n, re->vn[i].n);
			for (j = 0; j < v->n; j++)
				assert_string_equal(v->versions[j],
						    re->vn[i].vers[j]);
			assert_null(v->versions[v->n]);
		}
		assert_int_equal(e->nverdef, re->nvd);
		for (i = 0; i < e->nverdef; i++)
			assert_string_equal(e->verdef[i], re->vd[i]);
		assert_null(e->verdef[e->nverdef]);
	}
	free(re);
}

static void assert_opt_equal(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Two reads of the same bytes must agree field by field. */
static void assert_elf_equal(const struct tlc_elf *a, const struct tlc_elf *b)
{
	size_t i, j;

	assert_int_equal(a->cls, b->cls);
	assert_int_equal(a->big_endian, b->big_endian);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->machine, b->machine);
	assert_int_equal(a->osabi, b->osabi);
	assert_int_equal(a->dynamic, b->dynamic);
	assert_opt_equal(a->interp, b->interp);
	assert_opt_equal(a->soname, b->soname);
	assert_opt_equal(a->rpath, b->rpath);
	assert_opt_equal(a->runpath, b->runpath);
	assert_int_equal(a->nneeded, b->nneeded);
	for (i = 0; i < a->nneeded; i++)
		assert_string_equal(a->needed[i], b->needed[i]);
	assert_int_equal(a->nverneed, b->nverneed);
	for (i = 0; i < a->nverneed; i++) {
		assert_string_equal(a->verneed[i].file, b->verneed[i].file);
		assert_int_equal(a->verneed[i].n, b->verneed[i].n);
		for (j = 0; j < a->verneed[i].n; j++)
			assert_string_equal(a->verneed[i].versions[j],
					    b->verneed[i].versions[j]);
	}
	assert_int_equal(a->nverdef, b->nverdef);
	for (i = 0; i < a->nverdef; i++)
		assert_string_equal(a->verdef[i], b->verdef[i]);
	assert_int_equal(a->nloads, b->nloads);
	if (a->nloads)
		assert_memory_equal(a->loads, b->loads,
				    a->nloads * sizeof(*a->loads));
}

/* Read @path from the file and from memory; both must work and agree.
 * @return the file read, to free */
static struct tlc_elf *read_both(const char *path)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	struct tlc_elf *e = NULL, *m = NULL;
	int rc;

	rc = tlc_elf_read_file(&e, path, &err);
	if (rc)
		fail_msg("%s: %s", path, err.msg);
	assert_int_equal(err.code, 0);	/* untouched on success */
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	rc = tlc_elf_read_mem(&m, b.ptr, b.len, path, &err);
	if (rc)
		fail_msg("%s (memory): %s", path, err.msg);
	assert_elf_equal(e, m);
	tlc_elf_free(m);
	tlc_buf_release(&b);
	return e;
}

static bool has_str(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

static const struct tlc_elf_verneed *find_verneed(const struct tlc_elf *e,
						  const char *file)
{
	for (size_t i = 0; i < e->nverneed; i++)
		if (!strcmp(e->verneed[i].file, file))
			return &e->verneed[i];
	return NULL;
}

/* ---- files compiled here ---------------------------------------------- */

static const char foo_c[] =
	"#include <math.h>\n"
	"#include <string.h>\n"
	"#include <zlib.h>\n"
	"double foo_cos(double x) { return cos(x); }\n"
	"const char *foo_z(void) { return zlibVersion(); }\n"
	"void foo_copy(char *d, const char *s, size_t n) "
	"{ memcpy(d, s, n); }\n"
	"int foo_v2(void) { return 2; }\n";

static const char foo_map[] =
	"FOO_1.0 { global: foo_cos; foo_z; local: *; };\n"
	"FOO_2.0 { global: foo_copy; foo_v2; } FOO_1.0;\n";

static const char app_c[] =
	"double foo_cos(double);\n"
	"int main(void) { return foo_cos(0.0) > 0.5 ? 0 : 1; }\n";

static const char static_c[] =
	"int main(void) { return 0; }\n";

static int setup(void **state)
{
	(void)state;
	if (tu_mkdtemp(scratch, "elf") < 0)
		return -1;
	tu_put(scratch, "foo.c", foo_c, 0644);
	tu_put(scratch, "foo.map", foo_map, 0644);
	tu_put(scratch, "bar.c", "int bar(void) { return 1; }\n", 0644);
	tu_put(scratch, "app.c", app_c, 0644);
	tu_put(scratch, "static.c", static_c, 0644);
	built = tu_run("cd '%s' && cc -shared -fPIC -o libfoo.so.1 foo.c "
		       "-Wl,-soname,libfoo.so.1 -Wl,--version-script=foo.map "
		       "-Wl,--no-as-needed -lm -lz "
		       "-Wl,-rpath,'/opt/tlc/lib:$ORIGIN' "
		       "-Wl,--enable-new-dtags && "
		       "cc -shared -fPIC -o libbar.so bar.c "
		       "-Wl,-soname,libbar.so -Wl,-rpath,'$ORIGIN/../lib' "
		       "-Wl,--disable-new-dtags && "
		       "cc -o app app.c -L. -l:libfoo.so.1 "
		       "-Wl,-rpath,'$ORIGIN'", scratch) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tu_remove_tree(scratch);
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", scratch, name);
}

static void test_elf__built_library(void **state)
{
	const struct tlc_elf_verneed *v;
	char path[PATH_MAX + 32];
	struct tlc_elf *e;

	(void)state;
	if (!built)
		fail_msg("cc could not build the test libraries in '%s'",
			 scratch);
	path_of(path, sizeof(path), "libfoo.so.1");
	e = read_both(path);
	assert_like_readelf(e, path, true);
	assert_int_equal(e->cls, 64);
	assert_false(e->big_endian);
	assert_int_equal(e->type, ET_DYN);
	assert_int_equal(e->machine, EM_X86_64);
	assert_string_equal(tlc_elf_arch(e), "x86_64");
	assert_true(e->dynamic);
	assert_null(e->interp);
	assert_string_equal(e->soname, "libfoo.so.1");
	assert_string_equal(e->runpath, "/opt/tlc/lib:$ORIGIN");
	assert_null(e->rpath);
	assert_true(has_str(e->needed, e->nneeded, "libm.so.6"));
	assert_true(has_str(e->needed, e->nneeded, "libz.so.1"));
	assert_true(has_str(e->needed, e->nneeded, "libc.so.6"));
	/* the version script: the base (the soname) first */
	assert_int_equal(e->nverdef, 3);
	assert_string_equal(e->verdef[0], "libfoo.so.1");
	assert_string_equal(e->verdef[1], "FOO_1.0");
	assert_string_equal(e->verdef[2], "FOO_2.0");
	assert_null(e->verdef[3]);
	/* memcpy is memcpy@GLIBC_2.14 on x86_64 */
	assert_non_null(v = find_verneed(e, "libc.so.6"));
	assert_true(has_str(v->versions, v->n, "GLIBC_2.14"));
	assert_true(e->nloads >= 2);
	tlc_elf_free(e);

	path_of(path, sizeof(path), "libbar.so");
	e = read_both(path);
	assert_like_readelf(e, path, true);
	assert_string_equal(e->soname, "libbar.so");
	assert_string_equal(e->rpath, "$ORIGIN/../lib");
	assert_null(e->runpath);
	tlc_elf_free(e);
}

static void test_elf__built_program(void **state)
{
	const struct tlc_elf_verneed *v;
	char path[PATH_MAX + 32];
	struct tlc_elf *e;

	(void)state;
	if (!built)
		fail_msg("cc could not build the test program in '%s'",
			 scratch);
	path_of(path, sizeof(path), "app");
	e = read_both(path);
	assert_like_readelf(e, path, true);
	assert_string_equal(e->interp, "/lib64/ld-linux-x86-64.so.2");
	assert_null(e->soname);
	assert_string_equal(e->runpath, "$ORIGIN");
	assert_true(has_str(e->needed, e->nneeded, "libfoo.so.1"));
	/* it needs FOO_1.0 of our library */
	assert_non_null(v = find_verneed(e, "libfoo.so.1"));
	assert_int_equal(v->n, 1);
	assert_string_equal(v->versions[0], "FOO_1.0");
	assert_int_equal(e->nverdef, 0);
	tlc_elf_free(e);
}

static void test_elf__static_program(void **state)
{
	char path[PATH_MAX + 32];
	struct tlc_elf *e;

	(void)state;
	/* libc.a is in libc6-dev, which build-essential brings */
	if (tu_run("cd '%s' && cc -static -o static static.c 2>/dev/null",
		   scratch) != 0)
		fail_msg("cc -static failed: no libc.a? (scripts/deps.sh "
			 "installs build-essential)");
	path_of(path, sizeof(path), "static");
	e = read_both(path);
	assert_like_readelf(e, path, true);
	assert_false(e->dynamic);
	assert_null(e->interp);
	assert_int_equal(e->nneeded, 0);
	assert_non_null(e->needed);
	assert_null(e->needed[0]);
	assert_int_equal(e->nverneed, 0);
	assert_int_equal(e->nverdef, 0);
	assert_non_null(e->verdef);
	assert_null(e->verdef[0]);
	assert_true(e->nloads >= 1);
	tlc_elf_free(e);
}

static void test_elf__system_libraries(void **state)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/x86_64-linux-gnu/libstdc++.so.6",
		"/lib/x86_64-linux-gnu/libz.so.1",
		"/usr/local/cuda/lib64/libcudart.so.13",
	};
	char real[PATH_MAX];
	size_t i, nread = 0;
	struct tlc_elf *e;

	(void)state;
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		if (!realpath(libs[i], real)) {
			print_message("SKIP: '%s' is absent\n", libs[i]);
			continue;
		}
		e = read_both(real);
		assert_like_readelf(e, real, true);
		assert_non_null(e->soname);
		assert_true(e->nverdef > 0);
		if (strstr(libs[i], "libc.so.6")) {
			assert_string_equal(e->soname, "libc.so.6");
			assert_string_equal(e->verdef[0], "libc.so.6");
			assert_true(has_str(e->verdef, e->nverdef,
					    "GLIBC_2.2.5"));
			assert_true(has_str(e->verdef, e->nverdef,
					    "GLIBC_2.17"));
		}
		if (strstr(libs[i], "libstdc++"))
			assert_true(has_str(e->verdef, e->nverdef,
					    "GLIBCXX_3.4"));
		tlc_elf_free(e);
		nread++;
	}
	if (nread == 0) {
		print_message("SKIP: none of the system libraries exist\n");
		skip();
	}
}

/*
 * Every prefix of a real library: a clean refusal exactly while some
 * PT_LOAD segment is cut (everything read lies inside one), success
 * from there on.
 */
static void test_elf__truncated_real_library(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT;
	char path[PATH_MAX + 32];
	struct tlc_elf *e, *full;
	uint64_t need = 0;
	size_t n, step;
	int rc;

	(void)state;
	if (!built)
		fail_msg("cc could not build the test libraries");
	path_of(path, sizeof(path), "libfoo.so.1");
	assert_int_equal(tlc_buf_read_file(&b, path, &err), 0);
	assert_int_equal(tlc_elf_read_mem(&full, b.ptr, b.len, "trunc.so",
					  &err), 0);
	for (size_t i = 0; i < full->nloads; i++)
		if (full->loads[i].offset + full->loads[i].filesz > need)
			need = full->loads[i].offset + full->loads[i].filesz;
	assert_true(need > 0 && need <= b.len);
	for (n = 0; n <= b.len; n += step) {
		step = n < 8192 ? 1 : 61;
		err.code = 0;
		err.msg[0] = '\0';
		rc = tlc_elf_read_mem(&e, b.ptr, n, "trunc.so", &err);
		if (n < need) {
			if (rc != TLC_EPOLICY)
				fail_msg("%zu bytes: rc %d", n, rc);
			assert_null(e);
			assert_int_equal(strncmp(err.msg, "trunc.so: ", 10), 0);
			assert_null(strchr(err.msg, '\n'));
		} else {
			if (rc != 0)
				fail_msg("%zu bytes: %s", n, err.msg);
			assert_elf_equal(e, full);
			tlc_elf_free(e);
		}
	}
	tlc_elf_free(full);
	tlc_buf_release(&b);
}

/* ---- hand-made images ------------------------------------------------- */

/* Layout of an image: the one PT_LOAD maps the whole file at BASE. */
#define BASE 0x10000u
#define PHOFF 0x40u
#define STROFF 0x100u
#define INTERPOFF 0x1e0u
#define VNOFF 0x200u	/* 2 Elf_Verneed: libc (2 aux), libm (1 aux) */
#define VDOFF 0x260u	/* 3 Elf_Verdef: base, FOO_1, FOO_2 (parent FOO_1) */
#define DYNOFF 0x300u
#define SHOFF 0x3c0u	/* section header 0, for PN_XNUM */
#define IMG_SIZE 0x400u
#define INTERP "/lib/ld-tlc.so.1"

enum { S_EMPTY, S_SONAME, S_LIBC, S_LIBM, S_G225, S_G217, S_M10, S_RUNPATH,
       S_FOO1, S_FOO2, S_COUNT };

static const char *const strs[S_COUNT] = {
	"", "libfoo.so.1", "libc.so.6", "libm.so.6", "GLIBC_2.2.5",
	"GLIBC_2.17", "M_1.0", "/opt/rp:$ORIGIN", "FOO_1", "FOO_2",
};

/* The dynamic array, in this order. */
enum { D_NEEDED0, D_NEEDED1, D_SONAME, D_RUNPATH, D_STRTAB, D_STRSZ,
       D_VERNEED, D_VERNEEDNUM, D_VERDEF, D_VERDEFNUM, D_NULL, D_COUNT };

/* Offsets of the version entries. */
#define VN0 VNOFF
#define VNA00 (VNOFF + 0x10)
#define VNA01 (VNOFF + 0x20)
#define VN1 (VNOFF + 0x30)
#define VNA10 (VNOFF + 0x40)
#define VD0 VDOFF
#define VD1 (VDOFF + 28)
#define VD2 (VDOFF + 56)

struct img {
	unsigned char *b;	/* small, or a bigger buffer for big files */
	size_t cap;
	unsigned char small[IMG_SIZE];
	size_t len;
	bool is64, be;
	uint32_t str[S_COUNT];
	uint32_t strsz;
};

static void put(struct img *m, size_t off, size_t size, uint64_t v)
{
	assert_true(off + size <= m->cap);
	for (size_t i = 0; i < size; i++) {
		size_t at = m->be ? off + size - 1 - i : off + i;

		m->b[at] = (unsigned char)(v >> (8 * i));
	}
}

#define PUT(m, base, T, f, v)                                           \
	put((m), (base) + offsetof(T, f), sizeof(((T *)0)->f), (v))
#define PUTC(m, base, T, f, v)                                          \
	((m)->is64 ? PUT(m, base, Elf64_##T, f, v)                      \
		   : PUT(m, base, Elf32_##T, f, v))
#define SIZEC(m, T) ((m)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

static size_t phdr_at(const struct img *m, size_t i)
{
	return PHOFF + i * SIZEC(m, Phdr);
}

static size_t dyn_at(const struct img *m, size_t i)
{
	return DYNOFF + i * SIZEC(m, Dyn);
}

static void set_dyn(struct img *m, size_t i, int64_t tag, uint64_t val)
{
	PUTC(m, dyn_at(m, i), Dyn, d_tag, (uint64_t)tag);
	PUTC(m, dyn_at(m, i), Dyn, d_un.d_val, val);
}

static void set_phdr(struct img *m, size_t i, uint32_t type, uint64_t off,
		     uint64_t size, uint32_t flags, uint64_t align)
{
	size_t at = phdr_at(m, i);

	PUTC(m, at, Phdr, p_type, type);
	PUTC(m, at, Phdr, p_offset, off);
	PUTC(m, at, Phdr, p_vaddr, BASE + off);
	PUTC(m, at, Phdr, p_paddr, BASE + off);
	PUTC(m, at, Phdr, p_filesz, size);
	PUTC(m, at, Phdr, p_memsz, size);
	PUTC(m, at, Phdr, p_flags, flags);
	PUTC(m, at, Phdr, p_align, align);
}

static void set_verneed(struct img *m, size_t at, unsigned cnt,
			unsigned file, uint32_t aux, uint32_t next)
{
	PUT(m, at, Elf64_Verneed, vn_version, VER_NEED_CURRENT);
	PUT(m, at, Elf64_Verneed, vn_cnt, cnt);
	PUT(m, at, Elf64_Verneed, vn_file, m->str[file]);
	PUT(m, at, Elf64_Verneed, vn_aux, aux);
	PUT(m, at, Elf64_Verneed, vn_next, next);
}

static void set_vernaux(struct img *m, size_t at, unsigned name,
			unsigned other, uint32_t next)
{
	PUT(m, at, Elf64_Vernaux, vna_hash, 0x1234);
	PUT(m, at, Elf64_Vernaux, vna_other, other);
	PUT(m, at, Elf64_Vernaux, vna_name, m->str[name]);
	PUT(m, at, Elf64_Vernaux, vna_next, next);
}

/* An Elf_Verdef at @at with its @cnt Elf_Verdaux right after it. */
static void set_verdef(struct img *m, size_t at, unsigned flags,
		       unsigned ndx, const unsigned *names, unsigned cnt,
		       uint32_t next)
{
	size_t aux = at + sizeof(Elf64_Verdef);

	PUT(m, at, Elf64_Verdef, vd_version, VER_DEF_CURRENT);
	PUT(m, at, Elf64_Verdef, vd_flags, flags);
	PUT(m, at, Elf64_Verdef, vd_ndx, ndx);
	PUT(m, at, Elf64_Verdef, vd_cnt, cnt);
	PUT(m, at, Elf64_Verdef, vd_aux, sizeof(Elf64_Verdef));
	PUT(m, at, Elf64_Verdef, vd_next, next);
	for (unsigned i = 0; i < cnt; i++) {
		PUT(m, aux + i * 8, Elf64_Verdaux, vda_name, m->str[names[i]]);
		PUT(m, aux + i * 8, Elf64_Verdaux, vda_next,
		    i + 1 < cnt ? 8 : 0);
	}
}

/* A valid image of class @is64, byte order @be, for @machine. */
static void build(struct img *m, bool is64, bool be, unsigned machine)
{
	static const unsigned base_name[] = { S_SONAME };
	static const unsigned foo1[] = { S_FOO1 };
	static const unsigned foo2[] = { S_FOO2, S_FOO1 };
	uint32_t at = 0;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->b = m->small;
	m->cap = IMG_SIZE;
	m->len = IMG_SIZE;
	m->is64 = is64;
	m->be = be;
	memcpy(m->b, ELFMAG, SELFMAG);
	m->b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	m->b[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	m->b[EI_VERSION] = EV_CURRENT;
	m->b[EI_OSABI] = ELFOSABI_SYSV;
	PUTC(m, 0, Ehdr, e_type, ET_DYN);
	PUTC(m, 0, Ehdr, e_machine, machine);
	PUTC(m, 0, Ehdr, e_version, EV_CURRENT);
	PUTC(m, 0, Ehdr, e_phoff, PHOFF);
	PUTC(m, 0, Ehdr, e_ehsize, SIZEC(m, Ehdr));
	PUTC(m, 0, Ehdr, e_phentsize, SIZEC(m, Phdr));
	PUTC(m, 0, Ehdr, e_phnum, 3);
	PUTC(m, 0, Ehdr, e_shentsize, SIZEC(m, Shdr));

	set_phdr(m, 0, PT_LOAD, 0, IMG_SIZE, PF_R | PF_W, 0x1000);
	/* the loader maps from offset 0: p_vaddr of the load is BASE */
	PUTC(m, phdr_at(m, 0), Phdr, p_vaddr, BASE);
	set_phdr(m, 1, PT_DYNAMIC, DYNOFF, D_COUNT * SIZEC(m, Dyn),
		 PF_R | PF_W, 8);
	set_phdr(m, 2, PT_INTERP, INTERPOFF, sizeof(INTERP), PF_R, 1);
	memcpy(m->b + INTERPOFF, INTERP, sizeof(INTERP));

	for (i = 0; i < S_COUNT; i++) {
		m->str[i] = at;
		memcpy(m->b + STROFF + at, strs[i], strlen(strs[i]) + 1);
		at += (uint32_t)strlen(strs[i]) + 1;
	}
	m->strsz = at;
	assert_true(STROFF + at <= INTERPOFF);

	set_verneed(m, VN0, 2, S_LIBC, 0x10, VN1 - VN0);
	set_vernaux(m, VNA00, S_G225, 2, 0x10);
	set_vernaux(m, VNA01, S_G217, 3, 0);
	set_verneed(m, VN1, 1, S_LIBM, 0x10, 0);
	set_vernaux(m, VNA10, S_M10, 4, 0);

	set_verdef(m, VD0, VER_FLG_BASE, 1, base_name, 1, VD1 - VD0);
	set_verdef(m, VD1, 0, 2, foo1, 1, VD2 - VD1);
	set_verdef(m, VD2, 0, 3, foo2, 2, 0);
	assert_true(VD2 + 20 + 16 <= DYNOFF);

	set_dyn(m, D_NEEDED0, DT_NEEDED, m->str[S_LIBC]);
	set_dyn(m, D_NEEDED1, DT_NEEDED, m->str[S_LIBM]);
	set_dyn(m, D_SONAME, DT_SONAME, m->str[S_SONAME]);
	set_dyn(m, D_RUNPATH, DT_RUNPATH, m->str[S_RUNPATH]);
	set_dyn(m, D_STRTAB, DT_STRTAB, BASE + STROFF);
	set_dyn(m, D_STRSZ, DT_STRSZ, m->strsz);
	set_dyn(m, D_VERNEED, DT_VERNEED, BASE + VNOFF);
	set_dyn(m, D_VERNEEDNUM, DT_VERNEEDNUM, 2);
	set_dyn(m, D_VERDEF, DT_VERDEF, BASE + VDOFF);
	set_dyn(m, D_VERDEFNUM, DT_VERDEFNUM, 3);
	set_dyn(m, D_NULL, DT_NULL, 0);
	assert_true(dyn_at(m, D_COUNT) <= SHOFF);
}

/* @e must be what build() wrote. */
static void assert_img(const struct tlc_elf *e, const struct img *m)
{
	assert_int_equal(e->cls, m->is64 ? 64 : 32);
	assert_int_equal(e->big_endian, m->be);
	assert_int_equal(e->type, ET_DYN);
	assert_int_equal(e->osabi, ELFOSABI_SYSV);
	assert_string_equal(e->interp, INTERP);
	assert_true(e->dynamic);
	assert_string_equal(e->soname, "libfoo.so.1");
	assert_string_equal(e->runpath, "/opt/rp:$ORIGIN");
	assert_null(e->rpath);
	assert_int_equal(e->nneeded, 2);
	assert_string_equal(e->needed[0], "libc.so.6");
	assert_string_equal(e->needed[1], "libm.so.6");
	assert_null(e->needed[2]);
	assert_int_equal(e->nverneed, 2);
	assert_string_equal(e->verneed[0].file, "libc.so.6");
	assert_int_equal(e->verneed[0].n, 2);
	assert_string_equal(e->verneed[0].versions[0], "GLIBC_2.2.5");
	assert_string_equal(e->verneed[0].versions[1], "GLIBC_2.17");
	assert_null(e->verneed[0].versions[2]);
	assert_string_equal(e->verneed[1].file, "libm.so.6");
	assert_int_equal(e->verneed[1].n, 1);
	assert_string_equal(e->verneed[1].versions[0], "M_1.0");
	assert_null(e->verneed[1].versions[1]);
	assert_int_equal(e->nverdef, 3);
	assert_string_equal(e->verdef[0], "libfoo.so.1");
	assert_string_equal(e->verdef[1], "FOO_1");
	assert_string_equal(e->verdef[2], "FOO_2");
	assert_null(e->verdef[3]);
	assert_int_equal(e->nloads, 1);
	assert_int_equal(e->loads[0].offset, 0);
	assert_int_equal(e->loads[0].vaddr, BASE);
	assert_int_equal(e->loads[0].filesz, IMG_SIZE);
	assert_int_equal(e->loads[0].memsz, IMG_SIZE);
	assert_int_equal(e->loads[0].align, 0x1000);
	assert_int_equal(e->loads[0].flags, PF_R | PF_W);
}

static const struct {
	bool is64, be;
	const char *name;
} variants[] = {
	{ true, false, "64-bit little-endian" },
	{ true, true, "64-bit big-endian" },
	{ false, false, "32-bit little-endian" },
	{ false, true, "32-bit big-endian" },
};

#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static void write_img(const struct img *m, char *path, size_t n,
		      const char *name)
{
	FILE *f;

	snprintf(path, n, "%s/%s", scratch, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m->b, 1, m->len, f), m->len);
	assert_int_equal(fclose(f), 0);
}

/* Each class and byte order reads back as built, from memory and from
 * a file, and readelf (which reads them all) agrees on the dynamic
 * section and the program headers. */
static void test_elf__images_every_class_and_order(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];
	struct tlc_elf *e;
	struct img m;

	(void)state;
	for (size_t v = 0; v < NVARIANTS; v++) {
		build(&m, variants[v].is64, variants[v].be,
		      variants[v].is64 ? EM_PPC64 : EM_386);
		if (tlc_elf_read_mem(&e, m.b, m.len, "img.so", &err) != 0)
			fail_msg("%s: %s", variants[v].name, err.msg);
		assert_img(e, &m);
		tlc_elf_free(e);
		write_img(&m, path, sizeof(path), "img.so");
		e = read_both(path);
		assert_img(e, &m);
		/* readelf looks for versions in section headers, which the
		 * image has none of */
		assert_like_readelf(e, path, false);
		tlc_elf_free(e);
	}
}

/* tests/elf/mkimage.py (the fuzz seeds) writes the same images. */
static void test_elf__seed_images_match(void **state)
{
	static const unsigned machine[] = { EM_X86_64, EM_PPC64, EM_386,
					    EM_S390 };
	static const char *const file[] = { "image64le.so", "image64be.so",
					    "image32le.so", "image32be.so" };
	const char *src = getenv("TLC_SOURCE_DIR");
	char path[PATH_MAX + 64];
	struct img m;

	(void)state;
	if (!src)
		fail_msg("TLC_SOURCE_DIR is not set");
	assert_int_equal(tu_run("python3 '%s/tests/elf/mkimage.py' "
				"'%s/seeds'", src, scratch), 0);
	for (size_t v = 0; v < NVARIANTS; v++) {
		build(&m, variants[v].is64, variants[v].be, machine[v]);
		snprintf(path, sizeof(path), "%s/seeds/%s", scratch, file[v]);
		tu_assert_file_is(path, m.b, m.len);
	}
}

/* PN_XNUM: the count is in section header 0's sh_info. */
static void test_elf__phnum_in_section_zero(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_elf *e;
	struct img m;

	(void)state;
	for (size_t v = 0; v < NVARIANTS; v++) {
		build(&m, variants[v].is64, variants[v].be, EM_X86_64);
		PUTC(&m, 0, Ehdr, e_phnum, PN_XNUM);
		PUTC(&m, 0, Ehdr, e_shoff, SHOFF);
		PUTC(&m, 0, Ehdr, e_shnum, 0);
		PUTC(&m, SHOFF, Shdr, sh_info, 3);
		if (tlc_elf_read_mem(&e, m.b, m.len, "xnum.so", &err) != 0)
			fail_msg("%s: %s", variants[v].name, err.msg);
		assert_img(e, &m);
		tlc_elf_free(e);
	}
}

/* The VER_FLG_BASE definition comes first wherever the chain has it. */
static void test_elf__verdef_base_first(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_elf *e;
	struct img m;

	(void)state;
	build(&m, true, false, EM_X86_64);
	PUT(&m, VD0, Elf64_Verdef, vd_flags, 0);
	PUT(&m, VD1, Elf64_Verdef, vd_flags, VER_FLG_BASE);
	assert_int_equal(tlc_elf_read_mem(&e, m.b, m.len, "b.so", &err), 0);
	assert_int_equal(e->nverdef, 3);
	assert_string_equal(e->verdef[0], "FOO_1");
	assert_string_equal(e->verdef[1], "libfoo.so.1");
	assert_string_equal(e->verdef[2], "FOO_2");
	tlc_elf_free(e);
}

static void test_elf__arch(void **state)
{
	static const struct {
		bool is64, be;
		unsigned machine;
		const char *arch;
	} cases[] = {
		{ true, false, EM_X86_64, "x86_64" },
		{ false, false, EM_X86_64, NULL },	/* x32 */
		{ false, false, EM_386, "i686" },
		{ true, false, EM_386, NULL },
		{ true, false, EM_AARCH64, "aarch64" },
		{ true, true, EM_AARCH64, NULL },
		{ true, false, EM_PPC64, "ppc64le" },
		{ true, true, EM_PPC64, "ppc64" },
		{ false, true, EM_PPC64, NULL },
		{ true, true, EM_S390, "s390x" },
		{ false, true, EM_S390, NULL },		/* s390, 31-bit */
		{ false, false, EM_ARM, "armv7l" },
		{ false, true, EM_ARM, NULL },
		{ true, false, EM_RISCV, "riscv64" },
		{ false, false, EM_RISCV, NULL },
		{ true, false, 258, "loongarch64" },	/* EM_LOONGARCH */
		{ true, false, EM_MIPS, NULL },
		{ true, false, 0x1234, NULL },		/* unknown */
	};
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_elf *e;
	struct img m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&m, cases[i].is64, cases[i].be, cases[i].machine);
		if (tlc_elf_read_mem(&e, m.b, m.len, "a.so", &err) != 0)
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(e->machine, cases[i].machine);
		assert_img(e, &m);
		if (cases[i].arch)
			assert_string_equal(tlc_elf_arch(e), cases[i].arch);
		else
			assert_null(tlc_elf_arch(e));
		tlc_elf_free(e);
	}
}

/* The hostile table: one broken rule per case. */
enum hostile {
	H_NOT_ELF, H_EMPTY, H_THREE_BYTES, H_SHORT_IDENT, H_SHORT_EHDR,
	H_CLASS3, H_CLASS0, H_DATA3, H_IDENT_VERSION, H_E_VERSION,
	H_PHENTSIZE, H_PHNUM_BIG, H_PHOFF_PAST, H_PHOFF_WRAP, H_PHOFF_ZERO,
	H_XNUM_NO_SHDR, H_XNUM_SHOFF_PAST, H_XNUM_SHENTSIZE, H_XNUM_TOO_MANY,
	H_LOAD_PAST, H_LOAD_FILESZ, H_LOAD_WRAP, H_INTERP_NO_NUL,
	H_INTERP_PAST, H_INTERP_HUGE, H_TWO_INTERP, H_TWO_DYNAMIC, H_DYN_PAST,
	H_DYN_NO_NULL, H_DUP_SONAME, H_DUP_STRTAB, H_NO_STRTAB, H_NO_STRSZ,
	H_STRTAB_NOWHERE, H_STRTAB_PAST_SEGMENT, H_STRSZ_HUGE, H_STRSZ_FILE,
	H_STR_NO_NUL, H_STR_PAST, H_SONAME_PAST, H_RUNPATH_NO_NUL,
	H_VERNEED_NO_NUM, H_VERNEEDNUM_NO_VERNEED, H_VERNEEDNUM_HUGE,
	H_VERNEED_NOWHERE, H_VERNEED_PAST_SEGMENT, H_VN_VERSION,
	H_VN_FILE_PAST, H_VN_NEXT_ZERO, H_VN_LOOP_BACK, H_VN_NEXT_FAR,
	H_VN_OVERLAP, H_VN_GOES_ON, H_VN_AUX_SELF, H_VN_AUX_NOWHERE,
	H_VNA_LOOP, H_VNA_NEXT_ZERO, H_VN_CNT_HUGE, H_VNA_GOES_ON,
	H_VNA_OVERLAP, H_VNA_NAME_PAST, H_VN_FILE_NEWLINE, H_VD_VERSION,
	H_VD_CNT0, H_VD_AUX_SELF, H_VD_LOOP, H_VD_NEXT_ZERO, H_VD_GOES_ON,
	H_VERDEFNUM_NO_VERDEF, H_VD_NOWHERE, H_VD_NAME_PAST,
};

#define V64 1	/* run on the 64-bit images */
#define V32 2	/* run on the 32-bit images */
#define VALL (V64 | V32)

static const struct {
	enum hostile h;
	unsigned classes;
	const char *msg;
} hostile[] = {
	{ H_NOT_ELF, VALL, "not an ELF file (no \\177ELF magic)" },
	{ H_EMPTY, VALL, "not an ELF file (0 bytes" },
	{ H_THREE_BYTES, VALL, "not an ELF file (3 bytes" },
	{ H_SHORT_IDENT, VALL, "ELF header is truncated (10 bytes)" },
	{ H_SHORT_EHDR, VALL, "ELF header is truncated (40 bytes" },
	{ H_CLASS3, VALL, "ELF class 3 is not 32 or 64" },
	{ H_CLASS0, VALL, "ELF class 0 is not 32 or 64" },
	{ H_DATA3, VALL, "ELF data encoding 3 is neither little nor big" },
	{ H_IDENT_VERSION, VALL, "ELF version 2 is not 1 (EI_VERSION)" },
	{ H_E_VERSION, VALL, "ELF version 0 is not 1 (e_version)" },
	{ H_PHENTSIZE, VALL, "program header entry size 40 is not" },
	{ H_PHNUM_BIG, VALL, "program header table lies past the end of "
	  "the file" },
	{ H_PHOFF_PAST, VALL, "program header table lies past the end of "
	  "the file" },
	{ H_PHOFF_WRAP, V64, "program header table lies past the end of "
	  "the file" },
	{ H_PHOFF_ZERO, VALL, "program header table offset is 0" },
	{ H_XNUM_NO_SHDR, VALL, "e_phnum is PN_XNUM but there is no section "
	  "header 0" },
	{ H_XNUM_SHOFF_PAST, VALL, "section header 0 lies past the end of "
	  "the file" },
	{ H_XNUM_SHENTSIZE, VALL, "section header entry size 7 is not" },
	{ H_XNUM_TOO_MANY, VALL, "too many program headers (100000, at "
	  "most 65536)" },
	{ H_LOAD_PAST, VALL, "PT_LOAD segment 0 lies past the end of the "
	  "file" },
	{ H_LOAD_FILESZ, VALL, "PT_LOAD segment 0 has p_filesz 1024 larger "
	  "than p_memsz 16" },
	{ H_LOAD_WRAP, VALL, "PT_LOAD segment 0 wraps around the address "
	  "space" },
	{ H_INTERP_NO_NUL, VALL, "PT_INTERP is not NUL-terminated" },
	{ H_INTERP_PAST, VALL, "PT_INTERP lies past the end of the file" },
	{ H_INTERP_HUGE, VALL, "PT_INTERP size 1048576 is not between 1 "
	  "and 4096" },
	{ H_TWO_INTERP, VALL, "more than one PT_INTERP" },
	{ H_TWO_DYNAMIC, VALL, "more than one PT_DYNAMIC" },
	{ H_DYN_PAST, VALL, "PT_DYNAMIC lies past the end of the file" },
	{ H_DYN_NO_NULL, VALL, "dynamic array is not terminated by DT_NULL" },
	{ H_DUP_SONAME, VALL, "more than one DT_SONAME in the dynamic array" },
	{ H_DUP_STRTAB, VALL, "more than one DT_STRTAB in the dynamic array" },
	{ H_NO_STRTAB, VALL, "dynamic array names strings but has no "
	  "DT_STRTAB" },
	{ H_NO_STRSZ, VALL, "dynamic array names strings but has no "
	  "DT_STRSZ" },
	{ H_STRTAB_NOWHERE, VALL, "DT_STRTAB at 0x90000 maps to no PT_LOAD "
	  "segment" },
	{ H_STRTAB_PAST_SEGMENT, VALL, "DT_STRTAB runs past the end of its "
	  "PT_LOAD segment" },
	{ H_STRSZ_HUGE, VALL, "DT_STRSZ 536870912 is over the limit" },
	{ H_STRSZ_FILE, VALL, "DT_STRSZ 65536 is larger than the file" },
	{ H_STR_NO_NUL, VALL, "string table is not NUL-terminated" },
	{ H_STR_PAST, VALL, "DT_NEEDED string offset 20480 lies past the "
	  "string table" },
	{ H_SONAME_PAST, VALL, "DT_SONAME string offset" },
	{ H_RUNPATH_NO_NUL, VALL, "string table is not NUL-terminated "
	  "(DT_RUNPATH" },
	{ H_VERNEED_NO_NUM, VALL, "DT_VERNEED without DT_VERNEEDNUM" },
	{ H_VERNEEDNUM_NO_VERNEED, VALL, "DT_VERNEEDNUM without DT_VERNEED" },
	{ H_VERNEEDNUM_HUGE, VALL, "DT_VERNEEDNUM 100000 is over 65536" },
	{ H_VERNEED_NOWHERE, VALL, "version-needs entry 0 at 0x90000 maps to "
	  "no PT_LOAD segment" },
	{ H_VERNEED_PAST_SEGMENT, VALL, "version-needs entry 0 runs past the "
	  "end of its PT_LOAD segment" },
	{ H_VN_VERSION, VALL, "version-needs entry 0 has vn_version 2, not 1" },
	{ H_VN_FILE_PAST, VALL, "vn_file string offset 28672 lies past the "
	  "string table" },
	{ H_VN_NEXT_ZERO, VALL, "version-needs chain ends after 1 of "
	  "DT_VERNEEDNUM 2 entries" },
	{ H_VN_LOOP_BACK, V32, "version-needs chain loops (entry 1 points "
	  "back to 0x10200)" },
	{ H_VN_NEXT_FAR, V64, "version-needs entry 1 at 0x1000101ff maps to "
	  "no PT_LOAD segment" },
	{ H_VN_OVERLAP, VALL, "version-needs entry 0 overlaps the next" },
	{ H_VN_GOES_ON, VALL, "version-needs chain goes on past "
	  "DT_VERNEEDNUM (1 entries)" },
	{ H_VN_AUX_SELF, VALL, "version-needs entry 0 points back into "
	  "itself (vn_aux 0)" },
	{ H_VN_AUX_NOWHERE, VALL, "version-needs aux entry 0 of 'libc.so.6' "
	  "runs past the end of its PT_LOAD segment" },
	{ H_VNA_LOOP, V32, "version-needs aux chain of 'libc.so.6' loops" },
	{ H_VNA_NEXT_ZERO, VALL, "version-needs aux chain of 'libc.so.6' "
	  "ends after 1 of vn_cnt 2 entries" },
	{ H_VN_CNT_HUGE, VALL, "version-needs aux chain of 'libc.so.6' ends "
	  "after 2 of vn_cnt 65535 entries" },
	{ H_VNA_GOES_ON, VALL, "version-needs aux chain of 'libc.so.6' goes "
	  "on past vn_cnt 1 entries" },
	{ H_VNA_OVERLAP, VALL, "version-needs aux entries of 'libc.so.6' "
	  "overlap" },
	{ H_VNA_NAME_PAST, VALL, "vna_name string offset 4096 lies past" },
	{ H_VN_FILE_NEWLINE, VALL, "aux chain of 'libc\\x0aso.6' ends" },
	{ H_VD_VERSION, VALL, "version definition 0 has vd_version 0, not 1" },
	{ H_VD_CNT0, VALL, "version definition 1 has no name (vd_cnt 0)" },
	{ H_VD_AUX_SELF, VALL, "version definition 0 points back into itself "
	  "(vd_aux 4)" },
	{ H_VD_LOOP, V32, "version-definitions chain loops (entry 1 points "
	  "back to 0x10260)" },
	{ H_VD_NEXT_ZERO, VALL, "version-definitions chain ends after 1 of "
	  "DT_VERDEFNUM 3 entries" },
	{ H_VD_GOES_ON, VALL, "version-definitions chain goes on past "
	  "DT_VERDEFNUM (2 entries)" },
	{ H_VERDEFNUM_NO_VERDEF, VALL, "DT_VERDEFNUM without DT_VERDEF" },
	{ H_VD_NOWHERE, VALL, "version definition 0 at 0x90000 maps to no "
	  "PT_LOAD segment" },
	{ H_VD_NAME_PAST, VALL, "vda_name string offset 4096 lies past" },
};

static void mutate(struct img *m, enum hostile h)
{
	size_t load = phdr_at(m, 0), dyn = phdr_at(m, 1), interp;

	interp = phdr_at(m, 2);
	switch (h) {
	case H_NOT_ELF:
		memcpy(m->b, "hello, world\n", 13);
		m->len = 13;
		break;
	case H_EMPTY:
		m->len = 0;
		break;
	case H_THREE_BYTES:
		m->len = 3;
		break;
	case H_SHORT_IDENT:
		m->len = 10;
		break;
	case H_SHORT_EHDR:
		m->len = 40;
		break;
	case H_CLASS3:
		m->b[EI_CLASS] = 3;
		break;
	case H_CLASS0:
		m->b[EI_CLASS] = 0;
		break;
	case H_DATA3:
		m->b[EI_DATA] = 3;
		break;
	case H_IDENT_VERSION:
		m->b[EI_VERSION] = 2;
		break;
	case H_E_VERSION:
		PUTC(m, 0, Ehdr, e_version, 0);
		break;
	case H_PHENTSIZE:
		PUTC(m, 0, Ehdr, e_phentsize, 40);
		break;
	case H_PHNUM_BIG:
		PUTC(m, 0, Ehdr, e_phnum, 0xfff0);
		break;
	case H_PHOFF_PAST:
		PUTC(m, 0, Ehdr, e_phoff, 0x10000);
		break;
	case H_PHOFF_WRAP:
		PUTC(m, 0, Ehdr, e_phoff, UINT64_MAX - 8);
		break;
	case H_PHOFF_ZERO:
		PUTC(m, 0, Ehdr, e_phoff, 0);
		break;
	case H_XNUM_NO_SHDR:
		PUTC(m, 0, Ehdr, e_phnum, PN_XNUM);
		break;
	case H_XNUM_SHOFF_PAST:
		PUTC(m, 0, Ehdr, e_phnum, PN_XNUM);
		PUTC(m, 0, Ehdr, e_shoff, IMG_SIZE - 8);
		break;
	case H_XNUM_SHENTSIZE:
		PUTC(m, 0, Ehdr, e_phnum, PN_XNUM);
		PUTC(m, 0, Ehdr, e_shoff, SHOFF);
		PUTC(m, 0, Ehdr, e_shentsize, 7);
		break;
	case H_XNUM_TOO_MANY:
		PUTC(m, 0, Ehdr, e_phnum, PN_XNUM);
		PUTC(m, 0, Ehdr, e_shoff, SHOFF);
		PUTC(m, SHOFF, Shdr, sh_info, 100000);
		break;
	case H_LOAD_PAST:
		PUTC(m, load, Phdr, p_filesz, 0x1000);
		PUTC(m, load, Phdr, p_memsz, 0x1000);
		break;
	case H_LOAD_FILESZ:
		PUTC(m, load, Phdr, p_memsz, 16);
		break;
	case H_LOAD_WRAP:
		PUTC(m, load, Phdr, p_vaddr,
		     m->is64 ? UINT64_MAX - 0x100 : 0xfffffe00);
		break;
	case H_INTERP_NO_NUL:
		PUTC(m, interp, Phdr, p_filesz, strlen(INTERP));
		break;
	case H_INTERP_PAST:
		PUTC(m, interp, Phdr, p_offset, IMG_SIZE - 4);
		break;
	case H_INTERP_HUGE:
		PUTC(m, interp, Phdr, p_filesz, 1 << 20);
		break;
	case H_TWO_INTERP:
		PUTC(m, dyn, Phdr, p_type, PT_INTERP);
		PUTC(m, dyn, Phdr, p_offset, INTERPOFF);
		PUTC(m, dyn, Phdr, p_filesz, sizeof(INTERP));
		break;
	case H_TWO_DYNAMIC:
		PUTC(m, interp, Phdr, p_type, PT_DYNAMIC);
		break;
	case H_DYN_PAST:
		PUTC(m, dyn, Phdr, p_offset, IMG_SIZE - 16);
		break;
	case H_DYN_NO_NULL:
		PUTC(m, dyn, Phdr, p_filesz, D_NULL * SIZEC(m, Dyn));
		break;
	case H_DUP_SONAME:
		set_dyn(m, D_RUNPATH, DT_SONAME, m->str[S_RUNPATH]);
		break;
	case H_DUP_STRTAB:
		set_dyn(m, D_RUNPATH, DT_STRTAB, BASE);
		break;
	case H_NO_STRTAB:
		set_dyn(m, D_STRTAB, DT_DEBUG, 0);
		break;
	case H_NO_STRSZ:
		set_dyn(m, D_STRSZ, DT_DEBUG, 0);
		break;
	case H_STRTAB_NOWHERE:
		set_dyn(m, D_STRTAB, DT_STRTAB, 0x90000);
		break;
	case H_STRTAB_PAST_SEGMENT:
		set_dyn(m, D_STRSZ, DT_STRSZ, 0x380);
		break;
	case H_STRSZ_HUGE:
		set_dyn(m, D_STRSZ, DT_STRSZ, 0x20000000);
		break;
	case H_STRSZ_FILE:
		set_dyn(m, D_STRSZ, DT_STRSZ, 0x10000);
		break;
	case H_STR_NO_NUL:
		/* FOO_2, the last string, loses its NUL */
		set_dyn(m, D_STRSZ, DT_STRSZ, m->strsz - 1);
		break;
	case H_STR_PAST:
		set_dyn(m, D_NEEDED1, DT_NEEDED, 0x5000);
		break;
	case H_SONAME_PAST:
		set_dyn(m, D_SONAME, DT_SONAME, m->strsz);
		break;
	case H_RUNPATH_NO_NUL:
		/* cut the table inside the runpath */
		set_dyn(m, D_STRSZ, DT_STRSZ, m->str[S_RUNPATH] + 3);
		set_dyn(m, D_VERNEED, DT_DEBUG, 0);
		set_dyn(m, D_VERNEEDNUM, DT_DEBUG, 0);
		set_dyn(m, D_VERDEF, DT_DEBUG, 0);
		set_dyn(m, D_VERDEFNUM, DT_DEBUG, 0);
		break;
	case H_VERNEED_NO_NUM:
		set_dyn(m, D_VERNEEDNUM, DT_DEBUG, 0);
		break;
	case H_VERNEEDNUM_NO_VERNEED:
		set_dyn(m, D_VERNEED, DT_DEBUG, 0);
		break;
	case H_VERNEEDNUM_HUGE:
		set_dyn(m, D_VERNEEDNUM, DT_VERNEEDNUM, 100000);
		break;
	case H_VERNEED_NOWHERE:
		set_dyn(m, D_VERNEED, DT_VERNEED, 0x90000);
		break;
	case H_VERNEED_PAST_SEGMENT:
		set_dyn(m, D_VERNEED, DT_VERNEED, BASE + IMG_SIZE - 8);
		break;
	case H_VN_VERSION:
		PUT(m, VN0, Elf64_Verneed, vn_version, 2);
		break;
	case H_VN_FILE_PAST:
		PUT(m, VN0, Elf64_Verneed, vn_file, 0x7000);
		break;
	case H_VN_NEXT_ZERO:
		PUT(m, VN0, Elf64_Verneed, vn_next, 0);
		break;
	case H_VN_LOOP_BACK:
		/* 32-bit addresses wrap: VN1 + 0xffffffd0 is VN0 */
		PUT(m, VN1, Elf64_Verneed, vn_next, 0xffffffd0);
		set_dyn(m, D_VERNEEDNUM, DT_VERNEEDNUM, 3);
		break;
	case H_VN_NEXT_FAR:
		PUT(m, VN0, Elf64_Verneed, vn_next, 0xffffffff);
		break;
	case H_VN_OVERLAP:
		PUT(m, VN0, Elf64_Verneed, vn_next, 8);
		break;
	case H_VN_GOES_ON:
		set_dyn(m, D_VERNEEDNUM, DT_VERNEEDNUM, 1);
		break;
	case H_VN_AUX_SELF:
		PUT(m, VN0, Elf64_Verneed, vn_aux, 0);
		break;
	case H_VN_AUX_NOWHERE:
		PUT(m, VN0, Elf64_Verneed, vn_aux, IMG_SIZE - VN0 - 8);
		break;
	case H_VNA_LOOP:
		PUT(m, VNA00, Elf64_Vernaux, vna_next, 0xfffffff0);
		break;
	case H_VNA_NEXT_ZERO:
		PUT(m, VNA00, Elf64_Vernaux, vna_next, 0);
		break;
	case H_VN_CNT_HUGE:
		PUT(m, VN0, Elf64_Verneed, vn_cnt, 0xffff);
		break;
	case H_VNA_GOES_ON:
		PUT(m, VN0, Elf64_Verneed, vn_cnt, 1);
		break;
	case H_VNA_OVERLAP:
		PUT(m, VNA00, Elf64_Vernaux, vna_next, 4);
		break;
	case H_VNA_NAME_PAST:
		PUT(m, VNA01, Elf64_Vernaux, vna_name, 4096);
		break;
	case H_VN_FILE_NEWLINE:
		/* the name of a library goes into the message: escaped */
		m->b[STROFF + m->str[S_LIBC] + 4] = '\n';
		PUT(m, VN0, Elf64_Verneed, vn_cnt, 0xffff);
		break;
	case H_VD_VERSION:
		PUT(m, VD0, Elf64_Verdef, vd_version, 0);
		break;
	case H_VD_CNT0:
		PUT(m, VD1, Elf64_Verdef, vd_cnt, 0);
		break;
	case H_VD_AUX_SELF:
		PUT(m, VD0, Elf64_Verdef, vd_aux, 4);
		break;
	case H_VD_LOOP:
		/* 32-bit addresses wrap: VD1 + 0xffffffe4 is VD0 */
		PUT(m, VD1, Elf64_Verdef, vd_next, 0xffffffe4);
		break;
	case H_VD_NEXT_ZERO:
		PUT(m, VD0, Elf64_Verdef, vd_next, 0);
		break;
	case H_VD_GOES_ON:
		set_dyn(m, D_VERDEFNUM, DT_VERDEFNUM, 2);
		break;
	case H_VERDEFNUM_NO_VERDEF:
		set_dyn(m, D_VERDEF, DT_DEBUG, 0);
		break;
	case H_VD_NOWHERE:
		set_dyn(m, D_VERDEF, DT_VERDEF, 0x90000);
		break;
	case H_VD_NAME_PAST:
		PUT(m, VD2 + 20, Elf64_Verdaux, vda_name, 4096);
		break;
	}
}

static void test_elf__hostile_table(void **state)
{
	static struct tlc_elf sentinel;
	struct tlc_elf *e;
	struct img m;
	size_t i, v, nrun = 0;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		/* the table follows the enum: no case left out */
		assert_int_equal(hostile[i].h, i);
		for (v = 0; v < NVARIANTS; v++) {
			struct tlc_error err = TLC_ERROR_INIT;
			unsigned cls = variants[v].is64 ? V64 : V32;
			int rc;

			if (!(hostile[i].classes & cls))
				continue;
			build(&m, variants[v].is64, variants[v].be,
			      EM_X86_64);
			mutate(&m, hostile[i].h);
			e = &sentinel;	/* must come back NULL */
			rc = tlc_elf_read_mem(&e, m.b, m.len, "hostile.so",
					      &err);
			if (rc != TLC_EPOLICY)
				fail_msg("case %zu, %s: rc %d (%s), expected "
					 "'%s'", i, variants[v].name, rc,
					 err.msg, hostile[i].msg);
			assert_null(e);
			assert_int_equal(err.code, TLC_EPOLICY);
			if (strncmp(err.msg, "hostile.so: ", 12) ||
			    !strstr(err.msg, hostile[i].msg) ||
			    strchr(err.msg, '\n'))
				fail_msg("case %zu, %s: '%s', expected '%s'", i,
					 variants[v].name, err.msg,
					 hostile[i].msg);
			nrun++;
		}
	}
	assert_int_equal(H_VD_NAME_PAST + 1,
			 sizeof(hostile) / sizeof(hostile[0]));
	assert_true(nrun > 200);
}

/* Every prefix of every image fails cleanly, but the whole. */
static void test_elf__truncated_images(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_elf *e;
	struct img m;
	int rc;

	(void)state;
	for (size_t v = 0; v < NVARIANTS; v++) {
		build(&m, variants[v].is64, variants[v].be, EM_X86_64);
		for (size_t n = 0; n < m.len; n++) {
			rc = tlc_elf_read_mem(&e, m.b, n, "cut.so", &err);
			if (rc != TLC_EPOLICY)
				fail_msg("%s, %zu bytes: rc %d",
					 variants[v].name, n, rc);
			assert_int_equal(strncmp(err.msg, "cut.so: ", 8), 0);
		}
	}
}

/* Move @m into a zeroed buffer of @size bytes whose one PT_LOAD maps it
 * all. */
static void grow(struct img *m, size_t size)
{
	unsigned char *big = calloc(1, size);

	assert_non_null(big);
	memcpy(big, m->b, m->len);
	m->b = big;
	m->cap = m->len = size;
	PUTC(m, phdr_at(m, 0), Phdr, p_filesz, size);
	PUTC(m, phdr_at(m, 0), Phdr, p_memsz, size);
}

/*
 * More than TLC_ELF_MAX_ENTRIES dynamic entries and no DT_NULL: only
 * that many are read, then the file is refused.
 */
static void test_elf__dynamic_without_null_in_cap(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	size_t n = TLC_ELF_MAX_ENTRIES + 10, i;
	struct tlc_elf *e;
	struct img m;

	(void)state;
	build(&m, false, false, EM_386);
	grow(&m, DYNOFF + n * 8);
	for (i = 0; i < n; i++)
		set_dyn(&m, i, DT_DEBUG, 0);
	PUTC(&m, phdr_at(&m, 1), Phdr, p_filesz, n * 8);
	assert_int_equal(tlc_elf_read_mem(&e, m.b, m.len, "dyn.so", &err),
			 TLC_EPOLICY);
	assert_non_null(strstr(err.msg, "dynamic array has no DT_NULL in its "
			       "first 65536 entries"));
	/* the same array with DT_NULL last but one: still too far */
	set_dyn(&m, n - 2, DT_NULL, 0);
	assert_int_equal(tlc_elf_read_mem(&e, m.b, m.len, "dyn.so", &err),
			 TLC_EPOLICY);
	/* and within the cap: read (it names no strings) */
	set_dyn(&m, TLC_ELF_MAX_ENTRIES - 1, DT_NULL, 0);
	assert_int_equal(tlc_elf_read_mem(&e, m.b, m.len, "dyn.so", &err), 0);
	assert_true(e->dynamic);
	assert_int_equal(e->nneeded, 0);
	assert_null(e->soname);
	tlc_elf_free(e);
	free(m.b);
}

/*
 * TLC_ELF_MAX_ENTRIES versions needed in all are read; one more is
 * refused.  Entry 0 needs 65535 versions (a real chain of 65535
 * Elf_Vernaux), entry 1 needs @cnt1 more.
 */
static int read_many_versions(unsigned cnt1, struct tlc_elf **e,
			      struct tlc_error *err)
{
	const size_t vn0 = IMG_SIZE, n0 = 0xffff;
	const size_t vn1 = vn0 + 16 + n0 * 16;
	struct img m;
	size_t j;
	int rc;

	build(&m, false, true, EM_S390);
	grow(&m, vn1 + 16 + cnt1 * 16);
	set_verneed(&m, vn0, (unsigned)n0, S_LIBC, 16, (uint32_t)(vn1 - vn0));
	for (j = 0; j < n0; j++)
		set_vernaux(&m, vn0 + 16 + j * 16, j % 2 ? S_G217 : S_G225, 2,
			    j + 1 < n0 ? 16 : 0);
	set_verneed(&m, vn1, cnt1, S_LIBM, 16, 0);
	for (j = 0; j < cnt1; j++)
		set_vernaux(&m, vn1 + 16 + j * 16, S_M10, 3,
			    j + 1 < cnt1 ? 16 : 0);
	set_dyn(&m, D_VERNEED, DT_VERNEED, BASE + vn0);
	rc = tlc_elf_read_mem(e, m.b, m.len, "many.so", err);
	free(m.b);
	return rc;
}

static void test_elf__version_needs_total_cap(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_elf *e;

	(void)state;
	if (read_many_versions(1, &e, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(e->nverneed, 2);
	assert_int_equal(e->verneed[0].n, 0xffff);
	assert_string_equal(e->verneed[0].versions[0], "GLIBC_2.2.5");
	assert_string_equal(e->verneed[0].versions[0xfffe], "GLIBC_2.2.5");
	assert_string_equal(e->verneed[0].versions[1], "GLIBC_2.17");
	assert_null(e->verneed[0].versions[0xffff]);
	assert_int_equal(e->verneed[1].n, 1);
	assert_string_equal(e->verneed[1].versions[0], "M_1.0");
	tlc_elf_free(e);

	assert_int_equal(read_many_versions(2, &e, &err), TLC_EPOLICY);
	assert_null(e);
	assert_non_null(strstr(err.msg, "many.so: too many version-needs "
			       "entries (more than 65536)"));
}

/* A source that fails: its code and message come back untouched; and
 * no read ever goes outside the file. */
struct failing {
	const struct img *m;
	uint64_t fail_at;	/* reads ending past this fail */
	size_t nreads;
};

static int failing_read(void *ctx, uint64_t off, void *buf, size_t len,
			struct tlc_error *err)
{
	struct failing *f = ctx;

	(void)buf;
	f->nreads++;
	if (off > f->m->len || len > f->m->len - off)
		fail_msg("read of %zu at %" PRIu64 " is outside the file",
			 len, off);
	if (off + len > f->fail_at)
		return tlc_error_set(err, TLC_EIO, "boom at %" PRIu64, off);
	memcpy(buf, f->m->b + off, len);
	return 0;
}

static void test_elf__source_errors_propagate(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct failing f;
	struct tlc_elf_src src;
	struct tlc_elf *e;
	struct img m;
	size_t nfail = 0;
	int rc;

	(void)state;
	build(&m, true, true, EM_PPC64);
	src.read = failing_read;
	src.ctx = &f;
	src.size = m.len;
	src.name = "src.so";
	for (uint64_t at = 0; at <= m.len; at++) {
		f.m = &m;
		f.fail_at = at;
		f.nreads = 0;
		rc = tlc_elf_read(&e, &src, &err);

		if (rc == 0) {
			assert_img(e, &m);
			tlc_elf_free(e);
			continue;
		}
		assert_int_equal(rc, TLC_EIO);
		assert_null(e);
		assert_int_equal(strncmp(err.msg, "boom at ", 8), 0);
		nfail++;
	}
	/* everything read lies in the file's first bytes up to DYNOFF and
	 * its dynamic array */
	assert_true(nfail >= DYNOFF);
}

static void test_elf__read_file_errors(void **state)
{
	struct tlc_error err = TLC_ERROR_INIT;
	char path[PATH_MAX + 32];
	struct tlc_elf *e = NULL;

	(void)state;
	path_of(path, sizeof(path), "no-such-file.so");
	assert_int_equal(tlc_elf_read_file(&e, path, &err), TLC_ENOTFOUND);
	assert_null(e);
	assert_non_null(strstr(err.msg, "no-such-file.so"));
	assert_int_equal(tlc_elf_read_file(&e, scratch, &err), TLC_EIO);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	tu_put(scratch, "text.so", "#!/bin/sh\necho not an ELF\n", 0644);
	path_of(path, sizeof(path), "text.so");
	assert_int_equal(tlc_elf_read_file(&e, path, &err), TLC_EPOLICY);
	assert_null(e);
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);
	assert_non_null(strstr(err.msg, ": not an ELF file"));
}

static void test_elf__is_elf(void **state)
{
	(void)state;
	assert_true(tlc_elf_is_elf("\177ELF", 4));
	assert_true(tlc_elf_is_elf("\177ELF\2\1\1", 7));
	assert_false(tlc_elf_is_elf("\177EL", 3));
	assert_false(tlc_elf_is_elf("", 0));
	assert_false(tlc_elf_is_elf("\177ELG", 4));
	assert_false(tlc_elf_is_elf("PK\3\4", 4));
	tlc_elf_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf__built_library),
		cmocka_unit_test(test_elf__built_program),
		cmocka_unit_test(test_elf__static_program),
		cmocka_unit_test(test_elf__system_libraries),
		cmocka_unit_test(test_elf__truncated_real_library),
		cmocka_unit_test(test_elf__images_every_class_and_order),
		cmocka_unit_test(test_elf__seed_images_match),
		cmocka_unit_test(test_elf__phnum_in_section_zero),
		cmocka_unit_test(test_elf__verdef_base_first),
		cmocka_unit_test(test_elf__arch),
		cmocka_unit_test(test_elf__hostile_table),
		cmocka_unit_test(test_elf__truncated_images),
		cmocka_unit_test(test_elf__dynamic_without_null_in_cap),
		cmocka_unit_test(test_elf__version_needs_total_cap),
		cmocka_unit_test(test_elf__source_errors_propagate),
		cmocka_unit_test(test_elf__read_file_errors),
		cmocka_unit_test(test_elf__is_elf),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
