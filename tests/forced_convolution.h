// Runs stridetune::convolve with the kernel and the ISA level forced
// through Options, and checks the Plan and the output against the reference.
#pragma once

#include <exception>
#include <string>

#include <gtest/gtest.h>

#include "compare.h"
#include "reference.h"
#include "schedule_isa.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {

// `output` must hold the sentinel on entry (see test_buffer.h).
// The Plan must name the forced schedule at exactly the forced level (every
// kernel is built for every level), and the output must match the reference.
inline testing::AssertionResult forced_convolution_matches(const stridetune::ConstTensor &input,
                                                           const stridetune::ConstTensor &filter,
                                                           const stridetune::Tensor &output,
                                                           const stridetune::ConvParams &params,
                                                           const ReferenceOutput &ref, const ScheduleIsa &forced) {
    stridetune::Options options;
    options.schedule = forced.schedule;
    if (!forced.variant.empty()) options.variant = forced.variant;
    options.max_isa = forced.isa;
    // On the worker threads whatever the work: the tests' problems are small,
    // and the parallel loop is where tasks could race on shared scratch.
    options.parallel = true;
    stridetune::Plan plan;
    try {
        plan = stridetune::convolve(input, filter, output, params, options);
    } catch (const std::exception &e) {
        // An Error promises that nothing was written: the output still holds the caller's sentinel.
        int64_t written = 0;
        for_each_index(output.dims, [&](int64_t a, int64_t b, int64_t c, int64_t d) {
            written += !same_bits(element(output, a, b, c, d), sentinel);
        });
        // A kernel whose tiles would pass the tensors' edges is refused
        // before it runs (see may_refuse; the seed problem test shows the
        // baselines running).
        const bool refused = std::string(e.what()).find("cannot run") != std::string::npos;
        if (refused && may_refuse(kernel_parameters(forced.schedule, forced.variant), params, output.dims[1],
                                      output.dims[2]) && written == 0) {
            return testing::AssertionSuccess();
        }
        return testing::AssertionFailure() << "convolve threw: " << e.what() << "\n  (" << written
                                           << " output elements were written before it threw)";
    }
    if (plan.schedule != forced.schedule || plan.isa != forced.isa ||
        (!forced.variant.empty() && plan.variant != forced.variant)) {
        return testing::AssertionFailure() << "Plan is " << schedule_name(plan.schedule) << " at "
                                           << isa_name(plan.isa) << " (kernel " << plan.kernel << "), forced "
                                           << test_name(forced);
    }
    return matches_reference(output, ref);
}

}  // namespace stridetune_test
