# Without a CUDA toolkit the CUDA variant fails with a clear message,
# and the tail of its log is shown.
. "$TLC_CASE_DIR/../lib.sh"

copy_example src
# No toolkit: the recipe's CUDACXX points nowhere (CMake would otherwise
# find /usr/local/cuda by itself), CUDA directories leave PATH, the CUDA
# variables go.
sed -i 's|/usr/local/cuda/bin/nvcc|/nonexistent/cuda/bin/nvcc|' src/tlcpack.toml
grep -q /nonexistent/cuda src/tlcpack.toml || die "the example recipe has no CUDACXX to redirect"
path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v cuda | paste -sd:)
if env -u CUDACXX -u CUDA_HOME -u CUDA_PATH -u CUDAToolkit_ROOT PATH="$path" \
	"$TLCPACK" build --variant cu130 -o dist --build-dir bt src \
	>out 2>err; then
	die "the CUDA variant built without a CUDA toolkit"
fi
grep -q "configure of 'cu130/core' failed" err || die "no step named: $(cat err)"
grep -q -- "--- last lines of" err || die "no log tail shown"
grep -q "no CUDA toolkit was found" err ||
	die "the log tail lacks the example's message: $(cat err)"
ls dist/*.whl >/dev/null 2>&1 && die "a wheel was written"
echo "cuda without toolkit: clear failure"
