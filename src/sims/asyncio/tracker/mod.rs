//! Task-state instrumentation: every task a scenario spawns is wrapped in [`Tracked`], so the
//! engine knows at every moment whether it is being polled (running), woken and waiting its
//! turn (ready), waiting on something (a timer, I/O, a lock, a queue, another task, a worker
//! thread), or finished (done, failed, cancelled), and how long it spent in each.
//!
//! asyncio keeps the same facts in its own structures: a task is either in the loop's ready
//! queue (`loop._ready`), suspended on a future it awaits, or done. Here the wrapper learns
//! them from the only events tokio exposes to a future: being polled, returning `Pending` or
//! `Ready`, being woken (our own waker wraps tokio's), and being dropped (cancellation).
//!
//! Cheap enough for 1,000,000 tasks: one small cell per task (a mutex that only the loop and
//! the task's wakers touch) and no other allocation (the wrapped future lives inline in
//! tokio's task, our waker is made once per task), aggregate counts per state kept as
//! atomics as states change, running tasks in a few lock-free slots, and a
//! scheduling-delay histogram updated on each poll. The snapshot reads the aggregates in
//! O(1) and walks the per-task cells only while there are few of them.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use super::gate::Gate;

mod cell;
mod counters;
mod states;

pub use cell::*;
pub use counters::*;
pub use states::*;

thread_local! {
    /// What the task being polled on this thread said it waits on (set by [`waiting_on`]).
    static PENDING_WAIT: Cell<u8> = const { Cell::new(WaitKind::Other as u8) };
}

/// Labels what `fut` waits on while it is pending, so the task shows as waiting on a
/// timer, I/O, a lock... instead of "other".
pub fn waiting_on<F: Future>(kind: WaitKind, fut: F) -> WaitingOn<F> {
    WaitingOn { kind, fut }
}

pin_project! {
    /// The future returned by [`waiting_on`] (the awaited future inline, not boxed).
    pub struct WaitingOn<F> {
        kind: WaitKind,
        #[pin]
        fut: F,
    }
}

impl<F: Future> Future for WaitingOn<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let result = this.fut.poll(cx);
        if result.is_pending() {
            PENDING_WAIT.with(|w| w.set(*this.kind as u8));
        }
        result
    }
}

/// The registry of every tracked task and the aggregate counters.
#[derive(Debug)]
pub struct Tracker {
    counters: Arc<Counters>,
    cells: Mutex<Vec<Arc<TaskCell>>>,
}

impl Tracker {
    /// An empty tracker whose tasks pass through `gate` before each poll.
    pub fn new(gate: Arc<Gate>) -> Self {
        Tracker {
            counters: Arc::new(Counters::new(gate)),
            cells: Mutex::new(Vec::new()),
        }
    }

