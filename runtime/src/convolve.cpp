// The one-shot calls, built on the operator (operator.cpp) and the kernel
// selection (selection.h), and the list of kernels.
#include "api_boundary.h"
#include "kernel_table.h"
#include "problem.h"
#include "selection.h"
#include "stridetune/convolution.h"

namespace stridetune {

std::vector<KernelInfo> kernels() {
    std::vector<KernelInfo> all;
    for (const detail::Kernel *k : detail::all_kernels()) {
        all.push_back({k->variant, k->generator, k->parameters, k->function, k->schedule, k->isa});
    }
    return all;
}

Plan plan(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
          const Options &options) {
    return detail::only_errors([&] {
        const detail::Problem problem = detail::validate(input, filter, output, params);
        return detail::plan_of(detail::select_kernel(problem, options), problem);
    });
}

Plan convolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
              const Options &options) {
    return detail::only_errors([&] {
        // Every argument first, so that nothing is packed for a call that cannot run.
        detail::validate(input, filter, output, params);
        const Convolution convolution(input.dims, filter, params, options);
        convolution.run(input, output);
        return convolution.plan();
    });
}

}  // namespace stridetune
