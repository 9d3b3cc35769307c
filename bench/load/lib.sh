# Shared by bench/load/run.sh and bench/load/chaos.sh (sourced, not run): build, tools, the gateway
# and its pods, CPU time from /proc, wrk's output. The caller sets RUN (its temporary folder) first.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TICKS=$(getconf CLK_TCK)
GATEWAY_DLL=$ROOT/src/Gateway/bin/Release/net10.0/Gateway.dll
YARP_DLL=$ROOT/bench/PlainYarp/bin/Release/net10.0/PlainYarp.dll
GATEWAY_PID=""

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# need COMMAND DEBIAN-PACKAGE: installs the package with apt when the command is missing.
APT_UPDATED=""
need() {
  command -v "$1" >/dev/null && return
  [[ $(id -u) == 0 ]] || die "$1 is missing: apt-get install -y $2 (as root)"
  [[ -n $APT_UPDATED ]] || { log "apt-get update"; apt-get update -qq >/dev/null; APT_UPDATED=1; }
  log "installing $2 (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "apt-get install $2 failed"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# free_ports N: N different free ports, one a line (all bound at once, so none is given twice).
free_ports() {
  python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in sockets))' "$1"
}

# cpu_ticks PID...: utime+stime summed over the processes, in clock ticks (fields after the "(comm)").
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$(( total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat") ))
  done
  echo "$total"
}

now() { date +%s.%N; }

# build [EXTRA-PROJECT...]: the gateway in Release (which builds the demo backend into artifacts/), then the others.
build() {
  local project
  log "building the gateway (Release)"
  dotnet build -c Release "$ROOT/src/Gateway" -nologo -v q >"$RUN/build.log" 2>&1 || { cat "$RUN/build.log"; die "build failed"; }
  for project in "$@"; do
    log "building $project (Release)"
    dotnet build -c Release "$ROOT/$project" -nologo -v q >>"$RUN/build.log" 2>&1 || { cat "$RUN/build.log"; die "build of $project failed"; }
  done
}

# write_settings FILE REPLICAS CONTAINER-JSON: one service "bench" of REPLICAS pods; logging as in config/appsettings.json.
write_settings() {
  PROXY_PORT=$(free_port)
  ADMIN_PORT=$(free_port)
  ADMIN=http://127.0.0.1:$ADMIN_PORT
  cat >"$1" <<EOF
{
  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning", "Yarp": "Warning" } },
  "Gateway": {
    "Proxy": { "Urls": "http://127.0.0.1:$PROXY_PORT" },
    "Admin": { "Urls": "$ADMIN" },
    "StateDirectory": "$RUN/state",
    "Services": {
      "bench": {
        "Runtime": "Process",
        "Replicas": $2,
        "Template": { "spec": { "terminationGracePeriodSeconds": 5, "containers": [ $3 ] } }
      }
    }
  }
}
EOF
}

# start_gateway SETTINGS: pod working folders go under $RUN, so that nothing of the run is left elsewhere.
start_gateway() {
  TMPDIR=$RUN dotnet "$GATEWAY_DLL" --config "$1" >"$RUN/gateway.log" 2>&1 &
  GATEWAY_PID=$!
  log "gateway: pid $GATEWAY_PID, proxy 127.0.0.1:$PROXY_PORT, admin $ADMIN"
}

# ready_pods: one line per pod whose containers are all ready: "NAME HOSTPORT PID RESTARTS".
ready_pods() {
  curl -sf --max-time 5 "$ADMIN/api/v1/pods" | python3 -c '
import json, sys
for p in json.load(sys.stdin).get("items") or []:
    statuses = (p.get("status") or {}).get("containerStatuses") or []
    if not statuses or not all(c.get("ready") for c in statuses):
        continue
    c = statuses[0]
    pid = (c.get("containerID") or "").removeprefix("process://").split("-")[0]
    port = p["spec"]["containers"][0]["ports"][0]["hostPort"]
    print(p["metadata"]["name"], port, pid, c.get("restartCount", 0))'
}

# wait_ready N TIMEOUT: until N pods are ready; then READY holds ready_pods.
wait_ready() {
  local deadline=$(( SECONDS + $2 ))
  while :; do
    kill -0 "$GATEWAY_PID" 2>/dev/null || { tail -20 "$RUN/gateway.log" >&2; die "the gateway exited"; }
    READY=$(ready_pods 2>/dev/null || true)
    [[ -n $READY && $(wc -l <<<"$READY") -ge $1 ]] && return
    (( SECONDS < deadline )) || die "fewer than $1 pods Ready after $2 s; see $RUN/gateway.log"
    sleep 0.3
  done
}

# Pod processes of this run only: they carry GATEWAY_CONFIG_DIR=$RUN in their environment.
our_pods() {
  local pid
  for pid in $(pgrep -x dotnet || true); do
    # The process may be gone between pgrep and the read.
    if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "GATEWAY_CONFIG_DIR=$RUN"; then
      echo "$pid"
    fi
  done
}

# stop_gateway: SIGTERM (it drains and stops its pods), SIGKILL after 30 s.
stop_gateway() {
  [[ -n $GATEWAY_PID ]] || return 0
  kill -TERM "$GATEWAY_PID" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$GATEWAY_PID" 2>/dev/null; then
    log "warning: the gateway did not stop within 30 s of SIGTERM; killing it"
    kill -KILL "$GATEWAY_PID" 2>/dev/null || true
  fi
  wait "$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=""
}

# kill_leftovers: kills (and counts) pod processes of this run still alive; prints how many.
kill_leftovers() {
  local left
  left=$(our_pods)
  if [[ -n $left ]]; then
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  wc -w <<<"$left"
}

# wrk_summary FILE: "requests rps p50_us p99_us non2xx socket_errors" from wrk --latency output.
wrk_summary() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def us(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
p50 = us(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1))
p99 = us(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(requests, rps, p50, p99, int(non2xx.group(1)) if non2xx else 0, sum(map(int, sock.groups())) if sock else 0)
EOF
}

# machine_busy: busy clock ticks of the whole machine so far (every CPU; /proc/stat: all but idle and iowait).
machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# timed OUT COMMAND...: runs COMMAND with its stdout in OUT; prints the CPU time it used, in clock ticks.
timed() {
  python3 - "$TICKS" "$@" <<'EOF2'
import os, subprocess, sys
ticks, out, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
with open(out, "w") as f:
    child = subprocess.Popen(command, stdout=f)
    _, status, usage = os.wait4(child.pid, 0)
if status != 0:
    sys.exit(f"{command[0]} failed ({status})")
print(round((usage.ru_utime + usage.ru_stime) * ticks))
EOF2
}

# Stops the gateway and any pod process it left, then removes the run folder unless KEEP=1 or the run failed ($1: its exit code).
finish_run() {
  local code=$1 left
  stop_gateway
  left=$(kill_leftovers)
  (( left == 0 )) || log "warning: killed $left pod processes left after the gateway stopped"
  if [[ $KEEP == 1 || $code != 0 ]]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
}

# curl, python3 and wrk, which every load run uses.
need_basics() {
  command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"
  command -v python3 >/dev/null || die "python3 is needed"
  need wrk wrk
}
