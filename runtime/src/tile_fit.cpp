#include "tile_fit.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "cpu_caches.h"
#include "stridetune/kernel_geometry.h"
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
// this model gives matched the measured one but for near ties. A reloaded
// address feeds the broadcast after it, the two loads in series: where the
// broadcast feeds several vectors of channels, each reload held the step
// about a cycle more, fitted to the tiles of two vectors with reloads
// (14x1, 7x2 and 4x3 pixels), which ran 13-27% slower than the count
// without this term on VGG-11's conv2_2 (64 to 128 channels over 50x50
// pixels) and ResNet-50's conv1, where the 7x1 tile, without reloads, ran
// within 4% of it; a one-vector tile of 5x5 pixels and 15 reloads ran as
// counted without it (stridetune_layers and the tuner, 1 thread, AMD Zen 5).
constexpr double fma_pipes = 2, load_ports = 2, loop_cycles = 2, reload_cycles = 1;
constexpr int free_address_registers = 10;

// A flat tile finds each of its pixels' row and column from the pixel's
// index along the flattened output (generators/strided_conv.cpp): a 32-bit
// division by the output's width, known only at run time, a pixel each
// tile, with the rounding Halide's division adds; taken as 10 cycles (the
// list's picks on the shipped sets moved alike at 5 to 40). Where the
// reduction is short, that outweighs the tile's fit: a 1x1 filter of 16
// channels over a 12x12 output (padded by one) ran 1.68 us on flat 8-pixel
// tiles against 1.09 on 6x4 ones, which compute as many outputs (AMD Zen 5,
// 2 threads, tools/run-benchmarks.sh).
constexpr double flat_address_cycles = 10;

// A kernel that stages its input sets up and fills a buffer every call,
// which a tile reading the input in place does not: on a problem of one
// output of one channel from one, calls cost 0.04-0.05 us more (the
// padded rows or image staged, channel lanes) and 0.10 us more (the flat
// one-vector tile) than the in-place one-pixel tile, 0.21 us on 2 threads
// (AMD Zen 5, stridetune_layers): taken as 600 cycles, which outweigh the
// fit of tiles on outputs of a few pixels.
constexpr double staging_call_cycles = 600;

// A read of a line another core wrote, in cycles, where the staged image
// fits in a core's private cache: a larger one is read from the shared
// cache by every core alike (kernel_geometry.h). Of the built-in kernels
// only the channel-block tiles stage so there; the others run in bands of
// the output. Fitted to direct_channel_blocks on the tails set's 3x3 layers
// and VGG-11's (AMD Zen 5, a KVM guest): its time on 2 threads beyond half
// its time on 1 came to 120 cycles at 4 GHz for each line the other core
// staged (median), an upper bound, as that excess holds the handoffs and
// the threads' imbalance too. The 300 fitted when the flat tiles staged so
// made the list take flat tiles over channel blocks that ran 1.25x faster
// (VGG-11's conv5_2, 2 threads) and, on a 1.3 MB image, three-row tiles
// that ran 1.4x slower than flat ones (conv1_2).
constexpr double cache_line_bytes = 64, cross_core_miss_cycles = 120;

// The input rows that `output_rows` consecutive output rows read.
double input_rows(const Problem &p, int64_t output_rows) {
    return double(input_span<int64_t>(output_rows, p.params.stride_h, p.fh, p.params.dilation_h));
}

// The filter rows an output row runs, averaged over the output's rows: all
// of them, or, for a tile that skips those reading the zero padding
// (stridetune/tile_shape.h), those whose taps read inside the input. Only
// the output rows within a pad's reach read padding, so the count runs
// over those alone (pads are at most 2^16), whatever the output's height.
double filter_rows_run(const Problem &p, bool skips_padding_rows) {
    const int64_t fh = p.fh;
    if (!skips_padding_rows) return double(fh);
    const int64_t stride = p.params.stride_h, dilation = p.params.dilation_h, top = p.params.pad_top;
    int64_t skipped = 0;
    // Taps above the input: y * stride + fy * dilation < top.
    for (int64_t y = 0; y < p.oh && y * stride < top; y++) {
        skipped += std::min(fh, ceil_div(top - y * stride, dilation));
    }
    // Taps below it: y * stride + fy * dilation - top >= H.
    for (int64_t y = p.oh - 1; y >= 0 && y * stride + (fh - 1) * dilation - top >= p.h; y--) {
        const int64_t to_bottom = p.h + top - y * stride;
        const int64_t first_below = to_bottom <= 0 ? 0 : ceil_div(to_bottom, dilation);
        skipped += fh - std::min(fh, first_below);
    }
    return double(fh * p.oh - skipped) / double(p.oh);
}

