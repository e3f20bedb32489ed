// stridetune::Convolution: everything that does not change between runs is
// done once, at creation; run() checks the two tensors and calls the kernel.
#include <chrono>
#include <cstdio>
#include <limits>
#include <vector>

#include "api_boundary.h"
#include "packing.h"
#include "selection.h"
#include "settings.h"
#include "stridetune/convolution.h"
#include "stridetune/kernel_geometry.h"

namespace stridetune {

using detail::Problem;

// A grouped convolution runs each group as a convolution of its own
// channels: one kernel for all, chosen for one group's problem, a packed
// filter each; a depthwise one runs whole on a depthwise kernel
// (select_kernel()).
struct Convolution::State {
    Problem problem;            // the tensors' (every group's channels), for run()'s checks
    ConvDescriptor descriptor;  // problem(), canonical
    std::string key;            // problem_key(descriptor), for the verbose line
    // What one kernel call computes: one group's ic / groups and oc / groups
    // channels, or, on a depthwise kernel, every group's.
    ConvDescriptor group;
    detail::Selection selection;
    std::vector<detail::PackedFilter> filters;  // a call's each, with its bias
    detail::KernelPostOps post_ops;
    // A call's residual where the problem has none: zeros (the sum's
    // identity, generators/strided_conv.h), strides 0 but along the channels;
    // read where a kernel computes the post-ops' select unspecialised.
    std::vector<float> zeros;
    Plan plan;
};

namespace {

// The sizes of `d`, checked as a Problem's; its output sizes, if given, must
// be what the sizes and params give.
Problem validated_problem(const ConvDescriptor &d) {
    const std::pair<const char *, int64_t> sizes[] = {{"groups", d.groups}, {"mb", d.mb}, {"ic", d.ic},
                                                      {"ih", d.ih},         {"iw", d.iw}, {"oc", d.oc},
                                                      {"kh", d.kh},         {"kw", d.kw}};
    for (const auto &[field, value] : sizes) {
        if (value < 1 || value > std::numeric_limits<int32_t>::max()) {
            throw Error(std::string("problem.") + field + " is " + std::to_string(value) + ", must be in [1, " +
                        std::to_string(std::numeric_limits<int32_t>::max()) + "]");
        }
    }
    if (d.ic % d.groups != 0 || d.oc % d.groups != 0) {
        throw Error("problem.groups is " + std::to_string(d.groups) + ", which does not divide problem.ic " +
                    std::to_string(d.ic) + " and problem.oc " + std::to_string(d.oc));
    }
    const Problem p = detail::validate_problem({d.mb, d.ih, d.iw, d.ic, d.oc, d.kh, d.kw, 0, 0, d.params, d.groups});
    const std::pair<const char *, std::pair<int64_t, int64_t>> outputs[] = {{"oh", {d.oh, p.oh}},
                                                                            {"ow", {d.ow, p.ow}}};
    for (const auto &[field, given_and_derived] : outputs) {
        const auto [given, derived] = given_and_derived;
        if (given != 0 && given != derived) {
            throw Error(std::string("problem.") + field + " is " + std::to_string(given) +
                        ", the problem's sizes and params give " + std::to_string(derived));
        }
    }
    return p;
}

ConvDescriptor problem_of(const std::array<int64_t, 4> &input_dims, const ConstTensor &filter,
                          const ConvParams &params) {
    detail::validate_tensor("filter", filter);
    ConvDescriptor d;
    d.groups = detail::groups_of(input_dims[3], filter);
    d.mb = input_dims[0], d.ih = input_dims[1], d.iw = input_dims[2], d.ic = input_dims[3];
    d.kh = filter.dims[0], d.kw = filter.dims[1], d.oc = filter.dims[3];
    d.params = params;
    return d;
}

// Channels [first, first + count) of `t`.
template <typename T>
TensorView<T> channels(const TensorView<T> &t, int64_t first, int64_t count) {
    return {t.data + first * t.strides[3], {t.dims[0], t.dims[1], t.dims[2], count}, t.strides};
}

std::unique_ptr<const Convolution::State> create(const ConvDescriptor &d, const ConstTensor &filter,
                                                 const ConstVector &bias, const Options &options) {
    detail::install_halide_handlers();
    num_threads();  // applies STRIDETUNE_NUM_THREADS before the first kernel runs
    detail::validate_post_ops(d.post_ops);
    Problem problem = validated_problem(d);
    problem.post_ops = d.post_ops;
    ConvDescriptor descriptor = problem.descriptor();
    descriptor.name = d.name;
    descriptor.occurrences = d.occurrences;
    detail::validate_filter(filter, descriptor);
    detail::validate_bias(bias, descriptor);
    detail::Selection selection = detail::select_kernel(problem, options);
    const Problem group = detail::call_problem(selection, problem);
    const int64_t calls = problem.groups / group.groups;
    std::vector<detail::PackedFilter> filters;
    filters.reserve(size_t(calls));
    for (int64_t j = 0; j < calls; j++) {
        filters.emplace_back(*selection.kernel, selection.filter_shape, channels(filter, j * group.k, group.k),
                             bias.data ? bias.data + j * group.k : nullptr);
    }
    const Plan plan = detail::plan_of(selection, problem);
    return std::unique_ptr<const Convolution::State>(new Convolution::State{
        problem, descriptor, problem_key(descriptor), group.descriptor(), std::move(selection), std::move(filters),
        detail::kernel_post_ops(d.post_ops), std::vector<float>(size_t(group.k), 0.0f), plan});
}

// Per-thread scratch, so that concurrent runs do not share it, and kept,
// so that runs after the first do not allocate.
float *scratch(std::vector<float> &buffer, const std::array<int64_t, 4> &dims) {
    const size_t elements = size_t(dims[0] * dims[1] * dims[2] * dims[3]);
    if (buffer.size() < elements) buffer.resize(elements);
    return buffer.data();
}

// The gathered taps of a run's input (kernel_geometry.h).
ConstTensor gathered_input(const Convolution::State &s, const ConstTensor &input) {
    thread_local std::vector<float> taps;
    const std::array<int64_t, 4> dims = s.selection.kernel_problem.input_dims();
    float *data = scratch(taps, dims);
    gather_taps(s.group, input, data);
    return dense<const float>(data, dims);
}

void copy(const ConstTensor &from, const Tensor &to) {
    for (int64_t n = 0; n < from.dims[0]; n++) {
        for (int64_t y = 0; y < from.dims[1]; y++) {
            for (int64_t x = 0; x < from.dims[2]; x++) {
                const float *source = from.data + n * from.strides[0] + y * from.strides[1] + x * from.strides[2];
                float *target = to.data + n * to.strides[0] + y * to.strides[1] + x * to.strides[2];
                for (int64_t c = 0; c < from.dims[3]; c++) target[c * to.strides[3]] = source[c * from.strides[3]];
            }
        }
    }
}

ConstTensor as_const(const Tensor &t) {
    return {t.data, t.dims, t.strides};
}

// `t`, or where its rows do not follow one another (a crop, or a group's
// channels among others), a dense copy of it in `buffer`.
ConstTensor with_rows_following(const ConstTensor &t, std::vector<float> &buffer) {
    if (rows_follow(t)) return t;
    const Tensor copied = dense(scratch(buffer, t.dims), t.dims);
    copy(t, copied);
    return as_const(copied);
}

// The output and the residual of one kernel call.
struct CallOutput {
    Tensor output;
    ConstTensor residual;
};

void call_kernel(const Convolution::State &s, const ConstTensor &input, const detail::PackedFilter &filter,
                 const CallOutput &out) {
    const detail::Kernel &kernel = *s.selection.kernel;
    detail::KernelCall call(input, filter.view(), detail::kernel_output(kernel, out.output),
                            kernel.flat_output ? flattened(out.residual) : out.residual, s.post_ops);
    const detail::Selection &selected = s.selection;
    const int status =
        call.run(kernel, selected.geometry, selected.kernel_problem.ow, selected.parallel, selected.bands);
    if (status != 0) {
        throw Error(kernel.function + " failed (" + std::to_string(status) + "): " + detail::halide_error());
    }
}

// Runs into out.output, through dense copies of the output and the residual
// where their rows do not follow one another (a crop, or a group's channels
// among others), as a kernel of flat output, or one given the tensors
// flattened (`flatten`), needs.
void call_with_rows_following(const Convolution::State &s, const ConstTensor &input,
                              const detail::PackedFilter &filter, const CallOutput &out, bool flatten) {
    thread_local std::vector<float> dense_output, dense_residual;
    const bool output_follows = rows_follow(out.output);
    const Tensor output = output_follows ? out.output : dense(scratch(dense_output, out.output.dims), out.output.dims);
    const ConstTensor residual = with_rows_following(out.residual, dense_residual);
    if (flatten) {
        call_kernel(s, flattened(input), filter, {flattened(output), flattened(residual)});
    } else {
        call_kernel(s, input, filter, {output, residual});
    }
    if (!output_follows) copy(as_const(output), out.output);
}

void run_on(const Convolution::State &s, const ConstTensor &input, const detail::PackedFilter &filter,
            const CallOutput &out) {
    if (!s.selection.kernel->flat_output) return call_kernel(s, input, filter, out);
    call_with_rows_following(s, input, filter, out, false);
}

// One group's channels of the input and the output.
void run_group(const Convolution::State &s, const ConstTensor &input, const detail::PackedFilter &filter,
               const CallOutput &out) {
    if (s.selection.gathered) return run_on(s, gathered_input(s, input), filter, out);
    if (!s.selection.flattened) return run_on(s, input, filter, out);
    thread_local std::vector<float> dense_input;
    call_with_rows_following(s, with_rows_following(input, dense_input), filter, out, true);
}

void run_kernel(const Convolution::State &s, const ConstTensor &input, const Tensor &output,
                const ConstTensor &residual) {
    detail::validate_run(input, output, residual, s.problem);
    const bool verbose = detail::verbose();
    const auto start = verbose ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    for (size_t j = 0; j < s.filters.size(); j++) {
        const int64_t group = int64_t(j);
        const Tensor group_output = channels(output, group * s.group.oc, s.group.oc);
        const ConstTensor group_residual = residual.data ? channels(residual, group * s.group.oc, s.group.oc)
                                                         : ConstTensor{s.zeros.data(), group_output.dims, {0, 0, 0, 1}};
        run_group(s, channels(input, group * s.group.ic, s.group.ic), s.filters[j], {group_output, group_residual});
    }
    if (verbose) {
        const detail::Kernel &kernel = *s.selection.kernel;
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "stridetune_verbose,exec,%s,%s,%s,%s,%.3f ms,%.1f GFLOP/s\n", kernel.function.c_str(),
                     std::string(to_string(kernel.isa)).c_str(), s.key.c_str(), s.plan.reason.c_str(), ms,
                     s.descriptor.flops() / ms * 1e-6);
    }
}

}  // namespace

