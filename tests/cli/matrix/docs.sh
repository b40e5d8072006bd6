# The example pipelines of docs/ci are valid YAML of the right shape, pass
# the matrix's strings to the shell only through the environment, and
# their planning steps, run here as the runners run them, produce a
# matrix that parses (GitHub: the $GITHUB_OUTPUT line; GitLab: the child
# pipeline, for a scheduled pipeline on the nightly channel).
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/matrix-lib.bash"
ci=$TLC_SOURCE_DIR/docs/ci
[ -s "$ci/README.md" ] || die "no docs/ci/README.md"
copy_example checkout
mkdir bin
ln -s "$TLCPACK" bin/tlcpack
export PATH=$PWD/bin:$PATH

"$PY" - "$ci" <<'PY' || die "the example pipelines"
import json, os, re, subprocess, sys, yaml
ci = sys.argv[1]

def run(script, env, shell="bash"):
    e = dict(os.environ, **env)
    subprocess.run([shell, "-e", "-o", "pipefail", "-c", script], env=e,
                   cwd="checkout", check=True)

gh = yaml.safe_load(open(os.path.join(ci, "github-workflow.yml")))
on = gh.get("on", gh.get(True))         # YAML 1.1 reads `on` as true
assert "push" in on and "schedule" in on, on
jobs = gh["jobs"]
assert list(jobs) == ["matrix", "build", "index"], list(jobs)
m, b, i = jobs["matrix"], jobs["build"], jobs["index"]
assert m["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
assert b["needs"] == "matrix"
assert b["strategy"]["matrix"] == "${{ fromJSON(needs.matrix.outputs.matrix) }}"
assert b["container"]["image"] == "${{ matrix.image }}"
assert "build" in i["needs"]
envs = {}
for s in b["steps"]:
    envs.update(s.get("env", {}))
assert envs["TLC_BUILD"] == "${{ matrix.build }}"
assert envs["TLC_PUBLISH"] == "${{ matrix.publish }}"
assert envs["TWINE_PASSWORD"] == "${{ secrets.TLCPACK_TOKEN }}"
# no expression is pasted into a script (GitHub's script-injection advice)
for name, job in jobs.items():
    for s in job["steps"]:
        assert "${{" not in s.get("run", ""), (name, s.get("name"))
plan = [s for s in m["steps"] if s.get("id") == "plan"][0]
for channel in ["", "nightly"]:
    out = os.path.abspath("github-output-" + (channel or "stable"))
    open(out, "w").close()
    run(plan["run"], {"GITHUB_OUTPUT": out, "CHANNEL": channel})
    lines = open(out).read().splitlines()
    assert len(lines) == 1 and lines[0].startswith("matrix="), lines
    inc = json.loads(lines[0][len("matrix="):])["include"]
    assert [j["variant"] for j in inc] == ["cpu", "cu130"], inc
    assert all((j.get("channel") or "") == channel for j in inc), inc

gl = yaml.safe_load(open(os.path.join(ci, "gitlab-ci.yml")))
assert gl["stages"] == ["plan", "build", "check"]
assert gl["variables"]["TWINE_USERNAME"] == "__token__"
assert gl["build"]["trigger"]["include"] == [
    {"artifact": "child-pipeline.yml", "job": "plan"}]
assert gl["build"]["trigger"]["strategy"] == "depend"
assert set(gl["plan"]["artifacts"]["paths"]) == {"child-pipeline.yml",
                                                  "matrix.json"}
assert gl["check"]["stage"] == "check" and gl["check"]["dependencies"] == ["plan"]
# the lines that make the matrix: those after tlcpack is installed
script = gl["plan"]["script"]
start = [k for k, l in enumerate(script) if "tlcpack matrix" in l][0]
run("\n".join(script[start:]), {"CI_PIPELINE_SOURCE": "schedule"})
child = yaml.safe_load(open("checkout/child-pipeline.yml"))
assert child.pop("stages") == ["build"]
assert list(child) == ["cpu-python3-nightly", "cu130-python3-nightly"], child
for job in child.values():
    assert "--channel nightly" in job["script"][0], job
mj = json.load(open("checkout/matrix.json"))
assert [j["id"] for j in mj] == list(child)

# both final checks are the same script (fanout.sh runs it on a server)
def check_script(s):
    return s[s.index("<<'EOF'"):]
a = [s["run"] for s in i["steps"] if "EOF" in s.get("run", "")][0]
c = [l for l in gl["check"]["script"] if "EOF" in l][0]
assert check_script(a) == check_script(c)
print("docs: GitHub and GitLab pipelines check out")
PY
