#include "thread_pool.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace stridetune::detail {
namespace {

using Clock = std::chrono::steady_clock;

// A spinning thread's hint to its core.
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// The calling thread and threads - 1 workers running one loop at a time.
// A loop is one word, its size and the next unclaimed task: the caller
// publishes it after the loop's function, the workers spinning on it see
// it in one transfer, and every thread claims tasks from it. A worker
// late from an earlier loop can only claim a task of the current one, the
// word being all a claim compares, and it reads the function only after
// its claim, which the caller cannot finish a loop without.
class Workers {
public:
    explicit Workers(int threads) : threads_(threads) {
        for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
    }

    ~Workers() {
        stopping_.store(true);
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
        }
        wake_.notify_all();
        for (std::thread &t : workers_) t.join();
    }

    // task(argument, i) for every i in [0, size), on the calling thread and
    // the workers; returns when all have run. One caller at a time.
    void run(int size, void (*task)(void *, int), void *argument) {
        task_ = task;
        argument_ = argument;
        done_.store(0, std::memory_order_relaxed);
        loop_.store(uint64_t(uint32_t(size)) << 32);
        // Sequentially consistent with the store above, as a sleeping
        // worker's count and its look at the loop are: a worker either
        // counted itself before this reads the count or sees the loop.
        if (sleepers_.load() > 0) {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            wake_.notify_all();
        }
        run_tasks();
        for (int spins = 0; done_.load(std::memory_order_acquire) != size; spins++) {
            // A worker holding the last tasks may have lost its core.
            if (spins < 4096) {
                relax();
            } else {
                std::this_thread::yield();
            }
        }
    }

    int threads() const { return threads_; }

private:
    static bool has_tasks(uint64_t loop) { return uint32_t(loop) < uint32_t(loop >> 32); }

    // Claims and runs the current loop's tasks until none is left, a
    // thread's share of those left at a time: the caller takes its share at
    // once, a worker that comes the next share of the rest, and the last
    // claims, smaller, even out the threads' finishing times. Few claims,
    // each moving the loop's line between cores: on 1x1 layers of 13x13
    // pixels (25 tasks) halves of what was left ran 1.2-1.3x faster in
    // parallel than quarters.
    void run_tasks() {
        uint64_t loop = loop_.load(std::memory_order_acquire);
        while (has_tasks(loop)) {
            const uint32_t next = uint32_t(loop), size = uint32_t(loop >> 32);
            const uint32_t count = (size - next + uint32_t(threads_) - 1) / uint32_t(threads_);
            if (!loop_.compare_exchange_weak(loop, loop + count, std::memory_order_acquire)) continue;
            for (uint32_t i = next; i < next + count; i++) task_(argument_, int(i));
            done_.fetch_add(int(count), std::memory_order_release);
            loop = loop_.load(std::memory_order_acquire);
        }
    }

    void work() {
        while (!stopping_.load(std::memory_order_relaxed)) {
            wait_for_tasks();
            run_tasks();
        }
    }

    // Spins for a millisecond after the last loop (a call soon after
    // another finds the worker awake), then sleeps until woken.
    void wait_for_tasks() {
        const Clock::time_point spin_until = Clock::now() + std::chrono::milliseconds(1);
        for (int spins = 1; !has_tasks(loop_.load(std::memory_order_acquire)); spins++) {
            if (stopping_.load(std::memory_order_relaxed)) return;
            relax();
            if (spins % 256 == 0 && Clock::now() > spin_until) {
                std::unique_lock<std::mutex> lock(sleep_mutex_);
                sleepers_.fetch_add(1);
                wake_.wait(lock, [this] { return has_tasks(loop_.load()) || stopping_.load(); });
                sleepers_.fetch_sub(1);
                return;
            }
        }
    }

    const int threads_;
    alignas(64) std::atomic<uint64_t> loop_{0};  // size << 32 | next task
    void (*task_)(void *, int) = nullptr;
    void *argument_ = nullptr;
    alignas(64) std::atomic<int> done_{0};  // the current loop's tasks finished
    alignas(64) std::atomic<int> sleepers_{0};
    std::atomic<bool> stopping_{false};
    std::mutex sleep_mutex_;
    std::condition_variable wake_;
    std::vector<std::thread> workers_;
};

struct PoolState {
    std::unique_ptr<Workers> threads;
    PoolCost cost;
};
using Pool = std::shared_ptr<const PoolState>;

// The lower quartile of the times of loops in which every thread runs one
// task, the tasks waiting for one another: what a loop pays beyond its
// work, on this machine as it is. A loop that loses its time slice during
// the microseconds measured is noise, not the handoff, and on a busy host
// many of the loops timed can; most loops pay at least the lower quartile
// (2 threads of an AMD Zen 5 KVM guest: 0.2-1.1 us from one process to
// another). Bounded in time: on a loaded machine a worker can wait for a
// time slice (milliseconds), and making a pool must not take that long;
// then the few loops timed say that the workers are slow to come. They are
// while other libraries' workers spin on the cores: stridetune_layers,
// whose peers' OpenBLAS and OpenMP workers spin unless tools/peer-env tells
// them not to, timed 8 ms loops in 3 of 10 processes without it (none of 6
// with), and there ran its small problems on one thread.
double measure_handoff_seconds(Workers &pool) {
    struct Meeting {
        std::atomic<int> arrived{0};
        int threads;
        Clock::time_point give_up;
    };
    const auto meet = [](void *meeting_pointer, int) {
        Meeting &m = *static_cast<Meeting *>(meeting_pointer);
        m.arrived.fetch_add(1);
        while (m.arrived.load() < m.threads && Clock::now() < m.give_up) relax();
    };
    const auto loop_seconds = [&] {
        Meeting meeting{{0}, pool.threads(), Clock::now() + std::chrono::milliseconds(1)};
        const Clock::time_point start = Clock::now();
        pool.run(pool.threads(), meet, &meeting);
        return std::chrono::duration<double>(Clock::now() - start).count();
    };
    // New workers take a while to first run (an idle vCPU of a KVM guest,
    // hundreds of microseconds): until a loop finds them all, or 20 ms.
    const Clock::time_point started = Clock::now();
    while (loop_seconds() > 0.5e-3 && Clock::now() < started + std::chrono::milliseconds(20)) {
    }
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(2);
    std::array<double, 63> seconds;
    size_t timed = 0;
    while (timed < seconds.size() && (timed == 0 || Clock::now() < deadline)) seconds[timed++] = loop_seconds();
    std::nth_element(seconds.begin(), seconds.begin() + timed / 4, seconds.begin() + timed);
    return seconds[timed / 4];
}

Pool make_pool(int threads) {
    auto state = std::make_shared<PoolState>();
    state->threads = std::make_unique<Workers>(threads);
    state->cost = {threads, threads > 1 ? measure_handoff_seconds(*state->threads) : 0.0};
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
};

void run_task(void *loop_pointer, int index) {
    Loop &loop = *static_cast<Loop *>(loop_pointer);
    const bool outer = inside_body;
    inside_body = true;
    if (const int status = loop.body(loop.argument, index)) {
        int none = 0;
        loop.status.compare_exchange_strong(none, status);
    }
    inside_body = outer;
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
    pool.threads->run(size, run_task, &loop);
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
