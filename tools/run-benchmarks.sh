#!/usr/bin/env bash
# Runs the comparison benchmark (bench/layers_benchmark.cpp) on the shipped
# problem sets on every core, and the seed and ResNet-50 on one thread too,
# then regenerates the performance section of docs/performance.md and the
# plot docs/layers.png from its output (bench/report.py). Last, the per-call
# overhead benchmark (bench/operator_overhead_benchmark.cpp) on every core and
# on one thread, its JSON kept beside the others (not an input of report.py).
# About 11 minutes on the 2-core development machine.
# Arguments: shape sets of bench/shapes to run (default: the sets below), e.g. seed resnet_50.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_layers stridetune_operator_overhead > /dev/null

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(seed resnet_50 mobilenet vgg_11 tails dilated regression_padding)
one_thread_sets=(seed resnet_50)
out=build/bench-results
mkdir -p "$out" docs
results=()

# run SET THREADS [flags]: one stridetune_layers process, its JSON added to results.
run() {
  local set=$1 threads=$2
  shift 2
  # The seed keeps its own minibatch (64); network layers run at minibatch 1.
  local mb=1
  [ "$set" = seed ] && mb=0
  echo "run-benchmarks: $set, $threads thread(s)" >&2
  tools/peer-env build/bench/stridetune_layers --shapes "bench/shapes/$set.txt" --mb "$mb" --threads "$threads" \
      --benchmark_repetitions=3 --benchmark_out="$out/$set-$threads.json" --benchmark_out_format=json \
      "$@" > /dev/null
  results+=("$out/$set-$threads.json")
}

cores=$(nproc)
for set in "${sets[@]}"; do
  # tails' problems take microseconds: 0.05 s a repetition is still
  # thousands of calls, and halves the time of its 560 rows.
  min_time=0.1
  [ "$set" = tails ] && min_time=0.05
  run "$set" "$cores" --benchmark_min_time=$min_time
done
for set in "${one_thread_sets[@]}"; do
  # The naive loop is single-threaded anyway: its every-core row stands.
  if [ "$cores" -gt 1 ] && [[ " ${sets[*]} " == *" $set "* ]]; then
    run "$set" 1 --benchmark_min_time=0.1 --benchmark_filter=-/naive/
  fi
done
tools/update-doc-section.py docs/performance.md performance -- \
    /usr/bin/python3 bench/report.py "${results[@]}" --plot docs/layers.png

# The overhead of a call on tiny problems: every core, and 1 thread. Its rows
# are not stridetune_layers' (report.py would refuse them): kept apart from
# results, and run after the docs are written, so that it cannot stop them.
overhead_threads=("$cores")
[ "$cores" -gt 1 ] && overhead_threads+=(1)
overhead_results=()
for threads in "${overhead_threads[@]}"; do
  echo "run-benchmarks: operator overhead, $threads thread(s)" >&2
  tools/peer-env build/bench/stridetune_operator_overhead --threads "$threads" --benchmark_repetitions=3 \
      --benchmark_out="$out/operator_overhead-$threads.json" --benchmark_out_format=json > /dev/null
  overhead_results+=("$out/operator_overhead-$threads.json")
done
tools/update-doc-section.py docs/performance.md operator-overhead -- \
    /usr/bin/python3 bench/overhead_report.py "${overhead_results[@]}"
