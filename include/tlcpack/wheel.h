/*
 * Writing wheels exactly to the binary distribution format spec
 * (PEP 427, https://packaging.python.org/en/latest/specifications/
 * binary-distribution-format/) and core metadata
 * (https://packaging.python.org/en/latest/specifications/core-metadata/).
 *
 * A wheel is reproducible: members are sorted, times come from the given
 * epoch, permissions are normalized to 0644/0755, and the .dist-info
 * directory goes last.  Big members are deflated on every core.
 */
#ifndef TLC_WHEEL_H
#define TLC_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "progress.h"
#include "zip.h"

/* Core metadata.  Metadata-Version 2.1: the newest that pip 23 and
 * twine 4 (pkginfo 1.8) both read.  Lists are NULL-terminated arrays. */
struct tlc_metadata {
	const char *name;		/* distribution name, as the user wrote it */
	const char *version;		/* normalized PEP 440 */
	const char *summary;		/* one line */
	const char *description;	/* the body; may be NULL */
	const char *description_content_type; /* "text/markdown", ... */
	const char *license;		/* SPDX expression or free text */
	const char *requires_python;	/* ">=3.8", may be NULL */
	const char *author;
	const char *author_email;
	const char *const *requires_dist;	/* PEP 508 strings */
	const char *const *project_urls;	/* "Label, https://..." */
	const char *const *classifiers;
	const char *const *license_files;	/* names under licenses/ */
};

/**
 * Render @m as an email-style METADATA file.  Single-line fields that
 * contain a newline, and a missing name or version, are refused.
 *
 * @return 0, TLC_EPOLICY, TLC_ENOMEM
 */
int tlc_metadata_format(struct tlc_buf *out, const struct tlc_metadata *m,
			struct tlc_error *err);

struct tlc_wheel_opts {
	const char *name;	/* distribution name, escaped here */
	const char *version;	/* normalized PEP 440 */
	const char *build_tag;	/* NULL for none */
	const char *python_tag;	/* "py3", "cp311" */
	const char *abi_tag;	/* "none", "cp311", "abi3" */
	const char *platform_tag; /* "linux_x86_64", "any" */
	bool purelib;		/* Root-Is-Purelib */
	const char *generator;	/* "tlcpack 0.1.0" */
	const char *outdir;	/* where the .whl lands */
	int64_t epoch;		/* member times; clamped to 1980..2107 */
	int level;		/* deflate level 0-9 */
	unsigned threads;	/* 0: every online CPU */
	tlc_progress_cb progress; /* may be NULL */
	void *progress_data;
};

#define TLC_WHEEL_OPTS_INIT { NULL, NULL, NULL, "py3", "none", "any", \
			      false, NULL, ".", 315532800, 6, 0, NULL, NULL }

struct tlc_wheel_writer;

/**
 * Start a wheel.  Nothing appears in @opts->outdir until
 * tlc_wheel_writer_finish() succeeds: the file is written under a
 * temporary name, fsynced and renamed.
 *
 * @param[out] out  free with tlc_wheel_writer_free()
 */
int tlc_wheel_writer_new(struct tlc_wheel_writer **out,
			 const struct tlc_wheel_opts *opts,
			 struct tlc_error *err);

/**
 * Add every regular file under @dir as "<prefix>/<relative path>" (prefix
 * may be "" for the root).  Symlinks to files are followed; symlinks that
 * point outside @dir, and other file types, are refused.
 */
int tlc_wheel_add_tree(struct tlc_wheel_writer *w, const char *dir,
		       const char *prefix, struct tlc_error *err);

/** Add the file at @path as @arcname; its exec bit is kept. */
int tlc_wheel_add_file(struct tlc_wheel_writer *w, const char *arcname,
		       const char *path, struct tlc_error *err);

