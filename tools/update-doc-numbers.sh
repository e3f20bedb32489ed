#!/usr/bin/env bash
# Regenerates the main job's table, the numpy answer's table and the clean
# build time in README.md (tools/run-benchmarks.sh regenerates the peers'
# table), and the tuner's pick against the exhaustive best. Run on an
# otherwise idle machine; takes about 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_seed stridetune_npy_runner stridetune-tune > /dev/null
OMP_WAIT_POLICY=passive OPENBLAS_CORETYPE=SkylakeX tools/update-readme.py seed-table -- build/bench/stridetune_seed \
    --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true --markdown
tools/update-readme.py numpy-seed -- /usr/bin/python3 bench/numpy_seed.py --runner build/bench/stridetune_npy_runner
tools/update-readme.py build-time -- tools/measure-clean-build.sh
tools/update-readme.py tuner-search -- tools/check-tuner-search.sh
