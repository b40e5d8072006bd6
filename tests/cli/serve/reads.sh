# GET and HEAD through curl: PEP 691 negotiation (q-values, q=0, */*,
# ?format=, 406), PEP 503 redirects, ETag / If-None-Match / If-Modified-
# Since (304), single Range (206, 416; several ranges: 200), Content-Type,
# Cache-Control, HEAD, keep-alive, the landing page; traversal shapes
# never reach outside the repository nor under .tlcpack/; and the
# refusals to start.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel demo-pkg 1.0
mkpywheel demo-pkg 1.1
mkpywheel other 0.1
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null
"$TLCPACK" publish --repo repo --variant cpu \
	wheels/demo_pkg-1.0-py3-none-any.whl >/dev/null
echo 'TOP SECRET' >secret.txt
ln -s "$PWD/secret.txt" repo/files/demo-pkg/link.whl
ln -s "$PWD" repo/files/outside
W=files/demo-pkg/demo_pkg-1.0-py3-none-any.whl
size=$(stat -c %s "repo/$W")

start_serve --repo repo --access-log access.log

# negotiation (PEP 691)
JSON=application/vnd.pypi.simple.v1+json
V1HTML=application/vnd.pypi.simple.v1+html
ctype() { curl -s -o /dev/null -w '%{content_type}' "$@"; }
[ "$(ctype "$base/simple/demo-pkg/")" = "text/html; charset=utf-8" ] ||
	die "no Accept: not HTML"
[ "$(ctype -H 'Accept: */*' "$base/simple/demo-pkg/")" = "text/html; charset=utf-8" ] ||
	die "*/*: not HTML"
[ "$(ctype -H "Accept: $JSON, $V1HTML;q=0.1, text/html;q=0.01" \
	"$base/simple/demo-pkg/")" = "$JSON" ] || die "pip's Accept: not JSON"
[ "$(ctype -H "Accept: $JSON;q=0.2, text/html" "$base/simple/")" = \
	"text/html; charset=utf-8" ] || die "q-values ignored"
[ "$(ctype -H "Accept: $V1HTML" "$base/simple/")" = "$V1HTML" ] ||
	die "v1+html not honoured"
