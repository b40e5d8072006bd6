# tlcpack release stops at the first failure and shows the tail of that
# step's log; --keep-going goes on with the rest, reports what failed and
# exits non-zero.  A wheel whose test fails is never published.
# labels: pip
. "$TLC_CASE_DIR/../lib.sh"

copy_example ex
# a variant that cannot configure, listed first, and a failing test
python3 - ex/tlcpack.toml <<'P'
import re, sys
p = sys.argv[1]
t = open(p).read()
t = t.replace("[variants.cpu]", '''[variants.broken]
description = "cannot configure"
defines = { TLCEXAMPLE_BREAK_ME = "ON" }

[variants.cpu]''', 1)
open(p, "w").write(t)
P
# CMake fails on this define, with a message the log tail must show
sed -i '1i if(TLCEXAMPLE_BREAK_ME)\n  message(FATAL_ERROR "broken on purpose for the test")\nendif()' \
	ex/CMakeLists.txt

set +e
"$TLCPACK" release -v broken -v cpu --repo repo ex >out 2>err
rc=$?
set -e
[ "$rc" = 1 ] || die "exit $rc, not 1: $(cat err)"
grep -q '^tlcpack: build broken failed: ' err || die "no failure line: $(cat err)"
grep -q '^--- last lines of .*configure.log ---$' err || die "no log tail: $(cat err)"
grep -q 'broken on purpose for the test' err || die "log tail misses the error"
grep -q '^FAILED: build broken: ' out || die "summary: $(cat out)"
grep -q 'cpu' err && die "went on after the failure without --keep-going"
[ ! -e repo ] || die "something was published"

set +e
"$TLCPACK" release -v broken -v cpu --repo repo --keep-going ex >out 2>err
rc=$?
set -e
[ "$rc" = 1 ] || die "--keep-going: exit $rc, not 1: $(cat err)"
grep -q '^FAILED: build broken: ' out || die "--keep-going summary: $(cat out)"
grep -q '^tlcpack-example .* pass  *added$' out ||
	die "--keep-going did not publish cpu: $(cat out)"
ls repo/files/tlcpack-example/*.whl >/dev/null || die "cpu not in the repository"

# a test that fails: the wheel is not published, the test log's tail shown
python3 - ex/tlcpack.toml <<'P'
import re, sys
p = sys.argv[1]
t = re.sub(r'(?m)^command = .*$',
           "command = \"python -c 'import sys; print(\\\"the test says\\\", 4242); sys.exit(3)'\"",
           open(p).read())
open(p, "w").write(t)
P
grep -q '4242' ex/tlcpack.toml || die "recipe edit failed"
set +e
"$TLCPACK" release -v cpu --repo repo2 ex >out 2>err
rc=$?
set -e
[ "$rc" = 1 ] || die "failing test: exit $rc, not 1: $(cat err)"
grep -q '^tlcpack: test .*\.whl failed: ' err || die "no test failure line: $(cat err)"
grep -q 'the test says 4242' err || die "the test log's tail is not shown: $(cat err)"
grep -q '^tlcpack-example .* FAIL  *no$' out || die "summary: $(cat out)"
grep -q '^tlcpack: logs kept in ' err || die "the logs were not kept"
[ ! -e repo2/files ] || die "a wheel that failed its test was published"
