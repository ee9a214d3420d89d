//! `chat-client`: talks to `chat-server` (or a Python chanx serving the same
//! document) through the typed `ChatClient` generated from `specs/chat.yaml`.
//! Each line typed is a chat message; what the server pushes is printed.

use std::time::Duration;

use chanx_example_chat::api::channels::chat::{ChatClient, Credentials, Outgoing};
use chanx_example_chat::api::types::{ChatMessage, ChatPayload, PingMessage};
use chanx_runtime::client::{ClientEvent, ClientOptions};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A terminal chat client for the chanx chat example.
#[derive(Debug, Parser)]
#[command(after_help = "Example:
  chat-server &
  chat-client --url ws://127.0.0.1:8000 --name ann")]
struct Args {
    /// The server, without the channel's address.
    #[arg(long, default_value = "ws://127.0.0.1:8000")]
    url: String,

    /// Your name, put before each message.
    #[arg(long, default_value = "anonymous")]
    name: String,

    /// Sent as `?token=` (for servers that authenticate).
    #[arg(long)]
    token: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let options = ClientOptions::default().request_timeout(Duration::from_secs(5));
    let credentials = Credentials {
        token: args.token.clone(),
    };
    let mut client = ChatClient::connect(&args.url, &credentials, options).await?;
    client.request_ping(&PingMessage::default()).await?;
    eprintln!(
        "connected to {} (pong received); type a message and press enter",
        args.url
    );

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = lines.next_line() => match line? {
                Some(line) if !line.trim().is_empty() => {
                    let message = format!("{}: {}", args.name, line.trim());
                    client.send_chat(&ChatMessage::new(ChatPayload { message })).await?;
                }
                Some(_) => {}
                None => break,
            },
            event = client.next() => match event {
                Some(ClientEvent::Push(push)) => match push.message {
                    Outgoing::ChatNotification(m) => println!("{}", m.payload.message),
                    Outgoing::Notification(m) => println!("[{:?}] {}", m.payload.level, m.payload.message),
                    other => println!("{other:?}"),
                },
                Some(ClientEvent::ServerError { error, .. }) => eprintln!("server: {error}"),
                Some(ClientEvent::Authentication { status_code, data }) if status_code != 200 => {
                    eprintln!("refused ({status_code}): {data}");
                }
                Some(ClientEvent::Disconnected { reason }) => eprintln!("disconnected ({reason}); reconnecting"),
                Some(ClientEvent::Reconnected { attempt }) => eprintln!("reconnected after {attempt} tries"),
                Some(other) => eprintln!("{other:?}"),
                None => break,
            },
        }
    }
    client.close().await;
    Ok(())
}
