#!/usr/bin/env bash
# Run one end-to-end case in a fresh scratch directory and compare what
# it printed with the expectations beside it (zstd's cli-tests):
#   <case>.exit          the exit status (default 0)
#   <case>.stdout.exact  stdout, byte for byte
#   <case>.stderr.glob   stderr, matched line by line as shell globs
# TLC_REGEN=1 rewrites the expectations from this run.
set -u
case_file=$1
scratch=$2
base=${case_file%.sh}

rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1
export TLC_CASE_DIR=$(dirname "$case_file")
export TLC_SCRATCH=$scratch

bash "$case_file" >stdout 2>stderr
status=$?

if [ "$status" -eq 77 ]; then
	cat stderr
	exit 77
fi
if [ "${TLC_REGEN:-}" = 1 ]; then
	[ "$status" -ne 0 ] && echo "$status" >"$base.exit"
	[ -f "$base.stdout.exact" ] && cp stdout "$base.stdout.exact"
	[ -f "$base.stderr.glob" ] && cp stderr "$base.stderr.glob"
	echo "regenerated expectations of $base"
	exit 0
fi

fail=0
want=0
[ -f "$base.exit" ] && want=$(cat "$base.exit")
if [ "$status" != "$want" ]; then
	echo "FAIL: exit status $status, expected $want"
	fail=1
fi
if [ -f "$base.stdout.exact" ] && ! cmp -s stdout "$base.stdout.exact"; then
	echo "FAIL: stdout differs from $base.stdout.exact:"
	diff -u "$base.stdout.exact" stdout | head -40
	fail=1
fi
if [ -f "$base.stderr.glob" ]; then
	mapfile -t globs <"$base.stderr.glob"
	mapfile -t lines <stderr
	if [ ${#globs[@]} -ne ${#lines[@]} ]; then
		echo "FAIL: stderr has ${#lines[@]} lines, expected ${#globs[@]}"
		fail=1
	else
		for i in "${!globs[@]}"; do
			# shellcheck disable=SC2053
			if [[ ${lines[$i]} != ${globs[$i]} ]]; then
				echo "FAIL: stderr line $((i + 1)): '${lines[$i]}'"
				echo "      does not match '${globs[$i]}'"
				fail=1
			fi
		done
	fi
fi
if [ "$fail" -ne 0 ]; then
	echo "--- stdout"; tail -40 stdout
	echo "--- stderr"; tail -40 stderr
	exit 1
fi
cat stdout stderr | tail -20
exit 0
