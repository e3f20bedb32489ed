# stridetune_add_kernels(): a consumer's own kernels, generated at the
# consumer's build time by the installed package's generators. Included by
# stridetuneConfig.cmake, after StridetuneKernels.cmake and the exported
# targets (it runs stridetune::stridetune-descriptor at configure time, so it
# works only against an installed stridetune).
#
# stridetune_add_kernels(TARGET
#                        PROBLEMS descriptor... | PROBLEMS_FILE shapes.txt
#                        [TUNING tuning.json]
#                        [ISAS sse41 avx2 avx512]
#                        [SCHEDULES adams2019 mullapudi2016])
#
# Makes TARGET, to link beside stridetune::stridetune. For the problems
# (benchdnn descriptors; a shapes file has one a line, `#` comments):
#  - TUNING: the file's winner (stridetune-tune's) for each problem the file
#    has, a variant named TARGET_<generator>_<hash>, with an entry that makes
#    the dispatcher run it for that problem on the CPU the file was tuned on.
#  - SCHEDULES: per problem and autoscheduler, a kernel that Halide's
#    autoscheduler planned for exactly that problem, variant
#    TARGET_<schedule>_<n> (n: the problem's position, from 1). The
#    dispatcher does not pick these by itself: run one with Options::variant.
#  - neither, or no problem in TUNING: no kernels. The hand schedules take
#    any size at runtime, so a problem-specific copy of them would be the
#    library's own kernel again; the library's kernels, chosen by its
#    heuristic, run these problems. TARGET is then an interface library.
# ISAS: the ISA levels to build each kernel for (default all); the runtime
# runs the highest one the CPU has. A descriptor that cannot be parsed, or a
# grouped one, fails the configure with a message naming it.

# SCHEDULES may name the built-in kernels that run an autoscheduler: the
# table's rows whose parameters have autoscheduler=...; each has its
# generator and parameters here, as _STRIDETUNE_AUTOSCHEDULED_<name>.
set(_STRIDETUNE_AUTOSCHEDULED_SCHEDULES "")
stridetune_read_builtin_kernels(_stridetune_rows)
foreach (row IN LISTS _stridetune_rows)
    string(REPLACE "|" ";" fields "${row}")
    list(GET fields 0 name)
    list(GET fields 2 parameters)
    if (parameters MATCHES "(^| )autoscheduler=")
        list(APPEND _STRIDETUNE_AUTOSCHEDULED_SCHEDULES ${name})
        set(_STRIDETUNE_AUTOSCHEDULED_${name} "${fields}")
    endif ()
endforeach ()

