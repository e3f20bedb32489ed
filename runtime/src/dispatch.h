#pragma once

#include <functional>
#include <string>

#include "problem.h"

namespace stridetune::detail {

// How well output channels and output pixels along x fill the vector lanes:
// the fraction of the lanes doing useful work when each is cut into vectors.
// A pixel-lane tile also runs the output channels in passes of a few
// (stridetune/tile_shape.h: 5), so it fills `pixels` times the share of its
// passes' channels that are output channels: K = 6 in two passes of 5 over
// 8-pixel rows fills 30% of an AVX-512 vector, where channel lanes fill
// 37% (and ran 1.45x faster, AMD Zen 5, 1 and 2 threads).
struct LaneUse {
    double channels, pixels, pixel_tiles;
    std::string describe() const;
};
LaneUse lane_use_of(const Problem &problem, Isa isa);

struct Choice {
    Schedule schedule;
    std::string reason;
};

// The heuristic: the first schedule of an ordered list that accepts the
// problem and whose kernel `fits` it (an autoscheduled or in-place kernel
// may not: kernel_needs), for a kernel run on `threads` threads.
Choice choose_schedule(const Problem &problem, Isa isa, int threads, const std::function<bool(Schedule)> &fits);

}  // namespace stridetune::detail
