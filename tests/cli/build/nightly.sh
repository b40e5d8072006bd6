# A nightly build: the channel's name suffix, and a dev version X.Y.devN
# with +gHASH from git (dropped with --no-local-version); the wheel's
# own metadata and _version.py agree.
. "$TLC_CASE_DIR/../lib.sh"
git -C "$TLC_SOURCE_DIR" rev-parse HEAD >/dev/null 2>&1 ||
	skip "the source tree is not a git checkout"

copy_example src
n=$(git -C src rev-list --count HEAD)
h=$(git -C src rev-parse --short=8 HEAD)
py=$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')

"$TLCPACK" build --dry-run --channel nightly src >plan 2>err || die "$(cat err)"
grep -q "/tlcpack_example_nightly-0.1.1.dev$n+g$h-$py-$py-" plan ||
	die "unexpected nightly plan: $(cat plan)"
grep -q "/tlcpack_example_nightly_cu130-0.1.1.dev$n+g$h-" plan ||
	die "no cu130 nightly in: $(cat plan)"

"$TLCPACK" build --variant cpu --channel nightly --no-local-version \
	-o dist --build-dir bt src >wheels 2>err || { tail -30 err; die "build failed"; }
whl=$(cat wheels)
case $whl in
*/tlcpack_example_nightly-0.1.1.dev$n-$py-$py-*.whl) ;;
*) die "unexpected wheel $whl" ;;
esac
python3 - "$whl" "0.1.1.dev$n" <<'PY'
import sys, zipfile
whl, want = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
meta = z.read(f"tlcpack_example_nightly-{want}.dist-info/METADATA").decode()
assert f"\nVersion: {want}\n" in meta, meta[:300]
assert "\nName: tlcpack-example-nightly\n" in meta, meta[:300]
ver = z.read("tlcexample/_version.py").decode()
assert want in ver, ver
PY
echo "nightly: 0.1.1.dev$n"
