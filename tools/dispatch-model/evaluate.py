#!/usr/bin/python3
"""Measures how well the dispatcher's untuned pick, and dispatch models fitted to benchmark runs,
choose among the built-in kernels on problems they were not fitted on.

Inputs: the JSON of tools/run-benchmarks.sh (every kernel's row per problem and thread count) and
the output of stridetune-dispatch-inputs for the same shapes (the dispatcher's untuned pick, which
kernels can run each problem, the register-tile model's terms). Each model is fitted on every
group of problems but one (a network, or a group of the tails and dilated sets: the name before the
colon) and chooses for the group left out; the table gives, per group and thread count, the chosen
kernel's speed against the fastest kernel measured (geometric mean, worst).

Models:
- list: the dispatcher's ordered list (runtime/src/dispatch.cpp), fitted on nothing.
- tile model: the register-tile model's cycles (runtime/src/tile_fit.cpp) of the kernels it covers,
  a * cycles + b fitted per kernel (a: cycles to time, b: a call's fixed cost), the least taken.
- trees: gradient-boosted regression trees on the problem's sizes, the kernel and the tile model's
  terms, predicting each kernel's log time; the least taken.

usage: evaluate.py --inputs INPUTS.jsonl [--inputs ...] RESULTS.json [...]
"""
import argparse
import collections
import json
import math
import re
import statistics
import sys

import numpy as np
from scipy.optimize import least_squares
from sklearn.ensemble import GradientBoostingRegressor

ROUTES = ("stridetune:dispatcher", "stridetune:convolve", "stridetune:untuned")
MS_PER_UNIT = {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}


def fields(descriptor):
    """The numeric fields of a canonical descriptor (every 2-D field written)."""
    return {k: int(v) for k, v in re.findall(r"([a-z]+)(\d+)", descriptor.split('n"')[0])}


def key_of(descriptor):
    return descriptor.split('n"')[0]


def group_of(descriptor):
    name = descriptor.split('n"', 1)[1].rstrip('"') if 'n"' in descriptor else "unnamed"
    return name.split(":")[0]


def load_times(paths):
    """(problem key, threads) -> {kernel: median ms} of the built-in kernels' rows."""
    times = collections.defaultdict(dict)
    for path in paths:
        run = json.load(open(path))
        threads = int(run["context"]["threads"])
        for b in run["benchmarks"]:
            if b.get("aggregate_name") != "median" or b.get("error_occurred"):
                continue
            problem, row = b["name"].split("/")[:2]
            if row.startswith("stridetune:") and row not in ROUTES:
                times[(key_of(problem), threads)][row.split(":", 1)[1]] = b["real_time"] * MS_PER_UNIT[b["time_unit"]]
    return times


def load_cases(input_paths, times):
    """One case per problem and thread count that both the inputs and the runs have."""
    cases = []
    for path in input_paths:
        for line in open(path):
            row = json.loads(line)
            measured = times.get((key_of(row["problem"]), row["threads"]))
            runs = {k: v for k, v in row["kernels"].items() if v["fits"] and measured and k in measured}
            if not runs or row["pick"] not in runs:
                continue
            cases.append({"group": group_of(row["problem"]), "problem": row["problem"], "threads": row["threads"],
                          "pick": row["pick"], "kernels": runs, "ms": {k: measured[k] for k in runs}})
    return cases


def tile_model(train):
    """Per kernel the tile model covers: a * cycles + b, fitted in log space."""
    rows = [(k, t["cycles"], c["ms"][k]) for c in train for k, t in c["kernels"].items() if "cycles" in t]
    names = sorted({r[0] for r in rows})
    index = {k: i for i, k in enumerate(names)}

    def residuals(p):
        return [math.log(math.exp(p[index[k]]) * cycles * 1e-9 + math.exp(p[len(names) + index[k]]) * 1e-3)
                - math.log(ms) for k, cycles, ms in rows]

    p = least_squares(residuals, np.zeros(2 * len(names))).x

    def choose(case):
        covered = {k: t for k, t in case["kernels"].items() if "cycles" in t and k in index}
        if not covered:
            return case["pick"]
        return min(covered, key=lambda k: math.exp(p[index[k]]) * covered[k]["cycles"]
                   + math.exp(p[len(names) + index[k]]) * 1e6)
    return choose


def trees(train, kernels):
    def features(case, kernel):
        f = fields(case["problem"])
        terms = case["kernels"][kernel]
        flops = 2.0 * f["mb"] * f["oh"] * f["ow"] * f["oc"] * f["ic"] * f["kh"] * f["kw"]
        return ([math.log(f[x]) for x in ("mb", "ic", "oc", "oh", "ow")]
                + [f[x] for x in ("kh", "kw", "sh", "sw", "dh", "dw", "ph", "pw")]
                + [math.log(flops), case["threads"], math.log(terms.get("cycles", 1)), terms.get("computed", 0),
                   terms.get("parallel", False), terms.get("bands", False)]
                + [kernel == k for k in kernels])

    x = [features(c, k) for c in train for k in c["kernels"]]
    y = [math.log(c["ms"][k]) for c in train for k in c["kernels"]]
    model = GradientBoostingRegressor(n_estimators=300, max_depth=4, learning_rate=0.05, subsample=0.8,
                                      random_state=0).fit(np.array(x, float), y)

    def choose(case):
        names = list(case["kernels"])
        predicted = model.predict(np.array([features(case, k) for k in names], float))
        return names[int(np.argmin(predicted))]
    return choose


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", action="append", required=True,
                        help="stridetune-dispatch-inputs output, JSON lines (repeatable)")
    parser.add_argument("results", nargs="+", help="stridetune_layers JSON (tools/run-benchmarks.sh)")
    args = parser.parse_args()
    cases = load_cases(args.inputs, load_times(args.results))
    if not cases:
        print("evaluate.py: no problem is in both the inputs and the results", file=sys.stderr)
        return 1
    kernels = sorted({k for c in cases for k in c["kernels"]})
    models = {"list": None, "tile model": tile_model, "trees": lambda train: trees(train, kernels)}
    speed = collections.defaultdict(list)  # (model, group, threads) -> best ms / chosen ms
    groups = sorted({c["group"] for c in cases})
    for held_out in groups:
        train = [c for c in cases if c["group"] != held_out]
        for name, fit in models.items():
            choose = fit(train) if fit else (lambda case: case["pick"])
            for case in (c for c in cases if c["group"] == held_out):
                speed[(name, held_out, case["threads"])].append(min(case["ms"].values()) / case["ms"][choose(case)])

    def cell(values):
        geomean = math.exp(statistics.mean(math.log(v) for v in values))
        return f"{geomean:.2f}x ({min(values):.2f}x)"

    print("Each group's problems chosen for by a model fitted on the other groups (leave one group out): the "
          "chosen kernel's speed against the fastest built-in kernel measured, geometric mean (worst).")
    print()
    print("| group | threads | problems | " + " | ".join(models) + " |")
    print("|---|---:|---:|" + "---:|" * len(models))
    for group, threads in sorted({(g, t) for _, g, t in speed}):
        row = [speed[(name, group, threads)] for name in models]
        print(f"| {group} | {threads} | {len(row[0])} | " + " | ".join(cell(v) for v in row) + " |")
    overall = [cell([v for (n, _, _), vs in speed.items() if n == name for v in vs]) for name in models]
    print(f"| **all** | | {len(cases)} | " + " | ".join(overall) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
