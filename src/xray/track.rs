//! One thread's history in a recording: its state changes run-length encoded (trimmed with
//! the kept ticks), its sample counts per observation (futex waits by address, so the GIL
//! can be told from other locks after the fact), its CPU and its lifetime.

use std::collections::{BTreeMap, VecDeque};

use super::classify::{self, FutexBook, Observed, XState};

/// One thread's history.
#[derive(Debug, Clone)]
pub struct Track {
    /// OS thread id.
    pub tid: u32,
    /// Python's name for it, from the bootstrap.
    pub name: Option<String>,
    /// The main thread.
    pub main: bool,
    /// Ticks sampled alive, per observation kind.
    pub(super) counts: BTreeMap<CountKey, u64>,
    /// State changes: (tick, observation), oldest first, trimmed with the kept ticks.
    pub(super) runs: VecDeque<(u64, Observed)>,
    pub(super) prev: Observed,
    /// The core it was last seen on.
    pub core: Option<i32>,
    pub(super) cpu_ns_first: Option<u64>,
    pub(super) cpu_ns_last: Option<u64>,
    /// CPU seconds the bootstrap reported (thread end, or periodic reports).
    pub reported_cpu_s: Option<f64>,
    pub(super) first_ms: Option<f64>,
    pub(super) last_ms: Option<f64>,
    /// Seen finished (gone from /proc, a zombie, or ended by the bootstrap's word).
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum CountKey {
    Running,
    Futex(u64),
    Io,
    Blocked,
    Unknown,
}

impl Track {
    pub(super) fn new(tid: u32) -> Track {
        Track {
            tid,
            name: None,
            main: false,
            counts: BTreeMap::new(),
            runs: VecDeque::new(),
            prev: Observed::Unknown,
            core: None,
            cpu_ns_first: None,
            cpu_ns_last: None,
            reported_cpu_s: None,
            first_ms: None,
            last_ms: None,
            done: false,
        }
    }

    /// CPU seconds: from schedstat where sampled, else what the bootstrap reported.
    pub fn cpu_s(&self) -> Option<f64> {
        match (self.cpu_ns_first, self.cpu_ns_last) {
            (Some(_), Some(last)) => Some(last as f64 / 1e9),
            _ => self.reported_cpu_s,
        }
    }

    /// Seconds between the first and the last sample that saw it alive.
    pub fn lifetime_s(&self) -> f64 {
        match (self.first_ms, self.last_ms) {
            (Some(a), Some(b)) => (b - a).max(0.0) / 1000.0,
            _ => 0.0,
        }
    }

    /// The share of its sampled ticks in each state (summing to 1), given the GIL.
    pub fn shares(&self, gil: Option<classify::GilRange>) -> BTreeMap<XState, f64> {
        let total: u64 = self.counts.values().sum();
        let mut out = BTreeMap::new();
        if total == 0 {
            return out;
        }
        for (key, n) in &self.counts {
            let state = match *key {
                CountKey::Running => XState::Running,
                CountKey::Futex(addr) => {
                    classify::state_of(Observed::Futex { addr, timed: false }, gil)
                }
                CountKey::Io => XState::Io,
                CountKey::Blocked => XState::Blocked,
                CountKey::Unknown => XState::Alive,
            };
            *out.entry(state).or_insert(0.0) += *n as f64 / total as f64;
        }
        out
    }

    /// Samples taken of it alive.
    pub fn samples(&self) -> u64 {
        self.counts.values().sum()
    }

    pub(super) fn observe(&mut self, tick: u64, t_ms: f64, obs: Observed, book: &mut FutexBook) {
        if obs == Observed::Gone {
            self.finish(tick);
            return;
        }
        if self.done {
            return;
        }
        book.record(self.tid, self.prev, obs);
        let key = match obs {
            Observed::Running => CountKey::Running,
            Observed::Futex { addr, .. } => CountKey::Futex(addr),
            Observed::Io => CountKey::Io,
            Observed::Blocked => CountKey::Blocked,
            Observed::Unknown | Observed::Gone => CountKey::Unknown,
        };
        *self.counts.entry(key).or_insert(0) += 1;
        self.first_ms.get_or_insert(t_ms);
        self.last_ms = Some(t_ms);
        self.push_run(tick, obs);
        self.prev = obs;
    }

    fn push_run(&mut self, tick: u64, obs: Observed) {
        if self.runs.back().map(|r| r.1) != Some(obs) {
            self.runs.push_back((tick, obs));
        }
    }

    pub(super) fn finish(&mut self, tick: u64) {
        if !self.done {
            self.done = true;
            self.push_run(tick, Observed::Gone);
        }
    }

    /// The observation in force at `tick` (`None` before its first sample).
    pub(super) fn at(&self, tick: u64) -> Option<Observed> {
        let i = self.runs.partition_point(|r| r.0 <= tick);
        (i > 0).then(|| self.runs[i - 1].1)
    }

    /// The state it spent most of ticks `[from, to)` in; for a span with no tick in it
    /// (cells narrower than a tick), the state in force there.
    pub(super) fn dominant(
        &self,
        from: u64,
        to: u64,
        gil: Option<classify::GilRange>,
    ) -> Option<XState> {
        if to <= from {
            return from
                .checked_sub(1)
                .and_then(|k| self.at(k))
                .map(|o| classify::state_of(o, gil));
        }
        let mut i = self.runs.partition_point(|r| r.0 <= from);
        let mut durations: BTreeMap<XState, u64> = BTreeMap::new();
        let mut start = from;
        let mut current = if i > 0 {
            Some(self.runs[i - 1].1)
        } else {
            None
        };
        while start < to {
            let next = self.runs.get(i).map_or(to, |r| r.0.min(to));
            if let Some(obs) = current {
                *durations.entry(classify::state_of(obs, gil)).or_insert(0) += next - start;
            }
            start = next;
            current = self.runs.get(i).map(|r| r.1);
            i += 1;
        }
        durations
            .into_iter()
            .max_by_key(|(s, d)| (*d, std::cmp::Reverse(*s)))
            .map(|(s, _)| s)
    }
}
