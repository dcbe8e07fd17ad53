//! What both `gil` engines record and publish: each thread's state over demo time, cut
//! into strip cells; time spent holding, waiting for and without the GIL; work done; GIL
//! switches, drop requests, releases; I/O latencies. Turns that into the drawable
//! [`GilSnapshot`] and the final metrics JSON. All times are demo nanoseconds (real time
//! divided by the slow-motion factor; the model's virtual time).

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::{EngineKind, HISTORY_CELLS, LATENCY_SAMPLES, Mode, Workload};
use crate::sims::headless::round3;

/// What one Python thread is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ThreadState {
    /// Holds its GIL (or needs none) and runs bytecode.
    Running,
    /// Wants the GIL and waits for it (including a forced switch's wait).
    Waiting,
    /// In a blocking I/O call, GIL released.
    Io,
    /// Finished.
    Done,
    /// Parked: paused for the speedup reference, or not started yet.
    Parked,
}

const STATES: usize = 5;

impl ThreadState {
    fn index(self) -> usize {
        match self {
            ThreadState::Running => 0,
            ThreadState::Waiting => 1,
            ThreadState::Io => 2,
            ThreadState::Done => 3,
            ThreadState::Parked => 4,
        }
    }

    fn from_index(i: usize) -> ThreadState {
        [
            ThreadState::Running,
            ThreadState::Waiting,
            ThreadState::Io,
            ThreadState::Done,
            ThreadState::Parked,
        ][i.min(STATES - 1)]
    }
}

/// I/O response latency (I/O done -> GIL back) percentiles, in demo ms.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LatencySummary {
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest seen since the counters were reset.
    pub max_ms: f64,
    /// How many samples.
    pub samples: usize,
}

/// One thread's row in the view.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ThreadRow {
    /// 1-based thread number.
    pub id: usize,
    /// Its workload.
    pub workload: Workload,
    /// What it is doing now.
    pub state: ThreadState,
    /// The core it is on, where the OS says (`None` in the model or elsewhere).
    pub core: Option<usize>,
    /// Its recent states, one per cell, oldest first; the last cell is still filling.
    pub strip: Vec<ThreadState>,
    /// Share of its time holding the GIL and running (0..=1).
    pub held_share: f64,
    /// Share of its time waiting for the GIL.
    pub waiting_share: f64,
    /// Share of its time in I/O.
    pub io_share: f64,
    /// Work done: batches for a CPU thread, operations for an I/O thread.
    pub work_units: f64,
}

/// Everything the `gil` view draws.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GilSnapshot {
    /// Which engine runs.
    pub engine: EngineKind,
    /// The interpreter mode.
    pub mode: Mode,
    /// Cores the OS gives this process (the model's configured cores).
    pub cores: usize,
    /// The switch interval, demo ms.
    pub switch_interval_ms: f64,
    /// One I/O operation, demo ms.
    pub io_ms: f64,
    /// Real seconds per demo second (timescale divided by playback speed).
    pub slow_motion: f64,
    /// Demo ms per strip cell.
    pub cell_ms: f64,
    /// Demo seconds since start.
    pub elapsed_s: f64,
    /// One row per thread.
    pub threads: Vec<ThreadRow>,
    /// Work rate of all threads of `speedup_kind` over one such thread alone; `None` until
    /// the reference is measured.
    pub speedup: Option<f64>,
    /// CPU when any thread computes, else I/O.
    pub speedup_kind: Workload,
    /// GIL hand-offs to another thread.
    pub gil_switches: u64,
    /// Hand-offs per demo second.
    pub switches_per_s: f64,
    /// Times a waiter asked the holder to drop the GIL.
    pub drop_requests: u64,
    /// Times a holder released the GIL on its own schedule (legacy ticks).
    pub releases: u64,
    /// Releases made while another thread was waiting for the GIL.
    pub contended_releases: u64,
    /// Contended releases after which the same thread took the GIL straight back.
    pub self_reacquires: u64,
    /// I/O operations completed.
    pub io_ops: u64,
    /// Operations per demo second.
    pub io_ops_per_s: f64,
    /// I/O response latency, when there were any.
    pub io_latency: Option<LatencySummary>,
    /// True while paused.
    pub paused: bool,
    /// True while the real engine measures one thread alone (workers parked).
    pub calibrating: bool,
    /// How much of a core one thread alone got in the reference windows (real engine;
    /// well under 1 means other programs keep this machine busy).
    pub reference_core_share: Option<f64>,
    /// The model's last step, in words (empty for real threads).
    pub last_event: String,
}

