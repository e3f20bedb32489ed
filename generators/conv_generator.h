// The interface every stridetune kernel shares: the same inputs, output and
// algorithm; a derived generator contributes only its schedule. One derived
// generator per strategy lives in schedules/.
#pragma once

#include "Halide.h"
#include "strided_conv.h"

namespace stridetune {

template<typename Schedule>
class ConvGenerator : public Halide::Generator<Schedule> {
public:
    template<typename T>
    using Input = Halide::GeneratorInput<T>;
    template<typename T>
    using Output = Halide::GeneratorOutput<T>;
    using FloatBuffer = Halide::Buffer<float>;

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
                                     input.dim(0).stride(), input.dim(1).stride(), filter, filter.dim(0).extent(), filter.dim(2).extent(), filter.dim(3).extent(),
                                     stride_x, stride_y, dilation_x, dilation_y, pad_left, pad_top});
        output = conv_.output;
        set_seed_estimates();
    }

    void schedule() {
        if (!this->get_auto_schedule()) {
            static_cast<Schedule *>(this)->apply(conv_, this->get_target());
        }
    }

private:
    // The autoschedulers tune for these sizes: the numpy answer's problem,
    // 64x221x221x3 input, 4x4x3x5 filter, stride 2.
    void set_seed_estimates() {
        input.set_estimates({{0, 3}, {0, 221}, {0, 221}, {0, 64}});
        filter.set_estimates({{0, 5}, {0, 3}, {0, 4}, {0, 4}});
        output.set_estimates({{0, 5}, {0, 109}, {0, 109}, {0, 64}});
        stride_x.set_estimate(2);
        stride_y.set_estimate(2);
        dilation_x.set_estimate(1);
        dilation_y.set_estimate(1);
        pad_left.set_estimate(0);
        pad_top.set_estimate(0);
    }

    StridedConv conv_;
};

}  // namespace stridetune
