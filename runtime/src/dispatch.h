#pragma once

#include <string>

#include "problem.h"

namespace stridetune::detail {

struct Choice {
    Schedule schedule;
    std::string reason;
};

// The heuristic: the first schedule of an ordered list that accepts the problem.
Choice choose_schedule(const Problem &problem, Isa isa);

}  // namespace stridetune::detail
