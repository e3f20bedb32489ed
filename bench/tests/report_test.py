#!/usr/bin/env python3
"""Tests bench/report.py on two small Google Benchmark JSON fixtures.

report_fixture_2_threads.json: a 2-thread run (FMA peak 400 GFLOP/s, 20 GB/s), problem fixture:a
(2e8 FLOPs, 4e6 bytes) with repetitions, a run in microseconds, an aggregate row and a failed row to
ignore, a kernel planned for the shape; problem fixture:b (1e8 FLOPs). report_fixture_1_thread.json: a
1-thread run (peak 200 GFLOP/s, 10 GB/s) of fixture:a. report_fixture_tuned.json: a 2-thread run of
fixture:c, whose dispatcher ran a tuned kernel (1.5 ms) faster than the general-purpose one (2.0 ms),
and whose untuned row (the dispatcher's own pick) ran 2.5 ms (median of 2.4, 2.6, 2.5).
report_fixture_post_ops.json: a 2-thread run of fixture:a's convolution with +bias+relu:0 (best kernel
direct_channels 1.2 ms, median of 1.2, 1.1, 1.3; dispatcher 1.32; oneDNN 0.6; XNNPACK 0.9; 5e6 bytes), and of
fixture:d +bias+sum:1, a convolution that ran nowhere bare (direct_pixels 0.5 ms, oneDNN 1.0).
The expected cells are worked out by hand.
usage: report_test.py [unittest flags]
"""
import importlib.util
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
REPORT = HERE.parent / "report.py"
TWO_THREADS = HERE / "report_fixture_2_threads.json"
ONE_THREAD = HERE / "report_fixture_1_thread.json"
TUNED = HERE / "report_fixture_tuned.json"
POST_OPS = HERE / "report_fixture_post_ops.json"


