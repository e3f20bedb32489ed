#!/usr/bin/env bash
# Installs what stridetune needs from Debian 12's packages; with --peers also
# the libraries the benchmarks compare against (bench/peers). Skips the apt
# round-trip when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build
  libhalide14-0-dev llvm-14-dev clang-14 liblld-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev pkg-config
  # The reliability harness: libFuzzer and clang's sanitizer runtimes.
  libfuzzer-14-dev libclang-rt-14-dev
)
if [ "${1:-}" = "--peers" ]; then
  # oneDNN 2.6, XNNPACK, OpenBLAS 0.3.21. ocl-icd-opencl-dev is
  # only a Recommends of libdnnl-dev, but dnnl's CMake config requires OpenCL.
  packages+=(libdnnl-dev ocl-icd-opencl-dev libxnnpack-dev libpthreadpool-dev libopenblas-dev)
  # The report and the numpy comparison (bench/*.py) run on Debian's python3.
  packages+=(python3-matplotlib python3-numpy python3-torch)
  # Fitting and checking dispatch models on the benchmark's times (tools/dispatch-model).
  packages+=(python3-sklearn)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
