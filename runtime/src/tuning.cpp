#include "tuning.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "stridetune/error.h"
#include "stridetune/parameters.h"
#include "tuning_file.h"

namespace stridetune::detail {
namespace {

// Where a tuning applies: on the CPU it was made on (its brand string, ISA
// level and cores; and cpuid's family, model and stepping where it recorded
// them), or on another of the same microarchitecture (a brand string is
// what a cloud's virtual CPU calls itself: two of one kind of machine named
// differently measured alike), with the same Halide.
struct Applicability {
    bool applies;
    // Why not, or what a tuned entry's reason adds (another CPU of the same
    // microarchitecture); empty on the tuning's own CPU.
    std::string note;
    // Whether the tuning's measured grain holds here: on as many cores.
    bool grain_holds;
};

Applicability applies_here(CpuIdentity tuned, const std::string &halide) {
    const CpuIdentity &here = cpu_identity();
    if (halide != halide_version()) {
        return {false, "tuned with Halide " + halide + ", this build has " + halide_version(), false};
    }
    const std::string tuned_on = to_string(tuned);
    const bool same_microarchitecture = stridetune::same_microarchitecture(tuned, here);
    if (tuned.family == 0) {  // not recorded: the CPU's brand string decides
        tuned.family = here.family, tuned.model_number = here.model_number, tuned.stepping = here.stepping;
    }
    if (tuned == here) return {true, "", true};
    if (same_microarchitecture) {
        return {true, "tuned on " + tuned_on + ": the same microarchitecture", tuned.cores == here.cores};
    }
    return {false, "tuned on " + tuned_on + ", this is " + to_string(here), false};
}

// A tuned entry's reason: `source`, and whose tuning it is where not this CPU's.
std::string tuned_reason(const std::string &source, const Applicability &a) {
    return "tuned (" + source + (a.note.empty() ? "" : "; " + a.note) + ")";
}

// STRIDETUNE_TUNING_FILE, read once; a file that cannot be used is reported
// once on stderr and ignored.
struct RuntimeTuning {
    TuningFile file;
    Applicability applicability;
};
const std::optional<RuntimeTuning> &runtime_tuning() {
    static const std::optional<RuntimeTuning> file = []() -> std::optional<RuntimeTuning> {
        const char *path = std::getenv("STRIDETUNE_TUNING_FILE");
        if (!path || !*path) return std::nullopt;
        try {
            TuningFile f = read_tuning_file(path);
            Applicability a = applies_here(f.cpu, f.halide_version);
            if (!f.problems.empty() && f.kernels != kernels_fingerprint()) {
                a = {false,
                     "tuned against other kernels (" + (f.kernels.empty() ? "not recorded" : f.kernels) +
                         ", this build's are " + kernels_fingerprint() + "): tune again",
                     false};
            }
            if (a.applies) return RuntimeTuning{std::move(f), a};
            std::fprintf(stderr, "stridetune: warning: ignoring STRIDETUNE_TUNING_FILE=%s: %s\n", path,
                         a.note.c_str());
        } catch (const Error &e) {
            std::fprintf(stderr, "stridetune: warning: ignoring STRIDETUNE_TUNING_FILE=%s: %s\n", path, e.what());
        }
        return std::nullopt;
    }();
    return file;
}

// The kernel of a runtime file's configuration, and what its reason adds.
// The tuner records a configuration compiled for the problem's stride alone
// (only_stride), which only a build from the file has: elsewhere, the same
// configuration compiled for every stride runs that stride's branch.
std::pair<const Kernel *, std::string> runtime_file_kernel(const TunedConfiguration &c, Isa cap) {
    if (const Kernel *k = find_configuration(c.generator, c.parameters, cap)) return {k, ""};
    Parameters parameters = Parameters::parse(c.parameters);
    if (!parameters.has("only_stride")) return {nullptr, ""};
    return {find_configuration(c.generator, parameters.erase("only_stride").to_string(), cap),
            "; built for every stride"};
}

// The lookup itself, over every entry: tuned_kernels() caches its answers.
TunedLookup look_up(const std::string &problem, Isa cap) {
    TunedLookup lookup;
    if (const auto &runtime = runtime_tuning()) {
        const TuningFile &file = runtime->file;
        const auto it = file.problems.find(problem);
        if (it != file.problems.end()) {
            std::vector<TunedConfiguration> ranked{it->second.winner};
            ranked.insert(ranked.end(), it->second.runners_up.begin(), it->second.runners_up.end());
            for (size_t rank = 0; rank < ranked.size(); rank++) {
                const auto [k, built] = runtime_file_kernel(ranked[rank], cap);
                if (k) {
                    lookup.ranked.push_back(
                        {k,
                         tuned_reason("STRIDETUNE_TUNING_FILE rank " + std::to_string(rank + 1) + built,
                                      runtime->applicability),
                         runtime->applicability.grain_holds ? ranked[rank].parallel : std::nullopt});
                }
            }
        }
    }
    lookup.note = "no tuned entry";
    for (const TunedEntry &e : tuned_entries()) {
        if (e.problem != problem) continue;
        const CpuIdentity origin{e.origin.vendor,       e.origin.model,
                                 parse_isa(e.origin.isa).value_or(Isa::sse41),
                                 e.origin.cores,        e.origin.family,
                                 e.origin.model_number, e.origin.stepping};
        const Applicability a = applies_here(origin, e.origin.halide_version);
        if (!a.applies) {
            lookup.note = "no tuning for this CPU: " + a.note;
            continue;
        }
        if (const Kernel *k = find_variant(e.variant, cap)) {
            lookup.ranked.push_back(
                {k, tuned_reason("compiled-in tuning", a), a.grain_holds ? e.parallel : std::nullopt});
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
