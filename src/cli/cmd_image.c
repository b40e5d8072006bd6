/*
 * tlcpack image: container images without a Docker daemon.
 *
 *   tlcpack image build       a base image plus one layer of installed
 *                             wheels, written as an OCI image layout or a
 *                             docker-archive tar (src/lib/oci.c,
 *                             src/lib/install.c do the work)
 *   tlcpack image dockerfile  the Dockerfile of a variant's build
 *                             environment (the image `tlcpack matrix`
 *                             names tlcpack/build-cuXYZ)
 *
 * docs/image.md is the user's guide.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "tlcpack/buf.h"
#include "tlcpack/coremeta.h"
#include "tlcpack/install.h"
#include "tlcpack/matrix.h"
#include "tlcpack/oci.h"
#include "tlcpack/recipe.h"
#include "tlcpack/tar.h"
#include "tlcpack/wheel.h"

/* ------------------------------------------------------------------ */
/* Shared helpers */

/* Printable ASCII or UTF-8 continuation/lead bytes, no control
 * characters (C0, DEL): what may go into a Dockerfile line or a label. */
static bool printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* tlcpack image dockerfile */

static const struct option df_options[] = {
	{ "variant", required_argument, NULL, 'v' },
	{ "recipe", required_argument, NULL, 'r' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The interpreter "python3" stands for in the image: the manylinux
 * images carry several, none of them the default. */
#define DF_PYTHON3 "3.12"
#define DF_CMAKE_VERSION "3.31.6"

static void df_help(void)
{
	printf("usage: tlcpack image dockerfile --variant NAME "
	       "[--recipe R] [-C DIR]\n"
	       "\n"
	       "Print the Dockerfile of the build environment of a recipe's "
	       "variant: the\n"
	       "PyPA manylinux image of its policy (default %s),\n"
	       "the CUDA toolkit X.Y for a variant cuXYZ (NVIDIA's RHEL "
	       "repository,\n"
	       "cuda-toolkit-X-Y), CMake %s, the recipe's Pythons on PATH "
	       "under the\n"
	       "names the recipe uses (from /opt/python; \"python3\" is "
	       "Python %s) and\n"
	       "tlcpack, built in a first stage from the build context, "
	       "which must be a\n"
	       "checkout of tlcpack:\n"
	       "\n"
	       "  tlcpack image dockerfile --variant cu130 >Dockerfile.cu130\n"
	       "  docker build -t tlcpack/build-cu130 -f Dockerfile.cu130 "
	       "/path/to/tlcpack\n"
	       "\n"
	       "  -v, --variant NAME   the variant (required)\n"
	       "  -r, --recipe PATH    the recipe file or its directory "
	       "(default: DIR)\n"
	       "  -C DIR               the project directory (default: .)\n"
	       "  -h, --help           show this help\n"
	       "\n"
	       "The image is the one `tlcpack matrix` names for the variant "
	       "when the recipe\n"
	       "sets no 'image': tlcpack/build-cuXYZ.  See docs/image.md.\n",
	       TLC_MATRIX_DEFAULT_IMAGE, DF_CMAKE_VERSION, DF_PYTHON3);
}

/* A Dockerfile double-quoted string (LABEL, ENV): the Dockerfile
 * reference ("Environment replacement") expands $ in LABEL values, and
 * \ escapes; both are escaped, quotes too. */
static int df_quote(struct tlc_buf *b, const char *s)
{
	if (tlc_buf_putc(b, '"') < 0)
		return -1;
	for (; *s; s++) {
		if ((*s == '"' || *s == '\\' || *s == '$') &&
		    tlc_buf_putc(b, '\\') < 0)
			return -1;
		if (tlc_buf_putc(b, *s) < 0)
			return -1;
	}
	return tlc_buf_putc(b, '"');
}

/*
 * "python3.11" -> "cp311-cp311", "python3.13t" -> "cp313-cp313t"
 * (free-threaded), "python3" -> DF_PYTHON3's: the directories under
 * /opt/python of the manylinux images (pypa/manylinux README,
 * "Image content").  0, or -1 for a name that is none of these.
 */
static int df_python_dir(char *out, size_t n, const char *name)
{
	const char *v;
	char *end;
	unsigned long minor;
	bool t = false;

	if (strncmp(name, "python3", 7))
		return -1;
	v = name + 7;
	if (!*v)
		v = &DF_PYTHON3[2];		/* "12" after "3." */
	else if (*v++ != '.')
		return -1;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	minor = strtoul(v, &end, 10);
	if (errno || minor > 99)
		return -1;
	if (*end == 't' && !end[1])
		t = true;
	else if (*end)
		return -1;
	snprintf(out, n, "cp3%lu-cp3%lu%s", minor, minor, t ? "t" : "");
	return 0;
}

struct df_os {
	const char *policy;	/* in the image's name */
	const char *rhel;	/* NVIDIA's repository: "rhel8" */
	const char *powertools;	/* the repository with the -devel packages
				 * EPEL builds on */
};

/* The PyPA images with dnf: manylinux_2_28 is AlmaLinux 8,
 * manylinux_2_34 AlmaLinux 9 (pypa/manylinux README). */
static const struct df_os df_oses[] = {
	{ "manylinux_2_28", "rhel8", "powertools" },
	{ "manylinux_2_34", "rhel9", "crb" },
};

static int df_write(struct tlc_buf *o, const struct tlc_recipe *r,
		    const struct tlc_recipe_variant *v, struct tlc_error *err)
{
	struct tlc_recipe_variant plain = *v;
	struct tlc_buf base = TLC_BUF_INIT, name = TLC_BUF_INIT;
	const struct df_os *os = NULL;
	unsigned major = 0, minor = 0;
	bool cuda = tlc_matrix_cuda_version(v->name, &major, &minor);
	bool is_default;
	char cu[32], py[32];
	int rc = 0;

	/* the base: the manylinux image of the policy, whatever image the
	 * recipe names (tlc_matrix_image() of the variant without one,
	 * under a name that is no CUDA variant's) */
	plain.image = NULL;
	plain.name = "cpu";
	if (tlc_matrix_image(&base, NULL, &plain) < 0 ||
	    tlc_matrix_image(&name, &is_default, v) < 0)
		goto nomem;
	if (!cuda || !is_default) {
		tlc_buf_reset(&name);
		if (tlc_buf_printf(&name, "tlcpack/build-%s", v->name) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < sizeof(df_oses) / sizeof(df_oses[0]); i++)
		if (strstr(base.ptr, df_oses[i].policy))
			os = &df_oses[i];
	if (!os) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "variant '%s': no Dockerfile for the "
				   "image '%s' (tlcpack knows the AlmaLinux "
				   "images of manylinux_2_28 and "
				   "manylinux_2_34)", v->name, base.ptr);
		goto out;
	}
	for (size_t i = 0; i < r->pythons.n; i++)
		if (df_python_dir(py, sizeof(py), r->pythons.v[i]) < 0) {
			rc = tlc_error_set(err, TLC_EPOLICY,
					   "python '%s' of the recipe is no "
					   "manylinux interpreter (python3 or "
					   "python3.N)", r->pythons.v[i]);
			goto out;
		}
	if (!printable(v->description ? v->description : "") ||
	    !printable(r->name) ||
	    !printable(v->image ? v->image : "")) {
		rc = tlc_error_set(err, TLC_EPOLICY,
				   "variant '%s': a control character in "
				   "its name, description or image", v->name);
		goto out;
	}
	snprintf(cu, sizeof(cu), "%u.%u", major, minor);

	if (tlc_buf_printf(o,
		"# syntax=docker/dockerfile:1\n"
		"# The build environment of %s, variant %s%s%s%s,\n"
		"# as `tlcpack image dockerfile --variant %s` prints it.  "
		"Build it with a\n"
		"# checkout of tlcpack as the context (tlcpack is built "
		"from it):\n"
		"#\n"
		"#   docker build -t %s -f Dockerfile.%s /path/to/tlcpack\n"
		"#\n",
		r->name, v->name, v->description ? " (" : "",
		v->description ? v->description : "",
		v->description ? ")" : "", v->name, name.ptr, v->name) < 0)
		goto nomem;
	if (v->image)
		rc = tlc_buf_printf(o,
			"# The recipe names its own image for this variant, "
			"%s,\n"
			"# which `tlcpack matrix` runs its jobs in: set the "
			"variant's image to\n"
			"# where you push this one to build in it instead.\n",
			v->image);
	else if (cuda)
		rc = tlc_buf_printf(o,
			"# `tlcpack matrix` runs the variant's jobs in %s.\n",
			name.ptr);
	else
		rc = tlc_buf_printf(o,
			"# `tlcpack matrix` runs the variant's jobs in %s, "
			"which lacks tlcpack:\n"
			"# set the variant's image to where you push this "
			"one to build in it instead.\n", base.ptr);
	if (rc < 0)
		goto nomem;
	if (tlc_buf_printf(o,
		"\nARG BASE=%s\n"
		"\n"
		"# Stage 1: tlcpack from the build context, installed into "
		"/opt/tlcpack.\n"
		"FROM ${BASE} AS tlcpack\n"
		"RUN dnf install -y epel-release \\\n"
		" && dnf install -y --enablerepo=%s pkgconf-pkg-config "
		"\\\n"
		"      jansson-devel libdeflate-devel libmicrohttpd-devel "
		"libcurl-devel \\\n"
		"      openssl-devel zlib-devel libxcrypt-devel \\\n"
		" && dnf clean all\n"
		"COPY . /usr/src/tlcpack\n"
		"RUN cmake -S /usr/src/tlcpack -B /tmp/tlcpack-build "
		"-DBUILD_TESTING=OFF \\\n"
		"      -DCMAKE_BUILD_TYPE=Release "
		"-DCMAKE_INSTALL_PREFIX=/opt/tlcpack \\\n"
		" && cmake --build /tmp/tlcpack-build -j\"$(nproc)\" \\\n"
		" && cmake --install /tmp/tlcpack-build\n"
		"\n"
		"# Stage 2: the build environment.\n"
		"FROM ${BASE}\n"
		"ARG CMAKE_VERSION=%s\n"
		"# tlcpack's run-time libraries; patchelf and binutils for "
		"`tlcpack repair`\n"
		"RUN dnf install -y epel-release \\\n"
		" && dnf install -y --enablerepo=%s jansson libdeflate "
		"libmicrohttpd \\\n"
		"      libcurl openssl-libs zlib libxcrypt patchelf binutils "
		"\\\n"
		" && dnf clean all\n",
		base.ptr, os->powertools, DF_CMAKE_VERSION,
		os->powertools) < 0)
		goto nomem;
	if (cuda && tlc_buf_printf(o,
		"# The CUDA toolkit %s from NVIDIA's repository for %s; "
		"cuda-toolkit-%u-%u\n"
		"# pins the minor version (the newest patch release of "
		"%s)\n"
		"RUN curl -fsSLo /etc/yum.repos.d/cuda-%s.repo \\\n"
		"      https://developer.download.nvidia.com/compute/cuda/"
		"repos/%s/x86_64/cuda-%s.repo \\\n"
		" && dnf install -y cuda-toolkit-%u-%u \\\n"
		" && dnf clean all\n"
		"ENV CUDA_HOME=/usr/local/cuda-%s \\\n"
		"    CUDACXX=/usr/local/cuda-%s/bin/nvcc \\\n"
		"    PATH=/usr/local/cuda-%s/bin:${PATH}\n",
		cu, os->rhel, major, minor, cu, os->rhel, os->rhel, os->rhel,
		major, minor, cu, cu, cu) < 0)
		goto nomem;
	if (tlc_buf_printf(o,
		"# CMake, pinned: the manylinux image's pipx replaces its "
		"own\n"
		"RUN pipx install --force \"cmake==${CMAKE_VERSION}\"\n"
		"# The recipe's interpreters, under the names it uses\n"
		"RUN ") < 0)
		goto nomem;
	for (size_t i = 0; i < r->pythons.n; i++) {
		df_python_dir(py, sizeof(py), r->pythons.v[i]);
		if (tlc_buf_printf(o, "%sln -sf /opt/python/%s/bin/python "
				   "/usr/local/bin/%s",
				   i ? " \\\n && " : "", py,
				   r->pythons.v[i]) < 0)
			goto nomem;
	}
	if (!r->pythons.n && tlc_buf_puts(o, "true") < 0)
		goto nomem;
	if (tlc_buf_printf(o,
		"\n"
		"COPY --from=tlcpack /opt/tlcpack /opt/tlcpack\n"
		"ENV PATH=/opt/tlcpack/bin:${PATH}\n"
		"RUN tlcpack --version && cmake --version%s",
		cuda ? " && nvcc --version" : "") < 0)
		goto nomem;
	for (size_t i = 0; i < r->pythons.n; i++)
		if (tlc_buf_printf(o, " \\\n && %s --version",
				   r->pythons.v[i]) < 0)
			goto nomem;
	if (tlc_buf_puts(o, "\nLABEL org.opencontainers.image.title=") < 0)
		goto nomem;
	{
		struct tlc_buf t = TLC_BUF_INIT;
		int e = tlc_buf_printf(&t, "%s build environment (%s)",
				       r->name, v->name) < 0 ||
			df_quote(o, t.ptr) < 0;

		tlc_buf_release(&t);
		if (e)
			goto nomem;
	}
	if (tlc_buf_puts(o, " \\\n      org.opencontainers.image.description=")
		    < 0 ||
	    df_quote(o, v->description ? v->description : v->name) < 0 ||
	    tlc_buf_puts(o, " \\\n      ai.tlcpack.variant=") < 0 ||
	    df_quote(o, v->name) < 0)
		goto nomem;
	if (cuda && (tlc_buf_puts(o, " \\\n      ai.tlcpack.cuda=") < 0 ||
		     df_quote(o, cu) < 0))
		goto nomem;
	if (tlc_buf_puts(o, " \\\n      ai.tlcpack.pythons=") < 0)
		goto nomem;
	{
		struct tlc_buf t = TLC_BUF_INIT;
		int e = 0;

		for (size_t i = 0; i < r->pythons.n && !e; i++)
			e = tlc_buf_printf(&t, "%s%s", i ? " " : "",
					   r->pythons.v[i]) < 0;
		e = e || df_quote(o, t.ptr) < 0;
		tlc_buf_release(&t);
		if (e)
			goto nomem;
	}
	if (tlc_buf_puts(o, "\nWORKDIR /work\n") < 0)
		goto nomem;
	goto out;
nomem:
	rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_buf_release(&base);
	tlc_buf_release(&name);
	return rc;
}

/* A variant name as the recipe allows them, checked before it is looked
 * up so that a hostile one gets a clear refusal. */
static bool df_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') ||
		      (p != s && (*p == '-' || *p == '_' || *p == '.'))))
			return false;
	return true;
}

