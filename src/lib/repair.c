/*
 * Repairing wheels for a manylinux policy; see repair.h.
 *
 * The audit (audit.c) says where every needed library resolves and, for
 * the target policy, which host libraries to graft and which members to
 * edit.  Here the grafted copies and the edited members are made in a
 * temporary directory, each ELF edit one patchelf call, each edited file
 * read back and checked (check_edit()), and the new wheel is written with
 * every other member copied raw.  Last, the new wheel is audited again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "auditint.h"
#include "fs.h"
#include "proc.h"
#include "tlcpack/repair.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"

#include "banned.h"

#define REPAIR_JSON "tlcpack-repair.json"
#define LOG_TAIL 400		/* bytes of patchelf's output in messages */

/* A file the repair edits: a grafted library or a member. */
struct edit {
	const struct tlc_audit_elf *from;
	char *tmp;			/* the copy being edited */
	char *arcname;			/* where it goes in the wheel */
	char *newname;			/* grafted: the new file name/SONAME */
	char *package;			/* grafted: the Debian package */
	char *license;			/* grafted: its licence file */
	char *license_arc;		/* grafted: its place in the wheel */
	unsigned char sha256[32];	/* grafted: of the original */
	uint64_t size;			/* of the file, for progress */
	/* what it must look like afterwards */
	const char **needed;
	const char *soname;
	char *runpath;
	bool force_rpath;		/* keep DT_RPATH (it had no RUNPATH) */
};

struct repair {
	const struct tlc_repair_opts *opts;
	struct tlc_audit *audit;
	const struct tlc_policy *policy;
	struct tlc__audit_plan plan;
	struct tlc_buf tmpdir;
	struct tlc_buf patchelf;
	char *libs_dir;			/* "<pkg>.libs" */
	struct edit *libs;		/* [audit->nlibs]; tmp set if grafted */
	struct edit *members;		/* [audit->nmembers]; tmp set if edited */
	size_t nedits;
	uint64_t done, total;		/* bytes of the files edited */
};

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void report(const struct repair *r, const char *item, int finished)
{
	struct tlc_progress pr;

	if (!r->opts->progress)
		return;
	pr.step = "repair";
	pr.item = item;
	pr.done = r->done;
	pr.total = r->total;
	pr.finished = finished;
	r->opts->progress(&pr, r->opts->progress_data);
}

/* ---- names and paths ---------------------------------------------------- */

/* "libgomp.so.1" with digest "a1b2c3d4..." -> "libgomp-a1b2c3d4.so.1"
 * (auditwheel's naming, so tools that know it recognize the copies). */
static char *graft_name(const char *soname, const unsigned char *sha)
{
	const char *so = strstr(soname, ".so");
	struct tlc_buf b = TLC_BUF_INIT;
	size_t stem = so ? (size_t)(so - soname) : strlen(soname);

	if (tlc_buf_put(&b, soname, stem) < 0 ||
	    tlc_buf_printf(&b, "-%02x%02x%02x%02x%s", sha[0], sha[1], sha[2],
			   sha[3], so ? so : "") < 0) {
		tlc_buf_release(&b);
		return NULL;
	}
	return tlc_buf_detach(&b, NULL);
}

/* The install directory of a member ("x.data/platlib/" stripped). */
static int member_dir(struct tlc_buf *out, const char *member)
{
	const char *slash = strchr(member, '/');
	const char *last;

	if (slash && slash - member > 5 && !memcmp(slash - 5, ".data", 5) &&
	    (!strncmp(slash, "/platlib/", 9) || !strncmp(slash, "/purelib/", 9)))
		member = slash + 9;
	last = strrchr(member, '/');
	tlc_buf_reset(out);
	return tlc_buf_put(out, member, last ? (size_t)(last - member) : 0);
}

/* "$ORIGIN/<path from directory @from to directory @to>", both relative
 * to site-packages. */
static int origin_path(struct tlc_buf *out, const char *from, const char *to)
{
	/* drop the leading components they share */
	for (;;) {
		size_t fn = strcspn(from, "/"), tn = strcspn(to, "/");

		if (!fn || fn != tn || memcmp(from, to, fn))
			break;
		from += fn + (from[fn] == '/');
		to += tn + (to[tn] == '/');
	}
	tlc_buf_reset(out);
	if (tlc_buf_puts(out, "$ORIGIN") < 0)
		return TLC_ENOMEM;
	while (*from) {
		size_t n = strcspn(from, "/");

		if (n && tlc_buf_puts(out, "/..") < 0)
			return TLC_ENOMEM;
		from += n + (from[n] == '/');
	}
	if (*to && tlc_buf_printf(out, "/%s", to) < 0)
		return TLC_ENOMEM;
	return 0;
}

/* Append run-path entry @entry to @rp unless it is there. */
static int add_entry(struct tlc_buf *rp, const char *entry)
{
	size_t n = strlen(entry);

	for (const char *p = rp->ptr; *p;) {
		size_t k = strcspn(p, ":");

		if (k == n && !memcmp(p, entry, n))
			return 0;
		p += k + (p[k] == ':');
	}
	if (rp->len && tlc_buf_putc(rp, ':') < 0)
		return TLC_ENOMEM;
	return tlc_buf_puts(rp, entry);
}

