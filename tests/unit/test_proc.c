/*
 * Running programs: PATH lookup, and real children (sh, head, cat, pwd)
 * for exit statuses, signals, capture and its cap, environment overrides,
 * the working directory, logs and stdin.  Every test checks that no child
 * is left unreaped and no descriptor leaked; an alarm turns a hang into a
 * failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"
#include "proc.h"
#include "testutil.h"

struct scratch {
	char dir[PATH_MAX];	/* resolved */
	char *path_env;		/* $PATH before the test */
	int nfds;		/* open descriptors before the test */
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static int setup_one(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));
	const char *path = getenv("PATH");

	if (!s || tu_mkdtemp(s->dir, "proc") < 0)
		return -1;
	if (path && !(s->path_env = strdup(path)))
		return -1;
	s->nfds = count_fds();
	*state = s;
	alarm(60);
	return 0;
}

static int teardown_one(void **state)
{
	struct scratch *s = *state;
	int rc;

	alarm(0);
	if (s->path_env)
		setenv("PATH", s->path_env, 1);
	else
		unsetenv("PATH");
	free(s->path_env);
	rc = tu_remove_tree(s->dir);
	free(s);
	return rc;
}

/* Nothing left behind: no child to reap, no descriptor leaked. */
static void check_clean(const struct scratch *s)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(count_fds(), s->nfds);
}

/*
 * glibc's posix_spawn() reports a failed file action or chdir in the child
 * as its own error, through memory shared with the vfork()ed child.
 * Valgrind runs the child as a plain fork(), so there the failure shows
 * only as the child's exit status.
 */
static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

static void assert_spawn_failed(int rc, int status,
				const struct tlc_error *err)
{
	if (under_valgrind()) {
		/* 127, or valgrind's error exit code when the forked child
		 * finds leaks inherited from the parent */
		assert_int_equal(rc, 0);
		assert_int_not_equal(status, 0);
		return;
	}
	assert_int_equal(rc, TLC_EIO);
	assert_int_equal(err->code, TLC_EIO);
	assert_non_null(strstr(err->msg, "cannot run 'sh'"));
}

/* Run `sh -c @script` capturing stdout into @out; returns the rc. */
static int sh(struct tlc_buf *out, const char *script, const char *const *env,
	      const char *cwd, const char *log, int *status,
	      struct tlc_error *err)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct tlc__proc p = { argv, cwd, env, log, out };

	return tlc__proc_run(&p, status, err);
}

