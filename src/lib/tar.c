/*
 * Tar archives (tar.h): a streaming reader and a reproducible writer.
 *
 * References: POSIX.1-2017 pax(1), "ustar Interchange Format" (the
 * 512-byte header, its octal fields and checksum) and "pax Extended
 * Header" (records "<len> <key>=<value>\n"); GNU tar's manual, "Basic
 * Tar Format" (the 'L'/'K' long names, base-256 numbers); RFC 1952 (gzip).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fs.h"		/* tlc__fs_write_all */
#include "sha256.h"
#include "text.h"	/* tlc__quote */
#include "tlcpack/buf.h"
#include "tlcpack/tar.h"
#include "banned.h"

#define BLOCK 512
#define IOBUF 65536
#define QMAX 80			/* bytes of a name quoted in a message */
#define QSIZE (QMAX * 4 + 5)
#define TREE_DEPTH_MAX 256

static void quote(char *q, const char *s)
{
	tlc__quote(q, QSIZE, s, strlen(s), QMAX);
}

/* ---- names ---------------------------------------------------------- */

int tlc_tar_name_normalise(char *name, struct tlc_error *err)
{
	char q[QSIZE];
	char *w = name;
	const char *p = name;

	if (strlen(name) > TLC_TAR_NAME_MAX) {
		quote(q, name);
		return tlc_error_set(err, TLC_EPOLICY, "path '%s' is too long",
				     q);
	}
	if (name[0] == '/') {
		quote(q, name);
		return tlc_error_set(err, TLC_EPOLICY, "absolute path '%s'", q);
	}
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			quote(q, name);
			return tlc_error_set(err, TLC_EPOLICY,
					     "path '%s' has a '..' component", q);
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (w != name)
				*w++ = '/';
			memmove(w, p, n);
			w += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (w == name)
		*w++ = '.';
	*w = '\0';
	return 0;
}

/* ---- reader --------------------------------------------------------- */

struct tlc_tar_reader {
	int fd;
	uint64_t raw_pos, raw_end;	/* in @fd */
	bool raw_eof;
	bool gzip, z_done;
	z_stream z;
	uint64_t upos;			/* uncompressed bytes read */
	struct tlc__sha256 h;
	unsigned char diff_id[32];
	bool ended, failed;
	uint64_t left, pad, data_off;
	struct tlc_tar_entry e;
	char name[TLC_TAR_NAME_MAX + 1];
	char link[TLC_TAR_NAME_MAX + 1];
	struct tlc_buf meta;		/* a pax or long-name header's data */
	struct tlc_buf pax_path, pax_link;
	bool has_path, has_link, has_size, has_uid, has_gid, has_mtime;
	uint64_t pax_size, pax_uid, pax_gid;
	int64_t pax_mtime;
	char what[QSIZE];
	unsigned char in[IOBUF];
	unsigned char sink[IOBUF];
};

static int rd_fail(struct tlc_tar_reader *r, struct tlc_error *err, int code,
		   const char *fmt, ...) TLC_PRINTF(4, 5);

static int rd_fail(struct tlc_tar_reader *r, struct tlc_error *err, int code,
		   const char *fmt, ...)
{
	char msg[TLC_ERROR_MSG_SIZE];
	va_list ap;

	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tlc_error_set(err, code, "%s in '%s'", msg, r->what);
}

static ssize_t raw_read(struct tlc_tar_reader *r, void *buf, size_t n,
			struct tlc_error *err)
{
	ssize_t k;

	if (n > r->raw_end - r->raw_pos)
		n = (size_t)(r->raw_end - r->raw_pos);
	if (!n)
		return 0;
	do {
		k = pread(r->fd, buf, n, (off_t)r->raw_pos);
	} while (k < 0 && errno == EINTR);
	if (k < 0) {
		r->failed = true;
		return tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
				       r->what);
	}
	r->raw_pos += (uint64_t)k;
	return k;
}

/* Read up to @n uncompressed bytes (fewer only at the end); hashed. */
static int uread(struct tlc_tar_reader *r, void *buf, size_t n, size_t *got,
		 struct tlc_error *err)
{
	size_t have = 0;
	ssize_t k;

