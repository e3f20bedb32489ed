# cmake --install: the library with its prebuilt kernels (static, so their
# archives and the Halide runtime go too), its headers, the generators and
# tools that stridetune_add_kernels() runs, a CMake package (find_package(
# stridetune)) and a pkg-config file. Every path is relative to the prefix,
# so the installed tree can be moved.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(STRIDETUNE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/stridetune)
# The kernel archives are the library's private parts: out of the way of the
# libraries a user links by name.
set(STRIDETUNE_INSTALL_KERNELDIR ${CMAKE_INSTALL_LIBDIR}/stridetune)
# Run by the build (stridetune_add_kernels), not by users.
set(STRIDETUNE_INSTALL_GENERATORDIR ${CMAKE_INSTALL_LIBEXECDIR}/stridetune)

get_property(stridetune_kernel_libraries GLOBAL PROPERTY STRIDETUNE_SET_builtin_LIBRARIES)

install(TARGETS stridetune stridetune_tuning_record stridetune_descriptor EXPORT stridetuneTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ${stridetune_kernel_libraries} ${STRIDETUNE_PACK_LIBRARIES} stridetune_halide_runtime EXPORT stridetuneTargets
        ARCHIVE DESTINATION ${STRIDETUNE_INSTALL_KERNELDIR})
list(TRANSFORM STRIDETUNE_BUILTIN_GENERATORS PREPEND stridetune_gen_ OUTPUT_VARIABLE stridetune_generator_targets)
install(TARGETS ${stridetune_generator_targets}
        EXPORT stridetuneTargets RUNTIME DESTINATION ${STRIDETUNE_INSTALL_GENERATORDIR})
install(TARGETS stridetune-descriptor EXPORT stridetuneTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The tuner (tools/tune), where this build has it.
if (TARGET stridetune-tune)
    install(TARGETS stridetune-tune EXPORT stridetuneTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif ()
install(DIRECTORY runtime/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT stridetuneTargets NAMESPACE stridetune:: DESTINATION ${STRIDETUNE_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/stridetuneConfig.cmake.in ${PROJECT_BINARY_DIR}/stridetuneConfig.cmake
                              INSTALL_DESTINATION ${STRIDETUNE_INSTALL_CMAKEDIR} PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# The kernels and the runtime must come from the same build: no other version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stridetuneConfigVersion.cmake
                                 COMPATIBILITY ExactVersion)
install(FILES ${PROJECT_BINARY_DIR}/stridetuneConfig.cmake ${PROJECT_BINARY_DIR}/stridetuneConfigVersion.cmake
              cmake/StridetuneKernels.cmake cmake/StridetuneAddKernels.cmake
        DESTINATION ${STRIDETUNE_INSTALL_CMAKEDIR})

# pkg-config, for linking the prebuilt kernels without CMake. Static
# archives: the library comes before what it uses. The prefix is found from
# the .pc file's own place.
file(RELATIVE_PATH stridetune_pc_prefix /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" stridetune_pc_prefix "${stridetune_pc_prefix}")
set(stridetune_pc_libs "-lstridetune")
foreach (library IN LISTS stridetune_kernel_libraries STRIDETUNE_PACK_LIBRARIES
                 ITEMS stridetune_halide_runtime stridetune_tuning_record stridetune_descriptor pthread
                       ${CMAKE_DL_LIBS})
    string(APPEND stridetune_pc_libs " -l${library}")
endforeach ()
configure_file(stridetune.pc.in ${PROJECT_BINARY_DIR}/stridetune.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stridetune.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
