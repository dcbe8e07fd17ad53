//! The `gil` demo on real threads (`engine=threads`): one OS thread per Python thread, all
//! contending for a `RealGil`. A holder runs real arithmetic in batches of about a
//! microsecond and looks at the eval breaker between batches; an I/O thread releases the
//! GIL around a real blocking wait. A conductor thread collects what the workers log,
//! publishes snapshots and measures the speedup's reference (see `calibrate`).

mod clock;
mod conductor;
mod reference;
mod shared;
mod worker;

pub use reference::{CALIBRATION_PERIOD, CALIBRATION_WINDOW, FIRST_CALIBRATION_DELAY};
pub use shared::batch_iterations;
pub use worker::OUTER_CHECK_BATCHES;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::timeline::{Frame, GilSetup, GilSnapshot, Recorder};
use super::{BATCH_NS, CELLS_PER_INTERVAL, Change, EngineKind, GilConfig, ms_to_ns};
use crate::sims::kit::config::EngineConfig;
use crate::sims::kit::{Crew, RunControl, SnapshotCell};
use crate::sims::{Applied, Demo, ParamValue, Snapshot, StartError};
use shared::Shared;

/// How often the conductor collects the workers' logs and publishes a snapshot.
pub const FRAME_INTERVAL: Duration = Duration::from_millis(25);

/// The running real-thread demo.
pub struct ThreadsDemo {
    shared: Arc<Shared>,
    /// The Python threads and the I/O reference thread, under the demo's run control.
    workers: Crew,
    /// The conductor, under its own control: it stops after the workers are joined.
    conductor: Crew,
    /// What the conductor returns when it stops: the final figures.
    figures: Arc<Mutex<Option<Value>>>,
    latest: SnapshotCell<GilSnapshot>,
    speed: f64,
    timescale: f64,
}

impl ThreadsDemo {
    /// Starts the workers and the conductor. `instrumented: false` logs no states or
    /// events and reads no cores, to measure what instrumentation costs.
    pub fn start(config: &GilConfig, instrumented: bool) -> Result<ThreadsDemo, StartError> {
        let shared = Arc::new(Shared::new(config, instrumented));
        shared.set_lengths(config, config.timescale);
        let latest = SnapshotCell::new(empty_snapshot(config));
        let mut demo = ThreadsDemo {
            workers: Crew::new(Arc::clone(&shared.control)),
            conductor: Crew::new(Arc::new(RunControl::new())),
            shared: Arc::clone(&shared),
            figures: Arc::new(Mutex::new(None)),
            latest: latest.clone(),
            speed: 1.0,
            timescale: config.timescale,
        };
        // On an error, dropping `demo` stops and joins whatever started.
        for w in 0..config.threads() {
            let shared = Arc::clone(&shared);
            demo.workers
                .spawn(format!("gil-thread-{}", w + 1), move |_| {
                    worker::worker(&shared, w)
                })?;
        }
        let reference = Arc::clone(&shared);
        demo.workers.spawn("gil-io-reference", move |_| {
            reference::io_reference_loop(&reference)
        })?;
        let figures = Arc::clone(&demo.figures);
        demo.conductor.spawn("gil-conductor", move |hand| {
            let out = conductor::conduct(&shared, hand.control(), &latest);
            *figures.lock().unwrap_or_else(|p| p.into_inner()) = Some(out);
        })?;
        Ok(demo)
    }

    fn slow_motion(&self) -> f64 {
        self.timescale / self.speed
    }

    /// Stops and joins everything; the conductor's final figures, if it ran.
    fn shutdown(&mut self) -> Option<Value> {
        self.shared.control.stop();
        self.shared.gate.stop();
        self.shared.wake_all();
        self.workers.stop();
        self.conductor.stop();
        self.figures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    fn changed(&self, config: &GilConfig) {
        self.shared.set_lengths(config, self.slow_motion());
        self.shared.version.fetch_add(1, Ordering::SeqCst);
    }
}

fn empty_snapshot(config: &GilConfig) -> GilSnapshot {
    let recorder = Recorder::new(&config.workloads, 1, 0);
    let mut snap = recorder.snapshot(frame(config, 1.0, 0, None, false, false));
    snap.threads.iter_mut().for_each(|t| t.strip.clear());
    snap
}

/// The engine-side part of a snapshot.
fn frame(
    config: &GilConfig,
    slow_motion: f64,
    elapsed_ns: u64,
    speedup: Option<f64>,
    paused: bool,
    calibrating: bool,
) -> Frame {
    let cores = crate::sims::available_cores();
    Frame {
        setup: GilSetup::new(EngineKind::Threads, config, cores, slow_motion),
        elapsed_ns,
        speedup,
        speedup_kind: config.speedup_kind(),
        paused,
        calibrating,
        last_event: String::new(),
    }
}

impl Demo for ThreadsDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Gil(self.latest.latest())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        let mut config = self.shared.config().clone();
        if config.apply(name, value).is_err() {
            return Applied::Restart; // the restart reports what is wrong with the value
        }
        match GilConfig::change_of(name) {
            Change::Interval | Change::IoLength | Change::FtOverhead => {}
            Change::Timescale => {
                self.timescale = config.timescale;
                self.shared.clock.set_slow_motion(self.slow_motion());
            }
            Change::Mode => self.shared.mode.store(config.mode as u8, Ordering::SeqCst),
            Change::Workloads => {
                for (slot, w) in self.shared.workers.iter().zip(&config.workloads) {
                    slot.workload.store(*w as u8, Ordering::SeqCst);
                }
            }
            Change::Restart => return Applied::Restart,
        }
        *self.shared.config() = config.clone();
        self.shared.epoch.fetch_add(1, Ordering::SeqCst);
        self.shared.wake_all();
        self.changed(&config);
        Applied::Live
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.shared.clock.set_paused(paused);
        self.shared.control.set_paused(paused);
        self.shared.wake_all();
        true
    }

    fn slow_motion_param(&self) -> Option<&'static str> {
        Some("timescale")
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        self.shared.clock.set_slow_motion(self.slow_motion());
        let config = self.shared.config().clone();
        self.changed(&config);
        true
    }

    fn stop(mut self: Box<Self>) -> Value {
        self.shutdown().unwrap_or(Value::Null)
    }
}

impl Drop for ThreadsDemo {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Demo ns of `ms`, for the conductor's cell width.
fn cell_ns(config: &GilConfig) -> u64 {
    (ms_to_ns(config.switch_interval_ms).max(BATCH_NS) / CELLS_PER_INTERVAL).max(1)
}

#[cfg(test)]
mod tests;
