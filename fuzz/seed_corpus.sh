#!/usr/bin/env bash
# Builds the fuzz seed corpus (fuzz/corpus/lint/, git-ignored) from the fixtures and the
# reference service, plus multi-file seeds joined with the target's file separator.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/lint
mkdir -p "$out"
n=0
for f in $(find fixtures crates/pairlint-reference/src -name '*.rs' | sort); do
  cp "$f" "$out/seed-$(printf %03d $n).rs"
  n=$((n + 1))
done
# Fixture mini-crates as one input each: files joined by the separator line.
for d in $(find fixtures -mindepth 2 -maxdepth 2 -type d | sort); do
  first=1
  for f in $(find "$d" -name '*.rs' | sort); do
    if [ $first = 0 ]; then printf '\n//--- next file\n'; fi
    cat "$f"
    first=0
  done >"$out/crate-$(printf %03d $n).rs"
  n=$((n + 1))
done
echo "seeded $n inputs in $out"
