#pragma once
// Peer implementations of stridetune's convolution, for benchmarking and
// cross-checking: the same problem (input NHWC, filter HWIO, output NHWC,
// zero padding, stride, dilation) run by another library.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stridetune/convolution.h"

namespace stridetune::peers {

// One convolution problem: dense NHWC input [n][h][w][c], HWIO filter
// [fh][fw][c][k], NHWC output [n][oh][ow][k].
struct ConvProblem {
    int64_t n = 1, h = 1, w = 1, c = 1, k = 1, fh = 1, fw = 1, oh = 1, ow = 1;
    ConvParams params;

    // Multiply-adds times two.
    double flops() const { return 2.0 * double(n) * double(oh) * double(ow) * double(k) * double(fh * fw * c); }
};

// Fills in oh and ow with stridetune::output_extent.
ConvProblem make_problem(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t fh, int64_t fw,
                         const ConvParams &params);

// "2x221x221x3 * 4x4x3x5 s2x2 d1x1 p0,0,0,0 -> 2x109x109x5"
std::string describe(const ConvProblem &problem);

class Peer {
public:
    virtual ~Peer() = default;
    virtual std::string name() const = 0;
    // "" when this peer can run the problem, else why not.
    virtual std::string unsupported_reason(const ConvProblem &) const { return ""; }
    // All one-time work: primitive creation, weight repacking, workspace.
    // The pointers stay valid until the peer is destroyed or prepared again.
    // Throws std::runtime_error on failure.
    virtual void prepare(const ConvProblem &problem, const float *input_nhwc, const float *filter_hwio,
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
