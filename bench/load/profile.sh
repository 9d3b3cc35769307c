#!/usr/bin/env bash
# Where each proxy's CPU per request goes: perf samples of the gateway, plain YARP and nginx under the
# same wrk load (keep-alive GET / of the minimal backend), classified by component and printed as
# microseconds of CPU per request, side by side. The answer to "what is the gap to nginx made of".
#
#   bash bench/load/profile.sh                 # gateway, plain YARP, nginx; about 2 minutes
#   TARGETS="gateway yarp" SECONDS=10 bash bench/load/profile.sh
#
# Environment: TARGETS (gateway yarp forwarder nginx; default "gateway yarp nginx"), SECONDS (10: the
# sampled window), WARMUP (15), FREQUENCY (1999 Hz), KEEP=1 keeps the run folder (perf.data files:
# `perf report -i RUN/gateway.perf.data --no-children --sort dso,sym`).
#
# Needs perf (Debian's linux-perf, installed with apt when missing, as root) and permission to
# profile (root, or kernel.perf_event_paranoid <= 1). .NET code is named through the perf maps the
# runtime writes with DOTNET_PerfMapEnabled=1, and DOTNET_EnableWriteXorExecute=0 so that samples in JIT code
# land in those maps rather than in an anonymous double mapping (both set for the .NET targets only).
set -euo pipefail
ENV_SECONDS=$(tr '\0' '\n' <"/proc/$$/environ" | sed -n 's/^SECONDS=//p')
WINDOW=${ENV_SECONDS:-10}
WARMUP=${WARMUP:-15}
FREQUENCY=${FREQUENCY:-1999}
TARGETS=${TARGETS:-gateway yarp nginx}
KEEP=${KEEP:-0}
for target in $TARGETS; do [[ $target =~ ^(gateway|yarp|forwarder|nginx)$ ]] || { echo "unknown target $target" >&2; exit 2; }; done

RUN=$(mktemp -d "${TMPDIR:-/tmp}/load-profile.XXXXXX")
# shellcheck source=bench/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BACKEND_DLL=$ROOT/bench/Backend/bin/Release/net10.0/Backend.dll
FORWARDER_DLL=$ROOT/bench/Forwarder/bin/Release/net10.0/Forwarder.dll
PIDS=()
cleanup() {
  local code=$? pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $KEEP == 1 || $code != 0 ]]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

need wrk wrk
need perf linux-perf
[[ " $TARGETS " == *" nginx "* ]] && need nginx nginx
build bench/Backend bench/PlainYarp bench/Forwarder

mapfile -t PORTS < <(free_ports 12)
BACKEND=http://127.0.0.1:${PORTS[0]}
dotnet "$BACKEND_DLL" "$BACKEND" >"$RUN/backend.log" 2>&1 &
PIDS+=($!)

declare -A URL=() PID=()
i=1
for target in $TARGETS; do
  port=${PORTS[$i]} admin=${PORTS[$((i + 1))]}
  i=$((i + 2))
  URL[$target]=http://127.0.0.1:$port
  case $target in
    gateway)
      mkdir -p "$RUN/gateway"
      cat >"$RUN/gateway/settings.json" <<JSON
{ "Gateway": { "Proxy": { "Urls": "http://127.0.0.1:$port" }, "Admin": { "Urls": "http://127.0.0.1:$admin" },
  "StateDirectory": "$RUN/gateway/state", "Services": { "bench": { "Runtime": "Static", "Addresses": [ "$BACKEND" ] } } } }
JSON
      DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 TMPDIR=$RUN dotnet "$GATEWAY_DLL" --config "$RUN/gateway/settings.json" >"$RUN/gateway.log" 2>&1 & ;;
    yarp) DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$YARP_DLL" "${URL[$target]}" "$BACKEND" >"$RUN/yarp.log" 2>&1 & ;;
    forwarder) DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$FORWARDER_DLL" "${URL[$target]}" "$BACKEND" >"$RUN/forwarder.log" 2>&1 & ;;
    nginx)
      cat >"$RUN/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; upstream backend { server 127.0.0.1:${PORTS[0]}; keepalive 64; }
  client_body_temp_path $RUN/nginx-body; proxy_temp_path $RUN/nginx-proxy; fastcgi_temp_path $RUN/nginx-fcgi; uwsgi_temp_path $RUN/nginx-uwsgi; scgi_temp_path $RUN/nginx-scgi;
  server { listen 127.0.0.1:$port; location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_max_temp_file_size 0; } } }
CONF
      nginx -c "$RUN/nginx.conf" -p "$RUN" >"$RUN/nginx.log" 2>&1 & ;;
  esac
  PID[$target]=$!
  PIDS+=($!)
done

for target in $TARGETS; do
  for _ in $(seq 100); do [[ $(curl -sf --max-time 2 "${URL[$target]}/" 2>/dev/null) == "hello world" ]] && break; sleep 0.2; done
  [[ $(curl -sf --max-time 2 "${URL[$target]}/" 2>/dev/null) == "hello world" ]] || die "$target does not answer; see $RUN/$target.log"
done

: >"$RUN/samples.jsonl"
for target in $TARGETS; do
  pids=${PID[$target]}
  [[ $target == nginx ]] && pids=$(pgrep -d, -P "${PID[nginx]}" nginx || true),${PID[nginx]}
  log "$target: warm-up ${WARMUP} s, then ${WINDOW} s sampled at ${FREQUENCY} Hz (pids $pids)"
  wrk -t1 -c32 -d"${WARMUP}s" "${URL[$target]}/" >/dev/null
  wrk -t1 -c32 -d"$((WINDOW + 2))s" "${URL[$target]}/" >"$RUN/$target.wrk" &
  wrk_pid=$!
  sleep 1
  perf record -q -F "$FREQUENCY" -g -p "$pids" -o "$RUN/$target.perf.data" -- sleep "$WINDOW" >/dev/null 2>&1
  wait "$wrk_pid"
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$RUN/$target.wrk")
  python3 "$ROOT/bench/load/profile.py" classify "$target" "$RUN/$target.perf.data" "$rps" "$FREQUENCY" >>"$RUN/samples.jsonl"
done
python3 "$ROOT/bench/load/profile.py" report "$RUN/samples.jsonl" "$WINDOW"
