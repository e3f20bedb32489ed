// The sizes the autoschedulers plan for, from a benchdnn descriptor.
#pragma once

#include <string>

namespace stridetune {

struct EstimatedProblem {
    int n, c, h, w, k, fh, fw, oh, ow;
    int stride_x, stride_y, dilation_x, dilation_y, pad_left, pad_top;
};

// `descriptor` in benchdnn's syntax (stridetune/descriptor.h); empty: the
// numpy answer's problem, 64x221x221x3 input, 4x4x3x5 filter, stride 2.
// Throws stridetune::Error for a bad descriptor, which fails the generator.
EstimatedProblem estimated_problem(const std::string &descriptor);

}  // namespace stridetune
