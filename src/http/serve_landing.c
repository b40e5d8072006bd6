/*
 * tlcpack serve: the landing page "/", for people: each project with its
 * versions and the variants (sub-indexes) it is in, the pip command lines
 * that install from here, and the disclaimer that these are not official
 * releases.
 *
 * It is made from the public pages, as any client would read them
 * (index.h): simple/index.json for the projects, simple/<p>/index.json
 * for their versions (PEP 700 "versions"), and <v>/simple/index.json for
 * each variant <v> (a directory at the top holding simple/index.json).
 * The state under .tlcpack/ is the writer's private format, so it is not
 * read.  Every publish and yank rewrites wheels.html (repo.h), so the
 * page is rendered again only when wheels.html is a new file (device,
 * inode, mtime).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include "tlcpack/urlpath.h"
#include "text.h"

#include "banned.h"

#define PAGE_JSON_MAX (64u << 20)	/* bytes in one index.json read */
#define VARIANTS_MAX 64

static const char disclaimer[] =
	"Not an official release of any upstream project: these wheels "
	"were built from unchanged source by tlcpack.";

/* HTML text and attribute values: see tlc__html_entity(). */
static int put_html(struct tlc_buf *b, const char *s)
{
	for (; *s; s++) {
		const char *rep = tlc__html_entity(*s);
		int rc = rep ? tlc_buf_puts(b, rep) : tlc_buf_putc(b, *s);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Parse the JSON file @rel beneath the repository; NULL if it is not
 * there or not JSON. */
static json_t *read_json(int rootfd, const char *rel)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf b = TLC_BUF_INIT_MAX(PAGE_JSON_MAX);
	json_t *j = NULL;
	char chunk[65536];
	ssize_t n;
	int fd = tlc_urlpath_open(rootfd, rel, O_RDONLY | O_CLOEXEC, &err);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (tlc_buf_put(&b, chunk, (size_t)n) < 0)
			goto out;
	if (n == 0)
		j = json_loadb(b.ptr, b.len, 0, NULL);
out:
	close(fd);
	tlc_buf_release(&b);
	return j;
}

/* Is @name one of the project names in @list (simple/index.json)? */
static bool lists(json_t *list, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(list, "projects"), i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The variants: top-level directories with simple/index.json. */
static size_t read_variants(int rootfd, char **names, json_t **lists_,
			    size_t max)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) && n < max) {
		char rel[300];
		json_t *j;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "simple") ||
		    !strcmp(e->d_name, "files") || e->d_type != DT_DIR ||
		    strlen(e->d_name) > 200)
			continue;
		snprintf(rel, sizeof(rel), "%s/simple/index.json", e->d_name);
		if (!(j = read_json(rootfd, rel)))
			continue;
		if (!(names[n] = strdup(e->d_name))) {
			json_decref(j);
			break;
		}
		lists_[n++] = j;
	}
	closedir(d);
	/* sort names and their lists together */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && cmp_str(&names[k - 1],
						    &names[k]) > 0; k--) {
			char *t = names[k];
			json_t *tj = lists_[k];

			names[k] = names[k - 1];
			lists_[k] = lists_[k - 1];
			names[k - 1] = t;
			lists_[k - 1] = tj;
		}
	return n;
}

