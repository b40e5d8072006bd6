#!/bin/sh
# bench/pack/run.sh: `python3 -m wheel pack` against `tlcpack pack`.
#
# Stages an unpacked wheel of at least SIZE_MIB MiB of real shared
# libraries (symlinks resolved, each file once) and NPY Python files, with
# a .dist-info, then times both packers on it RUNS times each, in turns,
# at the same deflate level (zipfile's default, zlib level 6), prints the
# medians and the ratio, and checks that both wheels unzip to the same
# files (RECORD lists the same lines; wheel orders them differently).
#
# usage: bench/pack/run.sh            the benchmark
#        bench/pack/run.sh compare    zlib against libdeflate, one core
#
# Variables (defaults):
#   BENCH_DIR  scratch directory, never inside the repository
#              (/tmp/tlcpack-bench)
#   BUILD      a build directory of this repository (<repo>/build)
#   TLCPACK    the tlcpack binary ($BUILD/tlcpack)
#   PYTHON     an interpreter with the wheel package (python3, else
#              /usr/bin/python3)
#   LIBS       where the shared libraries come from (/usr/local/cuda/lib64)
#   SIZE_MIB   bytes of libraries to stage, at least (1024)
#   NPY        Python files to stage (400)
#   RUNS       runs of each packer (3)
#   THREADS    tlcpack --threads (0: every CPU)
#   ONE_THREAD also time tlcpack --threads 1 (1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tlcpack-bench}
BUILD=${BUILD:-$repo/build}
TLCPACK=${TLCPACK:-$BUILD/tlcpack}
LIBS=${LIBS:-/usr/local/cuda/lib64}
SIZE_MIB=${SIZE_MIB:-1024}
NPY=${NPY:-400}
RUNS=${RUNS:-3}
THREADS=${THREADS:-0}
ONE_THREAD=${ONE_THREAD:-1}
LEVEL=6		# zipfile's default: zlib.Z_DEFAULT_COMPRESSION, i.e. 6
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

die() {
	echo "bench/pack: $*" >&2
	exit 1
}

