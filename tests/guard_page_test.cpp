// Every kernel at every ISA level, with its tensors placed against PROT_NONE
// guard pages (guarded_tensor.h): after the last byte of each, then before
// the first, so that a read or write one element past a tensor faults. On
// random problems with non-dense views (gaps, crops, permuted dimension
// orders, negative strides, channel strides above 1), and on views whose
// element offsets reach towards 2^31 along each axis. Input and filter are
// read-only; the output's gaps must stay untouched.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "compare.h"
#include "conv_problem.h"
#include "forced_convolution.h"
#include "guarded_tensor.h"
#include "random_fill.h"
#include "random_problem.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {
namespace {

constexpr int random_problems = 40;
constexpr uint32_t seed = 9176;

// Strides of a dense layout of `dims` whose dimensions are stored in `order`
// (outermost first), with 0-2 unused elements after each.
Dims permuted_strides(const Dims &dims, const std::array<int, 4> &order, std::mt19937 &rng) {
    Dims s{};
    int64_t step = uniform(rng, 1, 2);
    for (int i = 3; i >= 0; i--) {
        s[order[i]] = step;
        step = step * dims[order[i]] + uniform(rng, 0, 2);
    }
    return s;
}

// A random layout: half as random_view() makes them (gaps, negative strides,
// channel strides), half with the dimensions stored in a random order.
TestBuffer random_layout(const Dims &dims, bool any_channel_stride, std::mt19937 &rng) {
    if (!any_channel_stride || uniform(rng, 0, 1) == 0) return random_view(dims, any_channel_stride, rng);
    std::array<int, 4> order;
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    return strided_buffer(dims, permuted_strides(dims, order, rng));
}

struct GuardCase {
    std::string name;
    ConvProblem problem;
    Dims input_strides, filter_strides, output_strides;  // the layouts placed against the guards
    TestBuffer input, filter;                            // the values, dense
    ReferenceOutput reference;
};

GuardCase make_case(std::string name, const ConvProblem &p, const Dims &input_strides, const Dims &filter_strides,
                    const Dims &output_strides, std::mt19937 &rng) {
    GuardCase c{std::move(name), p, input_strides, filter_strides, output_strides,
                dense_buffer(p.input_dims()), dense_buffer(p.filter_dims()), {}};
    fill_random(c.input.view, rng);
    fill_random(c.filter.view, rng);
    c.reference = reference_convolution(c.input.cview(), c.filter.cview(), p.params);
    return c;
}

// Strides for `dims` that step `axis` (0 N, 1 H, 2 W, 3 C) as far as the
// library's 32-bit limit allows: the dimensions inside it dense, those
// outside stepping over it, so element offsets reach towards 2^31.
Dims far_reaching_strides(const Dims &dims, int axis) {
    constexpr int64_t limit = (int64_t(1) << 31) - 1;
    int64_t outer = 1;
    for (int d = 0; d <= axis; d++) outer *= dims[d];
    Dims s{};
    s[3] = 1;
    for (int d = 2; d > axis - 1 && d >= 0; d--) s[d] = s[d + 1] * dims[d + 1];
    s[axis] = limit / outer;
    for (int d = axis - 1; d >= 0; d--) s[d] = s[d + 1] * dims[d + 1];
    return s;
}

const std::vector<GuardCase> &guard_cases() {
    static const std::vector<GuardCase> cases = [] {
        std::mt19937 rng(seed);
        std::vector<GuardCase> all;
        for (int i = 0; i < random_problems; i++) {
            const ConvProblem p = draw_problem(rng);
            const Dims in = random_layout(p.input_dims(), true, rng).view.strides;
            const Dims f = random_layout(p.filter_dims(), true, rng).view.strides;
            const Dims out = random_view(p.output_dims(), false, rng).view.strides;
            all.push_back(make_case("random" + std::to_string(i), p, in, f, out, rng));
        }
        for (int axis = 0; axis < 4; axis++) {
            ConvProblem p;
            p.n = 1, p.h = 5, p.w = 6, p.c = 3, p.k = 4, p.fh = 2, p.fw = 3;
            p.params.stride_w = 2;
            p.params.pad_top = p.params.pad_left = 1;
            int64_t *extent[] = {&p.n, &p.h, &p.w, &p.c};
            *extent[axis] = 37;
            all.push_back(make_case(std::string("far_offsets_along_") + "NHWC"[axis], p,
                                    far_reaching_strides(p.input_dims(), axis),
                                    dense_strides_of(p.filter_dims()), dense_strides_of(p.output_dims()), rng));
        }
        return all;
    }();
    return cases;
}

using GuardParam = std::tuple<ScheduleIsa, Guard>;
class GuardPages : public testing::TestWithParam<GuardParam> {};

TEST_P(GuardPages, NoKernelReachesPastItsTensors) {
    const auto &[kernel, guard] = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
    for (const GuardCase &c : guard_cases()) {
        GuardedTensor input({nullptr, c.problem.input_dims(), c.input_strides}, guard);
        GuardedTensor filter({nullptr, c.problem.filter_dims(), c.filter_strides}, guard);
        GuardedTensor output({nullptr, c.problem.output_dims(), c.output_strides}, guard);
        input.fill_from(c.input.cview());
        filter.fill_from(c.filter.cview());
        input.make_read_only();
        filter.make_read_only();
        EXPECT_TRUE(forced_convolution_matches(input.cview(), filter.cview(), output.view(), c.problem.params,
                                               c.reference, kernel))
            << c.name << ": " << c.problem.describe();
        EXPECT_EQ(output.touched_outside_view(), 0) << c.name << ": written outside the output view";
    }
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, GuardPages,
                         testing::Combine(testing::ValuesIn(every_kernel_at_every_isa()),
                                          testing::Values(Guard::after, Guard::before)),
                         [](const testing::TestParamInfo<GuardParam> &info) {
                             return test_name(std::get<0>(info.param)) + "_" + guard_name(std::get<1>(info.param));
                         });

// The problems that once wrapped 32-bit coordinates (with pads 65536) and
// read past the input (without): 2^31 - 1 rows (or columns) of one channel,
// a 1x1 filter, stride 65536. Their taps are gathered, so every kernel runs
// them; the input, 8 GiB, is mapped lazily and holds values only where a
// tap reads.
class FarApartTaps : public testing::TestWithParam<std::tuple<ScheduleIsa, int, int>> {};

TEST_P(FarApartTaps, RunOverTwoBillionElements) {
    const auto &[kernel, axis, pad] = GetParam();  // axis 1: H, 2: W
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
    constexpr int64_t extent = (int64_t(1) << 31) - 1, step = 65536, k = 3;
    const int64_t outputs = (extent + 2 * pad - 1) / step + 1;
    Dims in_dims{1, 1, 1, 1}, out_dims{1, 1, 1, k};
    in_dims[axis] = extent;
    out_dims[axis] = outputs;
    stridetune::ConvParams params;
    (axis == 1 ? params.stride_h : params.stride_w) = int(step);
    (axis == 1 ? params.pad_top : params.pad_left) = pad;
    (axis == 1 ? params.pad_bottom : params.pad_right) = pad;

    GuardedTensor input({nullptr, in_dims, dense_strides_of(in_dims)}, Guard::after, /*sentinels=*/false);
    GuardedTensor filter({nullptr, {1, 1, 1, k}, {k, k, k, 1}}, Guard::after);
    GuardedTensor output({nullptr, out_dims, dense_strides_of(out_dims)}, Guard::after);
    float *in = input.view().data;
    const float taps[k] = {0.5f, -2.0f, 3.0f};
    for (int64_t i = 0; i < k; i++) filter.view().data[i] = taps[i];
    ReferenceOutput expected;
    expected.dims = out_dims;
    expected.reduction_length = 1;
    for (int64_t o = 0; o < outputs; o++) {
        const int64_t source = o * step - pad;  // the one tap of output o
        const float value = source >= 0 && source < extent ? float(o % 13) - 6.0f : 0.0f;
        if (source >= 0 && source < extent) in[source] = value;
        for (int64_t i = 0; i < k; i++) {
            expected.value.push_back(double(value) * taps[i]);
            expected.abs_sum.push_back(std::abs(double(value) * taps[i]));
        }
    }
    input.make_read_only();
    filter.make_read_only();
    EXPECT_TRUE(
        forced_convolution_matches(input.cview(), filter.cview(), output.view(), params, expected, kernel));
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, FarApartTaps,
                         testing::Combine(testing::ValuesIn(every_kernel_at_every_isa()), testing::Values(1, 2),
                                          testing::Values(65536, 0)),
                         [](const testing::TestParamInfo<std::tuple<ScheduleIsa, int, int>> &info) {
                             return test_name(std::get<0>(info.param)) + (std::get<1>(info.param) == 1 ? "_H" : "_W") +
                                    "_pad" + std::to_string(std::get<2>(info.param));
                         });

}  // namespace
}  // namespace stridetune_test
