# The example's CPU wheel, which links libgomp, comes out of `tlcpack
# build` repaired: libgomp is grafted under a hashed name, the wheel
# installs into a fresh venv and runs, and the grafted copy is the one
# loaded.  Shown twice: by the loader's own log (LD_DEBUG=libs), and in a
# mount namespace where the system's libgomp is hidden, where the
# unrepaired wheel, for contrast, fails to load.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
command -v unshare >/dev/null || die "no unshare(1) (util-linux)"

copy_example src
"$TLCPACK" build -v cpu -o dist --build-dir bt src >wheels.txt 2>build.log ||
	{ tail -30 build.log; die "tlcpack build failed"; }
"$TLCPACK" build -v cpu --no-repair -o raw --build-dir bt src >raw.txt 2>>build.log ||
	{ tail -30 build.log; die "tlcpack build --no-repair failed"; }
whl=$(cat wheels.txt)
raw=$(cat raw.txt)
case $whl in */tlcpack_example-0.1.0-cp3*-manylinux_2_*_"$(uname -m)".whl) ;;
*) die "not a manylinux wheel: $whl" ;; esac
case $raw in *-linux_"$(uname -m)".whl) ;; *) die "--no-repair retagged: $raw" ;; esac

# The audit agrees, for the policy in the file name.
plat=${whl##*-}
plat=${plat%.whl}
plat=${plat%_$(uname -m)}
"$TLCPACK" audit --plat "$plat" "$whl" >audit.txt 2>&1 ||
	{ cat audit.txt; die "the repaired wheel fails its own audit"; }
"$TLCPACK" audit --plat "$plat" "$raw" >raw-audit.txt 2>&1 &&
	die "the unrepaired wheel passed the audit for $plat"
grep -q "libgomp.so.1 .*which $plat does not allow" raw-audit.txt ||
	{ cat raw-audit.txt; die "the audit does not say libgomp is why"; }

python3 - "$whl" <<'PY' || die "wheel contents"
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
libs = [n for n in names if n.startswith("tlcpack_example.libs/")]
assert len(libs) == 1 and re.fullmatch(
    r"tlcpack_example\.libs/libgomp-[0-9a-f]{8}\.so\.1", libs[0]), libs
info = json.loads(z.read("tlcpack_example-0.1.0.dist-info/tlcpack-repair.json"))
assert [g["library"] for g in info["grafted"]] == ["libgomp.so.1"], info
lic = info["grafted"][0]["license"]
assert lic and "tlcpack_example-0.1.0.dist-info/" + lic in names, (lic, names)
wheel = z.read("tlcpack_example-0.1.0.dist-info/WHEEL").decode()
assert re.search(r"^Tag: cp3\d+-cp3\d+-manylinux_2_\d+_\w+$", wheel, re.M), wheel
PY

make_venv venv
venv/bin/pip install -q --no-index "$whl" || die "pip could not install $whl"
site=$(venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')

# 1. The loader's log: libgomp comes from the wheel.
mkdir -p elsewhere
(cd elsewhere && LD_DEBUG=libs ../venv/bin/python -m tlcexample.selftest) \
	>selftest.txt 2>ld.txt || { cat selftest.txt; die "selftest failed"; }
grep -Eq "calling init: $site/(tlcexample/\.\./)?tlcpack_example\.libs/libgomp-[0-9a-f]{8}\.so\.1\$" ld.txt ||
	{ grep -i gomp ld.txt; die "the grafted libgomp was not loaded"; }
grep -q "calling init: .*/usr/lib/.*libgomp" ld.txt &&
	die "the system's libgomp was loaded too"

# 2. The system's libgomp hidden: the repaired wheel still runs; the
#    unrepaired one cannot load its library.
sys_gomp=$(python3 -c 'import ctypes.util; print(ctypes.util.find_library("gomp") or "")')
real=$(readlink -f "/usr/lib/$(gcc -print-multiarch)/$sys_gomp")
[ -f "$real" ] || die "cannot find the system's libgomp ($sys_gomp)"
hide() {
	unshare -rm sh -c 'mount --bind /dev/null "$0" && exec "$@"' \
		"$real" "$@"
}
hide true 2>/dev/null || skip "no user mount namespaces here"
(cd elsewhere && hide ../venv/bin/python -m tlcexample.selftest) >hidden.txt 2>&1 ||
	{ cat hidden.txt; die "the repaired wheel fails without the system's libgomp"; }
make_venv venv-raw
venv-raw/bin/pip install -q --no-index "$raw" || die "pip could not install $raw"
(cd elsewhere && hide ../venv-raw/bin/python -c 'import tlcexample') >raw-hidden.txt 2>&1 &&
	die "the unrepaired wheel loaded without libgomp: the namespace hides nothing"
grep -q "libgomp" raw-hidden.txt || { cat raw-hidden.txt; die "unexpected failure"; }
echo "example-cpu: repaired for $plat, grafted libgomp loaded"
