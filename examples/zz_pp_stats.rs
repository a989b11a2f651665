//! Throwaway (not committed): per crate, what the pre-pass keeps, and whether it
//! changes the report under the default and a deliberately loose vocabulary.
use pairlint::config::Config;
use pairlint::discover::discover_paths;
use pairlint::engine::{lint_crate_with, RunOptions, SourceFile};
use pairlint::prefilter;
use pairlint::vocab::Vocabulary;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut compare = false;
    let mut loose = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--compare" => compare = true,
            "--loose" => loose = true,
            _ => paths.push(a.into()),
        }
    }
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if loose {
        let add = |e: &mut BTreeMap<String, Vec<String>>, k: &str, v: &[&str]| {
            e.insert(k.into(), v.iter().map(|s| s.to_string()).collect());
        };
        add(&mut extra, "identity_names", &["id", "key", "name", "ctx", "cx", "input", "value", "buf", "task"]);
        add(
            &mut extra,
            "output_calls",
            &["fmt", "push", "extend", "insert", "call", "poll", "wake", "map", "handle", "set", "put"],
        );
        add(&mut extra, "owner_fields", &["id", "key", "name", "value", "inner", "state", "len", "data"]);
        add(&mut extra, "timeout_words", &["drop", "close", "shutdown", "cancel", "clear", "reset", "flush"]);
        add(&mut extra, "release_calls", &["clear", "reset", "set", "store", "swap", "replace", "notify"]);
        add(&mut extra, "lock_flags", &["ready", "done", "closed", "open", "enabled", "active"]);
        add(&mut extra, "release_states", &["Empty", "None", "Init", "Idle", "Running", "Done", "Start"]);
        add(&mut extra, "check_calls", &["is_", "has_"]);
    }
    let vocab = Vocabulary::new(&extra);
    let d = discover_paths(&paths);
    let (mut files, mut kept, mut bytes, mut kept_bytes) = (0usize, 0usize, 0usize, 0usize);
    let (mut t_scan, mut t_select, mut t_lex) = (0f64, 0f64, 0f64);
    let (mut diffs, mut findings_total, mut supp_total) = (0usize, 0usize, 0usize);
    for unit in &d.crates {
        let srcs: Vec<SourceFile> = unit
            .files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok().map(|text| SourceFile { path: p.clone(), text }))
            .collect();
        let t = Instant::now();
        let scans: Vec<prefilter::Scan> = srcs.iter().map(|s| prefilter::scan(&s.text, &vocab)).collect();
        t_scan += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for s in &srcs {
            std::hint::black_box(pairlint::lexcheck::max_nesting(&s.text));
        }
        t_lex += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let refs: Vec<Option<&prefilter::Scan>> = scans.iter().map(Some).collect();
        let (keep, st) = prefilter::select_with_stats(&refs, &vocab);
        t_select += t.elapsed().as_secs_f64();
        let b: usize = srcs.iter().map(|s| s.text.len()).sum();
        let kb: usize = srcs.iter().zip(&keep).filter(|(_, &k)| k).map(|(s, _)| s.text.len()).sum();
        files += srcs.len();
        kept += st.kept;
        bytes += b;
        kept_bytes += kb;
        let mut line = format!(
            "{:<40} files {:>4} kept {:>4} bytes {:>9} kept {:>9} fns {:>6} sites-on-paths {:>5}",
            unit.name,
            srcs.len(),
            st.kept,
            b,
            kb,
            st.fns,
            st.sites_on_paths
        );
        if st.gave_up {
            line += " GAVE-UP";
        }
        if compare {
            let cfg = Config::default();
            let on = lint_crate_with(&srcs, &cfg, &vocab, &RunOptions { jobs: 2, prefilter: true, cache: None });
            let off = lint_crate_with(&srcs, &cfg, &vocab, &RunOptions { jobs: 2, prefilter: false, cache: None });
            let same =
                on.findings == off.findings && on.suppressed.len() == off.suppressed.len() && on.notes == off.notes;
            let errs_on: Vec<_> = on.errors.iter().filter(|e| !e.message.starts_with("could not parse")).collect();
            let errs_off: Vec<_> = off.errors.iter().filter(|e| !e.message.starts_with("could not parse")).collect();
            findings_total += off.findings.len();
            supp_total += off.suppressed.len();
            line += &format!(
                " findings {:>4} {}",
                off.findings.len(),
                if same && errs_on == errs_off { "same" } else { "DIFFERENT" }
            );
            if !(same && errs_on == errs_off) {
                diffs += 1;
                for f in off.findings.iter().filter(|f| !on.findings.contains(f)) {
                    line += &format!(
                        "\n   missing: {} {}:{} {}",
                        f.rule,
                        f.location.file.display(),
                        f.location.span.line,
                        f.message
                    );
                }
                for f in on.findings.iter().filter(|f| !off.findings.contains(f)) {
                    line += &format!(
                        "\n   extra:   {} {}:{} {}",
                        f.rule,
                        f.location.file.display(),
                        f.location.span.line,
                        f.message
                    );
                }
                if on.notes != off.notes {
                    line += &format!("\n   notes {:?} vs {:?}", on.notes, off.notes);
                }
            }
        }
        println!("{line}");
    }
    println!(
        "TOTAL files {files} kept {kept} ({:.1}% skipped) bytes {bytes} kept {kept_bytes} ({:.1}% skipped); scan {:.3}s (nesting-only lex {:.3}s) select {:.3}s (1 thread)",
        100.0 * (files - kept) as f64 / files as f64,
        100.0 * (bytes - kept_bytes) as f64 / bytes as f64,
        t_scan,
        t_lex,
        t_select
    );
    if compare {
        println!(
            "compare: {diffs} crates differ; {findings_total} findings, {supp_total} suppressed without the pre-pass"
        );
    }
}
