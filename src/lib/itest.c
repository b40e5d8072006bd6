/*
 * Install tests; see itest.h for the steps and the reasons behind them.
 *
 * The checks that must run inside the interpreter under test (is there a
 * GPU, does the index list the wheel, are the installed files the
 * wheel's, do its libraries load) are one Python script, written into
 * the work directory and run with `python -I` (no PYTHONPATH, no user
 * site, no current directory on sys.path).
 */
#include <elf.h>		/* ET_DYN */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/audit.h"
#include "tlcpack/itest.h"
#include "tlcpack/names.h"
#include "tlcpack/wheel.h"
#include "tlcpack/zip.h"

#include "auditint.h"
#include "fs.h"
#include "proc.h"

#include "banned.h"

#define PROBE_OUTPUT_MAX 4096	/* bytes of a one-line answer */
#define WHY_MAX 1024		/* bytes of the load step's reason */

static const char itest_py[] =
"# tlcpack test's helper, run by the interpreter under test (python -I).\n"
"# \"gpu\": is there a usable CUDA device?  \"index URL FILE SHA256\": does the\n"
"# PEP 503 project page at URL list FILE with that hash?  \"load WHEEL NAME\n"
"# LIBS WHY [PKG...]\": are the installed files the wheel's, do its\n"
"# libraries load, do its packages import?\n"
"import os\n"
"import sys\n"
"\n"
"\n"
"def gpu():\n"
"    import ctypes\n"
"    try:\n"
"        lib = ctypes.CDLL(\"libcuda.so.1\")\n"
"    except OSError as e:\n"
"        print(\"no GPU: libcuda.so.1 does not load (%s)\" % e)\n"
"        return 1\n"
"    r = lib.cuInit(0)\n"
"    if r:\n"
"        print(\"no GPU: cuInit(0) failed with CUresult %d\" % r)\n"
"        return 1\n"
"    n = ctypes.c_int(0)\n"
"    r = lib.cuDeviceGetCount(ctypes.byref(n))\n"
"    if r or n.value < 1:\n"
"        print(\"no GPU: the driver reports no CUDA device\")\n"
"        return 1\n"
"    print(\"%d CUDA device(s)\" % n.value)\n"
"    return 0\n"
"\n"
"\n"
"def index(url, filename, sha256):\n"
"    # PEP 503: each file is an anchor whose href ends in the file name\n"
"    # and may carry a #sha256=<hex> fragment.\n"
"    import html.parser\n"
"    import urllib.error\n"
"    import urllib.parse\n"
"    import urllib.request\n"
"\n"
"    class Page(html.parser.HTMLParser):\n"
"        def __init__(self):\n"
"            super().__init__()\n"
"            self.hrefs = []\n"
"\n"
"        def handle_starttag(self, tag, attrs):\n"
"            href = dict(attrs).get(\"href\") if tag == \"a\" else None\n"
"            if href:\n"
"                self.hrefs.append(href)\n"
"\n"
"    req = urllib.request.Request(url, headers={\"Accept\": \"text/html\"})\n"
"    try:\n"
"        with urllib.request.urlopen(req, timeout=60) as f:\n"
"            page = f.read(64 << 20).decode(\"utf-8\", \"replace\")\n"
"    except urllib.error.HTTPError as e:\n"
"        if e.code == 404:\n"
"            print(\"no project page for it (HTTP 404)\")\n"
"            return 3\n"
"        print(\"cannot read its project page: %s\" % e)\n"
"        return 2\n"
"    except (OSError, ValueError) as e:\n"
"        if isinstance(getattr(e, \"reason\", e), FileNotFoundError):\n"
"            print(\"no project page for it\")\n"
"            return 3\n"
"        print(\"cannot read its project page: %s\" % e)\n"
"        return 2\n"
"    p = Page()\n"
"    p.feed(page)\n"
"    for href in p.hrefs:\n"
"        u = urllib.parse.urlsplit(href)\n"
"        name = urllib.parse.unquote(u.path.rsplit(\"/\", 1)[-1])\n"
"        if name != filename:\n"
"            continue\n"
"        if u.fragment == \"sha256=\" + sha256:\n"
"            print(\"listed with its sha256\")\n"
"            return 0\n"
"        print(\"listed with '%.19s...', this file has sha256=%.12s...\"\n"
"              % (u.fragment, sha256))\n"
"        return 4\n"
"    print(\"its project page does not list it\")\n"
"    return 3\n"
"\n"
"\n"
"def load(wheel, name, libs_file, why_file, pkgs):\n"
"    import csv\n"
"    import ctypes\n"
"    import importlib\n"
"    import importlib.metadata as md\n"
"    import io\n"
"    import traceback\n"
"    import zipfile\n"
"\n"
"    def fail(msg):\n"
"        print(\"FAILED: \" + msg, flush=True)\n"
"        with open(why_file, \"w\") as f:\n"
"            f.write(msg.replace(\"\\n\", \" \")[:200])\n"
"        return 1\n"
"\n"
"    try:\n"
"        dist = md.distribution(name)\n"
"    except md.PackageNotFoundError:\n"
"        return fail(\"'%s' is not installed in the venv\" % name)\n"
"    site = os.path.realpath(str(dist.locate_file(\"\")))\n"
"    prefix = os.path.realpath(sys.prefix)\n"
"    if not site.startswith(prefix + os.sep):\n"
"        return fail(\"'%s' was found in %s, outside the venv\"\n"
"                    % (name, site))\n"
"\n"
"    # The installed files are the wheel's (PEP 376 RECORD hashes): pip\n"
"    # took this file from the index, not another one of that version.\n"
"    z = zipfile.ZipFile(wheel)\n"
"    names = z.namelist()\n"
"    rec = [n for n in names\n"
"           if n.count(\"/\") == 1 and n.endswith(\".dist-info/RECORD\")]\n"
"    want = {}\n"
"    with z.open(rec[0]) as f:\n"
"        for row in csv.reader(io.TextIOWrapper(f, \"utf-8\")):\n"
"            if len(row) >= 2 and row[1] and \".data/\" not in row[0]:\n"
"                want[row[0]] = row[1]\n"
"    got = {str(f): f.hash for f in dist.files or []}\n"
"    for path, h in want.items():\n"
"        g = got.get(path)\n"
"        if g is None or \"%s=%s\" % (g.mode, g.value) != h:\n"
"            return fail(\"installed '%s' is not the wheel's '%s'\"\n"
"                        % (name, path))\n"
"    print(\"installed: the wheel's %d files, in %s\" % (len(want), site))\n"
"\n"
"    # Every shared library, dlopen'ed (RTLD_NOW: every symbol bound), in\n"
"    # whatever order makes them load: a library whose dependency is not\n"
"    # loaded yet is tried again after the others.\n"
"    paths = []\n"
"    with open(libs_file) as f:\n"
"        for member in f.read().splitlines():\n"
"            top, _, rest = member.partition(\"/\")\n"
"            if top.endswith(\".data\"):\n"
"                kind, _, rest = rest.partition(\"/\")\n"
"                base = site if kind in (\"purelib\", \"platlib\") else prefix\n"
"                paths.append((member, os.path.join(base, rest)))\n"
"            else:\n"
"                paths.append((member, os.path.join(site, member)))\n"
"    mode = os.RTLD_NOW | os.RTLD_GLOBAL\n"
"    pending, errors, keep = paths, {}, []\n"
"    while pending:\n"
"        left = []\n"
"        for member, path in pending:\n"
"            try:\n"
"                keep.append(ctypes.CDLL(path, mode=mode))\n"
"            except OSError as e:\n"
"                errors[member] = str(e)\n"
"                left.append((member, path))\n"
"            else:\n"
"                print(\"loaded %s\" % member, flush=True)\n"
"        if len(left) == len(pending):\n"
"            for member, _ in left:\n"
"                print(\"cannot load %s: %s\" % (member, errors[member]))\n"
"            member = left[0][0]\n"
"            return fail(\"'%s' does not load: %s\"\n"
"                        % (member, errors[member]))\n"
"        pending = left\n"
"    print(\"loaded: %d libraries\" % len(paths), flush=True)\n"
"\n"
"    if not pkgs:\n"
"        pkgs = sorted({n.split(\"/\")[0] for n in names if n.count(\"/\") == 1\n"
"                       and n.endswith(\"/__init__.py\")})\n"
"    for pkg in pkgs:\n"
"        try:\n"
"            mod = importlib.import_module(pkg)\n"
"        except BaseException as e:\n"
"            traceback.print_exc()\n"
"            return fail(\"'import %s' failed: %s: %s\"\n"
"                        % (pkg, type(e).__name__, e))\n"
"        print(\"imported %s from %s\" % (pkg, getattr(mod, \"__file__\", \"?\")))\n"
"    return 0\n"
"\n"
"\n"
"def main(argv):\n"
"    if argv[:1] == [\"gpu\"]:\n"
"        return gpu()\n"
"    if argv[:1] == [\"index\"] and len(argv) == 4:\n"
"        return index(*argv[1:])\n"
"    if argv[:1] == [\"load\"] and len(argv) >= 5:\n"
"        return load(argv[1], argv[2], argv[3], argv[4], argv[5:])\n"
"    print(\"usage: itest.py gpu | index URL FILE SHA256 | \"\n"
"          \"load WHEEL NAME LIBS WHY [PKG...]\", file=sys.stderr)\n"
"    return 2\n"
"\n"
"\n"
"if __name__ == \"__main__\":\n"
"    sys.stdout.reconfigure(line_buffering=True)\n"
"    sys.exit(main(sys.argv[1:]))\n";

