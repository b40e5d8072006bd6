/*
 * OCI images (oci.h).
 *
 * Spec references are to opencontainers/image-spec v1.1: image-layout.md
 * (the directory), descriptor.md (digest and size), image-index.md,
 * manifest.md, config.md, layer.md (changesets, whiteouts),
 * media-types.md, annotations.md; and to Docker's image archive, the
 * "manifest.json" that moby's image/tarexport reads on `docker load`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "fs.h"
#include "sha256.h"
#include "text.h"	/* tlc__quote */
#include "tlcpack/buf.h"
#include "tlcpack/oci.h"
#include "tlcpack/tar.h"
#include "banned.h"

#define JSON_MAX (4u << 20)	/* an index, manifest or config blob */
#define LAYERS_MAX 1024
#define INDEX_DEPTH_MAX 4
#define QMAX 80
#define QSIZE (QMAX * 4 + 5)
#define JSON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT)

/* media-types.md */
#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"
/* Docker Image Manifest V2, Schema 2 (distribution/docs/spec) */
#define MT_D_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_D_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_D_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_D_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MT_D_LAYER_GZ "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* config.md "architecture": GOARCH values */
#if defined(__x86_64__)
#define ARCH "amd64"
#elif defined(__aarch64__)
#define ARCH "arm64"
#elif defined(__powerpc64__)
#define ARCH "ppc64le"
#elif defined(__s390x__)
#define ARCH "s390x"
#else
#define ARCH "amd64"
#endif

struct layer {
	int fd;			/* owned */
	uint64_t off, size;	/* the blob is [off, off + size) of fd */
	bool gzip;
	char digest[72];	/* "sha256:<hex>" of the blob */
	char diff_id[72];	/* of the uncompressed tar */
};

struct tlc_oci_base {
	json_t *config;		/* an object */
	struct layer *layers;
	size_t n;
	const char **env;	/* NULL-terminated, borrowed from config */
};

static void quote(char *q, const char *s)
{
	tlc__quote(q, QSIZE, s, strlen(s), QMAX);
}

static void hex(char *out, const unsigned char sha[32])
{
	static const char d[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[2 * i] = d[sha[i] >> 4];
		out[2 * i + 1] = d[sha[i] & 15];
	}
	out[64] = '\0';
}

static void digest_str(char out[72], const unsigned char sha[32])
{
	memcpy(out, "sha256:", 7);
	hex(out + 7, sha);
}

/* descriptor.md "Digests": "algorithm:encoded"; sha256 is the one
 * implementations MUST support, its encoded part /[a-f0-9]{64}/. */
