#include "peer.h"
#include "stridetune/convolution.h"


namespace stridetune::peers {

ConvDescriptor make_problem(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t fh, int64_t fw,
                            const ConvParams &params, int64_t groups) {
    ConvDescriptor d;
    d.groups = groups, d.mb = n, d.ih = h, d.iw = w, d.ic = c, d.oc = k, d.kh = fh, d.kw = fw;
    d.params = params;
    d.oh = output_extent(h, fh, params.stride_h, params.dilation_h, params.pad_top, params.pad_bottom);
    d.ow = output_extent(w, fw, params.stride_w, params.dilation_w, params.pad_left, params.pad_right);
    return d;
}

std::string unfused_post_ops_reason(const ConvDescriptor &problem) {
    return problem.post_ops.any() ? "post-ops (this peer fuses none)" : "";
}

std::vector<std::unique_ptr<Peer>> available_peers() {
    std::vector<std::unique_ptr<Peer>> peers;
#ifdef STRIDETUNE_HAVE_ONEDNN
    peers.push_back(make_onednn_peer());
#endif
#ifdef STRIDETUNE_HAVE_XNNPACK
    peers.push_back(make_xnnpack_peer());
#endif
#ifdef STRIDETUNE_HAVE_OPENBLAS
    peers.push_back(make_openblas_im2col_peer());
#endif
    peers.push_back(make_naive_peer());
    return peers;
}

}  // namespace stridetune::peers
