# The fan-out: `tlcpack matrix --format json` for the example, each job
# run as CI runs it, in a checkout of its own, as a separate process,
# all at once: `tlcpack build` makes exactly that job's wheel and
# `tlcpack publish --to` uploads it, with a token, to one `tlcpack serve`
# (the uploads start together, after every build).  The index they
# converge on lists every wheel (wheels.html, simple/<project>/ in HTML
# and JSON) byte for byte, passes `tlcpack index --check`, passes the
# final check of docs/ci's pipelines (which also prunes a channel with a
# keep count on the server), and real pip installs from it.
# Jobs: the cpu variant with python3 and a second CPython if there is
# one, and cu130 when the CUDA toolkit is here.
# labels: e2e serve pip
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/../serve/serve-lib.bash"
. "$TLC_CASE_DIR/matrix-lib.bash"

args=(--python python3)
second=
for p in python3.12 python3.13 /root/.pyenv/versions/3.12.*/bin/python3.12; do
	v=$("$p" -c 'import sys; print(sys.version_info[:2])' 2>/dev/null) || continue
	if [ "$v" != "$(python3 -c 'import sys; print(sys.version_info[:2])')" ]; then
		second=$(command -v "$p"); args+=(--python "$second"); break
	fi
done
args+=(--variant cpu)
cuda=
if [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null; then
	cuda=1; args+=(--variant cu130)
	[ -x /usr/local/cuda/bin/nvcc ] &&
		export CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
fi

"$TLCPACK" serve --tokens tokens --new-token ci >token 2>/dev/null ||
	die "cannot make a token"
# (a repository exists once something is published: a first wheel)
mkpywheel seed-pkg 0.1 "" seed
"$TLCPACK" publish --repo repo seed/*.whl >/dev/null
start_serve --repo repo --tokens tokens --access-log access.log
copy_example checkout
(cd checkout && "$TLCPACK" matrix --format json "${args[@]}") >matrix.json ||
	die "matrix failed"
njobs=$("$PY" -c 'import json; print(len(json.load(open("matrix.json"))))')
want=1
[ -z "$second" ] || want=$((want * 2))
[ -z "$cuda" ] || want=$((want * 2))
[ "$njobs" -eq "$want" ] ||
	die "$njobs jobs: $(cat matrix.json)"

# the runners: each its own checkout and the job's two command lines
mkdir bin
ln -s "$TLCPACK" bin/tlcpack
"$PY" - <<'PY'
import json
for i, j in enumerate(json.load(open("matrix.json"))):
    with open("job%d.sh" % i, "w") as f:
        # a failed job releases the others' wait
        f.write("trap '[ -e ../built%d ] || touch ../failed' EXIT\n" % i)
        f.write(j["build"] + "\n")
        # every upload starts once every build is done
        f.write("touch ../built%d\n" % i)
        f.write("while [ $(ls ../built* | wc -l) -lt $NJOBS ]; do\n"
                "\t[ ! -e ../failed ] || exit 1; sleep 0.1\ndone\n")
        f.write(j["publish"] + "\n")
    open("job%d.id" % i, "w").write(j["id"])
PY
pids=()
for ((i = 0; i < njobs; i++)); do
	mkdir "runner$i"
	(cd "runner$i" && tar -C ../checkout -cf - . | tar -xf -)
	(cd "runner$i" && PATH=$TLC_SCRATCH/bin:$PATH NJOBS=$njobs \
		TLCPACK_UPLOAD_URL=$base/ TWINE_USERNAME=__token__ \
		TWINE_PASSWORD=$(cat ../token) \
		sh -e "../job$i.sh" >out 2>err) &
	pids+=($!)
done
fail=0
for ((i = 0; i < njobs; i++)); do
	wait "${pids[$i]}" || { fail=1; echo "job $(cat job$i.id) failed:" >&2
		tail -30 "runner$i/err" >&2; }
done
[ "$fail" = 0 ] || die "a job failed"

# each job built exactly its own wheel, and uploaded it
for ((i = 0; i < njobs; i++)); do
	eval "$("$PY" - "$i" <<'PY'
import json, re, sys
j = json.load(open("matrix.json"))[int(sys.argv[1])]
dist = re.sub(r"[-_.]+", "_", j["project"])
print("dist=%s project=%s python=%s" % (dist, re.sub(r"[-_.]+", "-",
      j["project"]).lower(), j["python"]))
PY
)"
	tag=$("$python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
	ls "runner$i"/dist/ >list
	[ "$(wc -l <list)" = 1 ] || die "job $i made $(cat list)"
	w=$(cat list)
	case $w in
	"$dist-0.1.0-$tag-$tag-manylinux_"*.whl) ;;
	*) die "job $(cat job$i.id) made $w" ;;
	esac
	grep -qx "uploaded $w" "runner$i/out" || die "job $i: $(cat runner$i/out)"
	cmp -s "runner$i/dist/$w" "repo/files/$project/$w" ||
		die "the index does not hold $w byte for byte"
	grep -qF "files/$project/$w" repo/wheels.html || die "wheels.html lacks $w"
	grep -qF "$w" "repo/simple/$project/index.html" ||
		die "simple/$project/ lacks $w"
	grep -qF "$w" "repo/simple/$project/index.json" ||
		die "simple/$project/index.json lacks $w"
	echo "$project $w" >>wheels
done
[ "$(grep -c '"POST / HTTP/1.1" 200 ' access.log)" = "$njobs" ] ||
	die "not $njobs uploads answered 200: $(cat access.log)"
[ "$(ls repo/files/*/*.whl | wc -l)" = "$((njobs + 1))" ] ||
	die "the index holds other wheels: $(ls repo/files/*)"