/* ---- running patchelf --------------------------------------------------- */

/* One edit: `patchelf <args...> <file>`.  One per call: patchelf 0.14.3
 * corrupts files when several edits are combined (NixOS/patchelf#359). */
static int patchelf(struct repair *r, const char *file, const char *a1,
		    const char *a2, const char *a3, struct tlc_error *err)
{
	const char *argv[6];
	struct tlc_buf log = TLC_BUF_INIT, text = TLC_BUF_INIT_MAX(1 << 16);
	struct tlc__proc p = { argv, NULL, NULL, NULL, NULL };
	struct tlc_error ignored;
	int status, rc;
	size_t n = 0;

	argv[n++] = r->patchelf.ptr;
	argv[n++] = a1;
	if (a2)
		argv[n++] = a2;
	if (a3)
		argv[n++] = a3;
	argv[n++] = file;
	argv[n] = NULL;
	if (tlc_buf_printf(&log, "%s/patchelf.log", r->tmpdir.ptr) < 0)
		return oom(err);
	unlink(log.ptr);
	p.log_path = log.ptr;
	if ((rc = tlc__proc_run(&p, &status, err)) == 0 && status) {
		tlc_buf_read_file(&text, log.ptr, &ignored);
		while (text.len && (text.ptr[text.len - 1] == '\n'))
			tlc_buf_truncate(&text, text.len - 1);
		for (size_t i = 0; i < text.len; i++)
			if (text.ptr[i] == '\n')
				text.ptr[i] = ' ';
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "patchelf %s failed on %s (status %d): %s",
				   a1, base_of(file), status,
				   text.len > LOG_TAIL ?
				   text.ptr + text.len - LOG_TAIL :
				   text.len ? text.ptr : "no output");
	}
	tlc_buf_release(&log);
	tlc_buf_release(&text);
	return rc;
}

/* ---- checking an edit --------------------------------------------------- */

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The name a verneed entry's file must have after the edit. */
static const char *mapped(const struct edit *ed, const char *file)
{
	for (size_t i = 0; i < ed->from->elf->nneeded; i++)
		if (!strcmp(ed->from->elf->needed[i], file))
			return ed->needed[i];
	return file;
}

/*
 * Read the edited file back and check every invariant: the NEEDED list,
 * the SONAME and run path are what was asked, the version needs are the
 * same versions under the new file names, the machine is unchanged, and
 * every PT_LOAD is aligned (p_offset = p_vaddr modulo p_align, gABI),
 * in ascending order and inside the file.
 */
static int check_edit(const struct edit *ed, struct tlc_error *err)
{
	const struct tlc_elf *o = ed->from->elf;
	const char *what = ed->arcname;
	struct tlc_elf *e;
	struct stat st;
	int rc;

	if ((rc = tlc_elf_read_file(&e, ed->tmp, err)) < 0) {
		tlc_error_prefix(err, "after editing %s", what);
		return rc;
	}
	rc = TLC_EPOLICY;
	if (stat(ed->tmp, &st) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot stat '%s'", ed->tmp);
		goto out;
	}
	if (e->cls != o->cls || e->machine != o->machine ||
	    e->big_endian != o->big_endian || e->type != o->type) {
		tlc_error_set(err, rc, "edit check failed for %s: its ELF "
			      "class, machine or type changed", what);
		goto out;
	}
	if (e->nneeded != o->nneeded) {
		tlc_error_set(err, rc, "edit check failed for %s: %zu NEEDED "
			      "entries, expected %zu", what, e->nneeded,
			      o->nneeded);
		goto out;
	}
	for (size_t i = 0; i < e->nneeded; i++)
		if (strcmp(e->needed[i], ed->needed[i])) {
			tlc_error_set(err, rc, "edit check failed for %s: NEEDED "
				      "%s, expected %s", what, e->needed[i],
				      ed->needed[i]);
			goto out;
		}
	if (!same(e->soname, ed->soname)) {
		tlc_error_set(err, rc, "edit check failed for %s: SONAME %s, "
			      "expected %s", what, e->soname ? e->soname :
			      "(none)", ed->soname ? ed->soname : "(none)");
		goto out;
	}
	if (!same(ed->force_rpath ? e->rpath : e->runpath, ed->runpath) ||
	    (ed->force_rpath ? e->runpath : e->rpath)) {
		tlc_error_set(err, rc, "edit check failed for %s: %s is '%s', "
			      "expected '%s'", what,
			      ed->force_rpath ? "RPATH" : "RUNPATH",
			      ed->force_rpath ? (e->rpath ? e->rpath : "") :
			      (e->runpath ? e->runpath : ""),
			      ed->runpath ? ed->runpath : "");
		goto out;
	}
	if (e->nverneed != o->nverneed) {
		tlc_error_set(err, rc, "edit check failed for %s: %zu "
			      "version-needs entries, expected %zu", what,
			      e->nverneed, o->nverneed);
		goto out;
	}
	for (size_t i = 0; i < e->nverneed; i++) {
		const struct tlc_elf_verneed *a = &e->verneed[i],
					     *b = &o->verneed[i];

		if (strcmp(a->file, mapped(ed, b->file)) || a->n != b->n) {
			tlc_error_set(err, rc, "edit check failed for %s: "
				      "version needs of %s, expected %s", what,
				      a->file, mapped(ed, b->file));
			goto out;
		}
		for (size_t k = 0; k < a->n; k++)
			if (strcmp(a->versions[k], b->versions[k])) {
				tlc_error_set(err, rc, "edit check failed for "
					      "%s: version %s needed from %s, "
					      "expected %s", what,
					      a->versions[k], a->file,
					      b->versions[k]);
				goto out;
			}
	}
	for (size_t i = 0; i < e->nloads; i++) {
		const struct tlc_elf_load *l = &e->loads[i];

		if (l->align > 1 && ((l->align & (l->align - 1)) ||
				     l->offset % l->align !=
				     l->vaddr % l->align)) {
			tlc_error_set(err, rc, "edit check failed for %s: "
				      "PT_LOAD %zu at offset 0x%llx is not "
				      "aligned to 0x%llx", what, i,
				      (unsigned long long)l->offset,
				      (unsigned long long)l->align);
			goto out;
		}
		if (i && l->vaddr < e->loads[i - 1].vaddr) {
			tlc_error_set(err, rc, "edit check failed for %s: "
				      "PT_LOAD %zu is out of order", what, i);
			goto out;
		}
		if (l->offset > (uint64_t)st.st_size ||
		    l->filesz > (uint64_t)st.st_size - l->offset) {
			tlc_error_set(err, rc, "edit check failed for %s: "
				      "PT_LOAD %zu lies past the end of the "
				      "file", what, i);
			goto out;
		}
	}
	rc = 0;
out:
	tlc_elf_free(e);
	return rc;
}

