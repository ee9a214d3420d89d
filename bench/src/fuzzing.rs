//! A long fuzzing campaign over the loader and generators: the engine the
//! test suite runs for 20 s (`codegen/tests/common/fuzz.rs`), run here for
//! minutes in a child process, so an input that aborts the process (a
//! stack overflow cannot be caught) counts as a crash instead of ending
//! the bench.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[path = "../../codegen/tests/common/fuzz.rs"]
mod engine;

use crate::child;
use crate::table::{self, Table};

/// What `chanx-bench __fuzz` prints.
#[derive(Debug, Serialize, Deserialize)]
pub struct Totals {
    pub seeds: usize,
    pub executions: u64,
    pub generated: u64,
    pub refused: u64,
    pub findings: Vec<String>,
    pub hangs: u64,
    pub slowest_ms: f64,
    pub elapsed_s: f64,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The campaign itself, in this process (the child's side).
pub fn campaign(seconds: u64, seed: u64, scratch: &Path) -> Totals {
    let settings = engine::Settings {
        seeds: engine::seed_documents(&repo(), &repo().join("../shared/specs-corpus")),
        scratch: scratch.to_path_buf(),
        budget: Duration::from_secs(seconds),
        per_input: Duration::from_secs(30),
        seed,
        check_output: |_, _| Ok(()),
    };
    let done = engine::run(&settings);
    Totals {
        seeds: settings.seeds.len(),
        executions: done.executions,
        generated: done.generated,
        refused: done.rejected,
        findings: done
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.input.display(), f.what))
            .collect(),
        hangs: done.hangs,
        slowest_ms: done.slowest.as_secs_f64() * 1e3,
        elapsed_s: done.elapsed.as_secs_f64(),
    }
}

/// Runs a campaign of `seconds` in a child process and tabulates it.
pub fn run(seconds: u64, seed: u64) -> Result<Table> {
    let scratch = std::env::temp_dir().join(format!("chanx-bench-fuzz-{}", std::process::id()));
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("__fuzz")
        .arg(seconds.to_string())
        .arg(seed.to_string())
        .arg(&scratch);
    eprintln!("fuzz: {seconds} s, seed {seed}");
    let done = child::run(command, Duration::from_secs(seconds + 120))?;
    let mut table = Table::new(
        "Fuzzing: mutants of the seed documents through load, checks, model, Rust and TypeScript",
        &[
            "seed documents",
            "seed",
            "wall time",
            "executions",
            "generated",
            "refused (located errors)",
            "crashes",
            "hangs",
            "slowest input",
        ],
    );
    if !done.success {
        // The process died on an input: it is the one left at scratch/current.*.
        eprintln!(
            "fuzz: the campaign died ({}); its input is in {}",
            child::first_line(&done.stderr),
            scratch.display()
        );
        table.push(vec![
            "—".into(),
            seed.to_string(),
            table::duration(done.wall),
            "—".into(),
            "—".into(),
            "—".into(),
            "1 (process died)".into(),
            "—".into(),
            "—".into(),
        ]);
        return Ok(table);
    }
    let totals: Totals = serde_json::from_str(done.stdout.trim())
        .with_context(|| format!("unexpected output: {}", done.stdout))?;
    for finding in &totals.findings {
        eprintln!("fuzz finding: {finding}");
    }
    table.push(vec![
        totals.seeds.to_string(),
        seed.to_string(),
        table::micros(totals.elapsed_s * 1e6),
        table::rate(totals.executions as f64),
        table::rate(totals.generated as f64),
        table::rate(totals.refused as f64),
        (totals.findings.len() as u64 - totals.hangs).to_string(),
        totals.hangs.to_string(),
        table::micros(totals.slowest_ms * 1e3),
    ]);
    if totals.findings.is_empty() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(table)
}
