/*
 * A wheel repository: one directory that any static web server can serve,
 * holding the wheels and every form of index pip and uv read (index.h).
 *
 *   wheels.html                       find-links page (pip -f)
 *   simple/index.html, index.json     project list (PEP 503 / PEP 691)
 *   simple/<project>/index.{html,json}
 *   <variant>/wheels.html             the same, for the files published
 *   <variant>/simple/...              with that variant (cpu/, cu121/ ...)
 *   files/<project>/<wheel>           never rewritten in place
 *   files/<project>/<wheel>.metadata  PEP 658 core metadata
 *   .tlcpack/state/<project>.json     what the pages are made from
 *   .tlcpack/flat/[<variant>/]<project>.html
 *                                     each project's lines of wheels.html
 *   .tlcpack/config.json              the base URL, if any
 *   .tlcpack/removed                  file names removed, never reused
 *   .tlcpack/lock                     held by the one writer
 *
 * Every file is written under a temporary name ("<name>.tmp.XXXXXX" in
 * the same directory), made durable and renamed into place (see
 * commit_fd() in repo.c for the two ways).  A wheel and its .metadata are
 * durable before any page links to them; a page stops linking to a wheel
 * before the wheel is removed.
 * Writers take an flock(2) on .tlcpack/lock, which the kernel releases if
 * the writer dies; readers take nothing and, thanks to rename, never see a
 * partial file.
 *
 * Publishing touches only the pages of the project and variant it adds
 * to, wheels.html (rebuilt from the per-project fragments, not from the
 * states) and, when a project appears, the project lists.
 */
#ifndef TLC_REPO_H
#define TLC_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct tlc_repo_opts {
	int64_t now;		/* upload time of what is published; < 0:
				 * the clock */
	unsigned lock_wait;	/* seconds to wait for another writer */
};

#define TLC_REPO_OPTS_INIT { -1, 60 }

struct tlc_repo;
struct tlc_wheel_reader;
struct tlc_coremeta;
struct tlc_zipstream;

/**
 * Open the repository in @dir, creating it (and @dir) when @create, and
 * take the writer's lock.
 *
 * @param[out] out  close with tlc_repo_close()
 * @return 0, TLC_ENOTFOUND (no repository and not @create), TLC_EIO
 *         (includes: the lock was not free within opts->lock_wait),
 *         TLC_EPOLICY (a damaged .tlcpack/config.json), TLC_ENOMEM
 */
int tlc_repo_open(struct tlc_repo **out, const char *dir, bool create,
		  const struct tlc_repo_opts *opts, struct tlc_error *err);

enum tlc_repo_outcome {
	TLC_REPO_ADDED,		/* published */
	TLC_REPO_SAME,		/* already there, byte for byte: nothing done */
};

/**
 * tlc_repo_publish() for a file the caller hands over, such as a server's
 * upload: it is moved into the repository (a rename, on the same file
 * system) instead of copied, and @sha256 and @size are what the caller
 * computed while writing it, so the file is not read once more for them.
 * Never for a user's file: the repository would share its inode.
 *
 * @param streamed  NULL, or a follower (zipstream.h) fed exactly the
 *                  bytes of @path, from its first: the members it vouches
 *                  for are checked against RECORD with the SHA-256 it
 *                  computed, not inflated again; every other member is
 *                  read as tlc_repo_publish() reads it
 */
int tlc_repo_publish_adopt(struct tlc_repo *r, const char *path,
			   const char *variant,
			   const unsigned char sha256[32], uint64_t size,
			   const struct tlc_zipstream *streamed,
			   enum tlc_repo_outcome *outcome,
			   struct tlc_error *err);

/**
 * Everything tlc_repo_publish() checks in the wheel at @path itself, with
 * no repository: the zip's structure (tlc_zip_reader_check_strict()), one
 * .dist-info with WHEEL, METADATA and RECORD, METADATA's name against the
 * file name, and every member against its RECORD hash and size.  On
 * success the caller frees *@wr and *@meta; TLC_EPOLICY names the rule a
 * wheel breaks.
 */
int tlc_repo_validate(const char *path, struct tlc_wheel_reader **wr,
		      struct tlc_coremeta **meta, struct tlc_error *err);

