// A candidate kernel compiled with Halide's JIT from the same generator the
// ahead-of-time build runs (schedules/*.cpp are linked into the tuner), so
// what the tuner times is what the build would generate.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "Halide.h"
#include "jit_bindings.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/parameters.h"

namespace stridetune::tune {

// A generator and its parameters, as the tuning file and the build spell
// them. The pseudo-parameter autoscheduler=Adams2019|Mullapudi2016 runs
// that autoscheduler.
struct Configuration {
    std::string generator;
    Parameters parameters;
    std::string to_string() const;
    // "generator key=value ..." (any order).
    static Configuration parse(const std::string &text);
    friend bool operator==(const Configuration &a, const Configuration &b) {
        return a.generator == b.generator && a.parameters == b.parameters;
    }
};

// The algorithm's filter packing (define_packed_filter), compiled once.
class FilterPacker {
public:
    explicit FilterPacker(const Halide::Target &target);
    // Fills `packed` (kb, c, fx, fy, ko) from `filter` (k, c, fx, fy).
    void pack(const Halide::Buffer<float> &filter, Halide::Buffer<float> &packed);

private:
    Halide::Target target_;
    Halide::ImageParam filter_{Halide::Float(32), 4, "filter"};
    Halide::Param<int> block_{"block"};
    Halide::Pipeline pipeline_;
};

class JitKernel {
public:
    // Throws (Halide::CompileError, stridetune::Error) when the
    // configuration does not compile.
    JitKernel(const Configuration &configuration, const Halide::Target &target);
    // `arguments` with the filter (k, c, fx, fy) packed as this kernel
    // reads it: as an operator does at creation, so that the runs timed do
    // not pack.
    JitArguments with_packed_filter(JitArguments arguments, const Halide::Buffer<float> &filter,
                                    FilterPacker &packer);
    // Throws Halide::RuntimeError if the kernel fails.
    void run(const JitArguments &arguments, Halide::Buffer<float> &output);
    // Whether later runs use the pool's threads (the default), by the
    // kernel's parallel loop or in bands of the output as the runtime runs
    // it, or the calling thread alone, as the runtime does for a problem
    // too small to repay waking the workers (runtime/src/kernel_call.cpp).
    void set_parallel(bool parallel);
    // In parallel, in these bands of the output (output_bands() for the
    // problem timed) or by the kernel's own loop (none, the default).
    void set_bands(const std::optional<OutputBands> &bands);

private:
    Halide::Target target_;
    std::unique_ptr<Halide::Internal::GeneratorBase> generator_;
    JitBindings *bindings_ = nullptr;
    Halide::Pipeline pipeline_;
    bool flat_output_;  // pixel_order=flat: the output goes in flattened (kernel_call.h)
    bool depthwise_;    // grouping=depthwise: its filter packed for a depthwise kernel (kernel_geometry.h)
    std::optional<OutputBands> bands_;
    bool parallel_ = true;
    // The bands of `output` (a round's images), each realized on a thread of the pool.
    void realize_bands(Halide::Buffer<float> output);
};

}  // namespace stridetune::tune