# the check of docs/ci's final jobs, through the server
"$PY" -c 'import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["jobs"]["index"]["steps"]
print([s["run"] for s in steps if "EOF" in s.get("run", "")][0])' \
	"$TLC_SOURCE_DIR/docs/ci/github-workflow.yml" >check.sh
TLCPACK_UPLOAD_URL=$base MATRIX= bash -e check.sh >check.out 2>&1 ||
	die "the pipelines' final check failed: $(cat check.out)"
grep -q "^pip install --index-url $base/simple/ tlcpack-example$" check.out ||
	die "no pip line: $(cat check.out)"
# ... which fails when a job's wheel is missing
"$PY" -c 'import json; m = json.load(open("matrix.json"))
m.append(dict(m[0], id="cpu-python3.99", **{"python-version": "3.99"}))
json.dump(m, open("more.json", "w"))'
mkdir more && cp more.json more/matrix.json
(cd more && TLCPACK_UPLOAD_URL=$base MATRIX= bash -e ../check.sh \
	>../more.out 2>&1) && die "the final check passed with a wheel missing"
grep -q '^cpu-python3.99: MISSING$' more.out || die "$(cat more.out)"
# ... and prunes, on the server, each project of a channel with a keep
# count (two nightlies of seed-pkg, keep 1: the older is yanked)
mkpywheel seed-pkg 0.2.dev1 "" nightly
mkpywheel seed-pkg 0.2.dev2 "" nightly
"$TLCPACK" publish --to "$base/" --token-file token nightly/*.whl >/dev/null ||
	die "cannot upload the nightlies"
mkdir keep
"$PY" -c 'import json; m = json.load(open("matrix.json"))
seed = dict(m[0], id="seed-nightly", project="seed-pkg", keep=1)
seed.pop("python-version", None)
json.dump(m + [seed], open("keep/matrix.json", "w"))'
(cd keep && TLCPACK_UPLOAD_URL=$base MATRIX= TWINE_USERNAME=__token__ \
	TWINE_PASSWORD=$(cat ../token) bash -e ../check.sh >../keep.out 2>&1) ||
	die "the final check with a keep count failed: $(cat keep.out)"
grep -q '^yank   seed_pkg-0.2.dev1-py3-none-any.whl (py3-none-any)$' keep.out ||
	die "no prune: $(cat keep.out)"
grep -q 'data-yanked' repo/simple/seed-pkg/index.html ||
	die "the server did not yank the older nightly"
grep -q '"POST /-/prune HTTP/1.1" 200 ' access.log || die "no prune in the access log"

stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc: $(cat serve.err)"
"$TLCPACK" index --check --no-repair --repo repo >index.out 2>&1 ||
	die "index --check: $(cat index.out)"
start_serve --repo repo

# real pip, fresh venvs, through the served index
while read -r project w; do
	py=python3
	tag=${w#*-*-}; tag=${tag%%-*}
	[ "$tag" = "$(python3 -c 'import sys; print("cp%d%d" % sys.version_info[:2])')" ] ||
		py=$second
	rm -rf v && make_venv v "$py"
	v/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
		--index-url "$base/simple/" "$project" ||
		die "pip could not install $project for $tag"
	(cd / && "$TLC_SCRATCH/v/bin/python" -c 'import tlcexample, tlcexample._fast
assert tlcexample.dot([2.0], [3.0]) == 6.0') || die "$w does not work"
	v/bin/pip show "$project" | grep -x 'Version: 0.1.0' >/dev/null ||
		die "pip show $project: no version 0.1.0"
done <wheels
echo "fanout: $njobs jobs built, uploaded together, installed"
