//! The TypeScript emitter: one dependency-free module per document with the
//! document's types, a small client runtime, and one typed client class per
//! channel (`ChatClient` for channel `chat`); a chanx topic hosted on another
//! channel's connection gets a handle class instead (`HubRoomTopicHandle`,
//! made by `HubClient.roomTopic(…)`). The runtime's topic machinery is only
//! emitted for documents with topics.
//!
//! Names are settled here, in Rust; `templates/ts/module.ts.j2` only lays
//! them out. The same [`Api`] always gives the same bytes.

mod client;
mod doc;
mod names;
mod topics;
mod types;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, syntax::SyntaxConfig};
use serde::Serialize;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Api;

pub use names::{LIFECYCLE_EVENTS, RUNTIME_NAMES};

use client::{ChannelDecl, ChannelNames, channel_decl, own_members};
use doc::Doc;
use names::Namespace;
use topics::{Role, host_members};
use types::TypeNames;

/// Options of the TypeScript emitter.
#[derive(Debug, Clone)]
pub struct TsOptions {
    /// How long a request waits for its reply unless the client or the call
    /// says otherwise.
    pub default_request_timeout_ms: u32,
}

impl Default for TsOptions {
    fn default() -> Self {
        TsOptions {
            default_request_timeout_ms: 10_000,
        }
    }
}

/// The names every channel declares: `<Base>Client`, `<Base>Params`, ….
const CHANNEL_SUFFIXES: &[&str] = &[
    "Client",
    "ClientOptions",
    "Credentials",
    "Params",
    "SendMessage",
    "ReceiveMessage",
    "Events",
];

/// The names every topic hosted on another channel's connection declares:
/// `<Base>Handle`, `<Base>Params` (of the topic pattern), ….
const HANDLE_SUFFIXES: &[&str] = &[
    "Handle",
    "Params",
    "SendMessage",
    "ReceiveMessage",
    "Events",
];

#[derive(Serialize)]
struct ModuleContext {
    source: String,
    module_doc: String,
    request_timeout_ms: u32,
    /// Whether the runtime's topic machinery is emitted.
    topics: bool,
    /// Every type's declaration, written (see [`types::TypeDecl::write`]).
    types: String,
    channels: Vec<ChannelDecl>,
}

/// Renders the TypeScript module for `api`.
///
/// Fails only if the template cannot be rendered, which is a bug in chanx;
/// every `Api` value has a TypeScript rendering.
pub fn generate(api: &Api, options: &TsOptions) -> Result<String, Diagnostics> {
    let mut namespace = Namespace::new();

    // Channel classes are the API people call, so they keep their names and
    // types that clash with them are renamed.
    let channel_names: Vec<ChannelNames> = api
        .channels
        .iter()
        .map(|c| ChannelNames {
            base: namespace.take_family(
                &c.name.pascal,
                if Role::of(c) == Role::Hosted {
                    HANDLE_SUFFIXES
                } else {
                    CHANNEL_SUFFIXES
                },
            ),
        })
        .collect();

    // First every type that can keep its name, then the renamed ones, so a
    // rename never takes the name of a type declared later.
    let mut type_names: Vec<Option<String>> = api
        .types
        .types
        .iter()
        .map(|t| {
            namespace
                .try_take(&t.name.pascal)
                .then(|| t.name.pascal.clone())
        })
        .collect();
    for (slot, def) in type_names.iter_mut().zip(&api.types.types) {
        if slot.is_none() {
            *slot = Some(namespace.take_or_suffix(&def.name.pascal));
        }
    }
    let type_names = TypeNames::new(
        &api.types,
        type_names
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect(),
    );

    let hosts = host_members(api, |id| own_members(api, id, &type_names));
    let context = ModuleContext {
        source: doc::comment_text(&api.source),
        module_doc: Doc::new()
            .text(Some(&format!("{} {}", api.title, api.version)))
            .text(api.description.as_deref())
            .render(0),
        request_timeout_ms: options.default_request_timeout_ms,
        topics: api.channels.iter().any(|c| c.topic.is_some()),
        types: {
            let mut types = String::new();
            for def in &api.types.types {
                type_names.declaration(def).write(&mut types);
            }
            types
        },
        channels: api
            .channels
            .iter()
            .enumerate()
            .map(|(id, channel)| {
                channel_decl(api, id, channel, &channel_names, &hosts, &type_names)
            })
            .collect(),
    };
    render(&context).map_err(|error| {
        Diagnostics::from(Diagnostic::error(
            Code::TsTemplate,
            format!("rendering the TypeScript module failed: {error:#}"),
        ))
    })
}

fn render(context: &ModuleContext) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("module.ts", chanx_templates::TS_MODULE)?;
    env.add_template("topics.ts", chanx_templates::TS_TOPICS)?;
    env.add_template("topic-members.ts", chanx_templates::TS_TOPIC_MEMBERS)?;
    let template = env.get_template("module.ts")?;
    template.render(Value::from(Serde(context)))
}
