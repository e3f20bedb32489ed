#include "problem_estimates.h"

#include "stridetune/descriptor.h"
#include "stridetune/error.h"

namespace stridetune {

EstimatedProblem estimated_problem(const std::string &descriptor) {
    const std::string seed = "mb64ic3ih221oc5kh4sh2ph0";
    const ConvDescriptor d = parse_descriptor(descriptor.empty() ? seed : descriptor);
    if (d.groups != 1) throw Error("estimate: grouped problems are not supported: " + descriptor);
    const auto i = [](int64_t v) { return int(v); };
    return {i(d.mb), i(d.ic), i(d.ih), i(d.iw), i(d.oc), i(d.kh), i(d.kw), i(d.oh), i(d.ow),
            d.params.stride_w, d.params.stride_h, d.params.dilation_w, d.params.dilation_h,
            d.params.pad_left, d.params.pad_top};
}

}  // namespace stridetune
