#!/usr/bin/env bash
# The installed package, used the way a consumer uses it (README: "Use it
# from your CMake project"). One step a ctest test:
#   install BUILD_DIR                 cmake --install into a prefix other than the
#                                     configured one (relocatable), no build paths in it
#   run BUILD_DIR HALIDE_VERSION      examples/consumer built against it, with a tuning
#                                     file for this machine: every result right, the
#                                     tuned problem runs the consumer's own kernel; the
#                                     same program linked through pkg-config
#   bad-problems BUILD_DIR            a bad or grouped descriptor fails the consumer's
#                                     configure, naming it
set -euo pipefail

step=$1
build=$(cd "$2" && pwd)
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$build/consumer-test
# Installed for /opt/stridetune, used from where DESTDIR put it.
prefix=$work/staging/opt/stridetune

fail() {
    echo "consumer_test: $*" >&2
    exit 1
}

install_package() {
    rm -rf "$work"
    mkdir -p "$work"
    DESTDIR=$work/staging cmake --install "$build" --prefix /opt/stridetune >"$work/install.log"
    if grep -rl -e "$source_dir" -e /opt/stridetune "$prefix/lib/cmake" "$prefix/lib/pkgconfig"; then
        fail "the installed package files above name the build or install path: not relocatable"
    fi
}

# The template's cpu block (and Halide version) replaced with this
# machine's, as stridetune-tune would have written them here. Prints the
# tuned problems.
write_tuning_file() {
    local halide_version=$1 output=$2
    /usr/bin/python3 - "$source_dir/examples/consumer/tuning-template.json" "$output" \
        "$("$prefix/bin/stridetune-descriptor" --cpu-json)" "$halide_version" <<'EOF'
import json, sys
template, output, cpu, halide = sys.argv[1:]
tuning = json.load(open(template))
tuning["cpu"] = json.loads(cpu)
tuning["halide"] = halide
tuning["threads"] = tuning["cpu"]["cores"]
json.dump(tuning, open(output, "w"), indent=2)
print("\n".join(tuning["problems"]))
EOF
}

run_consumer() {
    local halide_version=$1
    local consumer_build=$work/consumer-build problems=$source_dir/examples/consumer/problems.txt
    local tuned
    tuned=$(write_tuning_file "$halide_version" "$work/tuning.json")
    cmake -S "$source_dir/examples/consumer" -B "$consumer_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
          -DCMAKE_PREFIX_PATH="$prefix" -DCONSUMER_TUNING_FILE="$work/tuning.json"
    cmake --build "$consumer_build" -j 2
    "$consumer_build/consumer" "$problems" | tee "$work/consumer.out" || fail "wrong results (check=FAILED above)"

    for problem in $tuned; do
        grep -q "^problem=$problem variant=consumer_convs_[^ ]* isa=[^ ]* check=ok reason=tuned" "$work/consumer.out" ||
            fail "$problem did not run the consumer's tuned kernel"
    done
    local runs picked_consumer autoscheduled
    runs=$(grep -c "^problem=" "$work/consumer.out")
    picked_consumer=$(grep " variant=consumer_convs_" "$work/consumer.out" | grep -vc " variant=consumer_convs_mullapudi2016_" || true)
    autoscheduled=$(grep -c " variant=consumer_convs_mullapudi2016_" "$work/consumer.out" || true)
    [ "$runs" -eq "$((2 * $(grep -c '^mb' "$problems")))" ] && [ "$autoscheduled" -eq "$((runs / 2))" ] ||
        fail "expected two runs a problem: the dispatcher's pick and the problem's mullapudi2016 kernel"
    [ "$picked_consumer" -eq "$(wc -w <<<"$tuned")" ] ||
        fail "the dispatcher picked a consumer kernel for a problem without tuning: the library's heuristic should"

    # Without CMake: the prebuilt kernels only, through stridetune.pc.
    local flags
    flags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs stridetune)
    # shellcheck disable=SC2086 # the flags are words
    c++ -O2 -o "$work/consumer-pkg-config" "$source_dir/examples/consumer/consumer.cpp" $flags
    "$work/consumer-pkg-config" "$problems" | tee "$work/consumer-pkg-config.out" ||
        fail "wrong results through pkg-config (check=FAILED above)"
    ! grep -q " variant=consumer_convs_" "$work/consumer-pkg-config.out" || fail "consumer kernels without linking them"
}

# configure_fails NAME EXPECTED ARGUMENTS...: a project calling
# stridetune_add_kernels(NAME ARGUMENTS...) must fail to configure with
# EXPECTED in its error.
configure_fails() {
    local name=$1 expected=$2 project=$work/$1
    shift 2
    mkdir -p "$project"
    printf '%s\n' 'cmake_minimum_required(VERSION 3.22)' "project($name LANGUAGES C CXX)" \
        'find_package(stridetune REQUIRED)' "stridetune_add_kernels($name $*)" >"$project/CMakeLists.txt"
    local log
    if log=$(cmake -S "$project" -B "$project/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" 2>&1); then
        fail "$name: configure succeeded"
    fi
    # CMake wraps the message's lines.
    log=$(tr -s ' \n' ' ' <<<"$log")
    grep -qF -- "$expected" <<<"$log" || fail "$name: the error does not say: $expected; it says: $log"
    echo "$name: fails as it should: $expected"
}

bad_problems() {
    configure_fails bad_descriptor 'stridetune_add_kernels(bad_descriptor): stridetune: descriptor "mb1ic3ih57oc16oh29kx3"' \
        'PROBLEMS "mb1ic64ih56oc128oh28kh3sh2ph1" "mb1ic3ih57oc16oh29kx3"'
    configure_fails grouped 'descriptor "g2mb1ic64ih56oc128oh28kh3sh2ph1": grouped convolution (g2)' \
        'PROBLEMS "g2mb1ic64ih56oc128oh28kh3sh2ph1"'
    printf 'mb1ic64ih56oc128oh28kh3sh2ph1\n\nmb1ic3ih57oc16\n' >"$work/bad_shapes.txt"
    configure_fails bad_file "$work/bad_shapes.txt:3: descriptor \"mb1ic3ih57oc16\"" \
        "PROBLEMS_FILE $work/bad_shapes.txt"
}

case $step in
    install) install_package ;;
    run) run_consumer "$3" ;;
    bad-problems) bad_problems ;;
    *) fail "unknown step $step (install, run, bad-problems)" ;;
esac
