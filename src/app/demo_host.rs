//! The demo host's state: one running engine, its parameters (changed live from the panel),
//! pause / step / speed, and the newest snapshot taken once per frame, kept in a bounded
//! history to scrub through while paused (see `rewind.rs`, which also plays replays).
//! Stopping hands the engine to a reaper thread so the UI never waits on an engine's joins.

use std::thread::JoinHandle;
use std::time::Instant;

use crate::replay::history::{Bounds, History};
use crate::replay::record::{Header, RecordSink};
use crate::sims::params::{ParamKind, ParamValue};
use crate::sims::{Applied, Demo, Engine, Params, Snapshot, StartError};

/// Slowest playback speed `<` reaches (64 times slower than real time).
pub const MIN_SPEED: f64 = 1.0 / 64.0;
/// Fastest playback speed `>` reaches.
pub const MAX_SPEED: f64 = 4.0;

/// A live demo and what the host knows about it.
pub struct DemoHost {
    /// The engine running.
    pub engine: &'static dyn Engine,
    /// The current parameter values.
    pub params: Params,
    /// The selected row of the parameter panel.
    pub selected: usize,
    /// The newest snapshot (taken on each frame, not while frozen).
    pub snapshot: Option<Snapshot>,
    /// Paused by the learner.
    pub paused: bool,
    /// The engine cannot pause, so the picture is frozen while it runs on.
    pub frozen: bool,
    /// Playback speed (1.0 real time).
    pub speed: f64,
    /// True once a finite demo ended.
    pub finished: bool,
    /// The word for the end when it is a failure ("deadlocked"), not "finished".
    pub failed_end: Option<&'static str>,
    /// A short message about the last action ("this demo has no step mode").
    pub notice: Option<String>,
    /// The real-Python twin running (or finished) beside the stopped simulation.
    pub twin: Option<crate::xray::demo_twin::DemoTwin>,
    /// The kept past of this run (a replay: the whole recording).
    pub history: History,
    /// The kept frame shown instead of the live picture (rewound, or a replay's position).
    pub cursor: Option<usize>,
    /// Run time in seconds: wall time since the start, pauses left out.
    pub run_time_s: f64,
    /// Set when this host plays a recording instead of running an engine.
    pub replay: Option<super::rewind::ReplayState>,
    /// `--record FILE`: every kept frame is also written there.
    pub recording: Option<RecordSink>,
    /// Run time of earlier runs (restarts) in the `--record` stream, so its times go on.
    pub(crate) recorded_before_s: f64,
    /// A `w` save in progress.
    pub(crate) saving: Option<super::rewind::Saving>,
    /// What a recording of the current run says in its header.
    pub(crate) started_header: Header,
    pub(crate) last_tick: Instant,
    running: Option<Box<dyn Demo>>,
}

impl DemoHost {
    /// Starts `engine` with `params`.
    pub fn start(engine: &'static dyn Engine, params: Params) -> Result<DemoHost, StartError> {
        let running = engine.start(&params)?;
        let mut host = DemoHost::idle(engine, params);
        let first = running.snapshot();
        host.running = Some(running);
        host.capture(first);
        Ok(host)
    }

    /// Starts `engine` paused at its first instant (see [`Engine::start_paused`]).
    pub fn start_paused(
        engine: &'static dyn Engine,
        params: Params,
    ) -> Result<DemoHost, StartError> {
        let running = engine.start_paused(&params)?;
        let mut host = DemoHost::idle(engine, params);
        let first = running.snapshot();
        host.running = Some(running);
        host.paused = true;
        host.capture(first);
        Ok(host)
    }

    /// A host with nothing running yet (a replay fills it from a recording).
    pub(crate) fn idle(engine: &'static dyn Engine, params: Params) -> DemoHost {
        DemoHost {
            started_header: Header::for_run(engine, &params),
            engine,
            params,
            selected: 0,
            snapshot: None,
            paused: false,
            frozen: false,
            speed: 1.0,
            finished: false,
            failed_end: None,
            notice: None,
            twin: None,
            history: History::new(Bounds::LIVE),
            cursor: None,
            run_time_s: 0.0,
            replay: None,
            recording: None,
            recorded_before_s: 0.0,
            saving: None,
            last_tick: Instant::now(),
            running: None,
        }
    }

