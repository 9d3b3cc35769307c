"""The load benchmark's report, from the files bench/load/run.sh writes in its run folder.

    python3 report.py RUN/results.jsonl RUN/meta.json

results.jsonl: one line per measured run (bench/load/measure.py). meta.json: the run's settings and
the machine (versions, load average). Prints one table per scenario, a compact table of every
scenario, and one line "RESULT {json}" for notes and scripts.
"""
import json
import statistics
import sys

results_path, meta_path = sys.argv[1], sys.argv[2]
meta = json.load(open(meta_path))
rows = [json.loads(line) for line in open(results_path) if line.strip()]
ticks, cores = meta["ticks"], meta["cores"]
names = {
    "direct": "direct (backend)",
    "gateway": "gateway, no Logging",
    "gateway_warn": "gateway, Warning",
    "gateway_access": "gateway, access log",
    "gateway_pod_host": "gateway, pod, host net",
    "gateway_pod_net": "gateway, pod, own net",
    "yarp": "plain YARP",
    "forwarder": "YARP forwarder",
    "nginx": "nginx",
    "haproxy": "HAProxy",
}
keys = [k for k in meta["targets"]]
scenarios = list(dict.fromkeys((r["conn"], r["body"]) for r in rows))
body_bytes = {"/": "11 B", "/1k": "1 KiB", "/64k": "64 KiB"}
REF = "yarp"


def per_request(tick_count, requests):
    return tick_count / ticks / requests * 1e6 if requests else float("nan")


for r in rows:
    r["cpu"] = per_request(r["proxy_ticks"] if r["target"] != "direct" else r["backend_ticks"], r["requests"])
    r["backend"] = per_request(r["backend_ticks"], r["requests"])
    r["wrk"] = per_request(r["wrk_ticks"], r["requests"])
    # The rest of the machine: busy time of every CPU minus what wrk, the backend and every proxy used.
    r["others"] = max(0.0, (r["machine_ticks"] - r["ours_ticks"] - r["wrk_ticks"]) / ticks / r["seconds"] / cores * 100)
    # The targets not under load meanwhile (their JIT or GC still busy after their own run: a warm-up too short).
    own = r["backend_ticks"] + (r["proxy_ticks"] if r["target"] != "direct" else 0)
    r["idle"] = (r["ours_ticks"] - own) / ticks / r["seconds"] / cores * 100


def cell(conn, body, key):
    runs = [r for r in rows if (r["conn"], r["body"], r["target"]) == (conn, body, key)]
    if not runs:
        return None
    m = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_us", "p99_us", "cpu", "backend", "wrk", "others", "idle")}
    m["errors"] = sum(r["non2xx"] + r["socket_errors"] for r in runs)
    m["runs"] = runs
    # Ratios to plain YARP: the median over the rounds of this round's target / this round's YARP,
    # so that a noisy round moves both sides of its ratio.
    ref = {r["round"]: r for r in rows if (r["conn"], r["body"], r["target"]) == (conn, body, REF)}
    pairs = [(r, ref[r["round"]]) for r in runs if r["round"] in ref]
    m["cpu_x"] = statistics.median(a["cpu"] / b["cpu"] for a, b in pairs) if pairs and key != "direct" else None
    m["rps_x"] = statistics.median(a["rps"] / b["rps"] for a, b in pairs) if pairs else None
    return m


def fmt(value, spec, width):
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


label = {"keepalive": "keep-alive", "close": "new connection per request (Connection: close)"}
print()
print(f"wrk -t{meta['threads']} -c{meta['connections']} -d{meta['seconds']}s --latency; {meta['rounds']} round(s) per scenario, targets in a new order "
      f"each round; figures: median over the rounds.")
print(f"{meta['date']}, {meta['cores']} cores, load average {meta['load_before']} at the start, {meta['load_after']} at the end; "
      f"backend: {meta['backend']}")
print(f"versions: {meta['versions']}; GC: {meta.get('gc', '?')}")
if meta.get("logging"):
    print(f"logs: {meta['logging']}")
