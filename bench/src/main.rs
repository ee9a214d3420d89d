//! `chanx-bench`: code generation and runtime benchmarks, each beside a peer.
//!
//! ```text
//! cargo run --release -p chanx-bench -- all       # everything; rewrites BENCHMARKS.md
//! cargo run --release -p chanx-bench -- codegen   # chanx vs Modelina, compile time
//! cargo run --release -p chanx-bench -- runtime   # chanx-runtime vs hand-written server
//! cargo run --release -p chanx-bench -- logging   # what logging costs under load (part of runtime)
//! cargo run --release -p chanx-bench -- hostile   # idle memory, stalled handshakes; its section of BENCHMARKS.md
//! cargo run --release -p chanx-bench -- all --smoke   # tiny sizes, a few seconds
//! cargo run --release -p chanx-bench -- documents --write  # hostile documents; updates their table
//! cargo run --release -p chanx-bench -- fuzz --write     # a 10-minute fuzzing campaign; likewise
//! ```

mod child;
mod codegen;
mod frames;
mod fuzzing;
mod hostile;
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

const USAGE: &str = "usage: chanx-bench <codegen|compile|instructions|runtime|logging|documents|fuzz|hostile|all> [--smoke] [--write | --no-write]
                   [--out FILE] [--fuzz-seconds N] [--fuzz-seed N]

  codegen    Rust + TypeScript generation, beside Modelina; compile time of generated Rust
  compile    only the compile time of generated Rust
  instructions  rustc's instructions checking generated Rust (needs valgrind)
  runtime    round trips, broadcasts and idle memory, beside a hand-written server
  logging    round trips with each log subscriber, beside none (also part of runtime)
  documents  hostile documents near the 16 MiB limit, built to cost more than their size
  fuzz       a fuzzing campaign over the loader and generators (600 s unless --fuzz-seconds)
  all        codegen, instructions, runtime, documents and fuzz; rewrites BENCHMARKS.md unless --no-write
             (keeping its hostile-client section)
  hostile    idle memory and stalled handshakes on each entry point; rewrites the
             hostile-client section of BENCHMARKS.md unless --no-write
  --smoke    tiny sizes (a few seconds); writes nothing unless --write
  --write    with a command other than `all`, replaces that command's tables in the file
  --out      where to write (default: BENCHMARKS.md at the repository root)";

struct Args {
    codegen: bool,
    /// Only the compile table (`codegen` includes it).
    compile: bool,
    /// rustc's instruction counts for generated Rust.
    instructions: bool,
    runtime: bool,
    /// Only the logging table (`runtime` includes it).
    logging: bool,
    hostile: bool,
    documents: bool,
    fuzz: bool,
    /// Every section: the file is written whole, not updated.
    all: bool,
    smoke: bool,
    write: bool,
    out: PathBuf,
    fuzz_seconds: Option<u64>,
    fuzz_seed: u64,
}

