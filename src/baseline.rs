//! Baselines (`--baseline`, `--write-baseline`): a file of known findings that later
//! runs leave out, so CI can gate on new problems only. Findings are fingerprinted
//! by rule, file, enclosing item and the normalized code of the primary span's lines,
//! never by line numbers, so edits elsewhere in a file keep a finding baselined.

use crate::engine::Report;
use crate::finding::Finding;
use crate::output::path_string;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The baseline format this pairlint reads and writes.
pub const VERSION: u32 = 1;

/// Baseline files larger than this are refused rather than read into memory.
const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint {
    pub rule: String,
    /// With `/` separators, relative to the workspace root (as reported).
    pub file: String,
    pub item: String,
    pub code: String,
}

/// One baseline entry: a fingerprint and how many findings share it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    pub item: String,
    pub code: String,
    pub count: u64,
}

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    /// The pairlint version that wrote the file (informational).
    pub pairlint: String,
    pub findings: Vec<Entry>,
}

/// `text` with every run of whitespace turned into one space, trimmed.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of a finding, using the linted texts for its code. The code is
/// the whole line(s) the primary span is on, not just the span: some primary spans
/// are as short as `pop_front()`, which would not notice `self.queue` becoming
/// `self.other_queue` on the same line.
pub fn fingerprint(finding: &Finding, sources: &BTreeMap<std::path::PathBuf, String>) -> Fingerprint {
    let span = finding.location.span;
    let text = sources.get(&finding.location.file).map(String::as_str).unwrap_or("");
    let first = span.line.saturating_sub(1) as usize;
    let last = span.end_line.max(span.line).saturating_sub(1) as usize;
    let lines: Vec<&str> = text.lines().skip(first).take(last - first + 1).collect();
    Fingerprint {
        rule: finding.rule.to_string(),
        file: path_string(&finding.location.file),
        item: finding.item.clone(),
        code: normalize(&lines.join("\n")),
    }
}

/// The baseline recording every finding of `report`.
pub fn from_report(report: &Report) -> Baseline {
    let mut counts: BTreeMap<Fingerprint, u64> = BTreeMap::new();
    for f in &report.findings {
        *counts.entry(fingerprint(f, &report.sources)).or_default() += 1;
    }
    Baseline {
        version: VERSION,
        pairlint: env!("CARGO_PKG_VERSION").to_string(),
        findings: counts
            .into_iter()
            .map(|(fp, count)| Entry { rule: fp.rule, file: fp.file, item: fp.item, code: fp.code, count })
            .collect(),
    }
}

/// Parses a baseline. Errors name the position (line:column) serde_json reports.
pub fn parse(text: &str) -> Result<Baseline, String> {
    let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "not a pairlint baseline",
            serde_json::error::Category::Io => "unreadable",
        };
        format!("{}:{}: {what}: {e}", e.line(), e.column())
    })?;
    if baseline.version != VERSION {
        return Err(format!(
            "unsupported baseline version {} (this pairlint reads version {VERSION}; re-create it with --write-baseline)",
            baseline.version
        ));
    }
    Ok(baseline)
}

/// Reads and parses a baseline file; the error names the file.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("baseline {shown}: cannot read: {e}"))?;
    if meta.len() > MAX_BASELINE_BYTES {
        return Err(format!(
            "baseline {shown}: {} bytes is larger than the {MAX_BASELINE_BYTES} bytes pairlint reads",
            meta.len()
        ));
    }
    let text = crate::engine::read_source(path).map_err(|e| format!("baseline {shown}: {e}"))?;
    parse(&text).map_err(|e| format!("baseline {shown}:{e}"))
}

/// Writes `baseline` to `path` atomically: a temporary file in the same directory,
/// then a rename, so a reader (or a crash) never sees half a file.
pub fn save(baseline: &Baseline, path: &Path) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(baseline).map_err(|e| format!("baseline {}: {e}", path.display()))?;
    text.push('\n');
    crate::atomic::write_atomic(path, text.as_bytes())
        .map_err(|e| format!("baseline {}: cannot write: {e}", path.display()))
}

/// Moves the findings `baseline` records out of `report.findings`, one per recorded
/// occurrence, and sets `report.baselined`. A finding beyond its recorded count (a
/// second copy of a baselined line) is still reported.
pub fn apply(report: &mut Report, baseline: &Baseline) {
    let mut remaining: BTreeMap<Fingerprint, u64> = BTreeMap::new();
    for e in &baseline.findings {
        let fp = Fingerprint { rule: e.rule.clone(), file: e.file.clone(), item: e.item.clone(), code: e.code.clone() };
        let slot = remaining.entry(fp).or_default();
        *slot = slot.saturating_add(e.count);
    }
    let mut baselined = 0;
    let findings = std::mem::take(&mut report.findings);
    for f in findings {
        match remaining.get_mut(&fingerprint(&f, &report.sources)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                baselined += 1;
            }
            _ => report.findings.push(f),
        }
    }
    report.baselined = Some(report.baselined.unwrap_or(0) + baselined);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_whitespace_runs() {
        assert_eq!(normalize("  self.queue\n        .pop_front( )\t"), "self.queue .pop_front( )");
    }

    #[test]
    fn parse_errors_name_the_position() {
        let e = parse("{\"version\":1,\n\"pairlint\":\"0.1.0\",\n\"findings\":[").unwrap_err();
        assert!(e.starts_with("3:12: truncated JSON"), "{e}");
        let e = parse("{\"version\":1,\"pairlint\":\"x\",\"findings\":[{\"rule\":1}]}").unwrap_err();
        assert!(e.contains("not a pairlint baseline") && e.starts_with("1:"), "{e}");
        let e = parse("{\"version\":2,\"pairlint\":\"x\",\"findings\":[]}").unwrap_err();
        assert!(e.contains("unsupported baseline version 2"), "{e}");
        // serde_json's recursion limit turns a hostile nesting into an error, not a crash.
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
    }
}
