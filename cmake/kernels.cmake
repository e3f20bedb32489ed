# The library's built-in kernels, read from the one table of them
# (runtime/include/stridetune/builtin_kernels.def), each for every ISA level.
# Sets STRIDETUNE_BUILTIN_GENERATORS: the generators the table names, in
# the order of their first row.
set(STRIDETUNE_BUILTIN_KERNELS_TABLE ${PROJECT_SOURCE_DIR}/runtime/include/stridetune/builtin_kernels.def)

stridetune_read_builtin_kernels(_stridetune_builtin_rows)
set(STRIDETUNE_BUILTIN_GENERATORS "")
foreach (row IN LISTS _stridetune_builtin_rows)
    string(REPLACE "|" ";" fields "${row}")
    list(GET fields 1 generator)
    list(APPEND STRIDETUNE_BUILTIN_GENERATORS ${generator})
endforeach ()
list(REMOVE_DUPLICATES STRIDETUNE_BUILTIN_GENERATORS)

# What the kernels are made from: the table, the algorithm and the schedules
# (and the rules they share with the runtime), the ISA targets and Halide. A
# tuning file records it, and applies only to a build of the same kernels: a
# winner picked against other kernels may lose to this build's (tuning made
# before the kernels changed ran at 0.49-0.61x the built-in kernels on three
# sets, docs/tuning.md). Editing any of them reconfigures.
file(GLOB _stridetune_kernel_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/generators/*.cpp
     ${PROJECT_SOURCE_DIR}/generators/*.h ${PROJECT_SOURCE_DIR}/schedules/*.cpp ${PROJECT_SOURCE_DIR}/schedules/*.h)
list(SORT _stridetune_kernel_sources)
set(_stridetune_kernel_inputs "Halide ${Halide_VERSION}")
foreach (isa IN LISTS STRIDETUNE_ISAS)
    string(APPEND _stridetune_kernel_inputs "\n${isa} ${STRIDETUNE_TARGET_${isa}}")
endforeach ()
foreach (source IN LISTS _stridetune_kernel_sources STRIDETUNE_BUILTIN_KERNELS_TABLE ITEMS
                 ${PROJECT_SOURCE_DIR}/runtime/include/stridetune/tile_shape.h
                 ${PROJECT_SOURCE_DIR}/runtime/include/stridetune/kernel_geometry.h)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
    file(SHA256 ${source} hash)
    file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${source})
    string(APPEND _stridetune_kernel_inputs "\n${name} ${hash}")
endforeach ()
string(SHA256 STRIDETUNE_KERNELS_FINGERPRINT "${_stridetune_kernel_inputs}")
string(SUBSTRING ${STRIDETUNE_KERNELS_FINGERPRINT} 0 16 STRIDETUNE_KERNELS_FINGERPRINT)

# Kernels are generated after the generators exist: stridetune_define_builtin_kernels().
function(stridetune_define_builtin_kernels)
    foreach (row IN LISTS _stridetune_builtin_rows)
        string(REPLACE "|" ";" fields "${row}")
        list(GET fields 0 name)
        list(GET fields 1 generator)
        list(GET fields 2 parameters)
        separate_arguments(params UNIX_COMMAND "${parameters}")
        stridetune_kernel(${name} SET builtin GENERATOR ${generator} PARAMS ${params})
    endforeach ()
endfunction()
