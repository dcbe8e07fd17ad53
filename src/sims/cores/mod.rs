//! The `cores` demo: a live per-core CPU meter of this machine (read from the OS through
//! `sysinfo`) and `busy` spinning threads, so a learner watches cores light up as threads
//! are added. The number of spinners changes live; every spinner is joined on stop.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use super::kit::config::{self, EngineConfig};
pub use super::kit::cpu_load::CoreReading;
use super::kit::cpu_load::{CPU_SAMPLE_INTERVAL, CpuLoad};
use super::kit::figures::{round3, round3_all, to_json};
use super::kit::system::{available_cores, current_core};
use super::kit::{Crew, Hand, RunControl, SnapshotCell};
use super::{
    Applied, Demo, EngineInfo, ParamError, ParamSpec, ParamValue, Params, Snapshot, StartError,
    Starter,
};

/// The most spinning threads a learner can start: enough to oversubscribe any laptop.
pub const MAX_BUSY: i64 = 32;
/// Iterations of arithmetic between two looks at the stop flag (a few microseconds).
const SPIN_BATCH_ITERATIONS: u64 = 20_000;
const UNKNOWN_CORE: usize = usize::MAX;

const PARAMS: &[ParamSpec] = &[ParamSpec::int(
    "busy",
    0,
    MAX_BUSY,
    "1",
    "how many threads spin on the CPU (each can fill one core)",
)];

/// What the `cores` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "cores",
    title: "Your cores, live",
    about: "per-core CPU load of this machine, with threads you start spinning on it",
    params: PARAMS,
    start: Starter::Running(start),
};

/// Starts the `cores` demo.
fn start(params: &Params) -> Result<Box<dyn Demo>, StartError> {
    Ok(Box::new(CoresDemo::start(
        CoresConfig::from_params(params)?.busy,
    )?))
}

/// Everything the `cores` engine takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CoresConfig {
    /// Spinning threads.
    pub busy: usize,
}

impl EngineConfig for CoresConfig {
    fn apply(&mut self, name: &str, value: &ParamValue) -> Result<(), ParamError> {
        match name {
            "busy" => self.busy = config::count_in(name, value, 0, MAX_BUSY)?,
            _ => return Err(config::unknown(INFO.name, name, PARAMS)),
        }
        Ok(())
    }
}

/// One spinning thread as last seen.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpinnerReading {
    /// 1-based thread number.
    pub id: usize,
    /// The core it was on at its last batch, where the OS says.
    pub core: Option<usize>,
    /// Batches of arithmetic done per second over the last sample.
    pub batches_per_s: f64,
}

/// What the view draws.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CoresSnapshot {
    /// One entry per logical core the OS reports; empty where it reports none.
    pub cores: Vec<CoreReading>,
    /// The spinning threads.
    pub spinners: Vec<SpinnerReading>,
    /// Seconds since start.
    pub elapsed_s: f64,
    /// True while paused.
    pub paused: bool,
}

#[derive(Debug)]
struct SpinnerStats {
    id: usize,
    batches: AtomicU64,
    core: AtomicUsize,
}

/// The running `cores` demo.
pub struct CoresDemo {
    control: Arc<RunControl>,
    /// The spinning threads, newest last; `stats` holds their counters in the same order.
    spinners: Crew,
    stats: Vec<Arc<SpinnerStats>>,
    spinner_stats: Arc<Mutex<Vec<Arc<SpinnerStats>>>>,
    latest: SnapshotCell<CoresSnapshot>,
    load: Arc<Mutex<CpuLoad>>,
    sampler: Crew,
    started: Instant,
    next_id: usize,
}

