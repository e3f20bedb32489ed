// Which kernel runs a validated problem: the one Options names, the tuned
// one, or the heuristic's (dispatch.h); and what it needs to run.
#pragma once

#include <optional>
#include <string>

#include "kernel_call.h"
#include "kernel_table.h"
#include "problem.h"

namespace stridetune::detail {

struct Selection {
    ConvDescriptor kernel_problem;  // kernel_problem(problem): what the kernel computes
    bool gathered;                  // its taps gathered along an axis (kernel_geometry.h)
    bool flattened;                 // its pixels flattened into one row an image (kernel_geometry.h)
    ConvParams geometry;            // what the kernel receives (kernel_geometry.h)
    const Kernel *kernel;
    std::string reason;
    PackedFilterView filter_shape;  // the packed filter it reads (data null)
    bool parallel;                  // on the worker threads, or the calling thread alone
    bool grain_estimated;           // `parallel` by the grain rule, not by Options or a tuned entry
    std::optional<OutputBands> bands;  // in parallel, in bands of the output (kernel_geometry.h), or not
};

// Throws Error if the kernel Options names is not built or cannot run the
// problem, or if no kernel can.
Selection select_kernel(const Problem &problem, const Options &options);

// What one call of the selected kernel computes: `problem` whole (a
// depthwise kernel's), or one group.
Problem call_problem(const Selection &selection, const Problem &problem);

// The plan of `problem` run on the selection, its reason saying how the
// groups run.
Plan plan_of(const Selection &selection, const Problem &problem);

}  // namespace stridetune::detail
