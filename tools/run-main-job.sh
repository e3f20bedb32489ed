#!/usr/bin/env bash
# The main job: installs what is missing, builds, and times the numpy
# answer's problem through every schedule and the dispatcher's pick.
# Extra arguments go to the benchmark (Google Benchmark flags).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target stridetune_seed
tools/peer-env build/bench/stridetune_seed --benchmark_repetitions=9 \
    --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true "$@"
