#!/usr/bin/env bash
# Regenerates the shipped tuning file, tuning/default.json, on this machine:
# every benchmark set (bench/shapes), as tools/run-benchmarks.sh runs them:
# the numpy answer's problem at its own minibatch, the layers at minibatch 1.
# Resumes an interrupted run; pass --fresh to start over. Takes about 25
# minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target stridetune-tune
mkdir -p tuning
fresh=()
[ "${1:-}" = --fresh ] && fresh=(--fresh)
# The seed keeps its own minibatch (64); the layers run at minibatch 1.
time build/stridetune-tune --shapes bench/shapes/seed.txt --output tuning/default.json "${fresh[@]}"
time build/stridetune-tune --shapes bench/shapes/resnet_50.txt --mb 1 --output tuning/default.json
# The other sets at half the budget: 160 problems, most of whose candidates
# are compiled by then.
time build/stridetune-tune --budget 20 --mb 1 --output tuning/default.json \
    --shapes bench/shapes/mobilenet.txt --shapes bench/shapes/mobilenet_dw.txt --shapes bench/shapes/vgg_11.txt --shapes bench/shapes/dilated.txt \
    --shapes bench/shapes/regression_padding.txt --shapes bench/shapes/tails.txt
