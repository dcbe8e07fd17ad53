//! The `race` demo on real OS threads. The shared `counter` is an `AtomicI64` that every
//! thread loads and stores in two separate steps (`LOAD_GLOBAL`, then `STORE_GLOBAL`), never
//! with one atomic read-modify-write: so two threads can both load the same value and one
//! store overwrites the other, a real lost update, without undefined behaviour.
//!
//! Honest caveats. Rust threads run truly in parallel, like free-threaded CPython (3.13t),
//! while under the GIL only a thread switch exactly between the load and the store loses an
//! update. And a bare Rust load and store take a nanosecond: 100,000 of them end in a tenth
//! of a millisecond, before the next thread has even started on a busy machine. So each
//! step does a little work between the load and the store ([`INTERPRETER_WORK_SPINS`]),
//! standing in for the interpreter dispatching the next bytecode. It widens the window in
//! which a switch or a parallel thread can come between load and store; the losses counted
//! are still real overwrites on a real shared cell.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{RaceEngineKind, RaceMode, RaceSetup, RaceSnapshot, RaceThread, RoundResult};
use crate::sims::kit::RunState;
use crate::sims::kit::step_model::EngineSnapshot;
use crate::sims::kit::{Crew, RunControl, SnapshotCell};
use crate::sims::{Demo, Snapshot, StartError};

/// Increments between two looks at the pause gate and two progress reports. Looking more
/// often would take the gate's mutex so often that it would serialise the threads.
const CHECK_EVERY_INCREMENTS: u64 = 1024;
/// Spin-loop hints between a load and its store (and the same work in every mode, so the
/// modes stay comparable): a few tens of nanoseconds, about what CPython spends between
/// two bytecodes.
pub const INTERPRETER_WORK_SPINS: u32 = 3;
/// How often the snapshot is refreshed while a round runs.
const PUBLISH_INTERVAL: Duration = Duration::from_millis(20);
/// The pause between two rounds, so each result can be read.
const ROUND_GAP: Duration = Duration::from_millis(700);

struct Shared {
    /// Opened once every thread of the round is started, so that they all run together
    /// (a thread could otherwise finish its whole loop before the next one is spawned).
    start_gate: AtomicBool,
    counter: AtomicI64,
    lock: Mutex<()>,
    done: Vec<AtomicU64>,
    local_counts: Vec<AtomicI64>,
    finished: Vec<AtomicBool>,
    /// False only in the overhead bench's bare runs: no progress counters while a thread
    /// runs, only its totals once it ends (the round's result needs them).
    counting: bool,
}

/// The running threads engine.
pub struct LiveDemo {
    control: Arc<RunControl>,
    latest: SnapshotCell<RaceSnapshot>,
    /// The coordinator, which starts and joins each round's threads.
    coordinator: Crew,
    all_done: Arc<AtomicBool>,
}

impl LiveDemo {
    /// Starts the coordinator, which runs `rounds` rounds of `setup.threads` worker threads.
    pub fn start(setup: RaceSetup, rounds: usize) -> Result<LiveDemo, StartError> {
        Self::start_with(setup, rounds, true)
    }

    /// The same rounds without the per-thread progress counters (each thread's count is
    /// stored once, when it ends): the overhead bench's bare baseline.
    pub fn start_uncounted(setup: RaceSetup, rounds: usize) -> Result<LiveDemo, StartError> {
        Self::start_with(setup, rounds, false)
    }

    fn start_with(setup: RaceSetup, rounds: usize, counting: bool) -> Result<LiveDemo, StartError> {
        let control = Arc::new(RunControl::new());
        let latest = SnapshotCell::new(initial(setup, rounds));
        let all_done = Arc::new(AtomicBool::new(false));
        let mut coordinator = Crew::new(Arc::clone(&control));
        {
            let (latest, all_done) = (latest.clone(), Arc::clone(&all_done));
            coordinator.spawn("race-rounds", move |hand| {
                run_rounds(setup, rounds, counting, hand.control(), &latest);
                all_done.store(true, Ordering::SeqCst);
            })?;
        }
        Ok(LiveDemo {
            control,
            latest,
            coordinator,
            all_done,
        })
    }
}

