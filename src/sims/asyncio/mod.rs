//! The `asyncio` demo: a tokio current-thread runtime on its own OS thread plays asyncio's
//! event loop (one thread, tasks that run until they `await`). Every task a scenario spawns
//! is tracked, so the view shows which one is polled now, which are ready, what the others
//! wait on, and how late the loop's heartbeat runs (its lag).
//!
//! Threads: the loop thread (it owns the runtime; with `flavor=multi_thread` tokio adds its
//! workers), tokio's blocking pool (offload only) and one observer thread that publishes
//! snapshots. `stop()` wakes everything, drops the runtime (which cancels every task, closes
//! every socket and joins tokio's threads) and joins the loop and observer threads.

pub mod context;
pub mod echo;
pub mod figures;
pub mod gate;
pub mod lag;
mod report;
pub mod scenarios;
pub mod settings;
pub mod snapshot;
pub mod tracker;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;

use super::kit::config::EngineConfig;
use super::kit::{Crew, RunControl, SnapshotCell};
use super::{Applied, Demo, EngineInfo, ParamValue, Params, Snapshot, StartError, Starter};
use context::{Ctx, Plan};
use figures::{Figures, Knobs};
use gate::{Gate, Speed};
use lag::{LagLog, LastBeat};
use settings::{Change, Flavor, Settings};
use snapshot::{LoopHandles, LoopStatus, Observer};
use tracker::{SOLO, Tracker};

pub use snapshot::AsyncioSnapshot;

/// How often the observer publishes a snapshot.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_millis(50);
/// Worker threads of the multi-thread flavor, at most (and at least 2, to show the point).
pub const MAX_MULTI_THREAD_WORKERS: usize = 4;
/// tokio's blocking pool cap (offload uses one thread at a time).
pub const MAX_BLOCKING_THREADS: usize = 8;

/// What the `asyncio` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "asyncio",
    title: "The asyncio event loop, every task visible",
    about: "a tokio loop on one thread plays asyncio: which task runs, which are ready, what the rest wait on, and the loop's lag",
    params: settings::PARAMS,
    start: Starter::Running(start),
};

/// Starts the `asyncio` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    Ok(Box::new(AsyncioDemo::start_with(params, false)?))
}

/// The running `asyncio` demo.
pub struct AsyncioDemo {
    /// What the loop's thread and the observer share with the demo.
    shared: LoopHandles,
    latest: SnapshotCell<AsyncioSnapshot>,
    /// The loop's thread and the observer's.
    crew: Crew,
    ideal_s: f64,
    /// The run's settings as live changes leave them.
    live: Settings,
}

impl AsyncioDemo {
    /// Starts the scenario; with `paused`, the loop parks before its very first poll, so a
    /// class (or a test) can step from the start.
    pub fn start_with(params: &Params, paused: bool) -> Result<Self, StartError> {
        let settings =
            Settings::from_params(params).map_err(|e| StartError::Other(e.to_string()))?;
        let runtime = build_runtime(settings.flavor)?;
        let gate = Arc::new(Gate::new(paused));
        let control = Arc::new(RunControl::new());
        let knobs = Arc::new(Knobs::default());
        knobs
            .produce_ms
            .store(settings.produce_ms, Ordering::Relaxed);
        knobs
            .consume_ms
            .store(settings.consume_ms, Ordering::Relaxed);
        knobs
            .server_delay_ms
            .store(settings.server_delay_ms, Ordering::Relaxed);
        let plan = Plan::new(&settings);
        let ideal_s = scenarios::ideal_s(&plan, &settings);
        let sort = Arc::new(AtomicU8::new(settings.sort as u8));
        let ctx = Arc::new(Ctx {
            tracker: Arc::new(Tracker::new(Arc::clone(&gate))),
            speed: Arc::new(Speed::default()),
            control,
            figures: Arc::new(Figures::default()),
            knobs,
            settings,
            plan,
        });
        let shared = LoopHandles {
            ctx,
            gate,
            lag: Arc::new(LagLog::default()),
            last_beat: Arc::new(LastBeat::default()),
            status: Arc::new(LoopStatus::default()),
            sort,
            stop: Arc::new(Notify::new()),
        };
        let mut observer = Observer::new(shared.clone(), ideal_s);
        let latest = SnapshotCell::new(observer.build());
        let mut demo = AsyncioDemo {
            crew: Crew::new(Arc::clone(&shared.ctx.control)),
            live: shared.ctx.settings.clone(),
            shared: shared.clone(),
            latest: latest.clone(),
            ideal_s,
        };
        demo.crew
            .spawn("asyncio-loop", move |_| run_loop(runtime, &shared))?;
        let status = Arc::clone(&demo.shared.status);
        demo.crew.spawn("asyncio-observer", move |hand| {
            loop {
                let done = status.loop_done.load(Ordering::Acquire);
                let took = Instant::now();
                let snapshot = observer.build();
                let ns = took.elapsed().as_nanos() as u64;
                status.max_snapshot_ns.fetch_max(ns, Ordering::Relaxed);
                latest.publish(snapshot);
                if done || !hand.sleep(SNAPSHOT_INTERVAL) {
                    break;
                }
            }
        })?;
        Ok(demo)
    }

