#include "peer.h"

#include <sstream>

namespace stridetune::peers {

ConvProblem make_problem(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k, int64_t fh, int64_t fw,
                         const ConvParams &params) {
    ConvProblem p;
    p.n = n, p.h = h, p.w = w, p.c = c, p.k = k, p.fh = fh, p.fw = fw;
    p.params = params;
    p.oh = output_extent(h, fh, params.stride_h, params.dilation_h, params.pad_top, params.pad_bottom);
    p.ow = output_extent(w, fw, params.stride_w, params.dilation_w, params.pad_left, params.pad_right);
    return p;
}

std::string describe(const ConvProblem &p) {
    std::ostringstream s;
    const ConvParams &q = p.params;
    s << p.n << 'x' << p.h << 'x' << p.w << 'x' << p.c << " * " << p.fh << 'x' << p.fw << 'x' << p.c << 'x' << p.k
      << " s" << q.stride_h << 'x' << q.stride_w << " d" << q.dilation_h << 'x' << q.dilation_w << " p" << q.pad_top
      << ',' << q.pad_left << ',' << q.pad_bottom << ',' << q.pad_right << " -> " << p.n << 'x' << p.oh << 'x' << p.ow
      << 'x' << p.k;
    return s.str();
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
