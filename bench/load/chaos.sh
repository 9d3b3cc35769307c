#!/usr/bin/env bash
# The chaos run: wrk through the gateway to a 3-pod service, one pod's process SIGKILLed mid-run.
# Prints the requests sent, the requests failed (target 0), and how long after the SIGKILL the
# gateway still sent requests to the killed container.
#
#   bash bench/load/chaos.sh          # about 40 s
#
# Environment (all optional):
#   THREADS=2 CONNECTIONS=16   wrk -t / -c
#   DURATION=20                seconds of load
#   KILL_AT=8                  seconds into the load when one pod's process gets SIGKILL
#   KEEP=0                     1 keeps the run folder (settings, logs, wrk output, the packet capture)
#
# How "the last request the killed pod received" is measured: a SIGKILLed process receives nothing,
# so what is measured is what the gateway still sent its way. tcpdump records the loopback traffic
# to the victim's HTTP port; after the SIGKILL, every connection attempt refused (SYN answered by
# RST) and every request written on one of its old connections is a request sent to the dead
# container. The restarted container (restartPolicy Always) listens on the same port; connections
# it accepts (SYN answered by SYN-ACK) are not counted. Readiness is probed over gRPC on a second
# port, so that every packet to the HTTP port is proxied traffic and not a probe.
# Needs the .NET 10 SDK, python3, curl, wrk and tcpdump (installed with apt when missing; root).
set -euo pipefail

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20}
KILL_AT=${KILL_AT:-8}
KEEP=${KEEP:-0}

RUN=$(mktemp -d "${TMPDIR:-/tmp}/chaos-bench.XXXXXX")
# shellcheck source=bench/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WRK_PID=""
TCPDUMP_PID=""

cleanup() {
  local code=$?
  if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null; wait "$WRK_PID" 2>/dev/null || true; fi
  if [[ -n $TCPDUMP_PID ]]; then kill -INT "$TCPDUMP_PID" 2>/dev/null; wait "$TCPDUMP_PID" 2>/dev/null || true; fi
  finish_run "$code"
}
trap cleanup EXIT

need_basics
need tcpdump tcpdump

build

write_settings "$RUN/settings.json" 3 '{
  "name": "web",
  "command": [ "dotnet", "'"$ROOT"'/artifacts/demo-backend/DemoBackend.dll" ],
  "args": [ "--grpc-port", "$(PORT_GRPC)" ],
  "ports": [ { "name": "http", "containerPort": 8080 }, { "name": "grpc", "containerPort": 9090 } ],
  "readinessProbe": { "grpc": { "port": 9090 }, "periodSeconds": 1 }
}'
start_gateway "$RUN/settings.json"
wait_ready 3 60
read -r VICTIM VPORT VPID _ <<<"$(sed -n 1p <<<"$READY")"
log "3 pods Ready; victim $VICTIM: 127.0.0.1:$VPORT, pid $VPID"

tcpdump -i lo -n -s 96 -B 16384 -w "$RUN/victim.pcap" "tcp port $VPORT" 2>"$RUN/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 50); do grep -q listening "$RUN/tcpdump.log" && break; sleep 0.1; done
grep -q listening "$RUN/tcpdump.log" || die "tcpdump did not start: $(cat "$RUN/tcpdump.log")"

URL=http://127.0.0.1:$PROXY_PORT/
log "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $URL; SIGKILL to pid $VPID at ${KILL_AT}s"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL" >"$RUN/wrk.txt" &
WRK_PID=$!
sleep "$KILL_AT"
KILLED=$(now)
kill -KILL "$VPID"

# Until the victim pod is Ready again (its container restarted): when, as seen on the admin API.
READY_AGAIN=""
while kill -0 "$WRK_PID" 2>/dev/null; do
  if [[ -z $READY_AGAIN ]] && ready_pods 2>/dev/null | awk -v p="$VICTIM" '$1 == p && $4 > 0 { found = 1 } END { exit !found }'; then
    READY_AGAIN=$(python3 -c "print(f'{$(now) - $KILLED:.2f}')")
  fi
  sleep 0.1