static bool digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int sha_range(int fd, uint64_t off, uint64_t size, unsigned char *out,
		     const char *what, struct tlc_error *err)
{
	struct tlc__sha256 h;
	char *buf = malloc(65536);

	if (!buf || !tlc__sha256_init(&h)) {
		free(buf);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	while (size) {
		size_t n = size < 65536 ? (size_t)size : 65536;
		ssize_t k = pread(fd, buf, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			tlc__sha256_final(&h, out);
			free(buf);
			if (k < 0)
				return tlc_error_errno(err, TLC_EIO,
						       "cannot read '%s'", what);
			return tlc_error_set(err, TLC_EPOLICY,
					     "'%s' is shorter than its size",
					     what);
		}
		tlc__sha256_update(&h, buf, (size_t)k);
		off += (uint64_t)k;
		size -= (uint64_t)k;
	}
	tlc__sha256_final(&h, out);
	free(buf);
	return 0;
}

static int read_range(int fd, uint64_t off, uint64_t size, struct tlc_buf *b,
		      const char *what, struct tlc_error *err)
{
	if (size > JSON_MAX)
		return tlc_error_set(err, TLC_ETOOBIG, "'%s' is too large",
				     what);
	tlc_buf_reset(b);
	if (tlc_buf_grow(b, (size_t)size) < 0)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	while (b->len < size) {
		ssize_t k = pread(fd, b->ptr + b->len, (size_t)size - b->len,
				  (off_t)(off + b->len));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? tlc_error_errno(err, TLC_EIO,
						       "cannot read '%s'", what)
				     : tlc_error_set(err, TLC_EPOLICY,
						     "'%s' is cut short", what);
		b->len += (size_t)k;
	}
	b->ptr[b->len] = '\0';
	return 0;
}

static int parse_json(json_t **out, const struct tlc_buf *b, const char *what,
		      struct tlc_error *err)
{
	json_error_t je;

	*out = json_loadb(b->ptr, b->len, JSON_REJECT_DUPLICATES, &je);
	if (!*out)
		return tlc_error_set(err, TLC_EPOLICY,
				     "bad JSON in '%s': %s (line %d)", what,
				     je.text, je.line);
	if (!json_is_object(*out) && !json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a JSON object", what);
	}
	return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- the base ------------------------------------------------------- */

static struct layer *add_layer(struct tlc_oci_base *b, struct tlc_error *err)
{
	struct layer *l;

	if (b->n >= LAYERS_MAX) {
		tlc_error_set(err, TLC_ETOOBIG, "more than %d layers",
			      LAYERS_MAX);
		return NULL;
	}
	l = realloc(b->layers, (b->n + 1) * sizeof(*l));
	if (!l) {
		tlc_error_set(err, TLC_ENOMEM, "out of memory");
		return NULL;
	}
	b->layers = l;
	l = &b->layers[b->n++];
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	return l;
}

static bool sniff_gzip(int fd, uint64_t off)
{
	unsigned char m[2];

	return pread(fd, m, 2, (off_t)off) == 2 && m[0] == 0x1f &&
	       m[1] == 0x8b;
}

/* Read a layer through: its diff_id (and a full check of its tar). */
static int layer_diff_id(const struct layer *l, unsigned char out[32],
			 const char *what, struct tlc_error *err)
{
	struct tlc_tar_reader *r = NULL;
	const struct tlc_tar_entry *e;
	int rc;

	if ((rc = tlc_tar_reader_new(&r, l->fd, l->off, l->size, what,
				     err)) < 0)
		return rc;
	while ((rc = tlc_tar_reader_next(r, &e, err)) == 1)
		;
	if (!rc)
		tlc_tar_reader_diff_id(r, out);
	tlc_tar_reader_free(r);
	return rc;
}

/* Fill in Env from the config. */
static int base_env(struct tlc_oci_base *b, struct tlc_error *err)
{
	json_t *env = json_object_get(json_object_get(b->config, "config"),
				      "Env");
	size_t i, n = json_array_size(env);

	if (!n)
		return 0;
	if (!(b->env = calloc(n + 1, sizeof(*b->env))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(env, i));

		if (!s)
			return tlc_error_set(err, TLC_EPOLICY,
					     "config Env holds a non-string");
		b->env[i] = s;
	}
	return 0;
}

/* A config for a root file-system base (config.md properties). */
static int synth_config(struct tlc_oci_base *b, struct tlc_error *err)
{
	json_t *ids = json_array();

	for (size_t i = 0; ids && i < b->n; i++)
		json_array_append_new(ids, json_string(b->layers[i].diff_id));
	b->config = json_pack("{s:s, s:s, s:{s:[s]}, s:{s:s, s:o}}",
			      "architecture", ARCH, "os", "linux", "config",
			      "Env",
			      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			      "rootfs", "type", "layers", "diff_ids", ids);
	if (!b->config)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	return 0;
}

/* config.md "rootfs": type "layers" and one diff_id per layer. */
static int check_config(struct tlc_oci_base *b, size_t nlayers,
			const char *what, struct tlc_error *err)
{
	json_t *rootfs = json_object_get(b->config, "rootfs");
	json_t *ids = json_object_get(rootfs, "diff_ids");

	if (!json_is_object(b->config) || !jstr(rootfs, "type") ||
	    strcmp(jstr(rootfs, "type"), "layers") || !json_is_array(ids))
		return tlc_error_set(err, TLC_EPOLICY,
				     "config '%s' has no rootfs of type 'layers'",
				     what);
	if (json_array_size(ids) != nlayers)
		return tlc_error_set(err, TLC_EPOLICY,
				     "config '%s' has %zu diff_ids for %zu layers",
				     what, json_array_size(ids), nlayers);
	for (size_t i = 0; i < nlayers; i++) {
		const char *d = json_string_value(json_array_get(ids, i));

		if (!d || !digest_ok(d))
			return tlc_error_set(err, TLC_EPOLICY,
					     "config '%s' has a bad diff_id",
					     what);
	}
	return 0;
}

/* -- OCI image layout -- */

/* Open a blob of the layout by its descriptor, checked against the
 * descriptor's size and digest (descriptor.md "Size", "Digests"). */
static int open_blob(int dirfd, const json_t *desc, int *fdp, uint64_t *size,
		     struct tlc_error *err)
{
	const char *d = jstr(desc, "digest");
	json_t *js = json_object_get(desc, "size");
	char path[96], q[QSIZE];
	unsigned char sha[32];
	char got[72];
	struct stat st;
	int bfd, sfd, fd, rc;

	*fdp = -1;
	if (!d || !json_is_integer(js) || json_integer_value(js) < 0)
		return tlc_error_set(err, TLC_EPOLICY,
				     "descriptor without a digest or size");
	if (!digest_ok(d)) {
		quote(q, d);
		return tlc_error_set(err, TLC_EPOLICY,
				     "unsupported digest '%s'", q);
	}
	/* image-layout.md "Blobs": blobs/<alg>/<encoded>; no symlink is
	 * followed on the way */
	bfd = openat(dirfd, "blobs", O_PATH | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	sfd = bfd < 0 ? -1 : openat(bfd, "sha256", O_PATH | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
	fd = sfd < 0 ? -1 : openat(sfd, d + 7, O_RDONLY | O_NOFOLLOW |
				   O_CLOEXEC);
	snprintf(path, sizeof(path), "blobs/sha256/%s", d + 7);
	if (bfd >= 0)
		close(bfd);
	if (sfd >= 0)
		close(sfd);
	if (fd < 0)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
				       TLC_EPOLICY, "cannot open blob '%s'",
				       path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tlc_error_set(err, TLC_EPOLICY,
				     "blob '%s' is not a regular file", path);
	}
	if ((uint64_t)st.st_size != (uint64_t)json_integer_value(js)) {
		close(fd);
		return tlc_error_set(err, TLC_EPOLICY,
				     "size mismatch for blob '%s': %lld bytes, the descriptor says %lld",
				     path, (long long)st.st_size,
				     (long long)json_integer_value(js));
	}
	if ((rc = sha_range(fd, 0, (uint64_t)st.st_size, sha, path,
			    err)) < 0) {
		close(fd);
		return rc;
	}
	digest_str(got, sha);
	if (strcmp(got, d)) {
		close(fd);
		return tlc_error_set(err, TLC_EPOLICY,
				     "digest mismatch for blob '%s': its content is %s",
				     path, got);
	}
	*fdp = fd;
	*size = (uint64_t)st.st_size;
	return 0;
}

static int load_json_blob(int dirfd, const json_t *desc, json_t **out,
			  struct tlc_error *err)
{
	struct tlc_buf b = TLC_BUF_INIT;
	uint64_t size;
	int fd, rc;

	*out = NULL;
	if ((rc = open_blob(dirfd, desc, &fd, &size, err)) < 0)
		return rc;
	if ((rc = read_range(fd, 0, size, &b, jstr(desc, "digest"),
			     err)) == 0)
		rc = parse_json(out, &b, jstr(desc, "digest"), err);
	close(fd);
	tlc_buf_release(&b);
	return rc;
}

static int unknown_type(const char *mt, const char *what,
			struct tlc_error *err)
{
	char q[QSIZE];

	quote(q, mt ? mt : "");
	return tlc_error_set(err, TLC_EPOLICY, "unknown media type '%s' for %s",
			     q, what);
}

/*
 * Choose the manifest from an index (image-index.md "manifests"): the
 * only one, or the one whose platform is linux/<this architecture>;
 * nested indexes are followed.  @out gets a new reference.
 */
static int pick_manifest(int dirfd, json_t *index, int depth, json_t **out,
			 struct tlc_error *err)
{
	json_t *ms = json_object_get(index, "manifests"), *pick = NULL;
	json_t *next = NULL;
	const char *mt;
	int rc;

	*out = NULL;
	if (!json_is_array(ms) || !json_array_size(ms))
		return tlc_error_set(err, TLC_EPOLICY,
				     "image index has no manifests");
	if (json_array_size(ms) == 1) {
		pick = json_array_get(ms, 0);
	} else {
		size_t i;
		json_t *d;

		json_array_foreach(ms, i, d) {
			json_t *pf = json_object_get(d, "platform");
			const char *os = jstr(pf, "os"), *ar = jstr(pf,
								"architecture");

			if (os && ar && !strcmp(os, "linux") &&
			    !strcmp(ar, ARCH)) {
				pick = d;
				break;
			}
		}
		if (!pick)
			return tlc_error_set(err, TLC_EPOLICY,
					     "image index has %zu manifests and none for linux/%s",
					     json_array_size(ms), ARCH);
	}
	mt = jstr(pick, "mediaType");
	if (mt && (!strcmp(mt, MT_MANIFEST) || !strcmp(mt, MT_D_MANIFEST))) {
		if ((rc = load_json_blob(dirfd, pick, out, err)) < 0)
			return rc;
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			return tlc_error_set(err, TLC_EPOLICY,
					     "manifest is not an object");
		}
		return 0;
	}
	if (mt && (!strcmp(mt, MT_INDEX) || !strcmp(mt, MT_D_LIST))) {
		if (depth >= INDEX_DEPTH_MAX)
			return tlc_error_set(err, TLC_EPOLICY,
					     "image indexes nested too deep");
		if ((rc = load_json_blob(dirfd, pick, &next, err)) < 0)
			return rc;
		rc = pick_manifest(dirfd, next, depth + 1, out, err);
		json_decref(next);
		return rc;
	}
	return unknown_type(mt, "a manifest", err);
}

static int open_layout(struct tlc_oci_base *b, const char *path,
		       struct tlc_error *err)
{
	struct tlc_buf buf = TLC_BUF_INIT_MAX(JSON_MAX);
	json_t *lay = NULL, *index = NULL, *man = NULL, *layers, *d, *cfg;
	const char *v, *mt;
	size_t i;
	int dirfd, fd = -1, rc;
	uint64_t size;

	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
	/* image-layout.md "oci-layout file": a JSON object with
	 * imageLayoutVersion */
	for (int k = 0; k < 2; k++) {
		const char *name = k ? "index.json" : "oci-layout";
		int f = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;

		if (f < 0 || fstat(f, &st) < 0) {
			rc = tlc_error_errno(err, TLC_EPOLICY,
					     "cannot open '%s' of the layout",
					     name);
			if (f >= 0)
				close(f);
			goto out;
		}
		rc = read_range(f, 0, (uint64_t)st.st_size, &buf, name, err);
		if (!rc)
			rc = parse_json(k ? &index : &lay, &buf, name, err);
		close(f);
		if (rc < 0)
			goto out;
	}
	v = jstr(lay, "imageLayoutVersion");
	if (!v || strncmp(v, "1.", 2)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "unsupported imageLayoutVersion in 'oci-layout'");
		goto out;
	}
	/* image-layout.md "index.json file": an image index */
	if ((rc = pick_manifest(dirfd, index, 0, &man, err)) < 0)
		goto out;
	/* manifest.md: schemaVersion 2, config and layers descriptors */
	if (json_integer_value(json_object_get(man, "schemaVersion")) != 2) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "manifest schemaVersion is not 2");
		goto out;
	}
	cfg = json_object_get(man, "config");
	mt = jstr(cfg, "mediaType");
	if (!mt || (strcmp(mt, MT_CONFIG) && strcmp(mt, MT_D_CONFIG))) {
		rc = unknown_type(mt, "the config", err);
		goto out;
	}
	layers = json_object_get(man, "layers");
	if (!json_is_array(layers)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "manifest has no layers");
		goto out;
	}
	json_array_foreach(layers, i, d) {
		struct layer *l;

		mt = jstr(d, "mediaType");
		if (!mt || (strcmp(mt, MT_LAYER) && strcmp(mt, MT_LAYER_GZ) &&
			    strcmp(mt, MT_D_LAYER) &&
			    strcmp(mt, MT_D_LAYER_GZ))) {
			rc = unknown_type(mt, "a layer", err);
			goto out;
		}
		if (!(l = add_layer(b, err))) {
			rc = err->code;
			goto out;
		}
		if ((rc = open_blob(dirfd, d, &l->fd, &size, err)) < 0)
			goto out;
		l->size = size;
		l->gzip = sniff_gzip(l->fd, 0);
		memcpy(l->digest, jstr(d, "digest"), 72);
	}
	if ((rc = load_json_blob(dirfd, cfg, &b->config, err)) < 0 ||
	    (rc = check_config(b, b->n, jstr(cfg, "digest"), err)) < 0)
		goto out;
	for (i = 0; i < b->n; i++)
		memcpy(b->layers[i].diff_id, json_string_value(json_array_get(
		       json_object_get(json_object_get(b->config, "rootfs"),
				       "diff_ids"), i)), 72);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	close(dirfd);
	json_decref(lay);
	json_decref(index);
	json_decref(man);
	tlc_buf_release(&buf);
	return rc;
}

