#pragma once

#include <array>
#include <cstdint>

namespace stridetune {

// A view of a 4-D float tensor: its first element, and per dimension the
// extent and the stride in elements, outermost dimension first (for NHWC:
// N, H, W, C). Strides may be anything, so a crop or a numpy as_strided view
// is passed without a copy.
template<typename T>
struct TensorView {
    T *data = nullptr;
    std::array<int64_t, 4> dims{};
    std::array<int64_t, 4> strides{};
};

using Tensor = TensorView<float>;
using ConstTensor = TensorView<const float>;

// A 1-D run of floats: a bias, one a channel.
struct ConstVector {
    const float *data = nullptr;
    int64_t size = 0;
};

// Dense row-major strides for `dims`.
inline std::array<int64_t, 4> dense_strides(const std::array<int64_t, 4> &dims) {
    return {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
}

template<typename T>
TensorView<T> dense(T *data, const std::array<int64_t, 4> &dims) {
    return {data, dims, dense_strides(dims)};
}

}  // namespace stridetune
