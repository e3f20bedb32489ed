#include <HalideRuntime.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "dispatch.h"
#include "kernel_table.h"
#include "problem.h"
#include "settings.h"
#include "tuning.h"
#include "stridetune/convolution.h"
#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"

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

// The three tensors as halide_buffer_ts. Halide orders dimensions innermost
// first; the dims live here, so a KernelArgs is neither copied nor moved.
struct KernelArgs {
    halide_dimension_t dims[3][4];
    halide_buffer_t buffers[3];  // input, filter, output

    KernelArgs(const ConstTensor &input, const ConstTensor &filter, const Tensor &output) {
        set(0, input.data, input.dims, input.strides);
        set(1, filter.data, filter.dims, filter.strides);
        set(2, output.data, output.dims, output.strides);
    }
    KernelArgs(const KernelArgs &) = delete;

    void set(int i, const float *data, const std::array<int64_t, 4> &extents, const std::array<int64_t, 4> &strides) {
        for (int d = 0; d < 4; d++) {
            dims[i][d] = halide_dimension_t(0, int32_t(extents[3 - d]), int32_t(strides[3 - d]));
        }
        buffers[i] = halide_buffer_t{};
        buffers[i].host = reinterpret_cast<uint8_t *>(const_cast<float *>(data));
        buffers[i].type = halide_type_t(halide_type_float, 32);
        buffers[i].dimensions = 4;
        buffers[i].dim = dims[i];
    }

    int run(const Kernel &kernel, const ConvParams &p) {
        return kernel.run(&buffers[0], &buffers[1], p.stride_w, p.stride_h, p.dilation_w, p.dilation_h, p.pad_left,
                          p.pad_top, &buffers[2]);
    }
};

// Asks the kernel, in Halide's bounds-query mode, which regions it would
// touch. Hand schedules stay inside the tensors for every shape (the tests
// check every shape they draw); an autoscheduled one may not, for shapes
// smaller than its estimates, and is then refused before it runs. Returns
// what does not fit, or "".
std::string bounds_query(const Kernel &kernel, const ConstTensor &input, const ConstTensor &filter,
                           const Tensor &output, const ConvParams &params) {
    KernelArgs query(input, filter, output);
    for (halide_buffer_t &b : query.buffers) b.host = nullptr;
    if (query.run(kernel, params) != 0) return halide_error_message;
    const KernelArgs actual(input, filter, output);
    static const char *const tensor_names[] = {"input", "filter", "output"};
    static const char *const dim_names[3][4] = {{"C", "W", "H", "N"}, {"K", "C", "FW", "FH"}, {"K", "OW", "OH", "N"}};
    for (int i = 0; i < 3; i++) {
        for (int d = 0; d < 4; d++) {
            const halide_dimension_t &need = query.dims[i][d], &have = actual.dims[i][d];
            if (need.min < have.min || need.min + need.extent > have.min + have.extent) {
                return std::string(tensor_names[i]) + " " + dim_names[i][d] + " over [" + std::to_string(need.min) +
                       ", " + std::to_string(need.min + need.extent - 1) + "], the tensor has [0, " +
                       std::to_string(have.extent - 1) + "]";
            }
        }
    }
    return "";
}

// What a kernel with fixed tiles would need beyond the tensors, or "".
std::string overrun(const Kernel &kernel, const ConstTensor &input, const ConstTensor &filter, const Tensor &output,
                    const ConvParams &geometry) {
    return kernel.fixed_tiles ? bounds_query(kernel, input, filter, output, geometry) : "";
}

struct Resolved {
    Problem problem;
    ConvDescriptor kernel_problem;  // gathered_problem(problem): what the kernel computes
    bool gathered;                  // its taps gathered along an axis (kernel_geometry.h)
    ConvParams geometry;            // what the kernel receives (kernel_geometry.h)
    const Kernel *kernel;
    std::string reason;
};

// The input the kernel reads: the caller's, or (gathered) a dense tensor of
// the kernel problem's dims at `gathered_data`.
ConstTensor kernel_input(const Resolved &r, const ConstTensor &input, const float *gathered_data) {
    if (!r.gathered) return input;
    return dense(gathered_data, r.kernel_problem.input_dims());
}

