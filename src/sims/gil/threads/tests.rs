//! Real threads: generous bounds only (the machine may be busy); always stopped.

use std::cell::Cell;
use std::time::Instant;

use super::shared::{Ev, spin};
use super::worker::WorkerWait;
use super::*;

use crate::sims::gil::real_gil::Taken;
use crate::sims::gil::{self, Mode, ThreadState, Workload};
use crate::sims::test_support;

fn start(pairs: &[(&str, &str)]) -> Box<dyn Demo> {
    test_support::start(&gil::INFO, pairs)
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
    assert!(wait_for(&*demo, |s| s.counts.gil_switches >= 3
        && s.counts.drop_requests >= 3
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
    assert!(wait_for(&*demo, |s| s.setup.mode == Mode::FreeThreaded
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
    assert!(wait_for(&*demo, |s| s.counts.io_ops > 3 && s.io_latency.is_some()));
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
    // Snapshots at about 40 per second; a check of pause and stop every ~quarter ms.
    assert_eq!(FRAME_INTERVAL, Duration::from_millis(25));
    assert_eq!(OUTER_CHECK_BATCHES * crate::sims::gil::BATCH_NS, 256_000);
    // Reference windows take a tenth of the time, and the first comes after a warm-up.
    assert_eq!(CALIBRATION_WINDOW * 10, CALIBRATION_PERIOD);
    assert!(FIRST_CALIBRATION_DELAY >= CALIBRATION_WINDOW);
}

use crate::sims::gil::test_config as config;

fn states(shared: &Shared, w: usize) -> Vec<(u64, ThreadState)> {
    shared.workers[w]
        .log
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(t, ev)| match ev {
            Ev::State(s) => Some((*t, *s)),
            _ => None,
        })
        .collect()
}

/// Python 2's release and re-request, with thread 1 preempted between the two while
/// thread 2 takes the GIL and lets it go: thread 1 takes it back without waiting, but it
/// did not hold it while thread 2 did (both once showed 63% held). One thread, in order.
#[test]
fn a_thread_that_lost_the_gil_meanwhile_shows_a_wait_from_its_release() {
    let shared = Shared::new(&config(&[("mode", "gil-legacy")]), true);
    let (state_one, released_one) = (Cell::new(None), Cell::new(None));
    let (state_two, released_two) = (Cell::new(None), Cell::new(None));
    let one = WorkerWait {
        shared: &shared,
        w: 0,
        epoch: 0,
        state: &state_one,
        released_at: &released_one,
    };
    let two = WorkerWait {
        shared: &shared,
        w: 1,
        epoch: 0,
        state: &state_two,
        released_at: &released_two,
    };
    assert!(matches!(one.take(0, None), Taken::Yes { .. }));
    one.set_state(ThreadState::Running);
    one.release(0, false);
    let one_released = released_one.get().unwrap();
    assert!(matches!(
        two.take(0, None),
        Taken::Yes { switched: true, .. }
    ));
    two.set_state(ThreadState::Running);
    let two_running = states(&shared, 1)[0].0;
    two.release(0, false);
    let two_released = released_two.get().unwrap();
    assert_eq!(
        one.take(0, None),
        Taken::Yes {
            switched: true,
            waited: false
        }
    );
    one.set_state(ThreadState::Running);
    let log = states(&shared, 0);
    let kinds: Vec<ThreadState> = log.iter().map(|(_, s)| *s).collect();
    assert_eq!(
        kinds,
        [
            ThreadState::Running,
            ThreadState::Waiting,
            ThreadState::Running
        ]
    );
    // Held: thread 1 up to its release, thread 2 after it, thread 1 after thread 2's.
    assert_eq!(log[1].0, one_released);
    assert!(log[1].0 <= two_running);
    assert!(log[2].0 >= two_released);
    // Taken back with nobody in between: no wait shown (the GIL never left it).
    one.release(0, false);
    assert!(matches!(
        one.take(0, None),
        Taken::Yes {
            switched: false,
            ..
        }
    ));
    one.set_state(ThreadState::Running);
    assert_eq!(states(&shared, 0).len(), 3);
}

/// Without a shared GIL the rows say how much of their running time the workers were on
/// a core (their CPU time), so 4 workers on 2 cores can show waiting for a core.
#[test]
fn time_on_a_core_is_measured_without_a_shared_gil() {
    let demo = start(&[("threads", "4"), ("mode", "processes")]);
    assert!(wait_for(&*demo, |s| s.threads.iter().all(|t| t
        .on_core_share
        .is_some_and(|c| c > 0.0 && c <= t.held_share + 1e-9))));
    let _ = demo.stop();
}

/// The bench's bare switch (`instrumented: false`): both threads do their work, so the GIL
/// changed hands, yet no switch, drop request or state is recorded; the instrumented run
/// records them. Counts only, no timing.
#[test]
fn an_uninstrumented_run_works_and_records_nothing() {
    let config = config(&[("switch_interval_ms", "1")]);
    for instrumented in [false, true] {
        let demo = ThreadsDemo::start(&config, instrumented).unwrap();
        assert!(wait_for(&demo, |s| s
            .threads
            .iter()
            .all(|t| t.work_units > 0.0)
            && (!instrumented || s.counts.gil_switches >= 2)));
        let s = snap(&demo);
        if !instrumented {
            assert_eq!((s.counts.gil_switches, s.counts.drop_requests), (0, 0));
            assert!(
                s.threads
                    .iter()
                    .all(|t| t.held_share == 0.0 && t.core.is_none())
            );
        }
        assert!(
            demo.shared
                .workers
                .iter()
                .all(|w| w.log.lock().unwrap().is_empty())
                || instrumented
        );
        let m = Box::new(demo).stop();
        assert_eq!(m["gil_switches"].as_u64() == Some(0), !instrumented, "{m}");
    }
}
