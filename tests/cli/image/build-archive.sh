# labels: image root
# --format docker-archive: a tar that `docker load` takes (its
# manifest.json: Config, RepoTags, Layers, each a member; the config's
# diff_ids are the layers' uncompressed digests), the same bytes twice,
# read by skopeo.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/image-lib.bash"
need_root
need_tools skopeo
base_rootfs
mkdir -p wheels
hello=$(mkscriptwheel wheels) || die "cannot pack the script wheel"
for o in a.tar b.tar; do
	"$TLCPACK" image build --base "$base_tar" --wheel "$hello" \
		--tag hello-tool:1.2 --format docker-archive -o "$o" \
		>"$o.stdout" 2>"$o.stderr" || die "$(cat "$o.stderr")"
done
cat a.tar.stdout >&2
cmp a.tar b.tar || die "two runs, two archives"
python3 - <<'EOF' || die "the archive's manifest.json is wrong"
import gzip, hashlib, json, tarfile
t = tarfile.open("a.tar")
names = set(t.getnames())
m = json.load(t.extractfile("manifest.json"))
assert isinstance(m, list) and len(m) == 1, m
m = m[0]
assert m["RepoTags"] == ["hello-tool:1.2"], m
assert m["Config"] in names, m
cfg = json.load(t.extractfile(m["Config"]))
ids = cfg["rootfs"]["diff_ids"]
assert len(ids) == len(m["Layers"]) == 2, (ids, m)
for name, want in zip(m["Layers"], ids):
    assert name in names, name
    data = t.extractfile(name).read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    assert "sha256:" + hashlib.sha256(data).hexdigest() == want, name
assert cfg["config"]["Labels"]["org.opencontainers.image.title"] == "hello-tool"
EOF
skopeo inspect docker-archive:a.tar >/dev/null ||
	die "skopeo cannot read the archive"
skopeo copy -q docker-archive:a.tar oci:back:hello ||
	die "skopeo cannot copy the archive"
# --variant, --label (over tlcpack's), --cmd, --epoch
"$TLCPACK" image build --base "$base_tar" --wheel "$hello" --variant cu130 \
	--label org.opencontainers.image.title=mine --label x.y=z \
	--cmd hello-tool --cmd --flag --epoch 1 --format docker-archive \
	-o c.tar >c.stdout 2>c.stderr || die "$(cat c.stderr)"
python3 - <<'EOF' || die "--variant, --label, --cmd or --epoch ignored"
import json, tarfile
t = tarfile.open("c.tar")
m = json.load(t.extractfile("manifest.json"))[0]
c = json.load(t.extractfile(m["Config"]))
lab = c["config"]["Labels"]
assert lab["ai.tlcpack.variant"] == "cu130", lab
assert lab["org.opencontainers.image.title"] == "mine", lab
assert lab["x.y"] == "z", lab
assert c["config"]["Cmd"] == ["hello-tool", "--flag"], c["config"]
assert c["created"].startswith("1970-01-01T00:00:01"), c["created"]
EOF
# usage errors: 129, nothing written
for args in "--format zip" "--env NOEQUALS" "--label =v" "--epoch -3"; do
	st=0
	# shellcheck disable=SC2086
	"$TLCPACK" image build --base "$base_tar" --wheel "$hello" $args \
		-o u.tar 2>/dev/null || st=$?
	[ "$st" -eq 129 ] || die "'$args': exit $st, not 129"
	[ ! -e u.tar ] || die "'$args' wrote u.tar"
done
