//! Topic channels (`x-topic`): the `Topic` trait, its runtime glue, the
//! pattern's parameters and the broadcast functions; and on a host
//! channel, the `Consumer` items and server glue that mount its topics.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::super::docs::{doc_attrs, doc_line};
use super::super::names::{Namer, ident};
use super::{ChannelEmitter, Kind, Route, option_str};

/// A topic as its host's `Consumer` mounts it.
pub(super) struct Hosted {
    /// The topic's channel module.
    pub(super) module: Ident,
    /// `Consumer::RoomTopic`: the type implementing the topic.
    assoc: Ident,
    /// `Consumer::room_topic(&self)`: where it is.
    pub(super) accessor: Ident,
    pub(super) pattern: String,
    channel: String,
}

impl ChannelEmitter<'_> {
    /// The topics this channel hosts, with the names its `Consumer` gives them.
    pub(super) fn hosted_topics(&self, routes: &[Route]) -> Vec<Hosted> {
        let mut types = Namer::default();
        types.reserve(&["Event"]);
        let mut methods = Namer::default();
        let taken: Vec<String> = routes.iter().map(|r| r.method.to_string()).collect();
        let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
        methods.reserve(&taken);
        methods.reserve(&["on_connect", "on_event", "on_disconnect", "topics"]);
        self.channel
            .hosted_topics
            .iter()
            .filter_map(|&id| {
                let channel = self.api.channels.get(id)?;
                let topic = channel.topic.as_ref()?;
                Some(Hosted {
                    module: self.modules[id].clone(),
                    assoc: types.ident(&topic.name.pascal),
                    accessor: methods.ident(&topic.name.snake),
                    // For comments: one line, no controls or bidi characters.
                    pattern: crate::text::one_line(&topic.pattern).into_owned(),
                    channel: channel.name.spec.clone(),
                })
            })
            .collect()
    }

    /// `NAME`, `PATTERN`, `GROUP_NAMESPACE` of a topic module.
    pub(super) fn emit_topic_constants(&self) -> TokenStream {
        let Some(topic) = &self.channel.topic else {
            return quote!();
        };
        let name = &topic.name.spec;
        let pattern = &topic.pattern;
        let namespace = &topic.group_namespace;
        let served = match self.kind {
            Kind::StandaloneTopic => {
                " Served on its own address: connecting subscribes the pattern filled from the address parameters."
            }
            _ => {
                " Served on its host's connection: clients subscribe with `{\"action\":\"subscribe\",\"topic\":…}`."
            }
        };
        quote! {
            /// The topic's name in the document (`x-topic.name`).
            #[doc = ""]
            #[doc = #served]
            pub const NAME: &str = #name;
            /// The topics this module serves: each `{name}` matches one or more
            /// characters other than `:`, the rest literally, the whole topic.
            pub const PATTERN: &str = #pattern;
            /// A topic's channel-layer group is `GROUP_NAMESPACE.<topic>` (chanx's
            /// `safe_group_name`), so Rust and Python processes share it.
            pub const GROUP_NAMESPACE: &str = #namespace;
            static MATCHER: ::std::sync::LazyLock<::chanx_runtime::TopicPattern> =
                ::std::sync::LazyLock::new(|| ::chanx_runtime::TopicPattern::new(PATTERN));
        }
    }

    /// `TopicParams` (one `String` per pattern parameter) and the broadcast functions.
    pub(super) fn emit_topic_params(&self) -> TokenStream {
        let Some(topic) = &self.channel.topic else {
            return quote!();
        };
        let mut namer = Namer::default();
        let fields: Vec<Ident> = topic
            .parameters
            .iter()
            .map(|p| namer.ident(&p.snake))
            .collect();
        let docs = topic
            .parameters
            .iter()
            .map(|p| doc_line(&format!("`{{{}}}` in the pattern.", p.spec)));
        let values_arg = if fields.is_empty() {
            ident("_values")
        } else {
            ident("values")
        };
        let take_values = (!fields.is_empty())
            .then(|| quote!(let mut values = ::std::iter::IntoIterator::into_iter(values);));
        let broadcast = self.options.server().then(|| {
            quote! {
            /// Pushes `event` to every connection subscribed to `topic`, from
            /// anywhere in the program (chanx's `Topic.broadcast(topic, event, seq=seq)`):
            /// [`Topic::on_event`] handles it, or it is forwarded as it is when its
            /// action is one of [`Topic::PASSTHROUGH`]; the frames carry `seq` when given.
            pub async fn broadcast<E: ::serde::Serialize + ?::std::marker::Sized>(
                layer: &::chanx_runtime::Layer,
                topic: &str,
                event: &E,
                seq: ::std::option::Option<i64>,
            ) -> ::std::result::Result<(), ::chanx_runtime::LayerError> {
                layer.topic_broadcast(GROUP_NAMESPACE, topic, event, seq).await
            }
            /// [`broadcast`] for synchronous code.
            pub fn broadcast_blocking<E: ::serde::Serialize + ?::std::marker::Sized>(
                layer: &::chanx_runtime::Layer,
                topic: &str,
                event: &E,
                seq: ::std::option::Option<i64>,
            ) -> ::std::result::Result<(), ::chanx_runtime::LayerError> {
                layer.topic_broadcast_blocking(GROUP_NAMESPACE, topic, event, seq)
            }
            }
        });
        quote! {
            /// The parameters of a topic matching [`PATTERN`].
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
            pub struct TopicParams {
                #(#docs pub #fields: ::std::string::String,)*
            }
            impl TopicParams {
                /// The parameters of `topic`, when it matches [`PATTERN`].
                pub fn parse(topic: &str) -> ::std::option::Option<Self> {
                    MATCHER.matches(topic).map(<Self as ::chanx_runtime::TopicParams>::from_values)
                }
                /// The topic these parameters name.
                pub fn topic(&self) -> ::std::string::String {
                    MATCHER.fill(&<Self as ::chanx_runtime::TopicParams>::values(self))
                }
            }
            impl ::chanx_runtime::TopicParams for TopicParams {
                fn from_values(#values_arg: ::std::vec::Vec<::std::string::String>) -> Self {
                    #take_values
                    Self { #(#fields: values.next().unwrap_or_default(),)* }
                }
                fn values(&self) -> ::std::vec::Vec<&str> {
                    ::std::vec![#(self.#fields.as_str()),*]
                }
            }
            #broadcast
        }
    }

    /// The application side of a topic.
    pub(super) fn emit_topic_trait(&self, routes: &[Route]) -> TokenStream {
        let methods = self.emit_handler_methods(routes);
        let passthrough: Vec<&str> = self
            .channel
            .topic
            .iter()
            .flat_map(|t| &t.passthrough)
            .filter_map(|&m| {
                self.outgoing
                    .iter()
                    .find(|e| e.message == m)
                    .and_then(|e| e.tag.as_deref())
            })
            .collect();
        quote! {
            /// The application side of the topic: one method per receive
            /// operation, and chanx's topic hooks.
            pub trait Topic: ::std::marker::Send + ::std::marker::Sync + 'static {
                /// Events broadcast into the topic that [`Topic::on_event`] handles (`()` when unused).
                type Event: ::chanx_runtime::Event;
                /// Actions of outgoing messages forwarded to subscribers as they are
                /// when broadcast into the topic and not taken by [`Topic::Event`]
                /// (chanx's `passthrough_events`); by default, those the document
                /// describes as passthrough.
                const PASSTHROUGH: &'static [&'static str] = &[#(#passthrough),*];
                /// Whether this connection may subscribe; `false` answers `unauthorized`.
                fn authorize(&self, ctx: &mut Ctx)
                    -> impl ::std::future::Future<Output = ::std::result::Result<bool, ::chanx_runtime::HandlerError>> + ::std::marker::Send
                {
                    let _ = ctx;
                    async { ::std::result::Result::Ok(true) }
                }
                #(#methods)*
                /// Runs once the connection has subscribed (after `subscribed`); what it
                /// sends carries no `ref`.
                fn on_subscribe(&self, ctx: &mut Ctx)
                    -> impl ::std::future::Future<Output = ::std::result::Result<(), ::chanx_runtime::HandlerError>> + ::std::marker::Send
                {
                    let _ = ctx;
                    async { ::std::result::Result::Ok(()) }
                }
                /// Runs before the connection leaves the topic, on `unsubscribe` (what
                /// it sends carries its `ref`) or when the connection ends.
                fn on_unsubscribe(&self, ctx: &mut Ctx)
                    -> impl ::std::future::Future<Output = ::std::result::Result<(), ::chanx_runtime::HandlerError>> + ::std::marker::Send
                {
                    let _ = ctx;
                    async { ::std::result::Result::Ok(()) }
                }
                /// An event broadcast into the topic; a returned message goes to the
                /// client with the broadcast's `seq`.
                fn on_event(&self, ctx: &mut Ctx, event: Self::Event)
                    -> impl ::std::future::Future<Output = ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>> + ::std::marker::Send
                {
                    let _ = (ctx, event);
                    async { ::std::result::Result::Ok(::std::option::Option::None) }
                }
            }
        }
    }

    /// `Served<S, T>`: runs a [`Topic`] found in `S` on the runtime.
    pub(super) fn emit_served(&self, routes: &[Route]) -> TokenStream {
        let arms = self.dispatch_arms(
            routes,
            &|method, argument| quote!(<T as Topic>::#method(self.topic(), ctx, #argument)),
        );
        let ctx_arg = if arms.is_empty() {
            ident("_ctx")
        } else {
            ident("ctx")
        };
        quote! {
            /// Runs a [`Topic`] kept in `S` on the chanx runtime (generated
            /// servers build it; `get` finds the topic in `S`).
            pub struct Served<S, T> {
                source: ::std::sync::Arc<S>,
                get: fn(&S) -> &T,
            }
            impl<S, T> Served<S, T> {
                /// The topic `get` finds in `source`.
                pub fn new(source: ::std::sync::Arc<S>, get: fn(&S) -> &T) -> Self {
                    Self { source, get }
                }
                fn topic(&self) -> &T {
                    (self.get)(&self.source)
                }
            }
            impl<S: ::std::marker::Send + ::std::marker::Sync + 'static, T: Topic> ::chanx_runtime::TopicHandler for Served<S, T> {
                type Incoming = Incoming;
                type Outgoing = Outgoing;
                type Params = TopicParams;
                type Event = <T as Topic>::Event;
                const NAME: &'static str = NAME;
                const PATTERN: &'static str = PATTERN;
                const GROUP_NAMESPACE: &'static str = GROUP_NAMESPACE;
                fn passthrough(&self) -> &[&str] {
                    <T as Topic>::PASSTHROUGH
                }
                async fn authorize(&self, ctx: &mut Ctx) -> ::std::result::Result<bool, ::chanx_runtime::HandlerError> {
                    <T as Topic>::authorize(self.topic(), ctx).await
                }
                async fn on_subscribe(&self, ctx: &mut Ctx) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                    <T as Topic>::on_subscribe(self.topic(), ctx).await
                }
                async fn on_unsubscribe(&self, ctx: &mut Ctx) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                    <T as Topic>::on_unsubscribe(self.topic(), ctx).await
                }
                async fn dispatch(&self, #ctx_arg: &mut Ctx, message: Incoming)
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    match message {
                        #(#arms)*
                    }
                }
                async fn on_event(&self, ctx: &mut Ctx, event: <T as Topic>::Event)
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    <T as Topic>::on_event(self.topic(), ctx, event).await
                }
            }
        }
    }

    /// The route server of a topic served on its own address.
    pub(super) fn emit_standalone_server(&self) -> TokenStream {
        let server = &self.server;
        let route_doc = format!(" `chanx_runtime::Route::new({server}::new(topic))`.");
        let address = option_str(self.channel.address.as_deref());
        let tag_key = option_str(self.channel.tag_key.as_deref());
        let document = super::document_const(self.api);
        let context = quote!(::chanx_runtime::Context<Outgoing, Params>);
        quote! {
            /// Serves a [`Topic`] on its own address (chanx's `Topic.as_consumer()`):
            #[doc = #route_doc]
            ///
            /// Connecting subscribes [`PATTERN`] filled from the address parameters;
            /// frames without a `topic` belong to it.
            pub struct #server<T: Topic> {
                topic: ::std::sync::Arc<T>,
            }
            impl<T: Topic> #server<T> {
                /// Serves `topic`; clones share it.
                pub fn new(topic: T) -> Self {
                    Self { topic: ::std::sync::Arc::new(topic) }
                }
            }
            impl<T: Topic> ::std::clone::Clone for #server<T> {
                fn clone(&self) -> Self {
                    Self { topic: ::std::sync::Arc::clone(&self.topic) }
                }
            }
            fn itself<T>(topic: &T) -> &T {
                topic
            }
            impl<T: Topic> ::chanx_runtime::Handler for #server<T> {
                type Incoming = Incoming;
                type Outgoing = Outgoing;
                type Params = Params;
                type Event = ();
                const ADDRESS: ::std::option::Option<&'static str> = #address;
                const TAG_KEY: ::std::option::Option<&'static str> = #tag_key;
                #document
                async fn on_connect(&self, _ctx: &mut #context) -> ::std::result::Result<(), ::chanx_runtime::HandlerError> {
                    ::std::result::Result::Ok(())
                }
                /// Never called: every frame of this route goes to the topic.
                async fn dispatch(&self, _ctx: &mut #context, _message: Incoming)
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    ::std::result::Result::Ok(::std::option::Option::None)
                }
                async fn on_event(&self, _ctx: &mut #context, _event: ())
                    -> ::std::result::Result<::std::option::Option<Outgoing>, ::chanx_runtime::HandlerError>
                {
                    ::std::result::Result::Ok(::std::option::Option::None)
                }
                fn topics(&self) -> ::chanx_runtime::Topics {
                    ::chanx_runtime::Topics::standalone(Served::new(::std::sync::Arc::clone(&self.topic), itself))
                }
            }
        }
    }
}

