"""ctypes bindings of libtlcexample.so."""
import ctypes

from . import libinfo

_c_double_p = ctypes.POINTER(ctypes.c_double)


def _load():
    lib = ctypes.CDLL(libinfo.find_lib_path("libtlcexample.so"))
    lib.tlcexample_version.argtypes = []
    lib.tlcexample_version.restype = ctypes.c_char_p
    lib.tlcexample_last_error.argtypes = []
    lib.tlcexample_last_error.restype = ctypes.c_char_p
    lib.tlcexample_num_threads.argtypes = []
    lib.tlcexample_num_threads.restype = ctypes.c_int
    lib.tlcexample_dot.argtypes = [_c_double_p, _c_double_p, ctypes.c_int64,
                                   _c_double_p]
    lib.tlcexample_dot.restype = ctypes.c_int
    lib.tlcexample_axpy.argtypes = [ctypes.c_int64, ctypes.c_double,
                                    _c_double_p, _c_double_p]
    lib.tlcexample_axpy.restype = ctypes.c_int
    lib.tlcexample_matmul.argtypes = [ctypes.c_int64, ctypes.c_int64,
                                      ctypes.c_int64, _c_double_p,
                                      _c_double_p, _c_double_p]
    lib.tlcexample_matmul.restype = ctypes.c_int
    return lib


LIB = _load()


def last_error():
    """This thread's last error message from the native libraries."""
    return LIB.tlcexample_last_error().decode("utf-8", "replace")


def check(rc):
    """Raise RuntimeError with the native message when rc is not 0."""
    if rc != 0:
        raise RuntimeError(last_error())


def doubles(values):
    """A ctypes array of doubles holding `values` (a sequence of numbers)."""
    values = list(values)
    return (ctypes.c_double * max(len(values), 1))(*values)