    /// Takes the newest snapshot: called once per frame. A rewound or frozen picture
    /// stays; a replay moves on at the recorded speed.
    pub fn refresh(&mut self) {
        let now = Instant::now();
        let dt = now.duration_since(self.last_tick).as_secs_f64();
        self.last_tick = now;
        self.poll_saving();
        if let Some(twin) = self.twin.as_mut() {
            twin.poll();
        }
        if self.replay.is_some() {
            self.advance_replay(dt);
            return;
        }
        if !(self.paused || self.frozen) {
            self.run_time_s += dt;
        }
        let Some(demo) = &self.running else {
            return;
        };
        self.finished = demo.is_finished();
        self.failed_end = demo.failed_end();
        if !self.frozen && self.cursor.is_none() {
            let snapshot = demo.snapshot();
            self.capture(snapshot);
        }
    }

    /// Shows `snapshot` live and keeps it (and records it with `--record`).
    pub(crate) fn capture(&mut self, snapshot: Snapshot) {
        self.cursor = None;
        if self.history.push(self.run_time_s, snapshot.clone())
            && let (Some(sink), Some(frame)) = (&self.recording, self.history.last())
        {
            sink.send(self.recorded_before_s + frame.t, &frame.snapshot);
        }
        self.snapshot = Some(snapshot);
    }

    /// Pauses or resumes; freezes the picture where the engine cannot pause. Resuming
    /// returns to the live picture; a replay plays or pauses.
    pub fn toggle_pause(&mut self) {
        if self.replay.is_some() {
            self.toggle_replay();
            return;
        }
        if self.cursor.take().is_some()
            && let Some(last) = self.history.last()
        {
            self.snapshot = Some(last.snapshot.clone());
        }
        let Some(demo) = self.running.as_mut() else {
            return;
        };
        let want = !(self.paused || self.frozen);
        if demo.set_paused(want) {
            self.paused = want;
            self.frozen = false;
            self.notice = None;
        } else {
            self.frozen = want;
            self.notice = want.then(|| {
                "this demo cannot pause: the picture is frozen, the demo runs on".to_string()
            });
        }
    }

    /// Advances one step (pausing first).
    pub fn step(&mut self) {
        // Rewound or replaying: one kept frame forward.
        if self.replay.is_some() || self.cursor.is_some() {
            self.seek(super::rewind::Seek::Frames(1));
            return;
        }
        let has_engine_param = self.engine.params().iter().any(|p| p.name == "engine");
        let Some(demo) = self.running.as_mut() else {
            return;
        };
        if !demo.offers_step() {
            // Say so, and leave the demo running: `.` does not pause a demo it cannot step.
            self.notice = Some(if has_engine_param {
                "no step here: set engine to model for the step-by-step version".into()
            } else {
                "this demo has no step mode (space pauses it)".into()
            });
            return;
        }
        if !self.paused && demo.set_paused(true) {
            self.paused = true;
        }
        if demo.step() {
            let snapshot = demo.snapshot();
            self.capture(snapshot);
            self.notice = None;
        } else {
            self.notice = Some("nothing to step right now".into());
        }
    }

