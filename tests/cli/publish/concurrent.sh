# Writers take turns on the repository's lock and lose nothing; readers
# never wait and never see a partial page or a link that does not
# resolve: 4 publishers of 5 wheels each, against a reader that verifies
# every page (verify.py) as fast as it can.
. "$TLC_CASE_DIR/../lib.sh"

for w in 1 2 3 4; do
	for v in 1 2 3 4 5; do mkpywheel "proj-$w" "1.0.dev$v" "" "in$w"; done
done
mkpywheel seed 1.0
"$TLCPACK" publish --repo repo wheels/seed-1.0-py3-none-any.whl >/dev/null

pids=()
for w in 1 2 3 4; do
	(for f in in$w/*.whl; do
		"$TLCPACK" publish --repo repo "$f" >/dev/null || exit 1
	done) &
	pids+=($!)
done
reads=0
while kill -0 "${pids[@]}" 2>/dev/null; do
	python3 "$TLC_CASE_DIR/../index/verify.py" repo >/dev/null ||
		die "a reader saw a broken repository"
	reads=$((reads + 1))
done
for p in "${pids[@]}"; do wait "$p" || die "a publisher failed"; done
[ "$(grep -c '<a ' repo/wheels.html)" = 21 ] || die "not 21 links"
"$TLCPACK" index --repo repo --check --no-repair >/dev/null ||
	die "the final repository does not check"
[ "$reads" -gt 0 ] || die "the reader never ran"
