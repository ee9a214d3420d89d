//! The `chanx` command. Each subcommand lives in its own module under `cmd/`;
//! rendering of diagnostics is shared in `report`.

mod cmd;
mod report;

use std::path::{Path, PathBuf};

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

/// Input files from this many bytes in all make memory freed go back to
/// the system at once.
const LARGE_INPUT_BYTES: u64 = 1024 * 1024;

/// For large inputs, memory freed is given back to the system at once
/// rather than after mimalloc's delay (1 s in the mimalloc 3 linked
/// here, so never within a run): a generation's phases (parse,
/// model, code) each free most of what the previous one made, and on a
/// 100,000-line document the peak is 87 MiB instead of 160. Giving memory
/// back has its price (page faults to take it again, and other cores'
/// address caches flushed): on smaller documents, where the peak is tens
/// of megabytes either way, keeping it makes a run 10-15 % faster.
fn return_freed_memory_at_once_for(inputs: &[&Path]) {
    let bytes: u64 = inputs
        .iter()
        .filter_map(|path| std::fs::metadata(path).ok())
        .map(|meta| meta.len())
        .sum();
    if bytes >= LARGE_INPUT_BYTES {
        // SAFETY: a plain store into mimalloc's option table, made in
        // `main` before this process starts any other thread.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

impl Command {
    /// The documents the command reads (the files they `$ref` aside).
    fn inputs(&self) -> Vec<&Path> {
        match self {
            Command::Validate(args) => args.files.iter().map(PathBuf::as_path).collect(),
            Command::Inspect(args) => vec![args.file.as_path()],
            Command::Generate(args) => args.files.iter().map(PathBuf::as_path).collect(),
            Command::Diff(args) => args.files.iter().map(PathBuf::as_path).collect(),
            Command::Docs(args) => vec![args.file.as_path()],
        }
    }
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

fn main() {
    let cli = Cli::parse();
    return_freed_memory_at_once_for(&cli.command.inputs());
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Inspect(args) => cmd::inspect::run(&args),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Diff(args) => cmd::diff::run(&args),
        Command::Docs(args) => cmd::docs::run(&args),
    };
    let exit = match result {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("error: {e:#}");
            cmd::Exit::Failure
        }
    };
    exit_at_once(exit)
}

unsafe extern "C" {
    /// POSIX `_exit`: ends the process without running exit handlers.
    fn _exit(status: std::ffi::c_int) -> !;
}

/// Ends the process once its work is done, with the allocator's exit
/// handler skipped: statically linked mimalloc frees every page it holds
/// when the process exits, memory the kernel takes back anyway. On a
/// 10,000-line document that was 1.5 ms of a 45 ms run. Every file is
/// written and closed by now (on this thread); what is left of the other
/// threads only frees memory. Standard output is flushed first.
fn exit_at_once(exit: cmd::Exit) -> ! {
    use std::io::Write as _;
    let status = exit as std::ffi::c_int;
    // As at a normal exit, a reader that went away is not an error.
    let _ = std::io::stdout().flush();
    // SAFETY: `_exit` only ends the process; nothing of this process's
    // state is touched after it.
    unsafe { _exit(status) }
}