static int render(struct tlc_buf *b, int rootfd, const char *host)
{
	char *vnames[VARIANTS_MAX];
	json_t *vlists[VARIANTS_MAX], *root, *p;
	size_t nv, i;
	int rc = 0;

	nv = read_variants(rootfd, vnames, vlists, VARIANTS_MAX);
	root = read_json(rootfd, "simple/index.json");
	rc |= tlc_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			   "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
			   "content=\"width=device-width\">\n"
			   "<title>Wheel index</title>\n</head>\n<body>\n"
			   "<h1>Wheel index</h1>\n<p><strong>");
	rc |= put_html(b, disclaimer);
	rc |= tlc_buf_puts(b, "</strong></p>\n<h2>Install</h2>\n<pre>pip "
			   "install --index-url http://");
	rc |= put_html(b, host);
	rc |= tlc_buf_puts(b, "/simple/ PROJECT\n");
	for (i = 0; i < nv; i++) {
		rc |= tlc_buf_puts(b, "pip install --index-url http://");
		rc |= put_html(b, host);
		rc |= tlc_buf_putc(b, '/');
		rc |= put_html(b, vnames[i]);
		rc |= tlc_buf_puts(b, "/simple/ PROJECT\n");
	}
	rc |= tlc_buf_puts(b, "</pre>\n<p>Also: <a href=\"wheels.html\">"
			   "wheels.html</a> for <code>pip install -f</code>, "
			   "and <a href=\"simple/\">simple/</a> (PEP 503, "
			   "PEP 691).</p>\n<h2>Projects</h2>\n");
	if (!root || !json_array_size(json_object_get(root, "projects")))
		rc |= tlc_buf_puts(b, "<p>No project yet.</p>\n");
	else
		rc |= tlc_buf_puts(b, "<ul>\n");
	json_array_foreach(json_object_get(root, "projects"), i, p) {
		const char *name = json_string_value(json_object_get(p,
								     "name"));
		char rel[300];
		json_t *page, *v;
		size_t k;
		bool first = true;

		if (!name || strlen(name) > 200)
			continue;
		snprintf(rel, sizeof(rel), "simple/%s/index.json", name);
		page = read_json(rootfd, rel);
		rc |= tlc_buf_puts(b, "<li><a href=\"simple/");
		rc |= put_html(b, name);
		rc |= tlc_buf_puts(b, "/\">");
		rc |= put_html(b, name);
		rc |= tlc_buf_puts(b, "</a>: ");
		json_array_foreach(json_object_get(page, "versions"), k, v) {
			const char *s = json_string_value(v);

			if (!s)
				continue;
			rc |= tlc_buf_puts(b, first ? "" : ", ");
			rc |= put_html(b, s);
			first = false;
		}
		first = true;
		for (k = 0; k < nv; k++) {
			if (!lists(vlists[k], name))
				continue;
			rc |= tlc_buf_puts(b, first ? "; variants: " : ", ");
			rc |= tlc_buf_puts(b, "<a href=\"");
			rc |= put_html(b, vnames[k]);
			rc |= tlc_buf_puts(b, "/simple/");
			rc |= put_html(b, name);
			rc |= tlc_buf_puts(b, "/\">");
			rc |= put_html(b, vnames[k]);
			rc |= tlc_buf_puts(b, "</a>");
			first = false;
		}
		rc |= tlc_buf_puts(b, "</li>\n");
		json_decref(page);
	}
	if (root && json_array_size(json_object_get(root, "projects")))
		rc |= tlc_buf_puts(b, "</ul>\n");
	rc |= tlc_buf_puts(b, "</body>\n</html>\n");
	json_decref(root);
	for (i = 0; i < nv; i++) {
		free(vnames[i]);
		json_decref(vlists[i]);
	}
	return rc ? TLC_ENOMEM : 0;
}

int serve__landing(struct serve_req *r, bool head)
{
	struct serve *s = r->s;
	struct MHD_Response *resp;
	struct stat st;
	uint64_t key[3] = { 0, 0, 0 };
	const char *host = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	char hostbuf[256];
	size_t len;

	(void)head;
	/* the Host field is the client's: it is only shown, escaped, and
	 * cut; the cache is keyed by it too, as one last host */
	snprintf(hostbuf, sizeof(hostbuf), "%s", host ? host : "localhost");
	if (!fstatat(s->rootfd, "wheels.html", &st, AT_SYMLINK_NOFOLLOW)) {
		key[0] = (uint64_t)st.st_dev;
		key[1] = (uint64_t)st.st_ino;
		key[2] = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
			 (uint64_t)st.st_mtim.tv_nsec;
	}
	pthread_mutex_lock(&s->landing_lock);
	if (!s->landing.len || memcmp(key, s->landing_key, sizeof(key)) ||
	    strcmp(hostbuf, s->landing_host)) {
		tlc_buf_reset(&s->landing);
		if (render(&s->landing, s->rootfd, hostbuf) < 0) {
			tlc_buf_reset(&s->landing);
			pthread_mutex_unlock(&s->landing_lock);
			return serve__reply_text(r, 500, "out of memory");
		}
		memcpy(s->landing_key, key, sizeof(key));
		snprintf(s->landing_host, sizeof(s->landing_host), "%s",
			 hostbuf);
	}
	len = s->landing.len;
	/* a copy: the page may be rendered again once the lock is let go */
	resp = MHD_create_response_from_buffer(len, s->landing.ptr,
					       MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&s->landing_lock);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/html; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				s->o.private ? "private, max-age=60" :
				"public, max-age=60");
	r->status = MHD_HTTP_OK;
	r->bytes = r->head ? 0 : len;
	{
		enum MHD_Result ret = MHD_queue_response(r->c, MHD_HTTP_OK,
							 resp);

		MHD_destroy_response(resp);
		return ret;
	}
}
