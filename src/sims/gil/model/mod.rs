//! The `gil` demo's step mode (`engine=model`): CPython's GIL protocol as a deterministic
//! discrete-event model on virtual time, with no real threads. Each event is one step of
//! the protocol a teacher can show: a waiter's timed wait running out and setting the drop
//! request, the holder noticing it at its next eval-breaker check and dropping the GIL, a
//! woken waiter taking it, an I/O call finishing. Running threads progress continuously
//! between events at one batch per [`BATCH_NS`] per core they get.
//!
//! How it maps to Python/ceval_gil.c:
//! - `take_gil`: a thread that finds the GIL taken waits on the condvar for at most the
//!   switch interval; if it timed out and `switch_number` did not change meanwhile, it sets
//!   `gil_drop_request`. A signalled waiter needs [`WAKE_NS`] to be scheduled and take it.
//!   `switch_number` only counts hand-offs to a different thread, as in CPython.
//! - `drop_gil`: unlock, signal one waiter (the longest waiting, as a FIFO condvar would);
//!   with FORCE_SWITCHING, if a drop was requested and this thread is still the last
//!   holder, reset the request and wait until another thread has taken the GIL.
//! - Python 2 (`gil-legacy`): every [`LEGACY_CHECK_INTERVAL_TICKS`] the holder releases
//!   and immediately re-requests; the signalled waiter still has to wake up, so on a
//!   multicore machine the releaser usually wins. The model draws that race from a seeded
//!   generator: the waiter wins [`LEGACY_WAITER_WINS_PERCENT`]% of the time.
//! - `free-threaded`: no GIL; each thread runs [`GilConfig::ft_overhead_pct`] slower.
//!   `processes`: one GIL per thread, never contended. Runnable threads share `cores`.

mod demo;
mod protocol;

pub use demo::{ModelDemo, preview};

use super::timeline::{Frame, GilSnapshot, Recorder, ThreadState};
use super::{
    BATCH_NS, CELLS_PER_INTERVAL, GilConfig, IO_CPU_BATCHES, LEGACY_CHECK_INTERVAL_TICKS, Mode,
    Workload,
};

/// Time a thread signalled on the GIL's condvar needs to be scheduled and take the lock.
pub const WAKE_NS: u64 = 5_000;
/// Legacy mode: how often the woken waiter beats the releasing thread to the lock.
pub const LEGACY_WAITER_WINS_PERCENT: u32 = 1;
/// The seed of the legacy race, so every run of the model is the same.
pub const MODEL_SEED: u64 = 0x617_5EED;

#[derive(Debug, Clone, Copy, PartialEq)]
enum AfterSwitch {
    /// Ask for the GIL again (dropped on request while computing).
    Request,
    /// Start the blocking call (released the GIL for I/O).
    StartIo,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Holding its GIL (or needing none) and running bytecode.
    Running,
    /// In take_gil's wait loop.
    Waiting {
        deadline: Option<u64>,
        saved_switch: u64,
        wake_at: Option<u64>,
    },
    /// Forced switching: dropped on request; waits until another thread holds the GIL.
    SwitchWait(AfterSwitch),
    /// In a blocking call until `until`.
    Io { until: u64 },
}

#[derive(Debug, Clone)]
struct ModelThread {
    workload: Workload,
    phase: Phase,
    /// When the current wait began (the condvar's FIFO order).
    wait_since: u64,
    /// Batches until the end of the current piece of work (I/O thread: its request's
    /// Python part; legacy CPU thread: the next check interval); infinite otherwise.
    seg_left: f64,
    /// Batches until it looks at the eval breaker again, when a drop is requested.
    breaker_left: Option<f64>,
    /// When its last I/O call finished, until it has the GIL back.
    io_done_at: Option<u64>,
}

#[derive(Debug, Clone, Default)]
struct ModelGil {
    holder: Option<usize>,
    last_holder: Option<usize>,
    switch_number: u64,
    drop_request: bool,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    RunEnd(usize),
    Wake(usize),
    Timeout(usize),
    IoDone(usize),
    Heartbeat,
}

