// A problem with seeded random dense input and filter, and (optionally) its reference output.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>

#include "conv_problem.h"
#include "random_fill.h"
#include "reference.h"
#include "test_buffer.h"

namespace stridetune_test {

struct ProblemData {
    ConvProblem problem;
    TestBuffer input, filter;
    ReferenceOutput reference;  // empty unless asked for

    // A dense output buffer full of the sentinel (an unwritten element fails the comparison).
    TestBuffer fresh_output() const { return dense_buffer(problem.output_dims()); }
};

inline ProblemData make_problem_data(const ConvProblem &problem, std::mt19937 &rng, bool with_reference = true) {
    ProblemData d;
    d.problem = problem;
    d.input = dense_buffer(problem.input_dims());
    d.filter = dense_buffer(problem.filter_dims());
    fill_random(d.input.view, rng);
    fill_random(d.filter.view, rng);
    if (with_reference) d.reference = reference_convolution(d.input.cview(), d.filter.cview(), problem.params);
    return d;
}

inline ProblemData make_problem_data(const ConvProblem &problem, uint32_t seed, bool with_reference = true) {
    std::mt19937 rng(seed);
    return make_problem_data(problem, rng, with_reference);
}

// A small strided, padded problem with its reference, for tests about which
// kernel runs rather than about the arithmetic.
inline const ProblemData &small_problem_data() {
    static const ProblemData data = [] {
        ConvProblem p;
        p.n = 2;
        p.h = 19;
        p.w = 23;
        p.c = 5;
        p.k = 7;
        p.fh = p.fw = 3;
        p.params.stride_h = p.params.stride_w = 2;
        p.params.pad_top = p.params.pad_left = p.params.pad_bottom = p.params.pad_right = 1;
        return make_problem_data(p, 7);
    }();
    return data;
}

// The value of an environment variable, or nullptr when unset or empty.
inline const char *env_value(const char *name) {
    const char *v = std::getenv(name);
    return v && *v ? v : nullptr;
}

}  // namespace stridetune_test
