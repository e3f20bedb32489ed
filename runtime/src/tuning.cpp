#include "tuning.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "stridetune/error.h"
#include "tuning_file.h"

namespace stridetune::detail {
namespace {

bool applies_here(const CpuIdentity &cpu, const std::string &halide, std::string &why_not) {
    if (!(cpu == cpu_identity())) {
        why_not = "tuned on " + to_string(cpu) + ", this is " + to_string(cpu_identity());
    } else if (halide != halide_version()) {
        why_not = "tuned with Halide " + halide + ", this build has " + halide_version();
    }
    return why_not.empty();
}

// STRIDETUNE_TUNING_FILE, read once; a file that cannot be used is reported
// once on stderr and ignored.
const std::optional<TuningFile> &runtime_tuning() {
    static const std::optional<TuningFile> file = []() -> std::optional<TuningFile> {
        const char *path = std::getenv("STRIDETUNE_TUNING_FILE");
        if (!path || !*path) return std::nullopt;
        try {
            TuningFile f = read_tuning_file(path);
            std::string why_not;
            if (applies_here(f.cpu, f.halide_version, why_not)) return f;
            std::fprintf(stderr, "stridetune: warning: ignoring STRIDETUNE_TUNING_FILE=%s: %s\n", path,
                         why_not.c_str());
        } catch (const Error &e) {
            std::fprintf(stderr, "stridetune: warning: ignoring STRIDETUNE_TUNING_FILE=%s: %s\n", path, e.what());
        }
        return std::nullopt;
    }();
    return file;
}

// The lookup itself, over every entry: tuned_kernels() caches its answers.
TunedLookup look_up(const std::string &problem, Isa cap) {
    TunedLookup lookup;
    if (const auto &file = runtime_tuning()) {
        const auto it = file->problems.find(problem);
        if (it != file->problems.end()) {
            std::vector<TunedConfiguration> ranked{it->second.winner};
            ranked.insert(ranked.end(), it->second.runners_up.begin(), it->second.runners_up.end());
            for (size_t rank = 0; rank < ranked.size(); rank++) {
                if (const Kernel *k = find_configuration(ranked[rank].generator, ranked[rank].parameters, cap)) {
                    lookup.ranked.push_back({k, "tuned (STRIDETUNE_TUNING_FILE rank " + std::to_string(rank + 1) + ")",
                                             ranked[rank].parallel});
                }
            }
        }
    }
    lookup.note = "no tuned entry";
    for (const TunedEntry &e : tuned_entries()) {
        if (e.problem != problem) continue;
        std::string why_not;
        if (!applies_here({e.origin.vendor, e.origin.model, parse_isa(e.origin.isa).value_or(Isa::sse41),
                           e.origin.cores},
                          e.origin.halide_version, why_not)) {
            lookup.note = "no tuning for this CPU: " + why_not;
            continue;
        }
        if (const Kernel *k = find_variant(e.variant, cap)) {
            lookup.ranked.push_back({k, "tuned (compiled-in tuning)", e.parallel});
            break;
        }
    }
    return lookup;
}

}  // namespace

// Calls on small problems take microseconds: the answer per problem and ISA
// cap is kept, until a registration changes what the answer would be.
TunedLookup tuned_kernels(const std::string &problem, Isa cap) {
    static std::mutex mutex;
    static uint64_t generation = 0;
    static std::unordered_map<std::string, TunedLookup> answers;
    const uint64_t now = registry_generation();
    const std::string key = problem + "@" + std::string(to_string(cap));
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (generation != now) {
            answers.clear();
            generation = now;
        }
        if (auto it = answers.find(key); it != answers.end()) return it->second;
    }
    TunedLookup answer = look_up(problem, cap);
    std::lock_guard<std::mutex> lock(mutex);
    return answers.emplace(key, answer).first->second;
}

}  // namespace stridetune::detail
