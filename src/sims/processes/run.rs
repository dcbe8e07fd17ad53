//! One `processes` run, parent side: start a pool of worker processes, feed each one
//! chunk at a time over its pipes from its own driver thread, time every chunk, notice a
//! worker that dies (the pool is then broken, as `BrokenProcessPool` in Python: every
//! other worker is terminated and the unfinished tasks fail), recover with a fresh pool,
//! then run the same tasks sequentially in pyconc for the baseline. Every child is
//! reaped before the run ends.
//!
//! One piece at ~580 lines on purpose: the run loop, the per-worker drivers, breakage and
//! recovery all read and write the same `Shared` tallies under one protocol; split, each
//! part would have to expose the others' internals.

use std::collections::VecDeque;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::protocol::{self, TaskSpec};
use super::{INSIDE_WORKER_ENV, ProcConfig, ProcPhase, ProcessesSnapshot, WORKER_ARG, WorkerState};
use crate::sims::cpu_load::PhaseLoad;
use crate::sims::kit::lane_sums::LaneSums;
use crate::sims::kit::two_parts::{self, LoadReadings, PartsClock};
use crate::sims::kit::{RunControl, SnapshotCell};
use crate::sims::timeline::Activity;

/// How long a worker whose stdin was closed gets to exit by itself before it is killed.
pub const WORKER_EXIT_GRACE: Duration = Duration::from_secs(2);
/// How often the reaper looks whether the workers have exited.
const REAP_POLL_INTERVAL: Duration = Duration::from_millis(5);
/// The most pools one run starts (the first plus recoveries) before it gives up.
pub const MAX_POOLS: usize = 3;
/// Buffer for reading a worker's replies.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Python's words when a worker dies under a `ProcessPoolExecutor`.
pub const BROKEN_POOL_MESSAGE: &str = "BrokenProcessPool: A process in the process pool was \
     terminated abruptly while the future was running or pending.";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// State shared by the demo handle, the run thread, the drivers and the monitor.
pub(super) struct Shared {
    config: ProcConfig,
    exe: PathBuf,
    units: Vec<u64>,
    payload: Vec<u8>,
    pub(super) control: Arc<RunControl>,
    children: Mutex<Vec<Child>>,
    tally: Mutex<Tally>,
    cpu: Mutex<PhaseLoad>,
    pub(super) latest: SnapshotCell<ProcessesSnapshot>,
    pub(super) finished: AtomicBool,
    /// False only in the overhead bench's bare runs: the same protocol, no lane
    /// accounting (no timelines, IPC/compute/byte sums, start-up times).
    pub(super) accounting: bool,
}

/// The working figures; published as a snapshot.
struct Tally {
    snap: ProcessesSnapshot,
    clock: PartsClock,
    done: Vec<bool>,
}

impl Shared {
    pub(super) fn new(config: ProcConfig, exe: PathBuf, accounting: bool) -> Self {
        // Task data: bytes that differ along the buffer, so nothing compresses them away.
        let payload = (0..config.payload_bytes())
            .map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8)
            .collect();
        let control = Arc::new(RunControl::new());
        Shared {
            config,
            exe,
            units: config.work.task_units(),
            payload,
            children: Mutex::new(Vec::new()),
            tally: Mutex::new(Tally {
                snap: ProcessesSnapshot::empty(config),
                clock: PartsClock::start(&control),
                done: vec![false; config.work.tasks],
            }),
            cpu: Mutex::new(PhaseLoad::new()),
            latest: SnapshotCell::new(ProcessesSnapshot::empty(config)),
            finished: AtomicBool::new(false),
            accounting,
            control,
        }
    }

    /// Sends SIGKILL (or the platform's equivalent) to every live worker.
    pub(super) fn kill_children(&self) {
        for child in lock(&self.children).iter_mut() {
            let _ = child.kill();
        }
    }

    /// Kills and waits for every worker still listed (the safety net of `stop`).
    pub(super) fn reap_children(&self) {
        for mut child in lock(&self.children).drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The pids of workers that have not exited.
    pub(super) fn live_pids(&self) -> Vec<u32> {
        lock(&self.children)
            .iter_mut()
            .filter_map(|c| matches!(c.try_wait(), Ok(None)).then(|| c.id()))
            .collect()
    }

    fn tally(&self) -> MutexGuard<'_, Tally> {
        lock(&self.tally)
    }
}

