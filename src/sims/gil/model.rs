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

use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde_json::Value;

use super::timeline::{Frame, GilFigures, GilSnapshot, Recorder, ThreadState};
use super::{
    BATCH_NS, CELLS_PER_INTERVAL, EngineKind, GilConfig, IO_CPU_BATCHES,
    LEGACY_CHECK_INTERVAL_TICKS, Mode, Workload, ms_to_ns,
};
use crate::sims::{Applied, Demo, ParamValue, Snapshot};

/// Time a thread signalled on the GIL's condvar needs to be scheduled and take the lock.
pub const WAKE_NS: u64 = 5_000;
/// Legacy mode: how often the woken waiter beats the releasing thread to the lock.
pub const LEGACY_WAITER_WINS_PERCENT: u32 = 1;
/// The seed of the legacy race, so every run of the model is the same.
pub const MODEL_SEED: u64 = 0x617_5EED;
/// The most events one catch-up to the wall clock processes before giving up real time
/// (a huge backlog after a long stall would otherwise freeze the view).
const MAX_EVENTS_PER_CATCH_UP: usize = 500_000;

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

    fn run_end(&mut self, i: usize) -> String {
        let th = &self.threads[i];
        let breaker = th.breaker_left.is_some_and(|b| b <= th.seg_left + 1e-9);
        if breaker {
            self.threads[i].breaker_left = None;
            let waited = self.release(i, self.mode == Mode::Gil);
            if waited {
                self.enter(i, Phase::SwitchWait(AfterSwitch::Request));
            } else {
                self.request(i);
            }
            return format!(
                "{}: thread {} sees the drop request between two bytecodes and drops the GIL{}",
                self.ms(),
                i + 1,
                if waited {
                    "; it waits until another thread has it (forced switching)"
                } else {
                    ""
                }
            );
        }
        self.threads[i].seg_left = self.fresh_segment(i);
        match self.threads[i].workload {
            Workload::Io => {
                self.recorder.add_units(i, 1.0);
                let waited = self.gil_for(i).is_some() && self.release(i, self.mode == Mode::Gil);
                if waited {
                    self.enter(i, Phase::SwitchWait(AfterSwitch::StartIo));
                } else {
                    self.start_io(i);
                }
                format!(
                    "{}: thread {} has handled a request and blocks in I/O, releasing the GIL",
                    self.ms(),
                    i + 1
                )
            }
            Workload::Cpu => self.legacy_tick(i),
        }
    }

    /// Python 2: after 100 ticks, release and immediately re-request.
    fn legacy_tick(&mut self, i: usize) -> String {
        let g = self.gil_for(i).unwrap_or(0);
        let waiter = self.next_waiter(g);
        self.recorder.release(waiter.is_some());
        let Some(waiter) = waiter else {
            return format!(
                "{}: thread {} releases the GIL after 100 ticks and takes it straight back (nobody waits)",
                self.ms(),
                i + 1
            );
        };
        self.signal(g);
        if self.rng.u32(0..100) < LEGACY_WAITER_WINS_PERCENT {
            self.gils[g].holder = None;
            self.enter(
                i,
                Phase::Waiting {
                    deadline: None,
                    saved_switch: self.gils[g].switch_number,
                    wake_at: None,
                },
            );
            self.threads[i].wait_since = self.now;
            format!(
                "{}: thread {} releases after 100 ticks; this time thread {} wakes first and will win",
                self.ms(),
                i + 1,
                waiter + 1
            )
        } else {
            self.recorder.self_reacquire();
            format!(
                "{}: thread {} releases after 100 ticks and re-acquires before thread {} wakes up",
                self.ms(),
                i + 1,
                waiter + 1
            )
        }
    }

    fn wake(&mut self, i: usize) -> String {
        let Some(g) = self.gil_for(i) else {
            self.enter(i, Phase::Running);
            return format!("{}: thread {} runs", self.ms(), i + 1);
        };
        if self.gils[g].holder.is_none() {
            self.take(i, g);
            format!("{}: thread {} wakes and takes the GIL", self.ms(), i + 1)
        } else {
            self.rewait(i, g);
            format!(
                "{}: thread {} wakes but the GIL is taken again; it goes back to waiting",
                self.ms(),
                i + 1
            )
        }
    }

    fn timeout(&mut self, i: usize) -> String {
        let Some(g) = self.gil_for(i) else {
            self.enter(i, Phase::Running);
            return format!("{}: thread {} runs", self.ms(), i + 1);
        };
        let Phase::Waiting { saved_switch, .. } = self.threads[i].phase else {
            return format!("{}: thread {} is not waiting", self.ms(), i + 1);
        };
        let gil = &self.gils[g];
        match gil.holder {
            None => {
                self.take(i, g);
                format!(
                    "{}: thread {}'s wait ends with the GIL free; it takes it",
                    self.ms(),
                    i + 1
                )
            }
            Some(holder) if gil.switch_number == saved_switch => {
                let first = !gil.drop_request;
                if first {
                    self.gils[g].drop_request = true;
                    self.recorder.drop_request();
                    self.threads[holder].breaker_left = Some(1.0);
                }
                self.rewait(i, g);
                format!(
                    "{}: thread {} waited a whole interval with no switch: {} (eval breaker of thread {})",
                    self.ms(),
                    i + 1,
                    if first {
                        "it sets the drop request"
                    } else {
                        "the drop request is already set"
                    },
                    holder + 1
                )
            }
            Some(_) => {
                self.rewait(i, g);
                format!(
                    "{}: thread {}'s wait times out, but the GIL changed hands meanwhile: it waits another interval",
                    self.ms(),
                    i + 1
                )
            }
        }
    }

    fn enter(&mut self, i: usize, phase: Phase) {
        self.threads[i].phase = phase;
        let state = match phase {
            Phase::Running => ThreadState::Running,
            Phase::Waiting { .. } | Phase::SwitchWait(_) => ThreadState::Waiting,
            Phase::Io { .. } => ThreadState::Io,
        };
        self.recorder.set_state(i, self.now, state);
    }

    /// take_gil: run at once if the GIL is free (or there is none), else wait.
    fn request(&mut self, i: usize) {
        let Some(g) = self.gil_for(i) else {
            self.io_latency(i);
            self.enter(i, Phase::Running);
            return;
        };
        if self.gils[g].holder.is_none() {
            self.take(i, g);
        } else {
            self.threads[i].wait_since = self.now;
            self.rewait(i, g);
        }
    }

    fn rewait(&mut self, i: usize, g: usize) {
        let deadline = (self.mode == Mode::Gil).then_some(self.now + self.interval_ns);
        self.enter(
            i,
            Phase::Waiting {
                deadline,
                saved_switch: self.gils[g].switch_number,
                wake_at: None,
            },
        );
    }

    fn take(&mut self, i: usize, g: usize) {
        let gil = &mut self.gils[g];
        gil.holder = Some(i);
        if gil.last_holder != Some(i) {
            if gil.last_holder.is_some() && self.mode.shares_one_gil() {
                self.recorder.switch();
            }
            gil.last_holder = Some(i);
            gil.switch_number += 1;
        }
        gil.drop_request = false;
        self.threads[i].breaker_left = None;
        self.io_latency(i);
        self.enter(i, Phase::Running);
        // Forced switching: whoever dropped the GIL on request may go on now.
        for k in 0..self.threads.len() {
            if let Phase::SwitchWait(then) = self.threads[k].phase
                && self.gil_for(k) == Some(g)
                && k != i
            {
                match then {
                    AfterSwitch::Request => {
                        self.threads[k].wait_since = self.now;
                        self.rewait(k, g);
                    }
                    AfterSwitch::StartIo => self.start_io(k),
                }
            }
        }
    }

    fn io_latency(&mut self, i: usize) {
        if let Some(done) = self.threads[i].io_done_at.take() {
            self.recorder.io_latency(self.now - done);
        }
    }

    /// drop_gil: unlock and signal one waiter. Returns true if the thread must now wait
    /// for the switch (forced switching after a drop request).
    fn release(&mut self, i: usize, forced: bool) -> bool {
        let Some(g) = self.gil_for(i) else {
            return false;
        };
        self.gils[g].holder = None;
        self.signal(g);
        let gil = &mut self.gils[g];
        if forced && gil.drop_request && gil.last_holder == Some(i) {
            gil.drop_request = false;
            return self.next_waiter(g).is_some() || self.any_woken(g);
        }
        false
    }

    fn start_io(&mut self, i: usize) {
        let until = self.now + self.io_ns;
        self.enter(i, Phase::Io { until });
    }

    /// The longest waiting thread on `g` not yet signalled.
    fn next_waiter(&self, g: usize) -> Option<usize> {
        self.threads
            .iter()
            .enumerate()
            .filter(|(k, t)| {
                self.gil_for(*k) == Some(g)
                    && matches!(t.phase, Phase::Waiting { wake_at: None, .. })
            })
            .min_by_key(|(k, t)| (t.wait_since, *k))
            .map(|(k, _)| k)
    }

    fn any_woken(&self, g: usize) -> bool {
        self.threads.iter().enumerate().any(|(k, t)| {
            self.gil_for(k) == Some(g)
                && matches!(
                    t.phase,
                    Phase::Waiting {
                        wake_at: Some(_),
                        ..
                    }
                )
        })
    }

    fn signal(&mut self, g: usize) {
        if let Some(k) = self.next_waiter(g)
            && let Phase::Waiting { wake_at, .. } = &mut self.threads[k].phase
        {
            *wake_at = Some(self.now + WAKE_NS);
        }
    }

    /// A snapshot with the engine's frame filled in.
    fn snapshot(&self, frame: Frame) -> GilSnapshot {
        self.recorder.snapshot(frame)
    }
}

