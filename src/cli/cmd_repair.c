/*
 * tlcpack repair: graft external libraries into a wheel, leave the GPU
 * driver's and the excluded ones to the host, and retag it for a
 * manylinux policy.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "tlcpack/repair.h"

#define MAX_LIST 256		/* values of a repeatable option */

static const struct option options[] = {
	{ "plat", required_argument, NULL, 'p' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "provided", required_argument, NULL, 'P' },
	{ "lib-path", required_argument, NULL, 'L' },
	{ "wheel-dir", required_argument, NULL, 'w' },
	{ "level", required_argument, NULL, 'l' },
	{ "threads", required_argument, NULL, 'j' },
	{ "patchelf", required_argument, NULL, 'E' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack repair [options] WHEEL...\n"
	       "\n"
	       "Make each WHEEL meet a manylinux policy: copy the external "
	       "libraries it\n"
	       "needs (and theirs) into <name>.libs/ with a content hash in "
	       "their names,\n"
	       "point the ELF files at them, and write the wheel again with "
	       "the policy's\n"
	       "platform tag.  GPU driver libraries (libcuda.so.1, "
	       "libnvidia-ml.so.1 ...)\n"
	       "are never copied.  Members that do not change are copied "
	       "raw, without\n"
	       "being inflated.  Every ELF edit is read back and checked, "
	       "and the new\n"
	       "wheel is audited again.  WHEEL itself is never changed.  "
	       "Prints the\n"
	       "repaired wheels' paths.\n"
	       "\n"
	       "Options:\n"
	       "      --plat POLICY        the policy (manylinux_2_28, "
	       "manylinux2014, ...);\n"
	       "                           default: the most compatible one "
	       "repair reaches\n"
	       "      --exclude PATTERN    never graft libraries of this "
	       "SONAME family\n"
	       "                           ('libfoo.so' also matches "
	       "'libfoo.so.5'); repeatable\n"
	       "      --provided PATTERN=DIR\n"
	       "                           libraries a dependency installs "
	       "in DIR (relative\n"
	       "                           to site-packages, e.g. "
	       "'libcublas.so=nvidia/cublas/lib'):\n"
	       "                           not grafted, found through the "
	       "run path; repeatable\n"
	       "      --lib-path DIR       search DIR for external libraries "
	       "too; repeatable\n"
	       "  -w, --wheel-dir DIR      write repaired wheels to DIR "
	       "(default: wheelhouse)\n"
	       "      --level N            deflate level of changed members, "
	       "0 to 9 (default: 6)\n"
	       "  -j, --threads N          compression threads (default: 0, "
	       "one per CPU)\n"
	       "      --patchelf PATH      the patchelf to run (default: from "
	       "PATH)\n"
	       "  -h, --help               show this help\n");
}

static int add(const char **list, size_t *n, const char *v, const char *opt)
{
	if (*n == MAX_LIST)
		return cli_usage_error("repair", "more than %d %s values",
				       MAX_LIST, opt);
	list[(*n)++] = v;
	return 0;
}

int cmd_repair(int argc, char **argv)
{
	struct tlc_repair_opts opts = TLC_REPAIR_OPTS_INIT;
	const char *exclude[MAX_LIST + 1] = { NULL }, *libs[MAX_LIST + 1] = {
		NULL };
	struct tlc_repair_provided provided[MAX_LIST];
	size_t nexclude = 0, nlibs = 0;
	long long v;
	int c, rc = CLI_EXIT_OK;

	opts.outdir = "wheelhouse";
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:j:h", options, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 'p':
			opts.policy = optarg;
			break;
		case 'x':
			if ((rc = add(exclude, &nexclude, optarg,
				      "--exclude")) != 0)
				return rc;
			break;
		case 'L':
			if ((rc = add(libs, &nlibs, optarg, "--lib-path")) != 0)
				return rc;
			break;
		case 'P':
			if (!(eq = strchr(optarg, '=')) || eq == optarg ||
			    !eq[1])
				return cli_usage_error("repair", "--provided "
						       "'%s' is not "
						       "PATTERN=DIR", optarg);
			if (opts.nprovided == MAX_LIST)
				return cli_usage_error("repair", "more than "
						       "%d --provided values",
						       MAX_LIST);
			*eq = '\0';
			provided[opts.nprovided].pattern = optarg;
			provided[opts.nprovided++].dir = eq + 1;
			break;
		case 'w':
			opts.outdir = optarg;
			break;
		case 'l':
			if (!cli_parse_num(optarg, 0, 9, &v))
				return cli_usage_error("repair", "--level '%s' "
						       "is not 0 to 9", optarg);
			opts.level = (int)v;
			break;
		case 'j':
			if (!cli_parse_num(optarg, 0, 1024, &v))
				return cli_usage_error("repair", "--threads "
						       "'%s' is not 0 to 1024",
						       optarg);
			opts.threads = (unsigned)v;
			break;
		case 'E':
			opts.patchelf = optarg;
			break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("repair", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("repair", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc == optind)
		return cli_usage_error("repair", "no wheel to repair");
	opts.exclude = exclude;
	opts.lib_path = libs;
	opts.provided = provided;
	opts.progress = cli_progress;
	for (int i = optind; i < argc; i++) {
		struct tlc_error err = TLC_ERROR_INIT;
		struct tlc_repair_result res;

		if (tlc_repair_wheel(argv[i], &opts, &res, &err) < 0) {
			int r = cli_error_tlc(&err);

			if (r > rc)
				rc = r;
			continue;
		}
		fprintf(stderr, "repaired %s for %s: %zu librar%s grafted, "
			"%zu member%s edited, %zu copied raw\n", argv[i],
			res.policy, res.ngrafted, res.ngrafted == 1 ? "y" :
			"ies", res.nedited, res.nedited == 1 ? "" : "s",
			res.nraw);
		if (res.nunlicensed)
			fprintf(stderr, "tlcpack: warning: no licence file "
				"found on this machine for %zu grafted "
				"librar%s (see tlcpack-repair.json)\n",
				res.nunlicensed,
				res.nunlicensed == 1 ? "y" : "ies");
		printf("%s\n", res.path.ptr);
		fflush(stdout);
		tlc_repair_result_release(&res);
	}
	return rc;
}
