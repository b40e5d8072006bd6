# The example's CUDA wheel is repaired as its recipe says (policy
# manylinux_2_34, libcuda.so.1 excluded): libcuda is never grafted, not
# even when the toolkit's stub is on the search path (auditwheel grafts
# it then), the exclusion is recorded in the wheel, and the wheel installs
# and runs on this machine, which has no GPU driver.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
need_nvcc
stubs=$(dirname "$(command -v "$CUDACXX" || echo /usr/local/cuda/bin/nvcc)")/../lib64/stubs
[ -f "$stubs/libcuda.so" ] || skip "no libcuda.so stub in the CUDA toolkit ($stubs)"

copy_example src
"$TLCPACK" build -v cu130 --lib-path "$stubs" -o dist --build-dir bt src \
	>wheels.txt 2>build.log || { tail -30 build.log; die "tlcpack build failed"; }
whl=$(cat wheels.txt)
case $whl in */tlcpack_example_cu130-0.1.0-cp3*-manylinux_2_34_"$(uname -m)".whl) ;;
*) die "not repaired for the recipe's manylinux_2_34: $whl" ;; esac

python3 - "$whl" <<'PY' || die "wheel contents"
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
assert not [n for n in names if "libcuda.so" in n or "libcuda-" in n], names
assert "tlcexample/libtlcexample_cudrv.so" in names, names
di = "tlcpack_example_cu130-0.1.0.dist-info/"
info = json.loads(z.read(di + "tlcpack-repair.json"))
assert info["policy"] == "manylinux_2_34", info
ex = {e["library"]: e for e in info["excluded"]}
assert "libcuda.so.1" in ex, info
assert ex["libcuda.so.1"]["needed_by"] == ["tlcexample/libtlcexample_cudrv.so"], ex
assert "driver" in ex["libcuda.so.1"]["why"], ex
assert [g["library"] for g in info["grafted"]] == ["libgomp.so.1"], info
PY

# The stub is found, and still not grafted: the audit calls it excluded.
"$TLCPACK" audit --json --lib-path "$stubs" "$whl" >audit.json ||
	die "audit failed"
python3 - audit.json <<'PY' || die "audit verdict"
import json, sys
a = json.load(open(sys.argv[1]))[0]
assert a["policy"] == "manylinux_2_34", a["policy"]
deps = {d["name"]: d for f in a["files"] for d in f["libraries"]}
assert deps["libcuda.so.1"]["where"] == "excluded", deps["libcuda.so.1"]
PY

# Repairing a repaired wheel again changes nothing that matters.
"$TLCPACK" repair -w again --lib-path "$stubs" "$whl" >again.txt 2>again.log ||
	{ cat again.log; die "repair of a repaired wheel failed"; }
grep -q "0 libraries grafted" again.log || { cat again.log; die "grafted again"; }

make_venv venv
venv/bin/pip install -q --no-index "$whl" || die "pip could not install $whl"
mkdir -p elsewhere
(cd elsewhere && ../venv/bin/python -m tlcexample.selftest) >selftest.txt 2>&1 ||
	{ cat selftest.txt; die "selftest failed"; }
grep -q "cuda driver: none on this machine" selftest.txt ||
	{ cat selftest.txt; die "the driver library loaded without a driver?"; }
echo "example-cuda: libcuda.so.1 excluded, wheel runs"
