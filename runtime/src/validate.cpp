#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <limits>
#include <sstream>

#include "problem.h"
#include "stridetune/descriptor.h"
#include "stridetune/error.h"
#include "stridetune/kernel_geometry.h"

namespace stridetune {

int64_t output_extent(int64_t in, int64_t filter, int stride, int dilation, int pad_begin, int pad_end) {
    const int64_t span = int64_t(dilation) * (filter - 1) + 1;
    const int64_t padded = in + pad_begin + pad_end;
    if (stride <= 0 || padded < span) return 0;
    return (padded - span) / stride + 1;
}

namespace detail {
namespace {

constexpr int64_t halide_index_limit = std::numeric_limits<int32_t>::max();

[[noreturn]] void fail(const std::string &message) {
    throw Error(message);
}

std::string list_string(const std::array<int64_t, 4> &v) {
    std::ostringstream s;
    s << '[' << v[0] << ", " << v[1] << ", " << v[2] << ", " << v[3] << ']';
    return s.str();
}

template<typename T>
std::string dims_string(const TensorView<T> &t) {
    return list_string(t.dims);
}

template<typename T>
std::string strides_string(const TensorView<T> &t) {
    return list_string(t.strides);
}

// Lowest and one past the highest byte address the view touches.
template<typename T>
std::pair<uintptr_t, uintptr_t> byte_span(const TensorView<T> &t) {
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < 4; d++) {
        const int64_t reach = (t.dims[d] - 1) * t.strides[d];
        (reach < 0 ? lo : hi) += reach;
    }
    const auto base = reinterpret_cast<uintptr_t>(t.data);
    return {base + lo * int64_t(sizeof(float)), base + (hi + 1) * int64_t(sizeof(float))};
}

// The kernels index with 32-bit integers; Halide checks, per buffer, that
// every |extent x stride| and the product of the extents fit, and every
// element's offset must fit too. Checked here first, so the message names the
// tensor and nothing runs.
template<typename T>
[[noreturn]] void fail_tensor(const char *name, const TensorView<T> &t, const std::string &problem) {
    fail(std::string(name) + " (dims " + dims_string(t) + ", strides " + strides_string(t) + "): " + problem);
}

template<typename T>
void check_tensor(const char *name, const TensorView<T> &t) {
    if (t.data == nullptr) fail(std::string(name) + ": data is a null pointer");
    int64_t elements = 1, reach = 0;
    for (int d = 0; d < 4; d++) {
        if (t.dims[d] <= 0) fail_tensor(name, t, "dims must all be positive");
        if (t.dims[d] > halide_index_limit || t.strides[d] > halide_index_limit ||
            t.strides[d] < -halide_index_limit) {
            fail_tensor(name, t, "dimension " + std::to_string(d) + " exceeds the 32-bit indexing of the kernels");
        }
        const int64_t stride = t.strides[d] < 0 ? -t.strides[d] : t.strides[d];
        elements *= t.dims[d];
        reach += (t.dims[d] - 1) * stride;
        if (t.dims[d] * stride > halide_index_limit || elements > halide_index_limit || reach > halide_index_limit) {
            fail_tensor(name, t, "spans more elements than the 32-bit indexing of the kernels allows");
        }
    }
}

// Whether two distinct indices of `t` address the same element: with the
// dimensions sorted by stride, each must step over everything inside it.
template<typename T>
bool overlaps_itself(const TensorView<T> &t) {
    std::array<std::pair<int64_t, int64_t>, 4> dims;  // (|stride|, extent)
    for (int d = 0; d < 4; d++) dims[d] = {t.strides[d] < 0 ? -t.strides[d] : t.strides[d], t.dims[d]};
    std::sort(dims.begin(), dims.end());
    int64_t span = 1;  // elements covered by the dimensions inside
    for (auto [stride, extent] : dims) {
        if (extent == 1) continue;
        if (stride < span) return true;
        span = stride * (extent - 1) + span;
    }
    return false;
}

template<typename A, typename B>
bool overlap(const TensorView<A> &a, const TensorView<B> &b) {
    auto [a_lo, a_hi] = byte_span(a);
    auto [b_lo, b_hi] = byte_span(b);
    return a_lo < b_hi && b_lo < a_hi;
}

// The kernels index in 32 bits: along each axis, every coordinate they form
// (padded, strided, split by column phase) must fit. The padded extent is
// in + pads; the largest coordinate a kernel reaches is below
// (out + tile_slack) * stride + (filter - 1) * dilation + stride, as
// register tiles and vectorised staging compute up to tile_slack outputs
// past the last one (rounded up, then dropped). Problems past either
// bound are refused: near 2^31 such arithmetic wraps.
constexpr int64_t tile_slack = 64;

struct Axis {
    const char *name, *pad_begin, *pad_end, *stride, *dilation;  // for the message
    int64_t in, out, filter;
    int pb, pe, s, d;
};

void check_index_range(const Axis &a) {
    const int64_t padded = a.in + a.pb + a.pe;
    const int64_t reach = (a.out + tile_slack) * a.s + (a.filter - 1) * a.d + a.s;
    const int64_t extreme = std::max(padded, reach);
    if (extreme > halide_index_limit) {
        fail(std::string("input: along ") + a.name + " (input " + a.name + " " + std::to_string(a.in) +
             ", params." + a.pad_begin + " " + std::to_string(a.pb) + ", params." + a.pad_end + " " +
             std::to_string(a.pe) + ", params." + a.stride + " " + std::to_string(a.s) + ", params." + a.dilation +
             " " + std::to_string(a.d) + ") the kernels' coordinates reach " + std::to_string(extreme) +
             ", more than their 32-bit indexing allows (" + std::to_string(halide_index_limit) + ")");
    }
}

// The kernels declare this range for strides, dilations and pads.
constexpr int geometry_limit = 1 << 16;

void check_in_range(const char *field, int value, int lowest) {
    if (value < lowest || value > geometry_limit) {
        fail(std::string("params.") + field + " is " + std::to_string(value) + ", must be in [" +
             std::to_string(lowest) + ", " + std::to_string(geometry_limit) + "]");
    }
}

}  // namespace

ConvDescriptor Problem::descriptor() const {
    ConvDescriptor d;
    d.groups = groups, d.mb = n, d.ic = c, d.ih = h, d.iw = w, d.oc = k, d.oh = oh, d.ow = ow, d.kh = fh, d.kw = fw;
    d.params = params;
    d.post_ops = post_ops;
    return d;
}

Problem Problem::of(const ConvDescriptor &d) {
    return {d.mb, d.ih, d.iw, d.ic, d.oc, d.kh, d.kw, d.oh, d.ow, d.params, d.groups, d.post_ops};
}

Problem Problem::one_group() const {
    return of(descriptor().one_group());
}

std::string Problem::key() const {
    return problem_key(descriptor());
}

void validate_tensor(const char *name, const ConstTensor &t) {
    check_tensor(name, t);
}

Problem validate_problem(const Problem &sizes) {
    const ConvParams &p = sizes.params;
    check_in_range("stride_h", p.stride_h, 1);
    check_in_range("stride_w", p.stride_w, 1);
    check_in_range("dilation_h", p.dilation_h, 1);
    check_in_range("dilation_w", p.dilation_w, 1);
    check_in_range("pad_top", p.pad_top, 0);
    check_in_range("pad_left", p.pad_left, 0);
    check_in_range("pad_bottom", p.pad_bottom, 0);
    check_in_range("pad_right", p.pad_right, 0);
    Problem pr = sizes;
    const int64_t oh = output_extent(pr.h, pr.fh, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
    const int64_t ow = output_extent(pr.w, pr.fw, p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
    // Names every field the failing axis's extent depends on.
    const auto empty_along = [](const char *axis, int64_t in, const char *pad_begin, int pb, const char *pad_end,
                                int pe, const char *filter_dim, int64_t taps, const char *dilation, int d) {
        fail(std::string("input: the effective input is empty along ") + axis + ": input " + axis + " " +
             std::to_string(in) + " + params." + pad_begin + " " + std::to_string(pb) + " + params." + pad_end + " " +
             std::to_string(pe) + " = " + std::to_string(in + pb + pe) + " is less than the filter's span (filter " +
             filter_dim + " " + std::to_string(taps) + " - 1) * params." + dilation + " " + std::to_string(d) +
             " + 1 = " + std::to_string((taps - 1) * d + 1));
    };
    if (oh == 0) empty_along("H", pr.h, "pad_top", p.pad_top, "pad_bottom", p.pad_bottom, "FH", pr.fh, "dilation_h",
                             p.dilation_h);
    if (ow == 0) empty_along("W", pr.w, "pad_left", p.pad_left, "pad_right", p.pad_right, "FW", pr.fw, "dilation_w",
                             p.dilation_w);
    pr.oh = oh, pr.ow = ow;
    // Along a gathered axis (kernel_geometry.h) the kernel reads the
    // gathered taps, densely, instead.
    const ConvDescriptor d = pr.descriptor();
    const GatheredAxes gathered = gathered_axes(d);
    if (!gathered.rows) {
        check_index_range({"H", "pad_top", "pad_bottom", "stride_h", "dilation_h", pr.h, oh, pr.fh, p.pad_top,
                           p.pad_bottom, p.stride_h, p.dilation_h});
    }
    if (!gathered.columns) {
        check_index_range({"W", "pad_left", "pad_right", "stride_w", "dilation_w", pr.w, ow, pr.fw, p.pad_left,
                           p.pad_right, p.stride_w, p.dilation_w});
    }
    if (gathered) {
        const ConvDescriptor g = gathered_problem(d);
        const int64_t elements = g.mb * g.ih * g.iw * g.ic;
        if (elements > halide_index_limit || (g.oh + tile_slack) * g.kh > halide_index_limit ||
            (g.ow + tile_slack) * g.kw > halide_index_limit) {
            fail("input: its taps, gathered (" + std::to_string(g.mb) + " x " + std::to_string(g.ih) + " x " +
                 std::to_string(g.iw) + " x " + std::to_string(g.ic) +
                 "), are more than the kernels' 32-bit indexing allows");
        }
    }
    return pr;
}

void validate_filter(const ConstTensor &filter, const ConvDescriptor &problem) {
    check_tensor("filter", filter);
    const std::array<int64_t, 4> expected = problem.filter_dims();
    if (filter.dims != expected) {
        fail("filter: dims " + dims_string(filter) + " do not match the problem's " + list_string(expected) +
             (problem.groups == 1 ? " (FH, FW, C, K)" : " (FH, FW, C/g, K)"));
    }
}

namespace {

// The two tensors of a run against the problem, each already checked alone.
void check_run_shapes(const ConstTensor &input, const Tensor &output, const Problem &problem) {
    const std::array<int64_t, 4> expected_input{problem.n, problem.h, problem.w, problem.c};
    if (input.dims != expected_input) {
        fail("input: dims " + dims_string(input) + " do not match the problem's " + list_string(expected_input) +
             " (N, H, W, C)");
    }
    const std::array<int64_t, 4> expected_output{problem.n, problem.oh, problem.ow, problem.k};
    if (output.dims != expected_output) {
        fail("output: dims " + dims_string(output) + " do not match the expected " + list_string(expected_output) +
             " (N, OH, OW, K)");
    }
    if (output.strides[3] != 1) {
        fail("output: channel stride is " + std::to_string(output.strides[3]) + ", must be 1");
    }
    if (overlaps_itself(output)) {
        fail("output: strides " + strides_string(output) + " make distinct elements share memory");
    }
    if (overlap(output, input)) fail("output: overlaps the input");
}

}  // namespace

void validate_run(const ConstTensor &input, const Tensor &output, const ConstTensor &residual,
                  const Problem &problem) {
    check_tensor("input", input);
    check_tensor("output", output);
    check_run_shapes(input, output, problem);
    const bool given = residual.data != nullptr;
    if (!problem.post_ops.sum) {
        if (given) fail("residual: given to a problem without a sum post-op (ConvDescriptor::post_ops.sum)");
        return;
    }
    if (!given) fail("residual: the problem's sum post-op adds one; run(input, output, residual) takes it");
    check_tensor("residual", residual);
    if (residual.dims != output.dims) {
        fail("residual: dims " + dims_string(residual) + " do not match the output's " + dims_string(output) +
             " (N, OH, OW, K)");
    }
    if (residual.strides[3] != 1) {
        fail("residual: channel stride is " + std::to_string(residual.strides[3]) + ", must be 1");
    }
    // A tile shifted inwards at the output's edge stores some outputs twice,
    // the second time reading a residual the first may have overwritten.
    if (overlap(output, residual)) fail("residual: overlaps the output");
}

void validate_post_ops(const PostOps &p) {
    const std::pair<const char *, std::optional<float>> values[] = {
        {"sum", p.sum},
        {"relu", p.relu},
        {"clip.lower", p.clip ? std::optional<float>(p.clip->lower) : std::nullopt},
        {"clip.upper", p.clip ? std::optional<float>(p.clip->upper) : std::nullopt}};
    for (const auto &[field, value] : values) {
        if (value && std::isnan(*value)) fail(std::string("problem.post_ops.") + field + " is NaN");
    }
    if (p.sum && std::isinf(*p.sum)) fail("problem.post_ops.sum is infinite");
    if (p.relu && std::isinf(*p.relu)) fail("problem.post_ops.relu is infinite");
    if (p.clip && p.clip->lower > p.clip->upper) {
        fail("problem.post_ops.clip: lower " + std::to_string(p.clip->lower) + " is above upper " +
             std::to_string(p.clip->upper));
    }
}

void validate_bias(const ConstVector &bias, const ConvDescriptor &problem) {
    const bool given = bias.data != nullptr;
    if (!problem.post_ops.bias) {
        if (given) fail("bias: given to a problem without a bias post-op (ConvDescriptor::post_ops.bias)");
        return;
    }
    if (!given) fail("bias: the problem's bias post-op adds one; the constructor taking a bias takes it");
    if (bias.size != problem.oc) {
        fail("bias: size " + std::to_string(bias.size) + ", the problem has " + std::to_string(problem.oc) +
             " output channels (problem.oc)");
    }
}

int64_t groups_of(int64_t input_channels, const ConstTensor &filter) {
    const int64_t group_channels = filter.dims[2], out_channels = filter.dims[3];
    if (input_channels < 1) return 1;  // the problem's validation names it
    if (input_channels % group_channels != 0) {
        fail("input and filter: the input has " + std::to_string(input_channels) +
             " channels (input dims[3]), the filter " + std::to_string(group_channels) +
             " (filter dims[2]), which does not divide them (a filter of C/g channels runs g groups)");
    }
    const int64_t groups = input_channels / group_channels;
    if (out_channels % groups != 0) {
        fail("filter: its " + std::to_string(out_channels) + " output channels (filter dims[3]) do not divide into the " +
             std::to_string(groups) + " groups that its " + std::to_string(group_channels) +
             " input channels (filter dims[2]) make of the input's " + std::to_string(input_channels));
    }
    return groups;
}

Problem validate(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &p) {
    check_tensor("input", input);
    check_tensor("filter", filter);
    check_tensor("output", output);
    const int64_t groups = groups_of(input.dims[3], filter);
    const Problem pr = validate_problem({input.dims[0], input.dims[1], input.dims[2], input.dims[3], filter.dims[3],
                                         filter.dims[0], filter.dims[1], 0, 0, p, groups});
    check_run_shapes(input, output, pr);
    if (overlap(output, filter)) fail("output: overlaps the filter");
    return pr;
}

}  // namespace detail
}  // namespace stridetune
