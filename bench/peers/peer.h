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
// filter_dims()); output channel k is group k / (K/g)'s.
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
    // The pointers stay valid until the peer is destroyed or prepared again.
    // Throws std::runtime_error on failure.
    virtual void prepare(const ConvDescriptor &problem, const float *input_nhwc, const float *filter_hwio,
                         float *output_nhwc, int threads) = 0;
    // The timed part: one convolution into the prepared output.
    virtual void run() = 0;
    // Free text: implementation chosen, reorders, threading.
    virtual std::string details() const { return ""; }
};

// A fresh instance of every peer compiled in (naive last).
std::vector<std::unique_ptr<Peer>> available_peers();

// Factories, one a peer; each defined only when its library was found.
std::unique_ptr<Peer> make_onednn_peer();
std::unique_ptr<Peer> make_xnnpack_peer();
std::unique_ptr<Peer> make_openblas_im2col_peer();
std::unique_ptr<Peer> make_naive_peer();

}  // namespace stridetune::peers
