// The built-in kernels, as builtin_kernels.def lists them: the Schedule a
// caller can force, and each one's generator and parameters.
#pragma once

#include <optional>
#include <string_view>

#include "parameters.h"

namespace stridetune {

// Hand schedules: direct_* (strided contraction in place), gemm_*
// (copy-then-GEMM); *_pixels put output pixels in vector lanes (small K),
// the others output channels. Baselines: Halide's autoschedulers on the
// same algorithm.
enum class Schedule {
#define STRIDETUNE_KERNEL(name, generator, parameters, strategy) name,
#include "builtin_kernels.def"
#undef STRIDETUNE_KERNEL
};

struct BuiltinKernel {
    Schedule schedule;
    std::string_view name, generator, parameters, strategy;  // builtin_kernels.def's columns
};
inline constexpr BuiltinKernel builtin_kernels[] = {
#define STRIDETUNE_KERNEL(name, generator, parameters, strategy) \
    {Schedule::name, #name, #generator, parameters, strategy},
#include "builtin_kernels.def"
#undef STRIDETUNE_KERNEL
};
inline constexpr Schedule all_schedules[] = {
#define STRIDETUNE_KERNEL(name, generator, parameters, strategy) Schedule::name,
#include "builtin_kernels.def"
#undef STRIDETUNE_KERNEL
};

inline constexpr const BuiltinKernel &builtin_kernel(Schedule schedule) {
    return builtin_kernels[static_cast<int>(schedule)];
}
inline constexpr std::string_view to_string(Schedule schedule) {
    return builtin_kernel(schedule).name;
}
inline std::optional<Schedule> parse_schedule(std::string_view name) {
    for (const BuiltinKernel &k : builtin_kernels) {
        if (k.name == name) return k.schedule;
    }
    return std::nullopt;
}

// The built-in kernel whose strategy a configuration (a generator with its
// parameters) follows: the row whose parameters it has exactly, else the
// first row of the generator whose strategy items it has, else the
// generator's first row (the tuner and cmake write every strategy item),
// else the first row.
Schedule schedule_of(std::string_view generator, const Parameters &parameters);

// Its items that choose a strategy (keys of the table's strategy column,
// e.g. lanes, patches), without those that size tiles.
Parameters strategy_items(const Parameters &parameters);

}  // namespace stridetune
