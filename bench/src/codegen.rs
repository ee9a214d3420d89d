//! Code-generation measurements: chanx in a child process per document,
//! Modelina through its Node script, and compiling generated Rust.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chanx_codegen::{
    Options, Targets, generate,
    internal::{generate_rust, load_api},
};
use serde::{Deserialize, Serialize};

use crate::child;
use crate::stats::median;

/// One document to generate from.
#[derive(Debug, Clone)]
pub struct Document {
    pub label: String,
    pub path: PathBuf,
    pub lines: usize,
}

impl Document {
    pub fn new(label: impl Into<String>, path: PathBuf) -> Result<Self> {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Document {
            label: label.into(),
            lines: text.lines().count(),
            path,
        })
    }
}

/// What `chanx-bench __codegen-one` prints: Rust + TS from one document, in one process.
#[derive(Debug, Serialize, Deserialize)]
pub struct InProcess {
    /// The first load + Rust + TS, including compiling the meta-schema.
    pub first_us: f64,
    /// Median of the following runs (the first if there were none).
    pub median_us: f64,
    pub runs: usize,
    pub peak_kib: u64,
    pub rust_lines: usize,
}

/// Generates Rust and TypeScript from `path` once, then up to `runs` more
/// times within `budget`; the child-process side of [`chanx`].
pub fn in_process(path: &Path, runs: usize, budget: Duration) -> Result<InProcess> {
    let options = Options::default();
    let targets = Targets {
        rust: Some(PathBuf::new()),
        typescript: Some(PathBuf::new()),
    };
    let once = || -> Result<(Duration, usize)> {
        let start = Instant::now();
        // The pipeline `chanx generate` runs, without writing the files.
        let generated = generate(path, &options, &targets).map_err(|d| anyhow!("{d}"))?;
        let elapsed = start.elapsed();
        std::hint::black_box(&generated);
        Ok((elapsed, generated.files[0].contents.lines().count()))
    };
    let (first, rust_lines) = once()?;
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < runs && (samples.is_empty() || started.elapsed() < budget) {
        samples.push(once()?.0.as_secs_f64() * 1e6);
    }
    let first_us = first.as_secs_f64() * 1e6;
    Ok(InProcess {
        first_us,
        median_us: median(&samples).unwrap_or(first_us),
        runs: samples.len(),
        peak_kib: crate::sys::own_peak_kib().unwrap_or(0),
        rust_lines,
    })
}

/// chanx on one document.
#[derive(Debug)]
pub struct Chanx {
    pub in_process: InProcess,
    /// Whole process: `chanx generate DOC --lang all`, start to exit.
    pub process: Duration,
    /// The largest peak RSS of those processes.
    pub process_peak_kib: u64,
}

/// Sizes of a run.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub runs: usize,
    pub per_document: Duration,
    pub process_repeats: usize,
    pub limit: Duration,
}

/// The `chanx` command beside this executable (the same profile), built
/// first when it is not there.
pub fn cli_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .context("no directory of the bench executable")?;
    let cli = dir.join(format!("chanx{}", std::env::consts::EXE_SUFFIX));
    if cli.is_file() {
        return Ok(cli);
    }
    eprintln!("building the chanx command");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["build", "-q", "-p", "chanx-cli"]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let done = child::run(command, Duration::from_secs(1800))?;
    if !done.success || !cli.is_file() {
        bail!(
            "cannot build the chanx command: {}",
            child::first_line(&done.stderr)
        );
    }
    Ok(cli)
}

