#!/usr/bin/env bash
# The prober benchmark: what 1-second httpGet readiness probes cost the gateway as pods grow.
#
#   bash bench/probes/run.sh [PODS]          # default 1000 pods
#
# Environment (all optional):
#   PODS=1000           pods (also the first argument)
#   WINDOW=30           seconds measured
#   SETTLE=5            seconds waited after every pod is Ready, before measuring
#   READY_TIMEOUT=180   seconds allowed for every pod to become Ready
#   STOP_TIMEOUT=120    seconds allowed for the gateway to drain and stop every pod on SIGTERM
#   BASELINE=1          0 skips the baseline client
#   KEEP=0              1 keeps the run folder (settings, gateway and server output)
#   SMAPS=0             N > 0 also lists the N largest mapped files (the RSS split is always printed)
#
# What it does: builds the gateway in Release; starts one demo backend (the server probed); runs
# the gateway with one service of PODS pods, each a `sleep 3600` container with an httpGet
# readinessProbe on the server's port every second; waits until every pod is Ready; lets it settle;
# then over WINDOW seconds reads the gateway's CPU time (/proc/PID/stat), the probes the server
# really received (its /stats counter) and the gateway's memory (VmRSS, VmHWM). Then it stops the
# gateway with SIGTERM, runs the baseline (a minimal .NET client sending the same requests per
# second, Connection: close), stops the server and checks that no pod process is left.
# Needs: the .NET 10 SDK, python3 or jq, curl. Loopback only. See bench/README.md for the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PODS=${1:-${PODS:-1000}}
WINDOW=${WINDOW:-30}
SETTLE=${SETTLE:-5}
READY_TIMEOUT=${READY_TIMEOUT:-180}
STOP_TIMEOUT=${STOP_TIMEOUT:-120}
BASELINE=${BASELINE:-1}
KEEP=${KEEP:-0}
SMAPS=${SMAPS:-0}
TICKS=$(getconf CLK_TCK)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
command -v python3 >/dev/null || die "python3 is needed"

RUN=$(mktemp -d "${TMPDIR:-/tmp}/probe-bench.XXXXXX")
GATEWAY_PID=""
SERVER_PID=""

