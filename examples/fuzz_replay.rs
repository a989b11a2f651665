//! Runs files through the fuzz target's checks on stable Rust, without libFuzzer:
//! `cargo run --example fuzz_replay -- fuzz/corpus/lint fuzz/artifacts/lint` replays a
//! corpus or crash artifacts (files or directories). Exits 1 if any input panics.

use std::path::PathBuf;

fn main() {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&path)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.path().to_path_buf())
                .collect();
            found.sort();
            inputs.extend(found);
        } else {
            inputs.push(path);
        }
    }
    let mut failed = 0;
    for input in &inputs {
        let Ok(data) = std::fs::read(input) else { continue };
        if std::panic::catch_unwind(|| pairlint::fuzzing::check_bytes(&data)).is_err() {
            eprintln!("FAILED: {}", input.display());
            failed += 1;
        }
    }
    println!("replayed {} inputs, {failed} failed", inputs.len());
    std::process::exit(i32::from(failed > 0));
}
