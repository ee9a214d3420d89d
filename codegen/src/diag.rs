//! Diagnostics: every problem found in a document, with where it is.
//!
//! Problems are collected, never thrown one at a time, so a user sees all of
//! them in one run (`file:line:col: /json/pointer: message (hint)`).

use std::fmt;

use serde::Serialize;

/// How bad a problem is. Warnings never fail a run unless the caller denies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; generation goes on.
    Warning,
    /// The document cannot be used as it is.
    Error,
}

/// A position in a source file; line and column are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file as the user named it (relative paths stay relative).
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column (in characters), from 1.
    pub col: u32,
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether it fails the run.
    pub severity: Severity,
    /// A stable machine-readable code, e.g. `ref-not-found`.
    pub code: &'static str,
    /// Where the problem is; `None` only when the file itself cannot be read.
    pub location: Option<Location>,
    /// JSON pointer of the offending node inside its file (`""` is the root).
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// How to fix it, when there is something to suggest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with its code and message (locate it with [`Diagnostic::at`]).
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            location: None,
            pointer: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    /// A warning with its code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Places the problem in a file and at a node.
    pub fn at(mut self, location: Option<Location>, pointer: impl Into<String>) -> Self {
        self.location = location;
        self.pointer = pointer.into();
        self
    }

    /// Adds a suggestion.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}:{}:{}: ", loc.file, loc.line, loc.col)?;
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        // A problem with the file as a whole (unreadable, not text) has no node to name.
        if self.location.is_some() || !self.pointer.is_empty() {
            let pointer = if self.pointer.is_empty() {
                "/"
            } else {
                &self.pointer
            };
            write!(f, "{pointer}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// All problems of one run, in a stable order (file, line, column).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds every problem of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Whether there is no problem at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts by location and drops exact duplicates (the same ref reached twice).
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.location, &a.pointer, a.code, &a.message).cmp(&(
                &b.location,
                &b.pointer,
                b.code,
                &b.message,
            ))
        });
        self.0.dedup();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}