# The canonical forms (no name) of the descriptors, or a fatal error naming
# the bad one.
function(_stridetune_canonical_problems TARGET OUT)
    cmake_parse_arguments(ARG "" "FILE" "PROBLEMS" ${ARGN})
    if (ARG_FILE)
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ARG_FILE})
        set(args --file ${ARG_FILE})
    else ()
        set(args ${ARG_PROBLEMS})
    endif ()
    get_target_property(tool stridetune::stridetune-descriptor LOCATION)
    execute_process(COMMAND ${tool} ${args}
                    RESULT_VARIABLE status OUTPUT_VARIABLE canonical ERROR_VARIABLE error
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if (NOT status EQUAL 0)
        message(FATAL_ERROR "stridetune_add_kernels(${TARGET}): ${error}")
    endif ()
    if (canonical STREQUAL "")
        message(FATAL_ERROR "stridetune_add_kernels(${TARGET}): ${ARG_FILE} has no problems")
    endif ()
    string(REPLACE "\n" ";" canonical "${canonical}")
    list(REMOVE_DUPLICATES canonical)
    set(${OUT} ${canonical} PARENT_SCOPE)
endfunction()

function(stridetune_add_kernels TARGET)
    cmake_parse_arguments(ARG "" "PROBLEMS_FILE;TUNING" "PROBLEMS;ISAS;SCHEDULES" ${ARGN})
    set(context "stridetune_add_kernels(${TARGET})")
    if (ARG_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "${context}: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
    endif ()
    # Kernel function names are made from it.
    if (NOT "${TARGET}" MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
        message(FATAL_ERROR "${context}: the target name must be a C identifier (letters, digits, _)")
    endif ()
    if (TARGET ${TARGET})
        message(FATAL_ERROR "${context}: target ${TARGET} already exists")
    endif ()
    if ((ARG_PROBLEMS AND ARG_PROBLEMS_FILE) OR NOT (ARG_PROBLEMS OR ARG_PROBLEMS_FILE))
        message(FATAL_ERROR "${context}: give either PROBLEMS or PROBLEMS_FILE")
    endif ()
    list(REMOVE_DUPLICATES ARG_ISAS)
    foreach (isa IN LISTS ARG_ISAS)
        if (NOT isa IN_LIST STRIDETUNE_ISAS)
            message(FATAL_ERROR "${context}: unknown ISA '${isa}' (expected some of ${STRIDETUNE_ISAS})")
        endif ()
    endforeach ()
    foreach (schedule IN LISTS ARG_SCHEDULES)
        if (NOT schedule IN_LIST _STRIDETUNE_AUTOSCHEDULED_SCHEDULES)
            list(JOIN _STRIDETUNE_AUTOSCHEDULED_SCHEDULES " or " expected)
            message(FATAL_ERROR "${context}: unknown schedule '${schedule}' (expected ${expected})")
        endif ()
    endforeach ()
    if (ARG_PROBLEMS_FILE)
        get_filename_component(ARG_PROBLEMS_FILE ${ARG_PROBLEMS_FILE} ABSOLUTE)
        _stridetune_canonical_problems(${TARGET} problems FILE ${ARG_PROBLEMS_FILE})
    else ()
        _stridetune_canonical_problems(${TARGET} problems PROBLEMS ${ARG_PROBLEMS})
    endif ()

    if (ARG_TUNING)
        get_filename_component(ARG_TUNING ${ARG_TUNING} ABSOLUTE)
        stridetune_tuned_kernels(SET ${TARGET} FILE ${ARG_TUNING} PREFIX ${TARGET} PROBLEMS ${problems}
                                 ISAS ${ARG_ISAS})
    endif ()
    foreach (schedule IN LISTS ARG_SCHEDULES)
        list(GET _STRIDETUNE_AUTOSCHEDULED_${schedule} 1 generator)
        list(GET _STRIDETUNE_AUTOSCHEDULED_${schedule} 2 parameters)
        separate_arguments(params UNIX_COMMAND "${parameters}")
        set(n 0)
        foreach (problem IN LISTS problems)
            math(EXPR n "${n} + 1")
            stridetune_kernel(${TARGET}_${schedule}_${n} SET ${TARGET} GENERATOR ${generator}
                              PARAMS ${params} estimate=${problem} ISAS ${ARG_ISAS})
        endforeach ()
    endforeach ()

    get_property(libraries GLOBAL PROPERTY STRIDETUNE_SET_${TARGET}_LIBRARIES)
    list(LENGTH problems problem_count)
    list(LENGTH libraries object_count)
    if (NOT libraries)
        message(STATUS "${context}: ${problem_count} problems, no kernels of its own (no TUNING winner for them, "
                       "no SCHEDULES): the library's kernels run them")
        add_library(${TARGET} INTERFACE)
        target_link_libraries(${TARGET} INTERFACE stridetune::stridetune)
        return()
    endif ()
    message(STATUS "${context}: ${problem_count} problems, ${object_count} kernel objects")
    # An object library: its objects are linked whole, so the registration's
    # static initialiser runs.
    set(registration ${CMAKE_CURRENT_BINARY_DIR}/stridetune_kernels/${TARGET}_registration.cpp)
    stridetune_write_kernel_registration(SET ${TARGET} OUTPUT ${registration}
                                         FUNCTION stridetune_register_${TARGET}_kernels STATIC_INIT)
    add_library(${TARGET} OBJECT ${registration})
    target_link_libraries(${TARGET} PUBLIC ${libraries} stridetune::stridetune)
endfunction()
