//! The benchmark baseline: parse every file pairlint would lint with `syn::parse_file`
//! and nothing else, on the same number of threads. A syn-based linter cannot be
//! cheaper than this unless it parses less, which is what pairlint's pre-pass does.
//!
//! `cargo run --release --example parse_baseline -- [-j N] PATH...` prints
//! `files=<n> lines=<n> bytes=<n> parsed=<n> failed=<n> seconds=<s>`.

use pairlint::discover::discover_paths;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// The same allocator as the `cargo-pairlint` binary, so the baseline stays a fair
/// "plain syn parse" in the same build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-j" | "--jobs" => jobs = args.next().and_then(|n| n.parse().ok()).unwrap_or(jobs),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        eprintln!("usage: parse_baseline [-j N] PATH...");
        std::process::exit(2);
    }
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(pairlint::engine::WORKER_STACK_BYTES)
        .build()
        .expect("thread pool");
    // The same files pairlint lints: the same discovery, on the same number of threads.
    let discovery = pool.install(|| discover_paths(&paths));
    let files: Vec<PathBuf> = discovery.crates.into_iter().flat_map(|c| c.files).collect();
    let (lines, bytes, parsed, failed) = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let Ok(text) = std::fs::read_to_string(path) else {
                    return (0usize, 0usize, 0usize, 1usize);
                };
                let lines = text.lines().count();
                // Same guard as pairlint: syn would overflow the stack on hostile nesting.
                if pairlint::lexcheck::max_nesting(&text).0 > pairlint::lexcheck::NESTING_LIMIT {
                    return (lines, text.len(), 0, 1);
                }
                let ok = syn::parse_file(&text).is_ok();
                // Without this, proc-macro2's per-thread span table keeps every file's text.
                proc_macro2::extra::invalidate_current_thread_spans();
                (lines, text.len(), usize::from(ok), usize::from(!ok))
            })
            .reduce(|| (0, 0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3))
    });
    println!(
        "files={} lines={lines} bytes={bytes} parsed={parsed} failed={failed} seconds={:.3}",
        files.len(),
        start.elapsed().as_secs_f64()
    );
}
