/*
 * The zip writer (APPNOTE.TXT 6.3.x; section numbers below are its).
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
 * is known before the data is written.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "deflate.h"
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
	EVP_MD *md;
	EVP_MD_CTX *mdctx;	/* the chunked member being written */
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
	if (len > TLC_ZIP_NAME_MAX)
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name '%.40s...' is over %d bytes",
				     name, TLC_ZIP_NAME_MAX);
	if (name[0] == '/')
		return tlc_error_set(err, TLC_EPOLICY,
				     "member name '%s' is absolute", name);
	for (size_t i = 0; i < len;) {
		size_t k;

		if (s[i] < 0x20 || s[i] == 0x7f)
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%.*s' has a control "
					     "character", (int)i, name);
		if (s[i] == '\\')
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%s' has a backslash",
					     name);
		if (!(k = utf8_len(s + i)))
			return tlc_error_set(err, TLC_EPOLICY,
					     "member name '%.*s' is not valid "
					     "UTF-8", (int)i, name);
		i += k;
	}
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
	    !(w->wbuf = malloc(WBUF_SIZE)) || !(w->mdctx = EVP_MD_CTX_new())) {
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
		goto fail;
	}
	if (opts->sha256 && !(w->md = EVP_MD_fetch(NULL, "SHA256", NULL))) {
		rc = tlc_error_set(err, TLC_ERROR, "SHA-256 is not available");
		goto fail;
	}
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
	if (p->whole && w->md &&
	    !EVP_Digest(p->inp, p->len, p->sha, NULL, w->md, NULL)) {
		p->rc = tlc_error_set(&p->err, TLC_ERROR,
				      "cannot compute SHA-256");
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
	if (w->md) {
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
		if (w->md && !EVP_DigestInit_ex(w->mdctx, w->md, NULL))
			return tlc_error_set(err, TLC_ERROR,
					     "cannot compute SHA-256");
	}
	if (w->md && !EVP_DigestUpdate(w->mdctx, p->inp, p->len))
		return tlc_error_set(err, TLC_ERROR, "cannot compute SHA-256");
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
	if (w->md) {
		if (!EVP_DigestFinal_ex(w->mdctx, m->e.sha256, NULL))
			return tlc_error_set(err, TLC_ERROR,
					     "cannot compute SHA-256");
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
	EVP_MD_free(w->md);
	EVP_MD_CTX_free(w->mdctx);
	free(w);
}
