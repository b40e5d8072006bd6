/*
 * Request targets to files beneath the repository.
 *
 * Decoding: RFC 3986 section 2.1 (percent-encoding), 2.4 (decode once,
 * and only after splitting into components), 3.3 (path segments) and
 * 3.4 (the query starts at '?'); RFC 9112 section 3.2.1 (origin-form).
 * Opening: openat2(2) (Linux 5.6), with a walk for older kernels.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>	/* struct open_how, RESOLVE_* */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>	/* SYS_openat2 */
#include <unistd.h>

#include <openssl/crypto.h>	/* OPENSSL_hexchar2int */

#include "tlcpack/urlpath.h"

#include "text.h"

#include "banned.h"

#ifndef SYS_openat2
#define SYS_openat2 437		/* the same on every architecture */
#endif

#define QUOTE_MAX 60
#define TMP_SUFFIX_LEN 11	/* ".tmp.XXXXXX", see tlc__fs_tmpfile() */

static int refuse(struct tlc_error *err, int code, const char *target,
		  size_t len, const char *why)
{
	char q[QUOTE_MAX * 4 + 5];

	tlc__quote(q, sizeof(q), target, len, QUOTE_MAX);
	return tlc_error_set(err, code, "request path '%s' %s", q, why);
}

/* Why the byte @c may not appear in a path (raw or decoded), or NULL. */
static const char *byte_problem(unsigned char c, bool decoded)
{
	if (c == '\0')
		return "holds a NUL byte";
	if (c < 0x20 || c == 0x7f)
		return "holds a control character";
	if (c == ' ')
		return "holds a space";
	if (c > 0x7e)
		return "holds a byte outside printable ASCII";
	if (c == '\\')
		return "holds a backslash";
	if (!decoded)
		return c == '#' ? "holds a '#' (RFC 3986 section 3.5: a "
				  "fragment is never sent)" : NULL;
	if (c == '/')
		return "holds an encoded '/' (%2F)";
	if (c == '%')
		return "holds an encoded '%' (double encoding)";
	return NULL;
}

/* Why the decoded segment [s, s + n) may not be served, or NULL. */
static const char *segment_problem(const char *s, size_t n)
{
	if (n == 0)
		return "has an empty segment";
	if (n == 1 && s[0] == '.')
		return "has a '.' segment";
	if (n == 2 && s[0] == '.' && s[1] == '.')
		return "has a '..' segment";
	if (s[0] == '.')
		return "has a segment starting with '.' (hidden files are "
		       "never served)";
	if (memmem(s, n, "..", 2))
		return "has '..' inside a segment";
	if (n > TMP_SUFFIX_LEN &&
	    !memcmp(s + n - TMP_SUFFIX_LEN, ".tmp.", 5))
		return "names a file still being written";
	return NULL;
}

int tlc_urlpath_decode(struct tlc_buf *out, bool *dir, const char *target,
		       size_t len, struct tlc_error *err)
{
	size_t start = out->len, seg, i;
	const char *why, *q;
	int rc, code = TLC_EPOLICY;

	assert(out && dir && (target || !len));
	*dir = false;
	if (len && (q = memchr(target, '?', len)))
		len = (size_t)(q - target);
	if (len == 0)
		return tlc_error_set(err, TLC_EPOLICY, "request path is empty");
	if (target[0] != '/')
		return refuse(err, TLC_EPOLICY, target, len,
			      "does not start with '/'");
	if (len > TLC_URLPATH_MAX * 3)
		return refuse(err, TLC_ETOOBIG, target, len, "is too long");
	if ((rc = tlc_buf_grow(out, len)) < 0)
		return tlc_error_set(err, rc, "cannot decode request path: %s",
				     tlc_error_name(rc));

	seg = out->len;
	for (i = 1; i <= len; i++) {
		unsigned char c;

		if (i == len || target[i] == '/') {
			/* a segment ended: the root and a trailing '/' are
			 * the only empty ones allowed */
			size_t n = out->len - seg;

			if (i == len && n == 0) {
				*dir = true;
				if (out->len > start)
					out->len--;	/* the '/' */
				break;
			}
			if ((why = segment_problem(out->ptr + seg, n)))
				goto refused;
			if (n > TLC_URLPATH_SEGMENT_MAX) {
				why = "has a segment too long";
				code = TLC_ETOOBIG;
				goto refused;
			}
			if (i == len)
				break;
			if (out->len - start + 1 > TLC_URLPATH_MAX)
				goto too_long;
			out->ptr[out->len++] = '/';
			seg = out->len;
			continue;
		}
		c = (unsigned char)target[i];
		if ((why = byte_problem(c, false)))
			goto refused;
		if (c == '%') {
			const unsigned char *x =
				(const unsigned char *)target + i;
			int hi = i + 2 < len ? OPENSSL_hexchar2int(x[1]) : -1;
			int lo = i + 2 < len ? OPENSSL_hexchar2int(x[2]) : -1;

			if (hi < 0 || lo < 0) {
				why = "has a '%' not followed by two hex "
				      "digits (RFC 3986 section 2.1)";
				goto refused;
			}
			c = (unsigned char)(hi << 4 | lo);
			if ((why = byte_problem(c, true)))
				goto refused;
			i += 2;
		}
		if (out->len - start + 1 > TLC_URLPATH_MAX)
			goto too_long;
		out->ptr[out->len++] = (char)c;
	}
	/* a path of segments all checked, so never starting with '/' */
	out->ptr[out->len] = '\0';
	return 0;

too_long:
	why = "is too long";
	code = TLC_ETOOBIG;
refused:
	tlc_buf_truncate(out, start);
	*dir = false;
	return refuse(err, code, target, len, why);
}

