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
#include "random_fill.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

constexpr int problem_count = 500;
constexpr uint32_t sweep_seed = 20240611;

int64_t uniform(std::mt19937 &rng, int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

// N 1-4, H and W 1-40, C 1-24, K 1-40, FH and FW 1-7, strides 1-4, each pad
// 0-3, dilations 1-3; a draw whose effective input is empty is drawn again.
ConvProblem draw_problem(std::mt19937 &rng) {
    for (;;) {
        ConvProblem p;
        p.n = uniform(rng, 1, 4);
        p.h = uniform(rng, 1, 40);
        p.w = uniform(rng, 1, 40);
        p.c = uniform(rng, 1, 24);
        p.k = uniform(rng, 1, 40);
        p.fh = uniform(rng, 1, 7);
        p.fw = uniform(rng, 1, 7);
        p.params.stride_h = int(uniform(rng, 1, 4));
        p.params.stride_w = int(uniform(rng, 1, 4));
        p.params.pad_top = int(uniform(rng, 0, 3));
        p.params.pad_left = int(uniform(rng, 0, 3));
        p.params.pad_bottom = int(uniform(rng, 0, 3));
        p.params.pad_right = int(uniform(rng, 0, 3));
        p.params.dilation_h = int(uniform(rng, 1, 3));
        p.params.dilation_w = int(uniform(rng, 1, 3));
        if (!p.empty_output()) return p;
    }
}

struct SweepCase {
    ConvProblem problem;
    TestBuffer input, filter;
    ReferenceOutput reference;
};

// Built once per process: the same problems, data and references for every kernel.
const std::vector<SweepCase> &sweep_cases() {
    static const std::vector<SweepCase> cases = [] {
        std::mt19937 rng(sweep_seed);
        std::vector<SweepCase> all;
        all.reserve(problem_count);
        for (int i = 0; i < problem_count; i++) {
            SweepCase sc;
            sc.problem = draw_problem(rng);
            sc.input = dense_buffer(sc.problem.input_dims());
            sc.filter = dense_buffer(sc.problem.filter_dims());
            fill_random(sc.input.view, rng);
            fill_random(sc.filter.view, rng);
            sc.reference = reference_convolution(sc.input.cview(), sc.filter.cview(), sc.problem.params);
            all.push_back(std::move(sc));
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
    const std::vector<SweepCase> &cases = sweep_cases();
    for (size_t i = 0; i < cases.size(); i++) {
        const SweepCase &sc = cases[i];
        TestBuffer output = dense_buffer(sc.problem.output_dims());  // sentinel: an unwritten element fails
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

INSTANTIATE_TEST_SUITE_P(EveryKernel, RandomSweep, testing::ValuesIn(every_schedule_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

}  // namespace
}  // namespace stridetune_test
