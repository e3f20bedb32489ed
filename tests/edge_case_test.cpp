// Edge cases, each through every schedule at every ISA level: degenerate
// sizes, sizes off the vector width, strides past the filter, and
// non-contiguous views of input, filter and output. Elements of the backing
// buffers outside a view hold a sentinel: an input or filter element read from
// outside the view spoils the result, and an output element written outside
// the view is caught by its changed sentinel.
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

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

struct CaseTensors {
    ConvProblem problem;
    TestBuffer input, filter, output;
};

struct EdgeCase {
    std::string name;
    std::function<CaseTensors()> make;
};

stridetune::ConvParams geometry(int sh, int sw, int dh = 1, int dw = 1, int pt = 0, int pl = 0, int pb = 0,
                                int pr = 0) {
    stridetune::ConvParams p;
    p.stride_h = sh;
    p.stride_w = sw;
    p.dilation_h = dh;
    p.dilation_w = dw;
    p.pad_top = pt;
    p.pad_left = pl;
    p.pad_bottom = pb;
    p.pad_right = pr;
    return p;
}

ConvProblem problem(Dims input, int64_t fh, int64_t fw, int64_t k, stridetune::ConvParams params) {
    ConvProblem p;
    p.n = input[0];
    p.h = input[1];
    p.w = input[2];
    p.c = input[3];
    p.fh = fh;
    p.fw = fw;
    p.k = k;
    p.params = params;
    return p;
}

// Dense input, filter and output.
CaseTensors dense(const ConvProblem &p) {
    return {p, dense_buffer(p.input_dims()), dense_buffer(p.filter_dims()), dense_buffer(p.output_dims())};
}