/// How one pool ended.
enum PoolOutcome {
    /// Every task it was given is done.
    Completed,
    /// A worker died: the report, and the tasks still to do.
    Broken(String),
    /// The demo is stopping.
    Stopped,
    /// The workers could not be started or run; the message says why.
    Failed(String),
}

/// The whole run (the body of the run thread).
pub(super) fn run(shared: &Shared) {
    let config = shared.config;
    let mut pending: Vec<usize> = (0..config.work.tasks).collect();
    // The task that kills its worker: the middle one, in the first pool only.
    let crash_at = config.crash.then_some(config.work.tasks / 2);
    let mut pools = 0;
    loop {
        let outcome = run_pool(shared, &pending, if pools == 0 { crash_at } else { None });
        pools += 1;
        match outcome {
            PoolOutcome::Completed => break,
            PoolOutcome::Stopped => {
                shared.tally().snap.phase = ProcPhase::Stopped;
                return;
            }
            PoolOutcome::Failed(message) => {
                fail(shared, message);
                return;
            }
            PoolOutcome::Broken(report) => {
                let mut t = shared.tally();
                pending = (0..config.work.tasks).filter(|i| !t.done[*i]).collect();
                t.snap.breakage.workers_crashed += 1;
                // The dead worker's pid is not among the lanes from now on: say so.
                t.snap.breakage.broken = Some(format!(
                    "{report}; {} unfinished tasks go to a fresh pool, whose workers the \
                     lanes now show",
                    pending.len()
                ));
                drop(t);
                if pools >= MAX_POOLS {
                    fail(shared, format!("the pool broke {pools} times; giving up"));
                    return;
                }
            }
        }
    }
    let sequential_started = {
        let mut t = shared.tally();
        t.snap.phase = ProcPhase::Sequential;
        let parallel_s = t.clock.parallel_so_far(&shared.control);
        t.clock.end_parallel(parallel_s, &shared.control)
    };
    // The baseline: the same tasks in a plain loop in this process, no pickling, no IPC.
    let hand_over = |sums: &mut LaneSums| {
        sums.hand_over(&mut shared.tally().snap.parts.sequential);
    };
    if !two_parts::run_baseline(
        &shared.units,
        &shared.control,
        sequential_started,
        shared.accounting,
        hand_over,
    ) {
        shared.tally().snap.phase = ProcPhase::Stopped;
        return;
    }
    {
        let mut t = shared.tally();
        t.clock.end_sequential(&shared.control);
        t.snap.phase = ProcPhase::Done;
    }
    publish(shared);
    shared.finished.store(true, Ordering::SeqCst);
}

fn fail(shared: &Shared, message: String) {
    {
        let mut t = shared.tally();
        t.snap.phase = ProcPhase::Failed;
        t.snap.breakage.error = Some(message);
    }
    publish(shared);
    shared.finished.store(true, Ordering::SeqCst);
}

/// One worker process as its driver sees it.
struct Pipe {
    slot: usize,
    pid: u32,
    stdin: ChildStdin,
    stdout: ChildStdout,
    spawned_at: Instant,
}

/// Why a pool broke.
#[derive(Debug, Clone, Copy)]
struct Breakage {
    slot: usize,
    pid: u32,
    /// False if the worker died before it ever said it was ready.
    started: bool,
    /// The first task of the chunk it was running.
    task: Option<usize>,
}

