#!/bin/sh
# bench/serve/run.sh: `tlcpack serve` against nginx on loopback (reads),
# and tlcpack serve's upload intake.
#
# Makes (once, kept in BENCH_DIR) a repository of PROJECTS x PER_PROJECT
# tiny wheels (bench/index/gen.py) and one wheel of FILE_BYTES (blob.py),
# and an upload wheel of UPLOAD_BYTES (blob.py: one member of
# pseudo-random bytes, stored).  Then:
#
#   checks   the page and the file are the same bytes from both servers
#            (sha256), before any timing;
#   page     wrk on /simple/<project>/ (tlcpack negotiates: text/html)
#            and on /simple/<project>/index.html (nginx, the same file):
#            requests/s and p99;
#   file     wrk on /files/<project>/<wheel of FILE_BYTES> on both: MB/s
#            (requests/s x the file's size);
#   upload   curl -F (the legacy upload API, as twine sends it) of the
#            upload wheel to a fresh tlcpack serve on a fresh copy of the
#            repository: MB/s = the wheel's size / curl's time to the 200,
#            and the server's peak RSS (VmHWM) after it.  No nginx peer.
#
# Each measurement RUNS times, the two servers in turns (who goes first
# alternates); the medians, the ratios tlcpack / nginx and the goals are
# printed.  Exits 0 when the goals are missed too (MET / NOT MET), 1 when
# the bench itself fails.
#
# Both servers: no access log (tlcpack serve without --access-log, nginx
# with access_log off), one worker per CPU (--threads, worker_processes),
# sendfile.  nginx: the generated BENCH_DIR/nginx/nginx.conf (daemon off,
# tcp_nopush, keepalive), its pid and temporary files in BENCH_DIR.
#
# Variables (defaults):
#   BENCH_DIR     scratch directory, outside the repository
#                 (/tmp/tlcpack-bench-serve)
#   BUILD         a build directory of this repository (<repo>/build)
#   TLCPACK       the tlcpack binary ($BUILD/tlcpack; tlcpack-http beside)
#   PROJECTS      projects of tiny wheels (20)
#   PER_PROJECT   wheels per project (5)
#   FILE_BYTES    the file that is downloaded (1048576)
#   UPLOAD_BYTES  the large member of the uploaded wheel (500000000)
#   RUNS          runs of each measurement (3)
#   DURATION      seconds of each wrk run (10)
#   WRK_THREADS   wrk -t (2)
#   CONNECTIONS   wrk -c (32)
#   WORKERS       server threads / worker processes (nproc)
#   PAGE_FORMAT   html: no Accept (text/html, index.html); json: pip's
#                 Accept (PEP 691 JSON, index.json) (html)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/tlcpack-bench-serve}
BUILD=${BUILD:-$repo/build}
TLCPACK=${TLCPACK:-$BUILD/tlcpack}
case "$TLCPACK" in /*) ;; *) TLCPACK=$(pwd)/$TLCPACK ;; esac
PROJECTS=${PROJECTS:-20}
PER_PROJECT=${PER_PROJECT:-5}
FILE_BYTES=${FILE_BYTES:-1048576}
UPLOAD_BYTES=${UPLOAD_BYTES:-500000000}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
WRK_THREADS=${WRK_THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${WORKERS:-$(nproc)}
PAGE_FORMAT=${PAGE_FORMAT:-html}

die() {
	echo "bench/serve: $*" >&2
	exit 1
}

case "$BENCH_DIR" in
"$repo" | "$repo"/*) die "BENCH_DIR must be outside the repository" ;;
esac
[ -x "$TLCPACK" ] || die "no tlcpack at '$TLCPACK' (set BUILD or TLCPACK)"
[ -x "$(dirname "$TLCPACK")/tlcpack-http" ] ||
	die "no tlcpack-http beside '$TLCPACK' (serve runs in it)"
case "$PAGE_FORMAT" in
html) page_file=index.html accept= ;;
json)	# what pip sends (PEP 691)
	page_file=index.json
	accept='application/vnd.pypi.simple.v1+json,'
	accept="$accept application/vnd.pypi.simple.v1+html; q=0.1,"
	accept="$accept text/html; q=0.01" ;;
*) die "PAGE_FORMAT must be html or json" ;;
esac
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3

# ---- the tools: nginx and wrk from Debian (as scripts/deps.sh does) ------
missing=
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ||
	missing="$missing nginx-light"
command -v wrk >/dev/null || missing="$missing wrk"
if [ -n "$missing" ]; then
	echo "bench/serve: installing$missing" >&2
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# shellcheck disable=SC2086
	{ $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null; } ||
		die "cannot install$missing (apt-get failed); install them"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "no nginx after installing nginx-light"
command -v wrk >/dev/null || die "no wrk after installing it"
for t in curl openssl sha256sum pgrep getconf "$PYTHON"; do
	command -v "$t" >/dev/null || die "no $t"
done

# ---- the wheels and the repository (once) --------------------------------
wheels=$BENCH_DIR/wheels
base=$BENCH_DIR/repo
file_project=blob-file
upload_project=blob-upload
stamp="$PROJECTS $PER_PROJECT $FILE_BYTES $UPLOAD_BYTES $(cat \
	"$here/blob.py" "$repo/bench/index/gen.py" | cksum)"
if [ "$(cat "$BENCH_DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
	# never empty a directory this script did not make
	if [ -d "$BENCH_DIR" ] && [ ! -f "$BENCH_DIR/stamp" ] &&
	   [ -n "$(ls -A "$BENCH_DIR")" ]; then
		die "'$BENCH_DIR' is not empty and not a bench/serve directory"
	fi
	rm -rf "$BENCH_DIR"
	mkdir -p "$wheels/small" "$wheels/upload"
	echo "bench/serve: writing the wheels"
	"$PYTHON" "$repo/bench/index/gen.py" "$wheels/small" "$PROJECTS" \
		"$PER_PROJECT" || die "gen.py failed"
	"$PYTHON" "$here/blob.py" "$wheels/small" "$file_project" 1.0 \
		"$FILE_BYTES" >/dev/null || die "blob.py failed"
	"$PYTHON" "$here/blob.py" "$wheels/upload" "$upload_project" 1.0 \
		"$UPLOAD_BYTES" >/dev/null || die "blob.py failed"
	(cd "$wheels/small" && "$TLCPACK" publish --repo "$base" ./*.whl \
		>/dev/null) || die "tlcpack publish failed"
	echo "$stamp" >"$BENCH_DIR/stamp"
fi
page_project=$(printf 'proj-%03d' $((PROJECTS / 2)))
file_path=$(cd "$base" && ls files/$file_project/*.whl) ||
	die "no $file_project wheel in $base"
file_size=$(stat -c %s "$base/$file_path")
upload=$(ls "$wheels"/upload/*.whl)
upload_size=$(stat -c %s "$upload")
upload_sha=$(sha256sum <"$upload" | cut -d' ' -f1)
[ -f "$base/simple/$page_project/$page_file" ] ||
	die "no simple/$page_project/$page_file in $base"
page_size=$(stat -c %s "$base/simple/$page_project/$page_file")

# ---- the servers ---------------------------------------------------------
run=$BENCH_DIR/run
res=$BENCH_DIR/results
rm -rf "$run" "$res"
mkdir -p "$run/nginx" "$res"
tpid='' npid='' upid=''
stop() { # stop PID: SIGTERM, and wait for it
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	stop "$tpid"
	stop "$npid"
	stop "$upid"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_serve FILE ARGS...: tlcpack serve on a free port; $serve_pid,
# $serve_port
start_serve() {
	line=$1
	shift
	: >"$line"
	"$TLCPACK" serve --listen 127.0.0.1:0 --threads "$WORKERS" "$@" \
		2>"$line" &
	serve_pid=$!
	for _ in $(seq 200); do
		grep -q '^serving .* on http://127\.0\.0\.1:[0-9]*/$' "$line" &&
			break
		kill -0 "$serve_pid" 2>/dev/null ||
			die "tlcpack serve exited: $(cat "$line")"
		sleep 0.05
	done
	serve_port=$(sed -n \
		's|^serving .* on http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$line")
	[ -n "$serve_port" ] || die "tlcpack serve printed no port: $(cat "$line")"
}

