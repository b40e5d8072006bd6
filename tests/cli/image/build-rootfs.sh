# labels: image root
# tlcpack image build from a root file-system tarball (debootstrap's
# bookworm, cached outside the repository): the example's cpu wheel and a
# pure wheel with an entry point, installed into the base's own Python;
# skopeo and umoci read the image, a chroot imports and runs what was
# installed; a second run gives the same digest, byte for byte; skopeo
# converts the image to a docker archive.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/image-lib.bash"
need_root
need_tools skopeo umoci chroot
base_rootfs
example_cpu_wheel
mkdir -p wheels
hello=$(mkscriptwheel wheels) || die "cannot pack the script wheel"
build() {
	"$TLCPACK" image build --base "$base_tar" --wheel "$cpu_whl" \
		--wheel "$hello" --tag tlcpack-example:test --env TLC_TEST=1 \
		-o "$1" >"$1.stdout" 2>"$1.stderr" ||
		die "image build failed: $(cat "$1.stderr")"
	cat "$1.stdout" >&2
	head -1 "$1.stdout" | grep -qx 'sha256:[0-9a-f]\{64\}' ||
		die "no digest printed: $(cat "$1.stdout")"
}
build img
check_image img test
build img2
cmp img.stdout img2.stdout || die "two runs, two outputs"
diff -r img img2 >/dev/null || die "two runs, different bytes"
# the digest printed is the manifest's in index.json
python3 -c '
import json, sys
d = json.load(open("img/index.json"))["manifests"][0]["digest"]
sys.exit(d != open("img.stdout").readline().strip())' ||
	die "the printed digest is not the manifest's"
# SOURCE_DATE_EPOCH changes the times, so the digest
SOURCE_DATE_EPOCH=1700000000 "$TLCPACK" image build --base "$base_tar" \
	--wheel "$cpu_whl" --wheel "$hello" --tag tlcpack-example:test \
	--env TLC_TEST=1 -o img3 >img3.stdout 2>&1 || die "$(cat img3.stdout)"
! cmp -s img.stdout img3.stdout || die "SOURCE_DATE_EPOCH changed nothing"
skopeo copy -q oci:img:test docker-archive:conv.tar:tlcpack-example:test ||
	die "skopeo cannot convert the image to a docker archive"
# an existing output directory is refused, and left alone
! "$TLCPACK" image build --base "$base_tar" --wheel "$hello" -o img \
	2>err || die "an existing OUT was overwritten"
cmp -s img/index.json img2/index.json || die "OUT was touched"
du -sh img/blobs >&2
