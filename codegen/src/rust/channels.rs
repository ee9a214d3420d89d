//! `pub mod channels`: one module per channel with its address, parameters,
//! message enums, `Consumer` trait and the `<Channel>Server` glue.

use std::collections::HashSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use serde_json::{Value, json};

use super::RustOptions;
use super::docs::{doc_attrs, doc_line, doc_text};
use super::format::Piece;
use super::names::{Namer, ident};
use super::types::TypesModule;
use crate::ir::{Action, Api, Channel, ChannelId, MessageId, Operation, TypeRef};

mod client;
mod printed;
mod topics;

/// Names every channel module defines (or imports) itself; the server type
/// and per-operation enums must not take them.
const FIXED_ITEMS: &[&str] = &[
    "ADDRESS",
    "TAG_KEY",
    "Ctx",
    "Params",
    "Incoming",
    "Outgoing",
    "Consumer",
    "types",
    // Topic modules.
    "Topic",
    "TopicParams",
    "Served",
    "NAME",
    "PATTERN",
    "GROUP_NAMESPACE",
    "MATCHER",
    "broadcast",
    "broadcast_blocking",
    // The client side.
    "Handle",
    "decode",
    "Credentials",
];

/// What a channel module serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A consumer (possibly hosting topics).
    Consumer,
    /// A topic on its host's connection.
    HostedTopic,
    /// A topic on its own address.
    StandaloneTopic,
}

/// Hands each channel module to `item` as soon as it is built (its header:
/// attributes and `pub mod NAME {}`, and its items), then the validator
/// program they share (which belongs first in the module).
pub fn emit<'a, E>(
    api: &'a Api,
    options: &'a RustOptions,
    types: &'a TypesModule<'a>,
    item: &mut impl FnMut(TokenStream, Vec<Piece>) -> Result<(), E>,
) -> Result<Piece, E> {
    let mut namer = Namer::default();
    let mut roots = Vec::new();
    let module_names: Vec<Ident> = api
        .channels
        .iter()
        .map(|channel| namer.ident(&channel.name.snake))
        .collect();
    for (id, channel) in api.channels.iter().enumerate() {
        let module = &module_names[id];
        let docs = doc_attrs([
            channel.title.as_deref(),
            channel.summary.as_deref(),
            channel.description.as_deref(),
        ]);
        let items =
            ChannelEmitter::new(api, options, types, id, channel, &module_names).emit(&mut roots);
        item(
            quote! {
                #docs
                pub mod #module {}
            },
            items,
        )?;
    }
    let program_text = crate::text::json_for_code(api.program.text(&roots));
    // Written as prettyplease prints it when the literal is too long to
    // share the declaration's line (always, but for a module without
    // channels): neither parsed nor printed (it runs to megabytes), and
    // copied once, straight into this text.
    let (text, literal_len) = super::literal::around_raw_string(
        "    /// How incoming frames are validated (pydantic's rules), compiled at first use.\n    \
         static PROGRAM: ::chanx_runtime::__private::Program = ::chanx_runtime::__private::Program::new(\n        ",
        &program_text,
        ",\n    );\n",
    );
    let text = (literal_len > 100).then_some(text);
    Ok(Piece::printed_or(text, || {
        let literal = super::literal::raw_string_text(&program_text);
        let program = super::literal::lexed(&literal, &program_text);
        quote! {
            /// How incoming frames are validated (pydantic's rules), compiled at first use.
            static PROGRAM: ::chanx_runtime::__private::Program = ::chanx_runtime::__private::Program::new(#program);
        }
    }))
}

/// The glue's `Handler::DOCUMENT`: the module's document, when it has one.
pub(super) fn document_const(api: &Api) -> Option<TokenStream> {
    api.document.as_ref()?;
    Some(quote! {
        const DOCUMENT: ::std::option::Option<&'static ::chanx_runtime::Document> =
            ::std::option::Option::Some(&super::super::DOCUMENT);
    })
}

/// One variant of `Incoming` / `Outgoing`.
struct Entry {
    variant: Ident,
    /// snake_case form of the variant, for method names.
    snake: String,
    message: MessageId,
    tag: Option<String>,
    ty: TokenStream,
    /// Whether `ty` names something in the `types` module.
    uses_types: bool,
    /// The value of its doc attribute, if it has one.
    doc: Option<String>,
}

/// What a `Consumer` method receives: one message type, or a generated enum
/// when its operation lists several messages.
enum Input {
    Single(usize),
    Several { name: Ident, entries: Vec<usize> },
}

/// What a `Consumer` method returns besides errors.
enum ReplyShape {
    None,
    Single(usize),
    Several { name: Ident, entries: Vec<usize> },
}

/// One `Consumer` method and the incoming variants it handles.
struct Route<'a> {
    method: Ident,
    operation: Option<&'a Operation>,
    input: Input,
    reply: ReplyShape,
}

