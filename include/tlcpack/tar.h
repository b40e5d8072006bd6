/*
 * Tar archives: a streaming reader and a reproducible writer.
 *
 * Format: POSIX.1-2001 ustar ("pax" interchange format, IEEE Std
 * 1003.1-2017, pax "ustar Interchange Format" and "pax Extended Header"),
 * the form OCI image layers use (image-spec layer.md, "Distributable
 * Format").  The reader also takes GNU long names ('L', 'K') and base-256
 * numbers, which GNU tar writes, and reads a plain tar or a gzip stream
 * (RFC 1952, detected by its magic), from a file or a range of one.
 *
 * Every header is checked: its checksum, its numbers, its type, its name
 * (no absolute path, no ".." component, no NUL, under TLC_TAR_NAME_MAX)
 * and the data it announces (a short archive is "truncated").  Names
 * come out normalised: no "./" in front, no empty or "." component, no
 * trailing '/'; the root itself is ".".
 *
 * The writer makes the same bytes from the same entries: ustar headers,
 * a pax 'x' header only for what ustar cannot hold (a long path or link,
 * a size of 8 GiB or more), uid and gid 0, uname and gname "root", the
 * mtime given, no atime or ctime records; gzip through zlib with no
 * name and mtime 0 in its header and the OS byte zlib fixes (3, Unix).
 */
#ifndef TLC_TAR_H
#define TLC_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Entry types (ustar typeflag). */
enum {
	TLC_TAR_FILE = '0',
	TLC_TAR_HARDLINK = '1',
	TLC_TAR_SYMLINK = '2',
	TLC_TAR_CHAR = '3',
	TLC_TAR_BLOCK = '4',
	TLC_TAR_DIR = '5',
	TLC_TAR_FIFO = '6',
};

#define TLC_TAR_NAME_MAX 4096		/* a path or link target */
#define TLC_TAR_PAX_MAX (1u << 20)	/* one pax or GNU long-name header */

struct tlc_tar_entry {
	const char *name;	/* normalised, see above */
	const char *linkname;	/* hard link: a normalised archive path;
				 * symlink: the target as stored; else "" */
	int type;		/* TLC_TAR_* */
	uint32_t mode;		/* permission bits, 07777 */
	uint64_t size;		/* data bytes (regular files only) */
	int64_t mtime;
	uint32_t uid, gid;
	uint32_t devmajor, devminor;
};

/* What a writer made: the SHA-256 of the tar (an OCI "DiffID", image-spec
 * config.md "Layer DiffID") and of the bytes written (the blob digest),
 * and their count. */
struct tlc_tar_sums {
	unsigned char diff_id[32];
	unsigned char digest[32];
	uint64_t size;
};

struct tlc_tar_reader;

/**
 * Read the archive in [@off, @off + @len) of @fd (@len UINT64_MAX: to the
 * end of the file), with pread, so @fd's offset is not used.  A gzip
 * stream is recognised by its first two bytes and inflated.
 *
 * @param[out] out	free it with tlc_tar_reader_free(); @fd stays the
 *			caller's and must outlive the reader
 * @param what		the archive's name, for messages
 * @return 0 or a negative TLC_E* code
 */
int tlc_tar_reader_new(struct tlc_tar_reader **out, int fd, uint64_t off,
		       uint64_t len, const char *what, struct tlc_error *err);

/**
 * Move to the next entry, skipping what is left of the current one.
 *
 * @param[out] e	borrowed, valid until the next call
 * @return 1 with an entry, 0 at the end of the archive (everything after
 *	   it has then been read, see tlc_tar_reader_diff_id()), or a
 *	   negative TLC_E* code: TLC_EPOLICY for a malformed, truncated or
 *	   hostile archive
 */
int tlc_tar_reader_next(struct tlc_tar_reader *r,
			const struct tlc_tar_entry **e,
			struct tlc_error *err);

/** Read up to @n bytes of the current entry's data; *@got 0 at its end. */
int tlc_tar_reader_read(struct tlc_tar_reader *r, void *buf, size_t n,
			size_t *got, struct tlc_error *err);

/** True if the archive is gzip-compressed. */
bool tlc_tar_reader_gzip(const struct tlc_tar_reader *r);

/** Where the current entry's data starts in @fd (plain tar only). */
uint64_t tlc_tar_reader_data_offset(const struct tlc_tar_reader *r);

/**
 * The SHA-256 of the whole uncompressed stream, once tlc_tar_reader_next()
 * has returned 0.  @return false before that
 */
bool tlc_tar_reader_diff_id(const struct tlc_tar_reader *r,
			    unsigned char out[32]);

/** Free @r; NULL is a no-op. */
void tlc_tar_reader_free(struct tlc_tar_reader *r);

/**
 * Check and normalise the archive path @name in place (see above).
 * @return 0, or TLC_EPOLICY "absolute path '...'", "path '...' has a '..'
 *	   component", ...
 */
int tlc_tar_name_normalise(char *name, struct tlc_error *err);

struct tlc_tar_writer;

/**
 * Write an archive to @fd (at its offset, with write()).
 *
 * @param gzip_level	-1: plain tar; 1..9: gzip at that level
 * @param[out] out	free it with tlc_tar_writer_free()
 */
int tlc_tar_writer_new(struct tlc_tar_writer **out, int fd, int gzip_level,
		       struct tlc_error *err);

/**
 * Add the header of @e (uid, gid, uname and gname are not taken from
 * it).  A regular file's e->size bytes follow through
 * tlc_tar_writer_write(); a directory gets its trailing '/'.
 */
int tlc_tar_writer_add(struct tlc_tar_writer *w,
		       const struct tlc_tar_entry *e, struct tlc_error *err);

/** Add @n bytes of the current regular file's data. */
int tlc_tar_writer_write(struct tlc_tar_writer *w, const void *p, size_t n,
			 struct tlc_error *err);

/**
 * Add everything under the directory @dir (not @dir itself), at the same
 * relative paths, depth first with each directory's names in byte order:
 * directories, regular files (hard links become copies) and symlinks,
 * modes kept, mtime @mtime (-1: each file's own).  Symlinks are stored, never followed; any
 * other file type is refused.
 */
int tlc_tar_writer_add_tree(struct tlc_tar_writer *w, const char *dir,
			    int64_t mtime, struct tlc_error *err);

/** End the archive (two zero blocks; the gzip trailer) and fill @sums. */
int tlc_tar_writer_finish(struct tlc_tar_writer *w, struct tlc_tar_sums *sums,
			  struct tlc_error *err);

/** Free @w (unfinished: what was written stays); NULL is a no-op. */
void tlc_tar_writer_free(struct tlc_tar_writer *w);

#endif
