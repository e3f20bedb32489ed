#pragma once
// Peer implementations of stridetune's convolution, for benchmarking and
// cross-checking: the same problem (input NHWC, filter HWIO, output NHWC,
// zero padding, stride, dilation) run by another library.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stridetune/descriptor.h"

namespace stridetune::peers {

// A problem with its dense NHWC input, filter and NHWC output, described as
// a benchdnn descriptor (stridetune/descriptor.h). In g groups the filter is
// [FH][FW][C/g][K], HWIO of each group's channels (descriptor.h's
// filter_dims()); output channel k is group k / (K/g)'s. Its post-ops
// (problem.post_ops, stridetune/post_ops.h) are stridetune's: bias, then
// sum * residual, then ReLU's slope, then clip; a peer that cannot fuse them
// as given refuses the problem (unsupported_reason) rather than time a
// different piece of work.
// make_problem builds one from dims and geometry, deducing oh and ow.
ConvDescriptor make_problem(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t fh, int64_t fw,
                            const ConvParams &params, int64_t groups = 1);

class Peer {
public:
    virtual ~Peer() = default;
    virtual std::string name() const = 0;
    // "" when this peer can run the problem, else why not.
    virtual std::string unsupported_reason(const ConvDescriptor &) const { return ""; }
    // All one-time work: primitive creation, weight repacking, workspace.
    // `bias` (K floats) is read only when the problem has a bias post-op,
    // `residual_nhwc` (the output's dims, dense) only when it has a sum.
    // The pointers stay valid until the peer is destroyed or prepared again.
    // Throws std::runtime_error on failure.
    virtual void prepare(const ConvDescriptor &problem, const float *input_nhwc, const float *filter_hwio,
                         const float *bias, const float *residual_nhwc, float *output_nhwc, int threads) = 0;
    // Whether each run() needs work first that is no part of the
    // convolution (before_run()): a benchmark does it outside its timed
    // region, a check before each run.
    virtual bool needs_before_run() const { return false; }
    // That work: oneDNN's sum post-op adds into the output in place, so the
    // residual is copied there.
    virtual void before_run() {}
    // The timed part: one convolution into the prepared output.
    virtual void run() = 0;
    // Free text: implementation chosen, reorders, threading.
    virtual std::string details() const { return ""; }
};

// For a peer that fuses no post-op: why it refuses a problem with some, ""
// for the bare convolution. A second pass over the output would be other
// work than the fused peers and stridetune time.
std::string unfused_post_ops_reason(const ConvDescriptor &problem);

// A fresh instance of every peer compiled in (naive last).
std::vector<std::unique_ptr<Peer>> available_peers();

// Factories, one a peer; each defined only when its library was found.
std::unique_ptr<Peer> make_onednn_peer();
std::unique_ptr<Peer> make_xnnpack_peer();
std::unique_ptr<Peer> make_openblas_im2col_peer();
std::unique_ptr<Peer> make_naive_peer();

}  // namespace stridetune::peers
