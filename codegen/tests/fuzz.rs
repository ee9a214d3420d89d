//! A bounded mutation-fuzzing campaign over the loader and both generators
//! (see `common/fuzz.rs`): no panic, no unlocated error, no emitter bug, no
//! unsafe character in generated code, no input slower than the limit.
//!
//! `CHANX_FUZZ_SECONDS` sets the wall time (20 s by default),
//! `CHANX_FUZZ_SEED` the seed (fixed by default, so a run repeats). Every
//! input that broke a rule is written to `target/fuzz-findings/`, and each
//! one found so far is a case in `tests/broken/` or a test of its own.

mod common;

use std::path::Path;
use std::time::Duration;

use common::fuzz::{Settings, run, seed_documents};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The generated Rust must parse (rustc itself checks `specs/` in
/// `tests/compile-rust`).
fn rust_parses(rust: &str, _ts: &str) -> Result<(), String> {
    syn::parse_file(rust)
        .map(|_| ())
        .map_err(|e| format!("generated Rust does not parse: {e}"))
}

#[test]
fn mutants_of_every_seed_document_are_handled() {
    let repo = common::repo_root();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs-corpus");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let _ = std::fs::remove_dir_all(&scratch);
    let settings = Settings {
        seeds: seed_documents(&repo, &corpus),
        scratch: scratch.clone(),
        budget: Duration::from_secs(env_number("CHANX_FUZZ_SECONDS", 20)),
        // Debug builds are slow; a hang is an input that never finishes.
        per_input: Duration::from_secs(120),
        seed: env_number("CHANX_FUZZ_SEED", 0x5eed_c4a1_1e6e),
        check_output: rust_parses,
    };
    assert!(settings.seeds.len() >= 20, "seeds: {:?}", settings.seeds);
    let campaign = run(&settings);
    eprintln!(
        "fuzz: {} executions ({} generated, {} refused) in {:.1?}, slowest {:.1?}, {} findings, {} hangs",
        campaign.executions,
        campaign.generated,
        campaign.rejected,
        campaign.elapsed,
        campaign.slowest,
        campaign.findings.len(),
        campaign.hangs
    );
    eprintln!("refused by: {:?}", campaign.refused_by);
    assert!(campaign.executions > 0);
    let findings: Vec<String> = campaign
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f.input.display(),
                f.what.chars().take(600).collect::<String>()
            )
        })
        .collect();
    assert!(findings.is_empty(), "findings:\n{}", findings.join("\n"));
}
