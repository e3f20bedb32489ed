// For problems without a tuned entry (tuning.cpp), the schedule is picked
// by an ordered, declarative list (as oneDNN's implementation lists are): the first entry whose
// predicate accepts the problem wins; the last accepts everything.
#include "dispatch.h"

#include <string>

namespace stridetune::detail {
namespace {

// Fraction of vector lanes doing useful work when `extent` is cut into vectors of `lanes`.
double lane_use(int64_t extent, int lanes) {
    return double(extent) / double((extent + lanes - 1) / lanes * lanes);
}

struct Candidate {
    Schedule schedule;
    bool (*accepts)(const Problem &, Isa, std::string &reason);
};

// Output channels fill the vector lanes worse than output pixels along x do:
// the numpy answer's K = 5 uses 5 of 16 lanes, its 109 pixels 109 of 112.
bool few_output_channels(const Problem &p, Isa isa, std::string &reason) {
    const int lanes = float_lanes(isa);
    const double channels = lane_use(p.k, lanes), pixels = lane_use(p.ow, lanes);
    reason = "lane use: output channels " + std::to_string(int(channels * 100)) + "%; pixels along x " +
             std::to_string(int(pixels * 100)) + "%";
    return pixels > channels;
}

// A strided 1x1 filter reads scattered pixels; copying them into a patch
// matrix first makes the GEMM's loads contiguous (measured faster on
// ResNet-50's stride-2 1x1 layers).
bool strided_pointwise(const Problem &p, Isa, std::string &reason) {
    reason = "strided 1x1 filter: the patch copy makes its pixels contiguous";
    return p.fh == 1 && p.fw == 1 && (p.params.stride_h > 1 || p.params.stride_w > 1);
}

bool any_problem(const Problem &, Isa, std::string &reason) {
    reason = "output channels fill the vector lanes";
    return true;
}

constexpr Candidate candidates[] = {
    {Schedule::direct_pixels, few_output_channels},
    {Schedule::gemm_tile, strided_pointwise},
    {Schedule::direct_channels, any_problem},
};

}  // namespace

Choice choose_schedule(const Problem &problem, Isa isa) {
    std::string reason;
    for (const Candidate &c : candidates) {
        if (c.accepts(problem, isa, reason)) return {c.schedule, "heuristic: " + reason};
    }
    return {Schedule::direct_channels, "heuristic: fallback"};  // unreachable: the last candidate accepts all
}

}  // namespace stridetune::detail
