# labels: image
# recipes/tvm.toml: the Dockerfiles of cu118 and cu130 (manylinux_2_28:
# AlmaLinux 8, NVIDIA's rhel8 repository), byte for byte
# (dockerfile-tvm.stdout.exact), each well formed; every Python of the
# recipe is linked from /opt/python.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/dfcheck.bash"
recipe=$TLC_SOURCE_DIR/recipes/tvm.toml
for v in cu118 cu130; do
	"$TLCPACK" image dockerfile --recipe "$recipe" --variant "$v" \
		>"Dockerfile.$v" || die "no Dockerfile for $v"
	check_dockerfile "Dockerfile.$v"
	echo "=== $v"
	cat "Dockerfile.$v"
done
for p in 10 11 12 13; do
	grep -q "ln -sf /opt/python/cp3$p-cp3$p/bin/python /usr/local/bin/python3.$p" \
		Dockerfile.cu118 || die "python3.$p is not linked"
done
grep -q 'cuda/repos/rhel8/x86_64/cuda-rhel8.repo' Dockerfile.cu118 ||
	die "cu118: not NVIDIA's rhel8 repository"
grep -q 'dnf install -y cuda-toolkit-11-8' Dockerfile.cu118 ||
	die "cu118: not CUDA 11.8"
grep -q 'PATH=/usr/local/cuda-13.0/bin:' Dockerfile.cu130 ||
	die "cu130: nvcc not on PATH"
