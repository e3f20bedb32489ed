#include "stridetune/tile_shape.h"

#include <string>

namespace stridetune {

TileShape tile_shape(const Parameters &parameters, Isa isa) {
    const auto size = [&](std::string_view key) {
        const std::optional<std::string> value = parameters.get(key);
        return value ? std::stoi(*value) : 0;
    };
    return derive_tile_shape({parameters.get("lanes") == "pixels", size("vector_width"), size("channel_width"),
                              size("x_width"), size("rows")},
                             isa);
}

}  // namespace stridetune
