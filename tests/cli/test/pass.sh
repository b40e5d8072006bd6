# The example's cpu wheel, published in a repository directory, passes:
# pip installed it through the repository's simple/ index (not from the
# file), the selftest ran outside the source tree in the venv, and the
# library and its grafted libgomp were loaded.  Without --repo the wheel
# goes through a temporary repository, so an index is still used.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/test-lib.bash"
example_wheels
name=$(basename "$cpu_whl")

"$TLCPACK" publish --repo repo --variant cpu "$cpu_whl" >/dev/null 2>&1 ||
	die "publish failed"
(cd "$example" && "$TLCPACK" test --repo "$TLC_SCRATCH/repo" \
	--work-dir "$TLC_SCRATCH/work" "$cpu_whl") >out 2>err ||
	{ cat out err; die "tlcpack test failed"; }
[ "$(cat out)" = "$name: pass" ] || die "stdout: $(cat out)"
log=work/1.log
grep -q "^Looking in indexes: file://$TLC_SCRATCH/repo/simple/\$" "$log" ||
	die "pip did not use the repository's index: $(head -20 "$log")"
grep -q "^Processing $TLC_SCRATCH/repo/files/tlcpack-example/$name\$" "$log" ||
	die "pip did not take the wheel from the repository"
grep -q -- "--isolated install .* tlcpack-example==0.1.0\$" "$log" ||
	die "pip was not pinned to the wheel's version"
grep -q "^loaded tlcpack_example.libs/libgomp-[0-9a-f]*\.so\.1\$" "$log" ||
	die "the grafted libgomp was not loaded"
grep -q "^loaded tlcexample/libtlcexample.so\$" "$log" || die "no libtlcexample"
grep -q "), tlcexample from $TLC_SCRATCH/work/1/venv/lib/python3[.0-9]*/site-packages/tlcexample\$" "$log" ||
	die "the selftest did not run from the venv: $(grep 'tlcexample from' "$log")"
grep -q "^tlcexample selftest passed\$" "$log" || die "the selftest did not run"
grep -q "CUDA\|GPU" out && die "a cpu wheel reported GPU things: $(cat out)"

# No repository: a temporary one, with the index all the same; the
# recipe given with -r; the scratch directory removed afterwards.
TMPDIR=$TLC_SCRATCH/tmp
mkdir -p "$TMPDIR"
TMPDIR=$TMPDIR "$TLCPACK" test -r "$example" -v "$cpu_whl" >out2 2>err2 ||
	{ cat out2 err2; die "tlcpack test without a repository failed"; }
[ "$(cat out2)" = "$name: pass" ] || die "stdout: $(cat out2)"
grep -q "^Looking in indexes: file://$TLC_SCRATCH/tmp/tlcpack-test-[A-Za-z0-9]*/repo/simple/\$" err2 ||
	die "no temporary repository's index: $(grep Looking err2)"
[ -z "$(ls -A tmp)" ] || die "the scratch directory was left: $(ls tmp)"
echo "pass: installed through the index, selftest passed"
