#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conv_params.h"
#include "descriptor.h"
#include "isa.h"
#include "schedule.h"
#include "tensor.h"

namespace stridetune {

// Choices for an operator (or a call); unset fields take the library's defaults.
struct Options {
    std::optional<Schedule> schedule;    // that schedule's general kernel; default: the dispatcher's pick
    std::optional<Isa> max_isa;          // default: max_isa()
    std::optional<std::string> variant;  // a kernel variant by name (see kernels()); wins over schedule
    // On the worker threads (true) or the calling thread alone (false), as
    // an engine that runs operators side by side on its own threads wants;
    // default: the library decides from the work and the pool's measured
    // cost (or the tuner's measurement).
    std::optional<bool> parallel;
    // The dispatcher's own pick, as on a CPU or problem nobody tuned: the
    // compiled-in tuning and STRIDETUNE_TUNING_FILE are not consulted. For
    // measuring what tuning gains (the benchmark's stridetune:untuned row).
    bool ignore_tuning = false;
};

// The kernel an operator (or a call) runs.
struct Plan {
    Schedule schedule;
    Isa isa;
    std::string variant;     // e.g. direct_pixels, or a tuned or consumer-generated variant
    std::string kernel;      // the generated function, e.g. stridetune_direct_pixels_avx512
    std::string target;      // the Halide target it was compiled for
    std::string parameters;  // its schedule parameters
    std::string reason;      // why the dispatcher chose it
    // Whether it runs on the worker threads: work too small to repay handing
    // it to them runs on the calling thread alone. Decided at creation, for
    // the pool of that moment (its threads, its measured cost).
    bool parallel;
};

// A compiled kernel: one variant (a generator and its parameters) at one ISA level.
struct KernelInfo {
    std::string variant, generator, parameters, function;
    Schedule schedule;
    Isa isa;
};
// Every kernel the dispatcher can run: the library's, its tuned ones, and
// those registered by code generated with stridetune_add_kernels().
std::vector<KernelInfo> kernels();

// Output size along one axis: floor((in + pads - dilation*(filter-1) - 1) / stride) + 1.
int64_t output_extent(int64_t in, int64_t filter, int stride, int dilation, int pad_begin, int pad_end);

// A convolution created once and run many times, as oneDNN's primitives and
// XNNPACK's operators are. Creation validates the problem and the filter,
// chooses the kernel (tuned entry, heuristic or Options) and packs the filter
// into the layout that kernel reads; run() checks only the two tensors and
// runs, without allocating, formatting or locking.
//
// output[n][oy][ox][k] = sum over fy, fx, c of
//   input[n][oy*sh + fy*dh - pt][ox*sw + fx*dw - pl][c] * filter[fy][fx][c][k],
// zero outside the input. input NHWC (problem.input_dims()), filter HWIO
// [FH][FW][C][K] (problem.filter_dims()), output NHWC (problem.output_dims()),
// each with any strides (the output's channel stride 1).
//
// In problem.groups groups g (descriptor.h), the filter is [FH][FW][C/g][K]
// and output channel k of group j = k / (K/g) sums over c < C/g of
// input channel j * C/g + c times filter[fy][fx][c][k]: each group runs as a
// convolution of its own channels, one after another, with the kernel chosen
// for one group, or, depthwise (g = C = K), all in one call of the depthwise
// kernel (the plan's reason says which). The calls that take no descriptor
// count the groups from the filter, as TensorFlow's conv2d does: a filter of
// C/g input channels (its dims[2]) runs g groups.
class Convolution {
public:
    // Throws Error naming the field: a problem stridetune cannot run (groups
    // that do not divide the channels, sizes or geometry), a filter of other
    // dims, a kernel Options names that is not built or cannot run the
    // problem. The filter is copied: the caller may change or free it
    // afterwards.
    Convolution(const ConvDescriptor &problem, const ConstTensor &filter, const Options &options = {});
    // With problem.post_ops (post_ops.h) whose bias is `bias`: K values
    // (every group's channels), copied. Throws Error naming `bias` for a
    // bias of another size, or one given to or missing from a problem
    // whose post-ops have none or one; naming problem.post_ops for a clip
    // whose lower bound exceeds its upper one or a value that is NaN.
    Convolution(const ConvDescriptor &problem, const ConstTensor &filter, const ConstVector &bias,
                const Options &options = {});
    // The problem of an input of `input_dims` (NHWC), the filter's dims and
    // `params`, in as many groups as the filter's input channels go into the
    // input's (above).
    Convolution(const std::array<int64_t, 4> &input_dims, const ConstTensor &filter, const ConvParams &params,
                const Options &options = {});
    Convolution(Convolution &&) noexcept;
    Convolution &operator=(Convolution &&) noexcept;
    ~Convolution();

    // Runs the convolution. Throws Error naming the field for tensors of
    // other dims, a null pointer, strides the kernels cannot index, an output
    // that overlaps itself or the input; the output is then untouched. Const:
    // any number of threads may run one operator at once.
    void run(const ConstTensor &input, const Tensor &output) const;
    // With the residual that the problem's sum post-op adds: a tensor of
    // the output's dims, its channel stride 1, which must not overlap the
    // output (Error naming `residual` otherwise, or if the problem has no
    // sum post-op). run(input, output) of a problem with one throws.
    void run(const ConstTensor &input, const Tensor &output, const ConstTensor &residual) const;

    const Plan &plan() const;
    // The problem as created, canonical (output sizes and bottom/right pads filled in).
    const ConvDescriptor &problem() const;
    // Bytes the operator holds for its packed filter.
    size_t packed_bytes() const;

    struct State;

private:
    const State &state() const;  // throws Error when moved from
    std::unique_ptr<const State> state_;
};

// One call: Convolution(input.dims, filter, params, options).run(input,
// output), each argument validated before anything runs (Error names the
// field; nothing written). It packs the filter and chooses the kernel on
// every call: a layer run more than once is faster as a Convolution.
// Thread-safe. Returns the plan it ran.
Plan convolve(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
              const Options &options = {});

// The kernel convolve() would run for these arguments, after the same validation.
Plan plan(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params,
          const Options &options = {});

// Worker threads for all calls: STRIDETUNE_NUM_THREADS, else every core.
void set_num_threads(int threads);
int num_threads();

// One line on stderr per call with its kernel and time: STRIDETUNE_VERBOSE=1.
void set_verbose(bool verbose);

}  // namespace stridetune
