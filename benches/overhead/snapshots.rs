//! What a snapshot costs at 16 threads (each engine's most, where that is fewer): the
//! slowest `Demo::snapshot()` call the UI makes over a run, and the slowest build of the
//! largest snapshot the engine publishes. The GIL's build is its own `Recorder::snapshot`
//! on a full history (16 strips of `HISTORY_CELLS`, `LATENCY_SAMPLES` I/O latencies);
//! for the others the build is a copy of their working figures under a lock, timed as a
//! clone of the run's final (largest) snapshot. Goal: under 1 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pyconc::sims::gil::timeline::{Frame, Recorder};
use pyconc::sims::gil::{
    BATCH_NS, EngineKind, GilConfig, HISTORY_CELLS, LATENCY_SAMPLES, Mode, ThreadState, Workload,
};
use pyconc::sims::kit::config::EngineConfig;
use pyconc::sims::pool::{PoolConfig, PoolDemo};
use pyconc::sims::processes::{ProcConfig, ProcessesDemo};
use pyconc::sims::race::live::LiveDemo;
use pyconc::sims::race::{RaceMode, RaceSetup};
use pyconc::sims::{Demo, Engine, Snapshot};

use crate::engines::{params, wait_finished, worker_exe};

/// Snapshot builds are goals under this.
const GOAL_MS: f64 = 1.0;
/// Rebuilds of the largest snapshot per engine; the slowest counts.
const BUILDS: usize = 200;

/// The slowest of [`BUILDS`] runs of `build`, in µs.
fn slowest_us(mut build: impl FnMut()) -> f64 {
    (0..BUILDS)
        .map(|_| {
            let t = Instant::now();
            build();
            t.elapsed()
        })
        .max()
        .unwrap_or_default()
        .as_secs_f64()
        * 1e6
}