struct itest {
	const struct tlc_itest_opts *o;
	struct tlc_audit *audit;
	const char *name;		/* escaped, from the file name */
	const char *version;
	const char *filename;		/* the wheel's base name */
	char sha256[65];
	bool cuda;			/* needs libcuda.so.1, or a cu* variant */
	bool gpu;			/* a usable GPU is here */
	bool stub;			/* load and test with the stub */
	struct tlc_buf wheel;		/* its absolute path */
	struct tlc_buf python;		/* the interpreter, resolved */
	struct tlc_buf work, log, script, venv, vpython, run;
	struct tlc_buf libs, why, stubdir;
	struct tlc_buf simple, page, req, norm;
	struct tlc_buf env_path, env_venv, env_ld;
};

static void itest_init(struct itest *t)
{
	tlc_buf_init(&t->wheel, 0);
	tlc_buf_init(&t->python, 0);
	tlc_buf_init(&t->work, 0);
	tlc_buf_init(&t->log, 0);
	tlc_buf_init(&t->script, 0);
	tlc_buf_init(&t->venv, 0);
	tlc_buf_init(&t->vpython, 0);
	tlc_buf_init(&t->run, 0);
	tlc_buf_init(&t->libs, 0);
	tlc_buf_init(&t->why, 0);
	tlc_buf_init(&t->stubdir, 0);
	tlc_buf_init(&t->simple, 0);
	tlc_buf_init(&t->page, 0);
	tlc_buf_init(&t->req, 0);
	tlc_buf_init(&t->norm, 0);
	tlc_buf_init(&t->env_path, 0);
	tlc_buf_init(&t->env_venv, 0);
	tlc_buf_init(&t->env_ld, 0);
}

