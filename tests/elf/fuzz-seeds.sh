#!/bin/sh
# Fill the directory $1 with seeds for fuzz_elf: small shared libraries
# and programs compiled here (soname, RUNPATH, RPATH, DT_NEEDED, version
# definitions and needs; -m32 where the compiler can), stripped to keep
# them small, the 1 KiB images of tests/elf/mkimage.py (32/64-bit, little
# and big endian), and the smallest ELF files of the system.  No binary is
# committed: the seeds are made at run time.
set -eu
out=${1:?usage: fuzz-seeds.sh DIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}

cat >"$tmp/foo.c" <<'C'
#include <math.h>
#include <string.h>
double foo_cos(double x) { return cos(x); }
void foo_copy(char *d, const char *s, size_t n) { memcpy(d, s, n); }
C
cat >"$tmp/foo.map" <<'MAP'
FOO_1.0 { global: foo_cos; local: *; };
FOO_2.0 { global: foo_copy; } FOO_1.0;
MAP
cat >"$tmp/app.c" <<'C'
double foo_cos(double);
int main(void) { return foo_cos(0) > 2; }
C

small='-Wl,-z,noseparate-code -Wl,-z,max-page-size=4096 -s'
# $small is a list of flags; $ORIGIN is for the linker, not the shell
# shellcheck disable=SC2086,SC2016
if $cc -shared -fPIC $small -o "$tmp/libfoo.so.1" "$tmp/foo.c" \
	-Wl,-soname,libfoo.so.1 -Wl,--version-script="$tmp/foo.map" \
	-Wl,--no-as-needed -lm -Wl,-rpath,'$ORIGIN/lib' \
	-Wl,--enable-new-dtags 2>/dev/null; then
	cp "$tmp/libfoo.so.1" "$out/seed-libfoo-runpath.so"
	$cc -shared -fPIC $small -o "$out/seed-libbar-rpath.so" "$tmp/foo.c" \
		-Wl,-soname,libbar.so -Wl,-rpath,/opt/x -Wl,--disable-new-dtags \
		-lm 2>/dev/null || true
	$cc $small -o "$out/seed-app" "$tmp/app.c" -L"$tmp" -l:libfoo.so.1 \
		2>/dev/null || true
	$cc -m32 -shared -fPIC $small -o "$out/seed-libfoo32.so" \
		"$tmp/foo.c" -lm 2>/dev/null || true
fi

# hand-made images of both classes and byte orders
python3 "$(dirname "$0")/mkimage.py" "$out"

# a few of the smallest system libraries, as they are
n=0
for f in $(find /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu \
	-maxdepth 1 -name '*.so.*' -type f -size -24k 2>/dev/null | sort |
	head -40); do
	head -c 4 "$f" | grep -q ELF || continue
	cp "$f" "$out/sys-$(basename "$f")"
	n=$((n + 1))
	[ "$n" -ge 8 ] && break
done
echo "fuzz-seeds: $(find "$out" -type f | wc -l) seeds in $out" >&2
