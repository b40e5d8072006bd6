#!/usr/bin/env bash
# Real pip reads the index pages: find-links (wheels.html), PEP 503 HTML
# through a file:// index URL, and PEP 691 JSON from an HTTP server on
# 127.0.0.1 that negotiates the content type as PyPI does.  Each way:
#   - the newest installable version is chosen: alpha 2.0 is yanked
#     (PEP 592) and alpha 3.0 needs Python < 3 (data-requires-python,
#     escaped as &lt;3), so "alpha" gets 1.1+local.1, whose '+' is %2B
#     in the link;
#   - "alpha==2.0" still gets the yanked file, with pip's warning quoting
#     the reason as written (& < > " ' unescaped);
#   - "Beta.Pkg" finds the normalized project beta-pkg;
#   - a wrong #sha256 (or JSON "hashes") makes pip refuse the download,
#     as does a wrong PEP 658 metadata hash on the JSON page.
set -euo pipefail

: "${TLC_INDEX_RENDER:?TLC_INDEX_RENDER must name the tlc_index_render binary}"

die() { echo "FAIL: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

scratch=$(mktemp -d /tmp/tlc-index-pip-XXXXXX)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"

# 1. The wheels: pure Python, with a correct RECORD.
python3 - repo <<'EOF'
import base64, hashlib, os, sys, zipfile

repo = sys.argv[1]

def b64(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()

def wheel(project, dist, version, requires_python=None, yanked=None,
          metadata_file=True, page_requires_python=None):
    pkg = dist.lower()
    meta = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
    if requires_python:
        meta += f"Requires-Python: {requires_python}\n"
    di = f"{dist}-{version}.dist-info"
    members = {
        f"{pkg}/__init__.py": f"VERSION = {version!r}\n".encode(),
        f"{di}/METADATA": meta.encode(),
        f"{di}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tlc-test\n"
                       b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{n},{b64(d)},{len(d)}\n" for n, d in members.items())
    record += f"{di}/RECORD,,\n"
    members[f"{di}/RECORD"] = record.encode()
    d = os.path.join(repo, "files", project)
    os.makedirs(d, exist_ok=True)
    name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(d, name), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0)), data)
    if metadata_file:
        with open(os.path.join(d, name + ".metadata"), "wb") as f:
            f.write(meta.encode())
    for ext, text in ((".yanked", yanked),
                      (".requires-python",
                       page_requires_python or requires_python)):
        if text is not None:
            with open(os.path.join(d, name + ext), "w") as f:
                f.write(text + "\n")

wheel("alpha", "alpha", "1.0", requires_python=">=3.8")
wheel("alpha", "alpha", "1.1+local.1")
wheel("alpha", "alpha", "2.0", yanked="broken & <bad> \"x\" 'y'")
# only the page says so: pip must read it there
wheel("alpha", "alpha", "3.0", page_requires_python="<3")
wheel("beta-pkg", "beta_pkg", "0.1", metadata_file=False)
EOF

# 2. The pages.
"$TLC_INDEX_RENDER" repo || die "cannot render the pages"
grep -q 'alpha-1.1%2Blocal.1-py3-none-any.whl#sha256=' repo/wheels.html ||
	die "wheels.html has no %2B link"
grep -q 'data-requires-python="&lt;3"' repo/simple/alpha/index.html ||
	die "the project page has no escaped requires-python"

# 3. pip, alone: no configuration, no cache, no network but 127.0.0.1.
python3 -m venv venv >/dev/null 2>&1 || die "cannot create a venv"
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 \
	PIP_NO_CACHE_DIR=1 PIP_NO_INPUT=1 PIP_NO_COLOR=1
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_NO_INDEX || true
pip() { venv/bin/python -m pip "$@"; }
pip --version

