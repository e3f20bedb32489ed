// Compares a float32 output of the library with the double reference, within
// a rigorous rounding-error bound per element.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <sstream>

#include <gtest/gtest.h>

#include "reference.h"
#include "stridetune.h"
#include "test_buffer.h"

namespace stridetune_test {

// The error allowed for one output element, a sum of R = FH*FW*C products.
//
// A float32 dot product of R terms, computed in any order (any summation
// tree, the vector lanes' partial sums, rfactor splits) with or without FMA,
// satisfies |fl(sum) - sum| <= gamma_{R+1} * sum|terms| with
// gamma_m = m*u / (1 - m*u) and u = 2^-24 the unit roundoff (Higham,
// "Accuracy and Stability of Numerical Algorithms", 3.1): each product is
// rounded once, each partial sum at most R times along any path from a leaf
// to the root (R terms plus the initial zero). The terms the kernels add for
// padding or rounded-up tiles are exact zeros and change nothing. For the
// largest R here (7*7*24 = 1176, the seed problem's 48), m*u < 1e-4, so
// gamma_{R+1} < 1.0001*(R+1)*u; we allow twice the first-order bound, which
// also covers the double reference's own error (< R * 2^-53 * sum|terms|).
// The absolute R*FLT_MIN covers kernels that flush subnormal products to zero.
// The bound is a worst case: typical errors are ~sqrt(R)*u*sum|terms|, so a
// wrong tap, channel or pixel (an error of the order of a whole term) fails it.
inline double error_bound(int64_t reduction_length, double abs_sum) {
    const double u = std::ldexp(1.0, -24);
    return 2.0 * double(reduction_length + 1) * u * abs_sum + double(reduction_length) * FLT_MIN;
}

// Every element of `output` (read through its strides) within error_bound of
// the reference; NaN or an unwritten NaN-filled element fails.
inline testing::AssertionResult matches_reference(const stridetune::ConstTensor &output, const ReferenceOutput &ref,
                                                  int max_reported = 8) {
    if (output.dims != ref.dims) {
        return testing::AssertionFailure() << "output dims " << dims_string(output.dims) << " != reference dims "
                                           << dims_string(ref.dims);
    }
    int64_t bad = 0;
    double worst_ratio = 0;
    std::ostringstream details;
    for_each_index(output.dims, [&](int64_t n, int64_t y, int64_t x, int64_t k) {
        const double got = element(output, n, y, x, k);
        const int64_t i = ref.index(n, y, x, k);
        const double want = ref.value[size_t(i)];
        const double bound = error_bound(ref.reduction_length, ref.abs_sum[size_t(i)]);
        const double err = std::fabs(got - want);
        if (!(err <= bound)) {  // NaN fails too
            if (bad < max_reported) {
                details << "\n  [n=" << n << " oy=" << y << " ox=" << x << " k=" << k << "] got " << got
                        << ", want " << want << " (|error| " << err << " > bound " << bound << ")";
            }
            bad++;
        }
        if (bound > 0) worst_ratio = std::fmax(worst_ratio, err / bound);
    });
    if (bad == 0) return testing::AssertionSuccess();
    return testing::AssertionFailure() << bad << " of " << element_count(output.dims)
                                       << " output elements outside the error bound (R = " << ref.reduction_length
                                       << ", worst error/bound " << worst_ratio << "):" << details.str();
}

inline testing::AssertionResult matches_reference(const stridetune::Tensor &output, const ReferenceOutput &ref,
                                                  int max_reported = 8) {
    return matches_reference(stridetune::ConstTensor{output.data, output.dims, output.strides}, ref, max_reported);
}

}  // namespace stridetune_test
