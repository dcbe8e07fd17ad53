//! One tracked task's cell: its facts (state, polls, time in each state) behind a small
//! mutex only the loop and the task's wakers touch; also the waker handed to its future.

use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Wake, Waker};

use super::counters::*;
use super::states::*;

/// One task's facts, as the table shows them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskFacts {
    /// Spawn order, from 0.
    pub id: u32,
    /// Its name, e.g. `worker-3`.
    pub name: String,
    /// Its state now.
    pub state: TaskState,
    /// Times it was polled.
    pub polls: u32,
    /// Time being polled, ms.
    pub busy_ms: f64,
    /// Time woken but not yet polled (scheduling delay), ms.
    pub ready_ms: f64,
    /// Time waiting on something, ms.
    pub wait_ms: f64,
    /// When it entered its current state, ns since the tracker began (ready-queue order).
    pub since_ns: u64,
}

#[derive(Debug)]
pub(super) struct CellInner {
    pub(super) state: TaskState,
    pub(super) since_ns: u64,
    pub(super) polls: u32,
    pub(super) times: StateTimes<u64>,
    pub(super) woken_in_poll: bool,
    /// tokio's waker for this task, woken through ours.
    pub(super) waker: Option<Waker>,
}

/// One tracked task's cell; also the waker handed to the task's future.
#[derive(Debug)]
pub struct TaskCell {
    pub(super) id: u32,
    pub(super) label: &'static str,
    pub(super) index: u32,
    pub(super) inner: Mutex<CellInner>,
    pub(super) counters: Arc<Counters>,
}

impl TaskCell {
    /// The task's name: its label and number (`worker-3`), or the bare label.
    pub fn name(&self) -> String {
        task_name(self.label, self.index)
    }

    /// The task's facts now. A running task's busy time includes the poll in progress.
    pub fn facts(&self) -> TaskFacts {
        let now = self.counters.now_ns();
        let inner = self.lock();
        let open = now.saturating_sub(inner.since_ns);
        let mut times = inner.times;
        times.charge(inner.state, open);
        TaskFacts {
            id: self.id,
            name: self.name(),
            state: inner.state,
            polls: inner.polls,
            busy_ms: times.busy_ns as f64 / 1e6,
            ready_ms: times.ready_ns as f64 / 1e6,
            wait_ms: times.wait_ns as f64 / 1e6,
            since_ns: inner.since_ns,
        }
    }

    /// The task's state now.
    pub fn state(&self) -> TaskState {
        self.lock().state
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, CellInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves to `next`, charging the time since the last change to the state left.
    pub(super) fn transition(&self, inner: &mut CellInner, next: TaskState, now: u64) {
        let c = &self.counters;
        let spent = now.saturating_sub(inner.since_ns);
        inner.times.charge(inner.state, spent);
        c.times.charge(inner.state, spent);
        if inner.state == TaskState::Ready && next == TaskState::Running {
            c.record_delay(spent);
        }
        c.add(inner.state.slot(), -1);
        c.add(next.slot(), 1);
        if next.is_final() {
            inner.waker = None;
        }
        inner.state = next;
        inner.since_ns = now;
    }
}

/// `label-index`, or `label` alone for one-of-a-kind tasks (index `u32::MAX`).
pub fn task_name(label: &str, index: u32) -> String {
    if index == SOLO {
        label.to_string()
    } else {
        format!("{label}-{index}")
    }
}

/// The index for a task that is the only one of its label (`main`, `server`).
pub const SOLO: u32 = u32::MAX;

impl Wake for TaskCell {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let waker = {
            let mut inner = self.lock();
            match inner.state {
                TaskState::Waiting(_) => {
                    let now = self.counters.now_ns();
                    self.transition(&mut inner, TaskState::Ready, now);
                }
                // Woken during its own poll (e.g. it yielded): ready again once it returns.
                TaskState::Running => inner.woken_in_poll = true,
                _ => {}
            }
            inner.waker.clone()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