results = {}
for conn, body in scenarios:
    print()
    print(f"== {label[conn]}, GET {body} ({body_bytes.get(body, body)})")
    print(f"{'target':<21}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU us/req':>11}{'x YARP':>8}{'req/s x':>8}"
          f"{'backend':>8}{'wrk':>6}{'errors':>7}{'others':>7}{'idle':>5}   per round: req/s CPU")
    scenario = results.setdefault(f"{conn} {body}", {})
    for key in keys:
        m = cell(conn, body, key)
        if m is None:
            continue
        cpu = m["cpu"]
        print(f"{names[key]:<21}{m['rps']:>8.0f}{m['p50_us'] / 1000:>8.2f}{m['p99_us'] / 1000:>8.2f}"
              f"{cpu:>11.1f}{fmt(m['cpu_x'], '.2f', 8)}{fmt(m['rps_x'], '.2f', 8)}{m['backend']:>8.1f}{m['wrk']:>6.1f}{m['errors']:>7}"
              f"{m['others']:>6.0f}%{m['idle']:>4.0f}%   "
              + ", ".join(f"{r['rps']:.0f} {r['cpu']:.1f}" for r in sorted(m["runs"], key=lambda r: r["round"])))
        scenario[key] = {"rps": round(m["rps"]), "p50_ms": round(m["p50_us"] / 1000, 3), "p99_ms": round(m["p99_us"] / 1000, 3),
                         "cpu_us": round(cpu, 1), "cpu_x_yarp": None if m["cpu_x"] is None else round(m["cpu_x"], 3),
                         "rps_x_yarp": None if m["rps_x"] is None else round(m["rps_x"], 3),
                         "backend_cpu_us": round(m["backend"], 1), "errors": m["errors"]}
print()
print("  CPU us/req: the proxy's utime+stime (/proc/PID/stat, every thread; nginx: master + worker) / requests;")
print("  for direct, the backend's own. x YARP, req/s x: the same round's ratio to plain YARP, median over the rounds.")
print("  backend, wrk: their CPU per request; errors: non-2xx + socket errors, all rounds. others: CPU used by")
print("  every process not of this benchmark during the run (the noise); idle: by the targets not under load")
print("  (should be about 0); both as a share of all cores, median over the rounds.")

others = [r["others"] for r in rows]
idle = [r["idle"] for r in rows]
print()
heads = [f"{'ka' if c == 'keepalive' else 'close'} {b}" for c, b in scenarios]
for title, figure, ratio, show in (("CPU us per request of the proxy (x plain YARP)", "cpu_us", "cpu_x_yarp", lambda v: f"{v:.1f}"),
                                   ("req/s (x plain YARP)", "rps", "rps_x_yarp", lambda v: f"{v / 1000:.1f}k")):
    print(f"== compact: {title}")
    print(f"{'target':<21}" + "".join(f"{h:>14}" for h in heads))
    for key in keys:
        cells = []
        for conn, body in scenarios:
            m = results[f"{conn} {body}"].get(key)
            x = "" if m is None or m[ratio] is None else f" ({m[ratio]:.2f})"
            cells.append(("" if m is None else show(m[figure]) + x).rjust(14))
        print(f"{names[key]:<21}" + "".join(cells))
print(f"  direct's CPU column is the backend's own. Others' CPU during the runs: median {statistics.median(others):.0f} %, "
      f"max {max(others):.0f} % of the machine; idle targets' median {statistics.median(idle):.1f} %, max {max(idle):.0f} %")
worst = max(rows, key=lambda r: r["idle"])
if worst["idle"] > 5:
    busiest = max(worst["idle_ticks"], key=worst["idle_ticks"].get)
    print(f"  (the most: {names[busiest]}, {worst['idle_ticks'][busiest] / ticks:.2f} s of CPU while {names[worst['target']]} was measured, "
          f"{worst['conn']} {worst['body']} round {worst['round']})")
if max(others) > 10:
    print("  warning: the machine was busy (see others %); CPU per request is the steadiest figure, ratios of the same")
    print("  round next; more ROUNDS narrow the medians")
print()
print("RESULT " + json.dumps({
    "date": meta["date"], "command": meta["command"], "cores": cores, "load_before": meta["load_before"],
    "load_after": meta["load_after"], "others_pct_median": round(statistics.median(others), 1),
    "others_pct_max": round(max(others), 1), "idle_pct_max": round(max(idle), 1), "threads": meta["threads"], "connections": meta["connections"],
    "seconds": meta["seconds"], "rounds": meta["rounds"], "results": results}, separators=(",", ":")))
