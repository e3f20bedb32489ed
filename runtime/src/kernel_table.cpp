#include "kernel_table.h"

#include <array>

#include "kernel_headers.h"
#include "stridetune/error.h"

namespace stridetune {
namespace detail {
namespace {

constexpr Kernel kernels[] = {
#define STRIDETUNE_KERNEL(schedule, isa, function, parameters, fixed_tiles) \
    {Schedule::schedule, Isa::isa, function, function##_metadata, #function, parameters, fixed_tiles},
#include "kernel_list.inc"
#undef STRIDETUNE_KERNEL
};

constexpr std::array<std::string_view, std::size(all_schedules)> schedule_names{
    "direct_channels", "direct_pixels", "gemm_tile", "gemm_tile_pixels", "gemm_whole", "adams2019", "mullapudi2016",
};

}  // namespace

const Kernel &best_kernel(Schedule schedule, Isa cap) {
    const Kernel *best = nullptr;
    for (const Kernel &k : kernels) {
        if (k.schedule == schedule && k.isa <= cap && (!best || k.isa > best->isa)) best = &k;
    }
    if (!best) {
        throw Error("no " + std::string(to_string(schedule)) + " kernel is built for " + std::string(to_string(cap)) +
                    " or below");
    }
    return *best;
}

}  // namespace detail

std::string_view to_string(Schedule schedule) {
    return detail::schedule_names[static_cast<size_t>(schedule)];
}

std::optional<Schedule> parse_schedule(std::string_view name) {
    for (Schedule s : all_schedules) {
        if (to_string(s) == name) return s;
    }
    return std::nullopt;
}

}  // namespace stridetune