const std::vector<EdgeCase> &edge_cases() {
    static const std::vector<EdgeCase> cases = {
        // --- sizes
        {"output_1x1", [] { return dense(problem({2, 5, 5, 3}, 5, 5, 4, geometry(1, 1))); }},
        {"output_1x1_from_stride", [] { return dense(problem({1, 3, 3, 2}, 2, 2, 3, geometry(4, 4))); }},
        {"input_1x1_padded", [] { return dense(problem({1, 1, 1, 3}, 3, 3, 7, geometry(1, 1, 1, 1, 1, 1, 1, 1))); }},
        {"stride_larger_than_filter", [] { return dense(problem({2, 23, 19, 5}, 2, 1, 6, geometry(3, 4))); }},
        {"filter_1x1_stride_4", [] { return dense(problem({1, 17, 17, 8}, 1, 1, 9, geometry(4, 4))); }},
        {"k17_ow109", [] { return dense(problem({1, 7, 218, 3}, 3, 2, 17, geometry(1, 2))); }},
        {"k1", [] { return dense(problem({2, 12, 13, 4}, 3, 3, 1, geometry(1, 1))); }},
        {"k15_ow15", [] { return dense(problem({1, 6, 15, 5}, 1, 1, 15, geometry(1, 1))); }},
        {"k33_ow33", [] { return dense(problem({1, 5, 65, 3}, 3, 3, 33, geometry(1, 2, 1, 1, 1, 1, 1, 1))); }},
        {"c1", [] { return dense(problem({2, 30, 31, 1}, 3, 3, 8, geometry(1, 1))); }},
        {"c1_k1", [] { return dense(problem({1, 19, 23, 1}, 4, 4, 1, geometry(2, 2))); }},
        {"c64_k100", [] { return dense(problem({1, 9, 10, 64}, 3, 3, 100, geometry(1, 1, 1, 1, 1, 1, 1, 1))); }},
        {"c32_k48_3x3_padded",
         [] { return dense(problem({2, 30, 31, 32}, 3, 3, 48, geometry(1, 1, 1, 1, 1, 1, 1, 1))); }},
        {"h1_wide", [] { return dense(problem({1, 1, 300, 4}, 1, 5, 6, geometry(1, 2))); }},
        {"w1_tall", [] { return dense(problem({2, 300, 1, 4}, 5, 1, 6, geometry(2, 1))); }},
        {"n17_batch", [] { return dense(problem({17, 9, 8, 3}, 2, 2, 5, geometry(2, 2))); }},
        {"seed_geometry_small_batch", [] { return dense(problem({1, 221, 221, 3}, 4, 4, 5, geometry(2, 2))); }},
        // --- geometry
        {"padding_larger_than_input",
         [] { return dense(problem({1, 2, 3, 2}, 1, 1, 3, geometry(1, 1, 1, 1, 3, 3, 3, 3))); }},
        {"padding_asymmetric", [] { return dense(problem({2, 11, 9, 3}, 3, 2, 5, geometry(1, 1, 1, 1, 0, 3, 2, 0))); }},
        {"dilation_with_stride", [] { return dense(problem({1, 20, 21, 3}, 3, 3, 4, geometry(2, 3, 3, 2))); }},
        {"dilated_taps_mostly_in_padding",
         [] { return dense(problem({1, 4, 4, 2}, 3, 3, 2, geometry(1, 1, 2, 2, 1, 1, 1, 1))); }},
        {"stride_65536_largest_accepted", [] { return dense(problem({1, 4, 5, 2}, 2, 2, 3, geometry(65536, 65536))); }},
        // Taps far apart across wide padding: no kernel may stage by the stride or the pads.
        {"stride_and_pads_2048",
         [] { return dense(problem({1, 9, 11, 3}, 3, 3, 1, geometry(2048, 2048, 1, 1, 2048, 2048, 2048, 2048))); }},
        {"stride_and_pads_65536",
         [] { return dense(problem({2, 9, 11, 3}, 3, 3, 5, geometry(65536, 65536, 1, 1, 65536, 65536, 65536, 65536))); }},
        {"dilation_4096_over_padding",
         [] { return dense(problem({1, 7, 6, 2}, 3, 2, 4, geometry(1, 2, 4096, 4096, 4096, 4096, 4096, 4096))); }},
        {"pointwise_stride_9", [] { return dense(problem({1, 40, 37, 5}, 1, 1, 6, geometry(9, 9))); }},
        // --- input views
        {"input_crop",
         [] {
             ConvProblem p = problem({2, 10, 12, 5}, 3, 3, 6, geometry(2, 1));
             CaseTensors s = dense(p);
             s.input = cropped_buffer({3, 14, 17, 7}, {1, 2, 3, 1}, p.input_dims());
             return s;
         }},
        {"input_channel_stride_2",
         [] {
             ConvProblem p = problem({2, 9, 11, 4}, 3, 2, 5, geometry(1, 2, 1, 1, 1, 0, 1, 0));
             CaseTensors s = dense(p);
             s.input = strided_buffer(p.input_dims(), gapped_strides(p.input_dims(), 2, {0, 0, 0, 0}));
             return s;
         }},
        {"input_as_strided_wide_w",
         [] {
             ConvProblem p = problem({2, 8, 13, 3}, 2, 3, 7, geometry(2, 2, 1, 1, 0, 1, 0, 1));
             CaseTensors s = dense(p);
             s.input = strided_buffer(p.input_dims(), gapped_strides(p.input_dims(), 1, {0, 7, 3, 5}));
             return s;
         }},
        {"input_flipped_w_negative_stride",
         [] {
             ConvProblem p = problem({1, 7, 9, 3}, 3, 3, 4, geometry(1, 1, 1, 1, 1, 1, 1, 1));
             CaseTensors s = dense(p);
             Dims st = dense_strides_of(p.input_dims());
             st[2] = -st[2];
             s.input = strided_buffer(p.input_dims(), st);
             return s;
         }},
        {"input_broadcast_batch_stride_0",
         [] {
             ConvProblem p = problem({3, 6, 7, 2}, 2, 2, 3, geometry(1, 1));
             CaseTensors s = dense(p);
             Dims st = dense_strides_of(p.input_dims());
             st[0] = 0;
             s.input = strided_buffer(p.input_dims(), st);
             return s;
         }},
        {"input_flipped_h_and_w",
         [] {
             ConvProblem p = problem({2, 8, 9, 5}, 3, 2, 6, geometry(2, 1, 1, 2, 0, 1, 2, 0));
             CaseTensors s = dense(p);
             Dims st = gapped_strides(p.input_dims(), 1, {0, 2, 1, 0});
             st[1] = -st[1];
             st[2] = -st[2];
             s.input = strided_buffer(p.input_dims(), st);
             return s;
         }},
        // --- filter views
        {"filter_crop",
         [] {
             ConvProblem p = problem({1, 10, 9, 4}, 3, 3, 5, geometry(1, 1, 1, 1, 1, 1, 1, 1));
             CaseTensors s = dense(p);
             s.filter = cropped_buffer({5, 4, 6, 9}, {1, 1, 2, 3}, p.filter_dims());
             return s;
         }},
        {"filter_k_stride_2",
         [] {
             ConvProblem p = problem({2, 8, 8, 3}, 2, 2, 17, geometry(2, 2));
             CaseTensors s = dense(p);
             s.filter = strided_buffer(p.filter_dims(), gapped_strides(p.filter_dims(), 2, {0, 1, 2, 3}));
             return s;
         }},
        {"filter_inside_input_buffer",  // input and filter may share memory: both are read only
         [] {
             ConvProblem p = problem({1, 6, 7, 3}, 2, 2, 4, geometry(1, 1));
             CaseTensors s = dense(p);
             const int64_t input_size = element_count(p.input_dims());
             s.input = dense_buffer({1, 1, 1, input_size + element_count(p.filter_dims())});
             s.input.view = stridetune::dense(s.input.view.data, p.input_dims());
             s.filter = TestBuffer{};
             s.filter.view = stridetune::dense(s.input.view.data + input_size, p.filter_dims());
             return s;
         }},
        // --- output views (channel stride 1)
        {"output_crop",
         [] {
             ConvProblem p = problem({2, 9, 10, 3}, 3, 3, 6, geometry(1, 1));
             CaseTensors s = dense(p);
             const Dims od = p.output_dims();
             s.output = cropped_buffer({od[0] + 1, od[1] + 2, od[2] + 3, od[3] + 4}, {1, 1, 2, 3}, od);
             return s;
         }},
        {"output_as_strided_wide_w",
         [] {
             ConvProblem p = problem({1, 12, 109 * 2 + 1, 2}, 3, 3, 17, geometry(2, 2, 1, 1, 1, 0, 0, 0));
             CaseTensors s = dense(p);
             s.output = strided_buffer(p.output_dims(), gapped_strides(p.output_dims(), 1, {0, 5, 3, 2}), 11);
             return s;
         }},
        {"output_flipped_h_negative_stride",
         [] {
             ConvProblem p = problem({2, 9, 8, 3}, 2, 3, 5, geometry(1, 1));
             CaseTensors s = dense(p);
             Dims st = gapped_strides(p.output_dims(), 1, {0, 1, 0, 2});
             st[1] = -st[1];
             s.output = strided_buffer(p.output_dims(), st, 5);
             return s;
         }},
        {"all_views_together",
         [] {
             ConvProblem p = problem({2, 13, 11, 3}, 3, 2, 9, geometry(2, 1, 2, 1, 2, 1, 0, 2));
             CaseTensors s = dense(p);
             s.input = strided_buffer(p.input_dims(), gapped_strides(p.input_dims(), 3, {1, 2, 1, 0}), 4);
             s.filter = strided_buffer(p.filter_dims(), gapped_strides(p.filter_dims(), 2, {0, 1, 0, 1}), 3);
             const Dims od = p.output_dims();
             s.output = cropped_buffer({od[0], od[1] + 1, od[2] + 2, od[3] + 3}, {0, 1, 1, 2}, od);
             return s;
         }},
    };
    return cases;
}

