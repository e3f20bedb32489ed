#pragma once

#include <functional>
#include <string>

#include "problem.h"

namespace stridetune::detail {

struct Choice {
    Schedule schedule;
    std::string reason;
};

// The heuristic: the first schedule of an ordered list that accepts the
// problem and whose kernel `fits` it (an autoscheduled or in-place kernel
// may not: kernel_needs), for a kernel run on `threads` threads.
Choice choose_schedule(const Problem &problem, Isa isa, int threads, const std::function<bool(Schedule)> &fits);

}  // namespace stridetune::detail