/// Measures chanx on `doc`: the library in a fresh child process of this
/// executable (first run, median of the next ones), and the `chanx`
/// command as users run it (wall time and peak memory of whole processes).
pub fn chanx(doc: &Document, budget: Budget, cli: &Path, scratch: &Path) -> Result<Chanx> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(&exe);
    command
        .arg("__codegen-one")
        .arg(&doc.path)
        .arg(budget.runs.to_string())
        .arg(budget.per_document.as_millis().to_string());
    let done = child::run(command, budget.limit)?;
    if !done.success {
        bail!("{}", child::first_line(&done.stderr));
    }
    let in_process = serde_json::from_str(done.stdout.trim())
        .with_context(|| format!("unexpected output: {}", done.stdout))?;
    let out = scratch.join("chanx-out");
    let mut walls = Vec::new();
    let mut peak_kib = 0;
    for _ in 0..budget.process_repeats.max(1) {
        let _ = std::fs::remove_dir_all(&out);
        let mut command = Command::new(cli);
        command
            .arg("generate")
            .arg(&doc.path)
            .args(["--lang", "all", "--out"])
            .arg(&out);
        let run = child::run_measured(command, budget.limit)?;
        if !run.success {
            bail!("chanx generate failed: {}", child::first_line(&run.stderr));
        }
        walls.push(run.wall.as_secs_f64());
        peak_kib = peak_kib.max(run.peak_kib);
    }
    Ok(Chanx {
        in_process,
        process: Duration::from_secs_f64(median(&walls).unwrap_or(0.0)),
        process_peak_kib: peak_kib,
    })
}

/// One Modelina generator's times, or why it failed.
#[derive(Debug, Deserialize)]
pub struct GeneratorTimes {
    pub first_ms: Option<f64>,
    pub median_ms: Option<f64>,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ModelinaOutput {
    rust: GeneratorTimes,
    ts: GeneratorTimes,
    max_rss_kb: u64,
}

/// Modelina's Rust + TypeScript generators on one document.
#[derive(Debug)]
pub struct Modelina {
    /// Rust + TS medians, in-process (after a first, warming call).
    pub median_ms: f64,
    /// Whole process: Node start-up, import, one Rust and one TS generate.
    pub process: Duration,
    pub peak_kib: u64,
}

/// The checked-in npm package that runs Modelina.
pub fn modelina_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("modelina")
}

/// Installs the Modelina package from its lockfile unless already there.
pub fn ensure_modelina() -> Result<()> {
    let dir = modelina_dir();
    if dir.join("node_modules/@asyncapi/modelina").is_dir() {
        return Ok(());
    }
    eprintln!("installing Modelina (npm ci in {})", dir.display());
    let mut command = Command::new("npm");
    command
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir);
    let done = child::run(command, Duration::from_secs(600))?;
    if !done.success {
        bail!("npm ci failed: {}", child::first_line(&done.stderr));
    }
    Ok(())
}

/// Runs Modelina on `doc`; `Err` holds the cell text ("fails: …").
pub fn modelina(doc: &Document, budget: Budget) -> Result<Modelina, String> {
    let run = |runs: usize| -> Result<(ModelinaOutput, Duration), String> {
        let mut command = Command::new("node");
        command
            .arg(modelina_dir().join("bench.mjs"))
            .arg(&doc.path)
            .arg(runs.to_string())
            .arg(budget.per_document.as_millis().to_string());
        let done = child::run(command, budget.limit).map_err(|e| format!("fails: {e}"))?;
        if !done.success {
            return Err(format!("fails: {}", child::first_line(&done.stderr)));
        }
        let output: ModelinaOutput = serde_json::from_str(done.stdout.trim())
            .map_err(|_| format!("fails: {}", child::first_line(&done.stdout)))?;
        for times in [&output.rust, &output.ts] {
            if let Some(error) = &times.error {
                return Err(format!("fails: {error}"));
            }
        }
        Ok((output, done.wall))
    };
    let (output, _) = run(budget.runs)?;
    let mut walls = Vec::new();
    for _ in 0..budget.process_repeats.max(1) {
        walls.push(run(0)?.1.as_secs_f64());
    }
    let ms = |t: &GeneratorTimes| t.median_ms.or(t.first_ms).unwrap_or(0.0);
    Ok(Modelina {
        median_ms: ms(&output.rust) + ms(&output.ts),
        process: Duration::from_secs_f64(median(&walls).unwrap_or(0.0)),
        peak_kib: output.max_rss_kb,
    })
}

