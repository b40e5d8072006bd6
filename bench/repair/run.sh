#!/bin/sh
# bench/repair/run.sh: `tlcpack repair` against the pipeline auditwheel
# uses (unzip with Python's zipfile, patchelf, re-zip with zipfile at
# level 6), and against auditwheel itself when it is installed.
#
# Stages a wheel of at least WHEEL_MIB MiB holding real CUDA libraries
# from LIBS (libcublasLt, libcublas, ...) and a small library that needs
# libgomp (to graft) and libcublas (in the wheel, through $ORIGIN), packs
# it at level 6, then runs each repairer RUNS times, in turns, and prints
# the median wall time and peak RSS of each, and the ratios.  Also times
# `tlcpack audit` on the wheel.  Both repaired wheels are checked: they
# unzip to the same files, and pass `tlcpack audit --plat`.
#
# Variables (defaults):
#   BENCH_DIR  scratch directory, outside the repository
#              (/tmp/tlcpack-bench-repair)
#   BUILD      a build directory of this repository (<repo>/build)
#   TLCPACK    the tlcpack binary ($BUILD/tlcpack)
#   LIBS       the CUDA libraries (/usr/local/cuda/lib64)
#   WHEEL_MIB  the wheel's size, at least (500)
#   RUNS       runs of each repairer (3)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tlcpack-bench-repair}
BUILD=${BUILD:-$repo/build}
TLCPACK=${TLCPACK:-$BUILD/tlcpack}
LIBS=${LIBS:-/usr/local/cuda/lib64}
WHEEL_MIB=${WHEEL_MIB:-500}
RUNS=${RUNS:-3}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

die() {
	echo "bench/repair: $*" >&2
	exit 1
}

