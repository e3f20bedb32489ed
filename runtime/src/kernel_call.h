// Calling a generated kernel: its tensors as halide_buffer_ts, Halide's
// error and thread-pool hooks, and the bounds query that says what a kernel
// needs of its tensors before it runs.
#pragma once

#include <HalideRuntime.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "kernel_table.h"
#include "stridetune/descriptor.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/post_ops.h"
#include "stridetune/tensor.h"

namespace stridetune::detail {

// A filter in the layout define_packed_filter() makes: dense, its dims
// (kb, c, fx, fy, ko) innermost first; and its bias, extents[0] *
// extents[4] values (the output channels rounded up to whole blocks).
struct PackedFilterView {
    const float *data = nullptr;
    std::array<int32_t, 5> extents{};
    // Laid out for a depthwise kernel (packed_filter_storage_order()).
    bool depthwise = false;
    const float *bias = nullptr;
    int32_t bias_extent() const { return extents[0] * extents[4]; }
};

// The post-ops' scalars as the kernels take them (PostOpInputs,
// generators/strided_conv.h): each one left out is the identity.
struct KernelPostOps {
    bool enabled = false;
    float sum_scale = 0.0f, relu_slope = 1.0f;
    float clip_lower = -std::numeric_limits<float>::infinity(), clip_upper = std::numeric_limits<float>::infinity();
};
inline KernelPostOps kernel_post_ops(const PostOps &p) {
    KernelPostOps k;
    k.enabled = p.sum || p.relu || p.clip;
    if (p.sum) k.sum_scale = *p.sum;
    if (p.relu) k.relu_slope = *p.relu;
    if (p.clip) k.clip_lower = p.clip->lower, k.clip_upper = p.clip->upper;
    return k;
}

// A tensor as a halide_buffer_t. Halide orders dimensions innermost first;
// the dims live here, so a HalideBuffer is neither copied nor moved.
struct HalideBuffer {
    halide_dimension_t dims[5];
    halide_buffer_t buffer;

    explicit HalideBuffer(const ConstTensor &t);
    explicit HalideBuffer(const Tensor &t) : HalideBuffer(ConstTensor{t.data, t.dims, t.strides}) {}
    explicit HalideBuffer(const PackedFilterView &filter);
    // A 1-D run of `extent` floats (a bias).
    HalideBuffer(const float *data, int32_t extent);
    HalideBuffer(const HalideBuffer &) = delete;
    // Bounds-query mode: a kernel fills in what it needs of the buffer.
    void make_query() { buffer.host = nullptr; }
};

// The buffers of one kernel call. The residual has the output's dims.
struct KernelCall {
    HalideBuffer input, filter, bias, residual, output;
    KernelPostOps post_ops;

    KernelCall(const ConstTensor &input, const PackedFilterView &filter, const Tensor &output,
               const ConstTensor &residual, const KernelPostOps &post_ops)
        : input(input), filter(filter), bias(filter.bias, filter.bias_extent()), residual(residual), output(output),
          post_ops(post_ops) {}

    // Runs the kernel on the calling thread alone (parallel false) or on
    // the pool's threads, by its parallel loop or in `bands` of the output
    // (output_bands()); out_width is the convolution's (the kernel
    // problem's). Returns Halide's status; halide_error() holds the message
    // of a failure.
    int run(const Kernel &kernel, const ConvParams &geometry, int64_t out_width, bool parallel,
            const std::optional<OutputBands> &bands);

private:
    // One call of the kernel from `in` into `out` (the input and the
    // output, or a band of their images; the residual's the output's).
    int run_into(const Kernel &kernel, const ConvParams &geometry, int64_t out_width, bool parallel,
                 halide_buffer_t &in, halide_buffer_t &residual_in, halide_buffer_t &out);
};

// The last message Halide reported on this thread.
const std::string &halide_error();

// Installs the error handler and the thread-pool hook (once).
void install_halide_handlers();

// The output tensor `kernel` takes: `output` flattened for a kernel of
// flat output (whose rows must follow one another, rows_follow()), else
// `output` itself.
Tensor kernel_output(const Kernel &kernel, const Tensor &output);

// What `kernel` needs to run `problem` (the kernel's problem) with
// `geometry`: the extents of its packed filter, or why it cannot run it (a
// kernel whose tiles would reach past the tensors).
struct KernelNeeds {
    PackedFilterView filter;  // data null
    std::string refusal;      // "" when it can run the problem
};
KernelNeeds kernel_needs(const Kernel &kernel, const ConvDescriptor &problem, const ConvParams &geometry);

}  // namespace stridetune::detail
