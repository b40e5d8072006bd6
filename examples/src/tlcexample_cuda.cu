/*
 * libtlcexample_cuda.so: one real kernel (saxpy) and a device query.
 *
 * The CUDA runtime is linked statically (CMAKE_CUDA_RUNTIME_LIBRARY
 * Static): libcudart_static opens the driver, libcuda.so.1, only on the
 * first runtime call, so this library loads on machines with no GPU and no
 * driver, and the first call reports why no device can be used.  Errors go
 * to the thread's last-error slot in libtlcexample.so.
 */
#include <stdint.h>
#include <stdio.h>

#include <cuda_runtime.h>

#include "tlcexample/tlcexample.h"

static int cuda_fail(const char *call, cudaError_t e)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s: %s", call, cudaGetErrorName(e),
		 cudaGetErrorString(e));
	tlcexample_set_last_error(msg);
	cudaGetLastError();	/* clear the sticky runtime error */
	return -1;
}

__global__ void saxpy_kernel(int64_t n, float alpha, const float *x,
			     float *y)
{
	int64_t stride = (int64_t)blockDim.x * gridDim.x;

	for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
	     i < n; i += stride)
		y[i] = alpha * x[i] + y[i];
}

extern "C" int tlcexample_cuda_runtime_version(void)
{
	return CUDART_VERSION;
}

extern "C" int tlcexample_cuda_device_count(int *count)
{
	int n = 0;
	cudaError_t e;

	if (!count) {
		tlcexample_set_last_error("cuda_device_count: NULL count");
		return -1;
	}
	*count = 0;
	e = cudaGetDeviceCount(&n);
	if (e != cudaSuccess)
		return cuda_fail("cudaGetDeviceCount", e);
	*count = n;
	tlcexample_set_last_error("");
	return 0;
}

extern "C" int tlcexample_cuda_saxpy(int64_t n, float alpha, const float *x,
				     float *y)
{
	const char *call = "cudaMalloc";
	size_t bytes = (size_t)n * sizeof(float);
	float *dx = NULL, *dy = NULL;
	cudaError_t e = cudaSuccess;
	int blocks;

	if (n < 0 || (n > 0 && (!x || !y))) {
		tlcexample_set_last_error("cuda_saxpy: bad arguments");
		return -1;
	}
	if (n == 0) {
		tlcexample_set_last_error("");
		return 0;
	}
	blocks = (int)((n + 255) / 256 < 4096 ? (n + 255) / 256 : 4096);
	if ((e = cudaMalloc(&dx, bytes)) != cudaSuccess ||
	    (e = cudaMalloc(&dy, bytes)) != cudaSuccess)
		goto out;
	call = "cudaMemcpy";
	if ((e = cudaMemcpy(dx, x, bytes, cudaMemcpyHostToDevice)) !=
	    cudaSuccess ||
	    (e = cudaMemcpy(dy, y, bytes, cudaMemcpyHostToDevice)) !=
	    cudaSuccess)
		goto out;
	saxpy_kernel<<<blocks, 256>>>(n, alpha, dx, dy);
	call = "saxpy_kernel";
	if ((e = cudaGetLastError()) != cudaSuccess)
		goto out;
	call = "cudaMemcpy";
	e = cudaMemcpy(y, dy, bytes, cudaMemcpyDeviceToHost);
out:
	cudaFree(dx);
	cudaFree(dy);
	if (e != cudaSuccess)
		return cuda_fail(call, e);
	tlcexample_set_last_error("");
	return 0;
}
