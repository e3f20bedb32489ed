// The pool that runs the kernels' parallel loops. Its idle workers spin a
// while before they sleep, so that a loop soon after another starts without
// waking them through the kernel (Halide's own pool sleeps at once: 1.08x
// slower on the tails set's 3x3 layers at 2 threads). A loop costs its
// caller two transfers of one cache line between cores, the publication
// and the last task's completion: 0.3-0.4 us a loop of empty tasks on 2
// threads of an AMD Zen 5 KVM guest, where pthreadpool (XNNPACK's pool,
// which this replaced) took 1.4-1.9 us, its caller making a futex system
// call per loop and its workers reading several lines the caller wrote;
// on the tails set's 3x3 layers at 2 threads the dispatcher went from
// 0.93x to 1.10x XNNPACK's speed (geomean).
// Shared by the library and the tuner, so that the tuner times the loops
// the library will run.
#pragma once

#include <cstdint>

namespace stridetune::detail {

// The pool's threads from now on, the calling thread included (>= 1).
void set_pool_threads(int threads);

// What the pool's loops cost on this machine, measured when the pool was
// made: handing a loop to every worker and joining them, beyond the tasks'
// own work (0 for one thread). It differs between machines, and between
// moments on one: 0.2 to 1.1 us on 2 threads of a KVM guest of AMD Zen 5.
struct PoolCost {
    int threads;
    double handoff_seconds;
};
PoolCost pool_cost();

// Runs body(argument, i) for every i in [0, size) over the pool; returns
// the first nonzero status a body returned, or 0. A loop inside a body, and
// a loop while another caller's runs on the pool, runs on the calling
// thread instead (the pool runs one loop at a time).
int run_on_pool(int size, int (*body)(void *argument, int index), void *argument);

// Runs body(argument, start, length) over the pool on one range of [0,
// extent) a pool thread, each range a multiple of `unit` long but the
// last; the first nonzero status, or 0. Fewer ranges where extent holds
// fewer units; the same rule as run_on_pool for a loop inside a body.
int run_ranges_on_pool(int64_t extent, int64_t unit, int (*body)(void *argument, int64_t start, int64_t length),
                       void *argument);

// Halide's parallel loop: task(context, i, closure) for every i in
// [min, min + size), over the pool or on the calling thread; the first
// nonzero status, or 0. Context is void for the ahead-of-time kernels and
// Halide::JITUserContext for the tuner's.
template<typename Context>
int run_halide_loop(Context *context, int (*task)(Context *, int, uint8_t *), int min, int size, uint8_t *closure,
                    bool on_pool) {
    struct Loop {
        Context *context;
        int (*task)(Context *, int, uint8_t *);
        int min;
        uint8_t *closure;
    } loop{context, task, min, closure};
    const auto body = [](void *argument, int index) {
        const Loop &l = *static_cast<const Loop *>(argument);
        return l.task(l.context, l.min + index, l.closure);
    };
    if (on_pool) return run_on_pool(size, body, &loop);
    for (int i = 0; i < size; i++) {
        if (const int status = body(&loop, i)) return status;
    }
    return 0;
}

}  // namespace stridetune::detail
