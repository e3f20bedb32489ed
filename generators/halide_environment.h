// Settings Halide 14 takes only from the environment, set in one place for
// the build's generators and the tuner's JIT alike.
#pragma once

namespace stridetune {

// Adams2019 reads its beam size only from HL_BEAM_SIZE; its default beam
// search (32) takes minutes per kernel, so the build's (one: the greedy
// search) is set unless the environment already has one. Adams2019 may
// also unroll a loop whose extent is a runtime size (C, FW), which Halide
// leaves rolled instead of failing only with HL_PERMIT_FAILED_UNROLL=1.
// Call it before the first autoscheduled pipeline is lowered.
void set_autoscheduler_environment();

// LLVM's options come only from HL_LLVM_ARGS, read once when Halide first
// starts LLVM. Its register coalescer, joining copies across blocks, keeps
// a register tile's accumulators in two sets of registers, one for the loop
// over a filter column and one for the loop around it, with a copy of each
// accumulator every filter column: 13 copies of 14 accumulators in a tile of
// 2 vectors by 7 pixels, 31 of the 32 AVX-512 registers, and spills in any
// larger tile (the inner loops of 3 vectors by 7 pixels made 1535 stack
// accesses). Without that join the copies and the spills are gone: tiles of
// 2 vectors by 14 pixels ran 1.6x faster on ResNet-50's conv1 and 1.8-3.5x
// on a 3x3 layer of 64 channels, 3 vectors by 7 pixels 1.1-1.5x on a stem of
// 48 channels (the tuner, AMD Zen 5). The built-in kernels, whose tiles fit
// beside the copies, ran as fast as before within the host's noise (4%) on
// ResNet-50 (AVX-512 and AVX2), MobileNet and VGG-11, and 1.1x faster on the
// dilated set. Appended to what the environment has. Call it before the
// first pipeline is lowered.
void set_codegen_environment();

}  // namespace stridetune