/// The deterministic GIL model.
#[derive(Debug, Clone)]
pub struct GilModel {
    mode: Mode,
    interval_ns: u64,
    io_ns: u64,
    ft_overhead_pct: f64,
    cores: usize,
    now: u64,
    threads: Vec<ModelThread>,
    gils: Vec<ModelGil>,
    rng: fastrand::Rng,
    recorder: Recorder,
    events: u64,
    last_event: String,
}

impl GilModel {
    /// A model of `config` on `cores` cores at virtual time 0; every thread asks for the
    /// GIL at once, thread 1 first.
    pub fn new(config: &GilConfig, cores: usize) -> GilModel {
        let cell_ns = (config.interval_ns() / CELLS_PER_INTERVAL).max(1);
        let recorder = Recorder::new(&config.workloads, cell_ns, 0);
        GilModel::with_recorder(config, cores, 0, recorder)
    }

    /// A model restarted at `now` with a new configuration, keeping the strips drawn so far
    /// (a live change of mode or workload).
    fn with_recorder(
        config: &GilConfig,
        cores: usize,
        now: u64,
        mut recorder: Recorder,
    ) -> GilModel {
        for (i, w) in config.workloads.iter().enumerate() {
            recorder.set_workload(i, *w);
        }
        let mut model = GilModel {
            mode: config.mode,
            interval_ns: config.interval_ns(),
            io_ns: config.io_ns(),
            ft_overhead_pct: config.ft_overhead_pct,
            cores: cores.max(1),
            now,
            threads: config
                .workloads
                .iter()
                .map(|w| ModelThread {
                    workload: *w,
                    phase: Phase::Running,
                    wait_since: now,
                    seg_left: 0.0,
                    breaker_left: None,
                    io_done_at: None,
                })
                .collect(),
            gils: vec![ModelGil::default(); config.threads().max(1)],
            rng: fastrand::Rng::with_seed(MODEL_SEED),
            recorder,
            events: 0,
            last_event: "start: every thread asks for the GIL".to_string(),
        };
        for i in 0..model.threads.len() {
            model.threads[i].seg_left = model.fresh_segment(i);
            model.request(i);
        }
        model
    }

    /// Virtual time now, ns.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The last event, in words.
    pub fn last_event(&self) -> &str {
        &self.last_event
    }

    /// The counters and strips.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The state of thread `i` (0-based).
    pub fn state(&self, i: usize) -> ThreadState {
        self.recorder.state(i)
    }

    /// The thread holding the shared GIL (0-based), if any.
    pub fn holder(&self) -> Option<usize> {
        self.gils.first().and_then(|g| g.holder)
    }

    /// True if a drop request is pending on the shared GIL.
    pub fn drop_requested(&self) -> bool {
        self.gils.first().is_some_and(|g| g.drop_request)
    }

    /// Processes the next event and returns its description.
    pub fn step(&mut self) -> &str {
        let (t, event) = self.next_event();
        self.progress_to(t);
        self.events += 1;
        self.last_event = self.process(event);
        &self.last_event
    }

    /// Processes every event up to virtual time `t` (at most `max_events`), then lets
    /// running threads progress to `t`. Returns false if the cap was hit.
    pub fn advance_to(&mut self, t: u64, max_events: usize) -> bool {
        for _ in 0..max_events {
            let (next, _) = self.next_event();
            if next > t {
                self.progress_to(t);
                self.recorder.advance_all(t);
                return true;
            }
            self.step();
        }
        self.recorder.advance_all(self.now);
        false
    }

    /// Changes the switch interval (applies from each thread's next wait).
    pub fn set_interval_ns(&mut self, ns: u64) {
        self.interval_ns = ns.max(BATCH_NS);
        self.recorder
            .set_cell_ns((self.interval_ns / CELLS_PER_INTERVAL).max(1));
    }

    /// Changes the I/O length (applies from the next call).
    pub fn set_io_ns(&mut self, ns: u64) {
        self.io_ns = ns.max(1);
    }

    /// Changes the free-threaded overhead.
    pub fn set_ft_overhead_pct(&mut self, pct: f64) {
        self.ft_overhead_pct = pct.max(0.0);
    }

    fn gil_for(&self, i: usize) -> Option<usize> {
        match self.mode {
            Mode::Gil | Mode::GilLegacy => Some(0),
            Mode::Processes => Some(i),
            Mode::FreeThreaded => None,
        }
    }

