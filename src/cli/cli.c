#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void human_bytes(char *out, size_t n, unsigned long long v)
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
	static int bar_open;
	char done[32], total[32];

	(void)data;
	if (cli_stderr_is_tty() && !p->finished && p->total) {
		unsigned pct = (unsigned)(p->done * 100 / p->total);
		unsigned fill = pct * 30 / 100;
		char bar[31];

		memset(bar, '#', fill);
		memset(bar + fill, '.', 30 - fill);
		bar[30] = '\0';
		human_bytes(done, sizeof(done), p->done);
		human_bytes(total, sizeof(total), p->total);
		fprintf(stderr, "\r%-9s %s [%s] %3u%% %s/%s\033[K", p->step,
			p->item ? p->item : "", bar, pct, done, total);
		bar_open = 1;
		return;
	}
	if (bar_open) {
		fputs("\r\033[K", stderr);
		bar_open = 0;
	}
	if (!p->finished && p->total)
		return;	/* plain output: one line per step, not per chunk */
	if (p->step && !strcmp(p->step, "pack") && p->total) {
		human_bytes(total, sizeof(total), p->total);
		fprintf(stderr, "%-9s %s (%s)\n", p->step,
			p->item ? p->item : "", total);
	} else {
		fprintf(stderr, "%-9s %s\n", p->step ? p->step : "",
			p->item ? p->item : "");
	}
}
