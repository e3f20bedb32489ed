// How well a kernel's register tile fits a problem: the dispatcher's model
// for ranking kernels of one strategy that differ only in their tiles.
#pragma once

#include <string>

#include "problem.h"
#include "stridetune/isa.h"
#include "stridetune/parameters.h"

namespace stridetune::detail {

struct TileFit {
    // Modelled time of the busiest thread, in cycles of one core: only
    // comparable between kernels for one problem.
    double cycles;
    // Outputs the whole tiles compute (lanes past K, pixels past the
    // output's edges included) per output the problem asks for.
    double computed;
    std::string tile;  // e.g. "4x3 pixels by 32 channels"
};

// The fit of the tile that `kernel_parameters` build at `isa` (a
// channel-lane tile over the staged padded input or, with padding=none,
// over the input in place, stridetune/tile_shape.h),
// the problem run on `threads` threads.
TileFit tile_fit(const Problem &problem, const Parameters &kernel_parameters, Isa isa, int threads);

}  // namespace stridetune::detail
