// The benchmarks' kernels that Halide's autoschedulers planned for one exact
// problem (bench/autoscheduled_shapes.cmake): a kernel is a problem's when
// its `estimate` parameter is that problem, minibatch included.
#pragma once

#include <string>
#include <vector>

#include "stridetune.h"

namespace stridetune_bench {

struct EstimateVariant {
    std::string label;    // e.g. "adams2019 (estimate = this shape)"
    std::string variant;  // for Options::variant
};

// One entry per such variant (any ISA level), in kernels() order.
std::vector<EstimateVariant> estimate_variants(const stridetune::ConvDescriptor &problem);

}  // namespace stridetune_bench
