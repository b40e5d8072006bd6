/*
 * libFuzzer target for the ELF reader: read the input as an ELF file.
 * A refusal must be TLC_EPOLICY with a one-line message that starts with
 * the file's name; a success must hold only what the header promises
 * (NULL-terminated lists of the stated lengths, strings that end), and
 * reading the same bytes through a callback that hands them out in
 * pieces must agree.  Seeds: tests/elf/fuzz-seeds.sh; dictionary:
 * tests/elf/fuzz_elf.dict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlcpack/elf.h"

#include "fuzzutil.h"

static volatile size_t sink;

/* Walk every string and array: ASan catches a byte out of place. */
static void touch(const struct tlc_elf *e)
{
	size_t i, j, n = 0;

	if (e->cls != 32 && e->cls != 64)
		abort();
	if (e->interp)
		n += strlen(e->interp);
	if (e->soname)
		n += strlen(e->soname);
	if (e->rpath)
		n += strlen(e->rpath);
	if (e->runpath)
		n += strlen(e->runpath);
	if (!e->needed || e->needed[e->nneeded])
		abort();
	for (i = 0; i < e->nneeded; i++)
		n += strlen(e->needed[i]);
	if (!e->dynamic && (e->nneeded || e->soname || e->nverneed))
		abort();
	for (i = 0; i < e->nverneed; i++) {
		const struct tlc_elf_verneed *v = &e->verneed[i];

		n += strlen(v->file);
		if (v->versions[v->n])
			abort();
		for (j = 0; j < v->n; j++)
			n += strlen(v->versions[j]);
	}
	if (!e->verdef || e->verdef[e->nverdef])
		abort();
	for (i = 0; i < e->nverdef; i++)
		n += strlen(e->verdef[i]);
	for (i = 0; i < e->nloads; i++) {
		const struct tlc_elf_load *l = &e->loads[i];

		if (l->filesz > l->memsz)
			abort();
		n += (size_t)(l->offset ^ l->vaddr ^ l->align ^ l->flags);
	}
	if (tlc_elf_arch(e))
		n += strlen(tlc_elf_arch(e));
	sink = n;
}

struct pieces {
	const uint8_t *data;
	size_t size;
};

/* Hands out bytes in reads of at most 7 at a time, to be joined here. */
static int pieces_read(void *ctx, uint64_t off, void *buf, size_t len,
		       struct tlc_error *err)
{
	const struct pieces *p = ctx;
	unsigned char *out = buf;

	if (off > p->size || len > p->size - off)
		abort();	/* the reader checks bounds first */
	while (len) {
		size_t n = len < 7 ? len : 7;

		memcpy(out, p->data + off, n);
		out += n;
		off += n;
		len -= n;
	}
	(void)err;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_error err = TLC_ERROR_INIT, err2 = TLC_ERROR_INIT;
	struct pieces p = { data, size };
	struct tlc_elf_src src = { pieces_read, &p, size, "fuzz.so" };
	struct tlc_elf *e = NULL, *e2 = NULL;
	int rc, rc2;

	rc = tlc_elf_read_mem(&e, data, size, "fuzz.so", &err);
	rc2 = tlc_elf_read(&e2, &src, &err2);
	if (rc != rc2 || strcmp(err.msg, err2.msg) != 0)
		abort();
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		if (rc != TLC_EPOLICY || e || e2)
			abort();
		if (strncmp(err.msg, "fuzz.so: ", 9) != 0)
			abort();
		return 0;
	}
	if (err.code != 0 || !tlc_elf_is_elf(data, size))
		abort();
	touch(e);
	touch(e2);
	if (e->nneeded != e2->nneeded || e->nverneed != e2->nverneed ||
	    e->nverdef != e2->nverdef || e->nloads != e2->nloads)
		abort();
	tlc_elf_free(e);
	tlc_elf_free(e2);
	return 0;
}
