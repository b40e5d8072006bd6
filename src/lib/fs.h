/*
 * File-system helpers shared inside libtlcpack (internal).
 *
 * Durable replacement follows git's lockfile and libgit2's
 * git_futils_writebuffer: write a temporary file in the same directory,
 * fsync it, rename() it over the target, fsync the directory.
 */
#ifndef TLC_FS_H
#define TLC_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tlcpack/buf.h"
#include "tlcpack/error.h"

/** mkdir -p @path with @mode for the directories it creates. */
int tlc__fs_mkdir_p(const char *path, mode_t mode, struct tlc_error *err);

/** rm -rf @path; a missing @path is not an error.  Symlinks are removed,
 * never followed. */
int tlc__fs_remove_tree(const char *path, struct tlc_error *err);

/** fsync the directory @path. */
int tlc__fs_fsync_dir(const char *path, struct tlc_error *err);

/**
 * Create a temporary file next to @path ("<path>.tmp.XXXXXX"), open for
 * writing.  The name is appended to @tmp.
 *
 * @return a file descriptor, or a negative TLC_E* code
 */
int tlc__fs_tmpfile(struct tlc_buf *tmp, const char *path, mode_t mode,
		    struct tlc_error *err);

/**
 * fsync and close @fd (written at @tmp), rename @tmp to @path and fsync
 * the directory.  On failure @tmp is removed.  @fd is always closed.
 */
int tlc__fs_commit(int fd, const char *tmp, const char *path,
		   struct tlc_error *err);

/** Write @len bytes of @data to @path durably and atomically. */
int tlc__fs_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode, struct tlc_error *err);

/** write() all of @len bytes, retrying on EINTR and short writes. */
int tlc__fs_write_all(int fd, const void *data, size_t len, const char *what,
		      struct tlc_error *err);

/** Copy the regular file @src to @dst (not atomically), keeping the
 * executable bits. */
int tlc__fs_copy_file(const char *src, const char *dst, struct tlc_error *err);

/** True if @path exists (any type, symlinks not followed). */
bool tlc__fs_exists(const char *path);

/** True if @path is a directory (symlinks followed). */
bool tlc__fs_is_dir(const char *path);

/** Append the absolute, symlink-resolved form of @path to @out. */
int tlc__fs_realpath(struct tlc_buf *out, const char *path,
		     struct tlc_error *err);

/** Join @a and @b with one '/' into @out (replacing its contents). */
int tlc__fs_join(struct tlc_buf *out, const char *a, const char *b);

/** The SHA-256 of the file open at @fd (read from offset 0 with pread),
 * and its size if @size; @what names it in messages. */
int tlc__fs_sha256(int fd, unsigned char *out, uint64_t *size,
		   const char *what, struct tlc_error *err);

/** unlink(@path), durably only once its directory is fsynced; a missing
 * @path is not an error.  A fault point. */
int tlc__fs_unlink(const char *path, struct tlc_error *err);

/*
 * Fault injection for crash tests: every write, fsync, rename and unlink
 * above is a numbered point, and when the environment variable
 * TLC_FAULT_AT=N is set the process kills itself with SIGKILL at point N,
 * as a power cut or an OOM kill would.  Unset, the cost is one branch.
 */
void tlc__fs_fault_point(void);

#endif
