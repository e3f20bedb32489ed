// Copy-then-GEMM by hand, the numpy answer in C++: im2col into a contiguous
// [N*OH*OW] x [FH*FW*C] matrix (zeros for padding), then one cblas_sgemm with
// the HWIO filter viewed as [FH*FW*C] x [K], writing the NHWC output directly
// (in groups, one of each a group).
// run() includes the im2col (part of the strategy; one thread, as numpy's copy).
// OpenBLAS 0.3.21 misdetects AMD Zen 5: set OPENBLAS_CORETYPE (tools/peer-env does)
// before the library loads; details() reports the core it runs.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "peer.h"

namespace stridetune::peers {
namespace {

class OpenBlasIm2colPeer final : public Peer {
public:
    std::string name() const override { return "openblas_im2col"; }

    std::string unsupported_reason(const ConvDescriptor &p) const override {
        const int64_t max = std::numeric_limits<blasint>::max();
        const int64_t row = p.kh * p.kw * p.one_group().ic;
        if (p.mb * p.oh * p.ow > max || row > max || p.oc > max) return "a GEMM dimension exceeds blasint";
        if (double(p.mb * p.oh * p.ow) * double(row) * 4.0 > 8e9) {
            return "im2col matrix above 8 GB";
        }
        return unfused_post_ops_reason(p);
    }

    void prepare(const ConvDescriptor &p, const float *in, const float *f, const float *, const float *, float *out,
                 int threads) override {
        p_ = p, in_ = in, f_ = f, out_ = out;
        threads_ = threads < 1 ? 1 : threads;
        openblas_set_num_threads(threads_);
        cols_.assign(size_t(p.mb * p.oh * p.ow * p.kh * p.kw * p.one_group().ic), 0.0f);
    }

    // In groups, one im2col and GEMM a group: its channels' patches against
    // its columns of the filter, into its columns of the output.
    void run() override {
        const ConvDescriptor &p = p_;
        const ConvParams &q = p.params;
        if (openblas_get_num_threads() != threads_) openblas_set_num_threads(threads_);
        const ConvDescriptor group = p.one_group();
        const int64_t group_c = group.ic, group_k = group.oc, row = p.kh * p.kw * group_c;
        const size_t run_bytes = size_t(group_c) * sizeof(float);
        for (int64_t g = 0; g < p.groups; ++g) {
            float *a = cols_.data();
            for (int64_t n = 0; n < p.mb; ++n)
                for (int64_t oy = 0; oy < p.oh; ++oy)
                    for (int64_t ox = 0; ox < p.ow; ++ox, a += row) {
                        float *dst = a;
                        for (int64_t fy = 0; fy < p.kh; ++fy) {
                            const int64_t iy = oy * q.stride_h + fy * q.dilation_h - q.pad_top;
                            for (int64_t fx = 0; fx < p.kw; ++fx, dst += group_c) {
                                const int64_t ix = ox * q.stride_w + fx * q.dilation_w - q.pad_left;
                                if (iy < 0 || iy >= p.ih || ix < 0 || ix >= p.iw)
                                    std::memset(dst, 0, run_bytes);
                                else
                                    std::memcpy(dst, in_ + ((n * p.ih + iy) * p.iw + ix) * p.ic + g * group_c,
                                                run_bytes);
                            }
                        }
                    }
            const blasint m = blasint(p.mb * p.oh * p.ow), k = blasint(row), nn = blasint(group_k);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, nn, k, 1.0f, cols_.data(), k, f_ + g * group_k,
                        blasint(p.oc), 0.0f, out_ + g * group_k, blasint(p.oc));
        }
    }

    std::string details() const override {
        std::ostringstream s;
        s << "OpenBLAS core: " << openblas_get_corename() << "; config: " << openblas_get_config()
          << "; threads: " << openblas_get_num_threads() << " (im2col: 1 thread)";
        return s.str();
    }

private:
    ConvDescriptor p_;
    const float *in_ = nullptr, *f_ = nullptr;
    float *out_ = nullptr;
    int threads_ = 1;
    std::vector<float> cols_;
};

}  // namespace

std::unique_ptr<Peer> make_openblas_im2col_peer() { return std::make_unique<OpenBlasIm2colPeer>(); }

}  // namespace stridetune::peers
