//! `chanx validate FILE...`

use crate::cmd::Exit;
use std::path::PathBuf;

use chanx_codegen::{LoadOptions, RemoteRefs};
use clap::Args as ClapArgs;

use crate::report::{Format, Report};

const EXAMPLES: &str = "\
Examples:
  chanx validate specs/chat.yaml
  chanx validate specs/*.yaml --deny-warnings
  chanx validate api.yaml --format json | jq '.files[0].diagnostics'
  chanx validate api.yaml --map-url https://example.com/schemas/=vendor/schemas/

Exit status: 0 when every file is valid, 1 when any has errors (or warnings
with --deny-warnings), 2 on a usage error.";

#[derive(Debug, ClapArgs)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// AsyncAPI 3 documents (YAML or JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Serve remote `$ref`s starting with PREFIX from the local directory DIR
    /// (nothing is ever fetched over the network). Repeatable.
    #[arg(long, value_name = "PREFIX=DIR", value_parser = super::common::parse_mapping)]
    pub map_url: Vec<(String, PathBuf)>,
}

pub fn run(args: &Args) -> anyhow::Result<Exit> {
    let options = LoadOptions {
        remote: RemoteRefs {
            mappings: args.map_url.clone(),
        },
        ..LoadOptions::default()
    };
    let mut report = Report::default();
    for file in &args.files {
        let diagnostics = match chanx_codegen::validate(file, &options) {
            Ok(warnings) => warnings,
            Err(problems) => problems,
        };
        report.add(file.display().to_string(), diagnostics);
    }
    report.print(args.format)?;
    Ok(if report.fails(args.deny_warnings) {
        Exit::Failure
    } else {
        Exit::Success
    })
}
