//! A run in two parts, as the `pool` and `processes` demos make it: the tasks first run in
//! parallel (a thread pool, worker processes), then one after another on one thread as the
//! sequential baseline the speedup is measured against. What both publish of it (the two
//! parts' times with the baseline's lane, and the per-core load), the clock that times the
//! parts, the baseline loop, and the monitor that samples the cores and publishes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::control::{RunControl, RunMark};
use super::cpu_load::{CPU_SAMPLE_INTERVAL, CoreReading, PhaseLoad};
use super::figures::round3_all;
use super::lane_sums::LaneSums;
use super::monotonic::Monotonic;
use super::timeline::WorkerLane;
use super::workload::{self, RunFigures};

/// How often a two-part run publishes a new snapshot while it goes on.
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(100);

/// The two parts' times and the sequential baseline's lane, as a snapshot carries them.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RunParts {
    /// The sequential baseline's one lane.
    pub sequential: WorkerLane,
    /// Seconds the parallel part took (so far, while it runs).
    pub parallel_s: f64,
    /// Seconds the sequential part took (so far, while it runs).
    pub sequential_s: f64,
}

impl RunParts {
    /// Sequential time over parallel time, once the run is `done`.
    pub fn speedup(&self, done: bool) -> Option<f64> {
        workload::speedup(done, self.sequential_s, self.parallel_s)
    }

    /// Speedup per worker of `workers` (1.0 is perfect), once the run is `done`.
    pub fn efficiency(&self, done: bool, workers: usize) -> Option<f64> {
        self.speedup(done).map(|s| s / workers as f64)
    }

    /// Seconds the longer part and the baseline lane span: the least a view's time axis
    /// must show (the worker lanes may reach further).
    pub fn span_s(&self) -> f64 {
        self.parallel_s
            .max(self.sequential_s)
            .max(self.sequential.end_s)
    }

    /// The final figures of a run on `workers` workers.
    pub fn figures(&self, done: bool, workers: usize) -> RunFigures {
        RunFigures::new(done, self.parallel_s, self.sequential_s, workers)
    }
}

/// Per-core load as a two-part run's snapshot carries it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LoadReadings {
    /// Per-core load now, as the OS reports it.
    pub cores: Vec<CoreReading>,
    /// Mean load per core during the parallel part (empty until it is over and measured).
    pub parallel_load_pct: Vec<f64>,
}

impl LoadReadings {
    /// What `load` has read so far.
    pub fn of(load: &PhaseLoad) -> Self {
        LoadReadings {
            cores: load.readings.clone(),
            parallel_load_pct: load.parallel_mean.clone(),
        }
    }

    /// The parallel part's mean load per core, rounded for the final figures.
    pub fn parallel_pct_figures(&self) -> Vec<f64> {
        round3_all(self.parallel_load_pct.iter().copied())
    }
}

/// When each part of a run started and, once it is over, how long it took, pauses left
/// out: each method takes the run's [`RunControl`], so a teacher who pauses a demo to
/// explain it still gets the speedup it would have had. (The lanes are drawn in wall time:
/// a task that was parked in a pause shows long.)
#[derive(Debug, Clone, Copy)]
pub struct PartsClock {
    parallel_started: RunMark,
    parallel_s: Option<f64>,
    sequential_started: Option<RunMark>,
    sequential_s: Option<f64>,
}

impl PartsClock {
    /// The parallel part starts now.
    pub fn start(control: &RunControl) -> Self {
        PartsClock {
            parallel_started: control.mark(),
            parallel_s: None,
            sequential_started: None,
            sequential_s: None,
        }
    }

    /// When the parallel part started.
    pub fn parallel_started(&self) -> Instant {
        self.parallel_started.at()
    }

    /// Seconds the parallel part has run so far, not counting pauses.
    pub fn parallel_so_far(&self, control: &RunControl) -> f64 {
        (control.unpaused_since(self.parallel_started)).as_secs_f64()
    }

    /// The parallel part took `parallel_s`; the sequential part starts now, at the instant
    /// returned.
    pub fn end_parallel(&mut self, parallel_s: f64, control: &RunControl) -> Instant {
        let started = control.mark();
        self.parallel_s = Some(parallel_s);
        self.sequential_started = Some(started);
        started.at()
    }

    /// The sequential part is over now.
    pub fn end_sequential(&mut self, control: &RunControl) {
        self.sequential_s = self.sequential_so_far(control);
    }

    /// Puts both parts' seconds into `parts`: a part still running counts until now, one
    /// not started yet is 0.
    pub fn write_times(&self, parts: &mut RunParts, control: &RunControl) {
        parts.parallel_s = self
            .parallel_s
            .unwrap_or_else(|| self.parallel_so_far(control));
        parts.sequential_s = (self.sequential_s)
            .or_else(|| self.sequential_so_far(control))
            .unwrap_or(0.0);
    }

    fn sequential_so_far(&self, control: &RunControl) -> Option<f64> {
        let started = self.sequential_started?;
        Some(control.unpaused_since(started).as_secs_f64())
    }
}

/// Runs tasks of `units` work units one after another on this thread, from `started`
/// (the sequential baseline: `for x in items: f(x)` in Python). With `recording`, times
/// each task and sums them as [`LaneSums`], which `hand_over` gets when they are due and
/// at the end; without, reads no clock at all (the overhead bench's bare runs). False if
/// stopped before the end.
pub fn run_baseline(
    units: &[u64],
    control: &RunControl,
    started: Instant,
    recording: bool,
    mut hand_over: impl FnMut(&mut LaneSums),
) -> bool {
    // Recorded the way the pool's threads record, so the speedup compares like with like.
    let clock = Monotonic::since(started);
    let mut sums = LaneSums::default();
    for (index, units) in units.iter().enumerate() {
        let start_ns = recording.then(|| clock.now_ns());
        if workload::spin(*units, index as u64, || control.checkpoint()).is_none() {
            hand_over(&mut sums);
            return false;
        }
        if let Some(start_ns) = start_ns
            && sums.add(start_ns, clock.now_ns(), false)
        {
            hand_over(&mut sums);
        }
    }
    hand_over(&mut sums);
    true
}