/**
 * Validate the wheel at @path and add it: the zip structure, the
 * .dist-info (WHEEL, METADATA, RECORD), every member's hash and size
 * against RECORD, the filename against METADATA's name and version.  Then
 * copy it to files/<project>/, write its .metadata, and rewrite the pages
 * it touches.  The same file name with other bytes is refused, and so is a
 * file name that was published and removed.
 *
 * @param variant  NULL, or the build variant ("cpu", "cu121": lower-case
 *                 letters, digits, '.', '_', '-'), whose sub-index lists
 *                 the file too.  Republishing a file with another variant
 *                 is refused.
 * @return 0; TLC_EPOLICY (a rule broken, named), TLC_EEXISTS (the name is
 *         taken by other bytes, or was removed), TLC_ENOTFOUND, TLC_EIO,
 *         TLC_ETOOBIG, TLC_ENOMEM.  On failure nothing a reader sees has
 *         changed.
 */
int tlc_repo_publish(struct tlc_repo *r, const char *path,
		     const char *variant, enum tlc_repo_outcome *outcome,
		     struct tlc_error *err);

/**
 * From now on, publish, yank and unyank write the states (and files) at
 * once but leave the pages until tlc_repo_flush(): many changes then
 * cost one rendering of each page they touch.  Until the flush, the pages
 * show the repository as it was (tlc_repo_check() would call them stale).
 */
void tlc_repo_batch(struct tlc_repo *r);

/** Render the pages that tlc_repo_batch() held back. */
int tlc_repo_flush(struct tlc_repo *r, struct tlc_error *err);

/** Yank file @filename (PEP 592) with @reason (one line, may be ""). */
int tlc_repo_yank(struct tlc_repo *r, const char *filename,
		  const char *reason, struct tlc_error *err);

/** Undo tlc_repo_yank(). */
int tlc_repo_unyank(struct tlc_repo *r, const char *filename,
		    struct tlc_error *err);

/**
 * Set (@url "scheme://.../", ending in '/') or clear (@url NULL) the URL
 * that file links start with, for wheels hosted elsewhere (a CDN, release
 * assets), then regenerate every page.
 */
int tlc_repo_set_base_url(struct tlc_repo *r, const char *url,
			  struct tlc_error *err);

/** Regenerate every page and fragment from the states. */
int tlc_repo_reindex(struct tlc_repo *r, struct tlc_error *err);

/* What prune and check report, one call per file or finding. */
struct tlc_repo_event {
	const char *kind;	/* prune: "keep", "yank", "delete";
				 * check: "error", "repaired", "orphan",
				 * "stale" (found, not repaired) */
	const char *path;	/* the file (prune), or the path in the
				 * repository (check) */
	const char *detail;	/* one line, or "" */
};

typedef void (*tlc_repo_event_cb)(const struct tlc_repo_event *e,
				  void *data);

struct tlc_repo_prune_opts {
	unsigned keep;		/* newest files kept per group, >= 1 */
	bool delete;		/* delete instead of yanking */
	bool dry_run;		/* report, change nothing */
	const char *const *projects;	/* NULL-terminated, or NULL: all */
};

/**
 * Prune pre-releases and development releases (nightlies) as the seed's
 * pruner grouped them: by project and tags (python, abi, platform), each
 * group ordered by PEP 440 (release, then rc/dev number), newest first;
 * the files after the first @keep are yanked ("pruned", so that pinned
 * installs still work) or, with opts->delete, removed from the pages and
 * then deleted.  Final releases are never pruned.  Each decision is
 * reported through @cb.  A project named in opts->projects that the
 * repository does not hold is TLC_ENOTFOUND, before anything is changed.
 */
int tlc_repo_prune(struct tlc_repo *r, const struct tlc_repo_prune_opts *opts,
		   tlc_repo_event_cb cb, void *data, struct tlc_error *err);

/**
 * Verify the repository: every published file is there with its size and
 * SHA-256, as is its .metadata; every page and fragment is what the state
 * renders (so every link resolves and every hash matches); no page or
 * directory is left of a project or variant that is gone; no temporary
 * file and no unpublished file lies about.  With @repair, stale pages are
 * rewritten, leftovers of an interrupted write or delete are removed, and
 * a file that is missing or damaged is taken off the pages (and reported
 * as an error all the same).  Unpublished files (orphans) are reported,
 * never removed.
 *
 * @param[out] nerrors  findings that are not (or cannot be) repaired:
 *                      errors, and with !@repair the stale ones too
 * @return 0 when the check ran (whatever it found), < 0 if it could not
 */
int tlc_repo_check(struct tlc_repo *r, bool repair, tlc_repo_event_cb cb,
		   void *data, size_t *nerrors, struct tlc_error *err);

/** Release the lock and free @r; NULL is a no-op. */
void tlc_repo_close(struct tlc_repo *r);

#endif
