#include "machine_peak.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "stridetune.h"

namespace stridetune_bench {
namespace {

// Independent FMA chains, enough to cover the FMA latency on two pipes
// (4 cycles x 2 pipes = 8 in flight; 12 leaves headroom). Each returns the
// FLOPs done; `sink` keeps the result alive.
constexpr int chains = 12;

__attribute__((target("avx512f"))) double fma_avx512(long iterations, float &sink) {
    __m512 acc[chains];
    for (int i = 0; i < chains; i++) acc[i] = _mm512_set1_ps(float(i));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (__m512 &v : acc) v = _mm512_fmadd_ps(v, a, b);
    }
    for (__m512 v : acc) sink += _mm512_cvtss_f32(v);
    return double(iterations) * chains * 2 * 16;
}

__attribute__((target("avx2,fma"))) double fma_avx2(long iterations, float &sink) {
    __m256 acc[chains];
    for (int i = 0; i < chains; i++) acc[i] = _mm256_set1_ps(float(i));
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (__m256 &v : acc) v = _mm256_fmadd_ps(v, a, b);
    }
    for (__m256 v : acc) sink += _mm256_cvtss_f32(v);
    return double(iterations) * chains * 2 * 8;
}

// SSE4.1 has no FMA: a multiply and an add, two FLOPs per lane all the same.
double mul_add_sse(long iterations, float &sink) {
    __m128 acc[chains];
    for (int i = 0; i < chains; i++) acc[i] = _mm_set1_ps(float(i));
    const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
    for (long it = 0; it < iterations; it++) {
#pragma GCC unroll 12
        for (__m128 &v : acc) v = _mm_add_ps(_mm_mul_ps(v, a), b);
    }
    for (__m128 v : acc) sink += _mm_cvtss_f32(v);
    return double(iterations) * chains * 2 * 4;
}

double flops_kernel(long n, float &sink) {
    switch (stridetune::detected_isa()) {
    case stridetune::Isa::avx512: return fma_avx512(n, sink);
    case stridetune::Isa::avx2: return fma_avx2(n, sink);
    default: return mul_add_sse(n, sink);
    }
}

// Best of a few runs of `threads` copies of `work`, in units per second.
template<typename Work>
double best_rate(int threads, Work work) {
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        std::vector<double> units(threads);
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; t++) pool.emplace_back([&, t] { units[t] = work(t); });
        for (std::thread &th : pool) th.join();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        double total = 0;
        for (double u : units) total += u;
        best = std::max(best, total / s);
    }
    return best;
}

}  // namespace

MachinePeak measure_machine_peak(int threads) {
    constexpr long iterations = 20'000'000;
    auto flops = [](int) {
        float sink = 0;
        const double f = flops_kernel(iterations, sink);
        return sink == 12345.f ? 0.0 : f;  // keeps the loop alive
    };
    const size_t floats_per_thread = size_t(64) << 20;  // 256 MiB each
    std::vector<std::vector<float>> data(threads, std::vector<float>(floats_per_thread, 1.f));
    auto read = [&](int t) {
        const std::vector<float> &d = data[t];
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i < d.size(); i += 4) {
            s0 += d[i];
            s1 += d[i + 1];
            s2 += d[i + 2];
            s3 += d[i + 3];
        }
        return (s0 + s1 + s2 + s3) == -1.f ? 0.0 : double(d.size() * sizeof(float));
    };
    return {best_rate(1, flops) * 1e-9, best_rate(threads, flops) * 1e-9, best_rate(threads, read) * 1e-9, threads};
}

}  // namespace stridetune_bench
