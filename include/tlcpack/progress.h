/*
 * Progress reports: the library calls back, the CLI renders (a bar on a
 * terminal, plain lines otherwise).  The library never prints.
 */
#ifndef TLC_PROGRESS_H
#define TLC_PROGRESS_H

#include <stdint.h>

struct tlc_progress {
	const char *step;	/* "configure", "build", "pack", ... */
	const char *item;	/* what the step works on: a variant, a wheel */
	uint64_t done;		/* units done so far (bytes for "pack") */
	uint64_t total;		/* 0 when unknown */
	int finished;		/* 1 on the step's last report */
};

/* Called from the thread that called the library, never concurrently. */
typedef void (*tlc_progress_cb)(const struct tlc_progress *p, void *data);

#endif
