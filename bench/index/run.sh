#!/bin/sh
# bench/index/run.sh: the wheel repository's page generation, tlcpack
# against a short standard-library generator (peer.py).
#
# Writes PROJECTS x PER_PROJECT tiny pure-Python wheels (gen.py), makes a
# repository of them with `tlcpack publish` (batched, a few thousand
# wheels a call), yanks one wheel in ten projects, and keeps both in
# BENCH_DIR for later runs.  Then, RUNS times, in turns:
#
#   full         `tlcpack index` (every page and fragment rewritten from
#                the states) against `peer.py index` (the same pages from
#                the same states), each on its own copy of the repository;
#   incremental  one more wheel, into an existing project, on a fresh
#                copy of the repository each: `tlcpack publish` (validate,
#                copy, .metadata, state, the pages it touches) against
#                `peer.py publish` (validate, copy, .metadata, state, then
#                every page, as most generators do).
#
# Both write every file durably (temporary file, fsync, rename, fsync of
# the directory); `sync` runs before each measured command so that the
# copies' writeback is not charged to it.  Prints the medians of the wall
# times (the peer's also without its interpreter's start-up) and of the
# CPU times (user and system), and the ratios, then checks that the peer's pages are byte for byte tlcpack's
# and that both published repositories pass `tlcpack index --check`.
#
# Variables (defaults):
#   BENCH_DIR    scratch directory, outside the repository
#                (/tmp/tlcpack-bench-index)
#   BUILD        a build directory of this repository (<repo>/build)
#   TLCPACK      the tlcpack binary ($BUILD/tlcpack)
#   PYTHON       the interpreter for the peer (/usr/bin/python3 if there,
#                else python3; version managers' shims are resolved)
#   PROJECTS     projects (200)
#   PER_PROJECT  wheels per project (50)
#   RUNS         runs of each (5)
#   PEER_FSYNC   1: the peer fsyncs as tlcpack does; 0: it does not (1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tlcpack-bench-index}
BUILD=${BUILD:-$repo/build}
TLCPACK=${TLCPACK:-$BUILD/tlcpack}
PROJECTS=${PROJECTS:-200}
PER_PROJECT=${PER_PROJECT:-50}
RUNS=${RUNS:-5}
PEER_FSYNC=${PEER_FSYNC:-1}

die() {
	echo "bench/index: $*" >&2
	exit 1
}

case "$BENCH_DIR" in
"$repo" | "$repo"/*) die "BENCH_DIR must be outside the repository" ;;
esac
[ -x "$TLCPACK" ] || die "no tlcpack at '$TLCPACK' (set BUILD or TLCPACK)"
if [ -z "${PYTHON:-}" ]; then
	PYTHON=python3
	[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
# a shim (pyenv ...) would add its own start-up to every peer run
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
	die "no python3 (set PYTHON)"
if [ "$PROJECTS" -lt 1 ] || [ "$PER_PROJECT" -lt 1 ]; then
	die "PROJECTS and PER_PROJECT must be at least 1"
fi
peer_opt=
[ "$PEER_FSYNC" = 1 ] || peer_opt=--no-fsync

# ---- the wheels and the repository (once) --------------------------------
wheels=$BENCH_DIR/wheels
base=$BENCH_DIR/repo
stamp="$PROJECTS $PER_PROJECT $(cksum <"$here/gen.py")"
if [ "$(cat "$BENCH_DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
	# never empty a directory this script did not make
	if [ -d "$BENCH_DIR" ] && [ ! -f "$BENCH_DIR/stamp" ] &&
	   [ -n "$(ls -A "$BENCH_DIR")" ]; then
		die "'$BENCH_DIR' is not empty and not a bench/index directory"
	fi
	rm -rf "$BENCH_DIR"
	mkdir -p "$wheels"
	echo "bench/index: writing $((PROJECTS * PER_PROJECT)) wheels"
	"$PYTHON" "$here/gen.py" "$wheels" "$PROJECTS" "$PER_PROJECT" ||
		die "gen.py failed"
	echo "bench/index: publishing them into $base"
	start=$(date +%s.%N)
	# relative names, a few thousand a call (each call batches its pages)
	(cd "$wheels" && find . -name '*.whl' | sort |
		xargs -n 2500 "$TLCPACK" publish --repo "$base" >/dev/null) ||
		die "tlcpack publish failed"
	end=$(date +%s.%N)
	# one wheel in ten projects yanked (PEP 592), for data-yanked
	yank=$(i=0; while [ "$i" -lt "$PROJECTS" ]; do
		printf 'proj_%03d-1.0.dev0-py3-none-any.whl\n' "$i"
		i=$((i + 10))
	done)
	# shellcheck disable=SC2086
	"$TLCPACK" yank --repo "$base" -m "broken build <see #12> & 'co'" \
		$yank >/dev/null || die "tlcpack yank failed"
	echo "$start $end" | awk '{ printf "bench/index: made in %.1f s\n", $2 - $1 }'
	echo "$stamp" >"$BENCH_DIR/stamp"
fi
extra_project=$(printf 'proj-%03d' $((PROJECTS / 2)))
extra=$("$PYTHON" "$here/gen.py" "$BENCH_DIR/extra" --one "$extra_project" \
	"1.0.dev$PER_PROJECT") || die "gen.py failed"
extra_base=${extra##*/}

echo "bench/index: $PROJECTS projects x $PER_PROJECT wheels," \
     "$(find "$base/files" -name '*.whl' | wc -l) in the repository;" \
     "one more: $extra_base"
echo "machine: $(nproc) CPUs; $RUNS runs each, medians; peer: $PYTHON" \
     "$("$PYTHON" -c 'import platform; print(platform.python_version())')," \
     "fsync $([ "$PEER_FSYNC" = 1 ] && echo on || echo off)"