/* A relative path tlc_urlpath_decode() could have made ("" allowed). */
static bool rel_ok(const char *rel)
{
	const char *p = rel, *slash;

	if (!*rel || !strcmp(rel, "."))
		return true;
	for (;;) {
		size_t n;

		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

static int open_errno(int e, const char *rel, struct tlc_error *err)
{
	char q[QUOTE_MAX * 4 + 5];

	tlc__quote(q, sizeof(q), rel, strlen(rel), QUOTE_MAX);
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return tlc_error_set(err, TLC_ENOTFOUND, "'%s' not found", q);
	case ELOOP:
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' goes through a symlink", q);
	case EXDEV:
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' leads outside the repository", q);
	case ENAMETOOLONG:
		return tlc_error_set(err, TLC_ETOOBIG, "'%s' is too long", q);
	default:
		errno = e;
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", q);
	}
}

/*
 * openat2(2) as one system call; -1 with errno set, ENOSYS where the
 * kernel (or a seccomp filter, as Docker's before 20.10 had) lacks it.
 */
static int openat2_beneath(int rootfd, const char *rel, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(unsigned)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS;
	do {
		/* EAGAIN: a rename raced the lookup (RESOLVE_BENEATH) */
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	} while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return (int)fd;
}

/*
 * Whether the last open failed on a symlink: O_NOFOLLOW with O_DIRECTORY
 * may give ENOTDIR rather than ELOOP for one.
 */
static int walk_errno(int dirfd, const char *name, int e)
{
	struct stat st;

	if ((e == ENOTDIR || e == ELOOP) &&
	    !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISLNK(st.st_mode))
		return ELOOP;
	return e;
}

/*
 * The walk for kernels without openat2: each directory on the way opened
 * with O_NOFOLLOW | O_DIRECTORY from the one before, so that no symlink
 * is followed and no ".." is ever looked up (rel_ok() refused them).
 * -1 with errno set.
 */
static int open_walk(int rootfd, const char *rel, int flags)
{
	char name[TLC_URLPATH_SEGMENT_MAX + 1];
	const char *p = rel, *slash;
	int dirfd = rootfd, fd, e;
	struct stat st;

	if (!*rel)
		p = ".";
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);

		if (n > TLC_URLPATH_SEGMENT_MAX) {
			e = ENAMETOOLONG;
			goto fail;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
				O_CLOEXEC);
		if (fd < 0) {
			e = walk_errno(dirfd, name, errno);
			goto fail;
		}
		if (dirfd != rootfd)
			close(dirfd);
		dirfd = fd;
		p = slash + 1;
	}
	do {
		fd = openat(dirfd, p, flags | O_NOFOLLOW);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		e = walk_errno(dirfd, p, errno);
		goto fail;
	}
	/* O_PATH | O_NOFOLLOW opens a symlink itself rather than failing */
	if ((flags & O_PATH) && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))) {
		e = S_ISLNK(st.st_mode) ? ELOOP : errno;
		close(fd);
		goto fail;
	}
	if (dirfd != rootfd)
		close(dirfd);
	return fd;

fail:
	if (dirfd != rootfd)
		close(dirfd);
	errno = e;
	return -1;
}

int tlc_urlpath_open(int rootfd, const char *rel, int flags,
		     struct tlc_error *err)
{
	int fd;

	assert(rel && !(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE);
	if (!rel_ok(rel)) {
		char q[QUOTE_MAX * 4 + 5];

		tlc__quote(q, sizeof(q), rel, strlen(rel), QUOTE_MAX);
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a plain relative path", q);
	}
	if (strlen(rel) > TLC_URLPATH_MAX)
		return open_errno(ENAMETOOLONG, rel, err);
	/* O_NOFOLLOW with O_PATH would open a final symlink, not refuse it;
	 * RESOLVE_NO_SYMLINKS alone refuses it with ELOOP */
	flags = (flags & ~O_NOFOLLOW) | O_CLOEXEC;
	fd = openat2_beneath(rootfd, *rel ? rel : ".", flags);
	if (fd < 0 && errno == ENOSYS)
		fd = open_walk(rootfd, rel, flags);
	if (fd < 0)
		return open_errno(errno, rel, err);
	return fd;
}

int tlc_urlpath_open_serve(int rootfd, const char *rel, struct stat *st,
			   struct tlc_error *err)
{
	struct stat first, second;
	char q[QUOTE_MAX * 4 + 5];
	int pathfd, fd, fl, rc;

	if ((pathfd = tlc_urlpath_open(rootfd, rel, O_PATH, err)) < 0)
		return pathfd;
	tlc__quote(q, sizeof(q), rel, strlen(rel), QUOTE_MAX);
	if (fstat(pathfd, &first) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", q);
		close(pathfd);
		return rc;
	}
	close(pathfd);
	if (!S_ISREG(first.st_mode) && !S_ISDIR(first.st_mode))
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a regular file or directory",
				     q);
	fd = tlc_urlpath_open(rootfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY,
			      err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &second) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", q);
		goto fail;
	}
	if (second.st_dev != first.st_dev || second.st_ino != first.st_ino) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "'%s' was replaced while being opened", q);
		goto fail;
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'", q);
		goto fail;
	}
	if (st)
		*st = second;
	return fd;

fail:
	close(fd);
	return rc;
}
