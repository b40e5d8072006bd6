/*
 * Recipes: what to build and how to name it.  Read from tlcpack.toml, or
 * from [tool.tlcpack] in pyproject.toml together with the PEP 621
 * [project] table.  docs/recipe.md is the reference for every key.
 *
 * A loaded recipe is read-only.  Its strings are owned by it and are
 * NUL-terminated; every list is a NULL-terminated array with a count.
 * Placeholders such as "{version}" are kept as written: the build expands
 * them (see docs/recipe.md, "Placeholders").
 */
#ifndef TLC_RECIPE_H
#define TLC_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A string → string table, in file order. */
struct tlc_recipe_kv {
	size_t n;
	const char **keys;	/* NULL-terminated */
	const char **values;	/* NULL-terminated */
};

struct tlc_recipe_strlist {
	size_t n;
	const char **v;		/* NULL-terminated */
};

enum tlc_version_source {
	TLC_VERSION_LITERAL,	/* package.version = "1.2.3" */
	TLC_VERSION_GIT_TAG,	/* package.version = { git-tag = "v*" } */
};

struct tlc_recipe_cmake {
	const char *name;	/* "core"; default "cmake<N>" (N from 0) */
	const char *source;	/* relative to the project root */
	bool per_python;	/* configured once per interpreter */
	const char *install_dir; /* wheel dir for `cmake --install`; NULL: none */
	const char *build_type;	/* CMAKE_BUILD_TYPE; inherits build.build-type */
	struct tlc_recipe_kv defines;
	struct tlc_recipe_strlist targets;
};

struct tlc_recipe_file {
	const char *from;	/* glob, may hold {build} placeholders */
	const char *to;		/* a wheel path; ends with '/' for a directory */
};

struct tlc_recipe_generate {
	const char *path;	/* a wheel path */
	const char *content;	/* with placeholders */
};

/* Libraries a dependency provides ([[variants.NAME.provided-libs]]):
 * repair leaves them out and points the run path at @dir. */
struct tlc_recipe_provided {
	struct tlc_recipe_strlist libs;	/* SONAME family patterns */
	const char *dir;	/* site-packages relative: "nvidia/cublas/lib" */
	const char *dependency;	/* a requirement's name: "nvidia-cublas-cu13" */
};

struct tlc_recipe_variant {
	const char *name;	/* "cpu", "cu121": [variants.NAME] */
	const char *suffix;	/* name suffix; default "-NAME", "" for default */
	struct tlc_recipe_kv defines;
	struct tlc_recipe_kv env;
	struct tlc_recipe_strlist dependencies;	/* added to the package's */
	struct tlc_recipe_strlist exclude_libs;
	size_t nprovided;
	struct tlc_recipe_provided *provided;
	const char *policy;	/* a known policy name; NULL: best possible */
	const char *description; /* one line shown in --list, may be NULL */
	const char *image;	/* the build image (CI matrix, Dockerfile);
				 * NULL: tlcpack's default for the variant */
};

struct tlc_recipe_channel {
	const char *name;	/* "nightly": [channels.NAME] */
	const char *name_suffix; /* "-nightly" */
	bool dev_version;	/* version = "dev": X.Y.devN+gHASH */
	bool local_version;	/* keep the +gHASH part (default true) */
	unsigned keep;		/* how many to keep when pruning; 0: all */
};

struct tlc_recipe {
	const char *path;	/* the file read */
	const char *root;	/* absolute project directory */

	/* [package], falling back to PEP 621 [project] */
	const char *name;
	enum tlc_version_source version_source;
	const char *version;	/* literal, or the tag glob ("v*") */
	const char *summary;
	const char *description_file; /* readme, relative to root; may be NULL */
	const char *description_content_type;
	const char *license;
	struct tlc_recipe_strlist license_files;
	struct tlc_recipe_strlist dependencies;
	const char *requires_python;
	struct tlc_recipe_kv urls;
	const char *author;
	const char *author_email;
	struct tlc_recipe_strlist classifiers;
	const char *disclaimer;
	const char *python_source; /* directory holding the packages; "." */
	struct tlc_recipe_strlist packages;
	const char *default_variant;