/// What the drivers of one pool share.
struct PoolRun<'a> {
    shared: &'a Shared,
    queue: Mutex<VecDeque<(u32, Vec<usize>)>>,
    breakage: Mutex<Option<Breakage>>,
    crash_at: Option<usize>,
    started: Instant,
    first_spawn: Instant,
    ready: AtomicUsize,
}

impl PoolRun<'_> {
    fn is_broken(&self) -> bool {
        lock(&self.breakage).is_some()
    }

    /// A worker's pipe closed unexpectedly. The first such worker broke the pool: like
    /// `ProcessPoolExecutor`, terminate every other worker, whose tasks fail with it.
    fn worker_lost(&self, slot: usize, pid: u32, started: bool, task: Option<usize>) {
        if self.shared.control.is_stopping() {
            return;
        }
        let first = {
            let mut b = lock(&self.breakage);
            let first = b.is_none();
            if first {
                *b = Some(Breakage {
                    slot,
                    pid,
                    started,
                    task,
                });
            }
            first
        };
        self.shared.tally().snap.workers[slot].state = if first {
            WorkerState::Crashed
        } else {
            WorkerState::Terminated
        };
        if first {
            self.shared.kill_children();
        }
    }

    fn rel(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.started).as_secs_f64()
    }
}

/// Starts `config.work.workers` processes, runs `pending` on them, reaps them.
fn run_pool(shared: &Shared, pending: &[usize], crash_at: Option<usize>) -> PoolOutcome {
    let config = shared.config;
    let first_spawn = Instant::now();
    let mut pipes = Vec::with_capacity(config.work.workers);
    let spawn_error = {
        // Spawning under the children lock: `stop` either sees a child to kill or has
        // set the stop flag before we look at it.
        let mut children = lock(&shared.children);
        let mut error = None;
        for slot in 0..config.work.workers {
            if shared.control.is_stopping() {
                break;
            }
            let spawned_at = Instant::now();
            let spawned = Command::new(&shared.exe)
                .arg(WORKER_ARG)
                .env(INSIDE_WORKER_ENV, "1")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) => {
                    error = Some(format!(
                        "could not start worker process {}: {e}",
                        shared.exe.display()
                    ));
                    break;
                }
            };
            let pid = child.id();
            let (stdin, stdout) = (child.stdin.take(), child.stdout.take());
            children.push(child);
            if let (Some(stdin), Some(stdout)) = (stdin, stdout) {
                pipes.push(Pipe {
                    slot,
                    pid,
                    stdin,
                    stdout,
                    spawned_at,
                });
            }
        }
        error
    };
    {
        let mut t = shared.tally();
        t.snap.breakage.pools_started += 1;
        for p in &pipes {
            let w = &mut t.snap.workers[p.slot];
            w.pid = Some(p.pid);
            w.startup_ms = None;
            w.state = WorkerState::Starting;
        }
    }
    if let Some(error) = spawn_error {
        drop(pipes);
        reap_pool(shared);
        return PoolOutcome::Failed(error);
    }
    let queue = pending
        .chunks(config.chunksize)
        .enumerate()
        .map(|(id, c)| (id as u32, c.to_vec()))
        .collect();
    let pool = PoolRun {
        shared,
        queue: Mutex::new(queue),
        breakage: Mutex::new(None),
        crash_at,
        started: shared.tally().clock.parallel_started(),
        first_spawn,
        ready: AtomicUsize::new(0),
    };
    std::thread::scope(|scope| {
        for pipe in pipes {
            let pool = &pool;
            let name = format!("processes-driver-{}", pipe.slot + 1);
            // If a driver thread cannot start, its pipes close and that worker exits;
            // the other drivers take its share of the queue.
            let _ = std::thread::Builder::new()
                .name(name)
                .spawn_scoped(scope, move || drive(pool, pipe));
        }
    });
    let breakage = *lock(&pool.breakage);
    let statuses = reap_pool(shared);
    if shared.control.is_stopping() {
        return PoolOutcome::Stopped;
    }
    let status_of = |pid: u32| {
        statuses
            .iter()
            .find(|(p, _)| *p == pid)
            .map_or_else(|| "unknown exit".to_string(), |(_, s)| s.to_string())
    };
    match breakage {
        Some(b) if !b.started => PoolOutcome::Failed(format!(
            "worker process {} exited before it was ready ({}); is {} a pyconc program?",
            b.pid,
            status_of(b.pid),
            shared.exe.display()
        )),
        Some(b) => {
            let mut t = shared.tally();
            for (slot, w) in t.snap.workers.iter_mut().enumerate() {
                if slot != b.slot && w.state != WorkerState::Crashed {
                    w.state = WorkerState::Terminated;
                }
            }
            let during = b
                .task
                .map_or_else(String::new, |task| format!(" during task {task}"));
            PoolOutcome::Broken(format!(
                "{BROKEN_POOL_MESSAGE} (worker {} pid {} died{during}: {})",
                b.slot + 1,
                b.pid,
                status_of(b.pid)
            ))
        }
        None => {
            let t = shared.tally();
            if pending.iter().all(|i| t.done[*i]) {
                PoolOutcome::Completed
            } else {
                PoolOutcome::Failed("the workers stopped with tasks left".to_string())
            }
        }
    }
}