/// The snapshot of `config` run on the model for `virtual_ns` from the start, with its
/// speedup against one thread alone: a deterministic picture (view tests, lesson stills).
pub fn preview(config: &GilConfig, cores: usize, virtual_ns: u64) -> GilSnapshot {
    let mut run = ModelRun {
        config: config.clone(),
        cores,
        model: GilModel::new(config, cores),
        solo: GilModel::new(&solo_config(config), cores),
        paused: false,
        speed: 1.0,
        wall_base: Instant::now(),
        virt_base: 0,
    };
    run.model.advance_to(virtual_ns, usize::MAX);
    run.sync_solo();
    run.snapshot()
}

/// The running model behind the `Demo` trait: follows the wall clock (scaled) while
/// running, one event per `step()` while paused.
pub struct ModelDemo {
    run: Mutex<ModelRun>,
}

struct ModelRun {
    config: GilConfig,
    cores: usize,
    model: GilModel,
    /// One thread of the speedup's kind alone on a standard (GIL) build, run over the same
    /// virtual time as the counters: the reference the speedup divides by.
    solo: GilModel,
    paused: bool,
    speed: f64,
    wall_base: Instant,
    virt_base: u64,
}

fn solo_config(config: &GilConfig) -> GilConfig {
    GilConfig {
        workloads: vec![config.speedup_kind()],
        mode: Mode::Gil,
        ..config.clone()
    }
}

