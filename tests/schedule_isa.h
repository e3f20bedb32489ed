// The (schedule, ISA level) pairs the tests run every kernel at, named from
// the table of built-in kernels (not the library's to_string) so that a
// failure names the kernel.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "stridetune.h"
#include "stridetune/kernel_geometry.h"

namespace stridetune_test {

inline const std::vector<stridetune::Isa> &every_isa() {
    static const std::vector<stridetune::Isa> isas{stridetune::Isa::sse41, stridetune::Isa::avx2,
                                                   stridetune::Isa::avx512};
    return isas;
}

inline std::string isa_name(stridetune::Isa isa) {
    switch (isa) {
    case stridetune::Isa::sse41: return "sse41";
    case stridetune::Isa::avx2: return "avx2";
    case stridetune::Isa::avx512: return "avx512";
    }
    return "unknown_isa";
}

// The table's own name (builtin_kernels.def), not the library's to_string.
inline std::string schedule_name(stridetune::Schedule s) {
    static const char *const names[] = {
#define STRIDETUNE_KERNEL(name, generator, parameters, strategy) #name,
#include "stridetune/builtin_kernels.def"
#undef STRIDETUNE_KERNEL
    };
    return names[static_cast<size_t>(s)];
}

// A depthwise kernel (grouping=depthwise), which runs depthwise problems alone.
inline bool is_depthwise_schedule(stridetune::Schedule s) {
    return stridetune::computes_depthwise(stridetune::Parameters::parse(stridetune::builtin_kernel(s).parameters));
}

// Hand-written schedules, as opposed to the autoscheduled baselines.
inline bool is_hand_schedule(stridetune::Schedule s) {
    return !stridetune::Parameters::parse(stridetune::builtin_kernel(s).parameters).has("autoscheduler");
}

// The generator parameters of `variant` (as stridetune::kernels() lists
// it), or with none given, of the general-purpose kernel of `s`.
inline stridetune::Parameters kernel_parameters(stridetune::Schedule s, const std::string &variant = "") {
    for (const stridetune::KernelInfo &k : stridetune::kernels()) {
        if (!variant.empty() && k.variant == variant) return stridetune::Parameters::parse(k.parameters);
    }
    return stridetune::Parameters::parse(stridetune::builtin_kernel(s).parameters);
}

// Whether a kernel of parameters `p` (kernel_parameters()) may refuse a
// problem of `params` and output size `oh` x `ow` (before it runs, writing
// nothing). A depthwise kernel runs depthwise problems alone (g = C = K > 1;
// the sweeps' problems are of one group), and a tuned one compiled for
// one stride (only_stride) that stride alone. An autoscheduled baseline
// tiles for the seed problem's sizes. A
// kernel that reads its input in place (padding=none) serves only unpadded
// problems at least its tile (x_width pixels by rows, 1 unless given; a
// width not given is derived from the ISA's register file, so any output
// may be narrower) in size. Every other hand schedule runs every problem.
inline bool may_refuse(const stridetune::Parameters &p, const stridetune::ConvParams &params, int64_t oh, int64_t ow) {
    if (p.has("autoscheduler") || stridetune::computes_depthwise(p) || p.has("only_stride")) return true;
    if (p.get("padding") != "none") return false;
    const int rows = p.has("rows") ? std::stoi(p.get("rows").value()) : 1;
    return !stridetune::unpadded(params) || !p.has("x_width") || ow < std::stoi(p.get("x_width").value()) ||
           oh < rows;
}

struct ScheduleIsa {
    stridetune::Schedule schedule;
    stridetune::Isa isa;
    std::string variant = "";  // empty: the schedule's general-purpose kernel
};

// Every schedule of all_schedules at every ISA level (levels above this CPU's
// are instantiated too and skip at run time, so the test list is the same everywhere).
inline std::vector<ScheduleIsa> every_schedule_at_every_isa() {
    std::vector<ScheduleIsa> all;
    for (stridetune::Schedule s : stridetune::all_schedules) {
        for (stridetune::Isa isa : every_isa()) all.push_back({s, isa});
    }
    return all;
}

// The general-purpose kernels, then every other variant built into the
// library (the tuned winners of its tuning file), each at every ISA level.
inline std::vector<ScheduleIsa> every_kernel_at_every_isa() {
    std::vector<ScheduleIsa> all = every_schedule_at_every_isa();
    std::set<std::string> listed;
    for (const stridetune::KernelInfo &k : stridetune::kernels()) {
        if (stridetune::parse_schedule(k.variant) || !listed.insert(k.variant).second) continue;
        for (stridetune::Isa isa : every_isa()) all.push_back({k.schedule, isa, k.variant});
    }
    return all;
}

inline std::string test_name(const ScheduleIsa &p) {
    return (p.variant.empty() ? schedule_name(p.schedule) : p.variant) + "_" + isa_name(p.isa);
}

// How gtest prints a parameter.
inline void PrintTo(const ScheduleIsa &p, std::ostream *os) {
    *os << test_name(p);
}

inline bool cpu_supports(stridetune::Isa isa) {
    return isa <= stridetune::detected_isa();
}

}  // namespace stridetune_test
