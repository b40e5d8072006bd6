#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("tlcpack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_error_tlc(const struct tlc_error *err)
{
	cli_error("%s", err->msg[0] ? err->msg : tlc_error_name(err->code));
	switch (err->code) {
	case TLC_ENOMEM:
	case TLC_EIO:
		return CLI_EXIT_FATAL;
	default:
		return CLI_EXIT_FAILED;
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("tlcpack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'tlcpack %s%s--help' for usage.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return CLI_EXIT_USAGE;
}

bool cli_stderr_is_tty(void)
{
	const char *term = getenv("TERM");

	return isatty(STDERR_FILENO) && term && strcmp(term, "dumb");
}

void cli_human_bytes(char *out, size_t n, unsigned long long v)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	unsigned u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(out, n, u ? "%.1f %s" : "%.0f %s", d, units[u]);
}

void cli_progress(const struct tlc_progress *p, void *data)
{
	/* a step's time runs from its first report, or, for a step that
	 * reports only its end, from the end of the one before */
	static struct timespec started, last_end;
	static int line_open, have_start;
	struct timespec now;
	bool tty = cli_stderr_is_tty();
	char done[32], total[32];
	double secs;

	(void)data;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last_end.tv_sec && !last_end.tv_nsec)
		last_end = now;
	if (!p->finished) {
		if (p->done == 0 || !have_start) {
			started = now;
			have_start = 1;
		}
		if (!tty)
			return;	/* plain output: one line when a step ends */
		if (p->total) {
			unsigned pct = (unsigned)(p->done * 100 / p->total);
			unsigned fill = pct * 30 / 100;
			char bar[31];

			memset(bar, '#', fill);
			memset(bar + fill, '.', 30 - fill);
			bar[30] = '\0';
			cli_human_bytes(done, sizeof(done), p->done);
			cli_human_bytes(total, sizeof(total), p->total);
			fprintf(stderr, "\r%-9s %s [%s] %3u%% %s/%s\033[K",
				p->step, p->item ? p->item : "", bar, pct,
				done, total);
		} else {
			fprintf(stderr, "\r%-9s %s ...\033[K", p->step,
				p->item ? p->item : "");
		}
		line_open = 1;
		return;
	}
	if (line_open) {
		fputs("\r\033[K", stderr);
		line_open = 0;
	}
	if (!have_start)
		started = last_end;
	secs = (double)(now.tv_sec - started.tv_sec) +
	       (double)(now.tv_nsec - started.tv_nsec) / 1e9;
	have_start = 0;
	last_end = now;
	if (p->total) {
		cli_human_bytes(total, sizeof(total), p->total);
		fprintf(stderr, "%-9s %s (%s, %.1fs)\n", p->step,
			p->item ? p->item : "", total, secs);
	} else {
		fprintf(stderr, "%-9s %s (%.1fs)\n", p->step,
			p->item ? p->item : "", secs);
	}
}

bool cli_parse_num(const char *s, long long min, long long max,
		   long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int cli_strv_push(const char ***list, size_t *n, const char *s)
{
	const char **l = realloc(*list, (*n + 2) * sizeof(**list));

	if (!l)
		return -1;
	l[(*n)++] = s;
	l[*n] = NULL;
	*list = l;
	return 0;
}

void cli_show_tail(const char *path, int n)
{
	FILE *f = fopen(path, "r");
	long size, pos;
	int lines = 0, c;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	for (pos = size - 1; pos >= 0 && n >= 0; pos--) {
		fseek(f, pos, SEEK_SET);
		c = fgetc(f);
		if (c == '\n' && pos != size - 1 && ++lines == n)
			break;
	}
	if (n < 0)
		pos = -1;
	fseek(f, pos + 1, SEEK_SET);
	fflush(stdout);
	fprintf(stderr, "--- %s %s ---\n", n < 0 ? "log" : "last lines of",
		path);
	while ((c = fgetc(f)) != EOF)
		fputc(c, stderr);
	fprintf(stderr, "---\n");
	fclose(f);
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int cli_remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
