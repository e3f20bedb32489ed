// Random tensor contents for the tests: uniform in [-1, 1), from a seeded
// generator so that every run sees the same values.
#pragma once

#include <random>

#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {

inline float random_value(std::mt19937 &rng) {
    return std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng);
}

// Fills the elements of the view only; the rest of its storage keeps its contents.
inline void fill_random(const stridetune::Tensor &view, std::mt19937 &rng) {
    for_each_index(view.dims,
                   [&](int64_t a, int64_t b, int64_t c, int64_t d) { element(view, a, b, c, d) = random_value(rng); });
}

}  // namespace stridetune_test
