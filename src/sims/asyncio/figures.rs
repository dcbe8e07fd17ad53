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
    pub completed: AtomicU64,
    pub failed: AtomicU64,
    pub cancelled: AtomicU64,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCounts {
    pub completed: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub cleanups_run: u64,
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
    pub producer_blocked_ns: AtomicU64,
    pub items_produced: AtomicU64,
    pub items_consumed: AtomicU64,
    pub sentinels_sent: AtomicU64,
    /// Open server-side connections of the echo server.
    pub connections: Gauge,
    pub connections_accepted: AtomicU64,
    pub connections_closed: AtomicU64,
    pub requests: AtomicU64,
    pub client_errors: AtomicU64,
    /// When the first client started and the last one ended, ns on the tracker's clock.
    pub io_first_ns: AtomicU64,
    pub io_last_ns: AtomicU64,
    /// Results the gather scenario collected.
    pub results_collected: AtomicU64,
    /// Work that ran on a worker thread (offload).
    pub offloaded_calls: AtomicU64,
    /// Blocking calls made on the loop thread (blocking).
    pub blocking_calls: AtomicU64,
    pub taskgroup: GroupFigures,
    pub gather: GroupFigures,
}

/// Knobs a running scenario reads each time it uses them, so `set()` applies live.
#[derive(Debug, Default)]
pub struct Knobs {
    pub produce_ms: AtomicU64,
    pub consume_ms: AtomicU64,
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
