# tlcpack release --to uploads what passed its test to a tlcpack serve
# (the legacy upload API, with a token) and prunes the channel there
# (POST /-/prune, with the same token): with the channel's keep count set
# to 1, the second run's release yanks the first run's wheel on the
# server.  --repo and --to together, or credentials without --to, are
# usage errors.
# labels: pip serve
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/../upload/upload-lib.bash"

set +e
"$TLCPACK" release --repo r --to http://127.0.0.1:1/ >/dev/null 2>err
rc=$?
set -e
[ "$rc" = 129 ] || die "--repo and --to: exit $rc"
grep -q "give --repo or --to, not both" err || die "$(cat err)"
set +e
"$TLCPACK" release --token-file t >/dev/null 2>err
rc=$?
set -e
[ "$rc" = 129 ] || die "--token-file without --to: exit $rc"

"$TLCPACK" serve --tokens tokens --new-token ci >token 2>/dev/null ||
	die "cannot make a token"
serve_repo --tokens tokens

copy_example ex
sed -i 's/^keep = 3$/keep = 1/' ex/tlcpack.toml
grep -q '^keep = 1$' ex/tlcpack.toml || die "the example's keep count moved"
commit() {
	git -C ex -c user.name=t -c user.email=t@example.com "$@"
}
git -C ex init -q && commit add -A && commit commit -qm one
"$TLCPACK" release -c nightly -v cpu --to "$url" --token-file token --json ex \
	>run1.json 2>err1 || die "release --to failed: $(cat err1)"
echo "# two" >>ex/README.md && commit commit -qam two
"$TLCPACK" release -c nightly -v cpu --to "$url" --token-file token ex \
	>out 2>err || die "the second release --to failed: $(cat err)"
grep -q '^tlcpack-example-nightly .* pass  *uploaded$' out || die "summary: $(cat out)"
grep -q '^prune: 1 file pruned$' out || die "prune line: $(cat out)"
python3 - run1.json <<'P' >first || die "json: $(cat run1.json)"
import json, sys
run = json.load(open(sys.argv[1]))
(w,) = run["wheels"]
assert run["pruned"] == 0 and run["prune_note"] is None, run
assert w["published"] == "uploaded", w
print(w["file"])
P
grep -q '"POST / HTTP/1.1" 200 ' access.log || die "no upload: $(cat access.log)"
grep -q '"POST /-/prune HTTP/1.1" 200 ' access.log ||
	die "no prune on the server: $(cat access.log)"
# on the server: the first run's wheel yanked (still there, for pinned
# installs), the second's not
only_yanked repo/simple/tlcpack-example-nightly/index.html "$(cat first)"
[ "$(ls repo/files/tlcpack-example-nightly/*.whl | wc -l)" = 2 ] ||
	die "the server should hold both wheels"
stop_serve
"$TLCPACK" index --check --no-repair --repo repo >/dev/null ||
	die "the served repository fails index --check"
