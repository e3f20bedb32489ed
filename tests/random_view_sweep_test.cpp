// Randomised sweep of non-contiguous views: 150 seeded problems whose input,
// filter and output are random strided views (gaps after any dimension,
// channel strides 2-3 for input and filter, negative strides, offsets) of
// larger buffers, through every schedule at every ISA level. Besides the
// values: nothing outside the output view is written, input and filter are
// not modified.
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conv_problem.h"
#include "forced_convolution.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

constexpr int problem_count = 150;
constexpr uint32_t view_seed = 4111;

struct ViewCase {
    ConvProblem problem;
    TestBuffer input, filter, output_layout;  // output_layout: the layout each run copies
    ReferenceOutput reference;

    std::string describe() const {
        std::ostringstream s;
        s << problem.describe() << "; strides input " << dims_string(input.view.strides) << " filter "
          << dims_string(filter.view.strides) << " output " << dims_string(output_layout.view.strides);
        return s.str();
    }
};

const std::vector<ViewCase> &view_cases() {
    static const std::vector<ViewCase> cases = [] {
        std::mt19937 rng(view_seed);
        std::vector<ViewCase> all;
        for (int i = 0; i < problem_count; i++) {
            ViewCase vc;
            vc.problem = draw_problem(rng);
            vc.input = random_view(vc.problem.input_dims(), true, rng);
            vc.filter = random_view(vc.problem.filter_dims(), true, rng);
            vc.output_layout = random_view(vc.problem.output_dims(), false, rng);
            fill_random(vc.input.view, rng);
            fill_random(vc.filter.view, rng);
            vc.reference = reference_convolution(vc.input.cview(), vc.filter.cview(), vc.problem.params);
            all.push_back(std::move(vc));
        }
        return all;
    }();
    return cases;
}

// A fresh copy of the case's output layout, all sentinel.
TestBuffer fresh_output(const ViewCase &vc) {
    TestBuffer b;
    b.storage = vc.output_layout.storage;
    b.view = {b.storage.data() + (vc.output_layout.view.data - vc.output_layout.storage.data()),
              vc.output_layout.view.dims, vc.output_layout.view.strides};
    return b;
}

class RandomViewSweep : public testing::TestWithParam<ScheduleIsa> {};

TEST_P(RandomViewSweep, MatchesReferenceAndWritesOnlyTheOutputView) {
    const ScheduleIsa kernel = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);

    constexpr int max_reported = 10;
    int failed = 0;
    const std::vector<ViewCase> &cases = view_cases();
    for (size_t i = 0; i < cases.size(); i++) {
        const ViewCase &vc = cases[i];
        const std::vector<float> input_before = vc.input.storage, filter_before = vc.filter.storage;
        TestBuffer output = fresh_output(vc);
        testing::AssertionResult result = forced_convolution_matches(vc.input.cview(), vc.filter.cview(),
                                                                     output.view, vc.problem.params, vc.reference,
                                                                     kernel);
        if (result && output.touched_outside_view() != 0) {
            result = testing::AssertionFailure()
                     << output.touched_outside_view() << " elements outside the output view were written";
        }
        if (result && (vc.input.storage != input_before || vc.filter.storage != filter_before)) {
            result = testing::AssertionFailure() << "the input or the filter was modified";
        }
        if (!result) {
            if (failed < max_reported) {
                ADD_FAILURE() << test_name(kernel) << ", problem #" << i << " (seed " << view_seed
                              << "): " << vc.describe() << "\n"
                              << result.message();
            }
            failed++;
        }
    }
    EXPECT_EQ(failed, 0) << failed << " of " << cases.size() << " problems failed for " << test_name(kernel)
                         << " (the first " << max_reported << " are printed above)";
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, RandomViewSweep, testing::ValuesIn(every_kernel_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

}  // namespace
}  // namespace stridetune_test
