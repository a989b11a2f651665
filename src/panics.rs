//! Panics inside the analysis become reports, not crashes and not stderr noise.
//!
//! [`catch`] runs a closure under `catch_unwind` with a thread-local flag set; the
//! process-wide panic hook (installed once, wrapping whatever hook was there) stays
//! silent while the flag is set and records the message and location instead. Panics
//! anywhere else (a test's failed assertion) still reach the previous hook unchanged.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) > 0 {
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_string());
                let message = match info.location() {
                    Some(loc) => format!("{payload} (at {}:{})", loc.file(), loc.line()),
                    None => payload,
                };
                LAST.with(|l| *l.borrow_mut() = Some(message));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message)` (the panic's payload and where it
/// happened in pairlint's source) without printing anything.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    result.map_err(|_| LAST.with(|l| l.borrow_mut().take()).unwrap_or_else(|| "unknown panic".to_string()))
}

/// Test-only fault injection: under debug builds, `PAIRLINT_INJECT_PANIC=<substring>`
/// makes the extraction of any file whose path contains the substring panic, so tests
/// can prove one crashing file does not lose the others' findings. Compiled out of
/// release builds.
pub fn maybe_inject(path: &std::path::Path) {
    #[cfg(debug_assertions)]
    if let Some(needle) = std::env::var_os("PAIRLINT_INJECT_PANIC") {
        let needle = needle.to_string_lossy();
        if !needle.is_empty() && path.to_string_lossy().contains(needle.as_ref()) {
            panic!("injected panic for {}", path.display());
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    // The report must carry the panic's payload, or nobody can fix the bug behind it.
    #[test]
    fn catch_returns_payload_and_location() {
        let err = catch(|| -> u32 { panic!("boom {}", 42) }).unwrap_err();
        assert!(err.starts_with("boom 42 (at src/panics.rs:"), "{err}");
        assert_eq!(catch(|| 7).unwrap(), 7);
    }
}