static void itest_release(struct itest *t)
{
	tlc_audit_free(t->audit);
	tlc_buf_release(&t->wheel);
	tlc_buf_release(&t->python);
	tlc_buf_release(&t->work);
	tlc_buf_release(&t->log);
	tlc_buf_release(&t->script);
	tlc_buf_release(&t->venv);
	tlc_buf_release(&t->vpython);
	tlc_buf_release(&t->run);
	tlc_buf_release(&t->libs);
	tlc_buf_release(&t->why);
	tlc_buf_release(&t->stubdir);
	tlc_buf_release(&t->simple);
	tlc_buf_release(&t->page);
	tlc_buf_release(&t->req);
	tlc_buf_release(&t->norm);
	tlc_buf_release(&t->env_path);
	tlc_buf_release(&t->env_venv);
	tlc_buf_release(&t->env_ld);
}

static int oom(struct tlc_error *err)
{
	return tlc_error_set(err, TLC_ENOMEM, "out of memory");
}

const char *tlc_itest_result_name(enum tlc_itest_result r)
{
	switch (r) {
	case TLC_ITEST_PASS:
		return "pass";
	case TLC_ITEST_FAIL:
		return "FAIL";
	case TLC_ITEST_PASS_NO_GPU:
		return "pass (no GPU)";
	case TLC_ITEST_ERROR:
		break;
	}
	return "error";
}

static void progress(struct itest *t, const char *step, int finished)
{
	struct tlc_progress p = { step, t->filename, 0, 0, finished };

	if (t->o->progress)
		t->o->progress(&p, t->o->progress_data);
}

/* Append a line to the log, so that its tail says which step ran. */
static int log_printf(struct itest *t, struct tlc_error *err,
		      const char *fmt, ...) TLC_PRINTF(3, 4);

static int log_printf(struct itest *t, struct tlc_error *err,
		      const char *fmt, ...)
{
	struct tlc_buf line = TLC_BUF_INIT;
	va_list ap;
	int fd, rc;

	va_start(ap, fmt);
	rc = tlc_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return oom(err);
	if ((fd = open(t->log.ptr, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0644)) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot open '%s'",
				     t->log.ptr);
		goto out;
	}
	rc = tlc__fs_write_all(fd, line.ptr, line.len, t->log.ptr, err);
	close(fd);
out:
	tlc_buf_release(&line);
	return rc;
}

/* Run @argv with its output appended to the log (or its stdout captured
 * in @out), after a "$ argv..." line. */
static int run(struct itest *t, const char *const *argv, const char *cwd,
	       const char *const *env, struct tlc_buf *out, int *status,
	       struct tlc_error *err)
{
	struct tlc__proc p = { argv, cwd, env, t->log.ptr, out };
	struct tlc_buf line = TLC_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; argv[i] && rc == 0; i++)
		if (i == 2 && !strcmp(argv[0], t->python.ptr) &&
		    !strcmp(argv[1], "-I") && !strcmp(argv[2], t->script.ptr))
			rc = tlc_buf_puts(&line, " tlcpack-itest.py");
		else if (strpbrk(argv[i], " \t'\"$;&|<>()*?"))
			rc = tlc_buf_printf(&line, " '%s'", argv[i]);
		else
			rc = tlc_buf_printf(&line, " %s", argv[i]);
	if (rc < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = log_printf(t, err, "$%s\n", line.ptr)) < 0)
		goto out;
	rc = tlc__proc_run(&p, status, err);
