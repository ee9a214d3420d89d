//! `chanx diff`: what a change to a document does on the wire.
//!
//! Both documents are loaded into the model the generator uses and compared
//! there: channels by key, messages of a channel by tag value (else by
//! name), payloads through the validator program, so a change is judged by
//! the values a server or client accepts, not by how the YAML is written.
//! Each [`Change`] says whom it breaks ([`Breaks`]) and why; the rules are
//! in `docs/diff.md`.

mod channels;
mod connect;
mod schema;

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::generate::{Options, load_document};
use crate::ir::{Api, Origin};
use crate::load::{Document, NodeRef};

/// Declares [`Kind`]: each variant with its string and one line on when it
/// is reported (shown in `docs/diff.md`).
macro_rules! kinds {
    ($(#[doc = $doc:literal] $variant:ident = $code:literal,)*) => {
        /// What changed: a stable, machine-readable code (`field-required`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $(#[doc = $doc] $variant,)*
        }

        impl Kind {
            /// Every kind, in the order of the table in `docs/diff.md`.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The kind as output shows it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Kind::$variant => $code,)*
                }
            }

            /// When the kind is reported, in one line.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Kind::$variant => $doc.trim(),)*
                }
            }
        }
    };
}

kinds! {
    // Channels.
    /// A channel (matched by its key) is new.
    ChannelAdded = "channel-added",
    /// A channel is gone.
    ChannelRemoved = "channel-removed",
    /// A channel has another key but the same address (matched by it).
    ChannelRenamed = "channel-renamed",
    /// A channel's address changed (or became dynamic, or static).
    AddressChanged = "address-changed",
    /// A channel's parameters changed: names, or the values an `enum` allows.
    ParametersChanged = "parameters-changed",
    /// The property that tags a channel's messages changed.
    TagKeyChanged = "tag-key-changed",
    /// A topic's pattern changed, or a channel became or stopped being a topic.
    TopicChanged = "topic-changed",
    // Connecting.
    /// A client may send a new query parameter or header when it connects.
    CredentialAdded = "credential-added",
    /// A query parameter or header a client sends when it connects is no longer asked for.
    CredentialRemoved = "credential-removed",
    /// A query parameter or header is new and required, or was optional and is now required.
    CredentialRequired = "credential-required",
    /// A required query parameter or header is now optional.
    CredentialOptional = "credential-optional",
    // Messages.
    /// A message is new in one direction of a channel.
    MessageAdded = "message-added",
    /// A message is gone from one direction of a channel.
    MessageRemoved = "message-removed",
    /// A message is gone and a new one carries the same payload under another tag or name.
    MessageRenamed = "message-renamed",
    /// A request now has a reply.
    ReplyAdded = "reply-added",
    /// A request no longer has a reply.
    ReplyRemoved = "reply-removed",
    /// A request's reply is another message.
    ReplyChanged = "reply-changed",
    /// A message's correlation id (where a reply carries its request's id) appeared, moved or went.
    CorrelationChanged = "correlation-changed",
    // Payloads.
    /// A payload or part of one accepts a smaller type (`any` → string, number → integer).
    TypeNarrowed = "type-narrowed",
    /// A payload or part of one accepts a larger type (integer → number, a new union member).
    TypeWidened = "type-widened",
    /// A payload or part of one changed type (string → integer).
    TypeChanged = "type-changed",
    /// `null` is accepted where it was not.
    NullAllowed = "null-allowed",
    /// `null` is no longer accepted.
    NullRemoved = "null-removed",
    /// An object has a new optional property.
    FieldAdded = "field-added",
    /// An object property is gone.
    FieldRemoved = "field-removed",
    /// A property is new and required, or was optional and is now required.
    FieldRequired = "field-required",
    /// A required property is now optional.
    FieldOptional = "field-optional",
    /// An object now rejects properties it does not declare.
    UnknownRejected = "unknown-properties-rejected",
    /// An object now accepts properties it does not declare.
    UnknownAccepted = "unknown-properties-accepted",
    /// A bound, length, pattern or `multipleOf` now admits fewer values.
    ConstraintTightened = "constraint-tightened",
    /// A bound, length, pattern or `multipleOf` now admits more values.
    ConstraintLoosened = "constraint-loosened",
    /// A pattern or `multipleOf` changed so that neither admits all the other does.
    ConstraintChanged = "constraint-changed",
    /// An `enum` or `const` lost values.
    ValueRemoved = "value-removed",
    /// An `enum` gained values.
    ValueAdded = "value-added",
    /// A union lost a member (a `oneOf` choice, a tag value).
    VariantRemoved = "variant-removed",
    /// A union gained a member.
    VariantAdded = "variant-added",
    /// A discriminated union is tagged by another property.
    DiscriminatorChanged = "discriminator-changed",
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How the set of values a schema accepts moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shift {
    /// NEW accepts fewer values (every value it accepts, OLD accepted).
    Tighter,
    /// NEW accepts more values (every value OLD accepted, it accepts).
    Looser,
    /// Neither accepts all the other does.
    Incompatible,
    /// Different, but not for any value either side built on OLD sends (an
    /// optional property added to an object that ignores unknown ones).
    Neutral,
}

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The server receives it (the document's `receive` operations).
    ClientToServer,
    /// The server sends it (`send` operations, and replies to what it receives).
    ServerToClient,
}

impl Direction {
    fn arrow(self) -> &'static str {
        match self {
            Direction::ClientToServer => "client → server",
            Direction::ServerToClient => "server → client",
        }
    }
}

