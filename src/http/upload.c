/*
 * Uploading wheels through the legacy upload API with libcurl.
 *
 * The form is what twine 4.0 sends (twine/package.py
 * metadata_dictionary(), twine/repository.py _upload()): the fields in
 * the order below; every single-valued field, empty when METADATA lacks
 * it; each value of a multiple-use field as a part of its own, none when
 * there is none; then md5_digest, blake2_256_digest, ":action",
 * "protocol_version" and "content" (the file, application/octet-stream).
 * Values are read as pkginfo reads METADATA: a field is known from the
 * Metadata-Version that introduced it (PEP 241, 314, 345, 566, 643, 639),
 * a single-use field whose value is "UNKNOWN" counts as absent, and the
 * lines of a folded value are stripped and joined with spaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tlcpack/buf.h"
#include "tlcpack/coremeta.h"
#include "tlcpack/digest.h"
#include "tlcpack/names.h"
#include "tlcpack/repo.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"
#include "upload.h"

#include "banned.h"

#define CHUNK ((size_t)1 << 16)
#define REPLY_MAX 4096		/* of a reply body, kept for messages */
#define REPORT_MAX ((size_t)2 << 20)	/* of a prune's reply, kept */
#define REASON_MAX 160		/* of a reason shown to the user */

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

/* ---- the form ------------------------------------------------------------ */

struct http_upload_wheel {
	char *path;
	const char *base;		/* in path */
	int fd;
	uint64_t size;
	uint64_t pos;			/* read offset while sending */
	int read_errno;			/* why the stream stopped, or 0 */
	struct http_upload_field *fields;
	size_t n, alloc;
};

/* Add a field; @value is copied, @len bytes of it. */
static int add_field(struct http_upload_wheel *w, const char *name,
		     const char *value, size_t len)
{
	char *copy;

	if (w->n == w->alloc) {
		size_t alloc = w->alloc ? w->alloc * 2 : 48;
		struct http_upload_field *f =
			realloc(w->fields, alloc * sizeof(*f));

		if (!f)
			return -1;
		w->fields = f;
		w->alloc = alloc;
	}
	if (!(copy = malloc(len + 1)))
		return -1;
	memcpy(copy, value, len);
	copy[len] = '\0';
	w->fields[w->n].name = name;
	w->fields[w->n].value = copy;
	w->n++;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * pkginfo's _collapse_leading_ws() for all fields but Description:
 * ' '.join(line.strip() for line in value.splitlines()).  The core
 * metadata parser joined the lines with '\n' already.
 */
static int add_collapsed(struct http_upload_wheel *w, const char *name,
			 const char *value)
{
	struct tlc_buf b = TLC_BUF_INIT;
	const char *p = value;
	int rc = 0;

	for (bool first = true; rc == 0; first = false) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);

		while (p < end && is_space(*p))
			p++;
		while (end > p && is_space(end[-1]))
			end--;
		if (!first)
			rc = tlc_buf_putc(&b, ' ');
		if (rc == 0)
			rc = tlc_buf_put(&b, p, (size_t)(end - p));
		if (!nl)
			break;
		p = nl + 1;
	}
	if (rc == 0)
		rc = add_field(w, name, b.ptr, b.len);
	tlc_buf_release(&b);
	return rc;
}

static int add_text(struct http_upload_wheel *w, const char *name,
		    const char *value)
{
	return add_field(w, name, value, strlen(value));
}

