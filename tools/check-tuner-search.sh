#!/usr/bin/env bash
# How good is the tuner's pick within its default budget? On three small
# problems whose whole space can be enumerated, compares it with the best of
# an exhaustive search, and prints a markdown table (section tuner-search of
# docs/tuning.md: tools/update-doc-section.py docs/tuning.md tuner-search --
# tools/check-tuner-search.sh, as tools/update-doc-numbers.sh runs it).
#  1. each problem alone, in a fresh process, default budget: the pick;
#  2. all three in one process with --exhaustive: the best of every candidate;
#  3. where they differ, the two re-measured interleaved in one run.
# About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
tune=build/stridetune-tune
[ -x "$tune" ] || { echo "check-tuner-search: build $tune first (cmake --build build --target stridetune-tune)" >&2; exit 1; }
dir=build/tuner-search
mkdir -p "$dir"
problems=('mb1ic3ih64oc5kh4sh2n"small_pixels"' 'mb1ic32ih28oc64kh3sh2ph1n"small_channels"'
          'mb1ic64ih28oc128kh1sh2n"small_pointwise"')

# FILE NAME: the entry of the problem named NAME.
entry='import json, sys
p = next(p for p in json.load(open(sys.argv[1]))["problems"].values() if p["name"] == sys.argv[2])
spell = lambda c: (c["generator"] + " " + c["parameters"]).strip()'
winner() {  # FILE NAME: "generator parameters" of its winner
  /usr/bin/python3 -c "$entry"'
print(spell(p["winner"]))' "$1" "$2"
}
median_of() {  # FILE NAME CONFIG: the median ms of CONFIG among its winner and runners-up
  /usr/bin/python3 -c "$entry"'
print(next(c["median_ms"] for c in [p["winner"]] + p["runners_up"] if spell(c) == sys.argv[3]))' "$1" "$2" "$3"
}

start=$SECONDS
for i in "${!problems[@]}"; do
  "$tune" "${problems[$i]}" --fresh --output "$dir/default-$i.json" 2>"$dir/default-$i.log"
done
default_seconds=$(( (SECONDS - start) / ${#problems[@]} ))
# One process: candidates compiled for one problem serve the others.
"$tune" "${problems[@]}" --fresh --exhaustive --output "$dir/exhaustive.json" 2>"$dir/exhaustive.log"

echo "The tuner's pick within its default budget (each problem alone, in a fresh process: ${default_seconds} s a"
echo "problem on average) against the best of an exhaustive search of the same space; where they differ, the two"
echo "re-measured interleaved in one run (median ms)."
echo
echo "| problem | pick (default budget) | exhaustive best | pick ms | best ms | pick / best |"
echo "|---|---|---|---:|---:|---:|"
for i in "${!problems[@]}"; do
  name=${problems[$i]#*n\"}; name=${name%\"}
  pick=$(winner "$dir/default-$i.json" "$name")
  best=$(winner "$dir/exhaustive.json" "$name")
  if [ "$pick" = "$best" ]; then
    pick_ms=$(median_of "$dir/exhaustive.json" "$name" "$best"); best_ms=$pick_ms
  else
    "$tune" "${problems[$i]}" --fresh --exhaustive --candidates "$pick" "$best" \
        --output "$dir/duel-$i.json" 2>"$dir/duel-$i.log"
    pick_ms=$(median_of "$dir/duel-$i.json" "$name" "$pick"); best_ms=$(median_of "$dir/duel-$i.json" "$name" "$best")
  fi
  /usr/bin/python3 -c 'import sys; n,p,b,pm,bm=sys.argv[1:]; print(f"| {n} | `{p}` | `{b}` | {float(pm):.4f} | {float(bm):.4f} | {float(pm)/float(bm):.2f} |")' \
      "$name" "$pick" "$best" "$pick_ms" "$best_ms"
done
