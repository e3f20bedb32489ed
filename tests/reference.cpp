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

}  // namespace stridetune_test