#[derive(Debug, Clone)]
struct Track {
    workload: Workload,
    state: ThreadState,
    since_ns: u64,
    cell_start_ns: u64,
    cell_acc_ns: [u64; STATES],
    cells: VecDeque<ThreadState>,
    totals_ns: [u64; STATES],
    units: f64,
    core: Option<usize>,
}

impl Track {
    fn new(workload: Workload, start_ns: u64) -> Track {
        Track {
            workload,
            state: ThreadState::Parked,
            since_ns: start_ns,
            cell_start_ns: start_ns,
            cell_acc_ns: [0; STATES],
            cells: VecDeque::with_capacity(HISTORY_CELLS),
            totals_ns: [0; STATES],
            units: 0.0,
            core: None,
        }
    }

    /// Accounts the time from `since_ns` to `t` to the current state, closing cells.
    fn advance(&mut self, t: u64, cell_ns: u64) {
        if t <= self.since_ns {
            return;
        }
        let state = self.state.index();
        self.totals_ns[state] += t - self.since_ns;
        let mut from = self.since_ns;
        while t >= self.cell_start_ns + cell_ns {
            let cell_end = self.cell_start_ns + cell_ns;
            self.cell_acc_ns[state] += cell_end.saturating_sub(from);
            let dominant = dominant(&self.cell_acc_ns);
            if self.cells.len() == HISTORY_CELLS {
                self.cells.pop_front();
            }
            self.cells.push_back(dominant);
            self.cell_acc_ns = [0; STATES];
            from = cell_end;
            self.cell_start_ns = cell_end;
            // A long stretch in one state fills whole cells at once.
            let whole = (t - self.cell_start_ns) / cell_ns;
            if whole > HISTORY_CELLS as u64 {
                self.cells.clear();
                self.cells
                    .extend(std::iter::repeat_n(self.state, HISTORY_CELLS));
                self.cell_start_ns += whole * cell_ns;
                from = self.cell_start_ns;
            }
        }
        self.cell_acc_ns[state] += t - from;
        self.since_ns = t;
    }

    fn strip(&self) -> Vec<ThreadState> {
        let mut strip: Vec<ThreadState> = self.cells.iter().copied().collect();
        let mut acc = self.cell_acc_ns;
        acc[self.state.index()] += 1; // an empty current cell shows the current state
        strip.push(dominant(&acc));
        strip
    }
}

/// The state a cell shows: the one it spent most time in. Running wins ties, so a short
/// hold is still visible.
fn dominant(acc: &[u64; STATES]) -> ThreadState {
    let mut best = 0;
    for i in 1..STATES {
        if acc[i] > acc[best] {
            best = i;
        }
    }
    ThreadState::from_index(best)
}

/// The counters and strips of one run, fed by an engine in demo time.
#[derive(Debug, Clone)]
pub struct Recorder {
    cell_ns: u64,
    tracks: Vec<Track>,
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
            cell_ns: cell_ns.max(1),
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

    /// Thread `thread` (0-based) enters `state` at `t`. An entry later than the accounting
    /// (a real thread preempted for longer than the accounting lag before it could log)
    /// moves the time since `t` from the old state's total to the new one's: a thread's
    /// entries come in order, so it was in the old state until `t`. Without this, two
    /// threads could both seem to hold the one GIL. Closed strip cells stay as drawn.
    pub fn set_state(&mut self, thread: usize, t: u64, state: ThreadState) {
        let cell_ns = self.cell_ns;
        if let Some(track) = self.tracks.get_mut(thread) {
            if t < track.since_ns && state != track.state {
                let late = track.since_ns - t;
                let (old, new) = (track.state.index(), state.index());
                let moved = late.min(track.totals_ns[old]);
                track.totals_ns[old] -= moved;
                track.totals_ns[new] += moved;
                let in_cell = late.min(track.cell_acc_ns[old]);
                track.cell_acc_ns[old] -= in_cell;
                track.cell_acc_ns[new] += in_cell;
            }
            track.advance(t, cell_ns);
            track.state = state;
        }
    }

    /// Brings every strip up to `t`.
    pub fn advance_all(&mut self, t: u64) {
        let cell_ns = self.cell_ns;
        for track in &mut self.tracks {
            track.advance(t, cell_ns);
        }
    }

    /// The current state of `thread`.
    pub fn state(&self, thread: usize) -> ThreadState {
        self.tracks
            .get(thread)
            .map_or(ThreadState::Parked, |t| t.state)
    }

