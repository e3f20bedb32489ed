// No hand schedule: Halide's autoschedulers (Adams2019, Mullapudi2016) plan
// the same algorithm from the estimates in ConvGenerator. Built as baselines.
#include "conv_generator.h"

namespace stridetune {

class Autoscheduled : public ConvGenerator<Autoscheduled> {
public:
    void apply(StridedConv &, const Halide::Target &) {
    }
};

}  // namespace stridetune

HALIDE_REGISTER_GENERATOR(stridetune::Autoscheduled, stridetune_autoscheduled)
