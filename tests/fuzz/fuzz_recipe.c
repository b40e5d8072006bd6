/*
 * libFuzzer target for the recipe loader: each input is loaded from memory
 * twice, as a tlcpack.toml and as a pyproject.toml, against a scratch
 * project directory that holds a file, a directory and a symlink leading
 * out of it.  A failure must leave *out NULL and give a one-line message;
 * a success must give a recipe whose lists are NULL-terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlcpack/recipe.h"

static char root[] = "/tmp/tlc-fuzz-recipe-XXXXXX";
static char path[sizeof(root) + 32];

static const char *in_root(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", root, name);
	return path;
}

static void cleanup(void)
{
	unlink(in_root("out"));
	unlink(in_root("python/link"));
	rmdir(in_root("python"));
	unlink(in_root("README.md"));
	rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f;

	(void)argc;
	(void)argv;
	if (!mkdtemp(root))
		abort();
	atexit(cleanup);
	if (mkdir(in_root("python"), 0755) < 0 ||
	    symlink("/", in_root("out")) < 0 ||
	    symlink("..", in_root("python/link")) < 0 ||
	    !(f = fopen(in_root("README.md"), "w")) || fclose(f) != 0)
		abort();
	return 0;
}

static void check_list(size_t n, const char **v)
{
	if (!v || v[n])
		abort();
	for (size_t i = 0; i < n; i++)
		if (!v[i])
			abort();
}

static void check_kv(const struct tlc_recipe_kv *kv)
{
	check_list(kv->n, kv->keys);
	check_list(kv->n, kv->values);
}

static void check_recipe(const struct tlc_recipe *r)
{
	if (!r->name || !r->version || !r->python_source || !r->build_type ||
	    !r->default_variant || !r->nvariants || !r->pythons.n)
		abort();
	if (!tlc_recipe_variant(r, r->default_variant))
		abort();
	check_list(r->license_files.n, r->license_files.v);
	check_list(r->dependencies.n, r->dependencies.v);
	check_list(r->classifiers.n, r->classifiers.v);
	check_list(r->packages.n, r->packages.v);
	check_list(r->pythons.n, r->pythons.v);
	check_kv(&r->urls);
	check_kv(&r->defines);
	check_kv(&r->env);
	for (size_t i = 0; i < r->ncmake; i++) {
		if (!r->cmake[i].name || !r->cmake[i].source ||
		    !r->cmake[i].build_type)
			abort();
		check_kv(&r->cmake[i].defines);
		check_list(r->cmake[i].targets.n, r->cmake[i].targets.v);
	}
	for (size_t i = 0; i < r->nfiles; i++)
		if (!r->files[i].from || !r->files[i].to)
			abort();
	for (size_t i = 0; i < r->ngenerate; i++)
		if (!r->generate[i].path || !r->generate[i].content)
			abort();
	for (size_t i = 0; i < r->nvariants; i++) {
		const struct tlc_recipe_variant *v = &r->variants[i];

		if (!v->name || !v->suffix ||
		    tlc_recipe_variant(r, v->name) != v)
			abort();
		check_kv(&v->defines);
		check_kv(&v->env);
		check_list(v->exclude_libs.n, v->exclude_libs.v);
	}
	for (size_t i = 0; i < r->nchannels; i++)
		if (!r->channels[i].name || !r->channels[i].name_suffix ||
		    tlc_recipe_channel(r, r->channels[i].name) !=
			    &r->channels[i])
			abort();
}

static void one(const uint8_t *data, size_t size, const char *filename)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = (struct tlc_recipe *)&err;
	int rc;

	rc = tlc_recipe_load_buffer(&r, data, size, filename, root, &err);
	if (rc == 0) {
		if (!r)
			abort();
		check_recipe(r);
		tlc_recipe_free(r);
		return;
	}
	if (r || rc != err.code || !err.msg[0])
		abort();
	for (const char *p = err.msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, "tlcpack.toml");
	one(data, size, "pyproject.toml");
	return 0;
}
