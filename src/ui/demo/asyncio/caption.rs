//! The `asyncio` view's caption: what the picture shows, in words, while the scenario
//! runs and once it has finished.

use super::*;
use crate::ui::text::{count, count_of};

/// The picture in words.
pub fn caption(snap: &AsyncioSnapshot) -> String {
    let c = &snap.counts;
    let f = &snap.figures;
    if snap.paused {
        return match snap.next_at_gate.as_deref() {
            Some(next) => {
                format!("paused between two polls: a step polls {next} once, up to its next await")
            }
            None => "paused: no task is ready; a step polls the next one a timer or socket wakes"
                .to_string(),
        };
    }
    if let Some(task) = snap.polling_now.first()
        && snap.polling_for_ms >= BLOCKING_POLL_MS
    {
        return match snap.flavor {
            Flavor::CurrentThread => format!(
                "{task} has run {:.0} ms without awaiting: the one loop thread is stuck, nothing else runs",
                snap.polling_for_ms
            ),
            // tokio can move queued tasks to another worker, but not all of them (those
            // parked with the stuck worker and its timers wait): watch the lag.
            Flavor::MultiThread => format!(
                "{task} has run {:.0} ms without awaiting: it holds one worker thread; the others go on with the tasks they can take",
                snap.polling_for_ms
            ),
        };
    }
    let multi = if snap.flavor == Flavor::MultiThread {
        " (multi-thread runtime: tasks run on several threads, unlike asyncio)"
    } else {
        ""
    };
    let text = if snap.finished {
        finished_caption(snap)
    } else {
        match snap.scenario {
            Scenario::Gather => format!(
                "{} sleep at once on one thread; each is polled only when its timer fires",
                count(c.waiting_on(WaitKind::Timer), "task")
            ),
            Scenario::TaskGroup if c.failed == 0 => {
                "two groups of the same children; child 3 of each is about to fail".to_string()
            }
            Scenario::TaskGroup => format!(
                "child 3 failed: the TaskGroup cancelled {} (cleanup ran); gather's run on",
                count(f.taskgroup.cancelled, "sibling")
            ),
            Scenario::Blocking => format!(
                "tickers sleep 50 ms at a time; the blocker will call time.sleep({} ms) on the loop",
                f.block_ms
            ),
            Scenario::Offload if c.waiting_on(WaitKind::Thread) > 0 => format!(
                "the blocking call runs on a worker thread; the loop keeps ticking (lag {})",
                ms(snap.lag_now_ms)
            ),
            Scenario::Offload => {
                "tickers sleep 50 ms at a time; the blocking call will go to a worker thread"
                    .to_string()
            }
            Scenario::Semaphore => format!(
                "{} of {} inside the semaphore, {} wait their turn at it",
                f.inside,
                f.limit,
                c.waiting_on(WaitKind::Lock)
            ),
            Scenario::Timeout => format!(
                "deadline {} ms: tasks still running then are cancelled, each runs its cleanup",
                f.timeout_ms
            ),
            Scenario::Queue if f.queue_depth >= u64::from(f.maxsize) => format!(
                "queue full ({}/{}): producers wait to put, backpressure",
                f.queue_depth, f.maxsize
            ),
            Scenario::Queue if f.queue_depth == 0 => {
                "queue empty: consumers wait to get".to_string()
            }
            Scenario::Queue => format!(
                "queue holds {} of {}: producers and consumers both move",
                f.queue_depth, f.maxsize
            ),
            Scenario::Io => format!(
                "{} open, {} on sockets, all on one thread",
                count(f.connections_open, "connection"),
                count_of(c.waiting_on(WaitKind::Io), "task waits", "tasks wait")
            ),
            Scenario::Scale => format!(
                "{} alive, {} asleep at once; a task costs a few hundred bytes, not a thread",
                count(snap.scenario_tasks().saturating_sub(c.finished()), "task"),
                thousands(c.waiting_on(WaitKind::Timer))
            ),
        }
    };
    format!("{text}{multi}")
}

/// How long the scenario took, and how much of it was a pause (the loop's clock runs on
/// while paused, so that time is in the figure: the caption says so rather than compare it
/// with the ideal unexplained).
fn took(snap: &AsyncioSnapshot) -> String {
    let took = snap.scenario_s.unwrap_or(snap.elapsed_s);
    match snap.scenario_paused_s {
        Some(paused) if paused >= 0.05 => format!("{took:.2} s ({paused:.1} s of it paused)"),
        _ => format!("{took:.2} s"),
    }
}

fn finished_caption(snap: &AsyncioSnapshot) -> String {
    let f = &snap.figures;
    let c = &snap.counts;
    let took = took(snap);
    match snap.scenario {
        Scenario::Gather | Scenario::Scale => format!(
            "done: {} in {took}, ideal {:.2} s: they waited together, not in turn",
            count(snap.scenario_tasks(), "task"),
            snap.ideal_s
        ),
        Scenario::TaskGroup => format!(
            "done: TaskGroup cancelled {} (cleanups {}); under gather {} finished after the failure",
            count(f.taskgroup.cancelled, "sibling"),
            f.taskgroup.cleanups_run,
            f.gather.completed_after_failure
        ),
        Scenario::Blocking => format!(
            "done in {took}, ideal {:.2} s: one {} ms blocking call froze every task (lag max {})",
            snap.ideal_s,
            f.block_ms,
            ms(snap.lag_max_ms)
        ),
        Scenario::Offload => format!(
            "done in {took}, ideal {:.2} s: offloaded, the call froze nothing (lag max {})",
            snap.ideal_s,
            ms(snap.lag_max_ms)
        ),
        Scenario::Semaphore => format!(
            "done in {took}, ideal {:.2} s: never more than {} inside (limit {})",
            snap.ideal_s, f.peak_inside, f.limit
        ),
        Scenario::Timeout => format!(
            "done: {} cancelled at the deadline, {} ran, none left running",
            c.cancelled,
            count(f.cleanups_run, "cleanup")
        ),
        Scenario::Queue => format!(
            "done: {} through a queue of {}; producers were blocked {} in all",
            count(f.items_consumed, "item"),
            f.maxsize,
            ms(f.producer_blocked_ms)
        ),
        Scenario::Io => format!(
            "done: {}, up to {} open at once on one thread, all closed",
            count(f.requests, "round trip"),
            count(f.peak_connections, "connection")
        ),
    }
}
