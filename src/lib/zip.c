/*
 * The zip writer and reader (APPNOTE.TXT 6.3.x; section numbers below are
 * its).
 *
 * Members are queued, then written in order by tlc_zip_writer_flush():
 * the member data is cut into pieces (a whole member, or TLC__DEFLATE_CHUNK
 * chunks of a big one), the pieces go to a pool of threads that read,
 * checksum and compress them, and this thread takes the results back in
 * order and writes them.  At most RING pieces are in flight, so memory is
 * bounded whatever the size of a member.  A small member's local header is
 * written before its data; a big member's is written over a gap reserved
 * for it once its sizes are known.  Because a member is stored when
 * deflate does not shrink it, the compressed size never exceeds the
 * uncompressed one, so whether the local header needs a zip64 extra field
 * is known before the data is written.  A member copied raw from a reader
 * is written by this thread once the pieces before it are all written:
 * its local header, then its compressed bytes, copied file to file.
 *
 * The reader trusts nothing: it finds the end records from the end of the
 * file, walks the central directory once, checks every local header
 * against it and that no two members' bytes overlap, before it hands out
 * a single entry.  Streams inflate with bounded buffers and stop as soon
 * as a member gives more bytes than its header says.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "deflate.h"
#include "sha256.h"
#include "tlcpack/zip.h"

#include "banned.h"

#define SIG_LOCAL 0x04034b50u		/* 4.3.7 */
#define SIG_CENTRAL 0x02014b50u		/* 4.3.12 */
#define SIG_END 0x06054b50u		/* 4.3.16 */
#define SIG_END64 0x06064b50u		/* 4.3.14 */
#define SIG_LOCATOR64 0x07064b50u	/* 4.3.15 */
#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define END_LEN 22
#define END64_LEN 56
#define LOCATOR64_LEN 20
#define MAX32 0xffffffffu
#define MAX16 0xffffu

#define MADE_BY (3u << 8 | 45u)	/* 4.4.2: UNIX, spec version 4.5 */
#define FLAG_UTF8 (1u << 11)	/* 4.4.4 bit 11, appendix D */

#define WBUF_SIZE ((size_t)256 << 10)

struct member {
	struct tlc_zip_entry e;
	char *name;
	char *path;		/* NULL: data */
	unsigned char *data;
	unsigned flags;
	unsigned version;	/* needed to extract, 4.4.3 */
	bool zip64_local;	/* the local header has a zip64 extra */
	int fd;			/* open while a chunked member is in flight */
	const struct tlc_zip_reader *raw;	/* copied raw from this */
	uint64_t raw_off;	/* where its data starts in raw's file */
};

struct piece {
	struct tlc__deflate_task task;	/* first: the pool's */
	struct tlc_zip_writer *w;
	struct member *m;
	uint64_t off;		/* in the member */
	size_t len;
	bool whole;		/* the whole member in one piece */
	bool final;		/* the member's last piece */
	unsigned char *in;
	size_t in_cap;
	unsigned char *out;
	size_t out_cap;
	const unsigned char *inp;	/* the input: in, or the member's data */
	size_t out_len;
	bool stored;		/* write inp, not out */
	uint32_t crc;
	unsigned char sha[32];
	int rc;
	struct tlc_error err;
};

struct tlc_zip_writer {
	int fd;
	struct tlc_zip_writer_opts opts;
	const char *name;
	unsigned dos_time, dos_date;
	struct member *m;
	size_t n, alloc;
	size_t nflushed;
	size_t *set;		/* member index + 1, open addressing */
	size_t set_cap;		/* a power of two, or 0 */
	struct tlc__deflate_pool *pool;
	struct piece *ring;
	size_t nring;
	bool sha;		/* opts->sha256 */
	bool md_open;		/* md holds a chunked member's digest */
	struct tlc__sha256 md;	/* the chunked member being written */
	/* output: the bytes at [wbuf_off, off) are buffered */
	unsigned char *wbuf;
	size_t wbuf_len;
	uint64_t wbuf_off, off;
	unsigned char *scratch;	/* for restore_member() */
	size_t scratch_cap;
	/* the chunked member being written */
	uint64_t data_start;
	uint64_t csize;
	uint32_t crc;
	/* progress */
	uint64_t done, total, reported;
	bool failed;
	bool finished;
};

/* A member of a reader.  The entry comes first: readers hand out
 * pointers to it and take them back. */
struct rentry {
	struct tlc_zip_entry e;
	uint64_t data_off;	/* after the local header */
	char *name;
	unsigned flags;		/* general purpose bits, central (4.4.4) */
};

/* Where the central directory is, from the end records. */
struct cd_loc {
	uint64_t off, size, count;
	uint64_t end;		/* where the end records start */
	uint64_t eocd;		/* where the end record (4.3.16) is */
	uint64_t end64_len;	/* of the zip64 end record, 0: none */
	unsigned comment;	/* the archive comment's length */
};

struct tlc_zip_reader {
	int fd;
	char *name;		/* for messages */
	uint64_t size;		/* of the file */
	struct rentry *ents;
	size_t n, alloc;
	size_t *set;		/* entry index + 1, open addressing */
	size_t set_cap;		/* a power of two */
	struct rentry *dirs;	/* directory entries, for the strict check */
	size_t ndirs, dirs_alloc;
	struct cd_loc cd;
};

/* ---- names -------------------------------------------------------------- */

/* Length of the UTF-8 sequence at @s (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

int tlc_zip_name_check(const char *name, struct tlc_error *err)
{
	const unsigned char *s = (const unsigned char *)name;
	const char *comp = name;
	size_t len = strlen(name);

	if (!len)
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name is empty");
	/* control characters and UTF-8 first, so that the messages below
	 * can quote the name */
	for (size_t i = 0; i < len;) {
		size_t k;

		if (s[i] < 0x20 || s[i] == 0x7f)
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%.*s' has a control "
					     "character", (int)i, name);
		if (!(k = utf8_len(s + i)))
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%.*s' is not valid "
					     "UTF-8", (int)i, name);
		i += k;
	}
	if (len > TLC_ZIP_NAME_MAX) {
		size_t cut = 40;

		while ((s[cut] & 0xc0) == 0x80)	/* whole characters */
			cut--;
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name '%.*s...' is over %d bytes",
				     (int)cut, name, TLC_ZIP_NAME_MAX);
	}
	if (name[0] == '/')
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name '%s' is absolute", name);
	if (strchr(name, '\\'))
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name '%s' has a backslash", name);
	for (const char *p = name;; p++) {
		if (*p != '/' && *p)
			continue;
		if (p == comp)
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%s' has an empty "
					     "path component", name);
		if ((p - comp == 1 && comp[0] == '.') ||
		    (p - comp == 2 && comp[0] == '.' && comp[1] == '.'))
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%s' has a '%.*s' "
					     "component", name, (int)(p - comp),
					     comp);
		if (!*p)
			break;
		comp = p + 1;
	}
	return 0;
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* Find @name in the set: its slot, holding 0 when absent. */
static size_t *set_slot(const struct tlc_zip_writer *w, const char *name)
{
	size_t mask = w->set_cap - 1;

	for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask)
		if (!w->set[i] || !strcmp(w->m[w->set[i] - 1].name, name))
			return &w->set[i];
}

static int set_grow(struct tlc_zip_writer *w)
{
	size_t cap = w->set_cap ? w->set_cap * 2 : 64;
	size_t *old = w->set, old_cap = w->set_cap;

	if (!(w->set = calloc(cap, sizeof(*w->set)))) {
		w->set = old;
		return TLC_ENOMEM;
	}
	w->set_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			*set_slot(w, w->m[old[i] - 1].name) = old[i];
	free(old);
	return 0;
}

/* ---- setup -------------------------------------------------------------- */

static void dos_time(int64_t epoch, unsigned *t, unsigned *d)
{
	struct tm tm;
	time_t tt;

	/* 4.4.6: MS-DOS time and date, 1980-01-01 to 2107-12-31 */
	if (epoch < 315532800)
		epoch = 315532800;
	if (epoch > INT64_C(4354819198))
		epoch = INT64_C(4354819198);
	tt = (time_t)epoch;
	gmtime_r(&tt, &tm);
	*t = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*d = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 |
			tm.tm_mday);
}

int tlc_zip_writer_new(struct tlc_zip_writer **out, int fd,
		       const struct tlc_zip_writer_opts *opts,
		       struct tlc_error *err)
{
	struct tlc_zip_writer *w;
	unsigned threads = opts->threads;
	int rc;

	*out = NULL;
	if (opts->level < 0 || opts->level > 9)
		return tlc_error_set(err, TLC_EPOLICY,
				     "deflate level %d is not 0 to 9",
				     opts->level);
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (unsigned)n : 1;
	}
	if (!(w = calloc(1, sizeof(*w))))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	w->fd = fd;
	w->opts = *opts;
	w->name = opts->name ? opts->name : "archive";
	dos_time(opts->epoch, &w->dos_time, &w->dos_date);
	w->nring = 2 * (size_t)threads + 2;
	if (!(w->ring = calloc(w->nring, sizeof(*w->ring))) ||
	    !(w->wbuf = malloc(WBUF_SIZE))) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto fail;
	}
	w->sha = opts->sha256;
	if ((rc = tlc__deflate_pool_new(&w->pool, threads, opts->level,
					err)) < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	tlc_zip_writer_free(w);
	return rc;
}

static int add_member(struct tlc_zip_writer *w, const char *arcname,
		      unsigned mode, struct member **out,
		      struct tlc_error *err)
{
	struct member *m;
	size_t *slot;
	int rc;

