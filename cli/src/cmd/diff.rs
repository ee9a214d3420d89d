//! `chanx diff OLD NEW`: what a change to a document breaks, judged on the
//! wire (the rules are in docs/diff.md).

use crate::cmd::Exit;
use std::io::Write;
use std::path::PathBuf;

use chanx_codegen::Diagnostics;
use chanx_codegen::diff::{Breaks, Change, Summary, diff_files};
use clap::{Args as ClapArgs, ValueEnum};
use serde_json::json;

use super::common::LoadArgs;
use super::git_base::Checkout;
use crate::report::{Format, Report};

const EXAMPLES: &str = "\
Examples:
  chanx diff old/chat.yaml specs/chat.yaml
  chanx diff --base main specs/chat.yaml          # against the committed version
  chanx diff --base HEAD~1 specs/chat.yaml --allow server
  chanx diff a.yaml b.yaml --format json | jq '.changes[] | select(.breaks.clients)'

A change is breaking for clients when a client built on OLD fails against a
server on NEW, breaking for servers when a server built on OLD no longer
meets NEW's contract, and safe otherwise. docs/diff.md lists the rules.

With --base, OLD is FILE as committed at GIT-REF: the whole tree of that
commit is extracted to a temporary directory (git archive), so files FILE
`$ref`s are read as they were at GIT-REF too. Locations in OLD show as
GIT-REF:path.

Exit status: 0 when nothing breaks (or only the sides --allow accepts), 1
when a change breaks a side or a document cannot be loaded, 2 on a usage
error.";

/// A side whose breaking changes are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Side {
    /// Changes that break clients built on OLD.
    Client,
    /// Changes that break servers built on OLD.
    Server,
}

#[derive(Debug, ClapArgs)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// OLD and NEW documents; with --base, only the file to compare.
    #[arg(required = true, num_args = 1..=2, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Compare FILE with its version at this git revision (branch, tag, commit).
    #[arg(long, value_name = "GIT-REF")]
    pub base: Option<String>,

    /// Accept changes that break this side: they are still listed, but do
    /// not fail the run. Repeatable.
    #[arg(long, value_enum, value_name = "SIDE")]
    pub allow: Vec<Side>,

    /// `text` for people, `json` for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(flatten)]
    pub load: LoadArgs,
}

pub fn run(args: &Args) -> anyhow::Result<Exit> {
    let (checkout, old, new) = match (&args.base, args.files.as_slice()) {
        (Some(base), [file]) => {
            let checkout = Checkout::new(base, file)?;
            let old = checkout.file().to_path_buf();
            (Some(checkout), old, file.clone())
        }
        (Some(_), _) => return usage("with --base, give one FILE: the document to compare"),
        (None, [old, new]) => (None, old.clone(), new.clone()),
        (None, _) => return usage("give OLD and NEW documents, or --base GIT-REF and one FILE"),
    };
    // Paths inside the checkout read as `REF:path`.
    let rename = |text: &str| match &checkout {
        Some(checkout) => checkout.rename(text),
        None => text.to_owned(),
    };
    let old_shown = rename(&old.display().to_string());
    let new_shown = new.display().to_string();

    let changes = match diff_files(&old, &new, &args.load.options()) {
        Ok(changes) => changes,
        Err(failure) => {
            let mut report = Report::default();
            if let Some(diagnostics) = failure.old {
                report.add(old_shown, renamed(diagnostics, &rename));
            }
            if let Some(diagnostics) = failure.new {
                report.add(new_shown, diagnostics);
            }
            report.print(args.format)?;
            return Ok(Exit::Failure);
        }
    };
    let changes: Vec<Change> = changes
        .into_iter()
        .map(|mut c| {
            c.old.file = rename(&c.old.file);
            c
        })
        .collect();

    let allowed = Breaks {
        clients: args.allow.contains(&Side::Client),
        servers: args.allow.contains(&Side::Server),
    };
    let breaking = changes.iter().any(|c| !c.breaks.without(allowed).is_safe());
    // Changes an allowed side would have failed on, to say why the run passes.
    let accepted = changes
        .iter()
        .map(|c| c.breaks)
        .any(|b| (b.clients && allowed.clients) || (b.servers && allowed.servers));
    let mut out = String::new();
    match args.format {
        Format::Text | Format::Short => {
            for change in &changes {
                out.push_str(&format!("{change}\n"));
            }
            let note = if accepted {
                " (breaking changes of the --allow'ed sides accepted)"
            } else {
                ""
            };
            out.push_str(&format!(
                "{old_shown} → {new_shown}: {}{note}\n",
                Summary::of(&changes)
            ));
        }
        Format::Json => {
            let report = json!({
                "old": old_shown,
                "new": new_shown,
                "breaking": breaking,
                "allowed": allowed,
                "summary": Summary::of(&changes),
                "changes": changes,
            });
            out.push_str(&serde_json::to_string_pretty(&report)?);
            out.push('\n');
        }
    }
    // A reader that stops early (`| head`) is not an error.
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
        _ => {}
    }
    Ok(if breaking {
        Exit::Failure
    } else {
        Exit::Success
    })
}

/// A usage error: exit status 2, as clap's own.
fn usage(message: &str) -> anyhow::Result<Exit> {
    eprintln!("error: {message}");
    Ok(Exit::Usage)
}

fn renamed(mut diagnostics: Diagnostics, rename: &dyn Fn(&str) -> String) -> Diagnostics {
    for d in &mut diagnostics.0 {
        if let Some(location) = &mut d.location {
            location.file = rename(&location.file);
        }
        d.message = rename(&d.message);
    }
    diagnostics
}
