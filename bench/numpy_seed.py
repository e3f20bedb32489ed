#!/usr/bin/python3
"""The StackOverflow answer the project starts from, next to torch and stridetune.

The answer (shared/seed/stackoverflow-answer.txt) convolves x = 64x221x221x3
(NHWC) with f = 4x4x3x5 (HWIO) at stride 2 in numpy: an as_strided window
view, then einsum or tensordot, with or without first reshaping (copying) the
view. This script times the answer's exact expressions, in int64 (the
answer's dtype) and float32, then torch.nn.functional.conv2d (channels_last)
and stridetune (through stridetune_npy_runner) on the same float32 data.
Inputs are small seeded integers, so every result is exact in both dtypes and
each one is checked against the int64 tensordot result before the table is
printed.

Run with Debian's python (apt-get install python3-numpy python3-torch):

    /usr/bin/python3 bench/numpy_seed.py --runner build/bench/stridetune_npy_runner
    /usr/bin/python3 bench/numpy_seed.py --quick      # N=8 instead of 64

Prints a markdown table on stdout; progress goes to stderr. Exit status 1 when
a result does not match, 2 when the runner or a package is missing.
"""

import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def die(message, code=2):
    print(f"numpy_seed.py: {message}", file=sys.stderr)
    sys.exit(code)


try:
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
except ImportError:
    die(f"numpy not importable by {sys.executable}; install python3-numpy and run with /usr/bin/python3")


def progress(message):
    print(f"[numpy_seed] {message}", file=sys.stderr, flush=True)


def timed(fn, reps, min_batch_s=0.0):
    """Calls fn once (warm-up; its result is returned for checking), then
    times `reps` runs and returns (result, median ms, min ms). Calls much
    shorter than min_batch_s are repeated in a loop per run and averaged,
    as timeit does."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    number = 1
    if min_batch_s > 0 and first < min_batch_s:
        number = max(1, math.ceil(min_batch_s / max(first, 1e-7)))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number * 1e3)
    return result, statistics.median(times), min(times)


def openblas_threads():
    """(threads, library) of the OpenBLAS numpy loaded, or (None, description)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and ".so" in line}
    except OSError:
        libs = set()
    for lib in sorted(libs):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        if hasattr(handle, "openblas_get_num_threads"):
            return handle.openblas_get_num_threads(), lib
    return None, ", ".join(sorted(libs)) or "no BLAS library found"


class Check:
    def __init__(self, reference):
        self.reference = reference  # int64, NHWK

    def __call__(self, name, dtype, result):
        result = np.asarray(result)
        if result.shape != self.reference.shape:
            die(f"{name} ({dtype}): shape {result.shape}, reference {self.reference.shape}", 1)
        if result.dtype == np.int64:
            if not np.array_equal(result, self.reference):
                bad = np.count_nonzero(result != self.reference)
                die(f"{name} ({dtype}): {bad} elements differ from the int64 tensordot reference", 1)
            return "exact"
        err = float(np.max(np.abs(result.astype(np.float64) - self.reference)))
        # Integer data: every float32 partial sum is an exact integer
        # (|sum| < 2^24), so any error at all means a wrong result; allow
        # a little for a summation order that rounds anyway.
        tol = 1e-5 * float(np.max(np.abs(self.reference))) + 1e-3
        if not err <= tol:
            die(f"{name} ({dtype}): max abs error {err} exceeds {tol} against the int64 reference", 1)
        return "exact" if err == 0 else f"max err {err:.2g}"


