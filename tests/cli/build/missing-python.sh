# A listed Python that is missing is an error unless
# --skip-missing-python is given, and then it is reported, never silent.
. "$TLC_CASE_DIR/../lib.sh"

copy_example src
if "$TLCPACK" build --dry-run --python python3 --python python3.99 src \
	>out 2>err; then
	die "a missing python did not fail the build"
fi
grep -q "python3.99" err || die "the error does not name python3.99: $(cat err)"
grep -q -- "--skip-missing-python" err || die "no hint: $(cat err)"
[ "$(wc -l <err)" -eq 1 ] || die "error is not one line: $(cat err)"
[ ! -e dist ] || die "a failed dry run wrote dist/"

"$TLCPACK" build --dry-run --skip-missing-python --python python3 \
	--python python3.99 src >out 2>err || die "skip failed: $(cat err)"
grep -q "warning: skipped python 'python3.99'" err ||
	die "the skip was not reported: $(cat err)"
grep -q 'tlcpack_example-0.1.0-cp3' out || die "no wheel planned: $(cat out)"
echo "missing python: refused, then skipped loudly"
