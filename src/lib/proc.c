#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "proc.h"

#include "banned.h"

extern char **environ;

static bool is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

int tlc__proc_which(struct tlc_buf *out, const char *prog,
		    struct tlc_error *err)
{
	struct tlc_buf cand = TLC_BUF_INIT;
	const char *path = getenv("PATH");
	int rc = TLC_ENOTFOUND;

	if (!*prog)
		return tlc_error_set(err, TLC_ENOTFOUND, "empty program name");
	if (strchr(prog, '/')) {
		if (!is_executable(prog))
			return tlc_error_set(err, TLC_ENOTFOUND,
					     "'%s' is not an executable file",
					     prog);
		{
			char *r = realpath(prog, NULL);
			int prc;

			/* keep the name the user gave when it is a
			 * symlink: python3 -> python3.11 matters for venvs */
			if (!r)
				return tlc_error_errno(err, TLC_ENOTFOUND,
						       "cannot resolve '%s'",
						       prog);
			if (prog[0] == '/')
				prc = tlc_buf_puts(out, prog);
			else
				prc = tlc_buf_puts(out, r);
			free(r);
			return prc < 0 ? tlc_error_set(err, prc,
						       "out of memory") : 0;
		}
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);

		tlc_buf_reset(&cand);
		if (n == 0) {
			if (tlc_buf_puts(&cand, ".") < 0)
				goto oom;
		} else if (tlc_buf_put(&cand, path, n) < 0) {
			goto oom;
		}
		if (tlc_buf_putc(&cand, '/') < 0 ||
		    tlc_buf_puts(&cand, prog) < 0)
			goto oom;
		if (is_executable(cand.ptr)) {
			if (cand.ptr[0] != '/') {
				rc = tlc__fs_realpath(out, cand.ptr, err);
			} else if (tlc_buf_puts(out, cand.ptr) < 0) {
				goto oom;
			} else {
				rc = 0;
			}
			goto out;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	rc = tlc_error_set(err, TLC_ENOTFOUND, "'%s' not found on PATH", prog);
	goto out;
oom:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_buf_release(&cand);
	return rc;
}

/* environ with @over applied: "K=V" replaces or adds K, "K" removes it */
static char **make_env(const char *const *over)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (over && over[m])
		m++;
	if (!(env = calloc(n + m + 1, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) :
				   strlen(environ[i]);
		bool replaced = false;

		for (size_t j = 0; j < m && !replaced; j++)
			replaced = !strncmp(over[j], environ[i], klen) &&
				   (over[j][klen] == '=' ||
				    over[j][klen] == '\0');
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++) {
		size_t klen = strcspn(over[j], "=");
		bool later = false;

		/* the last override of a name wins, as in a shell */
		for (size_t l = j + 1; l < m && !later; l++)
			later = !strncmp(over[l], over[j], klen) &&
				(over[l][klen] == '=' || over[l][klen] == '\0');
		if (!later && over[j][klen] == '=')
			env[k++] = (char *)over[j];
	}
	env[k] = NULL;
	return env;
}

static int wait_child(pid_t pid, int *status, const char *prog,
		      struct tlc_error *err)
{
	int ws;

	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot wait for '%s'", prog);
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else if (WIFSIGNALED(ws))
		*status = 128 + WTERMSIG(ws);
	else
		*status = 255;
	return 0;
}

int tlc__proc_run(const struct tlc__proc *p, int *status,
		  struct tlc_error *err)
{
	struct tlc_buf exe = TLC_BUF_INIT;
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 };
	char **env = NULL;
	pid_t pid;
	int rc;

	*status = 255;
	if ((rc = tlc__proc_which(&exe, p->argv[0], err)) < 0)
		return rc;
	if (!(env = make_env(p->env))) {
		tlc_buf_release(&exe);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	if (p->out) {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot make a pipe");
			goto out;
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
		if (p->log_path)
			posix_spawn_file_actions_addopen(
				&fa, STDERR_FILENO, p->log_path,
				O_WRONLY | O_CREAT | O_APPEND, 0644);
		else
			posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
							 "/dev/null", O_WRONLY,
							 0);
	} else if (p->log_path) {
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
						 p->log_path,
						 O_WRONLY | O_CREAT | O_APPEND,
						 0644);
		posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO,
						 STDERR_FILENO);
	}
	if (p->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, p->cwd);
	rc = posix_spawn(&pid, exe.ptr, &fa, NULL, (char *const *)p->argv,
			 env);
	if (rc != 0) {
		errno = rc;
		rc = tlc_error_errno(err, TLC_EIO, "cannot run '%s'",
				     p->argv[0]);
		goto out;
	}
	if (p->out) {
		close(pipefd[1]);
		pipefd[1] = -1;
		for (;;) {
			char chunk[4096];
			ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (rc == 0 && tlc_buf_put(p->out, chunk, (size_t)n) < 0)
				rc = tlc_error_set(err, TLC_ETOOBIG,
						   "output of '%s' is over "
						   "%zu bytes", p->argv[0],
						   p->out->max);
			/* keep draining so the child never blocks */
		}
	}
	{
		int wrc = wait_child(pid, status, p->argv[0], err);
		if (rc == 0)
			rc = wrc;
	}
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	tlc_buf_release(&exe);
	return rc;
}
