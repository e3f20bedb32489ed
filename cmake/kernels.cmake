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
