"""The load benchmark's rounds (run by bench/load/run.sh, which starts the servers first).

    python3 measure.py PLAN.json RESULTS.jsonl

PLAN.json: {"targets": [{"key", "url", "pids": [...]}, ...], "backend_pids": [...], "scenarios":
[{"body": "/", "conn": "keepalive"|"close"}, ...], "rounds", "seconds", "warmup", "threads",
"connections"}. For each scenario, ROUNDS rounds; in each round every target once, for SECONDS, in an
order that changes from round to round (rotated, every other round reversed) so that no target is
always measured first, last, or next to the same neighbour. Before the first scenario, every target
gets a warm-up (the JIT's tiers, the connection pools), not counted: see below.

One line of JSON per measured run in RESULTS.jsonl, with the CPU time (utime + stime from
/proc/PID/stat, clock ticks: every thread of the process, the exited ones too) of the target's
processes, of the backend, of wrk (its rusage) and of the whole machine (/proc/stat) over the run.
"""
import json
import os
import re
import subprocess
import sys
import time

plan_path, results_path = sys.argv[1], sys.argv[2]
plan = json.load(open(plan_path))
targets = plan["targets"]
backend_pids = plan["backend_pids"]
ticks_per_second = os.sysconf("SC_CLK_TCK")
every_pid = sorted({pid for t in targets for pid in t["pids"]} | set(backend_pids))


def process_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def snapshot():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]  # all but idle and iowait
    return {pid: process_ticks(pid) for pid in every_pid}, busy, time.monotonic()


def us(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 1, "ms": 1e3, "s": 1e6}[unit]


def wrk(url, conn, seconds, out_path):
    """Runs wrk; returns its parsed summary and its own CPU time in clock ticks."""
    command = ["wrk", f"-t{plan['threads']}", f"-c{plan['connections']}", f"-d{seconds}s", "--latency", url]
    if conn == "close":
        command[1:1] = ["-H", "Connection: close"]
    with open(out_path, "w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    text = open(out_path).read()
    if status != 0:
        sys.exit(f"wrk failed ({status}): {' '.join(command)}\n{text}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    summary = {
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "rps": float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1)),
        "p50_us": us(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1)),
        "p99_us": us(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(map(int, sock.groups())) if sock else 0,
    }
    return summary, round((usage.ru_utime + usage.ru_stime) * ticks_per_second)


def log(message):
    print(time.strftime("[%H:%M:%S] ") + message, file=sys.stderr, flush=True)


def order(round_index, scenario_index):
    n = len(targets)
    shift = (round_index * max(1, n // plan["rounds"]) + scenario_index) % n
    keys = [t["key"] for t in targets]
    keys = keys[shift:] + keys[:shift]
    return keys[::-1] if round_index % 2 else keys


run_folder = os.path.dirname(os.path.abspath(results_path))
by_key = {t["key"]: t for t in targets}

if plan["warmup"] > 0:
    # A .NET server needs several seconds of load before its JIT has compiled the hot paths at their
    # final tier (about 8 s on a busy 2-core machine); until then it costs up to 3 x its settled CPU per
    # request, and it keeps compiling in the background after the load stops, which would land in the
    # next target's run. So: WARMUP seconds on every target at once (first connection mode, first body),
    # then 2 s of each other connection mode and each other body, again every target at once.
    conns = list(dict.fromkeys(s["conn"] for s in plan["scenarios"]))
    bodies = list(dict.fromkeys(s["body"] for s in plan["scenarios"]))
    warmups = [(conns[0], bodies[0], plan["warmup"])] + [(c, bodies[0], 2) for c in conns[1:]] + [(conns[0], b, 2) for b in bodies[1:]]
    log("warm-up, every target at once, not counted: " + ", ".join(f"{c} {b} {s} s" for c, b, s in warmups))
    for conn, body, seconds in warmups:
        children = []
        for t in targets:
            command = ["wrk", "-t1", f"-c{plan['connections']}", f"-d{seconds}s", t["url"] + body]
            if conn == "close":
                command[1:1] = ["-H", "Connection: close"]
            out = open(os.path.join(run_folder, f"warmup-{conn}{body.replace('/', '_')}-{t['key']}.txt"), "w")
            children.append((subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT), out))
        for child, out in children:
            if child.wait() != 0:
                sys.exit(f"wrk failed in the warm-up: {' '.join(child.args)}")
            out.close()


def settle(limit=15.0):
    """Waits (up to LIMIT seconds) until no target uses more than 2 % of a core over half a second:
    after the warm-up, a .NET server's background JIT goes on for a while."""
    deadline = time.monotonic() + limit
    while True:
        before, _, t0 = snapshot()
        time.sleep(0.5)
        after, _, t1 = snapshot()
        busiest = max(after[p] - before[p] for p in every_pid) / ticks_per_second / (t1 - t0)
        if busiest <= 0.02 or time.monotonic() > deadline:
            return busiest


with open(results_path, "w") as results:
    for si, scenario in enumerate(plan["scenarios"]):
        body, conn = scenario["body"], scenario["conn"]
        busiest = settle()
        if busiest > 0.02:
            log(f"warning: a process of the benchmark still uses {busiest * 100:.0f} % of a core with no load")
        for r in range(plan["rounds"]):
            line = []
            for key in order(r, si):
                t = by_key[key]
                name = f"{conn}{body.replace('/', '_')}-{r + 1}-{key}.txt"
                before, machine0, t0 = snapshot()
                summary, wrk_ticks = wrk(t["url"] + body, conn, plan["seconds"], os.path.join(run_folder, name))
                after, machine1, t1 = snapshot()
                delta = {pid: after[pid] - before[pid] for pid in every_pid}
                record = dict(body=body, conn=conn, round=r + 1, target=key, **summary,
                              proxy_ticks=sum(delta[p] for p in t["pids"]) if key != "direct" else 0,
                              backend_ticks=sum(delta[p] for p in backend_pids),
                              ours_ticks=sum(delta.values()), wrk_ticks=wrk_ticks, machine_ticks=machine1 - machine0,
                              idle_ticks={o["key"]: sum(delta[p] for p in o["pids"]) for o in targets
                                          if o["key"] not in (key, "direct") and any(delta[p] for p in o["pids"])},
                              seconds=round(t1 - t0, 3))
                results.write(json.dumps(record) + "\n")
                results.flush()
                line.append(f"{key} {summary['rps']:.0f}")
            log(f"{conn} {body} round {r + 1}/{plan['rounds']}: " + ", ".join(line) + " req/s")
