# Helpers for end-to-end cases; source it: . "$TLC_CASE_DIR/../lib.sh"
set -euo pipefail

: "${TLCPACK:?TLCPACK must name the tlcpack binary}"
: "${TLC_SOURCE_DIR:?TLC_SOURCE_DIR must name the source tree}"

die() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

# A fresh venv with real pip; $1 is the directory, $2 the interpreter.
make_venv() {
	"${2:-python3}" -m venv "$1" >/dev/null || die "cannot create a venv in $1"
}

# The CUDA toolkit, or a loud skip.
need_nvcc() {
	if [ -x /usr/local/cuda/bin/nvcc ]; then
		export CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
	elif ! command -v nvcc >/dev/null; then
		skip "no CUDA toolkit (nvcc): the CUDA variant cannot be built here"
	fi
}

# A copy of the embedded example in the scratch directory, so that the
# source tree stays clean; $1 is where.
copy_example() {
	mkdir -p "$1"
	(cd "$TLC_SOURCE_DIR/examples" && tar --exclude=build-tlcpack -cf - .) |
		(cd "$1" && tar -xf -)
}

# A wheel holding one shared library, packed by tlcpack: $1 a name, $2
# the library, $3 where the wheel goes (default: wheels).  It holds
# pkg_$1/lib$1.so and is tagged py3-none-linux_<arch>; prints its path.
mkwheel() {
	local d=w-$1
	mkdir -p "$d/pkg_$1" "$d/pkg_$1-1.0.dist-info"
	cp "$2" "$d/pkg_$1/lib$1.so"
	printf 'Metadata-Version: 2.1\nName: pkg_%s\nVersion: 1.0\n' "$1" \
		>"$d/pkg_$1-1.0.dist-info/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-linux_%s\n' \
		"$(uname -m)" >"$d/pkg_$1-1.0.dist-info/WHEEL"
	"$TLCPACK" pack -d "${3:-wheels}" "$d" 2>/dev/null
}

# mkpywheel NAME VERSION [REQUIRES-PYTHON] [OUTDIR]: a pure-Python wheel
# whose module NAME prints its version when imported with -m, packed by
# tlcpack (py3-none-any), into OUTDIR (default: wheels).
mkpywheel() {
	local name=$1 version=$2 rp=${3:-} out=${4:-wheels}
	local d=pw-$name-$version mod=${1//-/_}
	rm -rf "$d"
	mkdir -p "$d/$mod" "$d/$mod-$version.dist-info"
	printf '__version__ = "%s"\n' "$version" >"$d/$mod/__init__.py"
	printf 'import %s\nprint(%s.__version__)\n' "$mod" "$mod" \
		>"$d/$mod/__main__.py"
	{
		printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' \
			"$name" "$version"
		[ -z "$rp" ] || printf 'Requires-Python: %s\n' "$rp"
		printf 'Summary: test <wheel> & "friends"\n'
	} >"$d/$mod-$version.dist-info/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' \
		>"$d/$mod-$version.dist-info/WHEEL"
	"$TLCPACK" pack -d "$out" "$d" >/dev/null 2>&1
}

# only_yanked PAGE FILE: PAGE (a simple/ page) marks exactly one file
# yanked, and it is FILE (its "+" may be percent-encoded in the link).
only_yanked() {
	[ "$(grep -c 'data-yanked' "$1")" = 1 ] || die "not one yanked: $(cat "$1")"
	grep 'data-yanked' "$1" | grep -qF "${2//+/%2B}" ||
		grep 'data-yanked' "$1" | grep -qF "$2" ||
		die "the wrong one was yanked: $(grep data-yanked "$1")"
}
