"""Check an installed tlcexample: `python -m tlcexample.selftest [--gpu]`.

This is the [test] command of tlcpack.toml: it runs in a fresh environment
holding only the wheel, and exits non-zero on the first failed check.
With --gpu (the gpu-command) a CUDA device is required and used.
"""
import os
import sys

import tlcexample
from tlcexample import _fast, cuda, libinfo


def _check(ok, what):
    if not ok:
        raise AssertionError(what)


def _raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return True
    return False


def run(gpu=False):
    """Run every check; return the report lines or raise AssertionError."""
    lines = ["%s %s (variant %s), tlcexample from %s"
             % (tlcexample.__distribution__, tlcexample.__version__,
                tlcexample.__variant__, os.path.dirname(tlcexample.__file__))]

    _check(tlcexample.native_version() == tlcexample.__version__,
           "libtlcexample.so says version %r but _version.py says %r"
           % (tlcexample.native_version(), tlcexample.__version__))

    _check(tlcexample.dot([1, 2], [3, 4]) == 11, "dot([1,2],[3,4]) != 11")
    n = 300000    # large enough for the OpenMP parallel path
    _check(tlcexample.dot([1.0] * n, [2.0] * n) == 2.0 * n, "large dot")
    _check(_raises(ValueError, tlcexample.dot, [1], [1, 2]),
           "dot of different lengths did not raise ValueError")
    _check(tlcexample.axpy(2, [1, 2, 3], [10, 20, 30]) == [12, 24, 36],
           "axpy")
    _check(tlcexample.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])
           == [[19, 22], [43, 50]], "matmul 2x2")
    m, k, p = 48, 40, 52    # m*k*p > 65536: the OpenMP path
    a = [[(i * 7 + j) % 5 for j in range(k)] for i in range(m)]
    b = [[(i + 3 * j) % 7 for j in range(p)] for i in range(k)]
    want = [[sum(a[i][q] * b[q][j] for q in range(k)) for j in range(p)]
            for i in range(m)]
    _check(tlcexample.matmul(a, b) == want, "matmul 48x40x52")
    lines.append("libtlcexample.so: dot, axpy, matmul ok (%d OpenMP threads)"
                 % tlcexample.num_threads())

    py = "%d.%d" % sys.version_info[:2]
    _check(_fast.built_for() == py, "tlcexample._fast was built for Python "
           "%s, running %s" % (_fast.built_for(), py))
    _check(_fast.dot([1, 2], [3, 4]) == 11, "_fast.dot([1,2],[3,4]) != 11")
    _check(_raises(ValueError, _fast.dot, [1], [1, 2]),
           "_fast.dot of different lengths did not raise ValueError")
    _check(_raises(TypeError, _fast.dot, ["x"], [1]),
           "_fast.dot of a string did not raise TypeError")
    lines.append("%s: ok" % os.path.basename(_fast.__file__))

    inc = libinfo.find_include_path()
    _check(inc is not None, "tlcexample/include/tlcexample/tlcexample.h "
           "is missing")
    lines.append("header: %s" % os.path.join(inc, "tlcexample",
                                              "tlcexample.h"))

    # Variants named cu* are the CUDA builds (tlcpack.toml [variants]).
    want_cuda = tlcexample.__variant__.startswith("cu")
    _check(cuda.built() == want_cuda, "variant %s %s libtlcexample_cuda.so"
           % (tlcexample.__variant__, "lacks" if want_cuda else "has"))
    count, status = cuda.device_count(), cuda.status()
    _check(isinstance(count, int) and count >= 0, "cuda.device_count()")
    _check(cuda.available() == (count > 0), "cuda.available()")
    if cuda.built():
        _check(count > 0 or status.startswith("no CUDA device: "), status)
        drv = cuda.driver_version()
        _check(drv is None or drv.count(".") == 1, "cuda.driver_version()")
        lines.append("cuda driver: %s" % (drv or "none on this machine"))
    else:
        _check(count == 0 and status.startswith("CUDA support not built"),
               status)
        _check(_raises(RuntimeError, cuda.saxpy, 1.0, [1.0], [1.0]),
               "cuda.saxpy in the cpu variant did not raise RuntimeError")
    lines.append("cuda: %s" % status)

    if gpu:
        _check(count > 0, "--gpu: " + status)
        _check(cuda.driver_version() is not None,
               "--gpu: libtlcexample_cudrv.so did not load the driver")
        x = [float(i) for i in range(100000)]
        y = [1.0] * len(x)
        got = cuda.saxpy(2.0, x, y)
        _check(got == [2.0 * v + 1.0 for v in x], "cuda.saxpy")
        lines.append("cuda.saxpy on the GPU: ok")
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv not in ([], ["--gpu"]):
        print("usage: python -m tlcexample.selftest [--gpu]",
              file=sys.stderr)
        return 2
    try:
        lines = run(gpu=argv == ["--gpu"])
    except AssertionError as e:
        print("tlcexample selftest FAILED: %s" % e, file=sys.stderr)
        return 1
    print("\n".join(lines))
    print("tlcexample selftest passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
