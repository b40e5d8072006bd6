#!/usr/bin/env bash
# The main job on the embedded example: install what is missing, build
# tlcpack, and build every wheel of examples/ into dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build

variants=()
if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
	echo "example: NOTE: no CUDA toolkit (nvcc) here, so only the cpu" \
	     "variant is built; install the CUDA toolkit for the cu130 wheel" >&2
	variants=(--variant cpu)
fi
build/tlcpack build "${variants[@]}" -o dist --build-dir build/example examples
echo "example: wheels are in dist/; try:" >&2
echo "  python3 -m venv /tmp/v && /tmp/v/bin/pip install --no-index -f dist tlcpack-example" >&2
