//! The `tracing` subscriber the chanx binaries install (the `logging`
//! feature), for any program that wants the same logs:
//!
//! ```no_run
//! use chanx_runtime::logging::{self, LogFormat};
//!
//! // Keep the guard until the program ends: dropping it flushes the log.
//! let _log = logging::init(LogFormat::from_env().unwrap_or_default()).expect("logging");
//! ```
//!
//! - The filter is `RUST_LOG` (default `info`).
//! - [`LogFormat::Text`] is tracing's usual line, coloured only when stderr
//!   is a terminal and `NO_COLOR` is not set; [`LogFormat::Json`] is one
//!   JSON object per line, span fields (`path`, `channel`, `action`, …)
//!   flattened beside the event's own, as log shippers and structlog users
//!   expect:
//!   `{"timestamp":"…","level":"info","target":"chanx_runtime::connection","message":"websocket connected","path":"/ws/chat","channel":"…"}`.
//! - Lines are written by a thread of their own: logging never waits for
//!   the terminal or the disk. Its queue is bounded (128,000 lines) and not
//!   lossy: when the writer falls that far behind, the logging threads wait
//!   for it rather than drop lines.

use std::{fmt, io, io::IsTerminal, str::FromStr};

use serde_json::{Map, Value};
use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{
    EnvFilter,
    fmt::{
        FmtContext, FormatEvent, FormatFields, FormattedFields,
        format::{JsonFields, Writer},
        time::{FormatTime, SystemTime},
    },
    registry::LookupSpan,
};

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// tracing's human-readable line (the default).
    #[default]
    Text,
    /// One JSON object per line, span fields flattened.
    Json,
}

/// The environment variable [`LogFormat::from_env`] reads.
pub const FORMAT_VAR: &str = "CHANX_LOG_FORMAT";

impl LogFormat {
    /// `CHANX_LOG_FORMAT` (`text` or `json`), if set.
    pub fn from_env() -> Option<LogFormat> {
        std::env::var(FORMAT_VAR).ok()?.parse().ok()
    }
}

impl FromStr for LogFormat {
    type Err = LoggingError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(LoggingError::UnknownFormat(name.to_owned())),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        })
    }
}

/// Why logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoggingError {
    /// Not `text` nor `json`.
    #[error("unknown log format {0:?} (text or json)")]
    UnknownFormat(String),
    /// The filter directives do not parse.
    #[error("invalid log filter: {0}")]
    Filter(String),
    /// A global subscriber was already installed.
    #[error("a tracing subscriber is already installed: {0}")]
    AlreadyInstalled(String),
}

/// Flushes the log when dropped: keep it alive as long as the program logs.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _worker: WorkerGuard,
}

impl fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogGuard")
    }
}

/// Installs the global subscriber: `format` lines to stderr, filtered by
/// `RUST_LOG` (default `info`).
pub fn init(format: LogFormat) -> Result<LogGuard, LoggingError> {
    Logging::new(format).init()
}

/// A subscriber to install, with a writer or filter of your choice.
pub struct Logging {
    format: LogFormat,
    filter: Option<String>,
    writer: Box<dyn io::Write + Send>,
    ansi: bool,
}

impl fmt::Debug for Logging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logging")
            .field("format", &self.format)
            .field("filter", &self.filter)
            .field("ansi", &self.ansi)
            .finish_non_exhaustive()
    }
}

impl Logging {
    /// `format` lines to stderr, coloured when stderr is a terminal and
    /// `NO_COLOR` is unset, filtered by `RUST_LOG` (default `info`).
    pub fn new(format: LogFormat) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Logging {
            format,
            filter: None,
            writer: Box::new(io::stderr()),
            ansi: io::stderr().is_terminal() && !no_color,
        }
    }

    /// Filter directives (`info`, `chanx_runtime::frames=debug`, …)
    /// instead of `RUST_LOG`.
    pub fn filter(mut self, directives: impl Into<String>) -> Self {
        self.filter = Some(directives.into());
        self
    }

    /// Writes to `writer` (a file, say; never coloured) instead of stderr.
    pub fn writer(mut self, writer: impl io::Write + Send + 'static) -> Self {
        self.writer = Box::new(writer);
        self.ansi = false;
        self
    }

    /// Installs it as the global subscriber.
    pub fn init(self) -> Result<LogGuard, LoggingError> {
        let filter = match &self.filter {
            Some(directives) => EnvFilter::try_new(directives),
            None => match std::env::var(EnvFilter::DEFAULT_ENV) {
                Ok(directives) => EnvFilter::try_new(directives),
                Err(_) => Ok(EnvFilter::new("info")),
            },
        }
        .map_err(|error| LoggingError::Filter(error.to_string()))?;
        // Not lossy: a writer that falls behind slows logging down instead
        // of losing lines.
        let (writer, worker) = NonBlockingBuilder::default()
            .lossy(false)
            .thread_name("chanx-log-writer")
            .finish(self.writer);
        let builder = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer);
        let installed = match self.format {
            LogFormat::Text => builder.with_ansi(self.ansi).try_init(),
            LogFormat::Json => builder
                .with_ansi(false)
                .fmt_fields(JsonFields::new())
                .event_format(FlatJson)
                .try_init(),
        };
        installed.map_err(|error| LoggingError::AlreadyInstalled(error.to_string()))?;
        Ok(LogGuard { _worker: worker })
    }
}

/// One JSON object per event: `timestamp`, `level`, `target`, `message`,
/// then the fields of each span from the outermost in, then the event's own
/// fields (an event field wins over a span field of the same name).
struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let metadata = event.metadata();
        let mut line = Map::new();
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        line.insert("timestamp".into(), Value::String(timestamp));
        line.insert(
            "level".into(),
            Value::String(metadata.level().as_str().to_ascii_lowercase()),
        );
        line.insert("target".into(), Value::String(metadata.target().to_owned()));
        // Keeps `message` in fourth place; the event fills it in.
        line.insert("message".into(), Value::String(String::new()));
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else {
                    continue;
                };
                // JsonFields stores a span's fields as a JSON object.
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                    line.extend(fields);
                }
            }
        }
        event.record(&mut FieldsVisitor(&mut line));
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// Collects an event's fields into a JSON object.
struct FieldsVisitor<'a>(&'a mut Map<String, Value>);

impl FieldsVisitor<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.insert(field.name().to_owned(), value);
    }
}

impl Visit for FieldsVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name() {
        assert_eq!("json".parse::<LogFormat>().unwrap(), LogFormat::Json);
        assert_eq!(" Text ".parse::<LogFormat>().unwrap(), LogFormat::Text);
        assert!(matches!(
            "yaml".parse::<LogFormat>(),
            Err(LoggingError::UnknownFormat(name)) if name == "yaml"
        ));
        assert_eq!(LogFormat::Json.to_string(), "json");
    }
}
