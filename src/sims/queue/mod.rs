//! The `queue` demo: producers and consumers on a `queue.Queue(maxsize)` on real OS threads.
//! A bounded queue makes fast producers wait when it is full (backpressure); an unbounded one
//! (`maxsize=0`) lets them run ahead and the items pile up, holding memory. Shutdown is
//! Python's sentinel protocol: once every producer is done (or the demo is stopped), the main
//! thread puts one `None` per consumer; each consumer drains the items before its sentinel,
//! so every item produced is consumed and nothing is lost.
//!
//! Each item carries a real buffer of `item_kib` KiB, so the memory an unbounded queue holds
//! is real memory, counted from the buffers actually in the queue.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

mod bounded;
pub mod figures;
mod snapshot;

#[cfg(test)]
use bounded::RECHECK_INTERVAL;
use bounded::{BoundedQueue, Message, QueueState};
pub use figures::QueueFigures;
pub use snapshot::{ItemCounts, QueueSnapshot, QueueWorker};

use super::kit::RunState;
use super::kit::config::{self, EngineConfig};
use super::kit::figures::to_json;
use super::kit::{Crew, Pacing, PlaybackSpeed, RunControl, RunMark, SnapshotCell};
use super::{
    Applied, Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError,
    Starter,
};

/// How often the depth is sampled for the history and the snapshot refreshed.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(50);
/// Depth samples kept (12 seconds at 20 a second).
pub const HISTORY_SAMPLES: usize = 240;
/// Bounds that keep the worst case (8 producers x 2,000 items x 16 KiB = 256 MiB held by an
/// unbounded queue whose consumers are stuck) within what a laptop can spare.
const MAX_WORKERS: i64 = 8;
const MAX_ITEMS: i64 = 2_000;
const MAX_ITEM_KIB: i64 = 16;

#[rustfmt::skip] // a table: one row per parameter
const PARAMS: &[ParamSpec] = &[
    ParamSpec::int("producers", 1, MAX_WORKERS, "1", "threads that put items into the queue"),
    ParamSpec::int("consumers", 1, MAX_WORKERS, "1", "threads that take items out and work on them"),
    ParamSpec::int("maxsize", 0, 1000, "10", "queue.Queue(maxsize): put() waits while this many items are queued (0: unbounded)"),
    ParamSpec::int("items", 1, MAX_ITEMS, "200", "items each producer makes before it finishes"),
    ParamSpec::int("produce_ms", 0, 1000, "5", "time a producer takes to make one item (live)"),
    ParamSpec::int("consume_ms", 0, 1000, "20", "time a consumer takes to handle one item (live)"),
    ParamSpec::int("item_kib", 1, MAX_ITEM_KIB, "4", "memory each item holds while it waits in the queue, in KiB"),
];

/// What the `queue` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "queue",
    title: "Producers, consumers and a bounded queue",
    about: "queue.Queue(maxsize): backpressure when bounded, a growing pile when not, sentinel shutdown",
    params: PARAMS,
    start: Starter::Running(start),
};

/// Starts the `queue` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    Ok(Box::new(QueueDemo::start(QueueSetup::from_params(
        params,
    )?)?))
}

/// Everything the `queue` engine is started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct QueueSetup {
    producers: usize,
    consumers: usize,
    maxsize: usize,
    items: u64,
    item_bytes: usize,
    produce_ms: u64,
    consume_ms: u64,
}

impl EngineConfig for QueueSetup {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        let n = config::whole(name, value)?;
        match name {
            "producers" => self.producers = n as usize,
            "consumers" => self.consumers = n as usize,
            "maxsize" => self.maxsize = n as usize,
            "items" => self.items = n as u64,
            "item_kib" => self.item_bytes = n as usize * 1024,
            "produce_ms" => self.produce_ms = n as u64,
            "consume_ms" => self.consume_ms = n as u64,
            _ => return Err(config::unknown(INFO.name, name, PARAMS)),
        }
        Ok(())
    }
}

