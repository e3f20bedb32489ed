// The register-blocked inner loop that every hand schedule shares: a tile of
// output held in vector registers while the reduction over (c, fx, fy) runs
// inside it. Strategies differ in what they stage around this tile.
#pragma once

#include "Halide.h"
#include "stridetune/tile_shape.h"
#include "strided_conv.h"

namespace stridetune {

// Which output dimension fills the vector lanes.
enum class Lanes {
    channels,  // output channels k: for K at least a vector wide
    pixels,    // output pixels along x: for small K (the numpy answer's K = 5)
};

// What the parallel loop hands out, outermost first.
enum class Outer {
    // Tiles of rows (and images): each task runs every output channel over
    // input rows it stages once.
    rows,
    // Blocks of output channels, then tiles of rows: a block's filter taps
    // stay in cache while it runs every row, where the filter outweighs the
    // input (small outputs of many channels) and rows outermost would stream
    // the whole filter once a row tile.
    channels,
    // Tiles along x too, a few a task (register_tile.cpp): an output of one
    // row an image (a flattened pointwise layer, kernel_geometry.h) leaves
    // rows and images one task for all the threads.
    tiles,
};

// The tile's shape (stridetune/tile_shape.h) and what its parallel loop hands out.
struct RegisterTile : TileShape {
    Outer outer = Outer::rows;
};

// Where the tile lives in the loop nest, for strategies that stage data there.
//
// Tiles are computed whole, past the output's edges, but Halide computes a
// producer staged outside the tile's loop nest only over what the output
// requires; the rest of its allocation stays uninitialized, and the tile's
// lanes past the edge read it. The values are discarded, but heap garbage is
// often denormal, and each FMA on a denormal takes a microcode assist
// (measured: direct_pixels on a 13-pixel 1-D layer ran 50x slower once the
// heap held denormals). A strategy that stages a producer bounds it to the
// tiles' footprint below (staged_columns, staged_rows), so that the tiles read only
// values it computed.
struct TileLoops {
    Halide::LoopLevel row_tile;  // parallel loop over tiles of rows (and images, fused)
    Halide::LoopLevel x_tile;    // loop over tiles along x
    int vector_width;            // floats per vector in the tile
    int pixels, rows;            // output pixels along x and output rows of one tile
    // The output's width and height rounded up to whole tiles: what the
    // tiles compute.
    Halide::Expr tiled_width, tiled_height;
};

// `extent` rounded up to a multiple of `multiple`.
Halide::Expr round_up(const Halide::Expr &extent, int multiple);

// Input columns (rows) that `outputs` consecutive output columns (rows)
// read: columns as Halide bounds them (register_tile.cpp).
Halide::Expr staged_columns(const ConvInputs &in, const Halide::Expr &outputs);
Halide::Expr staged_rows(const ConvInputs &in, const Halide::Expr &outputs);

// Fills in the zero (derived) fields of `tile` for `target`.
RegisterTile derive_register_tile(RegisterTile tile, const Halide::Target &target);

// Schedules output and conv as register tiles, parallel over row tiles and
// images, each branch of the output (with and without the post-ops, edges
// shifted or guarded) compiling the common strides as constants
// (kernel_geometry.h: specialized_strides); returns the loops at which a strategy may stage its inputs.
TileLoops schedule_register_tile(StridedConv &a, const RegisterTile &tile, const Halide::Target &target);

}  // namespace stridetune
