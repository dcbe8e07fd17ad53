//! The scenarios: each is the body of the tracked `main` task (Python's `asyncio.run(main())`)
//! and spawns tracked tasks that mirror one asyncio pattern. Every wait is labelled with what
//! it waits on, every duration goes through the speed dial, and blocking calls wake at once
//! when the demo stops.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::context::{Ctx, Plan, join, join_all, spawn_many};
pub use super::context::{PLAN_SEED, SPAWN_BATCH, WORK_MAX_MS, WORK_MIN_MS};
use super::echo;
use super::figures::{Cleanup, Figures, GroupFigures, Inside, Knobs};
use super::settings::{Scenario, Settings};
use super::tracker::{SOLO, TaskEnd, WaitKind, waiting_on};

/// taskgroup: which child fails (1-based; the last one if there are fewer).
pub const FAILING_CHILD: u32 = 3;
/// taskgroup: how long the failing child runs before it raises.
pub const FAIL_AFTER_MS: u64 = 400;
/// blocking/offload: each ticker task sleeps this long, [`TICKS`] times.
pub const TICK_MS: u64 = 50;
/// See [`TICK_MS`].
pub const TICKS: u32 = 20;
/// blocking/offload: when the blocker makes its blocking call, and how long it sleeps after.
pub const BLOCKER_START_MS: u64 = 300;
/// See [`BLOCKER_START_MS`].
pub const BLOCKER_TAIL_MS: u64 = 100;
/// How long the scenario of `s` would take with zero overhead, at real speed, in seconds.
pub fn ideal_s(plan: &Plan, s: &Settings) -> f64 {
    let ms = match s.scenario {
        Scenario::Gather | Scenario::TaskGroup => plan.longest_ms(),
        Scenario::Blocking | Scenario::Offload => {
            (u64::from(TICKS) * TICK_MS).max(BLOCKER_START_MS + s.block_ms + BLOCKER_TAIL_MS)
        }
        Scenario::Semaphore => u64::from(s.tasks.div_ceil(s.limit)) * s.work_ms,
        Scenario::Timeout => plan.longest_ms().min(s.timeout_ms),
        Scenario::Queue => {
            let per_producer = u64::from(s.tasks.div_ceil(s.producers));
            let per_consumer = u64::from(s.tasks.div_ceil(s.consumers));
            (per_producer * s.produce_ms + s.consume_ms)
                .max(s.produce_ms + per_consumer * s.consume_ms)
        }
        Scenario::Io => u64::from(echo::REQUESTS_PER_CLIENT) * s.server_delay_ms,
        Scenario::Scale => s.work_ms,
    };
    ms as f64 / 1000.0
}

/// The body of the tracked `main` task.
pub async fn main(ctx: Arc<Ctx>) -> TaskEnd {
    match ctx.settings.scenario {
        Scenario::Gather => gather(ctx).await,
        Scenario::TaskGroup => taskgroup(ctx).await,
        Scenario::Blocking => blocking(ctx, false).await,
        Scenario::Offload => blocking(ctx, true).await,
        Scenario::Semaphore => semaphore(ctx).await,
        Scenario::Timeout => timeout(ctx).await,
        Scenario::Queue => queue(ctx).await,
        Scenario::Io => echo::run(ctx).await,
        Scenario::Scale => scale(ctx).await,
    }
}

/// `gather`: N workers sleep for random times; main collects every result.
async fn gather(ctx: Arc<Ctx>) -> TaskEnd {
    let workers = spawn_many(&ctx, "worker", ctx.settings.tasks, |i, c| async move {
        c.sleep(c.plan.durations_ms[i as usize]).await;
        TaskEnd::Done
    })
    .await;
    for worker in workers {
        if join(worker).await == Some(TaskEnd::Done) {
            ctx.figures
                .results_collected
                .fetch_add(1, Ordering::Relaxed);
        }
    }
    TaskEnd::Done
}

/// `taskgroup`: the same children twice, one group under a TaskGroup (the first failure
/// cancels the siblings, whose cleanup runs) and one under gather (the failure is raised to
/// the awaiting task, the siblings run on to their end).
async fn taskgroup(ctx: Arc<Ctx>) -> TaskEnd {
    // Every gather child holds a sender; `recv()` returns `None` once the last has ended.
    let (stragglers_tx, mut stragglers) = mpsc::channel::<()>(1);
    let group = ctx
        .tracker
        .spawn("taskgroup", SOLO, task_group_block(Arc::clone(&ctx)));
    let gathered = ctx.tracker.spawn(
        "gather",
        SOLO,
        gather_block(Arc::clone(&ctx), stragglers_tx),
    );
    // `except* ValueError:` in main: both blocks raise the child's error, main handles it.
    let _ = join(group).await;
    let _ = join(gathered).await;
    // gather's siblings are still running; the scenario ends when the last one does.
    let _ = waiting_on(WaitKind::Task, stragglers.recv()).await;
    TaskEnd::Done
}

