# labels: image
# The build-environment Dockerfiles of the example's variants, byte for
# byte (dockerfile-example.stdout.exact; TLC_REGEN=1 rewrites it), each
# well formed; -C and --recipe find the same recipe.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/dfcheck.bash"
copy_example src
for v in cpu cu130; do
	"$TLCPACK" image dockerfile -C src --variant "$v" >"Dockerfile.$v" ||
		die "no Dockerfile for $v"
	check_dockerfile "Dockerfile.$v"
	"$TLCPACK" image dockerfile --recipe src/tlcpack.toml --variant "$v" |
		cmp -s - "Dockerfile.$v" || die "--recipe and -C differ for $v"
	echo "=== $v"
	cat "Dockerfile.$v"
done
# the base is the policy's manylinux image, the toolkit the variant's
grep -qx 'ARG BASE=quay.io/pypa/manylinux_2_28_x86_64' Dockerfile.cpu ||
	die "cpu: not manylinux_2_28"
grep -qx 'ARG BASE=quay.io/pypa/manylinux_2_34_x86_64' Dockerfile.cu130 ||
	die "cu130: not the image of its policy manylinux_2_34"
grep -q 'dnf install -y cuda-toolkit-13-0' Dockerfile.cu130 ||
	die "cu130: no CUDA 13.0 toolkit"
! grep -q cuda Dockerfile.cpu || die "cpu: CUDA in it"
# the image name is the one `tlcpack matrix` gives the job
"$TLCPACK" matrix -r src --variant cu130 >matrix.json 2>/dev/null &&
	python3 -c '
import json, sys
img = json.load(open("matrix.json"))[0]["image"]
sys.exit(0 if img == "tlcpack/build-cu130" else 1)' ||
	die "matrix names another image for cu130"
grep -q 'docker build -t tlcpack/build-cu130 ' Dockerfile.cu130 ||
	die "the Dockerfile names another image than the matrix"
