//! Everything one x-ray run has seen: the sample ticks on one time axis, one track per
//! thread (its state changes run-length encoded, its counts, its CPU), the futex book, the
//! interpreter's facts and the bootstrap's thread names. Fed by the sampler thread (raw
//! text, parsed here) and the bootstrap reader; read by the view (a [`XrayView`] per frame)
//! and the JSON report. A recorded run (fixtures) replays through the same two doors.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::classify::{self, FutexBook, Observed, XState};
use super::procfs;
use super::protocol::{InterpreterFacts, Message};
pub use super::track::Track;
use crate::child::Exit;

/// How many sample ticks are kept for scrubbing (about a minute at 1 kHz).
pub const KEPT_TICKS: usize = 65_536;
/// The most threads tracked (later ones are counted in [`RunFacts::untracked_threads`]).
pub const MAX_TRACKS: usize = 256;

/// One thread's three files as read at one tick (`syscall` is `None` when not readable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawThread {
    /// The thread id (the TID under /proc, Python's `native_id`).
    pub tid: u32,
    /// `/proc/PID/task/TID/stat`.
    pub stat: String,
    /// `/proc/PID/task/TID/schedstat`.
    pub schedstat: String,
    /// `/proc/PID/task/TID/syscall`, when readable.
    pub syscall: Option<String>,
}

/// Every thread read at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawTick {
    /// Milliseconds since the run started.
    pub t_ms: f64,
    /// The threads that were there.
    pub threads: Vec<RawThread>,
}

/// How much of each thread can be seen on this system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplingMode {
    /// stat, schedstat and syscall: every state.
    Full,
    /// stat and schedstat only: running or asleep, not why.
    StatOnly,
    /// No /proc: thread lifetimes and the CPU the bootstrap reports.
    Portable,
}

impl SamplingMode {
    /// What this mode can show, in one plain line (`None` for everything).
    pub fn limitation(self) -> Option<&'static str> {
        match self {
            SamplingMode::Full => None,
            SamplingMode::StatOnly => Some(
                "syscall not readable: running vs asleep only; GIL, lock and I/O waits are not told apart",
            ),
            SamplingMode::Portable => Some(
                "no /proc here: thread states cannot be seen; only lifetimes and CPU time are shown",
            ),
        }
    }
}

/// The view of one thread for a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadView {
    /// Python's name, or "thread TID".
    pub name: String,
    /// OS thread id.
    pub tid: u32,
    /// The main thread.
    pub main: bool,
    /// The core it was last seen on.
    pub core: Option<i32>,
    /// CPU seconds used.
    pub cpu_s: Option<f64>,
    /// CPU seconds per second alive.
    pub cpu_share: Option<f64>,
    /// Share of sampled time per state.
    pub shares: BTreeMap<XState, f64>,
    /// One state per strip cell, oldest first (`None`: not alive yet or no sample).
    pub cells: Vec<Option<XState>>,
    /// What it is doing at the window's end.
    pub now: Option<XState>,
    /// Seconds it was runnable ("running" share times its lifetime): on a core or queued.
    pub runnable_s: f64,
}

/// What is known about a run as a whole: the interpreter, what sampling can see here, the
/// threads beyond [`MAX_TRACKS`] and how the child ended. The recording keeps it; every
/// frame's view carries a copy.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// The interpreter's facts, once the bootstrap sent them.
    pub facts: Option<InterpreterFacts>,
    /// What can be seen here.
    pub mode: SamplingMode,
    /// Why sampling is limited, when it is.
    pub mode_reason: Option<String>,
    /// Threads seen beyond [`MAX_TRACKS`].
    pub untracked_threads: usize,
    /// How the child ended, once it has.
    pub exit: Option<Exit>,
}

/// One frame's worth of a run, plain data for the view.
#[derive(Debug, Clone, PartialEq)]
pub struct XrayView {
    /// The run as a whole.
    pub run: RunFacts,
    /// Seconds since the run started (its length once it ended).
    pub elapsed_s: f64,
    /// The window's end and its length, in seconds of run time.
    pub window_end_s: f64,
    /// See `window_end_s`.
    pub window_s: f64,
    /// The oldest kept moment, in seconds of run time (how far back scrubbing goes).
    pub kept_from_s: f64,
    /// Sample ticks per second achieved.
    pub rate_hz: f64,
    /// CPU seconds of every thread together.
    pub cpu_s: f64,
    /// GIL hand-offs seen per second (`None` without a GIL seen).
    pub handoffs_per_s: Option<f64>,
    /// True once the GIL's address was found.
    pub gil_found: bool,
    /// One entry per thread, main first, then in order of appearance.
    pub threads: Vec<ThreadView>,
}

