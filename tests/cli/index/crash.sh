# Kill publish, yank, prune (yanking and deleting) and a full regeneration
# (index --base-url) with SIGKILL at every
# write, fsync, rename and unlink (TLC_FAULT_AT=N, the fault hook of
# src/lib/fs.c); after each kill `index --check` must pass, every link
# must resolve with the right hash (verify.py), and the repository must
# hold the old state or the new, never a mix (crash.py).
. "$TLC_CASE_DIR/../lib.sh"

for v in 1 2 3; do mkpywheel demo-pkg 1.0.dev$v; done
mkpywheel other-pkg 0.1
"$TLCPACK" publish --repo base --variant cu121 \
	wheels/demo_pkg-1.0.dev1-py3-none-any.whl >/dev/null
"$TLCPACK" publish --repo base wheels/demo_pkg-1.0.dev2-py3-none-any.whl \
	>/dev/null
python3 "$TLC_CASE_DIR/crash.py" base \
	"publish --repo r --variant cu121 wheels/demo_pkg-1.0.dev3-py3-none-any.whl" \
	"publish --repo r wheels/other_pkg-0.1-py3-none-any.whl" \
	"yank --repo r demo_pkg-1.0.dev1-py3-none-any.whl --reason bad" \
	"prune --repo r --keep 1" \
	"prune --repo r --keep 1 --delete" \
	"=index --repo r --base-url https://cdn.example.org/w/"
