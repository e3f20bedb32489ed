// The plain loop: float accumulation, no blocking. Small problems only.
#include <algorithm>

#include "peer.h"

namespace stridetune::peers {
namespace {

class NaivePeer final : public Peer {
public:
    std::string name() const override { return "naive"; }
    std::string unsupported_reason(const ConvDescriptor &p) const override {
        if (p.flops() > 2e8) return "more than 2e8 flops (naive loop is for small problems)";
        return unfused_post_ops_reason(p);
    }
    void prepare(const ConvDescriptor &p, const float *in, const float *f, const float *, const float *, float *out,
                 int) override {
        p_ = p, in_ = in, f_ = f, out_ = out;
    }
    void run() override {
        const ConvDescriptor &p = p_;
        const ConvParams &q = p.params;
        const ConvDescriptor group = p.one_group();
        const int64_t group_c = group.ic, group_k = group.oc;
        for (int64_t n = 0; n < p.mb; ++n)
            for (int64_t oy = 0; oy < p.oh; ++oy)
                for (int64_t ox = 0; ox < p.ow; ++ox) {
                    float *o = out_ + ((n * p.oh + oy) * p.ow + ox) * p.oc;
                    std::fill(o, o + p.oc, 0.0f);
                    for (int64_t fy = 0; fy < p.kh; ++fy) {
                        const int64_t iy = oy * q.stride_h + fy * q.dilation_h - q.pad_top;
                        if (iy < 0 || iy >= p.ih) continue;
                        for (int64_t fx = 0; fx < p.kw; ++fx) {
                            const int64_t ix = ox * q.stride_w + fx * q.dilation_w - q.pad_left;
                            if (ix < 0 || ix >= p.iw) continue;
                            const float *i = in_ + ((n * p.ih + iy) * p.iw + ix) * p.ic;
                            const float *w = f_ + (fy * p.kw + fx) * group_c * p.oc;
                            for (int64_t g = 0; g < p.groups; ++g)
                                for (int64_t c = 0; c < group_c; ++c)
                                    for (int64_t k = g * group_k; k < (g + 1) * group_k; ++k)
                                        o[k] += i[g * group_c + c] * w[c * p.oc + k];
                        }
                    }
                }
    }
    std::string details() const override { return "plain loop, 1 thread"; }

private:
    ConvDescriptor p_;
    const float *in_ = nullptr, *f_ = nullptr;
    float *out_ = nullptr;
};

}  // namespace

std::unique_ptr<Peer> make_naive_peer() { return std::make_unique<NaivePeer>(); }

}  // namespace stridetune::peers
