//! The `deadlock` demo on real OS threads. The locks are a small lock table (one mutex and
//! condvar over every lock's owner) rather than bare mutexes, so that the detector can read
//! who holds what and who waits for what in one consistent look, exactly the wait-for graph.
//!
//! "Wait forever" (`timeout_ms=0`) is a loop of short condvar waits that re-checks the lock
//! and the stop flag: to the threads it is a wait without end, as in Python, yet stop always
//! wakes and joins them. A real deadlock is then a state the detector sees while the threads
//! keep re-checking.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::{DeadlockSetup, DeadlockSnapshot, DeadlockThread, LockCounts, find_cycle};
use crate::sims::kit::RunState;
use crate::sims::kit::step_model::EngineSnapshot;
use crate::sims::kit::{Crew, Pacing, PlaybackSpeed, RunControl, RunMark, SnapshotCell};
use crate::sims::{Demo, Snapshot, StartError};

/// The longest a waiting thread sleeps before it looks again at its lock and the stop flag.
const RECHECK_INTERVAL: Duration = Duration::from_millis(50);
/// How often the detector draws the wait-for graph.
const DETECT_INTERVAL: Duration = Duration::from_millis(20);

#[derive(Debug)]
struct TableState {
    owners: Vec<Option<usize>>,
    waiting: Vec<Option<usize>>,
}

/// Every lock's owner and every thread's wait, behind one mutex.
#[derive(Debug)]
struct LockTable {
    state: Mutex<TableState>,
    released: Condvar,
}

enum Acquired {
    Got,
    TimedOut,
    Stopped,
}

