#!/usr/bin/env python3
"""Turns stridetune_layers' Google Benchmark JSON into markdown tables and a PNG plot.

usage: report.py RESULTS.json [RESULTS.json ...] [--plot OUT.png]
Prints the markdown to stdout. The runs are grouped by their thread count (stridetune_layers
--threads), each group a section, the most threads first. One row a problem: stridetune's best
kernel (a general-purpose schedule, or the tuned kernel where the build's tuning file has the
problem) and the dispatcher's pick against the peers, each as median ms, with GFLOP/s and % of
this machine's FMA peak at that thread count for the best of stridetune, the memory floor (the
problem's bytes at the measured read bandwidth), and stridetune's ratio to oneDNN (above 1:
stridetune is faster). Peak and bandwidth are those measured in the run (file) the row comes from.
Then Halide's autoschedulers planning for each shape, where the build has such kernels, the
tuned problems' kernels against the best general-purpose ones, a summary, best stridetune kernel vs oneDNN, for the problems run at more than one thread count, and per set (the problems' name prefix) the dispatcher and the best kernel against the best peer, and the dispatcher's untuned pick against the best general-purpose kernel.
A problem with post-ops (its descriptor's +bias+sum:S+relu:A+clip:LO:HI suffix, e.g.
bench/shapes/resnet_50_post_ops.txt) shows them after its name and counts in a set of its own ("<set> (post-ops)");
where the same convolution ran bare at the same thread count (e.g. resnet_50.txt in the same report), a table sets
the fused problem beside it: what the post-ops cost stridetune, and stridetune against oneDNN with the same post-ops.
stridetune's rows time run() of an operator created once; the stridetune:convolve row (the one-shot
convolve(), every call choosing the kernel and packing the filter) and the stridetune:untuned row
(the dispatcher's own pick on a tuned problem) are neither candidates for the best kernel nor peers,
and are not shown in the problems' rows. A problem run by the dispatcher alone (the minibatch rows
of tools/run-benchmarks.sh) shows the dispatcher as its best. A problem's minibatch follows its name
where it is not 1.
"""
import argparse
import json
import math
import pathlib
import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass, field

PEERS = ["onednn", "xnnpack", "openblas_im2col", "naive"]
DISPATCHER = "stridetune:dispatcher"
# The one-shot convolve() (bench/layers_benchmark.cpp): the dispatcher's kernel plus choosing it and
# packing the filter on every call; not a kernel of its own, so never "best stridetune".
ONE_SHOT = "stridetune:convolve"
# The dispatcher's own pick on a tuned problem (Options::ignore_tuning); elsewhere the dispatcher's row is it.
UNTUNED = "stridetune:untuned"
TUNED = "(tuned: "  # bench/layers_benchmark.cpp's dispatcher label on a tuned problem
PER_SHAPE = "(estimate = this shape)"  # bench/estimate_variants.cpp's label suffix
MS_PER_UNIT = {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}


@dataclass
class Run:
    """One results file: what its stridetune_layers process measured."""
    path: str
    threads: int
    peak_gflops: float  # FMA peak at `threads` threads
    read_gbytes_per_s: float


@dataclass
class Problem:
    name: str  # the descriptor, as in the benchmark's name
    flops: float
    nbytes: float
    run: Run
    times: dict = field(default_factory=lambda: defaultdict(list))  # competitor -> [ms]
    labels: dict = field(default_factory=dict)  # competitor -> its label (the kernel it ran)

    def medians(self):
        return {c: statistics.median(v) for c, v in self.times.items()}

    def tuned_variant(self):
        """The tuned kernel the dispatcher ran, or None where the problem has no tuned entry."""
        label = self.labels.get(DISPATCHER, "")
        return label.split(TUNED, 1)[1].rstrip(")") if TUNED in label else None

    def untuned_ms(self):
        """Median ms of the dispatcher's own pick, tuning aside; None if not run."""
        return self.medians().get(UNTUNED if self.tuned_variant() else DISPATCHER)

    def best_stridetune(self, tuned=True):
        """(kernel, median ms) of stridetune's fastest general-purpose schedule, or of its tuned
        kernel (the dispatcher's run) if that is faster and `tuned`; None if none ran."""
        ours = {c.split(":", 1)[1]: t for c, t in self.medians().items()
                if c.startswith("stridetune:") and c not in (DISPATCHER, ONE_SHOT, UNTUNED)}
        if tuned and self.tuned_variant() and DISPATCHER in self.medians():
            ours[self.tuned_variant()] = self.medians()[DISPATCHER]
        if not ours and DISPATCHER in self.medians():
            return "dispatcher", self.medians()[DISPATCHER]  # a run of the dispatcher alone (minibatch rows)
        if not ours:
            return None
        best = min(ours, key=ours.get)
        return best, ours[best]

    def gflops(self, ms):
        return self.flops / ms * 1e-6


