//! Authentication of the upgrade request.

use std::{any::Any, future::Future, pin::Pin, sync::Arc};

use serde_json::Value;
use tokio_tungstenite::tungstenite::http::HeaderMap;

use crate::util::percent_decode;

/// What a client sent when it opened the connection.
#[derive(Debug, Clone, Default)]
pub struct ConnectRequest {
    /// The request path, without the query.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The upgrade request's headers.
    pub headers: HeaderMap,
}

impl ConnectRequest {
    /// A header's value, when it is valid text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter, percent-decoded (`+` is a space).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(&key.replace('+', " ")) == name)
                .then(|| percent_decode(&value.replace('+', " ")))
        })
    }

    /// A cookie from the `Cookie` headers.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|header| header.split(';'))
            .find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
            })
    }
}

/// Why a connection is refused. The client receives
/// `{"action":"authentication","payload":{"status_code","status_text","data"}}`
/// and then a close with code `4000 + status_code` (4401, 4403).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthRejection {
    /// The HTTP-like status of the refusal (401, 403, …); the close code is 4000 + it.
    pub status_code: u16,
    /// Its reason phrase (`"Forbidden"`).
    pub status_text: String,
    /// What the client is told, as chanx sends it in `data`.
    pub data: Value,
}

impl AuthRejection {
    /// No (usable) credentials: 401, close 4401.
    pub fn unauthorized(data: Value) -> Self {
        AuthRejection {
            status_code: 401,
            status_text: "Unauthorized".into(),
            data,
        }
    }

    /// Credentials refused: 403, close 4403.
    pub fn forbidden(data: Value) -> Self {
        AuthRejection {
            status_code: 403,
            status_text: "Forbidden".into(),
            data,
        }
    }

    /// `4000 + status_code` for 4xx statuses, else 4403.
    pub fn close_code(&self) -> u16 {
        if (400..500).contains(&self.status_code) {
            4000 + self.status_code
        } else {
            crate::ws::close_code::FORBIDDEN
        }
    }
}

/// Decides who a connecting client is, from its upgrade request.
pub trait Authenticator: Send + Sync + 'static {
    /// What handlers get from `Context::user::<Self::User>()`.
    type User: Send + Sync + 'static;

    /// The user behind `request`, or why it may not connect (the client gets
    /// chanx's authentication frame, then close `4000 + status`).
    fn authenticate(
        &self,
        request: &ConnectRequest,
    ) -> impl Future<Output = Result<Self::User, AuthRejection>> + Send;
}

pub(crate) type AnyUser = Arc<dyn Any + Send + Sync>;
type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<AnyUser, AuthRejection>> + Send + 'a>>;

/// `Authenticator` with the user type erased, so routes can store any.
pub(crate) trait DynAuthenticator: Send + Sync + 'static {
    fn authenticate_dyn<'a>(&'a self, request: &'a ConnectRequest) -> AuthFuture<'a>;
}

impl<A: Authenticator> DynAuthenticator for A {
    fn authenticate_dyn<'a>(&'a self, request: &'a ConnectRequest) -> AuthFuture<'a> {
        Box::pin(async move {
            let user = self.authenticate(request).await?;
            Ok(Arc::new(user) as AnyUser)
        })
    }
}
