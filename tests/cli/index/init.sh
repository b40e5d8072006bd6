# tlcpack index --init makes an empty repository that tlcpack serve can
# take the first uploads into (the CI fan-out starts with nothing); on a
# repository it changes nothing.  tlcpack serve on a directory that is
# missing or not a repository says how to make one.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/../serve/serve-lib.bash"

set +e
"$TLCPACK" serve --repo fresh --listen 127.0.0.1:0 2>err
rc=$?
set -e
[ "$rc" = 1 ] || die "serve on a missing repository: exit $rc"
grep -qF "no repository 'fresh' ('tlcpack index --init --repo fresh' makes an empty one)" err ||
	die "$(cat err)"
mkdir plain
set +e
"$TLCPACK" serve --repo plain --listen 127.0.0.1:0 2>err
rc=$?
"$TLCPACK" index --init --check --repo plain 2>err2
rc2=$?
set -e
[ "$rc" = 1 ] && grep -qF "'tlcpack index --init --repo plain' makes an empty one" err ||
	die "serve on a plain directory: $rc $(cat err)"
[ "$rc2" = 129 ] || die "--init --check: exit $rc2"

"$TLCPACK" index --init --repo fresh/wheels
[ -d fresh/wheels/.tlcpack ] || die "no .tlcpack/"
"$TLCPACK" index --check --no-repair --repo fresh/wheels >out ||
	die "the empty repository fails --check: $(cat out)"
grep -q '<h1>Links for all projects</h1>' fresh/wheels/wheels.html ||
	die "wheels.html: $(cat fresh/wheels/wheels.html)"

# the first upload goes into it
echo "ci:$(htpasswd_hash pw)" >htpasswd
start_serve --repo fresh/wheels --htpasswd htpasswd
[ "$(status "$base/simple/")" = 200 ] || die "no /simple/ on the empty repository"
mkpywheel first-pkg 1.0
TLCPACK_PASSWORD=pw "$TLCPACK" publish --to "$base/" --user ci \
	wheels/first_pkg-1.0-py3-none-any.whl >/dev/null || die "upload failed"
curl -s "$base/simple/first-pkg/" | grep -q 'first_pkg-1.0-py3-none-any.whl' ||
	die "the upload is not on the page"
stop_serve

# --init again: the repository and its wheel are untouched
cp fresh/wheels/wheels.html before.html
"$TLCPACK" index --init --repo fresh/wheels
cmp before.html fresh/wheels/wheels.html || die "--init changed wheels.html"
[ -f fresh/wheels/files/first-pkg/first_pkg-1.0-py3-none-any.whl ] ||
	die "--init lost the wheel"
"$TLCPACK" index --check --no-repair --repo fresh/wheels >/dev/null ||
	die "the repository fails --check"