def context_value(context, key, path):
    if key not in context:
        sys.exit(f"report.py: {path}: no {key} in the run's context (not written by stridetune_layers?)")
    return context[key]


def load(paths):
    """{threads: {problem name: Problem}}, each problem in the order first seen."""
    sections = defaultdict(dict)
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = data["context"]
        run = Run(path, int(context_value(context, "threads", path)),
                  float(context_value(context, "peak_gflops", path)),
                  float(context_value(context, "read_gbytes_per_s", path)))
        problems = sections[run.threads]
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" or b.get("error_occurred"):
                continue
            name, competitor = b["run_name"].removesuffix("/real_time").rsplit("/", 1)
            if name not in problems:
                problems[name] = Problem(name, b["flops"], b["bytes"], run)
            problems[name].times[competitor].append(b["real_time"] * MS_PER_UNIT[b["time_unit"]])
            problems[name].labels[competitor] = b.get("label", "")
    return {t: sections[t] for t in sorted(sections, reverse=True) if sections[t]}


def minibatch_suffix(problem):
    """" (mbN)" where the problem's minibatch is not 1, else ""."""
    minibatch = re.match(r"mb(\d+)", problem)
    return f" (mb{minibatch.group(1)})" if minibatch and minibatch.group(1) != "1" else ""


def split_post_ops(problem):
    """(the convolution: the descriptor's fields without post-ops or name, minibatch included; the post-ops
    suffix, e.g. "+bias+relu:0", or "" for a bare problem). The fields have no '+', and the post-ops come
    before the name."""
    convolution, plus, post_ops = problem.split('n"', 1)[0].partition("+")
    return convolution, plus + post_ops


def without_post_ops(problem):
    """The problem's name with its post-ops left out: the bare problem's name."""
    convolution, post_ops = split_post_ops(problem)
    return convolution + problem[len(convolution) + len(post_ops):]


def short_name(problem):
    """The problem's name in its shape file, with its minibatch where that is not 1 and its post-ops."""
    name = problem.split('n"', 1)[1].rstrip('"') if 'n"' in problem else ""
    if not name:
        return problem + minibatch_suffix(problem)  # the descriptor: its post-ops in it already
    post_ops = split_post_ops(problem)[1]
    return name + minibatch_suffix(problem) + (f" {post_ops}" if post_ops else "")


def set_name(p):
    """The set a problem belongs to: its name's prefix before ':' (tails_conv:3), else its results
    file's set (regression_padding-2.json), with its minibatch where that is not 1."""
    name = p.name.split('n"', 1)[1].rstrip('"') if 'n"' in p.name else ""
    if ":" not in name:
        name = pathlib.Path(p.run.path).stem.rsplit("-", 1)[0]
    # A post-op set keeps its layers' names (resnet_50_post_ops.txt's are resnet_50's): a set of its own.
    post_ops = " (post-ops)" if split_post_ops(p.name)[1] else ""
    return name.split(":", 1)[0] + minibatch_suffix(p.name) + post_ops


def fmt(ms):
    return "—" if ms is None else f"{ms:.3f}"


def ratio(theirs, ours):
    return f"{theirs / ours:.2f}x" if theirs and ours else "—"


def span(values, unit, digits):
    """One value, or the range of a few (each run measures its own)."""
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f} {unit}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else \
        f"{lo:.{digits}f}–{hi:.{digits}f} {unit}"


def threads_title(threads):
    return "1 thread" if threads == 1 else f"{threads} threads"


