/*
 * tlcpack release: the whole pipeline in one command.
 *
 *   build    every variant x Python of the recipe (tlc_build(), which
 *            repairs each wheel for its variant's policy)
 *   stage    publish the wheels into a scratch repository
 *   test     install each wheel with real pip through the scratch
 *            repository's index and run the recipe's tests (tlc_itest_run())
 *   publish  into the repository (--repo) or upload to a tlcpack serve
 *            (--to, through tlcpack-http), only wheels whose test passed
 *   prune    the channel's nightlies beyond its keep count, in the
 *            repository or on the server (--to: `tlcpack prune --to`,
 *            POST /-/prune, with the same credentials)
 *
 * It stops at the first failure and shows the tail of that step's log;
 * with --keep-going it goes on with what did not fail, then reports what
 * did and exits non-zero.  A summary table (or --json) ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tlcpack/build.h"
#include "tlcpack/digest.h"
#include "tlcpack/itest.h"
#include "tlcpack/recipe.h"
#include "tlcpack/repo.h"

#include "cli.h"
#include "cmd.h"

#define LOG_TAIL_LINES 25

extern char **environ;

static const struct option options[] = {
	{ "recipe", required_argument, NULL, 'r' },
	{ "project", required_argument, NULL, 'C' },
	{ "variant", required_argument, NULL, 'v' },
	{ "python", required_argument, NULL, 'p' },
	{ "channel", required_argument, NULL, 'c' },
	{ "repo", required_argument, NULL, 'R' },
	{ "to", required_argument, NULL, 'T' },
	{ "user", required_argument, NULL, 'U' },
	{ "password-file", required_argument, NULL, 'W' },
	{ "token-file", required_argument, NULL, 'K' },
	{ "out-dir", required_argument, NULL, 'o' },
	{ "build-dir", required_argument, NULL, 'b' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "skip-missing-python", no_argument, NULL, 'S' },
	{ "no-test", no_argument, NULL, 'N' },
	{ "no-prune", no_argument, NULL, 'P' },
	{ "gpu", no_argument, NULL, 'G' },
	{ "no-gpu", no_argument, NULL, 'g' },
	{ "keep-going", no_argument, NULL, 'k' },
	{ "json", no_argument, NULL, 'J' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	printf("usage: tlcpack release [options] [RECIPE]\n"
	       "\n"
	       "Build every variant and Python of a recipe, repair each "
	       "wheel, install-test it\n"
	       "with pip through a scratch index, publish the wheels that "
	       "pass, and prune the\n"
	       "channel's old nightlies: the whole pipeline in one command.  "
	       "Without RECIPE,\n"
	       "the embedded example (tlcpack's examples/).  Progress goes "
	       "to stderr, the\n"
	       "summary (a table, or --json) to stdout.\n"
	       "\n"
	       "  -r, --recipe PATH         the recipe file or its "
	       "directory\n"
	       "  -C, --project DIR         the project it builds (default: "
	       "the recipe's directory)\n"
	       "  -v, --variant NAME        release this variant (repeat; "
	       "default: all)\n"
	       "  -p, --python PYTHON       use this interpreter (repeat; "
	       "default: the recipe's)\n"
	       "  -c, --channel NAME        a channel such as 'nightly' "
	       "(its versions, names\n"
	       "                            and keep count)\n"
	       "      --repo DIR            publish into this repository "
	       "(default: repo)\n"
	       "      --to URL              upload to a tlcpack serve "
	       "instead (see\n"
	       "                            'tlcpack publish --to URL "
	       "--help') and prune\n"
	       "                            there; with --user, "
	       "--password-file, --token-file\n"
	       "  -o, --out-dir DIR         where wheels go (default: "
	       "dist)\n"
	       "  -b, --build-dir DIR       CMake build trees and logs\n"
	       "  -j, --jobs N              parallel build jobs\n"
	       "      --skip-missing-python leave out (and report) listed "
	       "interpreters that are\n"
	       "                            missing\n"
	       "      --no-test             publish without install tests "
	       "(the summary says so)\n"
	       "      --no-prune            do not prune the channel\n"
	       "      --gpu, --no-gpu       run the GPU tests, or not "
	       "(default: if a GPU works)\n"
	       "  -k, --keep-going          on a failure, go on with the "
	       "rest; exit non-zero\n"
	       "      --json                the summary as JSON\n"
	       "  -n, --dry-run             print the plan; build and "
	       "publish nothing\n"
	       "  -h, --help                show this help\n");
}

struct opts {
	const char *recipe, *project;
	const char **variants, **pythons;
	size_t nvariants, npythons;
	const char *channel;
	const char *repo, *to, *user, *password_file, *token_file;
	const char *out_dir, *build_dir;
	unsigned jobs;
	bool skip_missing_python, no_test, no_prune, keep_going, json;
	bool dry_run;
	int gpu;
};

/* A wheel of the release and what became of it. */
struct row {
	char *path, *filename, *name, *version, *variant, *tag, *python;
	uint64_t size;
	char sha256[65];
	enum { T_NOT_RUN, T_DONE } tested;
	enum tlc_itest_result test;
	const char *published;	/* "added", "unchanged", "uploaded", NULL */
};

