# A bad wheel is refused before any request is made: the server's access
# log shows no POST.  Bad command lines are usage errors.  A server that
# does not answer is tried again (--retries), then given up on.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/upload-lib.bash"

serve_repo
export TLCPACK_PASSWORD=unused

# a member that does not match RECORD (same size, one byte changed)
mkpywheel demo-pkg 1.0
mkdir -p bad && python3 - wheels/demo_pkg-1.0-py3-none-any.whl bad <<'PY'
import sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z, zipfile.ZipFile(out + "/demo_pkg-1.0-py3-none-any.whl", "w") as o:
    for i in z.infolist():
        data = z.read(i)
        if i.filename == "demo_pkg/__init__.py":
            data = data.replace(b"1.0", b"6.6")
        o.writestr(i, data)
PY
printf 'not a zip' >bad/other_pkg-1.0-py3-none-any.whl
cp wheels/demo_pkg-1.0-py3-none-any.whl bad/not-a-wheel-name.whl
status=0
"$TLCPACK" publish --to "$url" --user bob bad/*.whl >out 2>err || status=$?
[ "$status" = 1 ] || die "exit status $status for bad wheels: $(cat err)"
[ ! -s out ] || die "printed: $(cat out)"
[ "$(wc -l <err)" = 3 ] || die "not one line per bad wheel: $(cat err)"
grep -q "^tlcpack: demo_pkg-1.0-py3-none-any.whl: 'demo_pkg/__init__.py' does not match its RECORD hash$" err ||
	die "no RECORD message: $(cat err)"
grep -q "other_pkg-1.0-py3-none-any.whl" err || die "no zip message: $(cat err)"
grep -q "not-a-wheel-name.whl" err || die "no file name message: $(cat err)"
"$TLCPACK" publish --to "$url" --user bob nothere.whl 2>err && die "a missing file"
grep -q "nothere.whl" err || die "no message for a missing file: $(cat err)"
if [ -s access.log ] && grep -q '"POST ' access.log; then
	die "a bad wheel reached the server: $(cat access.log)"
fi

# usage errors
w=wheels/demo_pkg-1.0-py3-none-any.whl
for args in "--repo repo" "--variant cpu" "--retries 11" "--retries x" \
	"--token-file tokenfile --user bob"; do
	status=0
	# shellcheck disable=SC2086
	"$TLCPACK" publish --to "$url" $args "$w" >/dev/null 2>err || status=$?
	[ "$status" = 129 ] || die "'$args': exit status $status: $(cat err)"
done
status=0
"$TLCPACK" publish --to ftp://127.0.0.1/ "$w" 2>err || status=$?
[ "$status" = 129 ] || die "ftp:// accepted ($status)"
grep -qx "tlcpack: 'ftp://127.0.0.1/' is not an http:// or https:// URL" err ||
	die "ftp:// message: $(cat err)"
if grep -q '"POST ' access.log 2>/dev/null; then
	die "a refused command line sent a request"
fi

# nothing listens on this port: refused connections are tried again
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
status=0
"$TLCPACK" publish --to "http://127.0.0.1:$port/" --retries 1 "$w" \
	>out 2>err || status=$?
[ "$status" = 128 ] || die "exit status $status with no server"
[ "$(wc -l <err)" = 2 ] || die "not a retry and a failure: $(cat err)"
grep -q "^tlcpack: demo_pkg-1.0-py3-none-any.whl: .*; trying again in 1s (2 of 2)$" err ||
	die "no retry line: $(cat err)"
grep -q "^tlcpack: demo_pkg-1.0-py3-none-any.whl: .*, 2 times$" err ||
	die "no final line: $(cat err)"
echo ok
