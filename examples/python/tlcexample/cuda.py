"""CUDA support, present in the CUDA variants (tlcpack-example-cu130).

Everything here works in every variant and on machines without a GPU:
device_count() is then 0 and status() says why.
"""
import ctypes

from . import _native
from . import libinfo
from ._version import __distribution__, __variant__

_LIBNAME = "libtlcexample_cuda.so"


def _load():
    path = libinfo.find_lib_path(_LIBNAME, optional=True)
    if path is None:
        return None, ("CUDA support not built: %s is the %s variant of "
                      "tlcexample; install a CUDA variant such as "
                      "tlcpack-example-cu130"
                      % (__distribution__, __variant__))
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        return None, "CUDA support failed to load: %s" % e
    lib.tlcexample_cuda_runtime_version.argtypes = []
    lib.tlcexample_cuda_runtime_version.restype = ctypes.c_int
    lib.tlcexample_cuda_device_count.argtypes = [ctypes.POINTER(ctypes.c_int)]
    lib.tlcexample_cuda_device_count.restype = ctypes.c_int
    lib.tlcexample_cuda_saxpy.argtypes = [
        ctypes.c_int64, ctypes.c_float, ctypes.POINTER(ctypes.c_float),
        ctypes.POINTER(ctypes.c_float)]
    lib.tlcexample_cuda_saxpy.restype = ctypes.c_int
    return lib, None


_LIB, _LOAD_ERROR = _load()


def driver_version():
    """The CUDA driver's version, e.g. "13.0", or None without a driver.

    libtlcexample_cudrv.so links libcuda.so.1, which only an installed
    NVIDIA driver provides (it is never in the wheel), so it is loaded
    here, on demand, and its absence is not an error."""
    if _LIB is None:
        return None
    path = libinfo.find_lib_path("libtlcexample_cudrv.so", optional=True)
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None  # no libcuda.so.1: no driver on this machine
    v = ctypes.c_int(0)
    lib.tlcexample_cuda_driver_version.argtypes = [
        ctypes.POINTER(ctypes.c_int)]
    lib.tlcexample_cuda_driver_version.restype = ctypes.c_int
    if lib.tlcexample_cuda_driver_version(ctypes.byref(v)) != 0:
        return None
    return "%d.%d" % (v.value // 1000, v.value % 1000 // 10)


def built():
    """True when this is a CUDA variant and its library loaded."""
    return _LIB is not None


def runtime_version():
    """The CUDA runtime version compiled in, e.g. "13.0"; None if not built."""
    if _LIB is None:
        return None
    v = _LIB.tlcexample_cuda_runtime_version()
    return "%d.%d" % (v // 1000, v % 1000 // 10)


def _query():
    """(device count, reason when it is 0)."""
    if _LIB is None:
        return 0, _LOAD_ERROR
    n = ctypes.c_int(0)
    if _LIB.tlcexample_cuda_device_count(ctypes.byref(n)) != 0:
        return 0, "no CUDA device: " + _native.last_error()
    if n.value == 0:
        return 0, "no CUDA device: the driver reports none"
    return n.value, None


def device_count():
    """The number of usable CUDA devices; 0 without GPU, driver or CUDA."""
    return _query()[0]


def available():
    """True when at least one CUDA device can be used."""
    return device_count() > 0


def status():
    """One line: the devices found, or why there are none."""
    n, why = _query()
    if n == 0:
        return why
    return "%d CUDA device%s (runtime %s)" % (n, "" if n == 1 else "s",
                                             runtime_version())


def saxpy(alpha, x, y):
    """alpha * x[i] + y[i] computed on the GPU in single precision."""
    n, why = _query()
    if n == 0:
        raise RuntimeError(why)
    x, y = list(x), list(y)
    if len(x) != len(y):
        raise ValueError("saxpy: length mismatch (%d and %d)"
                         % (len(x), len(y)))
    size = max(len(x), 1)
    xs = (ctypes.c_float * size)(*x)
    ys = (ctypes.c_float * size)(*y)
    _native.check(_LIB.tlcexample_cuda_saxpy(len(x), alpha, xs, ys))
    return ys[:len(y)]
