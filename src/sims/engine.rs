//! The engine contract: what every demo engine declares ([`EngineInfo`]), how it starts
//! ([`Engine`]), what a running demo offers the host ([`Demo`]), the drawable [`Snapshot`]
//! of each engine, and the registry of every engine pyconc ships.

use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use super::kit::control::Pacing;
use super::params::{ParamError, ParamSpec, ParamValue, Params};

/// What an engine declares about itself, once, as a `static` beside its parameters.
#[derive(Debug)]
pub struct EngineInfo {
    /// The name used by `pyconc demo NAME` and lesson `demo` blocks.
    pub name: &'static str,
    /// A short title for the demo view's header.
    pub title: &'static str,
    /// One line saying what the demo shows.
    pub about: &'static str,
    /// The declared parameters, in the order the panel shows them.
    pub params: &'static [ParamSpec],
    /// How it starts with resolved parameters (see [`Engine::start`]).
    pub start: Starter,
}

/// What starting a demo gives: the running demo, or why it could not start.
pub type Started = Result<Box<dyn Demo>, StartError>;

/// An engine's start function.
#[derive(Debug, Clone, Copy)]
pub enum Starter {
    /// Starts it running; [`Engine::start_paused`] pauses it once it has started.
    Running(fn(&Params) -> Started),
    /// Starts it running (`false`) or paused at its first instant (`true`): engines with
    /// a step mode, where nothing may move before the first step.
    Pausable(fn(&Params, bool) -> Started),
}

/// Every engine is its [`EngineInfo`]: the declaration carries how it starts.
impl Engine for EngineInfo {
    fn info(&self) -> &EngineInfo {
        self
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        match self.start {
            Starter::Running(start) => start(params),
            Starter::Pausable(start) => start(params, false),
        }
    }
    fn start_paused(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        match self.start {
            Starter::Running(start) => {
                let mut demo = start(params)?;
                demo.set_paused(true);
                Ok(demo)
            }
            Starter::Pausable(start) => start(params, true),
        }
    }
}

/// A demo engine: its declaration and how to start it.
pub trait Engine: Sync {
    /// The engine's declaration: name, title, one line about it, its parameters.
    fn info(&self) -> &EngineInfo;
    /// Starts the demo. Threads it needs are running when this returns.
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError>;

    /// Starts the demo paused. Engines with a step mode start so that nothing
    /// moves before the first step (a class stepping from the first instant, and tests
    /// that must not depend on how fast the machine got to the pause key).
    fn start_paused(&self, params: &Params) -> Result<Box<dyn Demo>, StartError>;

    /// The name used by `pyconc demo NAME` and lesson `demo` blocks.
    fn name(&self) -> &'static str {
        self.info().name
    }
    /// A short title for the demo view's header.
    fn title(&self) -> &'static str {
        self.info().title
    }
    /// One line saying what the demo shows.
    fn about(&self) -> &'static str {
        self.info().about
    }
    /// The declared parameters, in the order the panel shows them.
    fn params(&self) -> &'static [ParamSpec] {
        self.info().params
    }

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
    /// The pause gate, playback speed and end flag this demo's threads share, where it has
    /// all three: then [`Demo::set_paused`], [`Demo::set_speed`] and [`Demo::is_finished`]
    /// work through them without being written again.
    fn pacing(&self) -> Option<Pacing<'_>> {
        None
    }
    /// Pauses or resumes. Returns false if this demo cannot pause.
    fn set_paused(&mut self, paused: bool) -> bool {
        self.pacing()
            .map(|p| p.control.set_paused(paused))
            .is_some()
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
    fn set_speed(&mut self, speed: f64) -> bool {
        self.pacing().map(|p| p.speed.set(speed)).is_some()
    }
    /// True if [`Demo::set_speed`] changes what the learner sees (the key bar offers
    /// `<` `>` only then); by default, where the demo has [`Demo::pacing`], whose speed
    /// [`Demo::set_speed`] sets.
    fn offers_speed(&self) -> bool {
        self.pacing().is_some()
    }
    /// True if [`Demo::step`] can advance this demo (the key bar offers `.` only then).
    fn offers_step(&self) -> bool {
        false
    }
    /// The parameter that is this demo's slow motion (`timescale`), which `<` `>` change
    /// instead of a separate playback speed, so the two are one idea. `None`: `<` `>` set
    /// the playback speed, if [`Demo::offers_speed`].
    fn slow_motion_param(&self) -> Option<&'static str> {
        None
    }
    /// True once a demo with an end (a finite scenario) has reached it.
    fn is_finished(&self) -> bool {
        self.pacing()
            .is_some_and(|p| p.finished.load(Ordering::SeqCst))
    }
    /// When the end reached is a failure rather than a success, the word for it (the
    /// `deadlock` demo's end is "deadlocked"): the host then does not say "finished".
    fn failed_end(&self) -> Option<&'static str> {
        None
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
    /// A parameter value the engine cannot take (normally caught when parameters resolve).
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("{0}")]
    Other(String),
}

