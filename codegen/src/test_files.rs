//! The documents unit tests read: the repository's, and the shared corpus
//! beside it where it is present; and the directories they write in.

use std::path::{Path, PathBuf};

/// Every file under the repository's `dirs` (from its root; one that is
/// missing is skipped) whose extension is one of `extensions`, sorted.
pub(crate) fn under(dirs: &[&str], extensions: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = dirs.iter().map(|dir| root.join(dir)).collect();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A directory of this test process's own under the system's temporary
/// directory (`chanx-NAME-PID`), created; the test removes it when done.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanx-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The next number of a xorshift sequence (Marsaglia's 13, 7, 17): the
/// tests' seeded randomness, the same on every machine.
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
