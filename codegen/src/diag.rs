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
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub col: u32,
}

/// Declares [`Code`]: each variant with its string and the one line that
/// says when it is raised (which is also its rustdoc and its row in
/// `docs/diagnostics.md`).
macro_rules! codes {
    ($(#[doc = $doc:literal] $variant:ident = $code:literal,)*) => {
        /// What a diagnostic is about: a stable, machine-readable code.
        ///
        /// Text and JSON output show [`Code::as_str`] (`ref-not-found`); every
        /// code is listed in `docs/diagnostics.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in the order of the table in `docs/diagnostics.md`.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as output shows it, e.g. `ref-not-found`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// When the code is raised, in one line.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc.trim(),)*
                }
            }
        }
    };
}

codes! {
    // Reading files.
    /// A file cannot be read: it does not exist, is a directory, or is not readable.
    Io = "io",
    /// A path names a device, named pipe or socket; only regular files are read.
    NotAFile = "not-a-file",
    /// A file is not UTF-8 text (a binary file?).
    NotUtf8 = "not-utf8",
    /// A file is larger than the limit (16 MiB).
    FileTooLarge = "file-too-large",
    /// A file is empty, holds only comments, or holds no document.
    EmptyFile = "empty-file",
    /// A file is not valid YAML or JSON.
    Syntax = "syntax",
    /// Mappings and sequences nest deeper than the limit (128 levels).
    TooDeep = "too-deep",
    /// A mapping repeats a key.
    DuplicateKey = "duplicate-key",
    /// YAML anchors and aliases copy more than the limit (100,000 nodes or 16 MiB of text).
    AliasLimit = "alias-limit",
    /// A node's path from the top of its file (its JSON pointer) is longer than the limit (1,024 bytes).
    PathTooLong = "path-too-long",
    /// A file holds more than one YAML document (`---`).
    MultiDocument = "multi-document",
    /// A YAML mapping or sequence is used as a mapping key.
    Unsupported = "unsupported",
    /// A document pulls in more files through `$ref` than the limit (1,000).
    TooManyFiles = "too-many-files",
    // References.
    /// A `$ref` points at a node that does not exist.
    RefNotFound = "ref-not-found",
    /// A `$ref` names a file that does not exist or could not be loaded.
    RefFileMissing = "ref-file-missing",
    /// A `$ref` never reaches a value: its chain of references, or the path to its target, comes back to itself.
    RefCycle = "ref-cycle",
    /// Reaching a `$ref`'s value takes more nested references than the limit (64).
    RefTooDeep = "ref-too-deep",
    /// A `$ref` names a remote URL that no `--map-url` maps to a local copy.
    RefRemote = "ref-remote",
    /// A `$ref` cannot be followed: it is not a string, or its fragment is not a JSON pointer.
    RefInvalid = "ref-invalid",
    // The document.
    /// The document is not a mapping (a YAML/JSON object).
    NotAMapping = "not-a-mapping",
    /// The document has no `asyncapi` version.
    MissingVersion = "missing-version",
    /// The `asyncapi` version is not a string.
    BadVersion = "bad-version",
    /// The document is AsyncAPI 2; it must be converted to 3 first.
    Asyncapi2 = "asyncapi-2",
    /// The `asyncapi` version is neither 3.0.0 nor 3.1.0.
    UnsupportedVersion = "unsupported-version",
    /// The document breaks the official AsyncAPI JSON Schema.
    Schema = "schema",
    /// A `discriminator` is an OpenAPI discriminator object where AsyncAPI expects a property name.
    DiscriminatorObject = "discriminator-object",
    /// Warning: an object schema requires a property it does not declare (a typo?).
    RequiredUnknownProperty = "required-unknown-property",
    /// An operation's channel cannot be resolved or is not one of the document's channels.
    OperationChannel = "operation-channel",
    /// An operation's `action` is neither `send` nor `receive`.
    OperationAction = "ir-operation-action",
    /// An operation or reply lists a message that is not one of its channel's messages.
    MessageNotInChannel = "message-not-in-channel",
    /// Two messages of one channel and direction share a tag value.
    DuplicateTag = "duplicate-tag",
    /// An address `{parameter}` is not declared under the channel's `parameters`: an error when the channel has a `parameters` object, a warning (the parameter is taken as a string) when it has none, as the official parser accepts such a channel.
    AddressParameterUndeclared = "address-parameter-undeclared",
    /// A declared channel parameter does not appear in the channel's address.
    ParameterNotInAddress = "parameter-not-in-address",
    /// Warning: no operation uses a channel, so no code is generated for it.
    UnusedChannel = "unused-channel",
    // Building the model.
    /// Warning: an object was expected (a message, a channel, …) and something else was found.
    NotAnObject = "ir-not-an-object",
    /// Warning: a channel address is not a string; the channel is treated as dynamic.
    ChannelAddress = "ir-channel-address",
    /// Warning: a message of a tagged channel has no string constant at the tag property.
    UntaggedMessage = "ir-untagged-message",
    /// Warning: a schema refers to itself without a named type in between; it becomes any value.
    SchemaCycle = "ir-schema-cycle",
    /// Warning: a schema (or part of one) cannot be modelled as a type; it becomes any value.
    UnsupportedSchema = "ir-unsupported-schema",
    /// Warning: a `oneOf`/`anyOf` schema has properties beside its variants; they are not part of the type.
    UnionProperties = "ir-union-properties",
    /// Warning: an `allOf` part is not an object, so it is not merged.
    AllOfNotObject = "ir-allof-not-object",
    /// Warning: a payload's `schemaFormat` is not supported; the payload becomes any value.
    UnknownSchemaFormat = "ir-unknown-schema-format",
    /// Warning: a `correlationId` without a `location` is ignored.
    CorrelationId = "ir-correlation-id",
    /// A channel's `x-topic` is not an object with a string `pattern` (and optional `name` and `parameters`).
    TopicExtension = "topic-extension",
    /// Warning: `x-topic.parameters` differs from the placeholders of its `pattern`; the pattern's are used.
    TopicParameters = "topic-parameters",
    /// A schema has more properties, `required` names, enum values or union variants, or a channel more messages, than the limit (10,000).
    TooManyMembers = "too-many-members",
    /// The model has more properties, `required` names, enum values, union variants and messages in all than the limit (500,000), counting each copy `allOf` makes.
    ModelTooLarge = "model-too-large",
    // Bugs in chanx (please report them with the document).
    /// The embedded AsyncAPI JSON Schema failed to compile.
    Internal = "internal",
    /// The Rust emitter produced code that does not parse, or a model that refers to missing types.
    RustEmit = "rust-emit",
    /// The TypeScript template failed to render.
    TsTemplate = "ts-template",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether it stops generation.
    pub severity: Severity,
    /// What the problem is about (`ref-not-found`); see [`Code`].
    pub code: Code,
    /// Where the problem is; `None` only when the file itself cannot be read.
    pub location: Option<Location>,
    /// JSON pointer of the offending node inside its file (`""` is the root).
    pub pointer: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something to suggest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error, not yet located.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            location: None,
            pointer: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    /// A warning, not yet located.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The diagnostic located at `location`, node `pointer`.
    pub fn at(mut self, location: Option<Location>, pointer: impl Into<String>) -> Self {
        self.location = location;
        self.pointer = pointer.into();
        self
    }

    /// The diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it is an error.
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
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors, in order.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings, in order.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts by location and drops exact duplicates (the same ref reached twice).
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.location, &a.pointer, a.code.as_str(), &a.message).cmp(&(
                &b.location,
                &b.pointer,
                b.code.as_str(),
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The table of codes in `docs/diagnostics.md`, as [`Code`] describes them.
    fn docs_table() -> String {
        let mut table = String::from("| code | raised when |\n| --- | --- |\n");
        for code in Code::ALL {
            table.push_str(&format!("| `{}` | {} |\n", code.as_str(), code.meaning()));
        }
        table
    }

    #[test]
    fn every_code_has_its_own_string() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "`{text}` names two codes");
            assert!(
                !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "`{text}` is not kebab-case"
            );
            assert!(!code.meaning().is_empty(), "`{text}` has no meaning");
        }
    }

    /// The docs list every code: the table between the markers of
    /// `docs/diagnostics.md` is exactly what [`Code`] says. Run with
    /// `CHANX_UPDATE_DOCS=1` to rewrite it.
    #[test]
    fn docs_list_every_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diagnostics.md");
        let text = std::fs::read_to_string(path).expect("docs/diagnostics.md");
        let (start, end) = ("<!-- codes:start -->\n", "<!-- codes:end -->");
        let from = text.find(start).expect("start marker") + start.len();
        let to = text.find(end).expect("end marker");
        let expected = docs_table();
        if text[from..to] == expected {
            return;
        }
        if std::env::var_os("CHANX_UPDATE_DOCS").is_some() {
            let updated = format!("{}{expected}{}", &text[..from], &text[to..]);
            std::fs::write(path, updated).expect("write docs/diagnostics.md");
            return;
        }
        panic!(
            "docs/diagnostics.md does not list the codes of chanx_codegen::Code; \
             rerun with CHANX_UPDATE_DOCS=1 to rewrite its table:\n{expected}"
        );
    }
}