/* twine's _safe_name(): runs of [^A-Za-z0-9.] become one '-'. */
static int add_safe_name(struct http_upload_wheel *w, const char *name)
{
	struct tlc_buf b = TLC_BUF_INIT;
	bool in_run = false;
	int rc = 0;

	for (const char *p = name; *p && rc == 0; p++) {
		bool keep = (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.';

		if (keep)
			rc = tlc_buf_putc(&b, *p);
		else if (!in_run)
			rc = tlc_buf_putc(&b, '-');
		in_run = !keep;
	}
	if (rc == 0)
		rc = add_field(w, "name", b.ptr, b.len);
	tlc_buf_release(&b);
	return rc;
}

/* A metadata field as pkginfo knows it (pkginfo/distribution.py). */
struct meta_field {
	const char *form;	/* twine's form field */
	const char *header;	/* the core metadata field */
	bool many;		/* multiple use: one part per value */
	unsigned since;		/* Metadata-Version, major * 100 + minor */
};

/* In twine's order, between "metadata_version" and "comment" ... */
static const struct meta_field fields_head[] = {
	{ "summary", "Summary", false, 100 },
	{ "home_page", "Home-page", false, 100 },
	{ "author", "Author", false, 100 },
	{ "author_email", "Author-email", false, 100 },
	{ "maintainer", "Maintainer", false, 102 },
	{ "maintainer_email", "Maintainer-email", false, 102 },
	{ "license", "License", false, 100 },
	{ "description", NULL, false, 100 },	/* see below */
	{ "keywords", "Keywords", false, 100 },
	{ "platform", "Platform", true, 100 },
	{ "classifiers", "Classifier", true, 101 },
	{ "download_url", "Download-URL", false, 101 },
	{ "supported_platform", "Supported-Platform", true, 100 },
};

/* ... and between "sha256_digest" and "md5_digest". */
static const struct meta_field fields_tail[] = {
	{ "provides", "Provides", true, 101 },
	{ "requires", "Requires", true, 101 },
	{ "obsoletes", "Obsoletes", true, 101 },
	{ "project_urls", "Project-URL", true, 102 },
	{ "provides_dist", "Provides-Dist", true, 102 },
	{ "obsoletes_dist", "Obsoletes-Dist", true, 102 },
	{ "requires_dist", "Requires-Dist", true, 102 },
	{ "requires_external", "Requires-External", true, 102 },
	{ "requires_python", "Requires-Python", false, 102 },
	{ "provides_extras", "Provides-Extra", true, 201 },
	{ "description_content_type", "Description-Content-Type", false,
	  201 },
	{ "dynamic", "Dynamic", true, 202 },
	/* PEP 639, as twine 6.1 sends them */
	{ "license_expression", "License-Expression", false, 204 },
	{ "license_file", "License-File", true, 204 },
};

/* "2.1" -> 201; the parser checked it is a 1.x or 2.x version. */
static unsigned metadata_version(const char *v)
{
	unsigned long major = strtoul(v, NULL, 10), minor = 0;
	const char *dot = strchr(v, '.');

	if (dot)
		minor = strtoul(dot + 1, NULL, 10);
	return (unsigned)(major * 100 + (minor > 99 ? 99 : minor));
}

static int add_meta_fields(struct http_upload_wheel *w,
			   const struct tlc_coremeta *m,
			   const struct meta_field *table, size_t n,
			   unsigned version)
{
	for (size_t i = 0; i < n; i++) {
		const struct meta_field *f = &table[i];
		const char *v;

		if (!strcmp(f->form, "description")) {
			/* twine's Wheel.parse(): the body, always (a
			 * Description field is not read) */
			if (add_text(w, f->form, m->body) < 0)
				return -1;
			continue;
		}
		if (version < f->since) {
			/* pkginfo leaves it None, which twine 4 sends as an
			 * empty part; the 2.4 fields twine 4 does not know */
			if (!f->many && f->since <= 202 &&
			    add_text(w, f->form, "") < 0)
				return -1;
			continue;
		}
		if (!f->many) {
			v = tlc_coremeta_get(m, f->header);
			if (!v || !strcmp(v, "UNKNOWN"))
				v = "";
			if (add_collapsed(w, f->form, v) < 0)
				return -1;
			continue;
		}
		for (size_t j = 0; j < m->nfields; j++)
			if (!strcasecmp(m->fields[j].key, f->header) &&
			    add_collapsed(w, f->form, m->fields[j].value) < 0)
				return -1;
	}
	return 0;
}

static int add_hex(struct http_upload_wheel *w, const char *name,
		   const struct tlc_digests *d, unsigned kind)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *raw = tlc_digests_get(d, kind);
	size_t len = tlc_digest_size(kind);
	char text[2 * TLC_DIGEST_MAX];

	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	return add_field(w, name, text, 2 * len);
}