/** Add @len bytes of @data as @arcname with mode 0644 or 0755. */
int tlc_wheel_add_data(struct tlc_wheel_writer *w, const char *arcname,
		       const void *data, size_t len, unsigned mode,
		       struct tlc_error *err);

/** Add a licence file as <dist-info>/licenses/@name. */
int tlc_wheel_add_license(struct tlc_wheel_writer *w, const char *name,
			  const char *path, struct tlc_error *err);

/**
 * Write the members, then METADATA (@metadata, verbatim), WHEEL and
 * RECORD, and move the wheel into place.  Adding a member twice, or one
 * whose name is absolute, contains "..", a backslash or a control
 * character, or lies in the .dist-info directory, fails here or earlier.
 *
 * @param[out] path  the wheel's path, appended
 */
int tlc_wheel_writer_finish(struct tlc_wheel_writer *w, const char *metadata,
			    struct tlc_buf *path, struct tlc_error *err);

/** Free @w, removing its temporary file if not finished.  NULL is a no-op. */
void tlc_wheel_writer_free(struct tlc_wheel_writer *w);

/**
 * Add member @e of @zr, copied raw (see tlc_zip_add_raw()), as @arcname,
 * with @e's mode.  RECORD gets @sha256 (32 bytes, the digest of the
 * uncompressed member, normally from the input wheel's RECORD; required,
 * and not checked here) and e->size.  @zr must outlive
 * tlc_wheel_writer_finish().  @arcname may not lie in any .dist-info
 * directory: use tlc_wheel_add_dist_info_raw() for those members.
 */
int tlc_wheel_add_raw(struct tlc_wheel_writer *w, const char *arcname,
		      const struct tlc_zip_reader *zr,
		      const struct tlc_zip_entry *e,
		      const unsigned char *sha256, struct tlc_error *err);

/**
 * As tlc_wheel_add_raw(), as <dist-info>/@relname ("entry_points.txt",
 * "licenses/LICENSE").  METADATA, WHEEL, RECORD, RECORD.jws and
 * RECORD.p7s are refused: the writer writes its own.
 */
int tlc_wheel_add_dist_info_raw(struct tlc_wheel_writer *w,
				const char *relname,
				const struct tlc_zip_reader *zr,
				const struct tlc_zip_entry *e,
				const unsigned char *sha256,
				struct tlc_error *err);

/**
 * Add @len bytes of @data (NULL when @len is 0) as <dist-info>/@relname,
 * mode 0644; reserved names as above.
 */
int tlc_wheel_add_dist_info_data(struct tlc_wheel_writer *w,
				 const char *relname, const void *data,
				 size_t len, struct tlc_error *err);

/* ---- reading ------------------------------------------------------------ */

/* One line of a RECORD (PEP 376 / PEP 427). */
struct tlc_wheel_record {
	const char *path;
	bool has_sha256;		/* "sha256=..." was given */
	unsigned char sha256[32];
	bool has_size;
	uint64_t size;
};

struct tlc_wheel_reader;

/* Limits on the .dist-info files a reader inflates into memory. */
#define TLC_WHEEL_META_MAX ((size_t)16 << 20)	/* WHEEL, METADATA */
#define TLC_WHEEL_RECORD_MAX ((size_t)64 << 20)	/* RECORD */

/**
 * Open the wheel at @path: its filename is parsed (PEP 427), its zip
 * central directory read, its one "{name}-{version}.dist-info" directory
 * found (the name and version must match the filename's, after
 * normalization), and WHEEL, METADATA and RECORD inflated.  WHEEL must
 * have "Wheel-Version: 1.x" and at least one Tag; RECORD is parsed as CSV
 * (RFC 4180 quoting, as Python's csv module writes it) and must list
 * every member but itself (and RECORD.jws / RECORD.p7s), each once, with
 * a sha256 hash (and the member's size, when it gives one), and name no
 * member that is absent.  METADATA's Name and Version must be the
 * directory's.  The members' digests are not checked here: a caller that
 * streams a member compares its SHA-256 with tlc_wheel_reader_record().
 *
 * @param[out] out  free with tlc_wheel_reader_free()
 * @return 0, TLC_ENOTFOUND, TLC_EPOLICY (the rule broken named), TLC_EIO,
 *         TLC_ETOOBIG, TLC_ENOMEM
 */
