#!/bin/bash
# stridetune-tune --shard I/N splits a problem list among machines, and
# merge joins their files: shards 1/2 and 2/2 of three problems tune the
# first and third, and the second; merged, all three. A bad shard is an
# error naming the flag, and writes nothing.
# usage: tuner_shards_test.sh STRIDETUNE_TUNE WORK_DIR
set -euo pipefail
tune=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
problems=("mb1ic3ih9oc4kh3ph1n\"first\"" "mb1ic4ih9oc4kh3ph1n\"second\"" "mb1ic5ih9oc4kh3ph1n\"third\"")
keys=(mb1ic3ih9iw9oc4oh9ow9kh3kw3sh1sw1ph1pw1dh0dw0 mb1ic4ih9iw9oc4oh9ow9kh3kw3sh1sw1ph1pw1dh0dw0
      mb1ic5ih9iw9oc4oh9ow9kh3kw3sh1sw1ph1pw1dh0dw0)
run() {
    "$tune" "${problems[@]}" --budget 1 --no-autoschedulers --candidates "direct lanes=pixels" --fresh "$@"
}
# The problem keys a tuning file holds, sorted.
held() {
    grep -o '"mb[^"]*": {' "$1" | cut -d'"' -f2 | sort | tr '\n' ' '
}
expect() {
    if [[ "$2" != "$3" ]]; then
        echo "FAIL: $1: expected [$3], got [$2]" >&2
        exit 1
    fi
}

run --shard 1/2 -o "$work/shard1.json"
run --shard 2/2 -o "$work/shard2.json"
expect "shard 1/2" "$(held "$work/shard1.json")" "${keys[0]} ${keys[2]} "
expect "shard 2/2" "$(held "$work/shard2.json")" "${keys[1]} "
"$tune" merge "$work/shard1.json" "$work/shard2.json" -o "$work/merged.json"
expect "merged" "$(held "$work/merged.json")" "${keys[0]} ${keys[1]} ${keys[2]} "

for bad in 3/2 0/2 2 1/0 x/y; do
    if run --shard "$bad" -o "$work/bad.json" 2>"$work/err.txt"; then
        echo "FAIL: --shard $bad was accepted" >&2
        exit 1
    fi
    grep -q -- "--shard $bad" "$work/err.txt" || { echo "FAIL: --shard $bad: $(cat "$work/err.txt")" >&2; exit 1; }
    [[ ! -e "$work/bad.json" ]] || { echo "FAIL: --shard $bad wrote a file" >&2; exit 1; }
done
echo "shards and merge: ok"
