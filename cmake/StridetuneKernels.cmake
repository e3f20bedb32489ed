# Ahead-of-time kernels: each kernel variant (a generator with its parameters)
# is generated once per x86-64 ISA level, as its own object, and listed in a
# generated registration that the runtime's dispatcher reads. Used by the
# library's own build and, installed, by consumers (stridetune_add_kernels).

# Feature lists are explicit: Halide features do not imply one another.
set(STRIDETUNE_ISAS sse41 avx2 avx512)
set(STRIDETUNE_TARGET_sse41 x86-64-linux-sse41)
set(STRIDETUNE_TARGET_avx2 x86-64-linux-avx-avx2-f16c-fma-sse41)
set(STRIDETUNE_TARGET_avx512 x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41)

# The "stridetune_tuning" format of the tuning files this build reads and writes.
set(STRIDETUNE_TUNING_FORMAT 1)

# The generators set it (generators/halide_environment.cpp): a
# setting of the library's build, not of a consumer's.
set(STRIDETUNE_ADAMS2019_BEAM_SIZE 1 CACHE STRING "Beam size of Adams2019's search (its default is 32)")
set(STRIDETUNE_AUTOSCHEDULER_MACHINE_PARAMS "2,16777216,40" CACHE STRING
    "Halide machine_params for the autoscheduled kernels: parallelism, last-level cache bytes, balance")

# The rows of the built-in kernels' table (STRIDETUNE_BUILTIN_KERNELS_TABLE,
# the library's builtin_kernels.def, set by the build or the installed
# package), each as "name|generator|parameters".
function(stridetune_read_builtin_kernels OUT_ROWS)
    set(table ${STRIDETUNE_BUILTIN_KERNELS_TABLE})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${table})
    file(STRINGS ${table} lines REGEX "^STRIDETUNE_KERNEL\\(")
    set(rows "")
    foreach (line IN LISTS lines)
        if (NOT line MATCHES "^STRIDETUNE_KERNEL\\(([a-z0-9_]+), *([a-z0-9_]+), *\"([^\"]*)\", *\"([^\"]*)\"\\)$")
            message(FATAL_ERROR "${table}: cannot read the row: ${line}")
        endif ()
        list(APPEND rows "${CMAKE_MATCH_1}|${CMAKE_MATCH_2}|${CMAKE_MATCH_3}")
    endforeach ()
    set(${OUT_ROWS} ${rows} PARENT_SCOPE)
endfunction()

# The executable of a generator: the build's own, or the installed package's.
function(_stridetune_generator_target GENERATOR OUT)
    if (TARGET stridetune::stridetune_gen_${GENERATOR})
        set(${OUT} stridetune::stridetune_gen_${GENERATOR} PARENT_SCOPE)
    elseif (TARGET stridetune_gen_${GENERATOR})
        set(${OUT} stridetune_gen_${GENERATOR} PARENT_SCOPE)
    else ()
        message(FATAL_ERROR "stridetune: no generator '${GENERATOR}' (builtin_kernels.def names those there are)")
    endif ()
endfunction()

# The Halide runtime (thread pool, allocator) every kernel shares.
function(_stridetune_halide_runtime_target OUT)
    if (TARGET stridetune::stridetune_halide_runtime)
        set(${OUT} stridetune::stridetune_halide_runtime PARENT_SCOPE)
    else ()
        set(${OUT} stridetune_halide_runtime PARENT_SCOPE)
    endif ()
endfunction()

# The canonical form of parameters: sorted by key, space-separated.
function(stridetune_canonical_parameters OUT)
    set(params ${ARGN})
    list(SORT params)
    list(JOIN params " " canonical)
    set(${OUT} "${canonical}" PARENT_SCOPE)
endfunction()

