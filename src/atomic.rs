//! Every file pairlint writes goes through [`write_atomic`]: the bytes go to a temporary
//! file in the same directory, which is then renamed over the target. A reader (another
//! pairlint run, a CI step) sees the old file or the new one, never half of one, even
//! if pairlint is killed mid-write or two runs write the same file at once.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temp file + fsync + rename); the directory must
/// exist. The temporary file is removed if anything fails.
/// A symlink at `path` is followed (the link survives, its target changes), and an
/// existing file keeps its permissions: this is for files the user names (baselines,
/// sources rewritten by `--add-suppressions`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    write(&resolved, bytes, true)
}

/// [`write_atomic`] without the fsync: readers still see the old file or the new one,
/// never half of one, but after a power loss the new file may be empty. For caches,
/// whose readers validate every entry and rebuild a bad one; an fsync per entry would
/// cost more than the cache saves. A symlink at `path` is replaced, never followed: a
/// link planted in a cache directory cannot redirect the write elsewhere.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write(path, bytes, false)
}

fn write(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The cache makes its own directories; a user-named file in a missing directory
    // is more likely a typo, so it is an error.
    if !sync {
        std::fs::create_dir_all(&dir)?;
    }
    // A hidden temp file in the target's own directory (a rename across file systems
    // would not be atomic); tempfile picks an unused name and removes the file if
    // anything below fails (it is deleted on drop unless persisted).
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    // An existing file keeps its permissions (a symlink's are not looked through);
    // a new one gets the usual 0644-under-umask, not tempfile's private 0600.
    match std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()) {
        Some(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        None => set_default_permissions(tmp.as_file())?,
    }
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

#[cfg(unix)]
fn set_default_permissions(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // umask is process-wide and cannot be read without setting it; 0644 is what a
    // plain create gives under the common umask 022.
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_default_permissions(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The rename must replace an existing file and leave no temporary behind.
    #[test]
    fn replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/entry.json");
        assert!(write_atomic(&target, b"old").is_err(), "a user-named file needs its directory");
        write_atomic_unsynced(&target, b"old").unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the target remains");
    }

    // Rewriting through a symlink must keep the link and change its target.
    #[cfg(unix)]
    #[test]
    fn symlink_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        write_atomic(&target, b"one").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"two").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        // The cache's writer replaces a planted link instead of writing through it.
        write_atomic_unsynced(&link, b"three").unwrap();
        assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
    }

    // A failed write (the target is a directory) must not leave litter either.
    #[test]
    fn failure_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("is_a_dir");
        std::fs::create_dir(&target).unwrap();
        assert!(write_atomic(&target, b"x").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
