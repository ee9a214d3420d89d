//! `chat-server`: serves the chat consumer on `/ws/chat`, accepts
//! notifications to push on `POST /notify`, reports the channel layer's
//! counters on `GET /stats`, and, with `--metrics`, Prometheus metrics on
//! `GET /metrics`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};
use chanx_example_chat::{
    Chat, ChatEvent, ROOM, api::channels::chat::ChatServer, api::types::NotificationPayload,
};
use chanx_runtime::layer::redis::{Flavour, RedisConfig, RedisLayer};
use chanx_runtime::logging::LogFormat;
use chanx_runtime::{ConsumerConfig, Layer, Route, Router};
use clap::Parser;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The chanx chat example: ping/pong, chat broadcast to the room, and
/// notifications pushed by the server.
#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  chat-server                                  # ws://127.0.0.1:8000/ws/chat
  chat-server --bind 0.0.0.0:9000 --notify-every 30
  chat-server --bind 127.0.0.1:8001 --redis redis://127.0.0.1:6379/0   # one of several, beside
                                               # Python chanx processes on the same Redis
  chat-server --redis redis://127.0.0.1:6379/0 --redis-pubsub   # RedisPubSubChannelLayer
  curl -X POST localhost:8000/notify -H 'content-type: application/json' \\
       -d '{\"message\": \"Server restarts in 5 minutes\", \"level\": \"warning\"}'
  curl localhost:8000/stats                    # messages delivered, dropped, slow clients closed
  chat-server --metrics && curl localhost:8000/metrics   # Prometheus text format
  chat-server --log-format json                # one JSON object per log line

Logs go to stderr, filtered by RUST_LOG (default info: connects and
disconnects); RUST_LOG=info,chanx_runtime::frames=debug adds a line per
frame, =trace its text.")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    bind: SocketAddr,

    /// Also send a notification to the room every SECS seconds.
    #[arg(long, value_name = "SECS")]
    notify_every: Option<u64>,

    /// Send `{"action":"complete"}` after each handled frame, as chanx's send_completion.
    #[arg(long)]
    send_completion: bool,

    /// Share groups, broadcasts and events with other chat servers, Rust or
    /// Python chanx (fast-channels / channels_redis `RedisChannelLayer`,
    /// default settings), through this Redis (e.g. redis://127.0.0.1:6379/0).
    /// Default: in-memory, this process only.
    #[arg(long, value_name = "URL", env = "CHANX_REDIS_URL")]
    redis: Option<String>,

    /// With --redis: speak `RedisPubSubChannelLayer` instead (every process
    /// on that Redis must use the same layer).
    #[arg(long, requires = "redis")]
    redis_pubsub: bool,

    /// Disconnect a client that has not completed its request (the
    /// WebSocket upgrade) this many seconds after connecting.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    handshake_timeout: f64,

    /// At most this many connections may be waiting to complete their
    /// request at once; more wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_pending_handshakes: usize,

    /// How log lines are written: `text`, or `json` (one object per line,
    /// span fields such as path, channel and action flattened).
    #[arg(long, value_name = "FORMAT", env = "CHANX_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    /// Serve Prometheus metrics (`chanx_*`) on `GET /metrics`.
    #[arg(long)]
    metrics: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // Flushes the log on the way out.
    let _log = chanx_runtime::logging::init(args.log_format)?;

    let config = ConsumerConfig {
        groups: vec![ROOM.to_string()],
        send_completion: args.send_completion,
        ..ConsumerConfig::default()
    };
    let router = match &args.redis {
        Some(url) => {
            let flavour = if args.redis_pubsub {
                Flavour::PubSub
            } else {
                Flavour::Core
            };
            let config = RedisConfig::new(url.as_str()).flavour(flavour);
            let layer = RedisLayer::connect(config).await?;
            tracing::info!(redis = %url, ?flavour, "channel layer: Redis");
            Router::with_layer(Layer::new(layer))
        }
        None => Router::new(),
    }
    .route(Route::new(ChatServer::new(Chat)).config(config));
    let events = router.layer().clone();
    let shutdown = router.shutdown_handle();

    if let Some(secs) = args.notify_every {
        tokio::spawn(notify_periodically(
            events.clone(),
            Duration::from_secs(secs.max(1)),
        ));
    }

    let mut app = axum::Router::new()
        .route("/notify", post(notify))
        .route("/stats", get(stats))
        .with_state(events)
        .merge(chanx_runtime::axum::routes(router));
    if args.metrics {
        let metrics = axum::Router::new()
            .route("/metrics", get(render_metrics))
            .with_state(install_metrics()?);
        app = app.merge(metrics);
    }
    let listener = tokio::net::TcpListener::bind(args.bind).await?;
    tracing::info!(address = %listener.local_addr()?, "chat server listening on ws://{}/ws/chat", listener.local_addr()?);
    let handshake_timeout = Duration::try_from_secs_f64(args.handshake_timeout)
        .map_err(|error| format!("--handshake-timeout: {error}"))?;
    // Unlike axum::serve: a bounded handshake, and close frames that reach
    // the client.
    chanx_runtime::axum::serve(listener, app)
        .handshake_timeout(handshake_timeout)
        .max_pending_handshakes(args.max_pending_handshakes)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
            // Sends close frames (1001) and lets in-flight handlers finish.
            shutdown.shutdown();
        })
        .await?;
    Ok(())
}

/// `POST /notify` with a notification payload: broadcast it to the room.
async fn notify(
    State(events): State<Layer>,
    Json(payload): Json<NotificationPayload>,
) -> StatusCode {
    match events
        .broadcast_event(&ChatEvent::Notify(payload), &[ROOM])
        .await
    {
        Ok(()) => StatusCode::ACCEPTED,
        Err(error) => {
            tracing::warn!(%error, "notification not sent");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// `GET /stats`: what the channel layer delivered and dropped, and how many
/// clients were closed for not keeping up.
async fn stats(State(events): State<Layer>) -> Json<serde_json::Value> {
    let stats = events.stats();
    Json(serde_json::json!({
        "delivered": stats.delivered,
        "delivered_after_wait": stats.delivered_after_wait,
        "dropped_full": stats.dropped_full,
        "dropped_gone": stats.dropped_gone,
        "dropped_expired": stats.dropped_expired,
        "dropped_backend": stats.dropped_backend,
        "closed_slow_clients": stats.closed_slow_clients,
    }))
}

/// Installs the Prometheus recorder the runtime's metrics go to.
fn install_metrics() -> Result<PrometheusHandle, Box<dyn std::error::Error>> {
    // From 50 µs (an in-memory send) to 1 s (a Redis that struggles).
    let layer_buckets = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        1.0,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("chanx_layer_send_seconds".into()),
            &layer_buckets,
        )?
        .install_recorder()?;
    chanx_runtime::enable_metrics();
    // Histograms are drained and idle data cleared by upkeep.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticker.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// `GET /metrics`: the Prometheus text format.
async fn render_metrics(
    State(handle): State<PrometheusHandle>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
}

async fn notify_periodically(events: Layer, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let payload = NotificationPayload::new("Periodic notification".to_string());
        if let Err(error) = events
            .broadcast_event(&ChatEvent::Notify(payload), &[ROOM])
            .await
        {
            tracing::warn!(%error, "periodic notification not sent");
        }
    }
}
