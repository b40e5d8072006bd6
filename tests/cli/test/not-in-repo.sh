# tlcpack test installs through the repository's index, so a wheel that
# the repository does not list is refused up front with one line: another
# version of the project, another project, and a file of the same name
# with other bytes.  Pure-Python wheels and no recipe: nothing to build.
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0 >/dev/null
"$TLCPACK" publish --repo repo wheels/demo_pkg-1.0-py3-none-any.whl \
	>/dev/null 2>&1 || die "publish failed"

# the listed one passes, loaded and imported without a recipe
"$TLCPACK" test --no-recipe --repo repo wheels/demo_pkg-1.0-py3-none-any.whl \
	>out 2>err || { cat out err; die "the published wheel failed"; }
[ "$(cat out)" = "demo_pkg-1.0-py3-none-any.whl: pass" ] || die "stdout: $(cat out)"

refused() {	# refused WHEEL GLOB: exit 1, one line matching GLOB
	local status=0
	"$TLCPACK" test --no-recipe --repo repo "$1" >out 2>err || status=$?
	[ "$status" -eq 1 ] || { cat out err; die "$1: exit $status, not 1"; }
	[ ! -s out ] || die "$1: stdout: $(cat out)"
	[ "$(wc -l <err)" -eq 1 ] || { cat err; die "$1: not one line"; }
	# shellcheck disable=SC2053
	[[ $(cat err) == $2 ]] || die "$1: '$(cat err)' is not '$2'"
}
mkpywheel demo-pkg 1.1 >/dev/null
refused wheels/demo_pkg-1.1-py3-none-any.whl \
	"tlcpack: 'demo_pkg-1.1-py3-none-any.whl' is not in the repository 'repo': its project page does not list it"
mkpywheel other 1.0 >/dev/null
refused wheels/other-1.0-py3-none-any.whl \
	"tlcpack: 'other-1.0-py3-none-any.whl' is not in the repository 'repo': no project page for it"
mkpywheel demo-pkg 1.0 '>=3.6' other >/dev/null
refused other/demo_pkg-1.0-py3-none-any.whl \
	"tlcpack: 'demo_pkg-1.0-py3-none-any.whl' in the repository 'repo' is another file: listed with 'sha256=????????????...', this file has sha256=????????????..."
# not a repository at all
mkdir -p empty
"$TLCPACK" test --no-recipe --repo empty wheels/demo_pkg-1.0-py3-none-any.whl \
	>out 2>err && die "a directory that is no repository passed"
grep -qx "tlcpack: 'empty' is not a repository: it has no simple/" err ||
	die "$(cat err)"
echo "not-in-repo: refused with one line"
