# Uploads with twine (the legacy API) and yanks over HTTP: twine uploads
# and pip installs from the server; the same bytes again succeed (200);
# other bytes under the same name 409; an invalid wheel 400 with the
# reason (in the body: twine --verbose prints it); digests that do not
# match 400 naming the field; wrong password 401; no credentials 401 with
# WWW-Authenticate; a token scoped to another project 403; --uploaders
# 403; POST /-/yank and /-/unyank.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel seed 1.0
"$TLCPACK" publish --repo repo wheels/seed-1.0-py3-none-any.whl >/dev/null
mkpywheel up-pkg 2.0 "" upw
mkpywheel up-pkg 2.0 "" other	# same name, other bytes (upload time)
sleep 1.1; rm -rf pw-up-pkg-2.0; mkpywheel up-pkg 2.0 ">=3" other
cmp -s upw/up_pkg-2.0-py3-none-any.whl other/up_pkg-2.0-py3-none-any.whl &&
	die "the two wheels are the same bytes"
mkpywheel tok-pkg 1.0 "" tokw
echo "alice:$(htpasswd_hash secret)" >htpasswd
echo "bob:$(htpasswd_hash hunter2)" >>htpasswd
"$TLCPACK" serve --tokens tokens --new-token ci --projects tok-pkg >token ||
	die "--new-token failed"
grep -q '^tlc_' token && grep -q '^ci:[0-9a-f]\{64\}:tok-pkg$' tokens ||
	die "token: $(cat token) / $(cat tokens)"
start_serve --repo repo --htpasswd htpasswd --tokens tokens \
	--uploaders alice,ci --access-log access.log

tw() { twine upload --disable-progress-bar --non-interactive \
	--repository-url "$base/" "$@"; }
tw -u alice -p secret upw/up_pkg-2.0-py3-none-any.whl >tw1 2>&1 ||
	die "twine upload failed: $(cat tw1)"
[ -f repo/files/up-pkg/up_pkg-2.0-py3-none-any.whl ] || die "not published"
cmp repo/files/up-pkg/up_pkg-2.0-py3-none-any.whl upw/up_pkg-2.0-py3-none-any.whl ||
	die "published bytes differ"
make_venv venv
venv/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
	--index-url "$base/simple/" up-pkg || die "pip install from serve failed"
[ "$(venv/bin/python -m up_pkg)" = 2.0 ] || die "wrong version installed"

# the same bytes again: 200
tw -u alice -p secret upw/up_pkg-2.0-py3-none-any.whl >tw2 2>&1 ||
	die "re-upload of the same bytes failed: $(cat tw2)"
# other bytes, same name: 409
tw -u alice -p secret other/up_pkg-2.0-py3-none-any.whl >tw3 2>&1 &&
	die "other bytes were accepted"
grep -q '409 Conflict' tw3 || die "not 409: $(cat tw3)"
# an invalid wheel: 400, and the reason in what twine --verbose prints
# (a member that does not match RECORD: twine does not look, publish does)
mkpywheel bad-pkg 1.0 "" badw
mkdir bad
python3 - badw/bad_pkg-1.0-py3-none-any.whl bad/bad_pkg-1.0-py3-none-any.whl <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as i, zipfile.ZipFile(sys.argv[2], "w") as o:
    for n in i.namelist():
        data = i.read(n)
        o.writestr(n, b"tampered = 1\n" if n == "bad_pkg/__init__.py" else data)
PY
tw --verbose -u alice -p secret bad/bad_pkg-1.0-py3-none-any.whl >tw4 2>&1 &&
	die "an invalid wheel was accepted"
grep -q '400 Bad Request' tw4 || die "not 400: $(cat tw4)"
grep -q 'RECORD' tw4 || die "twine did not print the reason: $(cat tw4)"
# credentials
tw -u alice -p wrong upw/up_pkg-2.0-py3-none-any.whl >tw5 2>&1 &&
	die "a wrong password was accepted"