impl ModelRun {
    fn slow_motion(&self) -> f64 {
        self.config.timescale / self.speed.max(1e-3)
    }

    fn rebase(&mut self) {
        self.wall_base = Instant::now();
        self.virt_base = self.model.now();
    }

    fn catch_up(&mut self) {
        if self.paused {
            return;
        }
        let elapsed = self.wall_base.elapsed().as_nanos() as f64 / self.slow_motion();
        let target = self.virt_base + elapsed as u64;
        if !self.model.advance_to(target, MAX_EVENTS_PER_CATCH_UP) {
            self.rebase();
        }
        self.sync_solo();
    }

    fn sync_solo(&mut self) {
        let t = self.model.recorder().measured_ns();
        self.solo.advance_to(t, MAX_EVENTS_PER_CATCH_UP);
    }

    fn reference_rate(&self) -> Option<f64> {
        let rate = self.solo.recorder().rate_of(self.config.speedup_kind());
        (rate > 0.0).then_some(rate)
    }

    fn speedup(&self) -> Option<f64> {
        let kind = self.config.speedup_kind();
        let reference = self.reference_rate()?;
        Some(self.model.recorder().rate_of(kind) / reference)
    }

    fn snapshot(&self) -> GilSnapshot {
        self.model.snapshot(Frame {
            engine: EngineKind::Model,
            mode: self.config.mode,
            cores: self.cores,
            switch_interval_ms: self.config.switch_interval_ms,
            io_ms: self.config.io_ms,
            slow_motion: self.slow_motion(),
            elapsed_ns: self.model.now(),
            speedup: self.speedup(),
            speedup_kind: self.config.speedup_kind(),
            paused: self.paused,
            calibrating: false,
            last_event: self.model.last_event().to_string(),
        })
    }

