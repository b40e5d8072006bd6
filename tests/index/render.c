/*
 * tlc_index_render REPO: write the index pages of the wheels under
 * REPO/files/<project>/<name>.whl, as a repository lays them out, for
 * tests/index/pip.sh to hand to real pip.
 *
 * Beside each wheel, optional files give what a repository would know:
 *   <wheel>.metadata          the PEP 658 core metadata file
 *   <wheel>.yanked            the file is yanked; the yank reason (PEP 592)
 *   <wheel>.requires-python   the Requires-Python specifier
 * The version is the wheel's file name's second field; every file's
 * upload time is 2023-11-14T22:13:20Z.
 *
 * wheels.html is assembled from one tlc_index_flat_links() fragment per
 * project and must equal tlc_index_flat_html() of all files.
 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "tlcpack/buf.h"
#include "tlcpack/error.h"
#include "tlcpack/index.h"

#define MAXFILES 64
#define MAXPROJECTS 16

static _Noreturn void die(const char *what, const struct tlc_error *err)
{
	fprintf(stderr, "tlc_index_render: %s%s%s\n", what, err ? ": " : "",
		err ? err->msg : "");
	exit(1);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entries of @dir ending in @suffix ("" for all but dots). */
static size_t list(char **out, size_t max, const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, len, slen = strlen(suffix);

	if (!d)
		die(dir, NULL);
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < slen ||
		    strcmp(e->d_name + len - slen, suffix))
			continue;
		if (n == max)
			die("too many entries", NULL);
		out[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_str);
	return n;
}

/*
 * The bytes of @path in @b, without trailing newlines if @trim, or NULL
 * if there is no such file.
 */
static char *slurp(const char *path, struct tlc_buf *b, bool trim)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct stat st;

	tlc_buf_reset(b);
	if (stat(path, &st) < 0)
		return NULL;
	if (tlc_buf_read_file(b, path, &err) < 0)
		die(path, &err);
	while (trim && b->len && b->ptr[b->len - 1] == '\n')
		tlc_buf_truncate(b, b->len - 1);
	return b->ptr;
}

static void sha256(unsigned char *md, const struct tlc_buf *b)
{
	if (!EVP_Digest(b->ptr, b->len, md, NULL, EVP_sha256(), NULL))
		die("cannot compute SHA-256", NULL);
}

static void write_file(const char *path, const struct tlc_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(b->ptr, 1, b->len, f) != b->len || fclose(f))
		die(path, NULL);
}

int main(int argc, char **argv)
{
	struct tlc_index_file files[MAXFILES] = { { 0 } };
	struct tlc_index_opts flat_o = { "", NULL };
	struct tlc_index_opts proj_o = { "../../", NULL };
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_buf page = TLC_BUF_INIT, whole = TLC_BUF_INIT,
		       tmp = TLC_BUF_INIT;
	char *projects[MAXPROJECTS], *names[MAXFILES], path[PATH_MAX * 2];
	size_t np, nw, n = 0, first, i, k;

	if (argc != 2) {
		fprintf(stderr, "usage: tlc_index_render REPO\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/files", argv[1]);
	np = list(projects, MAXPROJECTS, path, "");
	snprintf(path, sizeof(path), "%s/simple", argv[1]);
	if (mkdir(path, 0755) < 0)
		die(path, NULL);
	if (tlc_index_flat_begin(&page, &err) < 0)
		die("wheels.html", &err);
	for (i = 0; i < np; i++) {
		snprintf(path, sizeof(path), "%s/files/%s", argv[1],
			 projects[i]);
		first = n;
		nw = list(names, MAXFILES - n, path, ".whl");
		for (k = 0; k < nw; k++, n++) {
			struct tlc_index_file *f = &files[n];
			char *dash;

			f->filename = names[k];
			f->project = projects[i];
			dash = strchr(names[k], '-');
			f->version = strndup(dash + 1,
					     strcspn(dash + 1, "-"));
			f->upload_time = 1700000000;
			snprintf(path, sizeof(path), "%s/files/%s/%s", argv[1],
				 projects[i], names[k]);
			if (!slurp(path, &tmp, false))
				die(path, NULL);
			f->size = tmp.len;
			sha256(f->sha256, &tmp);
			snprintf(path, sizeof(path), "%s/files/%s/%s.metadata",
				 argv[1], projects[i], names[k]);
			if ((f->has_metadata = slurp(path, &tmp, false)))
				sha256(f->metadata_sha256, &tmp);
			snprintf(path, sizeof(path), "%s/files/%s/%s.yanked",
				 argv[1], projects[i], names[k]);
			if (slurp(path, &tmp, true))
				f->yanked = strdup(tmp.ptr);
			snprintf(path, sizeof(path),
				 "%s/files/%s/%s.requires-python", argv[1],
				 projects[i], names[k]);
			if (slurp(path, &tmp, true))
				f->requires_python = strdup(tmp.ptr);
		}
		/* this project's fragment of wheels.html */
		if (tlc_index_flat_links(&page, files + first, nw, &flat_o,
					 &err) < 0)
			die("wheels.html", &err);
		/* its pages */
		tlc_buf_reset(&whole);
		if (tlc_index_project_html(&whole, projects[i], files + first,
					   nw, &proj_o, &err) < 0)
			die(projects[i], &err);
		snprintf(path, sizeof(path), "%s/simple/%s", argv[1],
			 projects[i]);
		if (mkdir(path, 0755) < 0)
			die(path, NULL);
		snprintf(path, sizeof(path), "%s/simple/%s/index.html",
			 argv[1], projects[i]);
		write_file(path, &whole);
		tlc_buf_reset(&whole);
		if (tlc_index_project_json(&whole, projects[i], files + first,
					   nw, &proj_o, &err) < 0)
			die(projects[i], &err);
		snprintf(path, sizeof(path), "%s/simple/%s/index.json",
			 argv[1], projects[i]);
		write_file(path, &whole);
	}
	if (tlc_index_flat_end(&page, &err) < 0)
		die("wheels.html", &err);
	tlc_buf_reset(&whole);
	if (tlc_index_flat_html(&whole, files, n, &flat_o, &err) < 0)
		die("wheels.html", &err);
	if (whole.len != page.len || memcmp(whole.ptr, page.ptr, page.len))
		die("wheels.html from fragments differs from the whole page",
		    NULL);
	snprintf(path, sizeof(path), "%s/wheels.html", argv[1]);
	write_file(path, &page);

	tlc_buf_reset(&page);
	if (tlc_index_root_html(&page, (const char *const *)projects, np,
				&err) < 0)
		die("simple/index.html", &err);
	snprintf(path, sizeof(path), "%s/simple/index.html", argv[1]);
	write_file(path, &page);
	tlc_buf_reset(&page);
	if (tlc_index_root_json(&page, (const char *const *)projects, np,
				&err) < 0)
		die("simple/index.json", &err);
	snprintf(path, sizeof(path), "%s/simple/index.json", argv[1]);
	write_file(path, &page);
	for (i = 0; i < n; i++) {
		free((char *)files[i].filename);
		free((char *)files[i].version);
		free((char *)files[i].yanked);
		free((char *)files[i].requires_python);
	}
	for (i = 0; i < np; i++)
		free(projects[i]);
	tlc_buf_release(&page);
	tlc_buf_release(&whole);
	tlc_buf_release(&tmp);
	return 0;
}
