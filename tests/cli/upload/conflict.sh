# Uploading the same bytes again is a success (tlcpack serve keeps the
# first copy); other bytes under a name the server has are refused with
# one line naming the 409; each wheel is reported and the exit status
# says one failed.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/upload-lib.bash"
# scripts/deps.sh --test installs openssl: its absence is a failure
command -v openssl >/dev/null || die "no openssl to hash a password"

printf 'bob:%s\n' "$(openssl passwd -6 pw)" >htpasswd
serve_repo --htpasswd htpasswd
export TLCPACK_PASSWORD=pw
up() { "$TLCPACK" publish --to "$url" --user bob "$@"; }

mkpywheel demo-pkg 1.0
mkpywheel demo-pkg 2.0
up wheels/demo_pkg-1.0-py3-none-any.whl >out1 || die "first upload failed"
up wheels/demo_pkg-1.0-py3-none-any.whl >out2 2>err2 ||
	die "an identical re-upload failed: $(cat err2)"
[ "$(cat out2)" = "uploaded demo_pkg-1.0-py3-none-any.whl" ] ||
	die "re-upload said: $(cat out2)"
[ ! -s err2 ] || die "re-upload complained: $(cat err2)"

# other bytes, same name: the next wheel is still uploaded
mkdir other && mkpywheel demo-pkg 1.0 ">=3" other
cmp -s other/*.whl wheels/demo_pkg-1.0-py3-none-any.whl &&
	die "the second build has the same bytes"
status=0
up other/demo_pkg-1.0-py3-none-any.whl wheels/demo_pkg-2.0-py3-none-any.whl \
	>out3 2>err3 || status=$?
[ "$status" = 1 ] || die "exit status $status after a 409"
[ "$(cat out3)" = "uploaded demo_pkg-2.0-py3-none-any.whl" ] ||
	die "the wheel after the refused one: $(cat out3)"
[ "$(cat err3)" = "tlcpack: demo_pkg-1.0-py3-none-any.whl: the server has this file name with other bytes (409)" ] ||
	die "409 message: $(cat err3)"
cmp -s repo/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl \
	wheels/demo_pkg-1.0-py3-none-any.whl || die "the server's copy changed"
grep -q '"POST / HTTP/1.1" 409 ' access.log || die "no 409 in the log"
echo ok