# Pod processes of this run only: they carry GATEWAY_CONFIG_DIR=$RUN in their environment.
our_pods() {
  local pid
  for pid in $(pgrep -x sleep || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "GATEWAY_CONFIG_DIR=$RUN"; then
      echo "$pid"
    fi
  done
}

cleanup() {
  local code=$?
  [[ -n $GATEWAY_PID ]] && kill -KILL "$GATEWAY_PID" 2>/dev/null || true
  [[ -n $SERVER_PID ]] && kill -TERM "$SERVER_PID" 2>/dev/null || true
  local left
  left=$(our_pods)
  if [[ -n $left ]]; then
    log "warning: killing $(wc -w <<<"$left") leftover pod processes"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  if [[ $KEEP == 1 || $code != 0 ]]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# utime+stime in clock ticks; the fields after the command name, which is in parentheses.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
sys_ticks() { awk '{ sub(/^.*\) /, ""); print $13 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
requests() { curl -sf "http://127.0.0.1:$SERVER_PORT/stats" | awk '{ print $2 }'; }

# --- 1. build ---------------------------------------------------------------------------------
log "building the gateway (Release)"
dotnet build -c Release "$ROOT/src/Gateway" -nologo -v q >"$RUN/build.log" 2>&1 || { cat "$RUN/build.log"; die "build failed"; }
if [[ $BASELINE == 1 ]]; then
  dotnet build -c Release "$ROOT/bench/probes/baseline" -nologo -v q >>"$RUN/build.log" 2>&1 || { cat "$RUN/build.log"; die "baseline build failed"; }
fi
GATEWAY_DLL=$ROOT/src/Gateway/bin/Release/net10.0/Gateway.dll
SERVER_DLL=$ROOT/artifacts/demo-backend/DemoBackend.dll

# --- 2. the server probed ---------------------------------------------------------------------
SERVER_PORT=$(free_port)
PORT=$SERVER_PORT dotnet "$SERVER_DLL" >"$RUN/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SERVER_PORT/stats" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$SERVER_PORT/readyz" >/dev/null || die "the demo backend did not start; see $RUN/server.log"
log "server: demo backend pid $SERVER_PID on 127.0.0.1:$SERVER_PORT"

# --- 3. settings ------------------------------------------------------------------------------
PROXY_PORT=$(free_port)
ADMIN_PORT=$(free_port)
ADMIN=http://127.0.0.1:$ADMIN_PORT
cat >"$RUN/settings.json" <<EOF
{
  "Gateway": {
    "Proxy": { "Urls": "http://127.0.0.1:$PROXY_PORT" },
    "Admin": { "Urls": "$ADMIN" },
    "MaxPods": $PODS,
    "StateDirectory": "$RUN/state",
    "Services": {
      "bench": {
        "Runtime": "Process",
        "Replicas": $PODS,
        "Template": {
          "spec": {
            "terminationGracePeriodSeconds": 5,
            "containers": [{
              "name": "sleep",
              "command": [ "sleep", "3600" ],
              "readinessProbe": { "httpGet": { "path": "/readyz", "port": $SERVER_PORT }, "periodSeconds": 1 }
            }]
          }
        }
      }
    }
  }
}
EOF

# --- 4. the gateway, until every pod is Ready ---------------------------------------------------
# Pod working folders go under $RUN, so that nothing of this run is left elsewhere.
TMPDIR=$RUN dotnet "$GATEWAY_DLL" --config "$RUN/settings.json" >"$RUN/gateway.log" 2>&1 &
GATEWAY_PID=$!
STARTED=$(date +%s.%N)
log "gateway: pid $GATEWAY_PID, admin $ADMIN, $PODS pods"

elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

# Prints "pods running ready" from the pod list.
pod_counts() {
  curl -sf --max-time 10 "$ADMIN/api/v1/pods" | python3 -c '
import json, sys
items = json.load(sys.stdin).get("items") or []
running = sum(1 for p in items if (p.get("status") or {}).get("phase") == "Running")
ready = sum(1 for p in items for c in ((p.get("status") or {}).get("containerStatuses") or []) if c.get("ready"))
print(len(items), running, ready)'
}

ADMIN_UP=""
ALL_RUNNING=""
ALL_READY=""
last_report=0
while :; do
  kill -0 "$GATEWAY_PID" 2>/dev/null || { tail -20 "$RUN/gateway.log" >&2; die "the gateway exited"; }
  if counts=$(pod_counts 2>/dev/null); then
    now=$(elapsed "$STARTED")  # when the answer came: a list of 1000 pods can take seconds while they start
    read -r n running ready <<<"$counts"
    [[ -z $ADMIN_UP ]] && ADMIN_UP=$now && log "admin API answered its first pod list after ${now}s"
    [[ -z $ALL_RUNNING && $running -ge $PODS ]] && ALL_RUNNING=$now
    if [[ $ready -ge $PODS ]]; then ALL_READY=$now; break; fi
    if (( ${now%.*} - last_report >= 5 )); then
      last_report=${now%.*}
      log "  ${now}s: pods $n, Running $running, Ready $ready; gateway RSS $(( $(status_kb "$GATEWAY_PID" VmRSS) / 1024 )) MB, threads $(status_kb "$GATEWAY_PID" Threads)"
    fi
  fi
  now=$(elapsed "$STARTED")
  (( ${now%.*} < READY_TIMEOUT )) || die "not every pod Ready after ${READY_TIMEOUT}s (last: ${counts:-no answer}); see $RUN/gateway.log"
  sleep 1
done
log "all $PODS pods Ready after ${ALL_READY}s (all Running after ${ALL_RUNNING:-?}s); gateway CPU so far $(( $(cpu_ticks "$GATEWAY_PID") * 1000 / TICKS )) ms"

# --- the window ---------------------------------------------------------------------------------
sleep "$SETTLE"
cpu0=$(cpu_ticks "$GATEWAY_PID"); sys0=$(sys_ticks "$GATEWAY_PID"); scpu0=$(cpu_ticks "$SERVER_PID"); req0=$(requests); t0=$(date +%s.%N)
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
sleep "$WINDOW"
LOAD1=$(cut -d' ' -f1 /proc/loadavg)
cpu1=$(cpu_ticks "$GATEWAY_PID"); sys1=$(sys_ticks "$GATEWAY_PID"); scpu1=$(cpu_ticks "$SERVER_PID"); req1=$(requests); t1=$(date +%s.%N)
RSS_KB=$(status_kb "$GATEWAY_PID" VmRSS)
HWM_KB=$(status_kb "$GATEWAY_PID" VmHWM)
THREADS=$(status_kb "$GATEWAY_PID" Threads)
SMAPS_OUT=$(python3 "$ROOT/bench/probes/smaps.py" "$GATEWAY_PID" "$SMAPS" 2>&1 || true)
READY_END=$(pod_counts | awk '{ print $3 }')
UNHEALTHY=$(curl -sf "$ADMIN/api/v1/namespaces/default/events" | python3 -c '
import json, sys
print(sum((e.get("count") or 1) for e in (json.load(sys.stdin).get("items") or []) if e.get("reason") == "Unhealthy"))')

# --- 6. stop the gateway -------------------------------------------------------------------------
kill -TERM "$GATEWAY_PID"
stop0=$(date +%s.%N)
for _ in $(seq $(( STOP_TIMEOUT * 10 ))); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$GATEWAY_PID" 2>/dev/null; then
  log "warning: the gateway did not stop within ${STOP_TIMEOUT}s of SIGTERM; killing it"
  kill -KILL "$GATEWAY_PID"
fi
wait "$GATEWAY_PID" 2>/dev/null && GATEWAY_EXIT=0 || GATEWAY_EXIT=$?
STOP_S=$(elapsed "$stop0")
GATEWAY_PID=""
sleep 1
LEFT=$(our_pods | wc -w)

# --- 5. baseline: the same requests per second from a minimal client ----------------------------------
RATE=$(python3 -c "print(round(($req1 - $req0) / ($t1 - $t0)))")
BASE=""
if [[ $BASELINE == 1 ]]; then
  log "baseline: $RATE GET/s with Connection: close for ${SETTLE}s + ${WINDOW}s"
  bscpu0=$(cpu_ticks "$SERVER_PID"); breq0=$(requests)
  BLOAD0=$(cut -d' ' -f1 /proc/loadavg)
  BASE=$(dotnet "$ROOT/bench/probes/baseline/bin/Release/net10.0/ProbeBaseline.dll" \
    "http://127.0.0.1:$SERVER_PORT/readyz" "$RATE" "$SETTLE" "$WINDOW")
  bscpu1=$(cpu_ticks "$SERVER_PID"); breq1=$(requests)
  BLOAD1=$(cut -d' ' -f1 /proc/loadavg)
fi
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# --- report ----------------------------------------------------------------------------------------
python3 - "$PODS" "$t0" "$t1" "$cpu0" "$cpu1" "$req0" "$req1" "$TICKS" "$RSS_KB" "$HWM_KB" "$THREADS" \
  "$scpu0" "$scpu1" "$ADMIN_UP" "$ALL_RUNNING" "$ALL_READY" "$STOP_S" "$GATEWAY_EXIT" "$LEFT" \
  "$READY_END" "$UNHEALTHY" "$BASE" "${bscpu0:-0}" "${bscpu1:-0}" "${breq0:-0}" "${breq1:-0}" "$sys0" "$sys1" \
  "$LOAD0" "$LOAD1" "${BLOAD0:-}" "${BLOAD1:-}" <<'EOF'
import sys
a = sys.argv[1:]
pods = int(a[0]); t0, t1 = float(a[1]), float(a[2]); window = t1 - t0
cpu = (int(a[4]) - int(a[3])) / int(a[7])
probes = int(a[6]) - int(a[5])
scpu = (int(a[12]) - int(a[11])) / int(a[7])
print()
print(f"pods                      {pods}")
print(f"window                    {window:.1f} s   (load average {a[28]} at its start, {a[29]} at its end; 2 cores here: above 2 the machine is busy)")
print(f"probes counted            {probes}  (server's /stats; expected {pods * window:.0f} = pods x window)")
print(f"probes/s                  {probes / window:.1f}")
sys_ = (int(a[27]) - int(a[26])) / int(a[7])
print(f"gateway CPU per probe     {cpu / probes * 1e6:.1f} us   (user {(cpu - sys_) / probes * 1e6:.0f}, system {sys_ / probes * 1e6:.0f})")
print(f"gateway CPU               {cpu / window * 100:.1f} % of one core")
print(f"gateway RSS               {int(a[8]) / 1024:.1f} MB   (target < 150 MB)")
print(f"gateway peak RSS          {int(a[9]) / 1024:.1f} MB")
print(f"gateway threads           {a[10]}")
print(f"server CPU per request    {scpu / probes * 1e6:.1f} us")
print(f"start: first pod list answered {a[13]} s, all Running {a[14]} s, all Ready {a[15]} s")
print(f"Ready at end of window    {a[19]} / {pods}; Unhealthy probe events in the run: {a[20]}")
print(f"stop on SIGTERM           {a[16]} s, exit code {a[17]}, pod processes left {a[18]}")
if a[21]:
    b = dict(kv.split("=") for kv in a[21].split())
    breq = int(b["requests"]); bcpu = (int(b["user_us"]) + int(b["sys_us"])) / 1e6
    bsreq = int(a[25]) - int(a[24])
    print(f"baseline: {breq} requests ({b['errors']} errors, server counted {bsreq} over warm-up + window) "
          f"in {window:.0f} s;\n          client CPU per request {bcpu / breq * 1e6:.1f} us (user {int(b['user_us']) / breq:.0f}, system {int(b['sys_us']) / breq:.0f}), {bcpu / window * 100:.1f} % of one core")
    print(f"          load average {a[30]} at its start, {a[31]} at its end")
    print(f"gateway / baseline        {(cpu / probes) / (bcpu / breq):.2f} x   (target <= 1.10 x)")
else:
    print("baseline                  skipped (BASELINE=0)")
EOF
printf '%s\n' "$SMAPS_OUT"
(( LEFT == 0 )) || log "warning: $LEFT pod processes were left after the gateway stopped (killed on exit)"
