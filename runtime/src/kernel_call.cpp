#include "kernel_call.h"

#include <algorithm>

#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"
#include "thread_pool.h"

namespace stridetune::detail {
namespace {

// Halide reports a failed check through this handler; the call that failed
// turns the message into an Error.
thread_local std::string halide_error_message;

void record_halide_error(void *, const char *message) {
    halide_error_message = message;
}

// Set while a call runs on the calling thread alone.
thread_local bool serial_call = false;

// A parallel loop of one task, or of a serial call, runs on this thread:
// waking the pool costs microseconds that small problems do not repay.
// Others run on the library's pool (thread_pool.h).
int do_par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
    return run_halide_loop(user_context, task, min, size, closure, !serial_call && size > 1);
}

void describe(halide_buffer_t &buffer, halide_dimension_t *dims, int dimensions, const float *data) {
    buffer = halide_buffer_t{};
    buffer.host = reinterpret_cast<uint8_t *>(const_cast<float *>(data));
    buffer.type = halide_type_t(halide_type_float, 32);
    buffer.dimensions = dimensions;
    buffer.dim = dims;
}

// A HalideBuffer's copy that crop() narrows to `count` elements of
// dimension d from its `first`, numbered from `min`: the kernels number
// images (dimension 3) from 0 (conv_generator.h), a band's pixels or rows
// where it starts in the output.
struct Cropped {
    halide_dimension_t dims[5];
    halide_buffer_t buffer;

    explicit Cropped(const HalideBuffer &from) : buffer(from.buffer) {
        std::copy(from.dims, from.dims + from.buffer.dimensions, dims);
        buffer.dim = dims;
    }
    void crop(int d, int64_t first, int64_t count, int64_t min) {
        buffer.host += first * dims[d].stride * int64_t(sizeof(float));
        dims[d].min = int32_t(min);
        dims[d].extent = int32_t(count);
    }
};

}  // namespace

HalideBuffer::HalideBuffer(const ConstTensor &t) {
    for (int d = 0; d < 4; d++) dims[d] = halide_dimension_t(0, int32_t(t.dims[3 - d]), int32_t(t.strides[3 - d]));
    describe(buffer, dims, 4, t.data);
}

HalideBuffer::HalideBuffer(const float *data, int32_t extent) {
    dims[0] = halide_dimension_t(0, extent, 1);
    describe(buffer, dims, 1, data);
}

HalideBuffer::HalideBuffer(const PackedFilterView &filter) {
    const std::array<int32_t, 5> strides = packed_filter_strides(filter.extents, filter.depthwise);
    for (int d = 0; d < 5; d++) dims[d] = halide_dimension_t(0, filter.extents[size_t(d)], strides[size_t(d)]);
    describe(buffer, dims, 5, filter.data);
}

int KernelCall::run(const Kernel &kernel, const ConvParams &p, int64_t out_width, bool parallel,
                    const std::optional<OutputBands> &bands) {
    if (!parallel || !bands || !output.buffer.host) {
        return run_into(kernel, p, out_width, parallel, input.buffer, residual.buffer, output.buffer);
    }
    // Round by round: a few images of the input and the output, as a
    // problem of their own.
    struct Round {
        KernelCall *call;
        const Kernel *kernel;
        const ConvParams *geometry;
        int64_t out_width;
        int dimension;
        int64_t first_image, images;
    } round{this, &kernel, &p, out_width, bands->dimension, 0, 0};
    const auto run_band = [](void *round_pointer, int64_t start, int64_t length) {
        const Round &r = *static_cast<const Round *>(round_pointer);
        Cropped in(r.call->input), out(r.call->output), residual(r.call->residual);
        in.crop(3, r.first_image, r.images, 0);
        for (Cropped *band : {&out, &residual}) {
            band->crop(3, r.first_image, r.images, 0);
            band->crop(r.dimension, start, length, start);
        }
        return r.call->run_into(*r.kernel, *r.geometry, r.out_width, false, in.buffer, residual.buffer,
                                out.buffer);
    };
    const int64_t images = output.dims[3].extent;
    for (round.first_image = 0; round.first_image < images; round.first_image += bands->images) {
        round.images = std::min<int64_t>(bands->images, images - round.first_image);
        if (const int status =
                run_ranges_on_pool(output.dims[bands->dimension].extent, bands->unit, run_band, &round)) {
            return status;
        }
    }
    return 0;
}

int KernelCall::run_into(const Kernel &kernel, const ConvParams &p, int64_t out_width, bool parallel,
                         halide_buffer_t &in, halide_buffer_t &residual_in, halide_buffer_t &out) {
    serial_call = !parallel;
    const KernelPostOps &o = post_ops;
    const int status = kernel.run(&in, &filter.buffer, p.stride_w, p.stride_h, p.dilation_w, p.dilation_h,
                                  p.pad_left, p.pad_top, int(out_width), &bias.buffer, &residual_in, o.enabled,
                                  o.sum_scale, o.relu_slope, o.clip_lower, o.clip_upper, &out);
    serial_call = false;
    return status;
}

const std::string &halide_error() {
    return halide_error_message;
}

void install_halide_handlers() {
    static const bool installed = [] {
        halide_set_error_handler(record_halide_error);
        halide_set_custom_do_par_for(do_par_for);
        return true;
    }();
    (void)installed;
}

Tensor kernel_output(const Kernel &kernel, const Tensor &output) {
    return kernel.flat_output ? flattened(output) : output;
}

