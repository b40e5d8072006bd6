# --base-url makes file links absolute (wheels hosted on a CDN or as
# release assets), is kept for later publishes, and is undone by
# --no-base-url; a URL that would need escaping is refused.
. "$TLC_CASE_DIR/../lib.sh"

mkpywheel demo-pkg 1.0
mkpywheel demo-pkg 1.1
"$TLCPACK" publish --repo repo wheels/demo_pkg-1.0-py3-none-any.whl >/dev/null
"$TLCPACK" index --repo repo --base-url https://cdn.example.org/tlc/
"$TLCPACK" publish --repo repo wheels/demo_pkg-1.1-py3-none-any.whl >/dev/null
grep -o 'href="[^"#]*' repo/wheels.html repo/simple/demo-pkg/index.html
grep -o '"url":"[^"]*"' repo/simple/demo-pkg/index.json
"$TLCPACK" index --repo repo --check
"$TLCPACK" index --repo repo --no-base-url
grep -o 'href="[^"#]*' repo/wheels.html
"$TLCPACK" index --repo repo --base-url 'https://x.example/a&b/' && die "accepted &"
"$TLCPACK" index --repo repo --base-url 'cdn.example.org/' && die "accepted no scheme"
"$TLCPACK" index --repo repo --base-url 'https://x.example/a' && die "accepted no /"
grep -o 'href="[^"#]*' repo/wheels.html
