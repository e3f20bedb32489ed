// Fused post-ops (post_ops.h): a per-channel bias, a scaled residual (sum),
// a (leaky) ReLU and a clip, in that order, applied by the kernels as they
// store the output. Every result is checked against the independent
// reference convolution with apply_post_ops (reference.cpp), never against
// the library's own output:
//  - every compiled kernel variant at every ISA level this CPU runs, on small
//    problems it accepts (a depthwise one for the depthwise kernels), with
//    each combination of post-ops;
//  - residual and output as crops and strided views of larger tensors, a
//    pointwise, a grouped and a depthwise problem, run by the dispatcher's
//    pick and by every hand schedule;
//  - every bad bias, post-op value and residual: an Error naming the field,
//    the output untouched;
//  - a problem without post-ops through the bias-less constructor and
//    run(input, output).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"
#include "thrown_message.h"

namespace stridetune_test {
namespace {

using stridetune::ConstTensor;
using stridetune::ConstVector;
using stridetune::ConvDescriptor;
using stridetune::Convolution;
using stridetune::Isa;
using stridetune::PostOps;
using stridetune::Schedule;
using stridetune::Tensor;
using testing::HasSubstr;

constexpr float inf = std::numeric_limits<float>::infinity();
constexpr float nan = std::numeric_limits<float>::quiet_NaN();

// ---------------------------------------------------------------------------
// Problems, post-ops and their data.

// A problem's shape (c and k every group's channels) in `groups` groups.
struct PostOpsCase {
    std::string name;
    ConvProblem shape;
    int64_t groups = 1;

    Dims input_dims() const { return shape.input_dims(); }
    Dims filter_dims() const { return {shape.fh, shape.fw, shape.c / groups, shape.k}; }
    Dims output_dims() const { return shape.output_dims(); }
    bool depthwise() const { return groups > 1 && groups == shape.c && groups == shape.k; }
    // The library's descriptor: sizes from the tests' own output extents.
    ConvDescriptor descriptor(const PostOps &ops) const {
        ConvDescriptor d = shape.descriptor(groups);
        d.post_ops = ops;
        return d;
    }
    std::string describe() const {
        return name + " (" + std::to_string(groups) + (groups == 1 ? " group: " : " groups: ") + shape.describe() +
               ")";
    }
};

// An input of `input` dims, an f x f filter of k output channels, stride and
// all four pads as given.
PostOpsCase make_case(const std::string &name, const Dims &input, int64_t f, int64_t k, int stride, int pad,
                      int64_t groups = 1) {
    PostOpsCase c;
    c.name = name;
    c.shape.n = input[0];
    c.shape.h = input[1];
    c.shape.w = input[2];
    c.shape.c = input[3];
    c.shape.fh = c.shape.fw = f;
    c.shape.k = k;
    c.shape.params.stride_h = c.shape.params.stride_w = stride;
    c.shape.params.pad_top = c.shape.params.pad_left = c.shape.params.pad_bottom = c.shape.params.pad_right = pad;
    c.groups = groups;
    return c;
}

PostOps post_ops(bool bias, std::optional<float> sum, std::optional<float> relu,
                 std::optional<PostOps::Clip> clip) {
    PostOps p;
    p.bias = bias;
    p.sum = sum;
    p.relu = relu;
    p.clip = clip;
    return p;
}

struct NamedPostOps {
    std::string name;
    PostOps ops;
};

// The combinations every kernel runs. The clip of the last bounds both
// sides of the tests' values (a conv of R terms in [-1, 1)^2 is of the
// order of sqrt(R)/3).
const std::vector<NamedPostOps> &combinations() {
    static const std::vector<NamedPostOps> all = {
        {"bias", post_ops(true, {}, {}, {})},
        {"bias+relu:0", post_ops(true, {}, 0.0f, {})},
        {"bias+sum:0.5+relu:0.1", post_ops(true, 0.5f, 0.1f, {})},
        {"clip:0:6", post_ops(false, {}, {}, PostOps::Clip{0.0f, 6.0f})},
        {"bias+sum:0.5+relu:0.1+clip:-0.05:1", post_ops(true, 0.5f, 0.1f, PostOps::Clip{-0.05f, 1.0f})},
    };
    return all;
}

// A case with seeded random input, filter, bias (K values) and a dense
// residual of the output's dims, and the reference of the bare convolution.
struct CaseData {
    PostOpsCase problem;
    TestBuffer input, filter, residual;
    std::vector<float> bias;
    ReferenceOutput bare;