	if (!r->gzip) {
		while (have < n) {
			k = raw_read(r, (char *)buf + have, n - have, err);
			if (k < 0)
				return (int)k;
			if (!k)
				break;
			have += (size_t)k;
		}
		goto out;
	}
	while (have < n) {
		int rc;

		if (!r->z.avail_in && !r->raw_eof) {
			k = raw_read(r, r->in, sizeof(r->in), err);
			if (k < 0)
				return (int)k;
			if (!k)
				r->raw_eof = true;
			r->z.next_in = r->in;
			r->z.avail_in = (uInt)k;
		}
		if (r->z_done) {
			if (!r->z.avail_in)
				break;
			/* RFC 1952 2.2: a gzip file is a series of members */
			inflateReset(&r->z);
			r->z_done = false;
		}
		r->z.next_out = (Bytef *)buf + have;
		r->z.avail_out = (uInt)(n - have);
		rc = inflate(&r->z, Z_NO_FLUSH);
		have = n - r->z.avail_out;
		if (rc == Z_STREAM_END) {
			r->z_done = true;
		} else if (rc == Z_BUF_ERROR) {
			if (!r->z.avail_in && r->raw_eof)
				return rd_fail(r, err, TLC_EPOLICY,
					       "%struncated gzip stream", "");
		} else if (rc != Z_OK) {
			return rd_fail(r, err, TLC_EPOLICY, "bad gzip data (%s)",
				       r->z.msg ? r->z.msg : "corrupt");
		}
	}
out:
	tlc__sha256_update(&r->h, buf, have);
	r->upos += have;
	*got = have;
	return 0;
}

int tlc_tar_reader_new(struct tlc_tar_reader **out, int fd, uint64_t off,
		       uint64_t len, const char *what, struct tlc_error *err)
{
	struct tlc_tar_reader *r = calloc(1, sizeof(*r));
	unsigned char magic[2];
	ssize_t k;

	*out = NULL;
	if (!r || !tlc__sha256_init(&r->h)) {
		free(r);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	r->fd = fd;
	r->raw_pos = off;
	r->raw_end = len > UINT64_MAX - off ? UINT64_MAX : off + len;
	tlc__quote(r->what, sizeof(r->what), what, strlen(what), QMAX);
	tlc_buf_init(&r->meta, TLC_TAR_PAX_MAX);
	tlc_buf_init(&r->pax_path, TLC_TAR_NAME_MAX);
	tlc_buf_init(&r->pax_link, TLC_TAR_NAME_MAX);
	r->e.name = r->name;
	r->e.linkname = r->link;
	k = raw_read(r, magic, 2, err);
	if (k < 0) {
		tlc_tar_reader_free(r);
		return (int)k;
	}
	r->raw_pos = off;
	if (k == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		r->gzip = true;
		if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
			r->gzip = false;
			tlc_tar_reader_free(r);
			return tlc_error_set(err, TLC_ENOMEM, "out of memory");
		}
	}
	*out = r;
	return 0;
}

bool tlc_tar_reader_gzip(const struct tlc_tar_reader *r)
{
	return r->gzip;
}

uint64_t tlc_tar_reader_data_offset(const struct tlc_tar_reader *r)
{
	return r->data_off;
}

bool tlc_tar_reader_diff_id(const struct tlc_tar_reader *r,
			    unsigned char out[32])
{
	if (!r->ended)
		return false;
	memcpy(out, r->diff_id, 32);
	return true;
}

void tlc_tar_reader_free(struct tlc_tar_reader *r)
{
	unsigned char junk[32];

	if (!r)
		return;
	if (r->gzip)
		inflateEnd(&r->z);
	if (!r->ended)
		tlc__sha256_final(&r->h, junk);
	tlc_buf_release(&r->meta);
	tlc_buf_release(&r->pax_path);
	tlc_buf_release(&r->pax_link);
	free(r);
}

/* Skip @n bytes of the stream (hashed); a short stream is truncated. */
static int skip(struct tlc_tar_reader *r, uint64_t n, struct tlc_error *err)
{
	size_t got;
	int rc;

	while (n) {
		size_t want = n < sizeof(r->sink) ? (size_t)n : sizeof(r->sink);

		if ((rc = uread(r, r->sink, want, &got, err)) < 0)
			return rc;
		if (got < want)
			return rd_fail(r, err, TLC_EPOLICY,
				       "truncated archive (an entry is cut short)%s",
				       "");
		n -= got;
	}
	return 0;
}

/*
 * A header number: octal digits, with leading spaces and ending at a
 * space or NUL (ustar); or GNU base-256, the first byte 0x80 (positive).
 */
static bool number(const unsigned char *f, size_t w, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return false;	/* negative, or a sign we do not know */
		for (i = 1; i < w; i++) {
			if (*v >> 55)
				return false;
			*v = (*v << 8) | f[i];
		}
		return true;
	}
	while (i < w && f[i] == ' ')
		i++;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
		if (*v >> 60)
			return false;
		*v = (*v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < w; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	return true;
}

