// Settings Halide 14 takes only from the environment, set in one place for
// the build's generators and the tuner's JIT alike.
#pragma once

namespace stridetune {

// Adams2019 reads its beam size only from HL_BEAM_SIZE; its default beam
// search (32) takes minutes per kernel, so the build's (one: the greedy
// search) is set unless the environment already has one. Adams2019 may
// also unroll a loop whose extent is a runtime size (C, FW), which Halide
// leaves rolled instead of failing only with HL_PERMIT_FAILED_UNROLL=1.
// Call it before the first pipeline is lowered.
void set_autoscheduler_environment();

}  // namespace stridetune
