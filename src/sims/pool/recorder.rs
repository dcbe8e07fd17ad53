//! The pool's lane recorder: each pool thread sums the tasks it runs in a
//! [`LaneSums`] of its own (a thread-local: no lock, no write to memory another thread
//! reads) and hands the sums to its shared lane every [`HAND_OVER_NS`] of run time and as
//! the thread ends; snapshots read only the shared lanes.
//!
//! [`HAND_OVER_NS`]: crate::sims::kit::lane_sums::HAND_OVER_NS

use std::cell::RefCell;
use std::sync::Mutex;

use super::lock;
use crate::sims::kit::lane_sums::LaneSums;
use crate::sims::kit::timeline::WorkerLane;

/// One worker's lane as the snapshots see it.
#[derive(Debug, Default)]
pub struct LaneRecord {
    /// The lane: tasks, busy time, stolen work, the timeline.
    pub lane: WorkerLane,
    /// Its longest task so far, in seconds.
    pub longest_s: f64,
}

impl LaneRecord {
    /// Adds the sums to the lane.
    pub fn take(&mut self, sums: &mut LaneSums) {
        self.longest_s = self.longest_s.max(sums.hand_over(&mut self.lane));
    }
}

thread_local! {
    /// A pool thread serves one pool in its life, so its sums are that pool's.
    static SUMS: RefCell<LaneSums> = RefCell::default();
}

/// Records a task this pool thread ran from `start_ns` to `end_ns` (run time), `stolen`
/// if it reached this thread through a steal; hands the sums to `lane` when they are due.
pub fn record(lane: &Mutex<LaneRecord>, start_ns: u64, end_ns: u64, stolen: bool) {
    SUMS.with_borrow_mut(|sums| {
        if sums.add(start_ns, end_ns, stolen) {
            lock(lane).take(sums);
        }
    });
}

/// Hands over whatever this thread still holds: a pool thread calls it as it ends.
pub fn hand_over(lane: &Mutex<LaneRecord>) {
    SUMS.with_borrow_mut(|sums| lock(lane).take(sums));
}

/// True if this thread has run a task (so a job it steals now is help for a busier worker,
/// not its first share).
pub fn has_run_tasks() -> bool {
    SUMS.with_borrow(LaneSums::has_tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: u64 = 1_000;

    #[test]
    fn a_thread_hands_its_tasks_over_when_due_and_at_its_end() {
        // A fresh thread: sums of its own.
        std::thread::spawn(|| {
            let lane = Mutex::new(LaneRecord::default());
            let tasks = |lane: &Mutex<LaneRecord>| lock(lane).lane.tasks;
            assert!(!has_run_tasks());
            record(&lane, 3_000 * US, 3_001 * US, false);
            assert_eq!(tasks(&lane), 1);
            record(&lane, 3_100 * US, 3_150 * US, false);
            assert!(has_run_tasks());
            assert_eq!(tasks(&lane), 1, "kept on the thread until due");
            hand_over(&lane);
            assert_eq!(tasks(&lane), 2);
            assert!((lock(&lane).longest_s - 50e-6).abs() < 1e-12);
        })
        .join()
        .unwrap();
    }
}
