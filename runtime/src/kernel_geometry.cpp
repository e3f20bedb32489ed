#include "stridetune/kernel_geometry.h"

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

ConvParams kernel_geometry(const ConvDescriptor &problem) {
    return kernel_geometry(problem.params, problem.oh, problem.ow, problem.kh, problem.kw);
}

int specialized_stride(const ConvParams &g) {
    for (int stride : specialized_strides) {
        if (runs_stride_branch(stride, g.stride_w, g.stride_h, g.dilation_w, g.dilation_h)) return stride;
    }
    return 0;
}

}  // namespace stridetune
