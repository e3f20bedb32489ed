#include "search_space.h"

#include <algorithm>
#include <string>

namespace stridetune::tune {
namespace {

int vector_lanes(Isa isa) {
    return isa == Isa::avx512 ? 16 : isa == Isa::avx2 ? 8 : 4;
}

int vector_registers(Isa isa) {
    return isa == Isa::avx512 ? 32 : 16;
}

std::string item(const char *key, int value) {
    return std::string(key) + "=" + std::to_string(value);
}

struct Strategy {
    const char *generator;
    const char *patches;  // null for direct
};
constexpr Strategy strategies[] = {{"direct", nullptr}, {"copy_then_gemm", "tile"}, {"copy_then_gemm", "whole"}};

Configuration configuration(const Strategy &s, const char *lanes, std::vector<std::string> items) {
    items.push_back(std::string("lanes=") + lanes);
    if (s.patches) items.push_back(std::string("patches=") + s.patches);
    return {s.generator, canonical_parameters(items)};
}

}  // namespace

std::vector<Configuration> builtin_configurations() {
    return {{"direct", "lanes=channels"},
            {"direct", "lanes=pixels"},
            {"copy_then_gemm", "lanes=channels patches=tile"},
            {"copy_then_gemm", "lanes=pixels patches=tile"},
            {"copy_then_gemm", "lanes=pixels patches=whole"},
            {"autoscheduled", "autoscheduler=Adams2019"},
            {"autoscheduled", "autoscheduler=Mullapudi2016"}};
}

std::vector<Configuration> candidate_configurations(const ConvDescriptor &p, Isa isa) {
    const int lanes = vector_lanes(isa), regs = vector_registers(isa);
    const int64_t k_vectors = (p.oc + lanes - 1) / lanes;
    std::vector<Configuration> hand;
    // The general-purpose kernels lead: the heuristic picks among them.
    for (const Configuration &c : builtin_configurations()) {
        if (c.generator != "autoscheduled") hand.push_back(c);
    }
    for (const Strategy &s : strategies) {
        // Output channels in lanes: channel_width vectors of K by x_width
        // pixels by rows, channel_width * (x_width * rows + 1) + 1 <= regs
        // (schedules/register_tile.cpp); x_width follows from the rows.
        for (int cw = 1; cw <= 4 && cw <= k_vectors; cw++) {
            for (int rows = 1; rows <= 3; rows++) {
                if (((regs - 1) / cw - 1) / rows < 1) continue;
                if (cw == 2 && rows == 1) continue;  // the derived default, listed above
                hand.push_back(configuration(s, "channels", {item("channel_width", cw), item("rows", rows)}));
            }
        }
        // Output pixels in lanes, for small K: channel_width unrolled output
        // channels, x_width vectors of pixels, rows from the register file;
        // half-width vectors waste fewer lanes on narrow outputs.
        if (p.oc > 2 * lanes) continue;
        for (int cw : {2, 3, 4, 5, 6, 8}) {
            if (cw > p.oc + 1) continue;
            for (int xw : {1, 2}) {
                if ((regs - 1) / cw - 1 < xw) continue;
                for (int vw : {lanes, lanes / 2}) {
                    if (cw == 5 && xw == 1 && vw == lanes) continue;  // the derived default, listed above
                    std::vector<std::string> items{item("channel_width", cw), item("x_width", xw)};
                    if (vw != lanes) items.push_back(item("vector_width", vw));
                    hand.push_back(configuration(s, "pixels", items));
                }
            }
        }
    }
    std::vector<Configuration> all;
    for (const Configuration &c : hand) {
        if (std::find_if(all.begin(), all.end(), [&](const Configuration &a) {
                return a.to_string() == c.to_string();
            }) == all.end()) {
            all.push_back(c);
        }
    }
    // The autoschedulers plan for this very problem.
    ConvDescriptor unnamed = p;
    unnamed.name.clear();
    unnamed.occurrences = 1;
    const std::string estimate = "estimate=" + to_string(unnamed);
    for (const char *scheduler : {"Mullapudi2016", "Adams2019"}) {
        all.push_back({"autoscheduled", canonical_parameters({std::string("autoscheduler=") + scheduler, estimate})});
    }
    return all;
}

}  // namespace stridetune::tune