# stridetune_generate_library(FUNCTION GENERATOR target NAME name DIR dir TARGET halide_target
#                             [DEPENDS ...] [ARGS generator_arguments...])
# Runs generator `name` of the executable `target` for the Halide target
# (without a runtime: every object shares stridetune_halide_runtime) into
# DIR/FUNCTION.{h,o}, and adds the static library FUNCTION of the object.
function(stridetune_generate_library FUNCTION)
    cmake_parse_arguments(ARG "" "GENERATOR;NAME;DIR;TARGET" "DEPENDS;ARGS" ${ARGN})
    _stridetune_halide_runtime_target(runtime)
    # Ninja creates the folders of a custom command's outputs; Makefiles do not.
    file(MAKE_DIRECTORY ${ARG_DIR})
    # no_asserts: run() has checked the tensors and the runtime has asked the
    # kernel for the regions it reads (kernel_needs) when the operator was
    # created, so the per-call checks Halide would add are repeats, and on a
    # problem of microseconds they are a sizeable share of the call.
    add_custom_command(OUTPUT ${ARG_DIR}/${FUNCTION}.h ${ARG_DIR}/${FUNCTION}.o
                       COMMAND $<TARGET_FILE:${ARG_GENERATOR}>
                               -g ${ARG_NAME} -f ${FUNCTION} -n ${FUNCTION} -e c_header,object -o ${ARG_DIR}
                               target=${ARG_TARGET}-no_runtime-no_asserts ${ARG_ARGS}
                       DEPENDS ${ARG_GENERATOR} ${ARG_DEPENDS}
                       COMMENT "Generating ${FUNCTION}"
                       VERBATIM)
    add_library(${FUNCTION} STATIC ${ARG_DIR}/${FUNCTION}.o)
    set_target_properties(${FUNCTION} PROPERTIES LINKER_LANGUAGE CXX POSITION_INDEPENDENT_CODE ON)
    target_include_directories(${FUNCTION} INTERFACE $<BUILD_INTERFACE:${ARG_DIR}>)
    target_link_libraries(${FUNCTION} INTERFACE ${runtime})
endfunction()

# stridetune_kernel(VARIANT SET set GENERATOR gen [PARAMS k=v ...] [ISAS isa ...])
# Adds a static library stridetune_VARIANT_ISA for each ISA level and lists
# it in the kernel set `set`. The pseudo-parameter autoscheduler=Adams2019 (or
# Mullapudi2016) runs that autoscheduler, planning for the problem of
# estimate=<descriptor> (default: the numpy answer's).
function(stridetune_kernel VARIANT)
    cmake_parse_arguments(ARG "" "GENERATOR;SET" "PARAMS;ISAS" ${ARGN})
    if (NOT ARG_ISAS)
        set(ARG_ISAS ${STRIDETUNE_ISAS})
    endif ()
    _stridetune_generator_target(${ARG_GENERATOR} generator)
    stridetune_canonical_parameters(description ${ARG_PARAMS})
    set(params ${ARG_PARAMS})
    set(plugin_args "")
    set(plugin "")
    list(FILTER params EXCLUDE REGEX "^autoscheduler=")
    if ("${ARG_PARAMS}" MATCHES "(^|;)autoscheduler=([A-Za-z0-9]+)")
        set(scheduler ${CMAKE_MATCH_2})
        set(plugin Halide::${scheduler})
        if (NOT TARGET ${plugin})
            message(FATAL_ERROR "stridetune: kernel ${VARIANT}: no autoscheduler ${scheduler} in this Halide")
        endif ()
        set(plugin_args -p $<TARGET_FILE:${plugin}> -s ${scheduler})
        list(APPEND params auto_schedule=true "machine_params=${STRIDETUNE_AUTOSCHEDULER_MACHINE_PARAMS}")
    endif ()
    set_property(GLOBAL PROPERTY "STRIDETUNE_VARIANT_${ARG_SET}|${ARG_GENERATOR}|${description}" ${VARIANT})
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/stridetune_kernels)
    foreach (isa IN LISTS ARG_ISAS)
        set(fn stridetune_${VARIANT}_${isa})
        stridetune_generate_library(${fn} GENERATOR ${generator} NAME stridetune_${ARG_GENERATOR} DIR ${dir}
                                    TARGET ${STRIDETUNE_TARGET_${isa}} DEPENDS ${plugin}
                                    ARGS ${plugin_args} ${params})
        set_property(GLOBAL APPEND PROPERTY STRIDETUNE_SET_${ARG_SET}_LIBRARIES ${fn})
        set_property(GLOBAL APPEND PROPERTY STRIDETUNE_SET_${ARG_SET}_ENTRIES
                     "    {\"${VARIANT}\", \"${ARG_GENERATOR}\", \"${description}\", stridetune::Isa::${isa}, ${fn}, ${fn}_metadata, \"${fn}\"},")
    endforeach ()
