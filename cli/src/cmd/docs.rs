//! `chanx docs FILE`: the docs page a server generated from FILE serves at
//! `/asyncapi`, as one file to publish.

use crate::cmd::Exit;
use std::path::PathBuf;

use anyhow::Context;
use chanx_codegen::{docs_page, write_if_changed};
use clap::Args as ClapArgs;

use super::common::LoadArgs;
use crate::report::{Format, Report};

const EXAMPLES: &str = "\
Examples:
  chanx docs specs/chat.yaml --out docs.html
  chanx docs specs/chat.yaml > public/asyncapi.html

The page is one HTML file with its styles, script and the document (every
`$ref`'d file merged in) inside: it needs no network and opens from disk.";

#[derive(Debug, ClapArgs)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// An AsyncAPI 3 document (YAML or JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where to write the page (default: standard output).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn run(args: &Args) -> anyhow::Result<Exit> {
    let page = match docs_page(&args.file, &args.load.options()) {
        Ok(page) => page,
        Err(diagnostics) => {
            let mut report = Report::default();
            report.add(args.file.display().to_string(), diagnostics);
            report.print(Format::Text)?;
            return Ok(Exit::Failure);
        }
    };
    crate::report::write_diagnostics(&mut std::io::stderr().lock(), &page.warnings, true)?;
    match &args.out {
        Some(out) => {
            let written = write_if_changed(out, &page.html)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let state = if written { "wrote" } else { "unchanged" };
            println!("{state} {}", out.display());
        }
        None => print!("{}", page.html),
    }
    Ok(Exit::Success)
}
