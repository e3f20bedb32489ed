// Dispatch: which kernel a call runs. Forcing a level (Options::max_isa or
// set_max_isa) runs that level's object, as its own Halide metadata shows;
// the dispatcher picks a hand schedule for the seed problem; verbose mode
// logs each call; thread settings; concurrent calls. (The environment
// variables, read once per process, are tested in dispatch_env_test.cpp.)
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "forced_convolution.h"
#include "halide_target.h"
#include "problem_data.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

using stridetune::Isa;
using stridetune::Schedule;
using testing::AnyOf;
using testing::HasSubstr;
using testing::Not;

// The seed problem's data, no reference: every kernel (the autoscheduled
// baselines too, tuned for this size) runs it.
const ProblemData &seed_data() {
    static const ProblemData data = make_problem_data(seed_problem(), 42, /*with_reference=*/false);
    return data;
}

std::vector<Isa> cpu_isas() {
    std::vector<Isa> isas;
    for (Isa isa : every_isa()) {
        if (cpu_supports(isa)) isas.push_back(isa);
    }
    return isas;
}

// Restores the global ISA cap when a test that changes it ends.
struct MaxIsaRestorer {
    ~MaxIsaRestorer() { stridetune::set_max_isa(stridetune::detected_isa()); }
};


// --- Options::schedule and Options::max_isa: every kernel object.

class ForcedKernel : public testing::TestWithParam<ScheduleIsa> {};

