/*
 * tlcexample: the C ABI of libtlcexample.so and libtlcexample_cuda.so.
 *
 * Every function that can fail returns 0 on success and -1 on failure;
 * tlcexample_last_error() then holds a one-line message for the calling
 * thread.  Arrays are dense, row-major, and owned by the caller.  The
 * Python package calls these functions through ctypes; C programs can
 * link against the libraries shipped in the wheel's tlcexample/ directory.
 */
#ifndef TLCEXAMPLE_H
#define TLCEXAMPLE_H

#include <stdint.h>

#if defined(__GNUC__)
#define TLCEXAMPLE_API __attribute__((visibility("default")))
#else
#define TLCEXAMPLE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- libtlcexample.so ---------------------------------------------- */

/** The version string given to CMake as -DTLCEXAMPLE_VERSION=... */
TLCEXAMPLE_API const char *tlcexample_version(void);

/** The message of the last failure on this thread ("" if none). */
TLCEXAMPLE_API const char *tlcexample_last_error(void);

/** Set this thread's last error message (truncated to 255 bytes). */
TLCEXAMPLE_API void tlcexample_set_last_error(const char *msg);

/** The number of OpenMP threads a parallel region uses. */
TLCEXAMPLE_API int tlcexample_num_threads(void);

/** *out = sum of a[i] * b[i] for i < n. */
TLCEXAMPLE_API int tlcexample_dot(const double *a, const double *b,
				  int64_t n, double *out);

/** y[i] = alpha * x[i] + y[i] for i < n. */
TLCEXAMPLE_API int tlcexample_axpy(int64_t n, double alpha, const double *x,
				   double *y);

/** c (m x n) = a (m x k) times b (k x n). */
TLCEXAMPLE_API int tlcexample_matmul(int64_t m, int64_t k, int64_t n,
				     const double *a, const double *b,
				     double *c);

/* ---- libtlcexample_cuda.so (the cu130 variant only) ---------------- */

/** CUDART_VERSION the library was compiled with, e.g. 13000. */
TLCEXAMPLE_API int tlcexample_cuda_runtime_version(void);

/**
 * *count = the number of CUDA devices.  With no device, no driver or a
 * driver too old, *count = 0 and the call fails with the CUDA error text.
 */
TLCEXAMPLE_API int tlcexample_cuda_device_count(int *count);

/** y[i] = alpha * x[i] + y[i] on device 0 (single precision). */
TLCEXAMPLE_API int tlcexample_cuda_saxpy(int64_t n, float alpha,
					 const float *x, float *y);

/* ---- libtlcexample_cudrv.so (the cu130 variant; needs the driver) -- */

/** *version = the installed driver's CUDA version, e.g. 13000. */
TLCEXAMPLE_API int tlcexample_cuda_driver_version(int *version);

#ifdef __cplusplus
}
#endif

#endif
