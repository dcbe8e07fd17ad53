//! `queue.Queue(maxsize)` itself: a deque behind one mutex with two condition variables,
//! as CPython's `queue.py` has it, holding real item buffers so queued memory is real.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest a blocked thread sleeps before it looks again at the queue and the stop flag.
pub(super) const RECHECK_INTERVAL: Duration = Duration::from_millis(50);

/// What travels through the queue.
pub(super) enum Message {
    /// An item with its real buffer.
    Item(Vec<u8>),
    /// Python's `None` put at shutdown: "no more items, return".
    Sentinel,
}

/// The queue's contents and its high-water marks.
#[derive(Default)]
pub(super) struct QueueState {
    pub(super) messages: VecDeque<Message>,
    pub(super) depth: usize,
    pub(super) bytes: usize,
    pub(super) max_depth: usize,
    pub(super) max_bytes: usize,
}

/// `queue.Queue(maxsize)`: a deque behind one mutex with two condition variables, as in
/// CPython's `queue.py` (`not_full`, `not_empty`).
pub(super) struct BoundedQueue {
    pub(super) maxsize: usize,
    pub(super) state: Mutex<QueueState>,
    pub(super) not_full: Condvar,
    pub(super) not_empty: Condvar,
    /// False only in the overhead bench's bare runs: no depth, memory or high-water
    /// counts and no timing of waits, the same deque and condition variables.
    pub(super) counting: bool,
}

impl BoundedQueue {
    /// The state, even if a thread panicked holding it.
    pub(super) fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True when `put()` would wait.
    fn is_full(&self, state: &QueueState) -> bool {
        self.maxsize > 0 && state.messages.len() >= self.maxsize
    }

    /// One round of a blocked `put` or `get`: waits on `cond` for at most
    /// [`RECHECK_INTERVAL`], and on the first round notes when the wait `started`.
    fn wait<'a>(
        &self,
        cond: &Condvar,
        state: MutexGuard<'a, QueueState>,
        started: &mut Option<Instant>,
    ) -> MutexGuard<'a, QueueState> {
        if self.counting && started.is_none() {
            *started = Some(Instant::now());
        }
        cond.wait_timeout(state, RECHECK_INTERVAL)
            .unwrap_or_else(|p| p.into_inner())
            .0
    }

    /// `put()`: waits while full. Gives up (returns `None`) when `abandon` says so (a
    /// producer when the demo stops); else returns how long it waited.
    pub(super) fn put(&self, message: Message, abandon: impl Fn() -> bool) -> Option<Duration> {
        // The clock is read only once the queue is found full: a put that does not wait
        // reads none (two clock reads an item were most of what the counters cost).
        let mut started: Option<Instant> = None;
        let mut state = self.lock();
        while self.is_full(&state) {
            if abandon() {
                return None;
            }
            state = self.wait(&self.not_full, state, &mut started);
        }
        if let (true, Message::Item(payload)) = (self.counting, &message) {
            state.depth += 1;
            state.bytes += payload.len();
            state.max_depth = state.max_depth.max(state.depth);
            state.max_bytes = state.max_bytes.max(state.bytes);
        }
        state.messages.push_back(message);
        drop(state);
        self.not_empty.notify_one();
        Some(started.map_or(Duration::ZERO, |s| s.elapsed()))
    }

    /// `get()`: waits until there is a message; returns it and how long it waited. It never
    /// gives up: the sentinel protocol guarantees one message per consumer at shutdown.
    /// Like `put`, the wait is timed from when the queue is found empty.
    pub(super) fn get(&self) -> (Message, Duration) {
        let mut started: Option<Instant> = None;
        let mut state = self.lock();
        loop {
            if let Some(message) = state.messages.pop_front() {
                if let (true, Message::Item(payload)) = (self.counting, &message) {
                    state.depth -= 1;
                    state.bytes -= payload.len();
                }
                drop(state);
                self.not_full.notify_one();
                return (message, started.map_or(Duration::ZERO, |s| s.elapsed()));
            }
            state = self.wait(&self.not_empty, state, &mut started);
        }
    }
}