	*out = NULL;
	if (w->failed || w->finished)
		return tlc_error_set(err, TLC_ERROR,
				     "cannot add to '%s' after %s", w->name,
				     w->failed ? "a failure" : "it is finished");
	if ((rc = tlc_zip_name_check(arcname, err)) < 0)
		return rc;
	if ((w->n + 1) * 2 > w->set_cap && set_grow(w) < 0)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	slot = set_slot(w, arcname);
	if (*slot)
		return tlc_error_set(err, TLC_EPOLICY,
				     "member '%s' is added twice", arcname);
	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		struct member *nm = realloc(w->m, na * sizeof(*nm));

		if (!nm)
			return tlc_error_set(err, TLC_ENOMEM, "out of memory");
		w->m = nm;
		w->alloc = na;
	}
	m = &w->m[w->n];
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!(m->name = strdup(arcname)))
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	m->e.mode = (mode & 0111) ? 0755 : 0644;
	for (const unsigned char *p = (const unsigned char *)arcname; *p; p++)
		if (*p >= 0x80)
			m->flags |= FLAG_UTF8;
	*slot = w->n + 1;
	w->n++;
	*out = m;
	return 0;
}

/* Undo add_member() for the last member: empty its slot in the set, then
 * put back the rest of its probe cluster (linear probing deletion). */
static void drop_last(struct tlc_zip_writer *w)
{
	struct member *m = &w->m[w->n - 1];
	size_t mask = w->set_cap - 1;
	size_t *slot = set_slot(w, m->name);
	size_t i = (size_t)(slot - w->set);

	*slot = 0;
	for (i = (i + 1) & mask; w->set[i]; i = (i + 1) & mask) {
		size_t v = w->set[i];

		w->set[i] = 0;
		*set_slot(w, w->m[v - 1].name) = v;
	}
	free(m->name);
	w->n--;
}

int tlc_zip_add_file(struct tlc_zip_writer *w, const char *arcname,
		     const char *path, unsigned mode, struct tlc_error *err)
{
	struct member *m;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
					    TLC_EIO, "cannot stat '%s'", path);
	if (!S_ISREG(st.st_mode))
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a regular file", path);
	if ((rc = add_member(w, arcname, mode, &m, err)) < 0)
		return rc;
	if (!(m->path = strdup(path))) {
		drop_last(w);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	m->e.size = (uint64_t)st.st_size;
	m->e.name = m->name;
	w->total += m->e.size;
	return 0;
}

int tlc_zip_add_data(struct tlc_zip_writer *w, const char *arcname,
		     const void *data, size_t len, unsigned mode,
		     struct tlc_error *err)
{
	struct member *m;
	int rc;

	if ((rc = add_member(w, arcname, mode, &m, err)) < 0)
		return rc;
	if (!(m->data = malloc(len ? len : 1))) {
		drop_last(w);
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	}
	if (len)
		memcpy(m->data, data, len);
	m->e.size = len;
	m->e.name = m->name;
	w->total += len;
	return 0;
}

int tlc_zip_add_raw(struct tlc_zip_writer *w, const char *arcname,
		    const struct tlc_zip_reader *r,
		    const struct tlc_zip_entry *e,
		    const unsigned char *sha256, unsigned mode,
		    struct tlc_error *err)
{
	struct member *m;
	uint64_t off = 0;
	int rc;

	if ((rc = tlc_zip_reader_data_offset(r, e, &off, err)) < 0 ||
	    (rc = add_member(w, arcname, mode, &m, err)) < 0)
		return rc;
	m->raw = r;
	m->raw_off = off;
	m->e.name = m->name;
	m->e.size = e->size;
	m->e.csize = e->csize;
	m->e.crc32 = e->crc32;
	m->e.method = e->method;
	if (sha256) {
		memcpy(m->e.sha256, sha256, sizeof(m->e.sha256));
		m->e.has_sha256 = true;
	}
	w->total += e->size;
	return 0;
}

size_t tlc_zip_writer_count(const struct tlc_zip_writer *w)
{
	return w->n;
}

const struct tlc_zip_entry *tlc_zip_writer_entry(
	const struct tlc_zip_writer *w, size_t i)
{
	assert(i < w->n);
	return &w->m[i].e;
}

/* ---- output ------------------------------------------------------------- */

