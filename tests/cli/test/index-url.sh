# A repository served over HTTP (`tlcpack serve`): --index URL, and pip
# installs through http://.../simple/; a wheel the server does not have
# is refused (HTTP 404 for its project page).
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/../serve/serve-lib.bash"

mkpywheel demo-pkg 1.0 >/dev/null
mkpywheel nothere 1.0 >/dev/null
"$TLCPACK" publish --repo repo wheels/demo_pkg-1.0-py3-none-any.whl \
	>/dev/null 2>&1 || die "publish failed"
start_serve --repo repo

"$TLCPACK" test --no-recipe --index "$base/" --work-dir work \
	wheels/demo_pkg-1.0-py3-none-any.whl >out 2>err ||
	{ cat out err; die "tlcpack test --index failed"; }
[ "$(cat out)" = "demo_pkg-1.0-py3-none-any.whl: pass" ] || die "stdout: $(cat out)"
grep -qx "Looking in indexes: $base/simple/" work/1.log ||
	die "pip did not use the server's index: $(grep Looking work/1.log)"
grep -qx "imported demo_pkg from .*/work/1/venv/lib/python3[.0-9]*/site-packages/demo_pkg/__init__.py" work/1.log ||
	die "demo_pkg was not imported from the venv"

status=0
"$TLCPACK" test --no-recipe --index "$base/simple/" \
	wheels/nothere-1.0-py3-none-any.whl >out 2>err || status=$?
[ "$status" -eq 1 ] || { cat out err; die "exit $status, not 1"; }
[ "$(cat err)" = "tlcpack: 'nothere-1.0-py3-none-any.whl' is not in the repository '$base/simple/': no project page for it (HTTP 404)" ] ||
	die "stderr: $(cat err)"
echo "index-url: installed through $base/simple/"
