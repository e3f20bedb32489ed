// XNNPACK (Debian 12: git 2022-02-16) f32 NHWC convolution on a pthreadpool.
// XNNPACK takes the kernel as OHWI [K][FH][FW][C/g]: repacked once in prepare(),
// where the operator is also created (it packs the weights again internally)
// and set up on the caller's buffers; run() is xnn_run_operator alone.
#include <pthreadpool.h>
#include <xnnpack.h>

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

class XnnpackPeer final : public Peer {
public:
    ~XnnpackPeer() override { release(); }

    std::string name() const override { return "xnnpack"; }

    void prepare(const ConvDescriptor &p, const float *in, const float *f, float *out, int threads) override {
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
        check(xnn_create_convolution2d_nhwc_f32(
                  uint32_t(q.pad_top), uint32_t(q.pad_right), uint32_t(q.pad_bottom), uint32_t(q.pad_left),
                  uint32_t(p.kh), uint32_t(p.kw), uint32_t(q.stride_h), uint32_t(q.stride_w),
                  uint32_t(q.dilation_h), uint32_t(q.dilation_w), uint32_t(p.groups), size_t(group_c),
                  size_t(group.oc),
                  /*input_channel_stride=*/size_t(p.ic), /*output_channel_stride=*/size_t(p.oc), kernel_.data(),
                  /*bias=*/nullptr, -INFINITY, INFINITY, /*flags=*/0, &op_),
              "xnn_create_convolution2d_nhwc_f32");
        check(xnn_setup_convolution2d_nhwc_f32(op_, size_t(p.mb), size_t(p.ih), size_t(p.iw), in, out, pool_),
              "xnn_setup_convolution2d_nhwc_f32");
    }

    void run() override { check(xnn_run_operator(op_, pool_), "xnn_run_operator"); }

    std::string details() const override {
        std::ostringstream s;
        s << "XNNPACK (Debian 0.0~git20220216) convolution2d_nhwc_f32; kernel repacked HWIO->OHWI at prepare; "
             "pthreadpool threads: "
          << (pool_ ? pthreadpool_get_threads_count(pool_) : 0);
        return s.str();
    }

private:
    void release() {
        if (op_) xnn_delete_operator(op_);
        op_ = nullptr;
        if (pool_) pthreadpool_destroy(pool_);
        pool_ = nullptr;
    }

    int threads_ = 1;
    pthreadpool_t pool_ = nullptr;
    xnn_operator_t op_ = nullptr;
    std::vector<float> kernel_;
};

}  // namespace

std::unique_ptr<Peer> make_xnnpack_peer() { return std::make_unique<XnnpackPeer>(); }

}  // namespace stridetune::peers
