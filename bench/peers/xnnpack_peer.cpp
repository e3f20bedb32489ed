// XNNPACK (Debian 12: git 2022-02-16) f32 NHWC convolution on a pthreadpool.
// XNNPACK takes the kernel as OHWI [K][FH][FW][C/g]: repacked once in prepare(),
// where the operator is also created (it packs the weights again internally)
// and set up on the caller's buffers; run() is xnn_run_operator alone (and
// the add's, below).
// Post-ops as XNNPACK fuses them: the bias in the convolution, ReLU (slope 0)
// and clip as its output clamp. It has no fused residual add: a sum post-op is
// an add_nd_f32 operator after the convolution, in place on the output, which
// run() runs too (timed: what an XNNPACK user pays for the residual), with the
// clamp moved onto it, since the clamp comes after the sum.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "peer.h"

namespace stridetune::peers {
namespace {

void check(xnn_status status, const char *what) {
    if (status != xnn_status_success)
        throw std::runtime_error(std::string("XNNPACK: ") + what + " failed, status " + std::to_string(int(status)));
}

// The output range ReLU (slope 0) and clip come to: XNNPACK's one clamp.
struct Clamp {
    float min = -INFINITY, max = INFINITY;
};
Clamp clamp_of(const PostOps &o) {
    Clamp c;
    if (o.relu) c.min = 0;
    if (o.clip) c.min = std::max(c.min, o.clip->lower), c.max = o.clip->upper;
    return c;
}

class XnnpackPeer final : public Peer {
public:
    ~XnnpackPeer() override { release(); }

    std::string name() const override { return "xnnpack"; }

    std::string unsupported_reason(const ConvDescriptor &p) const override {
        const PostOps &o = p.post_ops;
        if (o.relu && *o.relu != 0) return "a leaky ReLU (slope other than 0): XNNPACK fuses a clamp, not a slope";
        if (o.sum && *o.sum != 1) return "a sum scale other than 1: XNNPACK's add has none";
        const Clamp c = clamp_of(o);
        if (!(c.min < c.max)) return "ReLU and clip leave an empty range: XNNPACK's clamp needs min < max";
        return "";
    }

    void prepare(const ConvDescriptor &p, const float *in, const float *f, const float *bias, const float *residual,
                 float *out, int threads) override {
        static std::once_flag once;
        static xnn_status init = xnn_status_uninitialized;
        std::call_once(once, [] { init = xnn_initialize(nullptr); });
        check(init, "xnn_initialize");
        release();
        threads_ = threads < 1 ? 1 : threads;
        pool_ = pthreadpool_create(size_t(threads_));
        if (!pool_) throw std::runtime_error("pthreadpool_create failed");

        // Group g's output channels are XNNPACK's [g][K/g], one run of k.
        const ConvDescriptor group = p.one_group();
        const int64_t group_c = group.ic;
        kernel_.resize(size_t(p.oc * p.kh * p.kw * group_c));
        for (int64_t fy = 0; fy < p.kh; ++fy)
            for (int64_t fx = 0; fx < p.kw; ++fx)
                for (int64_t c = 0; c < group_c; ++c)
                    for (int64_t k = 0; k < p.oc; ++k)
                        kernel_[((k * p.kh + fy) * p.kw + fx) * group_c + c] =
                            f[((fy * p.kw + fx) * group_c + c) * p.oc + k];

        const ConvParams &q = p.params;
        const Clamp clamp = clamp_of(p.post_ops), convolution_clamp = p.post_ops.sum ? Clamp{} : clamp;
        check(xnn_create_convolution2d_nhwc_f32(
                  uint32_t(q.pad_top), uint32_t(q.pad_right), uint32_t(q.pad_bottom), uint32_t(q.pad_left),
                  uint32_t(p.kh), uint32_t(p.kw), uint32_t(q.stride_h), uint32_t(q.stride_w),
                  uint32_t(q.dilation_h), uint32_t(q.dilation_w), uint32_t(p.groups), size_t(group_c),
                  size_t(group.oc),
                  /*input_channel_stride=*/size_t(p.ic), /*output_channel_stride=*/size_t(p.oc), kernel_.data(),
                  /*bias, [g][K/g] as ours=*/p.post_ops.bias ? bias : nullptr, convolution_clamp.min,
                  convolution_clamp.max, /*flags=*/0, &op_),
              "xnn_create_convolution2d_nhwc_f32");
        check(xnn_setup_convolution2d_nhwc_f32(op_, size_t(p.mb), size_t(p.ih), size_t(p.iw), in, out, pool_),
              "xnn_setup_convolution2d_nhwc_f32");
        if (p.post_ops.sum) {
            const std::array<size_t, 4> shape{size_t(p.mb), size_t(p.oh), size_t(p.ow), size_t(p.oc)};
            check(xnn_create_add_nd_f32(clamp.min, clamp.max, /*flags=*/0, &add_op_), "xnn_create_add_nd_f32");
            check(xnn_setup_add_nd_f32(add_op_, shape.size(), shape.data(), shape.size(), shape.data(), out, residual,
                                       out, pool_),
                  "xnn_setup_add_nd_f32");
        }
        std::ostringstream fused;
        if (p.post_ops.bias) fused << "; bias fused";
        if (p.post_ops.relu || p.post_ops.clip) {
            fused << "; clamp [" << clamp.min << ", " << clamp.max << "] fused"
                  << (p.post_ops.sum ? " into the add" : "");
        }
        if (p.post_ops.sum) fused << "; sum: add_nd_f32 after the convolution, timed";
        post_ops_ = fused.str();
    }

    void run() override {
        check(xnn_run_operator(op_, pool_), "xnn_run_operator");
        if (add_op_) check(xnn_run_operator(add_op_, pool_), "xnn_run_operator (add)");
    }

    std::string details() const override {
        std::ostringstream s;
        s << "XNNPACK (Debian 0.0~git20220216) convolution2d_nhwc_f32; kernel repacked HWIO->OHWI at prepare; "
             "pthreadpool threads: "
          << (pool_ ? pthreadpool_get_threads_count(pool_) : 0) << post_ops_;
        return s.str();
    }

private:
    void release() {
        if (op_) xnn_delete_operator(op_);
        op_ = nullptr;
        if (add_op_) xnn_delete_operator(add_op_);
        add_op_ = nullptr;
        if (pool_) pthreadpool_destroy(pool_);
        pool_ = nullptr;
    }

    int threads_ = 1;
    pthreadpool_t pool_ = nullptr;
    xnn_operator_t op_ = nullptr, add_op_ = nullptr;  // add_op_: a sum post-op's
    std::vector<float> kernel_;
    std::string post_ops_;  // for details()
};

}  // namespace

std::unique_ptr<Peer> make_xnnpack_peer() { return std::make_unique<XnnpackPeer>(); }

}  // namespace stridetune::peers
