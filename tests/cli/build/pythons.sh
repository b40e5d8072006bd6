# With two interpreters, a wheel with extension modules is built once
# per interpreter, each installs into a venv of its own Python.
# labels: e2e
. "$TLC_CASE_DIR/../lib.sh"
second=
for p in python3.12 python3.13 /root/.pyenv/versions/3.12.*/bin/python3.12; do
	# (a pyenv shim is on PATH even when it cannot run: try it)
	v=$("$p" -c 'import sys; print(sys.version_info[:2])' 2>/dev/null) || continue
	if [ "$v" != "$(python3 -c 'import sys; print(sys.version_info[:2])')" ]; then
		second=$(command -v "$p"); break
	fi
done
[ -n "$second" ] || skip "no second CPython (python3.12 or python3.13) on this machine"

copy_example src
"$TLCPACK" build --variant cpu --python python3 --python "$second" \
	-o dist --build-dir bt src >wheels 2>err || { tail -30 err; die "build failed"; }
[ "$(wc -l <wheels)" -eq 2 ] || die "expected 2 wheels: $(cat wheels)"
for py in python3 "$second"; do
	tag=$("$py" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
	grep -q -- "-$tag-$tag-" wheels || die "no $tag wheel: $(cat wheels)"
	rm -rf venv && make_venv venv "$py"
	venv/bin/pip install -q --no-index -f dist tlcpack-example || die "pip failed for $tag"
	(cd / && "$TLC_SCRATCH/venv/bin/python" -c \
		'import tlcexample, tlcexample._fast; assert tlcexample.dot([2.0],[3.0]) == 6.0') ||
		die "the $tag wheel does not work"
done
echo "pythons: $(wc -l <wheels) wheels"
