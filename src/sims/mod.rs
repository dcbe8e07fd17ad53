//! Demo engines: Rust-native equivalents of Python's concurrency mechanisms, running on the
//! machine's real cores. One module per engine; nothing here knows about the terminal.
//!
//! Every engine declares its parameters ([`ParamSpec`]), starts from a validated [`Params`]
//! into a running [`Demo`], publishes cheap [`Snapshot`]s for drawing, applies parameter
//! changes live, and on [`Demo::stop`] joins every thread it started and returns its final
//! metrics as one JSON object. The TUI, the headless CLI and the tests drive them alike.

pub mod asyncio;
pub mod control;
pub mod cores;
pub mod cpu_load;
pub mod deadlock;
pub mod gil;
pub mod headless;
pub mod params;
pub mod pool;
pub mod processes;
pub mod queue;
pub mod race;
pub mod step_model;
#[cfg(test)]
pub(crate) mod test_support;
pub mod threadpool;
pub mod timeline;
pub mod workload;

use std::sync::Arc;

pub use params::{ParamError, ParamKind, ParamSpec, ParamValue, Params};

/// A demo engine: its declaration and how to start it.
pub trait Engine: Sync {
    /// The name used by `pyconc demo NAME` and lesson `demo` blocks.
    fn name(&self) -> &'static str;
    /// A short title for the demo view's header.
    fn title(&self) -> &'static str;
    /// One line saying what the demo shows.
    fn about(&self) -> &'static str;
    /// The declared parameters, in the order the panel shows them.
    fn params(&self) -> &'static [ParamSpec];
    /// Starts the demo. Threads it needs are running when this returns.
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError>;

    /// Validates `k=v` overrides against the declaration.
    fn resolve(&self, overrides: &[(String, String)]) -> Result<Params, ParamError> {
        Params::resolve(self.name(), self.params(), overrides)
    }
}

/// How a live parameter change was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The running demo picked it up.
    Live,
    /// The demo must be restarted with the new value (the host does that).
    Restart,
}

/// A running demo. Dropping it without [`Demo::stop`] must still stop and join its threads.
pub trait Demo: Send {
    /// The newest state for drawing. Cheap and never blocks on the engine's threads.
    fn snapshot(&self) -> Snapshot;
    /// Applies a validated value while running, or asks for a restart.
    fn set(&mut self, _name: &str, _value: &ParamValue) -> Applied {
        Applied::Restart
    }
    /// Pauses or resumes. Returns false if this demo cannot pause.
    fn set_paused(&mut self, _paused: bool) -> bool {
        false
    }
    /// Advances one event while paused (engines with a step mode). Returns false if the
    /// demo has no step mode right now.
    fn step(&mut self) -> bool {
        false
    }
    /// In a step mode where the learner is the scheduler: run choice `n` (1-based, e.g.
    /// thread `n`) for one step. Returns false if there is no such choice now.
    fn choose(&mut self, _n: usize) -> bool {
        false
    }
    /// What the number keys do right now (e.g. "run thread N's next instruction"), shown
    /// in the demo host's key bar; `None` when they do nothing.
    fn choice_hint(&self) -> Option<String> {
        None
    }
    /// Sets the playback speed: 1.0 is real time, 0.25 is four times slower. Returns false
    /// if this demo always runs at real speed.
    fn set_speed(&mut self, _speed: f64) -> bool {
        false
    }
    /// True once a demo with an end (a finite scenario) has reached it.
    fn is_finished(&self) -> bool {
        false
    }
    /// Stops the demo, joins every thread and task it started, and returns its final
    /// metrics as a JSON object (without `demo`, `params` and `elapsed_s`, which the
    /// caller adds).
    fn stop(self: Box<Self>) -> serde_json::Value;
}

/// Why a demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not start a thread: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// The newest drawable state of a running demo; one variant per engine. Cloning is cheap
/// (an `Arc`), so the UI can take one per frame.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Snapshot {
    Cores(Arc<cores::CoresSnapshot>),
    Race(Arc<race::RaceSnapshot>),
    Deadlock(Arc<deadlock::DeadlockSnapshot>),
    Queue(Arc<queue::QueueSnapshot>),
    ThreadPool(Arc<threadpool::PoolSnapshot>),
    Asyncio(Arc<asyncio::AsyncioSnapshot>),
    /// The `pool` demo: a rayon pool, one lane per worker.
    Pool(Arc<pool::PoolSnapshot>),
    /// The `processes` demo: worker processes fed over pipes.
    Processes(Arc<processes::ProcessesSnapshot>),
    Gil(Arc<gil::GilSnapshot>),
}

/// Every engine pyconc ships, in the order `pyconc list` shows them.
pub fn registry() -> &'static [&'static dyn Engine] {
    static ENGINES: &[&dyn Engine] = &[
        &cores::CoresEngine,
        &gil::GilEngine,
        &asyncio::AsyncioEngine,
        &pool::PoolEngine,
        &processes::ProcessesEngine,
        &race::RaceEngine,
        &deadlock::DeadlockEngine,
        &queue::QueueEngine,
        &threadpool::ThreadPoolEngine,
    ];
    ENGINES
}

/// The engine called `name`.
pub fn find(name: &str) -> Option<&'static dyn Engine> {
    registry().iter().copied().find(|e| e.name() == name)
}

/// The names of every engine, for error messages.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|e| e.name()).collect()
}

/// How many threads this process has right now (Linux: `/proc/self/task`); `None` where
/// the OS does not say. Tests use it to check that a stopped demo left nothing running.
pub fn thread_count() -> Option<usize> {
    std::fs::read_dir("/proc/self/task")
        .ok()
        .map(|entries| entries.count())
}

/// The core the calling thread is running on now, where the OS says (Linux); else `None`.
pub fn current_core() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sched_getcpu takes no arguments and only reads the calling thread's state.
        let cpu = unsafe { libc::sched_getcpu() };
        if cpu >= 0 {
            return Some(cpu as usize);
        }
    }
    None
}

/// The number of cores the OS lets this process use (at least 1).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_has_valid_defaults_and_unique_names() {
        let mut seen = std::collections::HashSet::new();
        for engine in registry() {
            assert!(seen.insert(engine.name()), "duplicate {}", engine.name());
            engine.resolve(&[]).expect("defaults must validate");
            for spec in engine.params() {
                assert!(
                    !spec.help.is_empty(),
                    "{}.{} has no help",
                    engine.name(),
                    spec.name
                );
            }
        }
    }

    #[test]
    fn find_knows_every_registered_name() {
        for name in names() {
            assert_eq!(find(name).map(|e| e.name()), Some(name));
        }
        assert!(find("no-such-demo").is_none());
    }
}
