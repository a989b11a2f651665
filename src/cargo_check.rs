//! `--with-cargo-check`: runs `cargo check --message-format=json` before pairlint, so
//! that one command (an editor's `check.overrideCommand`) yields both the compiler's
//! diagnostics and pairlint's. Only runs when the user asks: it builds the code, which
//! runs build scripts and proc macros.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// What `cargo check` produced.
#[derive(Debug)]
pub struct CargoCheck {
    /// Its JSON message lines (compiler messages, artifacts, build-script output),
    /// unchanged, without its `build-finished` line: the caller ends the stream.
    pub messages: Vec<String>,
    /// Its progress and error text (`Compiling ...`), for our stderr.
    pub stderr: String,
    /// Did the check succeed (exit status 0)?
    pub success: bool,
}

/// Runs `<cargo> check --message-format=json` in `cwd`. `cargo` is the `CARGO`
/// environment variable when set (cargo sets it for subcommands), else `cargo`.
/// `Err` when cargo could not be started.
pub fn run(cwd: &Path, cargo: Option<OsString>) -> Result<CargoCheck, String> {
    let cargo = cargo.unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["check", "--message-format=json"])
        .current_dir(cwd)
        .output()
        .map_err(|e| format!("cannot run `{} check`: {e}", cargo.to_string_lossy()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let messages = stdout
        .lines()
        .filter(|line| !is_build_finished(line))
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect();
    Ok(CargoCheck {
        messages,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    })
}

fn is_build_finished(line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .is_ok_and(|v| v.get("reason").and_then(|r| r.as_str()) == Some("build-finished"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cargo's own build-finished must be dropped, or the stream would end twice.
    #[test]
    fn recognises_build_finished_only() {
        assert!(is_build_finished(r#"{"reason":"build-finished","success":false}"#));
        assert!(!is_build_finished(r#"{"reason":"compiler-message","message":{}}"#));
        assert!(!is_build_finished("build-finished"));
    }
}
