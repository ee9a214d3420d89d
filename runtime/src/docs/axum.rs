//! The docs as axum routes, beside a router's channel routes.

use axum::{http::header, routing::get};

use super::DocFile;

/// `app` with a `GET` route for each docs file.
pub(crate) fn mount<S>(mut app: axum::Router<S>, files: Vec<DocFile>) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    for file in files {
        let (content_type, body) = (file.content_type, file.body);
        let serve = move || {
            let body = body.to_string();
            async move {
                (
                    [
                        (header::CONTENT_TYPE, content_type),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    body,
                )
            }
        };
        app = app.route(&file.path, get(serve));
    }
    app
}
