# The example's cu130 wheel on this machine, which has no GPU: every
# library of the wheel is loaded with the toolkit's stub libcuda, and the
# result says that no GPU test ran.  The loading is real: claiming a GPU
# (--gpu, so no stub) fails on the library that links libcuda.so.1, and a
# wheel with one broken grafted library fails although its package
# imports and its selftest passes.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/test-lib.bash"
need_nvcc
python3 -c 'import ctypes; ctypes.CDLL("libcuda.so.1").cuInit(0) == 0 or exit(1)' \
	2>/dev/null && skip "this machine has a CUDA driver and maybe a GPU"
example_wheels
[ -n "$cuda_whl" ] || die "no cu130 wheel was built"
name=$(basename "$cuda_whl")
"$TLCPACK" publish --repo repo --variant cu130 "$cuda_whl" >/dev/null 2>&1 ||
	die "publish failed"

# 1. no GPU: loaded with the stub, selftest passed, no GPU test
(cd "$example" && "$TLCPACK" test --repo "$TLC_SCRATCH/repo" \
	--work-dir "$TLC_SCRATCH/work" "$cuda_whl") >out 2>err ||
	{ cat out err; die "tlcpack test failed"; }
[ "$(cat out)" = "$name: pass, no GPU: libraries loaded with the CUDA stub; GPU test not run" ] ||
	die "stdout: $(cat out)"
log=work/1.log
grep -q '^no GPU: loading and testing with the stub libcuda /.*/stubs/libcuda.so$' "$log" ||
	die "no stub: $(grep -i gpu "$log")"
[ "$(readlink work/1/cuda-stub/libcuda.so.1)" = "$(grep -o '/[^ ]*/stubs/libcuda.so$' "$log")" ] ||
	die "the stub is not what libcuda.so.1 points to"
for lib in tlcexample/libtlcexample_cudrv.so tlcexample/libtlcexample_cuda.so \
	tlcexample/libtlcexample.so 'tlcexample/_fast\.cpython-.*\.so' \
	'tlcpack_example_cu130\.libs/libgomp-[0-9a-f]*\.so\.1'; do
	grep -q "^loaded $lib\$" "$log" || die "not loaded: $lib"
done
grep -qx 'loaded: 5 libraries' "$log" || die "not every library was loaded"
grep -q '^tlcexample selftest passed$' "$log" || die "the selftest did not run"
grep -q -- '--gpu' "$log" && die "the GPU test ran without a GPU"

# 2. claiming a GPU: no stub, and libtlcexample_cudrv.so cannot load
status=0
"$TLCPACK" test --repo repo -r "$example" --gpu --work-dir work-gpu \
	"$cuda_whl" >out 2>err || status=$?
[ "$status" -eq 1 ] || { cat out err; die "--gpu: exit $status, not 1"; }
grep -q "^tlcpack: $name: 'tlcexample/libtlcexample_cudrv.so' does not load: .*libcuda.so.1: cannot open shared object file" err ||
	{ cat err; die "--gpu did not fail on the driver library"; }

# 3. one grafted library broken (it needs a library that is nowhere):
#    the package imports and the selftest passes, and still the wheel fails
command -v patchelf >/dev/null || die "no patchelf (scripts/deps.sh installs it)"
mkdir -p unpacked broken
(cd unpacked && python3 -m zipfile -e "$cuda_whl" .) || die "cannot unpack"
gomp=$(ls unpacked/tlcpack_example_cu130.libs/libgomp-*.so.1)
cp "$gomp" unpacked/tlcpack_example_cu130.libs/libextra-0badc0de.so.1
extra=unpacked/tlcpack_example_cu130.libs/libextra-0badc0de.so.1
patchelf --set-soname libextra-0badc0de.so.1 "$extra" &&
	patchelf --add-needed libtlc-nowhere.so.7 "$extra" || die "patchelf failed"
readelf -d "$extra" | grep -q 'NEEDED.*\[libtlc-nowhere.so.7\]' &&
	readelf -d "$extra" | grep -q 'SONAME.*\[libextra-0badc0de.so.1\]' ||
	die "patchelf did not make the broken library: $(readelf -d "$extra" | head)"
rm unpacked/*.dist-info/RECORD
"$TLCPACK" pack -d broken unpacked >/dev/null 2>&1 || die "cannot repack"
bwhl=$(ls broken/*.whl)
[ "$(basename "$bwhl")" = "$name" ] || die "repacked as $(basename "$bwhl")"
"$TLCPACK" publish --repo brepo --variant cu130 "$bwhl" >/dev/null 2>&1 ||
	die "publish of the broken wheel failed"
status=0
"$TLCPACK" test --repo brepo -r "$example" --work-dir work-broken "$bwhl" \
	>out 2>err || status=$?
[ "$status" -eq 1 ] || { cat out err; die "broken: exit $status, not 1"; }
[ "$(cat out)" = "$name: FAIL" ] || die "stdout: $(cat out)"
grep -q "^tlcpack: $name: 'tlcpack_example_cu130.libs/libextra-0badc0de.so.1' does not load: .*libtlc-nowhere.so.7" err ||
	{ cat err; die "the broken grafted library was not named"; }
# the same install imports and passes its selftest: only loading every
# grafted library finds the broken one
(cd work-broken/1/run &&
	LD_LIBRARY_PATH=$TLC_SCRATCH/work-broken/1/cuda-stub ../venv/bin/python -c 'import tlcexample' &&
	LD_LIBRARY_PATH=$TLC_SCRATCH/work-broken/1/cuda-stub ../venv/bin/python -m tlcexample.selftest) \
	>selftest.txt 2>&1 || { cat selftest.txt; die "the broken wheel's selftest failed too"; }
echo "cuda-no-gpu: loaded with the stub; broken grafted library caught"
