// Library-wide settings: each starts from its environment variable, read
// once, and an API call may change it later.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "settings.h"
#include "thread_pool.h"
#include "stridetune/convolution.h"
#include "stridetune/isa.h"
#include "stridetune/error.h"

namespace stridetune {
namespace {

const char *env(const char *name) {
    const char *value = std::getenv(name);
    return value && *value ? value : nullptr;
}

Isa isa_from_env() {
    const char *value = env("STRIDETUNE_MAX_ISA");
    if (!value) return detected_isa();
    auto isa = parse_isa(value);
    if (!isa) {
        std::fprintf(stderr, "stridetune: ignoring STRIDETUNE_MAX_ISA=%s (expected sse41, avx2 or avx512)\n", value);
        return detected_isa();
    }
    return std::min(*isa, detected_isa());
}

int threads_from_env() {
    if (const char *value = env("STRIDETUNE_NUM_THREADS")) {
        char *end = nullptr;
        const long threads = std::strtol(value, &end, 10);
        if (*end == '\0' && threads >= 1 && threads <= 1024) return int(threads);
        std::fprintf(stderr, "stridetune: ignoring STRIDETUNE_NUM_THREADS=%s (expected 1 to 1024)\n", value);
    }
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

std::atomic<Isa> &isa_cap() {
    static std::atomic<Isa> cap{isa_from_env()};
    return cap;
}

std::atomic<bool> &verbose_flag() {
    static std::atomic<bool> verbose{env("STRIDETUNE_VERBOSE") && std::string(env("STRIDETUNE_VERBOSE")) != "0"};
    return verbose;
}

std::mutex threads_mutex;
int threads_setting = 0;  // 0: not yet read from the environment

}  // namespace

Isa max_isa() {
    return isa_cap().load();
}

void set_max_isa(Isa isa) {
    isa_cap().store(std::min(isa, detected_isa()));
}

void set_num_threads(int threads) {
    if (threads < 1) throw Error("set_num_threads: threads is " + std::to_string(threads) + ", must be at least 1");
    std::lock_guard<std::mutex> lock(threads_mutex);
    threads_setting = threads;
    detail::set_pool_threads(threads);
}

int num_threads() {
    std::lock_guard<std::mutex> lock(threads_mutex);
    if (threads_setting == 0) {
        threads_setting = threads_from_env();
        detail::set_pool_threads(threads_setting);
    }
    return threads_setting;
}

void set_verbose(bool verbose) {
    verbose_flag().store(verbose);
}

namespace detail {
bool verbose() {
    return verbose_flag().load();
}
}  // namespace detail

}  // namespace stridetune
