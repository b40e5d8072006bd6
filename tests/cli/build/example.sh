# The embedded example, every variant: each wheel comes out repaired
# (manylinux), installs with real pip into a fresh venv, imports and
# computes; the CUDA wheel imports with no GPU and says so; twine accepts
# every wheel.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
need_nvcc

copy_example src
"$TLCPACK" build -o dist --build-dir bt src >wheels.txt 2>build.log ||
	{ tail -30 build.log; die "tlcpack build failed"; }

py=$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
arch=$(uname -m)
for want in "tlcpack_example-0.1.0-$py-$py-manylinux_2_[0-9]*_$arch.whl" \
	    "tlcpack_example_cu130-0.1.0-$py-$py-manylinux_2_[0-9]*_$arch.whl"; do
	grep -qx "$PWD/dist/$want" wheels.txt || die "no $want in: $(cat wheels.txt)"
done
ls bt/*/wheel/*.whl >/dev/null 2>&1 && die "unrepaired wheels were left behind"
[ "$(wc -l <wheels.txt)" -eq 2 ] || die "expected 2 wheels, got: $(cat wheels.txt)"

twine check dist/*.whl >twine.log 2>&1 || { cat twine.log; die "twine check failed"; }
grep -c PASSED twine.log | grep -qx 2 || { cat twine.log; die "twine did not pass both"; }

# Installed by name from the find-links directory, as users do.
mkdir -p elsewhere
for dist in tlcpack-example tlcpack-example-cu130; do
	make_venv "venv-$dist"
	"venv-$dist/bin/pip" install -q --no-index -f dist "$dist" ||
		die "pip could not install $dist"
	(cd elsewhere && "../venv-$dist/bin/python" - "$dist") <<'PY' || die "$dist does not work"
import sys, tlcexample
dist = sys.argv[1]
assert tlcexample.__version__ == "0.1.0", tlcexample.__version__
assert tlcexample.dot([1.0, 2.0], [3.0, 4.0]) == 11.0
assert "site-packages" in tlcexample.__file__, tlcexample.__file__
from tlcexample import _fast  # the CPython extension module
if dist.endswith("cu130"):
    n = tlcexample.cuda.device_count()
    assert n == 0, n
    status = tlcexample.cuda.status()
    assert status.startswith("no CUDA device"), status
    print(dist, "ok:", status)
else:
    assert not tlcexample.cuda.available()
    print(dist, "ok")
PY
done
"venv-tlcpack-example/bin/pip" show tlcpack-example | grep '^Version: 0.1.0$' >/dev/null ||
	die "pip show has no version 0.1.0"
echo "example: 2 wheels built, installed and run"
