// Grouped convolutions through the operator: seeded random problems in 2-6
// groups, depthwise ones (a channel each group) and channel multipliers
// among them, on dense tensors and on random strided views, run by the
// dispatcher's pick and by kernels that take other paths (flattened pixels,
// gathered taps, in place), each against the independent reference run
// with the same groups (reference.cpp). The filter of a group is
// [FH][FW][C/g][K] (descriptor.h).
#include <cstdint>
#include <optional>
#include <random>
#include <utility>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "guarded_tensor.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"
#include "thrown_message.h"

namespace stridetune_test {
namespace {

using stridetune::ConvDescriptor;
using stridetune::Convolution;
using stridetune::Schedule;

struct GroupedProblem {
    ConvProblem shape;  // c and k: every group's together
    int64_t groups;

    ConvDescriptor descriptor() const { return shape.descriptor(groups); }
    Dims filter_dims() const { return {shape.fh, shape.fw, shape.c / groups, shape.k}; }
    std::string describe() const { return std::to_string(groups) + " groups: " + shape.describe(); }
};

// A random problem's geometry, with 2-6 groups of 1-6 input and 1-6 output
// channels each; a third depthwise (one input channel a group), with a
// channel multiplier of 1-3.
GroupedProblem draw_grouped(std::mt19937 &rng) {
    GroupedProblem p{draw_problem(rng), uniform(rng, 2, 6)};
    const bool depthwise = uniform(rng, 0, 2) == 0;
    p.shape.c = p.groups * (depthwise ? 1 : uniform(rng, 1, 6));
    p.shape.k = p.groups * (depthwise ? uniform(rng, 1, 3) : uniform(rng, 1, 6));
    return p;
}

// A depthwise problem of 2-70 channels (vector tails at every ISA) in a
// random problem's geometry.
GroupedProblem draw_depthwise(std::mt19937 &rng) {
    GroupedProblem p{draw_problem(rng), uniform(rng, 2, 70)};
    p.shape.c = p.shape.k = p.groups;
    return p;
}

bool forced_depthwise(const stridetune::Options &options) {
    return options.schedule && is_depthwise_schedule(*options.schedule);
}

// The depthwise kernel's tile is two vectors of channels, its last block
// shifted inwards: it runs every depthwise problem of at least two AVX-512
// vectors of channels, and refuses fewer channels than its block (which
// then run a group at a time).
constexpr int64_t depthwise_block_at_every_isa = 32;

bool runs_whole(const GroupedProblem &p) {
    return p.descriptor().depthwise() && p.shape.k >= depthwise_block_at_every_isa;
}

// Runs `p` through an operator with `options` on the given views (the output
// full of the sentinel) and compares with the reference. A forced kernel
// that refuses the problem at creation ("cannot run") passes, but for a
// depthwise kernel given a depthwise problem: the sweeps check which kernel
// may refuse what.
testing::AssertionResult runs_like_reference(const GroupedProblem &p, const stridetune::ConstTensor &input,
                                             const stridetune::ConstTensor &filter, const stridetune::Tensor &output,
                                             const stridetune::Options &options) {
    std::optional<Convolution> conv;
    try {
        conv.emplace(p.descriptor(), filter, options);
    } catch (const stridetune::Error &e) {
        const bool runs_it = forced_depthwise(options) && runs_whole(p);
        if (options.schedule && !runs_it && std::string(e.what()).find("cannot run") != std::string::npos) {
            return testing::AssertionSuccess();
        }
        return testing::AssertionFailure() << "creation threw: " << e.what();
    }
    if (conv->plan().reason.find(std::to_string(p.groups) + " groups") == std::string::npos) {
        return testing::AssertionFailure() << "the plan's reason does not name the groups: " << conv->plan().reason;
    }
    try {
        conv->run(input, output);
    } catch (const stridetune::Error &e) {
        return testing::AssertionFailure() << "run threw: " << e.what();
    }
    return matches_reference(output, reference_convolution(input, filter, p.shape.params, p.groups));
}

constexpr int problem_count = 60;

TEST(Groups, MatchTheReferenceOnDenseTensors) {
    std::mt19937 rng(20261207);
    const std::vector<std::optional<Schedule>> schedules = {std::nullopt, Schedule::direct_flat,
                                                            Schedule::direct_in_place, Schedule::gemm_tile,
                                                            Schedule::direct_depthwise};
    for (int i = 0; i < problem_count; i++) {
        const GroupedProblem p = draw_grouped(rng);
        TestBuffer input = dense_buffer(p.shape.input_dims()), filter = dense_buffer(p.filter_dims());
        fill_random(input.view, rng);
        fill_random(filter.view, rng);
        for (const std::optional<Schedule> &schedule : schedules) {
            SCOPED_TRACE("problem #" + std::to_string(i) + ", " + p.describe() + ", schedule " +
                         (schedule ? schedule_name(*schedule) : std::string("the dispatcher's")));
            stridetune::Options options;
            options.schedule = schedule;
            TestBuffer output = dense_buffer(p.shape.output_dims());
            EXPECT_TRUE(runs_like_reference(p, input.cview(), filter.cview(), output.view, options));
        }
    }
}

TEST(Groups, MatchTheReferenceOnStridedViews) {
    std::mt19937 rng(7122026);
    for (int i = 0; i < problem_count; i++) {
        const GroupedProblem p = draw_grouped(rng);
        SCOPED_TRACE("problem #" + std::to_string(i) + ", " + p.describe());
        TestBuffer input = random_view(p.shape.input_dims(), true, rng);
        TestBuffer filter = random_view(p.filter_dims(), true, rng);
        TestBuffer output = random_view(p.shape.output_dims(), false, rng);
        fill_random(input.view, rng);
        fill_random(filter.view, rng);
        EXPECT_TRUE(runs_like_reference(p, input.cview(), filter.cview(), output.view, {}));
        EXPECT_EQ(output.touched_outside_view(), 0);
    }
}

// Depthwise problems run whole on the depthwise kernel where it takes them
// (the dispatcher's pick at every ISA level the CPU has), a group at a time
// where they have fewer channels than its block, on dense tensors and on
// strided views.
TEST(Depthwise, MatchesTheReferenceInOneCall) {
    std::mt19937 rng(1207);
    for (int i = 0; i < problem_count; i++) {
        const GroupedProblem p = draw_depthwise(rng);
        const bool dense = i % 2 == 0;
        TestBuffer input = dense ? dense_buffer(p.shape.input_dims()) : random_view(p.shape.input_dims(), true, rng);
        TestBuffer filter = dense ? dense_buffer(p.filter_dims()) : random_view(p.filter_dims(), true, rng);
        fill_random(input.view, rng);
        fill_random(filter.view, rng);
        for (const stridetune::Isa isa : every_isa()) {
            if (!cpu_supports(isa)) continue;
            SCOPED_TRACE("problem #" + std::to_string(i) + ", " + p.describe() + ", " + isa_name(isa) +
                         (dense ? "" : ", strided views"));
            stridetune::Options options;
            options.max_isa = isa;
            TestBuffer output = dense ? dense_buffer(p.shape.output_dims())
                                      : random_view(p.shape.output_dims(), false, rng);
            EXPECT_TRUE(runs_like_reference(p, input.cview(), filter.cview(), output.view, options));
            if (runs_whole(p)) {
                EXPECT_EQ(Convolution(p.descriptor(), filter.cview(), options).plan().schedule,
                          Schedule::direct_depthwise);
            }
            EXPECT_EQ(output.touched_outside_view(), 0);
        }
    }
}

// The depthwise kernel's last block of channels shifts inwards over the
// one before: against guard pages before and after dense tensors, no call
// reads or writes past them, at every ISA level, with as many channels as
// a block, between blocks, and fewer than a block.
TEST(Depthwise, NoCallReachesPastItsTensors) {
    std::mt19937 rng(2026);
    for (const int64_t channels : {2, 17, 32, 40, 71}) {
        GroupedProblem p{draw_problem(rng), channels};
        p.shape.c = p.shape.k = channels;
        TestBuffer values_in = dense_buffer(p.shape.input_dims()), values_f = dense_buffer(p.filter_dims());
        fill_random(values_in.view, rng);
        fill_random(values_f.view, rng);
        const ReferenceOutput reference =
            reference_convolution(values_in.cview(), values_f.cview(), p.shape.params, p.groups);
        for (const Guard guard : {Guard::after, Guard::before}) {
            GuardedTensor input({nullptr, p.shape.input_dims(), dense_strides_of(p.shape.input_dims())}, guard);
            GuardedTensor filter({nullptr, p.filter_dims(), dense_strides_of(p.filter_dims())}, guard);
            GuardedTensor output({nullptr, p.shape.output_dims(), dense_strides_of(p.shape.output_dims())}, guard);
            input.fill_from(values_in.cview());
            filter.fill_from(values_f.cview());
            input.make_read_only();
            filter.make_read_only();
            for (const stridetune::Isa isa : every_isa()) {
                if (!cpu_supports(isa)) continue;
                SCOPED_TRACE(p.describe() + ", " + guard_name(guard) + ", " + isa_name(isa));
                stridetune::Options options;
                options.max_isa = isa;
                const Convolution conv(p.descriptor(), filter.cview(), options);
                if (runs_whole(p)) EXPECT_EQ(conv.plan().schedule, Schedule::direct_depthwise);
                conv.run(input.cview(), output.view());
                EXPECT_TRUE(matches_reference(output.view(), reference));
            }
        }
    }
}

// A depthwise kernel named for a problem that is not depthwise: an Error
// saying what the kernel needs.
TEST(Depthwise, TheKernelRefusesOtherProblems) {
    stridetune::Options options;
    options.schedule = Schedule::direct_depthwise;
    for (const char *descriptor : {"mb1ic8ih9oc8kh3ph1", "g4mb1ic8ih9oc8kh3ph1", "g8mb1ic8ih9oc16kh3ph1"}) {
        const ConvDescriptor d = stridetune::parse_descriptor(descriptor);
        TestBuffer filter = dense_buffer(d.filter_dims());
        bool threw = false;
        const std::string message = thrown_message([&] { Convolution c(d, filter.cview(), options); }, threw);
        EXPECT_TRUE(threw) << descriptor;
        EXPECT_THAT(message, testing::HasSubstr("a depthwise problem (g = C = K > 1)")) << descriptor;
    }
}

// The one-shot calls and the constructor from input dims count the groups
// from the filter's input channels (C/g): they run grouped problems as the
// operator does, and their plans say how the groups run.
TEST(Groups, OneShotCallsCountTheGroupsFromTheFilter) {
    std::mt19937 rng(3011);
    for (int i = 0; i < problem_count / 3; i++) {
        const GroupedProblem p = draw_grouped(rng);
        SCOPED_TRACE("problem #" + std::to_string(i) + ", " + p.describe());
        TestBuffer input = dense_buffer(p.shape.input_dims()), filter = dense_buffer(p.filter_dims());
        TestBuffer output = dense_buffer(p.shape.output_dims());
        fill_random(input.view, rng);
        fill_random(filter.view, rng);
        const std::string groups = std::to_string(p.groups) + " groups";
        const stridetune::Plan planned = stridetune::plan(input.cview(), filter.cview(), output.view, p.shape.params);
        EXPECT_THAT(planned.reason, testing::HasSubstr(groups));
        EXPECT_THAT(Convolution(p.shape.input_dims(), filter.cview(), p.shape.params).plan().reason,
                    testing::HasSubstr(groups));
        const stridetune::Plan ran = stridetune::convolve(input.cview(), filter.cview(), output.view, p.shape.params);
        EXPECT_EQ(ran.kernel, planned.kernel);
        EXPECT_TRUE(matches_reference(output.view,
                                      reference_convolution(input.cview(), filter.cview(), p.shape.params, p.groups)));
    }
}

// A one-shot filter whose input channels do not divide the input's, or
// whose output channels do not divide into the groups that makes: an Error
// naming the filter's dimension, nothing written.
TEST(Groups, OneShotFiltersOfChannelsThatDoNotDivideAreRejected) {
    ConvProblem shape;
    shape.n = 1, shape.h = shape.w = 7, shape.c = 8, shape.k = 6, shape.fh = shape.fw = 3;
    std::mt19937 rng(5);
    TestBuffer input = dense_buffer(shape.input_dims()), output = dense_buffer(shape.output_dims());
    fill_random(input.view, rng);
    // 3 input channels do not divide 8; 2 make 4 groups, which 6 output channels do not fill evenly.
    const std::pair<int64_t, const char *> cases[] = {{3, "filter dims[2]"}, {2, "filter dims[3]"}};
    for (const auto &[group_channels, named] : cases) {
        TestBuffer filter = dense_buffer({shape.fh, shape.fw, group_channels, shape.k});
        fill_random(filter.view, rng);
        bool threw = false;
        const std::string message = thrown_message(
            [&] { stridetune::convolve(input.cview(), filter.cview(), output.view, shape.params); }, threw);
        EXPECT_TRUE(threw) << group_channels;
        EXPECT_THAT(message, testing::HasSubstr(named));
        EXPECT_EQ(output.touched_anywhere(), 0);
    }
}

// A filter of the problem's C input channels instead of C/g, or an output
// of one group's channels: an Error naming the tensor, nothing written.
TEST(Groups, TensorsOfOneGroupsOrOfEveryChannelAreRejected) {
    GroupedProblem p{ConvProblem{}, 4};
    p.shape.n = 2, p.shape.h = p.shape.w = 9, p.shape.c = 8, p.shape.k = 12, p.shape.fh = p.shape.fw = 3;
    std::mt19937 rng(4);
    TestBuffer every_channel = dense_buffer(p.shape.filter_dims());
    fill_random(every_channel.view, rng);
    bool threw = false;
    std::string message = thrown_message([&] { Convolution c(p.descriptor(), every_channel.cview()); }, threw);
    EXPECT_TRUE(threw);
    EXPECT_THAT(message, testing::HasSubstr("filter"));

    TestBuffer filter = dense_buffer(p.filter_dims()), input = dense_buffer(p.shape.input_dims());
    fill_random(filter.view, rng);
    fill_random(input.view, rng);
    const Convolution conv(p.descriptor(), filter.cview());
    Dims one_group = p.shape.output_dims();
    one_group[3] /= p.groups;
    TestBuffer output = dense_buffer(one_group);
    message = thrown_message([&] { conv.run(input.cview(), output.view); }, threw);
    EXPECT_TRUE(threw);
    EXPECT_THAT(message, testing::HasSubstr("output"));
    EXPECT_EQ(output.touched_anywhere(), 0);
}

}  // namespace
}  // namespace stridetune_test
