//! Rendering diagnostics for people (text on stderr) or tools (JSON on stdout).

use std::io::{IsTerminal, Write};

use chanx_codegen::Diagnostics;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each diagnostic with its source line and a caret, as rustc shows errors
    /// (in colour on a terminal unless NO_COLOR is set).
    Text,
    /// One line per diagnostic: `file:line:col: /pointer: message (hint)`.
    Short,
    /// One JSON document on stdout.
    Json,
}

/// The diagnostics of every file of one run.
#[derive(Debug, Default)]
pub struct Report {
    files: Vec<(String, Diagnostics)>,
}

impl Report {
    pub fn add(&mut self, file: String, diagnostics: Diagnostics) {
        self.files.push((file, diagnostics));
    }

    /// Whether the run must exit non-zero.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        self.files
            .iter()
            .any(|(_, d)| d.has_errors() || (deny_warnings && !d.is_empty()))
    }

    pub fn print(&self, format: Format) -> std::io::Result<()> {
        match format {
            Format::Text => self.print_text(true),
            Format::Short => self.print_text(false),
            Format::Json => self.print_json(),
        }
    }

    /// Warnings of a successful run: the diagnostics alone, on stderr.
    pub fn print_diagnostics_only(&self, format: Format) -> std::io::Result<()> {
        let mut stderr = std::io::stderr().lock();
        for (_, diagnostics) in &self.files {
            write_diagnostics(&mut stderr, diagnostics, format != Format::Short)?;
        }
        Ok(())
    }

    fn print_text(&self, rendered: bool) -> std::io::Result<()> {
        let mut stderr = std::io::stderr().lock();
        for (_, diagnostics) in &self.files {
            write_diagnostics(&mut stderr, diagnostics, rendered)?;
        }
        stderr.flush()?;
        let mut stdout = std::io::stdout().lock();
        for (file, diagnostics) in &self.files {
            writeln!(stdout, "{}", summary(file, diagnostics))?;
        }
        Ok(())
    }

    fn print_json(&self) -> std::io::Result<()> {
        let files: Vec<_> = self
            .files
            .iter()
            .map(|(file, d)| {
                json!({
                    "file": file,
                    "valid": !d.has_errors(),
                    "errors": d.errors().count(),
                    "warnings": d.warnings().count(),
                    "diagnostics": d,
                })
            })
            .collect();
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &json!({ "files": files }))?;
        writeln!(stdout)
    }
}

/// Diagnostics on stderr: rendered with their source lines (coloured on a
/// terminal, unless `NO_COLOR` is set), or one line each.
pub fn write_diagnostics(
    out: &mut impl Write,
    diagnostics: &Diagnostics,
    rendered: bool,
) -> std::io::Result<()> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    if rendered {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        write!(out, "{}", chanx_codegen::render(diagnostics, color))
    } else {
        write!(out, "{diagnostics}")
    }
}

/// `specs/chat.yaml: valid (0 warnings)` / `x.yaml: invalid (2 errors, 1 warning)`.
pub fn summary(file: &str, diagnostics: &Diagnostics) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let warnings = plural(diagnostics.warnings().count(), "warning");
    if diagnostics.has_errors() {
        let errors = plural(diagnostics.errors().count(), "error");
        format!("{file}: invalid ({errors}, {warnings})")
    } else {
        format!("{file}: valid ({warnings})")
    }
}