    /// The aggregate counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Wraps `fut` as a new tracked task named `label-index` (or `label` for [`SOLO`]),
    /// ready to be spawned. It counts as spawned (and ready) from now.
    pub fn track<F>(&self, label: &'static str, index: u32, fut: F) -> Tracked<F>
    where
        F: Future<Output = TaskEnd> + Send + 'static,
    {
        let now = self.counters.now_ns();
        let mut cells = self.lock_cells();
        let cell = Arc::new(TaskCell {
            id: cells.len() as u32,
            label,
            index,
            inner: Mutex::new(CellInner {
                state: TaskState::Ready,
                since_ns: now,
                polls: 0,
                times: StateTimes::default(),
                woken_in_poll: false,
                waker: None,
            }),
            counters: Arc::clone(&self.counters),
        });
        cells.push(Arc::clone(&cell));
        let c = &self.counters;
        c.spawned.store(cells.len() as u64, Ordering::Relaxed);
        drop(cells);
        c.add(TaskState::Ready.slot(), 1);
        let live = c.live() as i64;
        if live > c.peak_live.load(Ordering::Relaxed) {
            c.peak_live.fetch_max(live, Ordering::Relaxed);
        }
        Tracked {
            waker: Waker::from(Arc::clone(&cell)),
            cell,
            fut,
            finished: false,
        }
    }

    /// Spawns `fut` as a tracked task on the current runtime.
    pub fn spawn<F>(
        &self,
        label: &'static str,
        index: u32,
        fut: F,
    ) -> tokio::task::JoinHandle<TaskEnd>
    where
        F: Future<Output = TaskEnd> + Send + 'static,
    {
        tokio::spawn(self.track(label, index, fut))
    }

    /// How many tasks were ever tracked.
    pub fn len(&self) -> usize {
        self.lock_cells().len()
    }

    /// True before the first task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name of task `id`.
    pub fn name_of(&self, id: u32) -> Option<String> {
        self.lock_cells().get(id as usize).map(|c| c.name())
    }

    /// Facts about task `id` now.
    pub fn facts_of(&self, id: u32) -> Option<TaskFacts> {
        let cell = self.lock_cells().get(id as usize).cloned();
        cell.map(|c| c.facts())
    }

    /// Facts about every task, if there are at most `limit` of them (else `None`: the
    /// caller shows aggregates instead).
    pub fn facts_if_at_most(&self, limit: usize) -> Option<Vec<TaskFacts>> {
        let cells: Vec<Arc<TaskCell>> = {
            let cells = self.lock_cells();
            if cells.len() > limit {
                return None;
            }
            cells.clone()
        };
        Some(cells.iter().map(|c| c.facts()).collect())
    }

    fn lock_cells(&self) -> MutexGuard<'_, Vec<Arc<TaskCell>>> {
        self.cells.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pin_project! {
    /// A task wrapped so every poll, wake-up and end is recorded. Its output is how the
    /// body ended; dropping it unfinished (abort, runtime shutdown) records a cancellation.
    pub struct Tracked<F> {
        cell: Arc<TaskCell>,
        // Our waker for the body (it wraps tokio's), made once: no refcount traffic per poll.
        waker: Waker,
        #[pin]
        fut: F,
        finished: bool,
    }

    impl<F> PinnedDrop for Tracked<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if *this.finished {
                return;
            }
            let mut inner = this.cell.lock();
            // Dropped mid-poll only if the body panicked: that is a failure, not a cancel.
            let end = if inner.state == TaskState::Running {
                this.cell.counters.leave_running(this.cell.id);
                TaskState::Failed
            } else {
                TaskState::Cancelled
            };
            let now = this.cell.counters.now_ns();
            this.cell.transition(&mut inner, end, now);
        }
    }
}

impl<F> Tracked<F> {
    /// The id of the wrapped task.
    pub fn id(&self) -> u32 {
        self.cell.id
    }
}

impl<F: Future<Output = TaskEnd>> Future for Tracked<F> {
    type Output = TaskEnd;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        let this = self.project();
        if *this.finished {
            return Poll::Pending;
        }
        let cell: &TaskCell = this.cell;
        let counters = &cell.counters;
        let id_plus_one = cell.id + 1;
        let mut parked = false;
        let may_poll = counters.gate.pass(|| {
            parked = true;
            counters.at_gate.store(id_plus_one, Ordering::Relaxed);
        });
        if parked {
            let _ = counters.at_gate.compare_exchange(
                id_plus_one,
                0,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        if !may_poll {
            // The demo is stopping: the runtime is about to drop every task.
            return Poll::Pending;
        }
        {
            let mut inner = cell.lock();
            let now = counters.now_ns();
            cell.transition(&mut inner, TaskState::Running, now);
            inner.polls += 1;
            inner.woken_in_poll = false;
            if !inner
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                inner.waker = Some(cx.waker().clone());
            }
        }
        counters.polls.fetch_add(1, Ordering::Relaxed);
        counters.last_polled.store(id_plus_one, Ordering::Relaxed);
        counters.enter_running(cell.id);

        let mut our_cx = Context::from_waker(this.waker);
        let before = PENDING_WAIT.with(|w| w.replace(WaitKind::Other as u8));
        let result = this.fut.poll(&mut our_cx);
        let kind = WaitKind::from_index(PENDING_WAIT.with(|w| w.replace(before)));

        counters.leave_running(cell.id);
        let mut inner = cell.lock();
        let now = counters.now_ns();
        let next = match result {
            Poll::Ready(end) => TaskState::from(end),
            Poll::Pending if inner.woken_in_poll => TaskState::Ready,
            Poll::Pending => TaskState::Waiting(kind),
        };
        cell.transition(&mut inner, next, now);
        if result.is_ready() {
            *this.finished = true;
        }
        result
    }
}

#[cfg(test)]
mod tests;
