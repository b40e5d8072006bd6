/*
 * Request targets to files, for `tlcpack serve`: decode the path of an
 * HTTP request target once, with every trick that could leave the
 * repository or reach its private parts refused, then open the result
 * beneath the repository directory and never outside it, whatever the
 * file system holds (symlinks, renames racing the open).
 *
 * Two locks, each enough alone: the decoder never lets "..", "." or a
 * dot-segment through (RFC 3986 section 3.3 and 5.2.4 give them meaning;
 * we give them none), and the opener asks the kernel to stay beneath the
 * root (openat2(2) RESOLVE_BENEATH) and to follow no symlink at all.
 */
#ifndef TLC_URLPATH_H
#define TLC_URLPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>	/* struct stat */

#include "buf.h"
#include "error.h"

/* Bytes of a request target's path we decode, and of one segment. */
#define TLC_URLPATH_MAX 4096
#define TLC_URLPATH_SEGMENT_MAX 255

/**
 * Decode the path of a request target (RFC 9112 section 3.2.1
 * origin-form, the raw bytes after the method) exactly once into a
 * repository-relative path, with no leading '/'.  "/" gives "".
 *
 * A '?' ends the path: the query is not part of it (RFC 3986 section
 * 3.4), so a caller that passes the whole target gets the same result as
 * one that strips the query first.
 *
 * Refused with TLC_EPOLICY and a message naming the rule:
 * - an empty target, or one not starting with '/' (origin-form);
 * - a raw NUL, control character (below 0x20, 0x7f), space, byte above
 *   0x7e, backslash or '#' (RFC 3986 section 2: none of them may appear
 *   unencoded in a path);
 * - a bad %-escape ('%' not followed by two hex digits);
 * - an escape that decodes to NUL, a control character, space, a byte
 *   above 0x7e (so overlong UTF-8 such as %c0%ae never becomes '.': the
 *   repository's names are ASCII, PEP 508 and PEP 427), a backslash, a
 *   '/' (%2F: a slash must not hide inside a segment) or a '%' (double
 *   encoding: %252e must not become %2e for a second decoder);
 * - an empty segment ("//"), a "." or ".." segment, any segment that
 *   starts with '.' (.tlcpack/ and other hidden files are never served),
 *   ".." anywhere (no name the repository writes has it: project
 *   directories and wheel names are normalized, PEP 503 and PEP 427; so
 *   no later check, however naive, can mistake one for a dot-segment),
 *   and a segment named like a file in progress ("<name>.tmp.XXXXXX",
 *   what tlc_repo_publish() writes before it renames).
 * Refused with TLC_ETOOBIG: a path over TLC_URLPATH_MAX bytes or a
 * segment over TLC_URLPATH_SEGMENT_MAX bytes (decoded).
 *
 * @param[out] out  the decoded path is appended; unchanged on failure
 * @param[out] dir  true when the path ended in '/' ("" for "/", which is
 *                  a directory too); the trailing '/' is not in @out
 * @param target    @len bytes, not necessarily NUL-terminated; a NUL
 *                  inside them is refused
 * @return 0, TLC_EPOLICY, TLC_ETOOBIG or TLC_ENOMEM
 */
int tlc_urlpath_decode(struct tlc_buf *out, bool *dir, const char *target,
		       size_t len, struct tlc_error *err);

/**
 * Open @rel beneath the directory @rootfd and never outside it:
 * openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS, falling back to a component-by-component walk
 * with O_NOFOLLOW (and O_DIRECTORY on the way) where the kernel lacks
 * openat2 (ENOSYS, before Linux 5.6).  No symlink is followed, not even
 * one that stays inside the root.
 *
 * @rel is relative ("" or "." opens the root itself), made of non-empty
 * segments none of which is "." or ".."; anything else is refused before
 * any system call.  O_CLOEXEC is always added; O_NOFOLLOW is implied;
 * O_CREAT and O_TMPFILE are not allowed (this opens what is there).
 *
 * @return a file descriptor (the caller closes it), or TLC_ENOTFOUND (no
 *         such file, or a non-directory on the way), TLC_EPOLICY (a
 *         symlink on the way or at the end, a path that would leave the
 *         root, a bad @rel), TLC_ETOOBIG (name too long), TLC_EIO
 *         (anything else, such as EACCES, with strerror in the message)
 */
int tlc_urlpath_open(int rootfd, const char *rel, int flags,
		     struct tlc_error *err);

/**
 * Open @rel as tlc_urlpath_open() does, for serving: read-only, and only
 * if it is a regular file or a directory.  Anything else (a fifo, a
 * socket, a device node) is refused with TLC_EPOLICY without ever being
 * opened for reading: the type is checked on an O_PATH descriptor first,
 * since opening a fifo blocks and opening a device can act on it.  The
 * file is then opened again (non-blocking, so that a fifo swapped in
 * between cannot hang the caller) and must be the same inode, else
 * TLC_EPOLICY.  The returned descriptor is in blocking mode.
 *
 * @param[out] st  the file's status (from fstat on the returned fd); may
 *                 be NULL
 * @return a file descriptor, or as tlc_urlpath_open()
 */
int tlc_urlpath_open_serve(int rootfd, const char *rel, struct stat *st,
			   struct tlc_error *err);

#endif
