/*
 * tlcpack: ship a native Python project as binary wheels.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cmd.h"

static int cmd_help(int argc, char **argv);

static const struct cli_command commands[] = {
	{ "audit", cmd_audit,
	  "Report a wheel's ELF files against the manylinux policies" },
	{ "build", cmd_build,
	  "Build wheels for every variant and Python of a recipe" },
	{ "help", cmd_help, "Show help for tlcpack or one of its commands" },
	{ "image", cmd_image,
	  "Write OCI images of wheels; print build-image Dockerfiles" },
	{ "index", cmd_index,
	  "Regenerate, check and repair a repository's index pages" },
	{ "matrix", cmd_matrix,
	  "Print a recipe's build jobs as a CI matrix (GitHub, GitLab)" },
	{ "pack", cmd_pack, "Pack an unpacked wheel directory into a wheel" },
	{ "prune", cmd_prune,
	  "Keep the newest N nightlies per group; yank or delete the rest" },
	{ "publish", cmd_publish,
	  "Validate wheels and add them to a repository and its index" },
	{ "release", cmd_release,
	  "Build, test, publish and prune every wheel of a recipe" },
	{ "repair", cmd_repair,
	  "Graft external libraries into wheels and retag them manylinux" },
	{ "serve", cmd_serve,
	  "Serve a repository over HTTP, with twine-compatible upload" },
	{ "test", cmd_test,
	  "Install wheels through their index into a fresh venv and test" },
	{ "unyank", cmd_unyank, "Undo 'tlcpack yank'" },
	{ "yank", cmd_yank,
	  "Mark files of a repository yanked (PEP 592), with a reason" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: tlcpack [--version] [--help] <command> [<args>]\n"
		"\n"
		"Build, repair and publish binary wheels of a native Python "
		"project.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nRun 'tlcpack <command> --help' for a command's "
		   "options.\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--markdown")) {
		/* the README's command table */
		printf("| command | what it does |\n|---|---|\n");
		for (size_t i = 0; i < NCOMMANDS; i++)
			printf("| `tlcpack %s` | %s |\n", commands[i].name,
			       commands[i].summary);
		return CLI_EXIT_OK;
	}
	if (!(c = find_command(argv[1])))
		return cli_usage_error(NULL, "'%s' is not a tlcpack command",
				       argv[1]);
	if (c->fn == cmd_help) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	{
		char *args[] = { argv[1], "--help", NULL };
		return c->fn(2, args);
	}
}

static int finish_stdout(int rc)
{
	/* git's run_builtin: a failed write to stdout is a failure */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno == EPIPE)
			return rc;
		cli_error("cannot write to standard output: %s",
			  strerror(errno));
		return CLI_EXIT_FATAL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct cli_command *c;

	/*
	 * tlcpack uses libcrypto for digests only (SHA-256), never for TLS
	 * (that is tlcpack-http's libcurl): it needs neither the system's
	 * openssl.cnf nor OpenSSL's error strings, whose loading would be a
	 * fifth of the work of publishing one wheel.
	 */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
			    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return finish_stdout(CLI_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("tlcpack %s\n", TLC_VERSION);
		return finish_stdout(CLI_EXIT_OK);
	}
	if (argv[1][0] == '-')
		return cli_usage_error(NULL, "unknown option '%s'", argv[1]);
	if (!(c = find_command(argv[1])))
		return cli_usage_error(NULL, "'%s' is not a tlcpack command",
				       argv[1]);
	return finish_stdout(c->fn(argc - 1, argv + 1));
}