static int pwrite_all(struct tlc_zip_writer *w, const void *data, size_t len,
		      uint64_t off, struct tlc_error *err)
{
	const unsigned char *p = data;

	while (len) {
		ssize_t n = pwrite(w->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tlc_error_errno(err, TLC_EIO, "cannot write '%s'",
					       w->name);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int out_flush(struct tlc_zip_writer *w, struct tlc_error *err)
{
	int rc = 0;

	if (w->wbuf_len)
		rc = pwrite_all(w, w->wbuf, w->wbuf_len, w->wbuf_off, err);
	w->wbuf_len = 0;
	w->wbuf_off = w->off;
	return rc;
}

static int out_put(struct tlc_zip_writer *w, const void *data, size_t len,
		   struct tlc_error *err)
{
	int rc;

	if ((w->wbuf_len + len > WBUF_SIZE || len >= WBUF_SIZE / 2) &&
	    (rc = out_flush(w, err)) < 0)
		return rc;
	if (len >= WBUF_SIZE / 2) {
		if ((rc = pwrite_all(w, data, len, w->off, err)) < 0)
			return rc;
		w->off += len;
		w->wbuf_off = w->off;
		return 0;
	}
	memcpy(w->wbuf + w->wbuf_len, data, len);
	w->wbuf_len += len;
	w->off += len;
	return 0;
}

/* Move the write position to @off (flushing first). */
static int out_seek(struct tlc_zip_writer *w, uint64_t off,
		    struct tlc_error *err)
{
	int rc;

	if ((rc = out_flush(w, err)) < 0)
		return rc;
	w->off = off;
	w->wbuf_off = off;
	return 0;
}

static unsigned char *le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

static unsigned char *le32(unsigned char *p, uint32_t v)
{
	p = le16(p, v & 0xffff);
	return le16(p, v >> 16);
}

static unsigned char *le64(unsigned char *p, uint64_t v)
{
	p = le32(p, (uint32_t)v);
	return le32(p, (uint32_t)(v >> 32));
}

static size_t local_len(const struct member *m)
{
	return LOCAL_LEN + strlen(m->name) + (m->zip64_local ? 20 : 0);
}

static void set_version(struct member *m)
{
	/* 4.4.3.2: 1.0 stored, 2.0 deflated, 4.5 zip64 */
	if (m->zip64_local || m->e.offset >= MAX32)
		m->version = 45;
	else
		m->version = m->e.method == TLC_ZIP_DEFLATED ? 20 : 10;
}

/* 4.3.7, with the zip64 extra of 4.5.3 when the sizes need it (a local
 * header's zip64 extra holds both sizes). */
static size_t make_local(const struct tlc_zip_writer *w,
			 const struct member *m, unsigned char *buf)
{
	size_t nlen = strlen(m->name);
	unsigned char *p = buf;

	p = le32(p, SIG_LOCAL);
	p = le16(p, m->version);
	p = le16(p, m->flags);
	p = le16(p, m->e.method);
	p = le16(p, w->dos_time);
	p = le16(p, w->dos_date);
	p = le32(p, m->e.crc32);
	p = le32(p, m->zip64_local ? MAX32 : (uint32_t)m->e.csize);
	p = le32(p, m->zip64_local ? MAX32 : (uint32_t)m->e.size);
	p = le16(p, (unsigned)nlen);
	p = le16(p, m->zip64_local ? 20 : 0);
	memcpy(p, m->name, nlen);
	p += nlen;
	if (m->zip64_local) {
		p = le16(p, 0x0001);
		p = le16(p, 16);
		p = le64(p, m->e.size);
		p = le64(p, m->e.csize);
	}
	return (size_t)(p - buf);
}

/* ---- the pieces --------------------------------------------------------- */

static int read_full(int fd, unsigned char *buf, size_t len, uint64_t off,
		     const char *path, struct tlc_error *err)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					       path);
		if (n == 0)
			return tlc_error_set(err, TLC_EIO,
					     "'%s' changed while it was being "
					     "packed", path);
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int grow(unsigned char **buf, size_t *cap, size_t want)
{
	unsigned char *p;

	if (*cap >= want)
		return 0;
	if (!(p = malloc(want)))
		return TLC_ENOMEM;
	free(*buf);
	*buf = p;
	*cap = want;
	return 0;
}

/* Open a member's file, checking it is still what was added. */
static int open_member(const struct member *m, struct tlc_error *err)
{
	struct stat st;
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'",
				       m->path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != m->e.size) {
		close(fd);
		return tlc_error_set(err, TLC_EIO,
				     "'%s' changed while it was being packed",
				     m->path);
	}
	return fd;
}

/* Read the input of @p: a whole file, a chunk of an open file, or the
 * member's data in memory. */
static int piece_input(struct piece *p)
{
	const struct member *m = p->m;
	int fd, rc;

	if (m->data) {
		p->inp = m->data + p->off;
		return 0;
	}
	if (grow(&p->in, &p->in_cap, p->len ? p->len : 1) < 0)
		return tlc_error_set(&p->err, TLC_ENOMEM, "out of memory");
	p->inp = p->in;
	if (!p->whole)
		return read_full(m->fd, p->in, p->len, p->off, m->path,
				 &p->err);
	if ((fd = open_member(m, &p->err)) < 0)
		return fd;
	rc = read_full(fd, p->in, p->len, 0, m->path, &p->err);
	close(fd);
	return rc;
}

/* Runs on a worker: read, checksum, compress. */
static void piece_run(struct tlc__deflate_task *t, struct tlc__deflater *d)
{
	struct piece *p = (struct piece *)t;
	const struct tlc_zip_writer *w = p->w;

	p->rc = piece_input(p);
	if (p->rc < 0)
		return;
	p->crc = tlc__crc32(0, p->inp, p->len);
	if (p->whole && w->sha && !tlc__sha256(p->inp, p->len, p->sha)) {
		p->rc = tlc_error_set(&p->err, TLC_ENOMEM, "out of memory");
		return;
	}
	p->stored = w->opts.level == 0 || p->len == 0;
	if (p->stored)
		return;
	if (grow(&p->out, &p->out_cap, tlc__deflate_bound(p->len)) < 0) {
		p->rc = tlc_error_set(&p->err, TLC_ENOMEM, "out of memory");
		return;
	}
	p->rc = tlc__deflate_piece(d, p->inp, p->len, p->final, p->out,
				   p->out_cap, &p->out_len, &p->err);
	if (p->rc == 0 && p->whole && p->out_len >= p->len)
		p->stored = true;
}

static void report(struct tlc_zip_writer *w, int finished)
{
	struct tlc_progress pr;

	if (!w->opts.progress)
		return;
	pr.step = w->opts.progress_step ? w->opts.progress_step : "zip";
	pr.item = w->name;
	pr.done = w->done;
	pr.total = w->total;
	pr.finished = finished;
	w->reported = w->done;
	w->opts.progress(&pr, w->opts.progress_data);
}

static int write_whole(struct tlc_zip_writer *w, struct piece *p,
		       struct tlc_error *err)
{
	struct member *m = p->m;
	unsigned char hdr[LOCAL_LEN + TLC_ZIP_NAME_MAX + 20];
	int rc;

	m->e.offset = w->off;
	m->e.crc32 = p->crc;
	m->e.method = p->stored ? TLC_ZIP_STORED : TLC_ZIP_DEFLATED;
	m->e.csize = p->stored ? p->len : p->out_len;
	m->zip64_local = false;	/* a whole piece is at most a chunk */
	set_version(m);
	if (w->sha) {
		memcpy(m->e.sha256, p->sha, sizeof(p->sha));
		m->e.has_sha256 = true;
	}
	if ((rc = out_put(w, hdr, make_local(w, m, hdr), err)) < 0)
		return rc;
	return out_put(w, p->stored ? p->inp : p->out, m->e.csize, err);
}

/* A big member did not shrink: write it again, stored, over its deflated
 * data, checking that it reads back the same. */
static int restore_member(struct tlc_zip_writer *w, struct member *m,
			  struct tlc_error *err)
{
	uint32_t crc = 0;
	int rc;

	if ((rc = out_seek(w, w->data_start, err)) < 0)
		return rc;
	for (uint64_t off = 0; off < m->e.size; off += TLC__DEFLATE_CHUNK) {
		size_t len = m->e.size - off < TLC__DEFLATE_CHUNK ?
			     (size_t)(m->e.size - off) : TLC__DEFLATE_CHUNK;
		const unsigned char *src;

		if (m->data) {
			src = m->data + off;
		} else {
			if (grow(&w->scratch, &w->scratch_cap, len) < 0)
				return tlc_error_set(err, TLC_ENOMEM,
						     "out of memory");
			if ((rc = read_full(m->fd, w->scratch, len, off,
					    m->path, err)) < 0)
				return rc;
			src = w->scratch;
		}
		crc = tlc__crc32(crc, src, len);
		if ((rc = out_put(w, src, len, err)) < 0)
			return rc;
	}
	if (crc != m->e.crc32)
		return tlc_error_set(err, TLC_EIO,
				     "'%s' changed while it was being packed",
				     m->path ? m->path : m->name);
	m->e.method = TLC_ZIP_STORED;
	m->e.csize = m->e.size;
	return 0;
}

/* Take back a chunk of a big member. */
static int write_chunk(struct tlc_zip_writer *w, struct piece *p,
		       struct tlc_error *err)
{
	struct member *m = p->m;
	unsigned char hdr[LOCAL_LEN + TLC_ZIP_NAME_MAX + 20];
	int rc;

	if (p->off == 0) {
		m->e.offset = w->off;
		m->zip64_local = m->e.size >= MAX32;
		w->data_start = m->e.offset + local_len(m);
		if ((rc = out_seek(w, w->data_start, err)) < 0)
			return rc;
		w->csize = 0;
		w->crc = 0;
		if (w->sha) {
			if (!tlc__sha256_init(&w->md))
				return tlc_error_set(err, TLC_ENOMEM,
						     "out of memory");
			w->md_open = true;
		}
	}
	if (w->sha)
		tlc__sha256_update(&w->md, p->inp, p->len);
	w->crc = tlc__crc32_combine(w->crc, p->crc, p->len);
	if (p->stored) {
		rc = out_put(w, p->inp, p->len, err);
		w->csize += p->len;
	} else {
		rc = out_put(w, p->out, p->out_len, err);
		w->csize += p->out_len;
	}
	if (rc < 0 || !p->final)
		return rc;

	m->e.crc32 = w->crc;
	m->e.method = p->stored ? TLC_ZIP_STORED : TLC_ZIP_DEFLATED;
	m->e.csize = w->csize;
	if (w->sha) {
		tlc__sha256_final(&w->md, m->e.sha256);
		w->md_open = false;
		m->e.has_sha256 = true;
	}
	if (!p->stored && m->e.csize >= m->e.size &&
	    (rc = restore_member(w, m, err)) < 0)
		return rc;
	set_version(m);
	if ((rc = out_flush(w, err)) < 0)
		return rc;
	if (m->fd >= 0) {
		close(m->fd);
		m->fd = -1;
	}
	return pwrite_all(w, hdr, make_local(w, m, hdr), m->e.offset, err);
}

/* Wait for @p and write what it made. */
static int take_back(struct tlc_zip_writer *w, struct piece *p,
		     struct tlc_error *err)
{
	int rc;

	tlc__deflate_pool_wait(w->pool, &p->task);
	if (p->rc < 0) {
		if (err)
			*err = p->err;
		return p->rc;
	}
	rc = p->whole ? write_whole(w, p, err) : write_chunk(w, p, err);
	if (rc < 0)
		return rc;
	w->done += p->len;
	if (w->done - w->reported >= ((uint64_t)1 << 20))
		report(w, 0);
	return 0;
}

#define RAW_BUF_SIZE ((size_t)256 << 10)

/* Copy @len bytes at @in_off of @in to the archive at w->off, in the
 * kernel when it can (copy_file_range), else through a bounded buffer. */
static int copy_raw(struct tlc_zip_writer *w, int in, uint64_t in_off,
		    uint64_t len, const char *what, struct tlc_error *err)
{
	loff_t ioff = (loff_t)in_off, ooff = (loff_t)w->off;
	bool kernel = true;
	int rc;

	while (len && kernel) {
		size_t chunk = len > ((uint64_t)1 << 30) ? (size_t)1 << 30 :
							  (size_t)len;
		ssize_t n = copy_file_range(in, &ioff, w->fd, &ooff, chunk, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS ||
			      errno == EINVAL || errno == EOPNOTSUPP ||
			      errno == EBADF || errno == EPERM)) {
			kernel = false;
			break;
		}
		if (n < 0)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot copy '%s' into '%s'",
					       what, w->name);
		if (n == 0)
			return tlc_error_set(err, TLC_EIO,
					     "the archive holding '%s' was "
					     "truncated while it was copied",
					     what);
		len -= (uint64_t)n;
	}
	if (len && grow(&w->scratch, &w->scratch_cap, RAW_BUF_SIZE) < 0)
		return tlc_error_set(err, TLC_ENOMEM, "out of memory");
	while (len) {
		size_t chunk = len > RAW_BUF_SIZE ? RAW_BUF_SIZE : (size_t)len;
		ssize_t n = pread(in, w->scratch, chunk, (off_t)ioff);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tlc_error_errno(err, TLC_EIO,
					       "cannot read '%s'", what);
		if (n == 0)
			return tlc_error_set(err, TLC_EIO,
					     "the archive holding '%s' was "
					     "truncated while it was copied",
					     what);
		if ((rc = pwrite_all(w, w->scratch, (size_t)n, (uint64_t)ooff,
				     err)) < 0)
			return rc;
		ioff += n;
		ooff += n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* Write a member copied raw: our local header (sizes in it, no data
 * descriptor), then its compressed bytes unchanged. */
static int write_raw(struct tlc_zip_writer *w, struct member *m,
		     struct tlc_error *err)
{
	unsigned char hdr[LOCAL_LEN + TLC_ZIP_NAME_MAX + 20];
	int rc;

	m->e.offset = w->off;
	m->zip64_local = m->e.size >= MAX32 || m->e.csize >= MAX32;
	set_version(m);
	if ((rc = out_put(w, hdr, make_local(w, m, hdr), err)) < 0 ||
	    (rc = out_flush(w, err)) < 0 ||
	    (rc = copy_raw(w, m->raw->fd, m->raw_off, m->e.csize, m->name,
			   err)) < 0)
		return rc;
	w->off += m->e.csize;
	w->wbuf_off = w->off;
	w->done += m->e.size;
	if (w->done - w->reported >= ((uint64_t)1 << 20))
		report(w, 0);
	return 0;
}

int tlc_zip_writer_flush(struct tlc_zip_writer *w, struct tlc_error *err)
{
	size_t head = 0, tail = 0;
	int rc = 0;

	if (w->failed || w->finished)
		return tlc_error_set(err, TLC_ERROR,
				     "cannot write '%s' after %s", w->name,
				     w->failed ? "a failure" : "it is finished");
	for (size_t i = w->nflushed; i < w->n && rc == 0; i++) {
		struct member *m = &w->m[i];
		bool whole = m->e.size <= TLC__DEFLATE_CHUNK;
		uint64_t off = 0;

		if (m->raw) {
			/* in order: everything before it is written first */
			while (tail < head && rc == 0)
				rc = take_back(w, &w->ring[tail++ % w->nring],
					       err);
			if (rc == 0)
				rc = write_raw(w, m, err);
			continue;
		}
		if (!whole && m->path && (m->fd = open_member(m, err)) < 0) {
			rc = m->fd;
			m->fd = -1;
			break;
		}
		do {
			uint64_t left = m->e.size - off;
			struct piece *p;

			if (head - tail == w->nring &&
			    (rc = take_back(w, &w->ring[tail++ % w->nring],
					    err)) < 0)
				break;
			p = &w->ring[head++ % w->nring];
			p->task.run = piece_run;
			p->w = w;
			p->m = m;
			p->off = off;
			p->len = left < TLC__DEFLATE_CHUNK ? (size_t)left :
							    TLC__DEFLATE_CHUNK;
			p->whole = whole;
			p->final = off + p->len == m->e.size;
			p->rc = 0;
			tlc__deflate_pool_submit(w->pool, &p->task);
			off += p->len;
		} while (off < m->e.size);
	}
	/* take back the rest; after a failure, just wait for it */
	while (tail < head) {
		struct piece *p = &w->ring[tail++ % w->nring];

		if (rc == 0)
			rc = take_back(w, p, err);
		else
			tlc__deflate_pool_wait(w->pool, &p->task);
	}
	for (size_t i = w->nflushed; i < w->n; i++) {
		if (w->m[i].fd >= 0)
			close(w->m[i].fd);
		w->m[i].fd = -1;
	}
	if (rc == 0)
		rc = out_flush(w, err);
	if (rc < 0) {
		w->failed = true;
		return rc;
	}
	w->nflushed = w->n;
	return 0;
}

/* 4.3.12, with the zip64 extra of 4.5.3 holding only the fields that
 * overflow, in its fixed order. */
static int put_central(struct tlc_zip_writer *w, const struct member *m,
		       struct tlc_error *err)
{
	unsigned char buf[CENTRAL_LEN + TLC_ZIP_NAME_MAX + 28], *p = buf;
	unsigned char extra[28], *x = extra + 4;
	size_t nlen = strlen(m->name);
	bool big_size = m->e.size >= MAX32, big_csize = m->e.csize >= MAX32;
	bool big_off = m->e.offset >= MAX32;

	if (big_size)
		x = le64(x, m->e.size);
	if (big_csize)
		x = le64(x, m->e.csize);
	if (big_off)
		x = le64(x, m->e.offset);
	le16(extra, 0x0001);
	le16(extra + 2, (unsigned)(x - extra - 4));

	p = le32(p, SIG_CENTRAL);
	p = le16(p, MADE_BY);
	p = le16(p, m->version);
	p = le16(p, m->flags);
	p = le16(p, m->e.method);
	p = le16(p, w->dos_time);
	p = le16(p, w->dos_date);
	p = le32(p, m->e.crc32);
	p = le32(p, big_csize ? MAX32 : (uint32_t)m->e.csize);
	p = le32(p, big_size ? MAX32 : (uint32_t)m->e.size);
	p = le16(p, (unsigned)nlen);
	p = le16(p, x > extra + 4 ? (unsigned)(x - extra) : 0);
	p = le16(p, 0);		/* comment */
	p = le16(p, 0);		/* disk number start */
	p = le16(p, 0);		/* internal attributes */
	p = le32(p, (uint32_t)(S_IFREG | m->e.mode) << 16);	/* 4.4.15 */
	p = le32(p, big_off ? MAX32 : (uint32_t)m->e.offset);
	memcpy(p, m->name, nlen);
	p += nlen;
	if (x > extra + 4) {
		memcpy(p, extra, (size_t)(x - extra));
		p += x - extra;
	}
	return out_put(w, buf, (size_t)(p - buf), err);
}

int tlc_zip_writer_finish(struct tlc_zip_writer *w, uint64_t *size,
			  struct tlc_error *err)
{
	unsigned char buf[END64_LEN + LOCATOR64_LEN + END_LEN], *p = buf;
	uint64_t cd_off, cd_size, end64_off, n = w->n;
	bool zip64;
	int rc;

	if ((rc = tlc_zip_writer_flush(w, err)) < 0)
		return rc;
	cd_off = w->off;
	for (size_t i = 0; i < w->n; i++)
		if ((rc = put_central(w, &w->m[i], err)) < 0)
			goto fail;
	cd_size = w->off - cd_off;
	end64_off = w->off;
	/* 4.4.1.4: zip64 end records when a count or offset overflows */
	zip64 = n >= MAX16 || cd_size >= MAX32 || cd_off >= MAX32;
	if (zip64) {
		p = le32(p, SIG_END64);	/* 4.3.14 */
		p = le64(p, END64_LEN - 12);
		p = le16(p, MADE_BY);
		p = le16(p, 45);
		p = le32(p, 0);
		p = le32(p, 0);
		p = le64(p, n);
		p = le64(p, n);
		p = le64(p, cd_size);
		p = le64(p, cd_off);
		p = le32(p, SIG_LOCATOR64);	/* 4.3.15 */
		p = le32(p, 0);
		p = le64(p, end64_off);
		p = le32(p, 1);
	}
	p = le32(p, SIG_END);	/* 4.3.16 */
	p = le16(p, 0);
	p = le16(p, 0);
	p = le16(p, n >= MAX16 ? MAX16 : (unsigned)n);
	p = le16(p, n >= MAX16 ? MAX16 : (unsigned)n);
	p = le32(p, cd_size >= MAX32 ? MAX32 : (uint32_t)cd_size);
	p = le32(p, cd_off >= MAX32 ? MAX32 : (uint32_t)cd_off);
	p = le16(p, 0);
	if ((rc = out_put(w, buf, (size_t)(p - buf), err)) < 0 ||
	    (rc = out_flush(w, err)) < 0)
		goto fail;
	if (ftruncate(w->fd, (off_t)w->off) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot truncate '%s'",
				     w->name);
		goto fail;
	}
	if (size)
		*size = w->off;
	w->finished = true;
	report(w, 1);
	return 0;
fail:
	w->failed = true;
	return rc;
}