    /// Stops the loop (its gate and stop signal too, so a parked or sleeping loop wakes)
    /// and joins both threads.
    fn shutdown(&mut self) {
        self.shared.ctx.control.stop();
        self.shared.gate.stop();
        self.shared.stop.notify_one();
        self.crew.stop();
    }
}

fn build_runtime(flavor: Flavor) -> Result<tokio::runtime::Runtime, StartError> {
    let mut builder = match flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(super::available_cores().clamp(2, MAX_MULTI_THREAD_WORKERS));
            b
        }
    };
    Ok(builder
        .enable_all()
        .thread_name("asyncio-worker")
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()?)
}

/// The loop thread: run `main` (and the heartbeat) until it ends or the demo stops, then
/// drop the runtime, which cancels whatever is left and joins tokio's own threads.
fn run_loop(runtime: tokio::runtime::Runtime, shared: &LoopHandles) {
    let (ctx, status, stop) = (&shared.ctx, &shared.status, &shared.stop);
    let ended = runtime.block_on(async {
        let (lag, last_beat, gate) = (
            Arc::clone(&shared.lag),
            Arc::clone(&shared.last_beat),
            Arc::clone(&shared.gate),
        );
        let beat = tokio::spawn(lag::heartbeat(lag, last_beat, gate));
        let main = ctx
            .tracker
            .spawn("main", SOLO, scenarios::main(Arc::clone(ctx)));
        let (started, paused_then) = (Instant::now(), shared.gate.paused_total());
        let ended = tokio::select! {
            _ = main => Some((started.elapsed(), shared.gate.paused_total() - paused_then)),
            () = stop.notified() => None,
        };
        beat.abort();
        ended
    });
    if let Some((took, paused)) = ended {
        status
            .scenario_ns
            .store(took.as_nanos() as u64, Ordering::Relaxed);
        status
            .scenario_paused_ns
            .store(paused.as_nanos() as u64, Ordering::Relaxed);
        status.completed.store(true, Ordering::Release);
    }
    status
        .leaked
        .store(ctx.tracker.counters().live(), Ordering::Relaxed);
    drop(runtime);
    status.loop_done.store(true, Ordering::Release);
}

impl Demo for AsyncioDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Asyncio(self.latest.latest())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        if self.live.apply(name, value).is_err() {
            return Applied::Restart; // the restart reports what is wrong with the value
        }
        let knobs = &self.shared.ctx.knobs;
        let (knob, ms) = match Settings::change_of(name) {
            Change::ProduceMs => (&knobs.produce_ms, self.live.produce_ms),
            Change::ConsumeMs => (&knobs.consume_ms, self.live.consume_ms),
            Change::ServerDelayMs => (&knobs.server_delay_ms, self.live.server_delay_ms),
            Change::Sort => {
                self.shared
                    .sort
                    .store(self.live.sort as u8, Ordering::Relaxed);
                return Applied::Live;
            }
            Change::Restart => return Applied::Restart,
        };
        knob.store(ms, Ordering::Relaxed);
        Applied::Live
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.shared.gate.set_paused(paused);
        true
    }

    fn step(&mut self) -> bool {
        self.shared.gate.step()
    }

    fn offers_step(&self) -> bool {
        true
    }

    fn offers_speed(&self) -> bool {
        true
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.shared.ctx.speed.set(speed);
        true
    }

    fn is_finished(&self) -> bool {
        self.shared.status.loop_done.load(Ordering::Acquire)
            && self.shared.status.completed.load(Ordering::Acquire)
    }

    fn stop(mut self: Box<Self>) -> Value {
        self.shutdown();
        serde_json::to_value(self.figures()).unwrap_or(Value::Null)
    }
}

impl Drop for AsyncioDemo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;
