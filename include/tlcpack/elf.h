/*
 * Reading ELF shared objects the way the dynamic loader sees them
 * (System V gABI, https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html;
 * symbol versioning: LSB Core, "Symbol Versioning",
 * https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html).
 *
 * Only the ELF header, the program headers and what PT_DYNAMIC points at
 * are read: DT_SONAME, DT_NEEDED, DT_RPATH, DT_RUNPATH (from DT_STRTAB),
 * DT_VERNEED/DT_VERNEEDNUM and DT_VERDEF/DT_VERDEFNUM.  Section headers
 * are never needed, so a stripped or section-less file reads the same,
 * and only the bytes those structures occupy are fetched, through a
 * pread-like callback: an ELF member of a wheel is read without
 * extracting it.  Every offset, size, count and string is checked against
 * the file; a malformed file gives TLC_EPOLICY with the rule broken named
 * ("string table is not NUL-terminated", "version-needs chain loops", ...).
 * Both classes and both byte orders are read.
 */
#ifndef TLC_ELF_H
#define TLC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Where the bytes come from. */
struct tlc_elf_src {
	/* Read exactly @len bytes at @off into @buf.  @return 0, or a
	 * negative TLC_E* code with @err set. */
	int (*read)(void *ctx, uint64_t off, void *buf, size_t len,
		    struct tlc_error *err);
	void *ctx;
	uint64_t size;		/* the file's length */
	const char *name;	/* for messages */
};

/* The versions required from one library (an Elf_Verneed and its
 * Elf_Vernaux entries, in chain order). */
struct tlc_elf_verneed {
	const char *file;		/* "libc.so.6" */
	size_t n;
	const char **versions;		/* "GLIBC_2.17", ...; NULL-terminated */
};

/* A PT_LOAD segment, as its program header says (p_offset, p_vaddr,
 * p_filesz, p_memsz, p_align, p_flags). */
struct tlc_elf_load {
	uint64_t offset, vaddr, filesz, memsz, align;
	unsigned flags;			/* PF_R | PF_W | PF_X */
};

/*
 * The dynamic-linking view of one file.  Every pointer is borrowed from
 * the struct and lives until tlc_elf_free(); strings point into one copy
 * of the dynamic string table.
 */
struct tlc_elf {
	unsigned cls;			/* 32 or 64 */
	bool big_endian;
	unsigned type;			/* ET_EXEC, ET_DYN, ... */
	unsigned machine;		/* EM_X86_64, ... */
	unsigned osabi;			/* e_ident[EI_OSABI] */
	const char *interp;		/* PT_INTERP; NULL if none */
	bool dynamic;			/* has PT_DYNAMIC; without it, soname
					 * to verdef are NULL or empty */
	const char *soname;		/* NULL if none */
	const char *rpath;		/* DT_RPATH; NULL if none */
	const char *runpath;		/* DT_RUNPATH; NULL if none */
	size_t nneeded;
	const char **needed;		/* DT_NEEDED in order; NULL-terminated,
					 * never NULL itself */
	size_t nverneed;
	struct tlc_elf_verneed *verneed; /* DT_VERNEED chain order; may
					  * be NULL when nverneed is 0 */
	size_t nverdef;
	const char **verdef;		/* versions defined (the first
					 * Elf_Verdaux of each Elf_Verdef),
					 * the VER_FLG_BASE one (the file's
					 * own name) first, then chain
					 * order; NULL-terminated, never
					 * NULL itself */
	size_t nloads;
	struct tlc_elf_load *loads;	/* in program header order; NULL
					 * when nloads is 0 */
};

/* At most this many program headers, dynamic entries, needed libraries
 * and version entries are accepted; more is refused as hostile. */
#define TLC_ELF_MAX_ENTRIES 65536

/**
 * Does @head (the first @len bytes of a file) start with the ELF magic?
 */
bool tlc_elf_is_elf(const void *head, size_t len);

/**
 * Read the dynamic-linking view of an ELF file.
 *
 * Checked, each refusal naming its rule: e_ident (magic, class, data
 * encoding, version), e_version, e_phentsize, the program header table
 * (e_phnum, or PN_XNUM and section header 0's sh_info) inside the file;
 * each PT_LOAD inside the file with p_filesz <= p_memsz; at most one
 * PT_INTERP (NUL-terminated) and one PT_DYNAMIC; the dynamic array
 * inside the file and ended by DT_NULL, with no tag that must be unique
 * twice; DT_STRTAB, DT_VERNEED and DT_VERDEF mapped through PT_LOAD
 * (the whole table inside one segment's file bytes); DT_STRSZ at most
 * 256 MiB and the file's size; every string inside the table and ended
 * by a NUL; vn_version and vd_version 1; the chains exactly as long as
 * DT_VERNEEDNUM, vn_cnt and DT_VERDEFNUM say (a zero next offset ends
 * them, no sooner and no later), going forward only (32-bit addresses
 * wrap as in a 32-bit process, so a chain can loop) and without
 * overlapping entries.  Only the bytes of those structures are fetched,
 * each through src->read with its range already checked against
 * src->size.
 *
 * @param[out] out  free with tlc_elf_free(); NULL on failure
 * @return 0; TLC_EPOLICY (not ELF, or malformed: "<src->name>: <rule
 *         broken>"), TLC_ENOMEM, or what src->read returned (its @err
 *         untouched)
 */
int tlc_elf_read(struct tlc_elf **out, const struct tlc_elf_src *src,
		 struct tlc_error *err);

/** tlc_elf_read() on @len bytes at @data; @name is for messages. */
int tlc_elf_read_mem(struct tlc_elf **out, const void *data, size_t len,
		     const char *name, struct tlc_error *err);

/**
 * tlc_elf_read() on the file at @path (read with pread, never mapped);
 * messages name @path.
 *
 * @return also TLC_ENOTFOUND (no such file), TLC_EIO (not a regular
 *         file, or a read failed)
 */
int tlc_elf_read_file(struct tlc_elf **out, const char *path,
		      struct tlc_error *err);

/**
 * The architecture name used in platform tags ("x86_64", "i686",
 * "aarch64", "ppc64le", "ppc64", "s390x", "armv7l", "riscv64",
 * "loongarch64") for @e's machine, class and byte order, or NULL if
 * manylinux knows none (x32, big-endian aarch64, 31-bit s390, ...).
 */
const char *tlc_elf_arch(const struct tlc_elf *e);

/** Free @e; NULL is a no-op. */
void tlc_elf_free(struct tlc_elf *e);

#endif
