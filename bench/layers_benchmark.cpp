// Every competitor on real network layers, in one binary and one run:
// stridetune's hand schedules (at the CPU's best ISA level, or every level
// with --every-isa), its dispatcher, the autoscheduled baselines where they
// accept the problem, Halide's autoschedulers planning for the problem
// itself where the build has such a kernel (bench/autoscheduled_shapes.cmake),
// and the peer libraries. Each competitor's output is checked against the
// naive reference (first image) before it is timed.
//
// stridetune is timed on the peers' terms: each stridetune:<schedule> row,
// the dispatcher's row and each estimate-variant row times run() of a
// stridetune::Convolution created (kernel chosen, filter packed) once, outside
// the timed loop, as oneDNN's primitive reorders its weights once and
// XNNPACK's operator packs them at creation. The stridetune:convolve row
// times the one-shot stridetune::convolve() (default options: the
// dispatcher's pick), which chooses and packs on every call. On a tuned
// problem, the stridetune:untuned row times the dispatcher's own pick
// (Options::ignore_tuning).
//
// A problem with post-ops (descriptor.h's +bias+sum:S+relu:A+clip:LO:HI,
// e.g. bench/shapes/resnet_50_post_ops.txt) runs them fused: stridetune's
// operators take the bias at creation and the residual in run(); the peers
// fuse them as each can or refuse the problem (bench/peers/peer.h); the
// one-shot convolve() takes none, so it has no row. oneDNN's sum adds into
// its output in place: the residual is copied there before each run,
// outside the timed region (register_competitor says why).
//
// usage: stridetune_layers --shapes FILE [--shapes FILE ...] [--mb N]
//                          [--threads N] [--every-isa] [--grain] [Google Benchmark flags]
//   --mb N: minibatch for every problem (default 1; 0 keeps each file's own)
//   --threads N: threads for stridetune and every peer alike (default: every
//     core, or STRIDETUNE_NUM_THREADS)
//   --grain: also the dispatcher's kernel forced onto the calling thread
//     (grain:serial) and onto the worker threads (grain:parallel), which
//     the library's grain rule (runtime/src/selection.cpp) is measured by
// Grouped problems run through the operator and the one-shot call alike
// (which counts the groups from the filter).
// Run it through tools/peer-env, which sets the peers' environment
// (tools/run-benchmarks.sh does); bench/report.py turns --benchmark_out's
// JSON into docs/performance.md's tables and plot.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "estimate_variants.h"
#include "layer_data.h"
#include "machine_peak.h"
#include "peer.h"
#include "reference.h"
#include "stridetune.h"