void tlc_zip_writer_free(struct tlc_zip_writer *w)
{
	if (!w)
		return;
	tlc__deflate_pool_free(w->pool);
	for (size_t i = 0; i < w->n; i++) {
		if (w->m[i].fd >= 0)
			close(w->m[i].fd);
		free(w->m[i].name);
		free(w->m[i].path);
		free(w->m[i].data);
	}
	for (size_t i = 0; w->ring && i < w->nring; i++) {
		free(w->ring[i].in);
		free(w->ring[i].out);
	}
	free(w->ring);
	free(w->m);
	free(w->set);
	free(w->wbuf);
	free(w->scratch);
	if (w->md_open) {
		unsigned char lost[TLC_SHA256_LEN];

		tlc__sha256_final(&w->md, lost);
	}
	free(w);
}

/* ---- reading ------------------------------------------------------------ */

#define CD_BUF_SIZE ((size_t)256 << 10)	/* > one central record, 64 KiB x3 */
#define IN_BUF_SIZE ((size_t)256 << 10)	/* compressed bytes per read */
#define EOCD_SEARCH (END_LEN + MAX16)	/* the record and a full comment */
#define FLAG_ENCRYPTED 0x0001u		/* 4.4.4 bit 0 */
#define FLAG_DESCRIPTOR 0x0008u		/* bit 3: sizes after the data */
#define FLAG_STRONG 0x0040u		/* bit 6: strong encryption */
#define FLAG_CD_MASKED 0x2000u		/* bit 13: encrypted directory */
#define UNIX_MADE_BY 3u			/* 4.4.2.2 */
/* RFC 1951: every 258 bytes out cost at least 2 bits in (a 1-bit length
 * code and a 1-bit distance code), so no deflate stream inflates to more
 * than 1032 times its size. */
#define DEFLATE_MAX_RATIO 1032u

static unsigned rd16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

/* Read exactly @len bytes at @off; the caller has checked they lie
 * inside the file, so a short read means the file changed. */
static int rd_full(const struct tlc_zip_reader *r, void *buf, size_t len,
		   uint64_t off, struct tlc_error *err)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = pread(r->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					       r->name);
		if (n == 0)
			return tlc_error_set(err, TLC_EIO,
					     "'%s' was truncated while it was "
					     "being read", r->name);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static size_t *rset_slot(const struct tlc_zip_reader *r, const char *name)
{
	size_t mask = r->set_cap - 1;

	for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask)
		if (!r->set[i] || !strcmp(r->ents[r->set[i] - 1].name, name))
			return &r->set[i];
}

static int bad(const struct tlc_zip_reader *r, struct tlc_error *err,
	       const char *fmt, ...) TLC_PRINTF(3, 4);

/* TLC_EPOLICY with "'<archive>': " in front of the message. */
static int bad(const struct tlc_zip_reader *r, struct tlc_error *err,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlc_error_vset(err, TLC_EPOLICY, fmt, ap);
	va_end(ap);
	tlc_error_prefix(err, "'%s'", r->name);
	return TLC_EPOLICY;
}

/* The zip64 end record (4.3.14) that the locator (4.3.15) at @loc_off
 * points to, which overrides the fields of the end record at @p that are
 * at their maximum; the others must agree with it. */
static int read_end64(const struct tlc_zip_reader *r, uint64_t loc_off,
		      const unsigned char *loc, unsigned *disk,
		      unsigned *cd_disk, uint64_t *n_disk, struct cd_loc *cd,
		      struct tlc_error *err)
{
	unsigned char b[END64_LEN];
	uint64_t off = rd64(loc + 8), rec, n64, ndisk64, size64, off64;
	uint32_t disks = rd32(loc + 16);
	int rc;