/// The store.
#[derive(Debug, Clone)]
pub struct Recording {
    tick_ms: VecDeque<f64>,
    first_kept_tick: u64,
    ticks: u64,
    tracks: Vec<Track>,
    by_tid: HashMap<u32, usize>,
    book: FutexBook,
    /// The run as a whole.
    pub run: RunFacts,
    /// Seconds the sampler thread spent on a core.
    pub sampler_cpu_s: f64,
    ended_ms: Option<f64>,
}

impl Recording {
    /// An empty recording in `mode`.
    pub fn new(mode: SamplingMode, mode_reason: Option<String>) -> Recording {
        Recording {
            tick_ms: VecDeque::new(),
            first_kept_tick: 0,
            ticks: 0,
            tracks: Vec::new(),
            by_tid: HashMap::new(),
            book: FutexBook::default(),
            run: RunFacts {
                facts: None,
                mode,
                mode_reason,
                untracked_threads: 0,
                exit: None,
            },
            sampler_cpu_s: 0.0,
            ended_ms: None,
        }
    }

    /// Drops to stat-only sampling (syscall refused mid-run), saying why.
    pub fn degrade(&mut self, mode: SamplingMode, reason: String) {
        if self.run.mode == SamplingMode::Full {
            self.run.mode = mode;
            self.run.mode_reason = Some(reason);
        }
    }

    fn track(&mut self, tid: u32) -> Option<&mut Track> {
        if let Some(&i) = self.by_tid.get(&tid) {
            return Some(&mut self.tracks[i]);
        }
        if self.tracks.len() >= MAX_TRACKS {
            self.run.untracked_threads += 1;
            return None;
        }
        self.by_tid.insert(tid, self.tracks.len());
        self.tracks.push(Track::new(tid));
        self.tracks.last_mut()
    }

    /// Adds one tick read from /proc. Threads known alive but missing from it have ended.
    pub fn push_tick(&mut self, raw: &RawTick) {
        let tick = self.ticks;
        self.ticks += 1;
        self.tick_ms.push_back(raw.t_ms);
        if self.tick_ms.len() > KEPT_TICKS {
            self.tick_ms.pop_front();
            self.first_kept_tick += 1;
            let oldest = self.first_kept_tick;
            for t in &mut self.tracks {
                while t.runs.len() > 1 && t.runs[1].0 <= oldest {
                    t.runs.pop_front();
                }
            }
        }
        let mut seen = Vec::with_capacity(raw.threads.len());
        let mut observed = Vec::with_capacity(raw.threads.len());
        let mut book = std::mem::take(&mut self.book);
        for th in &raw.threads {
            let stat = procfs::parse_stat(&th.stat);
            let syscall = th.syscall.as_deref().and_then(procfs::parse_syscall);
            let cpu = procfs::parse_schedstat(&th.schedstat);
            let obs = classify::observe(stat, syscall);
            observed.push(obs);
            seen.push(th.tid);
            if let Some(track) = self.track(th.tid) {
                if let Some(s) = stat {
                    track.core = Some(s.processor);
                }
                if let Some(ns) = cpu {
                    track.cpu_ns_first.get_or_insert(ns);
                    track.cpu_ns_last = Some(ns);
                }
                track.observe(tick, raw.t_ms, obs, &mut book);
            }
        }
        let running = observed.iter().filter(|o| **o == Observed::Running).count();
        for o in &observed {
            if let Observed::Futex { addr, .. } = o
                && running > 0
            {
                book.beside_a_runner(*addr);
            }
        }
        self.book = book;
        for t in &mut self.tracks {
            if !seen.contains(&t.tid) && t.first_ms.is_some() {
                t.finish(tick);
            }
        }
    }

    /// Adds one tick where no thread can be read: every thread the bootstrap announced
    /// and has not ended is alive, state unknown.
    pub fn push_portable_tick(&mut self, t_ms: f64) {
        let tick = self.ticks;
        self.ticks += 1;
        self.tick_ms.push_back(t_ms);
        if self.tick_ms.len() > KEPT_TICKS {
            self.tick_ms.pop_front();
            self.first_kept_tick += 1;
        }
        let mut book = std::mem::take(&mut self.book);
        for t in &mut self.tracks {
            if !t.done {
                t.observe(tick, t_ms, Observed::Unknown, &mut book);
            }
        }
        self.book = book;
    }

    /// Applies one bootstrap message.
    pub fn apply(&mut self, msg: Message) {
        match msg {
            Message::Hello(f) => self.run.facts = Some(f),
            Message::ThreadStart {
                native_id,
                name,
                main,
                ..
            } => {
                if let Some(t) = self.track(native_id) {
                    t.name = Some(name);
                    t.main = main;
                }
            }
            Message::ThreadEnd {
                native_id, cpu_s, ..
            } => {
                let tick = self.ticks;
                let portable = self.run.mode == SamplingMode::Portable;
                if let Some(t) = self.track(native_id) {
                    if cpu_s.is_some() {
                        t.reported_cpu_s = cpu_s;
                    }
                    if portable {
                        t.finish(tick);
                    }
                }
            }
            Message::Cpu(rows) => {
                for (tid, cpu) in rows {
                    if let Some(t) = self.track(tid) {
                        t.reported_cpu_s = Some(cpu);
                    }
                }
            }
            Message::ScriptEnd {
                native_id, cpu_s, ..
            } => {
                if let Some(t) = self.track(native_id)
                    && cpu_s.is_some()
                {
                    t.reported_cpu_s = cpu_s;
                }
            }
        }
    }