struct failure {
	char *step, *item, *msg, *log;
};

struct release {
	struct opts o;
	struct tlc_recipe *recipe;
	struct row *rows;
	size_t nrows;
	struct failure *fails;
	size_t nfails;
	char *work;		/* scratch: staging repository, tests */
	char *upload_log, *prune_log;	/* in work */
	size_t pruned;		/* files yanked or deleted */
	const char *prune_note;	/* why prune did nothing, or NULL */
};

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d) {
		cli_error("out of memory");
		exit(CLI_EXIT_FATAL);
	}
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		cli_error("out of memory");
		exit(CLI_EXIT_FATAL);
	}
	return p;
}

/* Record a failure of @step on @item; tell it now, with its log's tail. */
static void fail(struct release *rl, const char *step, const char *item,
		 const struct tlc_error *err, const char *log)
{
	struct failure *f;

	rl->fails = xrealloc(rl->fails, (rl->nfails + 1) * sizeof(*f));
	f = &rl->fails[rl->nfails++];
	f->step = xstrdup(step);
	f->item = xstrdup(item);
	f->msg = xstrdup(err->msg[0] ? err->msg : tlc_error_name(err->code));
	f->log = xstrdup(log);
	cli_error("%s %s failed: %s", step, item, f->msg);
	if (log)
		cli_show_tail(log, LOG_TAIL_LINES);
}

static void step_done(const char *step, const char *item)
{
	struct tlc_progress p = { step, item, 0, 0, 1 };

	cli_progress(&p, NULL);
}

static void step_start(const char *step, const char *item)
{
	struct tlc_progress p = { step, item, 0, 0, 0 };

	cli_progress(&p, NULL);
}

/* ---- the recipe --------------------------------------------------------- */

/*
 * The embedded example: examples/ beside the build tree's tlcpack, or
 * share/tlcpack/examples/ of an installed one; TLCPACK_EXAMPLE names
 * another.
 */
static int find_example(char *out, size_t size)
{
	static const char *const rel[] = { "../examples",
					   "../share/tlcpack/examples",
					   "../../examples" };
	const char *env = getenv("TLCPACK_EXAMPLE");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return 0;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return -1;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		return -1;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		struct stat st;
		int len = snprintf(out, size, "%s/%s/tlcpack.toml", self,
				   rel[i]);

		if (len > 0 && (size_t)len < size && !stat(out, &st))
			return 0;
	}
	return -1;
}

/* ---- build -------------------------------------------------------------- */

static void add_rows(struct release *rl, const struct tlc_build_result *b)
{
	for (size_t i = 0; i < b->nwheels; i++) {
		const struct tlc_build_wheel *w = &b->wheels[i];
		struct row *r;
		const char *base = strrchr(w->path, '/');

		rl->rows = xrealloc(rl->rows, (rl->nrows + 1) * sizeof(*r));
		r = &rl->rows[rl->nrows++];
		memset(r, 0, sizeof(*r));
		r->path = xstrdup(w->path);
		r->filename = xstrdup(base ? base + 1 : w->path);
		r->name = xstrdup(w->name);
		r->version = xstrdup(w->version);
		r->variant = xstrdup(w->variant);
		r->tag = xstrdup(w->tag);
		r->python = xstrdup(w->python);
		r->size = w->size;
	}
}

