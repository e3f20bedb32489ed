#include "early_stop.h"

#include <cstdio>

namespace stridetune::tune {

void EarlyStop::measured(double ms, bool model_pick, bool local_search) {
    if (model_pick) model_ms_ = ms;
    const bool improves = !best_ms_ || !within_noise(*best_ms_, ms);
    if (!best_ms_ || ms < *best_ms_) best_ms_ = ms;
    if (local_search) unimproved_ = improves ? 0 : unimproved_ + 1;
}

void EarlyStop::pick_remeasured(double ms) {
    model_ms_ = ms;
    if (!best_ms_ || ms < *best_ms_) best_ms_ = ms;
}

bool EarlyStop::reached() const {
    // The best is measured whenever the pick is.
    return model_ms_ && within_noise(*model_ms_, *best_ms_) && unimproved_ >= patience;
}

std::string EarlyStop::reason() const {
    char text[160];
    std::snprintf(text, sizeof text,
                  "the library's untuned pick (%.4f ms) is within %.0f%% of the best (%.4f ms), and %zu candidates "
                  "of the local search did not beat it",
                  model_ms_.value_or(0), measurement_noise * 100, best_ms_.value_or(0), unimproved_);
    return text;
}

}  // namespace stridetune::tune
