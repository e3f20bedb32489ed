#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conv_params.h"
#include "isa.h"
#include "schedule.h"
#include "tensor.h"

namespace stridetune {

// Per-call choices; unset fields take the library's defaults.
struct Options {
    std::optional<Schedule> schedule;    // that schedule's general kernel; default: the dispatcher's pick
    std::optional<Isa> max_isa;          // default: max_isa()
    std::optional<std::string> variant;  // a kernel variant by name (see kernels()); wins over schedule
};

// The kernel a call runs.
struct Plan {
    Schedule schedule;
    Isa isa;
    std::string variant;     // e.g. direct_pixels, or a tuned or consumer-generated variant
    std::string kernel;      // the generated function, e.g. stridetune_direct_pixels_avx512
    std::string target;      // the Halide target it was compiled for
    std::string parameters;  // its schedule parameters
    std::string reason;      // why the dispatcher chose it
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

// output[n][oy][ox][k] = sum over fy, fx, c of
//   input[n][oy*sh + fy*dh - pt][ox*sw + fx*dw - pl][c] * filter[fy][fx][c][k],
// zero outside the input. input NHWC, filter HWIO [FH][FW][C][K], output NHWC.
// Validates every argument first (Error names the field; nothing written).
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