Convolution::Convolution(const ConvDescriptor &problem, const ConstTensor &filter, const Options &options)
    : Convolution(problem, filter, ConstVector{}, options) {
}

Convolution::Convolution(const ConvDescriptor &problem, const ConstTensor &filter, const ConstVector &bias,
                         const Options &options)
    : state_(detail::only_errors([&] { return create(problem, filter, bias, options); })) {
}

Convolution::Convolution(const std::array<int64_t, 4> &input_dims, const ConstTensor &filter,
                         const ConvParams &params, const Options &options)
    : state_(detail::only_errors(
          [&] { return create(problem_of(input_dims, filter, params), filter, ConstVector{}, options); })) {
}

Convolution::Convolution(Convolution &&) noexcept = default;
Convolution &Convolution::operator=(Convolution &&) noexcept = default;
Convolution::~Convolution() = default;

const Convolution::State &Convolution::state() const {
    if (!state_) throw Error("this Convolution was moved from: it has no problem and no filter");
    return *state_;
}

void Convolution::run(const ConstTensor &input, const Tensor &output) const {
    detail::only_errors([&] { run_kernel(state(), input, output, ConstTensor{}); });
}

void Convolution::run(const ConstTensor &input, const Tensor &output, const ConstTensor &residual) const {
    detail::only_errors([&] { run_kernel(state(), input, output, residual); });
}

const Plan &Convolution::plan() const {
    return state().plan;
}

const ConvDescriptor &Convolution::problem() const {
    return state().descriptor;
}

size_t Convolution::packed_bytes() const {
    size_t bytes = 0;
    for (const detail::PackedFilter &filter : state().filters) bytes += filter.bytes();
    return bytes;
}

}  // namespace stridetune