impl CoresDemo {
    fn start(busy: usize) -> Result<Self, StartError> {
        let control = Arc::new(RunControl::new());
        let latest = SnapshotCell::new(CoresSnapshot::default());
        let spinner_stats = Arc::new(Mutex::new(Vec::new()));
        let load = Arc::new(Mutex::new(CpuLoad::new()));
        let started = Instant::now();
        let mut sampler = Crew::new(Arc::clone(&control));
        {
            let (latest, stats, load) = (
                latest.clone(),
                Arc::clone(&spinner_stats),
                Arc::clone(&load),
            );
            sampler.spawn("cores-sampler", move |hand| {
                sample_loop(hand.control(), &latest, &stats, &load, started)
            })?;
        }
        let mut demo = CoresDemo {
            spinners: Crew::new(Arc::clone(&control)),
            control,
            stats: Vec::new(),
            spinner_stats,
            latest,
            load,
            sampler,
            started,
            next_id: 1,
        };
        demo.resize(busy)?;
        Ok(demo)
    }

    /// Starts or lets go of spinners until exactly `busy` are on duty. Never waits for a
    /// thread: one let go while paused wakes, leaves, and is joined on stop.
    fn resize(&mut self, busy: usize) -> Result<(), StartError> {
        while self.spinners.len() > busy {
            self.spinners.retire_newest();
            self.stats.pop();
        }
        while self.spinners.len() < busy {
            let stats = Arc::new(SpinnerStats {
                id: self.next_id,
                batches: AtomicU64::new(0),
                core: AtomicUsize::new(UNKNOWN_CORE),
            });
            self.next_id += 1;
            let theirs = Arc::clone(&stats);
            self.spinners
                .spawn(format!("cores-spin-{}", stats.id), move |hand| {
                    spin(&theirs, &hand)
                })?;
            self.stats.push(stats);
        }
        let mut shared = self.spinner_stats.lock().unwrap_or_else(|p| p.into_inner());
        *shared = self.stats.clone();
        Ok(())
    }

    /// How many spinner threads have not finished yet (on duty or let go).
    #[cfg(test)]
    fn spinner_threads_alive(&self) -> usize {
        self.spinners.threads_alive()
    }
}

/// Spins on arithmetic in batches, noting the core it runs on, until let go.
fn spin(stats: &SpinnerStats, hand: &Hand) {
    let mut x: u64 = stats.id as u64;
    while hand.checkpoint() {
        for i in 0..SPIN_BATCH_ITERATIONS {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats
            .core
            .store(current_core().unwrap_or(UNKNOWN_CORE), Ordering::Relaxed);
    }
}

fn sample_loop(
    control: &RunControl,
    latest: &SnapshotCell<CoresSnapshot>,
    spinners: &Mutex<Vec<Arc<SpinnerStats>>>,
    load: &Mutex<CpuLoad>,
    started: Instant,
) {
    let mut last_batches: Vec<(usize, u64)> = Vec::new();
    let mut last_sample = Instant::now();
    while control.sleep(CPU_SAMPLE_INTERVAL) {
        if control.is_paused() {
            latest.revise(|s| s.paused = true);
            if !control.checkpoint() {
                break;
            }
            last_sample = Instant::now();
            continue;
        }
        let cores = load.lock().unwrap_or_else(|p| p.into_inner()).sample();
        let dt = last_sample.elapsed().as_secs_f64().max(1e-6);
        last_sample = Instant::now();
        let current = spinners.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut now_batches = Vec::with_capacity(current.len());
        let readings = current
            .iter()
            .map(|s| {
                let batches = s.batches.load(Ordering::Relaxed);
                now_batches.push((s.id, batches));
                let before = last_batches
                    .iter()
                    .find(|(id, _)| *id == s.id)
                    .map_or(batches, |(_, b)| *b);
                let core = s.core.load(Ordering::Relaxed);
                SpinnerReading {
                    id: s.id,
                    core: (core != UNKNOWN_CORE).then_some(core),
                    batches_per_s: (batches - before) as f64 / dt,
                }
            })
            .collect();
        last_batches = now_batches;
        latest.publish(CoresSnapshot {
            cores,
            spinners: readings,
            elapsed_s: started.elapsed().as_secs_f64(),
            paused: false,
        });
    }
}

impl Demo for CoresDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Cores(self.latest.latest())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        let mut next = CoresConfig {
            busy: self.spinners.len(),
        };
        match next.apply(name, value) {
            Ok(()) if self.resize(next.busy).is_ok() => Applied::Live,
            _ => Applied::Restart,
        }
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.control.set_paused(paused);
        true
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        let busy = self.spinners.len();
        let total_batches: u64 = self
            .stats
            .iter()
            .map(|s| s.batches.load(Ordering::Relaxed))
            .sum();
        self.spinners.stop();
        self.sampler.stop();
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-6);
        let load = self.load.lock().unwrap_or_else(|p| p.into_inner());
        let per_core = round3_all(load.mean_pct());
        let mean = if per_core.is_empty() {
            0.0
        } else {
            per_core.iter().sum::<f64>() / per_core.len() as f64
        };
        to_json(&CoresFigures {
            cores: available_cores(),
            busy,
            samples: load.samples(),
            load_readings: !per_core.is_empty(),
            mean_load_pct: round3(mean),
            per_core_mean_load_pct: per_core,
            spin_batches_per_s: round3(total_batches as f64 / elapsed),
        })
    }
}

