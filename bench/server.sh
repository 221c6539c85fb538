#!/bin/sh
# server.sh: requests per second of `refuge serve` against nginx serving the
# same JSON as a static file, in the same run, with wrk on loopback.
#
#   bench/server.sh [DB] [DURATION]
#
# DB defaults to bench/out/import.db (made by bench/import.sh); DURATION to 15s.
# REFUGE names a refuge binary to use instead of building build-rel/refuge.
# Reports requests/s, latency percentiles and server CPU microseconds per
# request (from /proc), for GET /api/cases/{id} and GET /api/cases?limit=50.
set -eu
cd "$(dirname "$0")/.."
DB=${1:-bench/out/import.db}
DUR=${2:-15s}
OUT=bench/out/server
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || command -v /usr/sbin/nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)"; exit 1; }
[ -f "$DB" ] || { echo "no database $DB: run bench/import.sh first"; exit 1; }

if [ -z "${REFUGE:-}" ]; then
    cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-rel -j2 --target refuge >/dev/null
fi
R=${REFUGE:-build-rel/refuge}
export REFUGE_DB="$DB"

TOKEN=$($R token add "bench-$$" --role admin 2>/dev/null | grep -o 'rfg_[A-Za-z0-9_-]*' | head -1)
CASE=$($R cases --json | jq -r '.[length / 2 | floor].id')

rm -f "$OUT/port"
$R serve --listen 127.0.0.1:0 --port-file "$OUT/port" --threads 2 2>"$OUT/serve.log" &
SERVER=$!
for i in $(seq 1 1200); do [ -s "$OUT/port" ] && break; sleep 0.1; done # quick_check of a large store first
PORT=$(cat "$OUT/port")
trap 'kill $SERVER 2>/dev/null; [ -n "${NGINX:-}" ] && kill $NGINX 2>/dev/null; true' EXIT

# The same JSON as a static file behind nginx.
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/cases/$CASE" > "$OUT/case.json"
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/cases?limit=50" > "$OUT/list.json"
NPORT=$((PORT + 1))
cat > "$OUT/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$NPORT;
        root $PWD/$OUT;
        location / { default_type application/json; }
    }
}
CONF
nginx -c "$PWD/$OUT/nginx.conf" &
NGINX=$!
sleep 0.5

# CPU ticks of a process and its children (nginx's workers).
cpu_ticks() {
    for p in $1 $(pgrep -P "$1"); do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s}'
}
hz=$(getconf CLK_TCK)

measure() { # measure NAME URL [HEADER] PID
    name=$1 url=$2 header=$3 pid=$4
    t0=$(cpu_ticks "$pid")
    if [ -n "$header" ]; then
        wrk -t2 -c64 -d"$DUR" --latency -H "$header" "$url" > "$OUT/$name.wrk"
    else
        wrk -t2 -c64 -d"$DUR" --latency "$url" > "$OUT/$name.wrk"
    fi
    t1=$(cpu_ticks "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/$name.wrk")
    reqs=$(awk '/requests in/ {print $1}' "$OUT/$name.wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$OUT/$name.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.wrk")
    cpu_us=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')
    printf '%-28s %10s req/s  p50 %-8s p99 %-8s server CPU %s us/req\n' "$name" "$rps" "$p50" "$p99" "$cpu_us"
    eval "rps_$name=$rps"
}

echo "refuge serve vs nginx, wrk -t2 -c64 -d$DUR, $(nproc) cores; case $CASE"
measure nginx_case "http://127.0.0.1:$NPORT/case.json" "" "$NGINX"
measure refuge_case "http://127.0.0.1:$PORT/api/cases/$CASE" "Authorization: Bearer $TOKEN" "$SERVER"
measure nginx_list "http://127.0.0.1:$NPORT/list.json" "" "$NGINX"
measure refuge_list "http://127.0.0.1:$PORT/api/cases?limit=50" "Authorization: Bearer $TOKEN" "$SERVER"
awk -v a="$rps_refuge_case" -v b="$rps_nginx_case" -v c="$rps_refuge_list" -v d="$rps_nginx_list" \
    'BEGIN { printf "ratio GET case: %.2f of nginx (target >= 0.50); GET list: %.2f of nginx (target >= 0.30)\n", a / b, c / d }'
$R token revoke "bench-$$" >/dev/null 2>&1 || true