/// The newest drawable state of a running demo; one variant per engine. Cloning is cheap
/// (an `Arc`), so the UI can take one per frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Snapshot {
    Cores(Arc<super::cores::CoresSnapshot>),
    Race(Arc<super::race::RaceSnapshot>),
    Deadlock(Arc<super::deadlock::DeadlockSnapshot>),
    Queue(Arc<super::queue::QueueSnapshot>),
    ThreadPool(Arc<super::threadpool::PoolSnapshot>),
    Asyncio(Arc<super::asyncio::AsyncioSnapshot>),
    /// The `pool` demo: a rayon pool, one lane per worker.
    Pool(Arc<super::pool::PoolSnapshot>),
    /// The `processes` demo: worker processes fed over pipes.
    Processes(Arc<super::processes::ProcessesSnapshot>),
    Gil(Arc<super::gil::GilSnapshot>),
}

/// Every engine pyconc ships, in the order `pyconc list` shows them.
pub fn registry() -> &'static [&'static dyn Engine] {
    // Built on first use: `pool` and `processes` declare a `workers` default that is this
    // machine's core count.
    static ENGINES: LazyLock<[&'static dyn Engine; 9]> = LazyLock::new(|| {
        [
            &super::cores::INFO,
            &super::gil::INFO,
            &super::asyncio::INFO,
            &*super::pool::INFO,
            &*super::processes::INFO,
            &super::race::INFO,
            &super::deadlock::INFO,
            &super::queue::INFO,
            &super::threadpool::INFO,
        ]
    });
    &*ENGINES
}

/// The engine called `name`.
pub fn find(name: &str) -> Option<&'static dyn Engine> {
    registry().iter().copied().find(|e| e.name() == name)
}

/// The names of every engine, for error messages.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|e| e.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::params::ParamKind;

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
    fn every_used_when_names_a_choice_of_the_same_engine_and_its_words() {
        for engine in registry() {
            for spec in engine.params() {
                let Some(when) = spec.used_when else { continue };
                let on = engine
                    .params()
                    .iter()
                    .find(|p| p.name == when.param)
                    .unwrap_or_else(|| {
                        panic!("{}.{}: no `{}`", engine.name(), spec.name, when.param)
                    });
                let words = match on.kind {
                    ParamKind::Choice(words) | ParamKind::List { options: words, .. } => words,
                    other => panic!(
                        "{}.{}: `{}` is {other:?}",
                        engine.name(),
                        spec.name,
                        on.name
                    ),
                };
                for value in when.values {
                    assert!(
                        words.contains(value),
                        "{}.{}: `{value}` is not a word of `{}` ({words:?})",
                        engine.name(),
                        spec.name,
                        on.name
                    );
                }
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

    #[test]
    fn model_snapshots_round_trip_through_json() {
        for name in ["race", "deadlock"] {
            let engine = find(name).unwrap();
            let params = crate::sims::test_support::params(engine, &[("engine", "model")]);
            let demo = engine.start(&params).unwrap();
            let snapshot = demo.snapshot();
            let json = serde_json::to_value(&snapshot).unwrap();
            let back: Snapshot = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&back).unwrap(), json, "{name}");
            demo.stop();
        }
    }
}