fn initial(setup: RaceSetup, rounds: usize) -> RaceSnapshot {
    RaceSnapshot {
        engine: RaceEngineKind::Threads,
        mode: setup.mode,
        threads: (0..setup.threads)
            .map(|i| RaceThread {
                id: i + 1,
                pc: None,
                stack: None,
                local_count: 0,
                done: 0,
                target: setup.increments,
                state: RunState::Ready,
            })
            .collect(),
        counter: 0,
        expected: setup.expected(),
        lock_holder: None,
        round: 1,
        rounds,
        results: Vec::new(),
        challenge: None,
        lost_reasons: Vec::new(),
        last_event: None,
        finished: false,
    }
}

fn run_rounds(
    setup: RaceSetup,
    rounds: usize,
    counting: bool,
    control: &RunControl,
    latest: &SnapshotCell<RaceSnapshot>,
) {
    let mut results = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let shared = Shared::new(setup, counting);
        let publish = |finished: bool, results: &[RoundResult]| {
            latest.publish(view(setup, &shared, round, rounds, results, finished));
        };
        let mut watch = || {
            publish(false, &results);
            std::thread::sleep(PUBLISH_INTERVAL);
        };
        let spawned = run_threads(setup, &shared, control, Some(&mut watch)).is_some();
        let performed: i64 = shared
            .done
            .iter()
            .map(|d| d.load(Ordering::SeqCst) as i64)
            .sum();
        let actual = match setup.mode {
            // `counter = sum(results)` in the main thread, after every join().
            RaceMode::Local => shared
                .local_counts
                .iter()
                .map(|c| c.load(Ordering::SeqCst))
                .sum(),
            _ => shared.counter.load(Ordering::SeqCst),
        };
        shared.counter.store(actual, Ordering::SeqCst);
        if spawned && !control.is_stopping() {
            results.push(RoundResult {
                expected: performed,
                actual,
                lost: performed - actual,
            });
        }
        let last = round == rounds || control.is_stopping();
        publish(last, &results);
        if last || !control.sleep(ROUND_GAP) {
            break;
        }
    }
}

impl Shared {
    /// A fresh round's shared state.
    fn new(setup: RaceSetup, counting: bool) -> Shared {
        Shared {
            start_gate: AtomicBool::new(false),
            counter: AtomicI64::new(0),
            lock: Mutex::new(()),
            done: (0..setup.threads).map(|_| AtomicU64::new(0)).collect(),
            local_counts: (0..setup.threads).map(|_| AtomicI64::new(0)).collect(),
            finished: (0..setup.threads).map(|_| AtomicBool::new(false)).collect(),
            counting,
        }
    }
}

/// One round's threads: spawns them, opens the start gate, calls `watch` (if any) until
/// every one has finished, joins them. When the gate opened, or `None` if a thread could
/// not start (the run is then stopped; the threads that started are joined).
fn run_threads(
    setup: RaceSetup,
    shared: &Shared,
    control: &RunControl,
    watch: Option<&mut dyn FnMut()>,
) -> Option<Instant> {
    std::thread::scope(|scope| {
        for i in 0..setup.threads {
            let spawned = std::thread::Builder::new()
                .name(format!("race-{}", i + 1))
                .spawn_scoped(scope, move || {
                    work(setup, i, shared, control);
                    shared.finished[i].store(true, Ordering::SeqCst);
                });
            if spawned.is_err() {
                control.stop();
                return None;
            }
        }
        let opened = Instant::now();
        shared.start_gate.store(true, Ordering::SeqCst);
        if let Some(watch) = watch {
            while !shared.finished.iter().all(|f| f.load(Ordering::SeqCst)) {
                watch();
            }
        }
        Some(opened)
    })
}

