# labels: image root
# tlcpack image build from an OCI image layout (the debootstrap base put
# into a layout by umoci, copied by skopeo, as a registry image would
# be): the base's layers are kept as they are, same digests; the image
# passes the same checks as from a root file system.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/image-lib.bash"
need_root
need_tools skopeo umoci chroot
base_rootfs
base_layout base-oci
example_cpu_wheel
mkdir -p wheels
hello=$(mkscriptwheel wheels) || die "cannot pack the script wheel"
"$TLCPACK" image build --base "$base_oci" --wheel "$cpu_whl" \
	--wheel "$hello" --tag tlcpack-example:test --env TLC_TEST=1 \
	--cmd /usr/bin/python3 -o img >img.stdout 2>img.stderr ||
	die "image build failed: $(cat img.stderr)"
cat img.stdout >&2
check_image img test
python3 - <<'EOF' || die "the base's layers were not kept"
import json
def man(d, i=0):
    dig = json.load(open(d + "/index.json"))["manifests"][i]["digest"]
    return json.load(open(d + "/blobs/sha256/" + dig.split(":")[1]))
base = [l["digest"] for l in man("base-oci")["layers"]]
new = [l["digest"] for l in man("img")["layers"]]
assert new[:-1] == base and len(new) == len(base) + 1, (base, new)
EOF
