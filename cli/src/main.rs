//! The `chanx` command. Each subcommand lives in its own module under `cmd/`;
//! rendering of diagnostics is shared in `report`.

mod cmd;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "chanx",
    version,
    about = "Spec-first WebSocket toolkit for AsyncAPI 3 documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check AsyncAPI 3 documents and report every problem with its location.
    Validate(cmd::validate::Args),
    /// Summarise what a document describes and what will be generated.
    Inspect(cmd::inspect::Args),
    /// Generate typed Rust and a typed TypeScript client.
    Generate(cmd::generate::Args),
    /// Judge the changes between two versions of a document: breaking for
    /// clients, breaking for servers, or safe.
    Diff(cmd::diff::Args),
    /// Write the docs page a generated server serves at `/asyncapi`.
    Docs(cmd::docs::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Inspect(args) => cmd::inspect::run(&args),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Diff(args) => cmd::diff::run(&args),
        Command::Docs(args) => cmd::docs::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