/// One child of either group. It holds `_straggler` (gather's group) until it ends.
async fn child(
    ctx: Arc<Ctx>,
    group: fn(&Figures) -> &GroupFigures,
    i: u32,
    _straggler: Option<mpsc::Sender<()>>,
) -> TaskEnd {
    let cleanup = Cleanup::armed(&ctx.figures, Some(group));
    let failing = i + 1 == FAILING_CHILD.min(ctx.settings.tasks);
    let figures = group(&ctx.figures);
    if failing {
        ctx.sleep(FAIL_AFTER_MS).await;
        cleanup.disarm();
        figures.failed.fetch_add(1, Ordering::Relaxed);
        figures.failure_seen.store(1, Ordering::Relaxed);
        return TaskEnd::Failed;
    }
    ctx.sleep(ctx.plan.durations_ms[i as usize]).await;
    cleanup.disarm();
    figures.completed.fetch_add(1, Ordering::Relaxed);
    if figures.failure_seen.load(Ordering::Relaxed) > 0 {
        figures
            .completed_after_failure
            .fetch_add(1, Ordering::Relaxed);
    }
    TaskEnd::Done
}

async fn task_group_block(ctx: Arc<Ctx>) -> TaskEnd {
    let mut set = JoinSet::new();
    for i in 0..ctx.settings.tasks {
        let body = child(Arc::clone(&ctx), |f| &f.taskgroup, i, None);
        set.spawn(ctx.tracker.track("tg", i + 1, body));
    }
    let mut raised = false;
    while let Some(ended) = waiting_on(WaitKind::Task, set.join_next()).await {
        match ended {
            // TaskGroup's reaction to a child's error: cancel every sibling still running.
            Ok(TaskEnd::Failed) if !raised => {
                raised = true;
                set.abort_all();
            }
            Err(e) if e.is_cancelled() => {
                ctx.figures
                    .taskgroup
                    .cancelled
                    .fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
    if raised {
        TaskEnd::Failed
    } else {
        TaskEnd::Done
    }
}

async fn gather_block(ctx: Arc<Ctx>, stragglers: mpsc::Sender<()>) -> TaskEnd {
    let mut set = JoinSet::new();
    for i in 0..ctx.settings.tasks {
        let body = child(Arc::clone(&ctx), |f| &f.gather, i, Some(stragglers.clone()));
        set.spawn(ctx.tracker.track("ga", i + 1, body));
    }
    drop(stragglers);
    while let Some(ended) = waiting_on(WaitKind::Task, set.join_next()).await {
        if let Ok(TaskEnd::Failed) = ended {
            // gather raises the first error to its awaiter; the other children are not
            // cancelled and keep running.
            set.detach_all();
            return TaskEnd::Failed;
        }
    }
    TaskEnd::Done
}

/// `blocking` / `offload`: tickers sleep in small steps while one task makes a blocking
/// call, on the loop thread (everything freezes) or on a worker thread (nothing does).
async fn blocking(ctx: Arc<Ctx>, offload: bool) -> TaskEnd {
    let tickers = spawn_many(&ctx, "ticker", ctx.settings.tasks, |_, c| async move {
        for _ in 0..TICKS {
            c.sleep(TICK_MS).await;
        }
        TaskEnd::Done
    })
    .await;
    let c = Arc::clone(&ctx);
    let blocker = ctx.tracker.spawn("blocker", SOLO, async move {
        c.sleep(BLOCKER_START_MS).await;
        let call = c.speed.ms(c.settings.block_ms);
        if offload {
            let control = Arc::clone(&c.control);
            let work = tokio::task::spawn_blocking(move || control.sleep(call));
            if waiting_on(WaitKind::Thread, work).await.is_err() {
                return TaskEnd::Failed;
            }
            c.figures.offloaded_calls.fetch_add(1, Ordering::Relaxed);
        } else {
            // `time.sleep()` inside a coroutine: the loop's only thread sleeps, so no other
            // task, timer or socket is served until it returns. (It wakes early on stop.)
            c.control.sleep(call);
            c.figures.blocking_calls.fetch_add(1, Ordering::Relaxed);
        }
        c.sleep(BLOCKER_TAIL_MS).await;
        TaskEnd::Done
    });
    join_all(tickers).await;
    join(blocker).await;
    TaskEnd::Done
}

/// `semaphore`: N tasks, at most `limit` inside the guarded section at once.
async fn semaphore(ctx: Arc<Ctx>) -> TaskEnd {
    let sem = Arc::new(Semaphore::new(ctx.settings.limit as usize));
    let workers = spawn_many(&ctx, "worker", ctx.settings.tasks, move |_, c| {
        let sem = Arc::clone(&sem);
        async move {
            let Ok(_permit) = waiting_on(WaitKind::Lock, sem.acquire()).await else {
                return TaskEnd::Failed;
            };
            let _inside = Inside::enter(&c.figures, |f| &f.inside);
            c.sleep(c.settings.work_ms).await;
            TaskEnd::Done
        }
    })
    .await;
    join_all(workers).await;
    TaskEnd::Done
}

/// `timeout`: `async with asyncio.timeout(t): await gather(*workers)`. At the deadline
/// every worker still running is cancelled; each runs its cleanup on the way out.
async fn timeout(ctx: Arc<Ctx>) -> TaskEnd {
    let mut set = JoinSet::new();
    for i in 0..ctx.settings.tasks {
        let c = Arc::clone(&ctx);
        let body = async move {
            let cleanup = Cleanup::armed(&c.figures, None);
            c.sleep(c.plan.durations_ms[i as usize]).await;
            cleanup.disarm();
            TaskEnd::Done
        };
        set.spawn(ctx.tracker.track("worker", i + 1, body));
        if (i + 1) % SPAWN_BATCH == 0 {
            tokio::task::yield_now().await;
        }
    }
    let deadline = ctx.sleep(ctx.settings.timeout_ms);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            biased;
            () = &mut deadline => {
                // The deadline cancels gather, and gather cancels every child still running.
                set.abort_all();
                while waiting_on(WaitKind::Task, set.join_next()).await.is_some() {}
                break;
            }
            ended = waiting_on(WaitKind::Task, set.join_next()) => {
                if ended.is_none() {
                    break;
                }
            }
        }
    }
    TaskEnd::Done
}

/// `queue`: producers put items on a bounded queue, consumers take them; a full queue
/// blocks the producers (backpressure); one sentinel per consumer shuts them down.
async fn queue(ctx: Arc<Ctx>) -> TaskEnd {
    let s = &ctx.settings;
    let (tx, rx) = mpsc::channel::<Option<u64>>(s.maxsize as usize);
    // asyncio.Queue has many getters; tokio's channel one receiver, so getters take turns
    // holding it. Either way a getter on an empty queue waits on the queue.
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let mut producers = Vec::new();
    for p in 0..s.producers {
        let count = s.tasks / s.producers + u32::from(p < s.tasks % s.producers);
        let (c, tx) = (Arc::clone(&ctx), tx.clone());
        producers.push(ctx.tracker.spawn("producer", p + 1, async move {
            for item in 0..count {
                c.sleep(Knobs::get(&c.knobs.produce_ms)).await;
                let put_at = Instant::now();
                if waiting_on(WaitKind::Queue, tx.send(Some(u64::from(item))))
                    .await
                    .is_err()
                {
                    return TaskEnd::Failed;
                }
                let f = &c.figures;
                f.producer_blocked_ns
                    .fetch_add(put_at.elapsed().as_nanos() as u64, Ordering::Relaxed);
                f.queue_depth.enter();
                f.items_produced.fetch_add(1, Ordering::Relaxed);
            }
            TaskEnd::Done
        }));
    }
    let mut consumers = Vec::new();
    for k in 0..s.consumers {
        let (c, rx) = (Arc::clone(&ctx), Arc::clone(&rx));
        consumers.push(ctx.tracker.spawn("consumer", k + 1, async move {
            loop {
                let item = {
                    let mut getter = waiting_on(WaitKind::Queue, rx.lock()).await;
                    waiting_on(WaitKind::Queue, getter.recv()).await
                };
                match item {
                    Some(Some(_)) => {
                        c.figures.queue_depth.leave();
                        c.sleep(Knobs::get(&c.knobs.consume_ms)).await;
                        c.figures.items_consumed.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(None) => {
                        c.figures.queue_depth.leave();
                        return TaskEnd::Done;
                    }
                    None => return TaskEnd::Failed,
                }
            }
        }));
    }
    join_all(producers).await;
    for _ in 0..s.consumers {
        if waiting_on(WaitKind::Queue, tx.send(None)).await.is_err() {
            break;
        }
        ctx.figures.queue_depth.enter();
        ctx.figures.sentinels_sent.fetch_add(1, Ordering::Relaxed);
    }
    join_all(consumers).await;
    TaskEnd::Done
}

/// `scale`: N tasks that each sleep `work_ms`; the picture switches to aggregates.
/// Finished tasks are collected between spawn batches (like `gather` reading results as
/// they come), so tokio frees each one as it ends: memory follows the live tasks, not N.
async fn scale(ctx: Arc<Ctx>) -> TaskEnd {
    let mut set = JoinSet::new();
    for i in 0..ctx.settings.tasks {
        let c = Arc::clone(&ctx);
        set.spawn(ctx.tracker.track("task", i + 1, async move {
            c.sleep(c.settings.work_ms).await;
            TaskEnd::Done
        }));
        if (i + 1) % SPAWN_BATCH == 0 {
            while set.try_join_next().is_some() {}
            tokio::task::yield_now().await;
        }
    }
    while waiting_on(WaitKind::Task, set.join_next()).await.is_some() {}
    TaskEnd::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::Params;
    use crate::sims::asyncio::settings::PARAMS;
    use crate::sims::kit::config::EngineConfig;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let owned = crate::sims::test_support::overrides(pairs);
        Settings::from_params(&Params::resolve("asyncio", PARAMS, &owned).unwrap()).unwrap()
    }

    #[test]
    fn timing_constants_tell_the_stories_they_should() {
        // The failing child must fail while most siblings are still running.
        const { assert!(FAIL_AFTER_MS > WORK_MIN_MS && FAIL_AFTER_MS < WORK_MAX_MS / 2) };
        // The blocking call starts while the tickers are still ticking.
        const { assert!(BLOCKER_START_MS < TICKS as u64 * TICK_MS) };
        const { assert!(TICK_MS >= 10 && TICK_MS <= 100) };
        const { assert!(SPAWN_BATCH >= 100) };
    }

    /// The panel dims what a scenario does not use: changing such a parameter must change
    /// neither the scenario's plan nor its ideal length.
    #[test]
    fn a_parameter_marked_unused_changes_nothing_its_scenario_computes() {
        let mut checked = 0;
        for scenario in super::super::settings::SCENARIOS {
            let base = Params::resolve(
                "asyncio",
                PARAMS,
                &crate::sims::test_support::overrides(&[("scenario", scenario)]),
            )
            .unwrap();
            let before = Settings::from_params(&base).unwrap();
            let picture = |s: &Settings| {
                let plan = Plan::new(s);
                (ideal_s(&plan, s), plan)
            };
            for spec in PARAMS.iter().filter(|spec| !spec.is_used(&base)) {
                let mut changed = base.clone();
                let next = spec.kind.step(base.get(spec.name), 1);
                assert_ne!(&next, base.get(spec.name), "{}", spec.name);
                changed.set(spec.name, next);
                let after = Settings::from_params(&changed).unwrap();
                assert_eq!(
                    picture(&before),
                    picture(&after),
                    "{scenario}: `{}` is marked unused but changes the scenario",
                    spec.name
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} unused pairs checked");
    }

    #[test]
    fn the_plan_is_the_same_every_run() {
        let s = settings(&[("tasks", "50")]);
        let a = Plan::new(&s);
        assert_eq!(a, Plan::new(&s));
        assert_eq!(a.durations_ms.len(), 50);
        assert!(
            a.durations_ms
                .iter()
                .all(|d| (WORK_MIN_MS..=WORK_MAX_MS).contains(d))
        );
        assert!(
            Plan::new(&settings(&[("scenario", "scale")]))
                .durations_ms
                .is_empty()
        );
    }

    #[test]
    fn ideal_times_follow_the_scenario_arithmetic() {
        let s = settings(&[("scenario", "semaphore"), ("tasks", "200"), ("limit", "10")]);
        assert!((ideal_s(&Plan::new(&s), &s) - 0.2).abs() < 1e-9);
        let s = settings(&[("scenario", "blocking"), ("block_ms", "200")]);
        assert!((ideal_s(&Plan::new(&s), &s) - 1.0).abs() < 1e-9);
        let s = settings(&[("scenario", "scale"), ("tasks", "100000")]);
        assert!((ideal_s(&Plan::new(&s), &s) - 0.01).abs() < 1e-9);
        let s = settings(&[("scenario", "io"), ("server_delay_ms", "50")]);
        assert!((ideal_s(&Plan::new(&s), &s) - 0.25).abs() < 1e-9);
        let s = settings(&[("scenario", "timeout"), ("timeout_ms", "300")]);
        assert!((ideal_s(&Plan::new(&s), &s) - 0.3).abs() < 1e-9);
    }
}
