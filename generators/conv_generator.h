// The interface every stridetune kernel shares: the same inputs, output and
// algorithm; a derived generator contributes only its schedule. One derived
// generator per strategy lives in schedules/. The same generator serves the
// ahead-of-time build (GenGen) and the tuner's JIT (jit_bindings.h).
#pragma once

#include <algorithm>
#include <array>
#include <iterator>
#include <vector>

#include "Halide.h"
#include "halide_environment.h"
#include "jit_bindings.h"
#include "problem_estimates.h"
#include "strided_conv.h"
#include "stridetune/kernel_geometry.h"

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
    // The tuner's: one of specialized_strides compiles only the branch a
    // kernel runs for that stride (kernel_geometry.h), with the strides as
    // constants, in a third of the compile time; 0, every branch.
    // Padding::none: the input is read in place, for unpadded problems only
    // (strided_conv.h).
    Halide::GeneratorParam<Padding> padding{"padding", Padding::zeros,
                                            {{"zeros", Padding::zeros}, {"none", Padding::none}}};
    // Grouping::depthwise: each output channel reads its own input channel
    // (strided_conv.h); the runtime gives such a kernel depthwise problems only.
    Halide::GeneratorParam<Grouping> grouping{"grouping",
                                              Grouping::dense,
                                              {{"dense", Grouping::dense}, {"depthwise", Grouping::depthwise}}};
    // PixelOrder::flat: the output arrives flattened, one row an image
    // (strided_conv.h).
    Halide::GeneratorParam<PixelOrder> pixel_order{"pixel_order",
                                                   PixelOrder::grid,
                                                   {{"grid", PixelOrder::grid}, {"flat", PixelOrder::flat}}};
    Halide::GeneratorParam<int> only_stride{"only_stride", 0, 0, *std::max_element(std::begin(specialized_strides),
                                                                                     std::end(specialized_strides))};

    Input<FloatBuffer> input{"input", 4};    // (c, x, y, n)
    // The filter as define_packed_filter() lays it out, (kb, c, fx, fy, ko)
    // with a block of the schedule's choice (Schedule::filter_block), dense.
    Input<FloatBuffer> filter{"filter", 5};
    // Range hints bound the index arithmetic for Halide's bounds inference;
    // the runtime validates the real values before any kernel runs.
    Input<int> stride_x{"stride_x", 1, 1, 1 << 16};
    Input<int> stride_y{"stride_y", 1, 1, 1 << 16};
    Input<int> dilation_x{"dilation_x", 1, 1, 1 << 16};
    Input<int> dilation_y{"dilation_y", 1, 1, 1 << 16};
    Input<int> pad_left{"pad_left", 0, 0, 1 << 16};
    Input<int> pad_top{"pad_top", 0, 0, 1 << 16};
    // The convolution's output width: what a kernel of pixel_order=flat, given
    // the output flattened, needs to find a pixel's row and column.
    Input<int> out_width{"out_width", 1, 1, 1 << 24};
    // The post-ops (strided_conv.h: PostOpInputs): the bias, K rounded up
    // to the filter's blocks; the residual, of the output's shape and
    // dense along its channels; and their scalars, read where post_ops.
    Input<FloatBuffer> bias{"bias", 1};
    Input<FloatBuffer> residual{"residual", 4};
    Input<bool> post_ops{"post_ops"};
    Input<float> sum_scale{"sum_scale"};
    Input<float> relu_slope{"relu_slope"};
    Input<float> clip_lower{"clip_lower"};
    Input<float> clip_upper{"clip_upper"};
    Output<FloatBuffer> output{"output", 4};  // (k, x, y, n)

    void generate() {
        set_codegen_environment();
        if (this->get_auto_schedule()) set_autoscheduler_environment();
        // Any element stride is accepted, so a strided view (a crop, an
        // as_strided array) runs in place.
        input.dim(0).set_stride(Halide::Expr());
        // Every tensor starts at 0 (the runtime's always do): a tile's first
        // output channel is then a known multiple of the filter block, and
        // its taps load as dense vectors instead of element by element. The
        // input's x and y are left free: constrained, a bounds query answers
        // the constraint's min instead of the lowest pixel read, and the
        // runtime's query (kernel_needs), which stands in for the checks
        // the kernels are built without, must see a tile reach below 0.
        for (int d : {0, 3}) input.dim(d).set_min(0);
        filter_block_ = static_cast<const Schedule *>(this)->filter_block(this->get_target());
        std::array<Halide::Expr, 5> filter_extents;
        filter_extents[0] = filter_block_;
        for (int d = 1; d < 5; d++) filter_extents[size_t(d)] = filter.dim(d).extent();
        const std::array<Halide::Expr, 5> filter_strides =
            packed_filter_strides(filter_extents, grouping == Grouping::depthwise);
        filter.dim(0).set_bounds(0, filter_block_);
        for (int d = 1; d < 5; d++) filter.dim(d).set_min(0).set_stride(filter_strides[size_t(d)]);

        const bool one_stride = only_stride != 0;
        const Halide::Expr sx = one_stride ? Halide::Expr(int(only_stride)) : Halide::Expr(stride_x);
        const Halide::Expr sy = one_stride ? Halide::Expr(int(only_stride)) : Halide::Expr(stride_y);
        const Halide::Expr dx = one_stride ? Halide::Expr(1) : Halide::Expr(dilation_x);
        const Halide::Expr dy = one_stride ? Halide::Expr(1) : Halide::Expr(dilation_y);
        bias.dim(0).set_min(0);
        residual.dim(0).set_stride(1);
        for (int d : {0, 3}) residual.dim(d).set_min(0);
        // Halide 14's Mullapudi2016 fails an internal assertion on a
        // definition that multiplies by a float input or selects on a bool
        // one; read through a Func of no dimensions, the same values plan.
        const auto scalar = [&](const Halide::Expr &value) -> Halide::Expr {
            if (!this->get_auto_schedule()) return value;
            Halide::Func read;
            read() = value;
            return read();
        };
        const PostOpInputs post{bias,
                                residual,
                                scalar(post_ops),
                                scalar(sum_scale),
                                scalar(relu_slope),
                                scalar(clip_lower),
                                scalar(clip_upper)};
        conv_ = define_strided_conv({input, grouping, padding, pixel_order, out_width, input.dim(0).extent(),
                                     input.dim(1).extent(), input.dim(2).extent(), input.dim(0).stride(),
                                     input.dim(1).stride(), filter, filter_block_, filter.dim(2).extent(),
                                     filter.dim(3).extent(), sx, sy, dx, dy, pad_left, pad_top,
                                     static_cast<const Schedule *>(this)->skips_padding_rows(this->get_target()),
                                     post});
        output = conv_.output;
        // The output's channels and images start at 0 (as above); its
        // pixels and rows start where a band of it does (OutputBands,
        // stridetune/kernel_geometry.h).
        for (int d : {0, 3}) output.dim(d).set_min(0);

        const EstimatedProblem e = estimated_problem(estimate);
        input.set_estimates({{0, e.c}, {0, e.w}, {0, e.h}, {0, e.n}});
        filter.set_estimates({{0, filter_block_},
                              {0, grouping == Grouping::depthwise ? 1 : e.c},
                              {0, e.fw},
                              {0, e.fh},
                              {0, (e.k + filter_block_ - 1) / filter_block_}});
        output.set_estimates({{0, e.k}, {0, e.ow}, {0, e.oh}, {0, e.n}});
        bias.set_estimates({{0, (e.k + filter_block_ - 1) / filter_block_ * filter_block_}});
        residual.set_estimates({{0, e.k}, {0, e.ow}, {0, e.oh}, {0, e.n}});
        post_ops.set_estimate(false);
        sum_scale.set_estimate(1.0f);
        relu_slope.set_estimate(0.0f);
        clip_lower.set_estimate(0.0f);
        clip_upper.set_estimate(6.0f);
        stride_x.set_estimate(e.stride_x);
        stride_y.set_estimate(e.stride_y);
        dilation_x.set_estimate(e.dilation_x);
        dilation_y.set_estimate(e.dilation_y);
        pad_left.set_estimate(e.pad_left);
        pad_top.set_estimate(e.pad_top);
        out_width.set_estimate(e.ow);
    }

    void schedule() {
        if (!this->get_auto_schedule()) {
            static_cast<Schedule *>(this)->apply(conv_, this->get_target());
        }
    }

    // With only_stride, the pipeline refuses a geometry that the kernel
    // would run another branch for, rather than ignore its strides.
    Halide::Pipeline build_for_jit() override {
        Halide::Pipeline pipeline = this->build_pipeline();
        if (only_stride != 0) {
            using S = std::string;
            std::vector<Halide::Expr> message{S("compiled for the branch of stride "), int(only_stride),
                                              S(", given stride_x "),   stride_x,
                                              S(", stride_y "),         stride_y,
                                              S(", dilation_x "),       dilation_x,
                                              S(", dilation_y "),       dilation_y};
            pipeline.add_requirement(
                runs_stride_branch<Halide::Expr>(only_stride, stride_x, stride_y, dilation_x, dilation_y), message);
        }
        return pipeline;
    }

    // Whether the reduction skips the filter rows that read padding
    // (ConvInputs::skips_padding_rows): not unless a schedule defines its
    // own (the autoschedulers plan the algorithm as written).
    bool skips_padding_rows(const Halide::Target &) const {
        return false;
    }

    int filter_block() const override {
        return filter_block_;
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
        set_scalar(out_width, args.out_width);
        Halide::ImageParam(bias).set(args.bias);
        Halide::ImageParam(residual).set(args.residual);
        set_scalar(post_ops, args.post_ops);
        set_scalar(sum_scale, args.sum_scale);
        set_scalar(relu_slope, args.relu_slope);
        set_scalar(clip_lower, args.clip_lower);
        set_scalar(clip_upper, args.clip_upper);
    }

private:
    StridedConv conv_;
    int filter_block_ = 0;
};

}  // namespace stridetune