TEST_P(ForcedKernel, RunsThatLevelsObject) {
    const ScheduleIsa k = GetParam();
    if (!cpu_supports(k.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(k.isa);
    if (is_depthwise_schedule(k.schedule)) GTEST_SKIP() << "runs depthwise problems: groups_test.cpp";
    const ProblemData &d = seed_data();
    TestBuffer output = d.fresh_output();
    stridetune::Options options;
    options.schedule = k.schedule;
    options.max_isa = k.isa;

    const stridetune::Plan planned =
        stridetune::plan(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
    EXPECT_EQ(output.touched_anywhere(), 0) << "plan() wrote the output";
    stridetune::Plan ran;
    ASSERT_NO_THROW(ran = stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params,
                                               options));
    EXPECT_TRUE(target_is_for(ran.target, k.isa)) << "kernel " << ran.kernel;
    EXPECT_EQ(ran.schedule, k.schedule);
    EXPECT_EQ(ran.isa, k.isa);
    EXPECT_EQ(ran.kernel, kernel_name(k));
    EXPECT_EQ(ran.reason, "requested");
    EXPECT_FALSE(ran.parameters.empty() && is_hand_schedule(k.schedule)) << "a hand schedule lists its parameters";
    // plan() describes the very kernel convolve() ran.
    EXPECT_EQ(planned.kernel, ran.kernel);
    EXPECT_EQ(planned.target, ran.target);
    EXPECT_EQ(planned.parameters, ran.parameters);
    EXPECT_EQ(planned.schedule, ran.schedule);
    EXPECT_EQ(planned.isa, ran.isa);
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, ForcedKernel, testing::ValuesIn(every_schedule_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

// --- The dispatcher's own pick, capped per call or globally.

class IsaCap : public testing::TestWithParam<Isa> {};

TEST_P(IsaCap, OptionsMaxIsaRunsThatLevel) {
    const Isa isa = GetParam();
    if (!cpu_supports(isa)) GTEST_SKIP() << "CPU lacks " << isa_name(isa);
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    stridetune::Options options;
    options.max_isa = isa;
    const stridetune::Plan plan =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
    EXPECT_EQ(plan.isa, isa);
    EXPECT_TRUE(target_is_for(plan.target, isa)) << "kernel " << plan.kernel;
    EXPECT_EQ(plan.kernel, kernel_name({plan.schedule, isa}));
    EXPECT_TRUE(matches_reference(output.view, d.reference));
}

TEST_P(IsaCap, SetMaxIsaRunsThatLevel) {
    const Isa isa = GetParam();
    if (!cpu_supports(isa)) GTEST_SKIP() << "CPU lacks " << isa_name(isa);
    MaxIsaRestorer restore;
    stridetune::set_max_isa(isa);
    EXPECT_EQ(stridetune::max_isa(), isa);
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    const stridetune::Plan plan =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_EQ(plan.isa, isa);
    EXPECT_TRUE(target_is_for(plan.target, isa)) << "kernel " << plan.kernel;
    EXPECT_TRUE(matches_reference(output.view, d.reference));

    // A forced schedule without max_isa also obeys the global cap.
    stridetune::Options options;
    options.schedule = Schedule::gemm_tile;
    TestBuffer output2 = d.fresh_output();
    const stridetune::Plan forced =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output2.view, d.problem.params, options);
    EXPECT_EQ(forced.isa, isa);
    EXPECT_EQ(forced.schedule, Schedule::gemm_tile);
    EXPECT_TRUE(target_is_for(forced.target, isa));
}

// The dispatcher runs the seed problem with a hand schedule, never an
// autoscheduled baseline, at every level.
TEST_P(IsaCap, SeedProblemGetsAHandSchedule) {
    const Isa isa = GetParam();
    if (!cpu_supports(isa)) GTEST_SKIP() << "CPU lacks " << isa_name(isa);
    const ProblemData &d = seed_data();
    TestBuffer output = d.fresh_output();
    stridetune::Options options;
    options.max_isa = isa;
    const stridetune::Plan plan =
        stridetune::plan(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
    EXPECT_TRUE(is_hand_schedule(plan.schedule)) << "picked " << schedule_name(plan.schedule) << ": " << plan.reason;
    EXPECT_EQ(plan.isa, isa);
    EXPECT_FALSE(plan.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, IsaCap, testing::ValuesIn(every_isa()),
                         [](const testing::TestParamInfo<Isa> &info) { return isa_name(info.param); });

// Untuned, the dispatcher takes the register tile that fits the output (of
// padded problems: unpadded ones read in place). At AVX-512 a 12x12 output
// of 32 channels splits exactly into tiles of 4x3 pixels by two vectors,
// where 7x2 tiles compute 14x12 and flat 7-pixel tiles 147 pixels of 144. A
// 5x5 output of 207 channels: flat tiles of 7 pixels by 3 vectors compute
// 28 pixels by 240 channels, 20 tiles of max(21 FMAs, 10 loads) / 2 + 2 =
// 12.5 cycles a reduction step (250), where the 5x5 tile of one vector
// computes 25 by 208, 13 tiles of 22.5 cycles, its 25 pixel addresses
// reloaded (292), and the flat tile of two vectors 28 by 224, 28 tiles of 9
// cycles (252). One thread, so that no parallel balance enters.
stridetune::Plan untuned_plan(const char *descriptor, Isa isa) {
    const stridetune::ConvDescriptor problem = stridetune::parse_descriptor(descriptor);
    const std::vector<float> filter(size_t(problem.kh * problem.kw * problem.ic * problem.oc), 1.0f);
    stridetune::Options options;
    options.max_isa = isa;
    options.parallel = false;
    // The compiled-in tuning applies on the CPU it was made on.
    options.ignore_tuning = true;
    const stridetune::Convolution conv(
        problem, stridetune::dense(filter.data(), {problem.kh, problem.kw, problem.ic, problem.oc}), options);
    return conv.plan();
}

std::string untuned_pick(const char *descriptor) {
    const stridetune::Plan plan = untuned_plan(descriptor, Isa::avx512);
    EXPECT_THAT(plan.reason, HasSubstr("fits best"));
    return std::string(schedule_name(plan.schedule));
}

TEST(Dispatch, UntunedPicksTheTileThatFitsTheOutput) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    // 4x3 pixels compute it exactly, the flat 7-pixel tile 147 of its 144
    // pixels (the two ran level in the tuner: 9.1-9.3 against 9.4 us, 1
    // thread, AMD Zen 5); 7x2 pixels would compute 14x12.
    EXPECT_THAT(untuned_pick("mb1ic19ih12oc32oh12kh3ph1"), AnyOf("direct_three_rows", "direct_flat"));
    EXPECT_EQ(untuned_pick("mb1ic64ih5oc207oh5kh3ph1"), "direct_flat_three_vectors");
}

// A first layer's few input channels to output channels that fit one
// vector (16 lanes at AVX-512) are not the first layers' two-vector tiles'
// (half their lanes idle) but one-vector tiles' and those that fit as well.
TEST(Dispatch, FirstLayersToOneVectorOfChannelsGoToTheOneVectorFamily) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    for (const char *problem : {"mb1ic3ih20oc16kh3ph1", "mb1ic4ih14oc12kh3sh2ph1", "mb1ic1ih9oc16kh5ph2dh1"}) {
        EXPECT_THAT(untuned_plan(problem, Isa::avx512).reason, HasSubstr("output channels fit one vector")) << problem;
    }
    EXPECT_THAT(untuned_plan("mb1ic3ih20oc17kh3ph1", Isa::avx512).reason, HasSubstr("3 input channels"));
}

// A flat tile finds each pixel's row and column by a division (tile_fit.cpp):
// where a 1x1 filter's reduction is 16 steps, 2-D tiles that fit the output
// as well run faster.
TEST(Dispatch, ShortReductionsTakeTwoDimensionalTilesOverFlatOnes) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    for (const char *problem : {"mb1ic16ih10oc16oh12kh1ph1", "mb1ic16ih16oc16oh18kh1ph1", "mb1ic8ih22oc16oh24kh1ph1"}) {
        EXPECT_THAT(untuned_pick(problem), Not(HasSubstr("flat"))) << problem;
    }
}

// Five output channels of 32-pixel rows fill the lanes better as pixels
// (AVX2 and AVX-512); the tile reads the planar rows with strided loads at
// a stride compiled as a constant (stridetune/kernel_geometry.h). At stride
// 3 their column phases would be staged again: unpadded, the input is read
// in place instead; padded, at AVX-512, where 74-pixel rows in tiles of 5
// channels fill 92% of the lanes and 5 channels 31%, the phases are staged.
TEST(Dispatch, FewOutputChannelsStageColumnPhasesOnlyAtARuntimeStride) {
    const Isa isa = stridetune::detected_isa();
    if (isa == Isa::sse41) GTEST_SKIP() << "five output channels fill an SSE4.1 vector";
    const stridetune::Plan at_stride_2 = untuned_plan("mb1ic3ih67oc5kh4sh2", isa);
    EXPECT_EQ(at_stride_2.schedule, Schedule::direct_pixels);
    EXPECT_THAT(at_stride_2.reason, HasSubstr("stride 2 compiled as a constant"));
    EXPECT_THAT(untuned_plan("mb1ic3ih97oc5kh4sh3", isa).reason, HasSubstr("reads the input in place"));
    if (!cpu_supports(Isa::avx512)) return;
    EXPECT_EQ(untuned_plan("mb1ic3ih221oc5kh4sh3ph1", Isa::avx512).schedule, Schedule::direct_pixels_staged_phases);
}

// A pixel-lane tile runs output channels in passes of 5: K = 6 takes two,
// 60% of their channels. Over 8-pixel rows (50% of an AVX-512 vector) that
// is 30% of the lanes, where channel lanes fill 37%; over 16-pixel rows 60%.
TEST(Dispatch, PixelLanesCountTheirChannelPasses) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    const stridetune::Plan eight = untuned_plan("mb1ic8ih16oc6kh3sh2ph1", Isa::avx512);
    EXPECT_NE(eight.schedule, Schedule::direct_pixels) << eight.reason;
    EXPECT_EQ(untuned_plan("mb1ic8ih32oc6kh3sh2ph1", Isa::avx512).schedule, Schedule::direct_pixels);
}

// A padded first layer of 3 channels stages its image once at AVX-512: to
// 48 output channels in blocks of three vectors, which fill all their 48
// lanes where blocks of two fill 48 of 64; to 32, in blocks of two.
TEST(Dispatch, FirstLayersTakeBlocksOfThreeVectorsWhereTheyFillTheLanesBetter) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    const stridetune::Plan to_48 = untuned_plan("mb1ic3ih64oc48kh5sh2ph2", Isa::avx512);
    EXPECT_EQ(to_48.schedule, Schedule::direct_flat_three_vectors);
    EXPECT_THAT(to_48.reason,
                HasSubstr("3 input channels; blocks of three vectors fill 100% of their lanes, of two 75%"));
    const Schedule to_32 = untuned_plan("mb1ic3ih64oc32kh5sh2ph2", Isa::avx512).schedule;
    EXPECT_THAT(to_32, AnyOf(Schedule::direct_staged_image, Schedule::direct_three_rows));
}