impl Route<'_> {
    /// The incoming variants its method handles, each with the enum that
    /// wraps it for the method when the operation lists several messages.
    fn handled(&self) -> Vec<(usize, Option<&Ident>)> {
        match &self.input {
            Input::Single(i) => vec![(*i, None)],
            Input::Several { name, entries } => entries.iter().map(|&i| (i, Some(name))).collect(),
        }
    }
}

struct ChannelEmitter<'a> {
    api: &'a Api,
    options: &'a RustOptions,
    types: &'a TypesModule<'a>,
    channel_id: ChannelId,
    channel: &'a Channel,
    incoming: Vec<Entry>,
    outgoing: Vec<Entry>,
    /// `<Channel>Server`: runs a `Consumer` on the runtime.
    server: Ident,
    /// Allocates module-level names of generated per-operation enums.
    items: Namer,
    kind: Kind,
    /// The module name of every channel, by id.
    modules: &'a [Ident],
}

impl<'a> ChannelEmitter<'a> {
    fn new(
        api: &'a Api,
        options: &'a RustOptions,
        types: &'a TypesModule<'a>,
        channel_id: ChannelId,
        channel: &'a Channel,
        modules: &'a [Ident],
    ) -> Self {
        let mut items = Namer::default();
        items.reserve(FIXED_ITEMS);
        let server = items.ident(&format!("{}Server", channel.name.pascal));
        let kind = match &channel.topic {
            None => Kind::Consumer,
            Some(topic) if topic.host.is_some() => Kind::HostedTopic,
            Some(_) => Kind::StandaloneTopic,
        };
        ChannelEmitter {
            api,
            options,
            types,
            channel_id,
            channel,
            incoming: entries(api, types, channel, &channel.incoming),
            outgoing: entries(api, types, channel, &channel.outgoing),
            server,
            items,
            kind,
            modules,
        }
    }

