/*
 * OCI images: read a base image, unpack it, write a new image on top of
 * it, without a container engine.
 *
 * Formats: the OCI image layout (opencontainers image-spec
 * image-layout.md: "oci-layout", "index.json", "blobs/<alg>/<encoded>"),
 * its manifests, indexes and configs (manifest.md, image-index.md,
 * config.md, descriptor.md) and the Docker image archive that `docker
 * save` writes and `docker load` reads (manifest.json with Config,
 * RepoTags, Layers).  Layers are tar changesets (layer.md), plain or
 * gzip, read and written by tar.h.
 *
 * Everything written is reproducible: the same base, tree and options
 * give the same bytes, so the same digests.
 */
#ifndef TLC_OCI_H
#define TLC_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tlc_oci_format { TLC_OCI_LAYOUT, TLC_OCI_DOCKER_ARCHIVE };

/* A base image: its config and its layers. */
struct tlc_oci_base;

/**
 * Open the base image at @path: an OCI image layout directory (one with
 * an "oci-layout" file; `skopeo copy ... oci:DIR` writes one), a docker
 * archive (an uncompressed tar with "manifest.json"; `docker save`,
 * `skopeo copy ... docker-archive:F`), a root file-system directory
 * (debootstrap's) or a root file-system tarball (.tar or .tar.gz).
 *
 * Every blob read is checked against its descriptor's digest and size
 * (a docker archive's layers against the config's diff_ids), and a
 * root file-system tarball is read through once; unknown media types,
 * bad JSON and bad digests are refused with one line (TLC_EPOLICY).
 * A directory or tarball base becomes one layer (made here, gzip, the
 * files' own mtimes, uid/gid 0) and a config for this machine's
 * architecture, os "linux", Env PATH.
 *
 * @param[out] out	free it with tlc_oci_base_free()
 * @return 0 or a negative TLC_E* code
 */
int tlc_oci_base_open(struct tlc_oci_base **out, const char *path,
		      struct tlc_error *err);

/**
 * Unpack the base's layers in order into the directory @dir (made if
 * missing), applying whiteouts (".wh.NAME", ".wh..wh..opq", layer.md
 * "Whiteouts").  Refused (TLC_EPOLICY): absolute paths and ".." (by the
 * tar reader), symlinks whose relative target climbs out of the root,
 * hard links to paths that are not in the tree, and any entry whose path
 * goes through a symlink (nothing is ever written through one).  Device
 * nodes are made only when running as root, and skipped otherwise.
 * Each layer's uncompressed bytes are checked against its diff_id.
 */
int tlc_oci_base_unpack(const struct tlc_oci_base *b, const char *dir,
			struct tlc_error *err);

/** The base config's Env ("K=V" strings, NULL-terminated; borrowed from
 * @b), or NULL when it has none. */
const char *const *tlc_oci_base_env(const struct tlc_oci_base *b);

/** The number of the base's layers and their total compressed size. */
size_t tlc_oci_base_layer_count(const struct tlc_oci_base *b);
uint64_t tlc_oci_base_size(const struct tlc_oci_base *b);

/** Free @b; NULL is a no-op. */
void tlc_oci_base_free(struct tlc_oci_base *b);

struct tlc_oci_opts {
	const char *tag;		/* "name:tag": index.json's
					 * org.opencontainers.image.ref.name
					 * (the tag part) and RepoTags */
	const char *const *env;		/* "K=V", added to (override) the
					 * base's; NULL-terminated */
	const char *const *cmd;		/* NULL: the base's */
	const char *const *labels;	/* "k=v": config Labels and manifest
					 * annotations */
	int64_t epoch;			/* every mtime, "created";
					 * SOURCE_DATE_EPOCH */
	enum tlc_oci_format format;
};

#define TLC_OCI_OPTS_INIT { NULL, NULL, NULL, NULL, 0, TLC_OCI_LAYOUT }

/* What tlc_oci_write() made (sizes in bytes). */
struct tlc_oci_result {
	char digest[72];		/* "sha256:<hex>" of the manifest */
	char layer_digest[72];		/* of the new layer's blob */
	uint64_t layer_size;		/* the new layer, compressed */
	uint64_t image_size;		/* config, manifest and all layers */
};

/**
 * Write the image: the base's layers (copied as they are, same digests)
 * plus one new layer made from the directory tree @layer_root (every
 * file under it at the same path in the image, sorted, uid/gid 0, mtime
 * opts->epoch, modes kept; a gzip tar; NULL: no new layer), the config
 * and the manifest, to @out: a directory for TLC_OCI_LAYOUT (made if
 * missing; its index.json is replaced), a tar file for
 * TLC_OCI_DOCKER_ARCHIVE (replaced atomically; it also holds the OCI
 * layout files, as `docker save` from Docker 25 on does).
 *
 * @param[out] digest	"sha256:<hex>" of the manifest
 * @return 0 or a negative TLC_E* code
 */
int tlc_oci_write(const struct tlc_oci_base *b, const char *layer_root,
		  const struct tlc_oci_opts *opts, const char *out,
		  char digest[72], struct tlc_error *err);

/** tlc_oci_write(), filling @res (digest and sizes) rather than @digest. */
int tlc_oci_write_ex(const struct tlc_oci_base *b, const char *layer_root,
		     const struct tlc_oci_opts *opts, const char *out,
		     struct tlc_oci_result *res, struct tlc_error *err);

#endif