const STARTING: u8 = 0;
const WORKING: u8 = 1;
const WAITING: u8 = 2;
const DONE: u8 = 3;

/// One worker's counters, on their own cache lines: packed together, every producer's
/// and consumer's update pulled the others' line across cores.
#[derive(Default)]
#[repr(align(128))]
struct WorkerStats {
    phase: AtomicU8,
    items: AtomicU64,
    waited_us: AtomicU64,
}

struct Shared {
    setup: QueueSetup,
    queue: BoundedQueue,
    control: Arc<RunControl>,
    producers: Vec<WorkerStats>,
    consumers: Vec<WorkerStats>,
    produce_ms: AtomicU64,
    consume_ms: AtomicU64,
    speed: PlaybackSpeed,
    sentinels: AtomicU64,
    /// Items consumers took out while stopping and dropped unhandled.
    drained: AtomicU64,
    finished: AtomicBool,
    /// False only in the overhead bench's bare runs (see [`QueueDemo::start_uncounted`]).
    counting: bool,
}

impl Shared {
    fn sleep_ms(&self, ms: u64) -> bool {
        self.control.sleep(self.speed.scale_ms(ms))
    }
}

/// The running `queue` demo.
pub struct QueueDemo {
    shared: Arc<Shared>,
    latest: SnapshotCell<QueueSnapshot>,
    /// The Python main thread and the sampler.
    crew: Crew,
}

impl QueueDemo {
    /// The same producers, consumers and queue as `params` ask for, without their
    /// counters (no per-thread phases, items or waits, no queue depth, memory or
    /// high-water marks): the overhead bench's bare baseline. Its figures stay zero.
    pub fn start_uncounted(params: &Params) -> Result<QueueDemo, StartError> {
        Self::start_with(QueueSetup::from_params(params)?, false)
    }

    fn start(setup: QueueSetup) -> Result<QueueDemo, StartError> {
        Self::start_with(setup, true)
    }

    fn start_with(setup: QueueSetup, counting: bool) -> Result<QueueDemo, StartError> {
        let shared = Arc::new(Shared {
            setup,
            queue: BoundedQueue {
                maxsize: setup.maxsize,
                state: Mutex::new(QueueState::default()),
                not_full: Condvar::new(),
                not_empty: Condvar::new(),
                counting,
            },
            control: Arc::new(RunControl::new()),
            producers: (0..setup.producers)
                .map(|_| WorkerStats::default())
                .collect(),
            consumers: (0..setup.consumers)
                .map(|_| WorkerStats::default())
                .collect(),
            produce_ms: AtomicU64::new(setup.produce_ms),
            consume_ms: AtomicU64::new(setup.consume_ms),
            speed: PlaybackSpeed::new(),
            sentinels: AtomicU64::new(0),
            drained: AtomicU64::new(0),
            finished: AtomicBool::new(false),
            counting,
        });
        // The run's own clock: a pause stops it, as it stops the threads.
        let started = shared.control.mark();
        let latest = SnapshotCell::new(view(&shared, &[], started));
        let mut crew = Crew::new(Arc::clone(&shared.control));
        {
            let shared = Arc::clone(&shared);
            crew.spawn("queue-main", move |_| main_thread(&shared))?;
        }
        {
            let (shared, latest) = (Arc::clone(&shared), latest.clone());
            crew.spawn("queue-sampler", move |_| sample(&shared, &latest, started))?;
        }
        Ok(QueueDemo {
            shared,
            latest,
            crew,
        })
    }

    fn set_rates(&self, produce_ms: u64, consume_ms: u64) {
        self.shared.produce_ms.store(produce_ms, Ordering::Relaxed);
        self.shared.consume_ms.store(consume_ms, Ordering::Relaxed);
    }
}

