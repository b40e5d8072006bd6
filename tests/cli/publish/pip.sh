# Real pip, in fresh venvs, installs from a published repository three
# ways: -f wheels.html; --index-url simple/ through Python's http.server
# (PEP 503 HTML); and --index-url through a server that honours Accept
# (PEP 691 JSON).  pip takes the .metadata files (PEP 658) instead of the
# wheels to resolve, honours data-requires-python, and skips a yanked file
# (PEP 592) unless it is pinned.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0 ">=3.8"
mkpywheel demo-pkg 1.1
mkpywheel demo-pkg 1.2 ">=4"
mkpywheel other-pkg 0.1
"$TLCPACK" publish --repo repo wheels/*.whl >published
grep -c '^added ' published | grep -qx 4 || die "not 4 added: $(cat published)"
# demo-pkg 1.0 is also the "cpu" variant's: cpu/simple/ lists only it
"$TLCPACK" publish --repo repo --variant cpu \
	wheels/demo_pkg-1.0-py3-none-any.whl >/dev/null
"$TLCPACK" yank --repo repo demo_pkg-1.1-py3-none-any.whl \
	--reason 'broken <build> & "co"' >/dev/null
grep -q 'data-yanked="broken &lt;build&gt; &amp; &quot;co&quot;"' \
	repo/simple/demo-pkg/index.html || die "no escaped data-yanked"

pipi() { "$1/bin/pip" install --no-cache-dir --disable-pip-version-check \
	--quiet "${@:2}"; }
version_of() { "$1/bin/python" -m demo_pkg; }

# 1. the flat find-links page: 1.2 needs Python 4, 1.1 is yanked
make_venv v1
pipi v1 --no-index -f repo/wheels.html demo-pkg
[ "$(version_of v1)" = 1.0 ] || die "-f wheels.html installed $(version_of v1)"
# pinned, the yanked file installs (with pip's warning)
pipi v1 --no-index -f repo/wheels.html demo-pkg==1.1 2>pin.err
[ "$(version_of v1)" = 1.1 ] || die "a pinned yanked file did not install"
grep -q 'yanked' pin.err || die "pip gave no yank warning: $(cat pin.err)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
	for _ in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$1))" \
			2>/dev/null && return 0
		sleep 0.1
	done
	die "no server on port $1"
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

# 2. PEP 503 HTML through Python's http.server
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory repo "$port" \
	>http.log 2>&1 &
pids+=($!)
wait_port "$port"
make_venv v2
pipi v2 --index-url "http://127.0.0.1:$port/simple/" demo-pkg
[ "$(version_of v2)" = 1.0 ] || die "simple/ installed $(version_of v2)"
grep -q 'GET /simple/demo-pkg/ ' http.log || die "pip did not read simple/demo-pkg/"
# a variant's sub-index, as PyTorch's cu121/ index is used
make_venv v4
pipi v4 --index-url "http://127.0.0.1:$port/cpu/simple/" demo-pkg
[ "$(version_of v4)" = 1.0 ] || die "cpu/simple/ installed $(version_of v4)"
pipi v4 --index-url "http://127.0.0.1:$port/cpu/simple/" other-pkg 2>/dev/null &&
	die "cpu/simple/ offered other-pkg, which is in no variant"

# 3. PEP 691 JSON, from a server that honours Accept
python3 "$TLC_SOURCE_DIR/tests/index/server.py" repo port json.log &
pids+=($!)
for _ in $(seq 100); do [ -f port ] && break; sleep 0.1; done
jport=$(cat port)
wait_port "$jport"
make_venv v3
"v3/bin/pip" install --no-cache-dir --disable-pip-version-check --quiet \
	--dry-run --report report.json \
	--index-url "http://127.0.0.1:$jport/simple/" demo-pkg
grep -q '^GET /simple/demo-pkg/index.json application/vnd.pypi.simple.v1+json$' \
	json.log || die "pip was not served JSON: $(cat json.log)"
grep -q '^GET /files/demo-pkg/demo_pkg-1.0-py3-none-any.whl.metadata ' json.log ||
	die "pip did not fetch the .metadata file: $(cat json.log)"
python3 - report.json <<'PY' || die "the report does not name demo-pkg 1.0"
import json, sys
r = json.load(open(sys.argv[1]))
got = [(i["metadata"]["name"], i["metadata"]["version"]) for i in r["install"]]
sys.exit(got != [("demo-pkg", "1.0")])
PY
pipi v3 --index-url "http://127.0.0.1:$jport/simple/" demo-pkg
[ "$(version_of v3)" = 1.0 ] || die "JSON index installed $(version_of v3)"
grep -q '^GET /files/demo-pkg/demo_pkg-1.0-py3-none-any.whl ' json.log ||
	die "pip did not download the wheel to install it"
echo ok
