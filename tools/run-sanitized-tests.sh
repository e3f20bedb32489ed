#!/usr/bin/env bash
# The test suite's fast part under sanitizers, each in a build of its own
# (STRIDETUNE_SANITIZE: the runtime and the tests instrumented, the
# generated kernels not): AddressSanitizer with UndefinedBehaviorSanitizer
# (leaks included), then ThreadSanitizer on the concurrency tests, with
# suppressions only for Halide's runtime synchronisation (tests/tsan.supp).
# Arguments: asan, tsan (default: both).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

# Every tuned kernel is the same generator code again: the built-in ones
# cover it, and the build stays short.
configure() {
  cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRIDETUNE_SANITIZE="$2" \
        -DSTRIDETUNE_BUILD_BENCH=OFF -DSTRIDETUNE_TUNING_FILE= > /dev/null
  cmake --build "$1" > /dev/null
}

# Not here: the installed-package and Makefiles builds (no runtime code of
# their own) and the tuner, which links Halide's JIT, uninstrumented.
slow_or_uninstrumented='^(consumer\.|build\.|tuner\.)|TunerGeometry'

modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(asan tsan)
for mode in "${modes[@]}"; do
  case $mode in
    asan)
      echo "run-sanitized-tests: AddressSanitizer + UndefinedBehaviorSanitizer" >&2
      configure build-asan address,undefined
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
          ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -E "$slow_or_uninstrumented"
      ;;
    tsan)
      echo "run-sanitized-tests: ThreadSanitizer, concurrency tests" >&2
      configure build-tsan thread
      TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
          ctest --test-dir build-tsan --output-on-failure -R '^Threads\.'
      ;;
    *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
  esac
done