# ---- the runs ------------------------------------------------------------
m() { "$PYTHON" "$here/measure.py" "$@"; }
# Before each timed command: write back what the copies left dirty, then
# one small fsync, which waits for the disk to flush its own cache of
# them (here sync(1) returns before that, and the next fsync, the timed
# command's first, paid 20 to 35 ms for the copy).
settle() {
	sync
	dd if=/dev/zero of="$BENCH_DIR/settle" bs=4k count=1 conv=fsync \
		status=none
}
for f in full-t full-p inc-t inc-p; do
	: >"$BENCH_DIR/$f.txt"
done
rm -rf "$BENCH_DIR/full-p"
cp -a "$base" "$BENCH_DIR/full-p"
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	# every page written, not compared with an identical one and left
	rm -rf "$base/simple" "$base/wheels.html" "$base/.tlcpack/flat"
	settle
	m "$TLCPACK" index --repo "$base" >>"$BENCH_DIR/full-t.txt"
	settle
	m "$PYTHON" -I "$here/peer.py" index "$BENCH_DIR/full-p" $peer_opt \
		>>"$BENCH_DIR/full-p.txt"
	# the new wheel must be new to each: a fresh copy every run
	rm -rf "$BENCH_DIR/inc-t" "$BENCH_DIR/inc-p"
	cp -a "$base" "$BENCH_DIR/inc-t"
	cp -a "$base" "$BENCH_DIR/inc-p"
	settle
	m "$TLCPACK" publish --repo "$BENCH_DIR/inc-t" "$extra" \
		>>"$BENCH_DIR/inc-t.txt"
	settle
	m "$PYTHON" -I "$here/peer.py" publish "$BENCH_DIR/inc-p" "$extra" \
		$peer_opt >>"$BENCH_DIR/inc-p.txt"
done

# ---- the checks ----------------------------------------------------------
chk=$BENCH_DIR/check
pages() { # the pages both write: wheels.html and simple/
	diff -r "$1/simple" "$2/simple" >/dev/null &&
		cmp -s "$1/wheels.html" "$2/wheels.html"
}
"$TLCPACK" index --repo "$base" --check --no-repair >/dev/null ||
	die "the repository fails tlcpack index --check"
# the peer's pages, written from scratch, are tlcpack's byte for byte
rm -rf "$chk"
cp -a "$base" "$chk"
rm -rf "$chk/simple" "$chk/wheels.html"
"$PYTHON" -I "$here/peer.py" index "$chk" >/dev/null ||
	die "peer.py index failed"
pages "$base" "$chk" || die "the peer's pages differ from tlcpack's"
"$TLCPACK" index --repo "$BENCH_DIR/inc-t" --check --no-repair >/dev/null ||
	die "tlcpack's publish fails tlcpack index --check"
grep -q "$extra_base" "$BENCH_DIR/inc-t/simple/$extra_project/index.html" ||
	die "tlcpack's publish does not list $extra_base"
# the peer's publish: its state as tlcpack's (upload times aside), its
# pages what tlcpack renders from that state, its files what they claim
"$PYTHON" - "$BENCH_DIR/inc-t" "$BENCH_DIR/inc-p" "$extra_project" <<'PY' ||
import json, sys
a, b = (json.load(open("%s/.tlcpack/state/%s.json" % (d, sys.argv[3])))
        for d in sys.argv[1:3])
for f in a["files"] + b["files"]:
    del f["upload-time"]
sys.exit(a != b)
PY
	die "the peer's state differs from tlcpack's"
rm -rf "$chk"
cp -a "$BENCH_DIR/inc-p" "$chk"
"$TLCPACK" index --repo "$chk" >/dev/null || die "tlcpack index failed"
pages "$BENCH_DIR/inc-p" "$chk" ||
	die "the peer's pages after publish differ from tlcpack's"
"$TLCPACK" index --repo "$chk" --check --no-repair >/dev/null ||
	die "the peer's publish fails tlcpack index --check"
rm -rf "$chk"
echo "checks: the peer's pages are tlcpack's, byte for byte; both" \
     "publishes pass tlcpack index --check"

# ---- the figures ---------------------------------------------------------
"$PYTHON" - "$BENCH_DIR" <<'PY'
import statistics, sys
d = sys.argv[1]
def load(name):
    rows = [l.split() for l in open("%s/%s.txt" % (d, name)) if l.strip()]
    med = lambda k: statistics.median(float(r[k]) for r in rows)
    inner = med(2) if rows[0][2] != "-" else None
    return dict(wall=med(0), inner=inner, rss=med(1) / 1024, cpu=med(3),
                best=min(float(r[0]) for r in rows))
ms = lambda s: "%8.1f" % (s * 1000)
print("%-34s %8s %8s %8s %8s %7s" % ("milliseconds, medians", "wall",
                                     "min wall", "in-proc", "CPU", "RSS MiB"))
for label, t, p in (("full regeneration", "full-t", "full-p"),
                    ("publish one wheel", "inc-t", "inc-p")):
    t, p = load(t), load(p)
    print("%-34s %s %s %8s %s %7.1f" % ("tlcpack: " + label, ms(t["wall"]),
          ms(t["best"]), "", ms(t["cpu"]), t["rss"]))
    print("%-34s %s %s %s %s %7.1f" % ("peer.py: " + label, ms(p["wall"]),
          ms(p["best"]), ms(p["inner"]), ms(p["cpu"]), p["rss"]))
    print("  ratio (peer / tlcpack): %.1fx wall (%.1fx without the "
          "interpreter's start-up), %.1fx CPU"
          % (p["wall"] / t["wall"], p["inner"] / t["wall"],
             p["cpu"] / t["cpu"]))
PY
