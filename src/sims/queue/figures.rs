//! The `queue` demo's final figures, as `--headless --json` prints them.

use serde::Serialize;

use super::ItemCounts;

/// The `queue` demo's final figures (`--headless --json`).
#[derive(Debug, Serialize)]
pub struct QueueFigures {
    /// `queue.Queue(maxsize)` (0: unbounded).
    pub maxsize: usize,
    /// What became of the items.
    #[serde(flatten)]
    pub items: ItemCounts,
    /// [`ItemCounts::lost`]: items neither handled nor drained (0 when the sentinel
    /// shutdown works).
    pub lost: i64,
    /// The deepest the queue got.
    pub max_depth: usize,
    /// Milliseconds producers spent blocked in `put()`, all together.
    pub producer_blocked_ms: u64,
    /// Milliseconds consumers spent waiting in `get()`, all together.
    pub consumer_idle_ms: u64,
    /// The most memory the queued items held, in bytes.
    pub max_memory_bytes: usize,
    /// Sentinels put at shutdown.
    pub sentinels: usize,
    /// True once every producer made all its items.
    pub all_items_made: bool,
}