static int image_dockerfile(int argc, char **argv)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *recipe = NULL;
	struct tlc_buf out = TLC_BUF_INIT;
	const struct tlc_recipe_variant *v;
	const char *variant = NULL, *recipe_path = NULL, *dir = NULL;
	int ret = CLI_EXIT_OK, c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":v:r:C:h", df_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'v':
			variant = optarg;
			break;
		case 'r':
			recipe_path = optarg;
			break;
		case 'C':
			dir = optarg;
			break;
		case 'h':
			df_help();
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("image dockerfile",
					       "'%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("image dockerfile",
					       "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("image dockerfile",
				       "unexpected argument '%s'",
				       argv[optind]);
	if (!variant)
		return cli_usage_error("image dockerfile",
				       "--variant is required");
	if (!df_name_ok(variant)) {
		cli_error("variant name '%s' is not a recipe's variant name "
			  "(letters, digits, '-', '_', '.')",
			  printable(variant) ? variant : "(control characters)");
		return CLI_EXIT_FAILED;
	}
	if (recipe_path && dir)
		rc = tlc_recipe_load_in(&recipe, recipe_path, dir, &err);
	else
		rc = tlc_recipe_load(&recipe, recipe_path ? recipe_path :
					      dir ? dir : ".", &err);
	if (rc < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}
	if (!(v = tlc_recipe_variant(recipe, variant))) {
		cli_error("the recipe has no variant '%s'", variant);
		ret = CLI_EXIT_FAILED;
		goto out;
	}
	if (df_write(&out, recipe, v, &err) < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}
	fwrite(out.ptr, 1, out.len, stdout);