fn parse(args: &[String]) -> Result<Args> {
    let mut parsed = Args {
        codegen: false,
        compile: false,
        instructions: false,
        runtime: false,
        logging: false,
        hostile: false,
        documents: false,
        fuzz: false,
        all: false,
        smoke: false,
        write: false,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md"),
        fuzz_seconds: None,
        fuzz_seed: 0x5eed_c4a1_1e6e,
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
            "--fuzz-seconds" => {
                parsed.fuzz_seconds = Some(rest.next().context("--fuzz-seconds needs N")?.parse()?);
            }
            "--fuzz-seed" => {
                parsed.fuzz_seed = rest.next().context("--fuzz-seed needs N")?.parse()?;
            }
            "codegen" | "compile" | "instructions" | "runtime" | "logging" | "documents"
            | "fuzz" | "hostile" | "all"
                if command.is_none() =>
            {
                command = Some(arg.clone())
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    match command.as_deref() {
        Some("codegen") => parsed.codegen = true,
        Some("compile") => parsed.compile = true,
        Some("instructions") => parsed.instructions = true,
        Some("runtime") => parsed.runtime = true,
        Some("logging") => parsed.logging = true,
        Some("documents") => parsed.documents = true,
        Some("fuzz") => parsed.fuzz = true,
        Some("all") => {
            parsed.codegen = true;
            parsed.instructions = true;
            parsed.runtime = true;
            parsed.documents = true;
            parsed.fuzz = true;
            parsed.all = true;
        }
        Some("hostile") => parsed.hostile = true,
        _ => bail!("{USAGE}"),
    }
    let complete = (parsed.all || parsed.hostile) && !parsed.smoke;
    parsed.write = write.unwrap_or(complete);
    Ok(parsed)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Child-process roles of this executable.
    match args.first().map(String::as_str) {
        Some("__serve") => {
            let kind = servers::Kind::parse(args.get(1).map_or("", String::as_str))?;
            let options = servers::Options::parse(args.get(2..).unwrap_or_default())?;
            return servers::serve(kind, options);
        }
        Some("__ping") => {
            // Ping/pong load on a running server (`__serve` prints its port),
            // for comparing two builds or profiling the server by hand.
            let usage = "usage: chanx-bench __ping PORT CONNECTIONS SECONDS";
            let number = |i: usize| -> Result<u64> { Ok(args.get(i).context(usage)?.parse()?) };
            let (port, connections, seconds) = (number(1)?, number(2)?, number(3)?);
            let measured = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(load::ping_pong(
                    u16::try_from(port)?,
                    connections as usize,
                    Duration::from_millis(500),
                    Duration::from_secs(seconds),
                ))?;
            println!(
                "{:.0} round trips/s, p50 {:.1} µs, p99 {:.1} µs",
                measured.per_second, measured.p50_us, measured.p99_us
            );
            return Ok(());
        }
        Some("__idle") => {
            // Memory per idle connection alone, to compare two builds.
            let kind = servers::Kind::parse(args.get(1).map_or("", String::as_str))?;
            let n: usize = args
                .get(2)
                .context("usage: chanx-bench __idle KIND N")?
                .parse()?;
            crate::sys::raise_fd_limit();
            let kib = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(load::idle_memory(kind, n))?;
            println!("{kib:.1} KiB per idle connection");
            return Ok(());
        }
        Some("__frames") => {
            // The per-frame cost alone (also part of `runtime`); `__frames
            // ping` measures only the frames whose name starts so (for a
            // profiler's instruction count of one kind of frame).
            let only = args.get(1).map(String::as_str);
            for (name, nanos) in frames::cost(frames::per_round(false), frames::ROUNDS, only)? {
                println!("{name}: {:.2} µs", nanos / 1_000.0);
            }
            return Ok(());
        }
        Some("__synth") => {
            // A synthetic document of at least LINES lines, on stdout.
            let lines = args.get(1).context("usage: chanx-bench __synth LINES")?;
            print!("{}", synth::document(lines.parse()?));
            return Ok(());
        }
        Some("__generate") => {
            // One load + Rust + TypeScript of FILE; what came out, as JSON.
            let path = args.get(1).context("usage: chanx-bench __generate FILE")?;
            let generated = hostile::generate_once(path.as_ref());
            println!("{}", serde_json::to_string(&generated)?);
            return Ok(());
        }
        Some("__fuzz") => {
            let (Some(seconds), Some(seed), Some(scratch)) =
                (args.get(1), args.get(2), args.get(3))
            else {
                bail!("usage: chanx-bench __fuzz SECONDS SEED SCRATCH");
            };
            let totals = fuzzing::campaign(seconds.parse()?, seed.parse()?, scratch.as_ref());
            println!("{}", serde_json::to_string(&totals)?);
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
    if args.hostile {
        let table = run::hostile(sizes)?;
        println!("{}", table.markdown());
        if args.write {
            let previous = std::fs::read_to_string(&args.out).ok();
            let section = report::hostile_section(&table, sizes);
            std::fs::write(
                &args.out,
                report::with_hostile(previous.as_deref(), &section),
            )
            .with_context(|| format!("cannot write {}", args.out.display()))?;
            eprintln!("wrote the hostile-client section of {}", args.out.display());
        }
        return Ok(());
    }
    let mut tables = Vec::new();
    if args.codegen {
        tables.extend(run::codegen(sizes)?);
    }
    if args.compile {
        tables.push(run::compile(sizes)?);
    }
    if args.instructions {
        tables.push(run::instructions(sizes)?);
    }
    if args.documents {
        tables.push(hostile::run(args.smoke)?);
    }
    if args.fuzz {
        let default = if args.smoke { 3 } else { 600 };
        tables.push(fuzzing::run(
            args.fuzz_seconds.unwrap_or(default),
            args.fuzz_seed,
        )?);
    }
    if args.runtime {
        tables.extend(run::runtime(sizes)?);
    }
    if args.logging {
        tables.push(run::logging(sizes)?);
    }
    for table in &tables {
        println!("{}", table.markdown());
    }
    if args.write {
        let text = if args.all {
            let previous = std::fs::read_to_string(&args.out).ok();
            report::keep_hostile(report::document(&tables, sizes), previous.as_deref())
        } else {
            let old = std::fs::read_to_string(&args.out)
                .with_context(|| format!("cannot read {}", args.out.display()))?;
            report::replace_tables(&old, &tables)
        };
        std::fs::write(&args.out, text)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        eprintln!("wrote {}", args.out.display());
    }
    Ok(())
}
