# index --check finds what is wrong with a repository and repairs what
# can be repaired: stale or missing pages, a page of a project that is
# gone, temporary files, leftovers of a delete; it reports orphans and
# keeps them; a damaged or missing wheel is an error, taken off the pages.
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0
mkpywheel demo-pkg 1.1
mkpywheel other-pkg 0.1
"$TLCPACK" publish --repo repo --variant cpu wheels/*.whl >/dev/null
check() { "$TLCPACK" index --repo repo --check "$@" | sed 's/\.tmp\.[A-Za-z0-9]*/.tmp.X/'; }

check
# damage that repair undoes
echo junk >repo/simple/demo-pkg/index.html
rm repo/cpu/simple/index.json
echo partial >repo/wheels.html.tmp.AbC123
mkdir -p repo/simple/ghost && echo x >repo/simple/ghost/index.html
cp wheels/demo_pkg-1.0-py3-none-any.whl repo/files/demo-pkg/stray-1.0-py3-none-any.whl
set +e
check --no-repair
echo "exit $?"
check
echo "exit $?"
check --no-repair
echo "exit $?"
# a published wheel that is damaged: an error, and off the pages
echo corrupt >>repo/files/other-pkg/other_pkg-0.1-py3-none-any.whl
check
echo "exit $?"
set -e
grep -q other_pkg repo/wheels.html && die "the damaged wheel is still linked"
python3 "$TLC_CASE_DIR/verify.py" repo
