// How the tuner runs a generator's pipeline with Halide's JIT: the generator
// binds concrete buffers and geometry to its own inputs, so the tuner needs
// no second definition of the algorithm or of any schedule.
#pragma once

#include <limits>
#include <stdexcept>

#include "Halide.h"

namespace stridetune {

struct JitArguments {
    Halide::Buffer<float> input;   // (c, x, y, n)
    Halide::Buffer<float> filter;  // packed: (kb, c, fx, fy, ko), kb of filter_block()
    int stride_x = 1, stride_y = 1, dilation_x = 1, dilation_y = 1, pad_left = 0, pad_top = 0;
    int out_width = 1;  // the convolution's, whatever the output's layout
    // The post-ops (strided_conv.h: PostOpInputs), each left out its
    // identity: the bias K long, zeros if undefined (JitKernel pads it to
    // whole blocks); the residual of the output's shape, zeros if undefined.
    Halide::Buffer<float> bias;      // (k)
    Halide::Buffer<float> residual;  // (k, x, y, n)
    bool post_ops = false;
    float sum_scale = 0.0f, relu_slope = 1.0f;
    float clip_lower = -std::numeric_limits<float>::infinity(), clip_upper = std::numeric_limits<float>::infinity();
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
    template<typename T>
    static void set_scalar(const Halide::Expr &input, T value) {
        const auto *v = input.as<Halide::Internal::Variable>();
        if (!v || !v->param.defined()) throw std::logic_error("JitBindings::set_scalar: not a scalar input");
        Halide::Internal::Parameter(v->param).set_scalar<T>(value);
    }
};

}  // namespace stridetune