grep -q '401 Unauthorized' tw5 || die "wrong password not 401: $(cat tw5)"
curl -s -D h1 -o /dev/null -F ':action=file_upload' "$base/"
head -1 h1 | grep -q ' 401 ' || die "no credentials: $(head -1 h1)"
[ "$(hdr WWW-Authenticate h1)" = 'Basic realm="tlcpack"' ] ||
	die "no WWW-Authenticate"
# bob has a password but is not an uploader: 403
tw -u bob -p hunter2 tokw/tok_pkg-1.0-py3-none-any.whl >tw6 2>&1 &&
	die "bob uploaded"
grep -q '403 Forbidden' tw6 || die "bob: not 403: $(cat tw6)"
# the token: tok-pkg yes, up-pkg no
tw -u __token__ -p "$(cat token)" tokw/tok_pkg-1.0-py3-none-any.whl >tw7 2>&1 ||
	die "token upload failed: $(cat tw7)"
mkpywheel up-pkg 3.0 "" upw3
tw -u __token__ -p "$(cat token)" upw3/up_pkg-3.0-py3-none-any.whl >tw8 2>&1 &&
	die "a token for tok-pkg uploaded up-pkg"
grep -q '403 Forbidden' tw8 || die "scoped token: not 403: $(cat tw8)"
# digests (raw client): a wrong sha256 is named; /legacy/ works too
out=$(python3 "$TLC_CASE_DIR/client.py" upload "$port" \
	upw3/up_pkg-3.0-py3-none-any.whl --auth alice:secret --bad-sha256)
case $out in "400 sha256_digest"*) ;; *) die "bad sha256: $out" ;; esac
out=$(python3 "$TLC_CASE_DIR/client.py" upload "$port" \
	upw3/up_pkg-3.0-py3-none-any.whl --auth alice:secret \
	--field blake2_256_digest=00 --path /legacy/)
case $out in "400 blake2_256_digest"*) ;; *) die "bad blake2: $out" ;; esac
out=$(python3 "$TLC_CASE_DIR/client.py" upload "$port" \
	upw3/up_pkg-3.0-py3-none-any.whl --auth alice:secret \
	--field ':action=remove_pkg')
case $out in "400 :action 'remove_pkg'"*) ;; *) die "action: $out" ;; esac
out=$(python3 "$TLC_CASE_DIR/client.py" upload "$port" \
	upw3/up_pkg-3.0-py3-none-any.whl --auth alice:secret --path /legacy/)
[ "$out" = "200 added files/up-pkg/up_pkg-3.0-py3-none-any.whl" ] ||
	die "/legacy/ upload: $out"
# yank and unyank over HTTP
[ "$(status -u alice:secret -d filename=up_pkg-3.0-py3-none-any.whl \
	--data-urlencode 'reason=broken <b>' "$base/-/yank")" = 200 ] || die "yank"
grep -q 'data-yanked="broken &lt;b&gt;"' repo/simple/up-pkg/index.html ||
	die "not yanked"
[ "$(status -u alice:secret -F filename=up_pkg-3.0-py3-none-any.whl \
	"$base/-/unyank")" = 200 ] || die "unyank"
grep -q 'data-yanked' repo/simple/up-pkg/index.html && die "still yanked"
[ "$(status -d filename=up_pkg-3.0-py3-none-any.whl "$base/-/yank")" = 401 ] ||
	die "anonymous yank not 401"
[ "$(status -u alice:secret -d filename=nope-1.0-py3-none-any.whl \
	"$base/-/yank")" != 200 ] || die "yanked a file that is not there"
grep -q '"POST / HTTP/1.1" 200 .*twine' access.log || die "no twine in the log"
grep -q ' alice \[' access.log || die "the log names no user"
ls repo/.tlcpack | grep -q upload.tmp && die "a temporary directory was left"
stop_serve
"$TLCPACK" index --repo repo --check --no-repair >/dev/null ||
	die "the repository does not check"
echo ok
