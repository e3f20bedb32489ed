// The register tile of the hand schedules: how many output channels, pixels
// and rows one tile holds in vector registers. One rule, followed by the
// generators (which build the tile), the tuner (which sizes the tiles it
// tries) and the dispatcher (which ranks kernels by how their tiles fit a
// problem).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "isa.h"
#include "parameters.h"

namespace stridetune {

// The channel counts of images (gray, RGB, RGBA), a first layer's C:
// schedules compile them as constants, where a loop over so few channels
// costs more than its work, and stage such an input in vectors of pixels.
inline constexpr int image_channel_counts[] = {1, 3, 4};

inline bool is_image_channel_count(int64_t channels) {
    return std::find(std::begin(image_channel_counts), std::end(image_channel_counts), channels) !=
           std::end(image_channel_counts);
}

// Floats that `columns` staged input pixels of `channels` channels take:
// an image's few channels packed pixel after pixel (staged in vectors of
// pixels), any other count padded to whole vectors of channels a pixel.
inline int64_t staged_floats(int64_t columns, int64_t channels, int vector_width) {
    return columns * (is_image_channel_count(channels) ? channels
                                                       : (channels + vector_width - 1) / vector_width * vector_width);
}

struct TileShape {
    // Output pixels along x in the vector lanes (small K), else output channels.
    bool pixel_lanes = false;
    // Floats per vector; 0 takes the ISA's. A narrower vector wastes fewer
    // lanes when K (or OW) is small.
    int vector_width = 0;
    // Channel lanes: vectors of output channels. Pixel lanes: output
    // channels, unrolled, each a vector of pixels. 0 takes the default.
    int channel_width = 0;
    // Channel lanes: single pixels along x (capped at what the register file
    // holds). Pixel lanes: vectors of pixels. 0 takes the widest that fits.
    int x_width = 0;
    // Output rows; 0 derives the count from the register file.
    int rows = 0;

    // Output channels in one tile: the block of the packed filter it reads.
    int channels() const { return pixel_lanes ? channel_width : channel_width * vector_width; }
    // Output pixels along x in one tile.
    int pixels() const { return pixel_lanes ? x_width * vector_width : x_width; }
    // Accumulator vectors.
    int accumulators() const { return channel_width * x_width * rows; }
};

// The widest channel-lane tile of `channel_width` vectors by `rows` rows in
// `registers` vector registers. The channel_width filter vectors stay live
// across the pixels, beside one broadcast input value, so
// channel_width * (x_width * rows + 1) + 1 <= registers. With 2 vectors of
// channels and one row: 14 pixels on AVX-512 (31 of 32), 6 on AVX2 and
// SSE4.1 (15 of 16), the classic 6x16 AVX2 GEMM kernel.
inline int widest_channel_tile(int channel_width, int rows, int registers) {
    return ((registers - 1) / channel_width - 1) / rows;
}

// Fills in the zero (derived) fields of `tile` for `isa`'s register file.
inline TileShape derive_tile_shape(TileShape tile, Isa isa) {
    const int registers = vector_registers(isa);
    if (tile.vector_width == 0) tile.vector_width = float_lanes(isa);
    if (tile.pixel_lanes) {
        // Each unrolled output channel needs its accumulators plus one
        // broadcast filter tap; 5 channels fill the register file exactly on
        // AVX-512 and AVX2 alike (below), where 6 would leave a row unused.
        // The numpy answer's K = 5 takes one pass.
        if (tile.channel_width == 0) tile.channel_width = 5;
        // Accumulators: channel_width x x_width x rows vectors. Beside them
        // live the channel_width filter taps, broadcast once per reduction
        // step, and the input vectors, so
        // channel_width * (x_width * rows + 1) + input_registers <= registers.
        // At AVX2 and SSE4.1 one input vector is live: with the default 5
        // channels x 1 vector, 2 rows (16 of 16; 1 row ran 1.3-1.4x slower
        // on the numpy answer's problem and a 3x3 stride-1 stem). At AVX-512
        // LLVM loads the next row's vector while the current one's FMAs
        // issue, and a stride-2 load permutes with an index vector, so
        // 3 registers: 4 rows (28 of 32). At 5 rows (33 of 32) it spilled an
        // accumulator and reloaded the index every reduction step: 1.1x
        // slower on the numpy answer's problem (1 and 2 threads), 1.1x on an
        // 8-channel stride-2 layer, 1.03-1.07x at stride 1 (AMD Zen 5).
        const int input_registers = isa == Isa::avx512 ? 3 : 1;
        if (tile.x_width == 0) tile.x_width = 1;
        if (tile.rows == 0) {
            tile.rows = std::max(1, ((registers - input_registers) / tile.channel_width - 1) / tile.x_width);
        }
    } else {
        if (tile.channel_width == 0) tile.channel_width = 2;
        if (tile.rows == 0) tile.rows = 1;
        // A width given is capped too: one row of builtin_kernels.def builds
        // at every ISA level, and 7 pixels by 2 vectors (31 of 32 registers
        // at AVX-512) would spill at AVX2 (17 of 16; measured 2.4x slower
        // than oneDNN at AVX2 on ResNet-50's 1x1 layers).
        const int widest = std::max(1, widest_channel_tile(tile.channel_width, tile.rows, registers));
        tile.x_width = tile.x_width == 0 ? widest : std::min(tile.x_width, widest);
    }
    return tile;
}

// A parallel task of one tile pays for its own start: its closure is
// unpacked and its index divided into the tile's coordinates by runtime
// values (3-7% of a 1x1 layer of 56x56 pixels and 64-256 channels against
// a serial loop over the same tiles, AMD Zen 5, 1 thread). So a task runs
// several tiles along x (or along a flat output's pixels) in a loop: as many
// as leave at least `tasks_at_least` tasks of the output's `tiles` (counted
// as the tasks count them: with their blocks of channels, where those are
// tasks), at most the `row_tiles` of one row, and at least one (which
// Halide's bounds need to see). Integers, or Halide expressions in the
// schedules.
template<typename T>
T tiles_a_task(const T &row_tiles, const T &tiles, int tasks_at_least) {
    using std::max, std::min;
    return max(min(tiles / tasks_at_least, row_tiles), T(1));
}

// Tasks enough for the threads' balance: 64 of tiles; 16 where a task
// runs a block of output channels, as each task reads its block of the
// filter again (flat tiles over ResNet-50's 1x1 layers of 7x7 and 14x14
// pixels and 256-512 channels, filters of 1-4 MB: 1.1-1.35x faster at 16
// than at 64 at AVX2, 1.05-1.15x at AVX-512, the tuner, AMD Zen 5, 2
// threads).
inline constexpr int tile_tasks_at_least = 64, block_tasks_at_least = 16;

// Whether a kernel of this tile runs only the filter rows whose taps read
// inside the input, skipping those that read the zero padding: a tile of
// one row of channel lanes over the output's grid of pixels, for which
// Halide trims the filter-row loop per tile (3x3 filters over 7x7 outputs:
// 19 of 21 filter rows run; res5a_branch2b 12% faster at 1 thread, AMD Zen
// 5). A tile of several rows would test each row inside the reduction (1.5x
// slower there), and a flat tile's pixels span rows.
inline bool skips_padding_rows(const TileShape &tile, bool flat_pixels) {
    return !tile.pixel_lanes && tile.rows == 1 && !flat_pixels;
}

// The tile that a kernel's generator parameters build at `isa`.
TileShape tile_shape(const Parameters &parameters, Isa isa);

}  // namespace stridetune
