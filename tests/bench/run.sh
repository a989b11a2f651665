#!/usr/bin/env bash
# pairlint benchmark (issue "Scale and hardness"). Prints, in one run:
#   corpus files, lines, MB; pairlint cold time; a plain syn parse of the same files on
#   the same thread count (examples/parse_baseline.rs) and the ratio; warm-cache time
#   and the time after touching one file; 1 vs 2 threads; peak RSS; and, when
#   installed, Semgrep and ast-grep running a pop_front-in-a-requester-fn rule.
#
#   bash tests/bench/run.sh                 the direct dependencies of tests/corpus
#                                           (vendored with `cargo vendor` if needed)
#   bash tests/bench/run.sh DIR...          any directories instead
#   RUNS=5 JOBS=2 bash tests/bench/run.sh   runs per figure (median), worker threads
#   INSTALL_TOOLS=1 bash tests/bench/run.sh installs semgrep (pip) and ast-grep (npm, into
#                                           target/bench/npm)
#   FULL=0 bash tests/bench/run.sh          skips the whole-vendored-tree memory run
#                                           (8 M lines, about a minute)
#
# Also: one generated file of 100k and 400k lines (tests/bench/gen_large.py), timed
# against a syn parse of it, to show a large file lints in seconds and time is linear.
#
# Each figure is the median of RUNS runs. Vendored files touched for the "one file
# edited" figure are restored on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-3}"
JOBS="${JOBS:-$(nproc)}"
WORK="$ROOT/target/bench"
mkdir -p "$WORK"

# ---- corpus -------------------------------------------------------------------------
DIRS=()
if [ $# -gt 0 ]; then
  for d in "$@"; do DIRS+=("$(cd "$d" && pwd)"); done
else
  CORPUS=tests/corpus
  VENDOR="$CORPUS/vendor"
  if [ ! -d "$VENDOR" ]; then
    echo "== vendoring the corpus (cargo vendor)" >&2
    cargo vendor --locked --versioned-dirs --manifest-path "$CORPUS/Cargo.toml" "$VENDOR" >"$WORK/vendor.log" 2>&1
  fi
  mapfile -t DIRS < <(python3 - "$CORPUS/Cargo.toml" "$ROOT/$VENDOR" <<'EOF'
import os, re, sys, tomllib
manifest, vendor = sys.argv[1], sys.argv[2]
deps = tomllib.load(open(manifest, "rb"))["dependencies"]
for name, spec in deps.items():
    version = spec if isinstance(spec, str) else spec["version"]
    pkg = spec.get("package", name) if isinstance(spec, dict) else name
    version = re.sub(r"^=\s*", "", version.strip())
    print(os.path.join(vendor, f"{pkg}-{version}"))
EOF
  )
fi

echo "== building (release)" >&2
cargo build --release --quiet --bin cargo-pairlint --example parse_baseline
BIN="$ROOT/target/release/cargo-pairlint"
BASE="$ROOT/target/release/examples/parse_baseline"
if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (peak RSS)" >&2
  (apt-get update -qq && apt-get install -y -qq time) >/dev/null
fi

# ---- helpers ------------------------------------------------------------------------
# timed OUT CMD...: runs CMD in $WORK (cache in $WORK/target), appends "seconds rss_kb" to OUT.
export CARGO_TARGET_DIR="$WORK/target"
timed() {
  local out="$1"
  shift
  (cd "$WORK" && /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt") || {
    local code=$?
    # pairlint exits 1 (findings) or 2 (files it could not lint) on real code: fine.
    if [ "$code" -gt 2 ]; then
      cat "$WORK/stderr.txt" >&2
      echo "bench: $* failed with exit $code" >&2
      exit 1
    fi
  }
  tail -1 "$WORK/time.txt" >>"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$1" '{print $c}' "$2" | median; }
maxcol() { awk -v c="$1" '{print $c}' "$2" | sort -n | tail -1; }
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }

LINT=("$BIN" check --format json)
clear_cache() { rm -rf "$WORK/target/pairlint"; }

