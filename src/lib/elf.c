/*
 * The ELF reader: the ELF header, the program headers and what PT_DYNAMIC
 * points at, fetched through struct tlc_elf_src and checked before use.
 *
 * Rules and layouts: System V gABI, chapters 4 and 5
 * (https://refspecs.linuxfoundation.org/elf/gabi4+/contents.html), and
 * LSB Core "Symbol Versioning" for Elf_Verneed and Elf_Verdef
 * (https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/symversion.html).
 * Field offsets come from glibc's <elf.h> structs; the bytes are decoded
 * by hand, so either byte order reads on any host.
 *
 * Everything the result points at lives in blocks chained off the result
 * (struct obj), and tlc_elf_free() frees the chain.  Strings point into
 * the one copy of the dynamic string table.
 */
#include <assert.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/elf.h"

#include "banned.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/* A DT_STRSZ above this is refused as hostile, whatever the file size. */
#define STRTAB_MAX ((uint64_t)256 << 20)
/* PT_INTERP is a path: PATH_MAX on Linux. */
#define INTERP_MAX 4096

/* Elf_Verneed, Elf_Vernaux, Elf_Verdef and Elf_Verdaux are the same in
 * both classes. */
#define VERNEED_SIZE sizeof(Elf64_Verneed)
#define VERNAUX_SIZE sizeof(Elf64_Vernaux)
#define VERDEF_SIZE sizeof(Elf64_Verdef)
#define VERDAUX_SIZE sizeof(Elf64_Verdaux)

struct blk {
	struct blk *next;
	max_align_t data[];
};

/* The result and the blocks it owns; @e comes first, so a struct
 * tlc_elf * is a struct obj *. */
struct obj {
	struct tlc_elf e;
	struct blk *blocks;
};

/* One read in progress. */
struct rd {
	const struct tlc_elf_src *src;
	struct tlc_error *err;
	struct obj *o;
	struct tlc_elf *e;
	bool is64;
	const char *strtab;	/* NULL until read; strsz bytes + a NUL */
	uint64_t strsz;
};

/* The tags that may appear at most once, indexes into dyn.has/val. */
enum { D_STRTAB, D_STRSZ, D_SONAME, D_RPATH, D_RUNPATH, D_VERNEED,
       D_VERDEF, D_NUM_SINGLE };

/* What PT_DYNAMIC says, before the strings are looked up. */
struct dyn {
	unsigned char *tab;	/* the entries read */
	size_t n;		/* how many come before DT_NULL */
	size_t nneeded;
	bool has[D_NUM_SINGLE];
	uint64_t val[D_NUM_SINGLE];
};

static const struct {
	int64_t tag;
	const char *name;
} singles[] = {
	[D_STRTAB] = { DT_STRTAB, "DT_STRTAB" },
	[D_STRSZ] = { DT_STRSZ, "DT_STRSZ" },
	[D_SONAME] = { DT_SONAME, "DT_SONAME" },
	[D_RPATH] = { DT_RPATH, "DT_RPATH" },
	[D_RUNPATH] = { DT_RUNPATH, "DT_RUNPATH" },
	[D_VERNEED] = { DT_VERNEED, "DT_VERNEED" },
	[D_VERDEF] = { DT_VERDEF, "DT_VERDEF" },
};

/* The counts go with their tables, kept apart from the singles above so
 * that the table stays an index. */
struct counts {
	bool has_verneednum, has_verdefnum;
	uint64_t verneednum, verdefnum;
};

static const char *src_name(const struct rd *r)
{
	return r->src->name ? r->src->name : "(unnamed ELF file)";
}

/* TLC_EPOLICY with "<name>: <message>". */
static int bad(struct rd *r, const char *fmt, ...) TLC_PRINTF(2, 3);

static int bad(struct rd *r, const char *fmt, ...)
{
	char msg[TLC_ERROR_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tlc_error_set(r->err, TLC_EPOLICY, "%s: %s", src_name(r), msg);
}

/*
 * @s made fit for a one-line message: bytes outside printable ASCII as
 * \xNN, cut to about 64 characters ("...").
 */
static const char *printable(char *out, size_t n, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t at = 0;

	assert(n >= 8);
	for (; *s && at + 8 <= n && at < 64; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[at++] = (char)c;
		} else {
			out[at++] = '\\';
			out[at++] = 'x';
			out[at++] = hex[c >> 4];
			out[at++] = hex[c & 15];
		}
	}
	if (*s) {
		memcpy(out + at, "...", 3);
		at += 3;
	}
	out[at] = '\0';
	return out;
}

