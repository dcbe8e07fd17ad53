//! The tracker on real tokio runtimes: states, counts, wake-ups and cancellations.

use super::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A tracker whose gate is not paused, and the one-thread runtime its tasks run on.
fn tracker_and_runtime() -> (Arc<Tracker>, tokio::runtime::Runtime) {
    (
        Arc::new(Tracker::new(Arc::new(Gate::new(false)))),
        runtime(),
    )
}

#[test]
fn a_task_goes_ready_running_waiting_ready_running_done() {
    let (tracker, rt) = tracker_and_runtime();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let end = rt.block_on(async {
        let handle = tracker.spawn("worker", 1, async move {
            let _ = waiting_on(WaitKind::Queue, rx).await;
            TaskEnd::Done
        });
        assert_eq!(tracker.counters().counts().ready, 1);
        // Let it run up to its await.
        tokio::task::yield_now().await;
        let facts = tracker.facts_if_at_most(10).unwrap();
        assert_eq!(facts[0].name, "worker-1");
        assert_eq!(facts[0].state, TaskState::Waiting(WaitKind::Queue));
        assert_eq!(facts[0].polls, 1);
        assert_eq!(tracker.counters().counts().waiting_on(WaitKind::Queue), 1);
        tx.send(()).unwrap();
        assert_eq!(tracker.counters().counts().ready, 1);
        handle.await.unwrap()
    });
    assert_eq!(end, TaskEnd::Done);
    let c = tracker.counters();
    assert_eq!(c.polls(), 2);
    assert_eq!(c.counts().done, 1);
    assert_eq!(c.counts().finished(), 1);
    assert_eq!(c.live(), 0);
    assert_eq!(c.delay_histogram().iter().sum::<u64>(), 2);
}

#[test]
fn an_aborted_task_is_cancelled_and_a_failed_one_failed() {
    let (tracker, rt) = tracker_and_runtime();
    rt.block_on(async {
        let sleeper = tracker.spawn("sleeper", SOLO, async {
            waiting_on(WaitKind::Timer, std::future::pending::<()>()).await;
            TaskEnd::Done
        });
        let failing = tracker.spawn("failing", SOLO, async { TaskEnd::Failed });
        assert_eq!(failing.await.unwrap(), TaskEnd::Failed);
        tokio::task::yield_now().await;
        assert_eq!(tracker.counters().counts().waiting_on(WaitKind::Timer), 1);
        sleeper.abort();
        assert!(sleeper.await.unwrap_err().is_cancelled());
    });
    let counts = tracker.counters().counts();
    assert_eq!((counts.failed, counts.cancelled, counts.done), (1, 1, 0));
    assert_eq!(tracker.name_of(0).as_deref(), Some("sleeper"));
    assert_eq!(tracker.counters().peak_live(), 2);
}

#[test]
fn unlabelled_waits_show_as_other_and_a_self_wake_as_ready() {
    let (tracker, rt) = tracker_and_runtime();
    rt.block_on(async {
        let _yielder = tracker.spawn("yielder", SOLO, async {
            tokio::task::yield_now().await;
            std::future::pending::<()>().await;
            TaskEnd::Done
        });
        // The spawned task is polled once: it wakes itself, so it is ready again.
        tokio::task::yield_now().await;
        let state = tracker.facts_if_at_most(1).unwrap()[0].state;
        assert!(
            matches!(
                state,
                TaskState::Ready | TaskState::Waiting(WaitKind::Other)
            ),
            "{state:?}"
        );
    });
    assert!(tracker.facts_if_at_most(0).is_none());
}

#[test]
fn names_and_ranks() {
    assert_eq!(task_name("main", SOLO), "main");
    assert_eq!(task_name("client", 7), "client-7");
    assert!(TaskState::Running.rank() < TaskState::Ready.rank());
    assert!(TaskState::Ready.rank() < TaskState::Waiting(WaitKind::Timer).rank());
    assert!(TaskState::Waiting(WaitKind::Other).rank() < TaskState::Done.rank());
    assert_eq!(TaskState::Waiting(WaitKind::Io).label(), "I/O");
}

#[test]
fn the_task_being_polled_is_listed_as_running_and_only_then() {
    let (tracker, rt) = tracker_and_runtime();
    let seen = rt.block_on(async {
        let t = Arc::clone(&tracker);
        let handle = tracker.spawn("worker", 1, async move {
            let seen = t.counters().running();
            assert_eq!(t.counters().counts().running, 1);
            if seen == [0] {
                TaskEnd::Done
            } else {
                TaskEnd::Failed
            }
        });
        handle.await.unwrap()
    });
    assert_eq!(seen, TaskEnd::Done);
    assert!(tracker.counters().running().is_empty());
}

#[test]
fn a_task_that_panics_mid_poll_is_failed_and_no_longer_running() {
    let (tracker, rt) = tracker_and_runtime();
    rt.block_on(async {
        let handle = tracker.spawn("panicky", SOLO, async {
            assert!(!std::hint::black_box(true), "the body raised");
            TaskEnd::Done
        });
        assert!(handle.await.unwrap_err().is_panic());
    });
    assert_eq!(tracker.counters().counts().failed, 1);
    assert!(tracker.counters().running().is_empty());
    assert_eq!(tracker.counters().live(), 0);
}
