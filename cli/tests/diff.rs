//! The `chanx diff` binary: exit codes, `--allow`, JSON output and `--base`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{chanx, text};

/// `chanx diff tests/diff/<case>/old.yaml tests/diff/<case>/new.yaml EXTRA...`.
fn diff_case(case: &str, extra: &[&str]) -> Output {
    let old = format!("tests/diff/{case}/old.yaml");
    let new = format!("tests/diff/{case}/new.yaml");
    let mut args = vec!["diff", old.as_str(), new.as_str()];
    args.extend_from_slice(extra);
    chanx(&args)
}

#[test]
fn safe_changes_exit_zero() {
    let out = diff_case("client-optional-field-added", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("tests/diff/client-optional-field-added/new.yaml:76:15: safe: "));
    assert!(
        stdout.ends_with(
            "new.yaml: 1 change: 0 breaking for clients, 0 breaking for servers, 1 safe\n"
        )
    );
}

#[test]
fn unchanged_documents_exit_zero() {
    let out = diff_case("rewritten", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout)
            .ends_with(": 0 changes: 0 breaking for clients, 0 breaking for servers, 0 safe\n")
    );
}

#[test]
fn breaking_changes_exit_one_unless_their_side_is_allowed() {
    // Breaks clients only.
    assert_eq!(
        diff_case("client-field-required", &[]).status.code(),
        Some(1)
    );
    let allowed = diff_case("client-field-required", &["--allow", "client"]);
    assert_eq!(allowed.status.code(), Some(0));
    assert!(text(&allowed.stdout).ends_with("1 breaking for clients, 0 breaking for servers, 0 safe (breaking changes of the --allow'ed sides accepted)\n"));
    assert_eq!(
        diff_case("client-field-required", &["--allow", "server"])
            .status
            .code(),
        Some(1)
    );
    // Breaks servers only.
    assert_eq!(
        diff_case("server-field-required", &[]).status.code(),
        Some(1)
    );
    assert_eq!(
        diff_case("server-field-required", &["--allow", "server"])
            .status
            .code(),
        Some(0)
    );
    // Breaks both: one side allowed is not enough.
    assert_eq!(
        diff_case("address-changed", &["--allow", "client"])
            .status
            .code(),
        Some(1)
    );
    let both = diff_case(
        "address-changed",
        &["--allow", "client", "--allow", "server"],
    );
    assert_eq!(both.status.code(), Some(0));
    assert!(text(&both.stdout).starts_with(
        "tests/diff/address-changed/new.yaml:7:14: breaking for clients and servers: channel orders: "
    ));
}