start_serve "$run/serve-read.err" --repo "$base"
tpid=$serve_pid
tport=$serve_port

nport=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=
[ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$run/nginx/nginx.conf" <<EOF
# generated by bench/serve/run.sh
daemon off;
$user
worker_processes $WORKERS;
pid $run/nginx/nginx.pid;
error_log $run/nginx/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 30s;
	keepalive_requests 1000000;
	client_body_temp_path $run/nginx/body;
	proxy_temp_path $run/nginx/proxy;
	fastcgi_temp_path $run/nginx/fastcgi;
	uwsgi_temp_path $run/nginx/uwsgi;
	scgi_temp_path $run/nginx/scgi;
	types {
		text/html html;
		application/vnd.pypi.simple.v1+json json;
	}
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$nport;
		root $base;
	}
}
EOF
"$NGINX" -t -q -p "$run/nginx" -c "$run/nginx/nginx.conf" \
	-e "$run/nginx/error.log" 2>"$run/nginx/test.err" ||
	die "nginx -t: $(cat "$run/nginx/test.err")"
"$NGINX" -p "$run/nginx" -c "$run/nginx/nginx.conf" \
	-e "$run/nginx/error.log" 2>"$run/nginx/stderr" &
npid=$!
for _ in $(seq 200); do
	curl -s -o /dev/null "http://127.0.0.1:$nport/" && break
	kill -0 "$npid" 2>/dev/null ||
		die "nginx exited: $(cat "$run/nginx/error.log" \
			"$run/nginx/stderr")"
	sleep 0.05
