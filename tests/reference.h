// An independent naive reference for stridetune's convolution: the textbook
// seven-deep loop over the definition, accumulated in double. It shares no
// code with the library, only the public types TensorView and ConvParams, and
// reads the views through their strides, so it accepts any non-contiguous or
// negatively strided view the library accepts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "stridetune.h"

namespace stridetune_test {

// Output extent along one axis: floor((in + pads - dilation*(filter-1) - 1) / stride) + 1,
// or 0 when the padded input is shorter than the dilated filter (empty effective input).
int64_t reference_output_extent(int64_t in, int64_t filter, int64_t stride, int64_t dilation, int64_t pad_begin,
                                int64_t pad_end);

// The exact-as-double convolution and, per element, what its float error bound needs.
struct ReferenceOutput {
    std::array<int64_t, 4> dims{};  // N, OH, OW, K
    int64_t reduction_length = 0;   // R = FH * FW * C, the terms summed per element
    std::vector<double> value;      // dense NHWC: sum of input * filter
    std::vector<double> abs_sum;    // dense NHWC: sum of |input * filter|

    int64_t index(int64_t n, int64_t y, int64_t x, int64_t k) const {
        return ((n * dims[1] + y) * dims[2] + x) * dims[3] + k;
    }
};

// output[n][oy][ox][k] = sum over fy, fx, c of
//   input[n][oy*sh + fy*dh - pt][ox*sw + fx*dw - pl][c] * filter[fy][fx][c][k], zero outside the input.
// input NHWC and filter HWIO are read through their strides. The output size
// follows reference_output_extent (both extents must be positive).
// In `groups` groups, output channel k is group g = k / (K / groups)'s, and
// sums over c < C / groups of input channel g * C / groups + c by
// filter[fy][fx][c][k] (the filter's dims [FH][FW][C / groups][K]).
ReferenceOutput reference_convolution(const stridetune::ConstTensor &input, const stridetune::ConstTensor &filter,
                                      const stridetune::ConvParams &params, int64_t groups = 1);

// "" if `output` (dense NHWC, the reference's dims) matches the reference to
// 1e-4 * (1 + sum|terms|) per element, else the first mismatch. Looser than
// the tests' error bound (compare.h): for tools that check a result once
// before timing it (benchmarks, the tuner).
std::string first_mismatch(const float *output, const ReferenceOutput &ref);

// Applies `post_ops` (stridetune/post_ops.h) to a reference output in place,
// in double, in the documented order:
//   v = conv + bias[k]; v += sum * residual[n][oy][ox][k];
//   v = v < 0 ? v * relu : v; v = min(max(v, clip.lower), clip.upper).
// `bias` holds ref.dims[3] values (every group's channels), read only when
// post_ops.bias; `residual` (the output's dims, read through its strides) is
// read only when post_ops.sum. Either may be null when its post-op is unset.
// The error allowance follows (compare.h's error_bound): the bias and the
// scaled residual count as two more terms of the sum (abs_sum grows by their
// magnitudes, reduction_length by one each), the negative slope as one more
// rounding (reduction_length + 1, abs_sum scaled by max(1, |relu|), as the
// slope scales the error before it); the clip, 1-Lipschitz and exact, adds
// none. Throws std::invalid_argument for a missing bias or residual, or a
// residual of other dims.
void apply_post_ops(const stridetune::PostOps &post_ops, const float *bias, const stridetune::ConstTensor *residual,
                    ReferenceOutput &ref);

}  // namespace stridetune_test
