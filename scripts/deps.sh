#!/usr/bin/env bash
# Install the Debian packages tlcpack needs to build, test and run its
# example, skipping those already installed.  Run as root or with sudo.
#
#   scripts/deps.sh          build + run the example
#   scripts/deps.sh --test   also what the test suite needs
set -euo pipefail

pkgs=(
	build-essential cmake ninja-build pkg-config git   # toolchain
	zlib1g-dev libdeflate-dev libssl-dev               # deflate, sha256
	python3 python3-dev python3-venv                   # example + wheels
	libjansson-dev                                     # JSON output
	libmicrohttpd-dev libcurl4-openssl-dev libcrypt-dev # serve, upload
	patchelf binutils                                  # repair's ELF edits
)
if [ "${1:-}" = --test ]; then
	pkgs+=(
		libcmocka-dev                      # unit tests
		clang libclang-rt-14-dev           # sanitizers, libFuzzer
		twine python3-wheel python3-pip unzip # wheel checks, pip-compare, bench
		util-linux                         # unshare(1) in repair tests
		openssl apache2-utils curl         # password hashes, HTTP tests
		python3-yaml                       # CI files and matrix checks
		skopeo umoci debootstrap           # OCI image checks
	)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
