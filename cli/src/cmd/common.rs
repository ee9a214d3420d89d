//! Options shared by the subcommands that load a document.

use std::path::PathBuf;

use chanx_codegen::{LoadOptions, Options, RemoteRefs};
use clap::Args as ClapArgs;

#[derive(Debug, Clone, ClapArgs)]
pub struct LoadArgs {
    /// Serve remote `$ref`s starting with PREFIX from the local directory DIR
    /// (nothing is ever fetched over the network). Repeatable.
    #[arg(long, value_name = "PREFIX=DIR", value_parser = parse_mapping)]
    pub map_url: Vec<(String, PathBuf)>,

    /// The property that tags messages on every channel (default: detected;
    /// `action` for documents the Python chanx emits).
    #[arg(long, value_name = "KEY")]
    pub action_key: Option<String>,
}

impl LoadArgs {
    pub fn options(&self) -> Options {
        let mut options = Options {
            load: LoadOptions {
                remote: RemoteRefs {
                    mappings: self.map_url.clone(),
                },
                ..LoadOptions::default()
            },
            ..Default::default()
        };
        options.build.action_key = self.action_key.clone();
        options
    }
}

pub fn parse_mapping(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((prefix, dir)) if !prefix.is_empty() && !dir.is_empty() => {
            Ok((prefix.to_string(), PathBuf::from(dir)))
        }
        _ => Err(format!("expected PREFIX=DIR, got '{text}'")),
    }
}
