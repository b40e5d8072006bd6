/*
 * tlcpack-http: the commands of tlcpack that speak HTTP.
 *
 * tlcpack(1) execs this program for `tlcpack serve` and for
 * `tlcpack publish --to URL`, as git(1) execs git-remote-http: only
 * these commands pay for loading libmicrohttpd, libcurl and their TLS
 * libraries.  It is not meant to be run by hand, but it can be:
 * `tlcpack-http serve --repo DIR`.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "http_cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "serve", cmd_serve },
	{ "upload", cmd_upload },
	{ "prune", cmd_prune_remote },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: tlcpack-http (serve|upload) "
				"[<args>]\n");
		return CLI_EXIT_USAGE;
	}
	/* a client that goes away is an error to report, not a signal */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		rc = commands[i].fn(argc - 1, argv + 1);
		if (fflush(stdout) || ferror(stdout)) {
			if (errno != EPIPE) {
				cli_error("cannot write to standard output: "
					  "%s", strerror(errno));
				return CLI_EXIT_FATAL;
			}
		}
		return rc;
	}
	return cli_usage_error(NULL, "'%s' is not a tlcpack-http command",
			       argv[1]);
}
