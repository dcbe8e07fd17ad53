//! The [`Recorder`]: what an engine logs (each thread's states in demo time, work done,
//! GIL switches, drop requests, releases, I/O latencies), kept as totals, counters and
//! strip cells on one shared [`Axis`], and turned into a [`GilSnapshot`].

use std::collections::VecDeque;

use super::strips::{Axis, CellHistory, STATES, strips};
use super::{Frame, GilCounts, GilSnapshot, LatencySummary, ThreadRow, ThreadState};
use crate::sims::gil::{LATENCY_SAMPLES, Workload};

/// One thread's record.
#[derive(Debug, Clone)]
pub(super) struct Track {
    pub workload: Workload,
    pub state: ThreadState,
    /// Accounted up to here.
    pub since_ns: u64,
    pub cells: CellHistory,
    pub totals_ns: [u64; STATES],
    pub units: f64,
    pub core: Option<usize>,
    /// Demo ns it actually ran on a core, where the engine knows.
    pub on_core_ns: Option<u64>,
}

impl Track {
    fn new(workload: Workload, start_ns: u64) -> Track {
        Track {
            workload,
            state: ThreadState::Parked,
            since_ns: start_ns,
            cells: CellHistory::default(),
            totals_ns: [0; STATES],
            units: 0.0,
            core: None,
            on_core_ns: None,
        }
    }

    /// Accounts the time from `since_ns` to `t` to the current state.
    fn advance(&mut self, axis: &Axis, t: u64) {
        if t <= self.since_ns {
            return;
        }
        self.totals_ns[self.state.index()] += t - self.since_ns;
        self.cells.add(axis, self.since_ns, t, self.state);
        self.since_ns = t;
    }

    /// Demo ns accounted to `state`.
    pub fn total(&self, state: ThreadState) -> u64 {
        self.totals_ns[state.index()]
    }
}

/// The counters and strips of one run, fed by an engine in demo time.
#[derive(Debug, Clone)]
pub struct Recorder {
    axis: Axis,
    pub(super) tracks: Vec<Track>,
    measured_ns: u64,
    switches: u64,
    drop_requests: u64,
    releases: u64,
    contended_releases: u64,
    self_reacquires: u64,
    latencies_ns: VecDeque<u64>,
    latency_max_ns: u64,
}

impl Recorder {
    /// A recorder for threads with `workloads`, cells `cell_ns` wide, starting at `start_ns`.
    pub fn new(workloads: &[Workload], cell_ns: u64, start_ns: u64) -> Recorder {
        Recorder {
            axis: Axis {
                origin_ns: start_ns,
                cell_ns: cell_ns.max(1),
            },
            tracks: workloads.iter().map(|w| Track::new(*w, start_ns)).collect(),
            measured_ns: 0,
            switches: 0,
            drop_requests: 0,
            releases: 0,
            contended_releases: 0,
            self_reacquires: 0,
            latencies_ns: VecDeque::new(),
            latency_max_ns: 0,
        }
    }

    /// Thread `thread` (0-based) enters `state` at `t`. An entry earlier than the
    /// accounting (a real thread preempted for longer than the accounting lag before it
    /// could log) moves the time since `t` from the old state to the new one, in the totals
    /// and in the strip cells: a thread's entries come in order, so it was in the old state
    /// until `t`. Without this, two threads could both seem to hold the one GIL.
    pub fn set_state(&mut self, thread: usize, t: u64, state: ThreadState) {
        let axis = self.axis;
        let Some(track) = self.tracks.get_mut(thread) else {
            return;
        };
        if t < track.since_ns && state != track.state {
            let (old, late) = (track.state, track.since_ns - t);
            let moved = late.min(track.totals_ns[old.index()]);
            track.totals_ns[old.index()] -= moved;
            track.totals_ns[state.index()] += moved;
            track.cells.shift(&axis, t, track.since_ns, old, state);
        }
        track.advance(&axis, t);
        track.state = state;
    }

    /// Brings every thread's record up to `t`.
    pub fn advance_all(&mut self, t: u64) {
        let axis = self.axis;
        for track in &mut self.tracks {
            track.advance(&axis, t);
        }
    }

