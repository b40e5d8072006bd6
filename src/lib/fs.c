#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "sha256.h"

#include "banned.h"

/*
 * The fault-injection hook (see fs.h).  The counter is process-wide and
 * not atomic: the points are on the writer's one thread.
 */
void tlc__fs_fault_point(void)
{
	/* atomic: the repository's syncer thread counts its fsyncs too */
	static long at = -1, count;
	long a = __atomic_load_n(&at, __ATOMIC_RELAXED);

	if (a < 0) {
		const char *s = getenv("TLC_FAULT_AT");
		char *end;

		a = 0;
		if (s && *s) {
			long v = strtol(s, &end, 10);

			if (!*end && v > 0)
				a = v;
		}
		__atomic_store_n(&at, a, __ATOMIC_RELAXED);
	}
	if (a && __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED) == a)
		raise(SIGKILL);
}

int tlc__fs_mkdir_p(const char *path, mode_t mode, struct tlc_error *err)
{
	struct tlc_buf b = TLC_BUF_INIT;
	int rc = 0;

	if (!*path)
		return tlc_error_set(err, TLC_ENOTFOUND,
				     "cannot create directory ''");
	if ((rc = tlc_buf_puts(&b, path)) < 0)
		return tlc_error_set(err, rc, "out of memory");
	for (char *p = b.ptr + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(b.ptr, mode) < 0 && errno != EEXIST) {
			rc = tlc_error_errno(err, TLC_EIO,
					     "cannot create directory '%s'",
					     b.ptr);
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (!tlc__fs_is_dir(path))
		rc = tlc_error_set(err, TLC_EEXISTS,
				   "cannot create directory '%s': a file is "
				   "in the way", path);
out:
	tlc_buf_release(&b);
	return rc;
}

static int remove_at(int at, const char *name, const char *path,
		     struct tlc_error *err)
{
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 :
		       tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) < 0 && errno != ENOENT)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot remove '%s'", path);
		return 0;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				 O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((rc = remove_at(dirfd(d), e->d_name, path, err)) < 0)
			break;
	}
	closedir(d);
	if (rc == 0 && unlinkat(at, name, AT_REMOVEDIR) < 0 &&
	    errno != ENOENT)
		rc = tlc_error_errno(err, TLC_EIO, "cannot remove '%s'", path);
	return rc;
}

int tlc__fs_remove_tree(const char *path, struct tlc_error *err)
{
	return remove_at(AT_FDCWD, path, path, err);
}

int tlc__fs_fsync_dir(const char *path, struct tlc_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
	tlc__fs_fault_point();
	if (fsync(fd) < 0 && errno != EINVAL) {
		close(fd);
		return tlc_error_errno(err, TLC_EIO, "cannot fsync '%s'", path);
	}
	close(fd);
	return 0;
}

int tlc__fs_tmpfile(struct tlc_buf *tmp, const char *path, mode_t mode,
		    struct tlc_error *err)
{
	size_t start = tmp->len;
	int fd, rc;

	if ((rc = tlc_buf_printf(tmp, "%s.tmp.XXXXXX", path)) < 0)
		return tlc_error_set(err, rc, "out of memory");
	fd = mkostemp(tmp->ptr + start, O_CLOEXEC);
	if (fd < 0) {
		rc = tlc_error_errno(err, TLC_EIO,
				     "cannot create a temporary file for '%s'",
				     path);
		tlc_buf_truncate(tmp, start);
		return rc;
	}
	if (fchmod(fd, mode) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot chmod '%s'",
				     tmp->ptr + start);
		close(fd);
		unlink(tmp->ptr + start);
		tlc_buf_truncate(tmp, start);
		return rc;
	}
	return fd;
}

static int dir_of(struct tlc_buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	tlc_buf_reset(out);
	if (!slash)
		return tlc_buf_puts(out, ".");
	if (slash == path)
		return tlc_buf_puts(out, "/");
	return tlc_buf_put(out, path, (size_t)(slash - path));
}

int tlc__fs_commit(int fd, const char *tmp, const char *path,
		   struct tlc_error *err)
{
	struct tlc_buf dir = TLC_BUF_INIT;
	int rc = 0;

