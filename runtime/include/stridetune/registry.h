// How kernels generated outside the library join its dispatcher. The code
// that cmake's stridetune_add_kernels() generates calls register_kernels()
// during static initialisation; applications do not call it themselves.
#pragma once

#include <cstddef>

#include "isa.h"

struct halide_buffer_t;
struct halide_filter_metadata_t;

namespace stridetune {

// A generated kernel's entry point (the generator's argument order).
using KernelFunction = int (*)(halide_buffer_t *input, halide_buffer_t *filter, int stride_x, int stride_y,
                               int dilation_x, int dilation_y, int pad_left, int pad_top, int out_width,
                               halide_buffer_t *bias, halide_buffer_t *residual, bool post_ops, float sum_scale,
                               float relu_slope, float clip_lower, float clip_upper, halide_buffer_t *output);

// One kernel object: one variant (a generator with its parameters) built for one ISA level.
struct KernelRegistration {
    const char *variant;     // e.g. "direct_pixels"; the same for each ISA level of it
    const char *generator;   // the strategy: "direct", "copy_then_gemm", "autoscheduled"
    const char *parameters;  // canonical: "key=value" sorted by key, space-separated
    Isa isa;
    KernelFunction run;
    const halide_filter_metadata_t *(*metadata)();
    const char *function;  // the generated function's name
};

// A tuning result: `problem` (canonical benchdnn descriptor, no name) runs
// `variant` on the CPU the tuning was done on.
struct TunedRegistration {
    const char *problem;
    const char *variant;
    // "serial" if the tuner measured it faster on the calling thread alone,
    // "parallel" if on the worker threads; null: the library decides.
    const char *grain = nullptr;
};

// Where tuned entries apply: the tuning file's CPU and Halide version.
struct TuningOrigin {
    const char *vendor;
    const char *model;
    const char *isa;
    int cores;
    const char *halide_version;
    // cpuid's (CpuIdentity); 0: not recorded.
    int family = 0, model_number = 0, stepping = 0;
};

// Adds kernels, and tuned entries for them (origin may be null when there
// are none). Entries of a later registration win over earlier ones for the
// same problem. Returns true, so it can initialise a static.
bool register_kernels(const KernelRegistration *kernels, size_t kernel_count, const TunedRegistration *tuned,
                      size_t tuned_count, const TuningOrigin *origin);

}  // namespace stridetune
