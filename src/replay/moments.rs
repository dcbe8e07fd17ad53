//! The notable instants of a run, found from two consecutive snapshots, per engine, in this
//! one place: the first hand-off of the GIL, a deadlock detected, a task failing, a worker
//! crashing, a pool breaking, updates lost, a run finishing. Casts mark them (`"m"` events).

use crate::sims::Snapshot;

/// What changed between `prev` (the snapshot before, `None` at the start) and `next` that
/// is worth a marker, in words. Snapshots of different engines have nothing in common.
pub fn moments(prev: Option<&Snapshot>, next: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    match (prev, next) {
        (Some(Snapshot::Gil(a)), Snapshot::Gil(b))
            if a.counts.gil_switches == 0 && b.counts.gil_switches > 0 =>
        {
            out.push("first hand-off of the GIL".to_string());
        }
        (Some(Snapshot::Deadlock(a)), Snapshot::Deadlock(b)) if !a.deadlocked && b.deadlocked => {
            let cycle = b
                .deadlock_cycle
                .as_ref()
                .map(|c| {
                    let names: Vec<String> = c.iter().map(|t| format!("T{t}")).collect();
                    format!(": {}", names.join(" → "))
                })
                .unwrap_or_default();
            out.push(format!("deadlock detected{cycle}"));
        }
        (Some(Snapshot::Asyncio(a)), Snapshot::Asyncio(b)) => {
            if b.counts.failed > a.counts.failed {
                let newly: Vec<&str> = match (&a.tasks, &b.tasks) {
                    (Some(before), Some(after)) => after
                        .iter()
                        .filter(|t| t.state == crate::sims::asyncio::tracker::TaskState::Failed)
                        .filter(|t| {
                            !before.iter().any(|o| {
                                o.id == t.id
                                    && o.state == crate::sims::asyncio::tracker::TaskState::Failed
                            })
                        })
                        .map(|t| t.name.as_str())
                        .collect(),
                    _ => Vec::new(),
                };
                out.push(if newly.is_empty() {
                    "a task failed".to_string()
                } else {
                    format!("task failed: {}", newly.join(", "))
                });
            }
            if !a.finished && b.finished {
                out.push("scenario finished".to_string());
            }
        }
        (Some(Snapshot::Processes(a)), Snapshot::Processes(b)) => {
            if b.breakage.workers_crashed > a.breakage.workers_crashed {
                out.push("a worker process crashed".to_string());
            }
            if a.breakage.broken.is_none() && b.breakage.broken.is_some() {
                out.push("the pool is broken".to_string());
            }
        }
        (Some(Snapshot::Race(a)), Snapshot::Race(b)) => {
            for r in b.results.iter().skip(a.results.len()) {
                if r.lost > 0 {
                    out.push(format!("{} updates lost", r.lost));
                }
            }
            if !a.finished && b.finished {
                out.push("all rounds done".to_string());
            }
        }
        (Some(Snapshot::ThreadPool(a)), Snapshot::ThreadPool(b)) if !a.finished && b.finished => {
            out.push("all tasks done".to_string());
        }
        (Some(Snapshot::Queue(a)), Snapshot::Queue(b)) if !a.finished && b.finished => {
            out.push("queue drained".to_string());
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sims::{Engine, gil};
    use std::sync::Arc;

    fn gil_model() -> crate::sims::gil::GilSnapshot {
        let params = crate::sims::test_support::params(&gil::INFO, &[("engine", "model")]);
        let demo = gil::INFO.start(&params).unwrap();
        let Snapshot::Gil(s) = demo.snapshot() else {
            panic!("not a gil snapshot")
        };
        demo.stop();
        (*s).clone()
    }

    #[test]
    fn the_first_gil_hand_off_is_marked_once() {
        let mut a = gil_model();
        a.counts.gil_switches = 0;
        let mut b = a.clone();
        b.counts.gil_switches = 1;
        let mut c = b.clone();
        c.counts.gil_switches = 2;
        let (a, b, c) = (
            Snapshot::Gil(Arc::new(a)),
            Snapshot::Gil(Arc::new(b)),
            Snapshot::Gil(Arc::new(c)),
        );
        assert_eq!(moments(Some(&a), &b), vec!["first hand-off of the GIL"]);
        assert!(moments(Some(&b), &c).is_empty());
        assert!(moments(None, &a).is_empty());
    }

    #[test]
    fn a_deadlock_is_marked_when_it_forms() {
        let params =
            crate::sims::test_support::params(&crate::sims::deadlock::INFO, &[("engine", "model")]);
        let demo = crate::sims::deadlock::INFO.start(&params).unwrap();
        let Snapshot::Deadlock(s) = demo.snapshot() else {
            panic!("not a deadlock snapshot")
        };
        demo.stop();
        let mut before = (*s).clone();
        before.deadlocked = false;
        let mut after = before.clone();
        after.deadlocked = true;
        after.deadlock_cycle = Some(vec![1, 2]);
        let marks = moments(
            Some(&Snapshot::Deadlock(Arc::new(before))),
            &Snapshot::Deadlock(Arc::new(after)),
        );
        assert_eq!(marks, vec!["deadlock detected: T1 → T2"]);
    }

    /// The first snapshot of `name` started with `set`, its demo stopped.
    fn first_snapshot(name: &str, set: &[(&str, &str)]) -> Snapshot {
        let engine = crate::sims::find(name).unwrap();
        let demo = crate::sims::test_support::start(engine, set);
        let snap = demo.snapshot();
        demo.stop();
        snap
    }

    #[test]
    fn a_failed_task_and_lost_updates_are_marked() {
        let Snapshot::Asyncio(a) = first_snapshot("asyncio", &[]) else {
            panic!("asyncio")
        };
        let mut b = (*a).clone();
        b.counts.failed = a.counts.failed + 1;
        let marks = moments(
            Some(&Snapshot::Asyncio(a.clone())),
            &Snapshot::Asyncio(Arc::new(b)),
        );
        assert_eq!(marks, vec!["a task failed"]);

        let Snapshot::Race(a) = first_snapshot("race", &[("engine", "model")]) else {
            panic!("race")
        };
        let mut b = (*a).clone();
        b.results.push(crate::sims::race::RoundResult {
            expected: 10,
            actual: 7,
            lost: 3,
        });
        let marks = moments(Some(&Snapshot::Race(a)), &Snapshot::Race(Arc::new(b)));
        assert_eq!(marks, vec!["3 updates lost"]);
    }
}