/* Make the edits @ed asks for, one patchelf call each, then check. */
static int apply(struct repair *r, struct edit *ed, struct tlc_error *err)
{
	const struct tlc_elf *o = ed->from->elf;
	int rc;

	report(r, ed->arcname, 0);
	if (!same(o->soname, ed->soname) &&
	    (rc = patchelf(r, ed->tmp, "--set-soname", ed->soname, NULL,
			   err)) < 0)
		return rc;
	for (size_t i = 0; i < o->nneeded; i++)
		if (strcmp(o->needed[i], ed->needed[i]) &&
		    (rc = patchelf(r, ed->tmp, "--replace-needed", o->needed[i],
				   ed->needed[i], err)) < 0)
			return rc;
	if (!same(ed->force_rpath ? o->rpath : o->runpath, ed->runpath) &&
	    (rc = patchelf(r, ed->tmp, ed->force_rpath ? "--force-rpath" :
			   "--set-rpath", ed->force_rpath ? "--set-rpath" :
			   ed->runpath, ed->force_rpath ? ed->runpath : NULL,
			   err)) < 0)
		return rc;
	if ((rc = check_edit(ed, err)) < 0)
		return rc;
	r->done += ed->size;
	return 0;
}

/* ---- planning the edits ------------------------------------------------- */

static int sha256_file(const char *path, unsigned char *out,
		       struct tlc_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'", path);
	rc = tlc__fs_sha256(fd, out, NULL, path, err);
	close(fd);
	return rc;
}

/* The Debian package that installed @path and its copyright file, if
 * this machine has them (dpkg-query -S). */
static void find_license(struct edit *ed, const char *path)
{
	static const char *const prefixes[] = { "", "/usr", NULL };
	struct tlc_buf out = TLC_BUF_INIT_MAX(1 << 16), alt = TLC_BUF_INIT;
	struct tlc_error ignored;

	for (size_t i = 0; prefixes[i] && !ed->package; i++) {
		const char *argv[] = { "dpkg-query", "-S", NULL, NULL };
		struct tlc__proc p = { argv, NULL, NULL, NULL, &out };
		int status;
		char *colon;

		/* merged /usr: dpkg may know /lib/x or /usr/lib/x */
		tlc_buf_reset(&alt);
		if (i == 0) {
			if (tlc_buf_puts(&alt, path) < 0)
				break;
		} else if (!strncmp(path, "/usr/", 5)) {
			if (tlc_buf_puts(&alt, path + 4) < 0)
				break;
		} else if (tlc_buf_printf(&alt, "/usr%s", path) < 0) {
			break;
		}
		argv[2] = alt.ptr;
		tlc_buf_reset(&out);
		if (tlc__proc_run(&p, &status, &ignored) < 0 || status ||
		    !(colon = strchr(out.ptr, ':')))
			continue;
		/* "libgomp1:amd64: /usr/lib/..." */
		*colon = '\0';
		ed->package = strdup(out.ptr);
	}
	if (ed->package) {
		tlc_buf_reset(&alt);
		if (tlc_buf_printf(&alt, "/usr/share/doc/%s/copyright",
				   ed->package) == 0 && tlc__fs_exists(alt.ptr))
			ed->license = tlc_buf_detach(&alt, NULL);
	}
	tlc_buf_release(&out);
	tlc_buf_release(&alt);
}

