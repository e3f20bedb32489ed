#include "reference.h"

#include <cmath>
#include <stdexcept>

namespace stridetune_test {

int64_t reference_output_extent(int64_t in, int64_t filter, int64_t stride, int64_t dilation, int64_t pad_begin,
                                int64_t pad_end) {
    const int64_t padded = in + pad_begin + pad_end;
    const int64_t dilated_filter = dilation * (filter - 1) + 1;
    if (stride <= 0 || padded < dilated_filter) return 0;
    return (padded - dilated_filter) / stride + 1;
}

ReferenceOutput reference_convolution(const stridetune::ConstTensor &input, const stridetune::ConstTensor &filter,
                                      const stridetune::ConvParams &p, int64_t groups) {
    const int64_t N = input.dims[0], H = input.dims[1], W = input.dims[2], C = input.dims[3];
    const int64_t FH = filter.dims[0], FW = filter.dims[1], K = filter.dims[3];
    if (groups < 1 || C % groups != 0 || K % groups != 0) {
        throw std::invalid_argument("reference_convolution: groups do not divide the channels");
    }
    const int64_t group_c = C / groups, group_k = K / groups;
    if (filter.dims[2] != group_c) {
        throw std::invalid_argument("reference_convolution: filter and input channels differ");
    }
    const int64_t OH = reference_output_extent(H, FH, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
    const int64_t OW = reference_output_extent(W, FW, p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
    if (OH <= 0 || OW <= 0) throw std::invalid_argument("reference_convolution: empty output");

    ReferenceOutput out;
    out.dims = {N, OH, OW, K};
    out.reduction_length = FH * FW * group_c;
    out.value.assign(size_t(N * OH * OW * K), 0.0);
    out.abs_sum.assign(size_t(N * OH * OW * K), 0.0);

    const auto &is = input.strides;
    const auto &fs = filter.strides;
    for (int64_t n = 0; n < N; n++) {
        for (int64_t oy = 0; oy < OH; oy++) {
            for (int64_t ox = 0; ox < OW; ox++) {
                double *sum = &out.value[size_t(out.index(n, oy, ox, 0))];
                double *abs_sum = &out.abs_sum[size_t(out.index(n, oy, ox, 0))];
                for (int64_t fy = 0; fy < FH; fy++) {
                    const int64_t iy = oy * p.stride_h + fy * p.dilation_h - p.pad_top;
                    if (iy < 0 || iy >= H) continue;  // zero padding: the term is 0
                    for (int64_t fx = 0; fx < FW; fx++) {
                        const int64_t ix = ox * p.stride_w + fx * p.dilation_w - p.pad_left;
                        if (ix < 0 || ix >= W) continue;
                        for (int64_t g = 0; g < groups; g++) {
                            for (int64_t c = 0; c < group_c; c++) {
                                // float x float is exact in double (24 + 24 significant bits).
                                const double x =
                                    input.data[n * is[0] + iy * is[1] + ix * is[2] + (g * group_c + c) * is[3]];
                                const float *f = filter.data + fy * fs[0] + fx * fs[1] + c * fs[2];
                                for (int64_t k = g * group_k; k < (g + 1) * group_k; k++) {
                                    const double term = x * double(f[k * fs[3]]);
                                    sum[k] += term;
                                    abs_sum[k] += std::fabs(term);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return out;
}

std::string first_mismatch(const float *output, const ReferenceOutput &ref) {
    for (size_t i = 0; i < ref.value.size(); i++) {
        const double err = std::fabs(double(output[i]) - ref.value[i]);
        if (!(err <= 1e-4 * (1.0 + ref.abs_sum[i]))) {
            return "element " + std::to_string(i) + " is " + std::to_string(output[i]) + ", the reference " +
                   std::to_string(ref.value[i]);
        }
    }
    return "";
}

void apply_post_ops(const stridetune::PostOps &post_ops, const float *bias, const stridetune::ConstTensor *residual,
                    ReferenceOutput &ref) {
    if (post_ops.bias && !bias) throw std::invalid_argument("apply_post_ops: the bias post-op needs a bias");
    if (post_ops.sum) {
        if (!residual || !residual->data) {
            throw std::invalid_argument("apply_post_ops: the sum post-op needs a residual");
        }
        if (residual->dims != ref.dims) {
            throw std::invalid_argument("apply_post_ops: the residual's dims differ from the output's");
        }
    }
    const auto &d = ref.dims;
    for (int64_t n = 0; n < d[0]; n++) {
        for (int64_t y = 0; y < d[1]; y++) {
            for (int64_t x = 0; x < d[2]; x++) {
                for (int64_t k = 0; k < d[3]; k++) {
                    const size_t i = size_t(ref.index(n, y, x, k));
                    double v = ref.value[i];
                    double abs_sum = ref.abs_sum[i];
                    if (post_ops.bias) {
                        v += double(bias[k]);
                        abs_sum += std::fabs(double(bias[k]));
                    }
                    if (post_ops.sum) {
                        const auto &s = residual->strides;
                        const double r = residual->data[n * s[0] + y * s[1] + x * s[2] + k * s[3]];
                        const double term = double(*post_ops.sum) * r;  // exact in double
                        v += term;
                        abs_sum += std::fabs(term);
                    }
                    if (post_ops.relu) {
                        const double slope = double(*post_ops.relu);
                        if (v < 0) v *= slope;
                        abs_sum *= std::fmax(1.0, std::fabs(slope));
                    }
                    if (post_ops.clip) {
                        v = std::fmin(std::fmax(v, double(post_ops.clip->lower)), double(post_ops.clip->upper));
                    }
                    ref.value[i] = v;
                    ref.abs_sum[i] = abs_sum;
                }
            }
        }
    }
    ref.reduction_length += int64_t(post_ops.bias) + int64_t(bool(post_ops.sum)) + int64_t(bool(post_ops.relu));
}

}  // namespace stridetune_test
