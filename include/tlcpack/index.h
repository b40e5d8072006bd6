/*
 * Rendering the pages of a package index from a list of files: pure
 * functions from data to bytes, which the repository (repo.h) writes.
 *
 *   wheels.html                   the flat find-links page (pip -f), each
 *                                 link "<href>#sha256=<hex>"
 *   simple/index.html, .json      the project list: PEP 503, and PEP 691
 *                                 JSON (application/vnd.pypi.simple.v1+json)
 *   simple/<project>/index.html   PEP 503: anchor text = filename,
 *                                 data-requires-python (HTML-escaped),
 *                                 data-dist-info-metadata and
 *                                 data-core-metadata ("sha256=<hex>",
 *                                 PEP 658 / PEP 714), data-yanked (PEP 592)
 *   simple/<project>/index.json   PEP 691 with the PEP 700 fields
 *                                 ("versions", "size", "upload-time")
 *
 * Every page carries the "pypi:repository-version" meta tag (HTML) or
 * "meta": {"api-version": "1.1"} (JSON).  Text from metadata is escaped for
 * HTML (& < > " ') and JSON.  Project names in URLs are normalized (PEP
 * 503) and end in "/".  Files are listed sorted by project, then filename;
 * projects by normalized name (all orders are strcmp(), byte order).
 *
 * Links are relative: @root is the path from the page's directory to the
 * repository root ("" for wheels.html at the root, "../../" for a project
 * page), so the same pages work under any host and under a variant's
 * sub-index ("cu121/simple/..." uses "../../../").  With a base URL
 * ("https://cdn.example.org/tlcpack/"), file links are absolute instead:
 * base + "files/<project>/<filename>".
 *
 * Both kinds of link percent-encode the project and the filename as
 * RFC 3986 path segments: everything but ALPHA DIGIT "-" "." "_" "~", so a
 * local version's '+' is "%2B" and an epoch's '!' is "%21" (the set
 * Python's urllib.parse.quote() keeps, so pip leaves the URL as it is).
 *
 * Every input is checked before anything is written, and any refusal is
 * TLC_EPOLICY with a one-line message naming the file and the rule:
 * project names must be normalized; a filename must be one non-empty path
 * component; a version must be a PEP 440 version in normalized form
 * ("1.0rc1", not "1.0-RC1"); the size must fit int64_t;
 * the upload time must be what tlc_index_time() takes; filenames,
 * requires-python and yank reasons must be UTF-8 without control
 * characters (tab, LF and CR allowed but in filenames); the same file
 * (filename and project) twice is refused; @root and @base_url must
 * end in '/' and hold only characters that need no escaping in a URL or
 * an HTML attribute (no '&', '\'', '?', '#', space, non-ASCII ...), and
 * @base_url must start with "scheme://".
 *
 * The pages are deterministic: sorted copies are rendered, the caller's
 * arrays are not touched, and the same set of inputs in any order gives
 * the same bytes.  On failure @out is cut back to its length on entry.
 */
#ifndef TLC_INDEX_H
#define TLC_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/* One file of the index, as its pages show it. */
struct tlc_index_file {
	const char *filename;		/* the wheel's file name */
	const char *project;		/* normalized name (PEP 503) */
	const char *version;		/* normalized (PEP 440) */
	unsigned char sha256[32];
	uint64_t size;
	int64_t upload_time;		/* seconds since the epoch, UTC */
	const char *requires_python;	/* NULL if none */
	bool has_metadata;		/* a PEP 658 "<filename>.metadata" file */
	unsigned char metadata_sha256[32];
	const char *yanked;		/* NULL: not yanked; the reason, "" for
					 * none */
};

struct tlc_index_opts {
	const char *root;	/* relative path from the page to the repo
				 * root: "", "../../", ... */
	const char *base_url;	/* NULL: relative links; else the absolute
				 * URL of the repo root, ending in '/' */
};

