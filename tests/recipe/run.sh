#!/bin/bash
# Run one hostile-recipe case: tests/recipe/run.sh CASES/NAME CMD [ARG...]
#
# The case is NAME.err (the expected message, a literal substring of the
# one error line) and a recipe: NAME.toml (copied in as tlcpack.toml),
# NAME.pyproject.toml (as pyproject.toml), and/or NAME.setup, a bash
# script run in the scratch project directory first (it may write the
# recipe, or make symlinks to $OUTSIDE, a directory outside the project).
#
# CMD ARG... RECIPE is run in the project directory, RECIPE being the
# recipe's file name.  It must exit non-zero without a signal, print
# exactly one line on stderr that names file:line:column and holds the
# expected text, and leave the directory exactly as it was.
set -u

case_path=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
name=$(basename "$case_path")
fail() {
	echo "recipe/$name: $*" >&2
	exit 1
}

[ -f "$case_path.err" ] || fail "missing $case_path.err"
expected=$(cat "$case_path.err")
[ -n "$expected" ] || fail "empty $case_path.err"

work=$(mktemp -d "${TMPDIR:-/tmp}/tlc-recipe-case.XXXXXX") || exit 1
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
proj=$work/project
export OUTSIDE=$work/outside
mkdir -p "$proj" "$OUTSIDE" || exit 1
echo "secret" >"$OUTSIDE/README.md"

[ -f "$case_path.toml" ] && cp "$case_path.toml" "$proj/tlcpack.toml"
[ -f "$case_path.pyproject.toml" ] &&
	cp "$case_path.pyproject.toml" "$proj/pyproject.toml"
if [ -f "$case_path.setup" ]; then
	(cd "$proj" && bash -e "$case_path.setup") || fail "setup failed"
fi
if [ -e "$proj/tlcpack.toml" ]; then
	recipe=tlcpack.toml
elif [ -e "$proj/pyproject.toml" ]; then
	recipe=pyproject.toml
else
	fail "the case writes no recipe"
fi

snapshot() {
	(cd "$proj" &&
		find . -printf '%p %y %s %m %T@ %l\n' | LC_ALL=C sort &&
		find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
before=$(snapshot)

(cd "$proj" && "$@" "$recipe") >"$work/stdout" 2>"$work/stderr"
status=$?

after=$(snapshot)
lines=$(wc -l <"$work/stderr")
msg=$(head -n 1 "$work/stderr")

[ "$status" -ne 0 ] || fail "exit status 0; expected a failure"
[ "$status" -lt 128 ] || fail "killed by a signal (status $status): $msg"
[ "$lines" -eq 1 ] && [ "$(wc -c <"$work/stderr")" -gt 1 ] ||
	fail "stderr is not exactly one line:
$(cat "$work/stderr")"
[[ $msg =~ (^|\ )$recipe:[0-9]+:[0-9]+:\  ]] ||
	fail "the message does not name $recipe:line:column: $msg"
[[ $msg == *"$expected"* ]] ||
	fail "wrong message
 got: $msg
want: $expected"
[ "$before" = "$after" ] || fail "the project directory changed:
$(diff <(echo "$before") <(echo "$after"))"
echo "recipe/$name: ok: $msg"