/* Where a grafted library's licence goes, under <dist-info>/licenses/. */
static char *arc_license(const char *libs_dir, const char *package)
{
	struct tlc_buf b = TLC_BUF_INIT;

	if (tlc_buf_printf(&b, "%s/%s/copyright", libs_dir, package) < 0) {
		tlc_buf_release(&b);
		return NULL;
	}
	return tlc_buf_detach(&b, NULL);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) < 0 ? 0 : (uint64_t)st.st_size;
}

static const struct tlc_repair_provided *provided_for(
	const struct repair *r, const char *name)
{
	for (size_t i = 0; i < r->opts->nprovided; i++)
		if (tlc_policy_exclude_match(r->opts->provided[i].pattern,
					     name))
			return &r->opts->provided[i];
	return NULL;
}

/* Copy grafted library @i into the temporary directory and say what it
 * must become. */
static int plan_lib(struct repair *r, size_t i, struct tlc_error *err)
{
	const struct tlc_audit_elf *l = &r->audit->libs[i];
	struct edit *ed = &r->libs[i];
	struct tlc_buf b = TLC_BUF_INIT;
	const char *soname = l->elf->soname ? l->elf->soname : base_of(l->name);
	int rc;

	ed->from = l;
	if ((rc = sha256_file(l->name, ed->sha256, err)) < 0)
		return rc;
	if (!(ed->newname = graft_name(soname, ed->sha256)) ||
	    tlc_buf_printf(&b, "%s/lib/%s", r->tmpdir.ptr, ed->newname) < 0)
		goto nomem;
	ed->tmp = tlc_buf_detach(&b, NULL);
	if (tlc_buf_printf(&b, "%s/%s", r->libs_dir, ed->newname) < 0)
		goto nomem;
	ed->arcname = tlc_buf_detach(&b, NULL);
	if ((rc = tlc__fs_copy_file(l->name, ed->tmp, err)) < 0)
		return rc;
	if (chmod(ed->tmp, 0755) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot chmod '%s'",
				       ed->tmp);
	ed->soname = ed->newname;
	find_license(ed, l->name);
	if (ed->license &&
	    !(ed->license_arc = arc_license(r->libs_dir, ed->package)))
		return oom(err);
	ed->size = l->elf ? file_size(ed->tmp) : 0;
	r->total += ed->size;
	r->nedits++;
	return 0;
nomem:
	tlc_buf_release(&b);
	return oom(err);
}

/* The NEEDED list of @f after the edit: grafted libraries renamed. */
static int plan_needed(struct repair *r, struct edit *ed, bool *changed)
{
	const struct tlc_audit_elf *f = ed->from;

	if (!(ed->needed = calloc(f->elf->nneeded + 1, sizeof(char *))))
		return TLC_ENOMEM;
	for (size_t i = 0; i < f->elf->nneeded; i++) {
		const struct tlc_audit_dep *d = i < f->ndeps ? &f->deps[i] :
							      NULL;

		ed->needed[i] = f->elf->needed[i];
		if (d && d->lib != (size_t)-1 && d->lib < r->audit->nlibs &&
		    (d->where == TLC_AUDIT_EXTERNAL ||
		     d->where == TLC_AUDIT_SYSTEM) &&
		    r->plan.graft[d->lib]) {
			ed->needed[i] = r->libs[d->lib].newname;
			*changed = true;
		}
	}
	return 0;
}

/* What a member or grafted library's run path must become. */
static int plan_runpath(struct repair *r, struct edit *ed, bool member,
			bool *changed, struct tlc_error *err)
{
	const struct tlc_audit_elf *f = ed->from;
	struct tlc_buf rp = TLC_BUF_INIT, dir = TLC_BUF_INIT,
		       entry = TLC_BUF_INIT, to = TLC_BUF_INIT;
	const char *old = f->elf->runpath ? f->elf->runpath : f->elf->rpath;
	bool add_libs = false;
	int rc = 0;

	ed->force_rpath = !f->elf->runpath && f->elf->rpath;
	if (!member) {
		/* a grafted library finds its grafted neighbours */
		if (tlc_buf_puts(&rp, "$ORIGIN") < 0)
			goto nomem;
		goto done;
	}
	if (tlc_buf_puts(&rp, old ? old : "") < 0 ||
	    member_dir(&dir, f->name) < 0)
		goto nomem;
	for (size_t i = 0; i < f->ndeps; i++) {
		const struct tlc_audit_dep *d = &f->deps[i];
		const struct tlc_repair_provided *pv;

		if (strcmp(ed->needed[i], f->elf->needed[i]))
			add_libs = true;
		if (d->where == TLC_AUDIT_WHEEL_NOPATH) {
			if (member_dir(&to, d->path) < 0 ||
			    origin_path(&entry, dir.ptr, to.ptr) < 0 ||
			    add_entry(&rp, entry.ptr) < 0)
				goto nomem;
		} else if (d->where == TLC_AUDIT_EXCLUDED &&
			   (pv = provided_for(r, d->name))) {
			if (origin_path(&entry, dir.ptr, pv->dir) < 0 ||
			    add_entry(&rp, entry.ptr) < 0)
				goto nomem;
		}
	}
	if (add_libs && (origin_path(&entry, dir.ptr, r->libs_dir) < 0 ||
			 add_entry(&rp, entry.ptr) < 0))
		goto nomem;
done:
	if (!same(old, rp.len ? rp.ptr : NULL))
		*changed = true;
	ed->runpath = rp.len ? tlc_buf_detach(&rp, NULL) : NULL;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&rp);
	tlc_buf_release(&dir);
	tlc_buf_release(&entry);
	tlc_buf_release(&to);
	return rc;
}

