/*
 * tlcpack audit: report a wheel's ELF files against the manylinux
 * policies: what each needs, where it resolves, the best platform tag the
 * wheel can carry and why no better one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "tlcpack/audit.h"
#include "tlcpack/buf.h"

#define MAX_LIST 256		/* --exclude / --lib-path values */

static const struct option options[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "plat", required_argument, NULL, 'p' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "lib-path", required_argument, NULL, 'L' },
	{ "all-policies", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack audit [options] WHEEL...\n"
	       "\n"
	       "Report each ELF file of each WHEEL: class and machine, SONAME,\n"
	       "needed libraries, run path and the symbol versions it "
	       "requires, and\n"
	       "where each needed library resolves: in the wheel, excluded "
	       "(GPU driver\n"
	       "libraries always are), on the policy's allow-list, or "
	       "external (on this\n"
	       "machine, to be grafted by 'tlcpack repair').  Then the most "
	       "compatible\n"
	       "manylinux tag the wheel meets as it is, the one repair can "
	       "reach, and\n"
	       "for each better tag, why the wheel misses it.  Only ELF "
	       "members are read,\n"
	       "straight from the zip; nothing is extracted.\n"
	       "\n"
	       "Options:\n"
	       "      --json            print a JSON array, one object per "
	       "wheel\n"
	       "      --plat POLICY     fail (exit 1) unless every wheel "
	       "meets POLICY\n"
	       "                        (manylinux_2_17, manylinux2014, ...)\n"
	       "      --exclude PATTERN never graft libraries of this SONAME "
	       "family\n"
	       "                        ('libfoo.so' also matches "
	       "'libfoo.so.5'); repeatable\n"
	       "      --lib-path DIR    search DIR for external libraries "
	       "too; repeatable\n"
	       "      --all-policies    judge policies newer than this "
	       "machine's glibc too\n"
	       "  -h, --help            show this help\n"
	       "\n"
	       "Exit status: 0, or 1 when a wheel cannot be read or misses "
	       "--plat.\n");
}

static void print_versions(const struct tlc_elf *e)
{
	for (size_t i = 0; i < e->nverneed; i++) {
		printf("    %-10s", i ? "" : "versions");
		for (size_t k = 0; k < e->verneed[i].n; k++)
			printf(" %s", e->verneed[i].versions[k]);
		printf(" (%s)\n", e->verneed[i].file);
	}
}

static void print_file(const struct tlc_audit_elf *f)
{
	const struct tlc_elf *e = f->elf;

	printf("  %s  ELF%u %s\n", f->name, e->cls,
	       f->arch ? f->arch : "unknown machine");
	if (e->soname)
		printf("    %-10s %s\n", "soname", e->soname);
	if (e->rpath)
		printf("    %-10s %s\n", "rpath", e->rpath);
	if (e->runpath)
		printf("    %-10s %s\n", "runpath", e->runpath);
	print_versions(e);
	for (size_t i = 0; i < f->ndeps; i++) {
		const struct tlc_audit_dep *d = &f->deps[i];

		printf("    %-10s %-28s %-9s %s%s%s\n", i ? "" : "needs",
		       d->name, tlc_audit_where_name(d->where),
		       d->path ? d->path : "", d->why ? d->why : "",
		       d->where == TLC_AUDIT_MISSING ? "not found" : "");
	}
	if (f->best)
		printf("    %-10s %s (by its symbol versions)\n", "best",
		       f->best->name);
}

static void print_tag(const char *label, const struct tlc_policy *p,
		      const char *arch)
{
	char tag[256];

	if (!p) {
		printf("  %-14s none\n", label);
		return;
	}
	if (arch && tlc_policy_platform_tag(p, arch, tag, sizeof(tag)) >= 0)
		printf("  %-14s %s\n", label, tag);
	else
		printf("  %-14s %s\n", label, p->name);
}

