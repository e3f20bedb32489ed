// The filter packing of the algorithm (define_packed_filter) as a pipeline
// of its own, built once per ISA level: an operator runs it once, at
// creation, with the block the kernel it chose was compiled for.
#include "Halide.h"
#include "strided_conv.h"

namespace stridetune {

class PackFilter : public Halide::Generator<PackFilter> {
public:
    Input<Buffer<float>> filter{"filter", 4};  // (k, c, fx, fy): HWIO, any strides
    Input<int> block{"block", 1, 1, 1 << 16};
    Output<Buffer<float>> packed{"packed", 5};  // (kb, c, fx, fy, ko)

    void generate() {
        filter.dim(0).set_stride(Halide::Expr());
        PackedFilter p = define_packed_filter(filter, filter.dim(0).extent(), block);
        packed = p.packed;
        // Once per operator, and memory-bound: one vector of channels at a time.
        packed.vectorize(p.kb, natural_vector_size<float>(), Halide::TailStrategy::GuardWithIf);
    }
};

}  // namespace stridetune

HALIDE_REGISTER_GENERATOR(stridetune::PackFilter, stridetune_pack_filter)