/* A field of up to @w bytes, NUL-terminated or not, appended to @b. */
static void field(char *dst, const unsigned char *f, size_t w)
{
	size_t n = strnlen((const char *)f, w);

	memcpy(dst, f, n);
	dst[n] = '\0';
}

static bool decimal(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

/* pax Extended Header records, "%d %s=%s\n" (POSIX pax, "pax Header
 * Block"): path, linkpath, size, uid, gid, mtime are used. */
static int parse_pax(struct tlc_tar_reader *r, struct tlc_error *err)
{
	const char *p = r->meta.ptr, *end = p + r->meta.len;

	while (p < end) {
		const char *sp = memchr(p, ' ', (size_t)(end - p)), *key, *eq;
		uint64_t len, v;
		size_t klen, vlen;
		const char *val;

		if (!sp || !decimal(p, (size_t)(sp - p), &len) ||
		    len > (uint64_t)(end - p) || len < (uint64_t)(sp - p) + 4 ||
		    p[len - 1] != '\n')
			return rd_fail(r, err, TLC_EPOLICY,
				       "bad pax header record%s", "");
		key = sp + 1;
		eq = memchr(key, '=', (size_t)(p + len - 1 - key));
		if (!eq || eq == key)
			return rd_fail(r, err, TLC_EPOLICY,
				       "bad pax header record%s", "");
		klen = (size_t)(eq - key);
		val = eq + 1;
		vlen = (size_t)(p + len - 1 - val);
		p += len;
#define KEY(s) (klen == sizeof(s) - 1 && !memcmp(key, s, klen))
		if (KEY("path") || KEY("linkpath")) {
			struct tlc_buf *b = KEY("path") ? &r->pax_path :
							  &r->pax_link;

			if (memchr(val, '\0', vlen))
				return rd_fail(r, err, TLC_EPOLICY,
					       "NUL in a pax path%s", "");
			tlc_buf_reset(b);
			if (tlc_buf_put(b, val, vlen) < 0)
				return rd_fail(r, err, TLC_EPOLICY,
					       "pax path too long%s", "");
			if (KEY("path"))
				r->has_path = true;
			else
				r->has_link = true;
		} else if (KEY("size") || KEY("uid") || KEY("gid")) {
			if (!decimal(val, vlen, &v) || v > INT64_MAX)
				return rd_fail(r, err, TLC_EPOLICY,
					       "bad pax number%s", "");
			if (KEY("size")) {
				r->pax_size = v;
				r->has_size = true;
			} else if (KEY("uid")) {
				r->pax_uid = v;
				r->has_uid = true;
			} else {
				r->pax_gid = v;
				r->has_gid = true;
			}
		} else if (KEY("mtime")) {
			/* "[-]seconds[.fraction]"; the fraction is dropped */
			bool neg = vlen && val[0] == '-';
			const char *d = val + neg;
			const char *dot = memchr(d, '.', vlen - neg);
			size_t dn = dot ? (size_t)(dot - d) : vlen - neg;

			if (!decimal(d, dn, &v) || v > INT64_MAX)
				return rd_fail(r, err, TLC_EPOLICY,
					       "bad pax number%s", "");
			r->pax_mtime = neg ? -(int64_t)v : (int64_t)v;
			r->has_mtime = true;
		}
#undef KEY
	}
	return 0;
}

/* Read a meta entry's @size data bytes (and padding) into r->meta. */
static int read_meta(struct tlc_tar_reader *r, uint64_t size,
		     struct tlc_error *err)
{
	size_t got;
	int rc;

	if (size > TLC_TAR_PAX_MAX)
		return rd_fail(r, err, TLC_EPOLICY,
			       "extended header too large%s", "");
	tlc_buf_reset(&r->meta);
	if (tlc_buf_grow(&r->meta, (size_t)size) < 0)
		return rd_fail(r, err, TLC_ENOMEM, "out of memory%s", "");
	if ((rc = uread(r, r->meta.ptr, (size_t)size, &got, err)) < 0)
		return rc;
	if (got < size)
		return rd_fail(r, err, TLC_EPOLICY,
			       "truncated archive (an entry is cut short)%s",
			       "");
	r->meta.len = got;
	r->meta.ptr[got] = '\0';
	return skip(r, (BLOCK - size % BLOCK) % BLOCK, err);
}

static void clear_pending(struct tlc_tar_reader *r)
{
	r->has_path = r->has_link = r->has_size = false;
	r->has_uid = r->has_gid = r->has_mtime = false;
}

/* The end of the archive: read (and hash) all that follows. */
static int finish(struct tlc_tar_reader *r, struct tlc_error *err)
{
	size_t got;
	int rc;

	do {
		if ((rc = uread(r, r->sink, sizeof(r->sink), &got, err)) < 0)
			return rc;
	} while (got);
	tlc__sha256_final(&r->h, r->diff_id);
	r->ended = true;
	return 0;
}

static bool zero_block(const unsigned char *h)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

int tlc_tar_reader_next(struct tlc_tar_reader *r,
			const struct tlc_tar_entry **out,
			struct tlc_error *err)
{
	unsigned char h[BLOCK];
	char q[QSIZE];
	uint64_t sum = 0, want, size, mode, uid, gid, mtime, dmaj, dmin;
	int64_t ssum = 0;
	size_t got;
	int rc, type;

	*out = NULL;
	if (r->failed)
		return tlc_error_set(err, TLC_ERROR, "'%s' already failed",
				     r->what);
	if (r->ended)
		return 0;
	if ((rc = skip(r, r->left + r->pad, err)) < 0)
		return rc;
	r->left = r->pad = 0;
	clear_pending(r);
	for (;;) {
		uint64_t hdr_pos = r->upos;

		if ((rc = uread(r, h, BLOCK, &got, err)) < 0)
			return rc;
		if (!got && hdr_pos == 0)
			return rd_fail(r, err, TLC_EPOLICY,
				       "empty archive%s", "");
		if (!got && !r->has_path && !r->has_link && !r->has_size) {
			/* no end-of-archive blocks: as GNU tar and Go's
			 * archive/tar, the end of a file between entries is
			 * the end */
			if ((rc = finish(r, err)) < 0)
				return rc;
			return 0;
		}
		if (got < BLOCK)
			return rd_fail(r, err, TLC_EPOLICY,
				       "truncated archive (a header is cut short)%s",
				       "");
		if (zero_block(h)) {
			if ((rc = finish(r, err)) < 0)
				return rc;
			return 0;
		}
		/* ustar: the checksum is the sum of the header's bytes with
		 * the chksum field taken as eight spaces; some old tars
		 * summed signed chars */
		for (size_t i = 0; i < BLOCK; i++) {
			unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

			sum += c;
			ssum += (signed char)c;
		}
		if (!number(h + 148, 8, &want) ||
		    (want != sum && (int64_t)want != ssum)) {
			char at[32];

			snprintf(at, sizeof(at), "%llu",
				 (unsigned long long)hdr_pos);
			return rd_fail(r, err, TLC_EPOLICY,
				       "bad header checksum at offset %s", at);
		}
		sum = 0;
		ssum = 0;
		if (!number(h + 124, 12, &size) || !number(h + 100, 8, &mode) ||
		    !number(h + 108, 8, &uid) || !number(h + 116, 8, &gid) ||
		    !number(h + 136, 12, &mtime) ||
		    !number(h + 329, 8, &dmaj) || !number(h + 337, 8, &dmin) ||
		    size > INT64_MAX || uid > UINT32_MAX || gid > UINT32_MAX ||
		    dmaj > UINT32_MAX || dmin > UINT32_MAX ||
		    mtime > INT64_MAX)
			return rd_fail(r, err, TLC_EPOLICY,
				       "bad number in a header%s", "");
		type = h[156];
		if (type == 'x' || type == 'g') {
			if ((rc = read_meta(r, size, err)) < 0)
				return rc;
			if (type == 'x' && (rc = parse_pax(r, err)) < 0)
				return rc;
			continue;
		}
		if (type == 'L' || type == 'K') {
			struct tlc_buf *b = type == 'L' ? &r->pax_path :
							  &r->pax_link;

			if ((rc = read_meta(r, size, err)) < 0)
				return rc;
			tlc_buf_reset(b);
			if (tlc_buf_puts(b, r->meta.ptr) < 0)
				return rd_fail(r, err, TLC_EPOLICY,
					       "long name too long%s", "");
			if (type == 'L')
				r->has_path = true;
			else
				r->has_link = true;
			continue;
		}
		break;
	}

	/* the entry's name: pax path, GNU long name, or ustar prefix/name */
	if (r->has_path) {
		memcpy(r->name, r->pax_path.ptr, r->pax_path.len + 1);
	} else {
		char nm[101], pre[156];

		field(nm, h, 100);
		field(pre, h + 345, 155);
		if (!memcmp(h + 257, "ustar\0", 6) && pre[0])
			snprintf(r->name, sizeof(r->name), "%s/%s", pre, nm);
		else
			memcpy(r->name, nm, strlen(nm) + 1);
	}
	if (!r->name[0])
		return rd_fail(r, err, TLC_EPOLICY, "entry with no name%s", "");
	switch (type) {
	case '\0':
	case '0':
	case '7':		/* contiguous file: a regular file (pax) */
		type = TLC_TAR_FILE;
		/* pre-POSIX tars mark directories by a trailing slash */
		if (r->name[strlen(r->name) - 1] == '/')
			type = TLC_TAR_DIR;
		break;
	case '1': case '2': case '3': case '4': case '5': case '6':
		break;
	default:
		quote(q, r->name);
		r->failed = true;
		return tlc_error_set(err, TLC_EPOLICY,
				     "unsupported entry type '%c' for '%s' in '%s'",
				     type >= 0x20 && type < 0x7f ? type : '?',
				     q, r->what);
	}
	if ((rc = tlc_tar_name_normalise(r->name, err)) < 0) {
		r->failed = true;
		return tlc_error_prefix(err, "'%s'", r->what);
	}
	if (r->has_link)
		memcpy(r->link, r->pax_link.ptr, r->pax_link.len + 1);
	else
		field(r->link, h + 157, 100);
	if (type == TLC_TAR_HARDLINK || type == TLC_TAR_SYMLINK) {
		if (!r->link[0]) {
			quote(q, r->name);
			r->failed = true;
			return tlc_error_set(err, TLC_EPOLICY,
					     "link '%s' has no target in '%s'",
					     q, r->what);
		}
		if (type == TLC_TAR_HARDLINK &&
		    (rc = tlc_tar_name_normalise(r->link, err)) < 0) {
			quote(q, r->name);
			r->failed = true;
			return tlc_error_prefix(err, "hard link '%s' in '%s'",
						q, r->what);
		}
	} else {
		r->link[0] = '\0';
	}
	if (r->has_size)
		size = r->pax_size;
	/* header-only types carry no data, whatever their size field says
	 * (pax: "no data blocks are stored"; Go's archive/tar) */
	if (type != TLC_TAR_FILE)
		size = 0;
	r->e.type = type;
	r->e.mode = (uint32_t)(mode & 07777);
	r->e.size = size;
	r->e.mtime = r->has_mtime ? r->pax_mtime : (int64_t)mtime;
	r->e.uid = r->has_uid && r->pax_uid <= UINT32_MAX ?
		   (uint32_t)r->pax_uid : (uint32_t)uid;
	r->e.gid = r->has_gid && r->pax_gid <= UINT32_MAX ?
		   (uint32_t)r->pax_gid : (uint32_t)gid;
	r->e.devmajor = (uint32_t)dmaj;
	r->e.devminor = (uint32_t)dmin;
	r->left = size;
	r->pad = (BLOCK - size % BLOCK) % BLOCK;
	r->data_off = r->raw_pos;	/* plain tar: where the data starts */
	*out = &r->e;
	return 1;
}

int tlc_tar_reader_read(struct tlc_tar_reader *r, void *buf, size_t n,
			size_t *got, struct tlc_error *err)
{
	char q[QSIZE];
	int rc;

	*got = 0;
	if (r->failed)
		return tlc_error_set(err, TLC_ERROR, "'%s' already failed",
				     r->what);
	if (n > r->left)
		n = (size_t)r->left;
	if (!n)
		return 0;
	if ((rc = uread(r, buf, n, got, err)) < 0)
		return rc;
	r->left -= *got;
	if (*got < n) {
		quote(q, r->name);
		r->failed = true;
		return tlc_error_set(err, TLC_EPOLICY,
				     "truncated archive: '%s' is cut short in '%s'",
				     q, r->what);
	}
	return 0;
}

/* ---- writer --------------------------------------------------------- */

struct tlc_tar_writer {
	int fd;
	bool gzip, failed;
	z_stream z;
	struct tlc__sha256 hu, hc;
	uint64_t csize;
	uint64_t left, pad;
	unsigned char zout[IOBUF];
	unsigned char buf[IOBUF];	/* file data on its way in */
};

static int put_raw(struct tlc_tar_writer *w, const void *p, size_t n,
		   struct tlc_error *err)
{
	int rc;

	tlc__sha256_update(&w->hc, p, n);
	w->csize += n;
	if ((rc = tlc__fs_write_all(w->fd, p, n, "archive", err)) < 0)
		w->failed = true;
	return rc;
}

static int deflate_out(struct tlc_tar_writer *w, int flush,
		       struct tlc_error *err)
{
	int zrc, rc;

	do {
		w->z.next_out = w->zout;
		w->z.avail_out = sizeof(w->zout);
		zrc = deflate(&w->z, flush);
		if (zrc == Z_STREAM_ERROR) {
			w->failed = true;
			return tlc_error_set(err, TLC_ERROR, "deflate failed");
		}
		if ((rc = put_raw(w, w->zout, sizeof(w->zout) - w->z.avail_out,
				  err)) < 0)
			return rc;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH &&
					 zrc != Z_STREAM_END));
	return 0;
}