done

t_page=http://127.0.0.1:$tport/simple/$page_project/
n_page=http://127.0.0.1:$nport/simple/$page_project/$page_file
t_file=http://127.0.0.1:$tport/$file_path
n_file=http://127.0.0.1:$nport/$file_path

# ---- the checks: the same bytes from both --------------------------------
get() { # get URL: its body's sha256, or fail on a status other than 200
	curl -sS -f ${accept:+-H "Accept: $accept"} "$1" | sha256sum |
		cut -d' ' -f1
}
want=$(sha256sum <"$base/simple/$page_project/$page_file" | cut -d' ' -f1)
[ "$(get "$t_page")" = "$want" ] || die "tlcpack's page is not $page_file"
[ "$(get "$n_page")" = "$want" ] || die "nginx's page is not $page_file"
want=$(sha256sum <"$base/$file_path" | cut -d' ' -f1)
[ "$(get "$t_file")" = "$want" ] || die "tlcpack's file differs"
[ "$(get "$n_file")" = "$want" ] || die "nginx's file differs"
ctype=$(curl -s -o /dev/null -w '%{content_type}' \
	${accept:+-H "Accept: $accept"} "$t_page")
case "$PAGE_FORMAT:$ctype" in
html:text/html*|json:application/vnd.pypi.simple.v1+json*) ;;
*) die "tlcpack negotiated '$ctype' for PAGE_FORMAT=$PAGE_FORMAT" ;;
esac

echo "bench/serve: $(nproc) CPUs, load average $(cut -d' ' -f1-3 \
	/proc/loadavg); wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s;" \
	"$WORKERS server workers; $RUNS runs each, medians"
echo "  page: /simple/$page_project/ ($page_size bytes, $PAGE_FORMAT)" \
     "from tlcpack, .../$page_file from nginx: the same bytes"
echo "  file: /$file_path ($file_size bytes): the same bytes"
echo "  upload: ${upload##*/} ($upload_size bytes, one stored member" \
     "of random bytes), curl -F"