/* SHA-256, BLAKE2b-256 and MD5 of the open file. */
static int hash_file(struct http_upload_wheel *w, struct tlc_digests **out,
		     struct tlc_error *err)
{
	unsigned char *buf = malloc(CHUNK);
	uint64_t off = 0;
	ssize_t n;
	int rc;

	if (!buf)
		return oom(err);
	if ((rc = tlc_digests_new(out, TLC_DIGEST_SHA256 |
				  TLC_DIGEST_BLAKE2B_256 | TLC_DIGEST_MD5,
				  err)) < 0)
		goto out;
	while ((n = pread(w->fd, buf, CHUNK, (off_t)off)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s'",
					     w->path);
			goto out;
		}
		tlc_digests_update(*out, buf, (size_t)n);
		off += (uint64_t)n;
	}
	if (off != w->size) {
		rc = tlc_error_set(err, TLC_EIO, "%s changed while it was "
				   "read", w->base);
		goto out;
	}
	tlc_digests_final(*out);
out:
	free(buf);
	return rc;
}

int http_upload_wheel_open(struct http_upload_wheel **out, const char *path,
			   struct tlc_error *err)
{
	struct http_upload_wheel *w;
	struct tlc_wheel_reader *wr = NULL;
	struct tlc_coremeta *meta = NULL;
	struct tlc_digests *d = NULL;
	struct stat st, st2;
	unsigned version;
	int rc;

	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))))
		return oom(err);
	w->fd = -1;
	if (!(w->path = strdup(path))) {
		rc = oom(err);
		goto fail;
	}
	w->base = strrchr(w->path, '/') ? strrchr(w->path, '/') + 1 : w->path;
	/* opened first: the checks below must be about the bytes sent */
	if ((w->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = tlc_error_errno(err, errno == ENOENT ? TLC_ENOTFOUND :
				     TLC_EIO, "cannot open '%s'", path);
		goto fail;
	}
	if (fstat(w->fd, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' is not a regular "
				   "file", path);
		goto fail;
	}
	w->size = (uint64_t)st.st_size;
	/* what tlcpack publish checks, before any byte goes out */
	if ((rc = tlc_repo_validate(path, &wr, &meta, err)) < 0)
		goto fail;
	/* the reader opened the path again: the same file? */
	if (stat(path, &st2) < 0 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino || st2.st_size != st.st_size ||
	    st2.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		rc = tlc_error_set(err, TLC_EIO, "%s changed while it was "
				   "read", w->base);
		goto fail;
	}
	if ((rc = hash_file(w, &d, err)) < 0)
		goto fail;
	version = metadata_version(meta->metadata_version);
	rc = TLC_ENOMEM;
	/* twine/package.py metadata_dictionary(), in its order */
	if (add_safe_name(w, meta->name) < 0 ||
	    add_collapsed(w, "version", meta->version) < 0 ||
	    add_text(w, "filetype", "bdist_wheel") < 0 ||
	    add_text(w, "pyversion", tlc_wheel_reader_python_tag(wr)) < 0 ||
	    add_collapsed(w, "metadata_version", meta->metadata_version) < 0 ||
	    add_meta_fields(w, meta, fields_head,
			    sizeof(fields_head) / sizeof(fields_head[0]),
			    version) < 0 ||
	    add_text(w, "comment", "") < 0 ||
	    add_hex(w, "sha256_digest", d, TLC_DIGEST_SHA256) < 0 ||
	    add_meta_fields(w, meta, fields_tail,
			    sizeof(fields_tail) / sizeof(fields_tail[0]),
			    version) < 0 ||
	    add_hex(w, "md5_digest", d, TLC_DIGEST_MD5) < 0 ||
	    add_hex(w, "blake2_256_digest", d, TLC_DIGEST_BLAKE2B_256) < 0 ||
	    add_text(w, ":action", "file_upload") < 0 ||
	    add_text(w, "protocol_version", "1") < 0) {
		rc = oom(err);
		goto fail;
	}
	tlc_digests_free(d);
	tlc_coremeta_free(meta);
	tlc_wheel_reader_free(wr);
	*out = w;
	return 0;
fail:
	tlc_digests_free(d);
	tlc_coremeta_free(meta);
	tlc_wheel_reader_free(wr);
	http_upload_wheel_free(w);
	return rc;
}

