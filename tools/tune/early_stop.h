// When a tuner's search may stop before its budget runs out: the budget is
// an upper bound, and most of it goes on compiling the candidates of the
// local search (the tiles nearest the fastest kernel, search_space.h). It stops
// where the library's untuned pick (the dispatcher's heuristic, dispatch.h)
// is within noise of the best candidate measured, and the local search has
// gone `patience` candidates without beating the best by more than noise:
// tuning would not change what the library runs by more than noise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace stridetune::tune {

// Relative difference below which two medians are one time: the tolerance
// the tuner's pick is held to against an exhaustive search
// (tools/check-tuner-search.sh, docs/tuning.md).
inline constexpr double measurement_noise = 0.03;

// Whether a median of `ms` is, within noise, as fast as `best_ms`.
inline bool within_noise(double ms, double best_ms) {
    return ms <= best_ms * (1 + measurement_noise);
}

class EarlyStop {
public:
    // Local-search candidates in a row that do not improve on the best.
    static constexpr size_t patience = 4;

    // A candidate's screening median; `model_pick`: it is the library's
    // untuned pick; `local_search`: it is of the local search.
    void measured(double ms, bool model_pick, bool local_search);
    // The untuned pick's median, measured again.
    void pick_remeasured(double ms);
    bool reached() const;
    // Why it stopped, for the progress line.
    std::string reason() const;

private:
    std::optional<double> best_ms_, model_ms_;
    size_t unimproved_ = 0;
};

}  // namespace stridetune::tune
