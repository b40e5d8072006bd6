#!/usr/bin/env bash
# Every test: install what is missing, then
#  1. a -Werror build and the whole CTest suite (unit, toml-test, CLI
#     end-to-end with real pip, twine and nvcc);
#  2. each libFuzzer target for a short run;
#  3. an ASan+UBSan build (clang) and the suite again, minus the cases
#     labelled slow.
# TLC_FUZZ_SECONDS (default 20) sets the time per fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/deps.sh --test

echo "== 1/3 build (gcc, -Werror) and test"
cmake -S . -B build -G Ninja -DTLC_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest --output-on-failure -j "$jobs")

echo "== 2/3 fuzz targets"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang \
	-DTLC_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j "$jobs"
secs=${TLC_FUZZ_SECONDS:-20}
nfuzz=0
for f in build-fuzz/tests/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=build-fuzz/corpus/$name
	mkdir -p "$corpus"
	seeds=()
	flags=()
	[ -d "tests/fuzz/corpus/$name" ] && seeds+=("tests/fuzz/corpus/$name")
	for dict in tests/*/"$name.dict"; do
		[ -f "$dict" ] && flags+=("-dict=$dict")
	done
	# the toml-test cases seed the TOML and recipe fuzzers (read in place)
	case $name in
	fuzz_toml | fuzz_recipe)
		seeds+=("${TLC_TESTDATA:-../shared/testdata}/toml-test/tests/valid") ;;
	# ELF files compiled at run time: no binary is committed
	fuzz_elf)
		tests/elf/fuzz-seeds.sh "build-fuzz/seeds/$name" &&
			seeds+=("build-fuzz/seeds/$name") ;;
	esac
	echo "fuzz: $name for ${secs}s"
	"$f" -max_total_time="$secs" -print_final_stats=0 "${flags[@]}" \
		"$corpus" "${seeds[@]}" \
		>"build-fuzz/$name.log" 2>&1 ||
		{ tail -40 "build-fuzz/$name.log"; echo "fuzz: $name FAILED"; exit 1; }
	nfuzz=$((nfuzz + 1))
done
[ "$nfuzz" -gt 0 ] || { echo "fuzz: no targets were built"; exit 1; }
echo "fuzz: $nfuzz passed, 0 failed"

echo "== 3/3 ASan+UBSan build (clang) and test"
cmake -S . -B build-asan -G Ninja -DCMAKE_C_COMPILER=clang \
	-DTLC_WERROR=ON -DTLC_SANITIZE=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
	ctest --output-on-failure -j "$jobs" -LE slow)