    /// The parameter `<` `>` change on this demo (its slow motion, `timescale`), if any.
    pub fn slow_motion_param(&self) -> Option<&'static str> {
        self.running.as_ref().and_then(|d| d.slow_motion_param())
    }

    /// True if `<` `>` do something here: a replay, a playback speed, or a slow-motion
    /// parameter.
    pub fn offers_speed(&self) -> bool {
        self.replay.is_some()
            || self
                .running
                .as_ref()
                .is_some_and(|d| d.offers_speed() || d.slow_motion_param().is_some())
    }

    /// True if `.` steps this demo (a replay or rewound picture steps through frames).
    pub fn offers_step(&self) -> bool {
        self.replay.is_some()
            || self.cursor.is_some()
            || self.running.as_ref().is_some_and(|d| d.offers_step())
    }

    /// False for a key's action this demo does not offer (`.` without a step mode, `<` `>`
    /// without a speed, the number keys when they choose nothing, the parameter keys in a
    /// replay, `x` where these parameters have no real twin or in a replay): the key bar
    /// and the help overlay both leave such keys out.
    pub fn offers(&self, action: crate::app::Action) -> bool {
        use crate::app::Action;
        match action {
            Action::DemoStep => self.offers_step(),
            Action::DemoSpeed(_) => self.offers_speed(),
            Action::DemoChoose(_) => self.choice_hint().is_some(),
            // A replay's parameters are as recorded.
            Action::DemoSelect(_) | Action::DemoChange(_) => self.replay.is_none(),
            Action::DemoTwin => {
                self.replay.is_none()
                    && crate::xray::twins::for_demo(self.engine.name(), &self.params.to_json(), 1.0)
                        .is_ok()
            }
            _ => true,
        }
    }

    /// Multiplies the speed by `factor` within the limits. Where the demo's slow motion is
    /// a parameter (`timescale`), that parameter is divided by `factor` instead, so `<`
    /// `>` and the panel change the same thing; returns a stopped engine to reap if that
    /// change needed a restart.
    pub fn change_speed(&mut self, factor: f64) -> Result<Option<Box<dyn Demo>>, StartError> {
        if self.replay.is_some() {
            self.speed = (self.speed * factor).clamp(MIN_SPEED, MAX_SPEED);
            return Ok(None);
        }
        if let Some(name) = self.slow_motion_param() {
            return self.change_slow_motion(name, factor);
        }
        let Some(demo) = self.running.as_mut() else {
            return Ok(None);
        };
        let speed = (self.speed * factor).clamp(MIN_SPEED, MAX_SPEED);
        if demo.offers_speed() && demo.set_speed(speed) {
            self.speed = speed;
            self.notice = None;
        } else {
            self.notice = Some("this demo always runs in real time".into());
        }
        Ok(None)
    }

    /// Divides the float parameter `name` (a slow-motion factor) by `factor` within its
    /// declared range and applies it as the panel would.
    fn change_slow_motion(
        &mut self,
        name: &'static str,
        factor: f64,
    ) -> Result<Option<Box<dyn Demo>>, StartError> {
        let Some(spec) = self.engine.params().iter().find(|p| p.name == name) else {
            return Ok(None);
        };
        let ParamKind::Float { min, max } = spec.kind else {
            return Ok(None);
        };
        let current = self.params.float(name);
        let next = (current / factor).clamp(min, max);
        if (next - current).abs() < f64::EPSILON {
            self.notice = Some(format!("{name}: {}", spec.kind.describe()));
            return Ok(None);
        }
        let value = ParamValue::Float(next);
        self.params.set(name, value.clone());
        self.notice = None;
        let applied = match self.running.as_mut() {
            Some(demo) => demo.set(name, &value),
            None => Applied::Restart,
        };
        match applied {
            Applied::Live => Ok(None),
            Applied::Restart => self.restart(),
        }
    }

    /// Moves the panel selection.
    pub fn select(&mut self, delta: isize) {
        let n = self.engine.params().len();
        if n > 0 {
            self.selected = (self.selected as isize + delta).rem_euclid(n as isize) as usize;
        }
    }

    /// Steps the selected parameter up or down and applies it; returns a stopped engine
    /// to reap when the change needed a restart.
    pub fn change_param(&mut self, direction: i32) -> Result<Option<Box<dyn Demo>>, StartError> {
        if self.read_only() {
            return Ok(None);
        }
        let Some(spec) = self.engine.params().get(self.selected) else {
            return Ok(None);
        };
        let next = spec.kind.step(self.params.get(spec.name), direction);
        if &next == self.params.get(spec.name) {
            self.notice = Some(format!("{}: {}", spec.name, spec.kind.describe()));
            return Ok(None);
        }
        self.params.set(spec.name, next.clone());
        self.notice = None;
        let applied = match self.running.as_mut() {
            Some(demo) => demo.set(spec.name, &next),
            None => Applied::Restart,
        };
        match applied {
            Applied::Live => Ok(None),
            Applied::Restart => self.restart(),
        }
    }

    /// Starts a fresh run with the current parameters; returns the old engine to reap.
    pub fn restart(&mut self) -> Result<Option<Box<dyn Demo>>, StartError> {
        if self.replay.is_some() {
            self.restart_replay();
            return Ok(None);
        }
        // A fresh simulation needs the cores: the twin (if any) is stopped.
        self.twin = None;
        let old = self.running.take();
        let mut fresh = self.engine.start(&self.params)?;
        if (self.speed - 1.0).abs() > f64::EPSILON && !fresh.set_speed(self.speed) {
            self.speed = 1.0;
        }
        // A new run: its own past (a `--record` file goes on with the new run's frames).
        self.history.clear();
        self.recorded_before_s += self.run_time_s;
        self.run_time_s = 0.0;
        self.started_header = Header::for_run(self.engine, &self.params);
        let first = fresh.snapshot();
        self.running = Some(fresh);
        self.capture(first);
        self.paused = false;
        self.frozen = false;
        self.finished = false;
        self.failed_end = None;
        Ok(old)
    }

    /// Runs choice `n` in a be-the-scheduler step mode.
    pub fn choose(&mut self, n: usize) {
        let Some(demo) = self.running.as_mut() else {
            return;
        };
        if demo.choose(n) {
            let snapshot = demo.snapshot();
            self.capture(snapshot);
            self.notice = None;
        } else {
            self.notice = Some(format!("nothing to choose as {n} here"));
        }
    }

    /// What the number keys do now, if anything.
    pub fn choice_hint(&self) -> Option<String> {
        self.running.as_ref().and_then(|d| d.choice_hint())
    }

    /// Takes the engine out so it can be stopped off the UI thread.
    pub fn take_running(&mut self) -> Option<Box<dyn Demo>> {
        self.running.take()
    }
}

