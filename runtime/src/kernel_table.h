// The kernels linked into the library: one entry per schedule per ISA level,
// from the table CMake generates (cmake/kernels.cmake).
#pragma once

#include <HalideRuntime.h>

#include <string_view>

#include "stridetune/convolution.h"

namespace stridetune::detail {

using KernelFunction = int (*)(halide_buffer_t *input, halide_buffer_t *filter, int stride_x, int stride_y,
                               int dilation_x, int dilation_y, int pad_left, int pad_top, halide_buffer_t *output);

struct Kernel {
    Schedule schedule;
    Isa isa;
    KernelFunction run;
    const halide_filter_metadata_t *(*metadata)();
    std::string_view name;
    std::string_view parameters;
    // Its tiles assume sizes (an autoscheduler's estimates) and may reach
    // past a smaller problem's tensors: ask before running it.
    bool fixed_tiles;
};

// The kernel of `schedule` built for the highest level not above `cap`.
const Kernel &best_kernel(Schedule schedule, Isa cap);

}  // namespace stridetune::detail
