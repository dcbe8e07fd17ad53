//! One run of each engine's work, bare (the engine's own code with its instrumentation
//! switched off: `ThreadsDemo::start(.., false)`, `PoolDemo::start_unrecorded`,
//! `ProcessesDemo::start_unaccounted`, `race::live::time_round(.., false)`,
//! `QueueDemo::start_uncounted`) or instrumented (as the demo runs), as a work rate; and
//! the rows of the table built from them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pyconc::sims::gil::GilConfig;
use pyconc::sims::gil::threads::ThreadsDemo;
use pyconc::sims::kit::config::EngineConfig;
use pyconc::sims::pool::{PoolConfig, PoolDemo};
use pyconc::sims::processes::{ProcConfig, ProcessesDemo};
use pyconc::sims::queue::QueueDemo;
use pyconc::sims::race::live::time_round;
use pyconc::sims::race::{RaceMode, RaceSetup};
use pyconc::sims::{Demo, Engine, EngineInfo, Params, Snapshot};

use crate::table::{Better, Row, alternate};

/// The most the GIL recorder, the pool's lanes and the processes' lane accounting may
/// cost (issue 16: under 3% of their work rate); the race and queue counters are held to
/// the same.
pub const GOAL: f64 = 0.03;

/// `pairs` resolved against `info`'s declared parameters.
pub fn params(info: &EngineInfo, pairs: &[(&str, &str)]) -> Params {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    info.resolve(&pairs)
        .expect("the bench's parameters are valid")
}

/// The queue's parameters: `workers` producers and as many consumers, `items` items per
/// producer, each put and get taking `work_ms`.
pub fn queue_params(workers: u64, items: u64, work_ms: u64) -> Params {
    let (workers, items, work_ms) = (workers.to_string(), items.to_string(), work_ms.to_string());
    params(
        &pyconc::sims::queue::INFO,
        &[
            ("producers", &workers),
            ("consumers", &workers),
            ("items", &items),
            ("produce_ms", &work_ms),
            ("consume_ms", &work_ms),
        ],
    )
}

/// Waits (polling every `poll`) until `demo` says it is finished.
pub fn wait_finished(demo: &dyn Demo, poll: Duration) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while !demo.is_finished() && Instant::now() < deadline {
        std::thread::sleep(poll);
    }
    assert!(demo.is_finished(), "the run did not end in 300 s");
}

/// The GIL engine on real threads for `run_for`: million batches (about 1 µs of
/// "bytecode" each) per demo second, over all threads.
pub fn gil_rate(config: &GilConfig, instrumented: bool, run_for: Duration) -> f64 {
    let demo = ThreadsDemo::start(config, instrumented).expect("the gil engine starts");
    std::thread::sleep(run_for);
    let m = Box::new(demo).stop();
    let units: f64 = m["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .map(|t| t["work_units"].as_f64().unwrap_or(0.0))
        .sum();
    units / m["measured_s"].as_f64().expect("measured_s") / 1e6
}

/// The pool's parallel part: tasks per second.
pub fn pool_rate(config: PoolConfig, recording: bool) -> f64 {
    let demo = if recording {
        PoolDemo::start(config)
    } else {
        PoolDemo::start_unrecorded(config)
    }
    .expect("the pool starts");
    wait_finished(&demo, Duration::from_millis(2));
    let Snapshot::Pool(s) = demo.snapshot() else {
        panic!("not a pool snapshot")
    };
    let _ = Box::new(demo).stop();
    config.work.tasks as f64 / s.parts.parallel_s
}

/// The pyconc binary, started as the worker processes.
pub fn worker_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pyconc"))
}

/// The processes' parallel part (worker start-up included): tasks per second.
pub fn processes_rate(config: ProcConfig, accounting: bool) -> f64 {
    let demo = if accounting {
        ProcessesDemo::start(config, worker_exe())
    } else {
        ProcessesDemo::start_unaccounted(config, worker_exe())
    }
    .expect("the processes demo starts");
    wait_finished(&demo, Duration::from_millis(2));
    let Snapshot::Processes(s) = demo.snapshot() else {
        panic!("not a processes snapshot")
    };
    assert_eq!(s.tasks_done, config.work.tasks, "every task ran");
    let _ = Box::new(demo).stop();
    config.work.tasks as f64 / s.parts.parallel_s
}

/// One race round on the engine's threads: million increments per second.
pub fn race_rate(setup: RaceSetup, counting: bool) -> f64 {
    let (spent, _) = time_round(setup, counting).expect("the race threads start");
    (setup.threads as u64 * setup.increments) as f64 / spent.as_secs_f64() / 1e6
}

