"""tlcexample: the example project that tlcpack builds when given no recipe.

A native library (libtlcexample.so, C with OpenMP) loaded with ctypes, an
optional CUDA library (libtlcexample_cuda.so, in the cu130 variant), and a
CPython extension module (tlcexample._fast).

    >>> import tlcexample
    >>> tlcexample.dot([1, 2], [3, 4])
    11.0
    >>> tlcexample.cuda.device_count()    # 0 without a GPU, never an error
    0
"""
try:
    from ._version import __distribution__, __variant__, __version__
except ImportError as e:  # a source checkout: nothing generated it
    raise ImportError("tlcexample/_version.py is missing or incomplete: "
                      "tlcpack build writes it ([[build.generate]] in "
                      "tlcpack.toml)") from e

from . import _native

try:
    from . import _fast
except ImportError as e:
    import sys as _sys
    raise ImportError("tlcexample._fast, the C extension module for Python "
                      "%d.%d, is missing or does not load (%s): this wheel "
                      "was built for another Python" % (_sys.version_info[:2]
                                                        + (e,))) from e

from . import cuda
from . import libinfo

__all__ = ["__distribution__", "__variant__", "__version__", "axpy", "cuda", "dot", "libinfo", "matmul",
           "native_version", "num_threads"]


def native_version():
    """The version compiled into libtlcexample.so (equals __version__)."""
    return _native.LIB.tlcexample_version().decode("ascii")


def num_threads():
    """How many OpenMP threads a parallel kernel uses (OMP_NUM_THREADS)."""
    return _native.LIB.tlcexample_num_threads()


def dot(a, b):
    """Sum of a[i] * b[i] over two equally long sequences of numbers."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError("dot: length mismatch (%d and %d)"
                         % (len(a), len(b)))
    out = _native.doubles([0.0])
    _native.check(_native.LIB.tlcexample_dot(
        _native.doubles(a), _native.doubles(b), len(a), out))
    return out[0]


def axpy(alpha, x, y):
    """A new list holding alpha * x[i] + y[i]."""
    x, y = list(x), list(y)
    if len(x) != len(y):
        raise ValueError("axpy: length mismatch (%d and %d)"
                         % (len(x), len(y)))
    ys = _native.doubles(y)
    _native.check(_native.LIB.tlcexample_axpy(len(x), alpha,
                                              _native.doubles(x), ys))
    return ys[:len(y)]


def matmul(a, b):
    """The matrix product of a (m rows of k) and b (k rows of n), as lists."""
    a, b = [list(r) for r in a], [list(r) for r in b]
    m, k = len(a), len(b)
    n = len(b[0]) if b else 0
    if any(len(r) != k for r in a):
        raise ValueError("matmul: every row of a needs %d columns" % k)
    if any(len(r) != n for r in b):
        raise ValueError("matmul: rows of b differ in length")
    c = _native.doubles([0.0] * (m * n))
    _native.check(_native.LIB.tlcexample_matmul(
        m, k, n, _native.doubles(x for r in a for x in r),
        _native.doubles(x for r in b for x in r), c))
    return [c[i * n:(i + 1) * n] for i in range(m)]
