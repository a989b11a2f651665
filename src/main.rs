//! The `cargo-pairlint` binary: hands argv to the library and exits with its code.

/// mimalloc instead of glibc malloc: a cold run makes millions of small, short-lived
/// allocations (syn trees, facts) on several threads; see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let code = pairlint::cli::run(std::env::args_os().collect(), &cwd, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