const char *http_upload_wheel_filename(const struct http_upload_wheel *w)
{
	return w->base;
}

uint64_t http_upload_wheel_size(const struct http_upload_wheel *w)
{
	return w->size;
}

const struct http_upload_field *http_upload_wheel_fields(
	const struct http_upload_wheel *w, size_t *n)
{
	*n = w->n;
	return w->fields;
}

void http_upload_wheel_free(struct http_upload_wheel *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		free((char *)w->fields[i].value);
	free(w->fields);
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w);
}

/* ---- the client ---------------------------------------------------------- */

struct http_upload {
	struct http_upload_opts opts;	/* strings below are our copies */
	char *url, *user, *password, *cacert;
	bool cleartext;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
	/* the request in flight */
	const char *subject;		/* the wheel's name, "prune <p>" */
	const char *verb;		/* "upload", "prune" */
	struct http_upload_wheel *w;	/* an upload's, else NULL */
	char status_line[256];
	struct tlc_buf reply;		/* its first reply_max bytes */
	size_t reply_max;
	uint64_t reported;		/* progress: bytes last reported */
	bool reporting;
};

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* RFC 7617 section 2: no control characters in user-pass, no colon in
 * the user-id. */
static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int check_url(struct http_upload *u, struct tlc_error *err)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *frag = NULL;
	int rc = 0;

	if (!h)
		return oom(err);
	if (curl_url_set(h, CURLUPART_URL, u->url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' is not an absolute "
				   "URL (RFC 3986 section 4.3)", u->url);
		goto out;
	}
	if (strcmp(scheme, "http") && strcmp(scheme, "https")) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' is not an http:// "
				   "or https:// URL", u->url);
		goto out;
	}
	if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		/* never echo it: it may hold a password */
		rc = tlc_error_set(err, TLC_EPOLICY, "the URL holds "
				   "credentials, which other users can read on "
				   "the command line; give --user and "
				   "TLCPACK_PASSWORD or --password-file");
		goto out;
	}
	if (curl_url_get(h, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		rc = tlc_error_set(err, TLC_EPOLICY, "'%s' has a fragment, "
				   "which is never sent", u->url);
		goto out;
	}
	u->cleartext = !strcmp(scheme, "http") && strcmp(host, "localhost") &&
		       strncmp(host, "127.", 4) && strcmp(host, "[::1]");
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(frag);
	curl_url_cleanup(h);
	return rc;
}

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct http_upload *u = data;
	size_t len = size * n, keep = len;

	/* the last status line wins: a 100 Continue comes first */
	if (len >= 5 && !memcmp(buf, "HTTP/", 5)) {
		while (keep && (buf[keep - 1] == '\n' || buf[keep - 1] == '\r'))
			keep--;
		if (keep >= sizeof(u->status_line))
			keep = sizeof(u->status_line) - 1;
		memcpy(u->status_line, buf, keep);
		u->status_line[keep] = '\0';
		tlc_buf_reset(&u->reply);
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct http_upload *u = data;
	size_t len = size * n, room = u->reply_max - u->reply.len;

	/* the rest is read and dropped: only a message is wanted */
	if (room && tlc_buf_put(&u->reply, buf, len < room ? len : room) < 0)
		return 0;
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *data)
{
	struct http_upload_wheel *w = data;
	size_t want = size * n;
	ssize_t got;

	if (w->pos >= w->size)
		return 0;
	if (want > w->size - w->pos)
		want = (size_t)(w->size - w->pos);
	do
		got = pread(w->fd, buf, want, (off_t)w->pos);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		w->read_errno = got < 0 ? errno : EIO;	/* it shrank */
		return CURL_READFUNC_ABORT;
	}
	w->pos += (uint64_t)got;
	return (size_t)got;
}

