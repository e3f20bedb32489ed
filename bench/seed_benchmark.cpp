// The main job: the numpy answer's problem (64x221x221x3 input, 4x4x3x5
// filter, stride 2) through every schedule and through the dispatcher's
// pick, at the CPU's best ISA level, and through the peer libraries. Prints
// Google Benchmark's rows, then a table of medians.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "estimate_variants.h"
#include "machine_peak.h"
#include "peer.h"
#include "stridetune.h"

namespace {

struct SeedProblem {
    std::array<int64_t, 4> in_dims{64, 221, 221, 3}, filter_dims{4, 4, 3, 5}, out_dims{64, 109, 109, 5};
    stridetune::ConvParams params{2, 2};
    std::vector<float> input, filter, output;

    SeedProblem() {
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> dist(-1.f, 1.f);
        input.resize(64 * 221 * 221 * 3);
        filter.resize(4 * 4 * 3 * 5);
        output.resize(64 * 109 * 109 * 5);
        for (float &v : input) v = dist(rng);
        for (float &v : filter) v = dist(rng);
    }
    double flops() const { return 2.0 * 64 * 109 * 109 * 5 * 4 * 4 * 3; }
    double bytes() const { return double(input.size() + filter.size() + output.size()) * sizeof(float); }
    // Created once, as an application creates a layer: the timed loop only runs it.
    stridetune::Convolution create(const stridetune::Options &options) const {
        return stridetune::Convolution(in_dims, stridetune::dense<const float>(filter.data(), filter_dims), params,
                                       options);
    }
    void run(const stridetune::Convolution &convolution) {
        convolution.run(stridetune::dense<const float>(input.data(), in_dims),
                        stridetune::dense(output.data(), out_dims));
    }
};

// Collects the median rows for the summary table.
class MedianTable : public benchmark::ConsoleReporter {
public:
    struct Row {
        double ms, gflops;
        std::string label;
    };
    std::map<std::string, Row> rows;

    void ReportRuns(const std::vector<Run> &runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run &run : runs) {
            if (run.aggregate_name != "median" && run.repetitions > 1) continue;
            const std::string name = run.run_name.function_name;
            rows[name] = {run.GetAdjustedRealTime(), run.counters.at("FLOP/s").value * 1e-9, run.report_label};
        }
    }

    // Rows in `order` (benchmarks may run interleaved, in random order).
    void print_summary(const std::vector<std::string> &order, const std::string &baseline,
                       double peak_gflops) const {
        std::printf("| kernel | ISA, function | median ms | GFLOP/s | %% of FMA peak | speed-up vs %s |\n"
                    "|---|---|---:|---:|---:|---:|\n",
                    baseline.c_str());
        const double base_ms = rows.count(baseline) ? rows.at(baseline).ms : 0;
        for (const std::string &name : order) {
            if (!rows.count(name)) continue;  // filtered out
            const Row &r = rows.at(name);
            std::printf("| %s | %s | %.2f | %.1f | %.0f%% | %.2fx |\n", name.c_str(), r.label.c_str(), r.ms, r.gflops,
                        100 * r.gflops / peak_gflops, base_ms > 0 ? base_ms / r.ms : 0.0);
        }
    }
};

void run_kernel(benchmark::State &state, SeedProblem &problem, const stridetune::Options &options) {
    const stridetune::Convolution convolution = problem.create(options);
    const stridetune::Plan &plan = convolution.plan();
    problem.run(convolution);  // warm-up: first-touch pages, thread pool start
    for (auto _ : state) problem.run(convolution);
    state.counters["FLOP/s"] = benchmark::Counter(problem.flops(), benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(stridetune::to_string(plan.isa)) + " " + plan.kernel);
}

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    }
    return "unknown CPU";
}

}  // namespace

// --markdown: Google Benchmark's rows go to stderr, and stdout gets only the
// summary table (tools/update-doc-section.py puts it in README.md).
int main(int argc, char **argv) {
    bool markdown = false;
    for (int i = 1; i < argc; i++) {
        if (std::string(argv[i]) == "--markdown") {
            markdown = true;
            std::copy(argv + i + 1, argv + argc, argv + i);
            argc--;
            break;
        }
    }
    benchmark::Initialize(&argc, argv);
    static SeedProblem problem;
    std::vector<std::string> names;
    for (stridetune::Schedule s : stridetune::all_schedules) {
        names.emplace_back(stridetune::to_string(s));
        benchmark::RegisterBenchmark(names.back().c_str(),
                                     [s](benchmark::State &state) { run_kernel(state, problem, {s, {}}); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    names.emplace_back("dispatcher");
    benchmark::RegisterBenchmark("dispatcher", [](benchmark::State &state) { run_kernel(state, problem, {}); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    const stridetune::ConvDescriptor peer_problem =
        stridetune::peers::make_problem(64, 221, 221, 3, 5, 4, 4, problem.params);
    // Halide's autoschedulers planning for this problem (bench-only kernels).
    for (const stridetune_bench::EstimateVariant &v : stridetune_bench::estimate_variants(peer_problem)) {
        names.push_back(v.label);
        stridetune::Options options;
        options.variant = v.variant;
        benchmark::RegisterBenchmark(names.back().c_str(),
                                     [options](benchmark::State &state) { run_kernel(state, problem, options); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    // The peers (bench/peers, each checked by stridetune_peer_check), with
    // the same thread count, on the same data.
    static std::vector<std::unique_ptr<stridetune::peers::Peer>> peers = stridetune::peers::available_peers();
    for (auto &peer : peers) {
        if (!peer->unsupported_reason(peer_problem).empty()) continue;
        peer->prepare(peer_problem, problem.input.data(), problem.filter.data(), /*bias=*/nullptr,
                      /*residual=*/nullptr, problem.output.data(), stridetune::num_threads());
        names.push_back(peer->name());
        benchmark::RegisterBenchmark(names.back().c_str(), [p = peer.get()](benchmark::State &state) {
            p->run();  // warm-up
            for (auto _ : state) p->run();
            state.counters["FLOP/s"] =
                benchmark::Counter(problem.flops(), benchmark::Counter::kIsIterationInvariantRate);
            state.SetLabel(p->details().substr(0, p->details().find(';')));
        })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    if (!std::getenv("OPENBLAS_CORETYPE") || !std::getenv("OMP_WAIT_POLICY")) {
        std::fprintf(stderr, "stridetune_seed: run it through tools/peer-env (tools/run-main-job.sh does), "
                             "which sets OPENBLAS_CORETYPE and OMP_WAIT_POLICY for fair peers\n");
    }
    const stridetune_bench::MachinePeak peak = stridetune_bench::measure_machine_peak(stridetune::num_threads());
    MedianTable table;
    if (markdown) table.SetOutputStream(&std::cerr);
    benchmark::RunSpecifiedBenchmarks(&table);
    std::printf("%sThe numpy answer's problem (64x221x221x3 input, 4x4x3x5 filter, stride 2) on %s, %d threads; "
                "median of Google Benchmark's repetitions. Measured in the same run: FMA peak %.0f GFLOP/s on "
                "1 thread, %.0f on %d; memory read bandwidth %.1f GB/s, at which moving the input and the output once "
                "takes %.2f ms.\n\n",
                markdown ? "" : "\n", cpu_model().c_str(), stridetune::num_threads(), peak.gflops_one_thread,
                peak.gflops_at_threads, peak.threads, peak.read_gbytes_per_s,
                problem.bytes() / peak.read_gbytes_per_s * 1e-6);
    table.print_summary(names, "adams2019", peak.gflops_at_threads);
    benchmark::Shutdown();
}
