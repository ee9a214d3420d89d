//! Traits generated message enums and events implement.

use serde::{Serialize, de::DeserializeOwned};

use crate::decode::DecodeError;
use crate::json::Json;

/// A generated per-channel `Incoming` / `Outgoing` enum.
pub trait ChannelMessage: Sized + Send + 'static {
    /// Tag values this enum accepts, in declaration order (empty when untagged).
    const TAGS: &'static [&'static str];
    /// The tag value of this message (`None` when untagged).
    fn tag(&self) -> Option<&'static str>;
    /// Validates a frame (its envelope already removed) and builds the
    /// message; errors are pydantic's (type, loc, msg).
    ///
    /// Validation works on the frame in place: once it succeeds `value`
    /// holds what pydantic would have made of it (defaults added, coercions
    /// applied), which saves copying it; a frame that fails validation is
    /// left as it was.
    fn decode(value: &mut Json) -> Result<Self, DecodeError>;
}

/// Events delivered through the channel layer to `Handler::on_event`.
///
/// They cross the layer as JSON, so any serde type qualifies; `()` when unused.
pub trait Event: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Event for T {}
