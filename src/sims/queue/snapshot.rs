//! What the `queue` view draws: the queue's depth and memory, what became of the items, and
//! each producer and consumer as last seen.

use crate::sims::kit::RunState;

/// A worker (producer or consumer) as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueWorker {
    /// 1-based number among its kind.
    pub id: usize,
    /// Running (making or handling an item), waiting (queue full / empty), done.
    pub state: RunState,
    /// Items it put (producer) or took (consumer).
    pub items: u64,
    /// Milliseconds it spent waiting on the queue (full for a producer, empty for a consumer).
    pub waited_ms: u64,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct QueueSnapshot {
    /// 0: unbounded.
    pub maxsize: usize,
    /// Items in the queue now (sentinels not counted).
    pub depth: usize,
    /// The most items ever in the queue at once.
    pub max_depth: usize,
    /// Depth samples, oldest first (at most [`super::HISTORY_SAMPLES`]).
    pub depth_history: Vec<usize>,
    /// Bytes held by the items in the queue now.
    pub memory_bytes: usize,
    /// The most bytes ever held.
    pub max_memory_bytes: usize,
    /// What became of the items so far.
    #[serde(flatten)]
    pub items: ItemCounts,
    /// Items in the queue plus those a consumer is handling.
    pub in_flight: u64,
    /// Items the producers will make in all.
    pub total_items: u64,
    /// Producers.
    pub producers: Vec<QueueWorker>,
    /// Consumers.
    pub consumers: Vec<QueueWorker>,
    /// Sentinels put so far (one per consumer at shutdown).
    pub sentinels: usize,
    /// True once every consumer has taken its sentinel.
    pub finished: bool,
    /// Seconds of run time since start (a pause is left out).
    pub elapsed_s: f64,
}

/// What became of the items: put, handled, or dropped unhandled at a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ItemCounts {
    /// Items put into the queue.
    pub produced: u64,
    /// Items taken out and handled (each took its `consume_ms`).
    pub consumed: u64,
    /// Items taken out at a stop and dropped without being handled (the drain before the
    /// sentinels), so `produced = consumed + drained` once finished.
    #[serde(default)]
    pub drained: u64,
}

impl ItemCounts {
    /// `produced - consumed - drained`: items neither handled nor drained (0 when the
    /// sentinel shutdown works).
    pub fn lost(&self) -> i64 {
        self.produced as i64 - self.consumed as i64 - self.drained as i64
    }
}

impl QueueSnapshot {
    /// Milliseconds every producer spent blocked on a full queue.
    pub fn producer_blocked_ms(&self) -> u64 {
        self.producers.iter().map(|p| p.waited_ms).sum()
    }
}