case "$BENCH_DIR" in
"$repo" | "$repo"/*) die "BENCH_DIR must be outside the repository" ;;
esac
if [ -z "${PYTHON:-}" ]; then
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import wheel' 2>/dev/null; then
			PYTHON=$py
			break
		fi
	done
fi
[ -n "${PYTHON:-}" ] || die "no python3 with the wheel package (apt-get install python3-wheel)"
[ -x "$TLCPACK" ] || die "no tlcpack at '$TLCPACK' (set BUILD or TLCPACK)"
[ -d "$LIBS" ] || die "no '$LIBS' (set LIBS to a directory of shared libraries)"

tree=$BENCH_DIR/tree
pkg=$tree/bench_pkg
mkdir -p "$BENCH_DIR"

# ---- the staged tree ---------------------------------------------------------
stamp="$LIBS $SIZE_MIB $NPY"
if [ ! -f "$BENCH_DIR/tree.stamp" ] || [ "$(cat "$BENCH_DIR/tree.stamp")" != "$stamp" ]; then
	echo "staging $SIZE_MIB MiB of $LIBS and $NPY Python files in $tree"
	rm -rf "$tree" "$BENCH_DIR/tree.stamp"
	mkdir -p "$pkg/lib" "$pkg/py" "$tree/bench_pkg-1.0.dist-info"
	want=$((SIZE_MIB * 1048576))
	total=0
	for f in $(find -H "$LIBS" -maxdepth 1 -name '*.so*' | while read -r l; do
		readlink -f "$l"; done | sort -u); do
		[ -f "$f" ] || continue
		cp "$f" "$pkg/lib/"
		total=$((total + $(stat -c %s "$f")))
		[ "$total" -lt "$want" ] || break
	done
	[ "$total" -ge "$want" ] || die "only $total bytes of libraries in $LIBS"
	std=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
	(cd "$std" && find . -name '*.py' -not -path './test/*' | sort |
		head -n "$NPY" | tar -cf - -T -) | (cd "$pkg/py" && tar -xf -)
	echo '"""A staged package for bench/pack."""' > "$pkg/__init__.py"
	cat > "$tree/bench_pkg-1.0.dist-info/METADATA" <<-'EOF'
	Metadata-Version: 2.1
	Name: bench-pkg
	Version: 1.0
	Summary: Shared libraries and Python files to pack

	Staged by bench/pack/run.sh.
	EOF
	printf 'Wheel-Version: 1.0\nGenerator: bench/pack\nRoot-Is-Purelib: false\nTag: py3-none-linux_x86_64\n\n' \
		> "$tree/bench_pkg-1.0.dist-info/WHEEL"
	echo bench_pkg > "$tree/bench_pkg-1.0.dist-info/top_level.txt"
	echo "$stamp" > "$BENCH_DIR/tree.stamp"
fi
nlib=$(find "$pkg/lib" -type f | wc -l)
npy=$(find "$pkg/py" -name '*.py' | wc -l)
bytes=$(du -sb "$tree" | cut -f1)

# ---- zlib against libdeflate -------------------------------------------------
if [ "${1:-}" = compare ]; then
	[ -f "$BUILD/libtlcpack.a" ] || die "no $BUILD/libtlcpack.a"
	${CC:-cc} -O2 -D_GNU_SOURCE -I"$repo/src/lib" -I"$repo/include" \
		-o "$BENCH_DIR/compare" "$here/compare.c" "$BUILD/libtlcpack.a" \
		-lz -ldeflate -lcrypto -lpthread
	echo "$nlib libraries, $(du -sb "$pkg/lib" | cut -f1) bytes"
	"$BENCH_DIR/compare" "$LEVEL" 1024 all "$pkg"/lib/*
	for kib in 256 4096; do
		"$BENCH_DIR/compare" "$LEVEL" "$kib" zlib-chunks,libdeflate-chunks \
			"$pkg"/lib/* | tail -n +2 | sed "s/\$/   ($kib KiB chunks)/"
	done
	exit 0
fi

# ---- the race ---------------------------------------------------------------
now() { date +%s.%N; }
# seconds taken by "$@", with its output thrown away
timed() {
	t0=$(now)
	"$@" >/dev/null 2>&1 || die "failed: $*"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

cat "$pkg"/lib/* > /dev/null	# both start from a warm page cache
wheel_ver=$("$PYTHON" -c 'import wheel; print(wheel.__version__)')
tw="" tt="" t1=""
for i in $(seq "$RUNS"); do
	rm -rf "$BENCH_DIR/out-wheel" "$BENCH_DIR/out-tlcpack" "$BENCH_DIR/out-one"
	mkdir -p "$BENCH_DIR/out-wheel"
	tw="$tw $(timed "$PYTHON" -m wheel pack "$tree" -d "$BENCH_DIR/out-wheel")"
	tt="$tt $(timed "$TLCPACK" pack --level "$LEVEL" --threads "$THREADS" \
		-d "$BENCH_DIR/out-tlcpack" "$tree")"
	if [ "$ONE_THREAD" = 1 ]; then
		t1="$t1 $(timed "$TLCPACK" pack --level "$LEVEL" --threads 1 \
			-d "$BENCH_DIR/out-one" "$tree")"
	fi
	echo "run $i: wheel $(echo "$tw" | awk "{ print \$NF }") s, tlcpack $(echo "$tt" | awk "{ print \$NF }") s"
done
mw=$(echo "$tw" | median)
mt=$(echo "$tt" | median)
ww=$(ls "$BENCH_DIR"/out-wheel/*.whl)
wt=$(ls "$BENCH_DIR"/out-tlcpack/*.whl)

# ---- same contents? ----------------------------------------------------------
rm -rf "$BENCH_DIR/x-wheel" "$BENCH_DIR/x-tlcpack"
if command -v unzip >/dev/null 2>&1; then
	unzip -q "$ww" -d "$BENCH_DIR/x-wheel"
	unzip -q "$wt" -d "$BENCH_DIR/x-tlcpack"
else
	"$PYTHON" -m zipfile -e "$ww" "$BENCH_DIR/x-wheel"
	"$PYTHON" -m zipfile -e "$wt" "$BENCH_DIR/x-tlcpack"
fi
rec=bench_pkg-1.0.dist-info/RECORD
diff -r -x RECORD "$BENCH_DIR/x-wheel" "$BENCH_DIR/x-tlcpack" >/dev/null ||
	die "the two wheels unzip to different files"
sort "$BENCH_DIR/x-wheel/$rec" > "$BENCH_DIR/record-wheel"
sort "$BENCH_DIR/x-tlcpack/$rec" > "$BENCH_DIR/record-tlcpack"
cmp -s "$BENCH_DIR/record-wheel" "$BENCH_DIR/record-tlcpack" ||
	die "the RECORDs list different files or hashes"
nmem=$(wc -l < "$BENCH_DIR/record-wheel")
if [ "$ONE_THREAD" = 1 ]; then
	cmp -s "$wt" "$(ls "$BENCH_DIR"/out-one/*.whl)" ||
		die "tlcpack wrote different bytes with 1 thread"
fi
rm -rf "$BENCH_DIR/x-wheel" "$BENCH_DIR/x-tlcpack"

cores=$(nproc)
{
	echo "tree: $bytes bytes: $nlib libraries from $LIBS, $npy Python files"
	echo "machine: $cores CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "python3 -m wheel pack (wheel $wheel_ver, zlib level $LEVEL):$tw s; median $mw s; $(stat -c %s "$ww") bytes"
	echo "tlcpack pack (--threads $THREADS, level $LEVEL):$tt s; median $mt s; $(stat -c %s "$wt") bytes"
	if [ "$ONE_THREAD" = 1 ]; then
		echo "tlcpack pack (--threads 1):$t1 s; median $(echo "$t1" | median) s; same bytes as --threads $THREADS"
	fi
	echo "contents: identical ($nmem RECORD lines, same hashes)"
	awk -v a="$mw" -v b="$mt" 'BEGIN { printf "speedup: %.1fx\n", a / b }'
} | tee "$BENCH_DIR/results.txt"
