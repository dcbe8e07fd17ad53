//! The model behind the `Demo` trait: a thread of its own advances the model to the
//! (scaled) wall clock every frame, a bounded number of events at a time, and publishes a
//! snapshot, so `snapshot()` on the UI thread only takes the newest one. While paused,
//! `step()` processes exactly one event. Also the deterministic [`preview`] the view tests
//! and lesson stills draw.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::GilModel;
use crate::sims::gil::timeline::{Frame, GilFigures, GilSetup, GilSnapshot};
use crate::sims::gil::{Change, EngineKind, GilConfig, Mode};
use crate::sims::kit::config::EngineConfig;
use crate::sims::kit::{Crew, Hand, RunControl, SnapshotCell};
use crate::sims::{Applied, Demo, ParamValue, Snapshot, StartError};

/// The snapshot of `config` run on the model for `virtual_ns` from the start, with its
/// speedup against one thread alone: a deterministic picture (view tests, lesson stills).
pub fn preview(config: &GilConfig, cores: usize, virtual_ns: u64) -> GilSnapshot {
    let mut run = ModelRun::new(config, cores);
    run.model.advance_to(virtual_ns, usize::MAX);
    run.sync_solo(usize::MAX);
    run.snapshot()
}

/// How often the model's thread catches up with the clock and publishes a snapshot.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(25);
/// Events processed under one hold of the lock: `step()`, `set()` and the pause wait at
/// most this long for the model's thread.
const EVENTS_PER_CHUNK: usize = 2_000;
/// The most events one frame processes before the model gives up real time (a backlog
/// after a long stall, or more events per second than this machine can model, would
/// otherwise never catch up and keep a core busy).
const MAX_EVENTS_PER_FRAME: usize = 50 * EVENTS_PER_CHUNK;

/// The running model behind the `Demo` trait: its own thread follows the wall clock
/// (scaled) while running; one event per `step()` while paused.
pub struct ModelDemo {
    run: Arc<Mutex<ModelRun>>,
    latest: SnapshotCell<GilSnapshot>,
    /// The one thread that advances the model.
    crew: Crew,
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
    /// A run of `config` on `cores` cores at virtual time 0, following the clock from now.
    fn new(config: &GilConfig, cores: usize) -> ModelRun {
        ModelRun {
            config: config.clone(),
            cores,
            model: GilModel::new(config, cores),
            solo: GilModel::new(&solo_config(config), cores),
            paused: false,
            speed: 1.0,
            wall_base: Instant::now(),
            virt_base: 0,
        }
    }

    fn slow_motion(&self) -> f64 {
        self.config.timescale / self.speed.max(1e-3)
    }

    fn rebase(&mut self) {
        self.wall_base = Instant::now();
        self.virt_base = self.model.now();
    }

    /// Processes up to `max_events` towards the scaled wall clock; true once there (or
    /// paused), false if the events ran out first.
    fn catch_up(&mut self, max_events: usize) -> bool {
        if self.paused {
            return true;
        }
        let elapsed = self.wall_base.elapsed().as_nanos() as f64 / self.slow_motion();
        let target = self.virt_base + elapsed as u64;
        let there = self.model.advance_to(target, max_events);
        self.sync_solo(max_events);
        there
    }

    fn sync_solo(&mut self, max_events: usize) {
        let t = self.model.recorder().measured_ns();
        self.solo.advance_to(t, max_events);
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
        let setup = GilSetup::new(
            EngineKind::Model,
            &self.config,
            self.cores,
            self.slow_motion(),
        );
        self.model.snapshot(Frame {
            setup,
            elapsed_ns: self.model.now(),
            speedup: self.speedup(),
            speedup_kind: self.config.speedup_kind(),
            paused: self.paused,
            calibrating: false,
            last_event: self.model.last_event().to_string(),
        })
    }