/* Build each variant on its own, so that --keep-going keeps the others. */
static int build(struct release *rl)
{
	const struct tlc_recipe *rc = rl->recipe;
	int ret = 0;

	for (size_t v = 0; v < rc->nvariants; v++) {
		const char *name = rc->variants[v].name;
		const char *one[2] = { name, NULL };
		struct tlc_build_opts bo = TLC_BUILD_OPTS_INIT;
		struct tlc_build_result res = { 0 };
		struct tlc_error err = TLC_ERROR_INIT;
		bool chosen = !rl->o.nvariants;

		for (size_t i = 0; i < rl->o.nvariants; i++)
			chosen |= !strcmp(rl->o.variants[i], name);
		if (!chosen)
			continue;
		bo.variants = one;
		bo.pythons = rl->o.pythons;
		bo.channel = rl->o.channel;
		bo.skip_missing_python = rl->o.skip_missing_python;
		bo.dry_run = rl->o.dry_run;
		bo.out_dir = rl->o.out_dir;
		bo.build_dir = rl->o.build_dir;
		bo.jobs = rl->o.jobs;
		bo.progress = cli_progress;
		if (tlc_build(&res, rc, &bo, &err) < 0) {
			fail(rl, "build", name, &err, res.failed_log);
			ret = -1;
		}
		for (size_t i = 0; i < res.nskipped; i++)
			cli_error("warning: skipped python '%s': %s",
				  res.skipped[i].python,
				  res.skipped[i].reason);
		add_rows(rl, &res);
		tlc_build_result_release(&res);
		if (ret < 0 && !rl->o.keep_going)
			break;
	}
	return ret;
}

/* The wheel's SHA-256, for the summary. */
static int hash_file(struct row *r, struct tlc_error *err)
{
	struct tlc_digests *d = NULL;
	unsigned char buf[1 << 16];
	const unsigned char *sha;
	FILE *f;
	size_t n;
	int rc;

	if (!(f = fopen(r->path, "rb")))
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'",
				       r->path);
	if ((rc = tlc_digests_new(&d, TLC_DIGEST_SHA256, err)) == 0) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			tlc_digests_update(d, buf, n);
		if (ferror(f)) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     r->path);
		} else {
			tlc_digests_final(d);
			sha = tlc_digests_get(d, TLC_DIGEST_SHA256);
			for (size_t i = 0; i < 32; i++)
				snprintf(r->sha256 + 2 * i, 3, "%02x",
					 sha[i]);
		}
	}
	tlc_digests_free(d);
	fclose(f);
	return rc;
}

/* ---- stage and test ----------------------------------------------------- */

static int stage(struct release *rl, const char *dir)
{
	struct tlc_repo_opts ro = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	int rc;

	step_start("stage", dir);
	if ((rc = tlc_repo_open(&repo, dir, true, &ro, &err)) < 0) {
		fail(rl, "stage", dir, &err, NULL);
		return rc;
	}
	tlc_repo_batch(repo);
	for (size_t i = 0; i < rl->nrows && rc == 0; i++) {
		enum tlc_repo_outcome out;

		if ((rc = tlc_repo_publish(repo, rl->rows[i].path, NULL, &out,
					   &err)) < 0)
			fail(rl, "stage", rl->rows[i].filename, &err, NULL);
	}
	if (rc == 0 && (rc = tlc_repo_flush(repo, &err)) < 0)
		fail(rl, "stage", dir, &err, NULL);
	tlc_repo_close(repo);
	if (rc == 0)
		step_done("stage", dir);
	return rc;
}