    /// After a change that alters the rates: zero the counters and restart the reference.
    fn restart_counters(&mut self) {
        self.model.recorder.reset_counters();
        self.solo = GilModel::new(&solo_config(&self.config), self.cores);
    }
}

impl ModelDemo {
    /// A model of `config` on `cores` cores, following the wall clock from now.
    pub fn start(config: &GilConfig, cores: usize) -> ModelDemo {
        ModelDemo {
            run: Mutex::new(ModelRun {
                config: config.clone(),
                cores,
                model: GilModel::new(config, cores),
                solo: GilModel::new(&solo_config(config), cores),
                paused: false,
                speed: 1.0,
                wall_base: Instant::now(),
                virt_base: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ModelRun> {
        self.run.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Demo for ModelDemo {
    fn snapshot(&self) -> Snapshot {
        let mut run = self.lock();
        run.catch_up();
        Snapshot::Gil(std::sync::Arc::new(run.snapshot()))
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        let mut run = self.lock();
        run.catch_up();
        let number = match value {
            ParamValue::Float(v) => Some(*v),
            ParamValue::Int(v) => Some(*v as f64),
            _ => None,
        };
        let text = match value {
            ParamValue::Text(t) => Some(t.as_str()),
            _ => None,
        };
        match (name, number, text) {
            ("switch_interval_ms", Some(v), _) => {
                run.config.switch_interval_ms = v;
                let ns = run.config.interval_ns();
                run.model.set_interval_ns(ns);
            }
            ("io_ms", Some(v), _) => {
                run.config.io_ms = v;
                run.model.set_io_ns(ms_to_ns(v));
            }
            ("ft_overhead_pct", Some(v), _) => {
                run.config.ft_overhead_pct = v;
                run.model.set_ft_overhead_pct(v);
            }
            ("timescale", Some(v), _) => {
                run.rebase();
                run.config.timescale = v.max(1e-3);
                return Applied::Live;
            }
            ("mode", _, Some(t)) | ("workload", _, Some(t)) => {
                if name == "mode" {
                    run.config.mode = super::Mode::parse(t);
                } else {
                    let n = run.config.threads();
                    run.config.workloads = super::expand_workloads(t, n);
                }
                let recorder = run.model.recorder.clone();
                let now = run.model.now();
                run.model = GilModel::with_recorder(&run.config, run.cores, now, recorder);
            }
            _ => return Applied::Restart,
        }
        run.restart_counters();
        Applied::Live
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        let mut run = self.lock();
        run.catch_up();
        run.paused = paused;
        run.rebase();
        true
    }

    fn step(&mut self) -> bool {
        let mut run = self.lock();
        if !run.paused {
            return false;
        }
        run.model.step();
        let now = run.model.now();
        run.model.recorder.advance_all(now);
        run.sync_solo();
        true
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        let mut run = self.lock();
        run.catch_up();
        run.rebase();
        run.speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        true
    }

    fn stop(self: Box<Self>) -> Value {
        let mut run = self.lock();
        run.catch_up();
        let snap = run.snapshot();
        let reference = run.reference_rate();
        GilFigures::new(&snap, run.model.recorder(), reference).to_value()
    }
}

#[cfg(test)]
mod tests;
