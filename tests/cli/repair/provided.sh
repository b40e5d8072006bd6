# Libraries a declared dependency provides (cuBLAS from nvidia-cublas-cu13,
# as PyTorch does) are not grafted: the members that need them get a run
# path into that package's directory.  A recipe says so per variant
# ([[variants.NAME.provided-libs]]); `tlcpack build` repairs accordingly.
# Then both wheels (ours and a stand-in for nvidia-cublas-cu13, holding a
# library of the same SONAME) install with pip, and the loader finds the
# dependency's copy through the new run path.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"

# The stand-in cuBLAS, and the dependency's wheel that ships it.
mkdir -p stub dep/nvidia/cublas/lib dep/nvidia_cublas_cu13-13.0.0.dist-info
printf 'int cublas_stand_in(void) { return 13; }\n' >stub/cublas.c
gcc -shared -fPIC -Wl,-soname,libcublas.so.13 -o stub/libcublas.so.13 stub/cublas.c
ln -s libcublas.so.13 stub/libcublas.so
cp stub/libcublas.so.13 dep/nvidia/cublas/lib/
printf 'Metadata-Version: 2.1\nName: nvidia-cublas-cu13\nVersion: 13.0.0\n' \
	>dep/nvidia_cublas_cu13-13.0.0.dist-info/METADATA
printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-linux_%s\n' \
	"$(uname -m)" >dep/nvidia_cublas_cu13-13.0.0.dist-info/WHEEL
mkdir -p dist
"$TLCPACK" pack -d deps dep >/dev/null 2>&1 || die "cannot pack the dependency"

# A project whose library links cuBLAS, with a CUDA variant that says
# the dependency provides it.
mkdir -p proj/py/blasuser
cat >proj/CMakeLists.txt <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(blasuser C)
add_library(blasuser SHARED user.c)
target_link_libraries(blasuser PRIVATE $PWD/stub/libcublas.so)
install(TARGETS blasuser LIBRARY DESTINATION .)
CMAKE
printf 'int cublas_stand_in(void);\nint blasuser_version(void) { return cublas_stand_in(); }\n' >proj/user.c
printf '' >proj/py/blasuser/__init__.py
cat >proj/tlcpack.toml <<'TOML'
[package]
name = "blasuser"
version = "1.0"
summary = "links cuBLAS"
python-source = "py"
packages = ["blasuser"]
dependencies = []
default-variant = "cpu"

[variants.cpu]

[[build.cmake]]
source = "."
install-dir = "blasuser"

[variants.cu13]
suffix = "-cu13"
dependencies = ["nvidia-cublas-cu13>=13"]
[[variants.cu13.provided-libs]]
libs = ["libcublas.so.13"]
dir = "nvidia/cublas/lib"
dependency = "nvidia-cublas-cu13"
TOML
"$TLCPACK" build -v cu13 --lib-path "$PWD/stub" -o dist --build-dir bt proj >wheels.txt 2>build.log ||
	{ tail -20 build.log; die "tlcpack build failed"; }
whl=$(cat wheels.txt)
case $whl in */blasuser_cu13-1.0-py3-none-manylinux_2_*.whl) ;;
*) die "not repaired: $whl" ;; esac

python3 - "$whl" <<'PY' || die "wheel contents"
import json, subprocess, sys, tempfile, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
assert not [n for n in names if "cublas" in n and n.endswith((".so.13", ".so"))
            and not n.startswith("blasuser/")], names
assert not [n for n in names if n.startswith("blasuser_cu13.libs/")], names
md = z.read("blasuser_cu13-1.0.dist-info/METADATA").decode()
assert "Requires-Dist: nvidia-cublas-cu13>=13" in md, md
info = json.loads(z.read("blasuser_cu13-1.0.dist-info/tlcpack-repair.json"))
assert info["provided"] == [{"pattern": "libcublas.so.13",
                             "dir": "nvidia/cublas/lib"}], info
with tempfile.NamedTemporaryFile(suffix=".so") as f:
    f.write(z.read("blasuser/libblasuser.so"))
    f.flush()
    d = subprocess.run(["readelf", "-d", f.name], capture_output=True,
                       text=True, check=True).stdout
assert "[$ORIGIN/../nvidia/cublas/lib]" in d, d
PY

make_venv venv
venv/bin/pip install -q --no-index -f deps "$whl" ||
	die "pip could not install $whl with its dependency"
site=$(venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
LD_DEBUG=libs venv/bin/python -c '
import ctypes, os, blasuser
lib = ctypes.CDLL(os.path.join(os.path.dirname(blasuser.__file__), "libblasuser.so"))
assert lib.blasuser_version() == 13' 2>ld.txt || die "the library does not load"
grep -Eq "calling init: $site/(blasuser/\.\./)?nvidia/cublas/lib/libcublas.so.13\$" ld.txt ||
	{ grep cublas ld.txt; die "the dependency's cuBLAS was not the one loaded"; }
echo "provided: cuBLAS left to nvidia-cublas-cu13 and found there"