out:
	tlc_buf_release(&out);
	tlc_recipe_free(recipe);
	return ret;
}

/* ------------------------------------------------------------------ */
/* tlcpack image build */

static const struct option build_options[] = {
	{ "base", required_argument, NULL, 'b' },
	{ "wheel", required_argument, NULL, 'w' },
	{ "tag", required_argument, NULL, 't' },
	{ "format", required_argument, NULL, 'f' },
	{ "env", required_argument, NULL, 'e' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "label", required_argument, NULL, 'l' },
	{ "variant", required_argument, NULL, 'V' },
	{ "epoch", required_argument, NULL, 'E' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Docker's default PATH (moby oci/defaults.go), for a base without one. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
		     "/sbin:/bin"
/* 1980-01-01T00:00:00Z, the time `tlcpack pack` gives wheel members. */
#define DEFAULT_EPOCH 315532800

static void build_help(void)
{
	printf("usage: tlcpack image build --base BASE --wheel WHEEL... "
	       "-o OUT [options]\n"
	       "\n"
	       "Write a container image without a Docker daemon: the layers "
	       "of BASE, as\n"
	       "they are, and one new layer in which the wheels are "
	       "installed into BASE's\n"
	       "own Python (its install scheme asked from its interpreter, "
	       "run in a\n"
	       "chroot), as pip installs them.  Prints the manifest digest "
	       "and the sizes.\n"
	       "\n"
	       "BASE is an OCI image layout directory (skopeo copy ... "
	       "oci:DIR), a\n"
	       "docker-archive tar (docker save), a root file-system "
	       "directory or a root\n"
	       "file-system tarball (.tar, .tar.gz; debootstrap).\n"
	       "\n"
	       "  -b, --base BASE        the base image (required)\n"
	       "  -w, --wheel WHEEL      a wheel to install (repeat; "
	       "required)\n"
	       "  -o, --output OUT       the image: a directory (oci) or a "
	       "tar (docker-archive);\n"
	       "                         it must not exist as a directory\n"
	       "  -t, --tag NAME:TAG     the image's name (default: "
	       "NAME:VERSION of the first\n"
	       "                         wheel)\n"
	       "  -f, --format FORMAT    oci (default) or docker-archive "
	       "(for `docker load`)\n"
	       "  -e, --env K=V          set an environment variable "
	       "(repeat; over the base's)\n"
	       "  -c, --cmd ARG          the command, one argument each "
	       "(repeat; default: the\n"
	       "                         base's, else the base's python3)\n"
	       "  -l, --label K=V        a label and annotation (repeat; "
	       "over tlcpack's)\n"
	       "      --variant NAME     ai.tlcpack.variant (default: the "
	       "cuXYZ part of the\n"
	       "                         first wheel's name, else cpu)\n"
	       "      --epoch SECONDS    every time stamp (default: "
	       "SOURCE_DATE_EPOCH, else\n"
	       "                         1980-01-01)\n"
	       "  -h, --help             show this help\n"
	       "\n"
	       "The labels tlcpack sets come from the first wheel's "
	       "METADATA:\n"
	       "org.opencontainers.image.{title,version,description,"
	       "licenses,source,url},\n"
	       "ai.tlcpack.{variant,disclaimer,wheels}.  The same inputs "
	       "give the same\n"
	       "digests.  See docs/image.md for loading the image into "
	       "Docker or a\n"
	       "registry.\n");
}

/* Remove the tree at @path (a scratch directory of ours): directories
 * are made writable first, as a base's may be read-only. */
static int rm_chmod(const char *p, const struct stat *st, int type,
		    struct FTW *f)
{
	(void)f;
	if (type == FTW_D || type == FTW_DNR)
		chmod(p, (st->st_mode & 07777) | S_IRWXU);
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int type,
		  struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		return rmdir(p) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

static void rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	nftw(path, rm_chmod, 64, FTW_PHYS);
	nftw(path, rm_one, 64, FTW_PHYS | FTW_DEPTH);
}

/* What the image says about the wheels it holds. */
struct wheel_info {
	char *name, *version, *summary, *license, *source, *url;
	char *disclaimer;
};

static void wheel_info_release(struct wheel_info *w)
{
	free(w->name);
	free(w->version);
	free(w->summary);
	free(w->license);
	free(w->source);
	free(w->url);
	free(w->disclaimer);
	memset(w, 0, sizeof(*w));
}

/* The URL of "Project-URL: LABEL, URL" (core metadata 1.2) whose label
 * is one of @labels, case-insensitively. */
static const char *project_url(const struct tlc_coremeta *m,
			       const char *const *labels)
{
	for (const char *const *l = labels; *l; l++)
		for (size_t i = 0; i < m->nfields; i++) {
			const char *v = m->fields[i].value;
			size_t n = strlen(*l);

			if (strcasecmp(m->fields[i].key, "Project-URL") ||
			    strncasecmp(v, *l, n) || v[n] != ',')
				continue;
			v += n + 1;
			while (*v == ' ')
				v++;
			return *v ? v : NULL;
		}
	return NULL;
}

/*
 * The disclaimer `tlcpack build` puts first in the description (a
 * recipe's `disclaimer`, then an empty line, then the readme;
 * src/lib/build.c make_metadata()): the first paragraph, when it is one
 * line that is no heading (a readme starts with "# Title", or "Title"
 * and an underline, which makes two lines).  A wheel without a
 * disclaimer whose readme starts with a one-line paragraph gets that
 * line: --label ai.tlcpack.disclaimer= overrides it.
 */
static char *disclaimer_of(const char *body)
{
	const char *end = strstr(body, "\n\n");
	const char *nl = strchr(body, '\n');

	if (!end || nl != end || end == body || strchr("#=*-<[.:", body[0]))
		return NULL;
	return strndup(body, (size_t)(end - body));
}

static int read_wheel_info(struct wheel_info *w, const char *path,
			   struct tlc_error *err)
{
	static const char *const src[] = { "Source", "Source Code",
					   "Repository", "Code", NULL };
	static const char *const home[] = { "Homepage", "Home", NULL };
	struct tlc_wheel_reader *r = NULL;
	struct tlc_coremeta *m = NULL;
	const struct tlc_buf *md;
	const char *s;
	int rc;

	if ((rc = tlc_wheel_reader_open(&r, path, err)) < 0)
		return rc;
	md = tlc_wheel_reader_metadata(r);
	if ((rc = tlc_coremeta_parse(&m, md->ptr, md->len, "METADATA",
				     err)) < 0)
		goto out;
	w->name = strdup(m->name);
	w->version = strdup(m->version);
	if (m->summary)
		w->summary = strdup(m->summary);
	if ((s = tlc_coremeta_get(m, "License-Expression")) ||
	    ((s = tlc_coremeta_get(m, "License")) && !strchr(s, '\n')))
		w->license = strdup(s);
	if ((s = project_url(m, src)))
		w->source = strdup(s);
	if ((s = project_url(m, home)) || (s = tlc_coremeta_get(m,
								"Home-page")))
		w->url = strdup(s);
	w->disclaimer = disclaimer_of(m->body);
	if (!w->name || !w->version)
		rc = tlc_error_set(err, TLC_ENOMEM, "out of memory");
out:
	tlc_coremeta_free(m);
	tlc_wheel_reader_free(r);
	return rc;
}

/* "cu130" out of "tlcpack-example-cu130" or "tlcpack-cu118-nightly". */
static void variant_of(char *out, size_t n, const char *name)
{
	const char *p = name;

	snprintf(out, n, "cpu");
	while (*p) {
		size_t len = strcspn(p, "-_.");
		unsigned major, minor;
		char word[32];

		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			if (tlc_matrix_cuda_version(word, &major, &minor)) {
				snprintf(out, n, "%s", word);
				return;
			}
		}
		p += len;
		if (*p)
			p++;
	}
}

/* A label list: tlcpack's, then the user's, a later key replacing an
 * earlier one's value (the strings are owned by @store). */
struct kv_list {
	const char **v;		/* "k=v", NULL-terminated */
	size_t n;
	char **store;
	size_t nstore;
};

static int kv_add(struct kv_list *l, const char *key, const char *value)
{
	char *s, **st;
	size_t klen = strlen(key);

	if (!value)
		return 0;
	if (!(st = realloc(l->store, (l->nstore + 1) * sizeof(*st))))
		return -1;
	l->store = st;
	if (!(s = malloc(klen + strlen(value) + 2)))
		return -1;
	snprintf(s, klen + strlen(value) + 2, "%s=%s", key, value);
	l->store[l->nstore++] = s;
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], s, klen + 1)) {
			l->v[i] = s;
			return 0;
		}
	return cli_strv_push(&l->v, &l->n, s);
}