static int put(struct tlc_tar_writer *w, const void *p, size_t n,
	       struct tlc_error *err)
{
	if (w->failed)
		return tlc_error_set(err, TLC_ERROR, "archive already failed");
	tlc__sha256_update(&w->hu, p, n);
	if (!w->gzip)
		return put_raw(w, p, n, err);
	while (n) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		int rc;

		w->z.next_in = (Bytef *)(uintptr_t)p;
		w->z.avail_in = k;
		if ((rc = deflate_out(w, Z_NO_FLUSH, err)) < 0)
			return rc;
		p = (const char *)p + k;
		n -= k;
	}
	return 0;
}

int tlc_tar_writer_new(struct tlc_tar_writer **out, int fd, int gzip_level,
		       struct tlc_error *err)
{
	struct tlc_tar_writer *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	if (!tlc__sha256_init(&w->hu)) {
		free(w);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	if (!tlc__sha256_init(&w->hc)) {
		unsigned char junk[32];

		tlc__sha256_final(&w->hu, junk);
		free(w);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	w->fd = fd;
	if (gzip_level >= 0) {
		/* windowBits 16 + 15: a gzip wrapper; without
		 * deflateSetHeader() zlib writes mtime 0, no name, XFL from
		 * the level and OS_CODE (3 on Unix): the same bytes on
		 * every run (RFC 1952 2.3) */
		if (deflateInit2(&w->z, gzip_level, Z_DEFLATED, 16 + 15, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			w->failed = true;
			*out = w;
			tlc_tar_writer_free(w);
			*out = NULL;
			return tlc_error_set(err, TLC_ENOMEM,
					     "cannot start gzip");
		}
		w->gzip = true;
	}
	*out = w;
	return 0;
}

static void octal(unsigned char *f, size_t w, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(w - 1),
		 (unsigned long long)v);
	memcpy(f, tmp, w);	/* w - 1 digits and the NUL */
}

/* The decimal length of a pax record "%d key=value\n" (the length counts
 * its own digits). */
static size_t pax_reclen(size_t body)
{
	size_t n = body + 1, d;

	for (;;) {
		char tmp[24];

		d = (size_t)snprintf(tmp, sizeof(tmp), "%zu", n) + body;
		if (d == n)
			return n;
		n = d;
	}
}

static int pax_add(struct tlc_buf *b, const char *key, const char *val)
{
	size_t body = 1 + strlen(key) + 1 + strlen(val) + 1;

	return tlc_buf_printf(b, "%zu %s=%s\n", pax_reclen(body), key, val);
}

static void header(unsigned char *h, const char *name, size_t nlen,
		   const char *prefix, size_t plen, const char *link,
		   int type, uint32_t mode, uint64_t size, int64_t mtime,
		   uint32_t devmajor, uint32_t devminor)
{
	unsigned sum = 0;

	memset(h, 0, BLOCK);
	memcpy(h, name, nlen);
	octal(h + 100, 8, mode & 07777);
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, size);
	octal(h + 136, 12, (uint64_t)mtime);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + 257, "ustar\0" "00", 8);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	if (type == TLC_TAR_CHAR || type == TLC_TAR_BLOCK) {
		octal(h + 329, 8, devmajor);
		octal(h + 337, 8, devminor);
	}
	memcpy(h + 345, prefix, plen);
	for (size_t i = 0; i < BLOCK; i++)
		sum += h[i];
	{
		char tmp[8];

		snprintf(tmp, sizeof(tmp), "%06o", sum & 0777777);
		memcpy(h + 148, tmp, 7);
		h[155] = ' ';
	}
}

