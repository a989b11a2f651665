//! Prints the IR listing of every body of a Rust file: `cargo run -p pairlint-syntax
//! --example lower_dump -- path/to/file.rs`. For reading what the lowering makes of
//! real code; the tests snapshot the same listing.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: lower_dump FILE.rs");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ir = match pairlint_syntax::lower::lower_text(&text) {
        Ok(ir) => ir,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    for body in &ir.bodies {
        println!("{body}");
    }
    match pairlint_syntax::lower::validate_file(&ir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("invalid IR: {e}");
            ExitCode::FAILURE
        }
    }
}
