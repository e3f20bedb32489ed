#include "strided_conv.h"

namespace stridetune {

using namespace Halide;

PackedFilter define_packed_filter(const Func &filter, const Expr &out_channels, const Expr &block) {
    PackedFilter p;
    const Expr k = p.ko * block + p.kb;
    p.packed(p.kb, p.c, p.fx, p.fy, p.ko) =
        select(k < out_channels, filter(clamp(k, 0, out_channels - 1), p.c, p.fx, p.fy), 0.0f);
    return p;
}

StridedConv define_strided_conv(const ConvInputs &in) {
    StridedConv a;
    a.in = in;
    Var c = a.c, fx = a.fx, fy = a.fy, k = a.k, x = a.x, y = a.y, n = a.n;

    if (in.padding == Padding::none) {
        a.padded(c, x, y, n) = in.input(c, x, y, n);
    } else {
        // likely() lets Halide split the loops that stage it into the border
        // and an interior copied without the test, as BoundaryConditions does.
        const Expr inside = x >= 0 && x < in.in_width && y >= 0 && y < in.in_height;
        const Expr column = clamp(likely(x), 0, in.in_width - 1), row = clamp(likely(y), 0, in.in_height - 1);
        a.padded(c, x, y, n) = select(inside, in.input(c, column, row, n), 0.0f);
    }

    a.column_phases(a.xq, a.phase, c, y, n) = a.padded(c, a.xq * in.stride_x + a.phase - in.pad_left, y, n);

    Expr tap_x = fx * in.dilation_x;
    a.strided_view(c, fx, fy, x, y, n) =
        a.column_phases(x + tap_x / in.stride_x, tap_x % in.stride_x, c,
                        y * in.stride_y + fy * in.dilation_y - in.pad_top, n);

    a.filter_tap(k, c, fx, fy) = in.packed_filter(k % in.filter_block, c, fx, fy, k / in.filter_block);

    // The convolution's pixel at the output's (x, y); a flat output's y is 0.
    const bool flat = in.pixel_order == PixelOrder::flat;
    const Expr column = flat ? x % in.out_width : Expr(x);
    const Expr row = flat ? x / in.out_width : Expr(y);
    const bool depthwise = in.grouping == Grouping::depthwise;
    a.r = RDom(0, depthwise ? Expr(1) : in.in_channels, 0, in.filter_width, 0, in.filter_height, "r");
    if (in.skips_padding_rows && in.padding == Padding::zeros && !flat) {
        const Expr input_row = row * in.stride_y + a.r.z * in.dilation_y - in.pad_top;
        a.r.where(input_row >= 0 && input_row < in.in_height);
    }
    const PostOpInputs &post = in.post_ops;
    a.conv(k, x, y, n) = post.bias(k);
    const Expr in_channel = depthwise ? k + a.r.x : Expr(a.r.x);
    a.conv(k, x, y, n) +=
        a.filter_tap(k, a.r.x, a.r.y, a.r.z) * a.strided_view(in_channel, a.r.y, a.r.z, column, row, n);

    const Expr summed = a.conv(k, x, y, n) + post.sum_scale * post.residual(k, x, y, n);
    const Expr activated = clamp(select(summed < 0.0f, summed * post.relu_slope, summed), post.clip_lower,
                                 post.clip_upper);
    a.output(k, x, y, n) = select(post.enabled, activated, a.conv(k, x, y, n));
    return a;
}

}  // namespace stridetune