/// The monitor thread of a two-part run: every [`PUBLISH_INTERVAL`] until the run stops
/// or `finished` is set, reads the cores into `cpu` (every [`CPU_SAMPLE_INTERVAL`]; while
/// `parallel_running` says the parallel part goes on, the reading counts to its mean) and
/// calls `publish`.
pub fn monitor(
    control: &RunControl,
    finished: &AtomicBool,
    cpu: &Mutex<PhaseLoad>,
    parallel_running: impl Fn() -> bool,
    publish: impl Fn(),
) {
    let mut last_sample = Instant::now();
    while control.sleep(PUBLISH_INTERVAL) && !finished.load(Ordering::SeqCst) {
        if last_sample.elapsed() >= CPU_SAMPLE_INTERVAL {
            last_sample = Instant::now();
            let parallel = parallel_running();
            cpu.lock()
                .unwrap_or_else(|p| p.into_inner())
                .sample(parallel);
        }
        publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_give_speedup_only_when_done_and_span_the_longest() {
        let mut parts = RunParts {
            parallel_s: 1.0,
            sequential_s: 1.5,
            ..RunParts::default()
        };
        assert_eq!(parts.speedup(false), None);
        assert_eq!(parts.efficiency(true, 2), Some(0.75));
        assert_eq!(parts.span_s(), 1.5);
        parts.sequential.end_s = 2.0;
        assert_eq!(parts.span_s(), 2.0);
        let figures = parts.figures(true, 2);
        assert_eq!(figures.sequential_s, Some(1.5));
        assert_eq!(figures.speedup, Some(1.5));
    }

    #[test]
    fn the_clock_counts_a_running_part_and_freezes_a_finished_one() {
        let control = RunControl::new();
        let mut clock = PartsClock::start(&control);
        let mut parts = RunParts::default();
        clock.write_times(&mut parts, &control);
        assert_eq!(parts.sequential_s, 0.0, "not started");
        let sequential_started = clock.end_parallel(0.25, &control);
        assert!(sequential_started >= clock.parallel_started());
        clock.end_sequential(&control);
        clock.write_times(&mut parts, &control);
        let frozen = parts.sequential_s;
        assert_eq!(parts.parallel_s, 0.25);
        clock.write_times(&mut parts, &control);
        assert_eq!(
            parts.sequential_s, frozen,
            "a finished part stays as it was"
        );
    }

    #[test]
    fn time_spent_paused_is_left_out_of_each_part() {
        const PAUSE_MS: u64 = 300;
        let control = RunControl::new();
        let mut clock = PartsClock::start(&control);
        control.set_paused(true);
        std::thread::sleep(Duration::from_millis(PAUSE_MS));
        control.set_paused(false);
        // The parallel part has run for a moment, not for the pause (the bounds are generous:
        // a loaded machine may oversleep a lot, but not by the pause's length).
        let parallel_s = clock.parallel_so_far(&control);
        assert!(parallel_s < 0.150, "{parallel_s}");
        clock.end_parallel(parallel_s, &control);
        // A pause before the sequential part started does not count against it either.
        std::thread::sleep(Duration::from_millis(5));
        control.set_paused(true);
        std::thread::sleep(Duration::from_millis(PAUSE_MS));
        let mut parts = RunParts::default();
        clock.write_times(&mut parts, &control);
        assert!(parts.sequential_s >= 0.004, "{}", parts.sequential_s);
        assert!(parts.sequential_s < 0.150, "{}", parts.sequential_s);
        control.set_paused(false);
        clock.end_sequential(&control);
        clock.write_times(&mut parts, &control);
        assert!(parts.sequential_s < 0.150, "{}", parts.sequential_s);
    }

    #[test]
    fn the_baseline_records_every_task_unless_told_not_to() {
        let control = RunControl::new();
        let mut lane = WorkerLane::default();
        let done = run_baseline(&[1, 2, 3], &control, Instant::now(), true, |sums| {
            sums.hand_over(&mut lane);
        });
        assert!(done);
        assert_eq!(lane.tasks, 3);
        assert!(lane.busy_s > 0.0 && lane.busy_s <= lane.end_s);
        let mut bare = WorkerLane::default();
        assert!(run_baseline(
            &[1, 2],
            &control,
            Instant::now(),
            false,
            |sums| {
                sums.hand_over(&mut bare);
            }
        ));
        assert_eq!(bare, WorkerLane::default());
        control.stop();
        assert!(!run_baseline(&[1], &control, Instant::now(), true, |_| ()));
    }

    #[test]
    fn the_monitor_publishes_until_the_run_is_finished() {
        let control = RunControl::new();
        let finished = AtomicBool::new(false);
        let cpu = Mutex::new(PhaseLoad::new());
        let published = std::cell::Cell::new(0);
        monitor(
            &control,
            &finished,
            &cpu,
            || true,
            || {
                published.set(published.get() + 1);
                if published.get() == 2 {
                    finished.store(true, Ordering::SeqCst);
                }
            },
        );
        assert_eq!(
            published.get(),
            2,
            "it ends at the first look after the end"
        );
    }

    #[test]
    fn the_publish_interval_is_a_frame_rate_not_a_stall() {
        const { assert!(PUBLISH_INTERVAL.as_millis() >= 20) };
        const { assert!(PUBLISH_INTERVAL.as_millis() <= 250) };
    }
}