static int plan_member(struct repair *r, size_t i, struct tlc_error *err)
{
	const struct tlc_audit_elf *m = &r->audit->members[i];
	const struct tlc_zip_reader *zr =
		tlc_wheel_reader_zip(tlc__audit_wheel(r->audit));
	const struct tlc_zip_entry *e = tlc_zip_reader_find(zr, m->name);
	struct edit *ed = &r->members[i];
	struct tlc_buf b = TLC_BUF_INIT;
	bool changed = false;
	int rc, fd;

	ed->from = m;
	ed->soname = m->elf->soname;
	if (plan_needed(r, ed, &changed) < 0)
		return oom(err);
	if ((rc = plan_runpath(r, ed, true, &changed, err)) < 0)
		return rc;
	if (!changed)
		return 0;
	if (!(ed->arcname = strdup(m->name)) ||
	    tlc_buf_printf(&b, "%s/member%zu-%s", r->tmpdir.ptr, i,
			   base_of(m->name)) < 0) {
		tlc_buf_release(&b);
		return oom(err);
	}
	ed->tmp = tlc_buf_detach(&b, NULL);
	fd = open(ed->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  e && (e->mode & 0111) ? 0755 : 0644);
	if (fd < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot create '%s'",
				       ed->tmp);
	ed->size = e->size;
	r->total += e->size;
	rc = tlc_zip_extract(zr, e, fd, err);
	if (close(fd) < 0 && rc == 0)
		rc = tlc_error_errno(err, TLC_EIO, "cannot write '%s'",
				     ed->tmp);
	if (rc < 0)
		return rc;
	r->nedits++;
	return 0;
}

/* ---- writing the wheel -------------------------------------------------- */

static int repair_json(struct repair *r, struct tlc_buf *out,
		       const char *tag, struct tlc_error *err)
{
	json_t *o = json_object(), *g = json_array(), *x = json_array(),
	       *pv = json_array();
	char hex[65], *s = NULL;
	int rc = 0;

	json_object_set_new(o, "generator", json_string("tlcpack " TLC_VERSION));
	json_object_set_new(o, "policy", json_string(r->policy->name));
	json_object_set_new(o, "platform_tag", json_string(tag));
	for (size_t i = 0; i < r->audit->nlibs; i++) {
		const struct edit *ed = &r->libs[i];
		json_t *j;

		if (!ed->tmp)
			continue;
		for (size_t k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", ed->sha256[k]);
		j = json_object();
		json_object_set_new(j, "library", json_string(
			ed->from->elf->soname ? ed->from->elf->soname :
			base_of(ed->from->name)));
		json_object_set_new(j, "file", json_string(ed->arcname));
		json_object_set_new(j, "source", json_string(ed->from->name));
		json_object_set_new(j, "sha256", json_string(hex));
		json_object_set_new(j, "package", ed->package ?
				    json_string(ed->package) : json_null());
		json_object_set_new(j, "license", ed->license_arc ?
				    json_sprintf("licenses/%s", ed->license_arc) :
				    json_null());
		json_array_append_new(g, j);
	}
	/* every exclusion met, once per library, with who needs it */
	for (size_t pass = 0; pass < 2; pass++) {
		size_t n = pass ? r->audit->nlibs : r->audit->nmembers;
		const struct tlc_audit_elf *fs = pass ? r->audit->libs :
							r->audit->members;

		for (size_t i = 0; i < n; i++) {
			if (pass && !r->libs[i].tmp)
				continue;
			for (size_t k = 0; k < fs[i].ndeps; k++) {
				const struct tlc_audit_dep *d = &fs[i].deps[k];
				json_t *j = NULL, *by;
				size_t m;

				if (d->where != TLC_AUDIT_EXCLUDED)
					continue;
				for (m = 0; m < json_array_size(x); m++) {
					j = json_array_get(x, m);
					if (!strcmp(json_string_value(
						json_object_get(j, "library")),
						d->name))
						break;
				}
				if (m == json_array_size(x)) {
					j = json_object();
					json_object_set_new(j, "library",
							    json_string(d->name));
					json_object_set_new(j, "why",
							    json_string(d->why));
					json_object_set_new(j, "needed_by",
							    json_array());
					json_array_append_new(x, j);
				}
				by = json_object_get(j, "needed_by");
				json_array_append_new(by, json_string(
					pass ? r->libs[i].arcname :
					fs[i].name));
			}
		}
	}
	for (size_t i = 0; i < r->opts->nprovided; i++) {
		json_t *j = json_object();

		json_object_set_new(j, "pattern",
				    json_string(r->opts->provided[i].pattern));
		json_object_set_new(j, "dir",
				    json_string(r->opts->provided[i].dir));
		json_array_append_new(pv, j);
	}
	json_object_set_new(o, "grafted", g);
	json_object_set_new(o, "excluded", x);
	json_object_set_new(o, "provided", pv);
	if (!(s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) ||
	    tlc_buf_puts(out, s) < 0 || tlc_buf_putc(out, '\n') < 0)
		rc = oom(err);
	free(s);
	json_decref(o);
	return rc;
}

static int64_t epoch(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!sde || !*sde)
		return 315532800;	/* 1980-01-01, the zip epoch */
	errno = 0;
	v = strtoll(sde, &end, 10);
	return errno || *end || v < 0 ? 315532800 : (int64_t)v;
}