static int on_seek(void *data, curl_off_t offset, int origin)
{
	struct http_upload_wheel *w = data;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > w->size)
		return CURL_SEEKFUNC_CANTSEEK;
	w->pos = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_upload *u = data;
	struct tlc_progress p = { "upload", u->subject, 0, 0, 0 };

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (!u->w)
		return 0;
	p.done = u->w->pos;
	p.total = u->w->size;
	if (u->opts.progress && (!u->reporting || p.done != u->reported)) {
		u->opts.progress(&p, u->opts.progress_data);
		u->reporting = true;
		u->reported = p.done;
	}
	return 0;
}

int http_upload_new(struct http_upload **out,
		    const struct http_upload_opts *opts, struct tlc_error *err)
{
	struct http_upload *u;
	CURL *c;
	int rc;

	*out = NULL;
	if (!opts->url)
		return tlc_error_set(err, TLC_EPOLICY, "no upload URL");
	if (opts->user && (strchr(opts->user, ':') || has_ctl(opts->user) ||
			   !*opts->user))
		return tlc_error_set(err, TLC_EPOLICY, "the user name '%s' is "
				     "empty or holds a ':' or a control "
				     "character (RFC 7617 section 2)",
				     opts->user);
	if (opts->user && opts->password && has_ctl(opts->password))
		return tlc_error_set(err, TLC_EPOLICY, "the password holds a "
				     "control character (RFC 7617 section 2)");
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return tlc_error_set(err, TLC_ERROR, "cannot set up libcurl");
	if (!(u = calloc(1, sizeof(*u)))) {
		curl_global_cleanup();
		return oom(err);
	}
	u->opts = *opts;
	tlc_buf_init(&u->reply, 0);
	if (!(u->url = strdup(opts->url)) ||
	    (opts->user && !(u->user = strdup(opts->user))) ||
	    (opts->user && !(u->password = strdup(opts->password ?
						   opts->password : ""))) ||
	    (opts->cacert && !(u->cacert = strdup(opts->cacert))) ||
	    !(u->curl = curl_easy_init())) {
		rc = oom(err);
		goto fail;
	}
	if (!u->opts.tries)
		u->opts.tries = 3;
	if (!u->opts.retry_delay_ms)
		u->opts.retry_delay_ms = 1000;
	if ((rc = check_url(u, err)) < 0)
		goto fail;
	c = u->curl;
	if (curl_easy_setopt(c, CURLOPT_URL, u->url) ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, u->errbuf) ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "tlcpack/" TLC_VERSION) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L) ||
	    /* a stalled transfer, or a server silent for 5 minutes (it
	     * may be verifying a big wheel), is given up */
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 300L) ||
	    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, u) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, u) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, u) ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) ||
	    (u->cacert && curl_easy_setopt(c, CURLOPT_CAINFO, u->cacert))) {
		rc = tlc_error_set(err, TLC_ERROR, "libcurl refused an "
				   "option");
		goto fail;
	}
	/* Basic, sent with the first request, as twine does (RFC 7617) */
	if (u->user &&
	    (curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) ||
	     curl_easy_setopt(c, CURLOPT_USERNAME, u->user) ||
	     curl_easy_setopt(c, CURLOPT_PASSWORD, u->password))) {
		rc = tlc_error_set(err, TLC_ERROR, "libcurl refused the "
				   "credentials");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	http_upload_free(u);
	return rc;
}

bool http_upload_cleartext(const struct http_upload *u)
{
	return u->cleartext;
}

