// The geometry a kernel receives, and therefore which of its specialised
// branches runs: one rule, followed by the runtime (which passes it), the
// generators (which specialise on it) and the tuner (which compiles and
// times only the branch the library will run).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "conv_params.h"
#include "descriptor.h"
#include "isa.h"
#include "parameters.h"
#include "tensor.h"

namespace stridetune {

// The input positions that `outputs` consecutive outputs read along one
// axis (integers, or Halide expressions in the schedules).
template<typename T>
T input_span(const T &outputs, const T &stride, const T &taps, const T &dilation) {
    return (outputs - 1) * stride + (taps - 1) * dilation + 1;
}

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

// A 1x1 filter of stride 1 without padding reads, for each output pixel,
// the input pixel at its own position. So where each image's rows follow
// one another in a tensor (a row's stride is its width times the pixel
// stride), an image's pixels are one row of oh * ow, and the kernel runs
// that problem: its register tiles run on across the ends of the rows
// instead of computing past them (a 5x5 output fills two 14-pixel tiles,
// not five; measured 4.4x faster on 5x5 outputs of 65 and 207 channels,
// AMD Zen 5, 2 threads). oneDNN and XNNPACK run such layers as one GEMM
// over the pixels alike.
bool flattens_pixels(const ConvDescriptor &problem);

// Whether `t`'s rows follow one another, so that flattened(t) views it.
template<typename T>
bool rows_follow(const TensorView<T> &t) {
    return t.dims[1] == 1 || t.strides[1] == t.dims[2] * t.strides[2];
}

// `t` (N, H, W, C) as (N, 1, H * W, C); `t` must satisfy rows_follow.
template<typename T>
TensorView<T> flattened(const TensorView<T> &t) {
    return {t.data,
            {t.dims[0], 1, t.dims[1] * t.dims[2], t.dims[3]},
            {t.strides[0], t.dims[1] * t.dims[2] * t.strides[2], t.strides[2], t.strides[3]}};
}

// Whether a kernel of these generator parameters was built with
// pixel_order=flat: it takes the output flattened (above), its rows
// following one another, and finds a pixel's row and column from the
// convolution's output width.
bool takes_flat_output(const Parameters &kernel_parameters);

// Whether a kernel of these generator parameters was built with
// grouping=depthwise: it runs depthwise problems (ConvDescriptor::depthwise())
// whole, and no other.
bool computes_depthwise(const Parameters &kernel_parameters);

// The packed filter's dimensions, in Halide's order: a block's lanes (the
// filter block's output channels), C, FW, FH, blocks. Their order in
// memory, innermost first: a dense kernel's blocks outermost, each block's
// taps together as its tile reads them; a depthwise kernel's blocks next to
// their lanes, so that a tap's channels are consecutive and a tile of
// channels loads them as one vector wherever it starts (its last tile
// shifts inwards, off the blocks' boundaries: one past K would read past
// the input's channels).
inline std::array<int, 5> packed_filter_storage_order(bool depthwise) {
    if (depthwise) return {0, 4, 1, 2, 3};
    return {0, 1, 2, 3, 4};
}

// The element strides of a packed filter of `extents` (integers, or Halide
// expressions in the generators).
template<typename T>
std::array<T, 5> packed_filter_strides(const std::array<T, 5> &extents, bool depthwise) {
    std::array<T, 5> strides;
    T stride = T(1);
    for (int d : packed_filter_storage_order(depthwise)) {
        strides[size_t(d)] = stride;
        stride = stride * extents[size_t(d)];
    }
    return strides;
}

// A kernel that stages its whole padded input before its tiles run
// (staged=image) and hands out tiles of rows or of pixels (outer=rows or
// tiles) runs `kernel_problem` on T threads as T bands of its output, each
// band a call on one thread that stages only the rows the band reads, if
// one image staged fits in a core's private cache: staged once in
// parallel, it stays in the cache of the core that wrote it and the other
// core's tiles miss to it (a 13x13 3x3 layer of 20 channels ran 1.5x
// slower on 2 threads than on 1, in bands 1.2x faster: direct_flat, AMD
// Zen 5). The bands run a few images at a time, as many as stage within
// that cache, each round a problem of its own: a minibatch staged whole
// was read back from the shared cache or memory (at minibatch 8,
// direct_staged_image ran ResNet-50's conv1, 5 MB staged, 1.37x slower
// than image by image, and res2a_branch2b 1.27x; 2 threads). A larger
// image is read from the shared cache either way, and the kernel's own
// loop, whose many tasks go to threads as they come free, makes up for a
// delayed thread where T bands cannot (direct_staged_image on ResNet-50's
// conv1, 3.4 MB staged, ran 1.1-1.25x slower in bands).
struct OutputBands {
    int dimension;  // the output's (innermost first) the bands divide: 1 a flat output's pixels, else 2, its rows
    int unit;       // a band is a whole number of tiles along it: the tile's pixels or rows
    int images;     // the images (the output's dimension 3) one round of bands covers, at least 1
};
std::optional<OutputBands> output_bands(const Parameters &kernel_parameters, Isa isa,
                                        const ConvDescriptor &kernel_problem, int64_t private_cache_bytes);

// The problem a kernel runs for `problem`: its pixels flattened
// (flattens_pixels), or its taps gathered (gathered_problem), or itself.
ConvDescriptor kernel_problem(const ConvDescriptor &problem);

// What a kernel receives for `problem`: the geometry above of
// kernel_problem(problem).
ConvParams kernel_geometry(const ConvDescriptor &problem);

// The stride whose specialised branch a kernel given `geometry` (a
// kernel_geometry() result) runs: one of specialized_strides, or 0 for the
// general branch.
int specialized_stride(const ConvParams &geometry);

}  // namespace stridetune