static int write_wheel(struct repair *r, struct tlc_repair_result *res,
		       struct tlc_error *err)
{
	const struct tlc_wheel_reader *wr = tlc__audit_wheel(r->audit);
	const struct tlc_zip_reader *zr = tlc_wheel_reader_zip(wr);
	const char *di = tlc_wheel_reader_dist_info(wr);
	size_t dilen = strlen(di);
	struct tlc_wheel_opts wo = TLC_WHEEL_OPTS_INIT;
	struct tlc_wheel_writer *w = NULL;
	struct tlc_buf json = TLC_BUF_INIT;
	char tag[512];
	int rc;

	if ((rc = tlc_policy_platform_tag(r->policy, r->audit->arch, tag,
					  sizeof(tag))) < 0)
		return tlc_error_set(err, TLC_ETOOBIG, "platform tag too long");
	wo.name = tlc_wheel_reader_name(wr);
	wo.version = tlc_wheel_reader_version(wr);
	wo.build_tag = tlc_wheel_reader_build_tag(wr);
	wo.python_tag = tlc_wheel_reader_python_tag(wr);
	wo.abi_tag = tlc_wheel_reader_abi_tag(wr);
	wo.platform_tag = tag;
	wo.purelib = tlc_wheel_reader_purelib(wr);
	wo.generator = "tlcpack " TLC_VERSION;
	wo.outdir = r->opts->outdir;
	wo.epoch = r->opts->epoch >= 0 ? r->opts->epoch : epoch();
	wo.level = r->opts->level;
	wo.threads = r->opts->threads;
	wo.progress = r->opts->progress;
	wo.progress_data = r->opts->progress_data;
	if ((rc = tlc_wheel_writer_new(&w, &wo, err)) < 0)
		return rc;
	for (size_t i = 0; i < tlc_zip_reader_count(zr); i++) {
		const struct tlc_zip_entry *e = tlc_zip_reader_entry(zr, i);
		const struct tlc_wheel_record *rec =
			tlc_wheel_reader_record(wr, e->name);
		const struct edit *ed = NULL;

		for (size_t k = 0; k < r->audit->nmembers; k++)
			if (r->members[k].tmp &&
			    !strcmp(r->members[k].arcname, e->name))
				ed = &r->members[k];
		bool in_di = !strncmp(e->name, di, dilen) &&
			     e->name[dilen] == '/';
		const char *rel = in_di ? e->name + dilen + 1 : NULL;

		if (in_di && (!strcmp(rel, "METADATA") ||
			      !strcmp(rel, "WHEEL") || !strcmp(rel, "RECORD") ||
			      !strcmp(rel, "RECORD.jws") ||
			      !strcmp(rel, "RECORD.p7s") ||
			      !strcmp(rel, REPAIR_JSON)))
			continue;	/* the writer writes its own */
		if (!rec || !rec->has_sha256) {
			rc = tlc_error_set(err, TLC_EPOLICY, "%s: RECORD has "
					   "no sha256 for %s", base_of(
					   r->audit->wheel), e->name);
			goto out;
		}
		if (in_di) {
			rc = tlc_wheel_add_dist_info_raw(w, rel, zr, e,
							 rec->sha256, err);
		} else if (ed) {
			rc = tlc_wheel_add_file(w, e->name, ed->tmp, err);
		} else {
			rc = tlc_wheel_add_raw(w, e->name, zr, e, rec->sha256,
					       err);
			res->nraw++;
		}
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < r->audit->nlibs; i++) {
		const struct edit *ed = &r->libs[i];

		if (!ed->tmp)
			continue;
		if ((rc = tlc_wheel_add_file(w, ed->arcname, ed->tmp, err)) < 0)
			goto out;
		if (!ed->license) {
			res->nunlicensed++;
			continue;
		}
		if ((rc = tlc_wheel_add_license(w, ed->license_arc,
						ed->license, err)) < 0)
			goto out;
	}
	if ((rc = repair_json(r, &json, tag, err)) < 0 ||
	    (rc = tlc_wheel_add_dist_info_data(w, REPAIR_JSON, json.ptr,
					       json.len, err)) < 0)
		goto out;
	rc = tlc_wheel_writer_finish(w, tlc_wheel_reader_metadata(wr)->ptr,
				     &res->path, err);
out:
	tlc_wheel_writer_free(w);
	tlc_buf_release(&json);
	return rc;
}

