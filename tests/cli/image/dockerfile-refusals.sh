# labels: image
# Hostile or impossible requests: one line each on stderr, a non-zero
# exit, nothing on stdout; strings of the recipe that reach the
# Dockerfile are escaped ($, ", \ in LABEL) or refused (control
# characters).
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/dfcheck.bash"
copy_example src
run() {
	local st=0
	"$TLCPACK" image dockerfile "$@" >out 2>>err || st=$?
	[ ! -s out ] || die "stdout for '$*': $(cat out)"
	echo "$st"
}
run -C src --variant 'cu130;id'
run -C src --variant "$(printf 'cu130\nRUN id')"
run -C src --variant ../cu130
run -C src --variant '$(id)'
run -C src --variant cu999
run -C src
run -C src --variant cpu extra
mkr() {	# a recipe: $1 a directory, then lines added to [variants.cpu]
	local d=$1; shift
	mkdir -p "$d/python/p"
	: >"$d/python/p/__init__.py"
	{
		printf '[package]\nname = "p"\nversion = "1.0"\npackages = ["p"]\n'
		printf 'python-source = "python"\n'
		printf '[build]\npythons = [%s]\n' "${PYS:-\"python3\"}"
		printf '[variants.cpu]\n'
		printf '%s\n' "$@"
	} >"$d/tlcpack.toml"
}
PYS='"pypy3"' mkr r1
run -C r1 --variant cpu
mkr r2 'policy = "manylinux_2_17"'
run -C r2 --variant cpu
mkr r3 'description = "a\u0007b"'
run -C r3 --variant cpu
# quotes, dollars and backslashes are escaped, not refused
mkr r4 'description = "say \"$HOME\" \\\\ ${PATH}"'
"$TLCPACK" image dockerfile -C r4 --variant cpu >Dockerfile.r4 ||
	die "r4 refused: $(cat err)"
check_dockerfile Dockerfile.r4
grep -qF 'org.opencontainers.image.description="say \"\$HOME\" \\\\ \${PATH}"' \
	Dockerfile.r4 || die "r4: not escaped: $(grep description Dockerfile.r4)"
cat err >&2