using EdgeParam = std::tuple<size_t, ScheduleIsa>;

class EdgeCases : public testing::TestWithParam<EdgeParam> {};

TEST_P(EdgeCases, MatchesReference) {
    const auto &[case_index, kernel] = GetParam();
    if (!cpu_supports(kernel.isa)) GTEST_SKIP() << "CPU lacks " << isa_name(kernel.isa);
    const EdgeCase &edge = edge_cases()[case_index];
    CaseTensors s = edge.make();
    SCOPED_TRACE(edge.name + " at " + test_name(kernel) + ": " + s.problem.describe());

    std::mt19937 rng(uint32_t(case_index) + 1);
    fill_random(s.input.view, rng);
    fill_random(s.filter.view, rng);
    const std::vector<float> input_before = s.input.storage, filter_before = s.filter.storage;
    const ReferenceOutput ref = reference_convolution(s.input.cview(), s.filter.cview(), s.problem.params);
    ASSERT_EQ(ref.dims, s.output.view.dims);

    EXPECT_TRUE(
        forced_convolution_matches(s.input.cview(), s.filter.cview(), s.output.view, s.problem.params, ref, kernel));
    EXPECT_EQ(s.output.touched_outside_view(), 0) << "elements of the output's buffer outside the view were written";
    EXPECT_EQ(s.input.storage, input_before) << "the input was modified";
    EXPECT_EQ(s.filter.storage, filter_before) << "the filter was modified";
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, EdgeCases,
                         testing::Combine(testing::Range(size_t(0), edge_cases().size()),
                                          testing::ValuesIn(every_kernel_at_every_isa())),
                         [](const testing::TestParamInfo<EdgeParam> &info) {
                             return edge_cases()[std::get<0>(info.param)].name + "_" +
                                    test_name(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace stridetune_test
