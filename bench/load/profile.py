#!/usr/bin/env python3
"""bench/load/profile.sh's analysis: perf samples by component, as microseconds of CPU per request.

  profile.py classify TARGET PERF.DATA REQ/S FREQUENCY   one JSON line: samples per component
  profile.py report SAMPLES.JSONL                         the side-by-side table
"""
import collections
import json
import re
import subprocess
import sys

# Kernel symbols: the network stack, the scheduler (context switches and wake-ups), the rest.
NETWORK = re.compile(r"^(tcp_|__tcp|ip_|__ip|ipv4|inet|__inet|sock_|__sock|sk_|__sk|skb|__skb|kfree_skb|net_|__net|netif|__netif|dev_|__dev|"
                     r"loopback|process_backlog|bbr_|__napi|napi|nf_|raw_|__alloc_skb|__kmalloc_reserve|validate_xmit|eth_|__x64_sys_(send|recv)|"
                     r"__sys_(send|recv)|security_sock|release_sock|lock_sock|__release_sock|sockfd|sys_(send|recv))")
SCHED = re.compile(r"^(finish_task_switch|__schedule|schedule|_raw_spin_unlock_irqrestore|_raw_spin_lock|try_to_wake_up|ttwu|"
                   r"enqueue_|dequeue_|pick_next|update_curr|update_load|__update_load|switch_mm|__switch_to|psi_|select_task_rq|"
                   r"futex|__futex|do_futex|wake_up|__wake_up|autoremove_wake|set_next_entity|put_prev|sched_|do_sched_yield|__x64_sys_sched_yield|yield)")

# .NET code by the assembly that declares the method (the last "[Assembly] Type::Method" in a perf-map name).
ASSEMBLY = re.compile(r"\[([A-Za-z][\w.]*)\]\s*[\w.`+<>,\[\]]*::")
COMPONENTS = [
    ("Kestrel (HTTP server)", ("Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Connections", "System.IO.Pipelines")),
    ("ASP.NET Core hosting, routing", ("Microsoft.AspNetCore", "Microsoft.Extensions", "Microsoft.Net.Http")),
    ("HttpClient (to the backend)", ("System.Net.Http",)),
    ("sockets", ("System.Net.Sockets", "System.Net.Primitives", "libSystem.Native")),
    ("YARP", ("Yarp",)),
    ("gateway's own code", ("Gateway",)),
    ("telemetry (OpenTelemetry, Activity)", ("OpenTelemetry", "System.Diagnostics.DiagnosticSource")),
]
ORDER = ["kernel: network stack", "kernel: scheduling, wake-ups", "kernel: other (syscalls, epoll)", "nginx's own code"] + [c for c, _ in COMPONENTS] + [
    ".NET runtime, GC, JIT, CoreLib", "libc, other native"]


def component(dso, kind, symbol):
    if kind == "k":
        name = symbol.strip()
        if NETWORK.match(name):
            return "kernel: network stack"
        if SCHED.match(name):
            return "kernel: scheduling, wake-ups"
        return "kernel: other (syscalls, epoll)"
    if dso == "nginx":
        return "nginx's own code"
    if dso.startswith("libSystem.Native"):
        return "sockets"
    if "JIT" in dso or dso.endswith(".dll") or dso.startswith("perf-"):
        found = ASSEMBLY.findall(symbol)
        if found:
            assembly = found[-1]
            for name, prefixes in COMPONENTS:
                if assembly.startswith(prefixes):
                    return name
        return ".NET runtime, GC, JIT, CoreLib"
    if dso.startswith(("libcoreclr", "libclrjit", "libhostpolicy", "libhostfxr")):
        return ".NET runtime, GC, JIT, CoreLib"
    return "libc, other native"


def classify(target, data, rps, frequency):
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio", "-g", "none", "-F", "sample,dso,sym"],
                         capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+(\S+(?: tid \d+)?)\s+\[(.)\]\s+(.*)", line)
        if m:
            counts[component(m.group(2), m.group(3), m.group(4))] += int(m.group(1))
    print(json.dumps({"target": target, "rps": float(rps), "frequency": int(frequency), "samples": counts}))


def report(path, window):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    names = {"gateway": "gateway", "yarp": "plain YARP", "forwarder": "YARP forwarder", "nginx": "nginx"}

    def per_request(row, key):
        # samples / frequency: CPU seconds in the window; divided by the window's requests (req/s x window).
        return row["samples"].get(key, 0) / row["frequency"] / (row["rps"] * window) * 1e6

    print(f"{'component (us of CPU per request)':38}" + "".join(f"{names[r['target']]:>16}" for r in rows))
    for key in ORDER:
        values = [per_request(r, key) for r in rows]
        if any(v >= 0.05 for v in values):
            print(f"{key:38}" + "".join(f"{v:16.1f}" for v in values))
    totals = [sum(per_request(r, k) for k in r["samples"]) for r in rows]
    print(f"{'total':38}" + "".join(f"{v:16.1f}" for v in totals))
    print(f"{'req/s (wrk -t1 -c32, while sampled)':38}" + "".join(f"{r['rps']:16.0f}" for r in rows))


if __name__ == "__main__":
    if sys.argv[1] == "classify":
        classify(*sys.argv[2:6])
    else:
        report(sys.argv[2], float(sys.argv[3]))
