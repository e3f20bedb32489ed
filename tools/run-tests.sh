#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
# the sanitized runs (tools/run-sanitized-tests.sh) and a fixed number of
# fuzzing executions (tools/run-fuzzers.sh) first, then every ctest test of
# the main build. 16 minutes on a fresh clone on the 2-core development
# machine (AMD EPYC, measured 2026-12-01).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
tools/run-sanitized-tests.sh
tools/run-fuzzers.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