# ---- reads ---------------------------------------------------------------
ticks() { # ticks PID...: their CPU time (user + system), in clock ticks
	t=0
	for p in "$@"; do
		# fields 14 and 15 of stat(5), counted after the ')'
		t=$((t + $(cut -d')' -f2 "/proc/$p/stat" |
			awk '{ print $12 + $13 }')))
	done
	echo "$t"
}
pids() { # pids t|n: the server's processes (nginx: its workers)
	if [ "$1" = t ]; then echo "$tpid"; else pgrep -P "$npid"; fi
}
bench() { # bench t|n URL SIZE DURATION OUT: one wrk run, figures to OUT
	# shellcheck disable=SC2046
	c0=$(ticks $(pids "$1"))
	wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$4" --latency \
		${accept:+-H "Accept: $accept"} "$2" >"$run/wrk.out" 2>&1 ||
		die "wrk failed: $(cat "$run/wrk.out")"
	# shellcheck disable=SC2046
	c1=$(ticks $(pids "$1"))
	if [ -n "$5" ]; then
		"$PYTHON" "$here/report.py" wrk "$run/wrk.out" "$3" \
			$((c1 - c0)) "$clk_tck" >>"$5" ||
			die "$(cat "$run/wrk.out")"
	fi
}
clk_tck=$(getconf CLK_TCK)
# warm-up: page cache, connections, the servers' first allocations
url() { # url t|n page|file
	case $1$2 in
	tpage) echo "$t_page" ;;
	npage) echo "$n_page" ;;
	tfile) echo "$t_file" ;;
	nfile) echo "$n_file" ;;
	esac
}
for who in t n; do
	bench "$who" "$(url "$who" page)" 0 2s ""
	bench "$who" "$(url "$who" file)" 0 2s ""
done
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then order="t n"; else order="n t"; fi
	for who in $order; do
		bench "$who" "$(url "$who" page)" "$page_size" \
			"${DURATION}s" "$res/page-$who.txt"
	done
	for who in $order; do
		bench "$who" "$(url "$who" file)" "$file_size" \
			"${DURATION}s" "$res/file-$who.txt"
	done
	echo "  run $i: page $(tail -1 "$res/page-t.txt" | cut -d' ' -f1-2)" \
	     "/ $(tail -1 "$res/page-n.txt" | cut -d' ' -f1-2) req/s p99-ms;" \
	     "file $(tail -1 "$res/file-t.txt" | cut -d' ' -f3)" \
	     "/ $(tail -1 "$res/file-n.txt" | cut -d' ' -f3) MB/s (tlcpack / nginx)"
done
read_rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' \
	"/proc/$tpid/status")
stop "$tpid"; tpid=
stop "$npid"; npid=

# ---- upload intake -------------------------------------------------------
pw=bench-$$
printf 'bench:%s\n' "$(openssl passwd -6 "$pw")" >"$run/htpasswd"
max_upload=$((upload_size + 1048576))
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	up=$BENCH_DIR/up
	rm -rf "$up"
	cp -a "$base" "$up"
	start_serve "$run/serve-up.err" --repo "$up" \
		--htpasswd "$run/htpasswd" --max-upload "$max_upload"
	upid=$serve_pid
	# the copy's writeback (and the last run's) is not this run's
	sync
	# as twine sends it, less "Expect: 100-continue" (requests does not
	# send it either)
	out=$(curl -sS -o "$run/upload.body" -w '%{http_code} %{time_total}' \
		-H 'Expect:' -u "bench:$pw" \
		-F ':action=file_upload' -F 'protocol_version=1' \
		-F "name=$upload_project" -F 'version=1.0' \
		-F 'filetype=bdist_wheel' -F 'pyversion=py3' \
		-F "sha256_digest=$upload_sha" \
		-F "content=@$upload;type=application/octet-stream" \
		"http://127.0.0.1:$serve_port/") || die "curl failed: $out"
	[ "${out%% *}" = 200 ] ||
		die "upload: HTTP ${out%% *}: $(cat "$run/upload.body")"
	rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' \
		"/proc/$upid/status")
	cpu=$(ticks "$upid")
	stop "$upid"; upid=
	got=$up/files/$upload_project/${upload##*/}
	[ "$(sha256sum <"$got" | cut -d' ' -f1)" = "$upload_sha" ] ||
		die "the published wheel is not the uploaded one"
	cpu=$(echo "$cpu $clk_tck" | awk '{ printf "%.2f", $1 / $2 }')
	echo "$upload_size ${out#* } $rss $cpu" >>"$res/upload.txt"
	echo "  upload $i: ${out#* } s, $(echo "$upload_size ${out#* }" |
		awk '{ printf "%.0f", $1 / $2 / 1e6 }') MB/s, VmHWM $rss kB," \
		"server CPU $cpu s"
done
rm -rf "$up"

echo
"$PYTHON" "$here/report.py" table "$res"
echo "(tlcpack serve's peak RSS after the reads: $((read_rss / 1024)) MiB)"
