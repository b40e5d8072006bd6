/*
 * tlcpack serve: serve a repository over HTTP, reads and uploads
 * (serve.h); or, with --new-token, make an API token and exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "auth.h"
#include "cli.h"
#include "http_cmd.h"
#include "serve.h"

/* How long a stop waits for requests in progress (uploads) to end. */
#define GRACE_SECONDS 300

static const struct option options[] = {
	{ "repo", required_argument, NULL, 'r' },
	{ "listen", required_argument, NULL, 'l' },
	{ "htpasswd", required_argument, NULL, 'P' },
	{ "tokens", required_argument, NULL, 'T' },
	{ "uploaders", required_argument, NULL, 'U' },
	{ "private", no_argument, NULL, 'p' },
	{ "access-log", required_argument, NULL, 'a' },
	{ "max-upload", required_argument, NULL, 'm' },
	{ "threads", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 'o' },
	{ "per-ip", required_argument, NULL, 'i' },
	{ "new-token", required_argument, NULL, 'N' },
	{ "projects", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf(
"usage: tlcpack serve [--repo DIR] [--listen HOST:PORT] [options]\n"
"       tlcpack serve --tokens FILE --new-token NAME [--projects P,Q]\n"
"\n"
"Serve the repository in DIR over HTTP for pip and uv: the landing page\n"
"at /, simple/ (PEP 503 HTML or PEP 691 JSON, as Accept asks),\n"
"wheels.html and files/.  With --htpasswd or --tokens, twine and\n"
"uv publish may upload to / (the legacy upload API), and POST /-/yank\n"
"and /-/unyank (fields filename, reason) yank; without, uploads get 403.\n"
"Prints \"serving DIR on http://HOST:PORT/\" to stderr once listening.\n"
"SIGTERM or SIGINT stops accepting, lets requests in progress end (up to\n"
"300 s; a second signal stops at once) and exits 0.\n"
"\n"
"Options:\n"
"  -r, --repo DIR           the repository (default: repo)\n"
"      --listen HOST:PORT   where to listen (default: 127.0.0.1:8000;\n"
"                           port 0: any free port, printed)\n"
"      --htpasswd FILE      users and bcrypt or sha512-crypt hashes\n"
"                           (htpasswd -B); other schemes are refused\n"
"      --tokens FILE        API tokens: \"name:sha256hex[:projects]\"\n"
"      --uploaders LIST     only these users or tokens (comma-separated)\n"
"                           may upload (default: everyone with credentials)\n"
"      --private            reads need credentials too\n"
"      --access-log FILE    Combined Log Format, appended; \"-\": stdout\n"
"                           (default: no access log)\n"
"      --max-upload BYTES   request body limit (default: 1 GiB), 413 over\n"
"      --threads N          worker threads (default: one per CPU)\n"
"      --timeout S          idle connections close after S seconds\n"
"                           (default: 30)\n"
"      --per-ip N           connections per client address (default: 64;\n"
"                           0: no limit)\n"
"      --new-token NAME     make an API token for NAME, append its line to\n"
"                           --tokens FILE, print the token and exit\n"
"      --projects P,Q       with --new-token: the token may upload only\n"
"                           to these projects\n"
"  -h, --help               show this help\n");
}

static bool parse_listen(const char *s, char *host, size_t size,
			 unsigned *port)
{
	const char *colon = strrchr(s, ':');
	long long p;
	size_t n;

	if (!colon || !cli_parse_num(colon + 1, 0, 65535, &p))
		return false;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= size)
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (unsigned)p;
	return true;
}

static int new_token(const char *tokens, const char *name,
		     const char *projects)
{
	struct tlc_buf token = TLC_BUF_INIT, line = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	int fd = -1, rc = CLI_EXIT_OK;

	if (!tokens)
		return cli_usage_error("serve", "--new-token needs --tokens "
				       "FILE to append to");
	if (tlc_auth_new_token(name, projects, &token, &line, &err) < 0) {
		rc = cli_error_tlc(&err);
		goto out;
	}
	/* the file holds digests only, but who may upload is no one
	 * else's business: 0600 when created */
	fd = open(tokens, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || tlc_buf_putc(&line, '\n') < 0 ||
	    write(fd, line.ptr, line.len) != (ssize_t)line.len ||
	    fsync(fd) < 0) {
		cli_error("cannot append to '%s': %s", tokens,
			  strerror(errno));
		rc = CLI_EXIT_FATAL;
		goto out;
	}
	printf("%s\n", token.ptr);
out:
	if (fd >= 0)
		close(fd);
	tlc_buf_release(&token);
	tlc_buf_release(&line);
	return rc;
}

