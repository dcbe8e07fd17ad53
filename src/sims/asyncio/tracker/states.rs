//! The states a tracked task can be in, what a waiting task waits on, how its body ended,
//! and the time charged to each live state.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a waiting task waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum WaitKind {
    /// `await asyncio.sleep(...)`, a deadline.
    Timer,
    /// A socket: accept, connect, read, write.
    Io,
    /// A semaphore or lock (`async with sem:`).
    Lock,
    /// A queue: `await q.put(...)` on a full one, `await q.get()` on an empty one.
    Queue,
    /// Another task (`await task`, `gather`, a task group's end).
    Task,
    /// Work handed to a worker thread (`asyncio.to_thread`, `run_in_executor`).
    Thread,
    /// Something the scenario did not label.
    Other,
}

impl WaitKind {
    /// Every kind, in the order views list them.
    pub const ALL: [WaitKind; 7] = [
        WaitKind::Timer,
        WaitKind::Io,
        WaitKind::Lock,
        WaitKind::Queue,
        WaitKind::Task,
        WaitKind::Thread,
        WaitKind::Other,
    ];

    /// A short word for legends and tables.
    pub fn label(self) -> &'static str {
        match self {
            WaitKind::Timer => "timer",
            WaitKind::Io => "I/O",
            WaitKind::Lock => "lock",
            WaitKind::Queue => "queue",
            WaitKind::Task => "task",
            WaitKind::Thread => "thread",
            WaitKind::Other => "other",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub(super) fn from_index(i: u8) -> WaitKind {
        WaitKind::ALL
            .get(usize::from(i))
            .copied()
            .unwrap_or(WaitKind::Other)
    }
}

/// The state of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TaskState {
    /// Being polled by the loop right now.
    Running,
    /// Woken (or new), waiting in the ready queue for its turn.
    Ready,
    /// Suspended at an `await`, waiting on something.
    Waiting(WaitKind),
    /// Returned normally.
    Done,
    /// Ended with an error.
    Failed,
    /// Cancelled before it could finish.
    Cancelled,
}

/// How many aggregate slots there are: running, ready, one per wait kind, three ends.
pub(super) const STATE_SLOTS: usize = 5 + WaitKind::ALL.len();

impl TaskState {
    /// True for done, failed and cancelled.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Done | TaskState::Failed | TaskState::Cancelled
        )
    }

    /// A short word for the task table.
    pub fn label(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Ready => "ready",
            TaskState::Waiting(kind) => kind.label(),
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }

    /// The order the task table sorts by: the loop's picture, left to right.
    pub fn rank(self) -> usize {
        self.slot()
    }

    pub(super) fn slot(self) -> usize {
        match self {
            TaskState::Running => 0,
            TaskState::Ready => 1,
            TaskState::Waiting(kind) => 2 + kind.index(),
            TaskState::Done => STATE_SLOTS - 3,
            TaskState::Failed => STATE_SLOTS - 2,
            TaskState::Cancelled => STATE_SLOTS - 1,
        }
    }
}

/// How a task's body ended; what a tracked task's `JoinHandle` yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEnd {
    /// Returned a result.
    Done,
    /// Raised an error.
    Failed,
    /// Was cancelled (and ran its cleanup) before finishing.
    Cancelled,
}

impl From<TaskEnd> for TaskState {
    fn from(end: TaskEnd) -> Self {
        match end {
            TaskEnd::Done => TaskState::Done,
            TaskEnd::Failed => TaskState::Failed,
            TaskEnd::Cancelled => TaskState::Cancelled,
        }
    }
}

/// Time spent in each live state, in nanoseconds: being polled (busy), woken but not yet
/// polled (ready), waiting. `T` is `u64` for one task, `AtomicU64` for the totals over all.
#[derive(Debug, Default, Clone, Copy)]
pub struct StateTimes<T> {
    /// Being polled.
    pub busy_ns: T,
    /// Woken, not yet polled (scheduling delay).
    pub ready_ns: T,
    /// Waiting on something.
    pub wait_ns: T,
}

impl<T> StateTimes<T> {
    /// Where time in `state` is charged (nowhere once the task has ended).
    pub fn slot(&self, state: TaskState) -> Option<&T> {
        match state {
            TaskState::Running => Some(&self.busy_ns),
            TaskState::Ready => Some(&self.ready_ns),
            TaskState::Waiting(_) => Some(&self.wait_ns),
            _ => None,
        }
    }

    /// [`StateTimes::slot`], to change.
    pub fn slot_mut(&mut self, state: TaskState) -> Option<&mut T> {
        match state {
            TaskState::Running => Some(&mut self.busy_ns),
            TaskState::Ready => Some(&mut self.ready_ns),
            TaskState::Waiting(_) => Some(&mut self.wait_ns),
            _ => None,
        }
    }
}

impl StateTimes<u64> {
    /// Adds `ns` to the time in `state`.
    pub fn charge(&mut self, state: TaskState, ns: u64) {
        if let Some(t) = self.slot_mut(state) {
            *t += ns;
        }
    }
}

impl StateTimes<AtomicU64> {
    /// Adds `ns` to the total time in `state`.
    pub fn charge(&self, state: TaskState, ns: u64) {
        if let Some(t) = self.slot(state) {
            t.fetch_add(ns, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_charged_to_the_state_it_was_spent_in_and_nowhere_once_ended() {
        let mut one = StateTimes::<u64>::default();
        let all = StateTimes::<AtomicU64>::default();
        for (state, ns) in [
            (TaskState::Running, 5),
            (TaskState::Ready, 7),
            (TaskState::Waiting(WaitKind::Timer), 11),
            (TaskState::Waiting(WaitKind::Io), 13),
            (TaskState::Done, 1_000),
        ] {
            one.charge(state, ns);
            all.charge(state, ns);
        }
        assert_eq!((one.busy_ns, one.ready_ns, one.wait_ns), (5, 7, 24));
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        assert_eq!(
            (load(&all.busy_ns), load(&all.ready_ns), load(&all.wait_ns)),
            (5, 7, 24)
        );
    }
}
