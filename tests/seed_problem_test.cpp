// The seed problem, the numpy answer's: a batch of 64 images of 221x221x3,
// a 4x4x3x5 filter, stride 2 -> 64x109x109x5. Every schedule at the CPU's best
// ISA level, and the dispatcher's own pick, against the naive reference,
// computed once for the suite (it takes a few seconds).
#include <random>

#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "forced_convolution.h"
#include "random_fill.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

ConvProblem seed_problem() {
    ConvProblem p;
    p.n = 64;
    p.h = p.w = 221;
    p.c = 3;
    p.k = 5;
    p.fh = p.fw = 4;
    p.params.stride_h = p.params.stride_w = 2;
    return p;
}

struct SeedData {
    ConvProblem problem = seed_problem();
    TestBuffer input, filter;
    ReferenceOutput reference;
};

// Built once per process, shared by every test of this file.
const SeedData &seed_data() {
    static const SeedData data = [] {
        SeedData d;
        std::mt19937 rng(221);
        d.input = dense_buffer(d.problem.input_dims());
        d.filter = dense_buffer(d.problem.filter_dims());
        fill_random(d.input.view, rng);
        fill_random(d.filter.view, rng);
        d.reference = reference_convolution(d.input.cview(), d.filter.cview(), d.problem.params);
        return d;
    }();
    return data;
}

class SeedProblem : public testing::TestWithParam<stridetune::Schedule> {
protected:
    static void SetUpTestSuite() { seed_data(); }  // the reference's seconds, outside any one test's time
    const SeedData *data = &seed_data();
};

TEST_P(SeedProblem, MatchesReferenceAtBestIsa) {
    ASSERT_EQ(data->problem.output_dims(), (Dims{64, 109, 109, 5})) << "the formula of the reference";
    const ScheduleIsa kernel{GetParam(), stridetune::detected_isa()};
    TestBuffer output = dense_buffer(data->problem.output_dims());
    EXPECT_TRUE(forced_convolution_matches(data->input.cview(), data->filter.cview(), output.view,
                                           data->problem.params, data->reference, kernel))
        << test_name(kernel) << ": " << data->problem.describe();
}

INSTANTIATE_TEST_SUITE_P(EverySchedule, SeedProblem, testing::ValuesIn(stridetune::all_schedules),
                         [](const testing::TestParamInfo<stridetune::Schedule> &info) {
                             return schedule_name(info.param);
                         });

// No Options: the dispatcher picks a hand schedule (not an autoscheduled
// baseline) at the best level, and its result is right.
TEST(SeedProblemDispatch, DispatcherPickMatchesReference) {
    const SeedData *data = &seed_data();
    TestBuffer output = dense_buffer(data->problem.output_dims());
    const stridetune::Plan plan =
        stridetune::convolve(data->input.cview(), data->filter.cview(), output.view, data->problem.params);
    EXPECT_TRUE(is_hand_schedule(plan.schedule)) << "picked " << schedule_name(plan.schedule) << ": " << plan.reason;
    EXPECT_EQ(plan.isa, stridetune::max_isa());
    EXPECT_TRUE(matches_reference(output.view, data->reference));
}

}  // namespace
}  // namespace stridetune_test
