# The kernels built ahead of time, each for every ISA level. Parameters not
# given here are derived from the ISA's register file (schedules/register_tile.cpp).
stridetune_kernel(direct_channels  GENERATOR direct         PARAMS lanes=channels)
stridetune_kernel(direct_pixels    GENERATOR direct         PARAMS lanes=pixels)
stridetune_kernel(gemm_tile        GENERATOR copy_then_gemm PARAMS patches=tile lanes=channels)
stridetune_kernel(gemm_tile_pixels GENERATOR copy_then_gemm PARAMS patches=tile lanes=pixels)
stridetune_kernel(gemm_whole       GENERATOR copy_then_gemm PARAMS patches=whole lanes=pixels)
stridetune_kernel(adams2019        GENERATOR autoscheduled  AUTOSCHEDULER Halide::Adams2019)
stridetune_kernel(mullapudi2016    GENERATOR autoscheduled  AUTOSCHEDULER Halide::Mullapudi2016)
