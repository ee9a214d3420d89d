//! Per-consumer settings, with the Python chanx defaults where chanx has them.

use std::time::Duration;

/// Settings of one served channel.
///
/// `ConsumerConfig { send_completion: true, ..Default::default() }`
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// The tag key of runtime frames (`error`, `complete`, …). `None`: the
    /// handler's `TAG_KEY`, else `"action"` (chanx `discriminator_field`).
    pub action_key: Option<String>,
    /// Send `{"action":"complete"}` after each client frame, `group_complete`
    /// after each relayed group message, `event_complete` after each event.
    /// chanx default: off.
    pub send_completion: bool,
    /// Log a line for each received frame (chanx default: on). It is a
    /// debug line on [`FRAMES_TARGET`](crate::FRAMES_TARGET), where chanx
    /// logs at info: see the crate docs' "Logs".
    pub log_received_message: bool,
    /// Log a line for each sent frame (chanx default: on); debug, as above.
    pub log_sent_message: bool,
    /// Actions never logged, besides the completion actions (chanx default: none).
    pub log_ignored_actions: Vec<String>,
    /// camelCase the keys of the runtime's own frames (`status_code` →
    /// `statusCode`); generated messages keep the spec's names. Default off.
    pub camelize: bool,
    /// With an authenticator, tell the client the result: chanx sends
    /// `{"action":"authentication","payload":{"status_code":200,"status_text":"OK","data":{"detail":"OK"}}}`
    /// on success (a rejection is always sent before the close). Default on,
    /// as chanx's `send_authentication_message`.
    pub send_authentication_message: bool,
    /// Add pydantic's `ctx` to validation errors (chanx leaves it out). Default off.
    pub include_error_context: bool,
    /// Groups every connection joins on connect (more via `Context::join`).
    pub groups: Vec<String>,
    /// Largest accepted client message, in bytes; a larger one closes the
    /// connection with 1009. Default 1 MiB.
    pub max_message_bytes: usize,
    /// Frames queued for a client. The connection reads its next client
    /// frame or channel-layer message only when the queue has room for what
    /// it may answer, so a slow reader slows down what is sent to it; a
    /// handler that queues into a full queue closes the client with 1013.
    /// Default 256.
    pub outgoing_queue_capacity: usize,
    /// A frame that has waited this long in the client's queue without the
    /// socket taking it (the client reads slower than it is sent to, or not
    /// at all) closes the client with 1013. Its senders wait for it at most
    /// about this long. Default 5 s.
    pub slow_client_timeout: Duration,
    /// Send a WebSocket ping this often. Default 20 s; `None` disables.
    pub ping_interval: Option<Duration>,
    /// Close (1000, "idle timeout") when the client sends nothing (pongs
    /// included) for this long. Default 60 s; `None` disables.
    pub idle_timeout: Option<Duration>,
    /// How long to wait for queued frames and the close frame to be written
    /// when closing. Default 5 s.
    pub close_timeout: Duration,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            action_key: None,
            send_completion: false,
            log_received_message: true,
            log_sent_message: true,
            log_ignored_actions: Vec::new(),
            camelize: false,
            send_authentication_message: true,
            include_error_context: false,
            groups: Vec::new(),
            max_message_bytes: 1024 * 1024,
            outgoing_queue_capacity: 256,
            slow_client_timeout: Duration::from_secs(5),
            ping_interval: Some(Duration::from_secs(20)),
            idle_timeout: Some(Duration::from_secs(60)),
            close_timeout: Duration::from_secs(5),
        }
    }
}
