//! Tests of `crate::sims::threadpool`.

use super::*;
use crate::sims::test_support::wait_until_finished;
use std::time::Instant;

#[test]
fn durations_are_seeded_and_in_range() {
    let a = task_durations(20, 10, 30, 7);
    assert_eq!(a, task_durations(20, 10, 30, 7));
    assert_ne!(a, task_durations(20, 10, 30, 8));
    assert!(a.iter().all(|d| (10..=30).contains(d)));
}

#[test]
fn every_task_completes_once_and_blocking_io_overlaps() {
    let durations = vec![60, 10, 40, 20, 30, 50, 10, 20];
    let demo: Box<dyn Demo> = Box::new(PoolDemo::start(4, durations).unwrap());
    assert!(wait_until_finished(demo.as_ref()));
    let m = demo.stop();
    let mut order: Vec<u64> = m["completion_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    order.sort_unstable();
    assert_eq!(order, (1..=8).collect::<Vec<_>>());
    // Measured blocked time: at least what was asked for, each sleep a little longer.
    assert!(m["sequential_ms"].as_u64().unwrap() >= 240, "{m}");
    // Four threads blocking at once: well over one task at a time, whatever the load.
    assert!(m["speedup"].as_f64().unwrap() > 1.0, "{m}");
}

#[test]
fn stop_cancels_what_is_left_and_joins_promptly() {
    let mut demo: Box<dyn Demo> = Box::new(PoolDemo::start(2, vec![60_000; 6]).unwrap());
    assert!(demo.set_paused(true));
    let started = Instant::now();
    let m = demo.stop();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(m["completed"], 0);
    assert_eq!(m["finished"], false);
    // No speedup of an unfinished run (pool and processes say null too).
    assert!(m["speedup"].is_null(), "{m}");
}

#[test]
fn timing_constants_are_sane() {
    assert!(SAMPLE_INTERVAL <= Duration::from_millis(200));
    const { assert!(HISTORY_SAMPLES >= 60) };
}