// An unpadded 1x1 layer of stride 2 reads its input in place. Its 14-pixel
// rows split into two row tiles of 7 pixels at AVX-512, exactly; at AVX2,
// whose tiles hold 6 pixels (tile_shape.h), into three, 18 pixels a row
// (1.29x the output), where flat tiles of 6 run along the 196 pixels and
// compute 198 (1.01x). A 28-pixel row takes 5 tiles of 6, 30 pixels
// (1.07x): too little waste to leave the row tiles.
TEST(Dispatch, InPlaceRowTilesThatWastePixelsGiveWayToFlatTiles) {
    const char *fourteen = "mb1ic64ih28oc64oh14kh1sh2", *twenty_eight = "mb1ic64ih56oc64oh28kh1sh2";
    if (!cpu_supports(Isa::avx2)) GTEST_SKIP() << "CPU lacks avx2";
    const stridetune::Plan at_avx2 = untuned_plan(fourteen, Isa::avx2);
    EXPECT_EQ(at_avx2.schedule, Schedule::direct_in_place_channel_blocks);
    EXPECT_THAT(at_avx2.reason, HasSubstr("row tiles compute 1.29 outputs an output asked, flat tiles 1.01"));
    EXPECT_EQ(untuned_plan(twenty_eight, Isa::avx2).schedule, Schedule::direct_in_place);
    if (cpu_supports(Isa::avx512)) {
        EXPECT_EQ(untuned_plan(fourteen, Isa::avx512).schedule, Schedule::direct_in_place);
        EXPECT_EQ(untuned_plan(twenty_eight, Isa::avx512).schedule, Schedule::direct_in_place);
    }
}