/* ---- the repair --------------------------------------------------------- */

static int cannot(const struct repair *r, const char *path, size_t nwhy,
		  const char *const *why, struct tlc_error *err)
{
	return tlc_error_set(err, TLC_EPOLICY, "cannot repair %s to %s: %s%s",
			     base_of(path), r->policy->name, why[0],
			     nwhy > 1 ? " (and more: see tlcpack audit)" : "");
}

/* After the repair: the new wheel must meet the policy. */
static int reaudit(struct repair *r, const char *path, struct tlc_error *err)
{
	struct tlc_audit_opts ao = TLC_AUDIT_OPTS_INIT;
	struct tlc_audit *a;
	int rc;

	ao.lib_path = r->opts->lib_path;
	ao.all_policies = true;
	ao.reuse = r->audit;	/* raw copies: the same bytes, read already */
	if ((rc = tlc_audit_wheel(&a, path, &ao, err)) < 0) {
		tlc_error_prefix(err, "the repaired wheel");
		return rc;
	}
	if (tlc_audit_policy_better(r->policy, a->best)) {
		const struct tlc_audit_block *b = NULL;

		for (size_t i = 0; i < a->nblocks; i++)
			if (a->blocks[i].policy == r->policy)
				b = &a->blocks[i];
		rc = tlc_error_set(err, TLC_EPOLICY, "the repaired wheel %s "
				   "does not meet %s: %s", base_of(path),
				   r->policy->name, b && b->nwhy ? b->why[0] :
				   "the audit disagrees");
	}
	tlc_audit_free(a);
	return rc;
}

static void release_edit(struct edit *ed)
{
	free(ed->tmp);
	free(ed->arcname);
	free(ed->newname);
	free(ed->package);
	free(ed->license);
	free(ed->license_arc);
	free(ed->needed);
	free(ed->runpath);
}

int tlc_repair_wheel(const char *path, const struct tlc_repair_opts *opts,
		     struct tlc_repair_result *res, struct tlc_error *err)
{
	static const struct tlc_repair_opts defaults = TLC_REPAIR_OPTS_INIT;
	struct tlc_audit_opts ao = TLC_AUDIT_OPTS_INIT;
	struct repair r;
	const char **provided = NULL;
	const char *tmp = getenv("TMPDIR");
	int rc;