static int nomem(struct rd *r)
{
	return tlc_error_set(r->err, TLC_ENOMEM, "%s: out of memory",
			     src_name(r));
}

/* @n zeroed bytes owned by the result, or NULL. */
static void *alloc(struct rd *r, size_t n)
{
	struct blk *b;

	if (n > SIZE_MAX - sizeof(*b))
		return NULL;
	b = calloc(1, sizeof(*b) + n);
	if (!b)
		return NULL;
	b->next = r->o->blocks;
	r->o->blocks = b;
	return b->data;
}

static void *alloc_array(struct rd *r, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return alloc(r, bytes);
}

/* The unsigned integer of @n bytes at @p in the file's byte order. */
static uint64_t get(const struct rd *r, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (r->e->big_endian)
			v = v << 8 | p[i];
		else
			v |= (uint64_t)p[i] << (8 * i);
	}
	return v;
}

/* Field @f of the struct @T at @p. */
#define GET(r, p, T, f)                                                 \
	get((r), (const unsigned char *)(p) + offsetof(T, f),           \
	    sizeof(((T *)0)->f))
/* Field @f of Elf32_@T or Elf64_@T, as the class says. */
#define GETC(r, p, T, f)                                                \
	((r)->is64 ? GET(r, p, Elf64_##T, f) : GET(r, p, Elf32_##T, f))
#define SIZEC(r, T) ((r)->is64 ? sizeof(Elf64_##T) : sizeof(Elf32_##T))

/* Read @len bytes at @off, which must lie inside the file. */
static int fetch(struct rd *r, uint64_t off, void *buf, size_t len,
		 const char *what)
{
	uint64_t end;

	if (__builtin_add_overflow(off, (uint64_t)len, &end) ||
	    end > r->src->size)
		return bad(r, "%s lies past the end of the file", what);
	if (len == 0)
		return 0;
	return r->src->read(r->src->ctx, off, buf, len, r->err);
}

/*
 * The file offset of the @len bytes at the virtual address @addr: they
 * must lie in the file part of one PT_LOAD segment (gABI, "Program
 * Loading"), which the loader maps from the file.
 */
static int map(struct rd *r, uint64_t addr, uint64_t len, uint64_t *off,
	       const char *what)
{
	const struct tlc_elf_load *l;
	size_t i;

	/* set on every path: gcc -O3 cannot tell that bad() is negative */
	*off = 0;
	for (i = 0; i < r->e->nloads; i++) {
		l = &r->e->loads[i];
		if (addr < l->vaddr || addr - l->vaddr >= l->filesz)
			continue;
		if (len > l->filesz - (addr - l->vaddr))
			return bad(r, "%s runs past the end of its PT_LOAD "
				   "segment", what);
		*off = l->offset + (addr - l->vaddr);
		return 0;
	}
	return bad(r, "%s at 0x%" PRIx64 " maps to no PT_LOAD segment", what,
		   addr);
}

/* Map and read in one go. */
static int fetch_at(struct rd *r, uint64_t addr, void *buf, size_t len,
		    const char *what)
{
	uint64_t off;
	int rc;

	if ((rc = map(r, addr, len, &off, what)) < 0)
		return rc;
	return fetch(r, off, buf, len, what);
}

/*
 * The address @delta bytes after @addr, as the loader computes it: in a
 * 32-bit process the sum wraps at 4 GiB.  @return false unless it lies
 * after @addr (a chain that goes back or wraps loops).
 */
static bool step(const struct rd *r, uint64_t addr, uint64_t delta,
		 uint64_t *out)
{
	uint64_t n;

	if (r->is64) {
		if (__builtin_add_overflow(addr, delta, &n))
			return false;
	} else {
		n = (addr + delta) & 0xffffffffu;
	}
	*out = n;
	return n > addr;
}

/* The string at @off in DT_STRTAB, for @what. */
static int str(struct rd *r, uint64_t off, const char **out,
	       const char *what)
{
	if (off >= r->strsz)
		return bad(r, "%s string offset %" PRIu64 " lies past the "
			   "string table (%" PRIu64 " bytes)", what, off,
			   r->strsz);
	if (!memchr(r->strtab + off, '\0', (size_t)(r->strsz - off)))
		return bad(r, "string table is not NUL-terminated (%s at "
			   "offset %" PRIu64 " runs to its end)", what, off);
	*out = r->strtab + off;
	return 0;
}

static int read_ident(struct rd *r, unsigned char *eh)
{
	const struct tlc_elf_src *src = r->src;
	size_t ehsize;
	int rc;

	if (src->size < SELFMAG)
		return bad(r, "not an ELF file (%" PRIu64 " bytes, too short "
			   "for the \\177ELF magic)", src->size);
	if ((rc = fetch(r, 0, eh, SELFMAG, "ELF magic")) < 0)
		return rc;
	if (memcmp(eh, ELFMAG, SELFMAG) != 0)
		return bad(r, "not an ELF file (no \\177ELF magic)");
	if (src->size < EI_NIDENT)
		return bad(r, "ELF header is truncated (%" PRIu64 " bytes)",
			   src->size);
	if ((rc = fetch(r, 0, eh, EI_NIDENT, "ELF header")) < 0)
		return rc;
	switch (eh[EI_CLASS]) {
	case ELFCLASS32:
		r->is64 = false;
		break;
	case ELFCLASS64:
		r->is64 = true;
		break;
	default:
		return bad(r, "ELF class %u is not 32 or 64 (EI_CLASS must be "
			   "1 or 2)", eh[EI_CLASS]);
	}
	switch (eh[EI_DATA]) {
	case ELFDATA2LSB:
		r->e->big_endian = false;
		break;
	case ELFDATA2MSB:
		r->e->big_endian = true;
		break;
	default:
		return bad(r, "ELF data encoding %u is neither little nor big "
			   "endian (EI_DATA must be 1 or 2)", eh[EI_DATA]);
	}
	if (eh[EI_VERSION] != EV_CURRENT)
		return bad(r, "ELF version %u is not 1 (EI_VERSION)",
			   eh[EI_VERSION]);
	ehsize = SIZEC(r, Ehdr);
	if (src->size < ehsize)
		return bad(r, "ELF header is truncated (%" PRIu64 " bytes, "
			   "ELFCLASS%u needs %zu)", src->size,
			   r->is64 ? 64 : 32, ehsize);
	if ((rc = fetch(r, 0, eh, ehsize, "ELF header")) < 0)
		return rc;
	if (GETC(r, eh, Ehdr, e_version) != EV_CURRENT)
		return bad(r, "ELF version %" PRIu64 " is not 1 (e_version)",
			   GETC(r, eh, Ehdr, e_version));
	r->e->cls = r->is64 ? 64 : 32;
	r->e->type = (unsigned)GETC(r, eh, Ehdr, e_type);
	r->e->machine = (unsigned)GETC(r, eh, Ehdr, e_machine);
	r->e->osabi = eh[EI_OSABI];
	return 0;
}

/*
 * The number of program headers: e_phnum, or with PN_XNUM the sh_info of
 * section header 0 (gABI, "Sections", Extended Section Numbering).
 */
static int phdr_count(struct rd *r, const unsigned char *eh, uint64_t *n)
{
	unsigned char sh[sizeof(Elf64_Shdr)];
	uint64_t shoff = GETC(r, eh, Ehdr, e_shoff);
	uint64_t shentsize = GETC(r, eh, Ehdr, e_shentsize);
	int rc;

	*n = GETC(r, eh, Ehdr, e_phnum);
	if (*n != PN_XNUM)
		return 0;
	if (shoff == 0)
		return bad(r, "e_phnum is PN_XNUM but there is no section "
			   "header 0 to hold the count");
	if (shentsize != SIZEC(r, Shdr))
		return bad(r, "section header entry size %" PRIu64 " is not "
			   "%zu for ELFCLASS%u", shentsize, SIZEC(r, Shdr),
			   r->e->cls);
	if ((rc = fetch(r, shoff, sh, SIZEC(r, Shdr), "section header 0")) < 0)
		return rc;
	*n = GETC(r, sh, Shdr, sh_info);
	return 0;
}

static int check_load(struct rd *r, size_t i, struct tlc_elf_load *l)
{
	uint64_t end;

	if (l->filesz > l->memsz)
		return bad(r, "PT_LOAD segment %zu has p_filesz %" PRIu64
			   " larger than p_memsz %" PRIu64, i, l->filesz,
			   l->memsz);
	if (l->filesz &&
	    (__builtin_add_overflow(l->offset, l->filesz, &end) ||
	     end > r->src->size))
		return bad(r, "PT_LOAD segment %zu lies past the end of the "
			   "file", i);
	if (__builtin_add_overflow(l->vaddr, l->memsz, &end) ||
	    (!r->is64 && end > ((uint64_t)1 << 32)))
		return bad(r, "PT_LOAD segment %zu wraps around the address "
			   "space", i);
	return 0;
}

static int read_interp(struct rd *r, uint64_t off, uint64_t size)
{
	char *s;
	int rc;

	if (size == 0 || size > INTERP_MAX)
		return bad(r, "PT_INTERP size %" PRIu64 " is not between 1 "
			   "and %d", size, INTERP_MAX);
	if (!(s = alloc(r, (size_t)size + 1)))
		return nomem(r);
	if ((rc = fetch(r, off, s, (size_t)size, "PT_INTERP")) < 0)
		return rc;
	if (!memchr(s, '\0', (size_t)size))
		return bad(r, "PT_INTERP is not NUL-terminated");
	r->e->interp = s;
	return 0;
}

/*
 * Read the dynamic array at @off (@size bytes) up to DT_NULL and note
 * the tags read later.
 */
static int read_dynamic(struct rd *r, uint64_t off, uint64_t size,
			struct dyn *d, struct counts *c)
{
	size_t entsize = SIZEC(r, Dyn), i, k;
	uint64_t n = size / entsize, end;
	const unsigned char *p;
	bool capped = false;
	int rc;

	if (__builtin_add_overflow(off, size, &end) || end > r->src->size)
		return bad(r, "PT_DYNAMIC lies past the end of the file");
	if (n > TLC_ELF_MAX_ENTRIES) {
		n = TLC_ELF_MAX_ENTRIES;
		capped = true;
	}
	if (!(d->tab = malloc(n ? (size_t)n * entsize : 1)))
		return nomem(r);
	if ((rc = fetch(r, off, d->tab, (size_t)n * entsize, "PT_DYNAMIC")) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		int64_t tag;
		uint64_t val;

		p = d->tab + i * entsize;
		tag = (int64_t)GETC(r, p, Dyn, d_tag);
		val = GETC(r, p, Dyn, d_un.d_val);
		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED) {
			d->nneeded++;
			continue;
		}
		if (tag == DT_VERNEEDNUM || tag == DT_VERDEFNUM) {
			bool *has = tag == DT_VERNEEDNUM ? &c->has_verneednum
							 : &c->has_verdefnum;

			if (*has)
				return bad(r, "more than one %s in the "
					   "dynamic array",
					   tag == DT_VERNEEDNUM ?
					   "DT_VERNEEDNUM" : "DT_VERDEFNUM");
			*has = true;
			*(tag == DT_VERNEEDNUM ? &c->verneednum
					       : &c->verdefnum) = val;
			continue;
		}
		for (k = 0; k < D_NUM_SINGLE; k++) {
			if (singles[k].tag != tag)
				continue;
			if (d->has[k])
				return bad(r, "more than one %s in the "
					   "dynamic array", singles[k].name);
			d->has[k] = true;
			d->val[k] = val;
		}
	}
	if (i == n) {
		if (capped)
			return bad(r, "dynamic array has no DT_NULL in its "
				   "first %d entries", TLC_ELF_MAX_ENTRIES);
		return bad(r, "dynamic array is not terminated by DT_NULL");
	}
	d->n = i;
	return 0;
}

static int read_strtab(struct rd *r, const struct dyn *d)
{
	uint64_t off, size;
	char *s;
	int rc;

	if (!d->has[D_STRTAB])
		return bad(r, "dynamic array names strings but has no "
			   "DT_STRTAB");
	if (!d->has[D_STRSZ])
		return bad(r, "dynamic array names strings but has no "
			   "DT_STRSZ");
	size = d->val[D_STRSZ];
	if (size > STRTAB_MAX)
		return bad(r, "DT_STRSZ %" PRIu64 " is over the limit of "
			   "%" PRIu64 " bytes", size, STRTAB_MAX);
	if (size > r->src->size)
		return bad(r, "DT_STRSZ %" PRIu64 " is larger than the file "
			   "(%" PRIu64 " bytes)", size, r->src->size);
	if ((rc = map(r, d->val[D_STRTAB], size, &off, "DT_STRTAB")) < 0)
		return rc;
	if (!(s = alloc(r, (size_t)size + 1)))
		return nomem(r);
	if ((rc = fetch(r, off, s, (size_t)size, "string table")) < 0)
		return rc;
	r->strtab = s;
	r->strsz = size;
	return 0;
}

static int read_strings(struct rd *r, const struct dyn *d)
{
	struct tlc_elf *e = r->e;
	size_t entsize = SIZEC(r, Dyn), i, k = 0;
	int rc;

	if (d->has[D_SONAME] &&
	    (rc = str(r, d->val[D_SONAME], &e->soname, "DT_SONAME")) < 0)
		return rc;
	if (d->has[D_RPATH] &&
	    (rc = str(r, d->val[D_RPATH], &e->rpath, "DT_RPATH")) < 0)
		return rc;
	if (d->has[D_RUNPATH] &&
	    (rc = str(r, d->val[D_RUNPATH], &e->runpath, "DT_RUNPATH")) < 0)
		return rc;
	if (!(e->needed = alloc_array(r, d->nneeded + 1, sizeof(char *))))
		return nomem(r);
	for (i = 0; i < d->n; i++) {
		const unsigned char *p = d->tab + i * entsize;

		if ((int64_t)GETC(r, p, Dyn, d_tag) != DT_NEEDED)
			continue;
		if ((rc = str(r, GETC(r, p, Dyn, d_un.d_val), &e->needed[k],
			      "DT_NEEDED")) < 0)
			return rc;
		k++;
	}
	e->nneeded = k;
	return 0;
}

/* The versions one Elf_Verneed at @addr asks for (@cnt Elf_Vernaux). */
static int read_vernaux(struct rd *r, uint64_t addr, uint64_t aux,
			size_t cnt, struct tlc_elf_verneed *vn, size_t i)
{
	unsigned char b[VERNAUX_SIZE];
	char what[128], file[72];
	uint64_t next;
	size_t j;
	int rc;

	if (!(vn->versions = alloc_array(r, cnt + 1, sizeof(char *))))
		return nomem(r);
	printable(file, sizeof(file), vn->file);
	if (cnt == 0)
		return 0;
	if (aux < VERNEED_SIZE)
		return bad(r, "version-needs entry %zu points back into itself "
			   "(vn_aux %" PRIu64 ")", i, aux);
	if (!step(r, addr, aux, &addr))
		return bad(r, "version-needs entry %zu loops (vn_aux %" PRIu64
			   " wraps around)", i, aux);
	for (j = 0; j < cnt; j++) {
		snprintf(what, sizeof(what), "version-needs aux entry %zu of "
			 "'%s'", j, file);
		if ((rc = fetch_at(r, addr, b, sizeof(b), what)) < 0)
			return rc;
		if ((rc = str(r, GET(r, b, Elf64_Vernaux, vna_name),
			      &vn->versions[j], "vna_name")) < 0)
			return rc;
		next = GET(r, b, Elf64_Vernaux, vna_next);
		if (j + 1 == cnt) {
			if (next != 0)
				return bad(r, "version-needs aux chain of '%s' "
					   "goes on past vn_cnt %zu entries",
					   file, cnt);
			break;
		}
		if (next == 0)
			return bad(r, "version-needs aux chain of '%s' ends "
				   "after %zu of vn_cnt %zu entries", file,
				   j + 1, cnt);
		if (!step(r, addr, next, &addr))
			return bad(r, "version-needs aux chain of '%s' loops "
				   "(entry %zu points back to 0x%" PRIx64 ")",
				   file, j, addr);
		if (next < VERNAUX_SIZE)
			return bad(r, "version-needs aux entries of '%s' "
				   "overlap (vna_next %" PRIu64 ")", file,
				   next);
	}
	vn->n = cnt;
	return 0;
}

/* The Elf_Verneed chain at @addr, @num entries (DT_VERNEEDNUM). */
static int read_verneed(struct rd *r, uint64_t addr, uint64_t num)
{
	struct tlc_elf *e = r->e;
	unsigned char b[VERNEED_SIZE];
	size_t i, total = 0;
	char what[64];
	int rc;

	if (num > TLC_ELF_MAX_ENTRIES)
		return bad(r, "DT_VERNEEDNUM %" PRIu64 " is over %d", num,
			   TLC_ELF_MAX_ENTRIES);
	if (!(e->verneed = alloc_array(r, (size_t)num + 1,
				       sizeof(*e->verneed))))
		return nomem(r);
	for (i = 0; i < num; i++) {
		struct tlc_elf_verneed *vn = &e->verneed[i];
		uint64_t version, cnt, next;

		snprintf(what, sizeof(what), "version-needs entry %zu", i);
		if ((rc = fetch_at(r, addr, b, sizeof(b), what)) < 0)
			return rc;
		version = GET(r, b, Elf64_Verneed, vn_version);
		if (version != VER_NEED_CURRENT)
			return bad(r, "version-needs entry %zu has vn_version "
				   "%" PRIu64 ", not 1", i, version);
		if ((rc = str(r, GET(r, b, Elf64_Verneed, vn_file), &vn->file,
			      "vn_file")) < 0)
			return rc;
		cnt = GET(r, b, Elf64_Verneed, vn_cnt);
		if (cnt > TLC_ELF_MAX_ENTRIES - total)
			return bad(r, "too many version-needs entries (more "
				   "than %d)", TLC_ELF_MAX_ENTRIES);
		total += cnt;
		if ((rc = read_vernaux(r, addr,
				       GET(r, b, Elf64_Verneed, vn_aux),
				       (size_t)cnt, vn, i)) < 0)
			return rc;
		e->nverneed = i + 1;
		next = GET(r, b, Elf64_Verneed, vn_next);
		if (i + 1 == num) {
			if (next != 0)
				return bad(r, "version-needs chain goes on "
					   "past DT_VERNEEDNUM (%" PRIu64
					   " entries)", num);
			break;
		}
		if (next == 0)
			return bad(r, "version-needs chain ends after %zu of "
				   "DT_VERNEEDNUM %" PRIu64 " entries", i + 1,
				   num);
		if (!step(r, addr, next, &addr))
			return bad(r, "version-needs chain loops (entry %zu "
				   "points back to 0x%" PRIx64 ")", i, addr);
		if (next < VERNEED_SIZE)
			return bad(r, "version-needs entry %zu overlaps the "
				   "next (vn_next %" PRIu64 ")", i, next);
	}
	return 0;
}

/*
 * The Elf_Verdef chain at @addr, @num entries (DT_VERDEFNUM): the first
 * Elf_Verdaux of each names the version; the rest name its parents and
 * are not read.  The VER_FLG_BASE entry (the file's own name) is put
 * first.
 */
static int read_verdef(struct rd *r, uint64_t addr, uint64_t num)
{
	struct tlc_elf *e = r->e;
	unsigned char b[VERDEF_SIZE], a[VERDAUX_SIZE];
	size_t i, base = SIZE_MAX;
	char what[64];
	int rc;

	if (num > TLC_ELF_MAX_ENTRIES)
		return bad(r, "DT_VERDEFNUM %" PRIu64 " is over %d", num,
			   TLC_ELF_MAX_ENTRIES);
	if (!(e->verdef = alloc_array(r, (size_t)num + 1, sizeof(char *))))
		return nomem(r);
	for (i = 0; i < num; i++) {
		uint64_t version, aux, next, aaddr;

		snprintf(what, sizeof(what), "version definition %zu", i);
		if ((rc = fetch_at(r, addr, b, sizeof(b), what)) < 0)
			return rc;
		version = GET(r, b, Elf64_Verdef, vd_version);
		if (version != VER_DEF_CURRENT)
			return bad(r, "version definition %zu has vd_version "
				   "%" PRIu64 ", not 1", i, version);
		if (GET(r, b, Elf64_Verdef, vd_cnt) == 0)
			return bad(r, "version definition %zu has no name "
				   "(vd_cnt 0)", i);
		aux = GET(r, b, Elf64_Verdef, vd_aux);
		if (aux < VERDEF_SIZE)
			return bad(r, "version definition %zu points back into "
				   "itself (vd_aux %" PRIu64 ")", i, aux);
		if (!step(r, addr, aux, &aaddr))
			return bad(r, "version definition %zu loops (vd_aux "
				   "%" PRIu64 " wraps around)", i, aux);
		snprintf(what, sizeof(what), "version definition %zu name", i);
		if ((rc = fetch_at(r, aaddr, a, sizeof(a), what)) < 0)
			return rc;
		if ((rc = str(r, GET(r, a, Elf64_Verdaux, vda_name),
			      &e->verdef[i], "vda_name")) < 0)
			return rc;
		if (base == SIZE_MAX &&
		    (GET(r, b, Elf64_Verdef, vd_flags) & VER_FLG_BASE))
			base = i;
		next = GET(r, b, Elf64_Verdef, vd_next);
		if (i + 1 == num) {
			if (next != 0)
				return bad(r, "version-definitions chain goes "
					   "on past DT_VERDEFNUM (%" PRIu64
					   " entries)", num);
			break;
		}
		if (next == 0)
			return bad(r, "version-definitions chain ends after "
				   "%zu of DT_VERDEFNUM %" PRIu64 " entries",
				   i + 1, num);
		if (!step(r, addr, next, &addr))
			return bad(r, "version-definitions chain loops (entry "
				   "%zu points back to 0x%" PRIx64 ")", i, addr);
		if (next < VERDEF_SIZE)
			return bad(r, "version definition %zu overlaps the "
				   "next (vd_next %" PRIu64 ")", i, next);
	}
	e->nverdef = (size_t)num;
	if (base != SIZE_MAX && base > 0) {
		const char *s = e->verdef[base];

		memmove(&e->verdef[1], &e->verdef[0], base * sizeof(char *));
		e->verdef[0] = s;
	}
	return 0;
}

static int read_dynamic_view(struct rd *r, uint64_t off, uint64_t size)
{
	struct dyn d = { 0 };
	struct counts c = { 0 };
	int rc;

	if ((rc = read_dynamic(r, off, size, &d, &c)) < 0)
		goto out;
	if (d.has[D_VERNEED] != c.has_verneednum) {
		rc = bad(r, "%s without %s",
			 d.has[D_VERNEED] ? "DT_VERNEED" : "DT_VERNEEDNUM",
			 d.has[D_VERNEED] ? "DT_VERNEEDNUM" : "DT_VERNEED");
		goto out;
	}
	if (d.has[D_VERDEF] != c.has_verdefnum) {
		rc = bad(r, "%s without %s",
			 d.has[D_VERDEF] ? "DT_VERDEF" : "DT_VERDEFNUM",
			 d.has[D_VERDEF] ? "DT_VERDEFNUM" : "DT_VERDEF");
		goto out;
	}
	if (d.nneeded || d.has[D_SONAME] || d.has[D_RPATH] ||
	    d.has[D_RUNPATH] || d.has[D_VERNEED] || d.has[D_VERDEF]) {
		if ((rc = read_strtab(r, &d)) < 0)
			goto out;
	}
	if ((rc = read_strings(r, &d)) < 0)
		goto out;
	if (d.has[D_VERNEED] &&
	    (rc = read_verneed(r, d.val[D_VERNEED], c.verneednum)) < 0)
		goto out;
	if (d.has[D_VERDEF] &&
	    (rc = read_verdef(r, d.val[D_VERDEF], c.verdefnum)) < 0)
		goto out;
out:
	free(d.tab);
	return rc;
}

/* The program headers: PT_LOAD, PT_INTERP, then PT_DYNAMIC (which needs
 * the PT_LOAD list to map addresses). */
static int read_phdrs(struct rd *r, const unsigned char *eh)
{
	struct tlc_elf *e = r->e;
	uint64_t phoff = GETC(r, eh, Ehdr, e_phoff);
	uint64_t phentsize = GETC(r, eh, Ehdr, e_phentsize);
	uint64_t phnum, dyn_off = 0, dyn_size = 0;
	size_t entsize = SIZEC(r, Phdr), i, ninterp = 0, ndyn = 0;
	unsigned char *tab = NULL;
	int rc;

	if ((rc = phdr_count(r, eh, &phnum)) < 0)
		return rc;
	if (phnum == 0)
		return 0;
	if (phnum > TLC_ELF_MAX_ENTRIES)
		return bad(r, "too many program headers (%" PRIu64 ", at most "
			   "%d)", phnum, TLC_ELF_MAX_ENTRIES);
	if (phentsize != entsize)
		return bad(r, "program header entry size %" PRIu64 " is not "
			   "%zu for ELFCLASS%u", phentsize, entsize, e->cls);
	if (phoff == 0)
		return bad(r, "program header table offset is 0 (it would "
			   "overlap the ELF header)");
	if (!(tab = malloc((size_t)phnum * entsize)))
		return nomem(r);
	if ((rc = fetch(r, phoff, tab, (size_t)phnum * entsize,
			"program header table")) < 0)
		goto out;
	for (i = 0; i < phnum; i++)
		if (GETC(r, tab + i * entsize, Phdr, p_type) == PT_LOAD)
			e->nloads++;
	if (e->nloads &&
	    !(e->loads = alloc_array(r, e->nloads, sizeof(*e->loads)))) {
		rc = nomem(r);
		goto out;
	}
	e->nloads = 0;
	for (i = 0; i < phnum; i++) {
		const unsigned char *p = tab + i * entsize;
		uint64_t type = GETC(r, p, Phdr, p_type);
		uint64_t off = GETC(r, p, Phdr, p_offset);
		uint64_t filesz = GETC(r, p, Phdr, p_filesz);

		if (type == PT_LOAD) {
			struct tlc_elf_load *l = &e->loads[e->nloads];

			l->offset = off;
			l->vaddr = GETC(r, p, Phdr, p_vaddr);
			l->filesz = filesz;
			l->memsz = GETC(r, p, Phdr, p_memsz);
			l->align = GETC(r, p, Phdr, p_align);
			l->flags = (unsigned)GETC(r, p, Phdr, p_flags);
			if ((rc = check_load(r, e->nloads, l)) < 0)
				goto out;
			e->nloads++;
		} else if (type == PT_INTERP) {
			if (ninterp++) {
				rc = bad(r, "more than one PT_INTERP");
				goto out;
			}
			if ((rc = read_interp(r, off, filesz)) < 0)
				goto out;
		} else if (type == PT_DYNAMIC) {
			if (ndyn++) {
				rc = bad(r, "more than one PT_DYNAMIC");
				goto out;
			}
			dyn_off = off;
			dyn_size = filesz;
		}
	}
	if (ndyn) {
		e->dynamic = true;
		rc = read_dynamic_view(r, dyn_off, dyn_size);
	}
out:
	free(tab);
	return rc;
}

bool tlc_elf_is_elf(const void *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

int tlc_elf_read(struct tlc_elf **out, const struct tlc_elf_src *src,
		 struct tlc_error *err)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct rd r = { 0 };
	int rc;

	*out = NULL;
	r.src = src;
	r.err = err;
	if (!(r.o = calloc(1, sizeof(*r.o))))
		return nomem(&r);
	r.e = &r.o->e;
	if ((rc = read_ident(&r, eh)) < 0)
		goto out;
	if ((rc = read_phdrs(&r, eh)) < 0)
		goto out;
	/* empty lists rather than NULL, so callers may walk them */
	if ((!r.e->needed &&
	     !(r.e->needed = alloc_array(&r, 1, sizeof(char *)))) ||
	    (!r.e->verdef &&
	     !(r.e->verdef = alloc_array(&r, 1, sizeof(char *))))) {
		rc = nomem(&r);
		goto out;
	}
	*out = r.e;
	r.o = NULL;
out:
	tlc_elf_free(r.o ? &r.o->e : NULL);
	return rc;
}

struct mem_src {
	const unsigned char *data;
	size_t len;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len,
		    struct tlc_error *err)
{
	const struct mem_src *m = ctx;

	if (off > m->len || len > m->len - off)
		return tlc_error_set(err, TLC_EIO, "read past the end of the "
				     "buffer");
	memcpy(buf, m->data + off, len);
	return 0;
}

int tlc_elf_read_mem(struct tlc_elf **out, const void *data, size_t len,
		     const char *name, struct tlc_error *err)
{
	struct mem_src m = { data, len };
	struct tlc_elf_src src = { mem_read, &m, len, name };

	return tlc_elf_read(out, &src, err);
}

struct file_src {
	int fd;
	const char *path;
};

static int file_read(void *ctx, uint64_t off, void *buf, size_t len,
		     struct tlc_error *err)
{
	const struct file_src *f = ctx;
	unsigned char *p = buf;
	ssize_t n;

	while (len) {
		if (off > (uint64_t)INT64_MAX)
			return tlc_error_set(err, TLC_EIO, "cannot read '%s' "
					     "at offset %" PRIu64, f->path, off);
		n = pread(f->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tlc_error_errno(err, TLC_EIO, "cannot read "
					       "'%s'", f->path);
		if (n == 0)
			return tlc_error_set(err, TLC_EIO, "'%s' ended early "
					     "(at byte %" PRIu64 ")", f->path,
					     off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int tlc_elf_read_file(struct tlc_elf **out, const char *path,
		      struct tlc_error *err)
{
	struct file_src f = { -1, path };
	struct tlc_elf_src src = { file_read, &f, 0, path };
	struct stat st;
	int rc;

	*out = NULL;
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return tlc_error_errno(err,
				       errno == ENOENT ? TLC_ENOTFOUND : TLC_EIO,
				       "cannot open '%s'", path);
	if (fstat(f.fd, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = tlc_error_set(err, TLC_EIO, "'%s' is not a regular file",
				   path);
		goto out;
	}
	src.size = (uint64_t)st.st_size;
	rc = tlc_elf_read(out, &src, err);
out:
	close(f.fd);
	return rc;
}

const char *tlc_elf_arch(const struct tlc_elf *e)
{
	bool le = !e->big_endian;

	switch (e->machine) {
	case EM_X86_64:
		return e->cls == 64 && le ? "x86_64" : NULL;
	case EM_386:
		return e->cls == 32 && le ? "i686" : NULL;
	case EM_AARCH64:
		return e->cls == 64 && le ? "aarch64" : NULL;
	case EM_PPC64:
		if (e->cls != 64)
			return NULL;
		return le ? "ppc64le" : "ppc64";
	case EM_S390:
		return e->cls == 64 && !le ? "s390x" : NULL;
	case EM_ARM:
		return e->cls == 32 && le ? "armv7l" : NULL;
	case EM_RISCV:
		return e->cls == 64 && le ? "riscv64" : NULL;
	case EM_LOONGARCH:
		return e->cls == 64 && le ? "loongarch64" : NULL;
	default:
		return NULL;
	}
}

void tlc_elf_free(struct tlc_elf *e)
{
	struct obj *o = (struct obj *)e;
	struct blk *b, *next;

	if (!o)
		return;
	for (b = o->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(o);
}
