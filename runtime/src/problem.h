// A validated convolution call, in the terms the kernels and the dispatcher use.
#pragma once

#include <cstdint>
#include <string>

#include "stridetune/convolution.h"
#include "stridetune/descriptor.h"

namespace stridetune::detail {

struct Problem {
    int64_t n, h, w, c;    // input
    int64_t k, fh, fw;     // filter: fh x fw x c x k
    int64_t oh, ow;        // output
    ConvParams params;

    double flops() const { return 2.0 * n * oh * ow * k * fh * fw * c; }
    ConvDescriptor descriptor() const;
    // problem_key(descriptor()): the key of tuned entries.
    std::string key() const;
};

// Checks every argument; throws Error naming the first bad field.
Problem validate(const ConstTensor &input, const ConstTensor &filter, const Tensor &output, const ConvParams &params);

}  // namespace stridetune::detail
