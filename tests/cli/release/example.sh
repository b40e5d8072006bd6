# tlcpack release on a copy of the example (cpu): build, repair, install
# test through a scratch index, publish; the summary table and --json say
# what happened; real pip in a fresh venv installs from the repository;
# a second run publishes nothing new.  A dry run plans and writes nothing.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"

copy_example ex
# the plan: nothing built, nothing written
"$TLCPACK" release -n -v cpu --repo plan-repo ex >plan 2>plan.err ||
	die "dry run failed: $(cat plan.err)"
grep -q '^build   tlcpack_example-0\.1\.0-cp3[0-9]*-cp3[0-9]*-linux_' plan ||
	die "the plan names no wheel: $(cat plan)"
grep -qx 'publish plan-repo' plan || die "the plan names no repository"
[ ! -e plan-repo ] && [ ! -e dist ] || die "a dry run wrote files"
# a recipe kept apart from the tree it builds (-C, as for recipes/tvm.toml)
mkdir apart && cp ex/tlcpack.toml apart/
"$TLCPACK" release -n -v cpu --repo plan-repo -r apart/tlcpack.toml -C ex >plan2 2>plan2.err ||
	die "-C: $(cat plan2.err)"
cmp -s plan plan2 || die "-C plans otherwise: $(cat plan2)"
"$TLCPACK" build -n -v cpu -r apart/tlcpack.toml --project ex >/dev/null \
	2>build-n.err || die "build --project: $(cat build-n.err)"

"$TLCPACK" release -v cpu --repo repo -o dist ex >out 2>err ||
	die "release failed: $(cat err)"
# stderr: each step with its time, then the hint
for step in configure build pack repair stage venv install load test publish; do
	grep -q "^$step  *.*[( ][0-9.]*s)\$" err ||
		die "no timed '$step' step: $(cat err)"
done
grep -q "^release: published to repo; serve it with 'tlcpack serve repo'" err ||
	die "no serve hint: $(cat err)"
# stdout: the table
head -1 out | grep -q '^WHEEL  *TAGS  *SIZE  *SHA256  *TEST  *PUBLISHED$' ||
	die "no table header: $(cat out)"
whl=$(ls dist/*manylinux*.whl)
sha=$(sha256sum "$whl" | cut -c1-12)
grep -q "^tlcpack-example 0\.1\.0  *cp3[0-9]*-cp3[0-9]*-manylinux_2_[0-9]*_$(uname -m)  .*  $sha  *pass  *added\$" out ||
	die "no row for the wheel (sha $sha): $(cat out)"
grep -qx 'prune: not done: a stable release is never pruned' out ||
	die "prune line: $(cat out)"
"$TLCPACK" index --check --no-repair --repo repo >/dev/null ||
	die "the repository fails index --check"
# no scratch space left behind on success
grep -q 'logs kept' err && die "scratch kept after success"

make_venv v
v/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
	-f "file://$PWD/repo/wheels.html" --no-index tlcpack-example ||
	die "pip cannot install from the released repository"
(cd / && "$OLDPWD/v/bin/python" -m tlcexample.selftest) >selftest.out 2>&1 ||
	die "selftest: $(cat selftest.out)"

# again: the same bytes, nothing new (the build is reproducible)
"$TLCPACK" release -v cpu --repo repo -o dist --json ex >again.json \
	2>again.err || die "second release failed: $(cat again.err)"
python3 - again.json "$sha" <<'P' || die "json: $(cat again.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["failures"] == [], d
(w,) = d["wheels"]
assert w["name"] == "tlcpack-example" and w["version"] == "0.1.0", w
assert w["sha256"].startswith(sys.argv[2]) and len(w["sha256"]) == 64, w
assert w["test"] == "pass" and w["published"] == "unchanged", w
assert w["variant"] == "cpu" and w["size"] > 0, w
assert d["repository"] == "repo" and d["pruned"] is None, d
P