endfunction()

# stridetune_tuned_kernels(SET set FILE tuning.json [PREFIX p] [PROBLEMS descriptor...])
# Adds the winning configuration of every problem of the tuning file (of
# PROBLEMS only, if given) to the set, reusing a variant the set already has,
# and records the problem -> variant entries and the file's CPU. A file that
# cannot be used gives a warning and no entries: the heuristic decides.
function(stridetune_tuned_kernels)
    cmake_parse_arguments(ARG "" "SET;FILE;PREFIX" "PROBLEMS;ISAS" ${ARGN})
    if (NOT ARG_PREFIX)
        set(ARG_PREFIX tuned)
    endif ()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ARG_FILE})
    if (NOT EXISTS ${ARG_FILE} OR IS_DIRECTORY ${ARG_FILE})
        message(WARNING "stridetune: tuning file ${ARG_FILE} does not exist or is a folder; no tuned kernels")
        return()
    endif ()
    file(READ ${ARG_FILE} text)
    string(JSON format ERROR_VARIABLE error GET "${text}" stridetune_tuning)
    if (NOT error AND NOT format EQUAL STRIDETUNE_TUNING_FORMAT)
        set(error "format ${format}, this build reads ${STRIDETUNE_TUNING_FORMAT}")
    endif ()
    if (NOT error)
        string(JSON halide ERROR_VARIABLE error GET "${text}" halide)
    endif ()
    if (NOT error AND NOT halide VERSION_EQUAL Halide_VERSION)
        set(error "tuned with Halide ${halide}, this build has ${Halide_VERSION}")
    endif ()
    set(origin "")
    foreach (field vendor model isa cores)
        if (NOT error)
            string(JSON ${field} ERROR_VARIABLE error GET "${text}" cpu ${field})
        endif ()
    endforeach ()
    # cpuid's signature: absent from files written before it was recorded.
    foreach (field family model_number stepping)
        string(JSON ${field} ERROR_VARIABLE absent GET "${text}" cpu ${field})
        if (absent)
            set(${field} 0)
        endif ()
    endforeach ()
    if (NOT error)
        string(JSON count ERROR_VARIABLE error LENGTH "${text}" problems)
    endif ()
    # The kernels' fingerprint (cmake/kernels.cmake), where there is a winner to apply.
    if (NOT error AND count GREATER 0)
        string(JSON kernels ERROR_VARIABLE absent GET "${text}" kernels)
        if (absent)
            set(kernels "not recorded")
        endif ()
        if (NOT kernels STREQUAL STRIDETUNE_KERNELS_FINGERPRINT)
            set(error "tuned against other kernels (${kernels}, this build's are ${STRIDETUNE_KERNELS_FINGERPRINT}): tune again")
        endif ()
    endif ()
    if (error)
        message(WARNING "stridetune: ignoring tuning file ${ARG_FILE}: ${error}")
        return()
    endif ()
    set(entries "")
    set(found "")
    if (count GREATER 0)
        math(EXPR last "${count} - 1")
        foreach (i RANGE ${last})
            string(JSON problem MEMBER "${text}" problems ${i})
            if (ARG_PROBLEMS AND NOT problem IN_LIST ARG_PROBLEMS)
                continue()
            endif ()
            list(APPEND found ${problem})
            string(JSON generator GET "${text}" problems ${problem} winner generator)
            string(JSON parameters GET "${text}" problems ${problem} winner parameters)
            separate_arguments(params UNIX_COMMAND "${parameters}")
            stridetune_canonical_parameters(canonical ${params})
            get_property(variant GLOBAL PROPERTY "STRIDETUNE_VARIANT_${ARG_SET}|${generator}|${canonical}")
            if (NOT variant)
                string(MD5 hash "${generator} ${canonical}")
                string(SUBSTRING ${hash} 0 8 hash)
                set(variant ${ARG_PREFIX}_${generator}_${hash})
                stridetune_kernel(${variant} SET ${ARG_SET} GENERATOR ${generator} PARAMS ${params} ISAS ${ARG_ISAS})
            endif ()
            # Whether the winner ran faster on the worker threads (absent: not measured).
            string(JSON parallel ERROR_VARIABLE no_grain GET "${text}" problems ${problem} winner parallel)
            set(grain "")
            if (NOT no_grain)
                if (parallel)
                    set(grain ", \"parallel\"")
                else ()
                    set(grain ", \"serial\"")
                endif ()
            endif ()
            set_property(GLOBAL APPEND PROPERTY STRIDETUNE_SET_${ARG_SET}_TUNED
                         "    {\"${problem}\", \"${variant}\"${grain}},")
        endforeach ()
    endif ()
    foreach (problem IN LISTS ARG_PROBLEMS)
        if (NOT problem IN_LIST found)
            message(STATUS "stridetune: ${problem} is not in ${ARG_FILE}: the heuristic decides")
        endif ()
    endforeach ()
    string(REPLACE "\"" "\\\"" model "${model}")
    set_property(GLOBAL PROPERTY STRIDETUNE_SET_${ARG_SET}_ORIGIN
                 "{\"${vendor}\", \"${model}\", \"${isa}\", ${cores}, \"${halide}\", ${family}, ${model_number}, ${stepping}}")
