#!/usr/bin/env bash
# Runs the comparison benchmark (bench/layers_benchmark.cpp) on the shipped
# problem sets on every core and on one thread, every kernel's row each time
# (how the dispatcher's pick compares with the best kernel depends on the
# threads), then regenerates the performance section of docs/performance.md and the
# plot docs/layers.png from its output (bench/report.py). Last, the per-call
# overhead benchmark (bench/operator_overhead_benchmark.cpp) on every core and
# on one thread, its JSON kept beside the others (not an input of report.py).
# ResNet-50 runs at minibatch 8 and 32 too, and capped at AVX2, the dispatcher
# and the peers alone.
# About 50 minutes on the 2-core development machine.
# Arguments: shape sets of bench/shapes to run (default: the sets below), e.g. seed resnet_50.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --peers
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target stridetune_layers stridetune_operator_overhead stridetune-dispatch-inputs > /dev/null

sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(seed resnet_50 mobilenet mobilenet_dw vgg_11 tails dilated regression_padding)
out=build/bench-results
mkdir -p "$out" docs
results=()

# run SET THREADS [flags]: one stridetune_layers process, its JSON added to
# results, as $out/NAME-THREADS.json (NAME: $run_name, else SET). The seed
# keeps its own minibatch (64); network layers run at minibatch 1, or at
# $minibatch where that is set. The repetitions of every row run in random
# order, so that a shared host's slow phases hit every row alike: in order,
# two rows of one kernel measured up to 1.8x apart (ResNet-50's
# res2a_branch2a, AMD Zen 5, 2 threads). Nine short repetitions rather than
# three long ones, in the same time: a median of three let a slow phase
# through. On the dilated set's problems of a few microseconds, the
# dispatcher's row and its own kernel's row stood 0.69x to 1.47x apart
# with three, 0.87x to 1.06x with nine (AMD Zen 5, 2 threads).
run() {
  local set=$1 threads=$2
  shift 2
  local mb=${minibatch:-1} name=${run_name:-$set}
  [ "$set" = seed ] && mb=0
  [ -n "${minibatch:-}" ] && name=$set-mb$mb
  echo "run-benchmarks: $name, $threads thread(s)" >&2
  tools/peer-env build/bench/stridetune_layers --shapes "bench/shapes/$set.txt" --mb "$mb" --threads "$threads" \
      --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true \
      --benchmark_out="$out/$name-$threads.json" --benchmark_out_format=json \
      "$@" > /dev/null
  results+=("$out/$name-$threads.json")
}

# The seconds of one repetition of SET: tails' problems take microseconds,
# 0.017 s is still thousands of calls, and halves the time of its 560 rows.
min_time() {
  if [ "$1" = tails ]; then echo 0.017; else echo 0.033; fi
}

cores=$(nproc)
for set in "${sets[@]}"; do
  run "$set" "$cores" --benchmark_min_time="$(min_time "$set")"
done
# On 1 thread (the naive loop is single-threaded anyway: its every-core row
# stands).
if [ "$cores" -gt 1 ]; then
  for set in "${sets[@]}"; do
    run "$set" 1 --benchmark_min_time="$(min_time "$set")" --benchmark_filter=-/naive/
  done
fi
# Batching users: ResNet-50 at minibatch 8 and 32, the dispatcher against
# the peers alone (every schedule's row would take 20 minutes more).
if [[ " ${sets[*]} " == *" resnet_50 "* ]]; then
  for batch in 8 32; do
    minibatch=$batch run resnet_50 "$cores" --benchmark_min_time="$(min_time resnet_50)" --benchmark_filter='dispatcher|untuned|onednn|xnnpack'
  done
fi
# At AVX2, where many users' CPUs stop: ResNet-50 with stridetune capped by
# STRIDETUNE_MAX_ISA and oneDNN by ONEDNN_MAX_CPU_ISA (XNNPACK has no cap:
# left out). Its own section of the docs.
avx2_results=()
if [[ " ${sets[*]} " == *" resnet_50 "* ]] && grep -qw avx2 /proc/cpuinfo; then
  run_name=resnet_50-avx2 STRIDETUNE_MAX_ISA=avx2 ONEDNN_MAX_CPU_ISA=AVX2 \
      run resnet_50 "$cores" --benchmark_min_time="$(min_time resnet_50)" --benchmark_filter='dispatcher|untuned|onednn'
  avx2_results+=("${results[-1]}")
  unset 'results[-1]'
fi
tools/update-doc-section.py docs/performance.md performance -- \
    /usr/bin/python3 bench/report.py "${results[@]}" --plot docs/layers.png
if [ ${#avx2_results[@]} -gt 0 ]; then
  tools/update-doc-section.py docs/performance.md performance-avx2 -- \
      /usr/bin/python3 bench/report.py "${avx2_results[@]}"
fi

# The dispatcher's untuned pick against dispatch models fitted on the other
# groups of problems (tools/dispatch-model/evaluate.py), on this run's times.
inputs=()
for set in "${sets[@]}"; do
  mb=1
  [ "$set" = seed ] && mb=0
  build/tools/dispatch-model/stridetune-dispatch-inputs --shapes "bench/shapes/$set.txt" --mb "$mb" \
      --threads 1 "$cores" > "$out/dispatch-inputs-$set.jsonl"
  inputs+=(--inputs "$out/dispatch-inputs-$set.jsonl")
done
tools/update-doc-section.py docs/design.md dispatch-model -- \
    /usr/bin/python3 tools/dispatch-model/evaluate.py "${inputs[@]}" "${results[@]}"

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
