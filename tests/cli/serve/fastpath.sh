# The fast path (src/http/serve_fast.c) answers reads of files and pages
# itself and hands the rest to libmicrohttpd: every read it answers is
# answered as MHD answers it (fastpath.py same: status, fields but Date,
# body; GET, HEAD, 304s, Connection: close), on a 3 MB wheel too; one
# keep-alive connection mixes pipelined reads, a head in two pieces and
# MHD's refusals; --per-ip counts the connections of both; --timeout
# closes idle ones it holds; the access log has its requests; a private
# repository gets no read without credentials.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel demo-pkg 1.0
mkpywheel big-pkg 1.0
head -c 3000000 /dev/urandom >pw-big-pkg-1.0/big_pkg/blob.bin
"$TLCPACK" pack -d wheels pw-big-pkg-1.0 >/dev/null
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null
W=/files/demo-pkg/demo_pkg-1.0-py3-none-any.whl
BIG=/files/big-pkg/big_pkg-1.0-py3-none-any.whl
[ "$(stat -c %s "repo$BIG")" -gt 2000000 ] || die "the big wheel is small"

start_serve --repo repo --access-log access.log --timeout 3 --per-ip 4
python3 "$TLC_CASE_DIR/fastpath.py" same "$port" "$W" "$BIG" \
	"$W.metadata" /simple/demo-pkg/ /simple/ /wheels.html \
	>same.out ||
	die "$(grep -v '^ok' same.out)"
# what curl downloads from the fast path is the file
curl -s -o got.whl "$base$BIG" && cmp got.whl "repo$BIG" ||
	die "the big wheel came back other bytes"
python3 "$TLC_CASE_DIR/fastpath.py" session "$port" "$BIG" \
	/simple/big-pkg/ >session.out || die "$(grep -v '^ok' session.out)"
python3 "$TLC_CASE_DIR/fastpath.py" per-ip "$port" "$W" 4 >perip.out ||
	die "$(grep -v '^ok' perip.out)"
python3 "$TLC_CASE_DIR/fastpath.py" idle "$port" "$W" 3 >idle.out ||
	die "$(grep -v '^ok' idle.out)"
curl -s -o /dev/null -A 'agent/1' -e 'http://ref/' "$base$W"
stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc"
# the fast path's requests are logged as MHD's are
grep -qF "\"GET $W HTTP/1.1\" 200 $(stat -c %s "repo$W") \"http://ref/\" \"agent/1\"" \
	access.log || die "no log line for the fast read: $(tail -3 access.log)"
grep -qF "\"HEAD $BIG HTTP/1.1\" 200 - " access.log ||
	die "no log line for a HEAD"
grep -qF "\" 304 - " access.log || die "no log line for a 304"

# a private repository: reads without credentials are refused (MHD)
echo "alice:$(htpasswd_hash secret)" >htpasswd
start_serve --repo repo --htpasswd htpasswd --private
[ "$(status "$base$W")" = 401 ] || die "a private read without credentials"
[ "$(status -u alice:secret "$base$W")" = 200 ] || die "a private read"
stop_serve
echo ok