int tlc_wheel_reader_open(struct tlc_wheel_reader **out, const char *path,
			  struct tlc_error *err);

/** The zip archive, to list and stream members. */
const struct tlc_zip_reader *tlc_wheel_reader_zip(
	const struct tlc_wheel_reader *r);

/** "{name}-{version}.dist-info", as it is in the archive. */
const char *tlc_wheel_reader_dist_info(const struct tlc_wheel_reader *r);

/** The parts of the wheel's filename, as written; the build tag is NULL
 * when there is none. */
const char *tlc_wheel_reader_name(const struct tlc_wheel_reader *r);
const char *tlc_wheel_reader_version(const struct tlc_wheel_reader *r);
const char *tlc_wheel_reader_build_tag(const struct tlc_wheel_reader *r);
const char *tlc_wheel_reader_python_tag(const struct tlc_wheel_reader *r);
const char *tlc_wheel_reader_abi_tag(const struct tlc_wheel_reader *r);
const char *tlc_wheel_reader_platform_tag(const struct tlc_wheel_reader *r);

/** WHEEL's Root-Is-Purelib. */
bool tlc_wheel_reader_purelib(const struct tlc_wheel_reader *r);

/** METADATA's bytes, NUL-terminated. */
const struct tlc_buf *tlc_wheel_reader_metadata(
	const struct tlc_wheel_reader *r);

/** The RECORD line for member @path, or NULL. */
const struct tlc_wheel_record *tlc_wheel_reader_record(
	const struct tlc_wheel_reader *r, const char *path);

/** Free @r and close its file; NULL is a no-op. */
void tlc_wheel_reader_free(struct tlc_wheel_reader *r);

/**
 * Parse @len bytes of RECORD.  Each line is "path,hash,size" in CSV
 * (fields may be quoted, with "" for a quote); hash is empty or
 * "sha256=<urlsafe base64 without padding>" (other algorithms are
 * refused), size empty or decimal.  Paths pass tlc_zip_name_check().
 *
 * @param[out] out  an array of *@n records; free with
 *                  tlc_wheel_records_free()
 * @return 0, TLC_EPOLICY ("RECORD line 3: ..."), TLC_ENOMEM
 */
int tlc_wheel_record_parse(const char *data, size_t len,
			   struct tlc_wheel_record **out, size_t *n,
			   struct tlc_error *err);

/** Free what tlc_wheel_record_parse() made. */
void tlc_wheel_records_free(struct tlc_wheel_record *records, size_t n);

/**
 * Repack an unpacked wheel, as `python -m wheel pack` does: @dir holds the
 * package files and exactly one "{name}-{version}.dist-info" directory
 * with METADATA and WHEEL.  The name and version come from that
 * directory's name; the tags and build tag from WHEEL's Tag and Build
 * lines (the filename's tag sets are the sorted sets of the Tag parts).
 * METADATA, WHEEL and the other files of the .dist-info go in verbatim,
 * under "{escaped name}-{normalized version}.dist-info"; an old RECORD is
 * dropped and a fresh one written.  METADATA's Name and Version must
 * match the directory's.  From @opts only outdir, epoch, level, threads
 * and progress are used.
 *
 * @param[out] path  the wheel's path, appended
 * @return 0, TLC_ENOTFOUND (no .dist-info, WHEEL or METADATA),
 *         TLC_EPOLICY (two .dist-info, no Tag, bad names), TLC_EIO, ...
 */
int tlc_wheel_pack(struct tlc_buf *path, const char *dir,
		   const struct tlc_wheel_opts *opts, struct tlc_error *err);

#endif
