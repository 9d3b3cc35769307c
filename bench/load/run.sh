#!/usr/bin/env bash
# The load benchmark: what each proxy costs in front of the same minimal backend. One run, interleaved
# rounds: direct to the backend, the gateway (three times: a settings file with no Logging section, one
# with Logging Default Warning, one with its access log on), plain YARP, YARP's forwarder alone, nginx
# and HAProxy. Prints per scenario req/s, p50, p99, the CPU per request of each proxy process, and the
# ratios to plain YARP.
#
#   bash bench/load/run.sh            # every body, both connection modes; about 4 minutes
#   QUICK=1 bash bench/load/run.sh    # GET / keep-alive only, 3 rounds of 2 s; about 1.5 minutes
#   ROUNDS=5 SECONDS=5 BODIES=/ CONNS=keepalive bash bench/load/run.sh   # the issue's setting, steadier
#   bash bench/load/run.sh --chaos    # then bench/load/chaos.sh
#
# Environment (all optional):
#   ROUNDS=4                  rounds per scenario; in each, every target once, in a new order
#   SECONDS=1 (or DURATION=)  seconds of each measured wrk run (whole seconds: wrk's -d)
#   BODIES="/ /1k /64k"       response bodies: 11 B, 1 KiB, 64 KiB
#   CONNS="keepalive close"   wrk's connections kept alive, or a new one per request (-H "Connection: close")
#   TARGETS="direct gateway gateway_warn gateway_access yarp forwarder nginx haproxy"   any subset, in that order
#                             (gateway_access: no Logging section, and Gateway:AccessLog on, to a file)
#                             Also, not in the default set: gateway_pod_host and gateway_pod_net, the gateway
#                             in front of one Process pod running bench/Backend (its own process, not the
#                             shared backend) with Gateway:PodNetwork Host and Pod: what the pod's network
#                             namespace costs the proxy (issue 18). Pod needs root and util-linux.
#   THREADS=1 CONNECTIONS=32  wrk -t / -c
#   WARMUP=12                 seconds of wrk on every target at once before the rounds (then 2 s of every other
#                             connection mode and body; none of it counted); 0: no warm-up
#   QUICK=1                   defaults BODIES=/ CONNS=keepalive ROUNDS=3 SECONDS=2
#   KEEP=0                    1 keeps the run folder (settings, logs, every wrk output, results.jsonl)
#
# What it does: builds the gateway, bench/Backend, bench/PlainYarp and bench/Forwarder in Release;
# installs wrk, nginx and haproxy with apt when missing (as root); starts the backend once and every
# proxy in front of it (127.0.0.1 only), checks each answers 200 with the right body, runs
# bench/load/measure.py (the rounds: /proc/PID/stat of every process before and after each wrk run)
# and bench/load/report.py (the tables and a RESULT line of JSON). Stops everything it started.
set -euo pipefail

CHAOS=0
[[ ${1:-} == --chaos ]] && CHAOS=1
# bash's own SECONDS counts time since the shell started; the knob is read from the environment it got.
ENV_SECONDS=$(tr '\0' '\n' <"/proc/$$/environ" | sed -n 's/^SECONDS=//p')
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  BODIES=${BODIES:-/} CONNS=${CONNS:-keepalive} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-${ENV_SECONDS:-2}}
fi
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-${ENV_SECONDS:-1}}
BODIES=${BODIES:-/ /1k /64k}
CONNS=${CONNS:-keepalive close}
TARGETS=${TARGETS:-direct gateway gateway_warn gateway_access yarp forwarder nginx haproxy}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-12}
KEEP=${KEEP:-0}
# The command as given, for the report: the knobs that came from the environment.
command_line() {
  local v value
  for v in QUICK ROUNDS SECONDS DURATION BODIES CONNS TARGETS THREADS CONNECTIONS WARMUP; do
    if [[ $v == SECONDS ]]; then value=$ENV_SECONDS; else value=$(printenv "$v" || true); fi
    if [[ -n $value ]]; then printf '%s=%q ' "$v" "$value"; fi
  done
  echo "bash bench/load/run.sh"
}
COMMAND=$(command_line)

