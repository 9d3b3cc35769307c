"""The load benchmark's report, from the results file bench/load/run.sh writes (one line per measured run)."""
import statistics
import sys

path, ticks, threads, conns, duration, warmup, rounds, rps_target, p99_target, port1, cores = sys.argv[1:]
ticks, cores = int(ticks), int(cores)
rps_target, p99_target = float(rps_target), float(p99_target)
keys = ["direct", "gateway", "yarp", "nginx"]
names = {"direct": f"direct (one pod, :{port1})", "gateway": "gateway", "yarp": "plain YARP", "nginx": "nginx"}

rows = []
for line in open(path).read().splitlines()[1:]:
    f = line.split()
    requests, proxy, pods, wrk, machine, seconds = int(f[2]), int(f[8]), int(f[9]), int(f[10]), int(f[11]), float(f[12])
    ours = pods + wrk + (proxy if f[1] != "direct" else 0)
    rows.append(dict(target=f[1], rps=float(f[3]), p50=float(f[4]) / 1000, p99=float(f[5]) / 1000,
                     errors=int(f[6]) + int(f[7]), cpu=proxy / ticks / requests * 1e6, pods=pods / ticks / requests * 1e6,
                     wrk=wrk / ticks / requests * 1e6, others=(machine - ours) / ticks / seconds / cores * 100))

print()
print(f"wrk -t{threads} -c{conns} -d{duration}s --latency, after a {warmup} s warm-up; GET / on a 2-pod service;")
print(f"{rounds} round(s), targets alternating; each figure is the median over the rounds.")
print(f"Note: {cores} cores shared by wrk, the proxy and both backends: figures of a saturated machine,")
print("comparable with each other (identical settings), not absolute capacity.")
print()
print(f"{'target':<26}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'CPU us/req':>11}{'pods':>7}{'wrk':>6}{'errors':>8}")
med = {}
for key in keys:
    runs = [r for r in rows if r["target"] == key]
    m = {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50", "p99", "cpu", "pods", "wrk")}
    med[key] = m
    errors = sum(r["errors"] for r in runs)
    print(f"{names[key]:<26}{m['rps']:>9.0f}{m['p50']:>8.2f}{m['p99']:>8.2f}{m['cpu']:>11.1f}{m['pods']:>7.1f}{m['wrk']:>6.1f}{errors:>8}")
print("  CPU us/req: the proxy's utime+stime (nginx: master + workers; direct: that pod's own) / requests;")
print("  pods, wrk: the same for both backends together and for wrk; errors: non-2xx + socket errors, all rounds")
print()
print("per round: req/s, p99 ms, and CPU used by other processes of the machine meanwhile (% of all cores):")
for key in keys:
    runs = [r for r in rows if r["target"] == key]
    print(f"  {names[key]:<26}" + "   ".join(f"{r['rps']:>6.0f} {r['p99']:>6.2f} {r['others']:>4.0f}%" for r in runs))
busiest = max(r["others"] for r in rows)
if busiest > 10:
    print(f"  warning: other processes used up to {busiest:.0f} % of the machine during a run; the figures are noisy,")
    print("  compare runs of the same round, or run again on a quiet machine (more ROUNDS narrow the medians)")
print()
g, y, n = med["gateway"], med["yarp"], med["nginx"]


def verdict(passed):
    return "PASS" if passed else "MISS"


print(f"gateway / plain YARP   throughput {g['rps'] / y['rps']:.3f} x  (target >= {rps_target})  {verdict(g['rps'] / y['rps'] >= rps_target)}")
print(f"                       p99        {g['p99'] / y['p99']:.3f} x  (target <= {p99_target})  {verdict(g['p99'] / y['p99'] <= p99_target)}")
print(f"                       CPU/req    {g['cpu'] / y['cpu']:.3f} x")
print(f"gateway / nginx        throughput {g['rps'] / n['rps']:.3f} x   p99 {g['p99'] / n['p99']:.3f} x   CPU/req {g['cpu'] / n['cpu']:.3f} x")