out:
	tlc_buf_release(&line);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* "lib.so", "lib.so.1", "_ext.cpython-311-x86_64-linux-gnu.so" */
static bool is_so_name(const char *member)
{
	const char *base = strrchr(member, '/');

	base = base ? base + 1 : member;
	return ends_with(base, ".so") || strstr(base, ".so.");
}

/* Is @member in a top-level "*.libs" directory (where repair grafts)? */
static bool in_libs_dir(const char *member)
{
	const char *slash = strchr(member, '/');

	return slash && slash - member > 5 && !memcmp(slash - 5, ".libs", 5);
}

/* cu<digit>...: the CUDA variants' names (tlcpack.toml [variants]). */
static bool cuda_variant(const char *v)
{
	return v && v[0] == 'c' && v[1] == 'u' && v[2] >= '0' && v[2] <= '9';
}

/*
 * Read the wheel: its name and version, its SHA-256, the libraries to
 * load (one member per line in t->libs), and whether it needs the CUDA
 * driver.
 */
static int read_wheel(struct itest *t, struct tlc_error *err)
{
	struct tlc_audit_opts aopts = TLC_AUDIT_OPTS_INIT;
	const struct tlc_wheel_reader *wr;
	const struct tlc_zip_reader *zr;
	unsigned char digest[32];
	int fd, rc;

	if ((rc = tlc__fs_realpath(&t->wheel, t->o->wheel, err)) < 0 ||
	    (rc = tlc_audit_wheel(&t->audit, t->wheel.ptr, &aopts, err)) < 0)
		return rc;
	wr = tlc__audit_wheel(t->audit);
	zr = tlc_wheel_reader_zip(wr);
	t->name = tlc_wheel_reader_name(wr);
	t->version = tlc_wheel_reader_version(wr);
	t->filename = strrchr(t->o->wheel, '/');
	t->filename = t->filename ? t->filename + 1 : t->o->wheel;

	if ((fd = open(t->wheel.ptr, O_RDONLY | O_CLOEXEC)) < 0)
		return tlc_error_errno(err, TLC_EIO, "cannot open '%s'",
				       t->o->wheel);
	rc = tlc__fs_sha256(fd, digest, NULL, t->o->wheel, err);
	close(fd);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 32; i++)
		snprintf(t->sha256 + 2 * i, 3, "%02x", digest[i]);

	t->cuda = cuda_variant(t->o->variant);
	for (size_t i = 0; i < t->audit->nmembers; i++) {
		const struct tlc_audit_elf *m = &t->audit->members[i];

		for (size_t j = 0; j < m->ndeps; j++)
			if (!strncmp(m->deps[j].name, "libcuda.so", 10))
				t->cuda = true;
		if (m->elf->type != ET_DYN || !is_so_name(m->name) ||
		    in_libs_dir(m->name))
			continue;
		if (tlc_buf_printf(&t->libs, "%s\n", m->name) < 0)
			return oom(err);
	}
	/* every file repair grafted, ELF or not: each must load */
	for (size_t i = 0; i < tlc_zip_reader_count(zr); i++) {
		const char *n = tlc_zip_reader_entry(zr, i)->name;

		if (in_libs_dir(n) && tlc_buf_printf(&t->libs, "%s\n", n) < 0)
			return oom(err);
	}
	if ((rc = tlc_name_normalize(&t->norm, t->name, err)) < 0)
		return rc;
	if (tlc_buf_printf(&t->req, "%s==%s", t->norm.ptr, t->version) < 0)
		return oom(err);
	return 0;
}

