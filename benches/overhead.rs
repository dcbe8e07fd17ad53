//! What pyconc's instrumentation costs (a plain program, not a timed test): each engine's
//! work run bare and instrumented, alternately in one process, medians of the rounds, and
//! the overhead as a ratio. Also the asyncio per-task cost from 1,000 to 1,000,000 tasks,
//! CPython 3.14's asyncio on the same shape when a 3.14 is found, and the snapshot cost at
//! scale.
//!
//! ```text
//! cargo bench --bench overhead              # everything
//! cargo bench --bench overhead -- quick     # fewer rounds, no 1,000,000-task row
//! ```
//!
//! The bare and instrumented sides share the engines' own code: the asyncio rows spawn the
//! same sleeps through tokio directly and through the engine's [`Tracker`]. Figures from a
//! shared, noisy machine: read the ratios, quote the load average printed with them.

use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyconc::sims::asyncio::gate::Gate;
use pyconc::sims::asyncio::settings::PARAMS;
use pyconc::sims::asyncio::tracker::{TaskEnd, Tracker, WaitKind, waiting_on};
use pyconc::sims::kit::config::EngineConfig;
use pyconc::sims::pool::{PoolConfig, PoolDemo};
use pyconc::sims::{Demo, Engine, Params};
use pyconc::theme::{Theme, ThemeName};
use pyconc::ui::demo::render_view;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Each task's awaited sleep in the per-task rows (the scale scenario's shape).
const SLEEP: Duration = Duration::from_millis(1);
/// Spawns between the spawner's yields (the engine's `SPAWN_BATCH`).
const SPAWN_BATCH: u32 = 1_000;

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let rounds = if quick { 3 } else { 5 };
    println!("pyconc overhead bench ({})", machine());
    println!();
    // First, so the process's peak memory is the engine's own at its largest size.
    engine_at_scale(if quick { 100_000 } else { 1_000_000 });
    asyncio_rows(rounds, quick);
    header();
    pool_rows(rounds);
}

/// Seconds of a pool run's parallel part, recorded or bare.
fn pool_run(config: PoolConfig, recording: bool) -> f64 {
    let demo = if recording {
        PoolDemo::start(config)
    } else {
        PoolDemo::start_unrecorded(config)
    }
    .expect("the pool starts");
    while !demo.is_finished() {
        std::thread::sleep(Duration::from_millis(2));
    }
    let json = Box::new(demo).stop();
    json["parallel_s"].as_f64().expect("parallel_s")
}

/// rayon's par_iter over the pool demo's default tasks, without and with lane recording.
fn pool_rows(rounds: usize) {
    let params = pyconc::sims::pool::INFO.resolve(&[]).expect("pool params");
    let config = PoolConfig::from_params(&params).expect("pool config");
    let work = format!(
        "par_iter, {} tasks, {} workers",
        config.work.tasks, config.work.workers
    );
    let (bare, recorded) = alternate(
        rounds,
        || pool_run(config, false),
        || pool_run(config, true),
    );
    row("pool", &work, "s", bare, recorded);
}

/// The whole asyncio engine on the scale scenario at `n` tasks, its view drawn from every
/// snapshot it publishes (120x40): the slowest frame, the slowest snapshot build, the
/// per-task cost and peak memory from its `--json` figures.
fn engine_at_scale(n: u32) {
    let pairs: Vec<(String, String)> = [("scenario", "scale"), ("tasks", &n.to_string()[..])]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let params = Params::resolve("asyncio", PARAMS, &pairs).expect("scale params");
    let theme = Theme::new(ThemeName::Dark, true);
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    let demo = pyconc::sims::asyncio::INFO
        .start(&params)
        .expect("the asyncio engine starts");
    let (mut frames, mut slowest) = (0u32, Duration::ZERO);
    let started = Instant::now();
    while !demo.is_finished() && started.elapsed() < Duration::from_secs(120) {
        let snap = demo.snapshot();
        let t = Instant::now();
        render_view(&snap, &theme, area, &mut buf);
        slowest = slowest.max(t.elapsed());
        frames += 1;
        black_box(&buf);
        std::thread::sleep(Duration::from_millis(20));
    }
    let json = demo.stop();
    let get = |k: &str| json.get(k).map_or("null".to_string(), |v| v.to_string());
    println!("asyncio engine, scale scenario, {n} tasks of 10 ms (its --json figures)");
    println!(
        "  per_task_us {}  scenario_s {}  max_snapshot_ms {}  peak_rss_mb {}  slowest frame {:.3} ms of {frames} (120x40)",
        get("per_task_us"),
        get("scenario_s"),
        get("max_snapshot_ms"),
        get("peak_rss_mb"),
        slowest.as_secs_f64() * 1e3,
    );
    println!();
}

/// `N cores, load a b c`.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into());
    format!("{cores} cores, load average {load}")
}

/// The median of `xs`.
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Runs `a` and `b` alternately `rounds` times; the medians of their figures.
fn alternate(rounds: usize, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) -> (f64, f64) {
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        xa.push(a());
        xb.push(b());
    }
    (median(&mut xa), median(&mut xb))
}