// Unpadded outputs narrower than every in-place row tile. Five pixels of 12
// output channels, a 3-tap filter of 48 channels: one pixel a tile runs 5
// tiles of 4 vectors, 48 of their 64 lanes idle; one vector over the
// flattened pixels runs one tile of 8 pixels, its staging's cost a call
// besides (tile_fit.cpp). A classifier's one pixel to 1000 channels fills
// the one-pixel tile's vectors, and 8 channels of one pixel from 64 are too
// little work to pay for the staging.
TEST(Dispatch, NarrowOutputsOfFewChannelsRunOneVectorOverTheirPixels) {
    if (!cpu_supports(Isa::avx512)) GTEST_SKIP() << "CPU lacks avx512";
    EXPECT_EQ(untuned_plan("mb1ic48ih1iw9oc12oh1kh1kw3dw1", Isa::avx512).schedule, Schedule::direct_flat_one_vector);
    EXPECT_EQ(untuned_plan("mb1ic1024ih1oc1000kh1", Isa::avx512).schedule, Schedule::direct_in_place_one_pixel);
    EXPECT_EQ(untuned_plan("mb1ic64ih1oc8kh1", Isa::avx512).schedule, Schedule::direct_in_place_one_pixel);
}

TEST(Dispatch, DefaultRunsAtTheDetectedLevel) {
    if (env_value("STRIDETUNE_MAX_ISA")) GTEST_SKIP() << "STRIDETUNE_MAX_ISA is set";
    EXPECT_EQ(stridetune::max_isa(), stridetune::detected_isa());
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    const stridetune::Plan plan =
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_EQ(plan.isa, stridetune::detected_isa());
    EXPECT_TRUE(target_is_for(plan.target, stridetune::detected_isa()));
    EXPECT_TRUE(matches_reference(output.view, d.reference));
}

