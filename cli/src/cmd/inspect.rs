//! `chanx inspect FILE`: what will be generated, read from the model.

use crate::cmd::Exit;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use super::common::LoadArgs;
use crate::report::{Format, Report};

const EXAMPLES: &str = "\
Examples:
  chanx inspect specs/chat.yaml
  chanx inspect specs/chat.yaml --format json | jq '.channels[].name'";

#[derive(Debug, ClapArgs)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// An AsyncAPI 3 document (YAML or JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// `text` for people; `json` prints the whole model.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn run(args: &Args) -> anyhow::Result<Exit> {
    let file = args.file.display().to_string();
    match chanx_codegen::inspect(&args.file, &args.load.options()) {
        Ok(inspection) => {
            crate::report::write_diagnostics(
                &mut std::io::stderr().lock(),
                &inspection.warnings,
                args.format != Format::Short,
            )?;
            match args.format {
                Format::Text | Format::Short => print!("{}", inspection.text),
                Format::Json => println!("{}", inspection.json),
            }
            Ok(Exit::Success)
        }
        Err(diagnostics) => {
            let mut report = Report::default();
            report.add(file, diagnostics);
            report.print(args.format)?;
            Ok(Exit::Failure)
        }
    }
}
