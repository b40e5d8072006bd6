#!/usr/bin/env bash
# The main job on the embedded example: install what is missing, build
# tlcpack, then `tlcpack release` builds every wheel of examples/ (each
# repaired for manylinux), install-tests each with pip through a scratch
# index, publishes them into repo/ and prints the summary table; then
# `tlcpack serve` serves repo/ and the pip line to copy is printed.
# EXAMPLE_SERVE=0 stops after the release; EXAMPLE_PORT (8000) sets the
# port.
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
build/tlcpack release "${variants[@]}" --repo repo -o dist

[ "${EXAMPLE_SERVE:-1}" = 0 ] && exit 0
port=${EXAMPLE_PORT:-8000}
cat >&2 <<MSG
example: serving repo/ on http://127.0.0.1:$port/ (Ctrl-C stops it); in
another shell, install from it:
  python3 -m venv /tmp/v && /tmp/v/bin/pip install --no-index -f http://127.0.0.1:$port/wheels.html tlcpack-example
(--no-index: this machine cannot reach PyPI, and the example needs nothing
from it.)
MSG
exec build/tlcpack serve --repo repo --listen "127.0.0.1:$port"
