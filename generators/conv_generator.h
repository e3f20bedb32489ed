// The interface every stridetune kernel shares: the same inputs, output and
// algorithm; a derived generator contributes only its schedule. One derived
// generator per strategy lives in schedules/. The same generator serves the
// ahead-of-time build (GenGen) and the tuner's JIT (jit_bindings.h).
#pragma once

#include "Halide.h"
#include "jit_bindings.h"
#include "problem_estimates.h"
#include "strided_conv.h"

namespace stridetune {

template<typename Schedule>
class ConvGenerator : public Halide::Generator<Schedule>, public JitBindings {
public:
    template<typename T>
    using Input = Halide::GeneratorInput<T>;
    template<typename T>
    using Output = Halide::GeneratorOutput<T>;
    using FloatBuffer = Halide::Buffer<float>;

    // The problem the autoschedulers plan for, as a benchdnn descriptor;
    // empty: the numpy answer's. Hand schedules do not read it.
    Halide::GeneratorParam<std::string> estimate{"estimate", ""};

    Input<FloatBuffer> input{"input", 4};    // (c, x, y, n)
    Input<FloatBuffer> filter{"filter", 4};  // (k, c, fx, fy)
    // Range hints bound the index arithmetic for Halide's bounds inference;
    // the runtime validates the real values before any kernel runs.
    Input<int> stride_x{"stride_x", 1, 1, 1 << 16};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 16};
    Input<int> dilation_x{"dilation_x", 1, 1, 1 << 16};
    Input<int> dilation_y{"dilation_y", 1, 1, 1 << 16};
    Input<int> pad_left{"pad_left", 0, 0, 1 << 16};
    Input<int> pad_top{"pad_top", 0, 0, 1 << 16};
    Output<FloatBuffer> output{"output", 4};  // (k, x, y, n)

    void generate() {
        // Any element stride is accepted, so a strided view (a crop, an
        // as_strided array) runs in place.
        input.dim(0).set_stride(Halide::Expr());
        filter.dim(0).set_stride(Halide::Expr());

        conv_ = define_strided_conv({input, input.dim(0).extent(), input.dim(1).extent(), input.dim(2).extent(),
                                     input.dim(0).stride(), input.dim(1).stride(), filter, filter.dim(0).extent(),
                                     filter.dim(2).extent(), filter.dim(3).extent(), stride_x, stride_y, dilation_x,
                                     dilation_y, pad_left, pad_top});
        output = conv_.output;

        const EstimatedProblem e = estimated_problem(estimate);
        input.set_estimates({{0, e.c}, {0, e.w}, {0, e.h}, {0, e.n}});
        filter.set_estimates({{0, e.k}, {0, e.c}, {0, e.fw}, {0, e.fh}});
        output.set_estimates({{0, e.k}, {0, e.ow}, {0, e.oh}, {0, e.n}});
        stride_x.set_estimate(e.stride_x);
        stride_y.set_estimate(e.stride_y);
        dilation_x.set_estimate(e.dilation_x);
        dilation_y.set_estimate(e.dilation_y);
        pad_left.set_estimate(e.pad_left);
        pad_top.set_estimate(e.pad_top);
    }

    void schedule() {
        if (!this->get_auto_schedule()) {
            static_cast<Schedule *>(this)->apply(conv_, this->get_target());
        }
    }

    Halide::Pipeline build_for_jit() override {
        return this->build_pipeline();
    }

    void bind(const JitArguments &args) override {
        Halide::ImageParam(input).set(args.input);
        Halide::ImageParam(filter).set(args.filter);
        set_scalar(stride_x, args.stride_x);
        set_scalar(stride_y, args.stride_y);
        set_scalar(dilation_x, args.dilation_x);
        set_scalar(dilation_y, args.dilation_y);
        set_scalar(pad_left, args.pad_left);
        set_scalar(pad_top, args.pad_top);
    }

private:
    StridedConv conv_;
};

}  // namespace stridetune
