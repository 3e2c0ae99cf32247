#!/usr/bin/env bash
# The public server under load, with V1 imported and a synthetic registry of 21.4 M voters:
#   - registry generation and import times, server start time (to the first /healthz answer)
#     and resident memory;
#   - wrk, 256 connections: random cédula look-ups on /api/v1/voters/N against nginx serving a
#     static JSON file of the same size from the same machine, in the same run (requests/s,
#     p99 latency, errors, and the ratio); then random acta pages and the home page.
#
#   bench/web-bench.sh [SECONDS_PER_RUN] [CONNECTIONS]
#
# Needs wrk and nginx (apt-get install wrk nginx-light, or nginx), curl, and the shared V1
# data beside the repository. Loopback only; each run is bounded (default 10 s). Scratch
# (~0.6 GB: the registry CSV) goes to a temporary directory removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DUR=${1:-10}
CONNS=${2:-256}
VOTERS=${VOTERS:-21400000}
THREADS=${WRK_THREADS:-2}
SHARED=${SHARED:-../shared/data/ve2024}
TARGET=${CARGO_TARGET_DIR:-target}
PORT=${PORT:-18481}
NGINX_PORT=${NGINX_PORT:-18482}

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install wrk nginx-light curl" >&2; exit 2; }
done
[ -f "$SHARED/resultados_2024_v1.csv" ] || { echo "missing $SHARED/resultados_2024_v1.csv (set SHARED=...)" >&2; exit 2; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/web-bench.XXXXXX")
SERVER_PID=""
NGINX_STARTED=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$NGINX_STARTED" ] && nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

ms() { date +%s%3N; }

echo "== build (release)"
cargo build --release -q -p actas-cli
BIN="$TARGET/release/actas"
DATA="$DIR/data"

echo "== data: V1 results and geography, registry of $VOTERS voters"
"$BIN" --data "$DATA" init >/dev/null
"$BIN" --data "$DATA" import geo "$SHARED/geo" | tail -1
"$BIN" --data "$DATA" import csv "$SHARED/resultados_2024_v1.csv" | head -1
t0=$(ms)
"$BIN" --data "$DATA" registry generate --voters "$VOTERS" --seed 1 --out "$DIR/registry.csv" >/dev/null
t1=$(ms)
"$BIN" --data "$DATA" registry import "$DIR/registry.csv"
t2=$(ms)
echo "registry: CSV generated in $(( t1 - t0 )) ms, imported in $(( t2 - t1 )) ms ($(du -m "$DIR/registry.csv" | cut -f1) MB CSV)"
# Random registered cédulas for the look-up load, then the CSV is no longer needed.
shuf -n 200000 "$DIR/registry.csv" | cut -d, -f1 | grep -v cedula > "$DIR/cedulas.txt"
rm -f "$DIR/registry.csv"

echo "== server start"
t0=$(ms)
RUST_LOG=${RUST_LOG:-info} "$BIN" --data "$DATA" serve --addr "127.0.0.1:$PORT" \
  --rate-limit 100000000 --rate-burst 100000000 >"$DIR/serve.out" 2>"$DIR/serve.log" &
SERVER_PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/serve.log"; exit 1; }
  sleep 0.02
done
t1=$(ms)
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$SERVER_PID/status"; }
START_MS=$(( t1 - t0 ))
START_RSS=$(rss)
echo "start: $START_MS ms to the first /healthz answer ($(head -1 "$DIR/serve.out")); RSS $START_RSS MB"
curl -s "http://127.0.0.1:$PORT/healthz"; echo

echo "== nginx on 127.0.0.1:$NGINX_PORT with a static JSON file of the same size"
mkdir -p "$DIR/nginx/www" "$DIR/nginx/tmp"
SAMPLE=$(head -1 "$DIR/cedulas.txt")
curl -s "http://127.0.0.1:$PORT/api/v1/voters/$SAMPLE" >"$DIR/nginx/www/voter.json"
SIZE=$(stat -c %s "$DIR/nginx/www/voter.json")
chmod -R a+rX "$DIR"
cat >"$DIR/nginx/nginx.conf" <<EOF
worker_processes $THREADS;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
user root;
events { worker_connections 4096; }
http {
  access_log $DIR/nginx/access.log;
  client_body_temp_path $DIR/nginx/tmp; proxy_temp_path $DIR/nginx/tmp;
  fastcgi_temp_path $DIR/nginx/tmp; uwsgi_temp_path $DIR/nginx/tmp; scgi_temp_path $DIR/nginx/tmp;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $DIR/nginx/www;
    location / { default_type application/json; etag on; }
  }
}
EOF
nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf"
NGINX_STARTED=1
sleep 0.3
curl -sf "http://127.0.0.1:$NGINX_PORT/voter.json" >/dev/null

cat >"$DIR/voters.lua" <<EOF
local list = {}
for line in io.lines("$DIR/cedulas.txt") do list[#list + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  return wrk.format("GET", "/api/v1/voters/" .. list[math.random(#list)])
end
EOF
curl -s "http://127.0.0.1:$PORT/api/v1/actas.csv" | tail -n +2 | cut -d, -f2,3 | shuf -n 20000 \
  | awk -F, '{printf "/acta/%s/%02d\n", $1, $2}' >"$DIR/actas.txt"
cat >"$DIR/actas.lua" <<EOF
local list = {}
for line in io.lines("$DIR/actas.txt") do list[#list + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function() return wrk.format("GET", list[math.random(#list)]) end
EOF

# run NAME URL [LUA]: prints one line of figures and remembers them.
declare -A RPS P99 ERR
run() {
  local name=$1 url=$2 script=${3:-}
  local args=(-t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency --timeout 5s)
  [ -n "$script" ] && args+=(-s "$script")
  wrk -t"$THREADS" -c"$CONNS" -d2s ${script:+-s "$script"} "$url" >/dev/null   # warm-up
  local out; out=$(wrk "${args[@]}" "$url")
  echo "$out" >"$DIR/wrk-$name.txt"
  RPS[$name]=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  P99[$name]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local non2xx sock
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out"); sock=${sock:-0}
  ERR[$name]=$(( non2xx + sock ))
  printf "%-22s %12s req/s   p99 %-9s errors %s\n" "$name" "${RPS[$name]}" "${P99[$name]}" "${ERR[$name]}"
}

echo "== wrk: $THREADS threads, $CONNS connections, ${DUR} s per run (response of $SIZE bytes)"
run actas-voters "http://127.0.0.1:$PORT" "$DIR/voters.lua"
run nginx-static "http://127.0.0.1:$NGINX_PORT/voter.json"
run actas-acta-page "http://127.0.0.1:$PORT" "$DIR/actas.lua"
run actas-home "http://127.0.0.1:$PORT/"

echo "== summary"
RATIO=$(awk -v a="${RPS[actas-voters]}" -v n="${RPS[nginx-static]}" 'BEGIN {printf "%.2f", a / n}')
echo "server start: $START_MS ms; RSS after start $START_RSS MB, peak $(hwm) MB, now $(rss) MB"
echo "voter look-ups: ${RPS[actas-voters]} req/s vs nginx ${RPS[nginx-static]} req/s: ratio $RATIO (goal >= 0.5)"
echo "voter look-ups p99 ${P99[actas-voters]} (goal < 10ms), errors ${ERR[actas-voters]} (goal 0)"
echo "acta pages: ${RPS[actas-acta-page]} req/s, p99 ${P99[actas-acta-page]}; home: ${RPS[actas-home]} req/s, p99 ${P99[actas-home]}"
