// Bad arguments: each error of the validation. For each, convolve() and
// plan() throw stridetune::Error, the message names the bad field, and no
// buffer (output, input, filter) was written.
#include <sys/mman.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "compare.h"
#include "random_fill.h"
#include "reference.h"
#include "stridetune.h"
#include "test_buffer.h"
#include "thrown_message.h"

namespace stridetune_test {
namespace {

using stridetune::ConstTensor;
using stridetune::ConvParams;
using stridetune::Tensor;
using testing::HasSubstr;

constexpr int64_t int32_max = std::numeric_limits<int32_t>::max();

// A non-null address no process maps (below vm.mmap_min_addr): a kernel that
// touched it would crash, so validation has to reject the call first.
template<typename T>
T *unmapped_address() {
    return reinterpret_cast<T *>(uintptr_t(4096));
}

// A valid call: input 2x9x10x3, filter 3x3x3x4, stride 1 -> output 2x7x8x4.
// Each bad case spoils one argument of it. `spare` is storage for cases that
// need an output elsewhere (a larger buffer, or aliasing input or filter).
struct CallBuffers {
    TestBuffer input = dense_buffer({2, 9, 10, 3});
    TestBuffer filter = dense_buffer({3, 3, 3, 4});
    TestBuffer output = dense_buffer({2, 7, 8, 4});
    TestBuffer spare = dense_buffer({1, 1, 1, 2048});

    ConstTensor input_view;
    ConstTensor filter_view;
    Tensor output_view;
    ConvParams params;

    CallBuffers() {
        std::mt19937 rng(7);
        fill_random(input.view, rng);
        fill_random(filter.view, rng);
        input_view = input.cview();
        filter_view = filter.cview();
        output_view = output.view;
    }

