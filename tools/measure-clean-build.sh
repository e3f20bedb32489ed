#!/usr/bin/env bash
# Times a clean configure + build of everything (kernels, library, tests,
# benchmarks) in a fresh build folder, and prints one markdown line (section
# build-time of docs/performance.md, written by tools/update-doc-numbers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
start=$(date +%s)
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$dir" > /dev/null
seconds=$(( $(date +%s) - start ))
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
echo "Clean build (configure, every kernel at every ISA level, library, tests, benchmarks):" \
     "$((seconds / 60)) min $((seconds % 60)) s on $(nproc) cores of $cpu, measured by \`tools/measure-clean-build.sh\`."