	if (rd32(loc + 4) != 0 || disks > 1)
		return bad(r, err, "multi-disk archives are not supported "
			   "(zip64 locator names %u disks)", (unsigned)disks);
	if (off > loc_off || loc_off - off < END64_LEN)
		return bad(r, err, "zip64 end of central directory record "
			   "lies outside the file (4.3.15)");
	if ((rc = rd_full(r, b, sizeof(b), off, err)) < 0)
		return rc;
	if (rd32(b) != SIG_END64)
		return bad(r, err, "no zip64 end of central directory record "
			   "where the locator points (4.3.14)");
	rec = rd64(b + 4);
	if (rec < END64_LEN - 12 || rec > loc_off - off - 12)
		return bad(r, err, "zip64 end of central directory record has "
			   "a bad size (4.3.14)");
	if (rd32(b + 16) != 0 || rd32(b + 20) != 0)
		return bad(r, err, "multi-disk archives are not supported");
	ndisk64 = rd64(b + 24);
	n64 = rd64(b + 32);
	size64 = rd64(b + 40);
	off64 = rd64(b + 48);
	if ((*n_disk != MAX16 && *n_disk != ndisk64) ||
	    (cd->count != MAX16 && cd->count != n64) ||
	    (cd->size != MAX32 && cd->size != size64) ||
	    (cd->off != MAX32 && cd->off != off64))
		return bad(r, err, "the end record and the zip64 end record "
			   "disagree on the central directory (4.3.16)");
	*disk = 0;
	*cd_disk = 0;
	*n_disk = ndisk64;
	cd->count = n64;
	cd->size = size64;
	cd->off = off64;
	cd->end = off;
	cd->end64_len = 12 + rec;
	return 0;
}

/* Find the end of central directory record (4.3.16): the last signature
 * in the file's final 64 KiB + 22 bytes whose comment ends the file. */
static int read_end(const struct tlc_zip_reader *r, struct cd_loc *cd,
		    struct tlc_error *err)
{
	size_t tail = r->size < EOCD_SEARCH ? (size_t)r->size : EOCD_SEARCH;
	unsigned char *buf = NULL, loc[LOCATOR64_LEN];
	const unsigned char *p = NULL;
	uint64_t at, n_disk;
	unsigned disk, cd_disk;
	int rc;

