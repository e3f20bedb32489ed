// The environment variables, which the library reads once, at first use: this
// executable is registered with ctest several times, each with its own
// ENVIRONMENT (tests/CMakeLists.txt), and each test runs in a fresh process.
// A test whose variable is not set skips.
//   STRIDETUNE_MAX_ISA=sse41|avx2|avx512 caps the default level (anything else is ignored)
//   STRIDETUNE_VERBOSE=1 logs one line per call on stderr
//   STRIDETUNE_NUM_THREADS=n sets the worker threads
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "halide_target.h"
#include "problem_data.h"
#include "schedule_isa.h"
#include "stridetune.h"

namespace stridetune_test {
namespace {

using stridetune::Isa;

// The level STRIDETUNE_MAX_ISA should give: its level if it names one
// (capped by the CPU), else (unknown value) the CPU's level.
Isa expected_level(const std::string &value) {
    for (Isa isa : every_isa()) {
        if (value == isa_name(isa)) return std::min(isa, stridetune::detected_isa());
    }
    return stridetune::detected_isa();
}

TEST(EnvMaxIsa, CapsTheDefaultLevel) {
    const char *value = env_value("STRIDETUNE_MAX_ISA");
    if (!value) GTEST_SKIP() << "STRIDETUNE_MAX_ISA is not set";
    const Isa expected = expected_level(value);

    // Before anything else touches the library: the first use reads the variable.
    testing::internal::CaptureStderr();
    const Isa level = stridetune::max_isa();
    const std::string warning = testing::internal::GetCapturedStderr();
    EXPECT_EQ(level, expected) << "STRIDETUNE_MAX_ISA=" << value;
    bool known = false;
    for (Isa isa : every_isa()) known = known || value == isa_name(isa);
    if (!known) {
        EXPECT_THAT(warning, testing::HasSubstr("STRIDETUNE_MAX_ISA")) << "an unknown value is reported";
    }

    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    const stridetune::Plan plan =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_EQ(plan.isa, expected);
    EXPECT_TRUE(target_is_for(plan.target, expected)) << "kernel " << plan.kernel;
    EXPECT_TRUE(matches_reference(output.view, d.reference));

    // set_max_isa() overrides the variable for later calls.
    stridetune::set_max_isa(Isa::sse41);
    TestBuffer output2 = d.fresh_output();
    const stridetune::Plan capped =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output2.view, d.problem.params);
    EXPECT_EQ(capped.isa, Isa::sse41);
    EXPECT_TRUE(target_is_for(capped.target, Isa::sse41));
}

TEST(EnvVerbose, PrintsOneLinePerCallWithTheKernel) {
    const char *value = env_value("STRIDETUNE_VERBOSE");
    if (!value || std::string(value) == "0") GTEST_SKIP() << "STRIDETUNE_VERBOSE is not set";
    const ProblemData &d = small_problem_data();
    const std::vector<ScheduleIsa> calls{{stridetune::Schedule::gemm_whole, Isa::sse41},
                                         {stridetune::Schedule::direct_channels, stridetune::detected_isa()}};
    testing::internal::CaptureStderr();
    for (const ScheduleIsa &k : calls) {
        TestBuffer output = d.fresh_output();
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params, {k.schedule, k.isa});
    }
    const std::string log = testing::internal::GetCapturedStderr();
    std::vector<std::string> lines;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), calls.size()) << log;
    for (size_t i = 0; i < calls.size(); i++) EXPECT_THAT(lines[i], testing::HasSubstr(kernel_name(calls[i])));
}

TEST(EnvVerbose, SilentWhenUnset) {
    if (env_value("STRIDETUNE_VERBOSE")) GTEST_SKIP() << "STRIDETUNE_VERBOSE is set";
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    stridetune::max_isa();  // reads STRIDETUNE_MAX_ISA first: an unknown value's one warning is not a call's log
    testing::internal::CaptureStderr();
    stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(EnvNumThreads, SetsTheWorkerThreads) {
    const char *value = env_value("STRIDETUNE_NUM_THREADS");
    if (!value) GTEST_SKIP() << "STRIDETUNE_NUM_THREADS is not set";
    EXPECT_EQ(stridetune::num_threads(), std::atoi(value));
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_TRUE(matches_reference(output.view, d.reference));
    EXPECT_EQ(stridetune::num_threads(), std::atoi(value));
}

}  // namespace
}  // namespace stridetune_test
