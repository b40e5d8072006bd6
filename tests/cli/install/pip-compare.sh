# tlc_install_wheel() against real pip: the same wheels installed by both
# into a --root tree, with the scheme of this machine's /usr/bin/python3
# (detected through chroot / as tlcpack image build detects a base's).
# Every file, its bytes and mode, and every directory must be the same,
# except for the differences install.h documents: INSTALLER ("tlcpack"),
# and RECORD's INSTALLER line.  Then the installed package and its
# launchers run, a second install gives the same bytes, and hostile
# wheels are refused with one line, writing nothing.
. "$TLC_CASE_DIR/../lib.sh"

CHECK=${TLC_INSTALL_CHECK:-$TLC_BUILD_DIR/tests/install_check}
PY=/usr/bin/python3
[ -x "$CHECK" ] || die "no install_check at $CHECK"
"$PY" -m pip --version >/dev/null 2>&1 || die "no pip for $PY (scripts/deps.sh --test installs python3-pip)"
"$PY" -c 'import wheel' 2>/dev/null || die "no python3-wheel for $PY (scripts/deps.sh --test)"
umask 022

# -- wheels: purelib with every .data key and entry points, and a platlib
#    one, packed by python3-wheel (not by tlcpack)
d=src-demo/tlcinstdemo-1.0.dist-info
mkdir -p src-demo/tlcinstdemo "$d" \
	src-demo/tlcinstdemo-1.0.data/scripts \
	src-demo/tlcinstdemo-1.0.data/data/share/tlcinstdemo \
	src-demo/tlcinstdemo-1.0.data/headers \
	src-demo/tlcinstdemo-1.0.data/platlib/tlcinstdemo_ext \
	src-demo/tlcinstdemo-1.0.data/purelib/tlcinstdemo_extra
cat >src-demo/tlcinstdemo/__init__.py <<'PYEOF'
__version__ = "1.0"
def main():
    print("demo main", __version__)
    return 0
class cli:
    @staticmethod
    def run():
        print("demo gui")
        return 0
PYEOF
printf 'DATA = 1\n' >src-demo/tlcinstdemo/data,with,commas.py
printf '#!python -u\nimport tlcinstdemo\nprint("script", tlcinstdemo.__version__)\n' \
	>src-demo/tlcinstdemo-1.0.data/scripts/demo-script
chmod 755 src-demo/tlcinstdemo-1.0.data/scripts/demo-script
printf '#!/bin/sh\necho plain\n' >src-demo/tlcinstdemo-1.0.data/scripts/plain.sh
chmod 755 src-demo/tlcinstdemo-1.0.data/scripts/plain.sh
printf 'readme\n' >src-demo/tlcinstdemo-1.0.data/data/share/tlcinstdemo/README
printf '#define DEMO 1\n' >src-demo/tlcinstdemo-1.0.data/headers/demo.h
printf 'X = 1\n' >src-demo/tlcinstdemo-1.0.data/platlib/tlcinstdemo_ext/__init__.py
printf 'Y = 2\n' >src-demo/tlcinstdemo-1.0.data/purelib/tlcinstdemo_extra/__init__.py
printf 'Metadata-Version: 2.1\nName: tlcinstdemo\nVersion: 1.0\n' >"$d/METADATA"
printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' >"$d/WHEEL"
printf '[console_scripts]\ndemo = tlcinstdemo:main\n\n[gui_scripts]\ndemo-gui = tlcinstdemo:cli.run [extra]\n\n[other.group]\nx = y\n' \
	>"$d/entry_points.txt"

d=src-plat/tlcinstplat-2.0.dist-info
mkdir -p src-plat/tlcinstplat "$d" src-plat/tlcinstplat-2.0.data/purelib
printf 'import os\nHERE = os.path.dirname(__file__)\n' >src-plat/tlcinstplat/__init__.py
printf '\177ELF-not-really' >src-plat/tlcinstplat/_native.so
chmod 755 src-plat/tlcinstplat/_native.so
printf 'Z = 3\n' >src-plat/tlcinstplat-2.0.data/purelib/tlcinstplat_pure.py
printf 'Metadata-Version: 2.1\nName: tlcinstplat\nVersion: 2.0\n' >"$d/METADATA"
printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-linux_%s\n' \
	"$(uname -m)" >"$d/WHEEL"
mkdir -p wheels
for s in src-demo src-plat; do
	"$PY" -m wheel pack -d wheels "$s" >/dev/null || die "wheel pack $s"
done

# -- pip, as a system install relocated under --root
"$PY" -m pip install --no-deps --no-compile --no-index --find-links wheels \
	--root "$PWD/pip-root" --break-system-packages \
	--disable-pip-version-check --no-warn-script-location -q \
	tlcinstdemo tlcinstplat >pip.log 2>&1 || { cat pip.log >&2; die "pip install"; }

