#!/usr/bin/env bash
# Regenerates the shipped tuning file, tuning/default.json, on this machine:
# the numpy answer's problem and ResNet-50's layers at minibatch 1 (as
# tools/run-benchmarks.sh benchmarks them). Resumes an interrupted run; pass
# --fresh to start over. Takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target stridetune-tune
mkdir -p tuning
# The seed keeps its own minibatch (64); the layers run at minibatch 1.
build/stridetune-tune --shapes bench/shapes/seed.txt --output tuning/default.json "$@"
build/stridetune-tune --shapes bench/shapes/resnet_50.txt --mb 1 --output tuning/default.json "$@"
