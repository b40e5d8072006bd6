/*
 * Zip archives (PKWARE APPNOTE.TXT 6.3.x,
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT), the
 * container of wheels.
 *
 * The writer is deterministic: members go in the order they are added,
 * every member gets the same DOS time, modes are normalized to 0644 or
 * 0755, and there are no extra fields but zip64's.  Zip64 is used when,
 * and only when, a size, an offset or the member count needs it.  Sizes
 * go in the local headers (no data descriptors).  Each member is deflated
 * (method 8) or stored (method 0) when deflate does not make it smaller;
 * big members are deflated in chunks on every core, and the bytes written
 * do not depend on the number of threads.
 *
 * The reader takes the central directory as the truth (4.3.12), checks
 * every record against the file (offsets and sizes inside it, names that
 * tlc_zip_name_check() accepts, no duplicates, no encryption, only
 * methods 0 and 8, local headers that name the same member with the same
 * method), and inflates members as streams, so memory is bounded whatever
 * the member sizes.  tlc_zip_reader_check_strict() adds what a repository
 * requires: local headers that agree in every field, no data
 * descriptors, no byte of the file outside the records.  A member can
 * also be copied into a writer raw: its compressed bytes are never
 * inflated again.
 *
 * struct tlc_zip_entry describes a member for the writer and the reader.
 */
#ifndef TLC_ZIP_H
#define TLC_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "progress.h"

#define TLC_ZIP_STORED 0
#define TLC_ZIP_DEFLATED 8

#define TLC_ZIP_NAME_MAX 4096	/* bytes in a member name we accept */

/* A member, as it is in the archive. */
struct tlc_zip_entry {
	const char *name;	/* owned by the writer (or reader) */
	uint64_t size;		/* uncompressed bytes */
	uint64_t csize;		/* bytes in the archive */
	uint64_t offset;	/* of the local header */
	uint32_t crc32;
	unsigned method;	/* TLC_ZIP_STORED or TLC_ZIP_DEFLATED */
	unsigned mode;		/* permission bits: 0644 or 0755 */
	bool has_sha256;	/* sha256 below is set */
	unsigned char sha256[32];	/* of the uncompressed bytes */
};

/**
 * Check that @name is a safe, portable member name: not empty, at most
 * TLC_ZIP_NAME_MAX bytes, valid UTF-8, relative (no leading '/'), no
 * backslash, no control character, no empty, "." or ".." component, no
 * trailing '/'.
 *
 * @return 0, or TLC_EPOLICY with the rule broken named
 */
int tlc_zip_name_check(const char *name, struct tlc_error *err);

struct tlc_zip_writer_opts {
	int level;		/* 0 (store everything) to 9 */
	unsigned threads;	/* 0: every online CPU */
	int64_t epoch;		/* the time of every member, clamped to the
				 * DOS range 1980-01-01..2107-12-31 */
	bool sha256;		/* compute each member's SHA-256 */
	const char *name;	/* the archive, in messages and as the
				 * progress item; NULL: "archive" */
	tlc_progress_cb progress;	/* may be NULL */
	void *progress_data;
	const char *progress_step;	/* NULL: "zip" */
};

#define TLC_ZIP_WRITER_OPTS_INIT { 6, 0, 315532800, false, NULL, NULL, \
				   NULL, NULL }

struct tlc_zip_writer;

/**
 * Start an archive in @fd, an empty regular file open for writing.  The
 * writer writes at offsets from 0 with pwrite(), truncates the file to the
 * archive's length when finished, and never closes @fd.
 *
 * @param[out] out  free with tlc_zip_writer_free()
 * @return 0, TLC_EPOLICY (a level out of range), TLC_ENOMEM, TLC_EIO (no
 *         thread could be started)
 */
int tlc_zip_writer_new(struct tlc_zip_writer **out, int fd,
		       const struct tlc_zip_writer_opts *opts,
		       struct tlc_error *err);

/**
 * Queue the regular file at @path (symlinks followed) as @arcname.  The
 * file is read when the queue is written, and must not change meanwhile.
 *
 * @param mode  0644 or 0755; anything with an execute bit becomes 0755
 * @return 0, TLC_EPOLICY (bad or duplicate name, not a regular file),
 *         TLC_ENOTFOUND, TLC_EIO, TLC_ENOMEM
 */
