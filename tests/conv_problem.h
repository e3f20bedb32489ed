// A convolution problem's shape and geometry, and its tensors' dims.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "reference.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {

struct ConvProblem {
    int64_t n = 1, h = 1, w = 1, c = 1;  // input NHWC
    int64_t k = 1, fh = 1, fw = 1;       // filter FH x FW x C x K
    stridetune::ConvParams params;

    int64_t oh() const {
        return reference_output_extent(h, fh, params.stride_h, params.dilation_h, params.pad_top, params.pad_bottom);
    }
    int64_t ow() const {
        return reference_output_extent(w, fw, params.stride_w, params.dilation_w, params.pad_left, params.pad_right);
    }
    bool empty_output() const { return oh() <= 0 || ow() <= 0; }
    int64_t reduction_length() const { return fh * fw * c; }

    Dims input_dims() const { return {n, h, w, c}; }
    // The problem as the library's descriptor, in `groups` groups (c and k
    // every group's channels together).
    stridetune::ConvDescriptor descriptor(int64_t groups = 1) const {
        stridetune::ConvDescriptor d;
        d.groups = groups;
        d.mb = n, d.ic = c, d.ih = h, d.iw = w, d.oc = k, d.kh = fh, d.kw = fw;
        d.oh = oh(), d.ow = ow();
        d.params = params;
        return d;
    }
    Dims filter_dims() const { return {fh, fw, c, k}; }
    Dims output_dims() const { return {n, oh(), ow(), k}; }

    // Everything needed to reproduce the problem, e.g. for a failure message.
    std::string describe() const {
        const auto &p = params;
        std::ostringstream s;
        s << "input " << dims_string(input_dims()) << " filter " << dims_string(filter_dims()) << " stride "
          << p.stride_h << "x" << p.stride_w << " dilation " << p.dilation_h << "x" << p.dilation_w
          << " pad top/left/bottom/right " << p.pad_top << "/" << p.pad_left << "/" << p.pad_bottom << "/"
          << p.pad_right << " -> output " << dims_string(output_dims());
        return s.str();
    }
};

// The numpy answer's problem: 64 images of 221x221x3, a 4x4x3x5 filter,
// stride 2 -> 64x109x109x5.
inline ConvProblem seed_problem() {
    ConvProblem p;
    p.n = 64;
    p.h = p.w = 221;
    p.c = 3;
    p.k = 5;
    p.fh = p.fw = 4;
    p.params.stride_h = p.params.stride_w = 2;
    return p;
}

}  // namespace stridetune_test
