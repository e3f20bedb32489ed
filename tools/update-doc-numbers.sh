#!/usr/bin/env bash
# Regenerates the numbers of the documentation that come from one machine:
# the main job's table (README.md, seed-table), the numpy answer's table and
# the clean build time (docs/performance.md, numpy-seed and build-time), and
# the tuner's pick against the exhaustive best (docs/tuning.md, tuner-search).
# tools/run-benchmarks.sh regenerates the comparison on real layers
# (docs/performance.md, performance). Run on an otherwise idle machine; takes
# about 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_seed stridetune_npy_runner stridetune-tune > /dev/null
tools/update-doc-section.py README.md seed-table -- \
    tools/peer-env build/bench/stridetune_seed --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true --markdown
tools/update-doc-section.py docs/performance.md numpy-seed -- \
    /usr/bin/python3 bench/numpy_seed.py --runner build/bench/stridetune_npy_runner
tools/update-doc-section.py docs/performance.md build-time -- tools/measure-clean-build.sh
tools/update-doc-section.py docs/tuning.md tuner-search -- tools/check-tuner-search.sh
