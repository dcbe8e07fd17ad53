//! View tests: hand-built snapshots drawn at the small (54x18), usual (80x20) and wide
//! sizes, compared with insta; and no panic at any size.

use crate::ui::demo::test_support;

use super::*;
use crate::sims::asyncio::snapshot::ScenarioFigures;
use crate::sims::asyncio::tracker::StateCounts;

fn task(
    id: u32,
    name: &str,
    state: TaskState,
    polls: u32,
    busy_ms: f64,
    ready_ms: f64,
) -> TaskFacts {
    TaskFacts {
        id,
        name: name.to_string(),
        state,
        polls,
        busy_ms,
        ready_ms,
        wait_ms: 120.0 + f64::from(id),
        since_ns: u64::from(id),
    }
}

fn counts_of(tasks: &[TaskFacts]) -> StateCounts {
    let mut c = StateCounts::default();
    for t in tasks {
        match t.state {
            TaskState::Running => c.running += 1,
            TaskState::Ready => c.ready += 1,
            TaskState::Waiting(kind) => {
                let i = WaitKind::ALL.iter().position(|k| *k == kind).unwrap();
                c.waiting[i] += 1;
            }
            TaskState::Done => c.done += 1,
            TaskState::Failed => c.failed += 1,
            TaskState::Cancelled => c.cancelled += 1,
        }
    }
    c
}

fn base(scenario: Scenario, tasks: Vec<TaskFacts>) -> AsyncioSnapshot {
    AsyncioSnapshot {
        scenario,
        flavor: Flavor::CurrentThread,
        sort: SortBy::State,
        elapsed_s: 0.75,
        ideal_s: 1.491,
        scenario_s: None,
        scenario_paused_s: None,
        speed: 1.0,
        paused: false,
        finished: false,
        counts: counts_of(&tasks),
        spawned: tasks.len() as u64,
        polls: tasks.iter().map(|t| u64::from(t.polls)).sum(),
        polling_now: Vec::new(),
        polling_for_ms: 0.0,
        next_at_gate: None,
        last_polled: None,
        ready_queue: Vec::new(),
        busy_s: 0.004,
        ready_s: 0.001,
        wait_s: 12.0,
        delay_histogram: vec![40, 12, 3, 0, 0, 0],
        lag_history_ms: (0..80).map(|i| f64::from(i % 7) * 0.3 + 0.4).collect(),
        lag_now_ms: 0.7,
        lag_max_ms: 2.2,
        figures: ScenarioFigures {
            limit: 5,
            maxsize: 5,
            block_ms: 200,
            timeout_ms: 300,
            ..ScenarioFigures::default()
        },
        tasks: Some(tasks),
    }
}

/// gather, paused in step mode: main waits on its workers, two are ready.
fn gather_paused() -> AsyncioSnapshot {
    let mut tasks = vec![
        task(2, "worker-2", TaskState::Ready, 1, 0.02, 0.3),
        task(3, "worker-3", TaskState::Ready, 1, 0.02, 0.2),
        task(0, "main", TaskState::Waiting(WaitKind::Task), 1, 0.31, 0.01),
        task(
            1,
            "worker-1",
            TaskState::Waiting(WaitKind::Timer),
            1,
            0.05,
            0.04,
        ),
    ];
    for i in 4..=12 {
        tasks.push(task(
            i,
            &format!("worker-{i}"),
            TaskState::Waiting(WaitKind::Timer),
            1,
            0.03,
            0.05,
        ));
    }
    tasks.push(task(13, "worker-13", TaskState::Done, 2, 0.06, 0.08));
    let mut s = base(Scenario::Gather, tasks);
    s.paused = true;
    s.next_at_gate = Some("worker-2".into());
    s.last_polled = Some("worker-1".into());
    s.ready_queue = vec!["worker-2".into(), "worker-3".into()];
    s
}

/// blocking, while the blocker holds the loop for 150 ms.
fn blocking_frozen() -> AsyncioSnapshot {
    let mut tasks = vec![
        task(21, "blocker", TaskState::Running, 2, 150.4, 0.1),
        task(0, "main", TaskState::Waiting(WaitKind::Task), 1, 0.2, 0.0),
    ];
    for i in 1..=20 {
        tasks.push(task(
            i,
            &format!("ticker-{i}"),
            TaskState::Ready,
            7,
            0.1,
            148.0,
        ));
    }
    let mut s = base(Scenario::Blocking, tasks);
    s.polling_now = vec!["blocker".into()];
    s.polling_for_ms = 150.4;
    s.lag_history_ms.extend([50.0, 100.0, 140.0]);
    s.lag_now_ms = 140.0;
    s.lag_max_ms = 140.0;
    s.ready_queue = (1..=16).map(|i| format!("ticker-{i}")).collect();
    s
}

