// The configurations the tuner tries for a problem: every hand strategy with
// register tiles that fit the ISA's register file, and the autoschedulers
// planning for the problem itself.
#pragma once

#include <vector>

#include "jit_kernel.h"
#include "stridetune/descriptor.h"
#include "stridetune/isa.h"
#include "stridetune/schedule.h"

namespace stridetune::tune {

// A built-in kernel (builtin_kernels.def) as the tuning file spells it: a
// winner among them reuses the built kernel.
Configuration builtin_configuration(const BuiltinKernel &kernel);
// Every built-in kernel's.
std::vector<Configuration> builtin_configurations();

// Hand configurations first, the heuristic's likely picks leading; the
// autoscheduled ones (compiled per problem, slower to build) last.
std::vector<Configuration> candidate_configurations(const ConvDescriptor &problem, Isa isa);

// Orders [first, last) for a local search around `best`: the candidates of
// its generator and lanes first, those whose tile at `isa` differs from its
// in the fewest items (what is outermost, what is staged, sizes) leading;
// the rest as they were.
void order_around(std::vector<Configuration>::iterator first, std::vector<Configuration>::iterator last,
                  const Configuration &best, Isa isa);

}  // namespace stridetune::tune
