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
//! Cheap enough for 100,000 tasks: one small cell per task (a mutex that only the loop and
//! the task's wakers touch), aggregate counts per state kept as atomics as states change,
//! and a scheduling-delay histogram updated on each poll. The snapshot reads the aggregates
//! in O(1) and walks the per-task cells only while there are few of them.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use super::gate::Gate;

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

    fn index(self) -> usize {
        self as usize
    }

    fn from_index(i: u8) -> WaitKind {
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
const STATE_SLOTS: usize = 5 + WaitKind::ALL.len();

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

    fn slot(self) -> usize {
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

/// Upper bounds of the scheduling-delay histogram's buckets, in microseconds; the last
/// bucket holds everything above.
pub const DELAY_BUCKET_BOUNDS_US: [u64; 5] = [10, 100, 1_000, 10_000, 100_000];

/// Per-state counts, totals over all tasks, and who is at the loop now.
#[derive(Debug)]
pub struct Counters {
    epoch: Instant,
    by_state: [AtomicI64; STATE_SLOTS],
    spawned: AtomicU64,
    polls: AtomicU64,
    busy_ns: AtomicU64,
    ready_ns: AtomicU64,
    wait_ns: AtomicU64,
    live: AtomicI64,
    peak_live: AtomicI64,
    delay_hist: [AtomicU64; DELAY_BUCKET_BOUNDS_US.len() + 1],
    max_delay_ns: AtomicU64,
    /// Task id + 1 of the last task polled (0: none yet).
    last_polled: AtomicU32,
    /// Task id + 1 of the task parked at the pause gate (0: none).
    at_gate: AtomicU32,
    /// Ids of the tasks being polled now (one on a current-thread loop).
    running: Mutex<Vec<u32>>,
}

impl Counters {
    fn new() -> Self {
        Counters {
            epoch: Instant::now(),
            by_state: std::array::from_fn(|_| AtomicI64::new(0)),
            spawned: AtomicU64::new(0),
            polls: AtomicU64::new(0),
            busy_ns: AtomicU64::new(0),
            ready_ns: AtomicU64::new(0),
            wait_ns: AtomicU64::new(0),
            live: AtomicI64::new(0),
            peak_live: AtomicI64::new(0),
            delay_hist: std::array::from_fn(|_| AtomicU64::new(0)),
            max_delay_ns: AtomicU64::new(0),
            last_polled: AtomicU32::new(0),
            at_gate: AtomicU32::new(0),
            running: Mutex::new(Vec::new()),
        }
    }

    /// Nanoseconds since the tracker was made.
    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
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
        self.busy_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Total time tasks spent ready but not yet polled, in seconds.
    pub fn ready_s(&self) -> f64 {
        self.ready_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Total time tasks spent waiting, in seconds.
    pub fn wait_s(&self) -> f64 {
        self.wait_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Tasks not yet finished.
    pub fn live(&self) -> u64 {
        self.live.load(Ordering::Relaxed).max(0) as u64
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
        self.lock_running().clone()
    }

    fn lock_running(&self) -> MutexGuard<'_, Vec<u32>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, slot: usize, delta: i64) {
        self.by_state[slot].fetch_add(delta, Ordering::Relaxed);
    }

    fn record_delay(&self, ns: u64) {
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
struct CellInner {
    state: TaskState,
    since_ns: u64,
    polls: u32,
    busy_ns: u64,
    ready_ns: u64,
    wait_ns: u64,
    woken_in_poll: bool,
    /// tokio's waker for this task, woken through ours.
    waker: Option<Waker>,
}

/// One tracked task's cell; also the waker handed to the task's future.
#[derive(Debug)]
pub struct TaskCell {
    id: u32,
    label: &'static str,
    index: u32,
    inner: Mutex<CellInner>,
    counters: Arc<Counters>,
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
        let (mut busy, mut ready, mut wait) = (inner.busy_ns, inner.ready_ns, inner.wait_ns);
        match inner.state {
            TaskState::Running => busy += open,
            TaskState::Ready => ready += open,
            TaskState::Waiting(_) => wait += open,
            _ => {}
        }
        TaskFacts {
            id: self.id,
            name: self.name(),
            state: inner.state,
            polls: inner.polls,
            busy_ms: busy as f64 / 1e6,
            ready_ms: ready as f64 / 1e6,
            wait_ms: wait as f64 / 1e6,
            since_ns: inner.since_ns,
        }
    }

    /// The task's state now.
    pub fn state(&self) -> TaskState {
        self.lock().state
    }

    fn lock(&self) -> MutexGuard<'_, CellInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves to `next`, charging the time since the last change to the state left.
    fn transition(&self, inner: &mut CellInner, next: TaskState, now: u64) {
        let c = &self.counters;
        let spent = now.saturating_sub(inner.since_ns);
        match inner.state {
            TaskState::Running => {
                inner.busy_ns += spent;
                c.busy_ns.fetch_add(spent, Ordering::Relaxed);
            }
            TaskState::Ready => {
                inner.ready_ns += spent;
                c.ready_ns.fetch_add(spent, Ordering::Relaxed);
                if next == TaskState::Running {
                    c.record_delay(spent);
                }
            }
            TaskState::Waiting(_) => {
                inner.wait_ns += spent;
                c.wait_ns.fetch_add(spent, Ordering::Relaxed);
            }
            _ => {}
        }
        c.add(inner.state.slot(), -1);
        c.add(next.slot(), 1);
        if next.is_final() && !inner.state.is_final() {
            c.live.fetch_sub(1, Ordering::Relaxed);
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

thread_local! {
    /// What the task being polled on this thread said it waits on (set by [`waiting_on`]).
    static PENDING_WAIT: Cell<u8> = const { Cell::new(WaitKind::Other as u8) };
}

/// Labels what `fut` waits on while it is pending, so the task shows as waiting on a
/// timer, I/O, a lock... instead of "other".
pub fn waiting_on<F: Future>(kind: WaitKind, fut: F) -> WaitingOn<F> {
    WaitingOn {
        kind,
        fut: Box::pin(fut),
    }
}

/// The future returned by [`waiting_on`].
pub struct WaitingOn<F> {
    kind: WaitKind,
    fut: Pin<Box<F>>,
}

impl<F: Future> Future for WaitingOn<F> {
    type Output = F::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let result = this.fut.as_mut().poll(cx);
        if result.is_pending() {
            PENDING_WAIT.with(|w| w.set(this.kind as u8));
        }
        result
    }
}

/// The registry of every tracked task and the aggregate counters.
#[derive(Debug)]
pub struct Tracker {
    counters: Arc<Counters>,
    cells: Mutex<Vec<Arc<TaskCell>>>,
    gate: Arc<Gate>,
}

impl Tracker {
    /// An empty tracker whose tasks pass through `gate` before each poll.
    pub fn new(gate: Arc<Gate>) -> Self {
        Tracker {
            counters: Arc::new(Counters::new()),
            cells: Mutex::new(Vec::new()),
            gate,
        }
    }

    /// The aggregate counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Wraps `fut` as a new tracked task named `label-index` (or `label` for [`SOLO`]),
    /// ready to be spawned. It counts as spawned (and ready) from now.
    pub fn track<F>(&self, label: &'static str, index: u32, fut: F) -> Tracked
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
                busy_ns: 0,
                ready_ns: 0,
                wait_ns: 0,
                woken_in_poll: false,
                waker: None,
            }),
            counters: Arc::clone(&self.counters),
        });
        cells.push(Arc::clone(&cell));
        drop(cells);
        let c = &self.counters;
        c.spawned.fetch_add(1, Ordering::Relaxed);
        c.add(TaskState::Ready.slot(), 1);
        let live = c.live.fetch_add(1, Ordering::Relaxed) + 1;
        c.peak_live.fetch_max(live, Ordering::Relaxed);
        Tracked {
            cell,
            gate: Arc::clone(&self.gate),
            fut: Box::pin(fut),
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

/// A task wrapped so every poll, wake-up and end is recorded. Its output is how the body
/// ended; dropping it unfinished (abort, runtime shutdown) records a cancellation.
pub struct Tracked {
    cell: Arc<TaskCell>,
    gate: Arc<Gate>,
    fut: Pin<Box<dyn Future<Output = TaskEnd> + Send>>,
    finished: bool,
}

impl Tracked {
    /// The id of the wrapped task.
    pub fn id(&self) -> u32 {
        self.cell.id
    }
}

impl Future for Tracked {
    type Output = TaskEnd;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<TaskEnd> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Pending;
        }
        let cell = &this.cell;
        let counters = &cell.counters;
        let id_plus_one = cell.id + 1;
        let may_poll = this.gate.pass(|| {
            counters.at_gate.store(id_plus_one, Ordering::Relaxed);
        });
        let _ =
            counters
                .at_gate
                .compare_exchange(id_plus_one, 0, Ordering::Relaxed, Ordering::Relaxed);
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
        counters.lock_running().push(cell.id);

        let our_waker = Waker::from(Arc::clone(cell));
        let mut our_cx = Context::from_waker(&our_waker);
        let before = PENDING_WAIT.with(|w| w.replace(WaitKind::Other as u8));
        let result = this.fut.as_mut().poll(&mut our_cx);
        let kind = WaitKind::from_index(PENDING_WAIT.with(|w| w.replace(before)));

        {
            let mut running = counters.lock_running();
            if let Some(i) = running.iter().position(|id| *id == cell.id) {
                running.swap_remove(i);
            }
        }
        let mut inner = cell.lock();
        let now = counters.now_ns();
        let next = match result {
            Poll::Ready(end) => TaskState::from(end),
            Poll::Pending if inner.woken_in_poll => TaskState::Ready,
            Poll::Pending => TaskState::Waiting(kind),
        };
        cell.transition(&mut inner, next, now);
        if result.is_ready() {
            this.finished = true;
        }
        result
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut inner = self.cell.lock();
        // Dropped mid-poll only if the body panicked: that is a failure, not a cancel.
        let end = if inner.state == TaskState::Running {
            TaskState::Failed
        } else {
            TaskState::Cancelled
        };
        let now = self.cell.counters.now_ns();
        self.cell.transition(&mut inner, end, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_task_goes_ready_running_waiting_ready_running_done() {
        let tracker = Arc::new(Tracker::new(Arc::new(Gate::new(false))));
        let rt = runtime();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let end = rt.block_on(async {
            let handle = tracker.spawn("worker", 1, async move {
                let _ = waiting_on(WaitKind::Queue, rx).await;
                TaskEnd::Done
            });
            assert_eq!(tracker.counters().counts().ready, 1);
            // Let it run up to its await.
            tokio::task::yield_now().await;
            let facts = tracker.facts_if_at_most(10).unwrap();
            assert_eq!(facts[0].name, "worker-1");
            assert_eq!(facts[0].state, TaskState::Waiting(WaitKind::Queue));
            assert_eq!(facts[0].polls, 1);
            assert_eq!(tracker.counters().counts().waiting_on(WaitKind::Queue), 1);
            tx.send(()).unwrap();
            assert_eq!(tracker.counters().counts().ready, 1);
            handle.await.unwrap()
        });
        assert_eq!(end, TaskEnd::Done);
        let c = tracker.counters();
        assert_eq!(c.polls(), 2);
        assert_eq!(c.counts().done, 1);
        assert_eq!(c.counts().finished(), 1);
        assert_eq!(c.live(), 0);
        assert_eq!(c.delay_histogram().iter().sum::<u64>(), 2);
    }

    #[test]
    fn an_aborted_task_is_cancelled_and_a_failed_one_failed() {
        let tracker = Arc::new(Tracker::new(Arc::new(Gate::new(false))));
        let rt = runtime();
        rt.block_on(async {
            let sleeper = tracker.spawn("sleeper", SOLO, async {
                waiting_on(WaitKind::Timer, std::future::pending::<()>()).await;
                TaskEnd::Done
            });
            let failing = tracker.spawn("failing", SOLO, async { TaskEnd::Failed });
            assert_eq!(failing.await.unwrap(), TaskEnd::Failed);
            tokio::task::yield_now().await;
            assert_eq!(tracker.counters().counts().waiting_on(WaitKind::Timer), 1);
            sleeper.abort();
            assert!(sleeper.await.unwrap_err().is_cancelled());
        });
        let counts = tracker.counters().counts();
        assert_eq!((counts.failed, counts.cancelled, counts.done), (1, 1, 0));
        assert_eq!(tracker.name_of(0).as_deref(), Some("sleeper"));
        assert_eq!(tracker.counters().peak_live(), 2);
    }

    #[test]
    fn unlabelled_waits_show_as_other_and_a_self_wake_as_ready() {
        let tracker = Arc::new(Tracker::new(Arc::new(Gate::new(false))));
        let rt = runtime();
        rt.block_on(async {
            let _yielder = tracker.spawn("yielder", SOLO, async {
                tokio::task::yield_now().await;
                std::future::pending::<()>().await;
                TaskEnd::Done
            });
            // The spawned task is polled once: it wakes itself, so it is ready again.
            tokio::task::yield_now().await;
            let state = tracker.facts_if_at_most(1).unwrap()[0].state;
            assert!(
                matches!(
                    state,
                    TaskState::Ready | TaskState::Waiting(WaitKind::Other)
                ),
                "{state:?}"
            );
        });
        assert!(tracker.facts_if_at_most(0).is_none());
    }

    #[test]
    fn names_and_ranks() {
        assert_eq!(task_name("main", SOLO), "main");
        assert_eq!(task_name("client", 7), "client-7");
        assert!(TaskState::Running.rank() < TaskState::Ready.rank());
        assert!(TaskState::Ready.rank() < TaskState::Waiting(WaitKind::Timer).rank());
        assert!(TaskState::Waiting(WaitKind::Other).rank() < TaskState::Done.rank());
        assert_eq!(TaskState::Waiting(WaitKind::Io).label(), "I/O");
    }
}