/* The form of an upload: made again for each try. */
static int wheel_form(struct http_upload *u, const void *data,
		      curl_mime **out)
{
	struct http_upload_wheel *w = u->w;
	curl_mime *mime = curl_mime_init(u->curl);
	curl_mimepart *part;

	(void)data;
	*out = mime;
	if (!mime)
		return -1;
	w->pos = 0;
	w->read_errno = 0;
	for (size_t i = 0; i < w->n; i++)
		if (!(part = curl_mime_addpart(mime)) ||
		    curl_mime_name(part, w->fields[i].name) ||
		    curl_mime_data(part, w->fields[i].value,
				   CURL_ZERO_TERMINATED))
			return -1;
	/* the file, last, streamed from the descriptor that was hashed */
	if (!(part = curl_mime_addpart(mime)) ||
	    curl_mime_name(part, "content") ||
	    curl_mime_filename(part, w->base) ||
	    curl_mime_type(part, "application/octet-stream") ||
	    curl_mime_data_cb(part, (curl_off_t)w->size, on_read, on_seek,
			      NULL, w))
		return -1;
	return 0;
}

/* Printable text: control characters (a hostile server's escape
 * sequences) become '?', and it is cut to REASON_MAX bytes. */
static void sanitize(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len && o + 1 < size && o < REASON_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[o] = '\0';
}

/* The reason phrase of the status line, or "" (HTTP/2 has none). */
static void reason_phrase(char *out, size_t size, const char *line)
{
	const char *p = strchr(line, ' ');

	p = p ? strchr(p + 1, ' ') : NULL;
	sanitize(out, size, p ? p + 1 : "", p ? strlen(p + 1) : 0);
}

/* The first line of the reply body that is not blank, or "". */
static void first_line(char *out, size_t size, const struct tlc_buf *b)
{
	const char *p = b->ptr, *end = b->ptr + b->len;

	*out = '\0';
	while (p < end && !*out) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;

		sanitize(out, size, p, (size_t)(stop - p));
		p = stop + 1;
	}
}

static const char *standard_reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	default: return "";
	}
}

/*
 * The server's reason: its reason phrase when it says more than the
 * standard one (warehouse puts its message there), else the first line
 * of the body, else the phrase.
 */
static void server_reason(struct http_upload *u, long status, char *out,
			  size_t size)
{
	char phrase[REASON_MAX + 1], line[REASON_MAX + 1];

	reason_phrase(phrase, sizeof(phrase), u->status_line);
	first_line(line, sizeof(line), &u->reply);
	if (*phrase && strcasecmp(phrase, standard_reason(status)) &&
	    strcasecmp(phrase, "Payload Too Large"))
		snprintf(out, size, "%s", phrase);
	else if (*line && line[0] != '<')	/* not an HTML page */
		snprintf(out, size, "%s", line);
	else
		snprintf(out, size, "%s", *phrase ? phrase :
			 standard_reason(status));
}