    ConstVector bias_vector() const { return {bias.data(), int64_t(bias.size())}; }
};

CaseData make_data(const PostOpsCase &c, uint32_t seed) {
    std::mt19937 rng(seed);
    CaseData d;
    d.problem = c;
    d.input = dense_buffer(c.input_dims());
    d.filter = dense_buffer(c.filter_dims());
    d.residual = dense_buffer(c.output_dims());
    fill_random(d.input.view, rng);
    fill_random(d.filter.view, rng);
    fill_random(d.residual.view, rng);
    d.bias.resize(size_t(c.shape.k));
    for (float &b : d.bias) b = random_value(rng);
    d.bare = reference_convolution(d.input.cview(), d.filter.cview(), c.shape.params, c.groups);
    return d;
}

// The reference of `d`'s convolution followed by `ops` on `residual`.
ReferenceOutput expected(const CaseData &d, const PostOps &ops, const ConstTensor &residual) {
    ReferenceOutput ref = d.bare;
    apply_post_ops(ops, d.bias.data(), &residual, ref);
    return ref;
}

// Copies the values of `from` into `to` (same dims, any strides).
void copy_values(const ConstTensor &from, const Tensor &to) {
    for_each_index(from.dims, [&](int64_t a, int64_t b, int64_t c, int64_t e) {
        element(to, a, b, c, e) = element(from, a, b, c, e);
    });
}

// ---------------------------------------------------------------------------
// Operators.

// The operator of `d`'s problem with `ops`: the bias constructor when ops has a bias.
Convolution create(const CaseData &d, const PostOps &ops, const stridetune::Options &options) {
    const ConvDescriptor descriptor = d.problem.descriptor(ops);
    if (ops.bias) return Convolution(descriptor, d.filter.cview(), d.bias_vector(), options);
    return Convolution(descriptor, d.filter.cview(), options);
}

// The operator, or none when a forced kernel refuses the problem at creation
// ("cannot run") and `refusal_allowed`; any other Error fails the test.
std::optional<Convolution> create_or_refuse(const CaseData &d, const PostOps &ops,
                                            const stridetune::Options &options, bool refusal_allowed) {
    try {
        return create(d, ops, options);
    } catch (const stridetune::Error &e) {
        const bool refused = std::string(e.what()).find("cannot run") != std::string::npos;
        EXPECT_TRUE(refused && refusal_allowed) << "creation threw: " << e.what();
    }
    return std::nullopt;
}

// Runs `conv` with the residual when `ops` has a sum, and compares the
// output (full of the sentinel before) with the reference.
testing::AssertionResult runs_like_reference(const Convolution &conv, const CaseData &d, const PostOps &ops,
                                             const ConstTensor &input, const Tensor &output,
                                             const ConstTensor &residual) {
    try {
        if (ops.sum) {
            conv.run(input, output, residual);
        } else {
            conv.run(input, output);
        }
    } catch (const std::exception &e) {
        return testing::AssertionFailure() << "run threw: " << e.what();
    }
    return matches_reference(output, expected(d, ops, residual));
}

// The depthwise kernel runs every depthwise problem of at least two AVX-512
// vectors of channels whole, at every level (groups_test.cpp).
constexpr int64_t depthwise_block_at_every_isa = 32;

// Whether `kernel`, forced, may refuse `c` at creation: as may_refuse
// (schedule_isa.h) says for a problem of one group; a grouped problem, as
// groups_test.cpp allows, unless it is a depthwise problem of at least a
// block of channels given the general depthwise kernel, which runs it.
bool may_refuse_case(const ScheduleIsa &kernel, const PostOpsCase &c) {
    if (c.groups > 1) {
        const bool general_depthwise = kernel.variant.empty() && is_depthwise_schedule(kernel.schedule);
        return !(general_depthwise && c.depthwise() && c.shape.k >= depthwise_block_at_every_isa);
    }
    return may_refuse(kernel_parameters(kernel.schedule, kernel.variant), c.shape.params, c.shape.oh(),
                      c.shape.ow());
}

stridetune::Options forced_options(const ScheduleIsa &kernel) {
    stridetune::Options options;
    options.schedule = kernel.schedule;
    if (!kernel.variant.empty()) options.variant = kernel.variant;
    options.max_isa = kernel.isa;
    // On the worker threads whatever the work, as forced_convolution.h runs them.
    options.parallel = true;
    return options;
}

// ---------------------------------------------------------------------------
// The reference itself: the documented order, and every post-op of every
// combination changes the result by more than the error allowed (so a
// kernel that skipped one would fail).

TEST(PostOpsReference, AppliesTheDocumentedOrder) {
    ReferenceOutput ref;
    ref.dims = {1, 1, 1, 4};
    ref.reduction_length = 1;
    ref.value = {-2.0, 1.0, 3.0, 10.0};
    ref.abs_sum = {2.0, 1.0, 3.0, 10.0};
    const std::vector<float> bias = {0.5f, -0.5f, 1.0f, -1.0f};
    std::vector<float> residual_values = {1.0f, 2.0f, -4.0f, 2.0f};
    const ConstTensor residual = stridetune::dense<const float>(residual_values.data(), ref.dims);
    apply_post_ops(post_ops(true, 0.5f, 0.1f, PostOps::Clip{-0.05f, 6.0f}), bias.data(), &residual, ref);
    // -2 + 0.5 + 0.5 = -1 -> -0.1 -> -0.05 (relu after the sum: -0.35 the other way round);
    // 1 - 0.5 + 1 = 1.5; 3 + 1 - 2 = 2; 10 - 1 + 1 = 10 -> 6.
    const std::vector<double> want = {-0.05, 1.5, 2.0, 6.0};
    for (size_t i = 0; i < want.size(); i++) {
        EXPECT_NEAR(ref.value[i], want[i], 1e-6) << "channel " << i;
        EXPECT_GE(ref.abs_sum[i], 1.0);
    }
    EXPECT_GT(ref.reduction_length, 1);

    // Post-ops that are unset leave the output alone, and read nothing.
    ReferenceOutput same = ref;
    apply_post_ops(PostOps{}, nullptr, nullptr, same);
    EXPECT_EQ(same.value, ref.value);
    EXPECT_THROW(apply_post_ops(post_ops(true, {}, {}, {}), nullptr, nullptr, same), std::invalid_argument);
    EXPECT_THROW(apply_post_ops(post_ops(false, 1.0f, {}, {}), nullptr, nullptr, same), std::invalid_argument);
}

// The elements of `a` that differ from `b` by more than a's error bound.
int64_t differing_elements(const ReferenceOutput &a, const ReferenceOutput &b) {
    int64_t n = 0;
    for (size_t i = 0; i < a.value.size(); i++) {
        n += std::fabs(a.value[i] - b.value[i]) > error_bound(a.reduction_length, a.abs_sum[i]);
    }
    return n;
}

// ---------------------------------------------------------------------------
// (a) Every kernel variant at every ISA level, every combination.

const std::vector<CaseData> &kernel_cases() {
    static const std::vector<CaseData> all = [] {
        const PostOpsCase cases[] = {
            make_case("k7_odd_widths", {2, 11, 13, 5}, 3, 7, 1, 0),  // unpadded: the in-place kernels run it
            make_case("stride2_pad1_k20", {1, 15, 14, 4}, 3, 20, 2, 1),
            make_case("stride2_k19_wide", {1, 17, 33, 3}, 4, 19, 2, 0),  // output 7x15: wide in-place tiles
            make_case("pointwise_k33", {2, 5, 7, 19}, 1, 33, 1, 0),     // pixels flattened into rows
            make_case("depthwise_40", {1, 9, 11, 40}, 3, 40, 1, 1, 40),
            make_case("depthwise_37_stride2", {1, 13, 12, 37}, 3, 37, 2, 1, 37),
        };
        std::vector<CaseData> data;
        uint32_t seed = 1000;
        for (const PostOpsCase &c : cases) data.push_back(make_data(c, seed++));
        return data;
    }();
    return all;
}

TEST(PostOpsReference, EveryPostOpOfEveryCombinationChangesTheOutput) {
    for (const CaseData &d : kernel_cases()) {
        for (const NamedPostOps &combination : combinations()) {
            SCOPED_TRACE(combination.name + " on " + d.problem.describe());
            const ReferenceOutput full = expected(d, combination.ops, d.residual.cview());
            EXPECT_GT(differing_elements(full, d.bare), 0) << "the same as the bare convolution";
            // Without each of its post-ops in turn.
            const PostOps &ops = combination.ops;
            std::vector<std::pair<std::string, PostOps>> without;
            if (ops.bias) without.push_back({"bias", post_ops(false, ops.sum, ops.relu, ops.clip)});
            if (ops.sum) without.push_back({"sum", post_ops(ops.bias, {}, ops.relu, ops.clip)});
            if (ops.relu) without.push_back({"relu", post_ops(ops.bias, ops.sum, {}, ops.clip)});
            if (ops.clip) without.push_back({"clip", post_ops(ops.bias, ops.sum, ops.relu, {})});
            for (const auto &[name, fewer] : without) {
                EXPECT_GT(differing_elements(full, expected(d, fewer, d.residual.cview())), 0)
                    << "the same without " << name;
            }
        }
    }
}

class PostOpsEveryKernel : public testing::TestWithParam<ScheduleIsa> {};

TEST_P(PostOpsEveryKernel, AppliesEveryCombinationLikeTheReference) {
    const ScheduleIsa kernel = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
    const bool depthwise_kernel =
        stridetune::computes_depthwise(kernel_parameters(kernel.schedule, kernel.variant));
    const stridetune::Options options = forced_options(kernel);
    std::vector<std::vector<float>> residual_before;
    for (const CaseData &d : kernel_cases()) residual_before.push_back(d.residual.storage);
    for (const CaseData &d : kernel_cases()) {
        // Depthwise kernels run depthwise problems alone; the others run
        // the problems of one group.
        if (d.problem.depthwise() != depthwise_kernel) continue;
        const bool refusal_allowed = may_refuse_case(kernel, d.problem);
        for (const NamedPostOps &combination : combinations()) {
            SCOPED_TRACE(test_name(kernel) + ", " + combination.name + " on " + d.problem.describe());
            const std::optional<Convolution> conv = create_or_refuse(d, combination.ops, options, refusal_allowed);
            if (!conv) continue;
            const stridetune::Plan &plan = conv->plan();
            EXPECT_EQ(plan.schedule, kernel.schedule) << plan.kernel;
            EXPECT_EQ(plan.isa, kernel.isa) << plan.kernel;
            if (!kernel.variant.empty()) {
                EXPECT_EQ(plan.variant, kernel.variant);
            }

            TestBuffer output = dense_buffer(d.problem.output_dims());  // the sentinel: an unwritten element fails
            EXPECT_TRUE(runs_like_reference(*conv, d, combination.ops, d.input.cview(), output.view,
                                            d.residual.cview()))
                << "kernel " << plan.kernel;
        }
    }
    for (size_t i = 0; i < kernel_cases().size(); i++) {
        EXPECT_TRUE(kernel_cases()[i].residual.storage == residual_before[i]) << "a residual was written";
    }
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, PostOpsEveryKernel, testing::ValuesIn(every_kernel_at_every_isa()),
                         [](const testing::TestParamInfo<ScheduleIsa> &info) { return test_name(info.param); });

// ---------------------------------------------------------------------------
// (b) Residual and output as views of larger tensors.

struct ViewLayout {
    std::string name;
    TestBuffer input, output, residual;
};

// Layouts of `d`'s tensors: input values `d`'s, residual values random.
std::vector<ViewLayout> view_layouts(const CaseData &d, std::mt19937 &rng) {
    const Dims in = d.problem.input_dims(), out = d.problem.output_dims();
    std::vector<ViewLayout> layouts;
    layouts.push_back({"output and residual crops of larger tensors", dense_buffer(in),
                       cropped_buffer({out[0] + 1, out[1] + 2, out[2] + 3, out[3] + 4}, {1, 1, 2, 3}, out),
                       cropped_buffer({out[0] + 2, out[1] + 1, out[2] + 2, out[3] + 5}, {1, 0, 1, 2}, out)});
    layouts.push_back({"dense output, residual channels 3.. of a tensor of 7 more",
                       dense_buffer(in), dense_buffer(out),
                       cropped_buffer({out[0], out[1], out[2], out[3] + 7}, {0, 0, 0, 3}, out)});
    {
        Dims flipped = gapped_strides(out, 1, {0, 2, 1, 3});
        flipped[1] = -flipped[1];
        layouts.push_back({"channel-strided input, gapped output, residual of flipped rows",
                           strided_buffer(in, gapped_strides(in, 2, {0, 1, 2, 1}), 3),
                           strided_buffer(out, gapped_strides(out, 1, {0, 3, 1, 2}), 5),
                           strided_buffer(out, flipped, 4)});
    }
    for (int i = 0; i < 2; i++) {
        TestBuffer input = random_view(in, /*any_channel_stride=*/true, rng);
        TestBuffer output = random_view(out, /*any_channel_stride=*/false, rng);
        TestBuffer residual = random_view(out, /*any_channel_stride=*/false, rng);
        const std::string name = "random layout " + std::to_string(i) + " (output strides " +
                                 dims_string(output.view.strides) + ", residual strides " +
                                 dims_string(residual.view.strides) + ")";
        layouts.push_back({name, std::move(input), std::move(output), std::move(residual)});
    }
    for (ViewLayout &l : layouts) {
        copy_values(d.input.cview(), l.input.view);
        fill_random(l.residual.view, rng);
    }
    return layouts;
}

// The dispatcher's pick at each level this CPU runs, and every hand
// schedule forced at the CPU's own level.
struct KernelChoice {
    std::string name;
    stridetune::Options options;
    bool refusal_allowed;
};

std::vector<KernelChoice> kernel_choices(const PostOpsCase &c) {
    std::vector<KernelChoice> choices;
    for (Isa isa : every_isa()) {
        if (!cpu_supports(isa)) continue;
        stridetune::Options options;
        options.max_isa = isa;
        choices.push_back({"the dispatcher's pick at " + isa_name(isa), options, false});
    }
    for (Schedule s : stridetune::all_schedules) {
        if (!is_hand_schedule(s)) continue;
        const ScheduleIsa kernel{s, stridetune::detected_isa()};
        choices.push_back({test_name(kernel), forced_options(kernel), may_refuse_case(kernel, c)});
    }
    return choices;
}

const std::vector<PostOpsCase> &view_cases() {
    static const std::vector<PostOpsCase> cases = {
        make_case("stride2_pad1_k9", {2, 12, 11, 5}, 3, 9, 2, 1),
        make_case("unpadded_k17", {1, 9, 20, 4}, 3, 17, 1, 0),  // output 7x18: the in-place kernels run it
        make_case("pointwise_k33", {2, 5, 7, 19}, 1, 33, 1, 0),
        make_case("grouped_g2", {2, 10, 9, 6}, 3, 10, 1, 1, 2),
        make_case("depthwise_40", {1, 9, 11, 40}, 3, 40, 1, 1, 40),
    };
    return cases;
}

class PostOpsStridedViews : public testing::TestWithParam<size_t> {};

TEST_P(PostOpsStridedViews, ResidualAndOutputViewsMatchTheReference) {
    const size_t index = GetParam();
    const CaseData d = make_data(view_cases()[index], uint32_t(2000 + index));
    std::mt19937 rng(uint32_t(3000 + index));
    std::vector<ViewLayout> layouts = view_layouts(d, rng);
    std::vector<std::vector<float>> input_before, residual_before;
    for (const ViewLayout &l : layouts) {
        input_before.push_back(l.input.storage);
        residual_before.push_back(l.residual.storage);
    }
    const NamedPostOps with_sum[] = {combinations()[2], combinations()[4]};
    int ran = 0;
    for (const KernelChoice &choice : kernel_choices(d.problem)) {
        for (const NamedPostOps &combination : with_sum) {
            SCOPED_TRACE(choice.name + ", " + combination.name + " on " + d.problem.describe());
            const std::optional<Convolution> conv =
                create_or_refuse(d, combination.ops, choice.options, choice.refusal_allowed);
            if (!conv) continue;
            EXPECT_TRUE(conv->problem().post_ops == combination.ops) << "problem() lost the post-ops";
            for (size_t i = 0; i < layouts.size(); i++) {
                ViewLayout &l = layouts[i];
                SCOPED_TRACE(l.name + ", kernel " + conv->plan().kernel);
                std::fill(l.output.storage.begin(), l.output.storage.end(), sentinel);
                EXPECT_TRUE(runs_like_reference(*conv, d, combination.ops, l.input.cview(), l.output.view,
                                                l.residual.cview()));
                EXPECT_EQ(l.output.touched_outside_view(), 0) << "written outside the output view";
                EXPECT_EQ(l.residual.storage, residual_before[i]) << "the residual's buffer changed";
                EXPECT_EQ(l.input.storage, input_before[i]) << "the input's buffer changed";
                ran++;
            }
        }
    }
    EXPECT_GT(ran, 0);
}

INSTANTIATE_TEST_SUITE_P(Cases, PostOpsStridedViews, testing::Range(size_t(0), view_cases().size()),
                         [](const testing::TestParamInfo<size_t> &info) { return view_cases()[info.param].name; });

// ---------------------------------------------------------------------------
// Valid values off the common path, and what the operator keeps.

// Through the dispatcher's pick at the CPU's level, on one problem: a
// negative residual scale, the identity and a steep slope, bounds that are
// equal or infinite.
TEST(PostOps, UnusualValuesMatchTheReference) {
    const CaseData d = make_data(make_case("stride2_pad1_k9", {2, 12, 11, 5}, 3, 9, 2, 1), 51);
    const NamedPostOps cases[] = {
        {"bias+sum:-1", post_ops(true, -1.0f, {}, {})},
        {"sum:2+relu:1", post_ops(false, 2.0f, 1.0f, {})},
        {"bias+relu:2", post_ops(true, {}, 2.0f, {})},
        {"clip:0.25:0.25", post_ops(false, {}, {}, PostOps::Clip{0.25f, 0.25f})},
        {"bias+clip:-inf:0.5", post_ops(true, {}, {}, PostOps::Clip{-inf, 0.5f})},
        {"relu:0+clip:0:inf", post_ops(false, {}, 0.0f, PostOps::Clip{0.0f, inf})},
        {"clip:-inf:inf", post_ops(false, {}, {}, PostOps::Clip{-inf, inf})},
    };
    for (const NamedPostOps &c : cases) {
        SCOPED_TRACE(c.name);
        std::optional<Convolution> conv;
        ASSERT_NO_THROW(conv.emplace(create(d, c.ops, {})));
        TestBuffer output = dense_buffer(d.problem.output_dims());
        EXPECT_TRUE(runs_like_reference(*conv, d, c.ops, d.input.cview(), output.view, d.residual.cview()));
        if (c.ops.clip && c.ops.clip->lower == c.ops.clip->upper) {
            int64_t other = 0;
            for_each_index(output.view.dims, [&](int64_t a, int64_t b, int64_t x, int64_t k) {
                other += !(element(output.view, a, b, x, k) == c.ops.clip->lower);
            });
            EXPECT_EQ(other, 0) << "elements other than the clip's single value";
        }
    }
}

// The bias is copied at creation: the caller's may change afterwards.
TEST(PostOps, TheBiasIsCopiedAtCreation) {
    CaseData d = make_data(make_case("grouped_g2", {2, 10, 9, 6}, 3, 10, 1, 1, 2), 61);
    const PostOps ops = post_ops(true, {}, 0.0f, {});
    const ReferenceOutput want = expected(d, ops, d.residual.cview());
    std::vector<float> callers(d.bias);
    const Convolution conv(d.problem.descriptor(ops), d.filter.cview(),
                           ConstVector{callers.data(), int64_t(callers.size())});
    std::fill(callers.begin(), callers.end(), nan);
    TestBuffer output = dense_buffer(d.problem.output_dims());
    conv.run(d.input.cview(), output.view);
    EXPECT_TRUE(matches_reference(output.view, want));
}

// Each run adds its own residual: two runs of one operator with different
// residuals give each its own result.
TEST(PostOps, EachRunAddsItsOwnResidual) {
    const CaseData d = make_data(make_case("k7_odd_widths", {2, 11, 13, 5}, 3, 7, 1, 0), 71);
    const PostOps ops = post_ops(true, 0.5f, {}, {});
    const Convolution conv = create(d, ops, {});
    TestBuffer other = dense_buffer(d.problem.output_dims());
    std::mt19937 rng(72);
    fill_random(other.view, rng);
    for (const ConstTensor &residual : {d.residual.cview(), other.cview(), d.residual.cview()}) {
        TestBuffer output = dense_buffer(d.problem.output_dims());
        EXPECT_TRUE(runs_like_reference(conv, d, ops, d.input.cview(), output.view, residual));
    }
}

// ---------------------------------------------------------------------------
// (c) Bad post-ops, biases and residuals: an Error naming the field.

void expect_error_naming(const std::string &what, const std::function<void()> &call,
                         const testing::Matcher<const std::string &> &names) {
    SCOPED_TRACE(what);
    bool threw = false;
    const std::string message = thrown_message(call, threw);
    EXPECT_TRUE(threw) << message;
    EXPECT_THAT(message, testing::StartsWith("stridetune: "));
    EXPECT_THAT(message, names);
}

// input 2x9x10x3, filter 3x3x3x4, stride 1 -> output 2x7x8x4.
const PostOpsCase &error_case() {
    static const PostOpsCase c = make_case("errors", {2, 9, 10, 3}, 3, 4, 1, 0);
    return c;
}

TEST(PostOpsErrors, BadBiasesNameTheBias) {
    const CaseData d = make_data(error_case(), 81);
    const ConvDescriptor with_bias = d.problem.descriptor(post_ops(true, {}, 0.0f, {}));
    const ConvDescriptor relu_only = d.problem.descriptor(post_ops(false, {}, 0.0f, {}));
    const ConvDescriptor bare = d.problem.descriptor(PostOps{});
    const ConstTensor filter = d.filter.cview();
    const int64_t k = d.problem.shape.k;
    std::vector<float> long_bias(d.bias);
    long_bias.push_back(0.25f);
    ASSERT_NO_THROW(Convolution(with_bias, filter, d.bias_vector())) << "the problem every case spoils is valid";

    const auto names_bias = HasSubstr("bias");
    expect_error_naming("a bias of K - 1 values",
                        [&] { Convolution c(with_bias, filter, ConstVector{d.bias.data(), k - 1}); }, names_bias);
    expect_error_naming("a bias of K + 1 values",
                        [&] { Convolution c(with_bias, filter, ConstVector{long_bias.data(), k + 1}); }, names_bias);
    expect_error_naming("a bias of no values", [&] { Convolution c(with_bias, filter, ConstVector{d.bias.data(), 0}); },
                        names_bias);
    expect_error_naming("a null bias of K values", [&] { Convolution c(with_bias, filter, ConstVector{nullptr, k}); },
                        names_bias);
    expect_error_naming("a bias for a problem whose post-ops have none",
                        [&] { Convolution c(relu_only, filter, d.bias_vector()); }, names_bias);
    expect_error_naming("a bias for a problem without post-ops",
                        [&] { Convolution c(bare, filter, d.bias_vector()); }, names_bias);
    expect_error_naming("no bias for a problem with the bias post-op", [&] { Convolution c(with_bias, filter); },
                        names_bias);

    // A grouped problem's bias is every group's K values, not one group's.
    const CaseData grouped = make_data(make_case("grouped_g2", {2, 10, 9, 6}, 3, 10, 1, 1, 2), 82);
    const ConvDescriptor grouped_bias = grouped.problem.descriptor(post_ops(true, {}, {}, {}));
    ASSERT_NO_THROW(Convolution(grouped_bias, grouped.filter.cview(), grouped.bias_vector()));
    expect_error_naming("a grouped problem's bias of one group's channels",
                        [&] {
                            Convolution c(grouped_bias, grouped.filter.cview(),
                                          ConstVector{grouped.bias.data(), grouped.problem.shape.k / 2});
                        },
                        names_bias);
}

TEST(PostOpsErrors, BadPostOpValuesNameThePostOps) {
    const CaseData d = make_data(error_case(), 83);
    const NamedPostOps bad[] = {
        {"clip lower above upper", post_ops(false, {}, {}, PostOps::Clip{1.0f, 0.0f})},
        {"clip +inf..-inf", post_ops(false, {}, {}, PostOps::Clip{inf, -inf})},
        {"clip lower NaN", post_ops(false, {}, {}, PostOps::Clip{nan, 6.0f})},
        {"clip upper NaN", post_ops(false, {}, {}, PostOps::Clip{0.0f, nan})},
        {"sum NaN", post_ops(false, nan, {}, {})},
        {"relu NaN", post_ops(false, {}, nan, {})},
    };
    const auto names_post_ops = testing::AnyOf(HasSubstr("post_ops"), HasSubstr("clip"));
    for (const NamedPostOps &b : bad) {
        for (const bool bias : {false, true}) {
            PostOps ops = b.ops;
            ops.bias = bias;
            // Through the constructor of the problem's kind: only the bad value is wrong.
            expect_error_naming(b.name + (bias ? ", with a bias" : ""), [&] { Convolution c = create(d, ops, {}); },
                                names_post_ops);
        }
    }
}

// The buffers of a run every case spoils one tensor of. `spare` is storage
// for an output or residual elsewhere; big_residual holds views one larger
// in a dimension.
struct RunBuffers {
    TestBuffer output = dense_buffer({2, 7, 8, 4});
    TestBuffer residual = dense_buffer({2, 7, 8, 4});
    TestBuffer spare = dense_buffer({1, 1, 1, 2048});
    TestBuffer big_residual = dense_buffer({3, 8, 9, 5});
    Tensor output_view;
    ConstTensor residual_view;