/* -- docker archive and root file-system tarballs -- */

struct member {
	char *name;
	char *link;		/* symlinks */
	uint64_t off, size;
};

struct members {
	struct member *m;
	size_t n;
};

static void members_release(struct members *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->m[i].name);
		free(ms->m[i].link);
	}
	free(ms->m);
}

/* The member @name, following symlinks inside the archive (docker save
 * links repeated layers, "../<id>/layer.tar"). */
static const struct member *member_find(const struct members *ms,
					const char *name0,
					struct tlc_error *err)
{
	char name[TLC_TAR_NAME_MAX + 1], q[QSIZE];

	snprintf(name, sizeof(name), "%s", name0);
	for (int hop = 0; hop < 8; hop++) {
		const struct member *m = NULL;
		char *slash;
		char next[2 * TLC_TAR_NAME_MAX + 2];

		if (tlc_tar_name_normalise(name, err) < 0)
			return NULL;
		for (size_t i = 0; i < ms->n; i++)
			if (!strcmp(ms->m[i].name, name))
				m = &ms->m[i];	/* the last one wins */
		if (!m)
			break;
		if (!m->link)
			return m;
		slash = strrchr(name, '/');
		if (m->link[0] == '/')
			snprintf(next, sizeof(next), "%s", m->link + 1);
		else if (slash)
			snprintf(next, sizeof(next), "%.*s/%s",
				 (int)(slash - name), name, m->link);
		else
			snprintf(next, sizeof(next), "%s", m->link);
		/* fold "dir/../" lexically: member names have no ".." */
		for (char *p; (p = strstr(next, "/../"));) {
			char *start = p;

			while (start > next && start[-1] != '/')
				start--;
			memmove(start, p + 4, strlen(p + 4) + 1);
		}
		if (!strncmp(next, "../", 3) || strlen(next) > TLC_TAR_NAME_MAX)
			break;
		snprintf(name, sizeof(name), "%s", next);
	}
	quote(q, name0);
	tlc_error_set(err, TLC_EPOLICY, "'%s' is not in the archive", q);
	return NULL;
}

/* Name a docker-archive blob by its digest when its path says it:
 * "<hex>.json", "<hex>/layer.tar", "blobs/sha256/<hex>". */
static bool path_hex(const char *p, char out[65])
{
	const char *s = strrchr(p, '/');
	const char *base = s ? s + 1 : p;
	char d[72];

	if (!strncmp(p, "blobs/sha256/", 13) && strlen(p) == 13 + 64)
		base = p + 13;
	else if (strlen(base) == 69 && !strcmp(base + 64, ".json"))
		;
	else
		return false;
	snprintf(d, sizeof(d), "sha256:%.64s", base);
	if (!digest_ok(d))
		return false;
	memcpy(out, base, 64);
	out[64] = '\0';
	return true;
}