	tlc__fs_fault_point();
	if (fsync(fd) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot fsync '%s'", tmp);
		close(fd);
		goto fail;
	}
	if (close(fd) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot close '%s'", tmp);
		goto fail;
	}
	tlc__fs_fault_point();
	if (rename(tmp, path) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot rename '%s' to '%s'",
				     tmp, path);
		goto fail;
	}
	if ((rc = dir_of(&dir, path)) < 0) {
		rc = tlc_error_set(err, rc, "out of memory");
		goto out;
	}
	rc = tlc__fs_fsync_dir(dir.ptr, err);
	goto out;
fail:
	unlink(tmp);
out:
	tlc_buf_release(&dir);
	return rc;
}

int tlc__fs_write_all(int fd, const void *data, size_t len, const char *what,
		      struct tlc_error *err)
{
	const char *p = data;

	tlc__fs_fault_point();
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tlc_error_errno(err, TLC_EIO,
					       "cannot write '%s'", what);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tlc__fs_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode, struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT;
	int fd, rc;

	if ((fd = tlc__fs_tmpfile(&tmp, path, mode, err)) < 0) {
		rc = fd;
		goto out;
	}
	if ((rc = tlc__fs_write_all(fd, data, len, tmp.ptr, err)) < 0) {
		close(fd);
		unlink(tmp.ptr);
		goto out;
	}
	rc = tlc__fs_commit(fd, tmp.ptr, path, err);
out:
	tlc_buf_release(&tmp);
	return rc;
}

int tlc__fs_copy_file(const char *src, const char *dst, struct tlc_error *err)
{
	char chunk[65536];
	struct stat st;
	int in, out = -1, rc = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot open '%s'", src);
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "cannot copy '%s': not a regular file", src);
		goto out;
	}
	{
		struct stat dst_st;

		/* O_TRUNC below would empty a file copied onto itself */
		if (stat(dst, &dst_st) == 0 && dst_st.st_dev == st.st_dev &&
		    dst_st.st_ino == st.st_ino) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "cannot copy '%s' onto itself", src);
			goto out;
		}
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		   (st.st_mode & 0111) ? 0755 : 0644);
	if (out < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot create '%s'", dst);
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     src);
			goto out;
		}
		if (n == 0)
			break;
		if ((rc = tlc__fs_write_all(out, chunk, (size_t)n, dst, err)) <
		    0)
			goto out;
	}
out:
	if (out >= 0 && close(out) < 0 && rc == 0)
		rc = tlc_error_errno(err, TLC_EIO, "cannot close '%s'", dst);
	close(in);
	return rc;
}

bool tlc__fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool tlc__fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int tlc__fs_realpath(struct tlc_buf *out, const char *path,
		     struct tlc_error *err)
{
	char *r = realpath(path, NULL);
	int rc;

	if (!r)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot resolve '%s'",
				       path);
	rc = tlc_buf_puts(out, r);
	free(r);
	return rc < 0 ? tlc_error_set(err, rc, "out of memory") : 0;
}

int tlc__fs_join(struct tlc_buf *out, const char *a, const char *b)
{
	size_t la = strlen(a);
	int rc;

	tlc_buf_reset(out);
	if ((rc = tlc_buf_put(out, a, la)) < 0)
		return rc;
	while (la && *b == '/')
		b++;
	if (la && a[la - 1] != '/' && *b)
		if ((rc = tlc_buf_putc(out, '/')) < 0)
			return rc;
	return tlc_buf_puts(out, b);
}

int tlc__fs_unlink(const char *path, struct tlc_error *err)
{
	tlc__fs_fault_point();
	if (unlink(path) < 0 && errno != ENOENT)
		return tlc_error_errno(err, TLC_EIO, "cannot remove '%s'",
				       path);
	return 0;
}

int tlc__fs_sha256(int fd, unsigned char *out, uint64_t *size,
		   const char *what, struct tlc_error *err)
{
	unsigned char buf[1 << 16];
	struct tlc__sha256 h;
	uint64_t off = 0;
	ssize_t n;

	if (!tlc__sha256_init(&h))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	while ((n = pread(fd, buf, sizeof(buf), (off_t)off)) > 0) {
		tlc__sha256_update(&h, buf, (size_t)n);
		off += (uint64_t)n;
	}
	tlc__sha256_final(&h, out);
	if (n < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot read '%s'", what);
	if (size)
		*size = off;
	return 0;
}