/// The Python main thread: start everyone, join the producers, put one sentinel per
/// consumer, join the consumers.
fn main_thread(shared: &Arc<Shared>) {
    let mut producers = Crew::new(Arc::clone(&shared.control));
    let mut consumers = Crew::new(Arc::clone(&shared.control));
    for i in 0..shared.setup.consumers {
        spawn_worker(&mut consumers, shared, "consumer", i, consumer);
    }
    for i in 0..shared.setup.producers {
        if shared.control.is_stopping() {
            break;
        }
        spawn_worker(&mut producers, shared, "producer", i, producer);
    }
    producers.wait();
    // One sentinel per consumer that runs. Consumers drain every item before their
    // sentinel (the queue is FIFO), so this put always ends even if the queue is full.
    for _ in 0..consumers.len() {
        if shared.queue.put(Message::Sentinel, || false).is_some() {
            shared.sentinels.fetch_add(1, Ordering::SeqCst);
        }
    }
    consumers.wait();
    shared.finished.store(true, Ordering::SeqCst);
}

/// A worker's counters, or `None` when the run counts nothing (the bench's bare runs).
fn counted<'a>(shared: &Shared, stats: &'a WorkerStats) -> Option<&'a WorkerStats> {
    shared.counting.then_some(stats)
}

impl WorkerStats {
    fn set_phase(&self, phase: u8) {
        self.phase.store(phase, Ordering::Relaxed);
    }

    fn add_wait(&self, waited: Duration) {
        if !waited.is_zero() {
            self.waited_us
                .fetch_add(waited.as_micros() as u64, Ordering::Relaxed);
        }
    }

    fn add_item(&self) {
        self.items.fetch_add(1, Ordering::SeqCst);
    }
}

/// Starts worker `i` (0-based) of `kind` on `crew` as thread `queue-{kind}-{i + 1}`, running
/// `work(shared, i)`. If the thread cannot start, the whole run stops.
fn spawn_worker(
    crew: &mut Crew,
    shared: &Arc<Shared>,
    kind: &str,
    i: usize,
    work: fn(&Shared, usize),
) {
    let s = Arc::clone(shared);
    let name = format!("queue-{kind}-{}", i + 1);
    if crew.spawn(name, move |_| work(&s, i)).is_err() {
        shared.control.stop();
    }
}

fn producer(shared: &Shared, i: usize) {
    let stats = counted(shared, &shared.producers[i]);
    let bytes = shared.setup.item_bytes;
    for n in 0..shared.setup.items {
        if !shared.control.checkpoint() {
            break;
        }
        stats.inspect(|s| s.set_phase(WORKING));
        if !shared.sleep_ms(shared.produce_ms.load(Ordering::Relaxed)) {
            break;
        }
        // A real buffer, written to, so the memory it holds is resident.
        let payload = vec![(n % 251) as u8 + 1; bytes];
        stats.inspect(|s| s.set_phase(WAITING));
        match shared
            .queue
            .put(Message::Item(payload), || shared.control.is_stopping())
        {
            Some(waited) => {
                stats.inspect(|s| {
                    s.add_wait(waited);
                    s.add_item();
                });
            }
            None => break,
        }
    }
    stats.inspect(|s| s.set_phase(DONE));
}

fn consumer(shared: &Shared, i: usize) {
    let stats = counted(shared, &shared.consumers[i]);
    loop {
        stats.inspect(|s| s.set_phase(WAITING));
        let (message, waited) = shared.queue.get();
        stats.inspect(|s| s.add_wait(waited));
        let Message::Item(payload) = message else {
            break;
        };
        stats.inspect(|s| s.set_phase(WORKING));
        // When stopping, checkpoint and sleep return at once: the rest is drained quickly,
        // and counted as drained, not as handled (it did not take its `consume_ms`).
        let handled = shared.control.checkpoint()
            && shared.sleep_ms(shared.consume_ms.load(Ordering::Relaxed));
        std::hint::black_box(payload.first());
        drop(payload);
        if handled {
            stats.inspect(|s| s.add_item());
        } else {
            shared.drained.fetch_add(1, Ordering::SeqCst);
        }
    }
    stats.inspect(|s| s.set_phase(DONE));
}

