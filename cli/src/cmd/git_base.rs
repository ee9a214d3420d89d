//! `chanx diff --base REF FILE`: FILE as committed at REF, with every file
//! it `$ref`s as it was at REF too.
//!
//! The whole tree of REF is extracted (`git archive | tar -x`) into a
//! temporary directory, removed when done: a `$ref` may reach any file of
//! the repository, and the loader reads files from disk. Nothing in the
//! repository (index, worktrees, refs) is touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// A temporary copy of the repository at one revision.
pub struct Checkout {
    dir: PathBuf,
    file: PathBuf,
    /// `REF:`, what paths inside `dir` are shown as.
    shown: String,
}

impl Checkout {
    /// Extracts the tree of `base` and finds `file` (a path in the working
    /// tree) in it.
    pub fn new(base: &str, file: &Path) -> anyhow::Result<Checkout> {
        let absolute = std::path::absolute(file)
            .with_context(|| format!("cannot resolve {}", file.display()))?;
        let here = absolute.parent().unwrap_or(Path::new("."));
        let top = git(here, &["rev-parse", "--show-toplevel"])
            .with_context(|| format!("{} is not in a git repository", file.display()))?;
        let top = PathBuf::from(top.trim());
        let top = top.canonicalize().unwrap_or(top);
        let directory = here
            .canonicalize()
            .with_context(|| format!("cannot read the directory of {}", file.display()))?;
        let relative = directory
            .strip_prefix(&top)
            .context("the file is outside its repository")?
            .join(absolute.file_name().context("FILE names no file")?);
        let commit = format!("{base}^{{commit}}");
        let Ok(revision) = git(&top, &["rev-parse", "--verify", "--quiet", &commit]) else {
            bail!("`{base}` is not a commit of the repository");
        };
        let revision = revision.trim().to_owned();
        let in_tree = format!("{revision}:{}", slashed(&relative));
        if git(&top, &["cat-file", "-e", &in_tree]).is_err() {
            bail!("{} does not exist at {base}", slashed(&relative));
        }

        let dir = std::env::temp_dir().join(format!(
            "chanx-diff-{}-{}",
            std::process::id(),
            revision.get(..12).unwrap_or(&revision)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).context("cannot make a temporary directory")?;
        let checkout = Checkout {
            file: dir.join(&relative),
            dir: dir.canonicalize().unwrap_or(dir),
            shown: format!("{base}:"),
        };
        checkout.extract(&top, &revision)?;
        Ok(checkout)
    }

    /// FILE inside the checkout.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// `text` with paths inside the checkout written `REF:path`.
    pub fn rename(&self, text: &str) -> String {
        let prefix = format!("{}/", self.dir.display());
        text.replace(&prefix, &self.shown)
    }

    fn extract(&self, top: &Path, revision: &str) -> anyhow::Result<()> {
        let mut archive = Command::new("git")
            .current_dir(top)
            .args(["archive", "--format=tar", revision])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run git")?;
        let stdout = archive.stdout.take().context("git archive has no output")?;
        let unpacked = Command::new("tar")
            .current_dir(&self.dir)
            .args(["-x", "-f", "-"])
            .stdin(stdout)
            .output()
            .context("cannot run tar")?;
        let archived = archive.wait_with_output().context("git archive failed")?;
        if !archived.status.success() {
            bail!(
                "git archive {revision}: {}",
                String::from_utf8_lossy(&archived.stderr).trim()
            );
        }
        if !unpacked.status.success() {
            bail!("tar: {}", String::from_utf8_lossy(&unpacked.stderr).trim());
        }
        Ok(())
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A path as git writes it in `REV:path`.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `git ARGS` in `dir`: its stdout, or an error with its stderr.
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
