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
 * 503) and end in "/".  Files are listed sorted by filename; projects by
 * normalized name.
 *
 * Links are relative: @root is the path from the page's directory to the
 * repository root ("" for wheels.html at the root, "../../" for a project
 * page), so the same pages work under any host and under a variant's
 * sub-index ("cu121/simple/..." uses "../../../").  With a base URL
 * ("https://cdn.example.org/tlcpack/"), file links are absolute instead:
 * base + "files/<project>/<filename>".
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

/**
 * wheels.html: one link per file, every project, for `pip -f`.
 * @return 0, TLC_ENOMEM
 */
int tlc_index_flat_html(struct tlc_buf *out, const struct tlc_index_file *files,
			size_t n, const struct tlc_index_opts *o,
			struct tlc_error *err);

/** simple/index.html: @projects are normalized names (sorted here). */
int tlc_index_root_html(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err);

/** simple/index.json (PEP 691). */
int tlc_index_root_json(struct tlc_buf *out, const char *const *projects,
			size_t n, struct tlc_error *err);

/** simple/<project>/index.html for the @n files of @project. */
int tlc_index_project_html(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err);

/** simple/<project>/index.json (PEP 691 + PEP 700). */
int tlc_index_project_json(struct tlc_buf *out, const char *project,
			   const struct tlc_index_file *files, size_t n,
			   const struct tlc_index_opts *o,
			   struct tlc_error *err);

/** "2024-01-31T12:00:00Z" (PEP 700 upload-time: ISO 8601, UTC). */
int tlc_index_time(char *out, size_t size, int64_t t);

#endif