    fn fresh_segment(&self, i: usize) -> f64 {
        match (self.threads[i].workload, self.mode) {
            (Workload::Io, _) => IO_CPU_BATCHES as f64,
            (Workload::Cpu, Mode::GilLegacy) => LEGACY_CHECK_INTERVAL_TICKS as f64,
            (Workload::Cpu, _) => f64::INFINITY,
        }
    }

    /// How much of a core each running thread gets now: runnable threads share the cores.
    fn core_share(&self) -> f64 {
        let running = self
            .threads
            .iter()
            .filter(|t| t.phase == Phase::Running)
            .count()
            .max(1);
        (self.cores as f64 / running as f64).min(1.0)
    }

    /// Batches per BATCH_NS a running thread makes now: its share of a core; free-threaded
    /// code runs a little slower.
    fn rate(&self) -> f64 {
        let share = self.core_share();
        if self.mode == Mode::FreeThreaded {
            share / (1.0 + self.ft_overhead_pct / 100.0)
        } else {
            share
        }
    }

    fn next_event(&self) -> (u64, Event) {
        let rate = self.rate();
        let mut best: Option<(u64, Event)> = None;
        let mut consider = |t: u64, e: Event| {
            if best.is_none_or(|(bt, _)| t < bt) {
                best = Some((t, e));
            }
        };
        for (i, th) in self.threads.iter().enumerate() {
            match th.phase {
                Phase::Running => {
                    let batches = th.seg_left.min(th.breaker_left.unwrap_or(f64::INFINITY));
                    if batches.is_finite() {
                        let ns = (batches.max(0.0) * BATCH_NS as f64 / rate).ceil() as u64;
                        consider(self.now + ns, Event::RunEnd(i));
                    }
                }
                Phase::Waiting {
                    deadline, wake_at, ..
                } => match (wake_at, deadline) {
                    (Some(w), _) => consider(w, Event::Wake(i)),
                    (None, Some(d)) => consider(d, Event::Timeout(i)),
                    (None, None) => {}
                },
                Phase::SwitchWait(_) => {}
                Phase::Io { until } => consider(until, Event::IoDone(i)),
            }
        }
        let heartbeat = self.now + self.interval_ns;
        match best {
            Some((t, e)) if t <= heartbeat => (t, e),
            _ => (heartbeat, Event::Heartbeat),
        }
    }

    fn progress_to(&mut self, t: u64) {
        if t <= self.now {
            return;
        }
        let dt = t - self.now;
        let batches = dt as f64 * self.rate() / BATCH_NS as f64;
        let on_core = (dt as f64 * self.core_share()).round() as u64;
        for i in 0..self.threads.len() {
            let th = &mut self.threads[i];
            if th.phase != Phase::Running {
                continue;
            }
            self.recorder.add_on_core(i, on_core);
            th.seg_left -= batches;
            if let Some(b) = th.breaker_left.as_mut() {
                *b -= batches;
            }
            if th.workload == Workload::Cpu {
                self.recorder.add_units(i, batches);
            }
        }
        self.recorder.add_measured(dt);
        self.now = t;
    }

    fn ms(&self) -> String {
        format!("{:.3} ms", self.now as f64 / 1e6)
    }

    fn process(&mut self, event: Event) -> String {
        match event {
            Event::RunEnd(i) => self.run_end(i),
            Event::Wake(i) => self.wake(i),
            Event::Timeout(i) => self.timeout(i),
            Event::IoDone(i) => {
                self.threads[i].io_done_at = Some(self.now);
                self.request(i);
                let got = self.threads[i].phase == Phase::Running;
                format!(
                    "{}: thread {}'s I/O is done; {}",
                    self.ms(),
                    i + 1,
                    if got {
                        "the GIL is free and it takes it"
                    } else {
                        "it waits for the GIL"
                    }
                )
            }
            Event::Heartbeat => format!(
                "{}: nothing changes; running threads keep running",
                self.ms()
            ),
        }
    }

    /// A snapshot with the engine's frame filled in.
    fn snapshot(&self, frame: Frame) -> GilSnapshot {
        self.recorder.snapshot(frame)
    }
}

#[cfg(test)]
mod tests;
