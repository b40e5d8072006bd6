/*
 * libtlcexample_cudrv.so: the CUDA driver's version, through the driver
 * API.  Unlike libtlcexample_cuda.so it links libcuda.so.1 directly, as
 * TVM's runtime does, so it loads only where an NVIDIA driver is
 * installed.  libcuda.so.1 belongs to the driver: `tlcpack repair` leaves
 * it out of the wheel (the toolkit's stub must never be shipped).
 */
#include <cuda.h>

#include "tlcexample/tlcexample.h"

int tlcexample_cuda_driver_version(int *version)
{
	CUresult r;

	if (!version) {
		tlcexample_set_last_error("cuda_driver_version: NULL version");
		return -1;
	}
	if ((r = cuDriverGetVersion(version)) != CUDA_SUCCESS) {
		tlcexample_set_last_error("cuDriverGetVersion failed");
		return -1;
	}
	tlcexample_set_last_error("");
	return 0;
}