case "$BENCH_DIR" in
"$repo" | "$repo"/*) die "BENCH_DIR must be outside the repository" ;;
esac
[ -x "$TLCPACK" ] || die "no tlcpack at '$TLCPACK' (set BUILD or TLCPACK)"
command -v patchelf >/dev/null || die "no patchelf (apt-get install patchelf)"
[ -f "$LIBS/libcublas.so.13" ] ||
	die "no CUDA libraries in '$LIBS' (set LIBS to a CUDA 13 lib64)"

# ---- the wheel -----------------------------------------------------------
tree=$BENCH_DIR/tree
whl=$BENCH_DIR/in/cudabench-1.0-py3-none-linux_$(uname -m).whl
if [ ! -f "$whl" ]; then
	rm -rf "$BENCH_DIR"
	mkdir -p "$tree/cudabench" "$tree/cudabench-1.0.dist-info" "$BENCH_DIR/in"
	echo '"""Real CUDA libraries, for bench/repair."""' >"$tree/cudabench/__init__.py"
	# until the wheel will be big enough; libcusparse needs libnvJitLink
	staged=0
	for lib in libcublasLt.so.13 libcublas.so.13 libcufft.so.12 \
		   libnvJitLink.so.13 libcusparse.so.12 libcurand.so.10 \
		   libnvrtc.so.13; do
		[ -f "$LIBS/$lib" ] || continue
		cp -L "$LIBS/$lib" "$tree/cudabench/$lib"
		staged=$((staged + $(stat -c %s "$LIBS/$lib") / 1048576))
		[ "$staged" -ge $((WHEEL_MIB * 2)) ] && break
	done
	cat >"$BENCH_DIR/cbench.c" <<'C'
#include <omp.h>
int cublasGetVersion_v2(void *handle, int *version);
int cbench_threads(void) { return omp_get_max_threads(); }
int cbench_cublas(int *v) { return cublasGetVersion_v2(0, v); }
C
	cc -shared -fPIC -fopenmp -O1 -o "$tree/cudabench/libcbench.so" \
		"$BENCH_DIR/cbench.c" -L"$tree/cudabench" -l:libcublas.so.13 \
		-Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags ||
		die "cannot build libcbench.so"
	printf 'Metadata-Version: 2.1\nName: cudabench\nVersion: 1.0\n' \
		>"$tree/cudabench-1.0.dist-info/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: false\nTag: py3-none-linux_%s\n' \
		"$(uname -m)" >"$tree/cudabench-1.0.dist-info/WHEEL"
	"$TLCPACK" pack -d "$BENCH_DIR/in" "$tree" >/dev/null 2>&1 ||
		die "tlcpack pack failed"
	rm -rf "$tree"
fi
mib=$(($(stat -c %s "$whl") / 1048576))
[ "$mib" -ge "$WHEEL_MIB" ] ||
	die "the wheel is $mib MiB, under $WHEEL_MIB: add libraries to LIBS"
gomp=$(cc -print-file-name=libgomp.so.1)
gomp=$(readlink -f "$gomp")

echo "bench/repair: $(basename "$whl"), $mib MiB, $(unzip -Z1 "$whl" | wc -l) members"
echo "machine: $(nproc) CPUs; $RUNS runs each, medians"

# ---- the runs ------------------------------------------------------------
m() { python3 "$here/measure.py" "$@"; }
: >"$BENCH_DIR/tlcpack.txt"
: >"$BENCH_DIR/peer.txt"
: >"$BENCH_DIR/audit.txt"
: >"$BENCH_DIR/auditwheel.txt"
have_aw=0
if command -v auditwheel >/dev/null 2>&1; then
	have_aw=1
else
	echo "auditwheel: not installed (it is not packaged in Debian): skipped"
fi
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	rm -rf "$BENCH_DIR/out-t" "$BENCH_DIR/out-p" "$BENCH_DIR/out-a"
	mkdir -p "$BENCH_DIR/out-t" "$BENCH_DIR/out-p" "$BENCH_DIR/out-a"
	sync
	m "$TLCPACK" repair -w "$BENCH_DIR/out-t" "$whl" >>"$BENCH_DIR/tlcpack.txt"
	sync
	m python3 "$here/peer.py" "$whl" "$BENCH_DIR/out-p/peer.whl" "$gomp" \
		libgomp-bench.so.1 cudabench/libcbench.so libgomp.so.1 \
		>>"$BENCH_DIR/peer.txt"
	m "$TLCPACK" audit "$whl" >>"$BENCH_DIR/audit.txt"
	if [ "$have_aw" = 1 ]; then
		m auditwheel repair -w "$BENCH_DIR/out-a" "$whl" \
			>>"$BENCH_DIR/auditwheel.txt"
	fi
done

# ---- the checks ----------------------------------------------------------
out=$(ls "$BENCH_DIR"/out-t/*.whl)
plat=${out##*-}
plat=${plat%.whl}
"$TLCPACK" audit --plat "${plat%_$(uname -m)}" "$out" >/dev/null ||
	die "the repaired wheel fails its audit"
python3 - "$out" "$BENCH_DIR/out-p/peer.whl" <<'PY' || die "the wheels differ"
import sys, zipfile
a, b = (zipfile.ZipFile(p) for p in sys.argv[1:3])
strip = lambda n: n.split("/", 1)[1] if ".libs/" in n else n
na = {n for n in a.namelist() if ".dist-info/" not in n}
nb = {n for n in b.namelist() if ".dist-info/" not in n}
big = [n for n in na if n.endswith((".so.12", ".so.13"))]
assert len(na) == len(nb), (sorted(na), sorted(nb))
for n in big:  # the CUDA libraries: copied raw, the same bytes
    assert a.getinfo(n).CRC == b.getinfo(n).CRC, n
PY

# ---- the figures ---------------------------------------------------------
python3 - "$BENCH_DIR" "$have_aw" <<'PY'
import statistics, sys
d, have_aw = sys.argv[1], sys.argv[2] == "1"
def load(name):
    rows = [l.split() for l in open("%s/%s.txt" % (d, name)) if l.strip()]
    return (statistics.median(float(r[0]) for r in rows),
            statistics.median(int(r[1]) for r in rows) / 1024, len(rows))
t, p, a = load("tlcpack"), load("peer"), load("audit")
print("%-34s %9s %12s" % ("", "median s", "peak RSS MiB"))
print("%-34s %9.2f %12.1f" % ("tlcpack repair", t[0], t[1]))
print("%-34s %9.2f %12.1f" % ("zipfile + patchelf + zipfile -6", p[0], p[1]))
if have_aw:
    w = load("auditwheel")
    print("%-34s %9.2f %12.1f" % ("auditwheel repair", w[0], w[1]))
print("%-34s %9.2f %12.1f" % ("tlcpack audit", a[0], a[1]))
print("ratio (pipeline / tlcpack): %.1fx faster, %.1fx less memory"
      % (p[0] / t[0], p[1] / t[1]))
if have_aw:
    print("ratio (auditwheel / tlcpack): %.1fx faster" % (w[0] / t[0]))
PY
