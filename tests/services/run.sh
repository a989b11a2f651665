#!/usr/bin/env bash
# Lint a corpus of real multi-user services with pairlint (issue #12).
#
#   bash tests/services/run.sh                       vendor the crates.io services of
#                                                    services.toml, build pairlint, lint
#                                                    every crate of every service, write
#                                                    out/findings.json and out/summary.txt
#   bash tests/services/run.sh --git-mirrors DIR     also extract each [[snapshot]] of
#                                                    services.toml (exact commits) from the
#                                                    bare git mirrors under DIR into git/,
#                                                    and lint them (not reproducible in CI:
#                                                    the mirrors come from outside)
#   bash tests/services/run.sh --only NAME[,NAME]    lint only these services / snapshots
#   bash tests/services/run.sh --check               then fail (exit 1) if the counts over
#                                                    the crates.io targets differ from the
#                                                    `counts:` line of SERVICES.md
#
# The summary gives, per service: files linted, lines, findings per rule; and for each
# known bug of services.toml ([[bug]]): whether a finding points into its function
# ("found"), only into its file ("file"), or nowhere ("missed").
#
# Not part of `cargo test` or CI: the first run downloads ~2.5 GB of crates. Exit 0 even
# when there are findings; non-zero only when vendoring or the build fails, or pairlint
# crashes (an exit code other than 0/1/2, or output that is not JSON).
#
# Needs: cargo (with access to crates.io the first time), python3 >= 3.11, git and tar
# for --git-mirrors.
set -euo pipefail

MIRRORS=""
ONLY=""
CHECK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --git-mirrors) MIRRORS="$(cd "$2" && pwd)"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --check) CHECK=1; shift ;;
    -h | --help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SVC=tests/services
VENDOR="$SVC/vendor"
GITDIR="$SVC/git"
OUT="$SVC/out"
rm -rf "$OUT"
mkdir -p "$OUT/raw" "$GITDIR"

now() { date +%s.%N; }
T0=$(now)

# The targets to lint: "service<TAB>crate-or-snapshot<TAB>directory", and the manifests.
python3 - "$SVC" "$VENDOR" "$GITDIR" "$ONLY" >"$OUT/targets.tsv" <<'EOF'
import os, re, sys, tomllib
svc, vendor, gitdir, only = sys.argv[1:5]
only = set(filter(None, only.split(",")))
with open(os.path.join(svc, "services.toml"), "rb") as f:
    doc = tomllib.load(f)
for name, s in doc["service"].items():
    manifest = os.path.join(svc, "manifests", name, "Cargo.toml")
    with open(manifest, "rb") as f:
        deps = tomllib.load(f)["dependencies"]
    pinned = {}
    for dep, spec in deps.items():
        version = spec if isinstance(spec, str) else spec["version"]
        m = re.fullmatch(r"=\s*(\S+)", version.strip())
        if not m:
            sys.exit(f"run.sh: {manifest}: {dep} is not pinned with '=x.y.z': {version!r}")
        pinned[dep] = m.group(1)
    listed = dict(c.split("@", 1) for c in s["crates"])
    if listed != pinned:
        sys.exit(f"run.sh: services.toml [service.{name}] crates {listed} differ from {manifest} {pinned}")
    if only and name not in only:
        continue
    for crate, version in listed.items():
        print(f"{name}\t{crate}@{version}\t{os.path.join(vendor, f'{crate}-{version}')}")
for snap in doc.get("snapshot", []):
    if only and snap["name"] not in only and snap["service"] not in only:
        continue
    print(f"{snap['service']}\t{snap['name']}\t{os.path.join(gitdir, snap['name'])}")
EOF

