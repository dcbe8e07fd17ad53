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

#[cfg(test)]
mod tests {
    use super::super::QueueSnapshot;
    use crate::sims::kit::test_support::assert_json_keys;

    #[test]
    fn item_counts_read_and_write_as_top_level_keys_and_drained_may_be_missing() {
        let snap = QueueSnapshot::default();
        assert_json_keys(
            &snap,
            "maxsize depth max_depth depth_history memory_bytes max_memory_bytes \
             produced consumed drained in_flight total_items producers consumers sentinels \
             finished elapsed_s",
            &[],
        );
        // A recording made before `drained` existed still reads.
        let mut json = serde_json::to_value(&snap).unwrap();
        json.as_object_mut().unwrap().remove("drained");
        json["consumed"] = 7.into();
        let back: QueueSnapshot = serde_json::from_value(json).unwrap();
        assert_eq!((back.items.consumed, back.items.drained), (7, 0));
    }
}
