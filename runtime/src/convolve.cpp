#include <HalideRuntime.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "dispatch.h"
#include "kernel_table.h"
#include "problem.h"
#include "settings.h"
#include "stridetune/convolution.h"
#include "stridetune/error.h"

namespace stridetune {
namespace {

using detail::Kernel;
using detail::Problem;

// Halide reports a failed check through this handler; the call that failed
// turns the message into an Error.
thread_local std::string halide_error_message;

void record_halide_error(void *, const char *message) {
    halide_error_message = message;
}

// A view as a halide_buffer_t: Halide orders dimensions innermost first.
// The dims live in the caller's array, which must outlive the buffer.
template<typename T>
halide_buffer_t as_halide_buffer(const TensorView<T> &t, halide_dimension_t (&dims)[4]) {
    for (int d = 0; d < 4; d++) {
        dims[d] = halide_dimension_t(0, int32_t(t.dims[3 - d]), int32_t(t.strides[3 - d]));
    }
    halide_buffer_t b{};
    b.host = reinterpret_cast<uint8_t *>(const_cast<float *>(t.data));
    b.type = halide_type_t(halide_type_float, 32);
    b.dimensions = 4;
    b.dim = dims;
    return b;
}

struct Resolved {
    Problem problem;
    const Kernel *kernel;
    std::string reason;
};

Resolved resolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
                 const Options &options) {
    Problem problem = detail::validate(input, filter, output, params);
    const Isa isa = std::min(options.max_isa.value_or(max_isa()), detected_isa());
    if (options.schedule) {
        return {problem, &detail::best_kernel(*options.schedule, isa), "requested"};
    }
    detail::Choice choice = detail::choose_schedule(problem, isa);
    return {problem, &detail::best_kernel(choice.schedule, isa), choice.reason};
}

Plan plan_of(const Resolved &r) {
    const Kernel &k = *r.kernel;
    return {k.schedule, k.isa, std::string(k.name), k.metadata()->target, std::string(k.parameters), r.reason};
}

}  // namespace

Plan plan(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
          const Options &options) {
    return plan_of(resolve(input, filter, output, params, options));
}

Plan convolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
              const Options &options) {
    static const bool handler_installed = (halide_set_error_handler(record_halide_error), true);
    (void)handler_installed;
    num_threads();  // applies STRIDETUNE_NUM_THREADS before the first kernel runs

    const Resolved r = resolve(input, filter, output, params, options);
    halide_dimension_t in_dims[4], filter_dims[4], out_dims[4];
    halide_buffer_t in_buf = as_halide_buffer(input, in_dims);
    halide_buffer_t filter_buf = as_halide_buffer(filter, filter_dims);
    halide_buffer_t out_buf = as_halide_buffer(output, out_dims);

    const auto start = std::chrono::steady_clock::now();
    const int status = r.kernel->run(&in_buf, &filter_buf, params.stride_w, params.stride_h, params.dilation_w,
                                     params.dilation_h, params.pad_left, params.pad_top, &out_buf);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (status != 0) {
        throw Error(std::string(r.kernel->name) + " failed (" + std::to_string(status) + "): " + halide_error_message);
    }
    if (detail::verbose()) {
        std::fprintf(stderr, "stridetune_verbose,exec,%s,%s,%s,%s,%.3f ms,%.1f GFLOP/s\n", r.kernel->name.data(),
                     std::string(to_string(r.kernel->isa)).c_str(), r.problem.descriptor().c_str(),
                     r.reason.c_str(), ms, r.problem.flops() / ms * 1e-6);
    }
    return plan_of(r);
}

}  // namespace stridetune
