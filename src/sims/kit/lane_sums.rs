//! A worker lane's recording at one timeline entry per millisecond instead of one per task:
//! the tasks a worker runs back to back inside one [`WINDOW_NS`] window (the lane
//! timeline's narrowest bin, so a sum lands in the very bin its tasks would have) are
//! summed where they run, and the sums reach the [`WorkerLane`] in batches. Used by the
//! pool's threads and by the sequential baseline of both two-part demos: on ~0.8 µs tasks a
//! lock and a timeline entry per task cost more than timing the task.

use super::timeline::{INITIAL_BIN_S, WorkerLane};

/// The window tasks are summed in, in nanoseconds: the timeline's first bin width (bins
/// only ever merge, so a window always falls inside one bin).
pub const WINDOW_NS: u64 = 1_000_000;
const _: () = assert!(WINDOW_NS as f64 * 1e-9 == INITIAL_BIN_S);

/// How often sums are due to reach their lane, in nanoseconds of run time: the lanes a
/// snapshot shows are at most this far behind (a frame is 33 ms).
pub const HAND_OVER_NS: u64 = 2_000_000;

/// Tasks run back to back inside one window, all stolen or all not (or one task that
/// crossed a window's edge).
#[derive(Debug, Clone, Copy)]
struct Run {
    window: u64,
    start_ns: u64,
    end_ns: u64,
    busy_ns: u64,
    tasks: usize,
    stolen: bool,
}

/// The tasks one worker ran that have not reached its lane yet.
#[derive(Debug, Default)]
pub struct LaneSums {
    /// Closed runs, oldest first.
    runs: Vec<Run>,
    /// The run the next task may join.
    open: Option<Run>,
    /// The longest task since the last hand-over, in nanoseconds.
    longest_ns: u64,
    /// Tasks ever added, handed over or not.
    tasks_run: usize,
    /// When the sums last reached the lane, in nanoseconds of run time.
    handed_at_ns: u64,
}

impl LaneSums {
    /// Adds a task that ran from `start_ns` to `end_ns` (run time), `stolen` if it reached
    /// the worker through a steal. True when [`HAND_OVER_NS`] have passed since the last
    /// hand-over: time to call [`LaneSums::hand_over`].
    pub fn add(&mut self, start_ns: u64, end_ns: u64, stolen: bool) -> bool {
        let took = end_ns.saturating_sub(start_ns);
        self.tasks_run += 1;
        self.longest_ns = self.longest_ns.max(took);
        let window = start_ns / WINDOW_NS;
        let inside = end_ns <= (window + 1) * WINDOW_NS;
        if let Some(run) = &mut self.open
            && inside
            && run.window == window
            && run.stolen == stolen
        {
            run.end_ns = end_ns;
            run.busy_ns += took;
            run.tasks += 1;
        } else {
            self.runs.extend(self.open.take());
            let run = Run {
                window,
                start_ns,
                end_ns,
                busy_ns: took,
                tasks: 1,
                stolen,
            };
            if inside {
                self.open = Some(run);
            } else {
                self.runs.push(run);
            }
        }
        end_ns.saturating_sub(self.handed_at_ns) >= HAND_OVER_NS
    }

    /// Adds every sum so far to `lane` and starts afresh (the memory stays for the next
    /// ones); returns the longest task among them, in seconds.
    pub fn hand_over(&mut self, lane: &mut WorkerLane) -> f64 {
        self.runs.extend(self.open.take());
        let s = |ns: u64| ns as f64 * 1e-9;
        for r in self.runs.drain(..) {
            self.handed_at_ns = self.handed_at_ns.max(r.end_ns);
            lane.add_tasks(s(r.start_ns), s(r.end_ns), s(r.busy_ns), r.tasks, r.stolen);
        }
        s(std::mem::take(&mut self.longest_ns))
    }

    /// True if any task was ever added.
    pub fn has_tasks(&self) -> bool {
        self.tasks_run > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::kit::timeline::{Activity, seconds_of};

    const US: u64 = 1_000;

    #[test]
    fn tasks_in_one_window_are_one_run_and_a_task_across_an_edge_its_own() {
        let mut sums = LaneSums::default();
        sums.add(100 * US, 101 * US, false);
        sums.add(101 * US, 103 * US, false);
        // Stolen work starts a run of its own, in the same window.
        sums.add(103 * US, 104 * US, true);
        // Across the edge at 1 ms: alone.
        sums.add(999 * US, 1_001 * US, true);
        // The next window.
        sums.add(1_001 * US, 1_002 * US, true);
        let runs = &sums.runs;
        assert_eq!(runs.len(), 3);
        assert_eq!((runs[0].tasks, runs[0].busy_ns), (2, 3 * US));
        assert_eq!((runs[1].tasks, runs[1].stolen), (1, true));
        assert_eq!((runs[2].start_ns, runs[2].end_ns), (999 * US, 1_001 * US));
        assert_eq!(sums.open.map(|r| r.window), Some(1));
        assert_eq!(sums.longest_ns, 2 * US);
        assert!(sums.has_tasks());
    }

    #[test]
    fn a_hand_over_gives_the_lane_what_one_entry_per_task_would() {
        let tasks = [
            (100, 101, false),
            (101, 103, false),
            (103, 104, true),
            (999, 1_001, true),
            (1_001, 1_004, false),
            (2_500, 2_600, true),
        ];
        let mut sums = LaneSums::default();
        let (mut lane, mut each) = (WorkerLane::default(), WorkerLane::default());
        for (start, end, stolen) in tasks {
            sums.add(start * US, end * US, stolen);
            each.add_task(start as f64 * 1e-6, end as f64 * 1e-6, stolen);
        }
        let longest = sums.hand_over(&mut lane);
        assert!(sums.runs.is_empty() && sums.open.is_none());
        assert!((longest - 100e-6).abs() < 1e-12);
        assert_eq!((lane.tasks, lane.stolen), (each.tasks, each.stolen));
        assert!((lane.busy_s - each.busy_s).abs() < 1e-12);
        assert!((lane.end_s - each.end_s).abs() < 1e-12);
        for activity in [Activity::Work, Activity::Stolen] {
            for ms in 0..3 {
                let (from, to) = (f64::from(ms) * 1e-3, f64::from(ms + 1) * 1e-3);
                let ours = seconds_of(&lane.timeline.activity_in(from, to), activity);
                let theirs = seconds_of(&each.timeline.activity_in(from, to), activity);
                assert!((ours - theirs).abs() < 1e-9, "{activity:?} in ms {ms}");
            }
        }
    }

    #[test]
    fn a_hand_over_is_due_every_interval_of_run_time() {
        let mut sums = LaneSums::default();
        // The first task ends an interval into the run: due at once.
        assert!(sums.add(3_000 * US, 3_001 * US, false));
        let mut lane = WorkerLane::default();
        sums.hand_over(&mut lane);
        assert!(!sums.add(3_100 * US, 3_101 * US, false));
        assert!(!sums.add(4_900 * US, 4_901 * US, false));
        assert!(sums.add(5_100 * US, 5_101 * US, false));
        sums.hand_over(&mut lane);
        assert_eq!(lane.tasks, 4);
        // Nothing new: a hand-over changes nothing.
        sums.hand_over(&mut lane);
        assert_eq!(lane.tasks, 4);
    }
}
