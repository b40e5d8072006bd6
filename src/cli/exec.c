/*
 * The commands that speak HTTP run in tlcpack-http (src/http/main.c), so
 * that tlcpack itself starts without libmicrohttpd and libcurl.  This is
 * how tlcpack finds and runs it, as git finds its helpers in its
 * exec-path.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define HELPER "tlcpack-http"

/* Is "<dir><rel>tlcpack-http" executable?  Then @out holds it. */
static bool try_helper(char *out, size_t size, const char *dir, size_t len,
		       const char *rel)
{
	int n = snprintf(out, size, "%.*s%s" HELPER, (int)len, dir, rel);

	return n > 0 && (size_t)n < size && !access(out, X_OK);
}

int cli_exec_http(const char *cmd, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	const char *env = getenv("TLCPACK_EXEC_PATH");
	char **args;
	ssize_t n;
	size_t dir;

	if (env && *env) {
		if (!try_helper(path, sizeof(path), env, strlen(env), "/")) {
			cli_error("no executable " HELPER " in "
				  "TLCPACK_EXEC_PATH '%s'", env);
			return CLI_EXIT_FATAL;
		}
		goto run;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0) {
		cli_error("cannot find tlcpack's own path: %s",
			  strerror(errno));
		return CLI_EXIT_FATAL;
	}
	self[n] = '\0';
	dir = (size_t)(strrchr(self, '/') - self) + 1;
	/* beside tlcpack (a build tree), or installed in libexec */
	if (!try_helper(path, sizeof(path), self, dir, "") &&
	    !try_helper(path, sizeof(path), self, dir,
			"../libexec/tlcpack/")) {
		cli_error(HELPER " is not installed beside '%s' nor in "
			  "../libexec/tlcpack/: 'tlcpack %s' needs it",
			  self, argv[0]);
		return CLI_EXIT_FATAL;
	}
run:
	if (!(args = calloc((size_t)argc + 2, sizeof(*args)))) {
		cli_error("out of memory");
		return CLI_EXIT_FATAL;
	}
	args[0] = path;
	args[1] = (char *)cmd;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv(path, args);
	free(args);
	cli_error("cannot run '%s': %s", path, strerror(errno));
	return CLI_EXIT_FATAL;
}