int tlc_tar_writer_add(struct tlc_tar_writer *w,
		       const struct tlc_tar_entry *e, struct tlc_error *err)
{
	struct tlc_buf name = TLC_BUF_INIT, pax = TLC_BUF_INIT;
	unsigned char h[BLOCK];
	const char *link = e->linkname ? e->linkname : "";
	size_t nlen, plen = 0, split = 0;
	uint64_t size = e->type == TLC_TAR_FILE ? e->size : 0;
	bool need_path = false;
	int rc;

	if (w->failed)
		return tlc_error_set(err, TLC_ERROR, "archive already failed");
	if (w->left)
		return tlc_error_set(err, TLC_ERROR,
				     "previous entry is missing data");
	if (e->mtime < 0 || !e->name[0])
		return tlc_error_set(err, TLC_EPOLICY,
				     "bad tar entry '%s'", e->name);
	if ((rc = tlc_buf_sets(&name, e->name)) < 0 ||
	    (e->type == TLC_TAR_DIR && name.ptr[name.len - 1] != '/' &&
	     (rc = tlc_buf_putc(&name, '/')) < 0))
		goto nomem;
	nlen = name.len;
	if (nlen > 100) {
		/* ustar: prefix (up to 155 bytes) "/" name (up to 100) */
		for (size_t i = 0; i < nlen && i <= 155; i++)
			if (name.ptr[i] == '/' && nlen - i - 1 <= 100 &&
			    nlen - i - 1 > 0) {
				split = i;
				break;
			}
		if (split) {
			plen = split;
		} else {
			need_path = true;
		}
	}
	if (need_path && (rc = pax_add(&pax, "path", name.ptr)) < 0)
		goto nomem;
	if (strlen(link) > 100 && (rc = pax_add(&pax, "linkpath", link)) < 0)
		goto nomem;
	if (size > 077777777777ull) {
		char num[24];

		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		if ((rc = pax_add(&pax, "size", num)) < 0)
			goto nomem;
	}
	if (pax.len) {
		/* the pax 'x' header itself, then its records */
		header(h, "././@PaxHeader", 14, "", 0, "", 'x', 0644,
		       pax.len, e->mtime, 0, 0);
		if ((rc = put(w, h, BLOCK, err)) < 0 ||
		    (rc = put(w, pax.ptr, pax.len, err)) < 0)
			goto out;
		memset(h, 0, BLOCK);
		if ((rc = put(w, h, (BLOCK - pax.len % BLOCK) % BLOCK,
			      err)) < 0)
			goto out;
	}
	if (need_path)
		header(h, name.ptr, 100, "", 0, link, e->type, e->mode,
		       size > 077777777777ull ? 0 : size, e->mtime,
		       e->devmajor, e->devminor);
	else if (plen)
		header(h, name.ptr + plen + 1, nlen - plen - 1, name.ptr, plen,
		       link, e->type, e->mode,
		       size > 077777777777ull ? 0 : size, e->mtime,
		       e->devmajor, e->devminor);
	else
		header(h, name.ptr, nlen, "", 0, link, e->type, e->mode,
		       size > 077777777777ull ? 0 : size, e->mtime,
		       e->devmajor, e->devminor);
	if ((rc = put(w, h, BLOCK, err)) < 0)
		goto out;
	w->left = size;
	w->pad = (BLOCK - size % BLOCK) % BLOCK;
	if (!size)
		w->pad = 0;
	rc = 0;
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_buf_release(&name);
	tlc_buf_release(&pax);
	return rc;
}

