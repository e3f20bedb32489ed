#!/usr/bin/env bash
# Regenerates every number in README.md: the main job's table and the clean
# build time. Run on an otherwise idle machine; takes about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_seed > /dev/null
OMP_WAIT_POLICY=passive OPENBLAS_CORETYPE=SkylakeX tools/update-readme.py seed-table -- build/bench/stridetune_seed \
    --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true --markdown
tools/update-readme.py build-time -- tools/measure-clean-build.sh
