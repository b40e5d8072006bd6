# What repair refuses, each with one clear line, a non-zero exit, no
# wheel written and the input untouched: a policy the wheel cannot meet,
# a library that is nowhere, an unknown policy, a file that is no wheel,
# and (with a patchelf that does not do what it is asked) an edit that
# fails its check, which names the invariant broken.
. "$TLC_CASE_DIR/../lib.sh"
command -v patchelf >/dev/null || die "no patchelf (scripts/deps.sh installs it)"

refused() {	# expected stderr pattern, repair arguments...
	local pat=$1 before after
	shift
	before=$(sha256sum "${@: -1}")
	rm -rf out
	"$TLCPACK" repair -w out "$@" >out.txt 2>err.txt &&
		die "repair $* succeeded"
	after=$(sha256sum "${@: -1}")
	[ "$before" = "$after" ] || die "repair $* changed its input"
	[ -s out.txt ] && die "repair $* printed a wheel: $(cat out.txt)"
	ls out/*.whl >/dev/null 2>&1 && die "repair $* left a wheel in out/"
	# progress lines aside, one error line
	[ "$(grep -c "^tlcpack: " err.txt)" -eq 1 ] || { cat err.txt; die "not one line"; }
	grep -q "$pat" err.txt || { cat err.txt; die "no '$pat'"; }
}

mkdir -p wheels
printf '#include <stdlib.h>\nchar *f(void) { return secure_getenv("X"); }\n' >new.c
gcc -D_GNU_SOURCE -shared -fPIC -o new.so new.c
new=$(mkwheel new new.so)
refused "cannot repair pkg_new-1.0-py3-none-linux_x86_64.whl to manylinux_2_12: .*GLIBC_2.17" \
	--plat manylinux2010 "$new"
refused "unknown policy 'manylinux_2_99'" --plat manylinux_2_99 "$new"

printf 'int ghost(void) { return 1; }\n' >ghost.c
gcc -shared -fPIC -Wl,-soname,libghost.so.1 -o libghost.so ghost.c
printf 'int ghost(void);\nint f(void) { return ghost(); }\n' >needs.c
gcc -shared -fPIC -o needs.so needs.c -L. -lghost
rm libghost.so
needs=$(mkwheel needs needs.so)
refused "libghost.so.1, which .*not .*on this machine" "$needs"

echo "not a zip" >bogus-1.0-py3-none-any.whl
refused "bogus-1.0-py3-none-any.whl" bogus-1.0-py3-none-any.whl

# A library to graft, and a patchelf that exits 0 without editing.
printf '#include <jansson.h>\nvoid *f(void) { return json_object(); }\n' >ext.c
gcc -shared -fPIC -o ext.so ext.c -ljansson
ext=$(mkwheel ext ext.so)
printf '#!/bin/sh\nexit 0\n' >lazy-patchelf
chmod +x lazy-patchelf
refused "edit check failed for .*: SONAME libjansson.so.4, expected libjansson-[0-9a-f]*.so.4" \
	--patchelf "$PWD/lazy-patchelf" "$ext"
# One that drops the run path it was given.
cat >forgetful-patchelf <<'SH'
#!/bin/sh
case $1 in --set-rpath) exec patchelf --set-rpath '$ORIGIN/elsewhere' "$3" ;; esac
exec patchelf "$@"
SH
chmod +x forgetful-patchelf
refused "edit check failed for pkg_ext.libs/libjansson-[0-9a-f]*.so.4: RUNPATH is '\$ORIGIN/elsewhere', expected '\$ORIGIN'" \
	--patchelf "$PWD/forgetful-patchelf" "$ext"

# A policy with a legacy alias: the wheel carries both tags (PEP 600),
# and pip installs it.
"$TLCPACK" repair -w alias --plat manylinux2014 "$new" >alias.txt 2>alias.err ||
	{ cat alias.err; die "repair --plat manylinux2014 failed"; }
case $(cat alias.txt) in
*/pkg_new-1.0-py3-none-manylinux_2_17_"$(uname -m)".manylinux2014_"$(uname -m)".whl) ;;
*) die "not tagged manylinux_2_17 + manylinux2014: $(cat alias.txt)" ;;
esac
unzip -p "$(cat alias.txt)" pkg_new-1.0.dist-info/WHEEL >alias.wheel
grep -qx "Tag: py3-none-manylinux_2_17_$(uname -m)" alias.wheel &&
	grep -qx "Tag: py3-none-manylinux2014_$(uname -m)" alias.wheel ||
	{ cat alias.wheel; die "WHEEL lacks a Tag line per platform"; }
make_venv venv
venv/bin/pip install -q --no-index "$(cat alias.txt)" || die "pip refused the wheel"

# And the real patchelf does it right.
"$TLCPACK" repair -w good "$ext" >good.txt 2>good.err || { cat good.err; die "repair failed"; }
"$TLCPACK" audit --plat "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["policy"])' \
	<<<"$(unzip -p "$(cat good.txt)" 'pkg_ext-1.0.dist-info/tlcpack-repair.json')")" \
	"$(cat good.txt)" >/dev/null || die "the repaired wheel fails its audit"
echo "refusals: all refused cleanly"
