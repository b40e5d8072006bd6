# Audit verdicts on wheels made to need each policy level: shared
# libraries compiled here that call glibc functions of a known symbol
# version, C++ that needs a newer libstdc++, a library no policy allows,
# and one that is nowhere.  Each verdict, and each reason given for the
# better tag missed, is checked.
. "$TLC_CASE_DIR/../lib.sh"
[ "$(uname -m)" = x86_64 ] || skip "the symbol versions below are x86_64's"
command -v g++ >/dev/null || die "no g++ (scripts/deps.sh installs build-essential)"

# name | source | extra link flags | best policy | policy missed | reason
cat >cases.txt <<'CASES'
glibc_2_2_5|#include <string.h>\nsize_t f(const char *s) { return strlen(s); }||manylinux_2_5|-|-
glibc_2_14|#include <string.h>\nvoid *f(void *d, const void *s, size_t n) { return memcpy(d, s, n); }||manylinux_2_17|manylinux_2_12|GLIBC_2.14 from libc.so.6
glibc_2_17|#include <stdlib.h>\nchar *f(void) { return secure_getenv("HOME"); }||manylinux_2_17|manylinux_2_12|GLIBC_2.17 from libc.so.6
glibc_2_26|#include <stdlib.h>\nvoid *f(void *p) { return reallocarray(p, 2, 8); }||manylinux_2_26|manylinux_2_24|GLIBC_2.26 from libc.so.6
glibc_2_28|#include <fcntl.h>\nint f(int fd) { return fcntl64(fd, F_GETFD); }||manylinux_2_28|manylinux_2_27|GLIBC_2.28 from libc.so.6
glibc_2_34|#include <unistd.h>\nint f(void) { return close_range(100, 101, 0); }||manylinux_2_34|manylinux_2_31|GLIBC_2.34 from libc.so.6
external|#include <jansson.h>\nvoid *f(void) { return json_object(); }|-ljansson|linux|manylinux_2_5|libjansson.so.4
missing|int ghost(void);\nint f(void) { return ghost(); }|-L. -lghost|linux|manylinux_2_5|libghost.so.1, which is not in the wheel nor on this machine
CASES

# libghost exists only while linking
printf 'int ghost(void) { return 1; }\n' >ghost.c
gcc -shared -fPIC -Wl,-soname,libghost.so.1 -o libghost.so ghost.c

mkdir -p wheels
n=0
while IFS='|' read -r name src flags best missed reason; do
	printf "$src\n" >"$name.c"
	# shellcheck disable=SC2086
	gcc -D_GNU_SOURCE -shared -fPIC -O1 -o "$name.so" "$name.c" $flags ||
		die "$name: cannot compile"
	whl=$(mkwheel "$name" "$name.so") || die "$name: cannot pack"
	"$TLCPACK" audit --json "$whl" >"$name.json" || die "$name: audit failed"
	python3 - "$name.json" "$best" "$missed" "$reason" <<'PY' || die "$name: wrong verdict"
import json, sys
a = json.load(open(sys.argv[1]))[0]
best, missed, reason = sys.argv[2:5]
assert a["policy"] == best, (a["policy"], best, a["missed"])
if missed != "-":
    why = [w for m in a["missed"] if m["policy"] == missed for w in m["why"]]
    assert any(reason in w for w in why), (missed, reason, why)
    # the reason names the policy, the file and the rule broken
    assert all("lib" in w for w in why), why
else:
    assert a["missed"] == [], a["missed"]
PY
	n=$((n + 1))
done <cases.txt

# C++: std::string of the C++11 ABI needs GLIBCXX_3.4.21, which
# manylinux2014 (3.4.19 at most) does not allow.
printf '#include <string>\nextern "C" unsigned long f(const char *s) { return std::string(s).size(); }\n' >cxx.cc
g++ -shared -fPIC -O1 -o cxx.so cxx.cc || die "cxx: cannot compile"
whl=$(mkwheel cxx cxx.so)
"$TLCPACK" audit --json "$whl" >cxx.json || die "cxx: audit failed"
python3 - cxx.json <<'PY' || die "cxx: wrong verdict"
import json, sys
a = json.load(open(sys.argv[1]))[0]
assert a["policy"] not in ("manylinux_2_5", "manylinux_2_12", "manylinux_2_17"), a["policy"]
why = [w for m in a["missed"] if m["policy"] == "manylinux_2_17" for w in m["why"]]
assert any("GLIBCXX_3.4.2" in w and "libstdc++.so.6" in w for w in why), why
PY

# --exclude matches by SONAME family: "libjansson.so" excludes the
# libjansson.so.4 the library needs (auditwheel's --exclude does not).
"$TLCPACK" audit --json --exclude libjansson.so wheels/pkg_external-*.whl >excl.json ||
	die "audit --exclude failed"
python3 - excl.json <<'PY' || die "--exclude by family"
import json, sys
a = json.load(open(sys.argv[1]))[0]
dep = [d for f in a["files"] for d in f["libraries"] if d["name"] == "libjansson.so.4"][0]
assert dep["where"] == "excluded" and "libjansson.so" in dep["why"], dep
assert a["policy"] == "manylinux_2_5", a["policy"]
PY

# A repair record that is not what repair writes is refused, one line.
for bad in '{"excluded": 3}' '{"excluded": [{"library": "../x", "why": "w"}]}' '{'; do
	rm -rf w-glibc_2_2_5/out
	printf '%s' "$bad" >w-glibc_2_2_5/pkg_glibc_2_2_5-1.0.dist-info/tlcpack-repair.json
	whl=$("$TLCPACK" pack -d w-glibc_2_2_5/out w-glibc_2_2_5 2>/dev/null) || die "cannot pack"
	"$TLCPACK" audit "$whl" >/dev/null 2>bad.err && die "audit accepted $bad"
	[ "$(grep -c '^tlcpack: ' bad.err)" -eq 1 ] || { cat bad.err; die "not one line"; }
	grep -q "tlcpack-repair.json: " bad.err || { cat bad.err; die "no file named"; }
done
rm w-glibc_2_2_5/pkg_glibc_2_2_5-1.0.dist-info/tlcpack-repair.json

# --plat turns a verdict into an exit status.
"$TLCPACK" audit --plat manylinux2014 wheels/pkg_glibc_2_17-*.whl >/dev/null 2>&1 ||
	die "manylinux2014 refused for a GLIBC_2.17 wheel"
"$TLCPACK" audit --plat manylinux2010 wheels/pkg_glibc_2_17-*.whl >/dev/null 2>plat.err &&
	die "manylinux2010 accepted for a GLIBC_2.17 wheel"
grep -q "does not meet manylinux_2_12: .*GLIBC_2.17" plat.err || { cat plat.err; die "no reason"; }
echo "verdicts: $((n + 1)) wheels judged"
