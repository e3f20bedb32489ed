#!/usr/bin/env python3
"""Writes docs/performance.md's operator-overhead table from stridetune_operator_overhead's JSON.

usage: overhead_report.py RESULTS.json [RESULTS.json ...]
Each file is one run (--benchmark_out, --benchmark_repetitions); per problem
and way of calling, the median time a call in µs, one column a file's
thread count, with the CPU the run was on (read from /proc/cpuinfo).
"""
import collections
import json
import statistics
import sys


def runs(path):
    with open(path) as f:
        data = json.load(f)
    threads = data["context"].get("threads", "?")
    times = collections.defaultdict(list)
    labels = {}
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        name = b["name"].removesuffix("/real_time")
        times[name].append(b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b["time_unit"]])
        labels[name] = b.get("label", "")
    return threads, {name: statistics.median(v) for name, v in times.items()}, labels, data["context"]


def cpu_model():
    """The machine's CPU, as /proc/cpuinfo names it (the report runs where the benchmark did)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "this CPU"


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    columns = [runs(p) for p in paths]
    names = list(columns[0][1])
    context = columns[0][3]
    print(f"{cpu_model()}, {context.get('num_cpus', '?')} cores: the median µs a call "
          f"(3 repetitions), on all cores and on 1 thread.")
    print()
    print("| problem | call | " + " | ".join(f"{c[0]} thread(s)" for c in columns) + " | kernel |")
    print("|---|---|" + "---:|" * len(columns) + "---|")
    for name in names:
        problem, call = name.split("/", 1)
        cells = " | ".join(f"{c[1][name]:.2f}" if name in c[1] else "—" for c in columns)
        print(f"| {problem} | {call} | {cells} | {columns[0][2].get(name, '')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
