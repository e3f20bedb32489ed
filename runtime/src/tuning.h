// Tuned selection: a problem the tuner measured on this CPU runs the kernel
// it found fastest. Entries come from STRIDETUNE_TUNING_FILE (re-ranking the
// compiled kernels without a rebuild), then from the tuning compiled in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernel_table.h"

namespace stridetune::detail {

struct TunedCandidate {
    const Kernel *kernel;
    std::string reason;            // e.g. "tuned (STRIDETUNE_TUNING_FILE rank 2)"
    std::optional<bool> parallel;  // as the tuner measured it; none: the library decides
};

struct TunedLookup {
    // The built kernels the tuning ranks for the problem, best first: the
    // runtime file's winner and runners-up, then the compiled-in entry.
    // Empty: use the heuristic.
    std::vector<TunedCandidate> ranked;
    std::string note;  // why there is none: "no tuned entry", another CPU's
};

// `problem`: its key (Problem::key()).
TunedLookup tuned_kernels(const std::string &problem, Isa cap);

}  // namespace stridetune::detail