def report(*args):
    return subprocess.run([sys.executable, str(REPORT), *map(str, args)], capture_output=True, text=True)


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        result = report(TWO_THREADS, ONE_THREAD)
        assert result.returncode == 0, result.stderr
        cls.lines = result.stdout.splitlines()
        cls.text = result.stdout

    def row(self, start, after=None):
        """The first line starting with `start`, after the line containing `after`."""
        lines = self.lines
        if after is not None:
            lines = lines[next(i for i, line in enumerate(lines) if after in line):]
        return next(line for line in lines if line.startswith(start))

    def test_most_threads_first(self):
        self.assertLess(self.text.index("**2 threads**"), self.text.index("**1 thread**"))

    def test_two_thread_rows(self):
        # median 1.0 ms of 1.4, 0.9, 1.0 (mean 1.1); 2e8 FLOPs / 1 ms = 200 GFLOP/s = 50% of 400; dispatcher 1.1;
        # onednn median of 500, 400, 900 us (its aggregate row ignored); xnnpack failed;
        # memory floor 4e6 B / 20 GB/s = 0.2 ms; oneDNN 0.5 ms / 1.0 ms.
        self.assertEqual(self.row("| fixture:a |", after="**2 threads**"),
                         "| fixture:a | direct_channels | 1.000 | 200.0 | 50% | 1.100 | 0.500 | — | — | — | 0.200 | 0.50x |")
        self.assertEqual(self.row("| fixture:b |", after="**2 threads**"),
                         "| fixture:b | direct_pixels | 0.250 | 400.0 | 100% | — | 0.500 | — | — | — | 0.100 | 2.00x |")

    def test_one_thread_row_uses_its_own_run(self):
        # 100 GFLOP/s of the 1-thread peak 200 (not 400); floor 4e6 B / 10 GB/s.
        self.assertEqual(self.row("| fixture:a |", after="**1 thread**"),
                         "| fixture:a | direct_channels | 2.000 | 100.0 | 50% | — | 1.000 | — | — | — | 0.400 | 0.50x |")

    def test_section_header_facts(self):
        self.assertIn("FMA peak 400 GFLOP/s and read bandwidth 20.0 GB/s at 2 threads", self.text)
        self.assertIn("FMA peak 200 GFLOP/s and read bandwidth 10.0 GB/s at 1 thread", self.text)

    def test_per_shape_kernels(self):
        self.assertIn("adams2019 (estimate = this shape) ms", self.row("| problem | threads |"))
        self.assertEqual(self.row("| fixture:a | 2 |"), "| fixture:a | 2 | 1.000 | 8.000 | 4.000 | 0.500 |")
        self.assertFalse(any(line.startswith("| fixture:b | 2 |") for line in self.lines))

    def test_summary_against_onednn(self):
        # Only fixture:a ran at both thread counts; the geometric mean of one ratio is that ratio.
        self.assertEqual(self.row("| fixture:a | direct_channels | 2.000 | 50% |"),
                         "| fixture:a | direct_channels | 2.000 | 50% | 1.000 | 0.50x "
                         "| direct_channels | 1.000 | 50% | 0.500 | 0.50x |")
        summary = self.text[self.text.index("Summary:"):]
        self.assertNotIn("| fixture:b |", summary)
        self.assertEqual(self.row("| **geometric mean**"),
                         "| **geometric mean** |  |  |  |  | **0.50x** |  |  |  |  | **0.50x** |")

    def test_per_set(self):
        # 2 threads: fixture:a's dispatcher 1.1 ms against oneDNN 0.5 (XNNPACK failed) and its best kernel
        # 1.0; fixture:b has no dispatcher row, its best kernel 0.25 against oneDNN 0.5. Best kernel vs
        # peer: geomean(0.5, 2.0) = 1.0. Untuned, the dispatcher is its own pick: 1.0 / 1.1 again.
        # 1 thread: fixture:a alone, no dispatcher, 2.0 against 1.0.
        self.assertEqual(self.row("| fixture | 2 |"),
                         "| fixture | 2 | 2 | 0.45x | 1.00x | 0.91x | 0.91x | 0.91x | 0.91x |")
        self.assertEqual(self.row("| fixture | 1 |"), "| fixture | 1 | 1 | — | 0.50x | — | — | — | — |")

    def test_tuned_kernel(self):
        result = report(TUNED)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        # The tuned kernel is stridetune's best (1.5 ms: 133.3 GFLOP/s, 33% of 400), and has its own table
        # against the best general-purpose kernel: 2.0 / 1.5.
        self.assertIn("| fixture:c | tuned_direct_abc | 1.500 | 133.3 | 33% | 1.500 |", result.stdout)
        self.assertIn("| fixture:c | 2 | tuned_direct_abc | 1.500 | direct_channels | 2.000 | 1.33x |", lines)
        # The untuned row is no kernel of its own; per set, the tuned dispatcher against the tuned kernel
        # (1.5 / 1.5) and the untuned pick against the best general-purpose kernel: 2.0 / 2.5; oneDNN 1.0.
        self.assertIn("| fixture | 2 | 1 | 0.67x | 0.67x | 1.00x | 1.00x | 0.80x | 0.80x |", lines)

    def test_minibatch_rows_of_the_dispatcher_alone(self):
        # fixture:c at minibatch 8, its general-purpose row and its tuned label removed: the dispatcher
        # (1.5 ms) is the best stridetune row, and the name carries the minibatch.
        data = json.loads(TUNED.read_text())
        data["benchmarks"] = [b for b in data["benchmarks"] if "/stridetune:direct_channels/" not in b["run_name"]]
        for b in data["benchmarks"]:
            for key in ("name", "run_name"):
                b[key] = b[key].replace("mb1ic8", "mb8ic8")
            b["label"] = b.get("label", "").split(" (tuned:")[0]
        with tempfile.TemporaryDirectory() as tmp:
            minibatch = pathlib.Path(tmp) / "minibatch.json"
            minibatch.write_text(json.dumps(data))
            result = report(minibatch)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("| fixture:c (mb8) | dispatcher | 1.500 | 133.3 | 33% | 1.500 |", result.stdout)

    def test_post_ops(self):
        result = report(TWO_THREADS, POST_OPS)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        # Among the problems, the post-ops after the name: 2e8 FLOPs / 1.2 ms = 166.7 GFLOP/s, 42% of 400;
        # floor 5e6 B / 20 GB/s; oneDNN 0.6 / 1.2.
        self.assertIn("| fixture:a +bias+relu:0 | direct_channels | 1.200 | 166.7 | 42% | 1.320 | 0.600 | 0.900 "
                      "| — | — | 0.250 | 0.50x |", lines)
        # Beside the bare fixture:a of report_fixture_2_threads.json: best kernel 1.2 / 1.0, dispatcher
        # 1.32 / 1.1, oneDNN 0.6 / 0.5; fixture:d has no bare run, so no row.
        self.assertIn("| fixture:a | 2 | +bias+relu:0 | direct_channels | 1.200 | 1.000 | 1.20x | 1.20x | 0.600 "
                      "| 1.20x | 0.900 | 0.50x |", lines)
        self.assertIn("| **geometric mean** | 2 |  |  |  |  | **1.20x** | **1.20x** |  | **1.20x** |  | **0.50x** |",
                      lines)
        self.assertFalse(any(line.startswith("| fixture:d | 2 |") for line in lines))
        # A set of their own, beside the bare set's unchanged row (test_per_set): fixture:a's dispatcher 1.32
        # against oneDNN 0.6 (XNNPACK 0.9 is slower); best kernels against oneDNN: geomean(0.6 / 1.2, 1.0 / 0.5).
        self.assertIn("| fixture | 2 | 2 | 0.45x | 1.00x | 0.91x | 0.91x | 0.91x | 0.91x |", lines)
        self.assertIn("| fixture (post-ops) | 2 | 2 | 0.45x | 1.00x | 0.91x | 0.91x | 0.91x | 0.91x |", lines)

    def test_no_post_ops_table_without_post_ops(self):
        self.assertNotIn("Post-ops fused", self.text)

    def test_missing_context_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = pathlib.Path(tmp) / "bad.json"
            bad.write_text(TWO_THREADS.read_text().replace('"peak_gflops"', '"other"'))
            result = report(bad)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no peak_gflops", result.stderr)

    @unittest.skipUnless(importlib.util.find_spec("matplotlib"), "matplotlib is not installed")
    def test_plot_is_written(self):
        with tempfile.TemporaryDirectory() as tmp:
            png = pathlib.Path(tmp) / "layers.png"
            result = report(TWO_THREADS, ONE_THREAD, "--plot", png)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(png.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
