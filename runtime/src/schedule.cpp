#include "stridetune/schedule.h"

namespace stridetune {

Schedule schedule_of(std::string_view generator, const Parameters &parameters) {
    const BuiltinKernel *first_of_generator = nullptr;
    for (const BuiltinKernel &b : builtin_kernels) {
        if (b.generator != generator) continue;
        if (parameters.includes(Parameters::parse(b.strategy))) return b.schedule;
        if (!first_of_generator) first_of_generator = &b;
    }
    return first_of_generator ? first_of_generator->schedule : all_schedules[0];
}

Parameters strategy_items(const Parameters &parameters) {
    Parameters strategy;
    for (const BuiltinKernel &b : builtin_kernels) {
        const Parameters row = Parameters::parse(b.strategy);
        for (const auto &item : row.items()) {
            if (const auto mine = parameters.get(item.first)) strategy.set(item.first, *mine);
        }
    }
    return strategy;
}

}  // namespace stridetune