int tlc_tar_writer_write(struct tlc_tar_writer *w, const void *p, size_t n,
			 struct tlc_error *err)
{
	static const unsigned char zeros[BLOCK];
	int rc;

	if (n > w->left)
		return tlc_error_set(err, TLC_ERROR,
				     "more data than the entry's size");
	if ((rc = put(w, p, n, err)) < 0)
		return rc;
	w->left -= n;
	if (!w->left && w->pad) {
		rc = put(w, zeros, (size_t)w->pad, err);
		w->pad = 0;
	}
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(struct tlc_tar_writer *w, int dirfd, const char *base,
		    const struct tlc_tar_entry *e, struct tlc_error *err)
{
	unsigned char *buf = w->buf;
	char q[QSIZE];
	uint64_t left = e->size;
	int fd, rc;

	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		quote(q, e->name);
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", q);
	}
	if ((rc = tlc_tar_writer_add(w, e, err)) < 0)
		goto out;
	while (left) {
		ssize_t k = read(fd, buf, left < IOBUF ? (size_t)left : IOBUF);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			quote(q, e->name);
			rc = k < 0 ? tlc_error_errno(err, TLC_EIO,
						     "cannot read '%s'", q) :
				     tlc_error_set(err, TLC_EIO,
						   "'%s' shrank while being read",
						   q);
			goto out;
		}
		if ((rc = tlc_tar_writer_write(w, buf, (size_t)k, err)) < 0)
			goto out;
		left -= (uint64_t)k;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int add_dir(struct tlc_tar_writer *w, int dirfd, struct tlc_buf *rel,
		   int64_t mtime, int depth, struct tlc_error *err)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL, q[QSIZE];
	size_t n = 0, cap = 0, mark = rel->len;
	int fd, rc = 0;

