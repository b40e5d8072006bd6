# The three formats of the example's matrix say the same thing: the JSON
# array, GitHub's {"include": [...]} on one line (read back from a
# $GITHUB_OUTPUT file the way the runner reads it) and GitLab's child
# pipeline (parsed as YAML), one job per variant and Python, each with
# its image and the two command lines.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/matrix-lib.bash"
copy_example src

"$TLCPACK" matrix -r src --python python3.11 --python python3.12 \
	>matrix.json 2>err || die "matrix failed: $(cat err)"
[ ! -s err ] || die "matrix printed to stderr: $(cat err)"
GITHUB_OUTPUT=$PWD/github-output
: >"$GITHUB_OUTPUT"
# the line a workflow step runs
echo "matrix=$("$TLCPACK" matrix -r src --format github --python python3.11 --python python3.12)" \
	>>"$GITHUB_OUTPUT"
[ "$(wc -l <"$GITHUB_OUTPUT")" = 1 ] || die "the github matrix is not one line"
"$TLCPACK" matrix --recipe src --format gitlab --python python3.11 \
	--python python3.12 >child.yml || die "gitlab format failed"

"$PY" - <<'PY' || die "the formats disagree"
import json, yaml
jobs = json.load(open("matrix.json"))
key, _, value = open("github-output").read().rstrip("\n").partition("=")
assert key == "matrix"
gh = json.loads(value)
assert gh == {"include": jobs}, gh

ids = [j["id"] for j in jobs]
assert ids == ["cpu-python3.11", "cpu-python3.12", "cu130-python3.11",
               "cu130-python3.12"], ids
cpu, cu = jobs[0], jobs[3]
assert cpu == {
    "id": "cpu-python3.11", "variant": "cpu",
    "description": "CPU only (OpenMP)", "python": "python3.11",
    "python-version": "3.11", "project": "tlcpack-example",
    "image": "quay.io/pypa/manylinux_2_28_x86_64", "image-default": True,
    "build": "tlcpack build --recipe src --variant cpu --python python3.11 -o dist",
    "publish": 'tlcpack publish --to "$TLCPACK_UPLOAD_URL" dist/*.whl',
    "dist": "dist"}, cpu
assert cu["project"] == "tlcpack-example-cu130"
assert cu["image"] == "tlcpack/build-cu130"
assert cu["build"] == ("tlcpack build --recipe src --variant cu130 "
                       "--python python3.12 -o dist")

child = yaml.safe_load(open("child.yml"))
assert child.pop("stages") == ["build"]
assert list(child) == ids, list(child)
for j in jobs:
    assert child[j["id"]] == {
        "stage": "build", "image": j["image"],
        "script": [j["build"], j["publish"]],
        "artifacts": {"paths": [j["dist"]]}}, child[j["id"]]
print("formats: %d jobs agree" % len(jobs))
PY

# --variant and --channel narrow and multiply
"$TLCPACK" matrix -r src -v cu130 -c nightly >n.json || die "matrix -c failed"
"$PY" - <<'PY' || die "--variant/--channel"
import json
jobs = json.load(open("n.json"))
assert [j["id"] for j in jobs] == ["cu130-python3-nightly"], jobs
assert jobs[0]["channel"] == "nightly"
assert jobs[0]["project"] == "tlcpack-example-nightly-cu130"
assert "--channel nightly -o dist" in jobs[0]["build"]
PY
# --to names the upload URL instead of $TLCPACK_UPLOAD_URL
"$TLCPACK" matrix -r src -v cpu --to http://127.0.0.1:1/ |
	grep -F '"publish": "tlcpack publish --to http://127.0.0.1:1/ dist/*.whl"' \
		>/dev/null || die "--to is not in the publish line"
# the default recipe is the current directory's, and the jobs name none
(cd src && "$TLCPACK" matrix -v cpu) | grep -F \
	'"build": "tlcpack build --variant cpu --python python3 -o dist"' \
	>/dev/null || die "the default recipe"
"$TLCPACK" help | grep '^  matrix ' >/dev/null || die "'tlcpack help' lists no matrix"