static void print_text(const struct tlc_audit *a)
{
	printf("%s\n", a->wheel);
	if (a->pure) {
		printf("  no ELF file: a pure wheel, no platform policy "
		       "applies\n\n");
		return;
	}
	print_tag("platform tag", a->best, a->arch);
	print_tag("after repair", a->repaired, a->arch);
	printf("\n");
	for (size_t i = 0; i < a->nmembers; i++)
		print_file(&a->members[i]);
	for (size_t i = 0, n = 0; i < a->nlibs; i++) {
		if (a->libs[i].system)
			continue;	/* libc and its kind: in the JSON */
		if (n++ == 0)
			printf("\n  external libraries, grafted by repair:\n");
		print_file(&a->libs[i]);
	}
	for (size_t i = 0; i < a->nblocks; i++) {
		const struct tlc_audit_block *b = &a->blocks[i];

		if (i == 0)
			printf("\n  better tags missed:\n");
		printf("  %s%s%s%s:\n", b->policy->name,
		       b->policy->alias ? " (" : "",
		       b->policy->alias ? b->policy->alias : "",
		       b->policy->alias ? ")" : "");
		for (size_t k = 0; k < b->nwhy; k++)
			printf("    - %s\n", b->why[k]);
		if (b->repairable)
			printf("    (tlcpack repair reaches it)\n");
	}
	printf("\n");
}

int cmd_audit(int argc, char **argv)
{
	struct tlc_audit_opts opts = TLC_AUDIT_OPTS_INIT;
	const char *exclude[MAX_LIST + 1] = { NULL }, *libs[MAX_LIST + 1] = {
		NULL };
	size_t nexclude = 0, nlibs = 0;
	const struct tlc_policy *plat = NULL;
	struct tlc_buf json = TLC_BUF_INIT;
	bool as_json = false;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		struct tlc_error err = TLC_ERROR_INIT;

		switch (c) {
		case 'J':
			as_json = true;
			break;
		case 'p':
			if (!(plat = tlc_policy_find(optarg, &err)))
				return cli_usage_error("audit", "%s", err.msg);
			break;
		case 'x':
		case 'L':
			if ((c == 'x' ? nexclude : nlibs) == MAX_LIST)
				return cli_usage_error("audit", "more than %d "
						       "%s values", MAX_LIST,
						       argv[optind - 2]);
			if (c == 'x')
				exclude[nexclude++] = optarg;
			else
				libs[nlibs++] = optarg;
			break;
		case 'A':
			opts.all_policies = true;
			break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("audit", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("audit", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc == optind)
		return cli_usage_error("audit", "no wheel to audit");
	opts.exclude = exclude;
	opts.lib_path = libs;
	if (!as_json)
		opts.progress = cli_progress;
	if (as_json && tlc_buf_puts(&json, "[") < 0)
		goto nomem;
	for (int i = optind; i < argc; i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_audit *a;

		if (tlc_audit_wheel(&a, argv[i], &opts, &err) < 0) {
			int r = cli_error_tlc(&err);

			if (r > rc)
				rc = r;
			continue;
		}
		if (as_json) {
			if ((json.len > 1 && tlc_buf_puts(&json, ",\n") < 0) ||
			    tlc_audit_json(a, &json, &err) < 0) {
				tlc_audit_free(a);
				goto nomem;
			}
			/* drop the object's newline; the array closes it */
			tlc_buf_truncate(&json, json.len - 1);
		} else {
			print_text(a);
		}
		if (plat && !a->pure && tlc_audit_policy_better(plat, a->best)) {
			const char *why = "it is newer than this machine's "
					  "glibc (try --all-policies)";

			for (size_t k = 0; k < a->nblocks; k++)
				if (a->blocks[k].policy == plat)
					why = a->blocks[k].why[0];
			cli_error("%s does not meet %s: %s", argv[i],
				  plat->name, why);
			if (rc < CLI_EXIT_FAILED)
				rc = CLI_EXIT_FAILED;
		}
		tlc_audit_free(a);
	}
	if (as_json) {
		if (tlc_buf_puts(&json, "]\n") < 0)
			goto nomem;
		fwrite(json.ptr, 1, json.len, stdout);
	}
	tlc_buf_release(&json);
	return rc;
nomem:
	tlc_buf_release(&json);
	cli_error("out of memory");
	return CLI_EXIT_FATAL;
}
