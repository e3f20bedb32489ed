#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in build-fuzz and runs each
# for a fixed number of executions on a copy of its seed corpus (with
# fuzz/regressions/<target>/, the inputs of past findings), as many at once as
# there are cores. Prints each one's executions and findings; exits non-zero
# if any found something. Findings (crash-*, leak-*, timeout-*, oom-*) and the
# logs stay in build-fuzz/fuzz-runs/<target>/ until the next run.
#
# usage: run-fuzzers.sh [--runs N | --long]
#   (default)  about a minute each on a core of the 2-core development
#              machine (AMD EPYC): 7.2 million executions in all, 2 min
#   --runs N   N executions each, no time limit
#   --long     ten times the default counts, each capped at 20 min: 63.8
#              million executions in 24 min on 2 cores there (fuzz_descriptor
#              stopped at its cap, 11.8 million)
# Details: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(fuzz_descriptor fuzz_tuning_file fuzz_plan)
# Executions a second measured there, alone and beside other work: 45000-22000, 24000-15000, 73000-52000.
declare -A runs=([fuzz_descriptor]=2000000 [fuzz_tuning_file]=1200000 [fuzz_plan]=4000000)
# A cap in case a machine is much slower, so that CI ends.
max_time=120
case "${1:-}" in
  "") ;;
  --runs)
    [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "run-fuzzers: --runs needs a number" >&2; exit 2; }
    for t in "${targets[@]}"; do runs[$t]=$2; done
    max_time=0
    ;;
  --long)
    for t in "${targets[@]}"; do runs[$t]=$((runs[$t] * 10)); done
    max_time=$((max_time * 10))
    ;;
  *) echo "usage: $0 [--runs N | --long]" >&2; exit 2 ;;
esac

tools/install-deps.sh
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTRIDETUNE_BUILD_FUZZERS=ON -DSTRIDETUNE_BUILD_TESTS=OFF -DSTRIDETUNE_BUILD_BENCH=OFF \
    -DSTRIDETUNE_TUNING_FILE= > /dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}" > /dev/null

# Leaks are findings too. UBSan's stacks name where its finding is. The
# library's environment variables are unset, so that plan() sees its defaults.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
unset STRIDETUNE_TUNING_FILE STRIDETUNE_MAX_ISA STRIDETUNE_NUM_THREADS STRIDETUNE_VERBOSE

# fuzz TARGET: one libFuzzer process; its log, exit code and time in its folder.
fuzz() {
  local t=$1 dir=build-fuzz/fuzz-runs/$1
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  cp fuzz/corpus/"$t"/* "$dir/corpus/"
  if [ -d fuzz/regressions/"$t" ]; then cp fuzz/regressions/"$t"/* "$dir/corpus/"; fi
  local dict=()
  [ -f fuzz/"$t".dict ] && dict=(-dict=fuzz/"$t".dict)
  local start=$SECONDS status=0
  build-fuzz/fuzz/"$t" "${dict[@]}" -runs="${runs[$t]}" -max_total_time="$max_time" -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" > "$dir/log" 2>&1 || status=$?
  echo "$status $((SECONDS - start))" > "$dir/result"
}

cores=$(nproc)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$cores" ]; do wait -n || true; done
  echo "run-fuzzers: $t, ${runs[$t]} executions" >&2
  fuzz "$t" &
done
wait

failed=0
for t in "${targets[@]}"; do
  dir=build-fuzz/fuzz-runs/$t
  read -r status seconds < "$dir/result"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
  findings=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  if [ "$status" -eq 0 ] && [ -z "$findings" ]; then
    echo "$t: ${executions:-?} executions in $seconds s, nothing found"
  else
    failed=1
    echo "$t: ${executions:-?} executions in $seconds s, FOUND (exit $status; log $dir/log):"
    for f in $findings; do echo "  $f"; done
  fi
done
exit $failed