/// One queue run to its end (threads started and joined included): thousand items per
/// second through the queue.
pub fn queue_rate(params: &Params, items: u64, counting: bool) -> f64 {
    let started = Instant::now();
    let demo: Box<dyn Demo> = if counting {
        pyconc::sims::queue::INFO.start(params)
    } else {
        QueueDemo::start_uncounted(params).map(|d| Box::new(d) as Box<dyn Demo>)
    }
    .expect("the queue demo starts");
    wait_finished(demo.as_ref(), Duration::from_micros(100));
    let spent = started.elapsed();
    let _ = demo.stop();
    items as f64 / spent.as_secs_f64() / 1e3
}

/// How many times the rounds a run that measures only a few dozen milliseconds gets: the
/// pool's tiny tasks, 100,000 of them, a parallel part of about 40 ms (at 20,000, its 8 ms
/// were at the mercy of one preemption by the host). Such a run costs about 0.1 s, so the
/// extra rounds are cheap.
pub const SHORT_RUN_ROUNDS: usize = 5;

/// The rows of every engine but asyncio (or of `only`), `rounds` alternate rounds each.
pub fn rows(rounds: usize, quick: bool, only: Option<&str>) -> Vec<Row> {
    let wants = |engine: &str| only.is_none_or(|o| o == engine);
    let mut rows = Vec::new();
    let run_for = Duration::from_millis(if quick { 600 } else { 1_200 });
    for (threads, interval) in [("2", "5"), ("16", "0.1")]
        .into_iter()
        .filter(|_| wants("gil"))
    {
        let p = params(
            &pyconc::sims::gil::INFO,
            &[("threads", threads), ("switch_interval_ms", interval)],
        );
        let config = GilConfig::from_params(&p).expect("gil config");
        rows.push(compare(
            rounds,
            "gil",
            format!("{threads} cpu threads, switch every {interval} ms"),
            "Mbatch/s",
            |on| gil_rate(&config, on, run_for),
        ));
    }
    for (workload, tasks, pool_rounds) in [
        ("uniform", "256", rounds),
        ("tiny", "100000", rounds * SHORT_RUN_ROUNDS),
    ]
    .into_iter()
    .filter(|_| wants("pool"))
    {
        let p = params(
            &pyconc::sims::pool::INFO,
            &[("workload", workload), ("tasks", tasks)],
        );
        let config = PoolConfig::from_params(&p).expect("pool config");
        rows.push(compare(
            pool_rounds,
            "pool",
            format!(
                "par_iter, {tasks} {workload} tasks, {} workers",
                config.work.workers
            ),
            "tasks/s",
            |on| pool_rate(config, on),
        ));
    }
    for (workload, tasks) in [("uniform", "256"), ("tiny", "2000")]
        .into_iter()
        .filter(|_| wants("processes"))
    {
        let p = params(
            &pyconc::sims::processes::INFO,
            &[("workload", workload), ("tasks", tasks)],
        );
        let config = ProcConfig::from_params(&p).expect("processes config");
        rows.push(compare(
            rounds,
            "processes",
            format!(
                "{tasks} {workload} tasks, {} workers, chunk 1",
                config.work.workers
            ),
            "tasks/s",
            |on| processes_rate(config, on),
        ));
    }
    for mode in [RaceMode::Unsafe, RaceMode::Local]
        .into_iter()
        .filter(|_| wants("race"))
    {
        let setup = RaceSetup {
            mode,
            threads: 4,
            increments: 1_000_000,
        };
        rows.push(compare(
            rounds,
            "race",
            format!("4 threads x 1,000,000 increments, {mode:?}").to_lowercase(),
            "Mincr/s",
            |on| race_rate(setup, on),
        ));
    }
    if !wants("queue") {
        return rows;
    }
    let (producers, items) = (4, 2_000);
    let p = queue_params(producers, items, 0);
    let total = producers * items;
    rows.push(compare(
        rounds,
        "queue",
        format!("{producers} producers, {producers} consumers, {total} items, maxsize 10"),
        "kitem/s",
        |on| queue_rate(&p, total, on),
    ));
    rows
}

/// One row: `run(false)` (bare) and `run(true)` (instrumented) in alternate rounds, a work
/// rate where higher is better, judged on the overhead goal.
fn compare(
    rounds: usize,
    engine: &'static str,
    work: String,
    unit: &'static str,
    run: impl Fn(bool) -> f64,
) -> Row {
    let (bare, instrumented) = alternate(rounds, || run(false), || run(true));
    Row {
        engine,
        work,
        unit,
        better: Better::Higher,
        bare,
        instrumented,
        goal: Some(GOAL),
    }
}
