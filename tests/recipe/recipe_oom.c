/*
 * recipe_oom RECIPE...: load each recipe again and again, making the
 * first, second, third ... allocation of libtlcpack fail, until a load
 * succeeds.  Every failed load must report TLC_ENOMEM and leave *out
 * NULL; under ASan (TLC_SANITIZE=ON) the leak checker then proves that
 * nothing allocated was kept.  Linked with -Wl,--wrap=malloc,calloc,
 * realloc (tests/recipe/tests.cmake).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tlcpack/error.h"
#include "tlcpack/recipe.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1;	/* allocations left before one fails */

static int fail_now(void)
{
	return countdown >= 0 && countdown-- == 0;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		long n;

		for (n = 0; n < 100000; n++) {
			struct tlc_error err = TLC_ERROR_INIT;
			struct tlc_recipe *r = (struct tlc_recipe *)&err;
			int rc;

			countdown = n;
			rc = tlc_recipe_load(&r, argv[i], &err);
			countdown = -1;
			if (rc == 0) {
				tlc_recipe_free(r);
				break;
			}
			if (r || rc != TLC_ENOMEM) {
				fprintf(stderr, "%s: allocation %ld failed: "
					"rc %d, out %p: %s\n", argv[i], n, rc,
					(void *)r, err.msg);
				return 1;
			}
		}
		if (n == 100000 || n == 0) {
			fprintf(stderr, "%s: %ld allocations\n", argv[i], n);
			return 1;
		}
		printf("%s: %ld allocation failures handled\n", argv[i], n);
	}
	return 0;
}
