// The pool that runs the kernels' loops (runtime/src/thread_pool.h): every
// task of every loop runs exactly once, whatever the loop's size, however
// loops follow one another, from however many callers. Suite Threads: the
// ThreadSanitizer run (tools/run-sanitized-tests.sh) checks these too.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "thread_pool.h"

namespace stridetune::detail {
namespace {

// Counts the runs of each task of one loop.
struct Counts {
    explicit Counts(int size) : runs(new std::atomic<int>[size_t(size)]), size(size) {
        for (int i = 0; i < size; i++) runs[size_t(i)] = 0;
    }
    static int count(void *counts, int index) {
        static_cast<Counts *>(counts)->runs[size_t(index)]++;
        return 0;
    }
    void expect_each_once() const {
        for (int i = 0; i < size; i++) ASSERT_EQ(runs[size_t(i)].load(), 1) << "task " << i << " of " << size;
    }
    std::unique_ptr<std::atomic<int>[]> runs;
    int size;
};

void expect_each_task_once(int size) {
    Counts counts(size);
    ASSERT_EQ(run_on_pool(size, Counts::count, &counts), 0);
    counts.expect_each_once();
}

TEST(Threads, PoolRunsEveryTaskOnce) {
    for (const int threads : {1, 2, 3, 5}) {
        set_pool_threads(threads);
        for (const int size : {0, 1, 2, 3, 7, 64, 1000, 100003}) expect_each_task_once(size);
    }
}

// Loops back to back: a worker late from one loop must not run the next's
// tasks twice or a finished one's at all.
TEST(Threads, PoolLoopsBackToBack) {
    set_pool_threads(3);
    for (int loop = 0; loop < 20000; loop++) expect_each_task_once(1 + loop % 5);
}

// Workers that went to sleep after their spell of spinning come back.
TEST(Threads, PoolWakesSleepingWorkers) {
    set_pool_threads(2);
    for (int loop = 0; loop < 5; loop++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        expect_each_task_once(64);
    }
}

TEST(Threads, PoolReturnsAFailingTasksStatus) {
    set_pool_threads(2);
    const auto fail_at_five = [](void *, int index) { return index == 5 ? 7 : 0; };
    EXPECT_EQ(run_on_pool(10, fail_at_five, nullptr), 7);
}

// A loop inside a task runs on that task's thread; loops from many
// callers at once each run every task once.
TEST(Threads, PoolLoopsInsideTasksAndFromManyCallers) {
    set_pool_threads(2);
    struct Nested {
        static int run(void *counts, int index) {
            Counts inner(9);
            if (const int status = run_on_pool(9, Counts::count, &inner)) return status;
            for (int i = 0; i < 9; i++) EXPECT_EQ(inner.runs[size_t(i)].load(), 1);
            return Counts::count(counts, index);
        }
    };
    std::vector<std::thread> callers;
    for (int c = 0; c < 4; c++) {
        callers.emplace_back([] {
            for (int loop = 0; loop < 200; loop++) {
                Counts outer(6);
                ASSERT_EQ(run_on_pool(6, Nested::run, &outer), 0);
                outer.expect_each_once();
            }
        });
    }
    for (std::thread &t : callers) t.join();
}

TEST(Threads, PoolRangesCoverTheExtentInWholeUnits) {
    set_pool_threads(3);
    for (const int64_t extent : {1, 5, 12, 13, 100}) {
        Counts counts{int(extent)};
        struct Cover {
            Counts *counts;
            int64_t unit, extent;
        } cover{&counts, 4, extent};
        const auto mark = [](void *cover_pointer, int64_t start, int64_t length) {
            const Cover &c = *static_cast<const Cover *>(cover_pointer);
            EXPECT_EQ(start % c.unit, 0);
            EXPECT_TRUE(length % c.unit == 0 || start + length == c.extent);
            for (int64_t i = start; i < start + length; i++) Counts::count(c.counts, int(i));
            return 0;
        };
        EXPECT_EQ(run_ranges_on_pool(extent, 4, mark, &cover), 0);
        counts.expect_each_once();
    }
}

}  // namespace
}  // namespace stridetune::detail
