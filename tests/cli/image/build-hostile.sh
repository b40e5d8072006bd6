# labels: image
# Hostile and corrupt bases (mkhostile.py): each refused with one line
# on stderr and a non-zero exit, nothing written at OUT, the scratch
# directory removed, and nothing written outside it (every escape in
# them points into this case's directory).  The good base of the same
# kind is accepted, and fails only later, for want of a python3: the
# refusals are for what was broken, not for the shape.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/image-lib.bash"
need_tools skopeo python3
mkdir -p wheels tmp
hello=$(mkscriptwheel wheels) || die "cannot pack the script wheel"
python3 "$TLC_CASE_DIR/mkhostile.py" bases >kinds
# skopeo agrees that the good one is whole, and the corrupt one is not
skopeo copy -q oci:bases/good:latest oci:goodcopy:latest ||
	die "skopeo refuses the good base"
! skopeo copy -q oci:bases/bad-digest:latest oci:badcopy:latest 2>/dev/null ||
	die "skopeo accepts the corrupt base"
export TMPDIR=$PWD/tmp
while read -r kind; do
	st=0
	"$TLCPACK" image build --base "bases/$kind" --wheel "$hello" \
		-o "out-$kind" >out 2>err || st=$?
	[ "$st" -ne 0 ] || die "$kind: accepted"
	[ ! -s out ] || die "$kind: stdout: $(cat out)"
	[ "$(wc -l <err)" -eq 1 ] || die "$kind: not one line: $(cat err)"
	grep -q '^tlcpack: ' err || die "$kind: $(cat err)"
	[ ! -e "out-$kind" ] || die "$kind: wrote out-$kind"
	ls "out-$kind".* >/dev/null 2>&1 && die "$kind: left $(ls out-"$kind".*)"
	[ -z "$(ls -A tmp)" ] || die "$kind: left scratch files: $(ls -A tmp)"
	if [ "$kind" = good ]; then
		grep -qi python err || die "good: refused for another reason: $(cat err)"
	else
		! grep -qi python err || die "$kind: went as far as python: $(cat err)"
	fi
	echo "$kind: exit $st: $(cat err)" >&2
done <kinds
escaped=$(find . \( -name 'evil-*' -o -name 'pwned-*' \) -not -path './bases/*')
[ -z "$escaped" ] || die "written outside the root: $escaped"
