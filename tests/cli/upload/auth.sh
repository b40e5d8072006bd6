# Credentials: --user with TLCPACK_PASSWORD or --password-file, an API
# token from --token-file (sent as user __token__, as twine does), and
# twine's TWINE_USERNAME / TWINE_PASSWORD.  A wrong password or none
# gets one clear line; a password is never taken from the command line
# (nor from credentials in the URL) and never printed.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/upload-lib.bash"
# scripts/deps.sh --test installs openssl: its absence is a failure
command -v openssl >/dev/null || die "no openssl to hash a password"

printf 'bob:%s\n' "$(openssl passwd -6 right)" >htpasswd
token=$("$TLCPACK" serve --tokens tokens --new-token ci)
serve_repo --htpasswd htpasswd --tokens tokens
unset TLCPACK_PASSWORD TWINE_USERNAME TWINE_PASSWORD
for v in 1.0 1.1 1.2 1.3 1.4; do mkpywheel demo-pkg $v; done
w() { echo "wheels/demo_pkg-$1-py3-none-any.whl"; }
posts() { grep -c '"POST ' access.log || true; }
expect_fail() {		# status message command...
	local want=$1 msg=$2 status=0
	shift 2
	"$@" >out 2>err || status=$?
	[ "$status" = "$want" ] || die "exit status $status, not $want: $*: $(cat err)"
	[ "$(cat err)" = "$msg" ] || die "$*: said '$(cat err)', not '$msg'"
	[ ! -s out ] || die "$*: printed $(cat out)"
}

# refused before anything is sent: no POST reaches the server
expect_fail 129 "tlcpack: a password on the command line is visible to other users; set TLCPACK_PASSWORD or give --password-file
Run 'tlcpack publish --help' for usage." \
	"$TLCPACK" publish --to "$url" --user bob --password right "$(w 1.0)"
hostport=${url#http://}
expect_fail 129 "tlcpack: the URL holds credentials, which other users can read on the command line; give --user and TLCPACK_PASSWORD or --password-file" \
	"$TLCPACK" publish --to "http://bob:right@$hostport" "$(w 1.0)"
expect_fail 129 "tlcpack: no password for 'bob': set TLCPACK_PASSWORD or give --password-file
Run 'tlcpack publish --help' for usage." \
	"$TLCPACK" publish --to "$url" --user bob "$(w 1.0)"
[ "$(posts)" = 0 ] || die "a refused command line sent a request"

# refused by the server
expect_fail 1 "tlcpack: demo_pkg-1.0-py3-none-any.whl: the server wants credentials (401); give --user or --token-file" \
	"$TLCPACK" publish --to "$url" "$(w 1.0)"
TLCPACK_PASSWORD=wrong expect_fail 1 "tlcpack: demo_pkg-1.0-py3-none-any.whl: the server refused the user name or password (401)" \
	"$TLCPACK" publish --to "$url" --user bob "$(w 1.0)"
echo tlc_notavalidtoken >badtoken
expect_fail 1 "tlcpack: demo_pkg-1.0-py3-none-any.whl: the server refused the token (401)" \
	"$TLCPACK" publish --to "$url" --token-file badtoken "$(w 1.0)"
grep -q 'wrong' err out && die "the password was printed"
[ "$(grep -c '"POST / HTTP/1.1" 401 ' access.log)" = 3 ] ||
	die "not three 401s: $(cat access.log)"
[ ! -e repo/files/demo-pkg ] || die "a refused upload was published"

# accepted, each way
TLCPACK_PASSWORD=right "$TLCPACK" publish --to "$url" --user bob "$(w 1.0)" ||
	die "TLCPACK_PASSWORD"
printf 'right\r\n' >pwfile
"$TLCPACK" publish --to "$url" --user bob --password-file pwfile "$(w 1.1)" ||
	die "--password-file"
printf '%s\n' "$token" >tokenfile
"$TLCPACK" publish --to "$url" --token-file tokenfile "$(w 1.2)" ||
	die "--token-file"
TWINE_USERNAME=bob TWINE_PASSWORD=right \
	"$TLCPACK" publish --to "$url" "$(w 1.3)" || die "TWINE_USERNAME/PASSWORD"
TWINE_USERNAME=__token__ TWINE_PASSWORD=$token \
	"$TLCPACK" publish --to "$url" "$(w 1.4)" || die "a token in TWINE_PASSWORD"
for v in 1.0 1.1 1.2 1.3 1.4; do
	[ -f "repo/files/demo-pkg/demo_pkg-$v-py3-none-any.whl" ] ||
		die "demo-pkg $v is not on the server"
done
grep -q ' - ci \[.*"POST / HTTP/1.1" 200 ' access.log ||
	die "the token's upload is not logged as ci's"
echo ok
