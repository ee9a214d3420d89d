//! Routes: which handler serves which channel address.

use std::{fmt::Display, future::Future, pin::Pin, sync::Arc};

use futures_util::{Sink, Stream};
use tokio::{sync::watch, task::JoinHandle};

use crate::{
    auth::{Authenticator, ConnectRequest, DynAuthenticator},
    config::ConsumerConfig,
    connection::{Accepted, TransportError, serve_connection},
    docs::{DocFile, DocsConfig, Document},
    handler::{Handler, ParamError, Params, PathParams},
    layer::Layer,
    template::AddressTemplate,
    topic::Topics,
    ws::{ReadFrame, WsMessage},
};

/// One served channel: a handler, its address, settings and authenticator.
pub struct Route<H: Handler> {
    handler: Arc<H>,
    topics: Topics,
    address: String,
    config: ConsumerConfig,
    authenticator: Option<Arc<dyn DynAuthenticator>>,
}

impl<H: Handler> Route<H> {
    /// Serves `handler` at its channel's address (`/` for dynamic channels;
    /// use [`Route::at`] for those).
    pub fn new(handler: H) -> Self {
        Route {
            topics: handler.topics(),
            handler: Arc::new(handler),
            address: H::ADDRESS.unwrap_or("/").to_owned(),
            config: ConsumerConfig::default(),
            authenticator: None,
        }
    }

    /// Serves at another address template (`/ws/chat/{room}`).
    pub fn at(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// The consumer settings of this route (groups, completion frames, limits, …).
    pub fn config(mut self, config: ConsumerConfig) -> Self {
        self.config = config;
        self
    }

    /// Authenticates every connection before `on_connect`.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// The address template this route serves.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The handler this route serves.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    pub(crate) fn topics(&self) -> &Topics {
        &self.topics
    }

    pub(crate) fn settings(&self) -> &ConsumerConfig {
        &self.config
    }

    pub(crate) fn auth(&self) -> Option<&dyn DynAuthenticator> {
        self.authenticator.as_deref()
    }
}

pub(crate) type BoxSink = Pin<Box<dyn Sink<WsMessage, Error = TransportError> + Send>>;
pub(crate) type BoxStream = Pin<Box<dyn Stream<Item = Result<ReadFrame, TransportError>> + Send>>;

/// A route with its handler type erased.
pub(crate) trait Endpoint: Send + Sync + 'static {
    fn check_params(&self, params: &PathParams) -> Result<(), ParamError>;
    fn max_message_bytes(&self) -> usize;
    /// Runs the connection as a task of its own, in `span`.
    fn spawn(
        self: Arc<Self>,
        accepted: Accepted,
        layer: Layer,
        shutdown: watch::Receiver<bool>,
        sink: BoxSink,
        stream: BoxStream,
        span: tracing::Span,
    ) -> JoinHandle<()>;
}

impl<H: Handler> Endpoint for Route<H> {
    fn check_params(&self, params: &PathParams) -> Result<(), ParamError> {
        H::Params::from_path(params).map(drop)
    }

    fn max_message_bytes(&self) -> usize {
        self.config.max_message_bytes
    }

    fn spawn(
        self: Arc<Self>,
        accepted: Accepted,
        layer: Layer,
        shutdown: watch::Receiver<bool>,
        sink: BoxSink,
        stream: BoxStream,
        span: tracing::Span,
    ) -> JoinHandle<()> {
        let connection =
            async move { serve_connection(&self, accepted, layer, shutdown, sink, stream).await };
        tokio::spawn(tracing::Instrument::instrument(connection, span))
    }
}

/// Stops a [`Router`]'s connections: each gets close 1001 after its
/// in-flight handler finished.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    sender: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Starts a graceful shutdown: connections are closed with 1001.
    pub fn shutdown(&self) {
        self.sender.send_replace(true);
    }

    /// Whether a shutdown has started.
    pub fn is_shutting_down(&self) -> bool {
        *self.sender.borrow()
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<bool> {
        self.sender.subscribe()
    }
}

/// Why a connection found no route.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("no channel at `{0}`")]
    /// No route serves this path.
    NotFound(String),
    #[error(transparent)]
    /// The path's parameters are not valid.
    Params(#[from] ParamError),
}

/// Every served channel, the layer they share and their shutdown switch.
pub struct Router {
    routes: Vec<(AddressTemplate, Arc<dyn Endpoint>)>,
    layer: Layer,
    shutdown: ShutdownHandle,
    document: Option<&'static Document>,
    docs: DocsConfig,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// A router on the in-memory channel layer.
    pub fn new() -> Self {
        Router::with_layer(Layer::in_memory())
    }

    /// A router whose consumers share `layer` (Redis, say) instead of an in-memory one.
    pub fn with_layer(layer: Layer) -> Self {
        Router {
            routes: Vec::new(),
            layer,
            shutdown: ShutdownHandle {
                sender: Arc::new(watch::channel(false).0),
            },
            document: None,
            docs: DocsConfig::default(),
        }
    }

