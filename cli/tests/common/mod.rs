//! Running the `chanx` binary from the repository root, as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

pub fn chanx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chanx"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .expect("the binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
