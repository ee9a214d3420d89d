//! `chanx-bench`: code generation and runtime benchmarks, each beside a peer.
//!
//! ```text
//! cargo run --release -p chanx-bench -- all       # everything; rewrites BENCHMARKS.md
//! cargo run --release -p chanx-bench -- codegen   # chanx vs Modelina, compile time
//! cargo run --release -p chanx-bench -- runtime   # chanx-runtime vs hand-written server
//! cargo run --release -p chanx-bench -- all --smoke   # tiny sizes, a few seconds
//! ```

mod child;
mod codegen;
mod frames;
mod load;
mod report;
mod run;
mod servers;
mod stats;
mod synth;
mod sys;
mod table;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

const USAGE: &str =
    "usage: chanx-bench <codegen|runtime|all> [--smoke] [--write | --no-write] [--out FILE]

  codegen    Rust + TypeScript generation, beside Modelina; compile time of generated Rust
  runtime    round trips, broadcasts and idle memory, beside a hand-written server
  all        both; rewrites BENCHMARKS.md unless --no-write
  --smoke    tiny sizes (a few seconds); writes nothing unless --write
  --out      where to write (default: BENCHMARKS.md at the repository root)";

struct Args {
    codegen: bool,
    runtime: bool,
    smoke: bool,
    write: bool,
    out: PathBuf,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut parsed = Args {
        codegen: false,
        runtime: false,
        smoke: false,
        write: false,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md"),
    };
    let mut command = None;
    let mut write = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--smoke" => parsed.smoke = true,
            "--write" => write = Some(true),
            "--no-write" => write = Some(false),
            "--out" => {
                parsed.out = rest.next().context("--out needs a file")?.into();
                write.get_or_insert(true);
            }
            "codegen" | "runtime" | "all" if command.is_none() => command = Some(arg.clone()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    match command.as_deref() {
        Some("codegen") => parsed.codegen = true,
        Some("runtime") => parsed.runtime = true,
        Some("all") => {
            parsed.codegen = true;
            parsed.runtime = true;
        }
        _ => bail!("{USAGE}"),
    }
    let complete = parsed.codegen && parsed.runtime && !parsed.smoke;
    parsed.write = write.unwrap_or(complete);
    Ok(parsed)
}

/// Idle memory per connection on each entry point, and what 500 stalled
/// handshakes cost and how fast they are shed (default limits).
fn hostile(idle: usize) -> Result<()> {
    sys::raise_fd_limit();
    let client = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "| server | idle RSS per connection ({idle}) | 500 stalled handshakes: RSS each | all shed after | a new client connected in |"
    );
    println!("|---|---|---|---|---|");
    for kind in [
        servers::Kind::Chanx,
        servers::Kind::Axum,
        servers::Kind::Baseline,
    ] {
        let idle_kib = client.block_on(load::idle_memory(kind, idle))?;
        let shed = client.block_on(load::stalled_handshakes(kind, 500, Duration::from_secs(20)));
        let (each, after, newcomer) = match shed {
            Ok(shed) => (
                format!("{:.1} KiB", shed.per_stalled_kib),
                format!("{:.2} s", shed.all_shed_after.as_secs_f64()),
                format!("{:.1} ms", shed.newcomer.as_secs_f64() * 1e3),
            ),
            Err(error) => {
                eprintln!("{}: {error}", kind.name());
                ("—".into(), "not shed within 20 s".into(), "—".into())
            }
        };
        println!(
            "| {} | {idle_kib:.1} KiB | {each} | {after} | {newcomer} |",
            kind.name()
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Child-process roles of this executable.
    match args.first().map(String::as_str) {
        Some("__serve") => {
            let kind = servers::Kind::parse(args.get(1).map_or("", String::as_str))?;
            return servers::serve(kind, args.get(2).cloned());
        }
        Some("__hostile") => {
            // Hostile-client figures, by entry point (BENCHMARKS.md, "Hostile clients").
            return hostile(args.get(1).map_or(Ok(2_000), |n| n.parse())?);
        }
        Some("__frames") => {
            // The per-frame cost alone (also part of `runtime`).
            for (name, nanos) in frames::cost(frames::per_round(false), frames::ROUNDS)? {
                println!("{name}: {:.2} µs", nanos / 1_000.0);
            }
            return Ok(());
        }
        Some("__codegen-one") => {
            let (Some(path), Some(runs), Some(budget)) = (args.get(1), args.get(2), args.get(3))
            else {
                bail!("usage: chanx-bench __codegen-one FILE RUNS BUDGET_MS");
            };
            let measured = codegen::in_process(
                path.as_ref(),
                runs.parse()?,
                Duration::from_millis(budget.parse()?),
            )?;
            println!("{}", serde_json::to_string(&measured)?);
            return Ok(());
        }
        _ => {}
    }
    let args = parse(&args)?;
    let sizes = run::Sizes { smoke: args.smoke };
    let mut tables = Vec::new();
    if args.codegen {
        tables.extend(run::codegen(sizes)?);
    }
    if args.runtime {
        tables.extend(run::runtime(sizes)?);
    }
    for table in &tables {
        println!("{}", table.markdown());
    }
    if args.write {
        let previous = std::fs::read_to_string(&args.out).ok();
        let text = report::keep_hand_written(report::document(&tables, sizes), previous.as_deref());
        std::fs::write(&args.out, text)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        eprintln!("wrote {}", args.out.display());
    }
    Ok(())
}
