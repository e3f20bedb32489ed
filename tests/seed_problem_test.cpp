// The seed problem, the numpy answer's: a batch of 64 images of 221x221x3,
// a 4x4x3x5 filter, stride 2 -> 64x109x109x5. Every schedule at the CPU's best
// ISA level, and the dispatcher's own pick, against the naive reference,
// computed once per process (it takes about half a second; the kernels a few ms).
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "forced_convolution.h"
#include "problem_data.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

// Built once per process, shared by every test of this file.
const ProblemData &seed_data() {
    static const ProblemData data = make_problem_data(seed_problem(), 221);
    return data;
}

class SeedProblem : public testing::TestWithParam<stridetune::Schedule> {
protected:
    static void SetUpTestSuite() { seed_data(); }  // the reference's seconds, outside any one test's time
    const ProblemData *data = &seed_data();
};

TEST_P(SeedProblem, MatchesReferenceAtBestIsa) {
    ASSERT_EQ(data->problem.output_dims(), (Dims{64, 109, 109, 5})) << "the formula of the reference";
    const ScheduleIsa kernel{GetParam(), stridetune::detected_isa()};
    TestBuffer output = data->fresh_output();
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
    const ProblemData *data = &seed_data();
    TestBuffer output = data->fresh_output();
    const stridetune::Plan plan =
        stridetune::convolve(data->input.cview(), data->filter.cview(), output.view, data->problem.params);
    EXPECT_TRUE(is_hand_schedule(plan.schedule)) << "picked " << schedule_name(plan.schedule) << ": " << plan.reason;
    EXPECT_EQ(plan.isa, stridetune::max_isa());
    EXPECT_TRUE(matches_reference(output.view, data->reference));
}

}  // namespace
}  // namespace stridetune_test
