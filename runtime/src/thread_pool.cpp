#include "thread_pool.h"

#include <pthreadpool.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

namespace stridetune::detail {
namespace {

struct PoolState {
    std::shared_ptr<std::remove_pointer_t<pthreadpool_t>> threads;
    PoolCost cost;
};
using Pool = std::shared_ptr<const PoolState>;

// The lower quartile of the times of a loop of one empty task a thread,
// after a few to wake the workers: what a loop pays beyond its work, on
// this machine as it is. A loop that loses its time slice during the
// microseconds measured is noise, not the handoff, and on a busy host many
// of the loops timed can; most loops pay at least the lower quartile (five
// pools made in a row, 2 threads of an AMD Zen 5 KVM guest: lower quartile
// 1.5-1.8 us, median 1.5-2.0, slowest 2.0-35.6). Bounded in time: on a
// loaded machine a loop can wait for a time slice (milliseconds) for its
// worker, and making a pool must not take that long (measured: 0.3 s a
// process, tests running side by side on 2 cores); then the few loops
// timed say that the workers are slow to come. They are while other
// libraries' workers spin on the cores: stridetune_layers, whose peers'
// OpenBLAS and OpenMP workers spin unless tools/peer-env tells them not
// to, timed 8 ms loops in 3 of 10 processes without it (none of 6 with),
// and there ran its small problems on one thread.
double measure_handoff_seconds(pthreadpool_t pool, int threads) {
    using Clock = std::chrono::steady_clock;
    const auto empty_task = [](void *, size_t) {};
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(2);
    for (int i = 0; i < 4; i++) pthreadpool_parallelize_1d(pool, empty_task, nullptr, size_t(threads), 0);
    std::array<double, 63> seconds;
    size_t timed = 0;
    while (timed < seconds.size()) {
        const Clock::time_point start = Clock::now();
        pthreadpool_parallelize_1d(pool, empty_task, nullptr, size_t(threads), 0);
        const Clock::time_point end = Clock::now();
        seconds[timed++] = std::chrono::duration<double>(end - start).count();
        if (end > deadline) break;
    }
    std::nth_element(seconds.begin(), seconds.begin() + timed / 4, seconds.begin() + timed);
    return seconds[timed / 4];
}

Pool make_pool(int threads) {
    auto state = std::make_shared<PoolState>();
    state->threads.reset(pthreadpool_create(size_t(threads)), pthreadpool_destroy);
    state->cost = {threads, threads > 1 ? measure_handoff_seconds(state->threads.get(), threads) : 0.0};
    return state;
}

std::mutex pool_mutex;
// Made on first use, with a thread a core, unless set_pool_threads came first.
Pool &current_pool() {
    static Pool pool;
    return pool;
}

Pool acquire_pool() {
    std::lock_guard<std::mutex> lock(pool_mutex);
    Pool &pool = current_pool();
    if (!pool) pool = make_pool(int(std::max(1u, std::thread::hardware_concurrency())));
    return pool;
}

thread_local bool inside_body = false;
// Set while a loop runs on the pool.
std::atomic<bool> pool_busy{false};

struct Loop {
    int (*body)(void *, int);
    void *argument;
    std::atomic<int> status{0};
    // The pool orders the caller's writes before the tasks and the tasks
    // before its return, invisibly to ThreadSanitizer (pthreadpool is not
    // instrumented); these make both orders explicit. `published` is
    // released after the fields are set and acquired by every task;
    // `finished` is released by every task and acquired by the caller.
    std::atomic<bool> published{false};
    std::atomic<int> finished{0};
};

void run_task(void *loop_pointer, size_t index) {
    Loop &loop = *static_cast<Loop *>(loop_pointer);
    (void)loop.published.load(std::memory_order_acquire);
    const bool outer = inside_body;
    inside_body = true;
    if (const int status = loop.body(loop.argument, int(index))) {
        int none = 0;
        loop.status.compare_exchange_strong(none, status);
    }
    inside_body = outer;
    loop.finished.fetch_add(1, std::memory_order_release);
}

}  // namespace

void set_pool_threads(int threads) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    // The old pool's workers, spinning after their last loop, would take
    // the cores from the new pool's while its handoff is measured: released
    // first (callers running a loop on it keep it until they return).
    current_pool().reset();
    current_pool() = make_pool(threads);
}

PoolCost pool_cost() {
    return acquire_pool()->cost;
}

namespace {

// run_on_pool on `pool`, acquired by the caller.
int run_on(const PoolState &pool, int size, int (*body)(void *argument, int index), void *argument) {
    if (inside_body || pool_busy.exchange(true, std::memory_order_acquire)) {
        for (int i = 0; i < size; i++) {
            if (const int status = body(argument, i)) return status;
        }
        return 0;
    }
    Loop loop{body, argument};
    loop.published.store(true, std::memory_order_release);
    pthreadpool_parallelize_1d(pool.threads.get(), run_task, &loop, size_t(size), 0);
    (void)loop.finished.load(std::memory_order_acquire);
    pool_busy.store(false, std::memory_order_release);
    return loop.status.load();
}

}  // namespace

int run_on_pool(int size, int (*body)(void *argument, int index), void *argument) {
    return run_on(*acquire_pool(), size, body, argument);
}

int run_ranges_on_pool(int64_t extent, int64_t unit, int (*body)(void *argument, int64_t start, int64_t length),
                       void *argument) {
    struct Ranges {
        int64_t extent, length;
        int (*body)(void *, int64_t, int64_t);
        void *argument;
    };
    const Pool pool = acquire_pool();
    const int64_t units = (extent + unit - 1) / unit;
    const int64_t ranges = std::min<int64_t>(units, pool->cost.threads);
    Ranges r{extent, (units + ranges - 1) / ranges * unit, body, argument};
    const auto range = [](void *ranges_pointer, int index) {
        const Ranges &r = *static_cast<const Ranges *>(ranges_pointer);
        const int64_t start = index * r.length;
        return r.body(r.argument, start, std::min(r.length, r.extent - start));
    };
    return run_on(*pool, int((extent + r.length - 1) / r.length), range, &r);
}

}  // namespace stridetune::detail