#[test]
fn json_lists_each_change_with_both_locations() {
    let out = diff_case("server-enum-value-added", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(report["breaking"], true);
    assert_eq!(report["summary"]["breaking_clients"], 1);
    let change = &report["changes"][0];
    assert_eq!(change["kind"], "value-added");
    assert_eq!(change["breaks"]["clients"], true);
    assert_eq!(change["breaks"]["servers"], false);
    assert_eq!(change["channel"], "orders");
    assert_eq!(change["message"], "status");
    assert_eq!(change["direction"], "server-to-client");
    assert_eq!(change["path"], "payload.state");
    assert_eq!(change["shift"], "looser");
    let old = &change["old"];
    assert_eq!(old["file"], "tests/diff/server-enum-value-added/old.yaml");
    assert_eq!(
        old["pointer"],
        "/components/schemas/Status/properties/payload/properties/state"
    );
    assert_eq!(
        (old["line"].as_u64(), old["col"].as_u64()),
        (Some(100), Some(15))
    );
    assert_eq!(
        change["new"]["file"],
        "tests/diff/server-enum-value-added/new.yaml"
    );
    assert!(
        change["reason"]
            .as_str()
            .unwrap()
            .starts_with("\"cancelled\" now accepted: ")
    );
}

#[test]
fn a_document_that_cannot_be_loaded_exits_one_with_its_problems() {
    let out = chanx(&["diff", "tests/broken/dangling-ref.yaml", "specs/chat.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error[ref-not-found]: ")
            && stderr.contains(" --> tests/broken/dangling-ref.yaml:25:15\n"),
        "{stderr}"
    );
    assert_eq!(
        text(&out.stdout),
        "tests/broken/dangling-ref.yaml: invalid (1 error, 0 warnings)\n"
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(chanx(&["diff", "specs/chat.yaml"]).status.code(), Some(2));
    let two_with_base = chanx(&["diff", "--base", "HEAD", "a.yaml", "b.yaml"]);
    assert_eq!(two_with_base.status.code(), Some(2));
    assert_eq!(
        chanx(&["diff", "--allow", "nobody", "a.yaml", "b.yaml"])
            .status
            .code(),
        Some(2)
    );
}

/// A scratch git repository, removed when dropped.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("chanx-diff-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo(dir);
        repo.git(&["init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .current_dir(&self.0)
            .args([
                "-c",
                "user.name=chanx",
                "-c",
                "user.email=chanx@example.com",
            ])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    /// Copies `tests/diff/<case>/<from>` to `<to>` in the repository.
    fn copy(&self, case: &str, from: &str, to: &str) {
        let source = common::repo(&format!("tests/diff/{case}/{from}"));
        let target = self.0.join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(source, target).unwrap();
    }

    /// The temporary directory the command runs with (`TMPDIR`).
    fn tmp(&self) -> PathBuf {
        self.0.with_extension("tmp")
    }

    fn chanx(&self, cwd: &Path, args: &[&str]) -> Output {
        std::fs::create_dir_all(self.tmp()).unwrap();
        Command::new(env!("CARGO_BIN_EXE_chanx"))
            .args(args)
            .env("TMPDIR", self.tmp())
            .current_dir(self.0.join(cwd))
            .output()
            .expect("the binary runs")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_dir_all(self.tmp());
    }
}

#[test]
fn base_compares_with_the_committed_version_and_its_referenced_files() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: skipped");
        return;
    }
    let repo = Repo::new("base");
    // The document refers to a second file; only that file changes.
    repo.copy("cross-file", "old.yaml", "api/notes.yaml");
    repo.copy("cross-file", "old-messages.yaml", "api/old-messages.yaml");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "notes"]);
    repo.copy("cross-file", "new-messages.yaml", "api/old-messages.yaml");

    let out = repo.chanx(Path::new("api"), &["diff", "--base", "HEAD", "notes.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "old-messages.yaml:11:13: breaking for clients: channel notes, message \"write\" \
         (client → server), payload.text: at most 1000 characters → at most 280 characters: \
         a client built on OLD may send a value a NEW server rejects \
         (old: HEAD:api/old-messages.yaml:11:13)\n\
         HEAD:api/notes.yaml → notes.yaml: 1 change: 1 breaking for clients, 0 breaking for \
         servers, 0 safe\n"
    );

    // Committed, the change is no longer a difference from HEAD, but still from HEAD~1.
    repo.git(&["commit", "-q", "-am", "shorter notes"]);
    let same = repo.chanx(Path::new(""), &["diff", "--base", "HEAD", "api/notes.yaml"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    let before = repo.chanx(
        Path::new(""),
        &["diff", "--base", "HEAD~1", "api/notes.yaml"],
    );
    assert_eq!(before.status.code(), Some(1));

    let missing = repo.chanx(Path::new(""), &["diff", "--base", "HEAD", "api/other.yaml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing.stderr),
        "error: api/other.yaml does not exist at HEAD\n"
    );
    let leftovers = std::fs::read_dir(repo.tmp()).unwrap().count();
    assert_eq!(leftovers, 0, "the extracted trees are removed");
}

#[test]
fn misuse_exits_two_as_clap_does() {
    let out = chanx(&["diff", "tests/diff/rewritten/old.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: give OLD and NEW documents, or --base GIT-REF and one FILE\n"
    );
    assert!(out.stdout.is_empty());
    // clap's own usage error, for comparison.
    assert_eq!(chanx(&["diff", "--no-such-flag"]).status.code(), Some(2));
}