    /// Adds a route; the first matching route wins.
    pub fn route<H: Handler>(mut self, route: Route<H>) -> Self {
        let template = AddressTemplate::parse(route.address());
        self.routes.push((template, Arc::new(route)));
        self.document = self.document.or(H::DOCUMENT);
        self
    }

    /// Where the document of the routed channels and its docs page are
    /// served (`/asyncapi.json`, `/asyncapi.yaml`, `/asyncapi` by default);
    /// [`DocsConfig::off`] serves none of them.
    pub fn docs(mut self, config: DocsConfig) -> Self {
        self.docs = config;
        self
    }

    /// Serves `document` (generated channels bring their own; this is for
    /// hand-written handlers, or to serve another).
    pub fn document(mut self, document: &'static Document) -> Self {
        self.document = Some(document);
        self
    }

    /// The docs files to serve, rendered once.
    pub(crate) fn doc_files(&self) -> Vec<DocFile> {
        match self.document {
            Some(document) => {
                let channels: Vec<_> = self.templates().collect();
                crate::docs::files(document, &self.docs, &channels)
            }
            None => Vec::new(),
        }
    }

    /// Adds a handler at its own address with default settings.
    pub fn handler<H: Handler>(self, handler: H) -> Self {
        self.route(Route::new(handler))
    }

    /// The layer: clone it to send events from anywhere in the program.
    pub fn layer(&self) -> &Layer {
        &self.layer
    }

    /// A handle that shuts every connection of this router down.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// The largest message any route accepts (the transport's limit).
    pub fn max_message_bytes(&self) -> usize {
        self.routes
            .iter()
            .map(|(_, e)| e.max_message_bytes())
            .max()
            .unwrap_or(1024 * 1024)
    }

    /// The address templates of the routes, in the order they were added.
    pub(crate) fn templates(&self) -> impl Iterator<Item = &AddressTemplate> {
        self.routes.iter().map(|(template, _)| template)
    }

    pub(crate) fn find(&self, path: &str) -> Result<(Arc<dyn Endpoint>, PathParams), RouteError> {
        for (template, endpoint) in &self.routes {
            if let Some(params) = template.matches(path) {
                endpoint.check_params(&params)?;
                return Ok((endpoint.clone(), params));
            }
        }
        Err(RouteError::NotFound(path.to_owned()))
    }

    /// Serves one already-upgraded connection from any transport: finds the
    /// route for `request.path` and runs it until the connection ends.
    ///
    /// The connection runs as a task of its own (spawned on the current
    /// tokio runtime), which this call awaits and aborts if it is dropped. So
    /// a `tokio::task_local!` scope set around the call does not reach the
    /// handler, nor, on a multi-thread runtime, does a thread-local tracing
    /// subscriber; a global subscriber and the span current at the call do.
    pub async fn serve<Si, St, E>(
        &self,
        request: ConnectRequest,
        sink: Si,
        stream: St,
    ) -> Result<(), RouteError>
    where
        Si: Sink<WsMessage> + Send + 'static,
        Si::Error: Display,
        St: Stream<Item = Result<WsMessage, E>> + Send + 'static,
        E: Into<TransportError>,
    {
        use futures_util::{SinkExt, StreamExt};
        let (endpoint, path_params) = self.find(&request.path)?;
        let sink: BoxSink = Box::pin(sink.sink_map_err(|e| TransportError::Other(e.to_string())));
        let stream: BoxStream =
            Box::pin(stream.map(|item| item.map(ReadFrame::from).map_err(Into::into)));
        self.serve_endpoint(
            endpoint,
            Accepted {
                request,
                path_params,
                ..Default::default()
            },
            sink,
            stream,
        )
        .await;
        Ok(())
    }

    pub(crate) async fn serve_endpoint(
        &self,
        endpoint: Arc<dyn Endpoint>,
        accepted: Accepted,
        sink: BoxSink,
        stream: BoxStream,
    ) {
        let span = tracing::info_span!("connection", path = %accepted.request.path, channel = tracing::field::Empty);
        let shutdown = self.shutdown.subscribe();
        // A task of its own: each frame polls the connection's state
        // directly, not through the accepting task's (handshake, routing)
        // layers, which at thousands of connections cost cache misses.
        // Awaited, and aborted when this call is dropped, so that a server's
        // drain and abort, or an upgrade task, still bound it (an aborted
        // task is dropped by the scheduler shortly after, not at once).
        let task =
            AbortOnDrop(endpoint.spawn(accepted, self.layer.clone(), shutdown, sink, stream, span));
        if let Err(error) = task.await
            && error.is_panic()
        {
            // As if the connection had run here.
            std::panic::resume_unwind(error.into_panic());
        }
    }
}

/// A task aborted when its handle is dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Future for AbortOnDrop {
    type Output = Result<(), tokio::task::JoinError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