impl LockTable {
    fn new(locks: usize, threads: usize) -> LockTable {
        LockTable {
            state: Mutex::new(TableState {
                owners: vec![None; locks],
                waiting: vec![None; threads],
            }),
            released: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, TableState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `lock.acquire(timeout=...)` for thread `t`; `None` waits until stop. While the demo
    /// is paused no lock is taken and the timeout does not run down, so a paused table
    /// stands still.
    fn acquire(
        &self,
        t: usize,
        lock: usize,
        timeout: Option<Duration>,
        control: &RunControl,
    ) -> Acquired {
        let started = control.mark();
        let mut state = self.lock();
        loop {
            // Stop first: a lock freed by a thread that is leaving must not be taken.
            if control.is_stopping() {
                state.waiting[t] = None;
                return Acquired::Stopped;
            }
            let paused = control.is_paused();
            if state.owners[lock].is_none() && !paused {
                state.owners[lock] = Some(t);
                state.waiting[t] = None;
                return Acquired::Got;
            }
            let waited = control.unpaused_since(started);
            let wait = match timeout {
                _ if paused => RECHECK_INTERVAL,
                Some(d) if waited >= d => {
                    state.waiting[t] = None;
                    return Acquired::TimedOut;
                }
                Some(d) => (d - waited).min(RECHECK_INTERVAL),
                None => RECHECK_INTERVAL,
            };
            state.waiting[t] = Some(lock);
            state = self
                .released
                .wait_timeout(state, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn release_all(&self, t: usize) {
        let mut state = self.lock();
        for owner in state.owners.iter_mut().filter(|o| **o == Some(t)) {
            *owner = None;
        }
        drop(state);
        self.released.notify_all();
    }
}

const THINKING: u8 = 0;
const WORKING: u8 = 1;
const BACKING_OFF: u8 = 2;

#[derive(Debug, Default)]
struct ThreadStats {
    acquisitions: AtomicU64,
    timeouts: AtomicU64,
    meals: AtomicU64,
    phase: AtomicU8,
}

struct Shared {
    setup: DeadlockSetup,
    table: LockTable,
    stats: Vec<ThreadStats>,
    control: Arc<RunControl>,
    speed: PlaybackSpeed,
    deadlocked: AtomicBool,
}

impl Shared {
    /// Sleeps `ms` scaled by the playback speed, held while paused (a thread's work stands
    /// still with the rest of the demo); false when stopping.
    fn sleep_ms(&self, ms: u64) -> bool {
        self.control.sleep_unpaused(self.speed.scale_ms(ms))
    }

    fn timeout(&self) -> Option<Duration> {
        (self.setup.timeout_ms > 0).then(|| self.speed.scale_ms(self.setup.timeout_ms))
    }
}

/// The running threads engine.
pub struct LiveDemo {
    shared: Arc<Shared>,
    latest: SnapshotCell<DeadlockSnapshot>,
    /// The philosophers and the detector.
    crew: Crew,
}

impl LiveDemo {
    /// Starts one thread per philosopher and the detector.
    pub fn start(setup: DeadlockSetup) -> Result<LiveDemo, StartError> {
        let shared = Arc::new(Shared {
            setup,
            table: LockTable::new(setup.threads, setup.threads),
            stats: (0..setup.threads).map(|_| ThreadStats::default()).collect(),
            control: Arc::new(RunControl::new()),
            speed: PlaybackSpeed::new(),
            deadlocked: AtomicBool::new(false),
        });
        let started = shared.control.mark();
        let latest = SnapshotCell::new(view(&shared, &Detection::default(), started));
        let mut demo = LiveDemo {
            shared: Arc::clone(&shared),
            latest: latest.clone(),
            crew: Crew::new(Arc::clone(&shared.control)),
        };
        for i in 0..setup.threads {
            let shared = Arc::clone(&shared);
            demo.crew.spawn(format!("deadlock-{}", i + 1), move |_| {
                philosopher(&shared, i)
            })?;
        }
        demo.crew.spawn("deadlock-detector", move |_| {
            detect(&shared, &latest, started)
        })?;
        Ok(demo)
    }

    /// Stops every thread (waking those blocked on a lock) and joins them.
    fn halt(&mut self) {
        self.shared.control.stop();
        self.shared.table.released.notify_all();
        self.crew.stop();
    }

    fn shutdown(&mut self) {
        self.halt();
        // The final counts, with what the detector found.
        let last = self.latest.latest();
        let detection = Detection {
            deadlock: last
                .deadlock_cycle
                .as_ref()
                .map(|c| c.iter().map(|t| t - 1).collect()),
            detected_after_ms: last.detected_after_ms,
            cycles_broken: last.cycles_broken,
            last_cycle: None,
        };
        let mut fin = view(&self.shared, &detection, self.shared.control.mark());
        fin.elapsed_s = last.elapsed_s;
        self.latest.publish(fin);
    }
}

/// One thread: think, take the first lock, work, take the second, work, release both.
fn philosopher(shared: &Shared, i: usize) {
    let setup = shared.setup;
    let [first, second] = setup.plan(i);
    let stats = &shared.stats[i];
    let mut rng = fastrand::Rng::with_seed(setup.seed.wrapping_mul(31).wrapping_add(i as u64));
    let hold = setup.hold_ms;
    while shared.control.checkpoint() {
        stats.phase.store(THINKING, Ordering::Relaxed);
        if !shared.sleep_ms(rng.u64(0..=hold)) {
            break;
        }
        match take(shared, i, first, &mut rng) {
            Taken::Got => {}
            Taken::BackedOff => continue,
            Taken::Stop => break,
        }
        stats.phase.store(WORKING, Ordering::Relaxed);
        if !shared.sleep_ms(hold) {
            break;
        }
        match take(shared, i, second, &mut rng) {
            Taken::Got => {}
            Taken::BackedOff => continue,
            Taken::Stop => break,
        }
        if !shared.sleep_ms(hold) {
            break;
        }
        shared.table.release_all(i);
        stats.meals.fetch_add(1, Ordering::Relaxed);
    }
    shared.table.release_all(i);
}

/// What one attempt at a lock came to.
enum Taken {
    /// The lock is held now.
    Got,
    /// Timed out: everything held was released and the thread waited a random while.
    BackedOff,
    /// The demo is stopping.
    Stop,
}

/// Thread `i` takes `lock`, or on a timeout gives up: releases what it holds so the others
/// can go on, and waits a random while (so two threads do not retry in lock step).
fn take(shared: &Shared, i: usize, lock: usize, rng: &mut fastrand::Rng) -> Taken {
    let stats = &shared.stats[i];
    match shared
        .table
        .acquire(i, lock, shared.timeout(), &shared.control)
    {
        Acquired::Got => {
            stats.acquisitions.fetch_add(1, Ordering::Relaxed);
            Taken::Got
        }
        Acquired::TimedOut => {
            shared.table.release_all(i);
            stats.timeouts.fetch_add(1, Ordering::Relaxed);
            stats.phase.store(BACKING_OFF, Ordering::Relaxed);
            let back_off = rng.u64(0..=shared.setup.hold_ms.max(1) * 2);
            if shared.sleep_ms(back_off) {
                Taken::BackedOff
            } else {
                Taken::Stop
            }
        }
        Acquired::Stopped => Taken::Stop,
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Detection {
    deadlock: Option<Vec<usize>>,
    detected_after_ms: Option<u64>,
    cycles_broken: u64,
    last_cycle: Option<Vec<usize>>,
}

fn detect(shared: &Shared, latest: &SnapshotCell<DeadlockSnapshot>, started: RunMark) {
    let mut detection = Detection::default();
    while shared.control.sleep(DETECT_INTERVAL) {
        let cycle = {
            let state = shared.table.lock();
            find_cycle(&state.waiting, &state.owners)
        };
        match &cycle {
            Some(c) if shared.setup.timeout_ms == 0 && detection.deadlock.is_none() => {
                detection.deadlock = Some(c.clone());
                detection.detected_after_ms =
                    Some(shared.control.unpaused_since(started).as_millis() as u64);
                shared.deadlocked.store(true, Ordering::SeqCst);
            }
            Some(_) if shared.setup.timeout_ms == 0 => {}
            Some(c) if detection.last_cycle.as_ref() != Some(c) => {
                // Threads that wait with a timeout: this cycle will break when one gives up.
                detection.cycles_broken += 1;
            }
            _ => {}
        }
        detection.last_cycle = cycle;
        latest.publish(view(shared, &detection, started));
    }
}

fn view(shared: &Shared, detection: &Detection, started: RunMark) -> DeadlockSnapshot {
    let (owners, waiting) = {
        let state = shared.table.lock();
        (state.owners.clone(), state.waiting.clone())
    };
    let ids = |c: &Vec<usize>| c.iter().map(|t| t + 1).collect::<Vec<_>>();
    let threads = shared
        .stats
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let holding: Vec<usize> = (0..owners.len())
                .filter(|l| owners[*l] == Some(i))
                .collect();
            let state = if waiting[i].is_some() {
                RunState::Waiting
            } else {
                match s.phase.load(Ordering::Relaxed) {
                    WORKING if !holding.is_empty() => RunState::Running,
                    BACKING_OFF => RunState::Idle,
                    _ => RunState::Ready,
                }
            };
            DeadlockThread {
                id: i + 1,
                plan: shared.setup.plan(i),
                holding,
                waiting_for: waiting[i],
                state,
                counts: LockCounts {
                    acquisitions: s.acquisitions.load(Ordering::Relaxed),
                    timeouts: s.timeouts.load(Ordering::Relaxed),
                    meals: s.meals.load(Ordering::Relaxed),
                },
            }
        })
        .collect();
    DeadlockSnapshot {
        model: false,
        order: shared.setup.order,
        timeout_ms: shared.setup.timeout_ms,
        threads,
        cycle: find_cycle(&waiting, &owners).map(|c| ids(&c)),
        owners,
        deadlocked: detection.deadlock.is_some(),
        deadlock_cycle: detection.deadlock.as_ref().map(ids),
        detected_after_ms: detection.detected_after_ms,
        cycles_broken: detection.cycles_broken,
        last_event: None,
        challenge: None,
        challenge_won: false,
        elapsed_s: shared.control.unpaused_since(started).as_secs_f64(),
    }
}

impl Demo for LiveDemo {
    fn snapshot(&self) -> Snapshot {
        self.latest.latest().published()
    }

    fn pacing(&self) -> Option<Pacing<'_>> {
        let s = &self.shared;
        Some(Pacing::new(&s.control, &s.speed, &s.deadlocked))
    }

    fn failed_end(&self) -> Option<&'static str> {
        self.is_finished().then_some("deadlocked")
    }

    fn stop(mut self: Box<Self>) -> serde_json::Value {
        self.shutdown();
        self.latest.latest().figures("threads")
    }
}

impl Drop for LiveDemo {
    fn drop(&mut self) {
        self.halt();
    }
}

#[cfg(test)]
mod tests {
    use super::super::LockOrder;
    use super::*;
    use crate::sims::test_support::wait_for;
    use std::time::Instant;

    fn setup(order: LockOrder, threads: usize, timeout_ms: u64) -> DeadlockSetup {
        DeadlockSetup {
            order,
            threads,
            timeout_ms,
            hold_ms: 20,
            seed: 1,
        }
    }

    #[test]
    fn opposite_order_deadlocks_is_detected_and_stop_still_joins() {
        let demo: Box<dyn Demo> =
            Box::new(LiveDemo::start(setup(LockOrder::Opposite, 2, 0)).unwrap());
        assert!(wait_for(|| demo.is_finished()));
        let started = Instant::now();
        let m = demo.stop();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(m["deadlocked"], true);
        assert_eq!(m["cycle"], serde_json::json!([1, 2]));
        assert!(m["acquisitions"].as_u64().unwrap() >= 2);
    }

    #[test]
    fn a_paused_table_stands_still_and_so_does_its_clock() {
        // Opposite order with a timeout: threads take, wait, give up and retry all the time.
        let mut demo: Box<dyn Demo> =
            Box::new(LiveDemo::start(setup(LockOrder::Opposite, 3, 30)).unwrap());
        let counts = |demo: &dyn Demo| match demo.snapshot() {
            Snapshot::Deadlock(s) => (s.totals(), s.elapsed_s),
            _ => panic!("not a deadlock snapshot"),
        };
        assert!(wait_for(|| counts(demo.as_ref()).0.acquisitions >= 6));
        demo.set_paused(true);
        // Let what was under way reach a checkpoint, a held sleep or a held acquire (a
        // generous wait: only a step already past its acquire can still count).
        std::thread::sleep(Duration::from_millis(600));
        let (before, before_s) = counts(demo.as_ref());
        std::thread::sleep(Duration::from_millis(500));
        let (after, after_s) = counts(demo.as_ref());
        assert_eq!(
            before, after,
            "nothing is taken and no timeout runs out while paused"
        );
        assert!(
            after_s - before_s < 0.3,
            "{before_s} then {after_s}: the clock stands"
        );
        demo.set_paused(false);
        assert!(wait_for(
            || counts(demo.as_ref()).0.acquisitions > after.acquisitions
        ));
        let _ = demo.stop();
    }

    #[test]
    fn consistent_order_keeps_eating() {
        let demo: Box<dyn Demo> =
            Box::new(LiveDemo::start(setup(LockOrder::Consistent, 3, 0)).unwrap());
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Deadlock(s) => s.totals().meals >= 3,
            _ => false,
        }));
        assert!(!demo.is_finished());
        let m = demo.stop();
        assert_eq!(m["deadlocked"], false);
        assert_eq!(m["timeouts"], 0);
    }

    #[test]
    fn timeouts_back_off_and_the_threads_go_on() {
        let demo: Box<dyn Demo> =
            Box::new(LiveDemo::start(setup(LockOrder::Opposite, 2, 30)).unwrap());
        assert!(wait_for(|| match demo.snapshot() {
            Snapshot::Deadlock(s) =>
                s.totals().timeouts >= 1 && s.threads.iter().any(|t| t.counts.meals > 0),
            _ => false,
        }));
        let m = demo.stop();
        assert_eq!(m["deadlocked"], false);
        assert!(m["timeouts"].as_u64().unwrap() >= 1);
    }

    #[test]
    fn timing_constants_are_sane() {
        assert!(RECHECK_INTERVAL <= Duration::from_millis(100));
        assert!(DETECT_INTERVAL <= Duration::from_millis(100));
    }
}
