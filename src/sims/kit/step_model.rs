//! A deterministic step model as a running demo: the learner is the scheduler. The model
//! moves only when a number key picks a thread (`choose`) or the step key makes a seeded
//! random pick (`step`); no thread is started. Engines with such a model (`race`,
//! `deadlock`) implement [`StepModel`] and start a [`StepModelDemo`] around it; their
//! snapshot type implements [`EngineSnapshot`], so both engines publish it and report the
//! same figures from it.

use std::sync::Arc;

use crate::sims::kit::choice::{choice_enum, choice_spec};
use crate::sims::params::ParamSpec;
use crate::sims::{Demo, Snapshot};

/// An engine's own snapshot type, which its engines (real threads and step model) publish:
/// how it becomes the [`Snapshot`] the views draw, and the final figures it gives.
pub trait EngineSnapshot: Send + Sync + 'static {
    /// This state as the snapshot the views draw.
    fn published(self: Arc<Self>) -> Snapshot;
    /// The final figures `Demo::stop` returns; `engine` names the engine that ran.
    fn figures(&self, engine: &'static str) -> serde_json::Value;
}

/// What a learner-driven model offers the demo around it.
pub trait StepModel: Send {
    /// The engine's snapshot type, which the model's state is drawn as.
    type View: EngineSnapshot;

    /// What the number keys do while the model can still move, in the engine's words
    /// (e.g. "run thread N's next instruction").
    const CHOICE_HINT: &'static str;

    /// How many threads the learner picks from (number keys 1 to this).
    fn thread_count(&self) -> usize;
    /// True if thread `thread` (0-based) can move now.
    fn can_run(&self, thread: usize) -> bool;
    /// Moves thread `thread` (0-based) one step; false if it cannot move now.
    fn run(&mut self, thread: usize) -> bool;
    /// The seeded generator behind the step key's pick.
    fn rng(&mut self) -> &mut fastrand::Rng;
    /// Moves a seeded random thread among those that can move one step (the step key);
    /// false if none can move.
    fn step_random(&mut self) -> bool {
        let runnable: Vec<usize> = (0..self.thread_count())
            .filter(|t| self.can_run(*t))
            .collect();
        if runnable.is_empty() {
            return false;
        }
        let pick = runnable[self.rng().usize(..runnable.len())];
        self.run(pick)
    }
    /// True once the model has reached its end (nothing more to choose).
    fn is_finished(&self) -> bool;
    /// The word for an end that is a failure (see [`crate::sims::Demo::failed_end`]).
    fn failed_end(&self) -> Option<&'static str> {
        None
    }
    /// The model's current state, as its engine's snapshot.
    fn snapshot(&self) -> Self::View;
}

/// A [`StepModel`] behind the `Demo` trait. It keeps the last published snapshot so
/// `snapshot()` is a cheap clone.
pub struct StepModelDemo<M: StepModel> {
    model: M,
    latest: Snapshot,
}

impl<M: StepModel> StepModelDemo<M> {
    /// A demo around `model`, its current state already published.
    pub fn new(model: M) -> StepModelDemo<M> {
        let latest = Arc::new(model.snapshot()).published();
        StepModelDemo { model, latest }
    }

    fn publish(&mut self) {
        self.latest = Arc::new(self.model.snapshot()).published();
    }
}

impl<M: StepModel> Demo for StepModelDemo<M> {
    fn snapshot(&self) -> Snapshot {
        self.latest.clone()
    }

    fn set_paused(&mut self, _paused: bool) -> bool {
        // The model never moves on its own, so it is always "paused" for the learner.
        true
    }

    fn step(&mut self) -> bool {
        let moved = self.model.step_random();
        self.publish();
        moved
    }

    fn choose(&mut self, n: usize) -> bool {
        if n == 0 {
            return false;
        }
        let moved = self.model.run(n - 1);
        self.publish();
        moved
    }

    fn choice_hint(&self) -> Option<String> {
        (!self.model.is_finished()).then(|| M::CHOICE_HINT.to_string())
    }

    fn is_finished(&self) -> bool {
        self.model.is_finished()
    }

    fn offers_step(&self) -> bool {
        true
    }

    fn failed_end(&self) -> Option<&'static str> {
        self.model.failed_end()
    }

    fn stop(self: Box<Self>) -> serde_json::Value {
        self.model.snapshot().figures("model")
    }
}
/// The `engine` parameter of a demo with real threads and a step model (`threads` by
/// default); `help` says what the model lets the learner do.
pub const fn engine_spec(help: &'static str) -> ParamSpec {
    choice_spec::<EngineKind>("engine", "threads", help)
}

choice_enum! {
    /// Which engine drives a demo that has both: real threads, or the step model the
    /// learner schedules (the `engine` choice of `race` and `deadlock`).
    #[derive(Default)]
    pub enum EngineKind {
        /// Real OS threads.
        #[default]
        Threads,
        /// The step model: no threads, the learner schedules.
        Model,
    }
}