static int test_one(struct release *rl, struct row *r, const char *index,
		    size_t i)
{
	struct tlc_itest_opts io = TLC_ITEST_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	char work[PATH_MAX], log[PATH_MAX + 16];
	int rc;

	snprintf(work, sizeof(work), "%s/test-%zu", rl->work, i);
	snprintf(log, sizeof(log), "%s/test.log", work);
	io.wheel = r->path;
	io.index = index;
	io.recipe = rl->recipe;
	io.variant = r->variant;
	io.python = r->python ? r->python :
		    rl->o.npythons ? rl->o.pythons[0] :
		    rl->recipe->pythons.n ? rl->recipe->pythons.v[0] :
		    "python3";
	io.work_dir = work;
	io.log_path = log;
	io.gpu = rl->o.gpu;
	io.progress = cli_progress;
	rc = tlc_itest_run(&io, &r->test, &err);
	r->tested = T_DONE;
	if (rc < 0)
		fail(rl, "test", r->filename, &err, log);
	else if (r->test == TLC_ITEST_PASS_NO_GPU)
		cli_error("note: %s: no GPU here: its libraries were loaded "
			  "with the CUDA stub and its CPU test passed; the "
			  "GPU test was not run", r->filename);
	return rc;
}

/* ---- publish ------------------------------------------------------------ */

static bool passed(const struct release *rl, const struct row *r)
{
	return rl->o.no_test ||
	       (r->tested == T_DONE && (r->test == TLC_ITEST_PASS ||
					r->test == TLC_ITEST_PASS_NO_GPU));
}

static int publish_dir(struct release *rl)
{
	struct tlc_repo_opts ro = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	int rc;

	step_start("publish", rl->o.repo);
	if ((rc = tlc_repo_open(&repo, rl->o.repo, true, &ro, &err)) < 0) {
		fail(rl, "publish", rl->o.repo, &err, NULL);
		return rc;
	}
	tlc_repo_batch(repo);
	for (size_t i = 0; i < rl->nrows && rc == 0; i++) {
		struct row *r = &rl->rows[i];
		enum tlc_repo_outcome out;

		if (!passed(rl, r))
			continue;
		if ((rc = tlc_repo_publish(repo, r->path, r->variant, &out,
					   &err)) < 0)
			fail(rl, "publish", r->filename, &err, NULL);
		else
			r->published = out == TLC_REPO_SAME ? "unchanged" :
				       "added";
	}
	if (rc == 0 && (rc = tlc_repo_flush(repo, &err)) < 0)
		fail(rl, "publish", rl->o.repo, &err, NULL);
	tlc_repo_close(repo);
	if (rc < 0) {
		for (size_t i = 0; i < rl->nrows; i++)
			rl->rows[i].published = NULL;
		return rc;
	}
	step_done("publish", rl->o.repo);
	return 0;
}

/*
 * Run `tlcpack CMD --to URL [credentials] ARGS...` (tlcpack-http), its
 * stdout and stderr to @log.  @return its exit status, or -1 with @err
 * set when it could not run.
 */
