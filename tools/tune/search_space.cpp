#include "search_space.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>

#include "stridetune/kernel_geometry.h"
#include "stridetune/schedule.h"
#include "stridetune/tile_shape.h"

namespace stridetune::tune {
namespace {

struct Strategy {
    const char *generator;
    const char *patches;  // null for direct
};
constexpr Strategy strategies[] = {{"direct", nullptr}, {"copy_then_gemm", "tile"}, {"copy_then_gemm", "whole"}};

Configuration configuration(const Strategy &s, const char *lanes, Parameters tile) {
    tile.set("lanes", lanes);
    if (s.patches) tile.set("patches", s.patches);
    return {s.generator, tile};
}

Parameters tile(std::initializer_list<std::pair<const char *, int>> sizes) {
    Parameters p;
    for (const auto &[key, value] : sizes) p.set(key, std::to_string(value));
    return p;
}

// The tile widths along x worth trying for a tile at most `widest` pixels
// wide: that width, and that many spread evenly over the output's width
// (a 7-wide output takes 7, not 14 with half wasted).
std::vector<int> x_widths(int widest, int64_t ow) {
    const int tiles = int((ow + widest - 1) / widest), even = int((ow + tiles - 1) / tiles);
    if (even == widest) return {widest};
    return {widest, even};
}

// `c` with its tile's sizes as `isa` derives them written out
// (stridetune/tile_shape.h): configurations that build one kernel at `isa`
// become equal.
Configuration with_derived_tile(Configuration c, Isa isa) {
    if (!c.parameters.has("lanes")) return c;
    const TileShape shape = tile_shape(c.parameters, isa);
    c.parameters.set("vector_width", std::to_string(shape.vector_width))
        .set("channel_width", std::to_string(shape.channel_width))
        .set("x_width", std::to_string(shape.x_width))
        .set("rows", std::to_string(shape.rows));
    return c;
}

// Whether a tile that reads the input in place (padding=none) can run `p`:
// it reads no padding, and the output holds a whole tile, rows and pixels
// (a flat tile's run along the image's pixels), as the runtime's bounds
// query requires. Any other tile can. A candidate that cannot would be
// compiled, seconds of the budget, only to fail.
bool runs_in_place(const Configuration &c, const ConvDescriptor &p, Isa isa) {
    if (c.parameters.get("padding") != "none") return true;
    const TileShape shape = tile_shape(c.parameters, isa);
    const int64_t width = takes_flat_output(c.parameters) ? p.oh * p.ow : p.ow;
    return unpadded(p.params) && shape.rows <= p.oh && shape.pixels() <= width;
}

// The items in which the tiles of `a` and `b` at `isa` differ, one set
// and not the other counted too.
int items_apart(const Configuration &a, const Configuration &b, Isa isa) {
    const Parameters x = with_derived_tile(a, isa).parameters, y = with_derived_tile(b, isa).parameters;
    int apart = 0;
    for (const auto &[key, value] : x.items()) apart += y.get(key) != value;
    for (const auto &[key, value] : y.items()) apart += !x.has(key);
    return apart;
}

// The same generator with the same lanes: tiles of one kind, whose other
// items (what is outermost, what is staged, the tile's sizes) vary.
bool same_kind_of_tile(const Configuration &a, const Configuration &b) {
    return a.generator == b.generator && a.parameters.get("lanes") == b.parameters.get("lanes");
}

}  // namespace

void order_around(std::vector<Configuration>::iterator first, std::vector<Configuration>::iterator last,
                  const Configuration &best, Isa isa) {
    const auto family_end =
        std::stable_partition(first, last, [&](const Configuration &c) { return same_kind_of_tile(c, best); });
    std::vector<std::pair<int, Configuration>> by_distance;
    for (auto it = first; it != family_end; ++it) by_distance.emplace_back(items_apart(*it, best, isa), *it);
    std::stable_sort(by_distance.begin(), by_distance.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (auto &[apart, c] : by_distance) *first++ = std::move(c);
}

Configuration builtin_configuration(const BuiltinKernel &kernel) {
    return {std::string(kernel.generator), Parameters::parse(kernel.parameters)};
}

std::vector<Configuration> builtin_configurations() {
    std::vector<Configuration> all;
    for (const BuiltinKernel &k : builtin_kernels) all.push_back(builtin_configuration(k));
    return all;
}

std::vector<Configuration> candidate_configurations(const ConvDescriptor &p, Isa isa) {
    const int lanes = float_lanes(isa), regs = vector_registers(isa);
    const int64_t k_vectors = (p.oc + lanes - 1) / lanes;
    const bool compiled_stride = specialized_stride(kernel_geometry(p)) != 0;
    // A depthwise problem takes the depthwise kernel's tiles alone: output
    // channels in the lanes over the padded input staged.
    const bool depthwise = p.depthwise();
    std::vector<Configuration> hand;
    const auto add = [&](Configuration c) {
        if (depthwise) c.parameters.set("grouping", "depthwise");
        hand.push_back(std::move(c));
    };
    // The general-purpose kernels lead: the heuristic picks among them.
    for (const Configuration &c : builtin_configurations()) {
        if (!c.parameters.has("autoscheduler") && computes_depthwise(c.parameters) == depthwise) hand.push_back(c);
    }
    for (const Strategy &s : strategies) {
        if (depthwise && s.patches) continue;
        // Output channels in lanes: channel_width vectors of K by x_width
        // pixels by rows, x_width the most that fits (stridetune/tile_shape.h).
        for (int cw = 1; cw <= 4 && cw <= k_vectors; cw++) {
            for (int rows = 1; rows <= 4; rows++) {
                const int widest = widest_channel_tile(cw, rows, regs);
                if (widest < 1) continue;
                for (int xw : x_widths(widest, p.ow)) {
                    Parameters items = tile({{"channel_width", cw}, {"rows", rows}, {"x_width", xw}});
                    // direct stages rows per tile or the whole padded image.
                    if (!s.patches) add(configuration(s, "channels", Parameters(items).set("staged", "image")));
                    add(configuration(s, "channels", items));
                }
            }
        }
        // Blocks of output channels outermost (register_tile.h's Outer),
        // one to four rows a tile, x_width derived from the register file;
        // direct stages rows per tile or the whole padded image.
        for (int cw = 1; cw <= 2 && cw <= k_vectors; cw++) {
            for (int rows : {1, 2, 4}) {
                Parameters items = tile({{"channel_width", cw}, {"rows", rows}});
                items.set("outer", "channels");
                add(configuration(s, "channels", items));
                if (!s.patches) add(configuration(s, "channels", items.set("staged", "image")));
            }
        }
        // Output pixels in lanes, for small K: channel_width unrolled output
        // channels, x_width vectors of pixels, rows from the register file;
        // half-width vectors waste fewer lanes on narrow outputs. direct
        // reads its planar rows with strided loads where the stride is a
        // constant, or stages their column phases (schedules/direct.cpp).
        if (p.oc > 2 * lanes || depthwise) continue;
        for (int cw : {2, 3, 4, 5, 6, 8}) {
            if (cw > p.oc + 1) continue;
            for (int xw : {1, 2}) {
                if ((regs - 1) / cw - 1 < xw) continue;
                for (int vw : {lanes, lanes / 2}) {
                    Parameters items = tile({{"channel_width", cw}, {"x_width", xw}});
                    if (vw != lanes) items.set("vector_width", std::to_string(vw));
                    if (s.patches || compiled_stride) hand.push_back(configuration(s, "pixels", items));
                    if (!s.patches) hand.push_back(configuration(s, "pixels", items.set("phases", "staged")));
                }
            }
        }
    }
    // Read in place (padding=none), where nothing is padded: one address
    // register a pixel, so at most 8 pixels a row of the tile. One-row tiles
    // go with tiles or blocks of channels outermost, and flat with blocks
    // outermost (along the image's pixels, across its rows).
    if (unpadded(p.params) && !depthwise) {
        for (int cw = 1; cw <= 4 && cw <= k_vectors; cw++) {
            for (int rows = 1; rows <= 2; rows++) {
                const int widest = std::min(8, widest_channel_tile(cw, rows, regs));
                for (int xw : x_widths(widest, p.ow)) {
                    Parameters items = tile({{"channel_width", cw}, {"rows", rows}, {"x_width", xw}});
                    items.set("padding", "none");
                    hand.push_back(configuration(strategies[0], "channels", items));
                    if (rows == 1 && cw <= 2) {
                        for (const char *outer : {"channels", "tiles"}) {
                            items.set("outer", outer);
                            hand.push_back(configuration(strategies[0], "channels", items));
                        }
                        items.set("outer", "channels").set("pixel_order", "flat");
                        hand.push_back(configuration(strategies[0], "channels", items));
                    }
                }
            }
        }
    }
    // Each kernel once, as it is first listed (the built-in kernels first):
    // configurations that build the same tile at this ISA are one kernel.
    std::vector<Configuration> all;
    std::vector<Configuration> built;
    for (const Configuration &c : hand) {
        if (!runs_in_place(c, p, isa)) continue;
        const Configuration kernel = with_derived_tile(c, isa);
        if (std::find(built.begin(), built.end(), kernel) != built.end()) continue;
        built.push_back(kernel);
        all.push_back(c);
    }
    // The autoschedulers plan for this very problem (one group's: their estimates have no groups).
    if (depthwise) return all;
    for (const char *scheduler : {"Mullapudi2016", "Adams2019"}) {
        all.push_back({"autoscheduled", Parameters().set("autoscheduler", scheduler).set("estimate", problem_key(p))});
    }
    return all;
}

}  // namespace stridetune::tune
