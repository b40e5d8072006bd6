/*
 * libFuzzer target for request paths (urlpath.h).
 *
 * The input is a request target, as is (not NUL-terminated, so that ASan
 * sees a read past its length).  A refusal is TLC_EPOLICY or TLC_ETOOBIG
 * with a one-line message in printable ASCII.  A decoded path must hold
 * none of: "..", "//", NUL, backslash, '%', a byte outside 0x21-0x7e, a
 * segment starting with '.', a leading or trailing '/'; it fits
 * TLC_URLPATH_MAX; *dir says whether the target (up to '?') ended in '/';
 * and %-encoding the result byte by byte decodes back to it (one
 * decoding, no more).
 *
 * Then both the decoded path and the raw input (as a relative path) are
 * opened beneath a scratch repository holding symlinks that point out of
 * it: whatever opens must resolve, by /proc/self/fd, to a place inside.
 */
#include <assert.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/urlpath.h"

#include "fuzzutil.h"

static char root[PATH_MAX];
static size_t rootlen;
static int rootfd = -1;

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_root(void)
{
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A repository with a way out at every turn; removed at exit. */
static void make_root(void)
{
	static const char *const dirs[] = { "simple", "simple/p", "files",
					    "files/p", ".tlcpack" };
	static const char *const files[] = { "wheels.html", "simple/index.html",
					     "simple/p/index.json",
					     "files/p/p-1.0-py3-none-any.whl",
					     ".tlcpack/lock" };
	char tmpl[] = "/tmp/fuzz-urlpath-XXXXXX", p[PATH_MAX + 64];

	if (!mkdtemp(tmpl) || !realpath(tmpl, root))
		abort();
	rootlen = strlen(root);
	atexit(remove_root);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		if (mkdir(p, 0755) < 0)
			abort();
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		int fd;

		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		if ((fd = open(p, O_CREAT | O_WRONLY, 0644)) < 0)
			abort();
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/up", root);
	if (symlink("..", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/etc", root);
	if (symlink("/etc", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/simple/p/self", root);
	if (symlink("../..", p) < 0)
		abort();
	snprintf(p, sizeof(p), "%s/fifo", root);
	if (mkfifo(p, 0644) < 0)
		abort();
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
}

/* What @fd is open on must be the root or below it. */
static void check_inside(int fd)
{
	char link[64], where[PATH_MAX + 1];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, where, sizeof(where) - 1)) < 0)
		abort();
	where[n] = '\0';
	if (strncmp(where, root, rootlen) ||
	    (where[rootlen] != '\0' && where[rootlen] != '/'))
		abort();
	close(fd);
}

static void check_open_result(int fd, const struct tlc_error *err)
{
	if (fd >= 0) {
		check_inside(fd);
		return;
	}
	if (fd != TLC_ENOTFOUND && fd != TLC_EPOLICY && fd != TLC_ETOOBIG &&
	    fd != TLC_EIO)
		abort();
	if (!err->msg[0] || strchr(err->msg, '\n'))
		abort();
}

static void check_decoded(const char *in, size_t size,
			  const struct tlc_buf *out, bool dir)
{
	const char *q = memchr(in, '?', size);
	size_t plen = q ? (size_t)(q - in) : size;

	if (out->len > TLC_URLPATH_MAX || strlen(out->ptr) != out->len)
		abort();	/* a NUL inside */
	for (size_t i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		if (c < 0x21 || c > 0x7e || c == '\\' || c == '%')
			abort();
	}
	if (strstr(out->ptr, "..") || strstr(out->ptr, "//"))
		abort();
	if (out->len && (out->ptr[0] == '/' || out->ptr[out->len - 1] == '/'))
		abort();
	if (out->ptr[0] == '.' || strstr(out->ptr, "/."))
		abort();	/* a segment starting with '.' */
	if (plen == 0 || in[0] != '/')
		abort();
	if (dir != (in[plen - 1] == '/'))
		abort();
}

/* %-encode every byte of @out and decode again: the same path back. */
static void check_round_trip(const struct tlc_buf *out, bool dir)
{
	static const char hex[] = "0123456789ABCDEF";
	struct tlc_buf enc = TLC_BUF_INIT, again = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	bool dir2;

	if (tlc_buf_putc(&enc, '/') < 0)
		abort();
	for (size_t i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->ptr[i];
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (c == '/' ? tlc_buf_putc(&enc, '/') < 0
			     : tlc_buf_put(&enc, e, 3) < 0)
			abort();
	}
	if (dir && out->len && tlc_buf_putc(&enc, '/') < 0)
		abort();
	if (tlc_urlpath_decode(&again, &dir2, enc.ptr, enc.len, &err) == 0) {
		if (again.len != out->len || memcmp(again.ptr, out->ptr,
						    out->len) || dir2 != dir)
			abort();
	} else if (err.code != TLC_ETOOBIG) {
		abort();	/* only the x3 of the encoding may be too long */
	}
	tlc_buf_release(&enc);
	tlc_buf_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlc_buf out = TLC_BUF_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	const char *in = (const char *)data;
	char *rel;
	bool dir = true;
	int rc;

	if (rootfd < 0)
		make_root();
	rc = tlc_urlpath_decode(&out, &dir, in, size, &err);
	if (rc < 0) {
		fuzz_check_refusal(rc, &err);
		for (const char *p = err.msg; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
		if (out.len || dir)
			abort();
	} else {
		if (rc != 0 || err.code || err.msg[0])
			abort();
		check_decoded(in, size, &out, dir);
		check_round_trip(&out, dir);
		check_open_result(tlc_urlpath_open_serve(rootfd, out.ptr, NULL,
							 &err), &err);
	}
	/* the raw input as a relative path: the opener's own defences */
	if ((rel = fuzz_string(data, size))) {
		struct tlc_error e2 = TLC_ERROR_INIT;

		check_open_result(tlc_urlpath_open(rootfd, rel, O_PATH, &e2),
				  &e2);
		free(rel);
	}
	tlc_buf_release(&out);
	return 0;
}
