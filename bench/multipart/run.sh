#!/bin/sh
# Throughput of the multipart parser and the digests, in memory (see
# bench.c).  usage: bench/multipart/run.sh [SIZE_MB [RUNS]]
#   BUILD  a build directory of this repository (<repo>/build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD=${BUILD:-$repo/build}
out=${TMPDIR:-/tmp}/tlcpack-bench-multipart
[ -f "$BUILD/libtlcpack.a" ] || { echo "no $BUILD/libtlcpack.a" >&2; exit 1; }
${CC:-cc} -O2 -D_GNU_SOURCE -I"$repo/include" -o "$out" "$here/bench.c" \
	"$BUILD/libtlcpack.a" -lcrypto
"$out" "$@"
