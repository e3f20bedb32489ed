# Halide's autoschedulers planning for each benchmarked shape: for the seed
# and a few ResNet-50 layers, Adams2019 and Mullapudi2016 kernels whose
# estimate is that exact problem, at the minibatch the benchmarks run
# (tools/run-benchmarks.sh: the seed at 64, network layers at 1). The
# benchmarks match a kernel to a problem by its estimate, so each estimate is
# the problem's canonical descriptor (stridetune::to_string, no name).
#
# Built for avx512 only: these kernels serve the benchmarks alone, which run
# at the machine's best ISA level (avx512 on the development machine), and
# one ISA level instead of three keeps the build short. On a machine without
# avx512 the benchmarks simply show no such rows.
#
# ResNet-50 (benchdnn's set, v1) puts its stride 2 in the 1x1 layers and
# conv1; it has no 3x3 stride-2 layer.
set(stridetune_autoscheduled_shapes
    seed                   mb64ic3ih221iw221oc5oh109ow109kh4kw4sh2sw2ph0pw0dh0dw0  # the numpy answer
    resnet50_conv1         mb1ic3ih224iw224oc64oh112ow112kh7kw7sh2sw2ph3pw3dh0dw0  # 7x7 s2
    resnet50_res3a_branch1 mb1ic256ih56iw56oc512oh28ow28kh1kw1sh2sw2ph0pw0dh0dw0   # 1x1 s2 downsample
    resnet50_res4a_branch2a mb1ic512ih28iw28oc256oh14ow14kh1kw1sh2sw2ph0pw0dh0dw0  # 1x1 s2 bottleneck
    resnet50_res3a_branch2b mb1ic128ih28iw28oc128oh28ow28kh3kw3sh1sw1ph1pw1dh0dw0  # 3x3 s1
)

set(stridetune_autoscheduled_shape_list ${stridetune_autoscheduled_shapes})
while (stridetune_autoscheduled_shape_list)
    list(POP_FRONT stridetune_autoscheduled_shape_list shape estimate)
    foreach (autoscheduler IN ITEMS Adams2019 Mullapudi2016)
        string(TOLOWER ${autoscheduler} scheduler_name)
        stridetune_kernel(${scheduler_name}_${shape} SET bench GENERATOR autoscheduled
                          PARAMS autoscheduler=${autoscheduler} estimate=${estimate} ISAS avx512)
    endforeach ()
endwhile ()
stridetune_write_kernel_registration(SET bench OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/bench_kernels.cpp
                                     FUNCTION stridetune_register_bench_kernels STATIC_INIT)