echo "== vendoring the crates.io services (cargo vendor --locked --versioned-dirs)" >&2
mapfile -t MANIFESTS < <(ls "$SVC"/manifests/*/Cargo.toml)
SYNC=()
for m in "${MANIFESTS[@]:1}"; do SYNC+=(-s "$m"); done
# --locked: each service's committed Cargo.lock is the corpus; never re-resolve silently.
cargo vendor --locked --versioned-dirs --manifest-path "${MANIFESTS[0]}" "${SYNC[@]}" "$VENDOR" \
  >"$OUT/vendor.log" 2>&1 || {
  tail -30 "$OUT/vendor.log" >&2
  echo "run.sh: cargo vendor failed" >&2
  exit 1
}
T1=$(now)

if [[ -n "$MIRRORS" ]]; then
  echo "== extracting git snapshots from $MIRRORS" >&2
  python3 - "$SVC" "$GITDIR" "$MIRRORS" "$ONLY" <<'EOF'
import os, subprocess, sys, tomllib
svc, gitdir, mirrors, only = sys.argv[1:5]
only = set(filter(None, only.split(",")))
with open(os.path.join(svc, "services.toml"), "rb") as f:
    doc = tomllib.load(f)
for snap in doc.get("snapshot", []):
    if only and snap["name"] not in only and snap["service"] not in only:
        continue
    dest = os.path.join(gitdir, snap["name"])
    stamp = os.path.join(dest, ".pairlint-commit")
    if os.path.isfile(stamp) and open(stamp).read().strip() == snap["commit"]:
        continue
    owner, repo = snap["repo"].split("/")
    candidates = [os.path.join(mirrors, f"{owner}+{repo}", "repo"), os.path.join(mirrors, f"{owner}+{repo}"),
                  os.path.join(mirrors, f"{repo}.git"), os.path.join(mirrors, repo)]
    mirror = next((c for c in candidates if os.path.isdir(c) and
                   subprocess.run(["git", "--git-dir", c, "cat-file", "-e", snap["commit"] + "^{commit}"],
                                  capture_output=True).returncode == 0), None)
    if mirror is None:
        print(f"  {snap['name']}: commit {snap['commit']} not in any mirror under {mirrors} (looked in "
              f"{', '.join(candidates)}); skipped", file=sys.stderr)
        continue
    subprocess.run(["rm", "-rf", dest], check=True)
    os.makedirs(dest)
    archive = subprocess.Popen(["git", "--git-dir", mirror, "archive", snap["commit"]], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", dest], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        sys.exit(f"run.sh: git archive {snap['commit']} failed in {mirror}")
    with open(stamp, "w") as f:
        f.write(snap["commit"] + "\n")
    print(f"  {snap['name']}: {snap['repo']}@{snap['commit'][:12]} -> {dest}", file=sys.stderr)
EOF
fi

echo "== building pairlint (release)" >&2
cargo build --release --quiet
T2=$(now)
BIN="$ROOT/target/release/cargo-pairlint"

echo "== linting" >&2
: >"$OUT/runs.tsv"
while IFS=$'\t' read -r service target dir; do
  if [[ ! -d "$dir" ]]; then
    printf '%s\t%s\t%s\t%s\t%s\n' "$service" "$target" "$dir" "absent" "0" >>"$OUT/runs.tsv"
    printf '  %-16s %-34s absent (run with --git-mirrors)\n' "$service" "$target" >&2
    continue
  fi
  raw="$OUT/raw/${target//[@\/]/_}"
  start=$(now)
  set +e
  "$BIN" --format json --color never "$dir" >"$raw.json" 2>"$raw.stderr"
  rc=$?
  set -e
  end=$(now)
  secs=$(python3 -c "print(f'{$end - $start:.2f}')")
  printf '%s\t%s\t%s\t%s\t%s\n' "$service" "$target" "$dir" "$rc" "$secs" >>"$OUT/runs.tsv"
  printf '  %-16s %-34s exit %s %7ss\n' "$service" "$target" "$rc" "$secs" >&2
  if [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 2 ]]; then
    cat "$raw.stderr" >&2
    echo "run.sh: pairlint crashed on $dir (exit $rc)" >&2
    exit 1
  fi
done <"$OUT/targets.tsv"
T3=$(now)

set +e
python3 - "$SVC" "$OUT" "$T0" "$T1" "$T2" "$T3" "$CHECK" "$ONLY" <<'EOF' | tee "$OUT/summary.txt"
import json, os, re, sys, tomllib
svc, out = sys.argv[1], sys.argv[2]
t0, t1, t2, t3 = map(float, sys.argv[3:7])
check, only = sys.argv[7] == "1", sys.argv[8]
RULES = ["PL001", "PL002", "PL003", "PL004"]
with open(os.path.join(svc, "services.toml"), "rb") as f:
    doc = tomllib.load(f)

def rs_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "target")
        for fn in sorted(filenames):
            if fn.endswith(".rs"):
                yield os.path.join(dirpath, fn)

def rel(path, d):
    p, c = os.path.abspath(path), os.path.abspath(d)
    return os.path.relpath(p, c) if p.startswith(c + os.sep) else p

def fn_span(path, name):
    """Lines (first, last) of `fn name`'s body, by brace matching from its signature.
    Approximate: braces inside strings, chars and comments are counted too."""
    try:
        text = open(path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None
    start = 0
    if "::" in name:  # Type::fn: the fn after the first `impl .. Type` / `for Type`
        ty, name = name.rsplit("::", 1)
        t = re.search(r"\b(impl|for)\b[^{;]*?\b" + re.escape(ty) + r"\b[^{;]*\{", text)
        if not t:
            return None
        start = t.end()
    m = re.compile(r"\bfn\s+" + re.escape(name) + r"\b").search(text, start)
    if not m:
        return None
    i = text.find("{", m.end())
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text.count("\n", 0, m.start()) + 1, text.count("\n", 0, j) + 1
    return None

targets = []
with open(os.path.join(out, "runs.tsv")) as f:
    for line in f:
        service, target, d, rc, secs = line.rstrip("\n").split("\t")
        t = {"service": service, "target": target, "dir": d, "exit_code": rc, "seconds": float(secs),
             "files": 0, "lines": 0, "findings": [], "errors": []}
        if rc != "absent":
            raw = os.path.join(out, "raw", target.replace("@", "_").replace("/", "_") + ".json")
            try:
                with open(raw) as fh:
                    res = json.load(fh)
            except (OSError, ValueError) as e:
                sys.exit(f"run.sh: pairlint output for {target} is not JSON ({e}); see {raw}")
            t["files"] = res["summary"]["files"]
            t["lines"] = sum(open(p, "rb").read().count(b"\n") for p in rs_files(d))
            t["findings"] = [{"rule": x["rule"], "file": rel(x["file"], d), "line": x["line"],
                              "message": x["message"],
                              "labels": [{"file": rel(l["file"], d), "line": l["line"], "message": l["message"]}
                                         for l in x.get("labels", [])]} for x in res["findings"]]
            t["errors"] = [{"file": rel(e["file"], d), "line": e.get("line"), "message": e["message"]}
                           for e in res["errors"]]
        targets.append(t)

bugs = []
for b in doc.get("bug", []):
    t = next((t for t in targets if t["target"] == b["target"]), None)
    r = dict(b)
    if t is None or t["exit_code"] == "absent":
        r["result"] = "not linted"
    else:
        span = fn_span(os.path.join(t["dir"], b["file"]), b["function"]) if b.get("function") else None
        in_file = [x for x in t["findings"] if x["file"] == b["file"]]
        in_fn = [x for x in in_file if span and span[0] <= x["line"] <= span[1]]
        r["function_lines"] = list(span) if span else None
        r["findings_in_function"] = in_fn
        r["result"] = "found" if in_fn else ("file" if in_file else "missed")
    # The post-fix target should have no finding in the same function.
    f = next((t for t in targets if t["target"] == b.get("fixed_in")), None)
    if f is None or f["exit_code"] == "absent":
        r["post_fix"] = "not linted"
    else:
        span = fn_span(os.path.join(f["dir"], b["file"]), b["function"]) if b.get("function") else None
        left = [x for x in f["findings"] if x["file"] == b["file"] and span and span[0] <= x["line"] <= span[1]]
        r["post_fix"] = "still flagged" if left else "clean"
    bugs.append(r)

by_rule = {r: 0 for r in RULES}
for t in targets:
    for x in t["findings"]:
        by_rule[x["rule"]] = by_rule.get(x["rule"], 0) + 1
services = {}
for t in targets:
    s = services.setdefault(t["service"], {"targets": 0, "files": 0, "lines": 0, "findings": {r: 0 for r in RULES},
                                           "errors": 0})
    s["targets"] += 1
    s["files"] += t["files"]
    s["lines"] += t["lines"]
    s["errors"] += len(t["errors"])
    for x in t["findings"]:
        s["findings"][x["rule"]] += 1
summary = {
    "services": len(services), "targets": len(targets),
    "linted": sum(t["exit_code"] != "absent" for t in targets),
    "files": sum(t["files"] for t in targets), "lines": sum(t["lines"] for t in targets),
    "findings": sum(by_rule.values()), "findings_by_rule": by_rule,
    "parse_errors": sum(len(t["errors"]) for t in targets),
    "known_bugs": {k: sum(b["result"] == k for b in bugs) for k in ("found", "file", "missed", "not linted")},
    "seconds": {"vendor": round(t1 - t0, 2), "build": round(t2 - t1, 2), "lint": round(t3 - t2, 2),
                "total": round(t3 - t0, 2)},
}
with open(os.path.join(out, "findings.json"), "w") as f:
    json.dump({"summary": summary, "services": services, "targets": targets, "known_bugs": bugs}, f, indent=2)
    f.write("\n")

print(f"{'service':<16} {'crates':>6} {'files':>6} {'lines':>8} " + " ".join(f"{r:>5}" for r in RULES) + f" {'errs':>5}")
for name, s in services.items():
    print(f"{name:<16} {s['targets']:>6} {s['files']:>6} {s['lines']:>8} "
          + " ".join(f"{s['findings'][r]:>5}" for r in RULES) + f" {s['errors']:>5}")
print()
print(f"services: {summary['services']}  targets: {summary['linted']}/{summary['targets']} linted  "
      f"files: {summary['files']}  lines: {summary['lines']}")
print("findings: " + ", ".join(f"{r} {n}" for r, n in by_rule.items()) + f" (total {summary['findings']})")
print(f"parse errors: {summary['parse_errors']}")
for t in targets:
    for e in t["errors"]:
        print(f"  {t['target']}/{e['file']}:{e['line']}: {e['message']}")
for t in targets:
    for x in t["findings"]:
        print(f"  {x['rule']} {t['target']}/{x['file']}:{x['line']}: {x['message']}")
print("known bugs:")
for b in bugs:
    where = f"{b['file']}::{b.get('function', '?')}"
    print(f"  {b['result']:<10} {b['id']:<30} {b['target']:<24} {where}  (post-fix {b.get('fixed_in')}: {b['post_fix']})")
print("known bugs: " + ", ".join(f"{k} {n}" for k, n in summary["known_bugs"].items()))
s = summary["seconds"]
print(f"time: vendor {s['vendor']}s, build {s['build']}s, lint {s['lint']}s, total {s['total']}s")
print(f"written: {os.path.join(out, 'findings.json')}")

# The regression line: crates.io targets only (the snapshots need mirrors CI lacks).
cio = [t for t in targets if "@" in t["target"]]
cio_rules = {r: sum(x["rule"] == r for t in cio for x in t["findings"]) for r in RULES}
cio_bugs = [b for b in bugs if "@" in b["target"]]
counts_line = ("counts: total=%d " % sum(cio_rules.values()) + " ".join(f"{r}={n}" for r, n in cio_rules.items())
               + " bugs_found=%d/%d" % (sum(b["result"] == "found" for b in cio_bugs), len(cio_bugs)))
print(counts_line)
if check:
    if only:
        sys.exit("run.sh --check: not with --only (the counts cover every crates.io service)")
    text = open(os.path.join(svc, "SERVICES.md")).read()
    m = re.search(r"^counts:.*$", text, re.M)
    if not m:
        sys.exit("run.sh --check: no 'counts:' line in SERVICES.md")
    if m.group(0).strip() != counts_line:
        sys.exit(f"run.sh --check: MISMATCH\n  SERVICES.md: {m.group(0).strip()}\n  this run:    {counts_line}")
    unlinted = [t["target"] for t in cio if t["exit_code"] == "absent" or t["files"] == 0 or t["errors"]]
    if unlinted:
        sys.exit(f"run.sh --check: not (fully) linted: {', '.join(unlinted)}")
    print(f"run.sh --check: counts match SERVICES.md; all {len(cio)} crates.io targets linted")
EOF
rc=${PIPESTATUS[0]}
set -e
exit "$rc"
