# SIGTERM while an upload is in flight: the server stops accepting, the
# upload finishes (200, published) and the server exits 0.  SIGKILL during
# an upload leaves its temporary directory, which the next start sweeps
# (and says so).
. "$TLC_CASE_DIR/../lib.sh"
. "$TLC_CASE_DIR/serve-lib.bash"

mkpywheel seed 1.0
"$TLCPACK" publish --repo repo wheels/seed-1.0-py3-none-any.whl >/dev/null
mkpywheel slow-pkg 1.0 "" sw
mkpywheel killed-pkg 1.0 "" kw
echo "alice:$(htpasswd_hash secret)" >htpasswd

start_serve --repo repo --htpasswd htpasswd
python3 "$TLC_CASE_DIR/client.py" upload "$port" sw/slow_pkg-1.0-py3-none-any.whl \
	--auth alice:secret --slow 4 >slow.out &
client=$!
for _ in $(seq 100); do
	ls repo/.tlcpack | grep -q '^upload\.tmp\.' && break
	sleep 0.05
done
ls repo/.tlcpack | grep -q '^upload\.tmp\.' || die "the upload never began"
kill -TERM "$serve_pid"
sleep 0.5
curl -s -m 2 "$base/simple/" >/dev/null && die "still accepting after SIGTERM"
wait "$client" || die "the client failed"
[ "$(cat slow.out)" = "200 added files/slow-pkg/slow_pkg-1.0-py3-none-any.whl" ] ||
	die "the upload in flight: $(cat slow.out)"
rc=0
wait "$serve_pid" || rc=$?
serve_pid=
[ "$rc" = 0 ] || die "serve exited $rc after SIGTERM"
[ -f repo/files/slow-pkg/slow_pkg-1.0-py3-none-any.whl ] || die "not published"

# SIGKILL: the temporary directory stays, the next start removes it
start_serve --repo repo --htpasswd htpasswd
python3 "$TLC_CASE_DIR/client.py" upload "$port" kw/killed_pkg-1.0-py3-none-any.whl \
	--auth alice:secret --slow 4 >killed.out 2>&1 &
client=$!
for _ in $(seq 100); do
	ls repo/.tlcpack | grep -q '^upload\.tmp\.' && break
	sleep 0.05
done
kill -KILL "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
serve_pid=
wait "$client" 2>/dev/null || true
ls repo/.tlcpack | grep -q '^upload\.tmp\.' || die "no temporary directory left"
start_serve --repo repo --htpasswd htpasswd
grep -q "removed 1 unfinished upload in 'repo'" serve.line ||
	die "no sweep reported: $(cat serve.line)"
ls repo/.tlcpack | grep -q '^upload\.tmp\.' && die "not swept"
[ -e repo/files/killed-pkg ] && die "a killed upload was published"
stop_serve
"$TLCPACK" index --repo repo --check --no-repair >/dev/null ||
	die "the repository does not check"
echo ok
