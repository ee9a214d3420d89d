//! The `chanx` command. Each subcommand lives in its own module under `cmd/`;
//! rendering of diagnostics is shared in `report`.

mod cmd;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: generating a large document makes millions of small
/// allocations across three threads; it is faster than the system
/// allocator at that and keeps less memory (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// `mi_option_set` of mimalloc.h, in the library the allocator links.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e`.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Memory freed is given back to the system at once rather than after
/// 10 ms: a generation's phases (parse, model, code) each free most of
/// what the previous one made, and the peak is what users see.
fn return_freed_memory_at_once() {
    // SAFETY: a plain store into mimalloc's option table, made first
    // thing in `main`, before this process starts any other thread.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

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
    return_freed_memory_at_once();
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
