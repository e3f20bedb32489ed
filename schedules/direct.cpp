// Direct strided contraction: the reduction reads the input in place through
// the strided view; no patch matrix is built.
//
// lanes=channels: output channels in vector lanes (K of a vector or more).
//   Rows of the zero-padded input are staged per tile of output rows
//   (staged=rows), or the whole padded input once before the tiles run
//   (staged=image: each input row is copied once, not once per filter row
//   and channel block that reads it), so the padding test runs once per
//   input element, not once per filter tap; with padding=none (unpadded
//   problems) the tile reads the input in place.
// lanes=pixels: output pixels along x in vector lanes, for small K. Rows of
//   the input are staged planar (pixels innermost, a plane a channel). The
//   tile reads the planes with the stride's constant-stride loads
//   (phases=strided: a stride-2 load is two dense loads and one permute),
//   or they are staged again split by column phase modulo the stride
//   (phases=staged: even/odd planes for stride 2), so the vector of pixels
//   x..x+15 reads consecutive staged elements for every tap.
#include <algorithm>

#include "tiled_generator.h"

namespace stridetune {

using namespace Halide;

enum class StagingScope { rows, image };
enum class ColumnPhases { strided, staged };

class Direct : public TiledConvGenerator<Direct> {
public:
    GeneratorParam<StagingScope> staged{"staged", StagingScope::rows,
                                        {{"rows", StagingScope::rows}, {"image", StagingScope::image}}};
    GeneratorParam<ColumnPhases> phases{"phases", ColumnPhases::strided,
                                        {{"strided", ColumnPhases::strided}, {"staged", ColumnPhases::staged}}};

    void apply(StridedConv &a, const Target &target) {
        const bool pixel_lanes = lanes == Lanes::pixels;
        TileLoops loops = schedule_register_tile(a, register_tile(), target);
        const int vec = loops.vector_width;
        const ConvInputs &in = a.in;
        // A flat tile's 7 pixels span one row or two, so each would restage
        // the rows of its neighbours: staged per tile, the padded rows cost
        // 1.3-1.8x the time of the image staged once on 13x13 layers of 20
        // to 64 channels (AMD Zen 5, 1 thread).
        if (in.pixel_order == PixelOrder::flat && staged != StagingScope::image && in.padding != Padding::none) {
            throw CompileError("pixel_order=flat stages the image (staged=image) or reads the input in place "
                               "(padding=none)");
        }
        if (!pixel_lanes && phases != ColumnPhases::strided) {
            throw CompileError("phases=staged takes lanes=pixels");
        }
        // The staged input covers the tiles' footprint (register_tile.h).
        const Expr tile_input_rows = staged_rows(in, loops.rows);
        if (pixel_lanes) {
            // The rows go planar (pixels innermost) first, so that the copy
            // and what reads it load with a small constant stride: dense
            // loads and permutes instead of gathers. The deinterleave by
            // channel count compiles to permutes at 8 lanes; at 16, LLVM 14
            // emits scalar inserts (measured: 12% slower on the numpy
            // answer's problem).
            const int plane_vec = std::min(vec, 8);
            Func planes = a.padded.in(a.column_phases);
            planes.compute_at(loops.row_tile)
                .reorder_storage(a.x, a.c, a.y, a.n)
                .reorder(a.x, a.c, a.y, a.n)
                .vectorize(a.x, plane_vec, TailStrategy::RoundUp);
            for (int channels : image_channel_counts) {
                planes
                    .specialize(in.in_channels == channels && in.in_pixel_stride == channels &&
                                in.in_channel_stride == 1)
                    .reorder(a.c, a.x, a.y, a.n)
                    .unroll(a.c);
            }
            // Staging the column phases is a second copy of every staged
            // row; reading the planes with strided loads instead costs a
            // permute a load in the tile's loop, and measured 1.1x faster
            // on the numpy answer's problem (1.2-1.3x in cache, 2 images;
            // AMD Zen 5, 1 and 2 threads). Only where the stride is a
            // constant: the general branch's runtime stride loads lane by
            // lane (phases=staged). Whole vectors either way: a bound fixes
            // the allocation too, and the rounded-up vectors must stay
            // inside it.
            if (phases == ColumnPhases::staged) {
                const Expr columns = loops.tiled_width + (in.filter_width - 1) * in.dilation_x / in.stride_x;
                a.column_phases.compute_at(loops.row_tile)
                    .bound_extent(a.xq, round_up(columns, vec))
                    .bound_extent(a.y, tile_input_rows)
                    .vectorize(a.xq, vec, TailStrategy::RoundUp);
            } else {
                planes.bound_extent(a.x, round_up(staged_columns(in, loops.tiled_width), plane_vec))
                    .bound_extent(a.y, tile_input_rows);
            }
        } else if (in.padding == Padding::zeros) {
            a.padded.bound_extent(a.x, staged_columns(in, loops.tiled_width));
            if (staged == StagingScope::image) {
                a.padded.compute_root().bound_extent(a.y, staged_rows(in, loops.tiled_height)).parallel(a.y);
            } else {
                a.padded.compute_at(loops.row_tile).bound_extent(a.y, tile_input_rows);
            }
            // Dense channels (the usual NHWC) copy in vector loads; other
            // channel strides gather lane by lane. A pixel of a vector of
            // channels or more ends on a vector shifted inwards, copying a few
            // channels twice instead of masking the tail.
            a.padded.specialize(in.in_channel_stride == 1 && in.in_channels >= vec)
                .vectorize(a.c, vec, TailStrategy::ShiftInwards);
            // An image's few channels would fill a vector's first lanes, one
            // masked copy a pixel: vectors of pixels instead, the channels
            // unrolled, which Halide loads and stores interleaved. Short
            // vectors, since a staged row narrower than the vector runs
            // wholly as the scalar guarded tail (a dilated first layer's
            // tile reads rows of 3-10 pixels): 4 pixels of 4 channels are a
            // 16-lane store, and wide rows staged so measured level.
            // Not depthwise: its kernels take no fewer channels than a tile
            // (register_tile.cpp).
            const int staged_pixels = 4;
            if (in.grouping == Grouping::dense) {
                for (int channels : image_channel_counts) {
                    a.padded
                        .specialize(in.in_channels == channels && in.in_channel_stride == 1 &&
                                    in.in_pixel_stride == channels)
                        .reorder(a.c, a.x, a.y, a.n)
                        .vectorize(a.x, staged_pixels, TailStrategy::GuardWithIf)
                        .unroll(a.c);
                }
            }
            a.padded.vectorize(a.c, vec, TailStrategy::GuardWithIf);
            a.padded.specialize(in.in_channel_stride == 1);
        }
    }
};

}  // namespace stridetune

HALIDE_REGISTER_GENERATOR(stridetune::Direct, stridetune_direct)