/* A reply that settles it: 0, or the error for it. */
static int judge(struct http_upload *u, long status, struct tlc_error *err)
{
	const char *base = u->subject;
	char reason[REASON_MAX + 1], who[128];
	char *loc = NULL;

	if (status >= 200 && status < 300)
		return 0;
	server_reason(u, status, reason, sizeof(reason));
	switch (status) {
	case 409:
		return tlc_error_set(err, TLC_EEXISTS, "%s: the server has "
				     "this file name with other bytes (409)",
				     base);
	case 401:
		if (!u->user)
			return tlc_error_set(err, TLC_EPOLICY, "%s: the server "
					     "wants credentials (401); give "
					     "--user or --token-file", base);
		return tlc_error_set(err, TLC_EPOLICY, "%s: the server refused "
				     "the %s (401)", base,
				     strcmp(u->user, "__token__") ?
				     "user name or password" : "token");
	case 403:
		if (!u->user)
			snprintf(who, sizeof(who), "anonymous users");
		else if (!strcmp(u->user, "__token__"))
			snprintf(who, sizeof(who), "this token");
		else
			snprintf(who, sizeof(who), "'%.100s'", u->user);
		return tlc_error_set(err, TLC_EPOLICY, "%s: the server does "
				     "not let %s %s it (403): %s", base, who,
				     u->verb, reason);
	case 413:
		return tlc_error_set(err, TLC_EPOLICY, "%s: the server refused "
				     "it as too large (413)", base);
	}
	if (status >= 300 && status < 400) {
		curl_easy_getinfo(u->curl, CURLINFO_REDIRECT_URL, &loc);
		if (!loc)
			return tlc_error_set(err, TLC_EPOLICY, "%s: the server "
					     "redirected (%ld) without a "
					     "Location", base, status);
		sanitize(reason, sizeof(reason), loc, strlen(loc));
		return tlc_error_set(err, TLC_EPOLICY, "%s: the server "
				     "redirected to %s; use that URL", base,
				     reason);
	}
	return tlc_error_set(err, TLC_EPOLICY, "%s: the server refused it "
			     "(%ld): %s", base, status, reason);
}

/* Is a transfer that failed with @rc worth another try? */
static bool transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
	case CURLE_WEIRD_SERVER_REPLY:
		return true;
	default:
		return false;
	}
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

typedef int (*form_fn)(struct http_upload *u, const void *data,
		       curl_mime **out);

/*
 * POST the form that @form makes to @url (NULL: the upload URL), trying
 * again on a 5xx or a network failure; u->subject names the request in
 * the messages.
 */
static int post(struct http_upload *u, const char *url, form_fn form,
		const void *data, long *status_out, struct tlc_error *err)
{
	unsigned delay = u->opts.retry_delay_ms;
	long status = 0;
	int rc = 0;

	if (status_out)
		*status_out = 0;
	if (url && curl_easy_setopt(u->curl, CURLOPT_URL, url))
		return oom(err);
	for (unsigned attempt = 1;; attempt++) {
		struct http_upload_retry r = { u->subject, NULL, attempt,
					       delay };
		curl_mime *mime = NULL;
		char why[CURL_ERROR_SIZE + 64];
		CURLcode cc;
		bool again;

		u->errbuf[0] = '\0';
		u->status_line[0] = '\0';
		u->reporting = false;
		tlc_buf_reset(&u->reply);
		status = 0;
		if (form(u, data, &mime) < 0 ||
		    curl_easy_setopt(u->curl, CURLOPT_MIMEPOST, mime)) {
			curl_mime_free(mime);
			rc = oom(err);
			break;
		}
		cc = curl_easy_perform(u->curl);
		curl_easy_setopt(u->curl, CURLOPT_MIMEPOST, NULL);
		curl_mime_free(mime);
		if (u->w && u->reporting && u->opts.progress) {
			struct tlc_progress p = { "upload", u->subject,
						  u->w->pos, u->w->size, 1 };

			u->opts.progress(&p, u->opts.progress_data);
		}
		if (cc == CURLE_OK)
			curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE,
					  &status);
		if (status_out)
			*status_out = status;
		if (u->w && u->w->read_errno) {
			errno = u->w->read_errno;
			rc = tlc_error_errno(err, TLC_EIO, "cannot read '%s' "
					     "(did it change?)", u->w->path);
			break;
		}
		if (cc == CURLE_OK && status < 500) {
			rc = judge(u, status, err);
			break;
		}
		if (cc == CURLE_OK) {
			char phrase[REASON_MAX + 1];

			reason_phrase(phrase, sizeof(phrase), u->status_line);
			snprintf(why, sizeof(why), "the server failed "
				 "(%ld%s%s)", status, *phrase ? " " : "",
				 phrase);
			again = true;
		} else {
			snprintf(why, sizeof(why), "%s", u->errbuf[0] ?
				 u->errbuf : curl_easy_strerror(cc));
			again = transient(cc);
		}
		if (!again || attempt >= u->opts.tries) {
			if (again && u->opts.tries > 1)
				rc = tlc_error_set(err, TLC_EIO, "%s: %s, %u "
						   "times", u->subject, why,
						   attempt);
			else
				rc = tlc_error_set(err, TLC_EIO, "%s: %s",
						   u->subject, why);
			break;
		}
		r.why = why;
		if (u->opts.retry)
			u->opts.retry(&r, u->opts.retry_data);
		sleep_ms(delay);
		delay = delay > 60000 ? 120000 : delay * 2;
	}
	if (url && curl_easy_setopt(u->curl, CURLOPT_URL, u->url) &&
	    rc == 0)
		rc = oom(err);
	return rc;
}

