// Problems whose geometry the runtime changes before a kernel sees it, with
// the geometry and the specialised branch worked out by hand: a stride along
// an axis with one output, or a dilation along a filter axis of one tap,
// multiplies only zero and is passed as 1; taps far apart are gathered
// first, and the kernel then steps FH (FW) rows with no dilation; strides 1
// and 2, the same along both axes and undilated, have branches of their own. The runtime
// (kernel_geometry_test.cpp) and the tuner (tuner_geometry_test.cpp) are
// checked against the same table, so that what the tuner times is the branch
// the library runs.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace stridetune_test {

struct GeometryCase {
    const char *descriptor;  // benchdnn's syntax: dh1 is ConvParams::dilation_h 2
    // What the kernel receives.
    int stride_x, stride_y, dilation_x, dilation_y;
    int branch;  // the specialised stride that runs, 0 for the general branch
};

// How gtest prints a case.
inline void PrintTo(const GeometryCase &c, std::ostream *os) {
    *os << c.descriptor;
}

inline const std::vector<GeometryCase> &geometry_cases() {
    static const std::vector<GeometryCase> cases{
        // ow = 1: stride 2 along x multiplies only zero; (1, 2) has no branch of its own.
        {"mb1ic3ih9iw3oc4oh4ow1kh3kw3sh2sw2ph0pw0n\"one output column\"", 1, 2, 1, 1, 0},
        // oh = ow = 1: the stride-1 branch instead of the stride-2 one.
        {"mb1ic3ih3iw3oc4oh1ow1kh3kw3sh2sw2ph0pw0n\"one output pixel\"", 1, 1, 1, 1, 1},
        // A 1x1 filter with dilation 2: one tap, so the stride-1 branch, not the general one.
        {"mb1ic5ih6iw6oc3kh1kw1sh1sw1dh1dw1n\"dilated single tap\"", 1, 1, 1, 1, 1},
        // One tap along x, dilation 2 along both axes: still dilated along y.
        {"mb1ic2ih9iw7oc3kh3kw1sh1sw1dh1dw1ph2pw0n\"one column of taps\"", 1, 1, 1, 2, 0},
        // One tap along x, dilation 2 along x only, stride 2: the stride-2 branch.
        {"mb1ic2ih9iw7oc3kh3kw1sh2sw2dh0dw1ph1pw0n\"x-dilated column\"", 2, 2, 1, 1, 2},
        // Taps far apart (kernel_geometry.h): gathered, then stride FH (FW) without padding.
        {"mb1ic3ih40iw40oc4kh1kw1sh8sw8n\"1x1 of stride 8\"", 1, 1, 1, 1, 1},
        {"mb1ic3ih9iw11oc1kh3kw3sh2048sw2048ph2048pw2048n\"stride and pads 2048\"", 3, 3, 1, 1, 0},
        {"mb1ic2ih18iw5oc2kh2kw2sh1sw1dh15dw0n\"dilation 16 along y\"", 1, 2, 1, 1, 0},
        // Controls, passed as given.
        {"mb1ic3ih9iw9oc4kh3kw3sh2sw2ph1pw1n\"stride 2\"", 2, 2, 1, 1, 2},
        {"mb1ic3ih9iw9oc4kh3kw3sh3sw3ph1pw1n\"stride 3\"", 3, 3, 1, 1, 0},
        {"mb1ic3ih9iw9oc4kh3kw3sh1sw1dh1dw1ph2pw2n\"dilated\"", 1, 1, 2, 2, 0},
        // Two of the three filter rows read only padding, which one-row tiles
        // skip (stridetune/tile_shape.h): the filter is still packed whole.
        {"mb1ic3ih1iw1oc4kh3kw3sh1sw1ph1pw1n\"one padded pixel\"", 1, 1, 1, 1, 1},
    };
    return cases;
}

}  // namespace stridetune_test