static void kv_release(struct kv_list *l)
{
	for (size_t i = 0; i < l->nstore; i++)
		free(l->store[i]);
	free(l->store);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "K=V" with a non-empty K free of '=' and control characters. */
static bool kv_ok(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq && eq != s && printable(s);
}

/*
 * Is the base at @path a root file system (a directory without an
 * "oci-layout" file, a gzip tarball, a tar without "manifest.json")?  Its
 * config then has no Cmd, and the image gets the base's python3.
 */
static bool is_rootfs_base(const char *path)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_tar_reader *r = NULL;
	const struct tlc_tar_entry *e;
	struct stat st;
	bool rootfs = true;
	int fd;

	if (stat(path, &st) < 0)
		return false;
	if (S_ISDIR(st.st_mode)) {
		struct tlc_buf p = TLC_BUF_INIT;

		rootfs = tlc_buf_printf(&p, "%s/oci-layout", path) == 0 &&
			 access(p.ptr, F_OK) < 0;
		tlc_buf_release(&p);
		return rootfs;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (tlc_tar_reader_new(&r, fd, 0, UINT64_MAX, path, &err) == 0 &&
	    !tlc_tar_reader_gzip(r))
		while (tlc_tar_reader_next(r, &e, &err) == 1)
			if (!strcmp(e->name, "manifest.json")) {
				rootfs = false;
				break;
			}
	tlc_tar_reader_free(r);
	close(fd);
	return rootfs;
}

/* Is the directory @dir, or a directory above it, on the PATH @path? */
static bool on_path(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	for (const char *p = path; p; p = strchr(p, ':'), p = p ? p + 1 : p)
		if (!strncmp(p, dir, n) && (p[n] == ':' || !p[n]))
			return true;
	return false;
}

static int image_build(int argc, char **argv)
{
	struct tlc_oci_opts opts = TLC_OCI_OPTS_INIT;
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_install_scheme scheme = TLC_INSTALL_SCHEME_INIT;
	struct tlc_oci_base *base = NULL;
	struct wheel_info info = { 0 };
	struct kv_list labels = { 0 }, env = { 0 };
	struct tlc_buf tmpl = TLC_BUF_INIT, rootfs = TLC_BUF_INIT;
	struct tlc_buf layer = TLC_BUF_INIT, tmp_out = TLC_BUF_INIT;
	struct tlc_buf tag = TLC_BUF_INIT, wl = TLC_BUF_INIT;
	struct tlc_buf path = TLC_BUF_INIT;
	const char **wheels = NULL, **user_env = NULL, **cmd = NULL;
	const char **user_labels = NULL;
	size_t nwheels = 0, nuser_env = 0, ncmd = 0, nuser_labels = 0;
	const char *base_path = NULL, *out = NULL, *variant = NULL;
	const char *note = NULL, *sde = getenv("SOURCE_DATE_EPOCH");
	const char *default_cmd[2] = { NULL, NULL };
	struct tlc_oci_result res;
	char var[64];
	bool scratch_made = false;
	long long epoch = -1, v;
	struct stat st;
	int ret = CLI_EXIT_OK, c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:w:t:f:e:c:l:o:h",
				build_options, NULL)) != -1) {
		switch (c) {
		case 'b':
			base_path = optarg;
			break;
		case 'w':
			if (cli_strv_push(&wheels, &nwheels, optarg) < 0)
				goto oom;
			break;
		case 't':
			opts.tag = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "oci")) {
				opts.format = TLC_OCI_LAYOUT;
			} else if (!strcmp(optarg, "docker-archive")) {
				opts.format = TLC_OCI_DOCKER_ARCHIVE;
			} else {
				ret = cli_usage_error("image build", "--format "
						      "wants oci or "
						      "docker-archive, not "
						      "'%s'", optarg);
				goto out;
			}
			break;
		case 'e':
			if (!kv_ok(optarg)) {
				ret = cli_usage_error("image build", "--env "
						      "wants K=V, not '%s'",
						      optarg);
				goto out;
			}
			if (cli_strv_push(&user_env, &nuser_env, optarg) < 0)
				goto oom;
			break;
		case 'c':
			if (cli_strv_push(&cmd, &ncmd, optarg) < 0)
				goto oom;
			break;
		case 'l':
			if (!kv_ok(optarg)) {
				ret = cli_usage_error("image build", "--label "
						      "wants K=V, not '%s'",
						      optarg);
				goto out;
			}
			if (cli_strv_push(&user_labels, &nuser_labels, optarg) < 0)
				goto oom;
			break;
		case 'V':
			variant = optarg;
			break;
		case 'E':
			if (!cli_parse_num(optarg, 0, INT64_MAX, &v)) {
				ret = cli_usage_error("image build", "--epoch "
						      "'%s' is not a number "
						      "of seconds", optarg);
				goto out;
			}
			epoch = v;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			build_help();
			goto out;
		case ':':
			ret = cli_usage_error("image build",
					      "'%s' needs a value",
					      argv[optind - 1]);
			goto out;
		default:
			ret = cli_usage_error("image build",
					      "unknown option '%s'",
					      argv[optind - 1]);
			goto out;
		}
	}
	for (; optind < argc; optind++)	/* wheels may also come bare */
		if (cli_strv_push(&wheels, &nwheels, argv[optind]) < 0)
			goto oom;
	if (!base_path || !nwheels || !out) {
		ret = cli_usage_error("image build", "--base, --wheel and -o "
				      "are required");
		goto out;
	}
	if (epoch < 0 && sde) {
		if (!cli_parse_num(sde, 0, INT64_MAX, &v)) {
			cli_error("SOURCE_DATE_EPOCH '%s' is not a number of "
				  "seconds", sde);
			ret = CLI_EXIT_USAGE;
			goto out;
		}
		epoch = v;
	}
	opts.epoch = epoch < 0 ? DEFAULT_EPOCH : epoch;
	if (variant && !df_name_ok(variant)) {
		cli_error("variant name '%s' is not a recipe's variant name "
			  "(letters, digits, '-', '_', '.')",
			  printable(variant) ? variant : "(control characters)");
		ret = CLI_EXIT_FAILED;
		goto out;
	}
	if (!lstat(out, &st) && S_ISDIR(st.st_mode)) {
		cli_error("'%s' exists: remove it first", out);
		ret = CLI_EXIT_FAILED;
		goto out;
	}

	/* the labels, from the first wheel; every wheel is read (and so
	 * checked) before anything is unpacked */
	for (size_t i = 0; i < nwheels; i++) {
		struct wheel_info w = { 0 };

		if (read_wheel_info(&w, wheels[i], &err) < 0) {
			wheel_info_release(&w);
			ret = cli_error_tlc(&err);
			goto out;
		}
		if (tlc_buf_printf(&wl, "%s%s==%s", i ? " " : "", w.name,
				   w.version) < 0) {
			wheel_info_release(&w);
			goto oom;
		}
		if (i == 0)
			info = w;
		else
			wheel_info_release(&w);
	}
	if (!variant) {
		variant_of(var, sizeof(var), info.name);
		variant = var;
	}
	if (!opts.tag) {
		if (tlc_buf_printf(&tag, "%s:%s", info.name, info.version) < 0)
			goto oom;
		/* a tag is [A-Za-z0-9_.-] (OCI distribution-spec): a local
		 * version's '+' becomes '_' */
		for (char *p = strchr(tag.ptr, ':'); *p; p++)
			if (*p == '+')
				*p = '_';
		opts.tag = tag.ptr;
	}
	if (kv_add(&labels, "org.opencontainers.image.title", info.name) < 0 ||
	    kv_add(&labels, "org.opencontainers.image.version",
		   info.version) < 0 ||
	    kv_add(&labels, "org.opencontainers.image.description",
		   info.summary) < 0 ||
	    kv_add(&labels, "org.opencontainers.image.licenses",
		   info.license) < 0 ||
	    kv_add(&labels, "org.opencontainers.image.source",
		   info.source) < 0 ||
	    kv_add(&labels, "org.opencontainers.image.url", info.url) < 0 ||
	    kv_add(&labels, "ai.tlcpack.variant", variant) < 0 ||
	    kv_add(&labels, "ai.tlcpack.disclaimer", info.disclaimer) < 0 ||
	    kv_add(&labels, "ai.tlcpack.wheels", wl.ptr) < 0)
		goto oom;
	for (size_t i = 0; i < nuser_labels; i++) {
		const char *eq = strchr(user_labels[i], '=');
		char *k = strndup(user_labels[i],
				  (size_t)(eq - user_labels[i]));
		int e = !k || kv_add(&labels, k, eq + 1) < 0;

		free(k);
		if (e)
			goto oom;
	}

	/* the scratch: the base's root file system and the new layer */
	{
		const char *td = getenv("TMPDIR");

		if (tlc_buf_printf(&tmpl, "%s/tlcpack-image-XXXXXX",
				   td && *td ? td : "/tmp") < 0)
			goto oom;
	}
	if (!mkdtemp(tmpl.ptr)) {
		cli_error("cannot create a scratch directory '%s': %s",
			  tmpl.ptr, strerror(errno));
		ret = CLI_EXIT_FATAL;
		goto out;
	}
	scratch_made = true;
	if (tlc_buf_printf(&rootfs, "%s/rootfs", tmpl.ptr) < 0 ||
	    tlc_buf_printf(&layer, "%s/layer", tmpl.ptr) < 0)
		goto oom;
	if (mkdir(rootfs.ptr, 0755) < 0 || mkdir(layer.ptr, 0755) < 0) {
		cli_error("cannot create '%s': %s", layer.ptr,
			  strerror(errno));
		ret = CLI_EXIT_FATAL;
		goto out;
	}
	if (tlc_oci_base_open(&base, base_path, &err) < 0 ||
	    tlc_oci_base_unpack(base, rootfs.ptr, &err) < 0 ||
	    tlc_install_scheme_detect(&scheme, rootfs.ptr, &note, &err) < 0) {
		ret = cli_error_tlc(&err);
		goto out;
	}
	if (note)
		fprintf(stderr, "tlcpack: %s\n", note);
	for (size_t i = 0; i < nwheels; i++)
		if (tlc_install_wheel(wheels[i], layer.ptr, &scheme,
				      &err) < 0) {
			ret = cli_error_tlc(&err);
			goto out;
		}

	/* Env: the base's, PATH with the scripts' directory on it (Docker's
	 * default PATH for a base without one), then --env */
	{
		const char *const *benv = tlc_oci_base_env(base);
		const char *pathv = NULL;
		bool user_path = false;

		for (size_t i = 0; i < nuser_env; i++)
			if (!strncmp(user_env[i], "PATH=", 5))
				user_path = true;
		for (size_t i = 0; benv && benv[i]; i++)
			if (!strncmp(benv[i], "PATH=", 5))
				pathv = benv[i] + 5;
		if (!user_path && (!pathv || !on_path(pathv, scheme.scripts))) {
			if (tlc_buf_printf(&path, "%s%s%s",
					   on_path(pathv ? pathv : DEFAULT_PATH,
						   scheme.scripts) ? "" :
					   scheme.scripts,
					   on_path(pathv ? pathv : DEFAULT_PATH,
						   scheme.scripts) ? "" : ":",
					   pathv ? pathv : DEFAULT_PATH) < 0 ||
			    kv_add(&env, "PATH", path.ptr) < 0)
				goto oom;
		}
		for (size_t i = 0; i < nuser_env; i++) {
			const char *eq = strchr(user_env[i], '=');
			char *k = strndup(user_env[i],
					  (size_t)(eq - user_env[i]));
			int e = !k || kv_add(&env, k, eq + 1) < 0;

			free(k);
			if (e)
				goto oom;
		}
		opts.env = env.v;
	}
	/* Cmd: --cmd; else the base's; a base without a config (a root
	 * file system) gets its python3 */
	if (ncmd) {
		opts.cmd = cmd;
	} else if (is_rootfs_base(base_path)) {
		default_cmd[0] = scheme.python;
		opts.cmd = default_cmd;
	}
	opts.labels = labels.v;

	/* written beside OUT, renamed into place: a failure leaves
	 * nothing at OUT */
	if (tlc_buf_printf(&tmp_out, "%s.tlcpack-tmp-%ld", out,
			   (long)getpid()) < 0)
		goto oom;
	rm_tree(tmp_out.ptr);
	if (tlc_oci_write_ex(base, layer.ptr, &opts, tmp_out.ptr, &res,
			     &err) < 0) {
		rm_tree(tmp_out.ptr);
		ret = cli_error_tlc(&err);
		goto out;
	}
	if (rename(tmp_out.ptr, out) < 0) {
		cli_error("cannot rename '%s' to '%s': %s", tmp_out.ptr, out,
			  strerror(errno));
		rm_tree(tmp_out.ptr);
		ret = CLI_EXIT_FATAL;
		goto out;
	}
	printf("%s\n", res.digest);
	printf("%s: %" PRIu64 " bytes: %zu base layer%s of %" PRIu64
	       " bytes, a new layer of %" PRIu64 " bytes (%s)\n", opts.tag,
	       res.image_size, tlc_oci_base_layer_count(base),
	       tlc_oci_base_layer_count(base) == 1 ? "" : "s",
	       tlc_oci_base_size(base), res.layer_size, res.layer_digest);
	goto out;
