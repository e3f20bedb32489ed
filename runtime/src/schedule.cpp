#include "stridetune/schedule.h"

namespace stridetune {

Schedule schedule_of(std::string_view generator, const Parameters &parameters) {
    const BuiltinKernel *first_of_generator = nullptr, *most_specific = nullptr;
    size_t most_items = 0;
    for (const BuiltinKernel &b : builtin_kernels) {
        if (b.generator != generator) continue;
        if (!first_of_generator) first_of_generator = &b;
        if (Parameters::parse(b.parameters) == parameters) return b.schedule;  // the row's own kernel
        const Parameters strategy = Parameters::parse(b.strategy);
        if (parameters.includes(strategy) && (!most_specific || strategy.items().size() > most_items)) {
            most_specific = &b;
            most_items = strategy.items().size();
        }
    }
    const BuiltinKernel *row = most_specific ? most_specific : first_of_generator;
    return row ? row->schedule : all_schedules[0];
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
