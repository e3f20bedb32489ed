// Tuned selection: a problem the tuner measured on this CPU runs the kernel
// it found fastest. Entries come from STRIDETUNE_TUNING_FILE (re-ranking the
// compiled kernels without a rebuild), then from the tuning compiled in.
#pragma once

#include <string>

#include "kernel_table.h"

namespace stridetune::detail {

struct TunedLookup {
    const Kernel *kernel = nullptr;  // null: use the heuristic
    std::string reason;              // why this kernel, or why none ("no tuned entry", another CPU's)
};

// `problem`: the canonical descriptor (Problem::descriptor()).
TunedLookup tuned_kernel(const std::string &problem, Isa cap);

}  // namespace stridetune::detail