# -- tlcpack
mkdir tlc-root
"$CHECK" install / tlc-root wheels/*.whl || die "install_check install"

listing() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %P\n' | LC_ALL=C sort)
}
listing pip-root >pip.list
listing tlc-root >tlc.list
diff -u pip.list tlc.list >&2 || die "the trees differ (files, types or modes)"
[ "$(wc -l <tlc.list)" -gt 20 ] || die "too few files installed"

site=usr/local/lib/python3.11/dist-packages
ndiff=0
while read -r type mode path; do
	[ "$type" = f ] || continue
	case $path in
	*.dist-info/INSTALLER)
		[ "$(cat "tlc-root/$path")" = tlcpack ] || die "$path"
		[ "$(cat "pip-root/$path")" = pip ] || die "pip's $path"
		continue ;;
	*.dist-info/RECORD)
		# the same lines but INSTALLER's, and the same order and CRLF
		grep -v '/INSTALLER,' "pip-root/$path" >rec.pip
		grep -v '/INSTALLER,' "tlc-root/$path" >rec.tlc
		cmp -s rec.pip rec.tlc || { diff -u rec.pip rec.tlc >&2 || true; die "$path differs"; }
		grep -q $'\r$' "tlc-root/$path" || die "$path: no CRLF"
		continue ;;
	esac
	cmp -s "pip-root/$path" "tlc-root/$path" || {
		diff -u "pip-root/$path" "tlc-root/$path" >&2 || true
		ndiff=$((ndiff + 1))
	}
done <tlc.list
[ "$ndiff" = 0 ] || die "$ndiff files differ from pip's"

# the scheme paths really were used
for f in usr/local/bin/demo usr/local/bin/demo-gui usr/local/bin/demo-script \
	usr/local/bin/plain.sh usr/local/share/tlcinstdemo/README \
	usr/include/python3.11/tlcinstdemo/demo.h \
	"$site/tlcinstdemo_ext/__init__.py" "$site/tlcinstplat/_native.so" \
	"$site/tlcinstplat_pure.py" "$site/tlcinstdemo-1.0.dist-info/REQUESTED"; do
	[ -f "tlc-root/$f" ] || die "missing $f"
done
head -1 tlc-root/usr/local/bin/demo-script | grep -qx '#!/usr/bin/python3' ||
	die "#!python not rewritten"
find tlc-root -name '*.pyc' | grep -q . && die "byte-compiled files"

# -- it runs: the package, the launchers, the rewritten script
export PYTHONPATH=$PWD/tlc-root/$site
[ "$(tlc-root/usr/local/bin/demo)" = "demo main 1.0" ] || die "console launcher"
[ "$(tlc-root/usr/local/bin/demo-gui)" = "demo gui" ] || die "gui launcher"
[ "$(tlc-root/usr/local/bin/demo-script)" = "script 1.0" ] || die "script"
unset PYTHONPATH

# -- reproducible: a second install, the same bytes and modes
mkdir tlc-root2
"$CHECK" install / tlc-root2 wheels/*.whl || die "second install"
listing tlc-root2 >tlc2.list
cmp -s tlc.list tlc2.list || die "second install: other files or modes"
diff -r tlc-root tlc-root2 >/dev/null || die "second install: other bytes"

# -- hostile wheels: one line, nothing written
"$PY" - <<'PYEOF'
import base64, hashlib, zipfile
def rec(name, data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "%s,sha256=%s,%d\n" % (name, h.decode(), len(data))
def wheel(fn, members, lie=None, ep=None, force_names=False):
    n, v = fn.split("-")[:2]
    di = "%s-%s.dist-info" % (n, v)
    files = dict(members)
    files[di + "/METADATA"] = b"Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (n.encode(), v.encode())
    files[di + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if ep is not None:
        files[di + "/entry_points.txt"] = ep
    r = "".join(rec(k, lie if (lie is not None and k.endswith("mod.py")) else d) for k, d in files.items())
    r += di + "/RECORD,,\n"
    with zipfile.ZipFile("hostile/" + fn, "w") as z:
        for k, d in files.items():
            z.writestr(k, d)
        z.writestr(di + "/RECORD", r)
import os
os.makedirs("hostile", exist_ok=True)
wheel("badrecord-1.0-py3-none-any.whl", {"badrecord/mod.py": b"x = 1\n"}, lie=b"x = 2\n")
wheel("dotdot-1.0-py3-none-any.whl", {"dotdot/mod.py": b"x\n", "dotdot-1.0.data/data/../../../etc/evil": b"evil\n"})
wheel("badkey-1.0-py3-none-any.whl", {"badkey/mod.py": b"x\n", "badkey-1.0.data/root/etc/evil": b"evil\n"})
wheel("badep-1.0-py3-none-any.whl", {"badep/mod.py": b"x\n"}, ep=b"[console_scripts]\n../../evil = badep.mod:main\n")
wheel("badref-1.0-py3-none-any.whl", {"badref/mod.py": b"x\n"}, ep=b"[console_scripts]\nok = badref.mod\n")
PYEOF
for w in hostile/*.whl; do
	rm -rf h-root && mkdir h-root
	if "$CHECK" install / h-root "$w" 2>h.err; then
		die "$w was installed"
	fi
	[ "$(wc -l <h.err)" = 1 ] || { cat h.err >&2; die "$w: not one line"; }
	[ -z "$(ls -A h-root)" ] || die "$w: something was written"
	sed "s|^install_check: ||" h.err
done
echo ok
