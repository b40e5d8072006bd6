# A byte-identical republish is a no-op; the same file name with other
# bytes is refused; a removed file name is refused for ever; a bad
# variant name is refused.  Every refusal is one line and leaves the
# repository as it was.
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0.dev1
mkpywheel demo-pkg 1.0.dev2
"$TLCPACK" publish --repo repo wheels/*.whl
snap() { (cd repo && find . -path ./.tlcpack/lock -prune -o -type f -print0 |
	sort -z | xargs -0 sha256sum); }
snap >before

"$TLCPACK" publish --repo repo wheels/demo_pkg-1.0.dev1-py3-none-any.whl
snap | cmp -s - before || die "a republish changed the repository"

# other bytes under the same name
mkdir other && mkpywheel demo-pkg 1.0.dev1 ">=3" other
cmp -s other/demo_pkg-1.0.dev1-py3-none-any.whl \
	wheels/demo_pkg-1.0.dev1-py3-none-any.whl &&
	die "the second build has the same bytes"
"$TLCPACK" publish --repo repo other/demo_pkg-1.0.dev1-py3-none-any.whl &&
	die "other bytes under a published name were accepted"
snap | cmp -s - before || die "a refused publish changed the repository"

"$TLCPACK" publish --repo repo --variant Cu121 \
	wheels/demo_pkg-1.0.dev1-py3-none-any.whl && die "variant Cu121 accepted"
"$TLCPACK" publish --repo repo --variant files \
	wheels/demo_pkg-1.0.dev1-py3-none-any.whl && die "variant files accepted"
snap | cmp -s - before || die "a refused variant changed the repository"

# removed for ever
"$TLCPACK" prune --repo repo --keep 1 --delete
[ ! -e repo/files/demo-pkg/demo_pkg-1.0.dev1-py3-none-any.whl ] ||
	die "prune --delete left the file"
"$TLCPACK" publish --repo repo wheels/demo_pkg-1.0.dev1-py3-none-any.whl &&
	die "a removed file name was accepted again"
"$TLCPACK" yank --repo repo nothere-1.0-py3-none-any.whl && die "yanked a ghost"
"$TLCPACK" yank --repo nowhere x-1.0-py3-none-any.whl && die "yank made a repo"
[ ! -e nowhere ] || die "yank created a repository"
