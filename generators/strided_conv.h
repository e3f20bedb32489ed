// The strided 2-D convolution, defined once. Every schedule and every
// autoscheduled baseline is applied to these Funcs; none restates the math.
#pragma once

#include "Halide.h"

namespace stridetune {

// Layouts, innermost dimension first (Halide's order):
//   input  (c, x, y, n)    = NHWC
//   filter (k, c, fx, fy)  = HWIO, the caller's
//   packed filter (kb, c, fx, fy, ko): the filter blocked by `block` output
//          channels, k = ko * block + kb, zero past the last one
//   output (k, x, y, n)    = NHWC
//   bias (k), residual (k, x, y, n): the post-ops' (PostOpInputs)
//
// The filter is packed once (its own pipeline, define_packed_filter) and
// the kernels read the packed filter, so that a tile of `block` output
// channels reads its taps from one contiguous run of memory.
struct PackedFilter {
    Halide::Var kb{"kb"}, c{"c"}, fx{"fx"}, fy{"fy"}, ko{"ko"};
    Halide::Func packed{"packed_filter"};
};

PackedFilter define_packed_filter(const Halide::Func &filter, const Halide::Expr &out_channels,
                                  const Halide::Expr &block);

// How the input's border is read.
enum class Padding {
    // Zero outside [0, W) x [0, H): any problem's padding.
    zeros,
    // The input read in place, with no test: a kernel of this kind serves
    // only problems whose every tap falls inside the input (no padding), and
    // its bounds query says so for any other.
    none,
};

// How the output's pixel dimension x indexes the convolution's pixels.
enum class PixelOrder {
    // x and y are the output's column and row.
    grid,
    // The output arrives with its pixels flattened, one row an image
    // (kernel_geometry.h: flattened()): x runs over the image's pixels row
    // after row, so a register tile runs on across the ends of the rows
    // instead of computing past them (13 pixels wide, 7-pixel tiles fill
    // 97% of the tiles' pixels, not 13/14).
    flat,
};

// Which input channels an output channel's reduction reads.
enum class Grouping {
    // Every one: the reduction runs over the input's C channels.
    dense,
    // Its own: output channel k reads input channel k alone (g = C = K),
    // the filter one channel deep. Nothing here reads a channel past C, so
    // a schedule's tiles must stay inside the K channels.
    depthwise,
};

// What the output does with the convolution, fused into the store of its
// tiles: conv + bias, then + sum_scale * residual, then the activation
// clamp(v < 0 ? v * relu_slope : v, clip_lower, clip_upper)
// (stridetune/post_ops.h). The bias starts every reduction, so every call
// adds it (zeros where the caller gave none); the rest applies where
// `enabled`, each post-op left out given as its identity (a zero
// residual, slope 1, infinite bounds). Schedules specialise their common
// branches on `enabled`, so that a call without post-ops runs none of
// their operations (register_tile.cpp).
struct PostOpInputs {
    Halide::Func bias;      // (k), K rounded up to the filter's blocks
    Halide::Func residual;  // (k, x, y, n), the output's shape
    Halide::Expr enabled, sum_scale, relu_slope, clip_lower, clip_upper;
};

struct ConvInputs {
    Halide::Func input;
    Grouping grouping;
    Padding padding;
    PixelOrder pixel_order;
    // The convolution's output width: a flat output's row length.
    Halide::Expr out_width;
    Halide::Expr in_channels, in_width, in_height;
    // Element strides of the input's channel and pixel dimensions: schedules
    // specialise on dense layouts to turn strided loads into shuffles.
    Halide::Expr in_channel_stride, in_pixel_stride;
    // The packed filter, blocked by `filter_block` channels (a constant).
    Halide::Func packed_filter;
    int filter_block;
    Halide::Expr filter_width, filter_height;
    Halide::Expr stride_x, stride_y, dilation_x, dilation_y, pad_left, pad_top;
    // The reduction runs only the filter rows whose taps read inside the
    // input (with Padding::zeros and PixelOrder::grid): the taps skipped
    // read zero padding, so the sum is the same. Schedules whose tile holds
    // one output row ask for it (stridetune/tile_shape.h).
    bool skips_padding_rows;
    PostOpInputs post_ops;
};

struct StridedConv {
    Halide::Var k{"k"}, x{"x"}, y{"y"}, n{"n"};
    // Free variables of the views, named after the dimension they index.
    Halide::Var c{"c"}, fx{"fx"}, fy{"fy"}, xq{"xq"}, phase{"phase"};
    // Reduction over (c, fx, fy), c innermost as in memory; c has one value
    // (0) where depthwise.
    Halide::RDom r;

    ConvInputs in;
    // The input, zero outside [0, W) x [0, H) (Padding::zeros), or the
    // input itself (Padding::none).
    Halide::Func padded{"padded"};
    // The padded input with its columns split by their phase modulo the
    // stride, x = xq * stride_x + phase - pad_left: a vector over output x
    // reads consecutive xq, so staging this view keeps loads dense.
    Halide::Func column_phases{"column_phases"};
    // The numpy answer's as_strided view: patch (c, fx, fy) of output pixel
    // (x, y, n). Materialised, it is the im2col patch matrix.
    Halide::Func strided_view{"strided_view"};
    // Tap (c, fx, fy) of output channel k, read from the packed filter: zero
    // past the last output channel, so that register tiles over k may round K up.
    Halide::Func filter_tap{"filter_tap"};
    // The contraction of the view with the filter, from the bias.
    Halide::Func conv{"conv"};
    // conv through the post-ops (PostOpInputs).
    Halide::Func output{"output"};
};

StridedConv define_strided_conv(const ConvInputs &in);

}  // namespace stridetune
