//! The asyncio rows: N tasks each awaiting a 1 ms sleep, spawned through bare tokio and
//! through the engine's [`Tracker`], alternately, from 1,000 to 1,000,000 tasks, beside
//! CPython 3.14's asyncio on the same shape when a 3.14 is found; and the whole engine on
//! its `scale` scenario (per-task cost, slowest snapshot build, peak memory, slowest frame).

use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyconc::sims::asyncio::gate::Gate;
use pyconc::sims::asyncio::settings::PARAMS;
use pyconc::sims::asyncio::tracker::{TaskEnd, Tracker, WaitKind, waiting_on};
use pyconc::sims::{Engine, Params};

use crate::table::{Better, Figure, Row, alternate, median};
use pyconc::theme::{Theme, ThemeName};
use pyconc::ui::demo::render_view;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Each task's awaited sleep in the per-task rows (the scale scenario's shape).
const SLEEP: Duration = Duration::from_millis(1);
/// Spawns between the spawner's yields (the engine's `SPAWN_BATCH`).
const SPAWN_BATCH: u32 = 1_000;

/// The whole asyncio engine on the scale scenario at `n` tasks, its view drawn from every
/// snapshot it publishes (120x40): the slowest frame, the slowest snapshot build, the
/// per-task cost and peak memory from its `--json` figures. Returns the slowest snapshot
/// build in ms (the engine's own `max_snapshot_ms`).
pub fn engine_at_scale(n: u32) -> Option<f64> {
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
    json.get("max_snapshot_ms").and_then(|v| v.as_f64())
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

/// Most µs per task the scale scenario may cost at 100,000 tasks (issue 16).
const GOAL_US_PER_TASK: f64 = 1.1;
/// How many times faster than CPython 3.14's asyncio it should be there.
const GOAL_LEAD: f64 = 10.0;
/// The tasks the goals are stated at.
const GOAL_TASKS: u32 = 100_000;

/// Prints the per-task table; the summary row at [`GOAL_TASKS`] (bare tokio against the
/// tracker, goal within 2x).
pub fn asyncio_rows(rounds: usize, quick: bool) -> Row {
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
    let (mut goals, mut summary) = (String::new(), None::<(Figure, Figure)>);
    for &n in sizes {
        let rounds = if n >= 1_000_000 {
            rounds.min(3)
        } else {
            rounds
        };
        let (bare_fig, tracked_fig) = alternate(rounds, || bare_tokio(n), || tracked_tokio(n));
        let (bare, tracked) = (bare_fig.median, tracked_fig.median);
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
        if n == GOAL_TASKS {
            let lead = cpython.map_or("no CPython 3.14 found".to_string(), |c| {
                let word = if c / tracked >= GOAL_LEAD {
                    "met"
                } else {
                    "NOT met"
                };
                format!(
                    "{:.1}x below CPython 3.14: goal >= {GOAL_LEAD}x {word}",
                    c / tracked
                )
            });
            let word = if tracked <= GOAL_US_PER_TASK {
                "met"
            } else {
                "NOT met"
            };
            goals = format!(
                "at {n} tasks: {tracked:.3} µs per task, goal <= {GOAL_US_PER_TASK} {word}; {lead}"
            );
            summary = Some((bare_fig, tracked_fig));
        }
    }
    println!("{goals}");
    println!();
    let (bare, instrumented) = summary.expect("the goal size is always measured");
    Row {
        engine: "asyncio",
        work: format!("{GOAL_TASKS} tasks, 1 ms sleeps, bare tokio"),
        unit: "µs/task",
        better: Better::Lower,
        bare,
        instrumented,
        goal: Some(1.0),
    }
}
