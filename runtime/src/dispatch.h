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
// problem and whose kernel `fits` it (a kernel with fixed tiles may not).
Choice choose_schedule(const Problem &problem, Isa isa, const std::function<bool(Schedule)> &fits);

}  // namespace stridetune::detail
