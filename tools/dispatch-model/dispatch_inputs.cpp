// stridetune-dispatch-inputs: what the dispatcher knows of each problem, for
// fitting and checking its model against benchmark runs
// (tools/dispatch-model/evaluate.py): per problem and thread count, the
// dispatcher's untuned pick and, for every built-in kernel at the CPU's ISA
// level, whether it can run the problem and the model's terms for it.
// One JSON object a line.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kernel_table.h"
#include "selection.h"
#include "stridetune/descriptor.h"
#include "stridetune/error.h"
#include "stridetune/parameters.h"
#include "tile_fit.h"

namespace {

using nlohmann::json;

json kernel_terms(const stridetune::detail::Problem &problem, const stridetune::Options &options,
                  stridetune::Isa isa, int threads) {
    using namespace stridetune::detail;
    json terms;
    try {
        const Selection s = select_kernel(problem, options);
        const stridetune::Parameters parameters = stridetune::Parameters::parse(s.kernel->parameters);
        terms["fits"] = true;
        terms["parallel"] = s.parallel;
        terms["bands"] = bool(s.bands);
        // The register-tile model covers the channel-lane tiles of the direct strategy.
        if (s.kernel->generator == "direct" && parameters.get("lanes") == "channels") {
            const TileFit fit = tile_fit(Problem::of(s.kernel_problem), parameters, isa, s.parallel ? threads : 1);
            terms["cycles"] = fit.cycles;
            terms["computed"] = fit.computed;
        }
    } catch (const stridetune::Error &e) {
        terms["fits"] = false;
        terms["refusal"] = e.what();
    }
    return terms;
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"Prints the dispatcher's inputs and untuned pick for each problem of benchdnn shapes files."};
    std::vector<std::string> shapes;
    std::vector<int> thread_counts{1, 2};
    int minibatch = 1;
    app.add_option("--shapes", shapes, "benchdnn shapes file (repeatable)")->required()->check(CLI::ExistingFile);
    app.add_option("--threads", thread_counts, "thread counts (default 1 2)")->check(CLI::PositiveNumber);
    app.add_option("--mb", minibatch, "minibatch of every problem; 0 keeps each file's (default 1)")
        ->check(CLI::NonNegativeNumber);
    CLI11_PARSE(app, argc, argv);
    using namespace stridetune::detail;
    try {
        const stridetune::Isa isa = stridetune::max_isa();
        for (const std::string &path : shapes) {
            for (const stridetune::DescriptorLine &line : stridetune::read_descriptor_file(path, true)) {
                stridetune::ConvDescriptor d = line.descriptor;
                if (d.groups != 1) continue;  // runs its kernel once a group: not one call's terms
                if (minibatch > 0) d.mb = minibatch;
                const Problem problem = validate_problem(Problem::of(d));
                for (const int threads : thread_counts) {
                    stridetune::set_num_threads(threads);
                    stridetune::Options untuned;
                    untuned.ignore_tuning = true;
                    const Selection pick = select_kernel(problem, untuned);
                    json row{{"problem", stridetune::to_string(d)},
                             {"threads", threads},
                             {"isa", std::string(stridetune::to_string(isa))},
                             {"pick", pick.kernel->variant},
                             {"reason", pick.reason}};
                    for (const stridetune::Schedule s : stridetune::all_schedules) {
                        stridetune::Options forced = untuned;
                        forced.schedule = s;
                        row["kernels"][std::string(stridetune::to_string(s))] =
                            kernel_terms(problem, forced, isa, threads);
                    }
                    std::cout << row.dump() << "\n";
                }
            }
        }
    } catch (const stridetune::Error &e) {
        std::fprintf(stderr, "stridetune-dispatch-inputs: %s\n", e.what());
        return 1;
    }
    return 0;
}
