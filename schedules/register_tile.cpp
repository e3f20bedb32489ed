#include "register_tile.h"

#include <algorithm>

namespace stridetune {

using namespace Halide;

int vector_registers(const Target &target) {
    return target.has_feature(Target::AVX512) ? 32 : 16;
}

RegisterTile derive_register_tile(RegisterTile tile, const Target &target) {
    const int regs = vector_registers(target);
    if (tile.lanes == Lanes::pixels) {
        // Accumulators: channel_width x x_width x rows vectors. Beside them
        // live one input vector and one broadcast filter tap, so
        // channel_width * x_width * rows <= regs - 2: with the default 6
        // channels x 1 vector, 5 rows on AVX-512 (30 of 32), 2 rows on AVX2
        // and SSE4.1 (12 of 16).
        if (tile.x_width == 0) tile.x_width = 1;
        if (tile.rows == 0) tile.rows = std::max(1, (regs - 2) / (tile.channel_width * tile.x_width));
    } else {
        // Accumulators: channel_width vectors x x_width pixels x rows. The
        // channel_width filter vectors stay live across the pixels, plus one
        // broadcast input value: channel_width * (x_width * rows + 1) + 1 <= regs.
        // With 2 vectors of channels: 14 pixels on AVX-512 (31 of 32), 6 on
        // AVX2 and SSE4.1 (15 of 16), the classic 6x16 AVX2 GEMM kernel.
        if (tile.rows == 0) tile.rows = 1;
        if (tile.x_width == 0) {
            tile.x_width = std::max(1, ((regs - 1) / tile.channel_width - 1) / tile.rows);
        }
    }
    return tile;
}

TileLoops schedule_register_tile(StridedConv &a, const RegisterTile &requested, const Target &target) {
    const RegisterTile tile = derive_register_tile(requested, target);
    const int vec = target.natural_vector_size<float>();
    const bool pixel_lanes = tile.lanes == Lanes::pixels;
    const int pixels = pixel_lanes ? tile.x_width * vec : tile.x_width;
    const int channels = pixel_lanes ? tile.channel_width : tile.channel_width * vec;

    Func out = a.output, conv = a.conv;
    Var k = a.k, x = a.x, y = a.y, n = a.n;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), row_tile("row_tile");

    // The output copies the tile out of the accumulators; its edges are
    // guarded, so no shape is too small and nothing past the output is written.
    out.split(y, yo, yi, tile.rows, TailStrategy::GuardWithIf)
        .split(x, xo, xi, pixels, TailStrategy::GuardWithIf)
        .reorder(k, xi, yi, xo, yo, n)
        .fuse(yo, n, row_tile)
        .parallel(row_tile);
    if (pixel_lanes) {
        out.reorder(xi, k, yi, xo, row_tile).vectorize(xi, vec, TailStrategy::GuardWithIf);
    } else {
        out.vectorize(k, vec, TailStrategy::GuardWithIf);
    }

    // The accumulators are computed over whole tiles (RoundUp): past the
    // edges they read zero-padded input and zero filter taps, so the
    // unrolled tile has a constant shape and stays in registers.
    conv.compute_at(out, xo);
    conv.vectorize(pixel_lanes ? x : k, vec, TailStrategy::RoundUp);
    RVar rc = a.r.x, rfx = a.r.y, rfy = a.r.z;
    Var ko("ko"), ki("ki"), kl("kl"), xt("xt"), xin("xin"), xl("xl"), yt("yt"), yin("yin");
    Stage update = conv.update();
    update.split(k, ko, ki, channels, TailStrategy::RoundUp)
        .split(x, xt, xin, pixels, TailStrategy::RoundUp)
        .split(y, yt, yin, tile.rows, TailStrategy::RoundUp);
    if (pixel_lanes) {
        update.split(xin, xin, xl, vec, TailStrategy::GuardWithIf)
            .reorder(ki, xl, xin, yin, rc, rfx, rfy, ko, xt, yt, n)
            .vectorize(xl)
            .unroll(ki);
    } else {
        update.split(ki, ki, kl, vec, TailStrategy::GuardWithIf)
            .reorder(kl, ki, xin, yin, rc, rfx, rfy, ko, xt, yt, n)
            .vectorize(kl)
            .unroll(ki);
    }
    update.unroll(xin).unroll(yin);

    // Filter taps are packed once per call, zero past K.
    a.packed_filter.compute_root().vectorize(k, vec, TailStrategy::RoundUp);
    return {row_tile, xo, pixels, tile.rows};
}

void specialize_common_strides(StridedConv &a) {
    const ConvInputs &in = a.in;
    Expr undilated = in.dilation_x == 1 && in.dilation_y == 1;
    for (int stride : {1, 2}) {
        a.output.specialize(in.stride_x == stride && in.stride_y == stride && undilated);
    }
}

}  // namespace stridetune