static int run_remote(struct release *rl, const char *cmd,
		      const char *const *args, size_t nargs, const char *log,
		      struct tlc_error *err)
{
	const char **argv;
	size_t argc = 0;
	posix_spawn_file_actions_t fa;
	char self[PATH_MAX];
	ssize_t len;
	pid_t pid;
	int status = 0, rc;

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot find tlcpack's "
				       "path"), -1;
	self[len] = '\0';
	argv = xrealloc(NULL, (nargs + 12) * sizeof(*argv));
	argv[argc++] = self;
	argv[argc++] = cmd;
	argv[argc++] = "--to";
	argv[argc++] = rl->o.to;
	if (rl->o.user) {
		argv[argc++] = "--user";
		argv[argc++] = rl->o.user;
	}
	if (rl->o.password_file) {
		argv[argc++] = "--password-file";
		argv[argc++] = rl->o.password_file;
	}
	if (rl->o.token_file) {
		argv[argc++] = "--token-file";
		argv[argc++] = rl->o.token_file;
	}
	for (size_t i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, self, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	if (rc) {
		errno = rc;
		return tlc_error_errno(err, TLC_EIO, "cannot run '%s'",
				       self), -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Upload through `tlcpack publish --to`, its output to a log. */
static int publish_url(struct release *rl)
{
	struct tlc_error err = TLC_ERROR_INIT;
	const char **paths = NULL;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < rl->nrows; i++)
		if (passed(rl, &rl->rows[i]) &&
		    cli_strv_push(&paths, &n, rl->rows[i].path) < 0) {
			cli_error("out of memory");
			exit(CLI_EXIT_FATAL);
		}
	if (!n)
		return 0;
	step_start("publish", rl->o.to);
	rc = run_remote(rl, "publish", paths, n, rl->upload_log, &err);
	free(paths);
	if (rc) {
		if (rc > 0)
			tlc_error_set(&err, TLC_ERROR, "the upload to %s "
				      "failed", rl->o.to);
		fail(rl, "publish", rl->o.to, &err, rc > 0 ? rl->upload_log :
		     NULL);
		return -1;
	}
	for (size_t i = 0; i < rl->nrows; i++)
		if (passed(rl, &rl->rows[i]))
			rl->rows[i].published = "uploaded";
	step_done("publish", rl->o.to);
	return 0;
}

/* ---- prune -------------------------------------------------------------- */

static void count_pruned(const struct tlc_repo_event *ev, void *data)
{
	struct release *rl = data;

	if (strcmp(ev->kind, "keep"))
		rl->pruned++;
}

/* Prune the server's repository through `tlcpack prune --to`; count the
 * files its report says were yanked or deleted. */
static int prune_url(struct release *rl, unsigned keep,
		     const char **projects, size_t np)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf report = TLC_BUF_INIT;
	const char **args = NULL;
	size_t nargs = 0;
	char keep_s[16], *line;
	int rc;

	snprintf(keep_s, sizeof(keep_s), "%u", keep);
	if (cli_strv_push(&args, &nargs, "--keep") < 0 ||
	    cli_strv_push(&args, &nargs, keep_s) < 0) {
		cli_error("out of memory");
		exit(CLI_EXIT_FATAL);
	}
	for (size_t i = 0; i < np; i++)
		if (cli_strv_push(&args, &nargs, projects[i]) < 0) {
			cli_error("out of memory");
			exit(CLI_EXIT_FATAL);
		}
	step_start("prune", rl->o.to);
	rc = run_remote(rl, "prune", args, nargs, rl->prune_log, &err);
	free(args);
	if (rc) {
		if (rc > 0)
			tlc_error_set(&err, TLC_ERROR, "the prune of %s "
				      "failed", rl->o.to);
		fail(rl, "prune", rl->o.to, &err, rc > 0 ? rl->prune_log :
		     NULL);
		return -1;
	}
	if (tlc_buf_read_file(&report, rl->prune_log, &err) < 0) {
		fail(rl, "prune", rl->o.to, &err, NULL);
		return -1;
	}
	for (line = report.ptr; *line; line += strcspn(line, "\n"),
	     line += *line == '\n')
		if (!strncmp(line, "yank ", 5) || !strncmp(line, "delete ", 7))
			rl->pruned++;
	tlc_buf_release(&report);
	step_done("prune", rl->o.to);
	return 0;
}

static int prune(struct release *rl)
{
	const struct tlc_recipe_channel *ch =
		rl->o.channel ? tlc_recipe_channel(rl->recipe, rl->o.channel) :
				NULL;
	struct tlc_repo_prune_opts po = { 0 };
	struct tlc_repo_opts ro = TLC_REPO_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_repo *repo = NULL;
	const char **projects = NULL;
	size_t np = 0;
	int rc;

	if (!ch || !ch->keep) {
		rl->prune_note = ch ? "the channel keeps every build" :
				 "a stable release is never pruned";
		return 0;
	}
	if (rl->o.no_prune) {
		rl->prune_note = "--no-prune";
		return 0;
	}
	for (size_t i = 0; i < rl->nrows; i++) {
		bool seen = false;

		for (size_t j = 0; j < np && !seen; j++)
			seen = !strcmp(projects[j], rl->rows[i].name);
		if (!seen && cli_strv_push(&projects, &np, rl->rows[i].name) < 0) {
			cli_error("out of memory");
			exit(CLI_EXIT_FATAL);
		}
	}
	if (!np)
		return 0;
	if (rl->o.to) {
		rc = prune_url(rl, ch->keep, projects, np);
		free(projects);
		return rc;
	}
	po.keep = ch->keep;
	po.projects = projects;
	step_start("prune", rl->o.repo);
	if ((rc = tlc_repo_open(&repo, rl->o.repo, false, &ro, &err)) < 0 ||
	    (rc = tlc_repo_prune(repo, &po, count_pruned, rl, &err)) < 0)
		fail(rl, "prune", rl->o.repo, &err, NULL);
	else
		step_done("prune", rl->o.repo);
	tlc_repo_close(repo);
	free(projects);
	return rc;
}

