//! In-process fuzzing of the whole shell: seeded random events (every key the key table
//! binds, other keys, mouse, resizes from 1x1 to 300x100, frames) fed to `App::update` on
//! every screen, each frame drawn into a TestBackend of the terminal's size. A panic fails
//! with the start and the event list; `replay` runs such a list again:
//!
//! ```sh
//! PYCONC_FUZZ_START='Lesson(3)' PYCONC_FUZZ_EVENTS=/tmp/events.txt \
//!     cargo test --test fuzz replay -- --ignored --nocapture
//! ```
//!
//! The long run: `cargo test --release --test fuzz -- --ignored long_run`.

mod fuzz_support;
mod os_support;

use std::time::{Duration, Instant};

use fuzz_support::{Start, demo_starts, parse_events, parse_start, run, screen_starts};
use pyconc::lessons::Catalog;

/// Runs every start for `per_screen` events (real-thread demos for `per_demo`), panics
/// with every failure, and checks the demos' threads and child processes are all gone
/// afterwards.
fn fuzz_all(seed: u64, per_screen: usize, per_demo: usize) -> usize {
    fuzz_support::use_pyconc_as_worker();
    // `w` saves a recording in the current folder: here, a temporary one.
    let cwd = std::env::current_dir().expect("a current folder");
    let scratch = tempfile::tempdir().expect("a temporary folder");
    std::env::set_current_dir(scratch.path()).expect("into the temporary folder");
    let before = fuzz_support::threads_now();
    let catalog = Catalog::embedded().expect("built-in lessons");
    let mut starts: Vec<(Start, usize)> = screen_starts(&catalog)
        .into_iter()
        .map(|s| (s, per_screen))
        .collect();
    starts.extend(demo_starts().into_iter().map(|s| (s, per_demo)));
    let mut events = 0;
    let mut failures = Vec::new();
    for (i, (name, text)) in fuzz_support::XRAY_RECORDINGS.iter().enumerate() {
        match fuzz_support::fuzz_xray(name, text, seed ^ (0xa11 + i as u64), per_screen) {
            Ok(n) => events += n,
            Err(failure) => failures.push(failure),
        }
    }
    for (i, (start, count)) in starts.iter().enumerate() {
        let began = Instant::now();
        let outcome = run(start, seed.wrapping_add(i as u64), *count, None);
        if std::env::var_os("PYCONC_FUZZ_TIMES").is_some() {
            println!(
                "{start}: {} events, {:.2} s",
                outcome.events,
                began.elapsed().as_secs_f64()
            );
        }
        events += outcome.events;
        failures.extend(outcome.failure);
    }
    std::env::set_current_dir(&cwd).expect("back to the first folder");
    assert!(
        failures.is_empty(),
        "{} of {} runs panicked:\n\n{}",
        failures.len(),
        starts.len(),
        failures.join("\n\n")
    );
    // Every demo was stopped and its threads joined (reapers too).
    if let Some(before) = before {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut now = fuzz_support::threads_now().unwrap_or(before);
        while now > before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            now = fuzz_support::threads_now().unwrap_or(before);
        }
        assert!(
            now <= before,
            "{now} threads left, {before} before the fuzzing"
        );
    }
    // Every worker process the demos started is gone (their reapers waited for them).
    let deadline = Instant::now() + Duration::from_secs(20);
    while !os_support::live_children().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = os_support::live_children();
    assert!(
        left.is_empty(),
        "child processes {left:?} left after the fuzzing"
    );
    events
}

/// The CI run: every screen and every demo start, a few seconds in all.
#[test]
fn fuzz_every_screen_and_demo() {
    let started = Instant::now();
    let events = fuzz_all(0x5eed_0011, 600, 200);
    println!(
        "fuzz: {events} events, 0 panics, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(events >= 20_000, "only {events} events");
}

/// The long run: a million events (`cargo test --release --test fuzz -- --ignored long_run`).
#[test]
#[ignore = "long: a million events; run with --release -- --ignored"]
fn long_run() {
    let started = Instant::now();
    let mut events = 0;
    let mut round = 0;
    while events < 1_000_000 {
        events += fuzz_all(0x10_0000 + round * 1_000, 12_000, 2_500);
        round += 1;
    }
    println!(
        "fuzz long run: {events} events, 0 panics, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Replays a printed failure: `PYCONC_FUZZ_START` (the `start:` line) and
/// `PYCONC_FUZZ_EVENTS` (a file with the `events` list).
#[test]
#[ignore = "replays a failure named by PYCONC_FUZZ_START and PYCONC_FUZZ_EVENTS"]
fn replay() {
    let (Ok(start), Ok(file)) = (
        std::env::var("PYCONC_FUZZ_START"),
        std::env::var("PYCONC_FUZZ_EVENTS"),
    ) else {
        println!("set PYCONC_FUZZ_START and PYCONC_FUZZ_EVENTS to replay a failure");
        return;
    };
    fuzz_support::use_pyconc_as_worker();
    let start = parse_start(&start).expect("a start as the failure printed it");
    let events = parse_events(&std::fs::read_to_string(file).expect("the events file"));
    let outcome = run(&start, 0, 0, Some(&events));
    if let Some(failure) = outcome.failure {
        panic!("{failure}");
    }
}

#[test]
fn printed_events_parse_back() {
    let mut generator = fuzz_support::Generator::new(7);
    let events: Vec<_> = (0..5_000).map(|_| generator.next((80, 24))).collect();
    let text: Vec<String> = events.iter().map(ToString::to_string).collect();
    assert_eq!(parse_events(&text.join(" ")), events);
    for start in demo_starts()
        .iter()
        .chain(&screen_starts(&Catalog::embedded().unwrap()))
    {
        assert_eq!(
            parse_start(&start.to_string()).map(|s| s.to_string()),
            Some(start.to_string())
        );
    }
}