[[ $DURATION =~ ^[1-9][0-9]*$ ]] || { echo "SECONDS must be a whole number of seconds (wrk's -d): $DURATION" >&2; exit 2; }
for body in $BODIES; do [[ $body =~ ^/(1k|64k)?$ ]] || { echo "BODIES: / /1k /64k, not $body" >&2; exit 2; }; done
for conn in $CONNS; do [[ $conn =~ ^(keepalive|close)$ ]] || { echo "CONNS: keepalive close, not $conn" >&2; exit 2; }; done
for target in $TARGETS; do [[ $target =~ ^(direct|gateway|gateway_warn|gateway_access|gateway_pod_host|gateway_pod_net|yarp|forwarder|nginx|haproxy)$ ]] || { echo "unknown target $target" >&2; exit 2; }; done
[[ " $TARGETS " == *" yarp "* ]] || { echo "TARGETS must include yarp: the ratios are to plain YARP" >&2; exit 2; }

RUN=$(mktemp -d "${TMPDIR:-/tmp}/load-bench.XXXXXX")
# shellcheck source=bench/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE=$ROOT/bench/load
BACKEND_DLL=$ROOT/bench/Backend/bin/Release/net10.0/Backend.dll
FORWARDER_DLL=$ROOT/bench/Forwarder/bin/Release/net10.0/Forwarder.dll
declare -A PID=() URL=()
STARTED=()   # "name pid signal", stopped in reverse order

cleanup() {
  local code=$? i name pid signal
  for (( i = ${#STARTED[@]} - 1; i >= 0; i-- )); do
    read -r name pid signal <<<"${STARTED[$i]}"
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null && log "warning: $name (pid $pid) did not stop on SIG$signal; killed"
    wait "$pid" 2>/dev/null || true
  done
  STARTED=()
  if [[ $KEEP == 1 || $code != 0 ]]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

# started NAME PID SIGNAL: remembers a server to stop at the end.
started() { STARTED+=("$1 $2 $3"); PID[$1]=$2; }

# wait_answers NAME URL: until URL answers 200 with the backend's body (10 s at most).
wait_answers() {
  local body
  for _ in $(seq 100); do
    body=$(curl -sf --max-time 2 "$2" 2>/dev/null) && [[ $body == "hello world" ]] && return
    kill -0 "${PID[$1]}" 2>/dev/null || { tail -20 "$RUN/$1.log" >&2; die "$1 exited; see $RUN/$1.log"; }
    sleep 0.1
  done
  die "$1 does not answer $2 with the backend's body; see $RUN/$1.log"
}

need_basics
[[ " $TARGETS " == *" nginx "* ]] && need nginx nginx
[[ " $TARGETS " == *" haproxy "* ]] && need haproxy haproxy
build bench/Backend bench/PlainYarp bench/Forwarder

# --- the backend, shared by every proxy ---------------------------------------------------------
# Every port of the run at once: the backend's, then each target's proxy port and, for the gateways, admin port.
mapfile -t PORTS < <(free_ports 20)
BACKEND_PORT=${PORTS[0]}
NEXT_PORT=1
BACKEND=http://127.0.0.1:$BACKEND_PORT
dotnet "$BACKEND_DLL" "$BACKEND" >"$RUN/backend.log" 2>&1 &
started backend $! TERM
wait_answers backend "$BACKEND/"
[[ $(curl -sf "$BACKEND/1k" | wc -c) == 1024 && $(curl -sf "$BACKEND/64k" | wc -c) == 65536 ]] || die "the backend's /1k or /64k is wrong"
log "backend (bench/Backend, Kestrel): pid ${PID[backend]}, $BACKEND"
URL[direct]=$BACKEND

# --- the proxies --------------------------------------------------------------------------------
# gateway_settings FILE PORT ADMIN-PORT [LOGGING-JSON [GATEWAY-JSON]]: one Static service on the backend, no probe.
gateway_settings() {
  cat >"$1" <<EOF
{${4:+
  $4,}
  "Gateway": {${5:+
    $5,}
    "Proxy": { "Urls": "http://127.0.0.1:$2" },
    "Admin": { "Urls": "http://127.0.0.1:$3" },
    "StateDirectory": "$(dirname "$1")/state",
    "Services": {
      "bench": { "Runtime": "Static", "Addresses": [ "$BACKEND" ] }
    }
  }
}
EOF
}

# gateway_pod_settings FILE PORT ADMIN-PORT MODE: one Process pod running bench/Backend on containerPort
# 8080 ($PORT: the containerPort in Pod mode, a free host port in Host mode), tcpSocket readiness.
gateway_pod_settings() {
  cat >"$1" <<EOF
{
  "Gateway": {
    "PodNetwork": "$4",
    "Proxy": { "Urls": "http://127.0.0.1:$2" },
    "Admin": { "Urls": "http://127.0.0.1:$3" },
    "StateDirectory": "$(dirname "$1")/state",
    "Services": {
      "bench": { "Runtime": "Process", "Replicas": 1, "Template": { "spec": { "containers": [ {
        "name": "backend", "image": "bench-backend",
        "command": [ "dotnet", "$BACKEND_DLL", "http://127.0.0.1:\$(PORT)" ],
        "ports": [ { "name": "http", "containerPort": 8080 } ],
        "readinessProbe": { "tcpSocket": { "port": "http" }, "periodSeconds": 1 } } ] } } }
    }
  }
}
EOF
}

for target in $TARGETS; do
  [[ $target == direct ]] && continue
  port=${PORTS[$NEXT_PORT]} admin_port=${PORTS[$NEXT_PORT + 1]}
  NEXT_PORT=$(( NEXT_PORT + 2 ))
  URL[$target]=http://127.0.0.1:$port
  case $target in
    gateway | gateway_warn | gateway_access)
      mkdir -p "$RUN/$target"
      case $target in
        gateway) gateway_settings "$RUN/$target/settings.json" "$port" "$admin_port" ;;
        gateway_warn) gateway_settings "$RUN/$target/settings.json" "$port" "$admin_port" '"Logging": { "LogLevel": { "Default": "Warning" } }' ;;
        gateway_access) gateway_settings "$RUN/$target/settings.json" "$port" "$admin_port" "" '"AccessLog": "access.log"' ;;
      esac
      TMPDIR=$RUN dotnet "$GATEWAY_DLL" --config "$RUN/$target/settings.json" >"$RUN/$target.log" 2>&1 &
      started "$target" $! TERM ;;
    gateway_pod_host | gateway_pod_net)
      mkdir -p "$RUN/$target"
      gateway_pod_settings "$RUN/$target/settings.json" "$port" "$admin_port" "$([[ $target == gateway_pod_net ]] && echo Pod || echo Host)"
      TMPDIR=$RUN dotnet "$GATEWAY_DLL" --config "$RUN/$target/settings.json" >"$RUN/$target.log" 2>&1 &
      started "$target" $! TERM ;;
    yarp)
      dotnet "$YARP_DLL" "${URL[$target]}" "$BACKEND" >"$RUN/$target.log" 2>&1 &
      started "$target" $! TERM ;;
    forwarder)
      dotnet "$FORWARDER_DLL" "${URL[$target]}" "$BACKEND" >"$RUN/$target.log" 2>&1 &
      started "$target" $! TERM ;;
    nginx)
      # One worker; HTTP/1.1 to the backend with idle connections kept (keepalive 64 > wrk's 32); default
      # buffers, but never a temporary file (a 64 KiB body does not fit the default 8 x 4 KiB in memory).
      cat >"$RUN/nginx.conf" <<EOF
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_max_temp_file_size 0;
    }
  }
}
EOF
      nginx -p "$RUN" -c "$RUN/nginx.conf" -g 'daemon off;' >"$RUN/$target.log" 2>&1 &
      started "$target" $! QUIT ;;
    haproxy)
      # One thread; idle backend connections shared by every client connection (http-reuse always), so
      # that a new client connection does not mean a new backend connection (as in nginx and YARP). No log.
      cat >"$RUN/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend bench
  bind 127.0.0.1:$port
  default_backend backend
