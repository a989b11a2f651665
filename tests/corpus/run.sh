#!/usr/bin/env bash
# Lint a reproducible real-world corpus with pairlint (issue "Precision on real code").
#
#   bash tests/corpus/run.sh           vendor, build, lint every direct dependency of
#                                      tests/corpus/Cargo.toml, write out/findings.json
#                                      and print a summary
#   bash tests/corpus/run.sh --check   the same, then fail (exit 1) if the finding counts
#                                      differ from the `counts:` line of TRIAGE.md
#
# Exit 0 even when there are findings; non-zero only when vendoring or the build fails,
# pairlint crashes (an exit code other than 0/1/2, or output that is not JSON), or
# --check finds a difference. pairlint's exit 2 for parse errors is expected: the errors
# are recorded, not fatal.
#
# Needs: cargo (with access to crates.io the first time), python3.
set -euo pipefail

CHECK=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    -h | --help)
      sed -n '2,14p' "$0"
      exit 0
      ;;
    *)
      echo "run.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CORPUS=tests/corpus
VENDOR="$CORPUS/vendor"
OUT="$CORPUS/out"
mkdir -p "$OUT/raw"

now() { date +%s.%N; }
T0=$(now)

echo "== vendoring (cargo vendor --versioned-dirs)" >&2
# --locked: the committed Cargo.lock is the corpus; never re-resolve silently.
cargo vendor --locked --versioned-dirs --manifest-path "$CORPUS/Cargo.toml" "$VENDOR" >"$OUT/vendor.log" 2>&1 || {
  cat "$OUT/vendor.log" >&2
  echo "run.sh: cargo vendor failed" >&2
  exit 1
}
T1=$(now)

echo "== building pairlint (release)" >&2
cargo build --release --quiet
T2=$(now)

BIN="$ROOT/target/release/cargo-pairlint"

# The direct dependencies and their vendored directories (name-version).
mapfile -t CRATES < <(python3 - "$CORPUS/Cargo.toml" "$VENDOR" <<'EOF'
import os, re, sys, tomllib
manifest, vendor = sys.argv[1], sys.argv[2]
with open(manifest, "rb") as f:
    deps = tomllib.load(f)["dependencies"]
for name, spec in deps.items():
    version = spec if isinstance(spec, str) else spec["version"]
    m = re.fullmatch(r"=\s*(\S+)", version.strip())
    if not m:
        sys.exit(f"run.sh: dependency {name} is not pinned with '=x.y.z': {version!r}")
    pkg = spec.get("package", name) if isinstance(spec, dict) else name
    d = os.path.join(vendor, f"{pkg}-{m.group(1)}")
    if not os.path.isfile(os.path.join(d, "Cargo.toml")):
        sys.exit(f"run.sh: vendored directory missing for {name}: {d}")
    print(f"{pkg}\t{d}")
EOF
)

echo "== linting ${#CRATES[@]} crates" >&2
: >"$OUT/runs.tsv"
for entry in "${CRATES[@]}"; do
  name="${entry%%$'\t'*}"
  dir="${entry#*$'\t'}"
  start=$(now)
  set +e
  "$BIN" --format json --color never "$dir" >"$OUT/raw/$name.json" 2>"$OUT/raw/$name.stderr"
  rc=$?
  set -e
  end=$(now)
  secs=$(python3 -c "print(f'{$end - $start:.2f}')")
  printf '%s\t%s\t%s\t%s\n' "$name" "$dir" "$rc" "$secs" >>"$OUT/runs.tsv"
  printf '  %-22s exit %s  %7ss\n' "$name" "$rc" "$secs" >&2
  if [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 2 ]]; then
    cat "$OUT/raw/$name.stderr" >&2
    echo "run.sh: pairlint crashed on $dir (exit $rc)" >&2
    exit 1
  fi
done
T3=$(now)

python3 - "$OUT" "$VENDOR" "$CORPUS/TRIAGE.md" "$CHECK" "$T0" "$T1" "$T2" "$T3" <<'EOF'
import json, os, re, sys
out, vendor, triage, check = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
t0, t1, t2, t3 = map(float, sys.argv[5:9])
RULES = ["PL001", "PL002", "PL003", "PL004"]