/* Wait for SIGTERM or SIGINT; then let requests in progress end. */
static void run_until_signal(struct serve *s, const sigset_t *set)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	int sig;

	while (sigwait(set, &sig) || (sig != SIGTERM && sig != SIGINT))
		;
	serve_quiesce(s);
	for (int i = 0; i < GRACE_SECONDS * 10 && serve_inflight(s); i++) {
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o = {
		.repo = "repo", .port = 8000,
		.max_upload = SERVE_MAX_UPLOAD_DEFAULT,
		.timeout = SERVE_TIMEOUT_DEFAULT,
		.per_ip = SERVE_PER_IP_DEFAULT,
	};
	struct tlc_error err = TLC_ERROR_INIT;
	const char *htpasswd = NULL, *tokens = NULL, *uploaders = NULL;
	const char *access_log = NULL, *token_name = NULL, *projects = NULL;
	char host[256] = "127.0.0.1", url[300];
	struct serve *s = NULL;
	sigset_t set;
	long long n;
	unsigned swept = 0;
	int c, rc = CLI_EXIT_OK;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		switch (c) {
		case 'r': o.repo = optarg; break;
		case 'l':
			if (!parse_listen(optarg, host, sizeof(host), &o.port))
				return cli_usage_error("serve", "--listen "
					"'%s' is not HOST:PORT", optarg);
			break;
		case 'P': htpasswd = optarg; break;
		case 'T': tokens = optarg; break;
		case 'U': uploaders = optarg; break;
		case 'p': o.private = true; break;
		case 'a': access_log = optarg; break;
		case 'm':
			if (!cli_parse_num(optarg, 1, INT64_MAX, &n))
				return cli_usage_error("serve", "--max-upload "
					"'%s' is not a number of bytes",
					optarg);
			o.max_upload = (uint64_t)n;
			break;
		case 't':
			if (!cli_parse_num(optarg, 1, 1024, &n))
				return cli_usage_error("serve", "--threads "
					"'%s' is not in 1..1024", optarg);
			o.threads = (unsigned)n;
			break;
		case 'o':
			if (!cli_parse_num(optarg, 1, 86400, &n))
				return cli_usage_error("serve", "--timeout "
					"'%s' is not in 1..86400 seconds",
					optarg);
			o.timeout = (unsigned)n;
			break;
		case 'i':
			if (!cli_parse_num(optarg, 0, 65535, &n))
				return cli_usage_error("serve", "--per-ip "
					"'%s' is not in 0..65535", optarg);
			o.per_ip = (unsigned)n;
			break;
		case 'N': token_name = optarg; break;
		case 'j': projects = optarg; break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("serve", "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("serve", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc != optind)
		return cli_usage_error("serve", "unexpected argument '%s'",
				       argv[optind]);
	if (token_name)
		return new_token(tokens, token_name, projects);
	if (projects)
		return cli_usage_error("serve", "--projects goes with "
				       "--new-token");
	if (o.private && !htpasswd && !tokens)
		return cli_usage_error("serve", "--private needs --htpasswd "
				       "or --tokens");
	if (uploaders && !htpasswd && !tokens)
		return cli_usage_error("serve", "--uploaders needs --htpasswd "
				       "or --tokens");
	o.host = host;

	if ((htpasswd || tokens) &&
	    (tlc_auth_load(&o.auth, htpasswd, tokens, &err) < 0 ||
	     (uploaders && tlc_auth_set_uploaders(o.auth, uploaders,
						  &err) < 0))) {
		rc = cli_error_tlc(&err);
		goto out;
	}
	if (access_log && http_log_open(&o.log, access_log, &err) < 0) {
		rc = cli_error_tlc(&err);
		goto out;
	}
	/* uploads cut short by a crash leave their temporary directories */
	if (access(o.repo, F_OK) == 0 &&
	    serve_sweep(o.repo, &swept, &err) == 0 && swept)
		cli_error("removed %u unfinished upload%s in '%s'", swept,
			  swept == 1 ? "" : "s", o.repo);
	/* the signals are taken by sigwait() here; every thread MHD starts
	 * inherits the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (serve_start(&s, url, sizeof(url), &o, &err) < 0) {
		rc = cli_error_tlc(&err);
		goto out;
	}
	fprintf(stderr, "serving %s on %s\n", o.repo, url);
	fflush(stderr);
	run_until_signal(s, &set);
out:
	serve_stop(s);
	http_log_close(o.log);
	tlc_auth_free(o.auth);
	return rc;
}
