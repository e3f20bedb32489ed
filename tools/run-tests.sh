#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
# the sanitized runs (tools/run-sanitized-tests.sh) and a fixed number of
# fuzzing executions (tools/run-fuzzers.sh) first, then every ctest test of
# the main build. 44 minutes on a fresh clone on the 2-core development
# machine (AMD EPYC; CI's run of 2026-12-05 took 2641 s).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
tools/run-sanitized-tests.sh
tools/run-fuzzers.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