	if (depth > TREE_DEPTH_MAX)
		return tlc_error_set(err, TLC_ETOOBIG, "tree too deep at '%s'",
				     rel->ptr);
	fd = dup(dirfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return tlc_error_errno(err, TLC_EIO, "cannot list '%s'",
				       rel->len ? rel->ptr : ".");
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? cap * 2 : 16) *
						  sizeof(*names));

			if (!p)
				goto nomem;
			names = p;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto nomem;
		n++;
	}
	if (errno) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot list '%s'",
				     rel->len ? rel->ptr : ".");
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && !rc; i++) {
		struct tlc_tar_entry e;
		struct stat st;
		char target[TLC_TAR_NAME_MAX + 1];

		tlc_buf_truncate(rel, mark);
		if ((mark && tlc_buf_putc(rel, '/') < 0) ||
		    tlc_buf_puts(rel, names[i]) < 0)
			goto nomem;
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			quote(q, rel->ptr);
			rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", q);
			break;
		}
		memset(&e, 0, sizeof(e));
		e.name = rel->ptr;
		e.linkname = "";
		e.mode = st.st_mode & 07777;
		e.mtime = mtime >= 0 ? mtime :
			  st.st_mtime > 0 ? (int64_t)st.st_mtime : 0;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, names[i], O_RDONLY |
					 O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				quote(q, rel->ptr);
				rc = tlc_error_errno(err, TLC_EIO,
						     "cannot open '%s'", q);
				break;
			}
			e.type = TLC_TAR_DIR;
			rc = tlc_tar_writer_add(w, &e, err);
			if (!rc)
				rc = add_dir(w, sub, rel, mtime, depth + 1, err);
			close(sub);
		} else if (S_ISREG(st.st_mode)) {
			e.type = TLC_TAR_FILE;
			e.size = (uint64_t)st.st_size;
			rc = add_file(w, dirfd, names[i], &e, err);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlinkat(dirfd, names[i], target,
					       sizeof(target));

			if (k < 0 || (size_t)k >= sizeof(target)) {
				quote(q, rel->ptr);
				rc = tlc_error_set(err, TLC_EIO,
						   "cannot read the link '%s'", q);
				break;
			}
			target[k] = '\0';
			e.type = TLC_TAR_SYMLINK;
			e.linkname = target;
			e.mode = 0777;
			rc = tlc_tar_writer_add(w, &e, err);
		} else {
			quote(q, rel->ptr);
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "cannot archive '%s': not a file, directory or symlink",
					   q);
		}
	}
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_buf_truncate(rel, mark);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int tlc_tar_writer_add_tree(struct tlc_tar_writer *w, const char *dir,
			    int64_t mtime, struct tlc_error *err)
{
	struct tlc_buf rel = TLC_BUF_INIT_MAX(TLC_TAR_NAME_MAX);
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", dir);
	rc = add_dir(w, fd, &rel, mtime, 0, err);
	close(fd);
	tlc_buf_release(&rel);
	return rc;
}

