//! The tracker's aggregates: per-state counts kept as atomics as states change, totals
//! over every task, who is at the loop now, and the scheduling-delay histogram.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};

use super::super::gate::Gate;
use super::states::*;
use crate::sims::kit::monotonic::Monotonic;

/// Upper bounds of the scheduling-delay histogram's buckets, in microseconds; the last
/// bucket holds everything above.
pub const DELAY_BUCKET_BOUNDS_US: [u64; 5] = [10, 100, 1_000, 10_000, 100_000];

/// How many tasks can be listed as being polled at once (more than the loop's threads: a
/// current-thread loop uses one, the multi-thread flavor one per worker).
pub const RUNNING_SLOTS: usize = 16;

/// Per-state counts, totals over all tasks, and who is at the loop now.
#[derive(Debug)]
pub struct Counters {
    pub(super) epoch: Monotonic,
    pub(super) by_state: [AtomicI64; STATE_SLOTS],
    /// Written under the tracker's cell-list lock (a store, not a read-modify-write).
    pub(super) spawned: AtomicU64,
    pub(super) polls: AtomicU64,
    pub(super) times: StateTimes<AtomicU64>,
    pub(super) peak_live: AtomicI64,
    pub(super) delay_hist: [AtomicU64; DELAY_BUCKET_BOUNDS_US.len() + 1],
    pub(super) max_delay_ns: AtomicU64,
    /// Task id + 1 of the last task polled (0: none yet).
    pub(super) last_polled: AtomicU32,
    /// Task id + 1 of the task parked at the pause gate (0: none).
    pub(super) at_gate: AtomicU32,
    /// Task id + 1 of each task being polled now, 0 in a free slot (one slot in use on a
    /// current-thread loop): claimed and freed with one atomic each, no lock.
    pub(super) running: [AtomicU32; RUNNING_SLOTS],
    /// The pause/step gate every tracked poll passes (held here, not once per task).
    pub(super) gate: Arc<Gate>,
}

impl Counters {
    pub(super) fn new(gate: Arc<Gate>) -> Self {
        Counters {
            epoch: Monotonic::start(),
            by_state: std::array::from_fn(|_| AtomicI64::new(0)),
            spawned: AtomicU64::new(0),
            polls: AtomicU64::new(0),
            times: StateTimes::default(),
            peak_live: AtomicI64::new(0),
            delay_hist: std::array::from_fn(|_| AtomicU64::new(0)),
            max_delay_ns: AtomicU64::new(0),
            last_polled: AtomicU32::new(0),
            at_gate: AtomicU32::new(0),
            running: std::array::from_fn(|_| AtomicU32::new(0)),
            gate,
        }
    }

    /// Nanoseconds since the tracker was made (read several times per task: a raw clock).
    pub fn now_ns(&self) -> u64 {
        self.epoch.now_ns()
    }

    /// The aggregate view of every task's state.
    pub fn counts(&self) -> StateCounts {
        let get = |slot: usize| self.by_state[slot].load(Ordering::Relaxed).max(0) as u64;
        StateCounts {
            running: get(TaskState::Running.slot()),
            ready: get(TaskState::Ready.slot()),
            waiting: WaitKind::ALL.map(|k| get(TaskState::Waiting(k).slot())),
            done: get(TaskState::Done.slot()),
            failed: get(TaskState::Failed.slot()),
            cancelled: get(TaskState::Cancelled.slot()),
        }
    }

    /// Tasks spawned so far.
    pub fn spawned(&self) -> u64 {
        self.spawned.load(Ordering::Relaxed)
    }

    /// Polls of tracked tasks so far.
    pub fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    /// Total time tasks spent being polled, in seconds (ends of polls so far).
    pub fn busy_s(&self) -> f64 {
        self.times.busy_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Total time tasks spent ready but not yet polled, in seconds.
    pub fn ready_s(&self) -> f64 {
        self.times.ready_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Total time tasks spent waiting, in seconds.
    pub fn wait_s(&self) -> f64 {
        self.times.wait_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Tasks not yet finished.
    pub fn live(&self) -> u64 {
        self.spawned().saturating_sub(self.counts().finished())
    }

    /// The most tasks alive at once.
    pub fn peak_live(&self) -> u64 {
        self.peak_live.load(Ordering::Relaxed).max(0) as u64
    }

    /// How many polls waited how long in the ready queue, by [`DELAY_BUCKET_BOUNDS_US`].
    pub fn delay_histogram(&self) -> Vec<u64> {
        self.delay_hist
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect()
    }

    /// The longest a task waited in the ready queue, in milliseconds.
    pub fn max_delay_ms(&self) -> f64 {
        self.max_delay_ns.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// The id of the last task polled.
    pub fn last_polled(&self) -> Option<u32> {
        self.last_polled.load(Ordering::Relaxed).checked_sub(1)
    }

    /// The id of the task parked at the pause gate, if any.
    pub fn at_gate(&self) -> Option<u32> {
        self.at_gate.load(Ordering::Relaxed).checked_sub(1)
    }

    /// The ids of the tasks being polled now.
    pub fn running(&self) -> Vec<u32> {
        self.running
            .iter()
            .filter_map(|slot| slot.load(Ordering::Relaxed).checked_sub(1))
            .collect()
    }

    /// Lists task `id` as being polled (in the first free slot; unlisted if none is free).
    pub(super) fn enter_running(&self, id: u32) {
        for slot in &self.running {
            if slot
                .compare_exchange(0, id + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    /// Takes task `id` off the list of tasks being polled.
    pub(super) fn leave_running(&self, id: u32) {
        for slot in &self.running {
            if slot
                .compare_exchange(id + 1, 0, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    pub(super) fn add(&self, slot: usize, delta: i64) {
        self.by_state[slot].fetch_add(delta, Ordering::Relaxed);
    }

    pub(super) fn record_delay(&self, ns: u64) {
        let us = ns / 1_000;
        let bucket = DELAY_BUCKET_BOUNDS_US
            .iter()
            .position(|bound| us < *bound)
            .unwrap_or(DELAY_BUCKET_BOUNDS_US.len());
        self.delay_hist[bucket].fetch_add(1, Ordering::Relaxed);
        self.max_delay_ns.fetch_max(ns, Ordering::Relaxed);
    }
}

/// How many tasks are in each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct StateCounts {
    /// Being polled now.
    pub running: u64,
    /// In the ready queue.
    pub ready: u64,
    /// Waiting, per [`WaitKind::ALL`].
    pub waiting: [u64; WaitKind::ALL.len()],
    /// Finished normally.
    pub done: u64,
    /// Ended with an error.
    pub failed: u64,
    /// Cancelled.
    pub cancelled: u64,
}

impl StateCounts {
    /// Waiting on `kind`.
    pub fn waiting_on(&self, kind: WaitKind) -> u64 {
        self.waiting[kind.index()]
    }

    /// Waiting on anything.
    pub fn waiting_total(&self) -> u64 {
        self.waiting.iter().sum()
    }

    /// Done, failed or cancelled.
    pub fn finished(&self) -> u64 {
        self.done + self.failed + self.cancelled
    }
}
