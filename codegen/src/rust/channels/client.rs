//! The client side of a channel (`RustOptions::client`): a `<Channel>Client`
//! on `chanx_runtime::client` with one typed method per message the server
//! receives, and in topic modules a `Handle` for the topic on a client's
//! connection.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::docs::doc_attrs;
use super::super::names::Namer;
use super::topics::Hosted;
use super::{ChannelEmitter, Input, Kind, ReplyShape, Route};
use crate::ir::Action;
use crate::ir::credentials::{Credential, Location};

/// Names a client type defines itself.
const CLIENT_METHODS: &[&str] = &[
    "connect",
    "next",
    "close",
    "inner",
    "new",
    "topic",
    "subscribe",
    "unsubscribe",
];

impl ChannelEmitter<'_> {
    /// `<Channel>Client` for a consumer or a topic on its own address;
    /// nothing for a channel without an address.
    pub(super) fn emit_client(&mut self, routes: &[Route], hosted: &[Hosted]) -> TokenStream {
        if !self.options.client() || self.channel.address.is_none() {
            return quote!();
        }
        let name = self
            .items
            .ident(&format!("{}Client", self.channel.name.pascal));
        let mut methods = Namer::default();
        methods.reserve(CLIENT_METHODS);
        let hosted_handles: Vec<TokenStream> = hosted
            .iter()
            .map(|topic| {
                let accessor = methods.ident(&topic.accessor.to_string());
                let module = &topic.module;
                let doc = format!(" The topic `{}` on this connection.", topic.pattern);
                quote! {
                    #[doc = #doc]
                    pub fn #accessor(&self, params: &super::#module::TopicParams) -> super::#module::Handle<'_, Outgoing> {
                        super::#module::Handle::new(&self.inner, params)
                    }
                }
            })
            .collect();
        let own = match self.kind {
            // A topic on its own address: its messages travel in the topic.
            Kind::StandaloneTopic => quote! {
                /// The topic this connection was subscribed to on connect.
                pub fn topic(&self, params: &TopicParams) -> Handle<'_, Outgoing> {
                    Handle::new(&self.inner, params)
                }
            },
            _ => {
                let sends = self.client_methods(routes, &mut methods, false);
                let replies = self.reply_methods(&mut methods);
                quote!(#(#sends)* #(#replies)*)
            }
        };
        let parameters = &self.channel.parameters;
        let (params_arg, path) = if parameters.is_empty() {
            (quote!(), quote!(ADDRESS))
        } else {
            let mut namer = Namer::default();
            let pairs = parameters.iter().map(|p| {
                let field = namer.ident(&p.name.snake);
                let wire = &p.name.spec;
                quote!((#wire, params.#field.as_str()))
            });
            (
                quote!(params: &Params,),
                quote!(::chanx_runtime::client::fill_address(ADDRESS, &[#(#pairs),*])),
            )
        };
        let credentials = self.api.connect_credentials(self.channel_id);
        let (credentials_arg, credentials_item, apply) = if credentials.is_empty() {
            (quote!(), quote!(), quote!())
        } else {
            let item = self.emit_credentials(&credentials);
            (
                quote!(credentials: &Credentials,),
                item,
                quote!(let options = credentials.apply(options);),
            )
        };
        let doc = format!(
            " A client of `{}`: typed sends and requests, and the server's pushes from [`{name}::next`].",
            self.channel.name.spec
        );
        quote! {
            #credentials_item

            #[doc = #doc]
            pub struct #name {
                inner: ::chanx_runtime::client::Client<Outgoing>,
            }

            impl #name {
                /// Connects to `base_url` (`ws://host:port`) at [`ADDRESS`].
                pub async fn connect(
                    base_url: &str,
                    #params_arg
                    #credentials_arg
                    options: ::chanx_runtime::client::ClientOptions,
                ) -> ::std::result::Result<Self, ::chanx_runtime::client::ClientError> {
                    #apply
                    let url = ::std::format!("{}{}", base_url.trim_end_matches('/'), #path);
                    let inner = ::chanx_runtime::client::Client::connect(&url, options).await?;
                    ::std::result::Result::Ok(Self { inner })
                }

                /// The next push or connection event; `None` once the connection is gone for good.
                pub async fn next(&mut self) -> ::std::option::Option<::chanx_runtime::client::ClientEvent<Outgoing>> {
                    self.inner.next().await
                }

                /// The untyped client underneath.
                pub fn inner(&self) -> &::chanx_runtime::client::Client<Outgoing> {
                    &self.inner
                }

                /// Closes the connection.
                pub async fn close(self) {
                    self.inner.close().await
                }

                #own
                #(#hosted_handles)*
            }
        }
    }

    /// `Credentials`: one field per value the document asks a client to
    /// send when it connects.
    fn emit_credentials(&self, credentials: &[Credential]) -> TokenStream {
        let mut namer = Namer::default();
        namer.reserve(&["apply"]);
        let mut declarations = Vec::new();
        let mut applies = Vec::new();
        for c in credentials {
            let field = namer.ident(&if c.bearer {
                "bearer_token".to_owned()
            } else {
                heck::ToSnakeCase::to_snake_case(c.name.as_str())
            });
            let place = match (c.bearer, c.location) {
                (true, _) => "`Authorization: Bearer <token>`".to_owned(),
                (false, Location::Query) => format!("Query parameter `{}`", c.name),
                (false, Location::Header) => format!("Header `{}`", c.name),
            };
            let required = if c.required {
                " (required by the document)"
            } else {
                ""
            };
            let summary = format!("{place}{required}.");
            let docs = doc_attrs([Some(summary.as_str()), c.description.as_deref()]);
            declarations.push(quote! {
                #docs
                pub #field: ::std::option::Option<::std::string::String>,
            });
            let wire = &c.name;
            let add = match (c.bearer, c.location) {
                (true, _) => quote!(options = options.bearer(value);),
                (false, Location::Query) => quote!(options = options.query(#wire, value.as_str());),
                (false, Location::Header) => {
                    quote!(options = options.header(#wire, value.as_str());)
                }
            };
            applies.push(quote! {
                if let ::std::option::Option::Some(value) = &self.#field { #add }
            });
        }
        quote! {
            /// What a client sends when it connects, as the document says
            /// (its `ws` binding's `query` and `headers`, its security schemes).
            /// Query values go in the URL, the others in the upgrade request's headers.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::default::Default, ::std::cmp::PartialEq, ::std::cmp::Eq)]
            pub struct Credentials {
                #(#declarations)*
            }

            impl Credentials {
                /// `options` with these values added.
                pub fn apply(
                    &self,
                    options: ::chanx_runtime::client::ClientOptions,
                ) -> ::chanx_runtime::client::ClientOptions {
                    let mut options = options;
                    #(#applies)*
                    options
                }
            }
        }
    }

    /// `Handle` of a topic module: the topic on a client's connection.
    pub(super) fn emit_topic_handle(&self, routes: &[Route]) -> TokenStream {
        if !self.options.client() {
            return quote!();
        }
        let mut methods = Namer::default();
        methods.reserve(CLIENT_METHODS);
        let sends = self.client_methods(routes, &mut methods, true);
        quote! {
            /// This topic on a client's connection (`H`: the connection's
            /// own messages). Pushes arrive as
            /// [`ClientEvent::Topic`](::chanx_runtime::client::ClientEvent::Topic);
            /// [`decode`] types them.
            pub struct Handle<'a, H> {
                client: &'a ::chanx_runtime::client::Client<H>,
                topic: ::std::string::String,
            }

            impl<'a, H: ::chanx_runtime::ChannelMessage> Handle<'a, H> {
                /// The topic `params` name, on `client`'s connection.
                pub fn new(client: &'a ::chanx_runtime::client::Client<H>, params: &TopicParams) -> Self {
                    Self { client, topic: params.topic() }
                }

                /// The topic string.
                pub fn topic(&self) -> &str {
                    &self.topic
                }

                /// Subscribes (and again after each reconnect).
                pub async fn subscribe(&self) -> ::std::result::Result<(), ::chanx_runtime::client::ClientError> {
                    self.client.subscribe(&self.topic).await
                }

                /// Unsubscribes.
                pub async fn unsubscribe(&self) -> ::std::result::Result<(), ::chanx_runtime::client::ClientError> {
                    self.client.unsubscribe(&self.topic).await
                }

                #(#sends)*
            }

            /// A frame of this topic as one of its messages.
            pub fn decode(
                frame: &::chanx_runtime::client::TopicFrame,
            ) -> ::std::result::Result<::chanx_runtime::client::Push<Outgoing>, ::chanx_runtime::client::ClientError> {
                frame.decode::<Outgoing>()
            }
        }
    }

    /// `send_*` / `request_*` for each message the server receives.
    fn client_methods(
        &self,
        routes: &[Route],
        methods: &mut Namer,
        in_topic: bool,
    ) -> Vec<TokenStream> {
        routes
            .iter()
            .map(|route| {
                let handler = route.method.to_string();
                let base = handler
                    .strip_prefix("handle_")
                    .or_else(|| handler.strip_prefix("on_"))
                    .filter(|b| !b.is_empty())
                    .unwrap_or(&handler);
                let input = match &route.input {
                    Input::Single(i) => self.incoming[*i].ty.clone(),
                    Input::Several { .. } => quote!(Incoming),
                };
                let doc = route.operation.map_or_else(
                    || format!(" Sends `{base}`."),
                    |op| format!(" Operation `{}`.", op.name.spec),
                );
                // `request` without `?`: the `Several` arm returns it as it is.
                let (send, request) = if in_topic {
                    (
                        quote!(self.client.send_in(&self.topic, message).await),
                        quote!(self.client.request_in::<_, Outgoing>(&self.topic, message, ANSWERS).await),
                    )
                } else {
                    (
                        quote!(self.inner.send(message).await),
                        quote!(self.inner.request(message, ANSWERS).await),
                    )
                };
                match &route.reply {
                    ReplyShape::None => {
                        let method = methods.ident(&format!("send_{base}"));
                        quote! {
                            #[doc = #doc]
                            pub async fn #method(&self, message: &#input) -> ::std::result::Result<(), ::chanx_runtime::client::ClientError> {
                                #send
                            }
                        }
                    }
                    ReplyShape::Single(j) => {
                        let method = methods.ident(&format!("request_{base}"));
                        let entry = &self.outgoing[*j];
                        let (ty, variant) = (&entry.ty, &entry.variant);
                        let answers = self.answers(&[*j]);
                        let fallback = (self.outgoing.len() > 1).then(|| {
                            quote! {
                                other => ::std::result::Result::Err(::chanx_runtime::client::ClientError::UnexpectedReply {
                                    action: ::std::borrow::ToOwned::to_owned(::chanx_runtime::ChannelMessage::tag(&other).unwrap_or("")),
                                }),
                            }
                        });
                        quote! {
                            #[doc = #doc]
                            pub async fn #method(&self, message: &#input) -> ::std::result::Result<#ty, ::chanx_runtime::client::ClientError> {
                                const ANSWERS: &[&str] = #answers;
                                match #request? {
                                    Outgoing::#variant(reply) => ::std::result::Result::Ok(reply),
                                    #fallback
                                }
                            }
                        }
                    }
                    ReplyShape::Several { entries, .. } => {
                        let method = methods.ident(&format!("request_{base}"));
                        let answers = self.answers(entries);
                        quote! {
                            #[doc = #doc]
                            pub async fn #method(&self, message: &#input) -> ::std::result::Result<Outgoing, ::chanx_runtime::client::ClientError> {
                                const ANSWERS: &[&str] = #answers;
                                #request
                            }
                        }
                    }
                }
            })
            .collect()
    }

    /// `reply_*` for each operation in which the server sends a request and
    /// the client answers (a send operation with a reply).
    fn reply_methods(&self, methods: &mut Namer) -> Vec<TokenStream> {
        self.api
            .operations
            .iter()
            .filter(|op| op.channel == self.channel_id && op.action == Action::Send)
            .filter_map(|op| {
                let reply = op.reply.as_ref()?;
                let answers: Vec<usize> = reply
                    .messages
                    .iter()
                    .filter_map(|m| self.incoming.iter().position(|e| e.message == *m))
                    .collect();
                let ty = match answers[..] {
                    [] => return None,
                    [single] => self.incoming[single].ty.clone(),
                    _ => quote!(Incoming),
                };
                let base = op.name.snake.strip_prefix("send_").filter(|b| !b.is_empty());
                let method = methods.ident(&format!("reply_{}", base.unwrap_or(&op.name.snake)));
                let doc = format!(
                    " Answers operation `{}`: the server's request `request` (a push), with `reply` carrying its `ref`.",
                    op.name.spec
                );
                Some(quote! {
                    #[doc = #doc]
                    pub async fn #method(
                        &self,
                        request: &::chanx_runtime::client::Push<Outgoing>,
                        reply: &#ty,
                    ) -> ::std::result::Result<(), ::chanx_runtime::client::ClientError> {
                        self.inner.reply(request, reply).await
                    }
                })
            })
            .collect()
    }

    /// The actions that answer a request: the replies' tags, or none (any
    /// frame with the request's `ref`) when a reply has no tag.
    fn answers(&self, entries: &[usize]) -> TokenStream {
        let tags: Option<Vec<&str>> = entries
            .iter()
            .map(|&j| self.outgoing[j].tag.as_deref())
            .collect();
        match tags {
            Some(tags) => quote!(&[#(#tags),*]),
            None => quote!(&[]),
        }
    }
}
