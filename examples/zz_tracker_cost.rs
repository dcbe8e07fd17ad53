//! Scratch (not committed): bare vs tracked spawns for callgrind.
use pyconc::sims::asyncio::gate::Gate;
use pyconc::sims::asyncio::tracker::{TaskEnd, Tracker, WaitKind, waiting_on};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
const SLEEP: Duration = Duration::from_millis(1);
fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
fn main() {
    let mode = std::env::args().nth(1).unwrap_or("both".into());
    let n: u32 = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(100_000);
    let rounds: usize = std::env::args()
        .nth(3)
        .map(|s| s.parse().unwrap())
        .unwrap_or(1);
    for _ in 0..rounds {
        if mode == "bare" || mode == "both" {
            let rt = rt();
            let t0 = Instant::now();
            rt.block_on(async move {
                let mut hs = Vec::with_capacity(n as usize);
                for i in 0..n {
                    hs.push(tokio::spawn(async {
                        tokio::time::sleep(SLEEP).await;
                        black_box(TaskEnd::Done)
                    }));
                    if (i + 1) % 1000 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                for h in hs {
                    let _ = h.await;
                }
            });
            println!(
                "bare {:.3} us/task",
                t0.elapsed().as_secs_f64() * 1e6 / n as f64
            );
        }
        if mode == "tracked" || mode == "both" {
            let rt = rt();
            let tr = Arc::new(Tracker::new(Arc::new(Gate::new(false))));
            let t = tr.clone();
            let t0 = Instant::now();
            rt.block_on(async move {
                let mut hs = Vec::with_capacity(n as usize);
                for i in 0..n {
                    hs.push(t.spawn("task", i + 1, async {
                        waiting_on(WaitKind::Timer, tokio::time::sleep(SLEEP)).await;
                        TaskEnd::Done
                    }));
                    if (i + 1) % 1000 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                for h in hs {
                    let _ = h.await;
                }
            });
            println!(
                "tracked {:.3} us/task",
                t0.elapsed().as_secs_f64() * 1e6 / n as f64
            );
        }
    }
}
