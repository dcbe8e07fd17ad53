//! The `cores` demo: a live per-core CPU meter of this machine (read from the OS through
//! `sysinfo`) and `busy` spinning threads, so a learner watches cores light up as threads
//! are added. The number of spinners changes live; every spinner is joined on stop.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use arc_swap::ArcSwap;
use serde_json::json;

use super::control::RunControl;
use super::cpu_load::{CPU_SAMPLE_INTERVAL, CpuLoad};
use super::{
    Applied, Demo, Engine, EngineInfo, ParamKind, ParamSpec, ParamValue, Params, Snapshot,
    StartError,
};

/// The most spinning threads a learner can start: enough to oversubscribe any laptop.
pub const MAX_BUSY: i64 = 32;
/// Iterations of arithmetic between two looks at the stop flag (a few microseconds).
const SPIN_BATCH_ITERATIONS: u64 = 20_000;
const UNKNOWN_CORE: usize = usize::MAX;

const PARAMS: &[ParamSpec] = &[ParamSpec {
    name: "busy",
    kind: ParamKind::Int {
        min: 0,
        max: MAX_BUSY,
    },
    default: "1",
    help: "how many threads spin on the CPU (each can fill one core)",
}];

/// The `cores` engine.
pub struct CoresEngine;

/// What the `cores` engine declares about itself.
pub static INFO: EngineInfo = EngineInfo {
    name: "cores",
    title: "Your cores, live",
    about: "per-core CPU load of this machine, with threads you start spinning on it",
    params: PARAMS,
};

impl Engine for CoresEngine {
    fn info(&self) -> &'static EngineInfo {
        &INFO
    }
    fn start(&self, params: &Params) -> Result<Box<dyn Demo>, StartError> {
        Ok(Box::new(CoresDemo::start(params.int("busy") as usize)?))
    }
}

/// One core's load now and recently.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoreReading {
    /// Load in percent (0-100) over the last sample interval.
    pub load_pct: f32,
    /// Older readings first, newest last.
    pub history: Vec<f32>,
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

struct Spinner {
    stats: Arc<SpinnerStats>,
    quit: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// The running `cores` demo.
pub struct CoresDemo {
    control: Arc<RunControl>,
    spinners: Vec<Spinner>,
    spinner_stats: Arc<Mutex<Vec<Arc<SpinnerStats>>>>,
    latest: Arc<ArcSwap<CoresSnapshot>>,
    load: Arc<Mutex<CpuLoad>>,
    sampler: Option<JoinHandle<()>>,
    started: Instant,
    next_id: usize,
}

impl CoresDemo {
    fn start(busy: usize) -> Result<Self, StartError> {
        let control = Arc::new(RunControl::new());
        let latest = Arc::new(ArcSwap::from_pointee(CoresSnapshot::default()));
        let spinner_stats = Arc::new(Mutex::new(Vec::new()));
        let load = Arc::new(Mutex::new(CpuLoad::new()));
        let started = Instant::now();
        let sampler = {
            let (control, latest, stats, load) = (
                Arc::clone(&control),
                Arc::clone(&latest),
                Arc::clone(&spinner_stats),
                Arc::clone(&load),
            );
            std::thread::Builder::new()
                .name("cores-sampler".into())
                .spawn(move || sample_loop(&control, &latest, &stats, &load, started))?
        };
        let mut demo = CoresDemo {
            control,
            spinners: Vec::new(),
            spinner_stats,
            latest,
            load,
            sampler: Some(sampler),
            started,
            next_id: 1,
        };
        demo.resize(busy)?;
        Ok(demo)
    }

