// The GeneratorParams of the register tile (register_tile.h), shared by the
// hand schedules built on it: a tuner searches these.
#pragma once

#include "conv_generator.h"
#include "register_tile.h"

namespace stridetune {

template<typename Schedule>
class TiledConvGenerator : public ConvGenerator<Schedule> {
public:
    template<typename T>
    using GeneratorParam = Halide::GeneratorParam<T>;

    GeneratorParam<Lanes> lanes{"lanes", Lanes::channels, {{"channels", Lanes::channels}, {"pixels", Lanes::pixels}}};
    GeneratorParam<Outer> outer{"outer",
                                Outer::rows,
                                {{"rows", Outer::rows}, {"channels", Outer::channels}, {"tiles", Outer::tiles}}};
    // 0: derived from the target's register file (derive_register_tile).
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> channel_width{"channel_width", 0};
    GeneratorParam<int> x_width{"x_width", 0};
    GeneratorParam<int> rows{"rows", 0};

    // The packed filter is blocked by the tile's output channels, so that a
    // tile reads its taps contiguously.
    int filter_block(const Halide::Target &target) const {
        return derive_register_tile(register_tile(), target).channels();
    }

    // ConvInputs::skips_padding_rows, by the rule the dispatcher's model
    // follows (stridetune/tile_shape.h).
    bool skips_padding_rows(const Halide::Target &target) const {
        return stridetune::skips_padding_rows(derive_register_tile(register_tile(), target),
                                              this->pixel_order == PixelOrder::flat);
    }

protected:
    RegisterTile register_tile() const {
        RegisterTile tile;
        static_cast<TileShape &>(tile) = {lanes == Lanes::pixels, vector_width, channel_width, x_width, rows};
        tile.outer = outer;
        return tile;
    }
};

}  // namespace stridetune
