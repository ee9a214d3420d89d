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
        }
    }

    /// Runs `poll` with this gate's waker if it is due, else stays pending
    /// (the task is woken when what `poll` waits for is).
    pub(crate) fn poll<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        // Registered on every poll, before the flag is read: a wake after
        // the read still reaches this task. (Skipping it while the flag is
        // down loses wakes: a wake raises the flag before it takes the
        // registered waker, so a poll between the two clears the flag and
        // the take then leaves no waker for the next wake.)
        self.signal.task.register(cx.waker());
        // A plain load first: the flag is almost always down, and a swap
        // (a locked write) on every poll cost more than the rest of it.
        let woken = self.signal.woken.load(Ordering::Acquire)
            && self.signal.woken.swap(false, Ordering::AcqRel);
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

    struct Counting(std::sync::atomic::AtomicUsize);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The interleaving a wake from another thread can have with a poll:
    /// the flag raised, the task polled (clearing it), and only then the
    /// registered waker taken. The next wake must still reach the task.
    #[test]
    fn a_poll_between_a_wakes_two_steps_keeps_the_task_registered() {
        let task = Arc::new(Counting(std::sync::atomic::AtomicUsize::new(0)));
        let task_waker = Waker::from(Arc::clone(&task));
        let mut cx = Context::from_waker(&task_waker);
        let mut gate = WhenWoken::new();
        // First poll: due, polled, pending; the task is registered.
        assert!(gate.poll(&mut cx, |_| Poll::<()>::Pending).is_pending());
        // A wake's first step: the flag.
        gate.signal.woken.store(true, Ordering::SeqCst);
        let mut polled = false;
        let _ = gate.poll(&mut cx, |_| {
            polled = true;
            Poll::<()>::Pending
        });
        assert!(polled, "a raised flag gets the inner future polled");
        // The wake's second step: it takes the registered waker and wakes it.
        gate.signal.task.wake();
        assert_eq!(task.0.load(Ordering::SeqCst), 1);
        // A poll with the flag down, then a whole wake: it reaches the task.
        assert!(gate.poll(&mut cx, |_| Poll::<()>::Pending).is_pending());
        gate.waker.wake_by_ref();
        assert_eq!(task.0.load(Ordering::SeqCst), 2, "the wake was lost");
    }

    /// Wakes from another thread while the task is also polled for other
    /// reasons (as a connection is, by its client's frames): every message
    /// still arrives through the gate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_wake_is_lost_while_the_task_is_busy_with_other_wakes() {
        const MESSAGES: u32 = 20_000;
        let (sender, mut gated) = tokio::sync::mpsc::unbounded_channel::<u32>();
        let (noise_tx, mut noise) = tokio::sync::mpsc::unbounded_channel::<()>();
        let stop = Arc::new(AtomicBool::new(false));
        let noise_stop = Arc::clone(&stop);
        let noise_thread = std::thread::spawn(move || {
            while !noise_stop.load(Ordering::Relaxed) {
                let _ = noise_tx.send(());
                std::thread::yield_now();
            }
        });
        let sender_thread = std::thread::spawn(move || {
            for n in 0..MESSAGES {
                sender.send(n).expect("receiver alive");
                if n % 3 == 0 {
                    std::thread::yield_now();
                }
            }
        });
        let mut gate = WhenWoken::new();
        let received = tokio::time::timeout(Duration::from_secs(30), async {
            let mut received = 0;
            loop {
                tokio::select! {
                    message = poll_fn(|cx| gate.poll(cx, |cx| gated.poll_recv(cx))) => match message {
                        Some(_) => received += 1,
                        None => return received,
                    },
                    Some(()) = noise.recv() => {}
                }
            }
        })
        .await;
        stop.store(true, Ordering::Relaxed);
        sender_thread.join().expect("sender thread");
        noise_thread.join().expect("noise thread");
        assert_eq!(
            received.expect("a wake was lost: the gate stopped polling"),
            MESSAGES
        );
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