	if (r->size < END_LEN)
		return bad(r, err, "not a zip archive: too short for an end of "
			   "central directory record (4.3.16)");
	if (!(buf = malloc(tail)))
		return oom(err);
	if ((rc = rd_full(r, buf, tail, r->size - tail, err)) < 0)
		goto out;
	for (size_t i = tail - END_LEN + 1; i-- > 0;)
		if (rd32(buf + i) == SIG_END &&
		    i + END_LEN + rd16(buf + i + 20) == tail) {
			p = buf + i;
			break;
		}
	if (!p) {
		rc = bad(r, err, "not a zip archive, or truncated: no end of "
			 "central directory record (4.3.16)");
		goto out;
	}
	at = r->size - tail + (uint64_t)(p - buf);
	disk = rd16(p + 4);
	cd_disk = rd16(p + 6);
	n_disk = rd16(p + 8);
	cd->count = rd16(p + 10);
	cd->size = rd32(p + 12);
	cd->off = rd32(p + 16);
	cd->end = at;
	cd->eocd = at;
	cd->end64_len = 0;
	cd->comment = rd16(p + 20);
	if (at >= LOCATOR64_LEN) {
		if ((rc = rd_full(r, loc, sizeof(loc), at - LOCATOR64_LEN,
				  err)) < 0)
			goto out;
		if (rd32(loc) == SIG_LOCATOR64 &&
		    (rc = read_end64(r, at - LOCATOR64_LEN, loc, &disk,
				     &cd_disk, &n_disk, cd, err)) < 0)
			goto out;
	}
	if (disk != 0 || cd_disk != 0) {
		rc = bad(r, err, "multi-disk archives are not supported "
			 "(4.3.16)");
		goto out;
	}
	if (n_disk != cd->count) {
		rc = bad(r, err, "the end record's counts disagree: %llu "
			 "entries on this disk, %llu in all",
			 (unsigned long long)n_disk,
			 (unsigned long long)cd->count);
		goto out;
	}
	if (cd->count > TLC_ZIP_MAX_MEMBERS) {
		rc = bad(r, err, "has %llu entries, more than the %d accepted",
			 (unsigned long long)cd->count, TLC_ZIP_MAX_MEMBERS);
		goto out;
	}
	if (cd->off > cd->end || cd->size > cd->end - cd->off) {
		rc = bad(r, err, "the central directory lies outside the file "
			 "(offset %llu, %llu bytes)",
			 (unsigned long long)cd->off,
			 (unsigned long long)cd->size);
		goto out;
	}
	if (cd->off + cd->size != cd->end) {
		rc = bad(r, err, "the central directory does not end where the "
			 "end record starts (data before the archive, or "
			 "between its records)");
		goto out;
	}
	if (cd->count > cd->size / CENTRAL_LEN) {
		rc = bad(r, err, "the end record's count of %llu entries does "
			 "not fit in a central directory of %llu bytes",
			 (unsigned long long)cd->count,
			 (unsigned long long)cd->size);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Reads the central directory in order, through a bounded buffer. */
struct cd_reader {
	const struct tlc_zip_reader *r;
	unsigned char *buf;
	size_t pos, len;	/* unread bytes: buf[pos..len) */
	uint64_t next;		/* the file offset of buf[len] */
	uint64_t end;		/* of the central directory */
};

/* Make @n bytes available at c->buf + c->pos.  @return 0, 1 when the
 * central directory ends first, or a negative code */
static int cd_need(struct cd_reader *c, size_t n, struct tlc_error *err)
{
	size_t want;
	int rc;

	assert(n <= CD_BUF_SIZE);
	if (c->len - c->pos >= n)
		return 0;
	memmove(c->buf, c->buf + c->pos, c->len - c->pos);
	c->len -= c->pos;
	c->pos = 0;
	want = CD_BUF_SIZE - c->len;
	if (want > c->end - c->next)
		want = (size_t)(c->end - c->next);
	if ((rc = rd_full(c->r, c->buf + c->len, want, c->next, err)) < 0)
		return rc;
	c->len += want;
	c->next += want;
	return c->len >= n ? 0 : 1;
}

/* The zip64 extended information extra field (4.5.3): the 8-byte values
 * of the fields that are at their maximum, in a fixed order. */
static int zip64_extra(const struct tlc_zip_reader *r, const char *name,
		       const unsigned char *x, size_t xlen, uint64_t *size,
		       uint64_t *csize, uint64_t *off, uint32_t *disk,
		       struct tlc_error *err)
{
	const unsigned char *end = x + xlen;
	bool found = false;

	while (end - x >= 4) {
		unsigned id = rd16(x), len = rd16(x + 2);
		const unsigned char *v = x + 4, *vend = v + len;

		if (len > (size_t)(end - v))
			return bad(r, err, "member '%s' has a malformed extra "
				   "field (4.5.1)", name);
		x = vend;
		if (id != 0x0001 || found)
			continue;
		found = true;
		if (*size == MAX32) {
			if (vend - v < 8)
				goto short_field;
			*size = rd64(v);
			v += 8;
		}
		if (*csize == MAX32) {
			if (vend - v < 8)
				goto short_field;
			*csize = rd64(v);
			v += 8;
		}
		if (*off == MAX32) {
			if (vend - v < 8)
				goto short_field;
			*off = rd64(v);
			v += 8;
		}
		if (*disk == MAX16) {
			if (vend - v < 4)
				goto short_field;
			*disk = rd32(v);
		}
	}
	if (x != end)
		return bad(r, err, "member '%s' has a malformed extra field "
			   "(4.5.1)", name);
	if (*size == MAX32 || *csize == MAX32 || *off == MAX32)
		return bad(r, err, "member '%s' needs a zip64 extra field for "
			   "its sizes or offset (4.5.3)", name);
	return 0;
short_field:
	return bad(r, err, "member '%s' has a zip64 extra field too short "
		   "for the values it must hold (4.5.3)", name);
}

/* Room for one more entry in @*ents, which holds @n of @*alloc. */
static int add_entry(struct rentry **ents, size_t n, size_t *alloc,
		     struct rentry **out, struct tlc_error *err)
{
	if (n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 64;
		struct rentry *ne = realloc(*ents, na * sizeof(*ne));

		if (!ne)
			return oom(err);
		*ents = ne;
		*alloc = na;
	}
	*out = &(*ents)[n];
	memset(*out, 0, sizeof(**out));
	return 0;
}

/* One central directory file header (4.3.12) at @p, @len bytes long with
 * its variable fields. */
static int parse_central(struct tlc_zip_reader *r, const unsigned char *p,
			 size_t idx, struct tlc_error *err)
{
	unsigned made_by = rd16(p + 4), flags = rd16(p + 8);
	unsigned method = rd16(p + 10);
	size_t nlen = rd16(p + 28), xlen = rd16(p + 30);
	uint32_t disk = rd16(p + 34), ext = rd32(p + 38);
	uint64_t csize = rd32(p + 20), size = rd32(p + 24);
	uint64_t off = rd32(p + 42);
	char name[TLC_ZIP_NAME_MAX + 1];
	struct rentry *re = NULL;
	size_t *slot;
	unsigned mode = 0644;
	bool dir;
	int rc;

	if (nlen > TLC_ZIP_NAME_MAX)
		return bad(r, err, "central directory entry %zu has a name of "
			   "%zu bytes, over %d", idx, nlen, TLC_ZIP_NAME_MAX);
	if (memchr(p + CENTRAL_LEN, '\0', nlen))
		return bad(r, err, "central directory entry %zu has a NUL byte "
			   "in its name", idx);
	memcpy(name, p + CENTRAL_LEN, nlen);
	name[nlen] = '\0';
	/* the name first: the messages below quote it */
	dir = nlen && name[nlen - 1] == '/';
	if (dir)
		name[nlen - 1] = '\0';
	if ((rc = tlc_zip_name_check(name, err)) < 0) {
		tlc_error_prefix(err, "'%s'", r->name);
		return rc;
	}
	if (dir)
		name[nlen - 1] = '/';
	if ((rc = zip64_extra(r, name, p + CENTRAL_LEN + nlen, xlen, &size,
			      &csize, &off, &disk, err)) < 0)
		return rc;
	if (disk != 0)
		return bad(r, err, "member '%s' starts on disk %u: multi-disk "
			   "archives are not supported", name, (unsigned)disk);
	if (flags & (FLAG_ENCRYPTED | FLAG_STRONG | FLAG_CD_MASKED))
		return bad(r, err, "member '%s' is encrypted (4.4.4 bit 0)",
			   name);
	if (method != TLC_ZIP_STORED && method != TLC_ZIP_DEFLATED)
		return bad(r, err, "member '%s' uses compression method %u; "
			   "only 0 (stored) and 8 (deflated) are accepted",
			   name, method);
	if (dir) {
		unsigned m = ext >> 16;

		/* a directory entry: checked, kept aside for the strict
		 * check's map of the file, and left out */
		if (size != 0)
			return bad(r, err, "directory entry '%s' has data",
				   name);
		/* S_IFREG from sloppy tools is let pass, not a symlink
		 * (4.4.15), a device or a FIFO */
		if ((made_by >> 8) == UNIX_MADE_BY && (m & S_IFMT) &&
		    (m & S_IFMT) != S_IFDIR && (m & S_IFMT) != S_IFREG)
			return bad(r, err, "directory entry '%s' is not a "
				   "directory (mode %06o)", name, m);
		if ((rc = add_entry(&r->dirs, r->ndirs, &r->dirs_alloc, &re,
				    err)) < 0)
			return rc;
		if (!(re->name = strdup(name)))
			return oom(err);
		r->ndirs++;
		re->e.csize = csize;
		re->e.offset = off;
		re->e.crc32 = rd32(p + 16);
		re->e.method = method;
		re->flags = flags;
		return 0;
	}
	if (method == TLC_ZIP_STORED && csize != size)
		return bad(r, err, "stored member '%s' has a compressed size "
			   "(%llu) other than its size (%llu)", name,
			   (unsigned long long)csize,
			   (unsigned long long)size);
	if (method == TLC_ZIP_DEFLATED && size / DEFLATE_MAX_RATIO > csize)
		return bad(r, err, "member '%s' claims to inflate %llu bytes "
			   "from %llu, a ratio over the %u:1 deflate can "
			   "reach: a zip bomb, or a lying header (RFC 1951)",
			   name, (unsigned long long)size,
			   (unsigned long long)csize, DEFLATE_MAX_RATIO);
	if ((made_by >> 8) == UNIX_MADE_BY && (ext >> 16)) {
		unsigned m = ext >> 16;

		/* 4.4.15: the high 16 bits hold st_mode */
		if ((m & S_IFMT) && (m & S_IFMT) != S_IFREG)
			return bad(r, err, "member '%s' is not a regular file "
				   "(mode %06o)", name, m);
		mode = (m & 0111) ? 0755 : 0644;
	}
	slot = rset_slot(r, name);
	if (*slot)
		return bad(r, err, "member '%s' appears twice", name);
	if ((rc = add_entry(&r->ents, r->n, &r->alloc, &re, err)) < 0)
		return rc;
	if (!(re->name = strdup(name)))
		return oom(err);
	re->e.size = size;
	re->e.csize = csize;
	re->e.offset = off;
	re->e.crc32 = rd32(p + 16);
	re->e.method = method;
	re->e.mode = mode;
	re->flags = flags;
	r->n++;
	*slot = r->n;
	return 0;
}

static int read_central(struct tlc_zip_reader *r, const struct cd_loc *cd,
			struct tlc_error *err)
{
	struct cd_reader c = { r, NULL, 0, 0, cd->off, cd->off + cd->size };
	int rc = 0;

	r->set_cap = 64;
	while (r->set_cap < 2 * cd->count)
		r->set_cap *= 2;
	if (!(r->set = calloc(r->set_cap, sizeof(*r->set))) ||
	    !(c.buf = malloc(CD_BUF_SIZE))) {
		rc = oom(err);
		goto out;
	}
	for (uint64_t i = 0; i < cd->count; i++) {
		const unsigned char *p;
		size_t len;

		if ((rc = cd_need(&c, CENTRAL_LEN, err)) != 0)
			goto short_cd;
		p = c.buf + c.pos;
		if (rd32(p) != SIG_CENTRAL) {
			rc = bad(r, err, "central directory entry %llu has no "
				 "signature (4.3.12)", (unsigned long long)i);
			goto out;
		}
		len = CENTRAL_LEN + (size_t)rd16(p + 28) + rd16(p + 30) +
		      rd16(p + 32);
		if ((rc = cd_need(&c, len, err)) != 0)
			goto short_cd;
		if ((rc = parse_central(r, c.buf + c.pos, (size_t)i, err)) < 0)
			goto out;
		c.pos += len;
	}
	if (c.pos != c.len || c.next != c.end)
		rc = bad(r, err, "the central directory holds more than the "
			 "%llu entries the end record counts",
			 (unsigned long long)cd->count);
	goto out;
short_cd:
	if (rc > 0)
		rc = bad(r, err, "the central directory ends inside an entry: "
			 "it is shorter than the end record's %llu entries",
			 (unsigned long long)cd->count);
out:
	free(c.buf);
	return rc;
}

static int offset_cmp(const void *a, const void *b)
{
	const struct rentry *x = *(const struct rentry *const *)a;
	const struct rentry *y = *(const struct rentry *const *)b;

	return x->e.offset < y->e.offset ? -1 : x->e.offset > y->e.offset;
}

/* Each member's local header (4.3.7) must be where the central directory
 * says, name the same member with the same method, and its data must end
 * before the central directory starts and before the next member. */
static int check_locals(struct tlc_zip_reader *r, uint64_t cd_off,
			struct tlc_error *err)
{
	unsigned char b[LOCAL_LEN + TLC_ZIP_NAME_MAX];
	struct rentry **by_off = NULL;
	int rc = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct rentry *re = &r->ents[i];
		size_t nlen = strlen(re->name);
		uint64_t off = re->e.offset, data;

		if (off > cd_off || cd_off - off < LOCAL_LEN + nlen)
			return bad(r, err, "local header of '%s' lies outside "
				   "the archive's data (offset %llu)",
				   re->name, (unsigned long long)off);
		if ((rc = rd_full(r, b, LOCAL_LEN + nlen, off, err)) < 0)
			return rc;
		if (rd32(b) != SIG_LOCAL)
			return bad(r, err, "no local header for '%s' at offset "
				   "%llu (4.3.7)", re->name,
				   (unsigned long long)off);
		if (rd16(b + 26) != nlen || memcmp(b + LOCAL_LEN, re->name,
						   nlen))
			return bad(r, err, "local header of '%s' names another "
				   "member than the central directory",
				   re->name);
		if (rd16(b + 6) & (FLAG_ENCRYPTED | FLAG_STRONG))
			return bad(r, err, "member '%s' is encrypted (4.4.4 "
				   "bit 0)", re->name);
		if (rd16(b + 8) != re->e.method)
			return bad(r, err, "local header of '%s' gives another "
				   "compression method than the central "
				   "directory", re->name);
		data = off + LOCAL_LEN + nlen + rd16(b + 28);
		if (data > cd_off || cd_off - data < re->e.csize)
			return bad(r, err, "data of '%s' runs past the end of "
				   "the archive's data (%llu bytes at %llu)",
				   re->name, (unsigned long long)re->e.csize,
				   (unsigned long long)data);
		re->data_off = data;
	}
	if (r->n < 2)
		return 0;
	if (!(by_off = malloc(r->n * sizeof(*by_off))))
		return oom(err);
	for (size_t i = 0; i < r->n; i++)
		by_off[i] = &r->ents[i];
	qsort(by_off, r->n, sizeof(*by_off), offset_cmp);
	for (size_t i = 0; i + 1 < r->n; i++)
		if (by_off[i]->data_off + by_off[i]->e.csize >
		    by_off[i + 1]->e.offset) {
			rc = bad(r, err, "members '%s' and '%s' overlap",
				 by_off[i]->name, by_off[i + 1]->name);
			break;
		}
	free(by_off);
	return rc;
}

int tlc_zip_reader_open(struct tlc_zip_reader **out, int fd, const char *name,
			struct tlc_error *err)
{
	struct tlc_zip_reader *r;
	struct cd_loc cd = { 0 };
	struct stat st;
	int rc;

