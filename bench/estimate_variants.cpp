#include "estimate_variants.h"

#include <algorithm>
#include <optional>

#include "stridetune/parameters.h"

namespace stridetune_bench {

std::vector<EstimateVariant> estimate_variants(const stridetune::ConvDescriptor &problem) {
    const std::string wanted = stridetune::problem_key(problem);
    std::vector<EstimateVariant> out;
    for (const stridetune::KernelInfo &k : stridetune::kernels()) {
        const stridetune::Parameters parameters = stridetune::Parameters::parse(k.parameters);
        const std::optional<std::string> estimate = parameters.get("estimate");
        // Parsed again, so that any spelling of the same problem matches.
        if (!parameters.has("autoscheduler") || !estimate ||
            stridetune::problem_key(stridetune::parse_descriptor(*estimate)) != wanted) {
            continue;
        }
        const bool listed = std::any_of(out.begin(), out.end(),
                                        [&](const EstimateVariant &v) { return v.variant == k.variant; });
        if (!listed) out.push_back({std::string(stridetune::to_string(k.schedule)) + " (estimate = this shape)", k.variant});
    }
    return out;
}

}  // namespace stridetune_bench