static int open_tarball(struct tlc_oci_base *b, const char *path,
			struct tlc_error *err)
{
	struct tlc_tar_reader *r = NULL;
	const struct tlc_tar_entry *e;
	struct members ms = { NULL, 0 };
	struct tlc_buf buf = TLC_BUF_INIT;
	json_t *man = NULL, *img, *layers, *x;
	const struct member *cm;
	unsigned char sha[32];
	char h[65], got[72];
	struct layer *l;
	struct stat st;
	size_t i;
	int fd, rc;
	bool docker = false;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if ((rc = tlc_tar_reader_new(&r, fd, 0, UINT64_MAX, path, err)) < 0)
		goto out;
	while ((rc = tlc_tar_reader_next(r, &e, err)) == 1) {
		struct member *m;

		if (!strcmp(e->name, "manifest.json")) {
			if (tlc_tar_reader_gzip(r)) {
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "a compressed docker archive: gunzip it first");
				goto out;
			}
			docker = true;
		}
		if (e->type != TLC_TAR_FILE && e->type != TLC_TAR_SYMLINK)
			continue;
		if (tlc_tar_reader_gzip(r))
			continue;
		if (!(m = realloc(ms.m, (ms.n + 1) * sizeof(*m)))) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto out;
		}
		ms.m = m;
		m = &ms.m[ms.n++];
		m->name = strdup(e->name);
		m->link = e->type == TLC_TAR_SYMLINK ? strdup(e->linkname) :
						       NULL;
		m->off = tlc_tar_reader_data_offset(r);
		m->size = e->size;
		if (!m->name || (e->type == TLC_TAR_SYMLINK && !m->link)) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc < 0)
		goto out;
	if (!docker) {
		/* a root file-system tarball: one layer, the file itself */
		if (!(l = add_layer(b, err))) {
			rc = err->code;
			goto out;
		}
		l->fd = fd;
		fd = -1;
		l->size = (uint64_t)st.st_size;
		l->gzip = tlc_tar_reader_gzip(r);
		tlc_tar_reader_diff_id(r, sha);
		digest_str(l->diff_id, sha);
		if ((rc = sha_range(l->fd, 0, l->size, sha, path, err)) < 0)
			goto out;
		digest_str(l->digest, sha);
		rc = synth_config(b, err);
		goto out;
	}
	/* Docker's image archive: manifest.json, a list of {Config,
	 * RepoTags, Layers}; the first image is taken */
	if (!(cm = member_find(&ms, "manifest.json", err)) ||
	    (rc = read_range(fd, cm->off, cm->size, &buf, "manifest.json",
			     err)) < 0 ||
	    (rc = parse_json(&man, &buf, "manifest.json", err)) < 0) {
		rc = rc < 0 ? rc : err->code;
		goto out;
	}
	img = json_array_get(man, 0);
	layers = json_object_get(img, "Layers");
	if (!json_is_array(man) || json_array_size(man) != 1 ||
	    !jstr(img, "Config") || !json_is_array(layers)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "manifest.json must list one image with Config and Layers");
		goto out;
	}
	if (!(cm = member_find(&ms, jstr(img, "Config"), err))) {
		rc = err->code;
		goto out;
	}
	if (!path_hex(jstr(img, "Config"), h)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "cannot check the config: its name is not its digest");
		goto out;
	}
	if ((rc = read_range(fd, cm->off, cm->size, &buf, "config", err)) < 0)
		goto out;
	tlc__sha256(buf.ptr, buf.len, sha);
	hex(got, sha);
	if (strcmp(got, h)) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "digest mismatch for the config: its content is sha256:%s",
				   got);
		goto out;
	}
	if ((rc = parse_json(&b->config, &buf, "config", err)) < 0 ||
	    (rc = check_config(b, json_array_size(layers), "config",
			       err)) < 0)
		goto out;
	json_array_foreach(layers, i, x) {
		const char *lp = json_string_value(x);
		const struct member *lm;
		const char *want = json_string_value(json_array_get(
			json_object_get(json_object_get(b->config, "rootfs"),
					"diff_ids"), i));

		if (!lp || !(lm = member_find(&ms, lp, err))) {
			rc = lp ? err->code :
			     tlc_error_set(err, TLC_EPOLICY,
					   "manifest.json Layers holds a non-string");
			goto out;
		}
		if (!(l = add_layer(b, err))) {
			rc = err->code;
			goto out;
		}
		if ((l->fd = dup(fd)) < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "dup");
			goto out;
		}
		l->off = lm->off;
		l->size = lm->size;
		l->gzip = sniff_gzip(fd, l->off);
		if ((rc = sha_range(fd, l->off, l->size, sha, lp, err)) < 0)
			goto out;
		digest_str(l->digest, sha);
		/* the layer's tar must give the config's diff_id (config.md
		 * "Layer DiffID") */
		if (l->gzip && (rc = layer_diff_id(l, sha, lp, err)) < 0)
			goto out;
		digest_str(l->diff_id, sha);
		if (strcmp(l->diff_id, want)) {
			char q[QSIZE];

			quote(q, lp);
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "digest mismatch for layer '%s': its content is %s, the config says %s",
					   q, l->diff_id, want);
			goto out;
		}
	}
	rc = 0;
out:
	tlc_tar_reader_free(r);
	members_release(&ms);
	json_decref(man);
	tlc_buf_release(&buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A root file-system directory: one layer made here, in a temporary
 * file that is unlinked at once. */
static int open_rootfs_dir(struct tlc_oci_base *b, const char *path,
			   struct tlc_error *err)
{
	struct tlc_tar_writer *w = NULL;
	struct tlc_tar_sums sums;
	const char *tmpdir = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	struct layer *l;
	int rc;

	if (!(l = add_layer(b, err)))
		return err->code;
	snprintf(tmpl, sizeof(tmpl), "%s/tlcpack-rootfs-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	if ((l->fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot create '%s'",
				       tmpl);
	unlink(tmpl);
	if ((rc = tlc_tar_writer_new(&w, l->fd, 6, err)) < 0)
		return rc;
	rc = tlc_tar_writer_add_tree(w, path, -1, err);
	if (!rc)
		rc = tlc_tar_writer_finish(w, &sums, err);
	tlc_tar_writer_free(w);
	if (rc < 0)
		return rc;
	l->size = sums.size;
	l->gzip = true;
	digest_str(l->digest, sums.digest);
	digest_str(l->diff_id, sums.diff_id);
	return synth_config(b, err);
}

int tlc_oci_base_open(struct tlc_oci_base **out, const char *path,
		      struct tlc_error *err)
{
	struct tlc_oci_base *b = calloc(1, sizeof(*b));
	struct stat st;
	int rc;

	*out = NULL;
	if (!b)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (stat(path, &st) < 0) {
		rc = tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
				     TLC_EIO, "cannot open base '%s'", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		struct tlc_buf p = TLC_BUF_INIT;

		if (tlc__fs_join(&p, path, "oci-layout") < 0) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto out;
		}
		if (tlc__fs_exists(p.ptr))
			rc = open_layout(b, path, err);
		else
			rc = open_rootfs_dir(b, path, err);
		tlc_buf_release(&p);
	} else {
		rc = open_tarball(b, path, err);
	}
	if (!rc)
		rc = base_env(b, err);
out:
	if (rc < 0) {
		tlc_error_prefix(err, "base '%s'", path);
		tlc_oci_base_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

const char *const *tlc_oci_base_env(const struct tlc_oci_base *b)
{
	return (const char *const *)b->env;
}

size_t tlc_oci_base_layer_count(const struct tlc_oci_base *b)
{
	return b->n;
}

uint64_t tlc_oci_base_size(const struct tlc_oci_base *b)
{
	uint64_t s = 0;

	for (size_t i = 0; i < b->n; i++)
		s += b->layers[i].size;
	return s;
}

void tlc_oci_base_free(struct tlc_oci_base *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		if (b->layers[i].fd >= 0)
			close(b->layers[i].fd);
	free(b->layers);
	free(b->env);
	json_decref(b->config);
	free(b);
}

/* ---- unpacking ------------------------------------------------------ */

/* The names a layer has put in place, for opaque whiteouts (a hash set). */
struct nameset {
	char **slot;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static bool nameset_has(const struct nameset *s, const char *name)
{
	if (!s->cap)
		return false;
	for (size_t i = fnv(name) & (s->cap - 1); s->slot[i];
	     i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->slot[i], name))
			return true;
	return false;
}

static int nameset_add(struct nameset *s, const char *name)
{
	size_t i;

	if (nameset_has(s, name))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		struct nameset t = { NULL, s->cap ? s->cap * 2 : 64, 0 };

		if (!(t.slot = calloc(t.cap, sizeof(*t.slot))))
			return -1;
		for (i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = fnv(s->slot[i]) & (t.cap - 1);

			while (t.slot[j])
				j = (j + 1) & (t.cap - 1);
			t.slot[j] = s->slot[i];
			t.n++;
		}
		free(s->slot);
		*s = t;
	}
	for (i = fnv(name) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		;
	if (!(s->slot[i] = strdup(name)))
		return -1;
	s->n++;
	return 0;
}

static void nameset_release(struct nameset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

struct unpack {
	int rootfd;
	const char *root;
	struct nameset seen;
	const char *layer;	/* for messages */
	bool root_user;
	char buf[65536];
};

/*
 * Open the directory @rel (a normalised archive path, "." for the root)
 * below the root, each component with O_NOFOLLOW, so that no symlink is
 * ever followed and, as the reader refused "..", nothing outside the
 * root is reached (the walk of urlpath.c; openat2's RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS would say the same).  Missing directories are made
 * when @create.  @return an O_PATH fd or a negative TLC_E* code
 */
static int open_dir(struct unpack *u, const char *rel, bool create,
		    const char *entry, struct tlc_error *err)
{
	char comp[TLC_TAR_NAME_MAX + 1], q[QSIZE];
	const char *p = rel;
	int dfd = dup(u->rootfd);

	if (dfd < 0)
		return tlc_error_errno(err, TLC_EIO, "dup");
	if (!strcmp(rel, "."))
		return dfd;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		struct stat st;
		int fd;

		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (slash ? 1 : 0);
		fd = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST) {
				quote(q, entry);
				close(dfd);
				return tlc_error_errno(err, TLC_EIO,
						       "cannot make the directory for '%s'",
						       q);
			}
			fd = openat(dfd, comp, O_PATH | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			int e = errno;

			quote(q, entry);
			if (!fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISLNK(st.st_mode)) {
				close(dfd);
				return tlc_error_set(err, TLC_EPOLICY,
						     "'%s' in layer '%s' goes through a symlink",
						     q, u->layer);
			}
			close(dfd);
			errno = e;
			return tlc_error_errno(err, e == ENOENT ?
					       TLC_ENOTFOUND : TLC_EPOLICY,
					       "cannot reach '%s' in layer '%s'",
					       q, u->layer);
		}
		close(dfd);
		dfd = fd;
	}
	return dfd;
}

/* Remove @name in @dfd (@rel from the root), a whole tree if it is a
 * directory; missing is fine. */
static int remove_at(struct unpack *u, int dfd, const char *name,
		     const char *rel, struct tlc_error *err)
{
	struct tlc_buf p = TLC_BUF_INIT;
	struct stat st;
	int rc;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) < 0)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot remove '%s'", rel);
		return 0;
	}
	/* the path has no symlink on its way: open_dir() checked it */
	if (tlc_buf_printf(&p, "%s/%s", u->root, rel) < 0)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	rc = tlc__fs_remove_tree(p.ptr, err);
	tlc_buf_release(&p);
	return rc;
}