/* ---- summary ------------------------------------------------------------ */

static const char *test_name(const struct release *rl, const struct row *r)
{
	if (r->tested == T_DONE)
		return tlc_itest_result_name(r->test);
	return rl->o.no_test ? "not run (--no-test)" : "not run";
}

static void print_table(const struct release *rl)
{
	int wn = 4, wt = 4;
	char size[32];

	for (size_t i = 0; i < rl->nrows; i++) {
		int a = (int)(strlen(rl->rows[i].name) +
			      strlen(rl->rows[i].version) + 1);
		int b = (int)strlen(rl->rows[i].tag);

		wn = a > wn ? a : wn;
		wt = b > wt ? b : wt;
	}
	printf("%-*s  %-*s  %10s  %-12s  %-14s  %s\n", wn, "WHEEL", wt,
	       "TAGS", "SIZE", "SHA256", "TEST", "PUBLISHED");
	for (size_t i = 0; i < rl->nrows; i++) {
		const struct row *r = &rl->rows[i];
		char nv[512];

		snprintf(nv, sizeof(nv), "%s %s", r->name, r->version);
		cli_human_bytes(size, sizeof(size), r->size);
		printf("%-*s  %-*s  %10s  %-12.12s  %-14s  %s\n", wn, nv, wt,
		       r->tag, size, r->sha256[0] ? r->sha256 : "-",
		       test_name(rl, r), r->published ? r->published : "no");
	}
	if (rl->prune_note)
		printf("prune: not done: %s\n", rl->prune_note);
	else
		printf("prune: %zu file%s %s\n", rl->pruned,
		       rl->pruned == 1 ? "" : "s", "pruned");
	for (size_t i = 0; i < rl->nfails; i++)
		printf("FAILED: %s %s: %s%s%s\n", rl->fails[i].step,
		       rl->fails[i].item, rl->fails[i].msg,
		       rl->fails[i].log ? " (log: " : "",
		       rl->fails[i].log ? rl->fails[i].log : "");
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void print_json(const struct release *rl)
{
	json_t *root = json_object(), *wheels = json_array(),
	       *fails = json_array();
	char *s;

	for (size_t i = 0; i < rl->nrows; i++) {
		const struct row *r = &rl->rows[i];
		json_t *o = json_object();

		json_object_set_new(o, "file", jstr(r->filename));
		json_object_set_new(o, "path", jstr(r->path));
		json_object_set_new(o, "name", jstr(r->name));
		json_object_set_new(o, "version", jstr(r->version));
		json_object_set_new(o, "variant", jstr(r->variant));
		json_object_set_new(o, "tags", jstr(r->tag));
		json_object_set_new(o, "size", json_integer((json_int_t)
							    r->size));
		json_object_set_new(o, "sha256",
				    r->sha256[0] ? json_string(r->sha256) :
						   json_null());
		json_object_set_new(o, "test",
				    r->tested == T_DONE ?
				    json_string(tlc_itest_result_name(r->test)) :
				    json_null());
		json_object_set_new(o, "published", jstr(r->published));
		json_array_append_new(wheels, o);
	}
	for (size_t i = 0; i < rl->nfails; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "step", jstr(rl->fails[i].step));
		json_object_set_new(o, "item", jstr(rl->fails[i].item));
		json_object_set_new(o, "error", jstr(rl->fails[i].msg));
		json_object_set_new(o, "log", jstr(rl->fails[i].log));
		json_array_append_new(fails, o);
	}
	json_object_set_new(root, "wheels", wheels);
	json_object_set_new(root, "failures", fails);
	json_object_set_new(root, "repository",
			    jstr(rl->o.to ? rl->o.to : rl->o.repo));
	json_object_set_new(root, "pruned",
			    rl->prune_note ? json_null() :
			    json_integer((json_int_t)rl->pruned));
	json_object_set_new(root, "prune_note", jstr(rl->prune_note));
	json_object_set_new(root, "ok", json_boolean(!rl->nfails));
	if (!(s = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII))) {
		cli_error("out of memory");
		exit(CLI_EXIT_FATAL);
	}
	printf("%s\n", s);
	free(s);
	json_decref(root);
}