namespace {

using stridetune::ConvDescriptor;
using stridetune_bench::LayerData;

// A competitor: prepare once (may refuse the problem), then run.
struct Competitor {
    std::string name, details;
    std::function<void()> run;
    // Work each run needs first that is no part of it (a peer's
    // before_run()): done before the check's run, and untimed before each
    // timed one. Empty for most.
    std::function<void()> before = {};
};

// The dispatcher's label says whether the problem is tuned (report.py's tuned table).
constexpr const char *tuned_label = " (tuned: ";
std::string plan_label(const stridetune::Plan &plan) {
    const bool tuned = plan.reason.rfind("tuned", 0) == 0;
    return plan.kernel + (tuned ? tuned_label + plan.variant + ")" : "");
}

std::vector<Competitor> stridetune_competitors(LayerData &data, bool every_isa, bool grain) {
    std::vector<Competitor> out;
    // The tensors every row runs on: data's buffers never move.
    const stridetune::ConstTensor input = stridetune::dense<const float>(data.input.data(), data.d.input_dims());
    const stridetune::ConstTensor filter = stridetune::dense<const float>(data.filter.data(), data.d.filter_dims());
    const stridetune::Tensor output = stridetune::dense(data.output.data(), data.d.output_dims());
    const stridetune::ConstVector bias{data.bias.data(), int64_t(data.bias.size())};
    const stridetune::ConstTensor residual = stridetune::dense<const float>(data.residual.data(), data.d.output_dims());
    const stridetune::PostOps &post_ops = data.d.post_ops;
    const auto skipped = [&](const std::string &name, const stridetune::Error &e) {
        std::fprintf(stderr, "%s: %s skipped: %s\n", stridetune::to_string(data.d).c_str(), name.c_str(), e.what());
    };
    // An operator created here, once, outside the timed loop; its row times
    // run() alone. The row's lambda, run after registration, holds it. The
    // bias goes to the constructor and the residual to run() only where the
    // post-ops have them: the operator refuses them otherwise.
    auto add = [&](const std::string &name, const stridetune::Options &options) {
        try {
            // Refusals (a kernel that cannot run the problem, autoscheduled tiles) surface here.
            const std::shared_ptr<const stridetune::Convolution> conv =
                post_ops.bias ? std::make_shared<stridetune::Convolution>(data.d, filter, bias, options)
                              : std::make_shared<stridetune::Convolution>(data.d, filter, options);
            std::function<void()> run = [conv, input, output] { conv->run(input, output); };
            if (post_ops.sum) run = [conv, input, output, residual] { conv->run(input, output, residual); };
            out.push_back({name, plan_label(conv->plan()), run});
        } catch (const stridetune::Error &e) {
            skipped(name, e);
        }
    };
    for (stridetune::Isa isa : {stridetune::Isa::sse41, stridetune::Isa::avx2, stridetune::Isa::avx512}) {
        if (isa > stridetune::detected_isa() || (!every_isa && isa != stridetune::detected_isa())) continue;
        for (stridetune::Schedule s : stridetune::all_schedules) {
            const std::string suffix = every_isa ? "@" + std::string(stridetune::to_string(isa)) : "";
            add("stridetune:" + std::string(stridetune::to_string(s)) + suffix, {s, isa});
        }
    }
    add("stridetune:dispatcher", {});
    // Where the problem is tuned, the dispatcher's own pick beside the tuned
    // one: what tuning gains, and how the untuned path does (report.py).
    if (!out.empty() && out.back().name == "stridetune:dispatcher" &&
        out.back().details.find(tuned_label) != std::string::npos) {
        stridetune::Options untuned;
        untuned.ignore_tuning = true;
        add("stridetune:untuned", untuned);
    }
    if (grain) {
        for (const bool parallel : {false, true}) {
            stridetune::Options options;
            options.parallel = parallel;
            add(parallel ? "grain:parallel" : "grain:serial", options);
        }
    }
    // The one-shot call with default options: what a caller that keeps no
    // operator pays (the kernel chosen and the filter packed on every call).
    // Not a "best stridetune kernel" candidate for report.py.
    try {
        if (post_ops.any()) throw stridetune::Error("the one-shot convolve() takes no post-ops");
        const stridetune::ConvParams params = data.d.params;
        const stridetune::Plan plan = stridetune::plan(input, filter, output, params);
        out.push_back({"stridetune:convolve", plan_label(plan),
                       [input, filter, output, params] { stridetune::convolve(input, filter, output, params); }});
    } catch (const stridetune::Error &e) {
        skipped("stridetune:convolve", e);
    }
    for (const stridetune_bench::EstimateVariant &v : stridetune_bench::estimate_variants(data.d)) {
        stridetune::Options options;
        options.variant = v.variant;
        add(v.label, options);
    }
    return out;
}

std::vector<Competitor> peer_competitors(LayerData &data, std::vector<std::unique_ptr<stridetune::peers::Peer>> &peers) {
    std::vector<Competitor> out;
    const ConvDescriptor &problem = data.d;
    for (auto &peer : peers) {
        const std::string why = peer->unsupported_reason(problem);
        if (!why.empty()) continue;
        try {
            peer->prepare(problem, data.input.data(), data.filter.data(), data.bias.data(), data.residual.data(),
                          data.output.data(), stridetune::num_threads());
        } catch (const std::exception &e) {  // a peer's std::runtime_error, oneDNN's dnnl::error
            std::fprintf(stderr, "%s: %s skipped: %s\n", stridetune::to_string(problem).c_str(), peer->name().c_str(),
                         e.what());
            continue;
        }
        stridetune::peers::Peer *p = peer.get();
        out.push_back({peer->name(), peer->details(), [p] { p->run(); }});
        if (p->needs_before_run()) out.back().before = [p] { p->before_run(); };
    }
    return out;
}

void register_competitor(LayerData &data, Competitor c) {
    const std::string name = stridetune::to_string(data.d) + "/" + c.name;
    benchmark::RegisterBenchmark(name.c_str(), [&data, c](benchmark::State &state) {
        std::fill(data.output.begin(), data.output.end(), std::nanf(""));
        try {
            if (c.before) c.before();
            c.run();
        } catch (const std::exception &e) {  // stridetune::Error, a peer's std::runtime_error
            state.SkipWithError((std::string("failed: ") + e.what()).c_str());
            return;
        }
        const std::string mismatch = stridetune_test::first_mismatch(data.output.data(), data.first_image);
        if (!mismatch.empty()) {
            state.SkipWithError(("wrong result: " + mismatch).c_str());
            return;
        }
        if (c.before) {
            // Untimed: oneDNN's copy of the residual into its output (its sum
            // adds in place), which in a network the residual's producer
            // makes unnecessary by writing there (bench/peers/onednn_peer.cpp).
            // Pausing costs the row a clock read or two an iteration, well
            // under a microsecond: a bias against the peer, never for stridetune.
            for (auto _ : state) {
                state.PauseTiming();
                c.before();
                state.ResumeTiming();
                c.run();
            }
        } else {
            for (auto _ : state) c.run();
        }
        state.counters["FLOP/s"] = benchmark::Counter(data.d.flops(), benchmark::Counter::kIsIterationInvariantRate);
        // For the report: the problem's work and the bytes it must move at least once.
        state.counters["flops"] = data.d.flops();
        state.counters["bytes"] = data.bytes();
        state.SetLabel(c.details);
    })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    std::vector<std::string> files;
    int64_t mb = 1;
    bool every_isa = false, grain = false;
    for (int i = 1; i < argc; i++) {
        const std::string arg = argv[i];
        if (arg == "--shapes" && i + 1 < argc) {
            files.push_back(argv[++i]);
        } else if (arg == "--mb" && i + 1 < argc) {
            mb = std::atoll(argv[++i]);
        } else if (arg == "--threads" && i + 1 < argc) {
            const int threads = std::atoi(argv[++i]);
            if (threads < 1) {
                std::fprintf(stderr, "stridetune_layers: --threads %s: expected a positive number\n", argv[i]);
                return 2;
            }
            stridetune::set_num_threads(threads);  // before the peers are prepared: they take the same count
        } else if (arg == "--every-isa") {
            every_isa = true;
        } else if (arg == "--grain") {
            grain = true;
        } else {
            std::fprintf(stderr, "stridetune_layers: unknown argument %s\n", arg.c_str());
            return 2;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: stridetune_layers --shapes FILE [--shapes FILE ...] [--mb N] [--threads N] "
                             "[--every-isa] [--grain]\n");
        return 2;
    }

    static std::vector<std::unique_ptr<LayerData>> layers;
    static std::vector<std::vector<std::unique_ptr<stridetune::peers::Peer>>> peers;
    for (const std::string &file : files) {
        try {
            for (const stridetune::DescriptorLine &line : stridetune::read_descriptor_file(file, true)) {
                ConvDescriptor d = line.descriptor;
                if (mb > 0) d.mb = mb;
                layers.push_back(std::make_unique<LayerData>(d));
                for (Competitor &c : stridetune_competitors(*layers.back(), every_isa, grain)) {
                    register_competitor(*layers.back(), std::move(c));
                }
                // One set of peers a problem: each holds the problem it was prepared for.
                peers.push_back(stridetune::peers::available_peers());
                for (Competitor &c : peer_competitors(*layers.back(), peers.back())) {
                    register_competitor(*layers.back(), std::move(c));
                }
            }
        } catch (const stridetune::Error &e) {
            std::fprintf(stderr, "stridetune_layers: %s\n", e.what());
            return 2;
        }
    }
    std::fprintf(stderr, "stridetune_layers: %zu problems\n", layers.size());

    const stridetune_bench::MachinePeak peak = stridetune_bench::measure_machine_peak(stridetune::num_threads());
    benchmark::AddCustomContext("threads", std::to_string(stridetune::num_threads()));
    // At the run's thread count: what its rows are a fraction of.
    benchmark::AddCustomContext("peak_gflops", std::to_string(peak.gflops_at_threads));
    benchmark::AddCustomContext("read_gbytes_per_s", std::to_string(peak.read_gbytes_per_s));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