/* layer.md "Opaque Whiteout": remove what lower layers put in @dir. */
static int opaque(struct unpack *u, int pfd, const char *dir,
		  struct tlc_error *err)
{
	struct tlc_buf rel = TLC_BUF_INIT;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return tlc_error_errno(err, TLC_EIO, "cannot list '%s'", dir);
	}
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		tlc_buf_reset(&rel);
		if ((strcmp(dir, ".") && tlc_buf_printf(&rel, "%s/", dir) < 0) ||
		    tlc_buf_puts(&rel, de->d_name) < 0) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			break;
		}
		if (!nameset_has(&u->seen, rel.ptr))
			rc = remove_at(u, pfd, de->d_name, rel.ptr, err);
	}
	closedir(d);
	tlc_buf_release(&rel);
	return rc;
}

/* A symlink's target, from its directory @name's parent, must stay in
 * the root when resolved lexically (an absolute target is the image's
 * own root, so it does). */
static bool link_inside(const char *name, const char *target)
{
	long depth = 0;
	const char *p;

	if (target[0] == '/')
		return true;
	for (p = name; (p = strchr(p, '/')); p++)
		depth++;
	for (p = target; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && !memcmp(p, "..", 2)) {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n + (slash ? 1 : 0);
	}
	return true;
}

static int write_file(struct unpack *u, struct tlc_tar_reader *r, int pfd,
		      const char *base, const struct tlc_tar_entry *e,
		      struct tlc_error *err)
{
	char q[QSIZE];
	size_t got;
	int fd, rc;

	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		quote(q, e->name);
		return tlc_error_errno(err, TLC_EIO, "cannot create '%s'", q);
	}
	while ((rc = tlc_tar_reader_read(r, u->buf, sizeof(u->buf), &got,
					 err)) == 0 && got)
		if ((rc = tlc__fs_write_all(fd, u->buf, got, e->name,
					    err)) < 0)
			break;
	if (!rc && fchmod(fd, e->mode & 07777) < 0)
		rc = tlc_error_errno(err, TLC_EIO, "cannot chmod '%s'",
				     e->name);
	close(fd);
	return rc;
}

