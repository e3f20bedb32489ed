#include "stridetune/kernel_geometry.h"

#include <algorithm>

#include "stridetune/tile_shape.h"

namespace stridetune {

ConvParams kernel_geometry(const ConvParams &params, int64_t out_h, int64_t out_w, int64_t filter_h,
                           int64_t filter_w) {
    ConvParams g = params;
    if (out_h == 1) g.stride_h = 1;
    if (out_w == 1) g.stride_w = 1;
    if (filter_h == 1) g.dilation_h = 1;
    if (filter_w == 1) g.dilation_w = 1;
    return g;
}

namespace {

struct AxisTaps {
    int64_t &in, &out, &filter;
    int &stride, &dilation, &pad_begin, &pad_end;

    bool sparse() const {
        return input_span<int64_t>(out, stride, filter, dilation) > gather_sparsity * out * filter;
    }
    void gather() {
        in = out * filter;
        stride = int(filter);
        dilation = 1;
        pad_begin = pad_end = 0;
    }
};

AxisTaps rows(ConvDescriptor &d) {
    return {d.ih, d.oh, d.kh, d.params.stride_h, d.params.dilation_h, d.params.pad_top, d.params.pad_bottom};
}

AxisTaps columns(ConvDescriptor &d) {
    return {d.iw, d.ow, d.kw, d.params.stride_w, d.params.dilation_w, d.params.pad_left, d.params.pad_right};
}

// The input index a gathered index reads along an axis of the original
// problem, or -1 in the padding.
int64_t source_index(int64_t gathered, int64_t in, int64_t filter, int stride, int dilation, int pad_begin) {
    const int64_t i = gathered / filter * stride + gathered % filter * dilation - pad_begin;
    return i >= 0 && i < in ? i : -1;
}

}  // namespace

GatheredAxes gathered_axes(const ConvDescriptor &problem) {
    ConvDescriptor d = problem;
    return {rows(d).sparse(), columns(d).sparse()};
}

ConvDescriptor gathered_problem(const ConvDescriptor &problem) {
    const GatheredAxes axes = gathered_axes(problem);
    ConvDescriptor g = problem;
    if (axes.rows) rows(g).gather();
    if (axes.columns) columns(g).gather();
    return g;
}

void gather_taps(const ConvDescriptor &problem, const TensorView<const float> &input, float *gathered) {
    const GatheredAxes by = gathered_axes(problem);
    const ConvDescriptor g = gathered_problem(problem);
    const ConvParams &p = problem.params;
    float *out = gathered;
    for (int64_t n = 0; n < g.mb; n++) {
        for (int64_t y = 0; y < g.ih; y++) {
            const int64_t sy = by.rows ? source_index(y, problem.ih, problem.kh, p.stride_h, p.dilation_h, p.pad_top) : y;
            for (int64_t x = 0; x < g.iw; x++) {
                const int64_t sx =
                    by.columns ? source_index(x, problem.iw, problem.kw, p.stride_w, p.dilation_w, p.pad_left) : x;
                if (sy < 0 || sx < 0) {
                    out = std::fill_n(out, g.ic, 0.0f);
                    continue;
                }
                const float *pixel = input.data + n * input.strides[0] + sy * input.strides[1] + sx * input.strides[2];
                for (int64_t c = 0; c < g.ic; c++) *out++ = pixel[c * input.strides[3]];
            }
        }
    }
}

bool flattens_pixels(const ConvDescriptor &problem) {
    const ConvParams &p = problem.params;
    return problem.kh == 1 && problem.kw == 1 && problem.oh > 1 && p.stride_h == 1 && p.stride_w == 1 &&
           p.pad_top == 0 && p.pad_bottom == 0 && p.pad_left == 0 && p.pad_right == 0;
}

bool takes_flat_output(const Parameters &kernel_parameters) {
    return kernel_parameters.get("pixel_order") == "flat";
}

bool computes_depthwise(const Parameters &kernel_parameters) {
    return kernel_parameters.get("grouping") == "depthwise";
}

std::optional<OutputBands> output_bands(const Parameters &kernel_parameters, Isa isa,
                                        const ConvDescriptor &kernel_problem, int64_t private_cache_bytes) {
    if (kernel_parameters.get("staged") != "image" || kernel_parameters.get("outer") == "channels") {
        return std::nullopt;
    }
    const TileShape tile = tile_shape(kernel_parameters, isa);
    const ConvDescriptor &k = kernel_problem;
    const ConvParams &g = k.params;
    const int64_t image_bytes =
        input_span<int64_t>(k.oh, g.stride_h, k.kh, g.dilation_h) *
        staged_floats(input_span<int64_t>(k.ow, g.stride_w, k.kw, g.dilation_w), k.ic, tile.vector_width) *
        int64_t(sizeof(float));
    if (image_bytes > private_cache_bytes) return std::nullopt;
    const int images = int(std::min<int64_t>(k.mb, private_cache_bytes / image_bytes));
    return takes_flat_output(kernel_parameters) ? OutputBands{1, tile.pixels(), images}
                                                : OutputBands{2, tile.rows, images};
}

ConvDescriptor kernel_problem(const ConvDescriptor &problem) {
    if (!flattens_pixels(problem)) return gathered_problem(problem);
    ConvDescriptor f = problem;
    f.iw = f.ow = problem.ih * problem.iw;
    f.ih = f.oh = 1;
    return f;
}

ConvParams kernel_geometry(const ConvDescriptor &problem) {
    const ConvDescriptor g = kernel_problem(problem);
    return kernel_geometry(g.params, g.oh, g.ow, g.kh, g.kw);
}

int specialized_stride(const ConvParams &g) {
    for (int stride : specialized_strides) {
        if (runs_stride_branch(stride, g.stride_w, g.stride_h, g.dilation_w, g.dilation_h)) return stride;
    }
    return 0;
}

}  // namespace stridetune