# ---- runs ---------------------------------------------------------------------------
rm -f "$WORK"/*.tsv
echo "== corpus: ${#DIRS[@]} directories; $RUNS runs per figure, $JOBS threads" >&2
for _ in $(seq "$RUNS"); do
  timed "$WORK/base.tsv" "$BASE" -j "$JOBS" "${DIRS[@]}"
  cp "$WORK/stdout.txt" "$WORK/base.txt"
  timed "$WORK/cold.tsv" "${LINT[@]}" --no-cache -j "$JOBS" "${DIRS[@]}"
  cp "$WORK/stdout.txt" "$WORK/cold.json"
  timed "$WORK/j1.tsv" "${LINT[@]}" --no-cache -j 1 "${DIRS[@]}"
  clear_cache
  timed "$WORK/fill.tsv" "${LINT[@]}" -j "$JOBS" "${DIRS[@]}"
  timed "$WORK/warm.tsv" "${LINT[@]}" -j "$JOBS" "${DIRS[@]}"
  cp "$WORK/stdout.txt" "$WORK/warm.json"
done

# One file edited: a comment appended to the largest .rs file of the first directory.
TOUCHED="$(find "${DIRS[0]}" -name '*.rs' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
cp "$TOUCHED" "$WORK/touched.orig"
trap 'cp "$WORK/touched.orig" "$TOUCHED"' EXIT
for i in $(seq "$RUNS"); do
  printf '\n// bench edit %s %s\n' "$i" "$(date +%s%N)" >>"$TOUCHED"
  timed "$WORK/touch.tsv" "${LINT[@]}" -j "$JOBS" "${DIRS[@]}"
done
cp "$WORK/touched.orig" "$TOUCHED"

# ---- one large generated file: lints in seconds, time linear in its size ------------
python3 tests/bench/gen_large.py 100000 "$WORK/large1.rs" >/dev/null
python3 tests/bench/gen_large.py 400000 "$WORK/large4.rs" >/dev/null
for _ in $(seq "$RUNS"); do
  for n in 1 4; do
    timed "$WORK/large$n.tsv" "${LINT[@]}" --no-cache -j "$JOBS" "$WORK/large$n.rs"
    timed "$WORK/large${n}base.tsv" "$BASE" -j "$JOBS" "$WORK/large$n.rs"
  done
done

# ---- memory as the corpus grows: the whole vendored tree (FULL=0 skips it) ------------
if [ "${FULL:-1}" = 1 ] && [ $# -eq 0 ]; then
  timed "$WORK/full.tsv" "${LINT[@]}" --no-cache -j "$JOBS" "$ROOT/$VENDOR"
  timed "$WORK/fullbase.tsv" "$BASE" -j "$JOBS" "$ROOT/$VENDOR"
  cp "$WORK/stdout.txt" "$WORK/fullbase.txt"
fi

# ---- other tools --------------------------------------------------------------------
if [ "${INSTALL_TOOLS:-0}" = 1 ]; then
  command -v semgrep >/dev/null || pip install -q semgrep || true
  # A local prefix: a global install would clash with /usr/bin/sg (shadow-utils).
  command -v ast-grep >/dev/null || npm install --silent --prefix "$WORK/npm" @ast-grep/cli >/dev/null || true
fi
export PATH="$PATH:$WORK/npm/node_modules/.bin"
cat >"$WORK/semgrep.yml" <<'EOF'
rules:
  - id: pop-front-for-requester
    languages: [rust]
    severity: ERROR
    message: an item taken from the head of a queue is handed to a requester
    patterns:
      - pattern-inside: |
          fn $F(..., $WHO: $T, ...) -> $R { ... }
      - metavariable-regex:
          metavariable: $WHO
          regex: (user|card|ticket|session|requester|applicant|customer|req|cmd)
      - pattern: $Q.pop_front()
EOF
cat >"$WORK/ast-grep.yml" <<'EOF'
id: pop-front-for-requester
language: rust
severity: error
message: an item taken from the head of a queue is handed to a requester
rule:
  pattern: $Q.pop_front()
  inside:
    kind: function_item
    stopBy: end
    has:
      field: parameters
      regex: (user|card|ticket|session|requester|applicant|customer|req|cmd)
EOF
if command -v semgrep >/dev/null; then
  for _ in $(seq "$RUNS"); do
    timed "$WORK/semgrep.tsv" semgrep scan --config "$WORK/semgrep.yml" --metrics=off --disable-version-check \
      --jobs "$JOBS" --quiet --json --max-target-bytes 0 --timeout 0 "${DIRS[@]}"
  done
  SEMGREP_HITS=$(python3 -c "import json;print(len(json.load(open('$WORK/stdout.txt'))['results']))")
fi
if command -v ast-grep >/dev/null; then
  for _ in $(seq "$RUNS"); do
    timed "$WORK/astgrep.tsv" ast-grep scan --rule "$WORK/ast-grep.yml" --json=compact --threads "$JOBS" "${DIRS[@]}"
  done
  ASTGREP_HITS=$(python3 -c "import json;print(len(json.load(open('$WORK/stdout.txt'))))")
fi

# ---- report -------------------------------------------------------------------------
read -r FILES LINES BYTES < <(sed -E 's/.*files=([0-9]+) lines=([0-9]+) bytes=([0-9]+).*/\1 \2 \3/' "$WORK/base.txt")
COLD=$(col 1 "$WORK/cold.tsv")
BASEL=$(col 1 "$WORK/base.tsv")
FILL=$(col 1 "$WORK/fill.tsv")
WARM=$(col 1 "$WORK/warm.tsv")
TOUCH=$(col 1 "$WORK/touch.tsv")
J1=$(col 1 "$WORK/j1.tsv")
RSS=$(maxcol 2 "$WORK/cold.tsv")
RSS_BASE=$(maxcol 2 "$WORK/base.tsv")
same() { python3 -c "
import json,sys
a,b=(json.load(open(p)) for p in sys.argv[1:3])
print('identical' if a['findings']==b['findings'] else 'DIFFERENT')" "$1" "$2"; }
verdict() { python3 -c "print('met' if $1 else 'MISSED')"; }

echo
echo "pairlint benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, JOBS=$JOBS, median of $RUNS runs"
printf 'corpus                         %s files, %s lines, %.1f MB (%s directories)\n' "$FILES" "$LINES" "$(python3 -c "print($BYTES/1e6)")" "${#DIRS[@]}"
printf 'syn parse baseline             %8.2f s   peak RSS %4d MB\n' "$BASEL" "$((RSS_BASE / 1024))"
printf 'pairlint cold (--no-cache)     %8.2f s   peak RSS %4d MB   ratio to baseline %s  (target <= 0.5: %s)\n' \
  "$COLD" "$((RSS / 1024))" "$(ratio "$COLD" "$BASEL")" "$(verdict "$COLD <= 0.5 * $BASEL")"
printf 'pairlint cold, filling cache   %8.2f s\n' "$FILL"
printf 'pairlint warm cache            %8.2f s   ratio to cold %s  (target <= 0.05: %s; findings %s)\n' \
  "$WARM" "$(ratio "$WARM" "$COLD")" "$(verdict "$WARM <= 0.05 * $COLD")" "$(same "$WORK/cold.json" "$WORK/warm.json")"
printf 'after editing one file         %8.2f s   ratio to cold %s  (%s)\n' "$TOUCH" "$(ratio "$TOUCH" "$COLD")" "${TOUCHED#"$ROOT"/}"
printf '1 thread vs %s                  %8.2f s   speed-up %s  (target >= 1.7: %s)\n' \
  "$JOBS" "$J1" "$(ratio "$J1" "$COLD")" "$(verdict "$J1 >= 1.7 * $COLD")"
printf 'peak RSS (cold)                %8d MB  (target < 300: %s)\n' "$((RSS / 1024))" "$(verdict "$RSS < 300 * 1024")"
L1=$(col 1 "$WORK/large1.tsv"); L4=$(col 1 "$WORK/large4.tsv")
B1=$(col 1 "$WORK/large1base.tsv"); B4=$(col 1 "$WORK/large4base.tsv")
printf 'one generated file, 100k lines  %7.2f s   peak RSS %4d MB   (syn parse alone %.2f s, %d MB)\n' \
  "$L1" "$(($(maxcol 2 "$WORK/large1.tsv") / 1024))" "$B1" "$(($(maxcol 2 "$WORK/large1base.tsv") / 1024))"
printf 'one generated file, 400k lines  %7.2f s   peak RSS %4d MB   (syn parse alone %.2f s, %d MB)\n' \
  "$L4" "$(($(maxcol 2 "$WORK/large4.tsv") / 1024))" "$B4" "$(($(maxcol 2 "$WORK/large4base.tsv") / 1024))"
printf '  4x the lines: pairlint %sx the time, syn parse %sx (linear: about 4)\n' "$(ratio "$L4" "$L1")" "$(ratio "$B4" "$B1")"
if [ -f "$WORK/full.tsv" ]; then
  read -r FF FL FB < <(sed -E 's/.*files=([0-9]+) lines=([0-9]+) bytes=([0-9]+).*/\1 \2 \3/' "$WORK/fullbase.txt")
  printf 'whole vendored tree             %s files, %s lines, %.0f MB: pairlint %.1f s, peak RSS %d MB; syn parse %.1f s, %d MB\n' \
    "$FF" "$FL" "$(python3 -c "print($FB/1e6)")" "$(col 1 "$WORK/full.tsv")" "$(($(maxcol 2 "$WORK/full.tsv") / 1024))" \
    "$(col 1 "$WORK/fullbase.tsv")" "$(($(maxcol 2 "$WORK/fullbase.tsv") / 1024))"
  printf '  peak RSS, corpus %d MB -> whole tree %d MB  (target < 300 and flat: %s)\n' "$((RSS / 1024))" \
    "$(($(maxcol 2 "$WORK/full.tsv") / 1024))" "$(verdict "$(maxcol 2 "$WORK/full.tsv") < 300 * 1024")"
fi
# other_tool NAME TSV HITS: one comparison line, or how to get the tool.
other_tool() {
  if [ -f "$2" ]; then
    local t
    t=$(col 1 "$2")
    printf '%-30s %8.2f s   %s hits; pairlint faster by %sx  (target >= 5: %s)\n' \
      "$1 (pop_front rule)" "$t" "$3" "$(ratio "$t" "$COLD")" "$(verdict "$t >= 5 * $COLD")"
  else
    printf '%-30s not installed (INSTALL_TOOLS=1 installs it)\n' "$1"
  fi
}
other_tool semgrep "$WORK/semgrep.tsv" "${SEMGREP_HITS:-}"
other_tool ast-grep "$WORK/astgrep.tsv" "${ASTGREP_HITS:-}"
