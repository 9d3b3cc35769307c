#!/usr/bin/env bash
# The load benchmark: the same wrk load against the demo backend directly, through the gateway,
# through a plain YARP proxy (bench/PlainYarp) and through nginx, with the same two backends behind
# each proxy; prints requests/s, p50, p99 and CPU per request, and the gateway's ratios to the others.
#
#   bash bench/load/run.sh            # about 2 minutes
#   bash bench/load/run.sh --chaos    # then bench/load/chaos.sh
#
# Environment (all optional):
#   THREADS=2 CONNECTIONS=32   wrk -t / -c, the same for every target
#   DURATION=10                seconds of each measured wrk run
#   WARMUP=3                   seconds of wrk before each measured run (not counted)
#   ROUNDS=2                   measured runs per target; the targets alternate (round 2 in reverse order)
#                              and each figure printed is the median over the rounds
#   KEEP=0                     1 keeps the run folder (settings, logs, every wrk output)
#
# What it does: builds the gateway and PlainYarp in Release; installs wrk and nginx with apt when
# missing; runs the gateway with 2 demo-backend pods (Process runtime, readiness probe on /readyz);
# reads their host ports from the admin API; points PlainYarp and nginx (upstream keepalive) at the
# same two ports; then for each target a warm-up and a measured `wrk --latency`, reading the
# processes' utime+stime from /proc before and after. Stops everything it started and checks that
# no pod process is left. Needs the .NET 10 SDK, python3, curl; root for apt. Loopback only.
set -euo pipefail

CHAOS=0
[[ ${1:-} == --chaos ]] && CHAOS=1
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-2}
KEEP=${KEEP:-0}
# Targets: p99 of the gateway no more than 1.1 x plain YARP's, throughput no less than 0.95 x.
RPS_TARGET=0.95
P99_TARGET=1.1

RUN=$(mktemp -d "${TMPDIR:-/tmp}/load-bench.XXXXXX")
# shellcheck source=bench/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
YARP_PID=""
NGINX_PID=""

cleanup() {
  local code=$?
  if [[ -n $NGINX_PID ]]; then kill -QUIT "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""; fi
  if [[ -n $YARP_PID ]]; then kill -TERM "$YARP_PID" 2>/dev/null; wait "$YARP_PID" 2>/dev/null || true; YARP_PID=""; fi
  finish_run "$code"
}
trap cleanup EXIT

need_basics
need nginx nginx

build bench/PlainYarp

# --- the gateway and its two pods ---------------------------------------------------------------
write_settings "$RUN/settings.json" 2 '{
  "name": "web",
  "command": [ "dotnet", "'"$ROOT"'/artifacts/demo-backend/DemoBackend.dll" ],
  "ports": [ { "name": "http", "containerPort": 8080 } ],
  "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 }
}'
start_gateway "$RUN/settings.json"
wait_ready 2 60
read -r _ PORT1 POD1 _ <<<"$(sed -n 1p <<<"$READY")"
read -r _ PORT2 POD2 _ <<<"$(sed -n 2p <<<"$READY")"
log "pods Ready: 127.0.0.1:$PORT1 (pid $POD1), 127.0.0.1:$PORT2 (pid $POD2)"

# --- plain YARP and nginx, in front of the same two pods -------------------------------------------
YARP_PORT=$(free_port)
dotnet "$YARP_DLL" "http://127.0.0.1:$YARP_PORT" "http://127.0.0.1:$PORT1" "http://127.0.0.1:$PORT2" >"$RUN/yarp.log" 2>&1 &
YARP_PID=$!

NGINX_PORT=$(free_port)
cat >"$RUN/nginx.conf" <<EOF
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream pods {
    server 127.0.0.1:$PORT1;
    server 127.0.0.1:$PORT2;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://pods;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' 2>"$RUN/nginx-start.log" &
NGINX_PID=$!

for url in "http://127.0.0.1:$PROXY_PORT/" "http://127.0.0.1:$YARP_PORT/" "http://127.0.0.1:$NGINX_PORT/"; do
  for _ in $(seq 100); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
  curl -sf "$url" >/dev/null || die "$url does not answer; see $RUN"
done
NGINX_WORKERS=$(pgrep -P "$NGINX_PID" | tr '\n' ' ')
log "plain YARP pid $YARP_PID on :$YARP_PORT; nginx $(nginx -v 2>&1 | sed 's/.*\///'), master $NGINX_PID, workers $NGINX_WORKERS on :$NGINX_PORT"

# --- the runs ---------------------------------------------------------------------------------
# target name, URL, processes whose CPU is the proxy's (for direct: the one backend it hits)
declare -A URL=([direct]="http://127.0.0.1:$PORT1/" [gateway]="http://127.0.0.1:$PROXY_PORT/"
  [yarp]="http://127.0.0.1:$YARP_PORT/" [nginx]="http://127.0.0.1:$NGINX_PORT/")
# shellcheck disable=SC2206
declare -A PROC=([direct]="$POD1" [gateway]="$GATEWAY_PID" [yarp]="$YARP_PID" [nginx]="$NGINX_PID $NGINX_WORKERS")
ORDER=(direct gateway yarp nginx)
echo "round target requests rps p50_us p99_us non2xx socket_errors proxy_ticks pods_ticks wrk_ticks machine_ticks seconds" >"$RUN/results.txt"

for round in $(seq "$ROUNDS"); do
  targets=("${ORDER[@]}")
  (( round % 2 == 0 )) && targets=(nginx yarp gateway direct)
  for target in "${targets[@]}"; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${URL[$target]}" >"$RUN/warmup-$round-$target.txt"
    # shellcheck disable=SC2086
    p0=$(cpu_ticks ${PROC[$target]}); b0=$(cpu_ticks "$POD1" "$POD2"); m0=$(machine_busy); t0=$(now)
    w=$(timed "$RUN/wrk-$round-$target.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${URL[$target]}")
    # shellcheck disable=SC2086
    p1=$(cpu_ticks ${PROC[$target]}); b1=$(cpu_ticks "$POD1" "$POD2"); m1=$(machine_busy); t1=$(now)
    summary=$(wrk_summary "$RUN/wrk-$round-$target.txt")
    echo "$round $target $summary $(( p1 - p0 )) $(( b1 - b0 )) $w $(( m1 - m0 )) $(python3 -c "print(round($t1 - $t0, 2))")" >>"$RUN/results.txt"
    log "round $round $target: $(awk '{ printf "%.0f req/s, p99 %.0f us", $2, $4 }' <<<"$summary")"
  done
done

# --- report -----------------------------------------------------------------------------------------
python3 "$(dirname "${BASH_SOURCE[0]}")/report.py" "$RUN/results.txt" "$TICKS" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" \
  "$ROUNDS" "$RPS_TARGET" "$P99_TARGET" "$PORT1" "$(nproc)"

if [[ $CHAOS == 1 ]]; then
  trap - EXIT
  cleanup
  echo
  exec bash "$(dirname "${BASH_SOURCE[0]}")/chaos.sh"
fi