    /// Changes the strip cell width (after a change of switch interval); the old cells,
    /// drawn at another scale, are dropped.
    pub fn set_cell_ns(&mut self, cell_ns: u64) {
        let cell_ns = cell_ns.max(1);
        if cell_ns != self.cell_ns {
            self.cell_ns = cell_ns;
            for track in &mut self.tracks {
                track.cells.clear();
                track.cell_acc_ns = [0; STATES];
                track.cell_start_ns = track.since_ns;
            }
        }
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
        let mut sorted: Vec<u64> = self.latencies_ns.iter().copied().collect();
        sorted.sort_unstable();
        let pick = |q: f64| {
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted[i.min(sorted.len() - 1)] as f64 / 1e6
        };
        Some(LatencySummary {
            p50_ms: pick(0.5),
            p99_ms: pick(0.99),
            max_ms: self.latency_max_ns as f64 / 1e6,
            samples: sorted.len(),
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

    /// The rows and counters as a snapshot; the caller fills in what the recorder does
    /// not know (engine, mode, parameters, pause and calibration flags).
    pub fn snapshot(&self, frame: Frame) -> GilSnapshot {
        let threads = self
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let held = t.totals_ns[ThreadState::Running.index()] as f64;
                let waiting = t.totals_ns[ThreadState::Waiting.index()] as f64;
                let io = t.totals_ns[ThreadState::Io.index()] as f64;
                let total = (held + waiting + io).max(1.0);
                ThreadRow {
                    id: i + 1,
                    workload: t.workload,
                    state: t.state,
                    core: t.core,
                    strip: t.strip(),
                    held_share: held / total,
                    waiting_share: waiting / total,
                    io_share: io / total,
                    work_units: t.units,
                }
            })
            .collect();
        let io_ops = self.units_of(Workload::Io);
        GilSnapshot {
            engine: frame.engine,
            mode: frame.mode,
            cores: frame.cores,
            switch_interval_ms: frame.switch_interval_ms,
            io_ms: frame.io_ms,
            slow_motion: frame.slow_motion,
            cell_ms: self.cell_ns as f64 / 1e6,
            elapsed_s: frame.elapsed_ns as f64 / 1e9,
            threads,
            speedup: frame.speedup,
            speedup_kind: frame.speedup_kind,
            gil_switches: self.switches,
            switches_per_s: self.per_second(self.switches as f64),
            drop_requests: self.drop_requests,
            releases: self.releases,
            contended_releases: self.contended_releases,
            self_reacquires: self.self_reacquires,
            io_ops: io_ops.round() as u64,
            io_ops_per_s: self.per_second(io_ops),
            io_latency: self.latency_summary(),
            paused: frame.paused,
            calibrating: frame.calibrating,
            reference_core_share: None,
            last_event: frame.last_event,
        }
    }
}

/// What the engine adds to the recorder's figures to make a snapshot.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Which engine runs.
    pub engine: EngineKind,
    /// The interpreter mode.
    pub mode: Mode,
    /// Cores.
    pub cores: usize,
    /// Switch interval, demo ms.
    pub switch_interval_ms: f64,
    /// I/O length, demo ms.
    pub io_ms: f64,
    /// Real seconds per demo second.
    pub slow_motion: f64,
    /// Demo ns since start.
    pub elapsed_ns: u64,
    /// The measured speedup, if any.
    pub speedup: Option<f64>,
    /// Which threads it is over.
    pub speedup_kind: Workload,
    /// Paused.
    pub paused: bool,
    /// Measuring the reference.
    pub calibrating: bool,
    /// The model's last step in words.
    pub last_event: String,
}

