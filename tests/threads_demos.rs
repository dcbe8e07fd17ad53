//! The four threads demos (`race`, `deadlock`, `queue`, `threadpool`), started with their
//! defaults through the headless runner, report the figures issue 6 asks for and stop
//! promptly. Bounds are generous: this checks that they stop, not how fast.

use std::time::{Duration, Instant};

use pyconc::sims::{find, headless};

#[test]
fn every_threads_demo_reports_its_figures_and_stops_promptly() {
    let expected: &[(&str, &[&str])] = &[
        ("race", &["expected", "actual", "lost_updates"]),
        (
            "deadlock",
            &["deadlocked", "cycle", "acquisitions", "timeouts"],
        ),
        (
            "queue",
            &["produced", "consumed", "max_depth", "producer_blocked_ms"],
        ),
        ("threadpool", &["speedup", "completion_order"]),
    ];
    for (name, keys) in expected {
        let engine = find(name).expect("registered");
        let params = engine.resolve(&[]).expect("defaults validate");
        let started = Instant::now();
        let out = headless::run(engine, &params, 0.05).expect("starts");
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
        for key in ["demo", "params", "elapsed_s"].iter().chain(keys.iter()) {
            assert!(out.get(*key).is_some(), "{name} lacks {key}: {out}");
        }
    }
}

#[test]
fn model_engines_report_the_same_figures() {
    for (name, key) in [("race", "lost_updates"), ("deadlock", "deadlocked")] {
        let engine = find(name).expect("registered");
        let params = engine
            .resolve(&[("engine".to_string(), "model".to_string())])
            .expect("model validates");
        let out = headless::run(engine, &params, 0.0).expect("starts");
        assert!(out.get(key).is_some(), "{name}: {out}");
    }
}
