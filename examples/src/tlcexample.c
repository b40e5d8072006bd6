/*
 * libtlcexample.so: a few dense kernels parallelised with OpenMP, so the
 * library needs libgomp.so.1 the way libtvm.so does.  Only the functions
 * marked TLCEXAMPLE_API are exported (the build uses -fvisibility=hidden).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <omp.h>

#include "tlcexample/tlcexample.h"
#include "tlcexample_config.h"	/* TLCEXAMPLE_VERSION_STRING, generated */

static _Thread_local char last_error[256];

const char *tlcexample_version(void)
{
	return TLCEXAMPLE_VERSION_STRING;
}

const char *tlcexample_last_error(void)
{
	return last_error;
}

void tlcexample_set_last_error(const char *msg)
{
	snprintf(last_error, sizeof(last_error), "%s", msg ? msg : "");
}

static int fail(const char *func, const char *what)
{
	snprintf(last_error, sizeof(last_error), "%s: %s", func, what);
	return -1;
}

static void clear_error(void)
{
	last_error[0] = '\0';
}

int tlcexample_num_threads(void)
{
	return omp_get_max_threads();
}

int tlcexample_dot(const double *a, const double *b, int64_t n, double *out)
{
	double sum = 0.0;

	if (n < 0)
		return fail("dot", "negative length");
	if (!out || (n > 0 && (!a || !b)))
		return fail("dot", "NULL array");
	#pragma omp parallel for reduction(+:sum) schedule(static) if (n > 65536)
	for (int64_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	*out = sum;
	clear_error();
	return 0;
}

int tlcexample_axpy(int64_t n, double alpha, const double *x, double *y)
{
	if (n < 0)
		return fail("axpy", "negative length");
	if (n > 0 && (!x || !y))
		return fail("axpy", "NULL array");
	#pragma omp parallel for schedule(static) if (n > 65536)
	for (int64_t i = 0; i < n; i++)
		y[i] += alpha * x[i];
	clear_error();
	return 0;
}

int tlcexample_matmul(int64_t m, int64_t k, int64_t n, const double *a,
		      const double *b, double *c)
{
	const int64_t limit = INT64_MAX / (int64_t)sizeof(double);

	if (m < 0 || k < 0 || n < 0)
		return fail("matmul", "negative dimension");
	if ((k && m > limit / k) || (n && k > limit / n) ||
	    (n && m > limit / n))
		return fail("matmul", "dimensions too large");
	if (m * n > 0 && !c)
		return fail("matmul", "NULL array");
	if (m * k > 0 && k * n > 0 && (!a || !b))
		return fail("matmul", "NULL array");
	/* Rows of c are independent: one thread per block of rows, and the
	 * i-p-j loop order walks b and c contiguously. */
	#pragma omp parallel for schedule(static) if ((double)m * k * n > 65536.0)
	for (int64_t i = 0; i < m; i++) {
		double *ci = c + i * n;

		memset(ci, 0, (size_t)n * sizeof(double));
		for (int64_t p = 0; p < k; p++) {
			const double aip = a[i * k + p];
			const double *bp = b + p * n;

			for (int64_t j = 0; j < n; j++)
				ci[j] += aip * bp[j];
		}
	}
	clear_error();
	return 0;
}
