#pragma once

namespace stridetune {

// Geometry of a 2-D convolution. Dilation 1 is a dense filter.
struct ConvParams {
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// No padding on any side: every tap reads the input, which a kernel may then
// read in place (padding=none kernels).
inline bool unpadded(const ConvParams &p) {
    return p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
}

}  // namespace stridetune