/// The `cores` demo's final figures (`--headless --json`).
#[derive(Debug, Serialize)]
pub struct CoresFigures {
    /// Cores the OS lets this process use.
    pub cores: usize,
    /// Spinning threads at the end.
    pub busy: usize,
    /// Load readings the means are over.
    pub samples: u64,
    /// False where the OS gave no per-core readings.
    pub load_readings: bool,
    /// Mean load over every core, in percent.
    pub mean_load_pct: f64,
    /// Each core's mean load, in percent.
    pub per_core_mean_load_pct: Vec<f64>,
    /// Batches of arithmetic per second, all spinners together.
    pub spin_batches_per_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::Engine;
    use crate::sims::test_support::wait_for;

    #[test]
    fn spinners_follow_busy_live_and_all_are_joined_on_stop() {
        let params = crate::sims::test_support::params(&INFO, &[("busy", "2")]);
        let mut demo = INFO.start(&params).unwrap();
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Cores(s) =>
                s.spinners.len() == 2 && s.spinners.iter().all(|r| r.batches_per_s > 0.0),
            _ => false,
        }));
        assert_eq!(demo.set("busy", &ParamValue::Int(3)), Applied::Live);
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Cores(s) => s.spinners.len() == 3,
            _ => false,
        }));
        let metrics = demo.stop();
        assert_eq!(metrics["busy"], 3);
        assert!(metrics["spin_batches_per_s"].as_f64().unwrap() > 0.0);
    }

    /// Issue 11, defect 18: letting a spinner go while paused must not wait for a resume.
    #[test]
    fn shrinking_while_paused_returns_and_stop_joins_every_spinner() {
        let params = crate::sims::test_support::params(&INFO, &[("busy", "2")]);
        let mut demo = CoresDemo::start(CoresConfig::from_params(&params).unwrap().busy).unwrap();
        assert_eq!(demo.spinner_threads_alive(), 2);
        assert!(demo.set_paused(true));
        assert_eq!(demo.set("busy", &ParamValue::Int(1)), Applied::Live);
        assert_eq!(demo.spinners.len(), 1);
        assert!(wait_for(|| demo.spinner_threads_alive() == 1));
        assert_eq!(demo.set("busy", &ParamValue::Int(0)), Applied::Live);
        assert!(wait_for(|| demo.spinner_threads_alive() == 0));
        assert_eq!(demo.set("busy", &ParamValue::Int(2)), Applied::Live);
        assert_eq!(demo.spinner_threads_alive(), 2);
        let (mut spinners, mut sampler) = (
            std::mem::replace(&mut demo.spinners, Crew::new(Arc::new(RunControl::new()))),
            std::mem::replace(&mut demo.sampler, Crew::new(Arc::new(RunControl::new()))),
        );
        spinners.stop();
        sampler.stop();
        assert_eq!(spinners.threads_alive() + sampler.threads_alive(), 0);
        assert_eq!(Demo::stop(Box::new(demo))["busy"], 0);
    }

    #[test]
    fn pause_stops_the_work() {
        let params = crate::sims::test_support::params(&INFO, &[]);
        let mut demo = INFO.start(&params).unwrap();
        assert!(demo.set_paused(true));
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Cores(s) => s.paused,
            _ => false,
        }));
        let _ = demo.stop();
    }
}