TEST(Dispatch, SchedulesAndLevelsHaveTheirNames) {
    for (Schedule s : stridetune::all_schedules) {
        EXPECT_EQ(stridetune::to_string(s), schedule_name(s));
        EXPECT_EQ(stridetune::parse_schedule(schedule_name(s)), s);
    }
    for (Isa isa : every_isa()) {
        EXPECT_EQ(stridetune::to_string(isa), isa_name(isa));
        EXPECT_EQ(stridetune::parse_isa(isa_name(isa)), isa);
    }
    EXPECT_EQ(stridetune::parse_schedule("direct"), std::nullopt);
    EXPECT_EQ(stridetune::parse_isa("avx"), std::nullopt);
    EXPECT_EQ(std::size(stridetune::all_schedules), 25u);
}

TEST(Dispatch, AnUnknownOrEmptyVariantIsAnErrorSayingSo) {
    const ProblemData &d = small_problem_data();
    TestBuffer output = d.fresh_output();
    const auto message = [&](const std::string &variant) -> std::string {
        stridetune::Options options;
        options.variant = variant;
        try {
            stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
        } catch (const stridetune::Error &e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_THAT(message(""), HasSubstr("options.variant is empty"));
    EXPECT_THAT(message("no_such_kernel"), HasSubstr("no kernel variant no_such_kernel is built"));
    EXPECT_EQ(output.touched_anywhere(), 0);
}

// --- Verbose mode: one line on stderr per call, naming its kernel.

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(Verbose, SetVerbosePrintsOneLinePerCallWithTheKernel) {
    const ProblemData &d = small_problem_data();
    const std::vector<ScheduleIsa> calls{{Schedule::direct_channels, Isa::sse41},
                                         {Schedule::gemm_tile_pixels, stridetune::detected_isa()},
                                         {Schedule::direct_pixels, stridetune::detected_isa()}};
    stridetune::set_verbose(true);
    testing::internal::CaptureStderr();
    for (const ScheduleIsa &k : calls) {
        TestBuffer output = d.fresh_output();
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params,
                             {k.schedule, k.isa});
    }
    const std::string log = testing::internal::GetCapturedStderr();
    stridetune::set_verbose(false);

    const std::vector<std::string> lines = lines_of(log);
    ASSERT_EQ(lines.size(), calls.size()) << log;
    for (size_t i = 0; i < calls.size(); i++) EXPECT_THAT(lines[i], HasSubstr(kernel_name(calls[i])));

    testing::internal::CaptureStderr();
    TestBuffer output = d.fresh_output();
    stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "set_verbose(false) silences the log";
}

// --- Threads.

TEST(Threads, SetNumThreadsRejectsLessThanOne) {
    const int before = stridetune::num_threads();
    for (int bad : {0, -1, -64}) {
        try {
            stridetune::set_num_threads(bad);
            ADD_FAILURE() << "set_num_threads(" << bad << ") did not throw";
        } catch (const stridetune::Error &e) {
            EXPECT_THAT(e.what(), HasSubstr("threads"));
        }
    }
    EXPECT_EQ(stridetune::num_threads(), before);
}

TEST(Threads, OneThreadComputesTheSameResult) {
    const int before = stridetune::num_threads();
    stridetune::set_num_threads(1);
    EXPECT_EQ(stridetune::num_threads(), 1);
    const ProblemData &d = small_problem_data();
    for (Schedule s : {Schedule::direct_channels, Schedule::direct_pixels, Schedule::gemm_whole}) {
        TestBuffer output = d.fresh_output();
        EXPECT_TRUE(forced_convolution_matches(d.input.cview(), d.filter.cview(), output.view, d.problem.params,
                                               d.reference, {s, stridetune::detected_isa()}));
    }
    stridetune::set_num_threads(before);
    EXPECT_EQ(stridetune::num_threads(), before);
}

// Options::parallel puts the kernel's loop on the workers or on the calling
// thread, and either way it computes the reference's answer. Without it, a
// problem of a few FLOP runs on the calling thread: no pool's handoff is
// repaid by it.
TEST(Threads, OptionsParallelDecidesWhereTheKernelRuns) {
    const ProblemData &d = small_problem_data();
    for (const bool parallel : {false, true}) {
        stridetune::Options options;
        options.parallel = parallel;
        TestBuffer output = d.fresh_output();
        EXPECT_EQ(stridetune::plan(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options).parallel,
                  parallel);
        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params, options);
        EXPECT_TRUE(matches_reference(output.view, d.reference)) << "parallel " << parallel;
    }
    const stridetune::ConvDescriptor one_fma = stridetune::parse_descriptor("mb1ic1ih1iw1oc1kh1kw1");
    const std::vector<float> one(1, 1.0f);
    EXPECT_FALSE(stridetune::Convolution(one_fma, stridetune::dense<const float>(one.data(), one_fma.filter_dims()))
                     .plan()
                     .parallel);
}