[ "$(ctype -H "Accept: application/*, text/html;q=0" "$base/simple/")" = \
	"$V1HTML" ] || die "application/* with text/html;q=0"
[ "$(ctype "$base/simple/?format=$JSON")" = "$JSON" ] || die "?format= ignored"
curl -s -D h406 -o b406 -H 'Accept: image/png, text/html;q=0' "$base/simple/"
head -1 h406 | grep -q ' 406 ' || die "no 406: $(head -1 h406)"
grep -q "$JSON" b406 || die "406 does not list the types"
[ "$(hdr Vary h406)" = Accept ] || die "406 without Vary: Accept"
curl -s -H "Accept: $JSON" "$base/simple/demo-pkg/" | cmp - repo/simple/demo-pkg/index.json ||
	die "JSON page differs from the file"
curl -s "$base/cpu/simple/demo-pkg/" | cmp - repo/cpu/simple/demo-pkg/index.html ||
	die "variant page differs"

# redirects (PEP 503)
loc() { curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$1"; }
[ "$(loc "$base/simple/Demo_Pkg/")" = "301 $base/simple/demo-pkg/" ] ||
	die "Demo_Pkg: $(loc "$base/simple/Demo_Pkg/")"
[ "$(loc "$base/simple/demo-pkg")" = "301 $base/simple/demo-pkg/" ] ||
	die "no slash: $(loc "$base/simple/demo-pkg")"
[ "$(loc "$base/simple/DEMO.pkg")" = "301 $base/simple/demo-pkg/" ] ||
	die "DEMO.pkg: $(loc "$base/simple/DEMO.pkg")"
[ "$(loc "$base/cpu/simple/Demo_Pkg/")" = "301 $base/cpu/simple/demo-pkg/" ] ||
	die "variant redirect"
[ "$(status "$base/simple/nope/")" = 404 ] || die "unknown project not 404"

# files: type, cache, validators
curl -s -D h1 -o body "$base/$W"
cmp body "repo/$W" || die "wheel bytes differ"
[ "$(hdr Content-Type h1)" = application/octet-stream ] || die "wheel type"
[ "$(hdr Cache-Control h1)" = "public, max-age=31536000, immutable" ] ||
	die "file Cache-Control: $(hdr Cache-Control h1)"
[ "$(hdr Accept-Ranges h1)" = bytes ] || die "no Accept-Ranges"
etag=$(hdr ETag h1)
lm=$(hdr Last-Modified h1)
case $etag in '"'*'"') ;; *) die "ETag not strong: $etag" ;; esac
[ "$(status -H "If-None-Match: $etag" "$base/$W")" = 304 ] || die "INM: not 304"
[ "$(status -H "If-None-Match: \"x\", W/$etag" "$base/$W")" = 304 ] ||
	die "INM list with W/: not 304"
[ "$(status -H 'If-None-Match: *' "$base/$W")" = 304 ] || die "INM *: not 304"
[ "$(status -H 'If-None-Match: "other"' "$base/$W")" = 200 ] || die "INM other: not 200"
[ "$(status -H "If-Modified-Since: $lm" "$base/$W")" = 304 ] || die "IMS: not 304"
[ "$(status -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT' "$base/$W")" = 200 ] ||
	die "old IMS: not 200"
[ "$(curl -s -o /dev/null -w '%{content_type}' "$base/$W.metadata")" = \
	"text/plain; charset=utf-8" ] || die ".metadata type"
curl -s -D h2 -o /dev/null "$base/simple/demo-pkg/"
[ "$(hdr Cache-Control h2)" = "public, max-age=60" ] || die "page Cache-Control"
[ "$(hdr Vary h2)" = Accept ] || die "page without Vary: Accept"
etag2=$(hdr ETag h2)
[ "$(status -H "If-None-Match: $etag2" "$base/simple/demo-pkg/")" = 304 ] ||
	die "page INM: not 304"
[ "$(status -H "If-None-Match: $etag2" -H "Accept: $JSON" "$base/simple/demo-pkg/")" = 200 ] ||
	die "the JSON page took the HTML page's ETag"

# Range (RFC 9110 14)
curl -s -D h3 -o part -H 'Range: bytes=0-9' "$base/$W"
head -1 h3 | grep -q ' 206 ' || die "no 206"
[ "$(hdr Content-Range h3)" = "bytes 0-9/$size" ] || die "Content-Range: $(hdr Content-Range h3)"
head -c 10 "repo/$W" | cmp - part || die "range bytes differ"
curl -s -o part -H 'Range: bytes=-5' "$base/$W"
tail -c 5 "repo/$W" | cmp - part || die "suffix range differs"
curl -s -o part -H "Range: bytes=$((size - 3))-" "$base/$W"
tail -c 3 "repo/$W" | cmp - part || die "open range differs"
curl -s -D h4 -o /dev/null -H "Range: bytes=$size-" "$base/$W"
head -1 h4 | grep -q ' 416 ' || die "no 416"
[ "$(hdr Content-Range h4)" = "bytes */$size" ] || die "416 Content-Range"
[ "$(status -H 'Range: bytes=0-1,5-6' "$base/$W")" = 200 ] || die "multi-range not 200"
[ "$(status -H "Range: bytes=0-1" -H 'If-Range: "stale"' "$base/$W")" = 200 ] ||
	die "If-Range mismatch not 200"

# HEAD: headers, no body
curl -s -I -o /dev/null -D h5 "$base/$W"
[ "$(hdr Content-Length h5)" = "$size" ] || die "HEAD Content-Length"
[ "$(curl -s -I "$base/$W" | wc -c)" -lt 1000 ] || die "HEAD sent a body"

# keep-alive: two requests, one connection
curl -sv -o /dev/null -o /dev/null "$base/wheels.html" "$base/simple/" 2>&1 |
	grep -q 'Re-using existing connection' || die "no keep-alive"

# landing page
curl -s "$base/" >landing.html
grep -q 'Not an official release' landing.html || die "no disclaimer"
grep -q '<a href="simple/demo-pkg/">demo-pkg</a>: 1.0, 1.1; variants: <a href="cpu/simple/demo-pkg/">cpu</a>' \
	landing.html || die "landing lists no demo-pkg: $(cat landing.html)"
grep -q "pip install --index-url http://127.0.0.1:$port/cpu/simple/" landing.html ||
	die "no pip line for the variant"
curl -s -H 'Host: <b>&' "$base/" | grep -q 'http://&lt;b&gt;&amp;/simple/' ||
	die "Host not escaped on the landing page"

# traversal and private parts: 400 or 404, never a byte of them
for t in '/../secret.txt' '/%2e%2e/secret.txt' '/%252e%252e/secret.txt' \
	'/files/%2e%2e/%2e%2e/secret.txt' '/files/..%2f..%2fsecret.txt' \
	'/.tlcpack/lock' '/%2etlcpack/lock' '/files/demo-pkg/link.whl' \
	'/files/outside/secret.txt' '/files%5c..%5csecret.txt' \
	'/files/demo-pkg/%00' '//etc/passwd' '/simple/../../secret.txt' \
	'/.tlcpack/state/demo-pkg.json' '/files/./demo-pkg/' '/files/demo-pkg/'; do
	code=$(curl -s --path-as-is -o out -w '%{http_code}' "$base$t")
	case $code in 400|404) ;; *) die "$t: $code" ;; esac
	! grep -q 'SECRET\|{' out || die "$t leaked: $(cat out)"
done
[ "$(status -X DELETE "$base/simple/")" = 405 ] || die "DELETE not 405"
[ "$(status -X POST "$base/")" = 403 ] || die "POST without credentials not 403"
curl -s -X POST "$base/" | grep -qx 'uploads are disabled: start serve with --htpasswd or --tokens' ||
	die "no uploads-disabled message"
grep -q '"GET /simple/Demo_Pkg/ HTTP/1.1" 301 ' access.log || die "access log"
stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc on SIGTERM"

# refusals to start, one line each
"$TLCPACK" serve --repo nowhere --listen 127.0.0.1:0 2>e1 && die "started without a repo"
[ "$(wc -l <e1)" = 1 ] && grep -q "nowhere" e1 || die "missing repo: $(cat e1)"
printf 'bob:plaintext\n' >plain.htpasswd
"$TLCPACK" serve --repo repo --listen 127.0.0.1:0 --htpasswd plain.htpasswd 2>e2 &&
	die "started with a plaintext htpasswd"
[ "$(wc -l <e2)" = 1 ] && grep -q 'plain.htpasswd:1' e2 || die "plaintext: $(cat e2)"
"$TLCPACK" serve --repo repo --private 2>e3 && die "--private without credentials"
grep -q -- '--private needs' e3 || die "--private: $(cat e3)"
echo ok