endfunction()

# stridetune_write_kernel_registration(SET set OUTPUT file.cpp FUNCTION name [STATIC_INIT])
# Writes the registration of the set's kernels and tuned entries: function
# `name`, and with STATIC_INIT a static initialiser calling it, so that
# linking the object registers the kernels.
function(stridetune_write_kernel_registration)
    cmake_parse_arguments(ARG "STATIC_INIT" "SET;OUTPUT;FUNCTION" "" ${ARGN})
    get_property(libs GLOBAL PROPERTY STRIDETUNE_SET_${ARG_SET}_LIBRARIES)
    get_property(entries GLOBAL PROPERTY STRIDETUNE_SET_${ARG_SET}_ENTRIES)
    get_property(tuned GLOBAL PROPERTY STRIDETUNE_SET_${ARG_SET}_TUNED)
    get_property(origin GLOBAL PROPERTY STRIDETUNE_SET_${ARG_SET}_ORIGIN)
    set(code "// Generated by cmake (stridetune_write_kernel_registration); do not edit.\n")
    string(APPEND code "#include <iterator>\n\n#include \"stridetune/registry.h\"\n")
    foreach (lib IN LISTS libs)
        string(APPEND code "#include \"${lib}.h\"\n")
    endforeach ()
    list(JOIN entries "\n" entries)
    string(APPEND code "\nnamespace {\n\nconst stridetune::KernelRegistration kernels[] = {\n${entries}\n};\n")
    if (tuned)
        list(JOIN tuned "\n" tuned)
        string(APPEND code "const stridetune::TunedRegistration tuned[] = {\n${tuned}\n};\n")
        string(APPEND code "const stridetune::TuningOrigin origin = ${origin};\n")
        set(tuned_args "tuned, std::size(tuned), &origin")
    else ()
        set(tuned_args "nullptr, 0, nullptr")
    endif ()
    string(APPEND code "\n}  // namespace\n\nbool ${ARG_FUNCTION}() {\n")
    string(APPEND code "    return stridetune::register_kernels(kernels, std::size(kernels), ${tuned_args});\n}\n")
    if (ARG_STATIC_INIT)
        string(APPEND code "\nnamespace {\nconst bool registered = ${ARG_FUNCTION}();\n}  // namespace\n")
    endif ()
    file(CONFIGURE OUTPUT ${ARG_OUTPUT} CONTENT "${code}" @ONLY)
endfunction()