/// Drives one worker: wait for its hello, then one chunk at a time until the queue is
/// empty, the pool breaks or the demo stops. Closing its stdin at the end tells it to exit.
fn drive(pool: &PoolRun, pipe: Pipe) {
    let shared = pool.shared;
    let Pipe {
        slot,
        pid,
        mut stdin,
        stdout,
        spawned_at,
    } = pipe;
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, stdout);
    let hello = protocol::read_frame(&mut reader)
        .ok()
        .flatten()
        .and_then(|body| protocol::decode_hello(&body).ok());
    let ready_at = Instant::now();
    if hello.is_none() {
        pool.worker_lost(slot, pid, false, None);
        return;
    }
    if shared.accounting {
        let ready = pool.ready.fetch_add(1, Ordering::SeqCst) + 1;
        let mut t = shared.tally();
        if ready == shared.config.work.workers && t.snap.costs.startup_ms.is_none() {
            t.snap.costs.startup_ms = Some(ms(ready_at - pool.first_spawn));
        }
        let w = &mut t.snap.workers[slot];
        w.startup_ms = Some(ms(ready_at - spawned_at));
        w.state = WorkerState::Running;
        w.timeline
            .add(pool.rel(spawned_at), pool.rel(ready_at), Activity::Startup);
    } else {
        shared.tally().snap.workers[slot].state = WorkerState::Running;
    }
    let mut frame = Vec::new();
    let mut specs = Vec::new();
    loop {
        if pool.is_broken() || !shared.control.checkpoint() {
            break;
        }
        let Some((id, indices)) = lock(&pool.queue).pop_front() else {
            break;
        };
        specs.clear();
        specs.extend(indices.iter().map(|&i| TaskSpec {
            index: i as u32,
            units: shared.units[i],
            crash: pool.crash_at == Some(i),
        }));
        let serialising = Instant::now();
        protocol::encode_chunk(id, &specs, &shared.payload, &mut frame);
        let serialised = Instant::now();
        let sent = protocol::write_frame(&mut stdin, &frame);
        let sent_at = Instant::now();
        let reply = sent
            .ok()
            .and_then(|_| protocol::read_frame(&mut reader).ok().flatten())
            .and_then(|body| {
                let len = body.len();
                protocol::decode_done(&body).ok().map(|d| (d, len))
            });
        let received = Instant::now();
        let Some((done, reply_len)) = reply.filter(|(d, _)| d.id == id) else {
            // The worker is gone: this chunk's time was lost with it.
            shared.tally().snap.workers[slot].timeline.add(
                pool.rel(serialising),
                pool.rel(received).max(pool.rel(serialising) + 1e-3),
                Activity::Crashed,
            );
            pool.worker_lost(slot, pid, true, indices.first().copied());
            return;
        };
        let round_trip_s = (received - serialising).as_secs_f64();
        let compute_s = done.compute_ns as f64 / 1e9;
        let decode_s = done.decode_ns as f64 / 1e9;
        // The worker reports durations, not times (its clock is its own): place its
        // decoding right after our send, its computing right after that.
        let end = pool.rel(received);
        let work_start = (pool.rel(sent_at) + decode_s).min(end);
        let work_end = (work_start + compute_s).min(end);
        let mut t = shared.tally();
        for (index, _) in &done.results {
            if let Some(flag) = t.done.get_mut(*index as usize) {
                *flag = true;
            }
        }
        let s = &mut t.snap;
        s.chunks += 1;
        s.tasks_done += done.results.len();
        if !shared.accounting {
            continue;
        }
        s.costs.serialise_ms += ms(serialised - serialising);
        s.costs.ipc_ms += (round_trip_s - compute_s).max(0.0) * 1000.0;
        s.costs.compute_ms += compute_s * 1000.0;
        let (sent, received) = (
            frame.len() as u64,
            (reply_len + protocol::FRAME_HEADER_BYTES) as u64,
        );
        s.bytes_sent += sent;
        s.bytes_received += received;
        let w = &mut s.workers[slot];
        w.counts.add_chunk(done.results.len(), sent, received);
        w.timeline
            .add(pool.rel(serialising), work_start, Activity::Ipc);
        w.timeline.add(work_start, work_end, Activity::Work);
        w.timeline.add(work_end, end, Activity::Ipc);
    }
    drop(stdin);
    let mut t = shared.tally();
    if t.snap.workers[slot].state == WorkerState::Running && !pool.is_broken() {
        t.snap.workers[slot].state = WorkerState::Exited;
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Waits for every listed worker to exit (their stdin is closed by now), killing any
/// that take longer than [`WORKER_EXIT_GRACE`] or all at once when stopping; returns
/// each one's exit status.
fn reap_pool(shared: &Shared) -> Vec<(u32, ExitStatus)> {
    let deadline = Instant::now() + WORKER_EXIT_GRACE;
    let mut statuses = Vec::new();
    loop {
        {
            let mut children = lock(&shared.children);
            let give_up = shared.control.is_stopping() || Instant::now() >= deadline;
            children.retain_mut(|child| match child.try_wait() {
                Ok(Some(status)) => {
                    statuses.push((child.id(), status));
                    false
                }
                Ok(None) if !give_up => true,
                _ => {
                    let _ = child.kill();
                    if let Ok(status) = child.wait() {
                        statuses.push((child.id(), status));
                    }
                    false
                }
            });
            if children.is_empty() {
                return statuses;
            }
        }
        std::thread::sleep(REAP_POLL_INTERVAL);
    }
}

/// Samples the cores and publishes snapshots until the run ends or stops.
pub(super) fn monitor_loop(shared: &Shared) {
    let parallel_running = || shared.tally().snap.phase == ProcPhase::Parallel;
    let (control, finished) = (&shared.control, &shared.finished);
    two_parts::monitor(control, finished, &shared.cpu, parallel_running, || {
        publish(shared)
    });
}

/// Makes the current figures the latest snapshot.
pub(super) fn publish(shared: &Shared) {
    let mut snap = {
        let t = shared.tally();
        let mut snap = t.snap.clone();
        t.clock.write_times(&mut snap.parts, &shared.control);
        snap
    };
    snap.load = LoadReadings::of(&lock(&shared.cpu));
    snap.paused = shared.control.is_paused();
    shared.latest.publish(snap);
}
