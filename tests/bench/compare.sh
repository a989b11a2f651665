#!/usr/bin/env bash
# Compare two pairlint binaries' cold runs over the 44-crate corpus (issue #11's speed
# criterion: within 1.3x of the commit before core v2):
#
#   bash tests/bench/compare.sh BASE_BIN NEW_BIN [RUNS]
#
# Runs `check --format json --no-cache -j 2` over the corpus directories
# (tests/corpus/out/runs.tsv, written by tests/corpus/run.sh) RUNS times (default 5),
# alternating the two binaries so that load on a shared machine falls on both, and
# prints the medians of wall time, user CPU and peak RSS, the findings count and the
# ratios NEW/BASE. Build the base with `git worktree add ../base REV --detach` and
# `cargo build --release` there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
A="$1"; B="$2"; N="${3:-5}"
mapfile -t DIRS < <(cut -f2 tests/corpus/out/runs.tsv)
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for _ in $(seq "$N"); do
  for w in A B; do
    bin=$A; [ "$w" = B ] && bin=$B
    /usr/bin/time -f "%e %U %M" -o "$OUT/t" "$bin" check --format json --no-cache -j 2 "${DIRS[@]}" >"$OUT/$w.json" 2>/dev/null || true
    tail -1 "$OUT/t" >>"$OUT/$w.tsv"
  done
done
python3 - "$OUT" <<'PY'
import json, statistics as st, sys
d = sys.argv[1]
med = {}
for w in "AB":
    rows = [list(map(float, l.split())) for l in open(f"{d}/{w}.tsv")]
    med[w] = [st.median(c) for c in zip(*rows)]
    n = len(json.load(open(f"{d}/{w}.json"))["findings"])
    print(f"{w}: wall {med[w][0]:.2f} s  user {med[w][1]:.2f} s  peak RSS {med[w][2] / 1024:.0f} MB  findings {n}")
print("ratio NEW/BASE: wall %.3f  CPU %.3f  RSS %.3f" % tuple(med["B"][i] / med["A"][i] for i in range(3)))
PY