/// Calls `demo.snapshot()` every millisecond until `done` says so (or `limit` passes);
/// the slowest call in µs and the last snapshot.
fn watch(demo: &dyn Demo, limit: Duration, mut done: impl FnMut() -> bool) -> (f64, Snapshot) {
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    loop {
        let t = Instant::now();
        let snap = demo.snapshot();
        slowest = slowest.max(t.elapsed());
        if done() || started.elapsed() >= limit {
            return (slowest.as_secs_f64() * 1e6, snap);
        }
        black_box(&snap);
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The slowest clone of the snapshot inside `snap`, in µs.
fn clone_us(snap: &Snapshot) -> f64 {
    match snap {
        Snapshot::Pool(s) => slowest_us(|| drop(black_box((**s).clone()))),
        Snapshot::Processes(s) => slowest_us(|| drop(black_box((**s).clone()))),
        Snapshot::Race(s) => slowest_us(|| drop(black_box((**s).clone()))),
        Snapshot::Queue(s) => slowest_us(|| drop(black_box((**s).clone()))),
        Snapshot::Gil(s) => slowest_us(|| drop(black_box((**s).clone()))),
        _ => f64::NAN,
    }
}

/// The GIL conductor's build at 16 threads on a full history.
fn gil_build_us() -> f64 {
    let workloads: Vec<Workload> = (0..16)
        .map(|i| {
            if i % 4 == 3 {
                Workload::Io
            } else {
                Workload::Cpu
            }
        })
        .collect();
    let cell_ns = 2_500_000; // a 5 ms interval, two cells per interval
    let mut recorder = Recorder::new(&workloads, cell_ns, 0);
    let states = [ThreadState::Running, ThreadState::Waiting, ThreadState::Io];
    let mut t = 0;
    for step in 0..(HISTORY_CELLS as u64 * 8) {
        t += cell_ns / 4;
        let thread = (step % 16) as usize;
        recorder.set_state(thread, t, states[(step % 3) as usize]);
        recorder.switch();
        recorder.add_units(thread, 1_000.0);
    }
    for i in 0..LATENCY_SAMPLES as u64 {
        recorder.io_latency(BATCH_NS * (1 + i % 5_000));
    }
    recorder.advance_all(t);
    recorder.add_measured(t);
    let frame = Frame {
        engine: EngineKind::Threads,
        mode: Mode::Gil,
        cores: pyconc::sims::available_cores(),
        switch_interval_ms: 5.0,
        io_ms: 1.0,
        slow_motion: 1.0,
        elapsed_ns: t,
        speedup: Some(1.0),
        speedup_kind: Workload::Cpu,
        paused: false,
        calibrating: false,
        last_event: String::new(),
    };
    slowest_us(|| drop(black_box(recorder.snapshot(frame.clone()))))
}

/// One line of the table.
fn line(engine: &str, work: &str, call_us: Option<f64>, build_us: f64) {
    let call = call_us.map_or("-".to_string(), |c| format!("{c:.1}"));
    let word = if build_us / 1e3 < GOAL_MS && call_us.is_none_or(|c| c / 1e3 < GOAL_MS) {
        "met"
    } else {
        "NOT met"
    };
    println!("{engine:<9} {work:<44} {call:>14} {build_us:>12.1}  <1 ms {word}");
}

/// Prints the table; `asyncio` is the engine's own slowest build at `n` tasks (ms).
pub fn table(asyncio: Option<f64>, asyncio_tasks: u32, quick: bool) {
    println!(
        "{:<9} {:<44} {:>14} {:>12}  goal",
        "engine", "at", "snapshot() µs", "build µs"
    );
    let limit = Duration::from_secs(if quick { 20 } else { 60 });
    {
        let p = params(&pyconc::sims::gil::INFO, &[("threads", "16")]);
        let config = GilConfig::from_params(&p).expect("gil config");
        let demo = pyconc::sims::gil::threads::ThreadsDemo::start(&config, true)
            .expect("the gil engine starts");
        let (call, _) = watch(&demo, Duration::from_millis(800), || false);
        let _ = Box::new(demo).stop();
        line(
            "gil",
            "16 threads; build: Recorder, full history",
            Some(call),
            gil_build_us(),
        );
    }
    {
        let p = params(&pyconc::sims::pool::INFO, &[("workers", "16")]);
        let demo = PoolDemo::start(PoolConfig::from_params(&p).expect("pool config"))
            .expect("the pool starts");
        let (call, snap) = watch(&demo, limit, || demo.is_finished());
        let _ = Box::new(demo).stop();
        line("pool", "16 workers, 256 tasks", Some(call), clone_us(&snap));
    }
    {
        let p = params(&pyconc::sims::processes::INFO, &[("workers", "16")]);
        let config = ProcConfig::from_params(&p).expect("processes config");
        let demo = ProcessesDemo::start(config, worker_exe()).expect("processes start");
        let (call, snap) = watch(&demo, limit, || demo.is_finished());
        let _ = Box::new(demo).stop();
        line(
            "processes",
            "16 worker processes, 256 tasks",
            Some(call),
            clone_us(&snap),
        );
    }
    {
        let setup = RaceSetup {
            mode: RaceMode::Unsafe,
            threads: 8,
            increments: 1_000_000,
        };
        let demo = LiveDemo::start(setup, 1).expect("the race starts");
        let (call, snap) = watch(&demo, limit, || demo.is_finished());
        let _ = Box::new(demo).stop();
        line("race", "8 threads (its most)", Some(call), clone_us(&snap));
    }
    {
        let p = params(
            &pyconc::sims::queue::INFO,
            &[
                ("producers", "8"),
                ("consumers", "8"),
                ("items", "100"),
                ("produce_ms", "1"),
                ("consume_ms", "1"),
            ],
        );
        let demo = pyconc::sims::queue::INFO
            .start(&p)
            .expect("the queue starts");
        let (call, snap) = watch(demo.as_ref(), limit, || demo.is_finished());
        wait_finished(demo.as_ref(), Duration::from_millis(2));
        let _ = demo.stop();
        line(
            "queue",
            "8 producers + 8 consumers",
            Some(call),
            clone_us(&snap),
        );
    }
    match asyncio {
        Some(ms) => line(
            "asyncio",
            &format!("{asyncio_tasks} tasks (engine's max_snapshot_ms)"),
            None,
            ms * 1e3,
        ),
        None => println!("asyncio   no max_snapshot_ms in its figures"),
    }
    println!(
        "snapshot(): the UI's call, slowest over the run (an Arc from a lock-free cell); build: \
         the engine's own snapshot construction, slowest of {BUILDS} (asyncio: of its run)."
    );
    println!();
}
