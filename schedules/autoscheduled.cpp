// No hand schedule: Halide's autoschedulers (Adams2019, Mullapudi2016) plan
// the same algorithm from the estimates in ConvGenerator. Built as baselines.
#include "conv_generator.h"

namespace stridetune {

class Autoscheduled : public ConvGenerator<Autoscheduled> {
public:
    // A vector of output channels a block.
    int filter_block(const Halide::Target &target) const {
        return target.natural_vector_size<float>();
    }

    void apply(StridedConv &, const Halide::Target &) {
    }
};

}  // namespace stridetune

HALIDE_REGISTER_GENERATOR(stridetune::Autoscheduled, stridetune_autoscheduled)
