//! Polling rarely-ready futures only when they were woken.
//!
//! A connection's loop selects over client frames and layer messages, and
//! also over its stop signals, keep-alive ping and idle timer, which almost
//! never fire. `tokio::select!` polls every branch each time the loop is
//! woken, and polling a watch receiver or a timer is not free (a lock, a
//! waker registration): it was a twentieth of a connection's work per
//! frame. [`WhenWoken`] polls them with a waker of its own, and again only
//! once that waker was called.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Polls what it is given only when that was woken since, on the first
/// poll, and after it was ready.
pub(crate) struct WhenWoken {
    signal: Arc<Signal>,
    /// The waker handed to what is polled: marks the signal, wakes the task.
    waker: Waker,
    /// Poll on the next call whether woken or not.
    due: bool,
    /// The task waker last registered: registering again is skipped while
    /// it stays registered (until a wake takes it) and is the same task's.
    registered: Option<Waker>,
}

struct Signal {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl WhenWoken {
    pub(crate) fn new() -> Self {
        let signal = Arc::new(Signal {
            woken: AtomicBool::new(false),
            task: AtomicWaker::new(),
        });
        WhenWoken {
            waker: Waker::from(Arc::clone(&signal)),
            signal,
            due: true,
            registered: None,
        }
    }

    /// Runs `poll` with this gate's waker if it is due, else stays pending
    /// (the task is woken when what `poll` waits for is).
    pub(crate) fn poll<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        // Registered before the flag is read: a wake after the read still
        // reaches this task. A wake sets the flag before it takes the
        // registered waker, so while the flag is down the waker is still
        // registered; once it was up, the waker is registered again before
        // anything is polled.
        let same_task = self
            .registered
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()));
        if !same_task {
            self.signal.task.register(cx.waker());
            self.registered = Some(cx.waker().clone());
        }
        // A plain load first: the flag is almost always down, and a swap
        // (a locked write) on every poll cost more than the rest of it.
        let woken = self.signal.woken.load(Ordering::Acquire)
            && self.signal.woken.swap(false, Ordering::AcqRel);
        if woken && same_task {
            self.signal.task.register(cx.waker());
        }
        if !std::mem::take(&mut self.due) && !woken {
            return Poll::Pending;
        }
        let result = poll(&mut Context::from_waker(&self.waker));
        // What was ready may be ready again at once (a ping interval
        // behind, a timer re-armed): ask it on the next poll.
        self.due = result.is_ready();
        result
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn what_is_polled_wakes_the_task_and_is_polled_again() {
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let mut gate = WhenWoken::new();
        let mut polls = 0;
        let mut next = poll_fn(|cx| {
            gate.poll(cx, |cx| {
                polls += 1;
                receiver.poll_recv(cx)
            })
        });
        // Pending: nothing sent. Polled again without a wake: not asked.
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(std::pin::Pin::new(&mut next).poll(&mut cx).is_pending());
        assert!(std::pin::Pin::new(&mut next).poll(&mut cx).is_pending());
        drop(next);
        assert_eq!(polls, 1);

        let sent = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            sender.send(7).expect("receiver alive");
            sender.send(8).expect("receiver alive");
        });
        let mut received = Vec::new();
        for _ in 0..2 {
            let value = poll_fn(|cx| gate.poll(cx, |cx| receiver.poll_recv(cx))).await;
            received.push(value);
        }
        sent.await.expect("sender task");
        assert_eq!(received, vec![Some(7), Some(8)]);
    }

    #[tokio::test]
    async fn a_timer_fires_through_the_gate_and_again_after_a_reset() {
        let mut gate = WhenWoken::new();
        let started = tokio::time::Instant::now();
        let mut sleep = Box::pin(tokio::time::sleep(Duration::from_millis(50)));
        poll_fn(|cx| gate.poll(cx, |cx| sleep.as_mut().poll(cx))).await;
        assert!(started.elapsed() >= Duration::from_millis(50));
        let reset = tokio::time::Instant::now();
        sleep.as_mut().reset(reset + Duration::from_millis(30));
        poll_fn(|cx| gate.poll(cx, |cx| sleep.as_mut().poll(cx))).await;
        assert!(reset.elapsed() >= Duration::from_millis(30));
    }
}
