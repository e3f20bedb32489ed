// Randomised sweep: 500 seeded problems (dense tensors) through every
// schedule at every ISA level the CPU has, each against the naive reference.
// One test per schedule x ISA, so a failure names the kernel; every failing
// problem is printed in full so that it can be reproduced.
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "conv_problem.h"
#include "forced_convolution.h"
#include "problem_data.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

constexpr int problem_count = 500;
constexpr uint32_t sweep_seed = 20240611;

// Built once per process: the same problems, data and references for every kernel.
const std::vector<ProblemData> &sweep_cases() {
    static const std::vector<ProblemData> cases = [] {
        std::mt19937 rng(sweep_seed);
        std::vector<ProblemData> all;
        all.reserve(problem_count);
        for (int i = 0; i < problem_count; i++) {
            const ConvProblem problem = draw_problem(rng);
            all.push_back(make_problem_data(problem, rng));
        }
        return all;
    }();
    return cases;
}

class RandomSweep : public testing::TestWithParam<ScheduleIsa> {};

TEST_P(RandomSweep, MatchesReference) {
    const ScheduleIsa kernel = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);

    constexpr int max_reported = 10;
    int failed = 0;
    const std::vector<ProblemData> &cases = sweep_cases();
    for (size_t i = 0; i < cases.size(); i++) {
        const ProblemData &sc = cases[i];
        TestBuffer output = sc.fresh_output();  // sentinel: an unwritten element fails
        const testing::AssertionResult result = forced_convolution_matches(
            sc.input.cview(), sc.filter.cview(), output.view, sc.problem.params, sc.reference, kernel);
        if (!result) {
            if (failed < max_reported) {
                ADD_FAILURE() << test_name(kernel) << ", problem #" << i << " (seed " << sweep_seed
                              << "): " << sc.problem.describe() << "\n"
                              << result.message();
            }
            failed++;
        }
    }
    EXPECT_EQ(failed, 0) << failed << " of " << cases.size() << " problems failed for " << test_name(kernel)
                         << " (the first " << max_reported << " are printed above)";
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, RandomSweep, testing::ValuesIn(every_kernel_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

}  // namespace
}  // namespace stridetune_test
