#!/usr/bin/env bash
# The installed package, used the way a consumer uses it (docs/cmake.md, "Use
# it from your CMake project"). One step a ctest test:
#   install BUILD_DIR                 cmake --install into a prefix other than the
#                                     configured one (relocatable), no build paths in it
#   run BUILD_DIR                     examples/consumer built against it, with a tuning
#                                     file made by the installed tuner: every result
#                                     right, the tuned problem runs the consumer's own
#                                     kernel; the file tuned against other kernels
#                                     refused with a warning; the same program
#                                     linked through pkg-config
#   bad-problems BUILD_DIR            a bad descriptor fails the consumer's configure,
#                                     naming it
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

run_consumer() {
    local consumer_build=$work/consumer-build problems=$source_dir/examples/consumer/problems.txt
    # The first problem, tuned on this machine by the installed tuner: a short
    # run over two cheap candidates.
    local tuned
    tuned=$("$prefix/bin/stridetune-descriptor" --file "$problems" | head -n 1)
    "$prefix/bin/stridetune-tune" "$tuned" --budget 4 --no-autoschedulers --fresh -o "$work/tuning.json" \
        --candidates "direct channel_width=1 lanes=channels rows=2 x_width=4" "direct lanes=channels"
    # Unix Makefiles, the generator most users get: unlike Ninja, it makes no
    # folders for the kernels' outputs by itself.
    cmake -S "$source_dir/examples/consumer" -B "$consumer_build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
          -DCMAKE_PREFIX_PATH="$prefix" -DCONSUMER_TUNING_FILE="$work/tuning.json"
    cmake --build "$consumer_build" -j 2
    "$consumer_build/consumer" "$problems" | tee "$work/consumer.out" || fail "wrong results (check=FAILED above)"

    grep -q "^problem=$tuned variant=consumer_convs_[^ ]* isa=[^ ]* check=ok reason=tuned" "$work/consumer.out" ||
        fail "$tuned did not run the consumer's tuned kernel"
    local runs picked_consumer autoscheduled
    runs=$(grep -c "^problem=" "$work/consumer.out")
    picked_consumer=$(grep " variant=consumer_convs_" "$work/consumer.out" | grep -vc " variant=consumer_convs_mullapudi2016_" || true)
    autoscheduled=$(grep -c " variant=consumer_convs_mullapudi2016_" "$work/consumer.out" || true)
    [ "$runs" -eq "$((2 * $(grep -c '^mb' "$problems")))" ] && [ "$autoscheduled" -eq "$((runs / 2))" ] ||
        fail "expected two runs a problem: the dispatcher's pick and the problem's mullapudi2016 kernel"
    [ "$picked_consumer" -eq 1 ] ||
        fail "the dispatcher picked a consumer kernel for a problem without tuning: the library's heuristic should"

    # The same file tuned against other kernels: a warning and no tuned
    # kernels, not an error.
    sed 's/"kernels": "[^"]*"/"kernels": "0000000000000000"/' "$work/tuning.json" >"$work/stale.json"
    local log
    log=$(cmake -S "$source_dir/examples/consumer" -B "$work/stale-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
              -DCONSUMER_TUNING_FILE="$work/stale.json" 2>&1) || fail "a stale tuning file failed the configure: $log"
    log=$(tr -s ' \n' ' ' <<<"$log")
    grep -qF "tuned against other kernels (0000000000000000" <<<"$log" || fail "a stale tuning file applied: $log"

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
    # SCHEDULES takes the table's autoscheduled kernels only: a hand schedule already runs every size.
    configure_fails hand_schedule "unknown schedule 'direct_pixels' (expected adams2019 or mullapudi2016)" \
        'PROBLEMS "mb1ic64ih56oc128oh28kh3sh2ph1" SCHEDULES direct_pixels'
    printf 'mb1ic64ih56oc128oh28kh3sh2ph1\n\nmb1ic3ih57oc16\n' >"$work/bad_shapes.txt"
    configure_fails bad_file "$work/bad_shapes.txt:3: descriptor \"mb1ic3ih57oc16\"" \
        "PROBLEMS_FILE $work/bad_shapes.txt"
}

case $step in
    install) install_package ;;
    run) run_consumer ;;
    bad-problems) bad_problems ;;
    *) fail "unknown step $step (install, run, bad-problems)" ;;
esac
