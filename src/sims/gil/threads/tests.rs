//! Real threads: generous bounds only (the machine may be busy); always stopped.

use super::*;
use crate::sims::gil::GilEngine;
use crate::sims::{Engine, test_support};

fn start(pairs: &[(&str, &str)]) -> Box<dyn Demo> {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    GilEngine
        .start(&GilEngine.resolve(&owned).unwrap())
        .unwrap()
}

fn snap(demo: &dyn Demo) -> Arc<GilSnapshot> {
    match demo.snapshot() {
        Snapshot::Gil(s) => s,
        _ => panic!("not a gil snapshot"),
    }
}

/// Waits (up to 20 s: this checks that something happens, not how fast) for `cond`.
fn wait_for(demo: &dyn Demo, cond: impl Fn(&GilSnapshot) -> bool) -> bool {
    test_support::wait_for(|| cond(&snap(demo)))
}

#[test]
fn batches_last_about_a_microsecond() {
    let iterations = batch_iterations();
    let started = Instant::now();
    spin(iterations * 1000, 1);
    let per_batch = started.elapsed() / 1000;
    // Generous: a busy machine only makes batches longer, never shorter than ~0.1 µs.
    assert!(per_batch > Duration::from_nanos(100), "{per_batch:?}");
    assert!(per_batch < Duration::from_millis(1), "{per_batch:?}");
}

#[test]
fn two_cpu_threads_take_turns_and_stop_joins_them() {
    let before = crate::sims::thread_count();
    let mut demo = start(&[("switch_interval_ms", "1")]);
    assert!(wait_for(&*demo, |s| s.gil_switches >= 3
        && s.drop_requests >= 3
        && s.speedup.is_some()
        && s.threads.iter().all(|t| t.work_units > 0.0)));
    assert_eq!(
        demo.set("mode", &ParamValue::Text("free-threaded".into())),
        Applied::Live
    );
    assert_eq!(
        demo.set("switch_interval_ms", &ParamValue::Float(2.0)),
        Applied::Live
    );
    assert!(wait_for(&*demo, |s| s.mode == Mode::FreeThreaded
        && s.threads.iter().all(|t| t.work_units > 0.0)));
    assert!(demo.set_paused(true));
    assert!(demo.set_speed(0.5));
    assert!(demo.set_paused(false));
    let m = demo.stop();
    assert_eq!(m["mode"], "free-threaded");
    assert_eq!(m["threads"].as_array().map(Vec::len), Some(2));
    if let (Some(before), Some(after)) = (before, crate::sims::thread_count()) {
        // Other tests run in parallel threads of this process: only a loose check here;
        // tests/threads_joined.rs checks exactly.
        assert!(after <= before + 16, "{before} -> {after}");
    }
}

#[test]
fn an_io_thread_gets_the_gil_back_and_is_measured() {
    let demo = start(&[
        ("workload", "cpu,io"),
        ("io_ms", "0.1"),
        ("switch_interval_ms", "1"),
    ]);
    assert!(wait_for(&*demo, |s| s.io_ops > 3 && s.io_latency.is_some()));
    let s = snap(&*demo);
    assert!(s.threads[1].workload == Workload::Io);
    let m = demo.stop();
    assert!(m["io_latency_ms"]["p50"].as_f64().is_some_and(|v| v >= 0.0));
    assert!(m["io_ops"].as_u64().is_some_and(|v| v > 0));
}

#[test]
fn stop_is_prompt_even_in_slow_motion_with_long_io() {
    let demo = start(&[
        ("workload", "io"),
        ("io_ms", "1000"),
        ("timescale", "1000"),
        ("mode", "gil-legacy"),
    ]);
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let _ = demo.stop();
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn timing_constants_are_sane() {
    use super::calibrate::{CALIBRATION_PERIOD, CALIBRATION_WINDOW, FIRST_CALIBRATION_DELAY};
    // Snapshots at about 40 per second; a check of pause and stop every ~quarter ms.
    assert_eq!(FRAME_INTERVAL, Duration::from_millis(25));
    assert_eq!(OUTER_CHECK_BATCHES * crate::sims::gil::BATCH_NS, 256_000);
    // Reference windows take a tenth of the time, and the first comes after a warm-up.
    assert_eq!(CALIBRATION_WINDOW * 10, CALIBRATION_PERIOD);
    assert!(FIRST_CALIBRATION_DELAY >= CALIBRATION_WINDOW);
}
