//! What one frame costs the server itself, without sockets: the chat
//! example's consumer behind `chanx_runtime::testing::Communicator`, one
//! frame in and its answer out, on one thread. Everything chanx-runtime does
//! per frame is in it (reading the JSON, the envelope, validation, the
//! typed message, the handler, writing the reply, the outgoing queue) and
//! nothing else, so it measures validation's share far more steadily than
//! round trips between two processes on a shared machine.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use chanx_example_chat::{Chat, ROOM, api::channels::chat::ChatServer};
use chanx_runtime::testing::Communicator;
use chanx_runtime::{ConsumerConfig, Route, Router, WsMessage};

/// The frames measured: a client frame and a marker of its answer.
pub const FRAMES: [(&str, &str, &str); 3] = [
    ("ping → pong", r#"{"action":"ping"}"#, "pong"),
    (
        "chat → chat_notification",
        r#"{"action":"chat","payload":{"message":"hello everyone"}}"#,
        "chat_notification",
    ),
    (
        "invalid chat → error",
        r#"{"action":"chat","payload":{"message":5}}"#,
        "string_type",
    ),
];

/// Nanoseconds per frame for each of [`FRAMES`] whose name starts with
/// `only` (all without it), best of `rounds` rounds of `per_round` frames.
pub fn cost(
    per_round: usize,
    rounds: usize,
    only: Option<&str>,
) -> Result<Vec<(&'static str, f64)>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let config = ConsumerConfig {
            groups: vec![ROOM.to_string()],
            ..ConsumerConfig::default()
        };
        let router =
            Arc::new(Router::new().route(Route::new(ChatServer::new(Chat)).config(config)));
        let mut client = Communicator::connect(router, "/ws/chat");
        let mut results = Vec::new();
        let chosen: Vec<_> = FRAMES
            .into_iter()
            .filter(|(name, _, _)| only.is_none_or(|prefix| name.starts_with(prefix)))
            .collect();
        if chosen.is_empty() {
            let names: Vec<&str> = FRAMES.iter().map(|(name, _, _)| *name).collect();
            let prefix = only.unwrap_or_default();
            bail!(
                "no frame's name starts with {prefix:?} (frames: {})",
                names.join(", ")
            );
        }
        for (name, frame, answer) in chosen {
            let mut best = f64::INFINITY;
            for _ in 0..rounds {
                let started = Instant::now();
                for _ in 0..per_round {
                    client.send_text(frame);
                    match client.try_receive().await {
                        Some(WsMessage::Text(text)) if text.contains(answer) => {}
                        other => bail!("{name}: unexpected answer {other:?}"),
                    }
                }
                let per_frame = started.elapsed().as_nanos() as f64 / per_round as f64;
                best = best.min(per_frame);
            }
            results.push((name, best));
        }
        client.disconnect().await;
        Ok(results)
    })
}

/// Rounds per frame; the best round is reported (the loop is CPU-bound on
/// one thread, so the best is the least disturbed by the rest of the machine).
pub const ROUNDS: usize = 7;

/// Frames per round: enough for a stable best-of, small enough to finish fast.
pub fn per_round(smoke: bool) -> usize {
    if smoke { 500 } else { 20_000 }
}