    // Every float of every buffer, to check that nothing was written.
    std::vector<float> snapshot() const {
        std::vector<float> all;
        for (const TestBuffer *b : {&input, &filter, &output, &spare}) {
            all.insert(all.end(), b->storage.begin(), b->storage.end());
        }
        return all;
    }
};

struct BadInput {
    std::string name;
    std::function<void(CallBuffers &)> spoil;
    std::vector<std::string> message_parts;  // substrings the Error's message must contain
};

const std::vector<BadInput> &bad_inputs() {
    static const std::vector<BadInput> cases = {
        // --- null pointers
        {"input_null", [](CallBuffers &b) { b.input_view.data = nullptr; }, {"input", "null"}},
        {"filter_null", [](CallBuffers &b) { b.filter_view.data = nullptr; }, {"filter", "null"}},
        {"output_null", [](CallBuffers &b) { b.output_view.data = nullptr; }, {"output", "null"}},
        // --- geometry
        {"stride_h_zero", [](CallBuffers &b) { b.params.stride_h = 0; }, {"stride_h"}},
        {"stride_w_zero", [](CallBuffers &b) { b.params.stride_w = 0; }, {"stride_w"}},
        {"stride_h_negative", [](CallBuffers &b) { b.params.stride_h = -2; }, {"stride_h"}},
        {"stride_w_negative", [](CallBuffers &b) { b.params.stride_w = -1; }, {"stride_w"}},
        {"stride_w_above_65536", [](CallBuffers &b) { b.params.stride_w = 65537; }, {"stride_w"}},
        {"dilation_h_zero", [](CallBuffers &b) { b.params.dilation_h = 0; }, {"dilation_h"}},
        {"dilation_w_zero", [](CallBuffers &b) { b.params.dilation_w = 0; }, {"dilation_w"}},
        {"dilation_h_negative", [](CallBuffers &b) { b.params.dilation_h = -1; }, {"dilation_h"}},
        {"dilation_w_negative", [](CallBuffers &b) { b.params.dilation_w = -3; }, {"dilation_w"}},
        {"pad_top_negative", [](CallBuffers &b) { b.params.pad_top = -1; }, {"pad_top"}},
        {"pad_left_negative", [](CallBuffers &b) { b.params.pad_left = -1; }, {"pad_left"}},
        {"pad_bottom_negative", [](CallBuffers &b) { b.params.pad_bottom = -1; }, {"pad_bottom"}},
        {"pad_right_negative", [](CallBuffers &b) { b.params.pad_right = -2; }, {"pad_right"}},
        {"pad_top_above_65536", [](CallBuffers &b) { b.params.pad_top = 65537; }, {"pad_top"}},
        // --- shapes
        {"output_n_mismatch", [](CallBuffers &b) { b.output_view.dims[0] = 1; }, {"output", "dims"}},
        {"output_oh_mismatch", [](CallBuffers &b) { b.output_view.dims[1] = 6; }, {"output", "dims"}},
        {"output_ow_mismatch", [](CallBuffers &b) { b.output_view.dims[2] = 7; }, {"output", "dims"}},
        {"output_k_mismatch", [](CallBuffers &b) { b.output_view.dims[3] = 3; }, {"output", "dims"}},
        {"output_size_for_other_stride",  // right for stride 1, the call says stride 2
         [](CallBuffers &b) { b.params.stride_h = 2; },
         {"output", "dims"}},
        {"output_size_ignoring_padding",  // right without padding, the call pads the bottom
         [](CallBuffers &b) { b.params.pad_bottom = 1; },
         {"output", "dims"}},
        {"channel_mismatch", [](CallBuffers &b) { b.filter_view.dims[2] = 2; }, {"input", "filter", "channels"}},
        {"empty_effective_input",  // 2 rows, a 3-row filter, no padding
         [](CallBuffers &b) {
             b.input_view.dims[1] = 2;
             b.output_view.dims[1] = 1;
         },
         {"input", "empty"}},
        {"empty_effective_input_dilated",  // 9 rows, a 3-row filter dilated by 5 spans 11
         [](CallBuffers &b) {
             b.params.dilation_h = 5;
             b.output_view.dims[1] = 1;
         },
         {"input", "empty", "dilation_h"}},
        {"input_dim_zero", [](CallBuffers &b) { b.input_view.dims[2] = 0; }, {"input", "dims"}},
        {"filter_dim_negative", [](CallBuffers &b) { b.filter_view.dims[0] = -3; }, {"filter", "dims"}},
        {"output_dim_zero", [](CallBuffers &b) { b.output_view.dims[0] = 0; }, {"output", "dims"}},
        // --- aliasing
        {"output_is_input",
         [](CallBuffers &b) { b.output_view.data = b.input.view.data; },  // 448 floats within the input's 540
         {"output", "overlaps the input"}},
        {"output_overlaps_last_input_element",
         [](CallBuffers &b) {
             // An input view (540 floats) at spare's start, the output
             // (448 floats) starting on its last element.
             b.input_view = {b.spare.view.data, b.input_view.dims, b.input_view.strides};
             b.output_view.data = b.spare.view.data + 539;
         },
         {"output", "overlaps the input"}},
        {"output_overlaps_input_from_below",
         [](CallBuffers &b) {
             // The output (448 floats) ends on the input's first element.
             b.output_view.data = b.spare.view.data;
             b.input_view = {b.spare.view.data + 447, b.input_view.dims, b.input_view.strides};
         },
         {"output", "overlaps the input"}},
        {"output_overlaps_filter",
         [](CallBuffers &b) {
             // The filter (108 floats) at spare's start, the output on its last element.
             b.filter_view = {b.spare.view.data, b.filter_view.dims, b.filter_view.strides};
             b.output_view.data = b.spare.view.data + 107;
         },
         {"output", "overlaps the filter"}},
        {"output_interleaved_overlapping_input",  // input channels at offsets 0,2,4, output channels at 1-4
         [](CallBuffers &b) {
             b.input_view = {b.spare.view.data, {2, 7, 8, 3}, {448, 64, 8, 2}};
             b.filter_view.dims[2] = 3;
             b.params.pad_top = b.params.pad_bottom = b.params.pad_left = b.params.pad_right = 1;
             b.output_view = {b.spare.view.data + 1, {2, 7, 8, 4}, {448, 64, 8, 1}};
         },
         {"output", "overlaps the input"}},
        // --- layout
        {"output_channel_stride_2",
         [](CallBuffers &b) { b.output_view = {b.spare.view.data, {2, 7, 8, 4}, {448, 64, 8, 2}}; },
         {"output", "channel stride"}},
        {"output_channel_stride_0", [](CallBuffers &b) { b.output_view.strides[3] = 0; }, {"output", "channel stride"}},
        {"output_channel_stride_negative",
         [](CallBuffers &b) {
             b.output_view = {b.spare.view.data + 3, {2, 7, 8, 4}, {448, 64, 8, -1}};
         },
         {"output", "channel stride"}},
        // --- 32-bit indexing of the kernels (fake pointers: nothing may be read)
        {"input_extent_above_int32",
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {1, int32_max + 1, 1, 3}, {0, 3, 3, 1}};
         },
         {"input", "32-bit"}},
        {"input_stride_above_int32",
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 9, 10, 3}, {int32_max + 1, 30, 3, 1}};
         },
         {"input", "32-bit"}},
        {"input_negative_stride_below_int32",
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 9, 10, 3}, {-(int32_max + 2), 30, 3, 1}};
         },
         {"input", "32-bit"}},
        {"input_stride_int64_min",
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(),
                             {2, 9, 10, 3},
                             {std::numeric_limits<int64_t>::min(), 30, 3, 1}};
         },
         {"input", "32-bit"}},
        {"input_span_above_int32",  // 30000 x 30000 x 3 dense: each extent and stride fits, the span does not
         [](CallBuffers &b) {
             b.input_view = stridetune::dense(unmapped_address<const float>(), {1, 30000, 30000, 3});
             b.output_view.dims = {1, 29998, 29998, 4};
         },
         {"input", "32-bit"}},
        {"filter_extent_above_int32",
         [](CallBuffers &b) {
             b.filter_view = {unmapped_address<const float>(), {3, 3, 3, int32_max + 1}, {0, 0, 0, 1}};
         },
         {"filter", "32-bit"}},
        {"output_span_above_int32",
         [](CallBuffers &b) {
             // The input spans 1.9e9 elements (accepted), the output 2.5e9.
             b.input_view = stridetune::dense(unmapped_address<const float>(), {1, 25000, 25000, 3});
             b.output_view = stridetune::dense(unmapped_address<float>(), {1, 24998, 24998, 4});
         },
         {"output", "32-bit"}},
        // Each tensor fits 32 bits, the padded and strided coordinates do not
        // (they wrapped: wrong results). Taps dense enough not to be gathered.
        {"padded_rows_above_int32",
         [](CallBuffers &b) {
             b.input_view = stridetune::dense(unmapped_address<const float>(), {1, int32_max - 10, 1, 1});
             b.filter_view = stridetune::dense(unmapped_address<const float>(), {1, 1, 1, 1});
             b.output_view = stridetune::dense(unmapped_address<float>(), {1, (int32_max - 10 + 16 - 1) / 2 + 1, 1, 1});
             b.params = {};
             b.params.stride_h = 2;
             b.params.pad_top = b.params.pad_bottom = 8;
         },
         {"input", "along H", "params.stride_h 2", "params.pad_top 8", "params.pad_bottom 8", "32-bit"}},
        {"padded_columns_above_int32",
         [](CallBuffers &b) {
             b.input_view = stridetune::dense(unmapped_address<const float>(), {1, 1, int32_max - 10, 1});
             b.filter_view = stridetune::dense(unmapped_address<const float>(), {1, 1, 1, 1});
             b.output_view = stridetune::dense(unmapped_address<float>(), {1, 1, (int32_max - 10 + 16 - 1) / 2 + 1, 1});
             b.params = {};
             b.params.stride_w = 2;
             b.params.pad_left = b.params.pad_right = 8;
         },
         {"input", "along W", "params.stride_w 2", "params.pad_left 8", "32-bit"}},
        {"input_extent_times_stride_above_int32",  // Halide's per-dimension rule: 2 x INT32_MAX
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {2, 1, 1, 1}, {int32_max, 1, 1, 1}};
             b.filter_view.dims = {1, 1, 1, 4};
             b.output_view.dims = {2, 1, 1, 4};
         },
         {"input", "32-bit"}},
        {"input_extent_product_above_int32",  // a broadcast view: one float, 2^32 elements
         [](CallBuffers &b) {
             b.input_view = {unmapped_address<const float>(), {1, 65536, 65536, 1}, {0, 0, 0, 0}};
             b.filter_view.dims = {1, 1, 1, 4};
             b.output_view.dims = {1, 65536, 65536, 4};
         },
         {"input", "32-bit"}},
        {"output_overlaps_itself",
         [](CallBuffers &b) { b.output_view.strides[1] = b.output_view.strides[2]; },
         {"output", "share memory"}},
    };
    return cases;
}


