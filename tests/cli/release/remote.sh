# tlcpack release --to uploads what passed its test to a tlcpack serve
# (the legacy upload API, with a token), and says that a remote
# repository is not pruned from here.  --repo and --to together, or
# credentials without --to, are usage errors.
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
cd ex && git init -q && git -c user.name=t -c user.email=t@example.com add -A &&
	git -c user.name=t -c user.email=t@example.com commit -qm one && cd ..
"$TLCPACK" release -c nightly -v cpu --to "$url" --token-file token ex \
	>out 2>err || die "release --to failed: $(cat err)"
grep -q '^tlcpack-example-nightly .* pass  *uploaded$' out || die "summary: $(cat out)"
grep -q "^prune: not done: the repository is remote: run 'tlcpack prune' where it is served$" out ||
	die "prune line: $(cat out)"
grep -q '"POST / HTTP/1.1" 200 ' access.log || die "no upload: $(cat access.log)"
ls repo/files/tlcpack-example-nightly/*.whl >/dev/null ||
	die "the server does not hold the wheel"
stop_serve
"$TLCPACK" index --check --no-repair --repo repo >/dev/null ||
	die "the served repository fails index --check"