/* ---- the command -------------------------------------------------------- */

static int parse(struct opts *o, int argc, char **argv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:C:v:p:c:o:b:j:knh", options,
				NULL)) != -1) {
		long long n;

		switch (c) {
		case 'r':
			o->recipe = optarg;
			break;
		case 'C':
			o->project = optarg;
			break;
		case 'v':
			if (cli_strv_push(&o->variants, &o->nvariants, optarg) < 0)
				return CLI_EXIT_FATAL;
			break;
		case 'p':
			if (cli_strv_push(&o->pythons, &o->npythons, optarg) < 0)
				return CLI_EXIT_FATAL;
			break;
		case 'c':
			o->channel = optarg;
			break;
		case 'R':
			o->repo = optarg;
			break;
		case 'T':
			o->to = optarg;
			break;
		case 'U':
			o->user = optarg;
			break;
		case 'W':
			o->password_file = optarg;
			break;
		case 'K':
			o->token_file = optarg;
			break;
		case 'o':
			o->out_dir = optarg;
			break;
		case 'b':
			o->build_dir = optarg;
			break;
		case 'j':
			if (!cli_parse_num(optarg, 1, 4096, &n))
				return cli_usage_error("release", "--jobs "
						       "wants a number from 1 "
						       "to 4096, not '%s'",
						       optarg);
			o->jobs = (unsigned)n;
			break;
		case 'S':
			o->skip_missing_python = true;
			break;
		case 'N':
			o->no_test = true;
			break;
		case 'P':
			o->no_prune = true;
			break;
		case 'G':
			o->gpu = 1;
			break;
		case 'g':
			o->gpu = 0;
			break;
		case 'k':
			o->keep_going = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'h':
			print_help();
			return -1;
		default:
			return cli_usage_error("release", "bad arguments");
		}
	}
	if (optind < argc) {
		if (o->recipe || optind + 1 < argc)
			return cli_usage_error("release", "give one recipe");
		o->recipe = argv[optind];
	}
	if (o->to && o->repo)
		return cli_usage_error("release", "give --repo or --to, not "
				       "both");
	if (!o->to && (o->user || o->password_file || o->token_file))
		return cli_usage_error("release", "--user, --password-file "
				       "and --token-file go with --to");
	if (!o->to && !o->repo)
		o->repo = "repo";
	return 0;
}

/* The plan of a dry run: the wheels, where they would go, the prune. */
static void print_plan(const struct release *rl)
{
	const struct tlc_recipe_channel *ch =
		rl->o.channel ? tlc_recipe_channel(rl->recipe, rl->o.channel) :
				NULL;

	for (size_t i = 0; i < rl->nrows; i++)
		printf("build   %s\n", rl->rows[i].filename);
	printf("test    %s\n", rl->o.no_test ? "no (--no-test)" :
	       "each wheel, installed by pip from a scratch index");
	printf("publish %s\n", rl->o.to ? rl->o.to : rl->o.repo);
	if (ch && ch->keep && !rl->o.no_prune)
		printf("prune   keep the newest %u per group\n", ch->keep);
	else
		printf("prune   no\n");
}

static void release_free(struct release *rl)
{
	for (size_t i = 0; i < rl->nrows; i++) {
		struct row *r = &rl->rows[i];

		free(r->path);
		free(r->filename);
		free(r->name);
		free(r->version);
		free(r->variant);
		free(r->tag);
		free(r->python);
	}
	for (size_t i = 0; i < rl->nfails; i++) {
		free(rl->fails[i].step);
		free(rl->fails[i].item);
		free(rl->fails[i].msg);
		free(rl->fails[i].log);
	}
	free(rl->rows);
	free(rl->fails);
	free(rl->work);
	free(rl->upload_log);
	free(rl->prune_log);
	free(rl->o.variants);
	free(rl->o.pythons);
	tlc_recipe_free(rl->recipe);
}

