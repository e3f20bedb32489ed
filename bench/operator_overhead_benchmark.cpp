// The per-call overhead of stridetune::Convolution::run(): three problems so
// small that the time of a call is mostly what surrounds the arithmetic
// (checking the tensors, entering the kernel, waking or not waking the
// worker threads), each timed
//   <problem>/run       run() of an operator created once, before the timed loop;
//   <problem>/convolve  the one-shot stridetune::convolve() (default options),
//                       which validates, chooses the kernel and packs the
//                       filter on every call;
//   <problem>/xnnpack   xnn_run_operator of an XNNPACK operator created once
//                       (bench/peers), where the build has XNNPACK.
// The problems: mb1ic1ih1iw1oc1kh1kw1 (one multiply-add), mb1ic16ih10oc16kh3ph1
// (a 10x10x16 3x3 layer) and mb1ic128ih1iw1oc16kh3kw3ph1pw1 (one output pixel,
// 3x3x128 taps). Each benchmark checks its output against the naive reference
// once before it is timed. Times are per call, in microseconds, wall clock.
//
// usage: stridetune_operator_overhead [--threads N] [Google Benchmark flags]
//   --threads N: threads for stridetune and XNNPACK alike (default: every
//     core, or STRIDETUNE_NUM_THREADS)
// e.g. build/bench/stridetune_operator_overhead --threads 1 --benchmark_repetitions=3
// (tools/run-benchmarks.sh runs it on every core and on 1 thread and keeps
// its JSON in build/bench-results/; bench/report.py does not read it).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "peer.h"
#include "layer_data.h"
#include "reference.h"
#include "stridetune.h"

namespace {

using stridetune::ConvDescriptor;

const char *const problems[] = {
    "mb1ic1ih1iw1oc1kh1kw1",
    "mb1ic16ih10oc16kh3ph1",
    "mb1ic128ih1iw1oc16kh3kw3ph1pw1",
};

// One problem's data (of one image: its first image's reference is the whole).
struct ProblemData : stridetune_bench::LayerData {
    std::string text;  // the descriptor as written above: the benchmarks' name

    explicit ProblemData(const char *descriptor)
        : LayerData(stridetune::parse_descriptor(descriptor)), text(descriptor) {}

    stridetune::ConstTensor in() const { return stridetune::dense<const float>(input.data(), d.input_dims()); }
    stridetune::ConstTensor filter_tensor() const {
        return stridetune::dense<const float>(filter.data(), d.filter_dims());
    }
    stridetune::Tensor out() { return stridetune::dense(output.data(), d.output_dims()); }

    // Runs `call` once into a NaN-filled output and compares it with the
    // reference: "" if it matches, else what went wrong.
    template<typename Call>
    std::string check(Call &&call) {
        std::fill(output.begin(), output.end(), std::nanf(""));
        try {
            call();
        } catch (const std::exception &e) {
            return std::string("failed: ") + e.what();
        }
        const std::string mismatch = stridetune_test::first_mismatch(output.data(), first_image);
        return mismatch.empty() ? "" : "wrong result: " + mismatch;
    }
};

std::string plan_label(const stridetune::Plan &plan) {
    return plan.kernel + (plan.parallel ? " (worker threads)" : " (calling thread)");
}

void finish(benchmark::State &state, const ProblemData &data, const std::string &label) {
    state.counters["flops"] = data.d.flops();
    state.SetLabel(label);
}

// run() of an operator created once, before the timed loop.
void bm_run(benchmark::State &state, ProblemData &data) {
    std::optional<stridetune::Convolution> conv;
    try {
        conv.emplace(data.d, data.filter_tensor());
    } catch (const stridetune::Error &e) {
        state.SkipWithError((std::string("refused: ") + e.what()).c_str());
        return;
    }
    const stridetune::ConstTensor input = data.in();
    const stridetune::Tensor output = data.out();
    const std::string error = data.check([&] { conv->run(input, output); });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    for (auto _ : state) conv->run(input, output);
    finish(state, data, plan_label(conv->plan()));
}

// The one-shot convolve(), default options: the dispatcher's pick.
void bm_convolve(benchmark::State &state, ProblemData &data) {
    const stridetune::ConstTensor input = data.in(), filter = data.filter_tensor();
    const stridetune::Tensor output = data.out();
    const stridetune::ConvParams params = data.d.params;
    stridetune::Plan plan{};
    const std::string error = data.check([&] { plan = stridetune::convolve(input, filter, output, params); });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    for (auto _ : state) stridetune::convolve(input, filter, output, params);
    finish(state, data, plan_label(plan));
}

#ifdef STRIDETUNE_HAVE_XNNPACK
// XNNPACK's operator, created and set up on the same buffers once, before the timed loop.
void bm_xnnpack(benchmark::State &state, ProblemData &data) {
    const std::unique_ptr<stridetune::peers::Peer> peer = stridetune::peers::make_xnnpack_peer();
    const std::string why = peer->unsupported_reason(data.d);
    if (!why.empty()) {
        state.SkipWithError(("unsupported: " + why).c_str());
        return;
    }
    try {
        peer->prepare(data.d, data.input.data(), data.filter.data(), data.bias.data(), data.residual.data(),
                      data.output.data(), stridetune::num_threads());
    } catch (const std::exception &e) {
        state.SkipWithError((std::string("prepare failed: ") + e.what()).c_str());
        return;
    }
    const std::string error = data.check([&] { peer->run(); });
    if (!error.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    for (auto _ : state) peer->run();
    const std::string details = peer->details();
    finish(state, data, details.substr(0, details.find(';')));
}
#endif

template<typename Fn>
void add(const std::string &name, Fn fn, ProblemData &data) {
    benchmark::RegisterBenchmark(name.c_str(), [fn, &data](benchmark::State &state) { fn(state, data); })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    for (int i = 1; i < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) {
            const int threads = std::atoi(argv[++i]);
            if (threads < 1) {
                std::fprintf(stderr, "stridetune_operator_overhead: --threads %s: expected a positive number\n",
                             argv[i]);
                return 2;
            }
            stridetune::set_num_threads(threads);  // before anything is created: XNNPACK takes the same count
        } else {
            std::fprintf(stderr, "stridetune_operator_overhead: unknown argument %s\n"
                                 "usage: stridetune_operator_overhead [--threads N] [Google Benchmark flags]\n",
                         arg.c_str());
            return 2;
        }
    }

    static std::vector<std::unique_ptr<ProblemData>> data;
    try {
        for (const char *problem : problems) data.push_back(std::make_unique<ProblemData>(problem));
    } catch (const stridetune::Error &e) {
        std::fprintf(stderr, "stridetune_operator_overhead: %s\n", e.what());
        return 2;
    }
    for (const std::unique_ptr<ProblemData> &p : data) {
        add(p->text + "/run", bm_run, *p);
        add(p->text + "/convolve", bm_convolve, *p);
#ifdef STRIDETUNE_HAVE_XNNPACK
        add(p->text + "/xnnpack", bm_xnnpack, *p);
#endif
    }
    benchmark::AddCustomContext("threads", std::to_string(stridetune::num_threads()));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