def section_table(threads, problems):
    runs = {id(p.run): p.run for p in problems.values()}.values()
    lines = [
        f"**{threads_title(threads)}** (stridetune and every peer alike): FMA peak "
        f"{span([r.peak_gflops for r in runs], 'GFLOP/s', 0)} and read bandwidth "
        f"{span([r.read_gbytes_per_s for r in runs], 'GB/s', 1)} at {threads_title(threads)}, measured in "
        "each set's run (each row uses its own run's). Times are medians in ms.",
        "",
        "| problem | best stridetune | ms | GFLOP/s | % peak | dispatcher ms | "
        + " | ".join(f"{p} ms" for p in PEERS) + " | memory floor ms | vs oneDNN |",
        "|---|---|---:|---:|---:|---:|" + "---:|" * len(PEERS) + "---:|---:|",
    ]
    for p in problems.values():
        best = p.best_stridetune()
        if not best:
            continue
        schedule, ms = best
        cs = p.medians()
        cells = [short_name(p.name), schedule, f"{ms:.3f}", f"{p.gflops(ms):.1f}",
                 f"{100 * p.gflops(ms) / p.run.peak_gflops:.0f}%", fmt(cs.get(DISPATCHER))]
        cells += [fmt(cs.get(peer)) for peer in PEERS]
        cells += [f"{p.nbytes / p.run.read_gbytes_per_s * 1e-6:.3f}", ratio(cs.get("onednn"), ms)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def per_shape_table(sections):
    """Halide's autoschedulers planning for the very shape, beside the library's (seed-estimate) ones."""
    rows = [(t, p) for t, problems in sections.items() for p in problems.values()
            if any(c.endswith(PER_SHAPE) for c in p.times)]
    if not rows:
        return ""
    per_shape = sorted({c for _, p in rows for c in p.times if c.endswith(PER_SHAPE)})
    library = [f"stridetune:{c.split(' ', 1)[0]}" for c in per_shape]
    lines = [
        "Halide's autoschedulers (Adams2019 greedy, beam 1; Mullapudi2016) given each shape as the estimate, "
        "beside the library's builds of them (estimate: the seed problem; \"—\" where their tiles do not fit "
        "the problem). Median ms.",
        "",
        "| problem | threads | best stridetune ms | " + " | ".join(f"{c} ms" for c in library + per_shape)
        + " | onednn ms |",
        "|---|---:|---:|" + "---:|" * (len(library) + len(per_shape)) + "---:|",
    ]
    for threads, p in rows:
        cs = p.medians()
        best = p.best_stridetune()
        cells = [short_name(p.name), str(threads), fmt(best[1] if best else None)]
        cells += [fmt(cs.get(c)) for c in library + per_shape] + [fmt(cs.get("onednn"))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def tuned_table(sections):
    """The tuned kernel the dispatcher ran (tuning/default.json) against the best general-purpose one."""
    rows = [(t, p) for t, problems in sections.items() for p in problems.values() if p.tuned_variant()]
    if not rows:
        return ""
    lines = ["Tuned problems (the build's tuning file, `stridetune-tune`): the dispatcher runs the tuned "
             "kernel; beside it the fastest general-purpose kernel in the same run (median ms; above 1x: "
             "the tuned kernel is faster).", "",
             "| problem | threads | tuned kernel | ms | best general-purpose kernel | ms | tuned vs best |",
             "|---|---:|---|---:|---|---:|---:|"]
    for threads, p in rows:
        cs = p.medians()
        best = p.best_stridetune(tuned=False)
        cells = [short_name(p.name), str(threads), p.tuned_variant(), fmt(cs.get(DISPATCHER)),
                 best[0] if best else "—", fmt(best[1] if best else None),
                 ratio(best[1] if best else None, cs.get(DISPATCHER))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def post_ops_table(sections):
    """Each problem with post-ops beside the same convolution bare, at the same thread count."""
    rows = []
    for threads, problems in sections.items():
        # By the convolution, not the name: the post-op set may split a layer that the bare set folds
        # (resnet_50_post_ops.txt's res2a_branch1 and res2a_branch2c*3 are resnet_50.txt's res2a_branch1*4).
        bare = {}
        for p in problems.values():
            convolution, post_ops = split_post_ops(p.name)
            if not post_ops:
                bare.setdefault(convolution, p)
        for p in problems.values():
            convolution, post_ops = split_post_ops(p.name)
            if post_ops and convolution in bare:
                rows.append((threads, p, bare[convolution], post_ops))
    if not rows:
        return ""
    lines = ["Post-ops fused: each problem with post-ops beside the same convolution bare, at the same thread "
             "count. stridetune's columns are its best general-purpose kernel on each (a tuned kernel is the "
             "bare problem's alone: the post-ops are part of the tuning key), so fused / bare is what the "
             "post-ops cost it; the dispatcher's fused / bare is what a user sees. oneDNN runs the same post-ops "
             "fused (its residual copied into its output before each run, untimed); XNNPACK fuses bias and clamp "
             "and adds the residual in a second operator, timed. vs oneDNN: oneDNN's fused time over stridetune's "
             "(above 1x: stridetune faster). Median ms.", "",
             "| problem | threads | post-ops | best kernel | ms | bare ms | fused / bare | dispatcher fused / bare "
             "| onednn ms | oneDNN fused / bare | xnnpack ms | vs oneDNN |",
             "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratios = defaultdict(lambda: defaultdict(list))  # threads -> column -> [ratio]

    def cell(threads, column, numerator, denominator):
        if numerator and denominator:
            ratios[threads][column].append(numerator / denominator)
        return ratio(numerator, denominator)

    for threads, fused, bare, post_ops in rows:
        f, b = fused.medians(), bare.medians()
        best, best_bare = fused.best_stridetune(tuned=False), bare.best_stridetune(tuned=False)
        ms, bare_ms = best[1] if best else None, best_bare[1] if best_bare else None
        cells = [short_name(without_post_ops(fused.name)), str(threads), post_ops, best[0] if best else "—",
                 fmt(ms), fmt(bare_ms), cell(threads, "best", ms, bare_ms),
                 cell(threads, "dispatcher", f.get(DISPATCHER), b.get(DISPATCHER)), fmt(f.get("onednn")),
                 cell(threads, "onednn", f.get("onednn"), b.get("onednn")), fmt(f.get("xnnpack")),
                 cell(threads, "vs", f.get("onednn"), ms)]
        lines.append("| " + " | ".join(cells) + " |")
    for threads, columns in ratios.items():
        means = [geometric_mean(columns[c]) for c in ("best", "dispatcher", "onednn", "vs")]
        best, dispatcher, onednn, vs = (f"**{m:.2f}x**" if m else "—" for m in means)
        cells = ["**geometric mean**", str(threads), "", "", "", "", best, dispatcher, "", onednn, "", vs]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(sections):
    """Best stridetune kernel vs oneDNN, for the problems run at more than one thread count."""
    counts = sorted(sections)
    names = [n for n in sections[counts[-1]] if sum(n in sections[t] for t in counts) > 1] if counts else []
    if not names:
        return ""
    header = "| problem | " + " | ".join(
        f"{threads_title(t)}: best kernel | ms | % peak | onednn ms | vs oneDNN" for t in counts) + " |"
    lines = ["Summary: stridetune's best kernel against oneDNN, at each thread count (median ms; "
             "% of the FMA peak at that thread count; above 1x: stridetune faster).", "", header,
             "|---|" + "---|---:|---:|---:|---:|" * len(counts)]
    ratios = defaultdict(list)
    for name in names:
        cells = [short_name(name)]
        for t in counts:
            p = sections[t].get(name)
            best = p.best_stridetune() if p else None
            onednn = p.medians().get("onednn") if p else None
            if not best:
                cells += ["—"] * 5
                continue
            schedule, ms = best
            cells += [schedule, f"{ms:.3f}", f"{100 * p.gflops(ms) / p.run.peak_gflops:.0f}%", fmt(onednn),
                      ratio(onednn, ms)]
            if onednn:
                ratios[t].append(onednn / ms)
        lines.append("| " + " | ".join(cells) + " |")
    geomean = ["**geometric mean**"]
    for t in counts:
        mean = geometric_mean(ratios[t])
        geomean += [""] * 4 + [f"**{mean:.2f}x**" if mean else "—"]
    lines.append("| " + " | ".join(geomean) + " |")
    return "\n".join(lines)


def geometric_mean(values):
    return math.exp(statistics.mean(math.log(v) for v in values)) if values else None


def set_table(sections):
    """Per set and thread count: the dispatcher against the best peer (the faster of oneDNN and
    XNNPACK) and against stridetune's best kernel, geometric means over the set's problems; and the
    dispatcher's own pick, tuning aside, against the best general-purpose kernel."""
    header = ("| set | threads | problems | dispatcher vs best peer | best kernel vs best peer | "
              "dispatcher vs best kernel | worst dispatcher vs best kernel | untuned pick vs best built-in kernel "
              "| worst untuned |")
    lines = ["Per set: geometric means of the dispatcher's and stridetune's best kernel's speed against the "
             "best peer (the faster of oneDNN and XNNPACK on each problem), and of the dispatcher's against "
             "the best kernel; the untuned pick is the dispatcher's own choice without any tuning file "
             "(Options::ignore_tuning), against the best general-purpose kernel (above 1x: the first faster; "
             "— where a run has no such rows).", "", header,
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for threads, problems in sections.items():
        by_set = defaultdict(list)
        for p in problems.values():
            by_set[set_name(p)].append(p)
        for name, members in by_set.items():
            dispatcher_peer, best_peer, dispatcher_best, untuned_best = [], [], [], []
            for p in members:
                m = p.medians()
                peers = [m[c] for c in ("onednn", "xnnpack") if m.get(c)]
                dispatcher = m.get(DISPATCHER)
                best = p.best_stridetune()
                if peers and dispatcher:
                    dispatcher_peer.append(min(peers) / dispatcher)
                if peers and best:
                    best_peer.append(min(peers) / best[1])
                if dispatcher and best and best[0] != "dispatcher":
                    dispatcher_best.append(best[1] / dispatcher)
                built_in, untuned = p.best_stridetune(tuned=False), p.untuned_ms()
                if untuned and built_in and built_in[0] != "dispatcher":
                    untuned_best.append(built_in[1] / untuned)
            cells = [name, str(threads), str(len(members))]
            cells += [f"{g:.2f}x" if g else "—" for g in map(geometric_mean, (dispatcher_peer, best_peer, dispatcher_best))]
            cells.append(f"{min(dispatcher_best):.2f}x" if dispatcher_best else "—")
            cells.append(f"{geometric_mean(untuned_best):.2f}x" if untuned_best else "—")
            cells.append(f"{min(untuned_best):.2f}x" if untuned_best else "—")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(problems, threads, out, per_row=35):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(problems)
    competitors = ["best stridetune", DISPATCHER] + PEERS
    rows = (len(names) + per_row - 1) // per_row
    fig, axes = plt.subplots(rows, 1, figsize=(16, 3.6 * rows), squeeze=False)
    width = 0.8 / len(competitors)
    for row in range(rows):
        ax = axes[row][0]
        chunk = [problems[n] for n in names[row * per_row:(row + 1) * per_row]]
        for i, competitor in enumerate(competitors):
            values = []
            for p in chunk:
                best = p.best_stridetune()
                ms = (best[1] if best else None) if competitor == "best stridetune" else p.medians().get(competitor)
                values.append(p.gflops(ms) if ms else math.nan)
            ax.bar([x + i * width for x in range(len(chunk))], values, width, label=competitor)
        ax.plot([x + 0.4 - width / 2 for x in range(len(chunk))], [p.run.peak_gflops for p in chunk], "k_",
                markersize=12, label="FMA peak")
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(chunk))])
        ax.set_xticklabels([short_name(p.name)[:28] for p in chunk], rotation=60, ha="right", fontsize=6)
        ax.set_ylabel("GFLOP/s")
        ax.set_xlim(-0.5, per_row)
    axes[0][0].set_title(f"Convolution problems, {threads_title(threads)} (black dash: FMA peak)")
    axes[0][0].legend(fontsize=7, ncol=len(competitors) + 1)
    fig.tight_layout()
    fig.savefig(out, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+")
    parser.add_argument("--plot", help="write the plot of the most threads' section to this PNG")
    args = parser.parse_args()
    sections = load(args.results)
    if not sections:
        print("report.py: no successful benchmark rows in the input", file=sys.stderr)
        return 1
    parts = [section_table(t, problems) for t, problems in sections.items()]
    parts += [part for part in (per_shape_table(sections), tuned_table(sections), post_ops_table(sections),
                                summary_table(sections)) if part]
    parts.append(set_table(sections))
    print("\n\n".join(parts))
    if args.plot:
        threads = next(iter(sections))
        plot(sections[threads], threads, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