/// Whom a change breaks; neither means it is safe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Breaks {
    /// A client built on OLD fails against a server on NEW.
    pub clients: bool,
    /// A server built on OLD no longer meets NEW's contract.
    pub servers: bool,
}

impl Breaks {
    /// Safe for everyone.
    pub const NONE: Breaks = Breaks {
        clients: false,
        servers: false,
    };
    /// Breaks clients only.
    pub const CLIENTS: Breaks = Breaks {
        clients: true,
        servers: false,
    };
    /// Breaks servers only.
    pub const SERVERS: Breaks = Breaks {
        clients: false,
        servers: true,
    };
    /// Breaks both sides.
    pub const BOTH: Breaks = Breaks {
        clients: true,
        servers: true,
    };

    /// Whether nobody is broken.
    pub fn is_safe(self) -> bool {
        !self.clients && !self.servers
    }

    /// What is left once the sides in `allowed` are accepted.
    pub fn without(self, allowed: Breaks) -> Breaks {
        Breaks {
            clients: self.clients && !allowed.clients,
            servers: self.servers && !allowed.servers,
        }
    }

    /// How a payload change is judged (the table in `docs/diff.md`).
    pub fn of_payload(direction: Direction, shift: Shift) -> Breaks {
        match (direction, shift) {
            (_, Shift::Neutral) | (Direction::ClientToServer, Shift::Looser) => Breaks::NONE,
            (Direction::ClientToServer, Shift::Tighter | Shift::Incompatible) => Breaks::CLIENTS,
            (Direction::ServerToClient, Shift::Looser) => Breaks::CLIENTS,
            (Direction::ServerToClient, Shift::Tighter) => Breaks::SERVERS,
            (Direction::ServerToClient, Shift::Incompatible) => Breaks::BOTH,
        }
    }

    fn verdict(self) -> &'static str {
        match (self.clients, self.servers) {
            (true, true) => "breaking for clients and servers",
            (true, false) => "breaking for clients",
            (false, true) => "breaking for servers",
            (false, false) => "safe",
        }
    }
}

/// A node of one of the documents: where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// The file as the user named it.
    pub file: String,
    /// JSON pointer inside the file.
    pub pointer: String,
    /// Line, from 1 (0 until located, see [`diff_files`]).
    pub line: u32,
    /// Column, from 1 (0 until located).
    pub col: u32,
}

impl Site {
    pub(crate) fn at(origin: &Origin) -> Site {
        Site::new(&origin.file, &origin.pointer)
    }

    pub(crate) fn new(file: &str, pointer: &str) -> Site {
        Site {
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            line: 0,
            col: 0,
        }
    }

    /// The nearest node that exists in `doc`, with its line and column.
    fn locate(&mut self, doc: &Document) {
        let Some(file) = doc.files.iter().position(|f| f.display == self.file) else {
            return;
        };
        let nearest = crate::load::pointer_ancestors(&self.pointer)
            .find(|up| doc.raw(&NodeRef::new(file, *up)).is_some())
            .unwrap_or("");
        let node = NodeRef::new(file, nearest);
        self.pointer = node.pointer.clone();
        if let Some(location) = doc.location(&node) {
            self.line = location.line;
            self.col = location.col;
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            let pointer = if self.pointer.is_empty() {
                "/"
            } else {
                &self.pointer
            };
            return write!(f, "{}#{pointer}", self.file);
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One difference between the documents and its judgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// Whom it breaks.
    pub breaks: Breaks,
    /// The channel (its key in the document).
    pub channel: String,
    /// The message (its tag value, else its name), when the change is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Which way the message travels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Where in the payload (`payload.items[].name`), for payload changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How the accepted values moved, for payload changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    /// What changed and why it is judged so, in words.
    pub reason: String,
    /// The node in OLD (for something added, where it would be).
    pub old: Site,
    /// The node in NEW (for something removed, where it was held).
    pub new: Site,
}

impl Change {
    /// `channel chat, message "chat" (client → server), payload.text`.
    pub fn subject(&self) -> String {
        let mut out = format!("channel {}", self.channel);
        if let Some(message) = &self.message {
            out.push_str(&format!(", message \"{message}\""));
        }
        if let Some(direction) = self.direction {
            out.push_str(&format!(" ({})", direction.arrow()));
        }
        if let Some(path) = &self.path {
            out.push_str(&format!(", {path}"));
        }
        out
    }
}

/// `new.yaml:12:9: breaking for clients: <subject>: <reason> (old: old.yaml:12:9)`,
/// the shape of a diagnostic.
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: {} (old: {})",
            self.new,
            self.breaks.verdict(),
            self.subject(),
            self.reason,
            self.old
        )
    }
}