/// The overhead bench's measure: one round of `setup` on the engine's own threads and
/// loop, with or without the progress counters, no snapshots; the time from the start
/// gate opening to the last thread joined, and the counter's final value.
pub fn time_round(setup: RaceSetup, counting: bool) -> Result<(Duration, i64), StartError> {
    let control = RunControl::new();
    let shared = Shared::new(setup, counting);
    let opened = run_threads(setup, &shared, &control, None)
        .ok_or_else(|| StartError::Other("a race thread could not start".to_string()))?;
    let spent = opened.elapsed();
    Ok((spent, shared.counter.load(Ordering::SeqCst)))
}

/// One thread's loop: `for _ in range(increments): counter += 1`.
fn work(setup: RaceSetup, i: usize, shared: &Shared, control: &RunControl) {
    let mut local: i64 = 0;
    let mut done: u64 = 0;
    while !shared.start_gate.load(Ordering::SeqCst) {
        if control.is_stopping() {
            return;
        }
        std::thread::yield_now();
    }
    while done < setup.increments {
        if !control.checkpoint() {
            break;
        }
        let batch = CHECK_EVERY_INCREMENTS.min(setup.increments - done);
        for _ in 0..batch {
            match setup.mode {
                RaceMode::Unsafe => {
                    let v = shared.counter.load(Ordering::Relaxed); // LOAD_GLOBAL counter
                    let v = interpret(v) + 1; // BINARY_OP +=
                    shared.counter.store(v, Ordering::Relaxed); // STORE_GLOBAL counter
                }
                RaceMode::Lock => {
                    let _held = shared.lock.lock().unwrap_or_else(|p| p.into_inner());
                    let v = shared.counter.load(Ordering::Relaxed);
                    let v = interpret(v) + 1;
                    shared.counter.store(v, Ordering::Relaxed);
                }
                RaceMode::Local => {
                    local = interpret(local) + 1;
                }
            }
        }
        done += batch;
        if shared.counting {
            shared.done[i].store(done, Ordering::SeqCst);
            shared.local_counts[i].store(local, Ordering::SeqCst);
        }
    }
    if !shared.counting {
        shared.done[i].store(done, Ordering::SeqCst);
        shared.local_counts[i].store(local, Ordering::SeqCst);
    }
}

/// The interpreter's work between two bytecodes (see the module doc).
fn interpret(v: i64) -> i64 {
    for _ in 0..INTERPRETER_WORK_SPINS {
        std::hint::spin_loop();
    }
    std::hint::black_box(v)
}

fn view(
    setup: RaceSetup,
    shared: &Shared,
    round: usize,
    rounds: usize,
    results: &[RoundResult],
    finished: bool,
) -> RaceSnapshot {
    let threads = (0..setup.threads)
        .map(|i| {
            let done = shared.done[i].load(Ordering::SeqCst);
            let state = if shared.finished[i].load(Ordering::SeqCst) {
                RunState::Done
            } else if done > 0 {
                RunState::Running
            } else {
                RunState::Ready
            };
            RaceThread {
                id: i + 1,
                pc: None,
                stack: None,
                local_count: shared.local_counts[i].load(Ordering::SeqCst),
                done,
                target: setup.increments,
                state,
            }
        })
        .collect();
    RaceSnapshot {
        engine: RaceEngineKind::Threads,
        mode: setup.mode,
        threads,
        counter: shared.counter.load(Ordering::SeqCst),
        expected: setup.expected(),
        lock_holder: None,
        round,
        rounds,
        results: results.to_vec(),
        challenge: None,
        lost_reasons: Vec::new(),
        last_event: None,
        finished,
    }
}

impl Demo for LiveDemo {
    fn snapshot(&self) -> Snapshot {
        self.latest.latest().published()
    }

