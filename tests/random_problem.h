// Seeded random convolution problems: N 1-4, H and W 1-40, C 1-24, K 1-40,
// FH and FW 1-7, strides 1-4, each pad 0-3 (all four 0 in a quarter of the
// draws: the unpadded problems that in-place kernels serve), dilations 1-3. A draw whose
// effective input is empty (padded input shorter than the dilated filter) is
// drawn again. And random strided layouts of their tensors.
#pragma once

#include <cstdint>
#include <random>

#include "conv_problem.h"
#include "test_buffer.h"

namespace stridetune_test {

inline int64_t uniform(std::mt19937 &rng, int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

inline ConvProblem draw_problem(std::mt19937 &rng) {
    for (;;) {
        ConvProblem p;
        p.n = uniform(rng, 1, 4);
        p.h = uniform(rng, 1, 40);
        p.w = uniform(rng, 1, 40);
        p.c = uniform(rng, 1, 24);
        p.k = uniform(rng, 1, 40);
        p.fh = uniform(rng, 1, 7);
        p.fw = uniform(rng, 1, 7);
        p.params.stride_h = int(uniform(rng, 1, 4));
        p.params.stride_w = int(uniform(rng, 1, 4));
        p.params.pad_top = int(uniform(rng, 0, 3));
        p.params.pad_left = int(uniform(rng, 0, 3));
        p.params.pad_bottom = int(uniform(rng, 0, 3));
        p.params.pad_right = int(uniform(rng, 0, 3));
        if (uniform(rng, 0, 3) == 0) p.params.pad_top = p.params.pad_left = p.params.pad_bottom = p.params.pad_right = 0;
        p.params.dilation_h = int(uniform(rng, 1, 3));
        p.params.dilation_w = int(uniform(rng, 1, 3));
        if (!p.empty_output()) return p;
    }
}

// A random strided layout of `dims`: channel stride 1 (or 1-3 when allowed),
// 0-4 unused elements after each dimension, each outer dimension's stride
// negated with probability 1/4, 0-7 elements of margin.
inline TestBuffer random_view(const Dims &dims, bool any_channel_stride, std::mt19937 &rng) {
    const int64_t channel_stride = any_channel_stride ? uniform(rng, 1, 3) : 1;
    Dims s;
    s[3] = channel_stride;
    s[2] = dims[3] * s[3] + uniform(rng, 0, 4);
    s[1] = dims[2] * s[2] + uniform(rng, 0, 4);
    s[0] = dims[1] * s[1] + uniform(rng, 0, 4);
    for (int d = 0; d < 3; d++) {
        if (uniform(rng, 0, 3) == 0) s[d] = -s[d];
    }
    return strided_buffer(dims, s, uniform(rng, 0, 7));
}

}  // namespace stridetune_test