double cycles_a_step(const TileShape &tile) {
    const int pixels = tile.pixels() * tile.rows;
    const int reloads = std::max(0, pixels - free_address_registers);
    const int loads = pixels + tile.channel_width + reloads;
    return std::max(tile.accumulators() / fma_pipes, loads / load_ports) + loop_cycles +
           reloads * reload_cycles * (tile.channel_width - 1);
}

}  // namespace

TileFit tile_fit(const Problem &p, const Parameters &kernel_parameters, Isa isa, int threads) {
    const TileShape tile = tile_shape(kernel_parameters, isa);
    const std::optional<std::string> outer = kernel_parameters.get("outer");
    // A flat tile runs along an image's pixels row after row (strided_conv.h):
    // its tiles cut one row of oh * ow pixels.
    const bool flat = takes_flat_output(kernel_parameters);
    const int64_t tiled_rows = flat ? 1 : p.oh, tiled_columns = flat ? p.oh * p.ow : p.ow;
    const int64_t blocks = ceil_div(p.k, tile.channels()), row_tiles = ceil_div(tiled_rows, tile.rows),
                  column_tiles = ceil_div(tiled_columns, tile.pixels());
    const double steps = double(p.c) * p.fw * filter_rows_run(p, skips_padding_rows(tile, flat));
    const double tiles = double(p.n) * row_tiles * column_tiles * blocks;
    const double compute = tiles * (steps * cycles_a_step(tile) + (flat ? tile.pixels() * flat_address_cycles : 0));
    // A flat output's blocks of channels split its row into runs of tiles
    // (register_tile.cpp), lest they be its only tasks.
    const int64_t block_runs =
        flat && outer == "channels"
            ? ceil_div(column_tiles, tiles_a_task(column_tiles, p.n * column_tiles * blocks, block_tasks_at_least))
            : 1;
    // The padded input is staged a vector a cycle, of channels or, with an
    // image's few channels, of pixels (schedules/direct.cpp): the whole image
    // once (staged=image), or by each task the rows its tiles read, again
    // for every block where blocks are outermost.
    const double tasks = double(p.n) * row_tiles * (outer == "tiles" ? column_tiles : 1) *
                         (outer == "channels" ? blocks * block_runs : 1);
    const bool whole_image = kernel_parameters.get("staged") == "image";
    const int64_t output_rows = flat ? p.oh : row_tiles * tile.rows,
                  output_columns = flat ? p.ow : column_tiles * tile.pixels();
    const double staged_rows =
        whole_image ? double(p.n) * input_rows(p, output_rows) : tasks * input_rows(p, tile.rows);
    const double staged_vectors = std::ceil(
        double(staged_floats(input_span<int64_t>(output_columns, p.params.stride_w, p.fw, p.params.dilation_w), p.c,
                             tile.vector_width)) /
        tile.vector_width);
    // A tile that reads the input in place (padding=none) stages nothing.
    const bool in_place = kernel_parameters.get("padding") == "none";
    const double staging = in_place ? 0 : staged_rows * staged_vectors;
    const double call = in_place ? 0 : staging_call_cycles;
    const double computed = tiles * tile.rows * tile.pixels() * tile.channels() / (double(p.n) * p.oh * p.ow * p.k);
    const std::string shape = std::to_string(tile.pixels()) + "x" + std::to_string(tile.rows) + " pixels by " +
                              std::to_string(tile.channels()) + " channels";
    // Run in bands of the output (kernel_geometry.h), the busiest thread
    // computes the largest band's tiles and stages the rows it reads (a
    // flat band's pixels may start mid-row: one row more).
    const std::optional<OutputBands> bands = output_bands(kernel_parameters, isa, p.descriptor(), l2_cache_bytes());
    if (bands && threads > 1) {
        const int64_t units = flat ? column_tiles : row_tiles;
        const int64_t band_units = ceil_div(units, std::min<int64_t>(threads, units));
        const int64_t band_rows = std::min<int64_t>(
            p.oh, flat ? ceil_div(band_units * tile.pixels(), p.ow) + 1 : band_units * tile.rows);
        const double band_staging = in_place ? 0 : double(p.n) * input_rows(p, band_rows) * staged_vectors;
        return {compute * double(band_units) / double(units) + band_staging + call, computed, shape};
    }
    // The busiest of `threads` threads runs ceil(tasks / threads) of them.
    const double busiest = std::ceil(tasks / threads) / tasks;
    // An image staged in parallel is read by every thread's tiles, most of
    // its cache lines written by another core: each such line a miss to
    // the other core's cache.
    const double staged_bytes = staging * tile.vector_width * sizeof(float);
    const double crossing = whole_image && threads > 1 && staged_bytes <= double(l2_cache_bytes())
                                ? staged_bytes / cache_line_bytes * (threads - 1) / threads * cross_core_miss_cycles
                                : 0;
    return {(compute + staging) * busiest + crossing + call, computed, shape};
}

}  // namespace stridetune::detail