    /// Marks the run ended at `t_ms`: every thread is done.
    pub fn end(&mut self, t_ms: f64, exit: Exit) {
        let tick = self.ticks;
        for t in &mut self.tracks {
            t.finish(tick);
        }
        self.ended_ms.get_or_insert(t_ms);
        self.run.exit = Some(exit);
    }

    /// Ticks taken so far.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Seconds from the first tick to the last (or the end).
    pub fn elapsed_s(&self) -> f64 {
        let last = self
            .ended_ms
            .or_else(|| self.tick_ms.back().copied())
            .unwrap_or(0.0);
        last / 1000.0
    }

    /// Ticks per second over the kept window.
    pub fn rate_hz(&self) -> f64 {
        match (self.tick_ms.front(), self.tick_ms.back()) {
            (Some(a), Some(b)) if b > a => (self.tick_ms.len() - 1) as f64 * 1000.0 / (b - a),
            _ => 0.0,
        }
    }

    /// The GIL's address, when found (never for a run without a GIL).
    pub fn gil(&self) -> Option<classify::GilRange> {
        if self.run.facts.as_ref().is_some_and(|f| !f.has_gil()) {
            return None;
        }
        self.book.gil()
    }

    /// GIL hand-offs per second of run, when a GIL was seen.
    pub fn handoffs_per_s(&self) -> Option<f64> {
        let gil = self.gil()?;
        let secs = self.elapsed_s();
        (secs > 0.0).then(|| self.book.handoffs(Some(gil)) as f64 / secs)
    }

    /// The tracks, main first, then in order of appearance, leaving out threads never
    /// sampled alive that the bootstrap did not name either.
    pub fn tracks(&self) -> Vec<&Track> {
        let mut out: Vec<&Track> = self
            .tracks
            .iter()
            .filter(|t| t.samples() > 0 || t.name.is_some())
            .collect();
        out.sort_by_key(|t| !t.main);
        out
    }

    /// One frame: `cells` strip cells over the `window_s` seconds ending at `end_s` (the
    /// newest sample when `None`).
    pub fn view(&self, end_s: Option<f64>, window_s: f64, cells: usize) -> XrayView {
        let newest_s = self.tick_ms.back().copied().unwrap_or(0.0) / 1000.0;
        let kept_from_s = self.tick_ms.front().copied().unwrap_or(0.0) / 1000.0;
        let end_s = end_s
            .unwrap_or(newest_s)
            .clamp(kept_from_s, newest_s.max(kept_from_s));
        // Early in a run the window is as long as the run, so the strips fill the width.
        let window_s = window_s.min(end_s - kept_from_s).max(0.001);
        let gil = self.gil();
        // Tick index ranges of each cell.
        let start_s = end_s - window_s;
        let bounds: Vec<u64> = (0..=cells)
            .map(|i| {
                let t_ms = (start_s + window_s * i as f64 / cells.max(1) as f64) * 1000.0;
                self.first_kept_tick + self.tick_ms.partition_point(|&x| x < t_ms) as u64
            })
            .collect();
        let end_tick =
            self.first_kept_tick + self.tick_ms.partition_point(|&x| x <= end_s * 1000.0) as u64;
        let threads = self
            .tracks()
            .into_iter()
            .map(|t| {
                let cells = (0..cells)
                    .map(|i| t.dominant(bounds[i], bounds[i + 1], gil))
                    .collect();
                let now = end_tick
                    .checked_sub(1)
                    .and_then(|k| t.at(k))
                    .map(|o| classify::state_of(o, gil));
                let cpu_s = t.cpu_s();
                let life = t.lifetime_s();
                ThreadView {
                    name: t
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("thread {}", t.tid)),
                    tid: t.tid,
                    main: t.main,
                    core: t.core,
                    cpu_s,
                    cpu_share: cpu_s.filter(|_| life > 0.0).map(|c| c / life),
                    runnable_s: t.shares(gil).get(&XState::Running).copied().unwrap_or(0.0) * life,
                    shares: t.shares(gil),
                    cells,
                    now,
                }
            })
            .collect();
        XrayView {
            run: self.run.clone(),
            elapsed_s: self.elapsed_s(),
            window_end_s: end_s,
            window_s,
            kept_from_s,
            rate_hz: self.rate_hz(),
            cpu_s: self.tracks.iter().filter_map(Track::cpu_s).sum(),
            handoffs_per_s: self.handoffs_per_s(),
            gil_found: gil.is_some(),
            threads,
        }
    }
}
