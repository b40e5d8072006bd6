# tlcpack prune --to URL prunes a tlcpack serve's repository over HTTP
# (POST /-/prune): what it prints and does is what `tlcpack prune --repo`
# prints and does on a copy of the same repository (--dry-run, yank,
# --delete).  Only a user who may upload a project may prune it: no
# credentials 401, a user not among --uploaders or a token for another
# project 403; a project the repository does not hold 404; a bad form
# 400 naming the field; bad command lines 129.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

for v in 1.0 1.1.dev2 1.1.dev10 1.1rc1 1.1.dev9 2.0.dev1; do
	mkpywheel demo-pkg "$v"
done
mkpywheel other-pkg 0.1.dev1
mkpywheel other-pkg 0.2.dev1
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null
cp -a repo local
echo "alice:$(htpasswd_hash secret)" >htpasswd
echo "bob:$(htpasswd_hash hunter2)" >>htpasswd
"$TLCPACK" serve --tokens tokens --new-token ci --projects other-pkg >token ||
	die "--new-token failed"
start_serve --repo repo --htpasswd htpasswd --tokens tokens \
	--uploaders alice,ci --access-log access.log
export TLCPACK_PASSWORD=secret
remote() { "$TLCPACK" prune --to "$base/" --user alice "$@"; }

# --dry-run: the same decisions, nothing changed
remote --keep 2 --dry-run demo-pkg >r.dry || die "remote dry run failed"
"$TLCPACK" prune --repo local --keep 2 --dry-run demo-pkg >l.dry
[ "$(grep -c '^yank ' r.dry)" = 3 ] || die "dry run: $(cat r.dry)"
cmp r.dry l.dry || die "remote and local dry runs differ"
grep -q 'data-yanked' repo/simple/demo-pkg/index.html && die "--dry-run yanked"

# yank: the same decisions, the same pages
remote --keep 2 demo-pkg >r.yank || die "remote prune failed"
"$TLCPACK" prune --repo local --keep 2 demo-pkg >l.yank
cmp r.yank l.yank || die "remote and local prunes differ"
[ "$(grep -c 'data-yanked="pruned: a newer nightly replaces it"' \
	repo/simple/demo-pkg/index.html)" = 3 ] || die "not 3 yanked"
cmp repo/simple/demo-pkg/index.html local/simple/demo-pkg/index.html ||
	die "the served page differs from the local one"

# --delete, through /legacy/ (the endpoint is at the server's root)
"$TLCPACK" prune --to "$base/legacy/" --user alice --keep 1 --delete \
	demo-pkg >r.del || die "remote --delete failed"
"$TLCPACK" prune --repo local --keep 1 --delete demo-pkg >l.del
cmp r.del l.del || die "remote and local --delete differ"
(cd repo/files/demo-pkg && ls ./*.whl) >r.files
(cd local/files/demo-pkg && ls ./*.whl) >l.files
cmp r.files l.files || die "the files left differ: $(cat r.files)"
[ "$(wc -l <r.files)" = 2 ] || die "not 2 files left: $(cat r.files)"

# a token for other-pkg prunes other-pkg
"$TLCPACK" prune --to "$base/" --token-file token --keep 1 other-pkg \
	>r.tok || die "token prune failed"
grep -q '^yank   other_pkg-0.1.dev1-py3-none-any.whl ' r.tok ||
	die "token prune: $(cat r.tok)"

# refusals: each names the rule, exits 1, changes nothing
cp -a repo before
refused() {	# MESSAGE COMMAND...
	local want=$1
	shift
	set +e
	"$@" >out 2>err
	local rc=$?
	set -e
	[ "$rc" = 1 ] || die "$*: exit $rc: $(cat err)"
	grep -qF -- "$want" err || die "$*: $(cat err)"
}
TLCPACK_PASSWORD= refused "prune demo-pkg: the server wants credentials (401)" \
	"$TLCPACK" prune --to "$base/" --keep 1 demo-pkg
TLCPACK_PASSWORD=wrong refused "the server refused the user name or password (401)" \
	remote --keep 1 demo-pkg
TLCPACK_PASSWORD=hunter2 refused "the server does not let 'bob' prune it (403)" \
	"$TLCPACK" prune --to "$base/" --user bob --keep 1 demo-pkg
refused "the server does not let this token prune it (403): 'ci' may not upload to 'demo-pkg'" \
	"$TLCPACK" prune --to "$base/" --token-file token --keep 1 demo-pkg
refused "prune nope: the server refused it (404): no project 'nope' in the repository" \
	remote --keep 1 nope
diff -r before repo >/dev/null || die "a refused prune changed the repository"

# the form, as curl sends it
form() {	# EXPECTED-STATUS EXPECTED-BODY CURL-ARGS...
	local code
	code=$(curl -s -o body -w '%{http_code}' -u alice:secret "${@:3}" \
		"$base/-/prune")
	[ "$code" = "$1" ] || die "${*:3}: $code $(cat body)"
	grep -qF "$2" body || die "${*:3}: $(cat body)"
}
form 400 "no 'name' field" -d keep=1
form 400 "'keep' must be a number from 1 to 1000000" -d name=demo-pkg -d keep=0
form 400 "'keep' must be a number from 1 to 1000000" -d name=demo-pkg -d keep=1x
form 400 "'keep' must be a number from 1 to 1000000" -d name=demo-pkg
form 400 "'delete' must be 0 or 1" -d name=demo-pkg -d keep=1 -d delete=yes
form 400 "'dry_run' must be 0 or 1" -F name=demo-pkg -F keep=1 -F dry_run=true
form 200 "keep   demo_pkg-2.0.dev1-py3-none-any.whl" -F name=Demo_Pkg -F keep=5
diff -r before repo >/dev/null || die "a refused form changed the repository"
grep -q '"POST /-/prune HTTP/1.1" 200 .* alice\|alice .*"POST /-/prune HTTP/1.1" 200' \
	access.log || die "access log: $(cat access.log)"

# command lines
usage() {	# MESSAGE ARGS...
	local want=$1
	shift
	set +e
	"$TLCPACK" prune "$@" >out 2>err
	local rc=$?
	set -e
	[ "$rc" = 129 ] || die "prune $*: exit $rc: $(cat err)"
	grep -qF -- "$want" err || die "prune $*: $(cat err)"
}
usage "--to needs the PROJECTs to prune" --to "$base/" --keep 1
usage "--keep N is required" --to "$base/" demo-pkg
usage "a password on the command line" --to "$base/" --password x --keep 1 demo-pkg
usage "--repo and --to do not go together" --to "$base/" --repo repo --keep 1 demo-pkg
usage "--token-file goes without --user" --to "$base/" --user a --token-file token --keep 1 demo-pkg
stop_serve
"$TLCPACK" index --check --no-repair --repo repo >/dev/null ||
	die "the served repository fails index --check"
