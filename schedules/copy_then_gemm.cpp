// Copy-then-GEMM: the numpy answer's reshape. The strided view is copied into
// a contiguous patch matrix (rows (c, fx, fy), columns output pixels), then
// contracted with the filter by the register-blocked GEMM tile.
//
// patches=tile:  one tile of output pixels at a time, so the patch matrix
//                stays in cache while every output channel reuses it.
// patches=whole: every patch of the tensor first, as the reshape does.
#include "tiled_generator.h"

namespace stridetune {

using namespace Halide;

enum class PatchScope { tile, whole };

class CopyThenGemm : public TiledConvGenerator<CopyThenGemm> {
public:
    GeneratorParam<PatchScope> patches{"patches", PatchScope::tile,
                                       {{"tile", PatchScope::tile}, {"whole", PatchScope::whole}}};

    void apply(StridedConv &a, const Target &target) {
        const bool pixel_lanes = lanes == Lanes::pixels;
        TileLoops loops = schedule_register_tile(a, register_tile(), target);
        const int vec = loops.vector_width;

        Func view = a.strided_view;
        if (pixel_lanes) {
            // Pixels innermost in memory: the tile's vector loads are dense.
            view.reorder_storage(a.x, a.c, a.fx, a.fy, a.y, a.n).reorder(a.x, a.c, a.fx, a.fy, a.y, a.n);
            view.vectorize(a.x, vec, TailStrategy::RoundUp);
        } else {
            view.vectorize(a.c, vec, TailStrategy::GuardWithIf);
            // Dense channels (the usual NHWC) copy in vector loads; other
            // channel strides gather lane by lane.
            view.specialize(a.in.in_channel_stride == 1);
        }
        // The patches cover the tiles' footprint (register_tile.h).
        if (patches == PatchScope::whole) {
            view.compute_root()
                .bound_extent(a.x, loops.tiled_width)
                .bound_extent(a.y, loops.tiled_height)
                .parallel(a.n);
        } else {
            view.compute_at(loops.x_tile).bound_extent(a.x, loops.pixels).bound_extent(a.y, loops.rows);
        }
    }
};

}  // namespace stridetune

HALIDE_REGISTER_GENERATOR(stridetune::CopyThenGemm, stridetune_copy_then_gemm)
