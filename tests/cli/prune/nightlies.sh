# prune groups nightlies by name and tags and orders them by PEP 440
# (release, then rc and dev number): it keeps the newest N per group,
# yanks the rest (pinned installs still work), never touches releases,
# and with --delete takes files off the pages before deleting them.
. "$TLC_CASE_DIR/../lib.sh"

for v in 1.0 1.1.dev2 1.1.dev10 1.1rc1 1.1.dev9 2.0.dev1; do
	mkpywheel demo-pkg "$v"
done
mkpywheel other-pkg 0.1.dev1
# the same versions for another platform tag form their own group
for f in wheels/demo_pkg-1.1.dev*-py3-none-any.whl; do
	d=plat-$(basename "$f" .whl)
	mkdir -p "$d" && (cd "$d" && python3 -m zipfile -e "../$f" .)
	sed -i 's/^Tag: .*/Tag: py3-none-linux_x86_64/' "$d"/*.dist-info/WHEEL
	rm "$d"/*.dist-info/RECORD
	"$TLCPACK" pack -d wheels "$d" >/dev/null 2>&1
done
"$TLCPACK" publish --repo repo wheels/*.whl >/dev/null

"$TLCPACK" prune --repo repo --keep 2 --dry-run >dry
[ "$(grep -c '^yank ' dry)" = 4 ] || die "dry run: $(cat dry)"
grep -q 'data-yanked' repo/simple/demo-pkg/index.html &&
	die "--dry-run yanked"

"$TLCPACK" prune --repo repo --keep 2
# the pages say so, with the reason
grep -c 'data-yanked="pruned: a newer nightly replaces it"' \
	repo/simple/demo-pkg/index.html | grep -qx 4 || die "not 4 yanked"
# pinned, a pruned nightly still installs
make_venv v
"v/bin/pip" install --no-cache-dir --disable-pip-version-check --quiet \
	--no-index -f repo/wheels.html demo-pkg==1.1.dev2 2>/dev/null
[ "$(v/bin/python -m demo_pkg)" = 1.1.dev2 ] || die "pinned install failed"

"$TLCPACK" prune --repo repo --keep 1 --delete demo-pkg
for f in repo/files/demo-pkg/*.whl; do basename "$f"; done
grep -c '<a ' repo/wheels.html
python3 "$TLC_CASE_DIR/../index/verify.py" repo >/dev/null
"$TLCPACK" index --repo repo --check
