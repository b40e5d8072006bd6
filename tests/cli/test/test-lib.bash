# Helpers for the `tlcpack test` cases (not a case itself: it does not end
# in .sh).  Source it after lib.sh.

# example_wheels: build the example's cpu wheel (and, with nvcc, its cu130
# wheel) once, and share them between the cases: building takes minutes,
# testing a wheel seconds.  The build lives beside the cases' scratch
# directories, keyed by the example's sources, the interpreter and the
# tlcpack binary's version, under an flock so that cases run in parallel
# (ctest -j) wait for one build instead of racing.  Sets $cpu_whl, and
# $cuda_whl ("" without a CUDA toolkit), and $example (a copy of the
# example's source, whose recipe the tests use).
example_wheels() {
	local key cache root
	root=${TLC_BUILD_DIR:-$TLC_SCRATCH/..}/cli-scratch/test-cache
	mkdir -p "$root"
	key=$(cd "$TLC_SOURCE_DIR/examples" &&
		{ find . -path ./build-tlcpack -prune -o -type f -print0 |
			sort -z | xargs -0 sha256sum
		  python3 --version; "$TLCPACK" --version
		  [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc || true; } |
		sha256sum | cut -c1-16)
	cache=$root/$key
	exec 9>"$root/lock"
	flock 9
	if [ ! -f "$cache/done" ]; then
		rm -rf "$cache"
		mkdir -p "$cache"
		copy_example "$cache/src"
		local variants=(-v cpu) stubs=
		if [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null; then
			export CUDACXX=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
			stubs=$(dirname "$CUDACXX")/../lib64/stubs
			variants+=(-v cu130 --lib-path "$stubs")
		fi
		"$TLCPACK" build "${variants[@]}" -o "$cache/dist" \
			--build-dir "$cache/bt" "$cache/src" >"$cache/wheels.txt" \
			2>"$cache/build.log" ||
			{ tail -30 "$cache/build.log"; flock -u 9; die "tlcpack build failed"; }
		touch "$cache/done"
	fi
	flock -u 9
	exec 9>&-
	cpu_whl=$(grep '/tlcpack_example-' "$cache/wheels.txt")
	cuda_whl=$(grep '/tlcpack_example_cu130-' "$cache/wheels.txt" || true)
	example=$cache/src
	[ -f "$cpu_whl" ] || die "no cpu wheel in $cache"
}