/// Compiling the Rust generated from one document.
#[derive(Debug)]
pub struct Compile {
    pub rust_lines: usize,
    /// `cargo check` of the generated crate alone (its dependencies checked).
    pub check: Duration,
    /// `cargo build` of the generated crate alone (its dependencies built).
    pub build: Duration,
}

/// The throw-away crate holding the generated Rust of a document: it
/// depends on chanx-runtime, serde and serde_json, and builds in `target`
/// (shared, so dependencies are built once). Returns the crate's directory
/// and the generated Rust, with the lock that keeps the crate this
/// process's until dropped: its place is fixed (so its dependencies stay
/// built), and two runs at once would write and clean it under each other.
fn generated_crate(doc: &Document, target: &Path) -> Result<(PathBuf, String, std::fs::File)> {
    std::fs::create_dir_all(target)?;
    let held = std::fs::File::create(target.join("chanx-bench-generated.lock"))?;
    held.lock()?;
    let options = Options::default();
    let loaded = load_api(&doc.path, &options).map_err(|d| anyhow!("{d}"))?;
    let rust = generate_rust(&loaded, &options).map_err(|d| anyhow!("{d}"))?;
    let repo = repo_root();
    let krate = target.join("chanx-bench-generated");
    std::fs::create_dir_all(krate.join("src"))?;
    let runtime = repo.join("runtime");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            r#"[package]
name = "chanx-bench-generated"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
chanx-runtime = {{ path = {runtime:?} }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = {{ version = "1", features = ["preserve_order"] }}

# Not part of the chanx workspace.
[workspace]

[profile.dev.package."*"]
opt-level = 2
"#,
            runtime = runtime.display().to_string()
        ),
    )?;
    // The workspace's lockfile, so the dependencies resolve to what is already built.
    std::fs::copy(repo.join("Cargo.lock"), krate.join("Cargo.lock"))?;
    std::fs::write(krate.join("src/lib.rs"), "pub mod api;\n")?;
    Ok((krate, rust, held))
}

fn repo_root() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    repo.canonicalize().unwrap_or(repo)
}

/// The target directory of the generated crates (the workspace's).
fn bench_target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// `cargo clean -p chanx-bench-generated` in `target`: the next build of
/// the generated crate starts from nothing (its dependencies stay built).
fn clean_generated(cargo: &std::ffi::OsStr, krate: &Path, target: &Path) -> Result<()> {
    let mut clean = Command::new(cargo);
    clean
        .args([
            "clean",
            "--quiet",
            "--offline",
            "-p",
            "chanx-bench-generated",
        ])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target);
    run_cargo(clean, "clean", Duration::from_secs(120)).map(drop)
}

/// `cargo VERB` of the generated crate in `target`, as a user's dev
/// profile runs it (no incremental or flags override from this process).
fn cargo_on_generated(cargo: &std::ffi::OsStr, verb: &str, krate: &Path, target: &Path) -> Command {
    let mut command = Command::new(cargo);
    command
        .args([verb, "--quiet", "--offline"])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_INCREMENTAL")
        .env_remove("RUSTFLAGS");
    command
}

/// Runs a cargo command to completion within `limit`; its failure is an error.
fn run_cargo(command: Command, verb: &str, limit: Duration) -> Result<child::Finished> {
    let done = child::run(command, limit)?;
    if !done.success {
        bail!("cargo {verb} failed: {}", child::first_line(&done.stderr));
    }
    Ok(done)
}

/// Builds the generated Rust of `doc` in a throw-away crate that depends on
/// chanx-runtime, serde and serde_json, sharing the target directory so
/// dependencies are built once; times rebuilding the generated crate alone.
pub fn compile(doc: &Document, repeats: usize) -> Result<Compile> {
    let target = bench_target();
    let (krate, rust, _held) = generated_crate(doc, &target)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |verb: &str, attempt: usize| -> Result<Duration> {
        std::fs::write(
            krate.join("src/api.rs"),
            format!("{rust}\n// {verb} {attempt}\n"),
        )?;
        // A clean build of this crate (its dependencies stay built): what a
        // user pays on every clean build and, near enough, whenever the
        // document changes. Incremental compilation as a user's dev profile
        // has it (its cache is rebuilt each time, so it is no shortcut).
        clean_generated(&cargo, &krate, &target)?;
        let command = cargo_on_generated(&cargo, verb, &krate, &target);
        Ok(run_cargo(command, verb, Duration::from_secs(900))?.wall)
    };
    let median_of = |verb: &str| -> Result<Duration> {
        run(verb, 0)?;
        let mut times = Vec::new();
        for attempt in 1..=repeats.max(1) {
            times.push(run(verb, attempt)?.as_secs_f64());
        }
        Ok(Duration::from_secs_f64(median(&times).unwrap_or(0.0)))
    };
    Ok(Compile {
        rust_lines: rust.lines().count(),
        check: median_of("check")?,
        build: median_of("build")?,
    })
}

