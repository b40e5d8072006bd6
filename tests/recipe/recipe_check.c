/*
 * recipe_check RECIPE: load a recipe as `tlcpack build` would and say
 * what is wrong with it.  On failure the loader's one-line message goes to
 * stderr and the exit status is 1; on success a summary of the recipe goes
 * to stdout.  Used by tests/recipe/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tlcpack/error.h"
#include "tlcpack/recipe.h"

static void kv(const char *what, const struct tlc_recipe_kv *t)
{
	for (size_t i = 0; i < t->n; i++)
		printf("%s %s=%s\n", what, t->keys[i], t->values[i]);
}

static void list(const char *what, const struct tlc_recipe_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("%s %s\n", what, l->v[i]);
}

static void dump(const struct tlc_recipe *r)
{
	printf("path %s\nroot %s\nname %s\nversion %s%s\n", r->path, r->root,
	       r->name,
	       r->version_source == TLC_VERSION_GIT_TAG ? "git-tag " : "",
	       r->version);
	printf("python-source %s\ndefault-variant %s\n", r->python_source,
	       r->default_variant);
	list("package", &r->packages);
	list("python", &r->pythons);
	kv("define", &r->defines);
	kv("env", &r->env);
	for (size_t i = 0; i < r->ncmake; i++)
		printf("cmake %s source=%s per-python=%d\n", r->cmake[i].name,
		       r->cmake[i].source, r->cmake[i].per_python);
	for (size_t i = 0; i < r->nvariants; i++) {
		const struct tlc_recipe_variant *v = &r->variants[i];

		printf("variant %s suffix='%s'", v->name, v->suffix);
		if (v->policy)
			printf(" policy=%s", v->policy);
		if (v->image)
			printf(" image=%s", v->image);
		printf("\n");
		list("exclude-lib", &v->exclude_libs);
	}
	for (size_t i = 0; i < r->nchannels; i++)
		printf("channel %s name-suffix='%s' dev=%d local=%d keep=%u\n",
		       r->channels[i].name, r->channels[i].name_suffix,
		       r->channels[i].dev_version,
		       r->channels[i].local_version, r->channels[i].keep);
}

int main(int argc, char **argv)
{
	struct tlc_error err = TLC_ERROR_INIT;
	struct tlc_recipe *r = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: recipe_check RECIPE\n");
		return 2;
	}
	if (tlc_recipe_load(&r, argv[1], &err) < 0) {
		fprintf(stderr, "recipe_check: %s\n", err.msg);
		return r ? 3 : 1;
	}
	dump(r);
	tlc_recipe_free(r);
	return fflush(stdout) == 0 ? 0 : 1;
}
