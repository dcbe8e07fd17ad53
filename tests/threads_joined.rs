//! Every registered demo, started with its defaults and stopped, leaves no thread behind.
//! One test in its own binary, so no other test's threads move the count.

use std::time::{Duration, Instant};

use pyconc::sims::{self, ParamValue, thread_count};

/// The thread count once it has come back down to `want`, or what it is after a generous
/// wait. `pthread_join` returns once a thread has finished, but the kernel may list it in
/// `/proc/self/task` a moment longer (much longer on a loaded machine): a thread that
/// really leaked never leaves, so this still fails on every leak.
fn settled_thread_count(want: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = thread_count().unwrap();
        if now <= want || Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stopping_any_demo_joins_every_thread_it_started() {
    // Worker processes (the `processes` demo) are copies of pyconc itself.
    // SAFETY: set before any thread of this test binary reads the environment.
    unsafe { std::env::set_var("PYCONC_WORKER_EXE", env!("CARGO_BIN_EXE_pyconc")) };
    let Some(_) = thread_count() else {
        eprintln!("this OS does not report thread counts: skipped");
        return;
    };
    for engine in sims::registry() {
        let params = engine.resolve(&[]).unwrap();
        // A first run warms up anything process-wide; the second must leave nothing behind.
        for round in 0..2 {
            let before = thread_count().unwrap();
            let demo = engine.start(&params).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            let during = thread_count().unwrap();
            let _ = demo.stop();
            let after = settled_thread_count(before);
            if round == 1 {
                assert_eq!(
                    after,
                    before,
                    "`{}` left {} thread(s) running after stop (had {during} while running)",
                    engine.name(),
                    after as isize - before as isize
                );
            }
        }
    }
    shrinking_a_paused_demo_never_waits_and_stop_joins_all();
}

/// Issue 11, defect 18: `cores busy=2`, pause, `busy=1` returns (no join on a paused
/// spinner), and stop then joins every thread: counted, not timed.
fn shrinking_a_paused_demo_never_waits_and_stop_joins_all() {
    let engine = sims::find("cores").unwrap();
    let params = engine.resolve(&[("busy".into(), "2".into())]).unwrap();
    let before = thread_count().unwrap();
    let mut demo = engine.start(&params).unwrap();
    assert!(demo.set_paused(true));
    assert_eq!(
        demo.set("busy", &ParamValue::Int(1)),
        sims::Applied::Live,
        "a paused demo takes the change live"
    );
    assert_eq!(demo.set("busy", &ParamValue::Int(0)), sims::Applied::Live);
    let _ = demo.stop();
    assert_eq!(
        settled_thread_count(before),
        before,
        "a paused spinner outlived stop"
    );
}