# The distributions installed into the target directory $1.
installed() {
	(cd "$1" && ls -d ./*.dist-info) | sed 's|^\./||; s|\.dist-info$||' |
		sort | tr '\n' ' '
}

# check NAME PIP-SOURCE-OPTIONS...: the three installs above.
check() {
	local name=$1 got
	shift
	pip install -q --no-compile --target "t-$name" "$@" alpha Beta.Pkg \
		>"$name.out" 2>&1 ||
		{ cat "$name.out"; die "$name: pip failed"; }
	got=$(installed "t-$name")
	[ "$got" = "alpha-1.1+local.1 beta_pkg-0.1 " ] ||
		{ cat "$name.out"; die "$name: installed '$got'"; }
	pip install -q --no-compile --target "t-$name-pin" "$@" alpha==2.0 \
		>"$name-pin.out" 2>&1 ||
		{ cat "$name-pin.out"; die "$name: pip failed on alpha==2.0"; }
	got=$(installed "t-$name-pin")
	[ "$got" = "alpha-2.0 " ] || die "$name: pinned, installed '$got'"
	grep -qF "Reason for being yanked: broken & <bad> \"x\" 'y'" \
		"$name-pin.out" ||
		{ cat "$name-pin.out"; die "$name: no yank reason"; }
	echo "ok: $name"
}

# refused NAME WHAT PIP-SOURCE-OPTIONS...: pip must fail on alpha, saying
# WHAT.
refused() {
	local name=$1 what=$2
	shift 2
	if pip install -q --no-compile --target "t-$name" "$@" alpha \
		>"$name.out" 2>&1; then
		cat "$name.out"
		die "$name: pip accepted a wrong hash"
	fi
	grep -q "$what" "$name.out" ||
		{ cat "$name.out"; die "$name: no '$what'"; }
	echo "ok: $name"
}

check flat --no-index --find-links "$scratch/repo/wheels.html"
check file-simple --index-url "file://$scratch/repo/simple/"

# An HTTP server on 127.0.0.1 that serves index.json to a client asking
# for PEP 691 JSON, and logs what it served.
python3 "$here/server.py" "$scratch/repo" \
	"$scratch/port" "$scratch/served" &
server=$!
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || die "the HTTP server did not start"
url="http://127.0.0.1:$(cat port)/simple/"

check http-json --index-url "$url"
grep -qx "GET /simple/alpha/index.json application/vnd.pypi.simple.v1+json" served ||
	{ cat served; die "pip was not served the JSON page"; }
grep -qx "GET /simple/beta-pkg/index.json application/vnd.pypi.simple.v1+json" served ||
	{ cat served; die "pip was not served beta-pkg's JSON page"; }
# PEP 658: pip resolved from the metadata file, before the wheel
grep -q '^GET /files/alpha/alpha-1.1+local.1-py3-none-any.whl.metadata ' served ||
	{ cat served; die "pip did not fetch the PEP 658 metadata file"; }

# 4. Wrong hashes are refused: pip checks what the pages say.
flip() {	# flip the first hex digit after "$2" on the line with "$3"
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
path, key, near = sys.argv[1:4]
text = open(path).read()
at = text.index(key, text.index(near)) + len(key)
text = text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1:]
open(path, "w").write(text)
EOF
}
cp repo/wheels.html repo/bad.html
flip repo/bad.html '#sha256=' 'alpha-1.1%2Blocal.1'
refused flat-bad-hash "Expected sha256" --no-index --find-links \
	"$scratch/repo/bad.html"

cp repo/simple/alpha/index.json alpha.json
flip repo/simple/alpha/index.json '"core-metadata":{"sha256":"' \
	'"filename":"alpha-1.1+local.1'
flip repo/simple/alpha/index.json '"dist-info-metadata":{"sha256":"' \
	'"filename":"alpha-1.1+local.1'
refused http-bad-metadata-hash "Expected sha256" --index-url "$url"

cp alpha.json repo/simple/alpha/index.json
flip repo/simple/alpha/index.json '"hashes":{"sha256":"' \
	'"filename":"alpha-1.1+local.1'
refused http-bad-hash "Expected sha256" --index-url "$url"
