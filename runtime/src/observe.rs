//! What the runtime reports to a metrics recorder, through the `metrics`
//! facade. Without the `metrics` feature every function here is empty and
//! compiles away; with it and no recorder installed, each is a call into
//! the facade's no-op recorder.
//!
//! Labels are only ever values the server chose (generated message tags,
//! pydantic error types, close codes, group names), never raw client input,
//! so a client cannot grow the number of series.
//!
//! | name | type | labels |
//! | --- | --- | --- |
//! | `chanx_connections_open` | gauge | |
//! | `chanx_connections_total` | counter | |
//! | `chanx_frames_received_total` | counter | `action` (`invalid` when it did not decode) |
//! | `chanx_frames_sent_total` | counter | `action` |
//! | `chanx_validation_errors_total` | counter | `type` (pydantic's, of the first error) |
//! | `chanx_handler_errors_total` | counter | `action`, `handler` (`message`, `event`) |
//! | `chanx_closes_total` | counter | `code` |
//! | `chanx_messages_dropped_total` | counter | `reason` (`full`, `gone`, `expired`, `backend`, `unreadable`) |
//! | `chanx_group_members` | gauge | `group` (in-memory layer) |
//! | `chanx_layer_send_seconds` | histogram | `op` (`send`, `group_send`) |

#[cfg(feature = "metrics")]
use metrics::{counter, gauge, histogram};

/// Whether anything is recorded (the `metrics` feature): callers skip work
/// done only for a metric.
pub(crate) const RECORDING: bool = cfg!(feature = "metrics");

/// Whether [`enable_metrics`] was called: until then nothing is reported,
/// so a build with the feature but no recorder builds no metric keys (each
/// would cost allocations per frame).
#[cfg(feature = "metrics")]
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Starts reporting the runtime's metrics to the `metrics` facade's
/// recorder; call it once the recorder (a Prometheus exporter, say) is
/// installed. Until then the runtime reports nothing and pays nothing per
/// frame.
#[cfg(feature = "metrics")]
pub fn enable_metrics() {
    ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(feature = "metrics")]
fn on() -> bool {
    ENABLED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The `action` label of a frame that did not decode.
pub(crate) const INVALID: &str = "invalid";

/// A connection finished its setup (`on_connect` succeeded).
pub(crate) fn connection_opened() {
    #[cfg(feature = "metrics")]
    if on() {
        gauge!("chanx_connections_open").increment(1.0);
        counter!("chanx_connections_total").increment(1);
    }
}

/// A connection counted by [`connection_opened`] ended.
pub(crate) fn connection_closed() {
    #[cfg(feature = "metrics")]
    if on() {
        gauge!("chanx_connections_open").decrement(1.0);
    }
}

/// A client frame, by the tag of the message it decoded to.
pub(crate) fn frame_received(action: &'static str) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!("chanx_frames_received_total", "action" => action).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = action;
}

/// A frame queued for a client.
pub(crate) fn frame_sent(action: Option<&str>) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!("chanx_frames_sent_total", "action" => action.unwrap_or("").to_owned())
            .increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = action;
}

/// A frame answered with validation errors (`kind`: the first one's type).
pub(crate) fn validation_error(kind: &str) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!("chanx_validation_errors_total", "type" => kind.to_owned()).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

/// A handler returned an error (`handler`: `message` or `event`).
pub(crate) fn handler_error(handler: &'static str, action: &str) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!(
            "chanx_handler_errors_total",
            "handler" => handler,
            "action" => action.to_owned()
        )
        .increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (handler, action);
}

/// The server closed a connection with `code`.
pub(crate) fn closed(code: u16) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!("chanx_closes_total", "code" => code.to_string()).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = code;
}

/// `count` channel-layer messages dropped (see `LayerStats` for the reasons).
pub(crate) fn dropped(reason: &'static str, count: u64) {
    #[cfg(feature = "metrics")]
    if on() {
        counter!("chanx_messages_dropped_total", "reason" => reason).increment(count);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (reason, count);
}

/// `group` now has `members` members.
pub(crate) fn group_size(group: &str, members: usize) {
    #[cfg(feature = "metrics")]
    if on() {
        gauge!("chanx_group_members", "group" => group.to_owned()).set(members as f64);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (group, members);
}

/// Times one channel-layer operation; recorded when dropped.
pub(crate) struct LayerTimer {
    #[cfg(feature = "metrics")]
    op: &'static str,
    /// `None` when metrics are off: no clock read.
    #[cfg(feature = "metrics")]
    started: Option<std::time::Instant>,
}

impl LayerTimer {
    /// `op`: `send` or `group_send`.
    pub(crate) fn start(op: &'static str) -> Self {
        #[cfg(not(feature = "metrics"))]
        let _ = op;
        LayerTimer {
            #[cfg(feature = "metrics")]
            op,
            #[cfg(feature = "metrics")]
            started: on().then(std::time::Instant::now),
        }
    }
}

#[cfg(feature = "metrics")]
impl Drop for LayerTimer {
    fn drop(&mut self) {
        if let Some(started) = self.started {
            histogram!("chanx_layer_send_seconds", "op" => self.op)
                .record(started.elapsed().as_secs_f64());
        }
    }
}