// Several threads calling at once, each with its own problems and kernels,
// all get the reference's answer.
TEST(Threads, ConcurrentCallsAreCorrect) {
    std::vector<ProblemData> problems;
    std::mt19937 rng(99);
    for (int i = 0; i < 6; i++) {
        ConvProblem p;
        p.n = 1 + i % 3;
        p.h = 17 + 3 * i;
        p.w = 29 - 2 * i;
        p.c = 1 + 2 * i;
        p.k = 3 + 5 * i;
        p.fh = 1 + i % 4;
        p.fw = 2 + i % 3;
        p.params.stride_h = 1 + i % 3;
        p.params.stride_w = 1 + (i + 1) % 3;
        p.params.pad_top = p.params.pad_right = i % 2;
        problems.push_back(make_problem_data(p, rng));
    }
    const std::vector<Isa> isas = cpu_isas();
    const std::vector<Schedule> schedules{Schedule::direct_channels, Schedule::direct_pixels, Schedule::gemm_tile,
                                          Schedule::gemm_tile_pixels, Schedule::gemm_whole};
    constexpr int thread_count = 4, calls_per_thread = 24;

    std::mutex mutex;
    std::vector<std::string> failures;
    std::atomic<int> calls{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; t++) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < calls_per_thread; i++) {
                const ProblemData &d = problems[size_t(t + i) % problems.size()];
                TestBuffer output = d.fresh_output();
                testing::AssertionResult ok = testing::AssertionSuccess();
                if (i % 4 == 3) {  // the dispatcher's pick
                    try {
                        stridetune::convolve(d.input.cview(), d.filter.cview(), output.view, d.problem.params);
                        ok = matches_reference(output.view, d.reference);
                    } catch (const std::exception &e) {
                        ok = testing::AssertionFailure() << "convolve threw: " << e.what();
                    }
                } else {
                    const ScheduleIsa k{schedules[size_t(3 * t + i) % schedules.size()], isas[size_t(i) % isas.size()]};
                    ok = forced_convolution_matches(d.input.cview(), d.filter.cview(), output.view, d.problem.params,
                                                    d.reference, k);
                }
                calls++;
                if (!ok) {
                    std::lock_guard<std::mutex> lock(mutex);
                    failures.push_back("thread " + std::to_string(t) + " call " + std::to_string(i) + ", " +
                                       d.problem.describe() + ": " + ok.message());
                }
            }
        });
    }
    for (std::thread &t : threads) t.join();
    EXPECT_EQ(calls.load(), thread_count * calls_per_thread);
    EXPECT_TRUE(failures.empty()) << failures.size() << " calls failed; the first: " << failures.front();
}

}  // namespace
}  // namespace stridetune_test