	*out = NULL;
	if (!name)
		name = "archive";
	if (fstat(fd, &st) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", name);
	if (!S_ISREG(st.st_mode))
		return tlc_error_set(err, TLC_EPOLICY,
				     "'%s' is not a regular file", name);
	if (!(r = calloc(1, sizeof(*r))))
		return oom(err);
	r->fd = fd;
	r->size = (uint64_t)st.st_size;
	if (!(r->name = strdup(name))) {
		rc = oom(err);
		goto fail;
	}
	if ((rc = read_end(r, &cd, err)) < 0 ||
	    (rc = read_central(r, &cd, err)) < 0 ||
	    (rc = check_locals(r, cd.off, err)) < 0)
		goto fail;
	for (size_t i = 0; i < r->n; i++)
		r->ents[i].e.name = r->ents[i].name;
	for (size_t i = 0; i < r->ndirs; i++)
		r->dirs[i].e.name = r->dirs[i].name;
	r->cd = cd;
	*out = r;
	return 0;
fail:
	tlc_zip_reader_free(r);
	return rc;
}

size_t tlc_zip_reader_count(const struct tlc_zip_reader *r)
{
	return r->n;
}

const struct tlc_zip_entry *tlc_zip_reader_entry(
	const struct tlc_zip_reader *r, size_t i)
{
	assert(i < r->n);
	return &r->ents[i].e;
}

const struct tlc_zip_entry *tlc_zip_reader_find(
	const struct tlc_zip_reader *r, const char *name)
{
	size_t v = *rset_slot(r, name);

	return v ? &r->ents[v - 1].e : NULL;
}

/* The reader's record of @e, which must be one of its entries. */
static const struct rentry *rentry_of(const struct tlc_zip_reader *r,
				      const struct tlc_zip_entry *e)
{
	const struct rentry *re = (const struct rentry *)e;

	assert(r->n && re >= r->ents && re < r->ents + r->n);
	return re;
}

int tlc_zip_reader_data_offset(const struct tlc_zip_reader *r,
			       const struct tlc_zip_entry *e, uint64_t *off,
			       struct tlc_error *err)
{
	const struct rentry *re = rentry_of(r, e);

	/* checked by check_locals() when the archive was opened */
	if (re->data_off > r->size || r->size - re->data_off < e->csize)
		return bad(r, err, "data of '%s' lies outside the file",
			   re->name);
	*off = re->data_off;
	return 0;
}

/* ---- the strict check -------------------------------------------------- */

/* The bytes of the file one entry holds: its local header, name, extra
 * field and data. */
struct extent {
	uint64_t start, end;
	const char *name;
};

static int extent_cmp(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The sizes in the local header's zip64 extra field (4.5.3: in a local
 * header it holds both sizes, the uncompressed first) for those of
 * *@size and *@csize at their maximum; the extra field must be well
 * formed (4.5.1). */
static int local_zip64(const struct tlc_zip_reader *r, const char *name,
		       const unsigned char *x, size_t xlen, uint64_t *size,
		       uint64_t *csize, struct tlc_error *err)
{
	const unsigned char *end = x + xlen, *z64 = NULL;

	while (end - x >= 4) {
		unsigned id = rd16(x), len = rd16(x + 2);

		if (len > (size_t)(end - x - 4))
			break;
		if (id == 0x0001 && !z64) {
			if (len < 16)
				return bad(r, err, "local header of '%s' has a "
					   "zip64 extra field too short for "
					   "both sizes (4.5.3)", name);
			z64 = x + 4;
		}
		x += 4 + len;
	}
	if (x != end)
		return bad(r, err, "local header of '%s' has a malformed extra "
			   "field (4.5.1)", name);
	if (*size != MAX32 && *csize != MAX32)
		return 0;
	if (!z64)
		return bad(r, err, "local header of '%s' needs a zip64 extra "
			   "field for its sizes (4.5.3)", name);
	if (*size == MAX32)
		*size = rd64(z64);
	if (*csize == MAX32)
		*csize = rd64(z64 + 8);
	return 0;
}

/* The local header of @re (4.3.7) must repeat its central record:
 * name, flags, method, CRC-32 and sizes, with no data descriptor
 * (4.4.4 bit 3: sizes after the data, zeros in the header).  Fills
 * @x with the bytes it holds.  @b holds a local header with the
 * longest name and extra field. */
static int strict_local(const struct tlc_zip_reader *r,
			const struct rentry *re, unsigned char *b,
			struct extent *x, struct tlc_error *err)
{
	const struct tlc_zip_entry *e = &re->e;
	size_t nlen = strlen(re->name), xlen;
	uint64_t off = e->offset, cd_off = r->cd.off, data, size, csize;
	unsigned flags;
	int rc;

	/* directory entries were not checked when the archive opened */
	if (off > cd_off || cd_off - off < LOCAL_LEN + nlen)
		return bad(r, err, "local header of '%s' lies outside the "
			   "archive's data (offset %llu)", re->name,
			   (unsigned long long)off);
	if ((rc = rd_full(r, b, LOCAL_LEN + nlen, off, err)) < 0)
		return rc;
	if (rd32(b) != SIG_LOCAL)
		return bad(r, err, "no local header for '%s' at offset %llu "
			   "(4.3.7)", re->name, (unsigned long long)off);
	if (rd16(b + 26) != nlen || memcmp(b + LOCAL_LEN, re->name, nlen))
		return bad(r, err, "local header of '%s' names another member "
			   "than the central directory", re->name);
	flags = rd16(b + 6);
	if ((flags | re->flags) & FLAG_DESCRIPTOR)
		return bad(r, err, "member '%s' has a data descriptor (4.4.4 "
			   "bit 3): its local header does not give its sizes",
			   re->name);
	if (flags != re->flags)
		return bad(r, err, "local header of '%s' has other flags "
			   "(0x%04x) than the central directory (0x%04x)",
			   re->name, flags, re->flags);
	if (rd16(b + 8) != e->method)
		return bad(r, err, "local header of '%s' gives another "
			   "compression method than the central directory",
			   re->name);
	if (rd32(b + 14) != e->crc32)
		return bad(r, err, "local header of '%s' gives another CRC-32 "
			   "(%08x) than the central directory (%08x)",
			   re->name, (unsigned)rd32(b + 14),
			   (unsigned)e->crc32);
	xlen = rd16(b + 28);
	data = off + LOCAL_LEN + nlen + xlen;
	if (data > cd_off || cd_off - data < e->csize)
		return bad(r, err, "data of '%s' runs past the end of the "
			   "archive's data (%llu bytes at %llu)", re->name,
			   (unsigned long long)e->csize,
			   (unsigned long long)data);
	if ((rc = rd_full(r, b + LOCAL_LEN + nlen, xlen,
			  off + LOCAL_LEN + nlen, err)) < 0)
		return rc;
	csize = rd32(b + 18);
	size = rd32(b + 22);
	if ((rc = local_zip64(r, re->name, b + LOCAL_LEN + nlen, xlen, &size,
			      &csize, err)) < 0)
		return rc;
	if (size != e->size || csize != e->csize)
		return bad(r, err, "local header of '%s' gives other sizes "
			   "(%llu, %llu compressed) than the central "
			   "directory (%llu, %llu compressed)", re->name,
			   (unsigned long long)size,
			   (unsigned long long)csize,
			   (unsigned long long)e->size,
			   (unsigned long long)e->csize);
	/* an empty deflate stream takes 2 bytes; more would hide data */
	if (re->name[nlen - 1] == '/' &&
	    e->csize > (e->method == TLC_ZIP_DEFLATED ? 2u : 0u))
		return bad(r, err, "directory entry '%s' holds %llu bytes of "
			   "data", re->name, (unsigned long long)e->csize);
	x->start = off;
	x->end = data + e->csize;
	x->name = re->name;
	return 0;
}

int tlc_zip_reader_check_strict(const struct tlc_zip_reader *r,
				struct tlc_error *err)
{
	size_t n = r->n + r->ndirs;
	struct extent *x = NULL;
	unsigned char *b = NULL;
	uint64_t pos = 0;
	int rc = 0;

	if (!(x = malloc((n ? n : 1) * sizeof(*x))) ||
	    !(b = malloc(LOCAL_LEN + TLC_ZIP_NAME_MAX + MAX16))) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rentry *re = i < r->n ? &r->ents[i] :
					  &r->dirs[i - r->n];

		if ((rc = strict_local(r, re, b, &x[i], err)) < 0)
			goto out;
	}
	/* members back to back from offset 0, then the central directory */
	qsort(x, n, sizeof(*x), extent_cmp);
	for (size_t i = 0; i < n; i++) {
		if (x[i].start < pos) {
			rc = bad(r, err, "members '%s' and '%s' overlap",
				 x[i - 1].name, x[i].name);
			goto out;
		}
		if (x[i].start > pos && !i) {
			rc = bad(r, err, "has %llu bytes of prepended data "
				 "before its first member",
				 (unsigned long long)x[i].start);
			goto out;
		}
		if (x[i].start > pos) {
			rc = bad(r, err, "has %llu bytes of hidden data "
				 "between members '%s' and '%s'",
				 (unsigned long long)(x[i].start - pos),
				 x[i - 1].name, x[i].name);
			goto out;
		}
		pos = x[i].end;
	}
	if (pos != r->cd.off) {
		/* strict_local() saw to pos <= cd.off */
		rc = bad(r, err, "has %llu bytes of trailing data %s the "
			 "central directory", (unsigned long long)(r->cd.off -
								   pos),
			 n ? "between its last member and" : "before");
		goto out;
	}
	/* then the end records, nothing between or after them (4.3.6);
	 * read_end64() saw to end + end64_len <= the locator */
	if (r->cd.end64_len && r->cd.end64_len != END64_LEN) {
		rc = bad(r, err, "has %llu bytes of data in its zip64 end "
			 "record's extensible data sector (4.3.14)",
			 (unsigned long long)(r->cd.end64_len - END64_LEN));
		goto out;
	}
	if (r->cd.end64_len &&
	    r->cd.end + END64_LEN != r->cd.eocd - LOCATOR64_LEN) {
		rc = bad(r, err, "has %llu bytes of hidden data between its "
			 "zip64 end record and its locator (4.3.15)",
			 (unsigned long long)(r->cd.eocd - LOCATOR64_LEN -
					      r->cd.end - END64_LEN));
		goto out;
	}
	if (r->cd.comment)
		rc = bad(r, err, "has an archive comment of %u bytes: trailing "
			 "data after its end record (4.3.16)", r->cd.comment);
out:
	free(b);
	free(x);
	return rc;
}

void tlc_zip_reader_free(struct tlc_zip_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->ents[i].name);
	free(r->ents);
	for (size_t i = 0; i < r->ndirs; i++)
		free(r->dirs[i].name);
	free(r->dirs);
	free(r->set);
	free(r->name);
	free(r);
}

