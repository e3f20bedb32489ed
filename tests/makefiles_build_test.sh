#!/usr/bin/env bash
# The library, its tools and every built-in kernel configured with Unix
# Makefiles (CMake's default generator on Linux, which, unlike Ninja, makes
# no folders for custom commands' outputs), in a build of its own. CI's main
# build uses Ninja.
#   makefiles_build_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail

source_dir=$1 work=$2
rm -rf "$work"
cmake -S "$source_dir" -B "$work" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
      -DSTRIDETUNE_BUILD_TESTS=OFF -DSTRIDETUNE_BUILD_BENCH=OFF -DSTRIDETUNE_TUNING_FILE= >"$work.configure.log" ||
    { cat "$work.configure.log"; exit 1; }
cmake --build "$work" -j "$(nproc)"
for built in libstridetune.a stridetune-tune tools/descriptor/stridetune-descriptor; do
    [ -f "$work/$built" ] || { echo "makefiles_build_test: no $built" >&2; exit 1; }
done
echo "makefiles_build_test: the library, the tuner and $(ls "$work"/stridetune_kernels/*.o | wc -l) kernel objects built with Unix Makefiles"
