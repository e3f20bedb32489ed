#!/usr/bin/env bash
# Runs the comparison benchmark (bench/layers_benchmark.cpp) on the shipped
# problem sets, then regenerates README.md's performance section and
# docs/layers.png from its output (bench/report.py). About 15 minutes.
# Arguments: shape sets to run (default: all of bench/shapes), e.g. seed resnet_50.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_layers > /dev/null

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(seed resnet_50 mobilenet vgg_11 tails dilated regression_padding)
out=build/bench-results
mkdir -p "$out" docs
export OMP_WAIT_POLICY=passive OPENBLAS_CORETYPE=SkylakeX
results=()
for set in "${sets[@]}"; do
  # The seed keeps its own minibatch (64); network layers run at minibatch 1.
  mb=1
  [ "$set" = seed ] && mb=0
  echo "run-benchmarks: $set" >&2
  build/bench/stridetune_layers --shapes "bench/shapes/$set.txt" --mb "$mb" \
      --benchmark_repetitions=3 --benchmark_min_time=0.1 \
      --benchmark_out="$out/$set.json" --benchmark_out_format=json > /dev/null
  results+=("$out/$set.json")
done
tools/update-readme.py performance -- /usr/bin/python3 bench/report.py "${results[@]}" --plot docs/layers.png