static void test_proc__which_finds_on_path(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	struct stat st;

	assert_int_equal(tlc_buf_puts(&out, ">"), 0);
	assert_int_equal(tlc__proc_which(&out, "sh", &err), 0);
	assert_int_equal(out.ptr[0], '>');
	assert_int_equal(out.ptr[1], '/');
	assert_true(out.len > 4);
	assert_string_equal(out.ptr + out.len - 3, "/sh");
	assert_int_equal(stat(out.ptr + 1, &st), 0);
	assert_int_equal(access(out.ptr + 1, X_OK), 0);
	assert_int_equal(err.code, 0);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__which_path_order_and_checks(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char path[PATH_MAX * 6], want[PATH_MAX * 2], p[PATH_MAX * 2];

	/* a: not executable, b: a directory of that name, c: the one */
	snprintf(p, sizeof(p), "%s/a", s->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a/tlc-prog", s->dir);
	tu_write_file(p, "#!/bin/sh\n", 0644);
	snprintf(p, sizeof(p), "%s/b/tlc-prog", s->dir);
	assert_int_equal(tlc__fs_mkdir_p(p, 0755, &err), 0);
	snprintf(p, sizeof(p), "%s/c", s->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(want, sizeof(want), "%s/c/tlc-prog", s->dir);
	tu_write_file(want, "#!/bin/sh\necho c\n", 0755);
	snprintf(p, sizeof(p), "%s/d", s->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/d/tlc-prog", s->dir);
	tu_write_file(p, "#!/bin/sh\necho d\n", 0755);

	snprintf(path, sizeof(path), "%s/nonexistent:%s/a:%s/b:%s/c:%s/d",
		 s->dir, s->dir, s->dir, s->dir, s->dir);
	setenv("PATH", path, 1);
	assert_int_equal(tlc__proc_which(&out, "tlc-prog", &err), 0);
	assert_string_equal(out.ptr, want);
	tlc_buf_release(&out);

	/* and it is what tlc__proc_run() runs */
	{
		const char *argv[] = { "tlc-prog", NULL };
		struct tlc__proc pr = { argv, NULL, NULL, NULL, &out };
		int status = -1;

		assert_int_equal(tlc__proc_run(&pr, &status, &err), 0);
		assert_int_equal(status, 0);
		assert_string_equal(out.ptr, "c\n");
		tlc_buf_release(&out);
	}
	check_clean(s);
}

static void test_proc__which_empty_path_entry_is_cwd(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char want[PATH_MAX * 2], old[PATH_MAX];

	snprintf(want, sizeof(want), "%s/tlc-here", s->dir);
	tu_write_file(want, "#!/bin/sh\n", 0755);
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(s->dir), 0);
	setenv("PATH", "/nonexistent-tlc::/nonexistent-tlc2", 1);
	assert_int_equal(tlc__proc_which(&out, "tlc-here", &err), 0);
	assert_int_equal(chdir(old), 0);
	/* made absolute */
	assert_string_equal(out.ptr, want);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__which_with_slash(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char exe[PATH_MAX * 2], link[PATH_MAX * 2], old[PATH_MAX];

	snprintf(exe, sizeof(exe), "%s/tool", s->dir);
	tu_write_file(exe, "#!/bin/sh\n", 0755);
	snprintf(link, sizeof(link), "%s/tool-link", s->dir);
	assert_int_equal(symlink(exe, link), 0);
	setenv("PATH", "/nonexistent-tlc", 1);

	/* absolute: kept as given, even through a symlink (venv pythons) */
	assert_int_equal(tlc__proc_which(&out, link, &err), 0);
	assert_string_equal(out.ptr, link);
	tlc_buf_reset(&out);
	assert_int_equal(tlc__proc_which(&out, "/bin/sh", &err), 0);
	assert_string_equal(out.ptr, "/bin/sh");
	tlc_buf_reset(&out);

	/* relative with a '/': made absolute, PATH not consulted */
	assert_non_null(getcwd(old, sizeof(old)));
	assert_int_equal(chdir(s->dir), 0);
	assert_int_equal(tlc__proc_which(&out, "./tool", &err), 0);
	assert_int_equal(chdir(old), 0);
	assert_string_equal(out.ptr, exe);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__which_missing(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char p[PATH_MAX * 2];

	assert_int_equal(tlc_buf_puts(&out, "keep"), 0);
	assert_int_equal(tlc__proc_which(&out, "tlc-no-such-program-zz", &err),
			 TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "'tlc-no-such-program-zz'"));
	assert_string_equal(out.ptr, "keep");

	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_int_equal(tlc__proc_which(&out, "", &err), TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);

	/* with a '/': missing, not executable, a directory */
	snprintf(p, sizeof(p), "%s/none", s->dir);
	assert_int_equal(tlc__proc_which(&out, p, &err), TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, p));
	snprintf(p, sizeof(p), "%s/plain", s->dir);
	tu_write_file(p, "data", 0644);
	assert_int_equal(tlc__proc_which(&out, p, &err), TLC_ENOTFOUND);
	assert_int_equal(tlc__proc_which(&out, s->dir, &err), TLC_ENOTFOUND);
	assert_string_equal(out.ptr, "keep");
	tlc_buf_release(&out);

	/* an empty PATH finds nothing on it */
	setenv("PATH", "", 1);
	assert_int_equal(tlc__proc_which(&out, "sh", &err), TLC_ENOTFOUND);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__run_missing_program(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *argv[] = { "tlc-no-such-program-zz", NULL };
	struct tlc__proc p = { argv, NULL, NULL, NULL, NULL };
	int status = 0;

	assert_int_equal(tlc__proc_run(&p, &status, &err), TLC_ENOTFOUND);
	assert_int_equal(err.code, TLC_ENOTFOUND);
	assert_non_null(strstr(err.msg, "tlc-no-such-program-zz"));
	assert_int_equal(status, 255);
	check_clean(s);
}

static void test_proc__exit_status(void **state)
{
	static const struct {
		const char *script;
		int status;
	} cases[] = {
		{ "exit 0", 0 },
		{ "exit 3", 3 },
		{ "exit 255", 255 },
		{ "false", 1 },
	};
	struct scratch *s = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { "sh", "-c", cases[i].script, NULL };
		struct tlc__proc p = { argv, NULL, NULL, NULL, NULL };
		struct tlc_error err = TLC_ERROR_INIT;
		int status = -1;

		assert_int_equal(tlc__proc_run(&p, &status, &err), 0);
		assert_int_equal(status, cases[i].status);
		assert_int_equal(err.code, 0);
	}
	check_clean(s);
}

static void test_proc__killed_by_signal(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	int status = -1;

	assert_int_equal(sh(NULL, "kill -TERM $$", NULL, NULL, NULL, &status,
			    &err), 0);
	assert_int_equal(status, 128 + SIGTERM);
	assert_int_equal(sh(&out, "echo before; kill -KILL $$", NULL, NULL,
			    NULL, &status, &err), 0);
	assert_int_equal(status, 128 + SIGKILL);
	assert_string_equal(out.ptr, "before\n");
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__capture_stdout(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	int status = -1;

	assert_int_equal(tlc_buf_puts(&out, "pre|"), 0);
	/* stderr goes to /dev/null when there is no log */
	assert_int_equal(sh(&out, "echo hello; echo oops >&2; printf 'a\\0b'",
			    NULL, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 4 + 6 + 3);
	assert_memory_equal(out.ptr, "pre|hello\na\0b", 13);
	assert_int_equal(out.ptr[out.len], '\0');
	tlc_buf_release(&out);

	/* a large output, many pipe buffers long */
	assert_int_equal(sh(&out, "head -c 300000 /dev/zero | tr '\\0' x",
			    NULL, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 300000);
	assert_int_equal(out.ptr[0], 'x');
	assert_int_equal(out.ptr[299999], 'x');
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__capture_cap(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT_MAX(1000);
	const char *argv[] = { "head", "-c", "1000000", "/dev/zero", NULL };
	struct tlc__proc p = { argv, NULL, NULL, NULL, &out };
	int status = -1;

	/* over the cap: refused, the child still runs to its end and is
	 * reaped (check_clean) */
	assert_int_equal(tlc__proc_run(&p, &status, &err), TLC_ETOOBIG);
	assert_int_equal(err.code, TLC_ETOOBIG);
	assert_non_null(strstr(err.msg, "'head'"));
	assert_non_null(strstr(err.msg, "1000"));
	assert_int_equal(status, 0);
	assert_true(out.len <= 1000);
	assert_int_equal(out.ptr[out.len], '\0');
	check_clean(s);
	tlc_buf_release(&out);

	/* exactly at the cap: fine */
	argv[2] = "1000";
	err = (struct tlc_error)TLC_ERROR_INIT;
	assert_int_equal(tlc__proc_run(&p, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 1000);
	tlc_buf_release(&out);

	/* one byte over */
	argv[2] = "1001";
	assert_int_equal(tlc__proc_run(&p, &status, &err), TLC_ETOOBIG);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__env_overrides(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	const char *env[] = { "TLC_T_NEW=new", "TLC_T_KEEP=replaced",
			      "TLC_T_GONE", "TLC_T_EMPTY=", NULL };
	int status = -1;

	setenv("TLC_T_KEEP", "old", 1);
	setenv("TLC_T_KEEPX", "untouched", 1);
	setenv("TLC_T_GONE", "was here", 1);
	setenv("TLC_T_GON", "prefix of a removed name", 1);
	setenv("TLC_T_PLAIN", "inherited", 1);
	assert_int_equal(sh(&out,
			    "echo \"$TLC_T_NEW|$TLC_T_KEEP|$TLC_T_KEEPX|"
			    "${TLC_T_GONE-unset}|$TLC_T_GON|$TLC_T_PLAIN|"
			    "${TLC_T_EMPTY-unset}\"; "
			    "env | grep -c '^TLC_T_KEEP='",
			    env, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.ptr,
			    "new|replaced|untouched|unset|prefix of a removed "
			    "name|inherited|\n1\n");
	/* our own environment is as it was */
	assert_string_equal(getenv("TLC_T_KEEP"), "old");
	assert_string_equal(getenv("TLC_T_GONE"), "was here");
	assert_null(getenv("TLC_T_NEW"));
	unsetenv("TLC_T_KEEP");
	unsetenv("TLC_T_KEEPX");
	unsetenv("TLC_T_GONE");
	unsetenv("TLC_T_GON");
	unsetenv("TLC_T_PLAIN");
	tlc_buf_release(&out);

	/* no overrides: the environment as is */
	setenv("TLC_T_PLAIN", "again", 1);
	assert_int_equal(sh(&out, "echo $TLC_T_PLAIN", NULL, NULL, NULL,
			    &status, &err), 0);
	assert_string_equal(out.ptr, "again\n");
	unsetenv("TLC_T_PLAIN");
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__env_later_override_wins(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	/* build.env then variant.env, as the build passes them: the child
	 * must get each name once, with the later value (a C program's
	 * getenv() takes the first of two entries, a shell the last) */
	const char *env[] = { "TLC_T_DUP=first", "TLC_T_DUP=second", NULL };
	const char *argv[] = { "env", NULL };
	struct tlc__proc p = { argv, NULL, env, NULL, &out };
	char got[256] = "";
	const char *at;
	int status = -1, rc, n = 0;

	setenv("TLC_T_DUP", "inherited", 1);
	rc = tlc__proc_run(&p, &status, &err);
	unsetenv("TLC_T_DUP");
	/* env(1) prints its environment as it got it, duplicates included */
	for (at = out.ptr; (at = strstr(at, "TLC_T_DUP=")); at++) {
		if (at != out.ptr && at[-1] != '\n')
			continue;
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 "%s%.*s", n++ ? ", " : "", (int)strcspn(at, "\n"),
			 at);
	}
	tlc_buf_release(&out);
	assert_int_equal(rc, 0);
	assert_int_equal(status, 0);
	assert_string_equal(got, "TLC_T_DUP=second");
	check_clean(s);
}

static void test_proc__cwd(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char want[PATH_MAX * 2], old[PATH_MAX];
	int status = -1, rc;

	assert_non_null(getcwd(old, sizeof(old)));
	snprintf(want, sizeof(want), "%s\n", s->dir);
	assert_int_equal(sh(&out, "pwd -P", NULL, s->dir, NULL, &status, &err),
			 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.ptr, want);
	tlc_buf_release(&out);
	/* the parent stays where it was */
	{
		char now[PATH_MAX];

		assert_non_null(getcwd(now, sizeof(now)));
		assert_string_equal(now, old);
	}

	/* a missing directory: the program cannot be run */
	snprintf(want, sizeof(want), "%s/none", s->dir);
	rc = sh(&out, "true", NULL, want, NULL, &status, &err);
	assert_spawn_failed(rc, status, &err);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__log_gets_stdout_and_stderr(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	char log[PATH_MAX * 2];
	int status = -1;

	snprintf(log, sizeof(log), "%s/step.log", s->dir);
	tu_write_file(log, "earlier\n", 0644);
	assert_int_equal(sh(NULL, "echo out; echo err >&2; exit 2", NULL, NULL,
			    log, &status, &err), 0);
	assert_int_equal(status, 2);
	tu_assert_file_is(log, "earlier\nout\nerr\n", 16);
	/* appended, not truncated */
	assert_int_equal(sh(NULL, "echo err2 >&2; echo out2", NULL, NULL, log,
			    &status, &err), 0);
	tu_assert_file_is(log, "earlier\nout\nerr\nerr2\nout2\n", 26);
	check_clean(s);
}

static void test_proc__log_created(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	char log[PATH_MAX * 2];
	int status = -1, rc;

	snprintf(log, sizeof(log), "%s/new.log", s->dir);
	assert_int_equal(sh(NULL, "echo made", NULL, NULL, log, &status, &err),
			 0);
	tu_assert_file_is(log, "made\n", 5);

	/* a log that cannot be opened: the program does not run */
	snprintf(log, sizeof(log), "%s/no/dir/x.log", s->dir);
	rc = sh(NULL, "true", NULL, NULL, log, &status, &err);
	assert_spawn_failed(rc, status, &err);
	check_clean(s);
}

static void test_proc__capture_with_log(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	char log[PATH_MAX * 2];
	int status = -1;

	snprintf(log, sizeof(log), "%s/cap.log", s->dir);
	tu_write_file(log, "x\n", 0644);
	assert_int_equal(sh(&out, "echo to-out; echo to-err >&2", NULL, NULL,
			    log, &status, &err), 0);
	assert_string_equal(out.ptr, "to-out\n");
	tu_assert_file_is(log, "x\nto-err\n", 9);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__stdin_is_dev_null(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	const char *argv[] = { "cat", NULL };
	struct tlc__proc p = { argv, NULL, NULL, NULL, &out };
	int status = -1;

	/* cat returns at once with nothing: stdin is at its end */
	assert_int_equal(tlc__proc_run(&p, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(sh(&out, "readlink /proc/self/fd/0", NULL, NULL, NULL,
			    &status, &err), 0);
	assert_string_equal(out.ptr, "/dev/null\n");
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__pipe_not_inherited(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	int status = -1;

	/* the capture pipe reaches the child as its stdout only: neither
	 * end stays open under another number (that would keep the read
	 * loop from ever seeing the end of the output) */
	assert_int_equal(sh(&out,
			    "p=$(readlink /proc/$$/fd/1); n=0; "
			    "for f in /proc/$$/fd/*; do "
			    "[ \"$(readlink $f)\" = \"$p\" ] && n=$((n+1)); "
			    "done; echo $n $p",
			    NULL, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_memory_equal(out.ptr, "1 pipe:", 7);
	tlc_buf_release(&out);
	check_clean(s);
}

static void test_proc__arguments_not_reparsed(void **state)
{
	struct scratch *s = *state;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf out = TLC_BUF_INIT;
	const char *argv[] = { "printf", "%s|", "a b", "$HOME", "'q'", ";x",
			       "", NULL };
	struct tlc__proc p = { argv, NULL, NULL, NULL, &out };
	int status = -1;

	assert_int_equal(tlc__proc_run(&p, &status, &err), 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.ptr, "a b|$HOME|'q'|;x||");
	tlc_buf_release(&out);
	check_clean(s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_one, teardown_one)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_proc__which_finds_on_path),
		T(test_proc__which_path_order_and_checks),
		T(test_proc__which_empty_path_entry_is_cwd),
		T(test_proc__which_with_slash),
		T(test_proc__which_missing),
		T(test_proc__run_missing_program),
		T(test_proc__exit_status),
		T(test_proc__killed_by_signal),
		T(test_proc__capture_stdout),
		T(test_proc__capture_cap),
		T(test_proc__env_overrides),
		T(test_proc__env_later_override_wins),
		T(test_proc__cwd),
		T(test_proc__log_gets_stdout_and_stderr),
		T(test_proc__log_created),
		T(test_proc__capture_with_log),
		T(test_proc__stdin_is_dev_null),
		T(test_proc__pipe_not_inherited),
		T(test_proc__arguments_not_reparsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
