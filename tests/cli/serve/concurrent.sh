# 8 clients upload 20 wheels each at once while 50 readers loop on the
# pages (keep-alive): no 5xx and no failed request, every upload 200, all
# 160 wheels in the final index, and the repository checks.
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

for w in 1 2 3 4 5 6 7 8; do
	for v in $(seq 20); do mkpywheel "proj-$w" "1.0.dev$v" "" "in$w"; done
done
mkpywheel seed 1.0
"$TLCPACK" publish --repo repo wheels/seed-1.0-py3-none-any.whl >/dev/null
echo "alice:$(htpasswd_hash secret)" >htpasswd
start_serve --repo repo --htpasswd htpasswd --per-ip 0

python3 "$TLC_CASE_DIR/client.py" readers "$port" 50 stop >readers.out &
readers=$!
pids=()
for w in 1 2 3 4 5 6 7 8; do
	python3 "$TLC_CASE_DIR/client.py" upload-many "$port" alice:secret \
		in$w/*.whl >up$w.out 2>&1 &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || die "uploader $((i + 1)) failed: $(cat up$((i + 1)).out)"
done
touch stop
wait "$readers" || die "a reader failed: $(cat readers.out)"
[ "$(grep -c '<a ' repo/wheels.html)" = 161 ] ||
	die "not 161 links: $(grep -c '<a ' repo/wheels.html)"
stop_serve
[ "$serve_rc" = 0 ] || die "serve exited $serve_rc"
"$TLCPACK" index --repo repo --check --no-repair >/dev/null ||
	die "the final repository does not check"
echo ok
