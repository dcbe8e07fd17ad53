//! What the scenarios count as they run (cleanups, how many are inside a semaphore, queue
//! depth, requests served...) and the knobs they read live. Plain atomics: written by the
//! loop's tasks, read by the snapshot and the final metrics without locking.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// A count that goes up and down, with the highest it ever reached.
#[derive(Debug, Default)]
pub struct Gauge {
    now: AtomicI64,
    peak: AtomicI64,
}

impl Gauge {
    /// Adds one and updates the peak.
    pub fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    /// Takes one away.
    pub fn leave(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }

    /// The value now.
    pub fn now(&self) -> u64 {
        self.now.load(Ordering::Relaxed).max(0) as u64
    }

    /// The highest value so far.
    pub fn peak(&self) -> u64 {
        self.peak.load(Ordering::Relaxed).max(0) as u64
    }
}

/// Holds a [`Gauge`] up while alive: leaving happens even if the task is cancelled
/// (like `async with sem:` releasing on `CancelledError`).
pub struct Inside {
    gauge: Arc<Figures>,
    pick: fn(&Figures) -> &Gauge,
}

impl Inside {
    /// Enters the gauge `pick` of `figures` until dropped.
    pub fn enter(figures: &Arc<Figures>, pick: fn(&Figures) -> &Gauge) -> Inside {
        pick(figures).enter();
        Inside {
            gauge: Arc::clone(figures),
            pick,
        }
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        (self.pick)(&self.gauge).leave();
    }
}

/// How one group of sibling tasks ended (the taskgroup scenario runs two such groups).
#[derive(Debug, Default)]
pub struct GroupFigures {
    /// Children that finished normally.
    pub completed: AtomicU64,
    /// Children that raised.
    pub failed: AtomicU64,
    /// Children cancelled before they finished.
    pub cancelled: AtomicU64,
    /// Cleanups those cancelled children ran.
    pub cleanups_run: AtomicU64,
    /// Siblings that finished after the first failure had been raised.
    pub completed_after_failure: AtomicU64,
    /// True once a sibling failed (1) or not yet (0).
    pub failure_seen: AtomicU64,
}

impl GroupFigures {
    /// The figures as plain numbers.
    pub fn read(&self) -> GroupCounts {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        GroupCounts {
            completed: get(&self.completed),
            failed: get(&self.failed),
            cancelled: get(&self.cancelled),
            cleanups_run: get(&self.cleanups_run),
            completed_after_failure: get(&self.completed_after_failure),
        }
    }
}

/// A group's figures as plain numbers, for snapshots and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GroupCounts {
    /// Children that finished normally.
    pub completed: u64,
    /// Children that raised.
    pub failed: u64,
    /// Children cancelled before they finished.
    pub cancelled: u64,
    /// Cleanups those cancelled children ran.
    pub cleanups_run: u64,
    /// Children that finished after the first failure.
    pub completed_after_failure: u64,
}

/// Every figure a scenario counts.
#[derive(Debug, Default)]
pub struct Figures {
    /// Cleanups that ran because a task was cancelled (`except CancelledError: ...; raise`).
    pub cleanups_run: AtomicU64,
    /// Tasks inside the semaphore.
    pub inside: Gauge,
    /// Items in the queue.
    pub queue_depth: Gauge,
    /// queue: time producers spent inside `put` (waiting while the queue was full), ns.
    pub producer_blocked_ns: AtomicU64,
    /// queue: items put.
    pub items_produced: AtomicU64,
    /// queue: items got and processed.
    pub items_consumed: AtomicU64,
    /// queue: shutdown sentinels put, one per consumer.
    pub sentinels_sent: AtomicU64,
    /// Open server-side connections of the echo server.
    pub connections: Gauge,
    /// io: connections the server accepted.
    pub connections_accepted: AtomicU64,
    /// io: server-side connections closed.
    pub connections_closed: AtomicU64,
    /// io: request/echo round trips completed by clients.
    pub requests: AtomicU64,
    /// io: clients that ended with an error.
    pub client_errors: AtomicU64,
    /// io: when the first client started, ns on the tracker's clock.
    pub io_first_ns: AtomicU64,
    /// io: when the last client ended, ns on the tracker's clock.
    pub io_last_ns: AtomicU64,
    /// Results the gather scenario collected.
    pub results_collected: AtomicU64,
    /// Work that ran on a worker thread (offload).
    pub offloaded_calls: AtomicU64,
    /// Blocking calls made on the loop thread (blocking).
    pub blocking_calls: AtomicU64,
    /// taskgroup: the TaskGroup's children.
    pub taskgroup: GroupFigures,
    /// taskgroup: the gather's children.
    pub gather: GroupFigures,
}

/// Knobs a running scenario reads each time it uses them, so `set()` applies live.
#[derive(Debug, Default)]
pub struct Knobs {
    /// queue: each producer's pause between two items, ms.
    pub produce_ms: AtomicU64,
    /// queue: a consumer's work per item, ms.
    pub consume_ms: AtomicU64,
    /// io: the server's wait before each echo, ms.
    pub server_delay_ms: AtomicU64,
}

impl Knobs {
    /// Reads a knob.
    pub fn get(knob: &AtomicU64) -> u64 {
        knob.load(Ordering::Relaxed)
    }
}

/// A task's cleanup, run when the task is cancelled before it finished: Rust's `Drop`
/// plays Python's `finally`/`except CancelledError` block, which runs when the awaiting
/// coroutine receives the cancellation. A task that finishes disarms it.
pub struct Cleanup {
    figures: Arc<Figures>,
    group: Option<fn(&Figures) -> &GroupFigures>,
    armed: bool,
}

impl Cleanup {
    /// A cleanup that counts into `figures.cleanups_run` (and the group's, if given).
    pub fn armed(figures: &Arc<Figures>, group: Option<fn(&Figures) -> &GroupFigures>) -> Self {
        Cleanup {
            figures: Arc::clone(figures),
            group,
            armed: true,
        }
    }

    /// The task finished: no cleanup for cancellation.
    pub fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        self.figures.cleanups_run.fetch_add(1, Ordering::Relaxed);
        if let Some(group) = self.group {
            group(&self.figures)
                .cleanups_run
                .fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_keep_their_peak_and_inside_leaves_on_drop() {
        let figures = Arc::new(Figures::default());
        {
            let _a = Inside::enter(&figures, |f| &f.inside);
            let _b = Inside::enter(&figures, |f| &f.inside);
            assert_eq!(figures.inside.now(), 2);
        }
        assert_eq!(figures.inside.now(), 0);
        assert_eq!(figures.inside.peak(), 2);
    }

    #[test]
    fn cleanup_runs_only_when_dropped_armed() {
        let figures = Arc::new(Figures::default());
        Cleanup::armed(&figures, Some(|f| &f.taskgroup)).disarm();
        drop(Cleanup::armed(&figures, Some(|f| &f.taskgroup)));
        drop(Cleanup::armed(&figures, None));
        assert_eq!(figures.cleanups_run.load(Ordering::Relaxed), 2);
        assert_eq!(figures.taskgroup.read().cleanups_run, 1);
    }
}
