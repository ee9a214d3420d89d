//! What the generated per-channel server glue (`ChatServer<C>`) implements, and the errors handlers return.

use std::{error::Error as StdError, fmt, future::Future, str::FromStr};

use serde::Serialize;

use crate::{context::Context, message::ChannelMessage, message::Event, topic::Topics};

/// A served channel: decoded messages in, typed replies out.
///
/// The generated `<Channel>Server<C>` implements it by routing to the `Consumer` trait.
pub trait Handler: Send + Sync + 'static {
    /// The messages clients send on the channel.
    type Incoming: ChannelMessage;
    /// The messages the server sends on the channel.
    type Outgoing: ChannelMessage + Serialize + Sync;
    /// The channel address's parameters.
    type Params: Params;
    /// Events the consumer receives through the channel layer.
    type Event: Event;
    /// The channel address template (`/ws/chat/{room}`); `None` for dynamic channels.
    const ADDRESS: Option<&'static str>;
    /// The key that tags messages (`action`); `None` for untagged channels.
    const TAG_KEY: Option<&'static str>;
    /// The AsyncAPI document the channel comes from, which a router serves
    /// (`/asyncapi.json`); generated code names its own.
    const DOCUMENT: Option<&'static crate::Document> = None;

    /// Runs once the connection is accepted and authenticated.
    fn on_connect(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;

    /// Handles one decoded client message; a returned message is the reply.
    fn dispatch(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
        message: Self::Incoming,
    ) -> impl Future<Output = Result<Option<Self::Outgoing>, HandlerError>> + Send;

    /// Handles an event from the channel layer; a returned message goes to the client.
    fn on_event(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
        event: Self::Event,
    ) -> impl Future<Output = Result<Option<Self::Outgoing>, HandlerError>> + Send;

    /// Runs once the connection has ended, after every topic was
    /// unsubscribed and before its groups are left.
    fn on_disconnect(
        &self,
        ctx: &mut Context<Self::Outgoing, Self::Params>,
    ) -> impl Future<Output = ()> + Send {
        let _ = ctx;
        async {}
    }

    /// The topics this channel's connections can subscribe to (chanx's
    /// `topics`), or the topic this channel serves alone. Called once, when
    /// the route is made.
    fn topics(&self) -> Topics {
        Topics::new()
    }
}

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// A handler failure: a message fit for the client and a private cause.
///
/// The client gets `{"action":"error","payload":{"detail": <public message>}}`;
/// without a public message the detail is chanx's
/// `Failed to process message for <action>`. The source is only logged.
///
/// Any error converts with `?` (as a private source), which is why this type
/// does not implement `std::error::Error` itself.
pub struct HandlerError {
    public: Option<String>,
    source: Option<BoxError>,
}

impl HandlerError {
    /// An error whose message the client may see.
    pub fn new(public_message: impl Into<String>) -> Self {
        HandlerError {
            public: Some(public_message.into()),
            source: None,
        }
    }

    /// An internal error: logged, the client only sees the generic detail.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        HandlerError {
            public: None,
            source: Some(source.into()),
        }
    }

    /// Attaches a private cause (logged, never sent).
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What default consumer stubs return.
    pub fn not_implemented(operation: &str) -> Self {
        HandlerError::new(format!("Operation '{operation}' is not implemented"))
    }

    /// The message the client may see, if any.
    pub fn public_message(&self) -> Option<&str> {
        self.public.as_deref()
    }

    /// The private cause, if any.
    pub fn source(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        self.source.as_deref()
    }

    /// The `detail` sent to the client for a message tagged `action`.
    pub(crate) fn client_detail(&self, action: Option<&str>) -> String {
        match (&self.public, action) {
            (Some(public), _) => public.clone(),
            (None, Some(action)) => format!("Failed to process message for {action}"),
            (None, None) => "Failed to process message".to_owned(),
        }
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError::internal(error)
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerError")
            .field("public", &self.public)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.public, &self.source) {
            (Some(public), Some(source)) => write!(f, "{public}: {source}"),
            (Some(public), None) => f.write_str(public),
            (None, Some(source)) => write!(f, "{source}"),
            (None, None) => f.write_str("handler failed"),
        }
    }
}

/// Typed address parameters, built from the matched path.
pub trait Params: Sized + Send + Sync + 'static {
    /// Reads the parameters from the matched path; an error refuses the upgrade (400).
    fn from_path(params: &PathParams) -> Result<Self, ParamError>;
}

impl Params for () {
    fn from_path(_: &PathParams) -> Result<Self, ParamError> {
        Ok(())
    }
}

/// The address parameters of a matched path, percent-decoded, in address order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams {
    pairs: Vec<(String, String)>,
}

impl PathParams {
    /// The parameters, as (name, value) pairs in address order.
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        PathParams { pairs }
    }

    /// The value of `name`, if the address has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or `ParamError::Missing`.
    pub fn require(&self, name: &str) -> Result<&str, ParamError> {
        self.get(name)
            .ok_or_else(|| ParamError::Missing(name.to_owned()))
    }

    /// The value of `name` parsed with `FromStr`.
    pub fn parse<T: FromStr>(&self, name: &str) -> Result<T, ParamError>
    where
        T::Err: fmt::Display,
    {
        let raw = self.require(name)?;
        raw.parse().map_err(|e: T::Err| ParamError::Invalid {
            name: name.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Every (name, value) pair, in address order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Address parameters that do not fit `Params` (the upgrade is refused with 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("missing path parameter `{0}`")]
    /// The address has no value for this parameter.
    Missing(String),
    #[error("invalid path parameter `{name}`: {reason}")]
    /// The value of parameter `name` is not valid, for `reason`.
    Invalid {
        /// The parameter.
        name: String,
        /// Why its value is refused.
        reason: String,
    },
}

impl ParamError {
    /// A parameter the address declares is absent.
    pub fn missing(name: &str) -> Self {
        ParamError::Missing(name.to_string())
    }

    /// A parameter's value is not one of the values its schema allows.
    pub fn invalid(name: &str, value: &str, allowed: &[&str]) -> Self {
        let allowed: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
        ParamError::Invalid {
            name: name.to_string(),
            reason: format!("'{value}' is not one of {}", allowed.join(", ")),
        }
    }
}