/* Append @path to @out, percent-encoding what a URL path cannot hold. */
static int put_url_path(struct tlc_buf *out, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		int rc;

		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
			rc = tlc_buf_putc(out, (char)*p);
		else
			rc = tlc_buf_printf(out, "%%%02X", *p);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The repository's simple/ URL and the wheel's project page (PEP 503
 * "/<normalized name>/"; a directory's page is its index.html).
 */
static int index_urls(struct itest *t, struct tlc_error *err)
{
	const char *ix = t->o->index;
	struct tlc_buf dir = TLC_BUF_INIT;
	bool file;
	int rc = 0;

	if (strstr(ix, "://")) {
		size_t n = strlen(ix);

		if (strncmp(ix, "http://", 7) && strncmp(ix, "https://", 8) &&
		    strncmp(ix, "file://", 7))
			return tlc_error_set(err, TLC_EPOLICY,
					     "index URL '%s' is not http, "
					     "https or file", ix);
		file = !strncmp(ix, "file://", 7);
		if (tlc_buf_puts(&t->simple, ix) < 0)
			return oom(err);
		if (n && ix[n - 1] != '/' && tlc_buf_putc(&t->simple, '/') < 0)
			return oom(err);
		if (!ends_with(t->simple.ptr, "/simple/") &&
		    tlc_buf_puts(&t->simple, "simple/") < 0)
			return oom(err);
	} else {
		file = true;
		if ((rc = tlc__fs_realpath(&dir, ix, err)) < 0)
			goto out;
		if (tlc_buf_puts(&dir, "/simple") < 0)
			goto nomem;
		if (!tlc__fs_is_dir(dir.ptr)) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "'%s' is not a repository: it has "
					   "no simple/", ix);
			goto out;
		}
		if (tlc_buf_puts(&t->simple, "file://") < 0 ||
		    put_url_path(&t->simple, dir.ptr) < 0 ||
		    tlc_buf_putc(&t->simple, '/') < 0)
			goto nomem;
	}
	if (tlc_buf_printf(&t->page, "%s%s/%s", t->simple.ptr, t->norm.ptr,
			   file ? "index.html" : "") < 0)
		goto nomem;
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&dir);
	return rc;
}

/* Step 2: the repository lists this file with this hash. */
static int check_listed(struct itest *t, struct tlc_error *err)
{
	struct tlc_buf out = TLC_BUF_INIT_MAX(PROBE_OUTPUT_MAX);
	const char *argv[] = { t->python.ptr, "-I", t->script.ptr, "index",
			       t->page.ptr, t->filename, t->sha256, NULL };
	int status, rc;

	if ((rc = run(t, argv, t->work.ptr, NULL, &out, &status, err)) < 0)
		goto out;
	while (out.len && out.ptr[out.len - 1] == '\n')
		tlc_buf_truncate(&out, out.len - 1);
	if (log_printf(t, err, "%s\n", out.ptr) < 0) {
		rc = err->code;
		goto out;
	}
	switch (status) {
	case 0:
		break;
	case 3:
		rc = tlc_error_set(err, TLC_ENOTFOUND,
				   "'%s' is not in the repository '%s': %s",
				   t->filename, t->o->index, out.ptr);
		break;
	case 4:
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "'%s' in the repository '%s' is another "
				   "file: %s", t->filename, t->o->index,
				   out.ptr);
		break;
	default:
		rc = tlc_error_set(err, TLC_ERROR,
				   "cannot check that '%s' is in the "
				   "repository: %s", t->filename,
				   out.len ? out.ptr : "the check failed");
	}
out:
	tlc_buf_release(&out);
	return rc;
}

/* Ask the driver, in a child Python, whether a CUDA device is usable. */
static int detect_gpu(struct itest *t, struct tlc_error *err)
{
	struct tlc_buf out = TLC_BUF_INIT_MAX(PROBE_OUTPUT_MAX);
	const char *argv[] = { t->python.ptr, "-I", t->script.ptr, "gpu",
			       NULL };
	int status, rc;

	if ((rc = run(t, argv, t->work.ptr, NULL, &out, &status, err)) < 0)
		goto out;
	t->gpu = status == 0;
	rc = log_printf(t, err, "%s", out.ptr);
out:
	tlc_buf_release(&out);
	return rc;
}

