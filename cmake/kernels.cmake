# The library's general-purpose kernels, each for every ISA level. Parameters
# not given here are derived from the ISA's register file
# (schedules/register_tile.cpp). A variant named after a Schedule is that
# schedule's kernel for Options::schedule and the heuristic.
stridetune_kernel(direct_channels  SET builtin GENERATOR direct         PARAMS lanes=channels)
stridetune_kernel(direct_pixels    SET builtin GENERATOR direct         PARAMS lanes=pixels)
stridetune_kernel(gemm_tile        SET builtin GENERATOR copy_then_gemm PARAMS patches=tile lanes=channels)
stridetune_kernel(gemm_tile_pixels SET builtin GENERATOR copy_then_gemm PARAMS patches=tile lanes=pixels)
stridetune_kernel(gemm_whole       SET builtin GENERATOR copy_then_gemm PARAMS patches=whole lanes=pixels)
stridetune_kernel(adams2019        SET builtin GENERATOR autoscheduled  PARAMS autoscheduler=Adams2019)
stridetune_kernel(mullapudi2016    SET builtin GENERATOR autoscheduled  PARAMS autoscheduler=Mullapudi2016)
