// The geometry a kernel receives, and therefore which of its specialised
// branches runs: one rule, followed by the runtime (which passes it), the
// generators (which specialise on it) and the tuner (which compiles and
// times only the branch the library will run).
#pragma once

#include <cstdint>

#include "conv_params.h"
#include "descriptor.h"
#include "tensor.h"

namespace stridetune {

// Strides compiled as constants (undilated, the same along both axes);
// any other geometry runs the general branch with runtime values.
inline constexpr int specialized_strides[] = {1, 2};

// Whether a kernel given this stride and dilation runs the branch
// specialised for `stride`. A template, so that the generators state the
// same condition on Halide expressions (their specialize() predicate) as
// the runtime and the tuner on ints.
template<typename Value>
auto runs_stride_branch(int stride, const Value &stride_x, const Value &stride_y, const Value &dilation_x,
                        const Value &dilation_y) {
    return stride_x == stride && stride_y == stride && dilation_x == 1 && dilation_y == 1;
}

// A stride along an axis with one output, or a dilation along a filter
// axis of one tap, multiplies only zero, so it is passed as 1: the result
// is the same, the specialised code runs more often, and no staging is
// sized by a huge stride.
ConvParams kernel_geometry(const ConvParams &params, int64_t out_h, int64_t out_w, int64_t filter_h,
                           int64_t filter_w);

// Along an axis where the filter's taps read few of the rows (columns) that
// they span, a kernel's staging, sized by the span, would be mostly unread
// rows and padding: a stride or dilation far beyond the filter, across
// large pads. There the taps are gathered first: row oy * FH + fy of a
// dense input is input row oy * sh + fy * dh - pt (zero outside the input),
// and the kernel runs that problem, with stride FH, dilation 1 and no
// padding along the axis. Gathered when the span exceeds gather_sparsity
// times the taps read, so an ordinary layer (3x3, strides 1-2, a 1x1 of
// stride up to 4) is never gathered.
inline constexpr int64_t gather_sparsity = 4;

struct GatheredAxes {
    bool rows = false, columns = false;
    explicit operator bool() const { return rows || columns; }
};
GatheredAxes gathered_axes(const ConvDescriptor &problem);

// The problem a kernel runs for `problem`: its taps gathered along
// gathered_axes(problem), if any.
ConvDescriptor gathered_problem(const ConvDescriptor &problem);

// Writes gathered_problem(problem)'s dense NHWC input, read from `input`
// (the problem's) through its strides.
void gather_taps(const ConvDescriptor &problem, const TensorView<const float> &input, float *gathered);

// What a kernel receives for `problem`: the geometry above of
// gathered_problem(problem).
ConvParams kernel_geometry(const ConvDescriptor &problem);

// The stride whose specialised branch a kernel given `geometry` (a
// kernel_geometry() result) runs: one of specialized_strides, or 0 for the
// general branch.
int specialized_stride(const ConvParams &geometry);

}  // namespace stridetune
