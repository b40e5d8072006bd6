/*
 * tlcpack pack: build a wheel from an unpacked wheel directory, as
 * `python3 -m wheel pack` does, deflating on every core.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "tlcpack/buf.h"
#include "tlcpack/wheel.h"

static const struct option options[] = {
	{ "dest-dir", required_argument, NULL, 'd' },
	{ "level", required_argument, NULL, 'l' },
	{ "threads", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack pack [options] DIR\n"
	       "\n"
	       "Pack DIR, an unpacked wheel, into a wheel with a fresh RECORD.\n"
	       "DIR holds the package files and one NAME-VERSION.dist-info\n"
	       "directory with METADATA and WHEEL; the wheel's name, version\n"
	       "and tags come from there.  Prints the wheel's path.\n"
	       "\n"
	       "Options:\n"
	       "  -d, --dest-dir DIR  write the wheel to DIR (default: .)\n"
	       "      --level N       deflate level, 0 (store) to 9 "
	       "(default: 6)\n"
	       "      --threads N     compression threads (default: 0, one "
	       "per CPU)\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Member times come from SOURCE_DATE_EPOCH when it is set, "
	       "else 1980-01-01,\n"
	       "so the same tree always gives the same bytes.\n");
}

int cmd_pack(int argc, char **argv)
{
	struct tlc_wheel_opts opts = TLC_WHEEL_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf path = TLC_BUF_INIT;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	long long v;
	int c, rc;

	optind = 0;	/* glibc: start afresh */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			opts.outdir = optarg;
			break;
		case 'l':
			if (!cli_parse_num(optarg, 0, 9, &v))
				return cli_usage_error("pack", "--level '%s' "
						       "is not 0 to 9", optarg);
			opts.level = (int)v;
			break;
		case 'j':
			if (!cli_parse_num(optarg, 0, 1024, &v))
				return cli_usage_error("pack", "--threads '%s' "
						       "is not 0 to 1024",
						       optarg);
			opts.threads = (unsigned)v;
			break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("pack", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("pack", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("pack", argc == optind ?
				       "no directory to pack" :
				       "one directory to pack, not %d",
				       argc - optind);
	if (sde && *sde) {
		/* https://reproducible-builds.org/specs/source-date-epoch/ */
		if (!cli_parse_num(sde, 0, INT64_MAX, &v)) {
			cli_error("SOURCE_DATE_EPOCH '%s' is not a number of "
				  "seconds", sde);
			return CLI_EXIT_FATAL;
		}
		opts.epoch = v;
	}
	opts.progress = cli_progress;

	if (tlc_wheel_pack(&path, argv[optind], &opts, &err) < 0) {
		rc = cli_error_tlc(&err);
		goto out;
	}
	printf("%s\n", path.ptr);
	rc = CLI_EXIT_OK;
out:
	tlc_buf_release(&path);
	return rc;
}
