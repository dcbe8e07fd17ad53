//! Tests of `crate::sims::pool`.

use super::*;
use crate::sims::Engine;
use crate::sims::test_support::assert_json_keys;
use crate::sims::test_support::wait_up_to;
use crate::sims::workload::Workload;
use std::time::Duration;

fn wait_until_finished(demo: &dyn Demo) -> bool {
    // Generous bound (a debug build runs the spin loop slowly): this checks that the
    // run ends, not how fast.
    wait_up_to(Duration::from_secs(60), || demo.is_finished())
}

/// The lanes of the demo's latest snapshot.
fn lanes(demo: &PoolDemo) -> Vec<WorkerLane> {
    match demo.snapshot() {
        Snapshot::Pool(s) => s.lanes.clone(),
        _ => panic!("not a pool snapshot"),
    }
}

fn config(workload: Workload, tasks: usize, min_len: usize) -> PoolConfig {
    PoolConfig {
        work: WorkConfig {
            workers: 2,
            workload,
            tasks,
        },
        min_len,
    }
}

#[test]
fn every_task_runs_on_a_pool_worker_and_the_run_ends() {
    let demo = PoolDemo::start(config(Workload::Tiny, 300, 4)).unwrap();
    assert!(wait_until_finished(&demo));
    // The finished snapshot holds every task: each pool thread handed its last runs over
    // as it ended, before the run went on to its sequential part.
    let lanes = lanes(&demo);
    assert_eq!(lanes.len(), 2);
    assert_eq!(lanes.iter().map(|l| l.tasks).sum::<usize>(), 300);
    for l in &lanes {
        assert!(l.stolen <= l.tasks);
        assert!(l.busy_s >= 0.0 && l.busy_s <= l.end_s + 1e-9, "{l:?}");
    }
    let stolen: usize = lanes.iter().map(|l| l.stolen).sum();
    let metrics = Box::new(demo).stop();
    assert_eq!(metrics["finished"], true);
    assert_eq!(metrics["tasks"], 300);
    assert_eq!(metrics["per_worker_tasks"].as_array().unwrap().len(), 2);
    assert_eq!(metrics["tasks_stolen"], stolen);
    let longest = metrics["longest_task_s"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&longest), "{longest}");
    assert_eq!(metrics["pool_threads_left"], 0);
    assert!(metrics["speedup"].as_f64().unwrap() > 0.0);
    assert!(metrics["sequential_s"].as_f64().unwrap() > 0.0);
    // Stolen work implies steals (not the other way round: a worker's first take is a
    // steal that only gives it its share).
    assert!(stolen == 0 || metrics["steals"].as_u64().unwrap() > 0);
}

#[test]
fn a_uniform_run_shows_no_lane_made_only_of_stolen_work() {
    // Issue 11: the second worker's whole lane was drawn as "stolen work", because rayon
    // hands out even a uniform run by stealing. A worker's first share is its own work.
    let demo = PoolDemo::start(config(Workload::Uniform, 64, 1)).unwrap();
    assert!(wait_until_finished(&demo));
    for (worker, lane) in lanes(&demo).iter().enumerate() {
        if lane.tasks > 0 {
            assert!(
                lane.stolen < lane.tasks,
                "worker {worker}: all {} tasks drawn as stolen",
                lane.tasks
            );
        }
    }
    let _ = Box::new(demo).stop();
}

#[test]
fn stop_in_the_middle_joins_every_pool_thread() {
    let params = crate::sims::test_support::params(&*INFO, &[]);
    let demo = INFO.start(&params).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let metrics = demo.stop();
    assert_eq!(metrics["pool_threads_left"], 0);
    assert_eq!(metrics["finished"], false);
    assert_eq!(metrics["speedup"], serde_json::Value::Null);
}

#[test]
fn min_len_keeps_jobs_whole() {
    // With min_len equal to the task count there is one job: nothing to steal.
    let demo = PoolDemo::start(config(Workload::Tiny, 50, 50)).unwrap();
    assert!(wait_until_finished(&demo));
    let per_worker: Vec<usize> = lanes(&demo).iter().map(|l| l.tasks).collect();
    assert!(
        per_worker.contains(&50) && per_worker.contains(&0),
        "{per_worker:?}"
    );
    let metrics = Box::new(demo).stop();
    assert_eq!(metrics["steals"], 0);
    assert_eq!(metrics["tasks_stolen"], 0);
}

#[test]
fn speedup_only_once_both_parts_are_measured() {
    let mut snap = PoolSnapshot::empty(config(Workload::Uniform, 4, 1));
    snap.parts.parallel_s = 1.0;
    snap.parts.sequential_s = 1.9;
    assert_eq!(snap.speedup(), None);
    snap.phase = PoolPhase::Done;
    assert_eq!(snap.speedup(), Some(1.9));
    assert_eq!(snap.efficiency(), Some(0.95));
}

#[test]
fn an_unrecorded_run_does_the_same_work_and_records_no_lane() {
    let demo = PoolDemo::start_unrecorded(config(Workload::Tiny, 100, 4)).unwrap();
    assert!(wait_until_finished(&demo));
    assert!(lanes(&demo).iter().all(|l| *l == WorkerLane::default()));
    let metrics = Box::new(demo).stop();
    assert_eq!(metrics["finished"], true);
    assert_eq!(metrics["tasks"], 0);
    assert_eq!(metrics["pool_threads_left"], 0);
}

#[test]
fn a_snapshot_keeps_its_json_keys_and_round_trips() {
    let snap = PoolSnapshot::empty(config(Workload::Skewed, 8, 2));
    let keys = "config phase lanes sequential parallel_s sequential_s steals cores \
                parallel_load_pct paused";
    assert_json_keys(&snap, keys, &[("config", "workers workload tasks min_len")]);
}
