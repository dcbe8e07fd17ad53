//! A worker's lane over time, kept in a bounded number of time bins: how many seconds of
//! each activity (working, working on stolen tasks, IPC, starting up, crashed) fell into
//! each bin. When a run outgrows the bins, neighbouring bins merge and each covers twice
//! the time, so memory stays fixed whether a lane holds 10 tasks or 100,000. Views
//! resample the bins to their own width.

/// Bins per lane. Between half and all of them are in use, so a lane keeps at least 256
/// steps of resolution: more than the widest view draws.
pub const TIMELINE_BINS: usize = 512;
/// The width of one bin before any merging.
pub const INITIAL_BIN_S: f64 = 0.001;

/// What a worker was doing during part of its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    /// Running a task it got without stealing.
    Work,
    /// Running a task that reached it through a steal (pool).
    Stolen,
    /// Serialising, sending or receiving a task's data (processes).
    Ipc,
    /// The worker process is starting up (processes).
    Startup,
    /// The worker died here (processes).
    Crashed,
}

impl Activity {
    /// Every activity, in bin order.
    pub const ALL: [Activity; 5] = [
        Activity::Work,
        Activity::Stolen,
        Activity::Ipc,
        Activity::Startup,
        Activity::Crashed,
    ];

    fn slot(self) -> usize {
        self as usize
    }
}

/// Seconds of each activity inside one time span.
pub type ActivitySeconds = [f32; Activity::ALL.len()];

/// One lane's activity over time, in bins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    bin_s: f64,
    bins: Vec<ActivitySeconds>,
    end_s: f64,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    /// An empty lane.
    pub fn new() -> Self {
        Timeline {
            bin_s: INITIAL_BIN_S,
            bins: Vec::new(),
            end_s: 0.0,
        }
    }

    /// The time the last recorded activity ended (seconds from the lane's start).
    pub fn end_s(&self) -> f64 {
        self.end_s
    }

    /// The time one bin covers now.
    pub fn bin_s(&self) -> f64 {
        self.bin_s
    }

    /// Records `activity` from `start_s` to `end_s` (seconds from the lane's start).
    pub fn add(&mut self, start_s: f64, end_s: f64, activity: Activity) {
        self.add_spread(start_s, end_s, end_s - start_s, activity);
    }

    /// Records `seconds` of `activity` spread evenly from `start_s` to `end_s`: several
    /// tasks that ran back to back in that span, summed ([`Timeline::add`] is one task).
    pub fn add_spread(&mut self, start_s: f64, end_s: f64, seconds: f64, activity: Activity) {
        if !(start_s.is_finite() && end_s.is_finite() && seconds.is_finite())
            || end_s <= start_s
            || start_s < 0.0
        {
            return;
        }
        while end_s > self.bin_s * TIMELINE_BINS as f64 {
            self.coarsen();
        }
        // Truncation is the floor of a non-negative number (and no call into libm, which
        // `f64::floor` is without SSE4.1: a third of the pool's per-task recording).
        let first = (start_s / self.bin_s) as usize;
        // A span inside one bin (every short task): one add, no loop.
        if end_s <= (first + 1) as f64 * self.bin_s && first < TIMELINE_BINS {
            if self.bins.len() <= first {
                self.bins.resize(first + 1, [0.0; Activity::ALL.len()]);
            }
            self.bins[first][activity.slot()] += seconds as f32;
            self.end_s = self.end_s.max(end_s);
            return;
        }
        let per_s = seconds / (end_s - start_s);
        let last = ceil_index(end_s / self.bin_s).min(TIMELINE_BINS);
        if self.bins.len() < last {
            self.bins.resize(last, [0.0; Activity::ALL.len()]);
        }
        for i in first..last {
            let lo = (i as f64 * self.bin_s).max(start_s);
            let hi = ((i + 1) as f64 * self.bin_s).min(end_s);
            if hi > lo {
                self.bins[i][activity.slot()] += ((hi - lo) * per_s) as f32;
            }
        }
        self.end_s = self.end_s.max(end_s);
    }

    /// Seconds of each activity between `from_s` and `to_s`, taking the overlapping
    /// share of each bin (activity is assumed spread evenly inside a bin).
    pub fn activity_in(&self, from_s: f64, to_s: f64) -> ActivitySeconds {
        let mut out = [0.0; Activity::ALL.len()];
        if to_s <= from_s || self.bins.is_empty() {
            return out;
        }
        let first = (from_s / self.bin_s).floor().max(0.0) as usize;
        let last = ((to_s / self.bin_s).ceil() as usize).min(self.bins.len());
        for i in first..last {
            let lo = (i as f64 * self.bin_s).max(from_s);
            let hi = ((i + 1) as f64 * self.bin_s).min(to_s);
            if hi <= lo {
                continue;
            }
            let share = ((hi - lo) / self.bin_s) as f32;
            for (o, v) in out.iter_mut().zip(&self.bins[i]) {
                *o += v * share;
            }
        }
        out
    }

    /// Total seconds of each activity over the whole lane.
    pub fn totals(&self) -> ActivitySeconds {
        let mut out = [0.0; Activity::ALL.len()];
        for bin in &self.bins {
            for (o, v) in out.iter_mut().zip(bin) {
                *o += v;
            }
        }
        out
    }

    /// Halves the resolution: each bin takes in its right neighbour.
    fn coarsen(&mut self) {
        let merged = self
            .bins
            .chunks(2)
            .map(|pair| {
                let mut sum = pair[0];
                if let Some(right) = pair.get(1) {
                    for (s, v) in sum.iter_mut().zip(right) {
                        *s += v;
                    }
                }
                sum
            })
            .collect();
        self.bins = merged;
        self.bin_s *= 2.0;
    }
}