static int apply(struct unpack *u, struct tlc_tar_reader *r,
		 const struct tlc_tar_entry *e, struct tlc_error *err)
{
	char parent[TLC_TAR_NAME_MAX + 1], q[QSIZE];
	const char *base;
	char *slash;
	struct stat st;
	int pfd = -1, rc = 0;
	bool exists;

	if (!strcmp(e->name, ".")) {
		if (e->type == TLC_TAR_DIR)
			return 0;
		return tlc_error_set(err, TLC_EPOLICY,
				     "the root in layer '%s' is not a directory",
				     u->layer);
	}
	snprintf(parent, sizeof(parent), "%s", e->name);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		base = e->name + (slash - parent) + 1;
	} else {
		parent[0] = '.';
		parent[1] = '\0';
		base = e->name;
	}
	/* layer.md "Whiteouts": ".wh.<name>" removes <name> of the lower
	 * layers; ".wh..wh..opq" all the directory's lower contents */
	if (!strncmp(base, ".wh.", 4)) {
		const char *victim = base + 4;

		if (!strcmp(base, ".wh..wh..opq")) {
			pfd = open_dir(u, parent, true, e->name, err);
			if (pfd < 0)
				return pfd;
			rc = opaque(u, pfd, parent, err);
		} else if (!*victim || !strcmp(victim, ".") ||
			   !strcmp(victim, "..")) {
			quote(q, e->name);
			return tlc_error_set(err, TLC_EPOLICY,
					     "bad whiteout '%s' in layer '%s'",
					     q, u->layer);
		} else {
			char rel[TLC_TAR_NAME_MAX + 1];

			pfd = open_dir(u, parent, false, e->name, err);
			if (pfd == TLC_ENOTFOUND)
				return 0;
			if (pfd < 0)
				return pfd;
			snprintf(rel, sizeof(rel), "%s%s%s",
				 slash ? parent : "", slash ? "/" : "", victim);
			rc = remove_at(u, pfd, victim, rel, err);
		}
		close(pfd);
		return rc;
	}
	if ((pfd = open_dir(u, parent, true, e->name, err)) < 0)
		return pfd;
	exists = !fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW);
	/* layer.md "Changeset over existing files": a directory over a
	 * directory merges, anything else replaces */
	if (exists && e->type == TLC_TAR_DIR && S_ISDIR(st.st_mode)) {
		if (fchmodat(pfd, base, (e->mode & 07777) | 0700, 0) < 0)
			rc = tlc_error_errno(err, TLC_EIO, "cannot chmod '%s'",
					     e->name);
		goto done;
	}
	if (exists && (rc = remove_at(u, pfd, base, e->name, err)) < 0)
		goto out;
	switch (e->type) {
	case TLC_TAR_FILE:
		rc = write_file(u, r, pfd, base, e, err);
		break;
	case TLC_TAR_DIR:
		if (mkdirat(pfd, base, (e->mode & 07777) | 0700) < 0)
			rc = tlc_error_errno(err, TLC_EIO,
					     "cannot make '%s'", e->name);
		break;
	case TLC_TAR_SYMLINK:
		if (!link_inside(e->name, e->linkname)) {
			char qt[QSIZE];

			quote(q, e->name);
			quote(qt, e->linkname);
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "symlink '%s' in layer '%s' points outside the root ('%s')",
					   q, u->layer, qt);
		} else if (symlinkat(e->linkname, pfd, base) < 0) {
			rc = tlc_error_errno(err, TLC_EIO,
					     "cannot make the symlink '%s'",
					     e->name);
		}
		break;
	case TLC_TAR_HARDLINK: {
		char tparent[TLC_TAR_NAME_MAX + 1];
		const char *tbase;
		char *ts;
		struct stat tst;
		int tfd;

		snprintf(tparent, sizeof(tparent), "%s", e->linkname);
		ts = strrchr(tparent, '/');
		if (ts) {
			*ts = '\0';
			tbase = e->linkname + (ts - tparent) + 1;
		} else {
			tparent[0] = '.';
			tparent[1] = '\0';
			tbase = e->linkname;
		}
		tfd = open_dir(u, tparent, false, e->name, err);
		if (tfd < 0 && tfd != TLC_ENOTFOUND) {
			rc = tfd;
			break;
		}
		if (tfd < 0 || fstatat(tfd, tbase, &tst,
				       AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISDIR(tst.st_mode)) {
			char qt[QSIZE];

			quote(q, e->name);
			quote(qt, e->linkname);
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "hard link '%s' in layer '%s' points to '%s', which is not a file in the image",
					   q, u->layer, qt);
		} else if (linkat(tfd, tbase, pfd, base, 0) < 0) {
			rc = tlc_error_errno(err, TLC_EIO,
					     "cannot make the hard link '%s'",
					     e->name);
		}
		if (tfd >= 0)
			close(tfd);
		break;
	}
	case TLC_TAR_CHAR:
	case TLC_TAR_BLOCK:
		/* only root may make device nodes; an unpack to find the
		 * base's Python does not need them */
		if (u->root_user &&
		    mknodat(pfd, base, (e->type == TLC_TAR_CHAR ? S_IFCHR :
				       S_IFBLK) | (e->mode & 0777),
			    makedev(e->devmajor, e->devminor)) < 0)
			rc = tlc_error_errno(err, TLC_EIO, "cannot make '%s'",
					     e->name);
		break;
	case TLC_TAR_FIFO:
		if (mkfifoat(pfd, base, e->mode & 0777) < 0)
			rc = tlc_error_errno(err, TLC_EIO, "cannot make '%s'",
					     e->name);
		break;
	}
	if (!rc && e->type != TLC_TAR_DIR && e->mtime >= 0) {
		struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };

		utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
	}
done:
	if (!rc && nameset_add(&u->seen, e->name) < 0)
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	close(pfd);
	return rc;
}

int tlc_oci_base_unpack(const struct tlc_oci_base *b, const char *dir,
			struct tlc_error *err)
{
	struct unpack *u = calloc(1, sizeof(*u));
	int rc = 0;

	if (!u)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	u->root = dir;
	u->root_user = geteuid() == 0;
	u->rootfd = -1;
	if ((rc = tlc__fs_mkdir_p(dir, 0755, err)) < 0)
		goto out;
	u->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'", dir);
		goto out;
	}
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct layer *l = &b->layers[i];
		struct tlc_tar_reader *r = NULL;
		const struct tlc_tar_entry *e;
		unsigned char sha[32];
		char got[72];

		u->layer = l->digest;
		nameset_release(&u->seen);
		if ((rc = tlc_tar_reader_new(&r, l->fd, l->off, l->size,
					     l->digest, err)) < 0)
			break;
		while ((rc = tlc_tar_reader_next(r, &e, err)) == 1)
			if ((rc = apply(u, r, e, err)) < 0)
				break;
		if (!rc) {
			tlc_tar_reader_diff_id(r, sha);
			digest_str(got, sha);
			if (strcmp(got, l->diff_id))
				rc = tlc_error_set(err, TLC_EPOLICY,
						   "layer '%s' does not match its diff_id %s",
						   l->digest, l->diff_id);
		}
		tlc_tar_reader_free(r);
	}
out:
	if (u->rootfd >= 0)
		close(u->rootfd);
	nameset_release(&u->seen);
	free(u);
	return rc;
}

/* ---- writing -------------------------------------------------------- */

/* RFC 3339 (config.md "created"), UTC. */
static void rfc3339(char out[32], int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Set "K=V" pairs into the object @o. */
static int kv_into(json_t *o, const char *const *kv, const char *what,
		   struct tlc_error *err)
{
	for (; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		char *k;

		if (!eq || eq == *kv)
			return tlc_error_set(err, TLC_EPOLICY,
					     "%s '%s' is not k=v", what, *kv);
		if (!(k = strndup(*kv, (size_t)(eq - *kv))))
			return tlc_error_set(err, TLC_ENOMEM, "out of memory");
		json_object_set_new(o, k, json_string(eq + 1));
		free(k);
	}
	return 0;
}

/* The base's Env with @add's keys overridden in place, new ones after. */
static json_t *merge_env(const json_t *base, const char *const *add)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	if (!out)
		return NULL;
	json_array_foreach(base, i, v)
		json_array_append(out, v);
	for (; add && *add; add++) {
		const char *eq = strchr(*add, '=');
		size_t k = eq ? (size_t)(eq - *add) : strlen(*add);
		bool done = false;

		json_array_foreach(out, i, v) {
			const char *s = json_string_value(v);

			if (s && !strncmp(s, *add, k) &&
			    (s[k] == '=' || s[k] == '\0')) {
				json_array_set_new(out, i, json_string(*add));
				done = true;
				break;
			}
		}
		if (!done)
			json_array_append_new(out, json_string(*add));
	}
	return out;
}