/// Stops `demo` on its own thread (joining all it started there), so the UI goes on.
pub fn reap(demo: Box<dyn Demo>) -> std::io::Result<JoinHandle<serde_json::Value>> {
    std::thread::Builder::new()
        .name("demo-reaper".into())
        .spawn(move || demo.stop())
}

impl Drop for DemoHost {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::app::rewind::ReplayState;

    #[test]
    fn x_is_offered_only_where_a_real_twin_can_run_and_a_replay_changes_nothing() {
        let mut offered = Vec::new();
        for &engine in crate::sims::registry() {
            let params = engine.resolve(&[]).unwrap();
            let twin = crate::xray::twins::for_demo(engine.name(), &params.to_json(), 1.0);
            let mut host = DemoHost::idle(engine, params);
            if host.offers(Action::DemoTwin) {
                offered.push(engine.name());
            }
            assert_eq!(
                host.offers(Action::DemoTwin),
                twin.is_ok(),
                "{}: x offered {} but its twin is {twin:?}",
                engine.name(),
                host.offers(Action::DemoTwin),
            );
            host.replay = Some(ReplayState {
                header: host.started_header.clone(),
                position_s: 0.0,
                playing: false,
                stop: None,
            });
            assert!(
                !host.offers(Action::DemoTwin),
                "{}: a replay",
                engine.name()
            );
            assert!(!host.offers(Action::DemoChange(1)), "a replay's parameters");
        }
        assert_eq!(
            offered,
            ["gil", "processes"],
            "with their default parameters"
        );
    }
}
