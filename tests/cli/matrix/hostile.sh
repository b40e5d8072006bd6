# A recipe full of quotes, shell syntax, GitHub and GitLab expressions and
# Unicode line separators in a variant's description and image, with an
# interpreter path and a recipe path just as hostile: every format gives
# back each string exactly (JSON and YAML parsers), and each job's
# command lines, run by sh with a stub tlcpack that records its argv,
# pass exactly the intended arguments and run nothing else.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/matrix-lib.bash"
proj="my proj"
mkdir -p "$proj"
"$PY" - "$proj/t'v m.toml" <<'PY'
import json, sys
desc = "say \"hi\" \\ ${{ secrets.TOKEN }} $(touch pwned) `touch pwned` 'q' \u2028 \u00e9 \U0001F600 # x: [y] &a *b !!c"
image = "evil\"img\\:$CI_JOB_TOKEN'x\u2029\ufeff"
def q(s):  # a TOML basic string
    return json.dumps(s, ensure_ascii=False)
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(f'''[package]
name = "demo"
version = "1.0"
[[build.cmake]]
per-python = true
[variants.cpu]
description = {q(desc)}
image = {q(image)}
[variants.cu121]
description = "--- | ? : - {{a: [b]}} %TAG"
''')
json.dump({"desc": desc, "image": image}, open("want.json", "w"))
PY
py='/opt/it'"'"'s "py"/$(touch pwned)/`touch pwned`/python3.13'
url='https://u.example/a b?x=1&y=$HOME'
recipe="$proj/t'v m.toml"
"$TLCPACK" matrix -r "$recipe" -p "$py" --to "$url" >m.json 2>err ||
	die "json: $(cat err)"
"$TLCPACK" matrix -r "$recipe" -p "$py" --to "$url" -f github >m.gh ||
	die "github"
"$TLCPACK" matrix -r "$recipe" -p "$py" --to "$url" -f gitlab >m.yml ||
	die "gitlab"
[ "$(wc -l <m.gh)" = 1 ] || die "github: not one line"
LC_ALL=C grep -q '[^ -~]' m.gh m.yml && die "non-ASCII output"

# a stub tlcpack that records its arguments
mkdir bin
cat >bin/tlcpack <<'SH'
#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >>"$ARGV_LOG"
SH
chmod +x bin/tlcpack
export ARGV_LOG=$PWD/argv.log
mkdir run && cd run
"$PY" - "$py" "$url" "$recipe" <<'PY' || die "the strings did not survive"
import json, os, subprocess, sys, yaml
py, url, recipe = sys.argv[1:]
want = json.load(open("../want.json"))
jobs = json.load(open("../m.json"))
gh = json.load(open("../m.gh"))
child = yaml.safe_load(open("../m.yml", encoding="ascii"))
assert gh == {"include": jobs}
assert [j["id"] for j in jobs] == ["cpu-python3.13", "cu121-python3.13"]
cpu, cu = jobs
assert cpu["description"] == want["desc"], cpu["description"]
assert cpu["image"] == want["image"], cpu["image"]
assert cpu["image-default"] is False
assert cpu["python"] == py and cpu["python-version"] == "3.13"
assert cu["description"] == "--- | ? : - {a: [b]} %TAG"
assert cu["image"] == "tlcpack/build-cu121" and cu["image-default"] is True
env = dict(os.environ, PATH=os.path.abspath("../bin") + ":" + os.environ["PATH"],
           HOME="/home/x", TLCPACK_UPLOAD_URL="unused")
for j in jobs:
    c = child[j["id"]]
    assert c["image"] == j["image"] and c["script"] == [j["build"], j["publish"]]
    for cmd in c["script"]:
        subprocess.run(["sh", "-c", cmd], env=env, check=True)
got = [json.loads(l) for l in open(os.environ["ARGV_LOG"])]
for v, (b, p) in zip(["cpu", "cu121"], zip(got[0::2], got[1::2])):
    assert b == ["build", "--recipe", recipe, "--variant", v, "--python", py,
                 "-o", "dist"], b
    assert p == ["publish", "--to", url, "dist/*.whl"], p
assert len(got) == 4
print("hostile: every string came back whole")
PY
cd ..
[ ! -e pwned ] && [ ! -e run/pwned ] || die "a command substitution ran"
