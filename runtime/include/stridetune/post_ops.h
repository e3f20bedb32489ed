// What a convolution does to its output before storing it, fused into the
// store of every kernel's register tile (no second pass over the output),
// as oneDNN's post-ops and XNNPACK's fused bias and clamp do. In this order:
//
//   v = conv + bias[k]                        (bias)
//   v = v + sum * residual[n][oy][ox][k]      (sum: oneDNN's sum post-op, a
//                                              residual tensor of the output's shape)
//   v = v < 0 ? v * relu : v                  (relu: the negative slope;
//                                              0 is ReLU, else leaky ReLU)
//   v = min(max(v, clip_lower), clip_upper)   (clip: ReLU6 is clip 0..6)
//
// A ConvDescriptor carries them (descriptor.h writes them as a suffix,
// e.g. +bias+sum:1+relu:0+clip:0:6), so tuning files, kernel registrations
// and the verbose line tell a layer with post-ops from the bare one.
#pragma once

#include <optional>

namespace stridetune {

struct PostOps {
    // A per-output-channel bias, K values given when the operator is created.
    bool bias = false;
    // The scale of the residual given to each run.
    std::optional<float> sum;
    // The slope of negative values.
    std::optional<float> relu;
    // The bounds of the output, lower <= upper; either may be infinite.
    struct Clip {
        float lower, upper;
    };
    std::optional<Clip> clip;

    // Whether any is set: a problem without post-ops is the bare convolution.
    bool any() const { return bias || sum || relu || clip; }
};

bool operator==(const PostOps &a, const PostOps &b);
inline bool operator!=(const PostOps &a, const PostOps &b) { return !(a == b); }

}  // namespace stridetune
