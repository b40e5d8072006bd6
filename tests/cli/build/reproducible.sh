# Two builds of the same source in separate build trees give
# byte-identical wheels.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"

copy_example src
export SOURCE_DATE_EPOCH=1700000000
"$TLCPACK" build --variant cpu -o dist1 --build-dir bt1 src >w1.txt 2>log1 ||
	{ tail -30 log1; die "first build failed"; }
"$TLCPACK" build --variant cpu -o dist2 --build-dir bt2 src >w2.txt 2>log2 ||
	{ tail -30 log2; die "second build failed"; }
n=0
for w in dist1/*.whl; do
	cmp "$w" "dist2/$(basename "$w")" || die "$(basename "$w") differs"
	n=$((n + 1))
done
[ "$n" -ge 1 ] || die "no wheels built"
echo "reproducible: $n wheel(s) byte-identical"
