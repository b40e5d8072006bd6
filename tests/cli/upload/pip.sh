# tlcpack publish --to uploads to a real tlcpack serve through the legacy
# upload API (the one twine speaks); real pip, in a fresh venv, installs
# from that server what was uploaded.  A file over 1 MiB reports its
# progress as one plain line when stderr is not a terminal.
# labels: pip serve
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/upload-lib.bash"
# scripts/deps.sh --test installs openssl: its absence is a failure
command -v openssl >/dev/null || die "no openssl to hash a password"

printf 'bob:%s\n' "$(openssl passwd -6 's3cret pw')" >htpasswd
serve_repo --htpasswd htpasswd

mkpywheel demo-pkg 1.0 ">=3.8"
mkpywheel demo-pkg 1.1
# a big one: 2 MiB that do not compress
d=pw-big-pkg-2.0
mkdir -p "$d/big_pkg" "$d/big_pkg-2.0.dist-info"
head -c 2097152 /dev/urandom >"$d/big_pkg/blob.bin"
printf '__version__ = "2.0"\n' >"$d/big_pkg/__init__.py"
printf 'Metadata-Version: 2.1\nName: big-pkg\nVersion: 2.0\n' \
	>"$d/big_pkg-2.0.dist-info/METADATA"
printf 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n' \
	>"$d/big_pkg-2.0.dist-info/WHEEL"
"$TLCPACK" pack -d wheels "$d" >/dev/null 2>&1

TLCPACK_PASSWORD='s3cret pw' "$TLCPACK" publish --to "$url" --user bob \
	wheels/*.whl >out 2>err || die "upload failed: $(cat err)"
cat >want <<'W'
uploaded big_pkg-2.0-py3-none-any.whl
uploaded demo_pkg-1.0-py3-none-any.whl
uploaded demo_pkg-1.1-py3-none-any.whl
W
cmp -s out want || die "stdout: $(cat out)"
grep -q '^upload  *big_pkg-2.0-py3-none-any.whl (2\.0 MiB, ' err ||
	die "no progress line for the big file: $(cat err)"
[ "$(grep -c '^upload ' err)" = 1 ] || die "progress for small files: $(cat err)"
grep -q 's3cret' err out && die "the password was printed"
for f in wheels/*.whl; do
	p=$(basename "$f"); p=${p%%-*}; p=${p//_/-}
	cmp -s "$f" "repo/files/$p/$(basename "$f")" ||
		die "the server does not hold $(basename "$f") byte for byte"
done
[ "$(grep -c '"POST / HTTP/1.1" 200 ' access.log)" = 3 ] ||
	die "not 3 POSTs answered 200: $(cat access.log)"
grep -q ' - bob \[' access.log || die "the uploads were not bob's"

make_venv v
v/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
	--index-url "${url}simple/" demo-pkg big-pkg ||
	die "pip could not install from the server"
[ "$(v/bin/python -m demo_pkg)" = 1.1 ] || die "pip installed $(v/bin/python -m demo_pkg)"
cmp -s v/lib/python3*/site-packages/big_pkg/blob.bin "$d/big_pkg/blob.bin" ||
	die "the big file did not arrive whole"
echo ok