// Asks the kernel, in Halide's bounds-query mode, which regions it would
// touch; the packed filter's block is a constraint the kernel was compiled
// with, reported the same way. The kernels are built without Halide's own
// checks (no_asserts), so this query, made once per operator, is what
// keeps every kernel inside the tensors: an autoscheduled tile may pass a
// problem smaller than its estimates, a kernel reading its input in place
// a padded problem's edges.
KernelNeeds kernel_needs(const Kernel &kernel, const ConvDescriptor &problem, const ConvParams &geometry) {
    install_halide_handlers();
    KernelNeeds needs;
    // Nothing in a kernel's tensors tells a depthwise problem from one
    // group's: the kernel's parameters do.
    const Parameters parameters = Parameters::parse(kernel.parameters);
    const bool depthwise_kernel = computes_depthwise(parameters);
    if (depthwise_kernel != problem.depthwise() || (!depthwise_kernel && problem.groups != 1)) {
        needs.refusal = depthwise_kernel ? "a depthwise problem (g = C = K > 1)" : "one group's problem (g = 1)";
        return needs;
    }
    // Compiled for one stride's branch alone (a tuned depthwise winner), a
    // kernel would take any other geometry for that one.
    if (const std::optional<std::string> only = parameters.get("only_stride");
        only && std::stoi(*only) != specialized_stride(geometry)) {
        needs.refusal = "stride " + *only + ", undilated (it is compiled for that branch alone)";
        return needs;
    }
    const ConstTensor input = dense(static_cast<const float *>(nullptr), problem.input_dims());
    const Tensor output = kernel_output(kernel, dense(static_cast<float *>(nullptr), problem.output_dims()));
    const ConstTensor residual{nullptr, output.dims, output.strides};
    // The filter's taps and channels come from its own dims (the reduction's
    // extent); the block and the block count are what the query asks.
    const PackedFilterView proposed{
        nullptr, {0, int32_t(problem.filter_dims()[2]), int32_t(problem.kw), int32_t(problem.kh), 0}, depthwise_kernel};
    needs.filter.depthwise = depthwise_kernel;
    // With the post-ops on, so that the residual's needs are asked too.
    KernelPostOps post_ops;
    post_ops.enabled = true;
    KernelCall query(input, proposed, output, residual, post_ops);
    // What the tensors have, before the query overwrites it with what the kernel needs.
    const KernelCall actual(input, proposed, output, residual, post_ops);
    for (HalideBuffer *b : {&query.input, &query.filter, &query.bias, &query.residual, &query.output}) b->make_query();
    if (query.run(kernel, geometry, problem.ow, false, std::nullopt) != 0) {
        needs.refusal = halide_error();
        return needs;
    }
    static const char *const filter_dim_names[5] = {"block", "C", "FW", "FH", "blocks"};
    for (int d = 0; d < 5; d++) {
        const halide_dimension_t &dim = query.filter.dims[d];
        // The taps and channels are the reduction's extent: packed whole.
        // A kernel may read fewer of them, where it skips filter rows that
        // read only padding (stridetune/tile_shape.h), none at all where
        // every row does, but never more.
        const bool proposed_extent = d >= 1 && d <= 3;
        const bool unread = proposed_extent && dim.extent == 0;
        if (!unread && (dim.min != 0 || dim.extent < 1)) {
            throw Error(kernel.function + " asks for a packed filter of [" + std::to_string(dim.min) + ", " +
                        std::to_string(dim.min + dim.extent) + ") along dimension " + std::to_string(d) +
                        ": not the layout stridetune packs");
        }
        if (proposed_extent && dim.extent > proposed.extents[size_t(d)]) {
            needs.refusal = std::string("filter ") + filter_dim_names[d] + " over [0, " +
                            std::to_string(dim.extent - 1) + "], the filter has [0, " +
                            std::to_string(proposed.extents[size_t(d)] - 1) + "]";
            return needs;
        }
        needs.filter.extents[size_t(d)] = proposed_extent ? proposed.extents[size_t(d)] : dim.extent;
    }
    // The bias is packed, like the filter, to whole blocks of channels.
    const halide_dimension_t &bias = query.bias.dims[0];
    const int64_t bias_extent = int64_t(needs.filter.extents[0]) * needs.filter.extents[4];
    if (bias.extent > 0 && (bias.min < 0 || bias.min + bias.extent > bias_extent)) {
        throw Error(kernel.function + " asks for a bias of [" + std::to_string(bias.min) + ", " +
                    std::to_string(bias.min + bias.extent) + "): not the " + std::to_string(bias_extent) +
                    " values stridetune packs");
    }
    const char *const names[] = {"input ", "output ", "residual "};
    static const char *const dim_names[3][4] = {
        {"C", "W", "H", "N"}, {"K", "OW", "OH", "N"}, {"K", "OW", "OH", "N"}};
    const HalideBuffer *need[] = {&query.input, &query.output, &query.residual};
    const HalideBuffer *have[] = {&actual.input, &actual.output, &actual.residual};
    for (int i = 0; i < 3; i++) {
        for (int d = 0; d < 4; d++) {
            const halide_dimension_t &n = need[i]->dims[d], &h = have[i]->dims[d];
            if (n.min < h.min || n.min + n.extent > h.min + h.extent) {
                needs.refusal = std::string(names[i]) + dim_names[i][d] + " over [" + std::to_string(n.min) + ", " +
                                std::to_string(n.min + n.extent - 1) + "], the tensor has [0, " +
                                std::to_string(h.extent - 1) + "]";
                return needs;
            }
        }
    }
    return needs;
}

}  // namespace stridetune::detail
