# The library's built-in kernels, read from the one table of them
# (runtime/include/stridetune/builtin_kernels.def), each for every ISA level.
# Sets STRIDETUNE_BUILTIN_GENERATORS: the generators the table names, in
# the order of their first row.

# Each row: STRIDETUNE_KERNEL(name, generator, "parameters", "strategy").
function(stridetune_read_builtin_kernels DEF OUT_ROWS)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${DEF})
    file(STRINGS ${DEF} lines REGEX "^STRIDETUNE_KERNEL\\(")
    set(rows "")
    foreach (line IN LISTS lines)
        if (NOT line MATCHES "^STRIDETUNE_KERNEL\\(([a-z0-9_]+), *([a-z0-9_]+), *\"([^\"]*)\", *\"([^\"]*)\"\\)$")
            message(FATAL_ERROR "${DEF}: cannot read the row: ${line}")
        endif ()
        # name|generator|parameters: parameters keep their spaces.
        list(APPEND rows "${CMAKE_MATCH_1}|${CMAKE_MATCH_2}|${CMAKE_MATCH_3}")
    endforeach ()
    set(${OUT_ROWS} ${rows} PARENT_SCOPE)
endfunction()

stridetune_read_builtin_kernels(${PROJECT_SOURCE_DIR}/runtime/include/stridetune/builtin_kernels.def
                                _stridetune_builtin_rows)
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
