# A python that is not there is an error (exit 1, one line naming it),
# never a skip; so is a bad command line.
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0 >/dev/null
status=0
"$TLCPACK" test --no-recipe -p python3.99 wheels/demo_pkg-1.0-py3-none-any.whl \
	>out 2>err || status=$?
[ "$status" -eq 1 ] || { cat out err; die "exit status $status, not 1"; }
[ "$(cat err)" = "tlcpack: python 'python3.99' not found" ] ||
	die "stderr: $(cat err)"
[ ! -s out ] || die "stdout: $(cat out)"

status=0
"$TLCPACK" test >out 2>err || status=$?
[ "$status" -eq 129 ] || die "no wheel: exit $status, not 129"
status=0
"$TLCPACK" test --repo a --index http://127.0.0.1:1/ x.whl >out 2>err || status=$?
[ "$status" -eq 129 ] || die "--repo and --index: exit $status, not 129"
echo "missing-python: an error, not a skip"
