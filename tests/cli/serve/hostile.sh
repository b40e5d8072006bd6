# Hostile requests on raw sockets (client.py hostile): CL+TE and a
# repeated Content-Length (400), oversize URI (414), header block (431)
# and body (413), malformed multipart (400), bad Authorization shapes
# (401 + WWW-Authenticate), traversal shapes (400/404), slowloris (closed
# by --timeout, others still served).  Then a chunked body over
# --max-upload is cut, and the server lives on.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel demo-pkg 1.0
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null
echo "alice:$(htpasswd_hash secret)" >htpasswd
start_serve --repo repo --htpasswd htpasswd --timeout 2 --max-upload 100000
python3 "$TLC_CASE_DIR/client.py" hostile "$port" alice:secret >checks ||
	die "$(grep -v '^ok' checks)"
head -c 300000 /dev/urandom >big.bin
# the server may cut the connection (curl fails, code 000) or answer
# 413: the case below accepts those two and nothing else
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:secret \
	-H 'Transfer-Encoding: chunked' -F "content=@big.bin;filename=a-1.0-py3-none-any.whl" \
	"$base/" || true)
case $code in 000|413) ;; *) die "chunked over the cap: $code" ;; esac
[ "$(status "$base/simple/")" = 200 ] || die "server gone after the cut body"
ls repo/.tlcpack | grep -q upload.tmp && die "a temporary directory was left"
stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc"
echo ok
