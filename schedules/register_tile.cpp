#include "register_tile.h"

#include <algorithm>

#include "stridetune/isa.h"
#include "stridetune/kernel_geometry.h"

namespace stridetune {

using namespace Halide;

namespace {

// The ISA level whose register file the target has.
Isa isa_of(const Target &target) {
    return target.has_feature(Target::AVX512) ? Isa::avx512 : target.has_feature(Target::AVX2) ? Isa::avx2 : Isa::sse41;
}

// Compiles each of specialized_strides as constants (kernel_geometry.h);
// any other geometry runs the same schedule with runtime values.
void specialize_common_strides(const ConvInputs &in, Stage stage) {
    for (int stride : specialized_strides) {
        stage.specialize(runs_stride_branch(stride, in.stride_x, in.stride_y, in.dilation_x, in.dilation_y));
    }
}

// The common strides as above, each compiled twice: with the post-ops and
// without them (Halide substitutes the bool), so that a call without
// post-ops runs none of their operations. Always computed, they cost
// MobileNet's depthwise layers 7% and ResNet-50's 1x1 layers of 64
// channels 5% (AMD Zen 4, 1 thread). Elsewhere (other geometries, outputs
// smaller than a tile) the store computes both and selects: doubling every
// branch took the kernels 2.3x as long to compile, these 1.5x (AMD Zen 4).
void specialize_common_strides_and_post_ops(const ConvInputs &in, Stage stage) {
    for (int stride : specialized_strides) {
        stage.specialize(runs_stride_branch(stride, in.stride_x, in.stride_y, in.dilation_x, in.dilation_y))
            .specialize(in.post_ops.enabled);
    }
}

}  // namespace

RegisterTile derive_register_tile(RegisterTile tile, const Target &target) {
    static_cast<TileShape &>(tile) = derive_tile_shape(tile, isa_of(target));
    return tile;
}

TileLoops schedule_register_tile(StridedConv &a, const RegisterTile &requested, const Target &target) {
    const RegisterTile tile = derive_register_tile(requested, target);
    // A flat output is one row an image; its tiles run along the row.
    const bool flat = a.in.pixel_order == PixelOrder::flat;
    if (flat && (tile.pixel_lanes || tile.rows != 1)) {
        throw CompileError("pixel_order=flat takes channel lanes and tiles of one row");
    }
    const int vec = tile.vector_width;
    const bool pixel_lanes = tile.pixel_lanes;
    const int pixels = tile.pixels();
    const int channels = tile.channels();

    Func out = a.output, conv = a.conv;
    OutputImageParam buffer = out.output_buffer();
    Var k = a.k, x = a.x, y = a.y, n = a.n;
    Var ko("ko"), ki("ki"), xo("xo"), xi("xi"), yo("yo"), yi("yi"), row_tile("row_tile");

    // The output copies each tile out of the accumulators, in parallel over
    // tiles of rows and images (and blocks of output channels, outermost).
    // Nothing past the output is written: its edges are guarded, or shifted
    // inwards where the caller says (then the output must be a tile wide).
    const bool channels_outer = tile.outer == Outer::channels;
    const Expr x_tiles = (buffer.dim(1).extent() + pixels - 1) / pixels;
    const Expr y_tiles = (buffer.dim(2).extent() + tile.rows - 1) / tile.rows;
    const Expr tiles = x_tiles * y_tiles * buffer.dim(3).extent();
    // A depthwise tile's output channel k reads input channel k, so a block
    // past K would read past the input: the last block shifts inwards, and
    // the runtime's bounds query refuses K below a block. (Reading the
    // channels past C as zero instead clamps the channel of every staged
    // load, a gather lane by lane wherever Halide cannot split the clamp
    // off: MobileNet's depthwise layers ran 1.1-1.65x slower, AMD Zen 5,
    // 1 thread.)
    const TailStrategy channel_edge =
        a.in.grouping == Grouping::depthwise ? TailStrategy::ShiftInwards : TailStrategy::GuardWithIf;
    auto tile_output = [&](Stage s, TailStrategy x_edge, TailStrategy y_edge) -> Stage {
        s.split(y, yo, yi, tile.rows, y_edge)
            .split(x, xo, xi, pixels, x_edge)
            .split(k, ko, ki, channels, channel_edge);
        Var x_task("x_task"), task_row("task_row");
        if (channels_outer && flat) {
            // A flat output is one row an image: its tasks would be its
            // blocks of channels alone, as few as one. So the row splits
            // into runs of tiles too (80 channels in 3 blocks over 56x18
            // pixels at AVX-512, 2 threads: 2.6x slower than the row tiles
            // unsplit, 1.13x faster split; AMD Zen 5).
            const Expr blocks = (buffer.dim(0).extent() + channels - 1) / channels;
            Var block_tasks("block_tasks");
            const Expr run = tiles_a_task(x_tiles, tiles * blocks, block_tasks_at_least);
            s.split(xo, x_task, xo, run, TailStrategy::GuardWithIf)
                .reorder(ki, xi, yi, xo, ko, x_task, yo, n)
                .fuse(ko, x_task, block_tasks)
                .fuse(block_tasks, yo, task_row)
                .fuse(task_row, n, row_tile);
        } else if (channels_outer && a.in.grouping == Grouping::depthwise) {
            // A depthwise tile's blocks run inside its rows: its filter is
            // a few taps, and the pool's first, large claims would otherwise
            // give the threads the same rows' other blocks at once, whose
            // stores share the cache lines of an output not aligned to a
            // line (16-channel blocks 16 bytes past one: MobileNet's
            // conv2_1/dw took 0.2-1.0 ms on 2 threads, 0.11 on one; AMD Zen 5).
            Var rows_blocks("rows_blocks");
            s.reorder(ki, xi, yi, xo, ko, yo, n).fuse(ko, yo, rows_blocks).fuse(rows_blocks, n, row_tile);
        } else if (channels_outer) {
            Var block_rows("block_rows");
            s.reorder(ki, xi, yi, xo, yo, ko, n).fuse(yo, ko, block_rows).fuse(block_rows, n, row_tile);
        } else if (tile.outer == Outer::tiles) {
            s.split(xo, x_task, xo, tiles_a_task(x_tiles, tiles, tile_tasks_at_least), TailStrategy::GuardWithIf)
                .reorder(ki, xi, yi, ko, xo, x_task, yo, n)
                .fuse(x_task, yo, task_row)
                .fuse(task_row, n, row_tile);
        } else {
            s.reorder(ki, xi, yi, ko, xo, yo, n).fuse(yo, n, row_tile);
        }
        return s.parallel(row_tile);
    };
    if (pixel_lanes) {
        // Output channels are innermost in memory, pixels in the lanes.
        // Where K is the tile's channel count, pixels are dense and a row
        // holds a whole tile, the tile's rows are contiguous: Halide fuses the
        // K strided vector stores of a row into one dense store of the
        // interleaved vectors (the x edge shifts inwards, recomputing a few
        // pixels instead of guarding them).
        Stage contiguous = out.specialize(buffer.dim(0).extent() == channels && buffer.dim(1).stride() == channels &&
                                          buffer.dim(1).extent() >= pixels);
        tile_output(contiguous, TailStrategy::ShiftInwards, TailStrategy::GuardWithIf)
            .vectorize(xi)
            .unroll(ki)
            .unroll(yi);
        specialize_common_strides_and_post_ops(a.in, contiguous);
        // Elsewhere the tile goes out in scalar stores, unrolled so that each
        // reads a register lane (a load from the just-stored tile would stall
        // on store forwarding; a vector scatter is slower still).
        tile_output(out, TailStrategy::GuardWithIf, TailStrategy::GuardWithIf).unroll(ki).unroll(xi).unroll(yi);
        specialize_common_strides(a.in, out);
    } else {
        // The last tile along x and y shifts inwards, recomputing a few
        // pixels, wherever the output is at least a tile wide and high: a
        // guarded edge tile runs its pixels one condition at a time
        // (measured 1.5x slower on a 13-pixel-wide 3x3 layer with 7-pixel
        // tiles). A tile that reads the input in place must shift: past the
        // output's edge its taps would pass the input's; the runtime's
        // bounds query refuses it a smaller output. A block of channels past
        // K goes out in masked vector stores (guarded, it would go out one
        // lane at a time: measured 1.25x slower on a 13-channel 1x1 layer).
        // The copy is unrolled too, so that every read of the tile has a
        // constant index and LLVM keeps the tile in registers; a loop over it
        // spilled the accumulators to the stack once a tile before storing
        // them (1-7% on 1x1 and 7x7 layers, AMD Zen 5, 1 thread).
        auto vectorized_output = [&](Stage s, TailStrategy edge) {
            tile_output(s, edge, edge).vectorize(ki, vec, TailStrategy::Predicate).unroll(ki).unroll(xi).unroll(yi);
        };
        if (a.in.padding == Padding::none) {
            vectorized_output(out, TailStrategy::ShiftInwards);
            specialize_common_strides_and_post_ops(a.in, out);
        } else {
            // Most outputs take the shifted branch: it compiles the common
            // strides as constants too (a specialisation copies the stage's
            // schedule when it is made, so each branch gets its own). With
            // runtime strides, MobileNet's depthwise layers ran up to 1.9x
            // slower than their stride's branch alone, dense 3x3 layers
            // 1.02-1.03x (AMD Zen 5, 1 thread).
            Stage shifted = out.specialize(buffer.dim(1).extent() >= pixels && buffer.dim(2).extent() >= tile.rows);
            vectorized_output(shifted, TailStrategy::ShiftInwards);
            specialize_common_strides_and_post_ops(a.in, shifted);
            vectorized_output(out, TailStrategy::GuardWithIf);
            specialize_common_strides(a.in, out);
        }
    }

    // One tile of accumulators, of constant size: it is computed whole even
    // at the output's edges, where it reads zero padding and zero filter
    // taps (or, read in place, where it stays inside), so the unrolled tile
    // lives in registers.
    conv.compute_at(out, channels_outer ? xo : ko)
        .bound_extent(k, channels)
        .bound_extent(x, pixels)
        .bound_extent(y, tile.rows)
        .store_in(MemoryType::Stack);
    if (pixel_lanes) conv.reorder_storage(x, k, y);
    conv.vectorize(pixel_lanes ? x : k, vec);
    RVar rc = a.r.x, rfx = a.r.y, rfy = a.r.z;
    Var outer("outer"), lane("lane");
    Stage update = conv.update();
    if (pixel_lanes) {
        update.split(x, outer, lane, vec).reorder(k, lane, outer, y, rc, rfx, rfy, n).unroll(k);
    } else {
        update.split(k, outer, lane, vec).reorder(lane, outer, x, y, rc, rfx, rfy, n).unroll(x);
    }
    update.vectorize(lane).unroll(outer).unroll(y);
    // With an image's few channels the innermost loop, over c, would run a
    // few steps per filter column (unrolled: 1.13x on a 4-channel 8x8 stride-4
    // layer, 1.6x on a 3-channel 5x5 dilated one, AMD Zen 5). Not under pixel
    // lanes, whose tile fills the register file and leaves none for the
    // unrolled steps' taps (0.68x on the numpy answer's problem).
    if (!pixel_lanes) {
        for (int channels : image_channel_counts) update.specialize(a.in.in_channels == channels).unroll(rc);
    }
    // A flat output's tiles cover the rows of the image their pixels lie on
    // (a band of the output may start and end mid-row), and past the last
    // row where fewer pixels than a tile are guarded.
    const Expr flat_first = buffer.dim(1).min();
    const Expr flat_tiled_rows =
        (flat_first + round_up(buffer.dim(1).extent(), pixels) - 1) / a.in.out_width - flat_first / a.in.out_width + 1;
    return {LoopLevel(out, row_tile),
            LoopLevel(out, xo),
            vec,
            pixels,
            tile.rows,
            flat ? a.in.out_width : round_up(buffer.dim(1).extent(), pixels),
            flat ? flat_tiled_rows : round_up(buffer.dim(2).extent(), tile.rows)};
}

Expr round_up(const Expr &extent, int multiple) {
    return (extent + multiple - 1) / multiple * multiple;
}

Expr staged_columns(const ConvInputs &in, const Expr &outputs) {
    // Read through column_phases, whose phase Halide bounds by [0, stride)
    // whatever the tap: the region it infers, and checks where built with
    // asserts (the tuner's JIT), reaches up to stride - 1 columns past the
    // last one read (at stride 2 the tuner dropped every such candidate).
    return (outputs + (in.filter_width - 1) * in.dilation_x / in.stride_x) * in.stride_x;
}

Expr staged_rows(const ConvInputs &in, const Expr &outputs) {
    return input_span<Expr>(outputs, in.stride_y, in.filter_height, in.dilation_y);
}

}  // namespace stridetune