fn sample(shared: &Shared, latest: &SnapshotCell<QueueSnapshot>, started: RunMark) {
    let mut history: VecDeque<usize> = VecDeque::with_capacity(HISTORY_SAMPLES);
    loop {
        let finished = shared.finished.load(Ordering::SeqCst);
        if !shared.control.is_paused() || finished {
            if history.len() == HISTORY_SAMPLES {
                history.pop_front();
            }
            history.push_back(shared.queue.lock().depth);
        }
        let h: Vec<usize> = history.iter().copied().collect();
        latest.publish(view(shared, &h, started));
        if finished {
            break;
        }
        // Keep sampling while stopping until the main thread has drained and finished.
        if !shared.control.sleep(SAMPLE_INTERVAL) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn worker_view(stats: &[WorkerStats]) -> Vec<QueueWorker> {
    stats
        .iter()
        .enumerate()
        .map(|(i, s)| QueueWorker {
            id: i + 1,
            state: match s.phase.load(Ordering::Relaxed) {
                STARTING => RunState::Ready,
                WORKING => RunState::Running,
                WAITING => RunState::Waiting,
                _ => RunState::Done,
            },
            items: s.items.load(Ordering::SeqCst),
            waited_ms: s.waited_us.load(Ordering::Relaxed) / 1000,
        })
        .collect()
}

fn view(shared: &Shared, history: &[usize], started: RunMark) -> QueueSnapshot {
    let (depth, bytes, max_depth, max_bytes) = {
        let q = shared.queue.lock();
        (q.depth, q.bytes, q.max_depth, q.max_bytes)
    };
    let producers = worker_view(&shared.producers);
    let consumers = worker_view(&shared.consumers);
    let produced: u64 = producers.iter().map(|p| p.items).sum();
    let consumed: u64 = consumers.iter().map(|c| c.items).sum();
    let busy = consumers
        .iter()
        .filter(|c| c.state == RunState::Running)
        .count() as u64;
    QueueSnapshot {
        maxsize: shared.setup.maxsize,
        depth,
        max_depth,
        depth_history: history.to_vec(),
        memory_bytes: bytes,
        max_memory_bytes: max_bytes,
        items: ItemCounts {
            produced,
            consumed,
            drained: shared.drained.load(Ordering::SeqCst),
        },
        in_flight: depth as u64 + busy,
        total_items: shared.setup.items * shared.setup.producers as u64,
        producers,
        consumers,
        sentinels: shared.sentinels.load(Ordering::SeqCst) as usize,
        finished: shared.finished.load(Ordering::SeqCst),
        elapsed_s: shared.control.unpaused_since(started).as_secs_f64(),
    }
}

impl Demo for QueueDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Queue(self.latest.latest())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        // Only the two rates change live; the rest shape the threads and the queue.
        let mut next = QueueSetup {
            produce_ms: self.shared.produce_ms.load(Ordering::Relaxed),
            consume_ms: self.shared.consume_ms.load(Ordering::Relaxed),
            ..self.shared.setup
        };
        if !matches!(name, "produce_ms" | "consume_ms") || next.apply(name, value).is_err() {
            return Applied::Restart;
        }
        self.set_rates(next.produce_ms, next.consume_ms);
        Applied::Live
    }

    fn pacing(&self) -> Option<Pacing<'_>> {
        let s = &self.shared;
        Some(Pacing::new(&s.control, &s.speed, &s.finished))
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.crew.stop();
        let snap = self.latest.latest();
        let consumer_idle_ms: u64 = snap.consumers.iter().map(|c| c.waited_ms).sum();
        to_json(&QueueFigures {
            maxsize: snap.maxsize,
            items: snap.items,
            lost: snap.items.lost(),
            max_depth: snap.max_depth,
            producer_blocked_ms: snap.producer_blocked_ms(),
            consumer_idle_ms,
            max_memory_bytes: snap.max_memory_bytes,
            sentinels: snap.sentinels,
            all_items_made: snap.items.produced == snap.total_items,
        })
    }
}

#[cfg(test)]
mod tests;