Resolved resolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
                 const Options &options) {
    const Problem problem = detail::validate(input, filter, output, params);
    const Isa isa = std::min(options.max_isa.value_or(max_isa()), detected_isa());
    const ConvDescriptor d = problem.descriptor();
    const bool gathered = bool(gathered_axes(d));
    const ConvDescriptor k = gathered ? gathered_problem(d) : d;
    Resolved r{problem, k, gathered, kernel_geometry(k.params, k.oh, k.ow, k.kh, k.kw), nullptr, "requested"};
    // The bounds query reads no data: any pointer stands for the gathered input's.
    const ConstTensor queried_input = kernel_input(r, input, input.data);
    if (options.variant) {
        if (options.variant->empty()) throw Error("options.variant is empty: name a kernel variant (see kernels())");
        r.kernel = detail::find_variant(*options.variant, isa);
        if (!r.kernel) {
            throw Error("no kernel variant " + *options.variant + " is built for " + std::string(to_string(isa)) +
                        " or below");
        }
    } else if (options.schedule) {
        r.kernel = &detail::best_kernel(*options.schedule, isa);
    } else {
        // A tuned kernel with fixed tiles may not fit the tensors (a winner
        // planned for another size): the next one ranked, or the heuristic.
        const detail::TunedLookup tuned = detail::tuned_kernels(problem.key(), isa);
        std::string refusals;
        for (const detail::TunedCandidate &c : tuned.ranked) {
            if (overrun(*c.kernel, queried_input, filter, output, r.geometry).empty()) {
                r.kernel = c.kernel;
                r.reason = c.reason + refusals;
                return r;
            }
            // No details: the verbose line's fields are separated by commas.
            refusals += "; " + c.kernel->function + " refused the problem (its tiles need more than the tensors)";
        }
        const detail::Choice choice = detail::choose_schedule(problem, isa);
        r.kernel = &detail::best_kernel(choice.schedule, isa);
        r.reason = choice.reason + "; " + (tuned.ranked.empty() ? tuned.note : "no tuned kernel fits") + refusals;
    }
    if (const std::string needs = overrun(*r.kernel, queried_input, filter, output, r.geometry); !needs.empty()) {
        throw Error(std::string(r.kernel->function) + " cannot run " + problem.key() + ": its schedule needs " + needs);
    }
    return r;
}

Plan plan_of(const Resolved &r) {
    const Kernel &k = *r.kernel;
    return {k.schedule, k.isa, k.variant, k.function, k.metadata()->target, k.parameters, r.reason};
}

// No exception but Error leaves the public API: any other (a standard
// library's, say) becomes one, with its message.
template<typename Call>
auto only_errors(Call &&call) -> decltype(call()) {
    try {
        return call();
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        throw Error(std::string("internal error: ") + e.what());
    }
}

void install_error_handler() {
    static const bool installed = (halide_set_error_handler(record_halide_error), true);
    (void)installed;
}

// convolve(), before only_errors().
Plan convolve_unguarded(const ConstTensor &input, const ConstTensor &filter, const Tensor &output,
                        const ConvParams &params, const Options &options) {
    install_error_handler();
    num_threads();  // applies STRIDETUNE_NUM_THREADS before the first kernel runs

    const Resolved r = resolve(input, filter, output, params, options);
    std::vector<float> gathered;
    if (r.gathered) {
        gathered.resize(size_t(r.kernel_problem.mb * r.kernel_problem.ih * r.kernel_problem.iw * r.kernel_problem.ic));
        gather_taps(r.problem.descriptor(), input, gathered.data());
    }
    KernelArgs args(kernel_input(r, input, gathered.data()), filter, output);
    const auto start = std::chrono::steady_clock::now();
    const int status = args.run(*r.kernel, r.geometry);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (status != 0) {
        throw Error(std::string(r.kernel->function) + " failed (" + std::to_string(status) + "): " + halide_error_message);
    }
    if (detail::verbose()) {
        std::fprintf(stderr, "stridetune_verbose,exec,%s,%s,%s,%s,%.3f ms,%.1f GFLOP/s\n", r.kernel->function.data(),
                     std::string(to_string(r.kernel->isa)).c_str(), r.problem.key().c_str(),
                     r.reason.c_str(), ms, r.problem.flops() / ms * 1e-6);
    }
    return plan_of(r);
}

}  // namespace

std::vector<KernelInfo> kernels() {
    std::vector<KernelInfo> all;
    for (const Kernel *k : detail::all_kernels()) {
        all.push_back({k->variant, k->generator, k->parameters, k->function, k->schedule, k->isa});
    }
    return all;
}

Plan plan(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
          const Options &options) {
    return only_errors([&] {
        install_error_handler();
        return plan_of(resolve(input, filter, output, params, options));
    });
}

Plan convolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
              const Options &options) {
    return only_errors([&] { return convolve_unguarded(input, filter, output, params, options); });
}

}  // namespace stridetune