    fn set_paused(&mut self, paused: bool) -> bool {
        self.control.set_paused(paused);
        true
    }

    fn is_finished(&self) -> bool {
        self.all_done.load(Ordering::SeqCst)
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.coordinator.stop();
        self.latest.latest().figures("threads")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::test_support::{self, wait_until_finished};
    use std::time::Instant;

    fn run(mode: RaceMode, threads: usize, increments: u64) -> serde_json::Value {
        let setup = RaceSetup {
            mode,
            threads,
            increments,
        };
        let demo: Box<dyn Demo> = Box::new(LiveDemo::start(setup, 1).unwrap());
        assert!(wait_until_finished(demo.as_ref()));
        demo.stop()
    }

    #[test]
    fn the_lock_and_local_counts_are_always_exact() {
        for mode in [RaceMode::Lock, RaceMode::Local] {
            let m = run(mode, 4, 20_000);
            assert_eq!(m["expected"], 80_000);
            assert_eq!(m["actual"], 80_000, "{mode:?}");
            assert_eq!(m["lost_updates"], 0);
        }
    }

    #[test]
    fn unsafe_never_counts_more_than_was_done() {
        let m = run(RaceMode::Unsafe, 4, 20_000);
        assert_eq!(m["expected"], 80_000);
        let actual = m["actual"].as_i64().unwrap();
        assert!((1..=80_000).contains(&actual));
        assert_eq!(m["lost_updates"].as_i64().unwrap(), 80_000 - actual);
    }

    #[test]
    fn stop_joins_promptly_even_while_paused() {
        let setup = RaceSetup {
            mode: RaceMode::Unsafe,
            threads: 4,
            increments: 1_000_000,
        };
        let mut demo: Box<dyn Demo> = Box::new(LiveDemo::start(setup, 50).unwrap());
        assert!(demo.set_paused(true));
        let started = Instant::now();
        let _ = demo.stop();
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    /// The bench's bare switch: while the threads run (the shared counter moves), no
    /// thread's progress is counted; with counting on it is. Never timing luck: a round of
    /// 10^12 increments (hours) cannot end before the checks, and the counter is the proof
    /// that the threads run.
    #[test]
    fn uncounted_threads_report_no_progress_until_they_end() {
        let setup = RaceSetup {
            mode: RaceMode::Unsafe,
            threads: 2,
            increments: 1_000_000_000_000,
        };
        let snap = |demo: &LiveDemo| match demo.snapshot() {
            Snapshot::Race(s) => s,
            _ => panic!("not a race snapshot"),
        };
        for counting in [false, true] {
            let demo = LiveDemo::start_with(setup, 1, counting).unwrap();
            let moved = test_support::wait_for(|| snap(&demo).counter > 10_000);
            assert!(moved, "the threads never ran");
            let progress = || snap(&demo).threads.iter().map(|t| t.done).sum::<u64>();
            if counting {
                assert!(test_support::wait_for(|| progress() > 0));
            } else {
                assert_eq!(progress(), 0);
            }
            let _ = Box::new(demo).stop();
        }
    }

    /// The bench's timed round runs the same loop to the same exact count, counted or not.
    #[test]
    fn a_timed_round_runs_every_increment_either_way() {
        let setup = RaceSetup {
            mode: RaceMode::Lock,
            threads: 3,
            increments: 10_000,
        };
        for counting in [false, true] {
            let (_, counter) = time_round(setup, counting).unwrap();
            assert_eq!(counter, 30_000, "counting {counting}");
        }
    }

    #[test]
    fn timing_constants_are_sane() {
        assert!(PUBLISH_INTERVAL <= Duration::from_millis(100));
        assert!(ROUND_GAP >= Duration::from_millis(200) && ROUND_GAP <= Duration::from_secs(2));
        const { assert!(CHECK_EVERY_INCREMENTS >= 64) };
    }
}