int tlc_tar_writer_finish(struct tlc_tar_writer *w, struct tlc_tar_sums *sums,
			  struct tlc_error *err)
{
	static const unsigned char zeros[2 * BLOCK];
	int rc;

	if (w->left)
		return tlc_error_set(err, TLC_ERROR,
				     "last entry is missing data");
	/* two zero blocks end a ustar archive */
	if ((rc = put(w, zeros, sizeof(zeros), err)) < 0)
		return rc;
	if (w->gzip) {
		w->z.next_in = NULL;
		w->z.avail_in = 0;
		if ((rc = deflate_out(w, Z_FINISH, err)) < 0)
			return rc;
		deflateEnd(&w->z);
		w->gzip = false;
	}
	tlc__sha256_final(&w->hu, sums->diff_id);
	tlc__sha256_final(&w->hc, sums->digest);
	sums->size = w->csize;
	w->failed = true;	/* nothing more may be added */
	w->fd = -1;
	return 0;
}

void tlc_tar_writer_free(struct tlc_tar_writer *w)
{
	unsigned char junk[32];

	if (!w)
		return;
	if (w->gzip)
		deflateEnd(&w->z);
	if (w->fd >= 0) {
		tlc__sha256_final(&w->hu, junk);
		tlc__sha256_final(&w->hc, junk);
	}
	free(w);
}