/// scale with 100,000 tasks: aggregates only.
fn scale_running() -> AsyncioSnapshot {
    let mut s = base(Scenario::Scale, Vec::new());
    s.tasks = None;
    s.spawned = 100_001;
    s.polls = 160_000;
    s.counts = StateCounts {
        running: 0,
        ready: 12_000,
        waiting: [60_000, 0, 0, 0, 1, 0, 0],
        done: 28_000,
        failed: 0,
        cancelled: 0,
    };
    s.delay_histogram = vec![90_000, 40_000, 20_000, 9_000, 1_000, 0];
    s.busy_s = 0.21;
    s.ready_s = 160.0;
    s
}

/// taskgroup, finished.
fn taskgroup_done() -> AsyncioSnapshot {
    let mut tasks = vec![task(0, "main", TaskState::Done, 3, 0.1, 0.0)];
    tasks.push(task(1, "taskgroup", TaskState::Failed, 5, 0.2, 0.0));
    tasks.push(task(2, "gather", TaskState::Failed, 3, 0.1, 0.0));
    for i in 1..=6u32 {
        let tg = match i {
            3 => TaskState::Failed,
            1 => TaskState::Done,
            _ => TaskState::Cancelled,
        };
        tasks.push(task(
            2 + i,
            &format!("tg-{i}"),
            tg,
            1 + u32::from(tg == TaskState::Done),
            0.02,
            0.01,
        ));
        let ga = if i == 3 {
            TaskState::Failed
        } else {
            TaskState::Done
        };
        tasks.push(task(8 + i, &format!("ga-{i}"), ga, 2, 0.02, 0.01));
    }
    let mut s = base(Scenario::TaskGroup, tasks);
    s.finished = true;
    s.scenario_s = Some(1.493);
    s.elapsed_s = 1.5;
    s.last_polled = Some("main".into());
    s.figures.taskgroup.cancelled = 4;
    s.figures.taskgroup.cleanups_run = 4;
    s.figures.gather.completed_after_failure = 4;
    s
}

fn draw(snap: &AsyncioSnapshot, width: u16, height: u16) -> String {
    test_support::draw(render, snap, width, height)
}

/// A snapshotted scene: the snapshot's name, what makes the scene, the width and height
/// it is drawn at.
type Scene = (&'static str, fn() -> AsyncioSnapshot, u16, u16);

/// Every snapshotted scene.
const SCENES: [Scene; 4] = [
    ("gather_paused_small", gather_paused, 54, 18),
    ("blocking_frozen_80x20", blocking_frozen, 80, 20),
    ("scale_aggregates_small", scale_running, 54, 18),
    ("taskgroup_finished_wide", taskgroup_done, 120, 28),
];

#[test]
fn every_scene_at_its_size() {
    for (name, scene, width, height) in SCENES {
        insta::assert_snapshot!(name, draw(&scene(), width, height));
    }
}

#[test]
fn every_size_draws_without_panicking() {
    for (_, scene, _, _) in SCENES {
        let snap = scene();
        for (w, h) in [(1, 1), (8, 3), (20, 6), (54, 18), (99, 30), (150, 50)] {
            draw(&snap, w, h);
        }
    }
}

#[test]
fn captions_say_what_happens() {
    assert!(caption(&blocking_frozen()).contains("without awaiting"));
    assert!(caption(&gather_paused()).contains("a step polls worker-2"));
    assert!(caption(&taskgroup_done()).contains("cancelled 4 siblings"));
    let mut multi = blocking_frozen();
    multi.flavor = Flavor::MultiThread;
    assert!(caption(&multi).contains("one worker thread"));
    multi.polling_for_ms = 0.1;
    assert!(caption(&multi).contains("multi-thread"));
}

#[test]
fn a_finished_run_says_how_much_of_its_time_was_a_pause() {
    let mut done = gather_paused();
    (done.paused, done.finished) = (false, true);
    done.scenario_s = Some(3.64);
    done.scenario_paused_s = Some(2.15);
    let text = caption(&done);
    assert!(
        text.contains("in 3.64 s (2.1 s of it paused), ideal"),
        "{text}"
    );
    done.scenario_paused_s = Some(0.0);
    let text = caption(&done);
    assert!(text.contains("in 3.64 s, ideal"), "{text}");
}

#[test]
fn states_map_to_theme_states() {
    assert_eq!(run_state(TaskState::Waiting(WaitKind::Io)), RunState::Io);
    assert_eq!(
        run_state(TaskState::Waiting(WaitKind::Lock)),
        RunState::Waiting
    );
    assert_eq!(clip("abcdef", 4), "abc…");
    assert_eq!(clip("abc", 4), "abc");
    assert_eq!(ms(0.42), "0.4 ms");
    assert_eq!(ms(1500.0), "1.5 s");
    assert_eq!(thousands(100_001), "100,001");
    assert_eq!(thousands(999), "999");
}