    /// Starts or stops spinners until exactly `busy` run.
    fn resize(&mut self, busy: usize) -> Result<(), StartError> {
        while self.spinners.len() > busy {
            let spinner = self.spinners.pop().expect("len > busy >= 0");
            spinner.quit.store(true, Ordering::Relaxed);
            let _ = spinner.thread.join();
        }
        while self.spinners.len() < busy {
            let stats = Arc::new(SpinnerStats {
                id: self.next_id,
                batches: AtomicU64::new(0),
                core: AtomicUsize::new(UNKNOWN_CORE),
            });
            self.next_id += 1;
            let quit = Arc::new(AtomicBool::new(false));
            let thread = {
                let (stats, quit, control) = (
                    Arc::clone(&stats),
                    Arc::clone(&quit),
                    Arc::clone(&self.control),
                );
                std::thread::Builder::new()
                    .name(format!("cores-spin-{}", stats.id))
                    .spawn(move || spin(&stats, &quit, &control))?
            };
            self.spinners.push(Spinner {
                stats,
                quit,
                thread,
            });
        }
        let mut shared = self.spinner_stats.lock().unwrap_or_else(|p| p.into_inner());
        *shared = self.spinners.iter().map(|s| Arc::clone(&s.stats)).collect();
        Ok(())
    }

    fn shutdown(&mut self) {
        self.control.stop();
        let _ = self.resize(0);
        if let Some(sampler) = self.sampler.take() {
            let _ = sampler.join();
        }
    }
}

/// Spins on arithmetic in batches, noting the core it runs on, until told to quit.
fn spin(stats: &SpinnerStats, quit: &AtomicBool, control: &RunControl) {
    let mut x: u64 = stats.id as u64;
    while !quit.load(Ordering::Relaxed) && control.checkpoint() {
        for i in 0..SPIN_BATCH_ITERATIONS {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.core.store(
            super::current_core().unwrap_or(UNKNOWN_CORE),
            Ordering::Relaxed,
        );
    }
}

fn sample_loop(
    control: &RunControl,
    latest: &ArcSwap<CoresSnapshot>,
    spinners: &Mutex<Vec<Arc<SpinnerStats>>>,
    load: &Mutex<CpuLoad>,
    started: Instant,
) {
    let mut last_batches: Vec<(usize, u64)> = Vec::new();
    let mut last_sample = Instant::now();
    while control.sleep(CPU_SAMPLE_INTERVAL) {
        if control.is_paused() {
            let mut paused = (**latest.load()).clone();
            paused.paused = true;
            latest.store(Arc::new(paused));
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
        latest.store(Arc::new(CoresSnapshot {
            cores,
            spinners: readings,
            elapsed_s: started.elapsed().as_secs_f64(),
            paused: false,
        }));
    }
}

impl Demo for CoresDemo {
    fn snapshot(&self) -> Snapshot {
        Snapshot::Cores(self.latest.load_full())
    }

    fn set(&mut self, name: &str, value: &ParamValue) -> Applied {
        match (name, value) {
            ("busy", ParamValue::Int(n)) if self.resize(*n as usize).is_ok() => Applied::Live,
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
            .spinners
            .iter()
            .map(|s| s.stats.batches.load(Ordering::Relaxed))
            .sum();
        self.shutdown();
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-6);
        let load = self.load.lock().unwrap_or_else(|p| p.into_inner());
        let per_core: Vec<f64> = load
            .mean_pct()
            .into_iter()
            .map(super::headless::round3)
            .collect();
        let mean = if per_core.is_empty() {
            0.0
        } else {
            per_core.iter().sum::<f64>() / per_core.len() as f64
        };
        json!({
            "cores": super::available_cores(),
            "busy": busy,
            "samples": load.samples(),
            "load_readings": !per_core.is_empty(),
            "mean_load_pct": super::headless::round3(mean),
            "per_core_mean_load_pct": per_core,
            "spin_batches_per_s": super::headless::round3(total_batches as f64 / elapsed),
        })
    }
}

impl Drop for CoresDemo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::test_support::wait_for;

    #[test]
    fn spinners_follow_busy_live_and_all_are_joined_on_stop() {
        let params = CoresEngine.resolve(&[("busy".into(), "2".into())]).unwrap();
        let mut demo = CoresEngine.start(&params).unwrap();
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

    #[test]
    fn pause_stops_the_work() {
        let params = CoresEngine.resolve(&[]).unwrap();
        let mut demo = CoresEngine.start(&params).unwrap();
        assert!(demo.set_paused(true));
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Cores(s) => s.paused,
            _ => false,
        }));
        let _ = demo.stop();
    }
}
