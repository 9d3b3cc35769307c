#!/usr/bin/env python3
"""Where a process's resident memory is: /proc/PID/smaps summed by kind of mapping.

    python3 bench/probes/smaps.py PID [TOP]

Prints Rss and Pss (the process's share of pages it shares with others) for: anonymous memory
(GC heap, native heap, stacks), the JIT's double-mapped code (memfd:doublemapper), .dll files,
.so files and the rest, then the TOP (default 15) mapped files by Rss. run.sh prints the summary
line at the end of its window (SMAPS=1 prints the files too).
"""
import collections
import os
import sys


def kind(name):
    if not name or name.startswith("["):  # [heap], [stack], [anon:...], [vdso]
        return "anonymous"
    if "doublemapper" in name:
        return "jit code"
    if name.endswith(".dll"):
        return ".dll"
    if ".so" in os.path.basename(name):
        return ".so"
    return "other files"


def read(pid):
    rss = collections.Counter()
    pss = collections.Counter()
    files = collections.Counter()
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if not parts[0].endswith(":") or "-" in parts[0]:
                # a mapping's header: address perms offset dev inode [name]
                name = " ".join(parts[5:]) if len(parts) > 5 else ""
                continue
            if parts[0] == "Rss:":
                kb = int(parts[1])
                what = kind(name)
                rss[what] += kb
                if what not in ("anonymous", "jit code"):
                    files[name] += kb
            elif parts[0] == "Pss:":
                pss[kind(name)] += int(parts[1])
    return rss, pss, files


def main():
    pid = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    rss, pss, files = read(pid)
    mb = lambda kb: f"{kb / 1024:.1f}"
    order = ["anonymous", "jit code", ".dll", ".so", "other files"]
    print("smaps (MB, Rss / Pss)     total " + mb(sum(rss.values())) + " / " + mb(sum(pss.values())) + "; "
          + ", ".join(f"{k} {mb(rss[k])} / {mb(pss[k])}" for k in order))
    if top:
        for path, kb in files.most_common(top):
            print(f"  {mb(kb):>6} MB  {path}")


if __name__ == "__main__":
    main()