	/* [build] */
	struct tlc_recipe_strlist pythons; /* interpreters to look up */
	const char *build_type;		/* "Release" */
	struct tlc_recipe_kv defines;
	struct tlc_recipe_kv env;
	unsigned jobs;			/* 0: every online CPU */
	bool repair;			/* build.repair: repair each wheel
					 * (default true) */
	size_t ncmake;
	struct tlc_recipe_cmake *cmake;
	size_t nfiles;
	struct tlc_recipe_file *files;
	size_t ngenerate;
	struct tlc_recipe_generate *generate;

	size_t nvariants;
	struct tlc_recipe_variant *variants;	/* file order */
	size_t nchannels;
	struct tlc_recipe_channel *channels;

	/* [test] */
	const char *test_command;
	const char *gpu_test_command;
};

/**
 * Load the recipe at @path: a tlcpack.toml, or a pyproject.toml with a
 * [tool.tlcpack] table.  When @path is a directory, look there for
 * tlcpack.toml, then pyproject.toml.
 *
 * Every error names "file:line:column" and the key, e.g.
 * "tlcpack.toml:4:1: unknown key 'build.defins' (did you mean 'defines'?)".
 * Refused: invalid TOML, wrong types, unknown keys, invalid names and
 * versions, paths that are absolute or escape the project directory
 * (after resolving symlinks), and absurd sizes (over
 * TLC_RECIPE_MAX_ITEMS entries in a list, strings over
 * TLC_RECIPE_MAX_STRING bytes).
 *
 * Loading only reads.  @out->path is the absolute path of the file read,
 * @out->root the absolute, resolved directory holding it.  A file over
 * TLC_RECIPE_MAX_FILE bytes is refused before it is parsed.
 *
 * @param[out] out  free with tlc_recipe_free(); NULL on failure
 * @return 0; TLC_ENOTFOUND (no such file, no recipe in the directory, or
 *         a pyproject.toml without [tool.tlcpack]); TLC_EPOLICY (invalid
 *         TOML or a broken rule); TLC_ETOOBIG; TLC_ENOMEM; TLC_EIO
 */
int tlc_recipe_load(struct tlc_recipe **out, const char *path,
		    struct tlc_error *err);

#define TLC_RECIPE_MAX_ITEMS 4096
#define TLC_RECIPE_MAX_STRING 65536
#define TLC_RECIPE_MAX_FILE (1u << 20)	/* bytes of a recipe file */

/**
 * Load the recipe at @path as tlc_recipe_load() does, for the project in
 * @root (a directory; NULL: the recipe's own directory): a recipe kept
 * apart from the tree it builds, such as recipes/tvm.toml for a TVM
 * checkout.
 */
int tlc_recipe_load_in(struct tlc_recipe **out, const char *path,
		       const char *root, struct tlc_error *err);

/**
 * Load a recipe from @len bytes of @data, as tlc_recipe_load() loads a
 * file: @filename names it in messages and decides the form (a basename
 * of "pyproject.toml" reads [tool.tlcpack] and [project], anything else
 * is a tlcpack.toml).  Paths in the recipe are checked against @root.
 *
 * @out->path is @root (resolved) joined with the basename of @filename.
 *
 * @param root  the project directory; NULL: the directory of @filename
 * @param[out] out  free with tlc_recipe_free(); NULL on failure
 * @return as tlc_recipe_load()
 */
int tlc_recipe_load_buffer(struct tlc_recipe **out, const void *data,
			   size_t len, const char *filename, const char *root,
			   struct tlc_error *err);

/** Free @r and everything it owns.  NULL is a no-op. */
void tlc_recipe_free(struct tlc_recipe *r);

/** The variant named @name, or NULL. */
const struct tlc_recipe_variant *
tlc_recipe_variant(const struct tlc_recipe *r, const char *name);

/** The channel named @name, or NULL. */
const struct tlc_recipe_channel *
tlc_recipe_channel(const struct tlc_recipe *r, const char *name);

#endif
