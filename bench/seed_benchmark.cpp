// The main job: the numpy answer's problem (64x221x221x3 input, 4x4x3x5
// filter, stride 2) through every schedule and through the dispatcher's
// pick, at the CPU's best ISA level. Prints Google Benchmark's rows, then a
// table of medians.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

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
    stridetune::Plan run(const stridetune::Options &options) {
        return stridetune::convolve(stridetune::dense<const float>(input.data(), in_dims),
                                    stridetune::dense<const float>(filter.data(), filter_dims),
                                    stridetune::dense(output.data(), out_dims), params, options);
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
    std::vector<std::string> order;

    void ReportRuns(const std::vector<Run> &runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run &run : runs) {
            if (run.aggregate_name != "median" && run.repetitions > 1) continue;
            const std::string name = run.run_name.function_name;
            if (!rows.count(name)) order.push_back(name);
            rows[name] = {run.GetAdjustedRealTime(), run.counters.at("GFLOP/s").value, run.report_label};
        }
    }

    void print_summary(const std::string &baseline) const {
        std::printf("\n| kernel | ISA | median ms | GFLOP/s | speed-up vs %s |\n|---|---|---:|---:|---:|\n",
                    baseline.c_str());
        const double base_ms = rows.count(baseline) ? rows.at(baseline).ms : 0;
        for (const std::string &name : order) {
            const Row &r = rows.at(name);
            std::printf("| %s | %s | %.2f | %.1f | %.2fx |\n", name.c_str(), r.label.c_str(), r.ms, r.gflops,
                        base_ms > 0 ? base_ms / r.ms : 0.0);
        }
    }
};

void run_kernel(benchmark::State &state, SeedProblem &problem, const stridetune::Options &options) {
    stridetune::Plan plan = problem.run(options);  // warm-up: first-touch pages, thread pool start
    for (auto _ : state) problem.run(options);
    state.counters["GFLOP/s"] = benchmark::Counter(problem.flops(), benchmark::Counter::kIsIterationInvariantRate);
    state.SetLabel(std::string(stridetune::to_string(plan.isa)) + " " + plan.kernel);
}

}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    static SeedProblem problem;
    for (stridetune::Schedule s : stridetune::all_schedules) {
        benchmark::RegisterBenchmark(std::string(stridetune::to_string(s)).c_str(),
                                     [s](benchmark::State &state) { run_kernel(state, problem, {s, {}}); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    benchmark::RegisterBenchmark("dispatcher", [](benchmark::State &state) { run_kernel(state, problem, {}); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    std::printf("threads: %d, ISA: %s\n", stridetune::num_threads(),
                std::string(stridetune::to_string(stridetune::max_isa())).c_str());
    MedianTable table;
    benchmark::RunSpecifiedBenchmarks(&table);
    table.print_summary("adams2019");
    benchmark::Shutdown();
}
