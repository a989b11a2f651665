//! Prints what analysis core v2 sees in the given files (one crate): each body's IR,
//! then the takes and outputs the rules read. A development aid:
//! `cargo run --example flows -- fixtures/PL001/pos_static_queue.rs`.

use pairlint::extract::extract_file;
use pairlint::flows::CrateFlows;
use pairlint::vocab::Vocabulary;
use std::path::PathBuf;

fn main() {
    let vocab = Vocabulary::default();
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let mut facts = Vec::new();
    for path in &paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                std::process::exit(2);
            }
        };
        match extract_file(path, &text, &vocab) {
            Ok(f) => facts.push(f),
            Err(e) => {
                eprintln!("{}:{}:{}: {}", e.file.display(), e.line, e.column, e.message);
                std::process::exit(2);
            }
        }
    }
    let refs: Vec<_> = facts.iter().collect();
    for f in &facts {
        for body in &f.ir.bodies {
            println!("{body}");
        }
    }
    let flows = CrateFlows::new(&refs, &vocab);
    for flow in &flows.fns {
        println!(
            "== {} (file {}, {}) identity {:?}",
            flow.name,
            flow.file,
            flow.body,
            flow.identity.as_ref().map(|i| &i.1)
        );
        for (i, t) in flow.takes.iter().enumerate() {
            println!(
                "  take {i}: {:?} {} line {} typed={} user_bound={} miss_of={:?}",
                t.how,
                t.coll,
                t.span.line,
                t.typed,
                t.user_bound,
                t.on_miss_of.as_ref().map(|m| m.0.line)
            );
        }
        for s in &flow.sinks {
            println!("  sink line {}: {} items {:?}", s.span.line, s.what, s.items);
        }
    }
}
