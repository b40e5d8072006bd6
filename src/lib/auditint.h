/*
 * What repair needs from the audit beyond its public result (internal).
 */
#ifndef TLC_AUDITINT_H
#define TLC_AUDITINT_H

#include <stdbool.h>

#include "tlcpack/audit.h"
#include "tlcpack/wheel.h"

/* What a repair to one policy has to do. */
struct tlc__audit_plan {
	bool *graft;		/* [a->nlibs]: copy libs[i] into the wheel */
	bool *edit;		/* [a->nmembers]: member i needs an edit */
	size_t nwhy;		/* why the policy cannot be reached; 0: it can */
	const char **why;	/* borrowed from the audit */
};

/**
 * Plan a repair of @a to @p: which external libraries to graft (those not
 * allowed by @p, recursively), which members to edit (those needing a
 * grafted library, or a member not on their run path, or a library left
 * to a dependency).  When @p cannot be reached, plan->why says why.
 */
int tlc__audit_plan(const struct tlc_audit *a, const struct tlc_policy *p,
		    struct tlc__audit_plan *plan, struct tlc_error *err);

void tlc__audit_plan_release(struct tlc__audit_plan *plan);

/** The wheel the audit read, still open. */
const struct tlc_wheel_reader *tlc__audit_wheel(const struct tlc_audit *a);

/** Is @name the dynamic loader ("ld-linux-x86-64.so.2", "ld64.so.2")? */
bool tlc__audit_is_loader(const char *name);

#endif