/// `x.ceil() as usize` for a non-negative `x`, without a call into libm.
fn ceil_index(x: f64) -> usize {
    let t = x as usize;
    if (t as f64) < x { t + 1 } else { t }
}

/// The seconds of `activity` in a span.
pub fn seconds_of(span: &ActivitySeconds, activity: Activity) -> f64 {
    f64::from(span[activity.slot()])
}

/// One worker's lane (a pool thread, a worker process, or the sequential baseline):
/// what it ran and when.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorkerLane {
    /// Tasks it ran.
    pub tasks: usize,
    /// Of those, how many reached it through a steal.
    pub stolen: usize,
    /// Seconds it spent running tasks.
    pub busy_s: f64,
    /// When its last task ended (seconds from the start of the parallel part).
    pub end_s: f64,
    /// Its activity over time.
    pub timeline: Timeline,
}

impl WorkerLane {
    /// Records one task it ran from `start_s` to `end_s`, `stolen` if the task reached it
    /// through a steal.
    pub fn add_task(&mut self, start_s: f64, end_s: f64, stolen: bool) {
        self.add_tasks(start_s, end_s, end_s - start_s, 1, stolen);
    }

    /// Records `tasks` tasks it ran back to back from `start_s` to `end_s`, busy for
    /// `busy_s` of that span; `stolen` if they all reached it through a steal.
    pub fn add_tasks(&mut self, start_s: f64, end_s: f64, busy_s: f64, tasks: usize, stolen: bool) {
        self.tasks += tasks;
        if stolen {
            self.stolen += tasks;
        }
        self.busy_s += busy_s;
        self.end_s = self.end_s.max(end_s);
        let activity = if stolen {
            Activity::Stolen
        } else {
            Activity::Work
        };
        self.timeline.add_spread(start_s, end_s, busy_s, activity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn a_span_inside_one_bin_and_one_across_bins_add_up_alike() {
        let mut t = Timeline::new();
        let bin = t.bin_s;
        // Inside bin 3, ending exactly on its upper edge, then one across bins 4 and 5.
        t.add(3.25 * bin, 4.0 * bin, Activity::Work);
        t.add(4.5 * bin, 5.5 * bin, Activity::Work);
        let work = |i: usize| f64::from(t.bins[i][Activity::Work.slot()]);
        assert!(close(work(3), 0.75 * bin));
        assert!(close(work(4), 0.5 * bin));
        assert!(close(work(5), 0.5 * bin));
        assert_eq!(t.bins.len(), 6);
        assert!(close(t.end_s, 5.5 * bin));
    }

    #[test]
    fn a_sum_of_tasks_spreads_like_the_tasks_would() {
        let mut one_by_one = WorkerLane::default();
        let mut summed = WorkerLane::default();
        let bin = one_by_one.timeline.bin_s();
        // Three tasks inside bin 2, busy 0.6 of that stretch of the lane.
        for i in 0..3 {
            let start = 2.0 * bin + f64::from(i) * 0.25 * bin;
            one_by_one.add_task(start, start + 0.2 * bin, false);
        }
        summed.add_tasks(2.0 * bin, 2.7 * bin, 0.6 * bin, 3, false);
        assert_eq!(summed.tasks, 3);
        assert!(close(summed.busy_s, one_by_one.busy_s));
        assert!(close(summed.end_s, one_by_one.end_s));
        let work = |l: &WorkerLane| seconds_of(&l.timeline.activity_in(0.0, 1.0), Activity::Work);
        assert!(close(work(&summed), work(&one_by_one)));
        // Across bins, the seconds are shared out by overlap: half in bin 4, half in 5.
        let mut t = Timeline::new();
        t.add_spread(4.5 * bin, 5.5 * bin, 0.5 * bin, Activity::Stolen);
        let stolen = |i: usize| f64::from(t.bins[i][Activity::Stolen.slot()]);
        assert!(close(stolen(4), 0.25 * bin) && close(stolen(5), 0.25 * bin));
        // Stolen tasks count as stolen, all of them.
        summed.add_tasks(3.0 * bin, 3.5 * bin, 0.5 * bin, 4, true);
        assert_eq!((summed.tasks, summed.stolen), (7, 4));
    }

    #[test]
    fn activity_lands_in_the_right_span() {
        let mut t = Timeline::new();
        t.add(0.0, 0.1, Activity::Work);
        t.add(0.1, 0.15, Activity::Ipc);
        let early = t.activity_in(0.0, 0.05);
        assert!(close(seconds_of(&early, Activity::Work), 0.05));
        assert!(close(seconds_of(&early, Activity::Ipc), 0.0));
        let late = t.activity_in(0.1, 0.2);
        assert!(close(seconds_of(&late, Activity::Ipc), 0.05));
        assert!(close(t.end_s(), 0.15));
    }

    #[test]
    fn the_inline_ceiling_is_the_ceiling() {
        for x in [0.0, 0.25, 1.0, 1.000_000_1, 2.5, 511.0, 511.999, 512.0] {
            assert_eq!(ceil_index(x), x.ceil() as usize, "{x}");
        }
    }

    #[test]
    fn long_runs_merge_bins_and_keep_totals() {
        let mut t = Timeline::new();
        for i in 0..10_000 {
            let s = i as f64 * 0.01;
            t.add(s, s + 0.005, Activity::Stolen);
        }
        assert!(t.bins.len() <= TIMELINE_BINS);
        assert!(t.bins.len() >= TIMELINE_BINS / 2);
        assert!(close(seconds_of(&t.totals(), Activity::Stolen), 50.0));
        assert!(t.bin_s() >= 100.0 / TIMELINE_BINS as f64);
        let half = t.activity_in(0.0, 50.0);
        assert!((seconds_of(&half, Activity::Stolen) - 25.0).abs() < 0.5);
    }

    #[test]
    fn a_lane_counts_its_tasks_and_stolen_work() {
        let mut lane = WorkerLane::default();
        lane.add_task(0.0, 0.1, false);
        lane.add_task(0.1, 0.3, true);
        assert_eq!((lane.tasks, lane.stolen), (2, 1));
        assert!(close(lane.busy_s, 0.3) && close(lane.end_s, 0.3));
        assert!(close(
            seconds_of(&lane.timeline.totals(), Activity::Stolen),
            0.2
        ));
    }

    #[test]
    fn nonsense_spans_are_ignored() {
        let mut t = Timeline::new();
        t.add(0.2, 0.1, Activity::Work);
        t.add(-1.0, 0.1, Activity::Work);
        t.add(0.0, f64::NAN, Activity::Work);
        assert_eq!(t.totals(), [0.0; Activity::ALL.len()]);
        assert_eq!(t.activity_in(0.0, 1.0), [0.0; Activity::ALL.len()]);
    }
}