	memset(res, 0, sizeof(*res));
	tlc_buf_init(&res->path, 0);
	memset(&r, 0, sizeof(r));
	r.opts = opts ? opts : &defaults;
	tlc_buf_init(&r.tmpdir, 0);
	tlc_buf_init(&r.patchelf, 0);
	if (r.opts->policy && !(r.policy = tlc_policy_find(r.opts->policy,
							   err)))
		return TLC_EPOLICY;
	for (size_t i = 0; i < r.opts->nprovided; i++) {
		const char *d = r.opts->provided[i].dir;

		if (!*d || d[0] == '/' || strstr(d, "..") || strchr(d, ':'))
			return tlc_error_set(err, TLC_EPOLICY, "provided "
					     "library directory '%s' must be "
					     "relative to site-packages, "
					     "without '..' or ':'", d);
	}
	if (!(provided = calloc(r.opts->nprovided + 1, sizeof(char *))))
		return oom(err);
	for (size_t i = 0; i < r.opts->nprovided; i++)
		provided[i] = r.opts->provided[i].pattern;
	ao.exclude = r.opts->exclude;
	ao.provided = provided;
	ao.lib_path = r.opts->lib_path;
	ao.all_policies = r.policy != NULL;
	ao.progress = r.opts->progress;
	ao.progress_data = r.opts->progress_data;
	if ((rc = tlc_audit_wheel(&r.audit, path, &ao, err)) < 0)
		goto out;
	if (r.audit->pure && r.opts->pure_ok) {
		if (tlc_buf_printf(&res->path, "%s/%s", r.opts->outdir,
				   base_of(path)) < 0) {
			rc = oom(err);
			goto out;
		}
		res->unchanged = true;
		rc = tlc__fs_copy_file(path, res->path.ptr, err);
		goto out;
	}
	if (r.audit->pure) {
		rc = tlc_error_set(err, TLC_EPOLICY, "%s has no ELF file: it "
				   "is not a platform wheel, nothing to repair",
				   base_of(path));
		goto out;
	}
	if (!r.policy) {
		r.policy = r.audit->repaired;
		if (!r.policy || !r.policy->glibc_major) {
			const struct tlc_audit_block *b = r.audit->nblocks ?
				&r.audit->blocks[r.audit->nblocks - 1] : NULL;

			rc = tlc_error_set(err, TLC_EPOLICY, "cannot repair %s "
					   "to any manylinux policy: %s",
					   base_of(path), b && b->nwhy ?
					   b->why[0] : "see tlcpack audit");
			goto out;
		}
	}
	if ((rc = tlc__audit_plan(r.audit, r.policy, &r.plan, err)) < 0)
		goto out;
	if (r.plan.nwhy) {
		rc = cannot(&r, path, r.plan.nwhy, r.plan.why, err);
		goto out;
	}
	res->policy = r.policy->name;
	if (!(r.libs = calloc(r.audit->nlibs + 1, sizeof(*r.libs))) ||
	    !(r.members = calloc(r.audit->nmembers + 1, sizeof(*r.members))) ||
	    tlc_buf_printf(&r.tmpdir, "%s/tlcpack-repair-XXXXXX",
			   tmp && *tmp ? tmp : "/tmp") < 0) {
		rc = oom(err);
		goto out;
	}
	if (!mkdtemp(r.tmpdir.ptr)) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot create '%s'",
				     r.tmpdir.ptr);
		tlc_buf_reset(&r.tmpdir);
		goto out;
	}
	{
		struct tlc_buf d = TLC_BUF_INIT;

		if (tlc_buf_printf(&d, "%s/lib", r.tmpdir.ptr) < 0) {
			tlc_buf_release(&d);
			rc = oom(err);
			goto out;
		}
		rc = mkdir(d.ptr, 0700) < 0 ? tlc_error_errno(err, TLC_EIO,
			"cannot create '%s'", d.ptr) : 0;
		tlc_buf_release(&d);
		if (rc < 0)
			goto out;
	}
	{
		struct tlc_buf d = TLC_BUF_INIT;

		if (tlc_buf_printf(&d, "%s.libs",
				   tlc_wheel_reader_name(
					   tlc__audit_wheel(r.audit))) < 0) {
			rc = oom(err);
			goto out;
		}
		r.libs_dir = tlc_buf_detach(&d, NULL);
	}
	/* grafted libraries first: members' edits name their new names */
	for (size_t i = 0; i < r.audit->nlibs; i++)
		if (r.plan.graft[i] && (rc = plan_lib(&r, i, err)) < 0)
			goto out;
	for (size_t i = 0; i < r.audit->nlibs; i++) {
		bool changed = false;

		if (!r.libs[i].tmp)
			continue;
		if (plan_needed(&r, &r.libs[i], &changed) < 0) {
			rc = oom(err);
			goto out;
		}
		if ((rc = plan_runpath(&r, &r.libs[i], false, &changed,
				       err)) < 0)
			goto out;
		res->ngrafted++;
	}
	for (size_t i = 0; i < r.audit->nmembers; i++)
		if ((rc = plan_member(&r, i, err)) < 0)
			goto out;
	if (r.nedits) {
		rc = tlc__proc_which(&r.patchelf, r.opts->patchelf ?
				     r.opts->patchelf : "patchelf", err);
		if (rc < 0) {
			rc = tlc_error_set(err, TLC_ENOTFOUND, "repair edits ELF "
					   "files with patchelf, which is not "
					   "installed (apt-get install "
					   "patchelf)");
			goto out;
		}
	}
	for (size_t i = 0; i < r.audit->nlibs; i++)
		if (r.libs[i].tmp && (rc = apply(&r, &r.libs[i], err)) < 0)
			goto out;
	for (size_t i = 0; i < r.audit->nmembers; i++) {
		if (!r.members[i].tmp)
			continue;
		if ((rc = apply(&r, &r.members[i], err)) < 0)
			goto out;
		res->nedited++;
	}
	if (r.nedits)
		report(&r, base_of(path), 1);
	res->unchanged = !r.nedits;
	if ((rc = write_wheel(&r, res, err)) < 0)
		goto out;
	if ((rc = reaudit(&r, res->path.ptr, err)) < 0) {
		unlink(res->path.ptr);
		goto out;
	}
out:
	if (r.tmpdir.len) {
		struct tlc_error ignored;

		tlc__fs_remove_tree(r.tmpdir.ptr, &ignored);
	}
	for (size_t i = 0; r.libs && i < r.audit->nlibs; i++)
		release_edit(&r.libs[i]);
	for (size_t i = 0; r.members && i < r.audit->nmembers; i++)
		release_edit(&r.members[i]);
	free(r.libs);
	free(r.members);
	free(r.libs_dir);
	free(provided);
	tlc__audit_plan_release(&r.plan);
	tlc_audit_free(r.audit);
	tlc_buf_release(&r.tmpdir);
	tlc_buf_release(&r.patchelf);
	if (rc < 0) {
		tlc_buf_release(&res->path);
		res->policy = NULL;
	}
	return rc;
}

void tlc_repair_result_release(struct tlc_repair_result *res)
{
	tlc_buf_release(&res->path);
}
