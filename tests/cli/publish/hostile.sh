# Hostile wheels, from mkhostile.py beside this file: zip bombs, members
# that overlap or hide bytes, names that escape, RECORD, METADATA and
# filename lies, symlinks, data descriptors, trailing and prepended data,
# CRC and size mismatches.  publish refuses each with exit status 1 and
# one line on stderr, "tlcpack: ..." naming the rule broken, and leaves
# the repository as it was, byte for byte, with no temporary file left.
# Then the cases' untouched base publishes, so each refusal is its own
# rule's.
. "$TLC_CASE_DIR/../lib.sh"

python3 "$TLC_CASE_DIR/mkhostile.py" hostile || die "mkhostile.py failed"
"$TLCPACK" publish --repo repo hostile/good/good-1.0-py3-none-any.whl \
	>good.out 2>good.err || { cat good.err; die "the valid wheel was refused"; }

# Every path but the lock, with its type, and every file's digest.
snap() {
	(cd repo && find . -path ./.tlcpack/lock -prune -o -printf '%y %p\n' |
		LC_ALL=C sort &&
		find . -path ./.tlcpack/lock -prune -o -type f -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum)
}
snap >before
grep -q 'files/good/good-1.0-py3-none-any.whl$' before ||
	{ cat before; die "the valid wheel is not in the repository"; }

n=0
bad=0
while IFS=$'\t' read -r name want; do
	set -- hostile/"$name"/*
	[ $# -eq 1 ] && [ -f "$1" ] || die "$name: not one wheel in hostile/$name"
	n=$((n + 1))
	status=0
	"$TLCPACK" publish --repo repo "$1" >out.txt 2>err.txt || status=$?
	why=()
	[ "$status" -eq 1 ] || why+=("exit status $status, not 1")
	[ ! -s out.txt ] || why+=("stdout: $(head -c 200 out.txt)")
	# exactly one line: one newline, at the end, and no carriage return
	[ "$(tr -cd '\n' <err.txt | wc -c)" -eq 1 ] &&
		[ "$(tail -c 1 err.txt | od -An -c | tr -d ' ')" = '\n' ] &&
		! grep -q $'\r' err.txt ||
		why+=("stderr is not one line")
	[[ $(head -n 1 err.txt) == "tlcpack: "* ]] ||
		why+=("stderr does not start with 'tlcpack: '")
	grep -qF -- "$want" err.txt || why+=("stderr lacks '$want'")
	snap >after
	if ! cmp -s before after; then
		changes=$(diff before after | grep '^[<>]' | head -5 |
			tr '\n' ' ' || true)
		why+=("the repository changed: $changes")
		mv after before	# judge the next case on its own
	fi
	if [ ${#why[@]} -ne 0 ]; then
		bad=$((bad + 1))
		echo "FAIL: $name ($1):" >&2
		printf '    %s\n' "${why[@]}" >&2
		sed -n '1,3s/^/    stderr: /p' err.txt >&2
	fi
done <hostile/expect.tsv
[ "$n" -ge 40 ] || die "only $n cases in hostile/expect.tsv"
[ "$bad" -eq 0 ] || die "$bad of $n hostile wheels were not refused cleanly"

# The base the cases start from is a wheel publish accepts.
"$TLCPACK" publish --repo repo hostile/control/hostile-1.0-py3-none-any.whl \
	>control.out 2>control.err ||
	{ cat control.err; die "the cases' untouched base was refused"; }
grep -qx 'added hostile-1.0-py3-none-any.whl' control.out ||
	{ cat control.out; die "the base was not added"; }
cmp -s repo/files/hostile/hostile-1.0-py3-none-any.whl \
	hostile/control/hostile-1.0-py3-none-any.whl ||
	die "the base is not in the repository byte for byte"
echo "hostile: $n hostile wheels refused cleanly"