/* The toolkit's stub libcuda.so, exposed as libcuda.so.1 in stubdir. */
static int setup_stub(struct itest *t, struct tlc_error *err)
{
	static const char *const under[] = {
		"lib64/stubs/libcuda.so", "lib/stubs/libcuda.so",
		"targets/x86_64-linux/lib/stubs/libcuda.so",
		"targets/sbsa-linux/lib/stubs/libcuda.so", NULL,
	};
	struct tlc_buf root = TLC_BUF_INIT, cand = TLC_BUF_INIT;
	struct tlc_buf found = TLC_BUF_INIT, link = TLC_BUF_INIT;
	struct tlc_error ignored = TLC_ERROR_INIT;
	const char *roots[4] = { 0 };
	size_t nroots = 0;
	int rc = 0;

	if (t->o->cuda_stub) {
		struct stat st;

		if (stat(t->o->cuda_stub, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "stub libcuda '%s' is not a file",
					   t->o->cuda_stub);
			goto out;
		}
		if ((rc = tlc__fs_realpath(&found, t->o->cuda_stub, err)) < 0)
			goto out;
	} else {
		roots[nroots++] = getenv("CUDA_HOME");
		/* nvcc is <root>/bin/nvcc */
		if (tlc__proc_which(&root, "nvcc", &ignored) == 0) {
			char *r = realpath(root.ptr, NULL);

			tlc_buf_reset(&root);
			if (r && tlc_buf_puts(&root, r) == 0) {
				char *s = strrchr(root.ptr, '/');

				if (s)
					tlc_buf_truncate(&root,
							 (size_t)(s - root.ptr));
				s = strrchr(root.ptr, '/');
				if (s)
					tlc_buf_truncate(&root,
							 (size_t)(s - root.ptr));
				roots[nroots++] = root.ptr;
			}
			free(r);
		}
		roots[nroots++] = "/usr/local/cuda";
		for (size_t i = 0; i < nroots && !found.len; i++) {
			if (!roots[i] || !*roots[i])
				continue;
			for (size_t j = 0; under[j] && !found.len; j++) {
				if (tlc__fs_join(&cand, roots[i], under[j]) < 0)
					goto nomem;
				if (access(cand.ptr, R_OK) == 0 &&
				    tlc__fs_realpath(&found, cand.ptr,
						     &ignored) < 0)
					tlc_buf_reset(&found);
			}
		}
		if (!found.len) {
			rc = tlc_error_set(err, TLC_ENOTFOUND,
					   "no GPU here, and no stub libcuda.so "
					   "to load '%s' with (looked under "
					   "CUDA_HOME, nvcc's toolkit and "
					   "/usr/local/cuda)", t->filename);
			goto out;
		}
	}
	if ((rc = tlc__fs_join(&t->stubdir, t->work.ptr, "cuda-stub")) < 0 ||
	    (rc = tlc__fs_join(&link, t->stubdir.ptr, "libcuda.so.1")) < 0)
		goto nomem;
	if ((rc = tlc__fs_remove_tree(t->stubdir.ptr, err)) < 0 ||
	    (rc = tlc__fs_mkdir_p(t->stubdir.ptr, 0755, err)) < 0)
		goto out;
	if (symlink(found.ptr, link.ptr) < 0) {
		rc = tlc_error_errno(err, TLC_EIO, "cannot link '%s'",
				     link.ptr);
		goto out;
	}
	{
		const char *ld = getenv("LD_LIBRARY_PATH");

		if (tlc_buf_printf(&t->env_ld, "LD_LIBRARY_PATH=%s%s%s",
				   t->stubdir.ptr, ld && *ld ? ":" : "",
				   ld ? ld : "") < 0)
			goto nomem;
	}
	t->stub = true;
	rc = log_printf(t, err, "no GPU: loading and testing with the stub "
			"libcuda %s\n", found.ptr);
	goto out;
nomem:
	rc = oom(err);
out:
	tlc_buf_release(&root);
	tlc_buf_release(&cand);
	tlc_buf_release(&found);
	tlc_buf_release(&link);
	return rc;
}

/* The work directory: made, resolved, and outside the project. */
static int setup_work(struct itest *t, struct tlc_error *err)
{
	const struct tlc_recipe *r = t->o->recipe;
	int rc;

	if ((rc = tlc__fs_mkdir_p(t->o->work_dir, 0755, err)) < 0 ||
	    (rc = tlc__fs_realpath(&t->work, t->o->work_dir, err)) < 0)
		return rc;
	if (r && r->root) {
		size_t n = strlen(r->root);

		if (!strncmp(t->work.ptr, r->root, n) &&
		    (t->work.ptr[n] == '/' || !t->work.ptr[n] ||
		     !strcmp(r->root, "/")))
			return tlc_error_set(err, TLC_EPOLICY,
					     "work directory '%s' is inside "
					     "the project '%s': the test must "
					     "not see the source tree",
					     t->work.ptr, r->root);
	}
	if (tlc__fs_join(&t->venv, t->work.ptr, "venv") < 0 ||
	    tlc__fs_join(&t->vpython, t->venv.ptr, "bin/python") < 0 ||
	    tlc__fs_join(&t->run, t->work.ptr, "run") < 0 ||
	    tlc__fs_join(&t->script, t->work.ptr, "tlcpack-itest.py") < 0 ||
	    tlc__fs_join(&t->why, t->work.ptr, "itest-why.txt") < 0)
		return oom(err);
	if (t->o->log_path) {
		if (tlc_buf_puts(&t->log, t->o->log_path) < 0)
			return oom(err);
	} else if (tlc__fs_join(&t->log, t->work.ptr, "itest.log") < 0) {
		return oom(err);
	}
	if ((rc = tlc__fs_remove_tree(t->venv.ptr, err)) < 0 ||
	    (rc = tlc__fs_remove_tree(t->run.ptr, err)) < 0 ||
	    (rc = tlc__fs_mkdir_p(t->run.ptr, 0755, err)) < 0 ||
	    (rc = tlc__fs_unlink(t->why.ptr, err)) < 0)
		return rc;
	return tlc__fs_write_atomic(t->script.ptr, itest_py,
				    sizeof(itest_py) - 1, 0644, err);
}

/* The environment of everything run in the venv. */
static int venv_env(struct itest *t, const char **env,
		    struct tlc_error *err)
{
	const char *path = getenv("PATH");
	size_t n = 0;