class BadInputs : public testing::TestWithParam<size_t> {};

TEST_P(BadInputs, ThrowNamingTheFieldAndWriteNothing) {
    const BadInput &bad = bad_inputs()[GetParam()];
    CallBuffers b;
    bad.spoil(b);
    const std::vector<float> before = b.snapshot();

    // plan() first: it validates without running a kernel, so a call that
    // wrongly passes validation is reported without touching a fake pointer.
    bool plan_threw = false;
    const std::string plan_message = thrown_message(
        [&] { stridetune::plan(b.input_view, b.filter_view, b.output_view, b.params); }, plan_threw);
    ASSERT_TRUE(plan_threw) << "plan() accepted the bad call (" << plan_message << ")";
    for (const std::string &part : bad.message_parts) EXPECT_THAT(plan_message, HasSubstr(part));
    EXPECT_THAT(plan_message, testing::StartsWith("stridetune: "));

    bool convolve_threw = false;
    const std::string message = thrown_message(
        [&] { stridetune::convolve(b.input_view, b.filter_view, b.output_view, b.params); }, convolve_threw);
    ASSERT_TRUE(convolve_threw) << message;
    for (const std::string &part : bad.message_parts) EXPECT_THAT(message, HasSubstr(part));
    EXPECT_EQ(message, plan_message) << "plan() and convolve() report the same error";

    const std::vector<float> after = b.snapshot();
    int64_t written = 0;
    for (size_t i = 0; i < before.size(); i++) written += !same_bits(before[i], after[i]);
    EXPECT_EQ(written, 0) << "floats of the output, input or filter buffers changed";
    EXPECT_EQ(b.output.touched_anywhere(), 0);
}