    /// Applies a new value of parameter `name`: live where the model can take it.
    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        if self.config.apply(name, value).is_err() {
            return Applied::Restart; // the restart reports what is wrong with the value
        }
        match GilConfig::change_of(name) {
            Change::Interval => {
                let ns = self.config.interval_ns();
                self.model.set_interval_ns(ns);
            }
            Change::IoLength => self.model.set_io_ns(self.config.io_ns()),
            Change::FtOverhead => self.model.set_ft_overhead_pct(self.config.ft_overhead_pct),
            Change::Timescale => {
                self.rebase();
                return Applied::Live;
            }
            Change::Mode | Change::Workloads => {
                let recorder = self.model.recorder.clone();
                let now = self.model.now();
                self.model = GilModel::with_recorder(&self.config, self.cores, now, recorder);
            }
            Change::Restart => return Applied::Restart,
        }
        self.restart_counters();
        Applied::Live
    }

    /// After a change that alters the rates: zero the counters and restart the reference.
    fn restart_counters(&mut self) {
        self.model.recorder.reset_counters();
        self.solo = GilModel::new(&solo_config(&self.config), self.cores);
    }
}

impl ModelDemo {
    /// A model of `config` on `cores` cores, following the wall clock from now on a
    /// thread of its own; `paused`: held at virtual time 0 until resumed or stepped.
    pub fn start(config: &GilConfig, cores: usize, paused: bool) -> Result<ModelDemo, StartError> {
        let mut run = ModelRun::new(config, cores);
        run.paused = paused;
        let latest = SnapshotCell::new(run.snapshot());
        let run = Arc::new(Mutex::new(run));
        let mut crew = Crew::new(Arc::new(RunControl::new()));
        let (shared, cell) = (Arc::clone(&run), latest.clone());
        crew.spawn("gil-model", move |hand| {
            follow_the_clock(&shared, &cell, &hand)
        })?;
        Ok(ModelDemo { run, latest, crew })
    }

    fn lock(&self) -> MutexGuard<'_, ModelRun> {
        lock(&self.run)
    }

    /// Runs `change` on the model (caught up a little first) and publishes the result.
    fn change<R>(&self, change: impl FnOnce(&mut ModelRun) -> R) -> R {
        let mut run = self.lock();
        run.catch_up(EVENTS_PER_CHUNK);
        let out = change(&mut run);
        self.latest.publish(run.snapshot());
        out
    }
}

fn lock(run: &Mutex<ModelRun>) -> MutexGuard<'_, ModelRun> {
    run.lock().unwrap_or_else(|p| p.into_inner())
}

/// The model's thread: every frame, catch up with the clock a chunk of events at a time
/// (the lock is free between chunks) and publish a snapshot.
fn follow_the_clock(run: &Mutex<ModelRun>, latest: &SnapshotCell<GilSnapshot>, hand: &Hand) {
    while hand.sleep(FRAME_INTERVAL) {
        let mut budget = MAX_EVENTS_PER_FRAME;
        loop {
            let mut run = lock(run);
            if run.paused {
                break; // nothing moves; step(), set() and the pause publish themselves
            }
            let there = run.catch_up(EVENTS_PER_CHUNK);
            budget = budget.saturating_sub(EVENTS_PER_CHUNK);
            if there || budget == 0 || hand.is_done() {
                if !there {
                    run.rebase(); // too much to model in real time: slow down instead
                }
                latest.publish(run.snapshot());
                break;
            }
        }
    }
}

impl Demo for ModelDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Gil(self.latest.latest())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        self.change(|run| run.set(name, value))
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        // No catching up first: a pause holds the model where the picture is, however
        // long the machine took to deliver the key.
        let mut run = self.lock();
        run.paused = paused;
        run.rebase();
        self.latest.publish(run.snapshot());
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
        run.sync_solo(EVENTS_PER_CHUNK);
        self.latest.publish(run.snapshot());
        true
    }

    fn offers_step(&self) -> bool {
        true
    }

    fn offers_speed(&self) -> bool {
        true
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.change(|run| {
            run.rebase();
            run.speed = if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            };
        });
        true
    }

    fn stop(mut self: Box<Self>) -> Value {
        self.crew.stop();
        let mut run = self.lock();
        run.catch_up(MAX_EVENTS_PER_FRAME);
        let snap = run.snapshot();
        let reference = run.reference_rate();
        GilFigures::new(&snap, run.model.recorder(), reference).to_value()
    }
}