	if (tlc_buf_printf(&t->env_path, "PATH=%s/bin%s%s", t->venv.ptr,
			   path && *path ? ":" : "", path ? path : "") < 0 ||
	    tlc_buf_printf(&t->env_venv, "VIRTUAL_ENV=%s", t->venv.ptr) < 0)
		return oom(err);
	env[n++] = t->env_path.ptr;
	env[n++] = t->env_venv.ptr;
	env[n++] = "PYTHONNOUSERSITE=1";
	env[n++] = "PYTHONPATH";
	env[n++] = "PYTHONHOME";
	env[n++] = "PIP_REQUIRE_VIRTUALENV";
	if (t->stub)
		env[n++] = t->env_ld.ptr;
	env[n] = NULL;
	return 0;
}

/* The reason the load step wrote, or @dflt. */
static void read_why(struct itest *t, struct tlc_buf *out, const char *dflt)
{
	struct tlc_error ignored = TLC_ERROR_INIT;

	out->max = WHY_MAX;
	if (tlc_buf_read_file(out, t->why.ptr, &ignored) < 0 || !out->len) {
		tlc_buf_reset(out);
		if (tlc_buf_puts(out, dflt) < 0)
			tlc_buf_reset(out);
	}
}

static int failed(enum tlc_itest_result *res, struct tlc_error *err,
		  const char *fmt, ...) TLC_PRINTF(3, 4);

static int failed(enum tlc_itest_result *res, struct tlc_error *err,
		  const char *fmt, ...)
{
	va_list ap;

	*res = TLC_ITEST_FAIL;
	va_start(ap, fmt);
	tlc_error_vset(err, TLC_ERROR, fmt, ap);
	va_end(ap);
	return TLC_ERROR;
}

int tlc_itest_run(const struct tlc_itest_opts *o, enum tlc_itest_result *res,
		  struct tlc_error *err)
{
	struct itest t = { .o = o };
	struct tlc_buf why = TLC_BUF_INIT, libs_path = TLC_BUF_INIT;
	const char *const *argv_extra;
	const char **pip = NULL;
	const char *env[12];
	int status = 0, rc;

	itest_init(&t);
	*res = TLC_ITEST_ERROR;
	if (!o->wheel || !o->index || !o->work_dir || !o->python)
		return tlc_error_set(err, TLC_ERROR, "tlc_itest_run() needs a "
				     "wheel, an index, a work_dir and a "
				     "python");

	/* 1. the interpreter, the wheel, the scratch directory */
	if (tlc__proc_which(&t.python, o->python, err) < 0) {
		rc = tlc_error_set(err, TLC_ENOTFOUND,
				   "python '%s' not found", o->python);
		goto out;
	}
	if ((rc = read_wheel(&t, err)) < 0 || (rc = setup_work(&t, err)) < 0 ||
	    (rc = index_urls(&t, err)) < 0)
		goto out;
	if ((rc = log_printf(&t, err, "tlcpack test %s (%s%s%s) through %s\n",
			     t.filename, t.cuda ? "CUDA" : "no CUDA",
			     o->variant ? ", variant " : "",
			     o->variant ? o->variant : "", t.simple.ptr)) < 0)
		goto out;

	/* 2. the index lists it */
	progress(&t, "index", 0);
	if ((rc = check_listed(&t, err)) < 0)
		goto out;
	progress(&t, "index", 1);

	/* a CUDA wheel: a GPU, or the stub */
	if (t.cuda) {
		if (o->gpu < 0) {
			if ((rc = detect_gpu(&t, err)) < 0)
				goto out;
		} else {
			t.gpu = o->gpu > 0;
		}
		if (!t.gpu && (rc = setup_stub(&t, err)) < 0)
			goto out;
	}

	/* 3. a fresh venv */
	progress(&t, "venv", 0);
	{
		const char *argv[] = { t.python.ptr, "-m", "venv", t.venv.ptr,
				       NULL };
		if ((rc = run(&t, argv, t.work.ptr, NULL, NULL, &status,
			      err)) < 0)
			goto out;
		if (status) {
			rc = tlc_error_set(err, TLC_ERROR,
					   "'%s -m venv' failed with exit "
					   "status %d", o->python, status);
			goto out;
		}
	}
	progress(&t, "venv", 1);
	if ((rc = venv_env(&t, env, err)) < 0)
		goto out;

