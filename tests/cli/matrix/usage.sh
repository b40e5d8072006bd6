# Bad requests: one line each on stderr, nothing on stdout.
. "$TLC_CASE_DIR/../lib.sh"
copy_example src
run() {
	local st=0
	"$TLCPACK" matrix "$@" >out 2>>err || st=$?
	[ ! -s out ] || die "stdout for '$*': $(cat out)"
	echo "$st"
}
run -r src --format yaml
run -r src --variant cu12
run -r src --channel weekly
run -r src --python python3 --python python3
run -r src --python "$(printf 'python3\nid')"
run -r src src
run -r nowhere
run -r src --format
cat err >&2
