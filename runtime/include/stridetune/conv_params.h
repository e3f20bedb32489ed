#pragma once

namespace stridetune {

// Geometry of a 2-D convolution. Dilation 1 is a dense filter.
struct ConvParams {
    int stride_h = 1, stride_w = 1;
    int dilation_h = 1, dilation_w = 1;
    int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

}  // namespace stridetune
