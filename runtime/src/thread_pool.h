// The pool that runs the kernels' parallel loops: pthreadpool, the pool
// XNNPACK runs on. Its idle workers spin a little before they sleep, so a
// loop that follows soon after another starts without waking them through
// the kernel. Halide's own pool sleeps at once: on the tails set's 3x3
// layers at 2 threads (2-10 MFLOP each) the dispatcher ran 1.08x slower on
// it (bench/layers_benchmark, geomean). Shared by the library and the tuner,
// so that the tuner times the loops the library will run.
#pragma once

namespace stridetune::detail {

// The pool's threads from now on, the calling thread included (>= 1).
void set_pool_threads(int threads);

// Runs body(argument, i) for every i in [0, size) over the pool; returns
// the first nonzero status a body returned, or 0. A loop inside a body, and
// a loop while another caller's runs on the pool, runs on the calling
// thread instead (the pool runs one loop at a time).
int run_on_pool(int size, int (*body)(void *argument, int index), void *argument);

}  // namespace stridetune::detail
