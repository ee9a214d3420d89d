//! A chat server sharing its groups with other processes through Redis.
//!
//! ```text
//! cargo run -p chanx-runtime --features redis --example redis_chat -- \
//!     --bind 127.0.0.1:8001 --redis redis://127.0.0.1:6379/0
//! ```
//!
//! Clients connect to `ws://ADDR/ws/chat`; see `tests/support/redis_chat.rs`
//! for the chat commands (`whoami`, `event TEXT`, `to CHANNEL TEXT`).

// The module chanx generates from specs/chat.yaml (not all of it is used here).
#[rustfmt::skip]
#[allow(dead_code)]
#[path = "../tests/support/chat.rs"]
mod chat;
#[path = "../tests/support/redis_chat.rs"]
mod redis_chat;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = redis_chat::Options::parse(std::env::args().skip(1))?;
    redis_chat::serve(options).await
}
