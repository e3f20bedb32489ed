#pragma once

#include <functional>
#include <string>

#include "problem.h"

namespace stridetune::detail {

// How well output channels and output pixels along x fill the vector lanes:
// the fraction of the lanes doing useful work when each is cut into vectors.
struct LaneUse {
    double channels, pixels;
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