def answer_variants(x, f, s, reps, check, dtype_name):
    """The answer's code, expression for expression. Returns rows."""
    B, H, W, C = x.shape
    Fh, Fw, C, _ = f.shape
    Sh, Sw = s
    strided_shape = B, 1 + (H - Fh) // Sh, 1 + (W - Fw) // Sw, Fh, Fw, C

    def make_view():
        return as_strided(x, strided_shape,
                          strides=(x.strides[0], Sh * x.strides[1], Sw * x.strides[2],
                                   x.strides[1], x.strides[2], x.strides[3]), )

    rows = []

    def run(name, fn, batch=0.0, checked=True):
        progress(f"{dtype_name}: {name} ...")
        result, med, mn = timed(fn, reps, batch)
        status = check(name, dtype_name, result) if checked else "n/a"
        progress(f"{dtype_name}: {name}: median {med:.3f} ms ({status})")
        rows.append((name, dtype_name, med, mn, status))
        return result

    x_strided = run("as_strided view creation", make_view, batch=0.2, checked=False)
    run("reshape copy (x_strided.reshape)", lambda: x_strided.reshape(*x_strided.shape[:3], -1), checked=False)

    run("einsum without reshape",
        lambda: np.einsum('wxy...,...d->wxyd', x_strided, f, optimize='optimal'))

    def einsum_with_reshape():
        f_reshaped = f.reshape(-1, f.shape[-1])
        x_reshaped = x_strided.reshape(*x_strided.shape[:3], -1)  # Bottleneck!
        k = np.einsum('wxyz,zd->wxyd', x_reshaped, f_reshaped, optimize='optimal')
        return k
    run("einsum with reshape", einsum_with_reshape)

    run("tensordot without reshape", lambda: np.tensordot(x_strided, f, axes=3))

    def tensordot_with_reshape():
        f_reshaped = f.reshape(-1, f.shape[-1])
        x_reshaped = x_strided.reshape(*x_strided.shape[:3], -1)  # Bottleneck!
        k = np.tensordot(x_reshaped, f_reshaped, axes=(3, 0))
        return k
    run("tensordot with reshape", tensordot_with_reshape)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=8 instead of 64, for a fast check")
    parser.add_argument("--runner", default=str(REPO / "build/bench/stridetune_npy_runner"),
                        help="path of stridetune_npy_runner (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=3,
                        help="timed runs of each numpy variant, after one warm-up (default: %(default)s)")
    parser.add_argument("--fast-reps", type=int, default=20,
                        help="timed runs of torch and stridetune (default: %(default)s)")
    args = parser.parse_args()
    if args.reps < 1 or args.fast_reps < 1:
        die("--reps and --fast-reps must be at least 1")

    runner = Path(args.runner)
    if not (runner.is_file() and os.access(runner, os.X_OK)):
        die(f"runner '{runner}' is missing or not executable; build it with "
            f"`cmake --build build --target stridetune_npy_runner` or pass --runner PATH")
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        die(f"torch not importable by {sys.executable}; install python3-torch and run with /usr/bin/python3")

    cores = os.cpu_count()
    torch.set_num_threads(cores)
    load = os.getloadavg()[0]
    if load > 0.5:
        progress(f"warning: load average {load:.2f} before starting; other processes on these "
                 f"{cores} cores will slow the multi-threaded rows (torch, OpenBLAS, stridetune)")
    blas_threads, blas_lib = openblas_threads()

    N = 8 if args.quick else 64
    H, W, C = 221, 221, 3
    FH, FW, K = 4, 4, 5
    s = (2, 2)
    rng = np.random.default_rng(0)
    x64 = rng.integers(-8, 8, size=(N, H, W, C), dtype=np.int64)
    f64 = rng.integers(-8, 8, size=(FH, FW, C, K), dtype=np.int64)
    OH, OW = 1 + (H - FH) // s[0], 1 + (W - FW) // s[1]
    progress(f"x {x64.shape}, f {f64.shape}, stride {s} -> output {(N, OH, OW, K)}; "
             f"integers in [-8, 8), seed 0; {cores} cores")

    # Reference: the answer's tensordot (without reshape) in int64, exact.
    progress("int64 reference (tensordot) ...")
    x_strided = as_strided(x64, (N, OH, OW, FH, FW, C),
                           strides=(x64.strides[0], s[0] * x64.strides[1], s[1] * x64.strides[2],
                                    x64.strides[1], x64.strides[2], x64.strides[3]))
    reference = np.tensordot(x_strided, f64, axes=3)
    del x_strided
    check = Check(reference)

    rows = []
    for dtype in (np.int64, np.float32):
        name = np.dtype(dtype).name
        rows += answer_variants(x64.astype(dtype), f64.astype(dtype), s, args.reps, check, name)

    x32 = np.ascontiguousarray(x64.astype(np.float32))
    f32 = np.ascontiguousarray(f64.astype(np.float32))

    # torch: NHWC memory viewed as NCHW is already channels_last (no copy);
    # the weight goes HWIO -> OIHW; the output (N, K, OH, OW) channels_last
    # is viewed back as NHWC.
    progress(f"torch conv2d channels_last ({torch.get_num_threads()} threads) ...")
    xt = torch.from_numpy(x32).permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    wt = torch.from_numpy(f32).permute(3, 2, 0, 1).contiguous()

    def torch_conv():
        with torch.no_grad():
            return F.conv2d(xt, wt, stride=s)
    out, med, mn = timed(torch_conv, args.fast_reps)
    status = check("torch conv2d", "float32", out.permute(0, 2, 3, 1).numpy())
    progress(f"torch: median {med:.3f} ms ({status})")
    rows.append(("torch.nn.functional.conv2d, channels_last", "float32", med, mn, status))

    # stridetune through the runner, on the same bytes.
    with tempfile.TemporaryDirectory(prefix="stridetune_npy_") as tmp:
        tmp = Path(tmp)
        x32.tofile(tmp / "x.f32")
        f32.tofile(tmp / "f.f32")
        cmd = [str(runner), str(tmp / "x.f32"), str(tmp / "f.f32"), str(tmp / "out.f32"),
               *map(str, (N, H, W, C, FH, FW, K, s[0], s[1], args.fast_reps))]
        progress("stridetune: " + " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            die(f"runner exited {proc.returncode}: {proc.stderr.strip()}", 1)
        try:
            st = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            die(f"runner printed no JSON line: {proc.stdout!r}", 1)
        out = np.fromfile(tmp / "out.f32", dtype=np.float32)
        if out.size != reference.size:
            die(f"runner wrote {out.size} floats, expected {reference.size}", 1)
        status = check("stridetune", "float32", out.reshape(reference.shape))
    progress(f"stridetune: {st['kernel']} ({st['isa']}), median {st['median_ms']:.3f} ms ({status})")
    st_ms = st["median_ms"]
    rows.append((f"stridetune ({st['kernel']})", "float32", st_ms, st["min_ms"], status))

    print(f"Problem: x {N}x{H}x{W}x{C} (NHWC), f {FH}x{FW}x{C}x{K} (HWIO), stride {s[0]}x{s[1]}, "
          f"output {N}x{OH}x{OW}x{K}; integers in [-8, 8) from default_rng(0).")
    print(f"Machine: {cores} cores, stridetune ISA {st['isa']}. Threads: numpy itself single-threaded; "
          f"OpenBLAS (float32 tensordot/einsum GEMM) {blas_threads if blas_threads is not None else '?'} "
          f"({blas_lib}); int64 has no BLAS path (single thread); torch {torch.get_num_threads()} "
          f"(torch {torch.__version__}); stridetune {st['threads']}. Load average at start {load:.2f}.")
    print(f"numpy {np.__version__}. Median of {args.reps} runs for numpy variants "
          f"(view creation: averaged over a loop per run), {args.fast_reps} for torch and stridetune, "
          f"each after one warm-up. Ratio = variant time / stridetune time (>1: stridetune faster); "
          f"int64 rows are against the float32 stridetune run.")
    print()
    print("| variant | dtype | median ms | min ms | check | ratio to stridetune |")
    print("|---|---|---:|---:|---|---:|")
    for name, dtype, med, mn, status in rows:
        ms_fmt = f"{med:.4f}" if med < 0.1 else f"{med:.2f}"
        mn_fmt = f"{mn:.4f}" if mn < 0.1 else f"{mn:.2f}"
        print(f"| {name} | {dtype} | {ms_fmt} | {mn_fmt} | {status} | {med / st_ms:.3g} |")


if __name__ == "__main__":
    main()