INSTANTIATE_TEST_SUITE_P(EveryError, BadInputs, testing::Range(size_t(0), bad_inputs().size()),
                         [](const testing::TestParamInfo<size_t> &info) { return bad_inputs()[info.param].name; });

// The call every bad case spoils is itself valid and computed right, so each
// error above comes from the one spoiled argument.
TEST(BadInputBaseline, UnspoiledCallIsValidAndCorrect) {
    CallBuffers b;
    const ReferenceOutput ref = reference_convolution(b.input_view, b.filter_view, b.params);
    ASSERT_NO_THROW(stridetune::plan(b.input_view, b.filter_view, b.output_view, b.params));
    ASSERT_NO_THROW(stridetune::convolve(b.input_view, b.filter_view, b.output_view, b.params));
    EXPECT_TRUE(matches_reference(b.output_view, ref));
}

// The overlap test is exact: an output that starts right after the input's
// last element, or ends right before the filter's first, in one allocation, is accepted.
TEST(BadInputBaseline, AdjacentButDisjointBuffersAreAccepted) {
    CallBuffers b;
    TestBuffer shared = dense_buffer({1, 1, 1, 540 + 448 + 108});
    float *base = shared.view.data;
    std::copy(b.input.storage.begin(), b.input.storage.end(), base);
    std::copy(b.filter.storage.begin(), b.filter.storage.end(), base + 540 + 448);
    const ConstTensor input{base, b.input_view.dims, b.input_view.strides};
    const ConstTensor filter{base + 540 + 448, b.filter_view.dims, b.filter_view.strides};
    const Tensor output{base + 540, b.output_view.dims, b.output_view.strides};
    const ReferenceOutput ref = reference_convolution(input, filter, b.params);
    ASSERT_NO_THROW(stridetune::convolve(input, filter, output, b.params));
    EXPECT_TRUE(matches_reference(output, ref));
}

}  // namespace
}  // namespace stridetune_test