    /// The current state of `thread`.
    pub fn state(&self, thread: usize) -> ThreadState {
        self.tracks
            .get(thread)
            .map_or(ThreadState::Parked, |t| t.state)
    }

    /// Changes the strip cell width (after a change of switch interval); the old cells,
    /// drawn at another scale, are dropped, and the new axis starts at the newest entry.
    pub fn set_cell_ns(&mut self, cell_ns: u64) {
        let cell_ns = cell_ns.max(1);
        if cell_ns != self.axis.cell_ns {
            self.axis = Axis {
                origin_ns: self.newest_ns(),
                cell_ns,
            };
            for track in &mut self.tracks {
                track.cells.clear();
            }
        }
    }

    /// The newest time any thread is accounted to.
    fn newest_ns(&self) -> u64 {
        self.tracks
            .iter()
            .map(|t| t.since_ns)
            .max()
            .unwrap_or(self.axis.origin_ns)
    }

    /// Changes a thread's workload (a live change of `workload`).
    pub fn set_workload(&mut self, thread: usize, workload: Workload) {
        if let Some(track) = self.tracks.get_mut(thread) {
            track.workload = workload;
        }
    }

    /// Zeroes every counter and total (after a live change that alters the rates); the
    /// strips stay.
    pub fn reset_counters(&mut self) {
        for track in &mut self.tracks {
            track.totals_ns = [0; STATES];
            track.units = 0.0;
            track.on_core_ns = track.on_core_ns.map(|_| 0);
        }
        self.measured_ns = 0;
        self.switches = 0;
        self.drop_requests = 0;
        self.releases = 0;
        self.contended_releases = 0;
        self.self_reacquires = 0;
        self.latencies_ns.clear();
        self.latency_max_ns = 0;
    }

    /// Adds demo time over which work and counters are measured.
    pub fn add_measured(&mut self, ns: u64) {
        self.measured_ns += ns;
    }

    /// Demo time measured since the last reset.
    pub fn measured_ns(&self) -> u64 {
        self.measured_ns
    }

    /// Adds work done by `thread`.
    pub fn add_units(&mut self, thread: usize, units: f64) {
        if let Some(track) = self.tracks.get_mut(thread) {
            track.units += units;
        }
    }

    /// Adds demo time `thread` spent on a core (running, not waiting for one).
    pub fn add_on_core(&mut self, thread: usize, ns: u64) {
        if let Some(track) = self.tracks.get_mut(thread) {
            *track.on_core_ns.get_or_insert(0) += ns;
        }
    }

    /// Notes the core `thread` is on.
    pub fn set_core(&mut self, thread: usize, core: Option<usize>) {
        if let Some(track) = self.tracks.get_mut(thread) {
            track.core = core;
        }
    }

    /// The GIL passed to another thread.
    pub fn switch(&mut self) {
        self.switches += 1;
    }

    /// A waiter set the drop request.
    pub fn drop_request(&mut self) {
        self.drop_requests += 1;
    }

    /// The holder released on its own schedule (legacy ticks); `contended` if another
    /// thread was waiting for the GIL then.
    pub fn release(&mut self, contended: bool) {
        self.releases += 1;
        self.contended_releases += u64::from(contended);
    }

    /// ...and took it straight back.
    pub fn self_reacquire(&mut self) {
        self.self_reacquires += 1;
    }

    /// An I/O thread got the GIL back `ns` after its I/O finished.
    pub fn io_latency(&mut self, ns: u64) {
        if self.latencies_ns.len() == LATENCY_SAMPLES {
            self.latencies_ns.pop_front();
        }
        self.latencies_ns.push_back(ns);
        self.latency_max_ns = self.latency_max_ns.max(ns);
    }

    /// Counters so far, for tests and the model's step descriptions.
    pub fn counts(&self) -> (u64, u64, u64, u64) {
        (
            self.switches,
            self.drop_requests,
            self.releases,
            self.self_reacquires,
        )
    }