/* ---- streams ------------------------------------------------------------ */

struct tlc_zip_stream {
	const struct tlc_zip_reader *r;
	const struct rentry *re;
	uint64_t pos;		/* the file offset of the next read */
	uint64_t left;		/* compressed bytes not read yet */
	uint64_t out;		/* bytes handed out */
	uint32_t crc;
	bool inflating;		/* z is set up */
	bool ended;		/* every byte handed out and checked */
	bool failed;
	z_stream z;
	unsigned char *in;
};

int tlc_zip_stream_open(struct tlc_zip_stream **out,
			const struct tlc_zip_reader *r,
			const struct tlc_zip_entry *e, struct tlc_error *err)
{
	struct tlc_zip_stream *s;
	uint64_t off = 0;
	int rc;

	*out = NULL;
	if ((rc = tlc_zip_reader_data_offset(r, e, &off, err)) < 0)
		return rc;
	if (!(s = calloc(1, sizeof(*s))))
		return oom(err);
	s->r = r;
	s->re = rentry_of(r, e);
	s->pos = off;
	s->left = e->csize;
	if (e->method == TLC_ZIP_DEFLATED) {
		size_t cap = e->csize < IN_BUF_SIZE ? (size_t)e->csize :
						      IN_BUF_SIZE;

		if (!(s->in = malloc(cap ? cap : 1)) ||
		    inflateInit2(&s->z, -15) != Z_OK) {
			free(s->in);
			free(s);
			return oom(err);
		}
		s->inflating = true;
	}
	*out = s;
	return 0;
}

static int stream_fail(struct tlc_zip_stream *s, struct tlc_error *err,
		       const char *fmt, ...) TLC_PRINTF(3, 4);

static int stream_fail(struct tlc_zip_stream *s, struct tlc_error *err,
		       const char *fmt, ...)
{
	va_list ap;

	s->failed = true;
	va_start(ap, fmt);
	tlc_error_vset(err, TLC_EPOLICY, fmt, ap);
	va_end(ap);
	tlc_error_prefix(err, "'%s'", s->r->name);
	return TLC_EPOLICY;
}

/* The end is reached: the size and CRC-32 must be the header's. */
static int stream_end(struct tlc_zip_stream *s, struct tlc_error *err)
{
	const struct tlc_zip_entry *e = &s->re->e;

	if (s->out != e->size)
		return stream_fail(s, err, "member '%s' inflates to %llu "
				   "bytes, not the %llu its header says",
				   e->name, (unsigned long long)s->out,
				   (unsigned long long)e->size);
	if (s->crc != e->crc32)
		return stream_fail(s, err, "member '%s' fails its CRC-32 check "
				   "(%08x, header says %08x)", e->name,
				   (unsigned)s->crc, (unsigned)e->crc32);
	s->ended = true;
	return 0;
}

static int stream_stored(struct tlc_zip_stream *s, unsigned char *buf,
			 size_t len, size_t *got, struct tlc_error *err)
{
	size_t n = s->left < len ? (size_t)s->left : len;
	int rc;

	if ((rc = rd_full(s->r, buf, n, s->pos, err)) < 0) {
		s->failed = true;
		return rc;
	}
	s->pos += n;
	s->left -= n;
	s->out += n;
	s->crc = tlc__crc32(s->crc, buf, n);
	if (!s->left && (rc = stream_end(s, err)) < 0)
		return rc;
	*got = n;
	return 0;
}

static int stream_inflate(struct tlc_zip_stream *s, unsigned char *buf,
			  size_t len, size_t *got, struct tlc_error *err)
{
	const struct tlc_zip_entry *e = &s->re->e;
	int rc;

	for (;;) {
		size_t room = len, made;
		int zr;

		if (!s->z.avail_in && s->left) {
			size_t n = s->left < IN_BUF_SIZE ? (size_t)s->left :
							   IN_BUF_SIZE;

			if ((rc = rd_full(s->r, s->in, n, s->pos, err)) < 0) {
				s->failed = true;
				return rc;
			}
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)n;
			s->pos += n;
			s->left -= n;
		}
		/* room for one byte past the declared size, to notice it */
		if (e->size - s->out < room)
			room = (size_t)(e->size - s->out) + 1;
		if (room > (1u << 30))
			room = 1u << 30;
		s->z.next_out = buf;
		s->z.avail_out = (uInt)room;
		zr = inflate(&s->z, Z_NO_FLUSH);
		made = room - s->z.avail_out;
		s->out += made;
		s->crc = tlc__crc32(s->crc, buf, made);
		if (s->out > e->size)
			return stream_fail(s, err, "member '%s' inflates to "
					   "more than the %llu bytes its header "
					   "says", e->name,
					   (unsigned long long)e->size);
		if (zr == Z_STREAM_END) {
			if (s->z.avail_in || s->left)
				return stream_fail(s, err, "deflate data of "
						   "'%s' ends before its "
						   "compressed size of %llu "
						   "bytes", e->name,
						   (unsigned long long)e->csize);
			if ((rc = stream_end(s, err)) < 0)
				return rc;
		} else if (zr == Z_MEM_ERROR) {
			s->failed = true;
			return oom(err);
		} else if (zr == Z_BUF_ERROR ||
			   (zr == Z_OK && !made && !s->z.avail_in)) {
			if (!s->left)
				return stream_fail(s, err, "deflate data of "
						   "'%s' is truncated: it does "
						   "not end within its %llu "
						   "compressed bytes", e->name,
						   (unsigned long long)e->csize);
		} else if (zr != Z_OK) {
			return stream_fail(s, err, "member '%s' has bad deflate "
					   "data: %s", e->name,
					   s->z.msg ? s->z.msg : "error");
		}
		if (made || s->ended) {
			*got = made;
			return 0;
		}
	}
}

int tlc_zip_stream_read(struct tlc_zip_stream *s, void *buf, size_t len,
			size_t *got, struct tlc_error *err)
{
	assert(len > 0);
	*got = 0;
	if (s->failed)
		return tlc_error_set(err, TLC_ERROR,
				     "cannot read '%s' after a failure",
				     s->re->name);
	if (s->ended)
		return 0;
	if (!s->inflating) {
		if (!s->left)
			return stream_end(s, err);
		return stream_stored(s, buf, len, got, err);
	}
	return stream_inflate(s, buf, len, got, err);
}

void tlc_zip_stream_free(struct tlc_zip_stream *s)
{
	if (!s)
		return;
	if (s->inflating)
		inflateEnd(&s->z);
	free(s->in);
	free(s);
}

#define COPY_BUF_SIZE ((size_t)64 << 10)

int tlc_zip_read(const struct tlc_zip_reader *r, const struct tlc_zip_entry *e,
		 struct tlc_buf *out, struct tlc_error *err)
{
	struct tlc_zip_stream *s = NULL;
	size_t start = out->len, got;
	int rc;

	if (out->max && (out->len > out->max || e->size > out->max - out->len))
		return tlc_error_set(err, TLC_ETOOBIG,
				     "member '%s' of '%s' is over %zu bytes",
				     e->name, r->name, out->max);
	if ((rc = tlc_zip_stream_open(&s, r, e, err)) < 0)
		return rc;
	do {
		uint64_t left = e->size - (out->len - start);
		size_t want = left < COPY_BUF_SIZE ? (size_t)left :
						     COPY_BUF_SIZE;
		char end;

		if (!want) {
			/* past the declared size: only the end checks */
			rc = tlc_zip_stream_read(s, &end, 1, &got, err);
			break;
		}
		if ((rc = tlc_buf_grow(out, want)) < 0) {
			if (rc == TLC_ETOOBIG)
				rc = tlc_error_set(err, TLC_ETOOBIG,
						   "member '%s' of '%s' is "
						   "over %zu bytes", e->name,
						   r->name, out->max);
			else
				rc = oom(err);
			break;
		}
		if ((rc = tlc_zip_stream_read(s, out->ptr + out->len, want,
					      &got, err)) < 0)
			break;
		out->len += got;
		out->ptr[out->len] = '\0';
	} while (got);
	tlc_zip_stream_free(s);
	if (rc < 0)
		tlc_buf_truncate(out, start);
	return rc;
}

int tlc_zip_extract(const struct tlc_zip_reader *r,
		    const struct tlc_zip_entry *e, int fd,
		    struct tlc_error *err)
{
	struct tlc_zip_stream *s = NULL;
	unsigned char *buf = NULL;
	size_t got;
	int rc;

	if (!(buf = malloc(COPY_BUF_SIZE)))
		return oom(err);
	if ((rc = tlc_zip_stream_open(&s, r, e, err)) < 0)
		goto out;
	for (;;) {
		unsigned char *p = buf;

		if ((rc = tlc_zip_stream_read(s, buf, COPY_BUF_SIZE, &got,
					      err)) < 0 || !got)
			break;
		while (got) {
			ssize_t n = write(fd, p, got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = tlc_error_errno(err, TLC_EIO,
						     "cannot write '%s'",
						     e->name);
				goto out;
			}
			p += n;
			got -= (size_t)n;
		}
	}
out:
	tlc_zip_stream_free(s);
	free(buf);
	return rc;
}