int tlc_zip_add_file(struct tlc_zip_writer *w, const char *arcname,
		     const char *path, unsigned mode, struct tlc_error *err);

/** Queue a copy of @len bytes at @data as @arcname.  @return as add_file */
int tlc_zip_add_data(struct tlc_zip_writer *w, const char *arcname,
		     const void *data, size_t len, unsigned mode,
		     struct tlc_error *err);

/**
 * Compress and write every queued member, in order.  Progress goes to
 * opts->progress from this thread, in uncompressed bytes.  After a
 * failure the writer only accepts tlc_zip_writer_free().
 *
 * @return 0, TLC_EIO (a read or write failed, or a file changed since
 *         it was added), TLC_ENOMEM
 */
int tlc_zip_writer_flush(struct tlc_zip_writer *w, struct tlc_error *err);

/** Members added so far, written or queued. */
size_t tlc_zip_writer_count(const struct tlc_zip_writer *w);

/**
 * The @i-th member added.  Its sizes, crc32, method and sha256 are only
 * filled once it has been written by tlc_zip_writer_flush().
 *
 * @return borrowed; valid until the writer is freed or a member added
 */
const struct tlc_zip_entry *tlc_zip_writer_entry(
	const struct tlc_zip_writer *w, size_t i);

/**
 * Flush, then write the central directory and the end records, and
 * truncate the file.  Reports progress with finished = 1.  Afterwards the
 * writer only answers _count(), _entry() and _free().
 *
 * @param[out] size  the archive's length; may be NULL
 * @return as tlc_zip_writer_flush()
 */
int tlc_zip_writer_finish(struct tlc_zip_writer *w, uint64_t *size,
			  struct tlc_error *err);

/** Free @w (not @fd); NULL is a no-op. */
void tlc_zip_writer_free(struct tlc_zip_writer *w);

/* ---- reading ------------------------------------------------------------ */

struct tlc_zip_reader;

/* Archives with more members than this are refused as hostile. */
#define TLC_ZIP_MAX_MEMBERS 1000000

/**
 * Read the central directory of the archive in @fd (zip64 included).  The
 * reader reads @fd with pread() and never closes it; @fd must stay open
 * and unchanged until the reader and every stream and writer using it are
 * freed.  @name is for messages, which all start with it quoted.
 *
 * Directory entries (a name ending in '/', no data) are checked and left
 * out.  Members that are not regular files by their UNIX mode (symlinks,
 * 4.4.15), and directory entries that are symlinks, devices or FIFOs,
 * are refused.  Modes are normalized to 0644/0755 (0644 when the archive
 * was not made on UNIX).  Sizes come from the central directory, so data
 * descriptors (bit 3) need no special care; a deflated member that claims
 * to inflate to more than 1032 times its compressed size, which deflate
 * cannot do, is refused as a zip bomb.  Once open, a reader is only read,
 * so several threads may stream its members at once.
 *
 * @param[out] out  free with tlc_zip_reader_free()
 * @return 0, TLC_EPOLICY (not a zip, or malformed: the message names the
 *         rule broken), TLC_EIO, TLC_ENOMEM
 */
int tlc_zip_reader_open(struct tlc_zip_reader **out, int fd, const char *name,
			struct tlc_error *err);

/** The number of members. */
size_t tlc_zip_reader_count(const struct tlc_zip_reader *r);

/** The @i-th member, in central directory order.  sha256 is never set. */
const struct tlc_zip_entry *tlc_zip_reader_entry(
	const struct tlc_zip_reader *r, size_t i);

/** The member named @name, or NULL. */
const struct tlc_zip_entry *tlc_zip_reader_find(
	const struct tlc_zip_reader *r, const char *name);

/**
 * Where @e's data starts in the file (after its local header), checked
 * to lie with its csize bytes inside the file.
 */
int tlc_zip_reader_data_offset(const struct tlc_zip_reader *r,
			       const struct tlc_zip_entry *e, uint64_t *off,
			       struct tlc_error *err);

