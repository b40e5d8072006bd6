# Helpers for the serve cases (not a case itself: it does not end in .sh).
# Source it after lib.sh.

# start_serve ARGS...: run `tlcpack serve --listen 127.0.0.1:0 ARGS` in
# the background, wait for its "serving ... on http://127.0.0.1:PORT/"
# line, and set $port, $base (http://127.0.0.1:PORT) and $serve_pid.
# Its stderr goes to serve.err (appended).
start_serve() {
	: >serve.line
	"$TLCPACK" serve --listen 127.0.0.1:0 "$@" 2>serve.line &
	serve_pid=$!
	for _ in $(seq 200); do
		grep -q '^serving .* on http://127\.0\.0\.1:[0-9]*/$' serve.line &&
			break
		kill -0 "$serve_pid" 2>/dev/null ||
			die "serve exited: $(cat serve.line)"
		sleep 0.05
	done
	port=$(sed -n 's|^serving .* on http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' \
		serve.line)
	[ -n "$port" ] || die "serve printed no port: $(cat serve.line)"
	base=http://127.0.0.1:$port
	cat serve.line >>serve.err
	trap 'stop_serve' EXIT
}

# stop_serve: SIGTERM, and wait; $serve_rc is its exit status.
stop_serve() {
	serve_rc=0
	[ -n "${serve_pid:-}" ] || return 0
	kill -TERM "$serve_pid" 2>/dev/null || true
	wait "$serve_pid" || serve_rc=$?
	serve_pid=
}

# A crypt(3) hash of $1 for an htpasswd line: sha512-crypt, salted.
htpasswd_hash() {
	python3 -W ignore -c 'import crypt, sys
print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$1"
}

# status URL CURL-ARGS...: the HTTP status curl got.
status() {
	curl -s -o /dev/null -w '%{http_code}' "$@"
}

# hdr NAME FILE: the value of header NAME in the curl -D dump FILE.
hdr() {
	tr -d '\r' <"$2" | sed -n "s/^$1: //Ip" | tail -1
}