/// Every change from `old` to `new`, channel by channel in the documents'
/// order. Sites are not located yet (see [`diff_files`]).
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    channels::compare(old, new)
}

/// Loads both documents as the generator does and compares them; each
/// change's sites carry their line and column. When a document cannot be
/// loaded, every problem of both is returned instead.
pub fn diff_files(old: &Path, new: &Path, options: &Options) -> Result<Vec<Change>, LoadFailure> {
    match (load_document(old, options), load_document(new, options)) {
        (Ok((old_doc, old_api)), Ok((new_doc, new_api))) => {
            let mut changes = diff(&old_api.api, &new_api.api);
            for change in &mut changes {
                change.old.locate(&old_doc);
                change.new.locate(&new_doc);
            }
            Ok(changes)
        }
        (old, new) => Err(LoadFailure {
            old: old.err(),
            new: new.err(),
        }),
    }
}

/// The problems of the documents [`diff_files`] could not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadFailure {
    /// OLD's problems, when it could not be loaded.
    pub old: Option<Diagnostics>,
    /// NEW's problems, when it could not be loaded.
    pub new: Option<Diagnostics>,
}

impl fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostics in self.old.iter().chain(&self.new) {
            write!(f, "{diagnostics}")?;
        }
        Ok(())
    }
}

/// Counts for a summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every change.
    pub changes: usize,
    /// Changes that break clients.
    pub breaking_clients: usize,
    /// Changes that break servers.
    pub breaking_servers: usize,
    /// Changes that break nobody.
    pub safe: usize,
}

impl Summary {
    /// The counts of `changes`.
    pub fn of(changes: &[Change]) -> Summary {
        let mut summary = Summary {
            changes: changes.len(),
            ..Summary::default()
        };
        for change in changes {
            summary.breaking_clients += usize::from(change.breaks.clients);
            summary.breaking_servers += usize::from(change.breaks.servers);
            summary.safe += usize::from(change.breaks.is_safe());
        }
        summary
    }
}

/// `3 changes: 1 breaking for clients, 1 breaking for servers, 1 safe`.
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.changes == 1 { "" } else { "s" };
        write!(
            f,
            "{} change{plural}: {} breaking for clients, {} breaking for servers, {} safe",
            self.changes, self.breaking_clients, self.breaking_servers, self.safe
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of kinds in `docs/diff.md`.
    fn kinds_table() -> String {
        let mut table = String::from("| kind | reported when |\n| --- | --- |\n");
        for kind in Kind::ALL {
            table.push_str(&format!("| `{}` | {} |\n", kind.as_str(), kind.meaning()));
        }
        table
    }

    #[test]
    fn payload_judgements_follow_the_documented_table() {
        use Direction::*;
        use Shift::*;
        let cases = [
            (ClientToServer, Tighter, Breaks::CLIENTS),
            (ClientToServer, Incompatible, Breaks::CLIENTS),
            (ClientToServer, Looser, Breaks::NONE),
            (ClientToServer, Neutral, Breaks::NONE),
            (ServerToClient, Looser, Breaks::CLIENTS),
            (ServerToClient, Incompatible, Breaks::BOTH),
            (ServerToClient, Tighter, Breaks::SERVERS),
            (ServerToClient, Neutral, Breaks::NONE),
        ];
        for (direction, shift, expected) in cases {
            assert_eq!(
                Breaks::of_payload(direction, shift),
                expected,
                "{direction:?} {shift:?}"
            );
        }
    }

    #[test]
    fn allowing_a_side_leaves_the_other() {
        assert!(Breaks::BOTH.without(Breaks::CLIENTS).servers);
        assert!(!Breaks::BOTH.without(Breaks::CLIENTS).clients);
        assert!(Breaks::CLIENTS.without(Breaks::CLIENTS).is_safe());
    }

    /// `docs/diff.md` lists every kind; `CHANX_UPDATE_DOCS=1` rewrites the table.
    #[test]
    fn docs_list_every_kind() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/diff.md");
        let text = std::fs::read_to_string(path).expect("docs/diff.md");
        let (start, end) = ("<!-- kinds:start -->\n", "<!-- kinds:end -->");
        let from = text.find(start).expect("start marker") + start.len();
        let to = text.find(end).expect("end marker");
        let expected = kinds_table();
        if text[from..to] == expected {
            return;
        }
        if std::env::var_os("CHANX_UPDATE_DOCS").is_some() {
            let updated = format!("{}{expected}{}", &text[..from], &text[to..]);
            std::fs::write(path, updated).expect("write docs/diff.md");
            return;
        }
        panic!("docs/diff.md does not list the kinds; rerun with CHANX_UPDATE_DOCS=1:\n{expected}");
    }
}