oom:
	cli_error("out of memory");
	ret = CLI_EXIT_FATAL;
out:
	if (scratch_made && !getenv("TLC_IMAGE_KEEP_SCRATCH"))
		rm_tree(tmpl.ptr);
	tlc_oci_base_free(base);
	tlc_install_scheme_release(&scheme);
	wheel_info_release(&info);
	kv_release(&labels);
	kv_release(&env);
	tlc_buf_release(&tmpl);
	tlc_buf_release(&rootfs);
	tlc_buf_release(&layer);
	tlc_buf_release(&tmp_out);
	tlc_buf_release(&tag);
	tlc_buf_release(&wl);
	tlc_buf_release(&path);
	free(wheels);
	free(user_env);
	free(cmd);
	free(user_labels);
	return ret;
}

/* ------------------------------------------------------------------ */
/* tlcpack image */

static const struct cli_command image_commands[] = {
	{ "build", image_build,
	  "Write an OCI image: a base plus a layer of installed wheels" },
	{ "dockerfile", image_dockerfile,
	  "Print the Dockerfile of a variant's build environment" },
};

static void image_help(FILE *f)
{
	fprintf(f, "usage: tlcpack image <command> [<args>]\n"
		   "\n"
		   "Container images, written without a Docker daemon.\n"
		   "\n");
	for (size_t i = 0; i < sizeof(image_commands) /
			       sizeof(image_commands[0]); i++)
		fprintf(f, "  %-11s %s\n", image_commands[i].name,
			image_commands[i].summary);
	fprintf(f, "\nRun 'tlcpack image <command> --help' for its options; "
		   "docs/image.md has more.\n");
}

int cmd_image(int argc, char **argv)
{
	if (argc < 2) {
		image_help(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		image_help(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(image_commands) /
			       sizeof(image_commands[0]); i++)
		if (!strcmp(argv[1], image_commands[i].name))
			return image_commands[i].fn(argc - 1, argv + 1);
	return cli_usage_error("image", "'%s' is not an image command "
			       "(build, dockerfile)", argv[1]);
}