/// The `Consumer` items of a host: one associated type and accessor per topic.
pub(super) fn consumer_items(hosted: &[Hosted]) -> TokenStream {
    let items = hosted.iter().map(|topic| {
        let (module, assoc, accessor) = (&topic.module, &topic.assoc, &topic.accessor);
        let type_doc = doc_attrs([Some(
            format!(
                "The topic `{}` this channel's connections subscribe to (channel `{}`).",
                topic.pattern, topic.channel
            )
            .as_str(),
        )]);
        let accessor_doc = format!(" The [`Consumer::{assoc}`] that serves the topic.");
        quote! {
            #type_doc
            type #assoc: super::#module::Topic;
            #[doc = #accessor_doc]
            fn #accessor(&self) -> &Self::#assoc;
        }
    });
    quote!(#(#items)*)
}

/// `Handler::topics` of a host's server.
pub(super) fn server_topics(hosted: &[Hosted]) -> TokenStream {
    if hosted.is_empty() {
        return quote!();
    }
    let topics = hosted.iter().map(|topic| {
        let (module, accessor) = (&topic.module, &topic.accessor);
        quote! {
            .topic(super::#module::Served::new(
                ::std::sync::Arc::clone(&self.consumer),
                <C as Consumer>::#accessor,
            ))
        }
    });
    quote! {
        fn topics(&self) -> ::chanx_runtime::Topics {
            ::chanx_runtime::Topics::new()
                #(#topics)*
        }
    }
}
