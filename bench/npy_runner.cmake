# stridetune on raw float32 files, for bench/numpy_seed.py (the numpy
# StackOverflow answer's variants, torch, and stridetune on the same data).
# Included from bench/CMakeLists.txt.
add_executable(stridetune_npy_runner ${CMAKE_CURRENT_LIST_DIR}/npy_runner.cpp)
target_link_libraries(stridetune_npy_runner PRIVATE stridetune::stridetune)
target_compile_options(stridetune_npy_runner PRIVATE -Wall -Wextra)