struct tlc_zip_stream;

/**
 * Start reading @e's uncompressed bytes.
 * @param[out] out  free with tlc_zip_stream_free()
 */
int tlc_zip_stream_open(struct tlc_zip_stream **out,
			const struct tlc_zip_reader *r,
			const struct tlc_zip_entry *e, struct tlc_error *err);

/**
 * Read up to @len (> 0) bytes into @buf; *@got is 0 only at the end.  The
 * size and CRC-32 are checked when the end is reached, before the last
 * bytes are handed out: a member that inflates to more or fewer bytes
 * than its header says, or to other bytes, or whose deflate data ends
 * before or after its compressed size, fails with TLC_EPOLICY.  A member
 * never inflates past its declared size by more than one byte, whatever
 * its data (zip bombs stop there).  After a failure the stream only
 * answers TLC_ERROR.
 */
int tlc_zip_stream_read(struct tlc_zip_stream *s, void *buf, size_t len,
			size_t *got, struct tlc_error *err);

/** Free @s; NULL is a no-op. */
void tlc_zip_stream_free(struct tlc_zip_stream *s);

/**
 * Inflate the whole of @e into @out (appended; out->max applies, giving
 * TLC_ETOOBIG before anything is inflated when the declared size does not
 * fit), checking size and CRC-32.  On failure @out is as it was.
 */
int tlc_zip_read(const struct tlc_zip_reader *r, const struct tlc_zip_entry *e,
		 struct tlc_buf *out, struct tlc_error *err);

/**
 * Inflate the whole of @e into @fd (written from its current offset).  On
 * failure part of the member may have been written.
 */
int tlc_zip_extract(const struct tlc_zip_reader *r,
		    const struct tlc_zip_entry *e, int fd,
		    struct tlc_error *err);

/**
 * The rules an archive must also meet for a repository to accept it
 * (tlc_zip_reader_open() stays lenient, so that repair can read wheels
 * that other tools wrote):
 *
 * - every local header (4.3.7), directory entries' too, repeats its
 *   central record: name, flags, method, CRC-32 and both sizes (zip64
 *   ones through its extra field, 4.5.3);
 * - no member has a data descriptor (4.4.4 bit 3);
 * - the file is nothing but the members, each local header, name, extra
 *   field and data, back to back from offset 0, then the central
 *   directory, the zip64 end records (no extensible data, 4.3.14) if
 *   any, and the end record with no comment (4.3.16).  So no prepended
 *   data, no hidden bytes between members, and no trailing data before
 *   the central directory or after the end record.
 *
 * Reads each local header again; memory does not depend on the header
 * fields.  Member data is not read: the CRC-32 and sizes of the data
 * are checked by streaming it (tlc_zip_stream_read()).
 *
 * @return 0, TLC_EPOLICY (the message names the archive and the rule
 *         broken), TLC_EIO, TLC_ENOMEM
 */
int tlc_zip_reader_check_strict(const struct tlc_zip_reader *r,
				struct tlc_error *err);

/** Free @r (not its fd); NULL is a no-op. */
void tlc_zip_reader_free(struct tlc_zip_reader *r);

/**
 * Queue member @e of @r as @arcname, copied raw: its compressed bytes, CRC
 * and sizes go into the new archive unchanged (the bytes are copied when
 * the queue is written, without being inflated).  @r must outlive the
 * flush.  @sha256, the member's digest if the caller knows it (from a
 * RECORD), is passed through to tlc_zip_writer_entry(); NULL: none.  The
 * new local header is the writer's (its time and flags, sizes in it, no
 * data descriptor, zip64 when a size needs it).  The bytes are copied in
 * the kernel (copy_file_range) or through a 256 KiB buffer, so memory
 * stays bounded; progress counts the member's uncompressed size.
 *
 * @param mode  0644 or 0755
 * @return as tlc_zip_add_file()
 */
int tlc_zip_add_raw(struct tlc_zip_writer *w, const char *arcname,
		    const struct tlc_zip_reader *r,
		    const struct tlc_zip_entry *e,
		    const unsigned char *sha256, unsigned mode,
		    struct tlc_error *err);

#endif