int cmd_release(int argc, char **argv)
{
	struct release rl = { .o = { .out_dir = "dist", .gpu = -1 } };
	struct tlc_error err = TLC_ERROR_INIT;
	char example[PATH_MAX], staging[PATH_MAX + 16];
	const char *tmp = getenv("TMPDIR");
	bool stop;
	int ret;

	if ((ret = parse(&rl.o, argc, argv)) != 0) {
		release_free(&rl);
		return ret < 0 ? CLI_EXIT_OK : ret;
	}
	if (!rl.o.recipe) {
		if (find_example(example, sizeof(example)) < 0) {
			cli_error("no recipe given and the embedded example "
				  "is not installed (set TLCPACK_EXAMPLE to "
				  "its directory)");
			release_free(&rl);
			return CLI_EXIT_FATAL;
		}
		rl.o.recipe = example;
		/* not inside tlcpack's own tree, which may be read-only */
		if (!rl.o.build_dir)
			rl.o.build_dir = "build-tlcpack";
	}
	if (tlc_recipe_load_in(&rl.recipe, rl.o.recipe, rl.o.project,
			       &err) < 0) {
		ret = cli_error_tlc(&err);
		release_free(&rl);
		return ret;
	}
	if (rl.o.channel && !tlc_recipe_channel(rl.recipe, rl.o.channel)) {
		cli_error("the recipe has no channel '%s'", rl.o.channel);
		release_free(&rl);
		return CLI_EXIT_FAILED;
	}

	stop = build(&rl) < 0 && !rl.o.keep_going;
	if (rl.o.dry_run) {
		if (!rl.nfails)
			print_plan(&rl);
		ret = rl.nfails ? CLI_EXIT_FAILED : CLI_EXIT_OK;
		release_free(&rl);
		return ret;
	}
	for (size_t i = 0; i < rl.nrows && !stop; i++) {
		if (hash_file(&rl.rows[i], &err) < 0) {
			fail(&rl, "build", rl.rows[i].filename, &err, NULL);
			stop = !rl.o.keep_going;
		}
	}

	/* scratch space outside the project (tests must not see it) */
	if (!stop && rl.nrows) {
		size_t len = strlen(tmp && *tmp ? tmp : "/tmp") + 32;

		rl.work = xrealloc(NULL, len);
		snprintf(rl.work, len, "%s/tlcpack-release.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(rl.work)) {
			tlc_error_errno(&err, TLC_EIO, "cannot make a "
					"directory in '%s'",
					tmp && *tmp ? tmp : "/tmp");
			fail(&rl, "stage", rl.work, &err, NULL);
			stop = true;
		}
		rl.upload_log = xrealloc(NULL, strlen(rl.work) + 16);
		sprintf(rl.upload_log, "%s/upload.log", rl.work);
		rl.prune_log = xrealloc(NULL, strlen(rl.work) + 16);
		sprintf(rl.prune_log, "%s/prune.log", rl.work);
	}
	if (!stop && rl.nrows && !rl.o.no_test) {
		snprintf(staging, sizeof(staging), "%s/index", rl.work);
		stop = stage(&rl, staging) < 0;
		for (size_t i = 0; i < rl.nrows && !stop; i++)
			if (test_one(&rl, &rl.rows[i], staging, i) < 0 &&
			    !rl.o.keep_going)
				stop = true;
	}
	if (!stop && rl.nrows) {
		int rc = rl.o.to ? publish_url(&rl) : publish_dir(&rl);

		stop = rc < 0;
	}
	if (!stop && rl.nrows && prune(&rl) < 0)
		stop = true;

	if (rl.o.json)
		print_json(&rl);
	else
		print_table(&rl);
	if (!rl.o.to && !rl.nfails && rl.nrows)
		fprintf(stderr, "release: published to %s; serve it with "
			"'tlcpack serve %s'\n", rl.o.repo, rl.o.repo);
	ret = rl.nfails ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	/* the scratch space goes, unless a failure's log is in it */
	if (rl.work && !rl.nfails)
		cli_remove_tree(rl.work);
	else if (rl.work)
		cli_error("logs kept in %s", rl.work);
	release_free(&rl);
	return ret;
}
