//! The `asyncio` demo: a tokio current-thread runtime on its own OS thread plays asyncio's
//! event loop (one thread, tasks that run until they `await`). Every task a scenario spawns
//! is tracked, so the view shows which one is polled now, which are ready, what the others
//! wait on, and how late the loop's heartbeat runs (its lag).
//!
//! Threads: the loop thread (it owns the runtime; with `flavor=multi_thread` tokio adds its
//! workers), tokio's blocking pool (offload only) and one observer thread that publishes
//! snapshots. `stop()` wakes everything, drops the runtime (which cancels every task, closes
//! every socket and joins tokio's threads) and joins the loop and observer threads.

pub mod echo;
pub mod figures;
pub mod gate;
pub mod lag;
pub mod scenarios;
pub mod settings;
pub mod snapshot;
pub mod tracker;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::control::RunControl;
use super::headless::round3;
use super::{Applied, Demo, Engine, EngineInfo, ParamValue, Params, Snapshot, StartError};
use figures::{Figures, Knobs};
use gate::{Gate, Speed};
use lag::{LagLog, LastBeat};
use scenarios::{Ctx, Plan};
use settings::{Flavor, Scenario, Settings, SortBy};
use snapshot::{LoopStatus, Observer};
use tracker::{SOLO, Tracker};

pub use snapshot::AsyncioSnapshot;

/// How often the observer publishes a snapshot.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_millis(50);
/// Worker threads of the multi-thread flavor, at most (and at least 2, to show the point).
pub const MAX_MULTI_THREAD_WORKERS: usize = 4;
/// tokio's blocking pool cap (offload uses one thread at a time).
pub const MAX_BLOCKING_THREADS: usize = 8;

/// The `asyncio` engine.
pub struct AsyncioEngine;

/// What the `asyncio` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "asyncio",
    title: "The asyncio event loop, every task visible",
    about: "a tokio loop on one thread plays asyncio: which task runs, which are ready, what the rest wait on, and the loop's lag",
    params: settings::PARAMS,
};

impl Engine for AsyncioEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        Ok(Box::new(AsyncioDemo::start_with(params, false)?))
    }
}

/// The running `asyncio` demo.
pub struct AsyncioDemo {
    ctx: Arc<Ctx>,
    gate: Arc<Gate>,
    stop_signal: Arc<Notify>,
    status: Arc<LoopStatus>,
    lag: Arc<LagLog>,
    sort: Arc<AtomicU8>,
    latest: Arc<ArcSwap<AsyncioSnapshot>>,
    loop_thread: Option<JoinHandle<()>>,
    observer: Option<JoinHandle<()>>,
    ideal_s: f64,
}