	/* 4. pip, through the index alone (--isolated: no pip.conf, no
	 * PIP_* variables); the exact version, so this wheel is picked */
	progress(&t, "install", 0);
	{
		size_t n = 0, cap = 16;

		for (argv_extra = o->extra_index; argv_extra && *argv_extra;
		     argv_extra++)
			cap += 2;
		for (argv_extra = o->find_links; argv_extra && *argv_extra;
		     argv_extra++)
			cap += 2;
		if (!(pip = calloc(cap, sizeof(*pip)))) {
			rc = oom(err);
			goto out;
		}
		pip[n++] = t.vpython.ptr;
		pip[n++] = "-m";
		pip[n++] = "pip";
		pip[n++] = "--isolated";
		pip[n++] = "install";
		pip[n++] = "--disable-pip-version-check";
		pip[n++] = "--no-cache-dir";
		pip[n++] = "--no-input";
		pip[n++] = "--index-url";
		pip[n++] = t.simple.ptr;
		for (argv_extra = o->extra_index; argv_extra && *argv_extra;
		     argv_extra++) {
			pip[n++] = "--extra-index-url";
			pip[n++] = *argv_extra;
		}
		for (argv_extra = o->find_links; argv_extra && *argv_extra;
		     argv_extra++) {
			pip[n++] = "--find-links";
			pip[n++] = *argv_extra;
		}
		if (o->no_deps)
			pip[n++] = "--no-deps";
		pip[n++] = t.req.ptr;
		pip[n] = NULL;
		if ((rc = run(&t, pip, t.run.ptr, env, NULL, &status,
			      err)) < 0)
			goto out;
		if (status) {
			rc = failed(res, err, "pip could not install '%s' "
				    "through '%s' (exit status %d)",
				    t.req.ptr, t.simple.ptr, status);
			goto out;
		}
	}
	progress(&t, "install", 1);

	/* 5. the installed files are the wheel's; every library loads;
	 * the packages import */
	progress(&t, "load", 0);
	if (tlc__fs_join(&libs_path, t.work.ptr, "itest-libs.txt") < 0) {
		rc = oom(err);
		goto out;
	}
	if ((rc = tlc__fs_write_atomic(libs_path.ptr, t.libs.ptr, t.libs.len,
				       0644, err)) < 0)
		goto out;
	{
		const struct tlc_recipe *r = o->recipe;
		size_t npkgs = r ? r->packages.n : 0, n = 0;
		const char **argv = calloc(npkgs + 10, sizeof(*argv));

		if (!argv) {
			rc = oom(err);
			goto out;
		}
		argv[n++] = t.vpython.ptr;
		argv[n++] = "-I";
		argv[n++] = t.script.ptr;
		argv[n++] = "load";
		argv[n++] = t.wheel.ptr;
		argv[n++] = t.name;
		argv[n++] = libs_path.ptr;
		argv[n++] = t.why.ptr;
		for (size_t i = 0; i < npkgs; i++)
			argv[n++] = r->packages.v[i];
		argv[n] = NULL;
		rc = run(&t, argv, t.run.ptr, env, NULL, &status, err);
		free(argv);
		if (rc < 0)
			goto out;
		if (status) {
			read_why(&t, &why, "the load check failed");
			rc = failed(res, err, "%s", why.ptr);
			goto out;
		}
	}
	progress(&t, "load", 1);

	/* 6. the recipe's test command, outside the source tree */
	if (o->recipe && o->recipe->test_command) {
		const char *argv[] = { "/bin/sh", "-c",
				       o->recipe->test_command, NULL };

		progress(&t, "test", 0);
		if ((rc = run(&t, argv, t.run.ptr, env, NULL, &status,
			      err)) < 0)
			goto out;
		if (status) {
			rc = failed(res, err, "test command '%s' failed with "
				    "exit status %d", o->recipe->test_command,
				    status);
			goto out;
		}
		progress(&t, "test", 1);
	} else if ((rc = log_printf(&t, err, "no [test] command in the "
				    "recipe: loaded and imported only\n")) <
		   0) {
		goto out;
	}

	/* 7. on a GPU, the GPU test */
	if (t.cuda && t.gpu && o->recipe && o->recipe->gpu_test_command) {
		const char *argv[] = { "/bin/sh", "-c",
				       o->recipe->gpu_test_command, NULL };

		progress(&t, "gpu-test", 0);
		if ((rc = run(&t, argv, t.run.ptr, env, NULL, &status,
			      err)) < 0)
			goto out;
		if (status) {
			rc = failed(res, err, "GPU test command '%s' failed "
				    "with exit status %d",
				    o->recipe->gpu_test_command, status);
			goto out;
		}
		progress(&t, "gpu-test", 1);
	}
	*res = t.cuda && !t.gpu ? TLC_ITEST_PASS_NO_GPU : TLC_ITEST_PASS;
	rc = log_printf(&t, err, "%s\n", *res == TLC_ITEST_PASS_NO_GPU ?
			"no GPU: libraries loaded with the CUDA stub; GPU test "
			"not run" : "passed");
	if (rc < 0)
		*res = TLC_ITEST_ERROR;
out:
	free(pip);
	tlc_buf_release(&why);
	tlc_buf_release(&libs_path);
	itest_release(&t);
	return rc;
}
