#!/usr/bin/env bash
# run-local.sh — serves the site on http://127.0.0.1:8080 from a build tree, with its data
# under ./data, running memcached and lighttpd in the foreground; Ctrl-C stops both (and
# with lighttpd the FastCGI processes and the dispatcher). `make run` calls it.
#
# Usage: bash conf/run-local.sh BUILD_DIR
# Environment: TP_PORT (8080), TP_MEMCACHED_PORT (a free one), TP_DATA_DIR (./data),
#              TP_MAX_PROCS (2), TP_ADMIN_PASSWORD (random; printed),
#              TP_MAX_UPLOAD_BYTES (the site's default, 100 MiB).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:?usage: run-local.sh BUILD_DIR}" && pwd)
port=${TP_PORT:-8080}
data=${TP_DATA_DIR:-$root/data}

# A second run while one serves must change nothing of the first: check before writing.
if ! python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' \
     "$port" 2>/dev/null; then
  echo "run-local: port $port is in use (another make run?); nothing was changed." >&2
  echo "run-local: stop it first, or pick another port and data folder: TP_PORT=8081 TP_DATA_DIR=./data2" >&2
  exit 1
fi
if [ -s "$data/run/lighttpd.pid" ] && kill -0 "$(cat "$data/run/lighttpd.pid")" 2>/dev/null; then
  echo "run-local: $data is served by lighttpd pid $(cat "$data/run/lighttpd.pid"); nothing was changed." >&2
  echo "run-local: stop it first, or use another data folder: TP_DATA_DIR=./data2" >&2
  exit 1
fi
mkdir -p "$data"
data=$(cd "$data" && pwd)
run="$data/run"
mkdir -p "$run/spool"

fcgi="$build/fcgi/trackport-fcgi"
dispatcher="$build/dispatcher/trackport-dispatcher"
for bin in "$fcgi" "$dispatcher"; do
  [ -x "$bin" ] || { echo "run-local: $bin is missing: build first (make build)" >&2; exit 1; }
done
for tool in lighttpd memcached; do
  command -v "$tool" >/dev/null || { echo "run-local: $tool is not installed (make deps)" >&2; exit 1; }
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
mc_port=${TP_MEMCACHED_PORT:-$(free_port)}
password=${TP_ADMIN_PASSWORD:-$(head -c 9 /dev/urandom | base64 | tr '+/' 'xy')}

cat >"$run/trackport.conf" <<CONF
# Written by conf/run-local.sh for a local run; see conf/trackport.conf for every key.
data_dir = $data
memcached_servers = 127.0.0.1:$mc_port
dispatcher_binary = $dispatcher
web_static_dir = $root/fcgi/www
web_admin = true
CONF
[ -n "${TP_MAX_UPLOAD_BYTES:-}" ] && echo "web_max_upload_bytes = $TP_MAX_UPLOAD_BYTES" >>"$run/trackport.conf"
# lighttpd's request limit follows the site's upload limit (one setting drives both).
max_request_kb=$("$fcgi" --config "$run/trackport.conf" --lighttpd-limits |
                 sed -n 's/^server.max-request-size = //p')
printf 'admin:%s\n' "$password" >"$run/admin.users"
chmod 600 "$run/admin.users"

sed -e "s|@PORT@|$port|g" -e "s|@RUN_DIR@|$run|g" -e "s|@STATIC_DIR@|$root/fcgi/www|g" \
    -e "s|@FCGI_BIN@|$fcgi|g" -e "s|@CONFIG@|$run/trackport.conf|g" -e "s|@DATA_DIR@|$data|g" \
    -e "s|@MAX_PROCS@|${TP_MAX_PROCS:-2}|g" -e "s|@MAX_REQUEST_KB@|$max_request_kb|g" \
    -e "s|@ADMIN_USERS@|$run/admin.users|g" "$here/lighttpd.test.conf.in" >"$run/lighttpd.conf"
lighttpd -tt -f "$run/lighttpd.conf"
# Upload spool files of a lighttpd that was killed (SIGKILL, a crash) are never removed by
# lighttpd itself; none can be in use now, as no lighttpd of this run is serving yet.
find "$run/spool" -maxdepth 1 -type f -name 'lighttpd-upload-*' -delete

mc_user=()
[ "$(id -u)" -eq 0 ] && mc_user=(-u "$(id -un)")
pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

memcached -l 127.0.0.1 -p "$mc_port" -U 0 -m 64 "${mc_user[@]}" &
pids+=($!)
lighttpd -D -f "$run/lighttpd.conf" &
pids+=($!)

echo "trackport is at http://127.0.0.1:$port/  (admin: http://127.0.0.1:$port/admin/ as admin / $password)"
echo "data: $data   logs: $run/lighttpd-error.log   memcached: 127.0.0.1:$mc_port"
echo "Press Ctrl-C to stop."
# Returns when either server stops (or on Ctrl-C, through the trap).
wait -n "${pids[@]}" || true