/// One table row: bare and instrumented figures (lower is better) and their ratio.
fn row(engine: &str, work: &str, unit: &str, bare: f64, instrumented: f64) {
    println!(
        "{engine:<10} {work:<34} {bare:>10.3} {instrumented:>12.3} {unit:<6} {:>6.2}x",
        instrumented / bare
    );
}

fn header() {
    println!(
        "{:<10} {:<34} {:>10} {:>12} {:<6} {:>7}",
        "engine", "work", "bare", "instrumented", "unit", "ratio"
    );
}

/// A current-thread runtime like the engine's loop.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Microseconds per task for `n` tasks each sleeping [`SLEEP`], spawned bare.
fn bare_tokio(n: u32) -> f64 {
    let rt = runtime();
    let started = Instant::now();
    rt.block_on(async move {
        let mut handles = Vec::with_capacity(n as usize);
        for i in 0..n {
            handles.push(tokio::spawn(async {
                tokio::time::sleep(SLEEP).await;
                black_box(TaskEnd::Done)
            }));
            if (i + 1) % SPAWN_BATCH == 0 {
                tokio::task::yield_now().await;
            }
        }
        for h in handles {
            let _ = h.await;
        }
    });
    let spent = started.elapsed();
    drop(rt);
    per_task_us(spent, n)
}

/// The same through the engine's tracker (what the scale scenario does per task).
fn tracked_tokio(n: u32) -> f64 {
    let rt = runtime();
    let tracker = Arc::new(Tracker::new(Arc::new(Gate::new(false))));
    let started = Instant::now();
    let t = Arc::clone(&tracker);
    rt.block_on(async move {
        let mut handles = Vec::with_capacity(n as usize);
        for i in 0..n {
            handles.push(t.spawn("task", i + 1, async {
                waiting_on(WaitKind::Timer, tokio::time::sleep(SLEEP)).await;
                TaskEnd::Done
            }));
            if (i + 1) % SPAWN_BATCH == 0 {
                tokio::task::yield_now().await;
            }
        }
        for h in handles {
            let _ = h.await;
        }
    });
    let spent = started.elapsed();
    assert_eq!(tracker.counters().counts().done, u64::from(n));
    drop(rt);
    per_task_us(spent, n)
}

/// (elapsed - one sleep) / n, in microseconds.
fn per_task_us(spent: Duration, n: u32) -> f64 {
    spent.saturating_sub(SLEEP).as_secs_f64() * 1e6 / f64::from(n)
}

/// The asyncio script of the same shape: N tasks each `await asyncio.sleep(0.001)`,
/// gathered; prints microseconds per task (elapsed less the one sleep).
const CPYTHON_SCALE: &str = r#"
import asyncio, sys, time
async def task():
    await asyncio.sleep(0.001)
async def main(n):
    t = time.perf_counter()
    await asyncio.gather(*(task() for _ in range(n)))
    return time.perf_counter() - t
n = int(sys.argv[1])
spent = asyncio.run(main(n))
print((spent - 0.001) * 1e6 / n)
"#;

/// A CPython 3.14 to compare with: `PYCONC_PY314`, then the known install, then PATH.
fn python314() -> Option<String> {
    let candidates = [
        std::env::var("PYCONC_PY314").ok(),
        Some("/work/py314/bin/python3.14".into()),
        Some("python3.14".into()),
    ];
    candidates.into_iter().flatten().find(|py| {
        Command::new(py)
            .args(["-c", "import sys; assert sys.version_info[:2] == (3, 14)"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// CPython's per-task microseconds for `n` tasks, or `None` if it failed.
fn cpython_scale(py: &str, n: u32) -> Option<f64> {
    let out = Command::new(py)
        .args(["-c", CPYTHON_SCALE, &n.to_string()])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn asyncio_rows(rounds: usize, quick: bool) {
    let sizes: &[u32] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let py = python314();
    println!(
        "asyncio scale: N tasks each awaiting a 1 ms sleep, µs per task (elapsed less one sleep)"
    );
    println!(
        "{:>9} {:>10} {:>10} {:>7} {:>12} {:>10}",
        "tasks", "bare tokio", "pyconc", "ratio", "CPython 3.14", "CPython/pyconc"
    );
    for &n in sizes {
        let rounds = if n >= 1_000_000 {
            rounds.min(3)
        } else {
            rounds
        };
        let (bare, tracked) = alternate(rounds, || bare_tokio(n), || tracked_tokio(n));
        let cpython = py.as_deref().and_then(|py| {
            let mut xs: Vec<f64> = (0..rounds.min(3))
                .filter_map(|_| cpython_scale(py, n))
                .collect();
            (!xs.is_empty()).then(|| median(&mut xs))
        });
        let (cp, lead) = match cpython {
            Some(c) => (format!("{c:.3}"), format!("{:.1}x", c / tracked)),
            None => ("not found".into(), "-".into()),
        };
        println!(
            "{n:>9} {bare:>10.3} {tracked:>10.3} {:>6.2}x {cp:>12} {lead:>10}",
            tracked / bare
        );
    }
    println!();
}