    /// Work units of every thread with `workload`.
    pub fn units_of(&self, workload: Workload) -> f64 {
        self.tracks
            .iter()
            .filter(|t| t.workload == workload)
            .map(|t| t.units)
            .sum::<f64>()
            + 0.0 // an empty sum is -0.0
    }

    /// The recent latency samples, demo ns, oldest first.
    pub fn latencies_ns(&self) -> impl Iterator<Item = u64> + '_ {
        self.latencies_ns.iter().copied()
    }

    fn latency_summary(&self) -> Option<LatencySummary> {
        if self.latencies_ns.is_empty() {
            return None;
        }
        // Exact order statistics by radix selection (see `order`), not a sort: sorting
        // the 65,536 samples took 1 to 5 ms a snapshot at 16 threads. The values are the
        // same: the elements a sort would put at those indices.
        let n = self.latencies_ns.len();
        let index = |q: f64| (((n as f64 - 1.0) * q).round() as usize).min(n - 1);
        let (front, back) = self.latencies_ns.as_slices();
        let [p50, p99] = super::order::nth_smallest([front, back], [index(0.5), index(0.99)]);
        Some(LatencySummary {
            p50_ms: p50 as f64 / 1e6,
            p99_ms: p99 as f64 / 1e6,
            max_ms: self.latency_max_ns as f64 / 1e6,
            samples: n,
        })
    }

    fn per_second(&self, count: f64) -> f64 {
        if self.measured_ns == 0 {
            0.0
        } else {
            count / (self.measured_ns as f64 / 1e9)
        }
    }

    /// Work units per demo second of every thread with `workload`.
    pub fn rate_of(&self, workload: Workload) -> f64 {
        self.per_second(self.units_of(workload))
    }

    /// Every thread's strip up to the newest entry, on the shared axis; at most one GIL
    /// holder per column where the threads of `frame.mode` share one GIL.
    fn strips(&self, one_holder: bool) -> Vec<Vec<ThreadState>> {
        let now_cell = self.axis.cell_of(self.newest_ns());
        let threads: Vec<(&CellHistory, ThreadState)> =
            self.tracks.iter().map(|t| (&t.cells, t.state)).collect();
        strips(&threads, now_cell, one_holder)
    }

    /// The rows and counters as a snapshot; the caller fills in what the recorder does
    /// not know (engine, mode, parameters, pause and calibration flags).
    pub fn snapshot(&self, frame: Frame) -> GilSnapshot {
        let strips = self.strips(frame.setup.mode.shares_one_gil());
        let threads = self
            .tracks
            .iter()
            .zip(strips)
            .enumerate()
            .map(|(i, (t, strip))| {
                let held = t.total(ThreadState::Running) as f64;
                let waiting = t.total(ThreadState::Waiting) as f64;
                let io = t.total(ThreadState::Io) as f64;
                let total = (held + waiting + io).max(1.0);
                ThreadRow {
                    id: i + 1,
                    workload: t.workload,
                    state: t.state,
                    core: t.core,
                    strip,
                    held_share: held / total,
                    waiting_share: waiting / total,
                    io_share: io / total,
                    on_core_share: t.on_core_ns.map(|ns| (ns as f64).min(held) / total),
                    work_units: t.units,
                }
            })
            .collect();
        let io_ops = self.units_of(Workload::Io);
        GilSnapshot {
            setup: frame.setup,
            cell_ms: self.axis.cell_ns as f64 / 1e6,
            elapsed_s: frame.elapsed_ns as f64 / 1e9,
            threads,
            speedup: frame.speedup,
            speedup_kind: frame.speedup_kind,
            counts: GilCounts {
                gil_switches: self.switches,
                switches_per_s: self.per_second(self.switches as f64),
                drop_requests: self.drop_requests,
                releases: self.releases,
                contended_releases: self.contended_releases,
                self_reacquires: self.self_reacquires,
                io_ops: io_ops.round() as u64,
                io_ops_per_s: self.per_second(io_ops),
            },
            io_latency: self.latency_summary(),
            paused: frame.paused,
            calibrating: frame.calibrating,
            reference_core_share: None,
            last_event: frame.last_event,
        }
    }
}
