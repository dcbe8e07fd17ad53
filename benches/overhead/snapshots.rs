//! What a snapshot costs at 16 threads (each engine's most, where that is fewer): the
//! slowest `Demo::snapshot()` call the UI makes over a run, and the slowest build of the
//! largest snapshot the engine publishes. The GIL's build is its own `Recorder::snapshot`
//! on a full history (16 strips of `HISTORY_CELLS`, `LATENCY_SAMPLES` I/O latencies);
//! for the others the build is a copy of their working figures under a lock, timed as a
//! clone of the run's final (largest) snapshot. Goal: under 1 ms.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pyconc::sims::gil::timeline::{Frame, GilSetup, Recorder};
use pyconc::sims::gil::{
    BATCH_NS, EngineKind, GilConfig, HISTORY_CELLS, LATENCY_SAMPLES, ThreadState, Workload,
};
use pyconc::sims::kit::config::EngineConfig;
use pyconc::sims::pool::{PoolConfig, PoolDemo};
use pyconc::sims::processes::{ProcConfig, ProcessesDemo};
use pyconc::sims::race::live::LiveDemo;
use pyconc::sims::race::{RaceMode, RaceSetup};
use pyconc::sims::{Demo, Engine, Snapshot};

use crate::engines::{params, queue_params, wait_finished, worker_exe};

/// Snapshot builds are goals under this.
const GOAL_MS: f64 = 1.0;
/// Rebuilds of the largest snapshot per engine; the slowest counts.
const BUILDS: usize = 200;

/// CPU time the calling thread has used (what a build costs without the time it was
/// descheduled: on a loaded 2-core machine a build can wait several ms for a core).
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "no thread CPU clock");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// [`BUILDS`] runs of `build`: the median wall time, the slowest wall time and the most
/// CPU time one took, in µs.
#[derive(Debug, Clone, Copy)]
pub struct Builds {
    pub median_us: f64,
    pub max_us: f64,
    pub max_cpu_us: f64,
}

fn builds(mut build: impl FnMut()) -> Builds {
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..BUILDS {
        let (t, c) = (Instant::now(), thread_cpu());
        build();
        cpu.push((thread_cpu() - c).as_secs_f64() * 1e6);
        wall.push(t.elapsed().as_secs_f64() * 1e6);
    }
    wall.sort_by(f64::total_cmp);
    Builds {
        median_us: wall[wall.len() / 2],
        max_us: wall[wall.len() - 1],
        max_cpu_us: cpu.iter().copied().fold(0.0, f64::max),
    }
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

/// Clones of the snapshot inside `snap`.
fn clone_us(snap: &Snapshot) -> Builds {
    match snap {
        Snapshot::Pool(s) => builds(|| drop(black_box((**s).clone()))),
        Snapshot::Processes(s) => builds(|| drop(black_box((**s).clone()))),
        Snapshot::Race(s) => builds(|| drop(black_box((**s).clone()))),
        Snapshot::Queue(s) => builds(|| drop(black_box((**s).clone()))),
        other => panic!("no clone timing for {other:?}"),
    }
}

/// The GIL conductor's build at 16 threads on a full history.
pub fn gil_build_us() -> Builds {
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
    let p = params(&pyconc::sims::gil::INFO, &[("threads", "16")]);
    let config = GilConfig::from_params(&p).expect("gil config");
    let cores = pyconc::sims::available_cores();
    let frame = Frame {
        setup: GilSetup::new(EngineKind::Threads, &config, cores, 1.0),
        elapsed_ns: t,
        speedup: Some(1.0),
        speedup_kind: Workload::Cpu,
        paused: false,
        calibrating: false,
        last_event: String::new(),
    };
    builds(|| drop(black_box(recorder.snapshot(frame.clone()))))
}

/// One line of the table; the goal is judged on the CPU time (the wall time on a loaded
/// machine is mostly the wait for a core).
fn line(engine: &str, work: &str, call_us: Option<f64>, b: Builds) {
    let call = call_us.map_or("-".to_string(), |c| format!("{c:.1}"));
    let worst = b.max_cpu_us.max(call_us.unwrap_or(0.0));
    let word = if worst / 1e3 < GOAL_MS {
        "met"
    } else {
        "NOT met"
    };
    println!(
        "{engine:<9} {work:<42} {call:>9} {:>9.1} {:>9.1} {:>9.1}  <1 ms {word}",
        b.median_us, b.max_us, b.max_cpu_us
    );
}

/// Prints the table; `asyncio` is the engine's own slowest build at `n` tasks (ms).
pub fn table(asyncio: Option<f64>, asyncio_tasks: u32, quick: bool) {
    println!(
        "{:<9} {:<42} {:>9} {:>9} {:>9} {:>9}  goal",
        "engine", "at", "call µs", "build µs", "max wall", "max CPU"
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
        let demo = pyconc::sims::queue::INFO
            .start(&queue_params(8, 100, 1))
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
        Some(ms) => println!(
            "{:<9} {:<42} {:>9} {:>9} {:>9.1} {:>9}  <1 ms {}",
            "asyncio",
            format!("{asyncio_tasks} tasks (its max_snapshot_ms)"),
            "-",
            "-",
            ms * 1e3,
            "-",
            if ms < GOAL_MS { "met" } else { "NOT met" }
        ),
        None => println!("asyncio   no max_snapshot_ms in its figures"),
    }
    println!(
        "call: the UI's snapshot(), slowest over the run (an Arc from a lock-free cell); build: \
         the engine's own snapshot construction, median wall time of {BUILDS}, slowest wall \
         time, most CPU time (the goal is judged on CPU time and the call; asyncio: the \
         slowest build of its run, wall time)."
    );
    println!();
}
