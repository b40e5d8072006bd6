#!/bin/sh
# End to end: `tlcpack pack` a small wheel, install it with real pip into a
# fresh venv, import it, run `twine check --strict` on it, and unpack it
# with `python3 -m wheel unpack` (which checks every RECORD hash).
#
# usage: e2e.sh TLCPACK       (PYTHON picks the interpreter; default python3)
set -eu

TLCPACK=$1
PYTHON=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/tlc-wheel-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
	echo "e2e: $*" >&2
	exit 1
}

# ---- an unpacked wheel --------------------------------------------------
tree=$work/tree
di=$tree/demo_tlc-0.1.0.dist-info
mkdir -p "$tree/demo_tlc/data" "$di/licenses"
cat > "$tree/demo_tlc/__init__.py" <<'EOF'
__version__ = "0.1.0"


def answer():
    return 42
EOF
seq 1 400000 > "$tree/demo_tlc/data/numbers.txt"	# 2.7 MB: chunked
printf '#!/bin/sh\necho tool\n' > "$tree/demo_tlc/data/tool.sh"
chmod 755 "$tree/demo_tlc/data/tool.sh"
cat > "$di/METADATA" <<'EOF'
Metadata-Version: 2.1
Name: demo-tlc
Version: 0.1.0
Summary: A package for the tlcpack end-to-end test
Author: tlcpack
License: MIT
Requires-Python: >=3.8
Description-Content-Type: text/markdown
License-File: LICENSE

# demo-tlc

A *small* package, packed by `tlcpack pack`.
EOF
printf 'Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n' > "$di/WHEEL"
echo "MIT License" > "$di/licenses/LICENSE"
echo demo_tlc > "$di/top_level.txt"

# ---- pack, twice, with different thread counts ----------------------------
whl=$(SOURCE_DATE_EPOCH=1700000000 "$TLCPACK" pack "$tree" -d "$work/out" \
	2>"$work/err") || fail "pack failed: $(cat "$work/err")"
[ "$whl" = "$work/out/demo_tlc-0.1.0-py3-none-any.whl" ] ||
	fail "pack printed '$whl'"
[ -f "$whl" ] || fail "no wheel at $whl"
again=$(SOURCE_DATE_EPOCH=1700000000 "$TLCPACK" pack --threads 1 \
	--level 6 -d "$work/out1" "$tree" 2>/dev/null)
cmp "$whl" "$again" || fail "1 thread and all threads differ"

# ---- pip into a fresh venv ----------------------------------------------
"$PYTHON" -m venv "$work/venv" || fail "cannot make a venv"
"$work/venv/bin/python" -m pip install --no-index --no-deps \
	--disable-pip-version-check -q "$whl" || fail "pip install failed"
"$work/venv/bin/python" - <<'EOF' || fail "import failed"
import importlib.metadata as md
import os
import demo_tlc
assert demo_tlc.answer() == 42
assert md.version("demo-tlc") == "0.1.0"
d = md.distribution("demo-tlc")
assert d.metadata["Summary"].startswith("A package")
assert "A *small* package" in d.metadata.get_payload()
tool = os.path.join(os.path.dirname(demo_tlc.__file__), "data", "tool.sh")
assert os.access(tool, os.X_OK), "tool.sh lost its exec bit"
print("e2e: pip installed and imported demo_tlc", d.version)
EOF
site=$("$work/venv/bin/python" -c 'import demo_tlc, os; print(os.path.dirname(demo_tlc.__file__))')
cmp "$site/data/numbers.txt" "$tree/demo_tlc/data/numbers.txt" ||
	fail "installed data differs"

# ---- twine -----------------------------------------------------------------
if command -v twine >/dev/null 2>&1; then
	twine check --strict "$whl" || fail "twine check failed"
else
	"$PYTHON" -m twine check --strict "$whl" || fail "twine is not installed"
fi

# ---- wheel's own reader ------------------------------------------------------
wpy=
for py in "$PYTHON" python3 /usr/bin/python3; do
	if "$py" -c 'import wheel' 2>/dev/null; then
		wpy=$py
		break
	fi
done
if [ -n "$wpy" ]; then
	"$wpy" -m wheel unpack -d "$work/unpacked" "$whl" >/dev/null ||
		fail "wheel unpack failed"
	diff -r -x RECORD "$tree" "$work/unpacked/demo_tlc-0.1.0" ||
		fail "unpacked tree differs"
else
	echo "e2e: no python with the wheel package: skipped wheel unpack"
fi

# ---- errors ----------------------------------------------------------------
set +e
"$TLCPACK" pack "$work/nope" >/dev/null 2>"$work/err"
[ $? -eq 1 ] || fail "missing dir: want exit 1"
grep -q "^tlcpack: cannot open directory '$work/nope'" "$work/err" ||
	fail "missing dir: message '$(cat "$work/err")'"
"$TLCPACK" pack >/dev/null 2>&1
[ $? -eq 129 ] || fail "no dir: want exit 129"
"$TLCPACK" pack --level 10 "$tree" >/dev/null 2>&1
[ $? -eq 129 ] || fail "--level 10: want exit 129"
SOURCE_DATE_EPOCH=soon "$TLCPACK" pack "$tree" -d "$work/o3" >/dev/null 2>&1
[ $? -eq 128 ] || fail "bad SOURCE_DATE_EPOCH: want exit 128"
[ ! -e "$work/o3" ] || fail "bad SOURCE_DATE_EPOCH: made an output dir"
"$TLCPACK" pack --help | grep -q "usage: tlcpack pack" || fail "--help"
echo "e2e: ok"
