#include "thread_pool.h"

#include <pthreadpool.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>

namespace stridetune::detail {
namespace {

using Pool = std::shared_ptr<std::remove_pointer_t<pthreadpool_t>>;

Pool make_pool(int threads) {
    return Pool(pthreadpool_create(size_t(threads)), pthreadpool_destroy);
}

std::mutex pool_mutex;
Pool &current_pool() {
    static Pool pool = make_pool(int(std::max(1u, std::thread::hardware_concurrency())));
    return pool;
}

Pool acquire_pool() {
    std::lock_guard<std::mutex> lock(pool_mutex);
    return current_pool();
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
    Pool pool = make_pool(threads);
    std::lock_guard<std::mutex> lock(pool_mutex);
    current_pool().swap(pool);
}

int run_on_pool(int size, int (*body)(void *argument, int index), void *argument) {
    if (inside_body || pool_busy.exchange(true, std::memory_order_acquire)) {
        for (int i = 0; i < size; i++) {
            if (const int status = body(argument, i)) return status;
        }
        return 0;
    }
    const Pool pool = acquire_pool();
    Loop loop{body, argument};
    loop.published.store(true, std::memory_order_release);
    pthreadpool_parallelize_1d(pool.get(), run_task, &loop, size_t(size), 0);
    (void)loop.finished.load(std::memory_order_acquire);
    pool_busy.store(false, std::memory_order_release);
    return loop.status.load();
}

}  // namespace stridetune::detail