static json_t *strv(const char *const *v)
{
	json_t *a = json_array();

	for (; a && v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *descriptor(const char *mt, const char *digest, uint64_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", digest,
			 "size", (json_int_t)size);
}

struct blob {
	char digest[72];
	uint64_t size;
	int fd;			/* borrowed */
	uint64_t off;
	char *mem;		/* or these bytes (owned) */
};

static int blob_mem(struct blob *bl, char *s)
{
	unsigned char sha[32];

	bl->mem = s;
	bl->size = strlen(s);
	bl->fd = -1;
	tlc__sha256(s, (size_t)bl->size, sha);
	digest_str(bl->digest, sha);
	return 0;
}

/* Copy [off, off + size) of @in to @out (at its offset). */
static int copy_range(int in, uint64_t off, uint64_t size, int out,
		      struct tlc_tar_writer *w, struct tlc_error *err)
{
	char *buf = malloc(65536);
	int rc = 0;

	if (!buf)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	while (size && !rc) {
		size_t n = size < 65536 ? (size_t)size : 65536;
		ssize_t k = pread(in, buf, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot read a layer");
			break;
		}
		rc = w ? tlc_tar_writer_write(w, buf, (size_t)k, err) :
			 tlc__fs_write_all(out, buf, (size_t)k, "blob", err);
		off += (uint64_t)k;
		size -= (uint64_t)k;
	}
	free(buf);
	return rc;
}

/* image-layout.md "Blobs": blobs/sha256/<hex>, written atomically; one
 * already there with the right size is kept (content-addressed). */
static int layout_put(const char *out, const struct blob *bl,
		      struct tlc_error *err)
{
	struct tlc_buf path = TLC_BUF_INIT, tmp = TLC_BUF_INIT;
	struct stat st;
	int fd, rc;

	if (tlc_buf_printf(&path, "%s/blobs/sha256/%s", out,
			   bl->digest + 7) < 0) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto out;
	}
	if (!lstat(path.ptr, &st) && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == bl->size) {
		rc = 0;
		goto out;
	}
	if (bl->mem) {
		rc = tlc__fs_write_atomic(path.ptr, bl->mem, bl->size, 0644,
					  err);
		goto out;
	}
	if ((fd = tlc__fs_tmpfile(&tmp, path.ptr, 0644, err)) < 0) {
		rc = fd;
		goto out;
	}
	if ((rc = copy_range(bl->fd, bl->off, bl->size, fd, NULL, err)) < 0) {
		close(fd);
		unlink(tmp.ptr);
		goto out;
	}
	rc = tlc__fs_commit(fd, tmp.ptr, path.ptr, err);
out:
	tlc_buf_release(&path);
	tlc_buf_release(&tmp);
	return rc;
}

static int tar_file(struct tlc_tar_writer *w, const char *name,
		    const struct blob *bl, int64_t epoch,
		    struct tlc_error *err)
{
	struct tlc_tar_entry e = { name, "", TLC_TAR_FILE, 0644, bl->size,
				   epoch, 0, 0, 0, 0 };
	int rc;

	if ((rc = tlc_tar_writer_add(w, &e, err)) < 0)
		return rc;
	if (bl->mem)
		return tlc_tar_writer_write(w, bl->mem, (size_t)bl->size, err);
	return copy_range(bl->fd, bl->off, bl->size, -1, w, err);
}

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->digest,
		      ((const struct blob *)b)->digest);
}

static int write_docker(const char *out, struct blob *blobs, size_t nb,
			const struct blob *index, const struct blob *dman,
			const struct blob *layout, int64_t epoch,
			struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT, name = TLC_BUF_INIT;
	struct tlc_tar_writer *w = NULL;
	struct tlc_tar_sums sums;
	struct tlc_tar_entry dir = { "blobs", "", TLC_TAR_DIR, 0755, 0, epoch,
				     0, 0, 0, 0 };
	int fd, rc;

	if ((fd = tlc__fs_tmpfile(&tmp, out, 0644, err)) < 0)
		return fd;
	if ((rc = tlc_tar_writer_new(&w, fd, -1, err)) < 0)
		goto fail;
	qsort(blobs, nb, sizeof(*blobs), cmp_blob);
	if ((rc = tlc_tar_writer_add(w, &dir, err)) < 0)
		goto fail;
	dir.name = "blobs/sha256";
	if ((rc = tlc_tar_writer_add(w, &dir, err)) < 0)
		goto fail;
	for (size_t i = 0; i < nb; i++) {
		if (i && !strcmp(blobs[i].digest, blobs[i - 1].digest))
			continue;
		tlc_buf_reset(&name);
		if (tlc_buf_printf(&name, "blobs/sha256/%s",
				   blobs[i].digest + 7) < 0) {
			rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
			goto fail;
		}
		if ((rc = tar_file(w, name.ptr, &blobs[i], epoch, err)) < 0)
			goto fail;
	}
	if ((rc = tar_file(w, "index.json", index, epoch, err)) < 0 ||
	    (rc = tar_file(w, "manifest.json", dman, epoch, err)) < 0 ||
	    (rc = tar_file(w, "oci-layout", layout, epoch, err)) < 0 ||
	    (rc = tlc_tar_writer_finish(w, &sums, err)) < 0)
		goto fail;
	tlc_tar_writer_free(w);
	rc = tlc__fs_commit(fd, tmp.ptr, out, err);
	goto out;
fail:
	tlc_tar_writer_free(w);
	close(fd);
	unlink(tmp.ptr);
out:
	tlc_buf_release(&tmp);
	tlc_buf_release(&name);
	return rc;
}

int tlc_oci_write_ex(const struct tlc_oci_base *b, const char *layer_root,
		     const struct tlc_oci_opts *opts, const char *out,
		     struct tlc_oci_result *res, struct tlc_error *err)
{
	struct tlc_buf tmp = TLC_BUF_INIT, p = TLC_BUF_INIT;
	struct tlc_tar_writer *w = NULL;
	struct tlc_tar_sums sums;
	struct blob *blobs = NULL, cfgb = { "", 0, -1, 0, NULL },
		    manb = cfgb, indexb = cfgb, dmanb = cfgb, layoutb = cfgb;
	json_t *config = NULL, *cc, *hist, *ids, *layers, *ann = NULL,
	       *man = NULL, *index = NULL, *dman = NULL, *refann;
	const char *tmpdir = getenv("TMPDIR");
	char created[32], tmpl[PATH_MAX], *s;
	size_t nb = 0;
	int lfd = -1, rc;