/* Bytes tlc_index_time() writes, its NUL included. */
#define TLC_INDEX_TIME_SIZE 21

/**
 * wheels.html: one link per file, every project, for `pip -f`, with the
 * same attributes as a project page (pip reads them on find-links pages
 * too).  @o may be NULL: relative links from the repository root.
 *
 * The page is exactly tlc_index_flat_begin(), then
 * tlc_index_flat_links() of all @files, then tlc_index_flat_end().
 * Links are sorted by project, then filename, so the page can be built
 * incrementally from one fragment per project:
 *
 *   begin + links(files of p1) + links(files of p2) + ... + end
 *
 * with p1 < p2 < ... the projects' normalized names in strcmp() order, is
 * byte for byte tlc_index_flat_html() of all the files (with the same
 * @o), and it fails exactly when that call would (a duplicate is the same
 * filename in the same project, so never spans two fragments).  A
 * project's fragment has to be rendered again only when its files change.
 *
 * @return 0, TLC_EPOLICY (see above), TLC_ENOMEM, TLC_ETOOBIG (@out's cap)
 */
int tlc_index_flat_html(struct tlc_buf *out, const struct tlc_index_file *files,
			size_t n, const struct tlc_index_opts *o,
			struct tlc_error *err);

/**
 * Append only the link lines of @files to @out, one per file ending in
 * "\n", sorted and checked as tlc_index_flat_html() does; "" for @n == 0.
 * @files may span projects.
 * @return as tlc_index_flat_html()
 */
int tlc_index_flat_links(struct tlc_buf *out,
			 const struct tlc_index_file *files, size_t n,
			 const struct tlc_index_opts *o, struct tlc_error *err);

/**
 * Append the head of wheels.html: everything before the first link.
 * @return 0, TLC_ENOMEM, TLC_ETOOBIG (@out's cap)
 */
int tlc_index_flat_begin(struct tlc_buf *out, struct tlc_error *err);

/**
 * Append the tail of wheels.html: everything after the last link.
 * @return as tlc_index_flat_begin()
 */
int tlc_index_flat_end(struct tlc_buf *out, struct tlc_error *err);

/**
 * simple/index.html: @projects are normalized names (sorted here,
 * duplicates listed once); each links to "<project>/".
 * @return as tlc_index_flat_html()
 */
int tlc_index_root_html(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err);

/**
 * simple/index.json (PEP 691): {"meta": {"api-version": "1.1"},
 * "projects": [{"name": ...}, ...]}, projects as in tlc_index_root_html().
 * @return as tlc_index_flat_html()
 */
int tlc_index_root_json(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err);

/**
 * simple/<project>/index.html for the @n files of @project; a file of
 * another project is refused (TLC_EPOLICY).  @o may be NULL as above.
 * @return as tlc_index_flat_html()
 */
int tlc_index_project_html(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err);

/**
 * simple/<project>/index.json (PEP 691 + PEP 700), one line of compact
 * JSON, keys in this order: "meta", "name", "files" (each "filename",
 * "url" (no fragment), "hashes" {"sha256"}, "requires-python" if any,
 * "core-metadata" and "dist-info-metadata" {"sha256"} if there is a
 * .metadata file, "size", "upload-time", "yanked": false, true (no
 * reason) or the reason), then "versions" (unique, PEP 440 order; "1.0"
 * and "1.0.0" both kept, in string order).
 * @return as tlc_index_project_html()
 */
int tlc_index_project_json(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err);

/**
 * Write "2024-01-31T12:00:00Z" (PEP 700 upload-time: ISO 8601, UTC) and a
 * NUL into @out.  @out is "" on failure (when @size > 0).
 * @return 0, TLC_EPOLICY for @t before 1970 or after 9999-12-31T23:59:59Z,
 *         TLC_ETOOBIG if @size < TLC_INDEX_TIME_SIZE
 */
int tlc_index_time(char *out, size_t size, int64_t t);

#endif
