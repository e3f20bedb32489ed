// This machine's limits, measured: the float32 FMA peak and the memory
// bandwidth, so that a kernel's speed can be said as a fraction of them.
#pragma once

namespace stridetune_bench {

struct MachinePeak {
    double gflops_one_thread;  // FMA peak at the CPU's best ISA level
    double gflops_at_threads;  // the same on `threads` threads
    double read_gbytes_per_s;  // streaming read bandwidth on `threads` threads
    int threads;
};

// Takes about a second.
MachinePeak measure_machine_peak(int threads);

}  // namespace stridetune_bench
