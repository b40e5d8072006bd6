# A failing [test] command fails the wheel: exit status 1, "FAIL" on
# stdout, one line naming the command and its status, and the tail of the
# log, which ends with the command's own output.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/test-lib.bash"
example_wheels
name=$(basename "$cpu_whl")

copy_example src
sed -i 's|^command = .*|command = "python -c '"'"'import sys; print(\\"about to fail\\"); sys.exit(3)'"'"'"|' \
	src/tlcpack.toml
grep -q '^command = "python -c .*sys.exit(3)' src/tlcpack.toml ||
	die "the recipe was not edited: $(grep ^command src/tlcpack.toml)"

status=0
"$TLCPACK" test -r src "$cpu_whl" >out 2>err || status=$?
[ "$status" -eq 1 ] || { cat out err; die "exit status $status, not 1"; }
[ "$(cat out)" = "$name: FAIL" ] || die "stdout: $(cat out)"
grep -qx "tlcpack: $name: test command 'python -c 'import sys; print(\"about to fail\"); sys.exit(3)'' failed with exit status 3" err ||
	{ cat err; die "no one-line reason"; }
grep -q '^--- last lines of .*/1.log ---$' err || { cat err; die "no log tail"; }
grep -qx "\$ /bin/sh -c 'python -c 'import sys; .*sys.exit(3)''" err ||
	{ cat err; die "the tail does not show the command"; }
grep -qx 'about to fail' err || { cat err; die "the tail lacks its output"; }
# the steps before it passed: the failure is the command's, not pip's
grep -qx 'loaded: 3 libraries' err || { cat err; die "the load step did not pass"; }
echo "fail: exit 1, reason and log tail shown"