int http_upload_send(struct http_upload *u, struct http_upload_wheel *w,
		     long *status, struct tlc_error *err)
{
	int rc;

	u->subject = w->base;
	u->verb = "upload";
	u->w = w;
	u->reply_max = REPLY_MAX;
	rc = post(u, NULL, wheel_form, NULL, status, err);
	u->w = NULL;
	return rc;
}

/* ---- prune --------------------------------------------------------------- */

struct prune_form {
	const char *project;
	char keep[16];
	bool delete, dry_run;
};

static int prune_form(struct http_upload *u, const void *data,
		      curl_mime **out)
{
	const struct prune_form *f = data;
	const char *fields[][2] = {
		{ "name", f->project },
		{ "keep", f->keep },
		{ "delete", f->delete ? "1" : "0" },
		{ "dry_run", f->dry_run ? "1" : "0" },
	};
	curl_mime *mime = curl_mime_init(u->curl);
	curl_mimepart *part;

	*out = mime;
	if (!mime)
		return -1;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!(part = curl_mime_addpart(mime)) ||
		    curl_mime_name(part, fields[i][0]) ||
		    curl_mime_data(part, fields[i][1], CURL_ZERO_TERMINATED))
			return -1;
	return 0;
}

/* The upload URL with the path /-/prune: tlcpack serve's endpoints are
 * at its root, whatever path the upload URL has (/ or /legacy/). */
static int prune_url(struct http_upload *u, char **out,
		     struct tlc_error *err)
{
	CURLU *h = curl_url();
	int rc = 0;

	*out = NULL;
	if (!h || curl_url_set(h, CURLUPART_URL, u->url, 0) ||
	    curl_url_set(h, CURLUPART_PATH, "/-/prune", 0) ||
	    curl_url_set(h, CURLUPART_QUERY, NULL, 0) ||
	    curl_url_get(h, CURLUPART_URL, out, 0))
		rc = oom(err);
	curl_url_cleanup(h);
	return rc;
}

int http_upload_prune(struct http_upload *u, const char *project,
		      unsigned keep, bool delete, bool dry_run,
		      struct tlc_buf *report, struct tlc_error *err)
{
	struct prune_form f = { project, "", delete, dry_run };
	char subject[TLC_NAME_MAX + 16];
	char *url;
	int rc;

	snprintf(f.keep, sizeof(f.keep), "%u", keep);
	snprintf(subject, sizeof(subject), "prune %s", project);
	if ((rc = prune_url(u, &url, err)) < 0)
		return rc;
	u->subject = subject;
	u->verb = "prune";
	u->reply_max = REPORT_MAX;
	rc = post(u, url, prune_form, &f, NULL, err);
	curl_free(url);
	if (rc == 0 && tlc_buf_put(report, u->reply.ptr, u->reply.len) < 0)
		rc = oom(err);
	u->subject = NULL;
	return rc;
}

void http_upload_free(struct http_upload *u)
{
	if (!u)
		return;
	if (u->curl)
		curl_easy_cleanup(u->curl);
	free(u->url);
	free(u->user);
	wipe_free(u->password);
	free(u->cacert);
	tlc_buf_release(&u->reply);
	free(u);
	curl_global_cleanup();
}