backend backend
  server b1 127.0.0.1:$BACKEND_PORT
EOF
      haproxy -db -f "$RUN/haproxy.cfg" >"$RUN/$target.log" 2>&1 &
      started "$target" $! TERM ;;
  esac
done

PLAN_TARGETS=()
for target in $TARGETS; do
  [[ $target == direct ]] || wait_answers "$target" "${URL[$target]}/"
  pids=${PID[$target]:-${PID[backend]}}
  if [[ $target == nginx ]]; then
    pids="$pids $(pgrep -P "${PID[nginx]}" | tr '\n' ' ')"
  fi
  log "$target: pid(s) $pids, ${URL[$target]}"
  PLAN_TARGETS+=("$(printf '{"key": "%s", "url": "%s", "pids": [%s]}' "$target" "${URL[$target]}" "$(tr -s ' ' '\n' <<<"$pids" | grep . | paste -sd,)")")
done

SCENARIOS=()
for conn in $CONNS; do for body in $BODIES; do SCENARIOS+=("{\"body\": \"$body\", \"conn\": \"$conn\"}"); done; done
cat >"$RUN/plan.json" <<EOF
{ "targets": [ $(IFS=,; echo "${PLAN_TARGETS[*]}") ],
  "backend_pids": [ ${PID[backend]} ],
  "scenarios": [ $(IFS=,; echo "${SCENARIOS[*]}") ],
  "rounds": $ROUNDS, "seconds": $DURATION, "warmup": $WARMUP, "threads": $THREADS, "connections": $CONNECTIONS }
