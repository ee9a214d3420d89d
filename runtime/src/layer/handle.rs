//! The cloneable handle the rest of a program uses to reach consumers.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use serde::Serialize;
use tokio::runtime::{Handle, RuntimeFlavor};

use super::{ChannelLayer, InMemoryLayer, LayerError, LayerMessage, LayerStats};
use crate::observe::LayerTimer;

/// A shared channel layer: send events to one connection or to groups, from
/// async code or (with the `_blocking` variants) from plain threads.
#[derive(Clone)]
pub struct Layer {
    backend: Arc<dyn ChannelLayer>,
    counters: Arc<RuntimeCounters>,
}

/// What the connections on a layer count (the rest of [`LayerStats`] is the
/// backend's).
#[derive(Debug, Default)]
pub(crate) struct RuntimeCounters {
    closed_slow_clients: AtomicU64,
}

impl RuntimeCounters {
    /// A connection was closed with 1013.
    pub(crate) fn slow_client_closed(&self) {
        self.closed_slow_clients.fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Layer")
    }
}

impl Default for Layer {
    fn default() -> Self {
        Layer::in_memory()
    }
}

impl Layer {
    /// The in-process layer.
    pub fn in_memory() -> Self {
        Layer::new(InMemoryLayer::default())
    }

    /// A layer over `backend` (in memory, Redis, or your own).
    pub fn new(backend: impl ChannelLayer) -> Self {
        Layer::from_arc(Arc::new(backend))
    }

    /// A layer over a backend already shared.
    pub fn from_arc(backend: Arc<dyn ChannelLayer>) -> Self {
        Layer {
            backend,
            counters: Arc::default(),
        }
    }

    /// The backend behind the layer.
    pub fn backend(&self) -> &dyn ChannelLayer {
        self.backend.as_ref()
    }

    /// The backend's counters (deliveries, drops and why) and the
    /// connections this layer's consumers closed with 1013. Cheap: a few
    /// atomic loads.
    pub fn stats(&self) -> LayerStats {
        let mut stats = self.backend.stats();
        stats.closed_slow_clients = self.counters.closed_slow_clients.load(Ordering::Relaxed);
        stats
    }

    pub(crate) fn runtime_counters(&self) -> Arc<RuntimeCounters> {
        self.counters.clone()
    }

    /// Sends an event to the connection whose channel name is `channel_name`
    /// (see `Context::channel_name`); its `on_event` handles it.
    pub async fn send_event<E: Serialize + ?Sized>(
        &self,
        event: &E,
        channel_name: &str,
    ) -> Result<(), LayerError> {
        let bytes = event_bytes(event)?;
        let _timer = LayerTimer::start("send");
        self.backend.send(channel_name, bytes).await
    }

    /// Sends an event to every connection in each of `groups`.
    pub async fn broadcast_event<E: Serialize + ?Sized>(
        &self,
        event: &E,
        groups: &[&str],
    ) -> Result<(), LayerError> {
        let bytes = event_bytes(event)?;
        for group in groups {
            let _timer = LayerTimer::start("group_send");
            self.backend.group_send(group, bytes.clone()).await?;
        }
        Ok(())
    }

    /// `send_event` for synchronous code.
    ///
    /// Works from plain threads and from inside a multi-threaded tokio
    /// runtime; inside a current-thread runtime it returns
    /// `LayerError::BlockingInAsync` rather than deadlock.
    pub fn send_event_blocking<E: Serialize + ?Sized>(
        &self,
        event: &E,
        channel_name: &str,
    ) -> Result<(), LayerError> {
        block_on(self.send_event(event, channel_name))
    }

    /// `broadcast_event` for synchronous code (see `send_event_blocking`).
    pub fn broadcast_event_blocking<E: Serialize + ?Sized>(
        &self,
        event: &E,
        groups: &[&str],
    ) -> Result<(), LayerError> {
        block_on(self.broadcast_event(event, groups))
    }

    /// Pushes an event to every connection subscribed to `topic`, as
    /// chanx's `<TopicClass>.broadcast(topic, event, seq=seq)` does:
    /// `namespace` is the topic's group namespace (its chanx class name,
    /// `GROUP_NAMESPACE` in generated code). The topic's `on_event` handles
    /// it, or it is forwarded as it is when its action is a passthrough
    /// message; the frames carry `seq` when given (chanx never numbers
    /// pushes itself).
    pub async fn topic_broadcast<E: Serialize + ?Sized>(
        &self,
        namespace: &str,
        topic: &str,
        event: &E,
        seq: Option<i64>,
    ) -> Result<(), LayerError> {
        let bytes = LayerMessage::TopicEvent {
            topic: topic.to_owned(),
            seq: Some(seq.map_or(serde_json::Value::Null, serde_json::Value::from)),
            // As chanx's `model_dump(mode="json")`: secrets masked.
            event_data: crate::secret::masking(|| serde_json::to_value(event))?,
        }
        .to_bytes()?;
        let group = crate::topic::topic_group(namespace, topic);
        let _timer = LayerTimer::start("group_send");
        self.backend.group_send(&group, bytes).await
    }

    /// `topic_broadcast` for synchronous code (see `send_event_blocking`).
    pub fn topic_broadcast_blocking<E: Serialize + ?Sized>(
        &self,
        namespace: &str,
        topic: &str,
        event: &E,
        seq: Option<i64>,
    ) -> Result<(), LayerError> {
        block_on(self.topic_broadcast(namespace, topic, event, seq))
    }

    /// Relays an outgoing frame (its text as clients get it) to every member of `groups`.
    pub(crate) async fn group_message(
        &self,
        message: Box<serde_json::value::RawValue>,
        groups: &[&str],
        exclude_current: bool,
        from_channel: &str,
    ) -> Result<(), LayerError> {
        let bytes = LayerMessage::GroupMessage {
            message,
            exclude_current,
            from_channel: from_channel.to_owned(),
        }
        .to_bytes()?;
        for group in groups {
            let _timer = LayerTimer::start("group_send");
            self.backend.group_send(group, bytes.clone()).await?;
        }
        Ok(())
    }
}

fn event_bytes<E: Serialize + ?Sized>(event: &E) -> Result<Vec<u8>, LayerError> {
    let event_data = crate::secret::masking(|| serde_json::to_value(event))?;
    Ok(LayerMessage::ChannelEvent { event_data }.to_bytes()?)
}

fn block_on<F: Future<Output = Result<(), LayerError>>>(future: F) -> Result<(), LayerError> {
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(future))
        }
        Ok(_) => Err(LayerError::BlockingInAsync),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(LayerError::Runtime)?
            .block_on(future),
    }
}
