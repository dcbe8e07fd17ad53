//! Tests of `crate::sims::processes`.

use super::*;
use crate::sims::test_support::assert_json_keys;
use crate::sims::test_support::wait_until_finished;
use crate::sims::workload::Workload;
use std::time::Duration;

fn config() -> ProcConfig {
    ProcConfig {
        work: WorkConfig {
            workers: 2,
            workload: Workload::Tiny,
            tasks: 10,
        },
        chunksize: 1,
        payload_kb: 1,
        crash: false,
    }
}

#[test]
fn a_program_that_cannot_start_fails_the_run_with_a_reason() {
    let demo = ProcessesDemo::start(config(), "/nonexistent/pyconc".into()).unwrap();
    assert!(wait_until_finished(&demo));
    let metrics = Box::new(demo).stop();
    assert_eq!(metrics["finished"], false);
    let error = metrics["error"].as_str().unwrap();
    assert!(error.contains("could not start worker process"), "{error}");
    assert_eq!(metrics["children_left"], 0);
}

#[cfg(unix)]
#[test]
fn a_program_that_is_not_a_worker_is_reported_not_retried() {
    let demo = ProcessesDemo::start(config(), "true".into()).unwrap();
    assert!(wait_until_finished(&demo));
    let metrics = Box::new(demo).stop();
    let error = metrics["error"].as_str().unwrap();
    assert!(error.contains("exited before it was ready"), "{error}");
    assert_eq!(metrics["pools_started"], 1);
    assert_eq!(metrics["workers_crashed"], 0);
}

#[test]
fn oversized_chunks_are_refused_up_front() {
    let huge = ProcConfig {
        chunksize: 1000,
        payload_kb: 1024,
        ..config()
    };
    let err = ProcessesDemo::start(huge, "true".into()).err().unwrap();
    assert!(err.to_string().contains("chunksize 1000"), "{err}");
}

#[test]
fn ipc_share_and_speedup_need_figures() {
    let mut snap = ProcessesSnapshot::empty(config());
    assert_eq!(snap.costs.ipc_share(), 0.0);
    assert_eq!(snap.speedup(), None);
    snap.costs.ipc_ms = 1.0;
    snap.costs.compute_ms = 3.0;
    assert_eq!(snap.costs.ipc_share(), 0.25);
    snap.phase = ProcPhase::Done;
    snap.parts.parallel_s = 1.0;
    snap.parts.sequential_s = 1.5;
    assert_eq!(snap.efficiency(), Some(0.75));
}

#[test]
fn timing_constants_are_sane() {
    assert!(run::WORKER_EXIT_GRACE <= Duration::from_secs(5));
    const { assert!(MAX_CHUNK_BYTES < MAX_FRAME_BYTES) };
}

#[test]
fn a_snapshot_keeps_its_json_keys_and_round_trips() {
    let keys = "config phase workers sequential parallel_s sequential_s startup_ms \
                serialise_ms ipc_ms compute_ms bytes_sent bytes_received chunks tasks_done \
                workers_crashed pools_started broken error cores parallel_load_pct paused";
    let config_keys = "workers workload tasks chunksize payload_kb crash";
    assert_json_keys(
        &ProcessesSnapshot::empty(config()),
        keys,
        &[("config", config_keys)],
    );
}
