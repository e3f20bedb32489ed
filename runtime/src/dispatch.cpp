// For problems without a tuned entry (tuning.cpp), the schedule is picked
// by an ordered, declarative list (as oneDNN's implementation lists are): the first entry whose
// predicate accepts the problem wins; the last accepts everything.
#include "dispatch.h"

#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>

#include "cpu_caches.h"
#include "stridetune/kernel_geometry.h"
#include "stridetune/tile_shape.h"
#include "tile_fit.h"

namespace stridetune::detail {
namespace {

// Fraction of vector lanes doing useful work when `extent` is cut into vectors of `lanes`.
double lane_use(int64_t extent, int lanes) {
    return double(extent) / double((extent + lanes - 1) / lanes * lanes);
}

// Kernels of one strategy, alike but for their register tiles (and where
// blocks of output channels go): of such a family the list takes the one
// whose tile fits the problem best (tile_fit.h). A tile of 7 pixels by 2
// rows computes 14x14 of a 12x12 output, one of 4 by 3 computes it
// exactly: the tuner measured 11.3 against 9.6 us on such a layer (19 to 32
// channels, AMD Zen 5, 1 thread), and a one-vector tile of 5x5 pixels with
// channel blocks outermost ran a 5x5 output of 153 channels in 44 us
// against 65 on the list's choice before (2 threads).
using Family = std::initializer_list<Schedule>;
// Channel lanes over the padded input, staged a tile of rows at a time or
// whole. The one-row tiles skip the filter rows that read padding
// (stridetune/tile_shape.h), which tile_fit counts.
constexpr Family staged_row_tiles = {Schedule::direct_channels,
                                     Schedule::direct_staged_image,
                                     Schedule::direct_two_rows,
                                     Schedule::direct_three_rows,
                                     Schedule::direct_two_rows_one_vector,
                                     Schedule::direct_four_rows_one_vector,
                                     Schedule::direct_five_rows_channel_blocks,
                                     Schedule::direct_flat,
                                     Schedule::direct_flat_one_vector,
                                     Schedule::direct_flat_three_vectors};
// Channel lanes, blocks of output channels outermost; and the flat tiles,
// which read the whole filter again every 7 pixels but fill small outputs
// (ResNet-50's res5a_branch2b, 7x7 of 512 channels: 1.25 against 1.72 ms;
// 5x5 outputs of 153 and 207 channels: 1.16-1.15x XNNPACK against
// 0.92-0.93x, AMD Zen 5, 1 thread).
constexpr Family channel_block_tiles = {Schedule::direct_channel_blocks, Schedule::direct_five_rows_channel_blocks,
                                        Schedule::direct_flat, Schedule::direct_flat_one_vector,
                                        Schedule::direct_flat_three_vectors};
// Channel lanes, one row a tile: 14 pixels, or 7 over the padded image
// staged once (a 3x3 filter over a one-pixel output of 128 channels: 2.9
// against 7.0 us, AMD Zen 5, 2 threads).
constexpr Family one_row_tiles = {Schedule::direct_channels, Schedule::direct_staged_image};
// A first layer's few input channels: the 7-pixel tile over the padded image
// staged once, or the 4x3 tile, which stages rows a tile at a time but three
// rows at once. On first layers the 7-pixel tile ran 4-16% faster
// (ResNet-50's conv1 1.16 against 1.35 ms, MobileNet's 194 and 222 us,
// VGG-11's at 100x100 131 and 147, 1 thread), and on the tiny outputs of
// the dilated set the 4x3 tile ran up to 2x faster (a 3x3 output of 6
// channels: 1.0 against 2.0 us, 2 threads), AMD Zen 5. Where blocks of three
// vectors of output channels fill the lanes better than blocks of two, as
// in place (three_vectors_fill_lanes_better), the flat tile of three
// vectors over the image staged once goes first. Against the 7-pixel tile
// (AMD Zen 5, 1 and 2 threads): a 5x5 filter over 227x227 pixels of 3
// channels to 48, 1.23-1.24x faster; 3x3 stride-2 stems of 224x224 pixels
// to 48 channels 1.23x and 1.11x, of 112x112 to 40 1.07x and 1.10x.
constexpr Family few_input_channel_tiles = {Schedule::direct_staged_image, Schedule::direct_three_rows};

// An unpadded output narrower than every in-place tile (a classifier's 1x1
// image, a strided layer's few columns): one pixel a tile, four vectors of
// output channels, four independent FMA chains, blocks of them in parallel
// (a tile of 14 pixels computes 13 past a one-pixel output: MobileNet's
// 1024-to-5 classifier ran in 5.5 us on direct_channels against XNNPACK's
// 0.9, AMD Zen 5); or, where output channels fill only part of those four
// vectors, one vector of them over the output's pixels flattened, which
// computes past no row's end (tile_fit weighs the two: 8 output channels
// over 4 pixels, a 3-tap filter of 32 channels, ran in 0.34 us on the flat
// tile against 0.47 on the one-pixel tile, AMD Zen 5, 1 and 2 threads).
constexpr Family narrow_output_tiles = {Schedule::direct_in_place_one_pixel, Schedule::direct_flat_one_vector};

// Whether a candidate takes a problem, and why (or why not) in `reason`.
using Predicate = bool (*)(const Problem &, Isa, std::string &reason);

struct Candidate {
    // One schedule, or a family: its best fitting tile.
    Family schedules;
    Predicate accepts;
};

// Output channels fill the vector lanes clearly worse than pixel-lane tiles
// do (LaneUse::pixel_tiles), and fit one vector: pixel lanes run a few
// output channels a pass over the staged input, so beyond a vector of them
// the passes multiply (K = 33 on a 169-pixel row: 6.7x slower than channel
// lanes, AMD Zen 5, 2 threads, though its pixels fill 96% of the lanes and
// its channels 69%).
bool pixels_fill_lanes_better(const Problem &p, Isa isa, double margin) {
    const LaneUse use = lane_use_of(p, isa);
    return p.k < float_lanes(isa) && use.channels < use.pixel_tiles * margin;
}

// The stride whose branch the kernels compile as a constant, or 0
// (stridetune/kernel_geometry.h): there a pixel-lane tile reads the planar
// rows with strided loads (schedules/direct.cpp's phases=strided); at any
// other stride or a dilation those loads would go lane by lane, and the
// rows are staged again split by column phase instead, a second copy.
int compiled_stride(const Problem &p) {
    return specialized_stride(kernel_geometry(p.params, p.oh, p.ow, p.fh, p.fw));
}

// Without padding the tile reads the input in place: no rows are staged
// and no tap is tested (measured 1.4-2.7x faster than direct_channel_blocks
// on unpadded layers of ResNet-50 and the tails set, 1 thread, and 1.4-4x
// faster than direct_pixels on unpadded 1x1 layers whose pixels fill the
// lanes a little better than their channels). Where output channels fill
// the lanes clearly worse than pixels do, staging planar rows for pixel
// lanes pays at a compiled stride: the numpy answer's K = 5 against its 97%
// of pixels ran 3x faster on pixel lanes at 31% of an AVX-512 vector, and
// 2.3x faster at 62% of an AVX2 one. The limit, 3/4, lies between those
// measurements. At any other stride the column phases' second copy costs
// more: K = 5 at stride 3 over 32 and 73 pixels ran 1.3x faster in place
// (AMD Zen 5, 1 and 2 threads). The kernel refuses an output narrower than
// its tile.
bool reads_in_place(const Problem &p, Isa isa, std::string &reason) {
    reason = "no padding: the tile reads the input in place; " + lane_use_of(p, isa).describe();
    return unpadded(p.params) && !(compiled_stride(p) != 0 && pixels_fill_lanes_better(p, isa, 3.0 / 4));
}

// Every output channel fits one vector: a two-vector tile would leave half
// its lanes idle, and a one-vector tile, though it runs at 0.78-0.88x the
// two-vector tile's FLOP/s at equal lane use (1x1 and 3x3 layers of 12x12 to
// 56x56 outputs, AVX-512, 1 thread), does the half it keeps. Beyond one
// vector (K = 33: three one-vector passes over the input against two) it
// measured slower on the tails set's 1x1 layers.
bool one_vector_holds_channels(const Problem &p, Isa isa, std::string &reason) {
    reason = "the " + std::to_string(p.k) + " output channels fit one vector";
    return p.k <= float_lanes(isa);
}

// Both `first` and `second` accept the problem; the reason gives both theirs.
template<Predicate first, Predicate second>
bool both(const Problem &p, Isa isa, std::string &reason) {
    std::string why_second;
    const bool accepts = first(p, isa, reason) && second(p, isa, why_second);
    reason += "; " + why_second;
    return accepts;
}

// The in-place row tiles spread over the output's width unevenly: a
// 7-pixel row in tiles of 6 (AVX2) computes 12 pixels, where the flat tile
// of direct_in_place_channel_blocks runs along the image's pixels row after
// row and wastes a part of one tile an image. The flat tile costs a few
// percent where both fit (its pixels' addresses are worked out per tile;
// its channel blocks outermost read the input again a block), so it takes
// only clear waste. On 1x1 layers of stride 2, the tuner, AMD Zen 5, 1 and
// 2 threads: where the row tiles computed 1.07x what the flat tile does
// (28-pixel rows at AVX2) they ran 3-4% faster; at 1.14x (12-pixel rows at
// AVX-512) the flat tile ran 1.08-1.11x faster, at 1.19x (20 at AVX2)
// 1.10x, at 1.27x (ResNet-50's res4a_branch1 at AVX2) 1.2x, at 1.55x
// (res5a_branch1) 1.5x.
bool row_tiles_waste_pixels(const Problem &p, Isa isa, std::string &reason) {
    constexpr double clear_waste = 1.1;
    const auto computed = [&](Schedule s) {
        return tile_fit(p, Parameters::parse(builtin_kernel(s).parameters), isa, 1).computed;
    };
    const double rows = computed(Schedule::direct_in_place), flat = computed(Schedule::direct_in_place_channel_blocks);
    char why[128];
    std::snprintf(why, sizeof why, "row tiles compute %.2f outputs an output asked, flat tiles %.2f", rows, flat);
    reason = why;
    return rows > flat * clear_waste;
}

// Blocks of three vectors of output channels waste fewer lanes than blocks
// of two: K = 33 fills 69% of 48 lanes against 52% of 64 (AVX-512). The
// three-vector tile holds fewer pixels (9 against 14 on AVX-512), so it
// takes only what lane use gains.
bool three_vectors_fill_lanes_better(const Problem &p, Isa isa, std::string &reason) {
    const int lanes = float_lanes(isa);
    const double three = lane_use(p.k, 3 * lanes), two = lane_use(p.k, 2 * lanes);
    reason = "blocks of three vectors fill " + std::to_string(int(three * 100)) + "% of their lanes, of two " +
             std::to_string(int(two * 100)) + "%";
    return three > two;
}

// Output channels fill the vector lanes worse than pixel-lane tiles do, at
// a stride compiled as a constant (compiled_stride): the numpy answer's
// K = 5 uses 5 of 16 lanes, its 109 pixels 109 of 112.
bool few_output_channels_at_compiled_stride(const Problem &p, Isa isa, std::string &reason) {
    const int stride = compiled_stride(p);
    reason = lane_use_of(p, isa).describe() + (stride != 0 ? "; stride " + std::to_string(stride) +
                                                                 " compiled as a constant"
                                                           : "; a stride not compiled as a constant");
    return stride != 0 && pixels_fill_lanes_better(p, isa, 1);
}

// Output channels fill the vector lanes less than half as well as pixel-lane
// tiles do, at any other stride or a dilation, where the column phases are
// staged again (compiled_stride). Where pixel-lane tiles filled 1.55-1.6x
// as many lanes as channels, channel lanes ran 1.0-1.4x faster (3x3
// filters of dilation 2, strides 1 and 2, 6 and 8 channels over 31-48 pixel
// rows); at 3.2x (K = 5 over 110 pixels) pixel lanes ran 1.6x faster. Between
// the two, at 2.7x (4 channels over 54 pixels), pixel lanes still take the
// problem and ran 1.2x slower (AMD Zen 5, 1 and 2 threads).
bool few_output_channels(const Problem &p, Isa isa, std::string &reason) {
    reason = lane_use_of(p, isa).describe() + "; column phases staged";
    return pixels_fill_lanes_better(p, isa, 1.0 / 2);
}

// Each output channel reads its own input channel (g = C = K): run whole by
// the depthwise kernel, channels in the vector lanes, instead of one
// one-channel convolution a group.
bool depthwise(const Problem &p, Isa, std::string &reason) {
    reason = "depthwise: an output channel a group, channels in the vector lanes";
    return p.descriptor().depthwise();
}

// A first layer's few input channels (gray, RGB, RGBA) at AVX-512: staging
// padded rows a tile at a time copies them again for each row tile that
// reads them (4.5 times over for a 7x7 filter of stride 2 in two-row
// tiles), and the copy once went a vector of 3 channels in 16 lanes a pixel
// (since in vectors of pixels: MobileNet's first layer 183 -> 115 us, the
// list's pick, 2 threads, AMD Zen 5). Staged once, the whole
// padded image feeds one-row tiles of 7 pixels; three-row tiles restage
// less (few_input_channel_tiles). Against direct_two_rows,
// the list's choice before (AMD Zen 5, 2 threads): VGG's first layer at
// 224x224 (3 to 64 channels) 742 against 836 us, MobileNet's 210 against
// 222, where pixel lanes ran faster still (141), which this list cannot
// tell; ResNet-50's conv1 855 against 851. At AVX2, where the tile is 6
// pixels, ResNet-50's conv1 ran at 0.73x oneDNN capped alike, against
// 0.84x on two-row tiles. Output channels that fit one vector would leave
// half these two-vector tiles' lanes idle: they go to the one-vector tiles
// (one_vector_holds_channels), which ran up to 2.2x faster on the dilated
// set's first layers of 4 to 6 channels (AMD Zen 5, 1 and 2 threads).
bool few_input_channels(const Problem &p, Isa isa, std::string &reason) {
    reason = std::to_string(p.c) + " input channels";
    return p.c <= 4 && p.k > float_lanes(isa) && isa == Isa::avx512;
}

// A one-row output leaves a two-row tile's second row idle: one row, twice
// as wide (measured 1.3-1.5x faster than direct_channel_blocks on the 1-D
// layers of the tails set), or as wide as fits the output (one_row_tiles).
bool one_output_row(const Problem &p, Isa, std::string &reason) {
    reason = "one output row: one-row tiles";
    return p.oh == 1;
}

// Where the filter outweighs the tensors it is applied to (small outputs of
// many channels: late layers), tiles of rows outermost would read the whole
// filter again for every tile; blocks of output channels outermost keep a
// block's taps in cache over all the rows (oneDNN's brgemm convolution
// orders its loops by the same comparison). A filter that fits in half a
// core's L2 stays there anyway, beside the rows a tile reads: rows outermost
// then lose nothing (measured 1.1-1.8x faster on 1x1 layers of 5x5 outputs
// and 65-207 channels, AMD Zen 3, 1 and 2 threads).
bool weights_outweigh_activations(const Problem &p, Isa, std::string &reason) {
    const double weights = double(p.k) * p.c * p.fh * p.fw;
    const double activations = double(p.n) * (p.h * p.w * p.c + p.oh * p.ow * p.k);
    const double cached = double(l2_cache_bytes()) / 2 / sizeof(float);
    reason = "the filter (" + std::to_string(int64_t(weights)) + " floats) outweighs the input and output (" +
             std::to_string(int64_t(activations)) + ") and half the L2 cache (" + std::to_string(int64_t(cached)) +
             "): output-channel blocks outermost";
    return weights > activations && weights > cached;
}

// A 1x1 filter's patch matrix is the input's pixels themselves: copied a
// tile at a time, they are contiguous for the GEMM tile whatever the stride
// (measured faster on the 1x1 layers of ResNet-50 and MobileNet).
bool pointwise(const Problem &p, Isa, std::string &reason) {
    reason = "1x1 filter: the patch copy makes its pixels contiguous";
    return p.fh == 1 && p.fw == 1;
}

// The best fitting tile, the padded rows staged a tile at a time. The
// two-row tile (7 pixels by 2 rows by 2 vectors at AVX-512) measured faster
// than direct_channel_blocks (channel blocks outermost over the padded image
// staged whole) on 3x3 layers of 7x7 to 100x100 outputs: res3a_branch2b
// 460 against 530 us, VGG-11 conv1_2 757 against 1058, conv5_1 77 against
// 89, the tails set's 13x13 layers 1.0-1.6x; no slower on res4a and res5a
// (AMD Zen 5, 2 threads). Staging the whole image is a parallel loop of
// its own, a second handoff to the workers, of tasks of one row.
bool any_problem(const Problem &, Isa, std::string &reason) {
    reason = "output channels fill the vector lanes";
    return true;
}

// Of two kernels for one predicate, the first fits more problems best; the
// next takes those whose output is smaller than its tiles (the runtime's
// bounds query refuses them).
constexpr Candidate candidates[] = {
    {{Schedule::direct_depthwise}, depthwise},
    {{Schedule::direct_in_place_one_vector}, both<reads_in_place, one_vector_holds_channels>},
    {{Schedule::direct_in_place_one_vector_row}, both<reads_in_place, one_vector_holds_channels>},
    {{Schedule::direct_in_place_three_vectors}, both<reads_in_place, three_vectors_fill_lanes_better>},
    {{Schedule::direct_in_place_channel_blocks}, both<reads_in_place, weights_outweigh_activations>},
    {{Schedule::direct_in_place_channel_blocks}, both<reads_in_place, row_tiles_waste_pixels>},
    {{Schedule::direct_in_place}, reads_in_place},
    {narrow_output_tiles, reads_in_place},
    {{Schedule::direct_pixels}, few_output_channels_at_compiled_stride},
    {{Schedule::direct_pixels_staged_phases}, few_output_channels},
    {{Schedule::direct_flat_three_vectors}, both<few_input_channels, three_vectors_fill_lanes_better>},
    {few_input_channel_tiles, few_input_channels},
    {one_row_tiles, one_output_row},
    {staged_row_tiles, one_vector_holds_channels},
    {channel_block_tiles, weights_outweigh_activations},
    {{Schedule::gemm_tile}, pointwise},
    {staged_row_tiles, any_problem},
};

// The best fitting of `family` that `fits`, if any.
std::optional<Choice> best_fitting_tile(Family family, const Problem &problem, Isa isa, int threads,
                                        const std::function<bool(Schedule)> &fits) {
    std::optional<Choice> best;
    double best_cycles = 0;
    for (Schedule schedule : family) {
        const TileFit fit = tile_fit(problem, Parameters::parse(builtin_kernel(schedule).parameters), isa, threads);
        if ((best && fit.cycles >= best_cycles) || !fits(schedule)) continue;
        best_cycles = fit.cycles;
        char computed[16];
        std::snprintf(computed, sizeof computed, "%.2f", fit.computed);
        best = Choice{schedule, "its tile of " + fit.tile + " fits best (" + computed +
                                    " outputs computed an output asked; " + std::to_string(threads) + " threads)"};
    }
    return best;
}

}  // namespace

std::string LaneUse::describe() const {
    return "lane use: output channels " + std::to_string(int(channels * 100)) + "%; pixels along x " +
           std::to_string(int(pixels * 100)) + "%, in pixel-lane tiles " + std::to_string(int(pixel_tiles * 100)) +
           "%";
}

LaneUse lane_use_of(const Problem &p, Isa isa) {
    const int lanes = float_lanes(isa);
    const int tile_channels =
        tile_shape(Parameters::parse(builtin_kernel(Schedule::direct_pixels).parameters), isa).channels();
    const double pixels = lane_use(p.ow, lanes);
    return {lane_use(p.k, lanes), pixels, pixels * lane_use(p.k, tile_channels)};
}

Choice choose_schedule(const Problem &problem, Isa isa, int threads, const std::function<bool(Schedule)> &fits) {
    std::string reason;
    for (const Candidate &c : candidates) {
        if (!c.accepts(problem, isa, reason)) continue;
        if (c.schedules.size() > 1) {
            if (const std::optional<Choice> fitted = best_fitting_tile(c.schedules, problem, isa, threads, fits)) {
                return {fitted->schedule, "heuristic: " + reason + "; " + fitted->reason};
            }
        } else if (fits(*c.schedules.begin())) {
            return {*c.schedules.begin(), "heuristic: " + reason};
        }
    }
    return {Schedule::direct_two_rows, "heuristic: fallback"};  // unreachable: the last candidate accepts all
}

}  // namespace stridetune::detail
