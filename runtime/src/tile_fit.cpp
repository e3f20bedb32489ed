#include "tile_fit.h"

#include <algorithm>
#include <cmath>

#include "stridetune/tile_shape.h"

namespace stridetune::detail {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

// A reduction step of a channel-lane tile issues one FMA per accumulator
// and loads its channel_width filter vectors and one broadcast input value a
// pixel, each pixel's from an address register of its own: those past the
// free general registers are reloaded from the stack every step
// (schedules/register_tile.cpp's inner loop at AVX-512, 7x2 pixels: 28
// FMAs, 16 loads, 4 reloads). Every core the library targets with AVX2 or
// AVX-512 has two FMA pipes and at least two load ports; about two cycles
// go to the loop's control besides. Checked against the tuner's timings of
// 2- and 3-D tiles on 5x5, 12x12 and 13x13 outputs (AMD Zen 5): the order
// this model gives matched the measured one but for near ties.
constexpr double fma_pipes = 2, load_ports = 2, loop_cycles = 2;
constexpr int free_address_registers = 10;

double cycles_a_step(const TileShape &tile) {
    const int pixels = tile.pixels() * tile.rows;
    const int loads = pixels + tile.channel_width + std::max(0, pixels - free_address_registers);
    return std::max(tile.accumulators() / fma_pipes, loads / load_ports) + loop_cycles;
}

}  // namespace

TileFit tile_fit(const Problem &p, const Parameters &kernel_parameters, Isa isa, int threads) {
    const TileShape tile = tile_shape(kernel_parameters, isa);
    const bool blocks_outermost = kernel_parameters.get("outer") == "channels";
    const int64_t blocks = ceil_div(p.k, tile.channels()), row_tiles = ceil_div(p.oh, tile.rows),
                  column_tiles = ceil_div(p.ow, tile.pixels());
    const double steps = double(p.c) * p.fh * p.fw;
    const double tiles = double(p.n) * row_tiles * column_tiles * blocks;
    const double compute = tiles * steps * cycles_a_step(tile);
    // The padded input is staged a vector of channels a cycle: the whole
    // image once (staged=image), or by each task the rows its tiles read,
    // again for every block where blocks are outermost.
    const double tasks = double(p.n) * row_tiles * (blocks_outermost ? blocks : 1);
    const bool whole_image = kernel_parameters.get("staged") == "image";
    const double staged_rows =
        whole_image ? double(p.n) * ((row_tiles * tile.rows - 1) * p.params.stride_h + (p.fh - 1) * p.params.dilation_h + 1)
                    : tasks * ((tile.rows - 1) * p.params.stride_h + (p.fh - 1) * p.params.dilation_h + 1);
    const double staged_columns =
        double(column_tiles * tile.pixels() - 1) * p.params.stride_w + double(p.fw - 1) * p.params.dilation_w + 1;
    const double staging = staged_rows * staged_columns * double(ceil_div(p.c, tile.vector_width));
    // The busiest of `threads` threads runs ceil(tasks / threads) of them.
    const double busiest = std::ceil(tasks / threads) / tasks;
    const double computed = tiles * tile.rows * tile.pixels() * tile.channels() / (double(p.n) * p.oh * p.ow * p.k);
    return {(compute + staging) * busiest, computed,
            std::to_string(tile.pixels()) + "x" + std::to_string(tile.rows) + " pixels by " +
                std::to_string(tile.channels()) + " channels"};
}

}  // namespace stridetune::detail
