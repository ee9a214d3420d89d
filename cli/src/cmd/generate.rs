//! `chanx generate FILE...`: typed Rust and TypeScript from AsyncAPI documents.

use crate::cmd::Exit;
use std::path::PathBuf;

use anyhow::{Context, bail};
use chanx_codegen::{
    GeneratedFile, Options, ReadError, Targets, generate, read_limited, write_if_changed,
};
use clap::{Args as ClapArgs, ValueEnum};

use super::common::LoadArgs;
use crate::report::{Format, Report};

const EXAMPLES: &str = "\
Examples:
  chanx generate specs/chat.yaml                     # generated/chat.rs and generated/chat.ts
  chanx generate specs/chat.yaml --lang ts --out web/src/api
  chanx generate specs/chat.yaml --lang rust --stdout | less
  chanx generate specs/*.yaml --check                # CI: fail when generated files are stale
  chanx generate asyncapi.json --action-key type --default-stubs
  chanx generate specs/chat.yaml --lang rust --client  # the typed ChatClient too
  chanx generate specs/chat.yaml --lang rust --client-only  # the client alone, no server

Files are written atomically and only when their content changes; the paths
written are printed. In a Cargo build script use the chanx-codegen library
instead (chanx_codegen::configure().compile(&[\"specs/chat.yaml\"])).

Exit status: 0 on success, 1 when a document has errors (or, with --check,
when a generated file is missing or differs), 2 on a usage error.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Rust,
    Ts,
    All,
}

#[derive(Debug, ClapArgs)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// AsyncAPI 3 documents (YAML or JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Which languages to generate.
    #[arg(long, value_enum, default_value_t = Lang::All)]
    pub lang: Lang,

    /// Directory for the generated files (`NAME.rs`, `NAME.ts`, NAME from the file name).
    #[arg(long, value_name = "DIR", default_value = "generated")]
    pub out: PathBuf,

    /// Print the generated code instead of writing files (one language, one file).
    #[arg(long, conflicts_with = "check")]
    pub stdout: bool,

    /// Write nothing; exit 1 when the files on disk differ from what would be generated.
    #[arg(long)]
    pub check: bool,

    /// Give every consumer-trait method a default body that answers "not implemented".
    #[arg(long)]
    pub default_stubs: bool,

    /// Also generate a typed Rust client per channel (`<Channel>Client`; needs
    /// chanx-runtime's `client` feature).
    #[arg(long)]
    pub client: bool,

    /// Generate only the client side of the Rust: message types and
    /// `<Channel>Client`s, no consumer traits or servers (builds on
    /// chanx-runtime with `default-features = false, features = ["client"]`).
    #[arg(long, conflicts_with = "default_stubs")]
    pub client_only: bool,

    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn run(args: &Args) -> anyhow::Result<Exit> {
    if args.stdout && (args.lang == Lang::All || args.files.len() != 1) {
        bail!("--stdout prints one language of one document: add --lang rust or --lang ts");
    }
    let mut options: Options = args.load.options();
    options.rust.default_stubs = args.default_stubs;
    options.rust.client = args.client;
    options.rust.client_only = args.client_only;
    options.deny_warnings = args.deny_warnings;

    let targets = Targets {
        rust: matches!(args.lang, Lang::Rust | Lang::All).then(|| args.out.clone()),
        typescript: matches!(args.lang, Lang::Ts | Lang::All).then(|| args.out.clone()),
    };
    // Everything is generated and checked before anything is written, so a
    // bad document never leaves a half-updated output directory.
    let mut report = Report::default();
    let mut outputs = Vec::new();
    for file in &args.files {
        match generate(file, &options, &targets) {
            Ok(generated) => {
                if !generated.warnings.is_empty() {
                    report.add(file.display().to_string(), generated.warnings);
                }
                outputs.extend(generated.files);
            }
            Err(diagnostics) => report.add(file.display().to_string(), diagnostics),
        }
    }
    if report.fails(args.deny_warnings) {
        report.print(args.format)?;
        return Ok(Exit::Failure);
    }
    report.print_diagnostics_only(args.format)?;

    if args.stdout {
        if let Some(output) = outputs.first() {
            print!("{}", output.contents);
        }
        return Ok(Exit::Success);
    }
    if args.check {
        return check(&outputs);
    }
    for output in &outputs {
        let written = write_if_changed(&output.path, &output.contents)
            .with_context(|| format!("cannot write {}", output.path.display()))?;
        let state = if written { "wrote" } else { "unchanged" };
        println!("{state} {}", output.path.display());
    }
    Ok(Exit::Success)
}

/// `--check`: a short summary per stale file, exit 1 when any is stale.
fn check(outputs: &[GeneratedFile]) -> anyhow::Result<Exit> {
    let mut stale = 0;
    for output in outputs {
        // Whatever is at the path is read only if it is a regular file, and
        // only so far: a file much longer than the generated one differs anyway.
        let limit = (output.contents.len() as u64)
            .saturating_mul(2)
            .max(16 * 1024 * 1024);
        match read_limited(&output.path, limit).map(String::from_utf8) {
            Ok(Ok(on_disk)) if on_disk == output.contents => {
                println!("up to date {}", output.path.display());
            }
            Ok(Ok(on_disk)) => {
                stale += 1;
                println!(
                    "differs {}: {}",
                    output.path.display(),
                    diff_summary(&on_disk, &output.contents)
                );
            }
            Ok(Err(_)) => {
                stale += 1;
                println!("differs {}: not UTF-8 text", output.path.display());
            }
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                stale += 1;
                println!("missing {}", output.path.display());
            }
            Err(e) => {
                stale += 1;
                println!("differs {}: {e}", output.path.display());
            }
        }
    }
    if stale > 0 {
        eprintln!("{stale} generated file(s) out of date: run `chanx generate` without --check");
        return Ok(Exit::Failure);
    }
    Ok(Exit::Success)
}

/// `first difference at line 12; 3 lines only on disk, 5 only generated`.
fn diff_summary(on_disk: &str, generated: &str) -> String {
    let old: Vec<&str> = on_disk.lines().collect();
    let new: Vec<&str> = generated.lines().collect();
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let old_set: std::collections::HashSet<&str> = old.iter().copied().collect();
    let new_set: std::collections::HashSet<&str> = new.iter().copied().collect();
    let removed = old.iter().filter(|l| !new_set.contains(*l)).count();
    let added = new.iter().filter(|l| !old_set.contains(*l)).count();
    format!(
        "first difference at line {}; {removed} line(s) only on disk, {added} only in the generated code",
        first + 1
    )
}
