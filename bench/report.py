#!/usr/bin/env python3
"""Turns stridetune_layers' Google Benchmark JSON into a markdown table and a PNG plot.

usage: report.py RESULTS.json [RESULTS.json ...] --plot OUT.png
Prints the markdown to stdout. One row a problem: stridetune's best schedule and the
dispatcher's pick against the peers, each as median ms, with GFLOP/s and % of this
machine's FMA peak (measured in the same run) for the best of stridetune, the memory
floor (the problem's bytes at the measured read bandwidth), and stridetune's ratio to
oneDNN (above 1: stridetune is faster).
"""
import argparse
import json
import math
import statistics
import sys
from collections import defaultdict

PEERS = ["onednn", "xnnpack", "openblas_im2col", "naive"]


def load(paths):
    """{problem: {competitor: (median ms, flops, bytes)}}, and the run's context."""
    times = defaultdict(lambda: defaultdict(list))
    facts = {}
    context = {}
    grouped = 0
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = data["context"]
        grouped += int(context.get("grouped_problems_skipped", 0))
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            problem, competitor = b["run_name"].rsplit("/", 1) if "/real_time" not in b["run_name"] else \
                b["run_name"].replace("/real_time", "").rsplit("/", 1)
            ms = b["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
            times[problem][competitor].append(ms)
            facts[problem] = (b["flops"], b["bytes"])
    medians = {p: {c: statistics.median(v) for c, v in cs.items()} for p, cs in times.items()}
    context["grouped_problems_skipped"] = grouped
    return medians, facts, context


def short_name(problem):
    name = problem.split('n"', 1)[1].rstrip('"') if 'n"' in problem else problem
    return name or problem


def table(medians, facts, context):
    peak = float(context["peak_gflops_all_threads"])
    bandwidth = float(context["read_gbytes_per_s"])
    lines = [
        f"{context['threads']} threads; FMA peak {peak:.0f} GFLOP/s and read bandwidth {bandwidth:.1f} GB/s, "
        f"measured in the (last) run; {context['grouped_problems_skipped']} grouped problems skipped. "
        "Times are medians in ms.",
        "",
        "| problem | best stridetune | ms | GFLOP/s | % peak | dispatcher ms | "
        + " | ".join(f"{p} ms" for p in PEERS) + " | memory floor ms | vs oneDNN |",
        "|---|---|---:|---:|---:|---:|" + "---:|" * len(PEERS) + "---:|---:|",
    ]
    for problem, cs in medians.items():
        flops, nbytes = facts[problem]
        ours = {c: t for c, t in cs.items() if c.startswith("stridetune:") and c != "stridetune:dispatcher"}
        if not ours:
            continue
        best = min(ours, key=ours.get)
        gflops = flops / ours[best] * 1e-6
        onednn = cs.get("onednn")
        cells = [short_name(problem), best.split(":", 1)[1], f"{ours[best]:.3f}", f"{gflops:.1f}",
                 f"{100 * gflops / peak:.0f}%", fmt(cs.get("stridetune:dispatcher"))]
        cells += [fmt(cs.get(p)) for p in PEERS]
        cells += [f"{nbytes / bandwidth * 1e-6:.3f}", f"{onednn / ours[best]:.2f}x" if onednn else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def fmt(ms):
    return "—" if ms is None else f"{ms:.3f}"


def plot(medians, facts, context, out, per_row=35):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = list(medians)
    competitors = ["best stridetune", "stridetune:dispatcher"] + PEERS
    rows = (len(problems) + per_row - 1) // per_row
    fig, axes = plt.subplots(rows, 1, figsize=(16, 3.6 * rows), squeeze=False)
    width = 0.8 / len(competitors)
    peak = float(context["peak_gflops_all_threads"])
    for row in range(rows):
        ax = axes[row][0]
        chunk = problems[row * per_row:(row + 1) * per_row]
        for i, competitor in enumerate(competitors):
            values = []
            for p in chunk:
                cs = medians[p]
                if competitor == "best stridetune":
                    ours = [t for c, t in cs.items() if c.startswith("stridetune:") and c != "stridetune:dispatcher"]
                    ms = min(ours) if ours else None
                else:
                    ms = cs.get(competitor)
                values.append(facts[p][0] / ms * 1e-6 if ms else math.nan)
            ax.bar([x + i * width for x in range(len(chunk))], values, width, label=competitor)
        ax.axhline(peak, color="black", linestyle="--", label="FMA peak")
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(chunk))])
        ax.set_xticklabels([short_name(p)[:28] for p in chunk], rotation=60, ha="right", fontsize=6)
        ax.set_ylabel("GFLOP/s")
        ax.set_xlim(-0.5, per_row)
    axes[0][0].set_title(f"Convolution problems, {context['threads']} threads (dashed: FMA peak)")
    axes[0][0].legend(fontsize=7, ncol=len(competitors) + 1)
    fig.tight_layout()
    fig.savefig(out, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+")
    parser.add_argument("--plot", help="write the plot to this PNG")
    args = parser.parse_args()
    medians, facts, context = load(args.results)
    if not medians:
        print("report.py: no successful benchmark rows in the input", file=sys.stderr)
        return 1
    print(table(medians, facts, context))
    if args.plot:
        plot(medians, facts, context, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
