// Owned storage with a 4-D view into it: dense tensors, and strided views
// (crops, channel-strided, padded or negative strides) of a larger buffer
// whose other elements hold a sentinel, so a test can check they stay untouched.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "stridetune.h"

namespace stridetune_test {

using Dims = std::array<int64_t, 4>;

// A value no kernel computes from the tests' inputs; compared bit for bit.
inline constexpr float sentinel = -12345.5f;

inline bool same_bits(float a, float b) {
    uint32_t x, y;
    std::memcpy(&x, &a, sizeof x);
    std::memcpy(&y, &b, sizeof y);
    return x == y;
}

inline int64_t element_count(const Dims &dims) {
    return dims[0] * dims[1] * dims[2] * dims[3];
}

inline Dims dense_strides_of(const Dims &dims) {
    return {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
}

// Strides of a dense layout of `dims` whose dimensions are each followed by
// `gap` unused elements, and whose channels are `channel_stride` apart.
inline Dims gapped_strides(const Dims &dims, int64_t channel_stride, const Dims &gap) {
    Dims s;
    s[3] = channel_stride;
    s[2] = dims[3] * s[3] + gap[3];
    s[1] = dims[2] * s[2] + gap[2];
    s[0] = dims[1] * s[1] + gap[1];
    return s;
}

// Calls f(n, h, w, c) for every index of `dims`, outermost first.
template<typename F>
void for_each_index(const Dims &dims, F &&f) {
    for (int64_t a = 0; a < dims[0]; a++)
        for (int64_t b = 0; b < dims[1]; b++)
            for (int64_t c = 0; c < dims[2]; c++)
                for (int64_t d = 0; d < dims[3]; d++) f(a, b, c, d);
}

template<typename T>
T &element(const stridetune::TensorView<T> &t, int64_t a, int64_t b, int64_t c, int64_t d) {
    return t.data[a * t.strides[0] + b * t.strides[1] + c * t.strides[2] + d * t.strides[3]];
}

// A buffer of `storage` floats and a view into it.
// Move-only: the view points into the storage, which a move keeps in place.
struct TestBuffer {
    TestBuffer() = default;
    TestBuffer(TestBuffer &&) = default;
    TestBuffer &operator=(TestBuffer &&) = default;

    std::vector<float> storage;
    stridetune::Tensor view;

    stridetune::ConstTensor cview() const { return {view.data, view.dims, view.strides}; }

    // Storage elements that are not part of the view and no longer hold the sentinel.
    int64_t touched_outside_view() const {
        std::vector<bool> inside(storage.size(), false);
        for_each_index(view.dims, [&](int64_t a, int64_t b, int64_t c, int64_t d) {
            inside[size_t(&element(view, a, b, c, d) - storage.data())] = true;
        });
        int64_t touched = 0;
        for (size_t i = 0; i < storage.size(); i++) {
            if (!inside[i] && !same_bits(storage[i], sentinel)) touched++;
        }
        return touched;
    }

    // Storage elements (view or not) that no longer hold the sentinel.
    int64_t touched_anywhere() const {
        int64_t touched = 0;
        for (float v : storage) touched += !same_bits(v, sentinel);
        return touched;
    }
};

// A view with any strides (negative too) over storage just large enough for
// it plus `margin` elements either side; every storage element starts as the sentinel.
inline TestBuffer strided_buffer(const Dims &dims, const Dims &strides, int64_t margin = 0) {
    int64_t lo = 0, hi = 0;
    for (int d = 0; d < 4; d++) {
        const int64_t reach = (dims[d] - 1) * strides[d];
        (reach < 0 ? lo : hi) += reach;
    }
    TestBuffer b;
    b.storage.assign(size_t(hi - lo + 1 + 2 * margin), sentinel);
    b.view = {b.storage.data() + margin - lo, dims, strides};
    return b;
}

inline TestBuffer dense_buffer(const Dims &dims) {
    return strided_buffer(dims, dense_strides_of(dims));
}

// The window [origin, origin + dims) of a dense `parent_dims` buffer: a crop.
inline TestBuffer cropped_buffer(const Dims &parent_dims, const Dims &origin, const Dims &dims) {
    TestBuffer b = dense_buffer(parent_dims);
    const Dims s = b.view.strides;
    b.view = {b.view.data + origin[0] * s[0] + origin[1] * s[1] + origin[2] * s[2] + origin[3] * s[3], dims, s};
    return b;
}

inline std::string dims_string(const Dims &d) {
    return "[" + std::to_string(d[0]) + "," + std::to_string(d[1]) + "," + std::to_string(d[2]) + "," +
           std::to_string(d[3]) + "]";
}

}  // namespace stridetune_test