done
wait "$WRK_PID"; WRK_PID=""
sleep 0.5
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true; TCPDUMP_PID=""
RESTARTS=$(curl -sf "$ADMIN/api/v1/namespaces/default/pods/$VICTIM" | python3 -c '
import json, sys
print(json.load(sys.stdin)["status"]["containerStatuses"][0].get("restartCount", 0))')
PODS_AT_END=$(ready_pods | wc -l)

tcpdump -r "$RUN/victim.pcap" -n -tt 2>/dev/null >"$RUN/victim.txt"
read -r REQUESTS _ _ _ NON2XX SOCKET_ERRORS <<<"$(wrk_summary "$RUN/wrk.txt")"

python3 - "$RUN/victim.txt" "$KILLED" "$VPORT" <<'EOF' >"$RUN/dead.txt"
# After the SIGKILL: client packets to the victim's port that open a connection (SYN) or carry a
# request (payload), on connections the dead container held or that were refused (RST, no SYN-ACK).
import re, sys
path, killed, port = sys.argv[1], float(sys.argv[2]), sys.argv[3]
line_re = re.compile(r"^(\d+\.\d+) IP (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\].*?length (\d+)")
alive = set()      # connections accepted after the kill (by the restarted container)
pending = {}       # connection -> time of its SYN after the kill, until the answer
dead = []          # times of the requests and connection attempts that reached the dead container
first_accepted = None
for line in open(path):
    m = line_re.match(line)
    if not m:
        continue
    t, sport, dport, flags, length = float(m[1]), m[3], m[5], m[6], int(m[7])
    if t < killed:
        continue
    if dport == port:
        conn = sport
        if "S" in flags:
            alive.discard(conn)
            pending[conn] = t
        elif length > 0 and conn not in alive and conn not in pending:
            dead.append(t)
    elif sport == port:
        conn = dport
        if conn in pending:
            syn = pending.pop(conn)
            if "S" in flags:
                alive.add(conn)
                first_accepted = first_accepted or t
            elif "R" in flags:
                dead.append(syn)
print(len(dead), f"{(max(dead) - killed) * 1000:.1f}" if dead else "-", f"{(first_accepted - killed):.2f}" if first_accepted else "-")
EOF
read -r DEAD_COUNT DEAD_LAST FIRST_ACCEPTED <"$RUN/dead.txt"

FAILED=$(( NON2XX + SOCKET_ERRORS ))
# YARP logs each failed forward (before the gateway's retry decides), with the address it tried.
FORWARD_ERRORS=$(grep -c "Yarp.ReverseProxy.Forwarder.HttpForwarder\[" "$RUN/gateway.log" || true)
echo
echo "chaos: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s through the gateway, 3 pods; SIGKILL to one pod's process at ${KILL_AT}s"
echo "requests sent (completed)     $REQUESTS"
echo "requests failed               $FAILED   (target 0; non-2xx $NON2XX, socket errors $SOCKET_ERRORS)  $([[ $FAILED == 0 ]] && echo PASS || echo MISS)"
echo "SIGKILL to last request sent to the killed container   ${DEAD_LAST} ms"
echo "  requests and connection attempts that reached its port after the SIGKILL: $DEAD_COUNT, each refused or reset"
echo "  (tcpdump on the pod's HTTP port; see the header of chaos.sh). Failed forwards in the gateway's log: $FORWARD_ERRORS"
echo "  (these also count requests in flight at the SIGKILL). A failed GET is sent again to another pod within the"
echo "  gateway's retry budget (20 % of requests in flight, at least 3 at once; a retry over it waits up to 250 ms for a slot)"
echo "restarted container: first connection accepted +${FIRST_ACCEPTED} s, pod Ready again +${READY_AGAIN:--} s (admin API, 0.1 s polls), restartCount $RESTARTS"
echo "pods Ready at the end         $PODS_AT_END / 3"
grep -E "Latency|Req/Sec|requests in|Requests/sec|Non-2xx|Socket errors" "$RUN/wrk.txt" | sed 's/^ */  wrk: /'
