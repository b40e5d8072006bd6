"""Where the native parts of tlcexample live (like tvm._ffi.libinfo)."""
import os

_PKG_DIR = os.path.dirname(os.path.realpath(__file__))


def _search_dirs():
    dirs = []
    env = os.environ.get("TLCEXAMPLE_LIBRARY_PATH")
    if env:
        dirs.extend(d for d in env.split(os.pathsep) if d)
    dirs.append(_PKG_DIR)
    return dirs


def find_lib_path(name="libtlcexample.so", optional=False):
    """Path of the shared library `name`.

    Looked for in $TLCEXAMPLE_LIBRARY_PATH (a os.pathsep-separated list of
    directories), then next to this file, where the wheel installs it.
    Returns None when `optional` is true and nothing is found; raises
    RuntimeError otherwise.
    """
    dirs = _search_dirs()
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.isfile(path):
            return path
    if optional:
        return None
    raise RuntimeError("cannot find %s; looked in: %s"
                       % (name, ", ".join(dirs)))


def find_include_path():
    """Directory holding tlcexample/tlcexample.h, or None.

    The wheel ships it as tlcexample/include/ (a [[build.files]] mapping in
    tlcpack.toml); a source checkout has it in include/ at the top.
    """
    for d in (os.path.join(_PKG_DIR, "include"),
              os.path.join(_PKG_DIR, os.pardir, os.pardir, "include")):
        if os.path.isfile(os.path.join(d, "tlcexample", "tlcexample.h")):
            return os.path.normpath(d)
    return None