def rs_files(root):
    """The .rs files under a crate directory, skipping target/ and hidden entries."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "target")
        for fn in sorted(filenames):
            if fn.endswith(".rs") and not fn.startswith("."):
                yield os.path.join(dirpath, fn)

def rel(path, crate_dir):
    p = os.path.abspath(path)
    c = os.path.abspath(crate_dir)
    return os.path.relpath(p, c) if p.startswith(c + os.sep) else p

crates = []
with open(os.path.join(out, "runs.tsv")) as f:
    runs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
for name, d, rc, secs in runs:
    raw = os.path.join(out, "raw", f"{name}.json")
    try:
        with open(raw) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"run.sh: pairlint output for {name} is not JSON ({e}); see {raw}")
    lines = nbytes = nfiles = 0
    for p in rs_files(d):
        with open(p, "rb") as fh:
            data = fh.read()
        nfiles += 1
        nbytes += len(data)
        lines += data.count(b"\n")
    crates.append({
        "crate": name,
        "dir": os.path.basename(d),
        "exit_code": int(rc),
        "seconds": float(secs),
        "files": doc["summary"]["files"],
        "rs_files_on_disk": nfiles,
        "lines": lines,
        "bytes": nbytes,
        "suppressed": doc["summary"].get("suppressed", 0),
        "findings": [
            {
                "rule": x["rule"],
                "file": rel(x["file"], d),
                "line": x["line"],
                "column": x.get("column"),
                "message": x["message"],
                "labels": [
                    {"file": rel(l["file"], d), "line": l["line"], "message": l["message"]}
                    for l in x.get("labels", [])
                ],
            }
            for x in doc["findings"]
        ],
        "errors": [
            {"file": rel(e["file"], d), "line": e.get("line"), "column": e.get("column"), "message": e["message"]}
            for e in doc["errors"]
        ],
    })

by_rule = {r: 0 for r in RULES}
for c in crates:
    for x in c["findings"]:
        by_rule[x["rule"]] = by_rule.get(x["rule"], 0) + 1
total = sum(by_rule.values())
counts_line = "counts: total=%d %s" % (total, " ".join(f"{r}={by_rule[r]}" for r in sorted(by_rule)))
summary = {
    "crates": len(crates),
    "files": sum(c["files"] for c in crates),
    "rs_files_on_disk": sum(c["rs_files_on_disk"] for c in crates),
    "lines": sum(c["lines"] for c in crates),
    "bytes": sum(c["bytes"] for c in crates),
    "findings": total,
    "findings_by_rule": by_rule,
    "parse_errors": sum(len(c["errors"]) for c in crates),
    "seconds": {"vendor": round(t1 - t0, 2), "build": round(t2 - t1, 2), "lint": round(t3 - t2, 2),
                "total": round(t3 - t0, 2)},
    "counts_line": counts_line,
}
with open(os.path.join(out, "findings.json"), "w") as f:
    json.dump({"summary": summary, "crates": crates}, f, indent=2)
    f.write("\n")

print(f"{'crate':<22} {'files':>6} {'lines':>8} {'secs':>8} {'find':>5} {'errs':>5}")
for c in crates:
    print(f"{c['crate']:<22} {c['files']:>6} {c['lines']:>8} {c['seconds']:>8.2f} {len(c['findings']):>5} {len(c['errors']):>5}")
print()
print(f"crates: {summary['crates']}  files: {summary['files']} linted ({summary['rs_files_on_disk']} .rs on disk)  "
      f"lines: {summary['lines']}  MB: {summary['bytes'] / 1e6:.1f}")
print("findings: " + ", ".join(f"{r} {n}" for r, n in by_rule.items()) + f" (total {total})")
print(f"parse errors: {summary['parse_errors']}")
for c in crates:
    for e in c["errors"]:
        print(f"  {c['dir']}/{e['file']}:{e['line']}: {e['message']}")
s = summary["seconds"]
print(f"time: vendor {s['vendor']}s, build {s['build']}s, lint {s['lint']}s, total {s['total']}s")
print(counts_line)
print(f"written: {os.path.join(out, 'findings.json')}")

if check:
    try:
        with open(triage) as f:
            text = f.read()
    except OSError as e:
        sys.exit(f"run.sh --check: cannot read {triage}: {e}")
    m = re.search(r"^counts:\s*(.*)$", text, re.M)
    if not m:
        sys.exit(f"run.sh --check: no 'counts:' line in {triage}")
    recorded = dict(kv.split("=", 1) for kv in m.group(1).split())
    actual = dict(kv.split("=", 1) for kv in counts_line[len("counts: "):].split())
    if recorded != actual:
        print(f"run.sh --check: MISMATCH\n  {triage}: counts: {m.group(1).strip()}\n  this run:   {counts_line}",
              file=sys.stderr)
        sys.exit(1)
    # Zero findings mean nothing if nothing was linted: every crate must have been
    # linted, without a discovery or parse error (a crate cargo refuses to describe is
    # an error, not a clean result).
    unlinted = [c["crate"] for c in crates if c["files"] == 0 or c["errors"]]
    if unlinted:
        print(f"run.sh --check: {len(unlinted)} crates not (fully) linted: {', '.join(unlinted)}", file=sys.stderr)
        sys.exit(1)
    print(f"run.sh --check: counts match {triage}; all {len(crates)} crates linted, {summary['files']} files")
EOF
