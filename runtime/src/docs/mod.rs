//! The document a server was generated from, served beside its channels:
//! `/asyncapi.json`, `/asyncapi.yaml` and a docs page at `/asyncapi`.
//!
//! Generated code embeds its document (every `$ref`'d file merged into one)
//! as a [`Document`], and its channel glue names it, so a [`Router`] knows
//! the document of the channels it routes. [`Server`] and the axum adapter
//! serve it unless [`Router::docs`] turns it off or moves it; a channel
//! address always wins over a docs path.
//!
//! [`Router`]: crate::Router
//! [`Router::docs`]: crate::Router::docs
//! [`Server`]: crate::Server

#[cfg(feature = "axum")]
pub(crate) mod axum;
pub(crate) mod http;
mod yaml;

use std::sync::Arc;

use crate::template::AddressTemplate;

/// An AsyncAPI document, bundled into one, as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document {
    json: &'static str,
}

impl Document {
    /// The document `json` (what generated code embeds).
    pub const fn new(json: &'static str) -> Self {
        Document { json }
    }

    /// The document as embedded (compact JSON).
    pub fn json(&self) -> &'static str {
        self.json
    }

    /// The document as indented JSON.
    pub fn pretty_json(&self) -> String {
        serde_json::from_str::<serde_json::Value>(self.json)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .map_or_else(|| self.json.to_owned(), |text| text + "\n")
    }

    /// The document as YAML.
    pub fn yaml(&self) -> String {
        match serde_json::from_str::<serde_json::Value>(self.json) {
            Ok(value) => yaml::to_yaml(&value),
            Err(_) => String::new(),
        }
    }

    /// The docs page: one self-contained HTML file that renders the document.
    pub fn page(&self) -> String {
        chanx_templates::docs_page(self.json)
    }
}

/// Where a [`Router`](crate::Router)'s document and docs page are served;
/// `None` leaves one out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsConfig {
    /// The document as JSON (default `/asyncapi.json`).
    pub json: Option<String>,
    /// The document as YAML (default `/asyncapi.yaml`).
    pub yaml: Option<String>,
    /// The docs page (default `/asyncapi`).
    pub page: Option<String>,
}

impl Default for DocsConfig {
    fn default() -> Self {
        DocsConfig {
            json: Some("/asyncapi.json".into()),
            yaml: Some("/asyncapi.yaml".into()),
            page: Some("/asyncapi".into()),
        }
    }
}

impl DocsConfig {
    /// Nothing served.
    pub fn off() -> Self {
        DocsConfig {
            json: None,
            yaml: None,
            page: None,
        }
    }
}

/// One served file.
#[derive(Debug)]
pub(crate) struct DocFile {
    pub path: String,
    pub content_type: &'static str,
    pub body: Arc<str>,
}

/// The files a router serves besides its channels, rendered once.
pub(crate) fn files(
    document: &Document,
    config: &DocsConfig,
    channels: &[&AddressTemplate],
) -> Vec<DocFile> {
    // A channel at a docs path is served instead.
    let free = |path: &Option<String>| {
        path.clone()
            .filter(|p| !channels.iter().any(|t| t.matches(p).is_some()))
    };
    let mut files = Vec::new();
    if let Some(path) = free(&config.json) {
        files.push(DocFile {
            path,
            content_type: "application/json",
            body: Arc::from(document.pretty_json()),
        });
    }
    if let Some(path) = free(&config.yaml) {
        files.push(DocFile {
            path,
            content_type: "application/yaml; charset=utf-8",
            body: Arc::from(document.yaml()),
        });
    }
    if let Some(path) = free(&config.page) {
        files.push(DocFile {
            path,
            content_type: "text/html; charset=utf-8",
            body: Arc::from(document.page()),
        });
    }
    files
}
