/*
 * What every command shares: exit codes (libgit2 CLI_EXIT_*, git's
 * die/usage) and reporting.  Only the CLI prints and exits.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "tlcpack/error.h"
#include "tlcpack/progress.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILED = 1,	/* the command ran and failed */
	CLI_EXIT_FATAL = 128,	/* environment or internal error */
	CLI_EXIT_USAGE = 129,	/* bad command line */
};

/** Print "tlcpack: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Print @err's message and map its code to an exit code. */
int cli_error_tlc(const struct tlc_error *err);

/** Print "tlcpack: <msg>" and a hint to run --help; return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** A progress callback: a bar on a terminal, plain lines otherwise.
 * @data is unused. */
void cli_progress(const struct tlc_progress *p, void *data);

/** True when stderr is a terminal and TERM is not "dumb". */
bool cli_stderr_is_tty(void);

/** Run `tlcpack-http @cmd argv[1]...`; returns only on failure.  The
 * commands that speak HTTP live there (see src/http/main.c). */
int cli_exec_http(const char *cmd, int argc, char **argv);

/* @v bytes for people: "512 B", "165.0 KiB", "1.4 MiB" (2^10 units). */
void cli_human_bytes(char *out, size_t n, unsigned long long v);

/* Append @s to the NULL-terminated list *@list of *@n strings (borrowed,
 * not copied); -1 when out of memory. */
int cli_strv_push(const char ***list, size_t *n, const char *s);

/* Print the last @n lines of the file at @path (all of it: @n < 0) to
 * stderr, between marker lines; nothing when it cannot be read. */
void cli_show_tail(const char *path, int n);

/* Remove @path and everything under it, never following a symlink;
 * 0 or -1 (errno set). */
int cli_remove_tree(const char *path);

/* Is @s a whole decimal number in [@min, @max]?  Then *@out is it. */
bool cli_parse_num(const char *s, long long min, long long max,
		   long long *out);

#endif