    RunBuffers() {
        std::mt19937 rng(84);
        fill_random(residual.view, rng);
        fill_random(big_residual.view, rng);
        output_view = output.view;
        residual_view = residual.cview();
    }

    std::vector<float> snapshot() const {
        std::vector<float> all;
        for (const TestBuffer *b : {&output, &residual, &spare, &big_residual}) {
            all.insert(all.end(), b->storage.begin(), b->storage.end());
        }
        return all;
    }
};

struct BadResidual {
    std::string name;
    std::function<void(RunBuffers &)> spoil;
};

std::vector<BadResidual> bad_residuals() {
    std::vector<BadResidual> cases = {
        {"residual_null", [](RunBuffers &b) { b.residual_view.data = nullptr; }},
        {"residual_channel_stride_2",
         [](RunBuffers &b) { b.residual_view = {b.spare.view.data, {2, 7, 8, 4}, {448, 64, 8, 2}}; }},
        {"residual_channel_stride_negative",
         [](RunBuffers &b) { b.residual_view = {b.spare.view.data + 3, {2, 7, 8, 4}, {448, 64, 8, -1}}; }},
        {"residual_is_the_output", [](RunBuffers &b) { b.residual_view.data = b.output_view.data; }},
        {"residual_overlaps_the_outputs_last_element",
         [](RunBuffers &b) {
             // The output (448 floats) at spare's start, the residual from its last element.
             b.output_view.data = b.spare.view.data;
             b.residual_view.data = b.spare.view.data + 447;
         }},
        {"residual_overlaps_the_outputs_first_element",
         [](RunBuffers &b) {
             b.residual_view.data = b.spare.view.data;
             b.output_view.data = b.spare.view.data + 447;
         }},
    };
    // Each of the four dims one smaller (a view inside the buffer) and one
    // larger (a view of the larger buffer).
    static const char *const dim_names[4] = {"n", "h", "w", "c"};
    for (int d = 0; d < 4; d++) {
        for (int delta : {-1, +1}) {
            cases.push_back({"residual_dims_" + std::string(dim_names[d]) + (delta < 0 ? "_smaller" : "_larger"),
                             [d, delta](RunBuffers &b) {
                                 if (delta > 0) b.residual_view = b.big_residual.cview();
                                 b.residual_view.dims = {2, 7, 8, 4};
                                 b.residual_view.dims[size_t(d)] += delta;
                             }});
        }
    }
    return cases;
}

TEST(PostOpsErrors, BadResidualsNameTheResidualAndWriteNothing) {
    const CaseData d = make_data(error_case(), 85);
    ASSERT_EQ(d.problem.output_dims(), (Dims{2, 7, 8, 4}));
    const PostOps ops = post_ops(true, 0.5f, 0.0f, {});
    const Convolution conv = create(d, ops, {});

    for (const BadResidual &bad : bad_residuals()) {
        SCOPED_TRACE(bad.name);
        RunBuffers b;
        bad.spoil(b);
        const std::vector<float> before = b.snapshot();
        bool threw = false;
        const std::string message =
            thrown_message([&] { conv.run(d.input.cview(), b.output_view, b.residual_view); }, threw);
        EXPECT_TRUE(threw) << message;
        EXPECT_THAT(message, testing::StartsWith("stridetune: "));
        EXPECT_THAT(message, HasSubstr("residual"));
        EXPECT_TRUE(before == b.snapshot()) << "the buffers changed";
        EXPECT_EQ(b.output.touched_anywhere(), 0) << "the output buffer was written";
    }

    // The run every case spoils is valid and right, so each error above
    // comes from the one spoiled tensor; and the operator still works.
    RunBuffers b;
    EXPECT_TRUE(runs_like_reference(conv, d, ops, d.input.cview(), b.output_view, b.residual_view));
}

// A residual given to a problem without the sum post-op, or missing from
// one with it: an Error naming the residual, nothing written.
TEST(PostOpsErrors, AResidualOnlyWithTheSumPostOp) {
    const CaseData d = make_data(error_case(), 86);
    struct Case {
        std::string name;
        PostOps ops;
        bool give_residual;
    };
    const Case cases[] = {
        {"a residual for bias+relu:0", post_ops(true, {}, 0.0f, {}), true},
        {"a residual for clip:0:6", post_ops(false, {}, {}, PostOps::Clip{0.0f, 6.0f}), true},
        {"a residual for a problem without post-ops", PostOps{}, true},
        {"no residual for sum:1", post_ops(false, 1.0f, {}, {}), false},
        {"no residual for bias+sum:0.5+relu:0.1", post_ops(true, 0.5f, 0.1f, {}), false},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.name);
        const Convolution conv = create(d, c.ops, {});
        TestBuffer output = dense_buffer(d.problem.output_dims());
        bool threw = false;
        const std::string message = thrown_message(
            [&] {
                if (c.give_residual) {
                    conv.run(d.input.cview(), output.view, d.residual.cview());
                } else {
                    conv.run(d.input.cview(), output.view);
                }
            },
            threw);
        EXPECT_TRUE(threw) << message;
        EXPECT_THAT(message, testing::StartsWith("stridetune: "));
        EXPECT_THAT(message, HasSubstr("residual"));
        EXPECT_EQ(output.touched_anywhere(), 0) << "the output was written";
        // The run the operator takes works.
        EXPECT_TRUE(runs_like_reference(conv, d, c.ops, d.input.cview(), output.view, d.residual.cview()));
    }
}

// ---------------------------------------------------------------------------
// (d) A problem without post-ops: the bias-less constructor and
// run(input, output), at every level this CPU runs, give the bare convolution.

TEST(PostOps, AProblemWithoutPostOpsRunsAsBefore) {
    for (const CaseData &d : kernel_cases()) {
        const ConvDescriptor bare = d.problem.descriptor(PostOps{});
        ASSERT_FALSE(bare.post_ops.any());
        for (Isa isa : every_isa()) {
            if (!cpu_supports(isa)) continue;
            SCOPED_TRACE(d.problem.describe() + " at " + isa_name(isa));
            stridetune::Options options;
            options.max_isa = isa;
            const Convolution conv(bare, d.filter.cview(), options);
            EXPECT_FALSE(conv.problem().post_ops.any());
            TestBuffer output = dense_buffer(d.problem.output_dims());
            ASSERT_NO_THROW(conv.run(d.input.cview(), output.view));
            EXPECT_TRUE(matches_reference(output.view, d.bare));
        }
    }
}

}  // namespace
}  // namespace stridetune_test
