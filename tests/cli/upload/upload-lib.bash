# Helpers for the upload cases (not a case itself: it does not end in
# .sh).  Source it after lib.sh; it brings the serve cases' helpers
# (start_serve, stop_serve ...) too.
. "$TLC_CASE_DIR/../serve/serve-lib.bash"

# serve_repo ARGS...: a repository "repo" holding one wheel (seed-pkg),
# served by `tlcpack serve --repo repo --access-log access.log ARGS`;
# sets $url, the upload URL (http://127.0.0.1:PORT/), and what
# start_serve sets.
serve_repo() {
	mkpywheel seed-pkg 0.1 "" seed
	"$TLCPACK" publish --repo repo seed/*.whl >/dev/null
	start_serve --repo repo --access-log access.log "$@"
	url=$base/
}