impl AsyncioDemo {
    /// Starts the scenario; with `paused`, the loop parks before its very first poll, so a
    /// class (or a test) can step from the start.
    pub fn start_with(params: &Params, paused: bool) -> Result<Self, StartError> {
        let settings = Settings::from_params(params);
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
        let ideal_s = plan.ideal_s(&settings);
        let sort = Arc::new(AtomicU8::new(snapshot::sort_to_u8(settings.sort)));
        let ctx = Arc::new(Ctx {
            tracker: Arc::new(Tracker::new(Arc::clone(&gate))),
            speed: Arc::new(Speed::default()),
            control,
            figures: Arc::new(Figures::default()),
            knobs,
            settings,
            plan,
        });
        let status = Arc::new(LoopStatus::default());
        let lag = Arc::new(LagLog::default());
        let last_beat = Arc::new(LastBeat::default());
        let stop_signal = Arc::new(Notify::new());

        let mut observer = Observer::new(
            Arc::clone(&ctx),
            Arc::clone(&gate),
            Arc::clone(&lag),
            Arc::clone(&last_beat),
            Arc::clone(&status),
            Arc::clone(&sort),
            ideal_s,
        );
        let latest = Arc::new(ArcSwap::from_pointee(observer.build()));

        let mut demo = AsyncioDemo {
            ctx: Arc::clone(&ctx),
            gate: Arc::clone(&gate),
            stop_signal: Arc::clone(&stop_signal),
            status: Arc::clone(&status),
            lag: Arc::clone(&lag),
            sort,
            latest: Arc::clone(&latest),
            loop_thread: None,
            observer: None,
            ideal_s,
        };
        let loop_thread = {
            let (ctx, status, stop, lag, beat, gate) = (
                Arc::clone(&ctx),
                Arc::clone(&status),
                Arc::clone(&stop_signal),
                Arc::clone(&lag),
                Arc::clone(&last_beat),
                Arc::clone(&gate),
            );
            std::thread::Builder::new()
                .name("asyncio-loop".into())
                .spawn(move || run_loop(runtime, &ctx, &status, &stop, lag, beat, gate))?
        };
        demo.loop_thread = Some(loop_thread);
        let observer_thread = {
            let (status, control) = (Arc::clone(&status), Arc::clone(&ctx.control));
            std::thread::Builder::new()
                .name("asyncio-observer".into())
                .spawn(move || {
                    loop {
                        let done = status.loop_done.load(Ordering::Acquire);
                        latest.store(Arc::new(observer.build()));
                        if done || !control.sleep(SNAPSHOT_INTERVAL) {
                            break;
                        }
                    }
                })?
        };
        demo.observer = Some(observer_thread);
        Ok(demo)
    }

    fn shutdown(&mut self) {
        self.ctx.control.stop();
        self.gate.stop();
        self.stop_signal.notify_one();
        if let Some(t) = self.loop_thread.take() {
            let _ = t.join();
        }
        if let Some(t) = self.observer.take() {
            let _ = t.join();
        }
    }