    fn emit(mut self, roots: &mut Vec<Value>) -> Vec<Piece> {
        let (incoming, incoming_from) = self.emit_message_enum(
            &ident("Incoming"),
            " Messages this side receives on the channel.",
            &self.incoming,
            roots,
        );
        let (outgoing, outgoing_from) = self.emit_message_enum(
            &ident("Outgoing"),
            " Messages this side sends on the channel (replies included).",
            &self.outgoing,
            roots,
        );
        let routes = self.routes();
        let route_enums: Vec<TokenStream> = routes
            .iter()
            .map(|route| self.emit_route_enums(route))
            .collect();
        let (consumer, server, client) = match self.kind {
            Kind::Consumer => {
                let hosted = self.hosted_topics(&routes);
                (
                    self.emit_consumer(&routes, &hosted),
                    self.emit_server(&routes, &hosted),
                    self.emit_client(&routes, &hosted),
                )
            }
            Kind::HostedTopic => (
                Piece::Tokens(self.emit_topic_trait(&routes)),
                Piece::Tokens(self.emit_served(&routes)),
                self.emit_topic_handle(&routes),
            ),
            Kind::StandaloneTopic => {
                let served = self.emit_served(&routes);
                let server = self.emit_standalone_server();
                let handle = self.emit_topic_handle(&routes);
                let client = self.emit_client(&routes, &[]);
                (
                    Piece::Tokens(self.emit_topic_trait(&routes)),
                    Piece::Tokens(quote!(#served #server)),
                    quote!(#handle #client),
                )
            }
        };
        let (consumer, server) = if self.options.server() {
            (consumer, server)
        } else {
            (Piece::Tokens(quote!()), Piece::Tokens(quote!()))
        };
        let uses_types = self
            .incoming
            .iter()
            .chain(&self.outgoing)
            .any(|e| e.uses_types);
        let head_text = (self.kind == Kind::Consumer
            && self.options.server()
            && self.channel.parameters.is_empty())
        .then(|| {
            printed::consumer_head(
                uses_types,
                self.channel.address.as_deref(),
                self.channel.tag_key.as_deref(),
            )
        })
        .flatten();
        let head = Piece::printed_or(head_text, || {
            let import = uses_types.then(|| quote! { use super::super::types; });
            let constants = self.emit_constants();
            let params = match self.kind {
                Kind::Consumer => self.emit_params(),
                Kind::HostedTopic => self.emit_topic_params(),
                Kind::StandaloneTopic => {
                    let address = self.emit_params();
                    let topic = self.emit_topic_params();
                    quote!(#address #topic)
                }
            };
            quote! {
                #import
                #constants
                #params
            }
        });
        let mut items = vec![head, incoming];
        items.extend(incoming_from);
        items.push(outgoing);
        items.extend(outgoing_from);
        items.push(Piece::Tokens(quote!(#(#route_enums)*)));
        items.push(consumer);
        items.push(server);
        items.push(Piece::Tokens(client));
        items
    }

    fn emit_constants(&self) -> TokenStream {
        let address = self.channel.address.as_deref().map(|address| {
            quote! {
                /// The channel address as written in the document.
                pub const ADDRESS: &str = #address;
            }
        });
        let tag_key = option_str(self.channel.tag_key.as_deref());
        let ctx = match self.kind {
            Kind::Consumer => quote! {
                /// The context every handler of this channel gets.
                pub type Ctx = ::chanx_runtime::Context<Outgoing, Params>;
            },
            Kind::HostedTopic | Kind::StandaloneTopic => quote! {
                /// The context every handler of this topic gets: its
                /// parameters, and what it sends carries the topic.
                pub type Ctx = ::chanx_runtime::Context<Outgoing, TopicParams>;
            },
        };
        let topic = self.emit_topic_constants();
        let ctx = self.options.server().then_some(ctx);
        quote! {
            #address
            /// The property that tags this channel's messages.
            pub const TAG_KEY: ::std::option::Option<&str> = #tag_key;
            #topic
            #ctx
        }
    }

    fn emit_params(&self) -> TokenStream {
        let mut namer = Namer::default();
        let parameters = &self.channel.parameters;
        let fields: Vec<Ident> = parameters
            .iter()
            .map(|p| namer.ident(&p.name.snake))
            .collect();
        let docs = parameters
            .iter()
            .map(|p| doc_attrs([p.description.as_deref()]));
        let reads = parameters.iter().zip(&fields).map(|(p, field)| {
            let wire = &p.name.spec;
            let missing = match &p.default {
                Some(default) => quote!(::std::borrow::ToOwned::to_owned(#default)),
                None => quote!(return ::std::result::Result::Err(::chanx_runtime::ParamError::missing(#wire))),
            };
            let check = (!p.enum_values.is_empty()).then(|| {
                let allowed = &p.enum_values;
                quote! {
                    if ![#(#allowed),*].contains(&#field.as_str()) {
                        return ::std::result::Result::Err(::chanx_runtime::ParamError::invalid(
                            #wire, &#field, &[#(#allowed),*],
                        ));
                    }
                }
            });
            quote! {
                let #field: ::std::string::String = match path.get(#wire) {
                    ::std::option::Option::Some(value) => ::std::borrow::ToOwned::to_owned(value),
                    ::std::option::Option::None => #missing,
                };
                #check
            }
        });
        if !self.options.server() {
            return quote! {
                /// The address parameters of a connection.
                #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq)]
                pub struct Params {
                    #(#docs pub #fields: ::std::string::String,)*
                }
            };
        }
        let path_arg = if parameters.is_empty() {
            ident("_path")
        } else {
            ident("path")
        };
        quote! {
            /// The address parameters of a connection.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq)]
            pub struct Params {
                #(#docs pub #fields: ::std::string::String,)*
            }
            impl ::chanx_runtime::Params for Params {
                fn from_path(
                    #path_arg: &::chanx_runtime::PathParams,
                ) -> ::std::result::Result<Self, ::chanx_runtime::ParamError> {
                    #(#reads)*
                    ::std::result::Result::Ok(Self { #(#fields,)* })
                }
            }
        }
    }

    /// `true` when every variant has a distinct tag under the channel's tag key.
    fn tagged(&self, entries: &[Entry]) -> bool {
        let mut seen = HashSet::new();
        self.channel.tag_key.is_some()
            && entries
                .iter()
                .all(|e| e.tag.as_deref().is_some_and(|tag| seen.insert(tag)))
    }

    fn emit_message_enum(
        &self,
        name: &Ident,
        doc: &str,
        entries: &[Entry],
        roots: &mut Vec<Value>,
    ) -> (Piece, Vec<Piece>) {
        let variants: Vec<&Ident> = entries.iter().map(|e| &e.variant).collect();
        let tys: Vec<&TokenStream> = entries.iter().map(|e| &e.ty).collect();
        let docs = entries
            .iter()
            .map(|e| e.doc.as_ref().map(|doc| quote!(#[doc = #doc])));
        let tagged = self.tagged(entries);
        let (tags_const, tag_fn) = if entries.is_empty() {
            (quote!(&[]), quote!(match *self {}))
        } else if tagged {
            let tags: Vec<&str> = entries.iter().filter_map(|e| e.tag.as_deref()).collect();
            (
                quote!(&[#(#tags),*]),
                quote! {
                    match self {
                        #(Self::#variants(_) => ::std::option::Option::Some(#tags),)*
                    }
                },
            )
        } else {
            (quote!(&[]), quote!(::std::option::Option::None))
        };
        let (decode, root, order) = self.decode(entries, tagged, roots);
        let serialize_body = if entries.is_empty() {
            quote! {
                let _ = serializer;
                match *self {}
            }
        } else {
            quote! {
                match self {
                    #(Self::#variants(message) => ::serde::Serialize::serialize(message, serializer),)*
                }
            }
        };
        let conversions = unique_type_indices(entries).into_iter().map(|i| {
            let (variant, ty) = (&entries[i].variant, &entries[i].ty);
            let text = printed_type(ty)
                .and_then(|ty| printed::from_impl(&name.to_string(), &ty, &variant.to_string()));
            Piece::printed_or(text, || from_impl_tokens(name, ty, variant))
        });
        let conversions = conversions.collect();
        let tokens = || {
            quote! {
                #[doc = #doc]
                #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                pub enum #name {
                    #(#docs #variants(#tys),)*
                }
                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                        #serialize_body
                    }
                }
                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        ::chanx_runtime::__private::deserialize_message(deserializer)
                    }
                }
                impl ::chanx_runtime::ChannelMessage for #name {
                    const TAGS: &'static [&'static str] = #tags_const;
                    fn tag(&self) -> ::std::option::Option<&'static str> {
                        #tag_fn
                    }
                    fn decode(value: &mut ::chanx_runtime::json::Json) -> ::std::result::Result<Self, ::chanx_runtime::DecodeError> {
                        #decode
                    }
                }
            }
        };
        let text = self.message_enum_text(name, doc, entries, tagged, root, &order);
        let definition = Piece::printed_or(text, tokens);
        (definition, conversions)
    }

    /// Validates against this enum's root in the program, then builds the
    /// variant the root chose from the validated value.
    ///
    /// The root is what chanx validates a frame against: a discriminated
    /// union over the tag (tags sorted, as chanx orders its handlers; one
    /// message too, since pydantic reads a discriminator on a single model
    /// as a union of one), an untagged channel's only message itself, or a
    /// smart union otherwise.
    /// Its body, the program root it validates against and the variants in
    /// the order of that root's choices.
    fn decode(
        &self,
        entries: &[Entry],
        tagged: bool,
        roots: &mut Vec<Value>,
    ) -> (TokenStream, usize, Vec<usize>) {
        let schema = |entry: &Entry| match self
            .api
            .messages
            .get(entry.message)
            .and_then(|m| m.validator)
        {
            Some(def) => json!({"t": "ref", "def": def}),
            None => json!({"t": "any"}),
        };
        let (root, order): (Value, Vec<usize>) = match entries {
            [] => (json!({"t": "union", "choices": []}), Vec::new()),
            [_] if !tagged => (schema(&entries[0]), vec![0]),
            _ if tagged => {
                let mut order: Vec<usize> = (0..entries.len()).collect();
                order.sort_by(|&a, &b| entries[a].tag.cmp(&entries[b].tag));
                let key = self.channel.tag_key.as_deref().unwrap_or_default();
                let choices: Vec<Value> = order
                    .iter()
                    .map(|&i| {
                        json!([
                            entries[i].tag.as_deref().unwrap_or_default(),
                            schema(&entries[i])
                        ])
                    })
                    .collect();
                (
                    json!({"t": "tagged", "key": key, "choices": choices}),
                    order,
                )
            }
            _ => {
                let order = self.specificity_order(entries);
                let choices: Vec<Value> = order.iter().map(|&i| schema(&entries[i])).collect();
                (json!({"t": "union", "choices": choices}), order)
            }
        };
        let root_index = roots.len();
        let index = Literal::usize_unsuffixed(root_index);
        roots.push(root);
        let validate = quote! {
            let choice = super::PROGRAM.validate_in_place(#index, value)?;
        };
        let Some((&last, rest)) = order.split_last() else {
            let channel = &self.channel.name.spec;
            let body = quote! {
                let _ = super::PROGRAM.validate_in_place(#index, value)?;
                ::std::result::Result::Err(::chanx_runtime::DecodeError::no_messages(#channel))
            };
            return (body, root_index, order);
        };
        let last_variant = &entries[last].variant;
        if rest.is_empty() {
            let body = quote! {
                #validate
                let _ = choice;
                ::chanx_runtime::__private::from_json(value).map(Self::#last_variant)
            };
            return (body, root_index, order);
        }
        let arms = rest.iter().enumerate().map(|(choice, &i)| {
            let variant = &entries[i].variant;
            let choice = Literal::usize_unsuffixed(choice);
            quote!(#choice => ::chanx_runtime::__private::from_json(value).map(Self::#variant),)
        });
        let body = quote! {
            #validate
            match choice {
                #(#arms)*
                _ => ::chanx_runtime::__private::from_json(value).map(Self::#last_variant),
            }
        };
        (body, root_index, order)
    }

    /// A message enum and its impls written as text, when every line's
    /// layout is known.
    fn message_enum_text(
        &self,
        name: &Ident,
        doc: &str,
        entries: &[Entry],
        tagged: bool,
        root: usize,
        order: &[usize],
    ) -> Option<String> {
        let types = entries
            .iter()
            .map(|e| printed_type(&e.ty))
            .collect::<Option<Vec<String>>>()?;
        let names: Vec<String> = entries.iter().map(|e| e.variant.to_string()).collect();
        let variants: Vec<printed::Variant> = entries
            .iter()
            .zip(&names)
            .zip(&types)
            .map(|((e, name), ty)| printed::Variant {
                doc: e.doc.as_deref(),
                name,
                ty,
            })
            .collect();
        let tags: Option<Vec<&str>> = if tagged {
            Some(entries.iter().filter_map(|e| e.tag.as_deref()).collect())
        } else {
            None
        };
        printed::message_enum(&printed::MessageEnum {
            name: &name.to_string(),
            doc,
            variants: &variants,
            tags: tags.as_deref(),
            root,
            order,
        })
    }

    fn specificity_order(&self, entries: &[Entry]) -> Vec<usize> {
        let any = crate::ir::TypeRef::Any;
        let payloads = entries.iter().map(|e| {
            self.api
                .messages
                .get(e.message)
                .and_then(|m| m.payload.as_ref())
                .unwrap_or(&any)
        });
        self.types.specificity_order(payloads)
    }

    /// Which method handles each incoming variant: the first receive
    /// operation listing its message; messages no receive operation lists
    /// (replies to this side's requests) get a method of their own.
    fn routes(&mut self) -> Vec<Route<'a>> {
        let mut methods = Namer::default();
        methods.reserve(&[
            "on_connect",
            "on_event",
            "on_disconnect",
            "authorize",
            "on_subscribe",
            "on_unsubscribe",
        ]);
        let operations: Vec<&'a Operation> = self
            .api
            .operations
            .iter()
            .filter(|op| op.channel == self.channel_id && op.action == Action::Receive)
            .collect();
        let owner: Vec<Option<usize>> = self
            .incoming
            .iter()
            .map(|e| {
                operations
                    .iter()
                    .position(|op| op.messages.contains(&e.message))
            })
            .collect();
        let mut routes = Vec::new();
        for (index, op) in operations.iter().enumerate() {
            let handled: Vec<usize> = (0..self.incoming.len())
                .filter(|&i| owner[i] == Some(index))
                .collect();
            if handled.is_empty() {
                continue;
            }
            // chanx qualifies an id repeated across consumers with the
            // channel's name (`feed_topic_handle_ping`); within the
            // channel's own trait the qualifier says nothing.
            let qualifier = format!("{}_", self.channel.name.snake);
            let method_name = op
                .name
                .snake
                .strip_prefix(&qualifier)
                .filter(|rest| !rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or(&op.name.snake);
            let method = methods.ident(method_name);
            let input = if let [single] = handled[..] {
                Input::Single(single)
            } else {
                let name = self.items.ident(&format!("{}Message", op.name.pascal));
                Input::Several {
                    name,
                    entries: handled,
                }
            };
            let reply = self.reply_shape(op);
            routes.push(Route {
                method,
                operation: Some(op),
                input,
                reply,
            });
        }
        for (i, entry) in self.incoming.iter().enumerate() {
            if owner[i].is_none() {
                routes.push(Route {
                    method: methods.ident(&format!("on_{}", entry.snake)),
                    operation: None,
                    input: Input::Single(i),
                    reply: ReplyShape::None,
                });
            }
        }
        routes
    }

    /// The reply messages that this channel can send back, as `Outgoing` indices.
    fn reply_shape(&mut self, op: &Operation) -> ReplyShape {
        let Some(reply) = &op.reply else {
            return ReplyShape::None;
        };
        let mut indices: Vec<usize> = Vec::new();
        for message in &reply.messages {
            let position = self.outgoing.iter().position(|e| e.message == *message);
            if let Some(i) = position.filter(|i| !indices.contains(i)) {
                indices.push(i);
            }
        }
        match indices[..] {
            [] => ReplyShape::None,
            [single] => ReplyShape::Single(single),
            _ => ReplyShape::Several {
                name: self.items.ident(&format!("{}Reply", op.name.pascal)),
                entries: indices,
            },
        }
    }

    /// The per-operation message / reply enums a route needs.
    fn emit_route_enums(&self, route: &Route) -> TokenStream {
        let op_name = route
            .operation
            .map(|op| op.name.spec.as_str())
            .unwrap_or_default();
        let input = match &route.input {
            Input::Several { name, entries } => {
                let doc = doc_line(&format!("The messages operation `{op_name}` receives."));
                let variants = entries.iter().map(|&i| &self.incoming[i].variant);
                let tys = entries.iter().map(|&i| &self.incoming[i].ty);
                quote! {
                    #doc
                    #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                    pub enum #name {
                        #(#variants(#tys),)*
                    }
                }
            }
            Input::Single(_) => quote!(),
        };
        let reply = match &route.reply {
            ReplyShape::Several { name, entries } => {
                let doc = doc_line(&format!("The replies of operation `{op_name}`."));
                let variants: Vec<&Ident> =
                    entries.iter().map(|&i| &self.outgoing[i].variant).collect();
                let tys = entries.iter().map(|&i| &self.outgoing[i].ty);
                quote! {
                    #doc
                    #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                    pub enum #name {
                        #(#variants(#tys),)*
                    }
                    impl ::std::convert::From<#name> for Outgoing {
                        fn from(reply: #name) -> Self {
                            match reply {
                                #(#name::#variants(message) => Outgoing::#variants(message),)*
                            }
                        }
                    }
                }
            }
            _ => quote!(),
        };
        quote!(#input #reply)
    }

    fn emit_consumer(&self, routes: &[Route], hosted: &[topics::Hosted]) -> Piece {
        let text = if hosted.is_empty() && !self.options.default_stubs {
            self.consumer_text(routes)
        } else {
            None
        };
        Piece::printed_or(text, || self.consumer_tokens(routes, hosted))
    }

    /// The `Consumer` trait written as text, when its every line's layout is known.
    fn consumer_text(&self, routes: &[Route]) -> Option<String> {
        let mut docs = Vec::with_capacity(routes.len());
        let mut types = Vec::with_capacity(routes.len());
        for route in routes {
            docs.push(self.route_doc(route)?);
            let input = match &route.input {
                Input::Single(i) => printed_type(&self.incoming[*i].ty)?,
                Input::Several { name, .. } => name.to_string(),
            };
            let reply = match &route.reply {
                ReplyShape::None => "()".to_owned(),
                ReplyShape::Single(i) => printed_type(&self.outgoing[*i].ty)?,
                ReplyShape::Several { name, .. } => name.to_string(),
            };
            types.push((route.method.to_string(), input, reply));
        }
        let methods: Vec<printed::Method> = docs
            .iter()
            .zip(&types)
            .map(|(doc, (name, input, reply))| printed::Method {
                doc,
                name,
                input,
                reply,
            })
            .collect();
        printed::consumer_trait(&methods)
    }

    fn consumer_tokens(&self, routes: &[Route], hosted: &[topics::Hosted]) -> TokenStream {
        consumer_trait_tokens(
            topics::consumer_items(hosted),
            &self.emit_handler_methods(routes),
        )
    }

    /// The doc comment of a route's trait method (`None`: it has none).
    fn route_doc(&self, route: &Route) -> Option<String> {
        match route.operation {
            Some(op) => {
                let kind = if op.reply.is_some() {
                    "Request/reply operation"
                } else {
                    "Receive operation"
                };
                let heading = format!("{kind} `{}`.", op.name.spec);
                doc_text([
                    Some(heading.as_str()),
                    op.summary.as_deref(),
                    op.description.as_deref(),
                ])
            }
            None => {
                let heading = match &route.input {
                    Input::Single(i) => format!(
                        "Receives `{}`, which no receive operation lists.",
                        self.incoming[*i].variant
                    ),
                    Input::Several { .. } => String::new(),
                };
                doc_text([Some(heading.as_str())])
            }
        }
    }

    /// One trait method per route: the consumer's or topic's handlers.
    fn emit_handler_methods(&self, routes: &[Route]) -> Vec<TokenStream> {
        routes.iter().map(|route| {
            let method = &route.method;
            let docs = self.route_doc(route).map(|doc| quote!(#[doc = #doc]));
            let input = match &route.input {
                Input::Single(i) => self.incoming[*i].ty.clone(),
                Input::Several { name, .. } => quote!(#name),
            };
            let reply = match &route.reply {
                ReplyShape::None => quote!(()),
                ReplyShape::Single(i) => self.outgoing[*i].ty.clone(),
                ReplyShape::Several { name, .. } => quote!(#name),
            };
            let signature = handler_signature_tokens(method, &input, &reply);
            let body = if self.options.default_stubs {
                let name = route
                    .operation
                    .map(|op| op.name.spec.clone())
                    .unwrap_or_else(|| route.method.to_string());
                quote! {
                    {
                        let _ = (ctx, message);
                        async { ::std::result::Result::Err(::chanx_runtime::HandlerError::not_implemented(#name)) }
                    }
                }
            } else {
                quote!(;)
            };
            quote!(#docs #signature #body)
        }).collect()
    }

    /// `match message { Incoming::X(message) => … }` arms calling the
    /// trait method of each route through `call(method, argument)`.
    fn dispatch_arms(
        &self,
        routes: &[Route],
        call: &dyn Fn(&Ident, TokenStream) -> TokenStream,
    ) -> Vec<TokenStream> {
        let mut arms = Vec::new();
        for route in routes {
            let method = &route.method;
            for (i, several) in route.handled() {
                let variant = &self.incoming[i].variant;
                let argument = match several {
                    Some(name) => quote!(#name::#variant(message)),
                    None => quote!(message),
                };
                let call = call(method, argument);
                let call = quote!(#call.await?);
                let body = match &route.reply {
                    ReplyShape::None => quote! {
                        #call;
                        ::std::result::Result::Ok(::std::option::Option::None)
                    },
                    ReplyShape::Single(reply) => {
                        let reply_variant = &self.outgoing[*reply].variant;
                        quote! {
                            let reply = #call;
                            ::std::result::Result::Ok(::std::option::Option::Some(Outgoing::#reply_variant(reply)))
                        }
                    }
                    ReplyShape::Several { .. } => quote! {
                        let reply = #call;
                        ::std::result::Result::Ok(::std::option::Option::Some(::std::convert::From::from(reply)))
                    },
                };
                arms.push(quote!(Incoming::#variant(message) => { #body }));
            }
        }
        arms
    }

    fn emit_server(&self, routes: &[Route], hosted: &[topics::Hosted]) -> Piece {
        let text = if hosted.is_empty() {
            self.server_text(routes)
        } else {
            None
        };
        Piece::printed_or(text, || self.server_tokens(routes, hosted))
    }

    /// `<Channel>Server` and its impls written as text, when every line's
    /// layout is known.
    fn server_text(&self, routes: &[Route]) -> Option<String> {
        struct ArmText {
            variant: String,
            method: String,
            argument: String,
            reply: Option<String>,
        }
        let mut arms = Vec::new();
        for route in routes {
            let reply = match &route.reply {
                ReplyShape::None => None,
                ReplyShape::Single(reply) => Some(self.outgoing[*reply].variant.to_string()),
                ReplyShape::Several { .. } => return None,
            };
            for (i, several) in route.handled() {
                let variant = &self.incoming[i].variant;
                arms.push(ArmText {
                    variant: variant.to_string(),
                    method: route.method.to_string(),
                    argument: match several {
                        Some(name) => format!("{name}::{variant}(message)"),
                        None => "message".to_owned(),
                    },
                    reply: reply.clone(),
                });
            }
        }
        let arms: Vec<printed::Arm> = arms
            .iter()
            .map(|arm| printed::Arm {
                variant: &arm.variant,
                method: &arm.method,
                argument: &arm.argument,
                reply: match &arm.reply {
                    None => printed::ArmReply::None,
                    Some(variant) => printed::ArmReply::Single(variant),
                },
            })
            .collect();
        printed::server(&printed::Server {
            name: &self.server.to_string(),
            address: self.channel.address.as_deref(),
            tag_key: self.channel.tag_key.as_deref(),
            document: self.api.document.is_some(),
            arms: &arms,
        })
    }

    fn server_tokens(&self, routes: &[Route], hosted: &[topics::Hosted]) -> TokenStream {
        let context = quote!(Ctx);
        let server = &self.server;
        let route_doc = format!(" `chanx_runtime::Route::new({server}::new(consumer))`.");
        let address = option_str(self.channel.address.as_deref());
        let tag_key = option_str(self.channel.tag_key.as_deref());
        let arms = self.dispatch_arms(
            routes,
            &|method, argument| quote!(<C as Consumer>::#method(&*self.consumer, ctx, #argument)),
        );
        let topics = topics::server_topics(hosted);
        let document = document_const(self.api);
        let ctx_arg = if arms.is_empty() {
            ident("_ctx")
        } else {
            ident("ctx")
        };
        quote! {
            /// Runs a [`Consumer`] on the chanx runtime:
            #[doc = #route_doc]
            pub struct #server<C: Consumer> {
                consumer: ::std::sync::Arc<C>,
            }
            impl<C: Consumer> #server<C> {
                /// Serves `consumer`; clones share it.
                pub fn new(consumer: C) -> Self {
                    Self { consumer: ::std::sync::Arc::new(consumer) }
                }
            }
            impl<C: Consumer> ::std::clone::Clone for #server<C> {
                fn clone(&self) -> Self {
                    Self { consumer: ::std::sync::Arc::clone(&self.consumer) }
                }
            }
            impl<C: Consumer> ::chanx_runtime::Handler for #server<C> {
                type Incoming = Incoming;
                type Outgoing = Outgoing;
                type Params = Params;
                type Event = <C as Consumer>::Event;
                const ADDRESS: ::std::option::Option<&'static str> = #address;
                const TAG_KEY: ::std::option::Option<&'static str> = #tag_key;
                #document
                async fn on_connect(&self, ctx: &mut #context) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                    <C as Consumer>::on_connect(&*self.consumer, ctx).await
                }
                async fn dispatch(&self, #ctx_arg: &mut #context, message: Incoming)
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    match message {
                        #(#arms)*
                    }
                }
                async fn on_event(&self, ctx: &mut #context, event: <C as Consumer>::Event)
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    <C as Consumer>::on_event(&*self.consumer, ctx, event).await
                }
                async fn on_disconnect(&self, ctx: &mut #context) {
                    <C as Consumer>::on_disconnect(&*self.consumer, ctx).await
                }
                #topics
            }
        }
    }
}

/// The channel's messages among `ids`, in the channel's declaration order
/// (one variant per message), then any not declared on the channel.
fn entries(api: &Api, types: &TypesModule, channel: &Channel, ids: &[MessageId]) -> Vec<Entry> {
    let mut namer = Namer::default();
    let mut seen: HashSet<MessageId> = HashSet::new();
    let declared = channel
        .messages
        .iter()
        .filter(|cm| ids.contains(&cm.message))
        .map(|cm| {
            (
                cm.message,
                cm.variant.pascal.clone(),
                cm.variant.snake.clone(),
                cm.tag.clone(),
            )
        });
    let undeclared = ids.iter().filter_map(|&id| {
        let message = api.messages.get(id)?;
        Some((
            id,
            message.name.pascal.clone(),
            message.name.snake.clone(),
            None,
        ))
    });
    let path = quote!(types::);
    declared
        .chain(undeclared)
        .filter(|(id, ..)| seen.insert(*id))
        .filter_map(|(id, pascal, snake, tag)| {
            let message = api.messages.get(id)?;
            let ty = match &message.payload {
                Some(payload) => types.rust_type(payload, None, &path),
                None => quote!(::serde_json::Value),
            };
            let uses_types = message.payload.as_ref().is_some_and(names_a_type);
            Some(Entry {
                variant: namer.ident(&pascal),
                snake,
                message: id,
                tag,
                ty,
                uses_types,
                doc: doc_text([
                    message.title.as_deref(),
                    message.summary.as_deref(),
                    message.description.as_deref(),
                ]),
            })
        })
        .collect()
}

/// Indices of the entries whose payload type no other entry shares (those
/// get a `From` conversion).
fn unique_type_indices(entries: &[Entry]) -> Vec<usize> {
    let texts: Vec<String> = entries.iter().map(|e| e.ty.to_string()).collect();
    (0..entries.len())
        .filter(|&i| texts.iter().filter(|t| **t == texts[i]).count() == 1)
        .collect()
}

/// Whether the Rust type of `ty` names an item of the `types` module (a
/// named type or a const marker).
fn names_a_type(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Named(_) | TypeRef::Const(_) => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            names_a_type(inner)
        }
        _ => false,
    }
}

/// `impl From<TY> for NAME`, into its variant `variant`.
fn from_impl_tokens(name: &Ident, ty: &TokenStream, variant: &Ident) -> TokenStream {
    quote! {
        impl ::std::convert::From<#ty> for #name {
            fn from(message: #ty) -> Self {
                Self::#variant(message)
            }
        }
    }
}

/// The `Consumer` trait: `topic_items` and the handler `methods`, then the
/// methods with default bodies every consumer has.
fn consumer_trait_tokens(topic_items: TokenStream, methods: &[TokenStream]) -> TokenStream {
    let context = quote!(Ctx);
    quote! {
        /// The application side of the channel: one method per receive operation.
        pub trait Consumer: ::std::marker::Send + ::std::marker::Sync + 'static {
            /// Events this consumer receives through the channel layer (`()` when unused).
            type Event: ::chanx_runtime::Event;
            #topic_items
            #(#methods)*
            /// Runs after the connection is accepted (join groups here).
            fn on_connect(&self, ctx: &mut #context)
                -> impl ::std::future::Future<Output = ::std::result::Result<(), ::chanx_runtime::HandlerError>> + ::std::marker::Send
            {
                let _ = ctx;
                async { ::std::result::Result::Ok(()) }
            }
            /// An event from `send_event` / `broadcast_event`; a returned message goes to the client.
            fn on_event(&self, ctx: &mut #context, event: Self::Event)
                -> impl ::std::future::Future<Output = ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>> + ::std::marker::Send
            {
                let _ = (ctx, event);
                async { ::std::result::Result::Ok(::std::option::Option::None) }
            }
            /// Runs once the connection has ended (every topic already
            /// unsubscribed): release what `on_connect` took.
            fn on_disconnect(&self, ctx: &mut #context)
                -> impl ::std::future::Future<Output = ()> + ::std::marker::Send
            {
                let _ = ctx;
                async {}
            }
        }
    }
}

/// A handler method's signature: it receives `input` and replies `reply`.
fn handler_signature_tokens(
    method: &Ident,
    input: &TokenStream,
    reply: &TokenStream,
) -> TokenStream {
    quote! {
        fn #method(&self, ctx: &mut Ctx, message: #input)
            -> impl ::std::future::Future<Output = ::std::result::Result<#reply, ::chanx_runtime::HandlerError>> + ::std::marker::Send
    }
}

/// A message type as prettyplease prints it, when it is a plain path.
fn printed_type(ty: &TokenStream) -> Option<String> {
    super::printed::type_text(ty)
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}