/// The final metrics object (the "Headless figures") from a last snapshot and the
/// reference rate it was measured against.
pub fn metrics(
    snap: &GilSnapshot,
    recorder: &Recorder,
    reference_units_per_s: Option<f64>,
) -> Value {
    let latency = snap.io_latency;
    let lat = |f: fn(&LatencySummary) -> f64| latency.as_ref().map(|l| round3(f(l)));
    let threads: Vec<Value> = snap
        .threads
        .iter()
        .zip(&recorder.tracks)
        .map(|(row, track)| {
            json!({
                "id": row.id,
                "workload": row.workload.name(),
                "held_ms": round3(track.totals_ns[ThreadState::Running.index()] as f64 / 1e6),
                "waiting_ms": round3(track.totals_ns[ThreadState::Waiting.index()] as f64 / 1e6),
                "io_ms": round3(track.totals_ns[ThreadState::Io.index()] as f64 / 1e6),
                "work_units": row.work_units.round() as u64,
            })
        })
        .collect();
    json!({
        "engine": snap.engine.name(),
        "mode": snap.mode.name(),
        "cores": snap.cores,
        "speedup": snap.speedup.map(round3),
        "speedup_over": snap.speedup_kind.name(),
        "reference_units_per_s": reference_units_per_s.map(round3),
        "measured_s": round3(recorder.measured_ns as f64 / 1e9),
        "gil_switches": snap.gil_switches,
        "switches_per_s": round3(snap.switches_per_s),
        "drop_requests": snap.drop_requests,
        "releases": snap.releases,
        "contended_releases": snap.contended_releases,
        "self_reacquires": snap.self_reacquires,
        "io_ops": snap.io_ops,
        "io_ops_per_s": round3(snap.io_ops_per_s),
        "io_latency_ms": {
            "p50": lat(|l| l.p50_ms),
            "p99": lat(|l| l.p99_ms),
            "max": lat(|l| l.max_ms),
        },
        "threads": threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_the_dominant_state_and_stay_bounded() {
        let mut r = Recorder::new(&[Workload::Cpu], 10, 0);
        r.set_state(0, 0, ThreadState::Running);
        r.set_state(0, 7, ThreadState::Waiting); // cell 0: 7 running, 3 waiting
        r.set_state(0, 14, ThreadState::Running); // cell 1: 4 waiting, 6 running
        r.advance_all(30);
        let strip = r.tracks[0].strip();
        assert_eq!(
            strip,
            vec![
                ThreadState::Running,
                ThreadState::Running,
                ThreadState::Running,
                ThreadState::Running
            ]
        );
        r.set_state(0, 30, ThreadState::Io);
        r.advance_all(30 + 10 * (HISTORY_CELLS as u64 + 50));
        assert!(r.tracks[0].strip().len() <= HISTORY_CELLS + 1);
        assert!(r.tracks[0].strip().iter().all(|s| *s == ThreadState::Io));
    }

    #[test]
    fn a_late_entry_moves_its_time_to_the_new_state() {
        let mut r = Recorder::new(&[Workload::Cpu, Workload::Cpu], 10, 0);
        r.set_state(0, 0, ThreadState::Running);
        r.set_state(1, 0, ThreadState::Waiting);
        r.set_state(1, 40, ThreadState::Running);
        r.advance_all(100);
        // Thread 1 released at 40 but could only log it now, after the accounting.
        r.set_state(0, 40, ThreadState::Waiting);
        r.advance_all(120);
        let held = |w: usize| r.tracks[w].totals_ns[ThreadState::Running.index()];
        let waiting = |w: usize| r.tracks[w].totals_ns[ThreadState::Waiting.index()];
        assert_eq!((held(0), waiting(0)), (40, 80));
        assert_eq!((held(1), waiting(1)), (80, 40));
        assert!(held(0) + held(1) <= 120);
    }

    #[test]
    fn shares_and_latency_percentiles() {
        let mut r = Recorder::new(&[Workload::Io], 1_000, 0);
        r.set_state(0, 0, ThreadState::Running);
        r.set_state(0, 1_000, ThreadState::Io);
        r.set_state(0, 4_000, ThreadState::Waiting);
        r.advance_all(5_000);
        for ms in 1..=100 {
            r.io_latency(ms * 1_000_000);
        }
        r.add_measured(1_000_000_000);
        r.add_units(0, 50.0);
        let snap = r.snapshot(Frame {
            engine: EngineKind::Model,
            mode: Mode::Gil,
            cores: 2,
            switch_interval_ms: 5.0,
            io_ms: 1.0,
            slow_motion: 1.0,
            elapsed_ns: 5_000,
            speedup: None,
            speedup_kind: Workload::Io,
            paused: false,
            calibrating: false,
            last_event: String::new(),
        });
        let row = &snap.threads[0];
        assert!((row.held_share - 0.2).abs() < 1e-9);
        assert!((row.io_share - 0.6).abs() < 1e-9);
        assert!((row.waiting_share - 0.2).abs() < 1e-9);
        let lat = snap.io_latency.unwrap();
        assert_eq!((lat.p50_ms, lat.p99_ms, lat.max_ms), (51.0, 99.0, 100.0));
        assert_eq!(snap.io_ops, 50);
        assert!((snap.io_ops_per_s - 50.0).abs() < 1e-9);
        let m = metrics(&snap, &r, Some(10.0));
        assert_eq!(m["threads"][0]["io_ms"], 0.003);
        assert_eq!(m["io_latency_ms"]["max"], 100.0);
    }
}
