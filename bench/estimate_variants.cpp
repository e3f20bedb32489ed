#include "estimate_variants.h"

#include <algorithm>
#include <sstream>

namespace stridetune_bench {
namespace {

// The canonical descriptor the runtime keys problems by: no name, no count.
std::string canonical(stridetune::ConvDescriptor d) {
    d.name.clear();
    d.occurrences = 1;
    return stridetune::to_string(d);
}

// The descriptor of a kernel's estimate=... parameter, or "" if it has none.
std::string estimate_of(const std::string &parameters) {
    std::istringstream words(parameters);
    for (std::string word; words >> word;) {
        if (word.rfind("estimate=", 0) == 0) return word.substr(std::string("estimate=").size());
    }
    return "";
}

}  // namespace

std::vector<EstimateVariant> estimate_variants(const stridetune::ConvDescriptor &problem) {
    const std::string wanted = canonical(problem);
    std::vector<EstimateVariant> out;
    for (const stridetune::KernelInfo &k : stridetune::kernels()) {
        const std::string estimate = estimate_of(k.parameters);
        // Parsed again, so that any spelling of the same problem matches.
        if (k.generator != "autoscheduled" || estimate.empty() ||
            canonical(stridetune::parse_descriptor(estimate)) != wanted) {
            continue;
        }
        const bool listed = std::any_of(out.begin(), out.end(),
                                        [&](const EstimateVariant &v) { return v.variant == k.variant; });
        if (!listed) out.push_back({std::string(stridetune::to_string(k.schedule)) + " (estimate = this shape)", k.variant});
    }
    return out;
}

}  // namespace stridetune_bench