	memset(res, 0, sizeof(*res));
	if (opts->epoch < 0)
		return tlc_error_set(err, TLC_EPOLICY, "negative epoch");
	rfc3339(created, opts->epoch);
	if (!(blobs = calloc(b->n + 3, sizeof(*blobs))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	for (size_t i = 0; i < b->n; i++) {
		memcpy(blobs[nb].digest, b->layers[i].digest, 72);
		blobs[nb].size = b->layers[i].size;
		blobs[nb].fd = b->layers[i].fd;
		blobs[nb].off = b->layers[i].off;
		nb++;
	}
	/* the new layer, in an unlinked temporary file */
	if (layer_root) {
		snprintf(tmpl, sizeof(tmpl), "%s/tlcpack-layer-XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp");
		if ((lfd = mkostemp(tmpl, O_CLOEXEC)) < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot create '%s'",
					     tmpl);
			goto out;
		}
		unlink(tmpl);
		if ((rc = tlc_tar_writer_new(&w, lfd, 6, err)) < 0 ||
		    (rc = tlc_tar_writer_add_tree(w, layer_root, opts->epoch,
						  err)) < 0 ||
		    (rc = tlc_tar_writer_finish(w, &sums, err)) < 0)
			goto out;
		digest_str(blobs[nb].digest, sums.digest);
		blobs[nb].size = sums.size;
		blobs[nb].fd = lfd;
		memcpy(res->layer_digest, blobs[nb].digest, 72);
		res->layer_size = sums.size;
		nb++;
	}

	/* config.md: the base's config, with rootfs, history, created and
	 * config.{Env,Cmd,Labels} updated */
	if (!(config = json_deep_copy(b->config)))
		goto nomem;
	cc = json_object_get(config, "config");
	if (!json_is_object(cc)) {
		cc = json_object();
		json_object_set_new(config, "config", cc);
	}
	json_object_set_new(cc, "Env", merge_env(json_object_get(cc, "Env"),
						 opts->env));
	if (opts->cmd)
		json_object_set_new(cc, "Cmd", strv(opts->cmd));
	if (opts->labels) {
		json_t *lab = json_object_get(cc, "Labels");

		if (!json_is_object(lab)) {
			lab = json_object();
			json_object_set_new(cc, "Labels", lab);
		}
		if ((rc = kv_into(lab, opts->labels, "label", err)) < 0)
			goto out;
	}
	json_object_set_new(config, "created", json_string(created));
	ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	hist = json_object_get(config, "history");
	if (!json_is_array(hist)) {
		hist = json_array();
		json_object_set_new(config, "history", hist);
		for (size_t i = 0; i < b->n; i++)
			json_array_append_new(hist, json_pack("{s:s, s:s}",
				"created", created, "created_by",
				"tlcpack: base layer"));
	}
	if (layer_root) {
		char did[72];

		digest_str(did, sums.diff_id);
		json_array_append_new(ids, json_string(did));
		json_array_append_new(hist, json_pack("{s:s, s:s}", "created",
			created, "created_by", "tlcpack image build"));
	}
	if (!(s = json_dumps(config, JSON_FLAGS)))
		goto nomem;
	blob_mem(&cfgb, s);

	/* manifest.md */
	layers = json_array();
	for (size_t i = 0; i < nb; i++) {
		bool gz = i < b->n ? b->layers[i].gzip : true;

		json_array_append_new(layers, descriptor(gz ? MT_LAYER_GZ :
							 MT_LAYER,
							 blobs[i].digest,
							 blobs[i].size));
	}
	ann = json_object();
	json_object_set_new(ann, "org.opencontainers.image.created",
			    json_string(created));
	if ((rc = kv_into(ann, opts->labels, "label", err)) < 0) {
		json_decref(layers);
		goto out;
	}
	man = json_pack("{s:i, s:s, s:o, s:o, s:O}", "schemaVersion", 2,
			"mediaType", MT_MANIFEST, "config",
			descriptor(MT_CONFIG, cfgb.digest, cfgb.size),
			"layers", layers, "annotations", ann);
	if (!man || !(s = json_dumps(man, JSON_FLAGS)))
		goto nomem;
	blob_mem(&manb, s);
	memcpy(res->digest, manb.digest, 72);

	/* image-layout.md "index.json file"; annotations.md
	 * "org.opencontainers.image.ref.name": the tag */
	refann = json_object();
	if (opts->tag) {
		const char *c = strrchr(opts->tag, ':');
		const char *sl = strrchr(opts->tag, '/');

		json_object_set_new(refann, "org.opencontainers.image.ref.name",
				    json_string(c && (!sl || c > sl) ? c + 1 :
						"latest"));
	}
	{
		json_t *d = descriptor(MT_MANIFEST, manb.digest, manb.size);

		if (json_object_size(refann))
			json_object_set(d, "annotations", refann);
		index = json_pack("{s:i, s:s, s:[o]}", "schemaVersion", 2,
				  "mediaType", MT_INDEX, "manifests", d);
	}
	json_decref(refann);
	if (!index || !(s = json_dumps(index, JSON_FLAGS)))
		goto nomem;
	blob_mem(&indexb, s);
	if (!(s = strdup("{\"imageLayoutVersion\":\"1.0.0\"}")))
		goto nomem;
	blob_mem(&layoutb, s);

	res->image_size = cfgb.size + manb.size;
	for (size_t i = 0; i < nb; i++)
		res->image_size += blobs[i].size;

	if (opts->format == TLC_OCI_DOCKER_ARCHIVE) {
		/* Docker's manifest.json: Config, RepoTags, Layers, paths in
		 * the archive */
		json_t *lp = json_array(), *tags = json_array();

		for (size_t i = 0; i < nb; i++) {
			tlc_buf_reset(&p);
			if (tlc_buf_printf(&p, "blobs/sha256/%s",
					   blobs[i].digest + 7) < 0)
				goto nomem;
			json_array_append_new(lp, json_string(p.ptr));
		}
		if (opts->tag) {
			const char *c = strrchr(opts->tag, ':');
			const char *sl = strrchr(opts->tag, '/');

			tlc_buf_reset(&p);
			if (tlc_buf_printf(&p, "%s%s", opts->tag,
					   c && (!sl || c > sl) ? "" :
					   ":latest") < 0)
				goto nomem;
			json_array_append_new(tags, json_string(p.ptr));
		}
		tlc_buf_reset(&p);
		if (tlc_buf_printf(&p, "blobs/sha256/%s", cfgb.digest + 7) < 0)
			goto nomem;
		dman = json_pack("[{s:s, s:o, s:o}]", "Config", p.ptr,
				 "RepoTags", tags, "Layers", lp);
		if (!dman || !(s = json_dumps(dman, JSON_FLAGS)))
			goto nomem;
		blob_mem(&dmanb, s);
		blobs[nb++] = cfgb;
		blobs[nb++] = manb;
		rc = write_docker(out, blobs, nb, &indexb, &dmanb, &layoutb,
				  opts->epoch, err);
		nb -= 2;
		goto out;
	}
	tlc_buf_reset(&p);
	if (tlc_buf_printf(&p, "%s/blobs/sha256", out) < 0)
		goto nomem;
	if ((rc = tlc__fs_mkdir_p(p.ptr, 0755, err)) < 0)
		goto out;
	for (size_t i = 0; i < nb; i++)
		if ((rc = layout_put(out, &blobs[i], err)) < 0)
			goto out;
	if ((rc = layout_put(out, &cfgb, err)) < 0 ||
	    (rc = layout_put(out, &manb, err)) < 0)
		goto out;
	tlc_buf_reset(&p);
	if (tlc_buf_printf(&p, "%s/oci-layout", out) < 0)
		goto nomem;
	if ((rc = tlc__fs_write_atomic(p.ptr, layoutb.mem, layoutb.size, 0644,
				       err)) < 0)
		goto out;
	tlc_buf_reset(&p);
	if (tlc_buf_printf(&p, "%s/index.json", out) < 0)
		goto nomem;
	rc = tlc__fs_write_atomic(p.ptr, indexb.mem, indexb.size, 0644, err);
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_tar_writer_free(w);
	if (lfd >= 0)
		close(lfd);
	free(blobs);
	free(cfgb.mem);
	free(manb.mem);
	free(indexb.mem);
	free(dmanb.mem);
	free(layoutb.mem);
	json_decref(config);
	json_decref(man);
	json_decref(index);
	json_decref(dman);
	json_decref(ann);
	tlc_buf_release(&tmp);
	tlc_buf_release(&p);
	return rc;
}

int tlc_oci_write(const struct tlc_oci_base *b, const char *layer_root,
		  const struct tlc_oci_opts *opts, const char *out,
		  char digest[72], struct tlc_error *err)
{
	struct tlc_oci_result res;
	int rc = tlc_oci_write_ex(b, layer_root, opts, out, &res, err);

	if (!rc)
		memcpy(digest, res.digest, 72);
	return rc;
}