    /// The final figures (after the threads are joined).
    fn metrics(&self) -> Value {
        let c = self.ctx.tracker.counters();
        let counts = c.counts();
        let s = &self.ctx.settings;
        let f = &self.ctx.figures;
        let lag = self.lag.summary();
        let completed = self.status.completed.load(Ordering::Acquire);
        let scenario_s =
            completed.then(|| self.status.scenario_ns.load(Ordering::Relaxed) as f64 / 1e9);
        let peak = match s.scenario {
            Scenario::Semaphore => f.inside.peak(),
            Scenario::Io => f.connections.peak(),
            _ => c.peak_live(),
        };
        let polls = c.polls();
        let mut m = json!({
            "scenario": s.scenario.name(),
            "flavor": s.flavor.name(),
            "completed": completed,
            "ideal_s": round3(self.ideal_s),
            "scenario_s": scenario_s.map(round3),
            "overhead_s": scenario_s.map(|t| round3(t - self.ideal_s)),
            "tasks_spawned": c.spawned(),
            "tasks_completed": counts.done,
            "tasks_failed": counts.failed,
            "tasks_cancelled": counts.cancelled,
            "tasks_leaked": if completed { self.status.leaked.load(Ordering::Relaxed) } else { 0 },
            "cleanups_run": f.cleanups_run.load(Ordering::Relaxed),
            "peak_concurrency": peak,
            "lag_ms": {
                "p50": round3(lag.p50_ms),
                "p99": round3(lag.p99_ms),
                "max": round3(lag.max_ms),
            },
            "heartbeats": lag.samples,
            "polls": polls,
            "busy_s": round3(c.busy_s()),
            "mean_ready_ms": round3(c.ready_s() * 1000.0 / polls.max(1) as f64),
            "max_ready_ms": round3(c.max_delay_ms()),
        });
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let extra = match s.scenario {
            Scenario::Gather => json!({ "results_collected": get(&f.results_collected) }),
            Scenario::TaskGroup => {
                let group = |g: figures::GroupCounts| {
                    json!({
                        "children": s.tasks,
                        "completed": g.completed,
                        "failed": g.failed,
                        "cancelled": g.cancelled,
                        "cleanups_run": g.cleanups_run,
                        "completed_after_failure": g.completed_after_failure,
                    })
                };
                json!({
                    "taskgroup": group(f.taskgroup.read()),
                    "gather": group(f.gather.read()),
                })
            }
            Scenario::Blocking | Scenario::Offload => json!({
                "block_ms": s.block_ms,
                "blocking_calls_on_loop": get(&f.blocking_calls),
                "offloaded_calls": get(&f.offloaded_calls),
            }),
            Scenario::Semaphore => json!({ "limit": s.limit, "work_ms": s.work_ms }),
            Scenario::Timeout => json!({ "timeout_ms": s.timeout_ms }),
            Scenario::Queue => json!({
                "maxsize": s.maxsize,
                "max_depth": f.queue_depth.peak(),
                "producer_blocked_ms": round3(get(&f.producer_blocked_ns) as f64 / 1e6),
                "items_produced": get(&f.items_produced),
                "items_consumed": get(&f.items_consumed),
                "sentinels_sent": get(&f.sentinels_sent),
            }),
            Scenario::Io => {
                let requests = get(&f.requests);
                let span_s = get(&f.io_last_ns).saturating_sub(get(&f.io_first_ns)) as f64 / 1e9;
                json!({
                    "clients": s.clients,
                    "requests": requests,
                    "requests_per_s": round3(if span_s > 0.0 { requests as f64 / span_s } else { 0.0 }),
                    "peak_connections": f.connections.peak(),
                    "connections_accepted": get(&f.connections_accepted),
                    "connections_closed": get(&f.connections_closed),
                    "connections_open_at_end": f.connections.now(),
                    "client_errors": get(&f.client_errors),
                })
            }
            Scenario::Scale => json!({ "work_ms": s.work_ms }),
        };
        if let (Value::Object(m), Value::Object(extra)) = (&mut m, extra) {
            m.extend(extra);
        }
        m
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
fn run_loop(
    runtime: tokio::runtime::Runtime,
    ctx: &Arc<Ctx>,
    status: &LoopStatus,
    stop: &Notify,
    lag: Arc<LagLog>,
    last_beat: Arc<LastBeat>,
    gate: Arc<Gate>,
) {
    let ended = runtime.block_on(async {
        let beat = tokio::spawn(lag::heartbeat(lag, last_beat, gate));
        let main = ctx
            .tracker
            .spawn("main", SOLO, scenarios::main(Arc::clone(ctx)));
        let started = Instant::now();
        let ended = tokio::select! {
            _ = main => Some(started.elapsed()),
            () = stop.notified() => None,
        };
        beat.abort();
        ended
    });
    if let Some(took) = ended {
        status
            .scenario_ns
            .store(took.as_nanos() as u64, Ordering::Relaxed);
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
        Snapshot::Asyncio(self.latest.load_full())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        let knobs = &self.ctx.knobs;
        let knob = match name {
            "produce_ms" => &knobs.produce_ms,
            "consume_ms" => &knobs.consume_ms,
            "server_delay_ms" => &knobs.server_delay_ms,
            "sort" => {
                if let ParamValue::Text(v) = value {
                    let sort = SortBy::from_name(v);
                    self.sort
                        .store(snapshot::sort_to_u8(sort), Ordering::Relaxed);
                    return Applied::Live;
                }
                return Applied::Restart;
            }
            _ => return Applied::Restart,
        };
        match value {
            ParamValue::Int(v) => {
                knob.store((*v).max(0) as u64, Ordering::Relaxed);
                Applied::Live
            }
            _ => Applied::Restart,
        }
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.gate.set_paused(paused);
        true
    }

    fn step(&mut self) -> bool {
        self.gate.step()
    }

    fn set_speed(&mut self, speed: f64) -> bool {
        self.ctx.speed.set(speed);
        true
    }

    fn is_finished(&self) -> bool {
        self.status.loop_done.load(Ordering::Acquire)
            && self.status.completed.load(Ordering::Acquire)
    }

    fn stop(mut self: Box<Self>) -> Value {
        self.shutdown();
        self.metrics()
    }
}

impl Drop for AsyncioDemo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests;
