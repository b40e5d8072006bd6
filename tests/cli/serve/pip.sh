# Real pip, in a fresh venv, installs from `tlcpack serve`: it is served
# PEP 691 JSON (the access log shows the size of index.json, not of
# index.html), takes the PEP 658 .metadata files to resolve, honours requires-python, and installs from a variant's index.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel demo-pkg 1.0 ">=3.8"
mkpywheel demo-pkg 1.2 ">=4"
mkpywheel other-pkg 0.1
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null
"$TLCPACK" publish --repo repo --variant cpu \
	wheels/demo_pkg-1.0-py3-none-any.whl >/dev/null
start_serve --repo repo --access-log access.log

make_venv v
pipi() { v/bin/pip install --no-cache-dir --disable-pip-version-check \
	--quiet "$@"; }
pipi --dry-run --report report.json --index-url "$base/simple/" demo-pkg ||
	die "pip --dry-run failed"
json=$(stat -c %s repo/simple/demo-pkg/index.json)
grep -q "\"GET /simple/demo-pkg/ HTTP/1.1\" 200 $json " access.log ||
	die "pip was not served index.json ($json bytes): $(cat access.log)"
grep -q '"GET /files/demo-pkg/demo_pkg-1.0-py3-none-any.whl.metadata HTTP/1.1" 200 ' \
	access.log || die "pip did not fetch the .metadata file"
pipi --index-url "$base/simple/" demo-pkg || die "pip install failed"
[ "$(v/bin/python -m demo_pkg)" = 1.0 ] || die "installed $(v/bin/python -m demo_pkg)"
grep -q '"GET /files/demo-pkg/demo_pkg-1.0-py3-none-any.whl HTTP/1.1" 200 ' \
	access.log || die "pip did not download the wheel to install it"
make_venv v2
v2/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
	--index-url "$base/cpu/simple/" demo-pkg || die "cpu/simple/ failed"
v2/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
	--index-url "$base/cpu/simple/" other-pkg 2>/dev/null &&
	die "cpu/simple/ offered other-pkg"
stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc"
echo ok