/// What rustc executes checking the Rust generated from one document.
#[derive(Debug)]
pub struct Instructions {
    pub rust_lines: usize,
    /// Instructions of the `rustc` process that checks the generated crate
    /// (`cargo check`, incremental as a dev profile has it, from nothing),
    /// counted by valgrind: unlike times, they do not move with the machine.
    pub instructions: u64,
}

/// Runs rustc itself under valgrind for the generated crate only; every
/// other crate is compiled as usual. Used as `RUSTC_WRAPPER`.
const COUNTING_WRAPPER: &str = r#"#!/bin/sh
case " $* " in
  *" --crate-name chanx_bench_generated "*)
    exec valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      --log-file="$CHANX_BENCH_COUNT_LOG" "$@" ;;
esac
exec "$@"
"#;

/// Counts the instructions rustc executes in `cargo check` of the Rust
/// generated from `doc` (valgrind's cachegrind, no cache simulation).
pub fn instructions(doc: &Document) -> Result<Instructions> {
    let valgrind = Command::new("valgrind").arg("--version").output();
    if !valgrind.is_ok_and(|out| out.status.success()) {
        bail!(
            "valgrind not found: counting rustc's instructions needs it (apt-get install valgrind)"
        );
    }
    // Its own target directory: the wrapper is part of every crate's
    // fingerprint, so sharing one would rebuild the dependencies each time.
    let target = bench_target().join("chanx-bench-instructions");
    let (krate, rust, _held) = generated_crate(doc, &target)?;
    std::fs::write(krate.join("src/api.rs"), &rust)?;
    let wrapper = krate.join("count-rustc.sh");
    std::fs::write(&wrapper, COUNTING_WRAPPER)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))?;
    }
    let log = krate.join("count.log");
    let _ = std::fs::remove_file(&log);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    clean_generated(&cargo, &krate, &target)?;
    let mut command = cargo_on_generated(&cargo, "check", &krate, &target);
    command
        .env("RUSTC_WRAPPER", &wrapper)
        .env("CHANX_BENCH_COUNT_LOG", &log);
    run_cargo(command, "check", Duration::from_secs(3600))?;
    let text = std::fs::read_to_string(&log)
        .with_context(|| format!("valgrind wrote no log at {}", log.display()))?;
    let instructions = instructions_in(&text)
        .with_context(|| format!("no instruction count in {}", log.display()))?;
    Ok(Instructions {
        rust_lines: rust.lines().count(),
        instructions,
    })
}

/// The total of a cachegrind log: its `I refs:` line (`I   refs: 1,234`).
fn instructions_in(log: &str) -> Option<u64> {
    let line = log.lines().find(|line| {
        line.split_once("I")
            .is_some_and(|(_, rest)| rest.trim_start().starts_with("refs:"))
    })?;
    let count = line.rsplit(':').next()?.trim().replace(',', "");
    count.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instruction_count_is_read_from_cachegrind_s_log() {
        let log = "==1== Cachegrind, a cache and branch-prediction profiler\n\
                   ==1== \n\
                   ==1== I   refs:      1,846,001,513\n";
        assert_eq!(instructions_in(log), Some(1_846_001_513));
        assert_eq!(instructions_in("==1== I refs: 12\n"), Some(12));
        assert_eq!(instructions_in("==1== nothing here\n"), None);
    }
}
