// How the tuner runs a generator's pipeline with Halide's JIT: the generator
// binds concrete buffers and geometry to its own inputs, so the tuner needs
// no second definition of the algorithm or of any schedule.
#pragma once

#include <stdexcept>

#include "Halide.h"

namespace stridetune {

struct JitArguments {
    Halide::Buffer<float> input;   // (c, x, y, n)
    Halide::Buffer<float> filter;  // packed: (kb, c, fx, fy, ko), kb of filter_block()
    int stride_x = 1, stride_y = 1, dilation_x = 1, dilation_y = 1, pad_left = 0, pad_top = 0;
    int out_width = 1;  // the convolution's, whatever the output's layout
};

class JitBindings {
public:
    virtual ~JitBindings() = default;
    // Runs the generator's generate() and schedule() (GeneratorBase keeps
    // that step to itself and its subclasses).
    virtual Halide::Pipeline build_for_jit() = 0;
    // Sets the inputs of the pipeline this generator built (build_pipeline()).
    virtual void bind(const JitArguments &args) = 0;
    // The output channels a block of its packed filter holds (after build_for_jit()).
    virtual int filter_block() const = 0;

protected:
    // A scalar generator input is a Variable bound to a Parameter.
    static void set_scalar(const Halide::Expr &input, int value) {
        const auto *v = input.as<Halide::Internal::Variable>();
        if (!v || !v->param.defined()) throw std::logic_error("JitBindings::set_scalar: not a scalar input");
        Halide::Internal::Parameter(v->param).set_scalar<int>(value);
    }
};

}  // namespace stridetune
