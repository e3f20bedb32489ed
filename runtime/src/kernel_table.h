// Every kernel the dispatcher can run: the library's own (builtin_kernels.def
// and the tuned configurations of its tuning file), then those registered by
// code generated with stridetune_add_kernels().
#pragma once

#include <HalideRuntime.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stridetune/convolution.h"
#include "stridetune/registry.h"

namespace stridetune::detail {

struct Kernel {
    std::string variant, generator, parameters, function;
    Schedule schedule;  // the strategy family the generator and parameters belong to
    // Built with pixel_order=flat: it takes the output flattened, one row an
    // image (kernel_geometry.h).
    bool flat_output;
    Isa isa;
    KernelFunction run;
    const halide_filter_metadata_t *(*metadata)();
};

struct TunedEntry {
    std::string problem, variant;
    std::optional<bool> parallel;  // as the tuner measured it; none: the library decides
    TuningOrigin origin;  // pointers into the registration's static data
};

// The kernel of `variant` built for the highest level not above `cap`, or null.
const Kernel *find_variant(const std::string &variant, Isa cap);
// The same, for the variant built from `generator` with `parameters` (canonical).
const Kernel *find_configuration(const std::string &generator, const std::string &parameters, Isa cap);
// The general-purpose kernel of `schedule` (its variant has the schedule's
// name) for the highest level not above `cap`. Throws Error if none is built.
const Kernel &best_kernel(Schedule schedule, Isa cap);
// Every kernel, the library's first, in registration order.
std::vector<const Kernel *> all_kernels();
// Tuned entries, the most recently registered first.
std::vector<TunedEntry> tuned_entries();
// Counts registrations: what was derived from the registry is stale when it changes.
uint64_t registry_generation();

}  // namespace stridetune::detail