EOF

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
cells=$(( ${#SCENARIOS[@]} * $(wc -w <<<"$TARGETS") ))
warmup_seconds=$(( WARMUP > 0 ? WARMUP + 2 * ($(wc -w <<<"$CONNS") + $(wc -w <<<"$BODIES") - 2) + 2 : 0 ))
log "$cells runs x $ROUNDS rounds x $DURATION s after a warm-up of $warmup_seconds s: about $(( (cells * ROUNDS * (DURATION + 1) + warmup_seconds) / 60 + 1 )) min; load average $LOAD_BEFORE"
python3 "$HERE/measure.py" "$RUN/plan.json" "$RUN/results.jsonl"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

for target in $TARGETS; do
  [[ $target == direct ]] && continue
  kill -0 "${PID[$target]}" 2>/dev/null || die "$target exited during the run; see $RUN/$target.log"
done
# What the gateways logged: messages in their log (the console format: "info: Category[id]" and the
# text on the next line) per request they proxied, warm-up included.
LOGGING=""
for target in gateway gateway_warn gateway_access; do
  [[ " $TARGETS " == *" $target "* ]] || continue
  requests=$(cat "$RUN"/*-"$target".txt | awk '/requests in/ { n += $1 } END { print n + 0 }')
  lines=$(grep -cE '^(trce|dbug|info|warn|fail|crit): ' "$RUN/$target.log" || true)
  LOGGING+="${LOGGING:+; }$target: $lines messages for $requests requests ($(awk -v l="$lines" -v r="$requests" 'BEGIN { printf "%.2f", r ? l / r : 0 }') a request)"
  if [[ -f $RUN/$target/access.log ]]; then
    lines=$(wc -l <"$RUN/$target/access.log")
    LOGGING+=", access log $lines lines ($(awk -v l="$lines" -v r="$requests" 'BEGIN { printf "%.2f", r ? l / r : 0 }') a request)"
  fi
done
versions="$(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /' || true), $(nginx -v 2>&1 | sed 's/.*: //' || true), $(haproxy -v 2>/dev/null | awk 'NR == 1 { print "HAProxy " $3 }' || true), $(wrk -v 2>&1 | awk 'NR == 1 { print "wrk " $2 }' || true)"
# The GC mode each .NET server runs with (its runtimeconfig.json, as built).
GC_MODES=$(python3 - "$GATEWAY_DLL" "$YARP_DLL" "$FORWARDER_DLL" "$BACKEND_DLL" <<'EOF'
import json, os, sys
modes = []
for dll in sys.argv[1:]:
    props = json.load(open(dll.removesuffix(".dll") + ".runtimeconfig.json"))["runtimeOptions"].get("configProperties", {})
    gc = "server" if props.get("System.GC.Server") else "workstation"
    if props.get("System.GC.Concurrent") is False:
        gc += " non-concurrent"
    modes.append(f"{os.path.basename(dll).removesuffix('.dll')} {gc}")
print(", ".join(modes))
EOF
)
LOGGING=$LOGGING GC_MODES=$GC_MODES COMMAND=$COMMAND START_DATE=$START_DATE LOAD_BEFORE=$LOAD_BEFORE LOAD_AFTER=$LOAD_AFTER TARGETS=$TARGETS VERSIONS=$versions \
  THREADS=$THREADS CONNECTIONS=$CONNECTIONS DURATION=$DURATION ROUNDS=$ROUNDS python3 - "$RUN/meta.json" <<'EOF'
import json, os, sys
e = os.environ
json.dump({"date": e["START_DATE"], "command": e["COMMAND"], "cores": os.cpu_count(), "ticks": os.sysconf("SC_CLK_TCK"),
           "load_before": e["LOAD_BEFORE"], "load_after": e["LOAD_AFTER"], "targets": e["TARGETS"].split(),
           "threads": int(e["THREADS"]), "connections": int(e["CONNECTIONS"]), "seconds": int(e["DURATION"]), "rounds": int(e["ROUNDS"]),
           "backend": "bench/Backend (Kestrel, one terminal middleware)", "versions": e["VERSIONS"], "logging": e["LOGGING"], "gc": e["GC_MODES"]}, open(sys.argv[1], "w"))
EOF
python3 "$HERE/report.py" "$RUN/results.jsonl" "$RUN/meta.json" | tee "$RUN/report.txt"

if [[ $CHAOS == 1 ]]; then
  trap - EXIT
  cleanup
  echo
  exec bash "$HERE/chaos.sh"
fi
